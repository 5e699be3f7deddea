"""The chapter Fortschreibung: which Stände a report uses, the previous report, the duty
changes, the omission rule, and the whole cycle on a copy of the demo (the issue's „Done
when“): run → steuerung → filled with openpyxl → steuerung-einlesen → round 2 → run."""

import datetime as dt
import json
import shutil

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from kdworkbook.bestand.laden import load_bestand
from kdworkbook.cli import main
from kdworkbook.kern import momentaufnahme
from kdworkbook.kern.errors import InputError
from kdworkbook.lauf import lauf, schritte
from kdworkbook.steuerung import arbeitsmappe as mappe
from kdworkbook.steuerung import kapitel, laeufe, stand

from .conftest import ROOT, execute_step

AUSWEIS = "P-99008001012001"  # Personalausweis Ausstellung erstmalig, 300 Vorgänge × 120 min
GRUNDSTEUER = "P-99102012002002"
DUTY_ROUND_1 = """    "OZG § 1a Abs. 1":
      status: offen
"""
DUTY_ROUND_2 = """    "OZG § 1a Abs. 1":
      status: teilweise
"""


def _stand(folder, name, status="umgesetzt"):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(
        json.dumps({"erfasst": name[6:16], "datei": "x.xlsx", "massnahmen": [{"status": status}]}),
        encoding="utf-8",
    )
    return folder / name


def test_stands_until_stichtag_and_only_from_the_snapshot(tmp_path, monkeypatch):
    folder = tmp_path / "steuerung"
    _stand(folder, "stand_2026-11-20.json", "geplant")
    _stand(folder, "stand_2026-11-28.json", "begonnen")
    _stand(folder, "stand_2026-11-28_2.json", "umgesetzt")
    _stand(folder, "stand_2027-05-20.json", "verworfen")
    (folder / "stand_2027-05-20.json").chmod(0)  # a later day's file is not even opened
    got = stand.stands_until(folder, dt.date(2026, 11, 28))
    assert [s["massnahmen"][0]["status"] for s in got] == ["geplant", "begonnen", "umgesetzt"]
    # inside a run: only the Stände of its snapshot, read from the copies
    copy = _stand(tmp_path / "kopie", "stand_2026-11-20.json", "zurückgestellt")
    index = tmp_path / "index.json"
    original = str((folder / "stand_2026-11-20.json").resolve())
    index.write_text(json.dumps({"kopien": {original: str(copy)}}), encoding="utf-8")
    monkeypatch.setenv(momentaufnahme.ENV, str(index))
    got = stand.stands_until(folder, dt.date(2026, 11, 28))
    assert [s["massnahmen"][0]["status"] for s in got] == ["zurückgestellt"]


def test_damaged_stand_is_named(tmp_path):
    folder = tmp_path / "steuerung"
    folder.mkdir()
    (folder / "stand_2026-11-20.json").write_text("{kaputt", encoding="utf-8")
    with pytest.raises(InputError, match="stand_2026-11-20.json: kein lesbarer Umsetzungsstand"):
        stand.stands_until(folder, dt.date(2026, 11, 28))


def _run_folder(root, name, stichtag, results=True):
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "lauf.json").write_text(json.dumps({"stichtag": stichtag}), encoding="utf-8")
    if results:
        (folder / "ergebnisse.json").write_text("{}", encoding="utf-8")
    return folder


def test_previous_run_is_latest_with_earlier_stichtag(tmp_path):
    slug = tmp_path / "stadt-x"
    _run_folder(slug, "2026-11-28_100000", "2026-11-28")
    wanted = _run_folder(slug, "2026-11-29_090000", "2026-11-28")  # same Stichtag, later run
    _run_folder(slug, "2027-05-28_100000", "2027-05-28")  # this round itself
    _run_folder(slug, "2027-01-01_100000", "2026-12-01", results=False)  # incomplete
    (slug / "latest").symlink_to("2027-05-28_100000")
    assert laeufe.previous_run(slug, dt.date(2027, 5, 28)) == (wanted, dt.date(2026, 11, 28))
    assert laeufe.previous_run(slug, dt.date(2026, 11, 28)) is None
    assert laeufe.previous_run(tmp_path / "fehlt", dt.date(2027, 5, 28)) is None


def test_duty_changes_by_register_key():
    previous = [
        {"paragraph": "OZG § 1a Abs. 1", "status": "offen"},
        {"paragraph": "EGovG NRW § 3", "status": "erfüllt"},
        {"paragraph": "OZG", "status": "offen"},  # no longer in force
    ]
    current = pd.DataFrame(
        {
            "schluessel": ["OZG § 1a Abs. 1", "EGovG NRW § 3", "SDG Art. 6"],
            "paragraph": ["§ 1a Abs. 1 Satz 1 OZG", "§ 3 EGovG NRW", "Art. 6 SDG"],
            "titel": ["Leistungen elektronisch", "Zugang", "SDG"],
            "status": ["teilweise", "erfüllt", "offen"],
        }
    )
    got = kapitel.duty_changes(previous, current)
    assert got.to_dict("records") == [
        {
            "paragraph": "§ 1a Abs. 1 Satz 1 OZG",
            "titel": "Leistungen elektronisch",
            "vorher": "offen",
            "jetzt": "teilweise",
        },
        {"paragraph": "Art. 6 SDG", "titel": "SDG", "vorher": "–", "jetzt": "offen"},
        {"paragraph": "OZG", "titel": "", "vorher": "offen", "jetzt": "gilt nicht mehr"},
    ]


def test_by_fachamt_round_against_round():
    before = pd.DataFrame(
        {
            "fachamt": ["Bürgerbüro", "Bürgerbüro", "Bauamt"],
            "reifegrad": [1.0, 2.0, None],
            "jahresstunden": [600.0, 100.0, 50.0],
        }
    )
    after = pd.DataFrame(
        {
            "fachamt": ["Bürgerbüro", "Bürgerbüro"],
            "reifegrad": [2.0, 2.0],
            "jahresstunden": [450.0, 100.0],
        }
    )
    got = kapitel.by_fachamt(before, after).set_index("fachamt")
    assert got.loc["Bürgerbüro"].tolist() == [1.5, 700.0, 2.0, 550.0, -150.0]
    assert got.loc["Bauamt", "stunden_vorher"] == 50.0
    assert pd.isna(got.loc["Bauamt", "reifegrad_vorher"])  # not surveyed, not 0
    assert pd.isna(got.loc["Bauamt", "stunden_jetzt"]) and pd.isna(
        got.loc["Bauamt", "stunden_diff"]
    )


def test_chapter_only_with_previous_round_or_stand_until_stichtag(tmp_path):
    shutil.copytree(ROOT / "parameters", tmp_path / "parameters")
    notebooks = lauf.step_notebooks()
    first = load_bestand(tmp_path / "parameters" / "musterstadt.yaml")
    # the demo's Stand of 20.05.2027 lies after round 1's Stichtag 28.11.2026: no chapter,
    # and no note for the analyst (a first report has no Fortschreibung by method)
    assert "07_fortschreibung" not in [n.stem for n in schritte.report_notebooks(first, notebooks)]
    assert schritte.omissions(first) == {}
    assert kapitel.since_last_report(kapitel.load(first)) is None
    with pytest.raises(InputError, match="das Kapitel Fortschreibung entfällt"):
        kapitel.chapter(first)
    second = load_bestand(tmp_path / "parameters" / "musterstadt-2027.yaml")
    assert "07_fortschreibung" in [n.stem for n in schritte.report_notebooks(second, notebooks)]
    f = kapitel.load(second)
    assert f.stand_tag == dt.date(2027, 5, 20)
    assert kapitel.biggest_slip(f) == {
        "prozess": "Personalausweis Ausstellung erstmalig",
        "massnahme": "Online-Antrag über Servicekonto/Portal",
        "quartale": 1,
    }
    assert kapitel.cost_variance(f) == (600.0, 2)  # 3.100 − 2.500 € and 1.000 − 1.000 €
    # outside a run the previous report is unknown – said so, not left empty
    assert f.bericht is None and "nur im Lauf" in f.bericht_grund


def test_einlesen_refuses_a_bad_date(tmp_path, capsys):
    shutil.copytree(ROOT / "parameters", tmp_path / "parameters")
    workbook = tmp_path / "parameters" / "musterstadt-2027" / "umsetzungsstand_2027-05-20.xlsx"
    args = ["steuerung-einlesen", str(tmp_path / "parameters" / "musterstadt.yaml"), str(workbook)]
    assert main([*args, "--datum", "31.02.2027"]) == 2
    err = capsys.readouterr().err
    assert "--datum: erwartet ein Datum TT.MM.JJJJ oder JJJJ-MM-TT" in err
    assert "gefunden: '31.02.2027'" in err
    assert len(list((tmp_path / "parameters" / "stadt-musterstadt" / "steuerung").iterdir())) == 1


# --------------------------------------------------------------------------- the cycle


def _text(node) -> str:
    return node.get_text(" ", strip=True).replace("\xa0", " ").replace("\u202f", " ")


def _rows(table) -> list[list[str]]:
    return [[_text(c) for c in tr.find_all("td")] for tr in table.find_all("tr")]


def _chapter(html_path, title):
    soup = BeautifulSoup(html_path.read_text(encoding="utf-8"), "html.parser")
    for section in soup.select("section.kapitel"):
        if section.find("h1") and section.find("h1").get_text(strip=True) == title:
            return section
    return None


def test_full_cycle_round_two_report_shows_fortschreibung(tmp_path, capsys):
    shutil.copytree(ROOT / "parameters", tmp_path / "parameters")
    folder = tmp_path / "parameters"
    shutil.rmtree(folder / "stadt-musterstadt" / "steuerung")  # right after the first report
    params, out = folder / "musterstadt.yaml", tmp_path / "out"
    # 1. the first report
    assert main(["run", str(params), "--ausgabe", str(out)]) == 0
    (first_run,) = [p for p in (out / "stadt-musterstadt").iterdir() if not p.is_symlink()]
    assert "fortschreibung" not in json.loads((first_run / "ergebnisse.json").read_text())
    # 2. the workbook for the Digitalmanager, filled as in Excel: statuses from the list,
    # dates as real Excel dates, costs as numbers; every other row „geplant“
    assert main(["steuerung", str(params)]) == 0
    (workbook,) = (folder / "stadt-musterstadt" / "steuerung").glob("umsetzungsstand_*.xlsx")
    answers = {
        f"{AUSWEIS}/online_antrag": (
            "umgesetzt",
            dt.datetime(2027, 1, 11),
            dt.datetime(2027, 4, 20),
            3100,
        ),
        f"{AUSWEIS}/e_payment": (
            "umgesetzt",
            dt.datetime(2027, 1, 11),
            dt.datetime(2027, 3, 15),
            1000,
        ),
        f"{GRUNDSTEUER}/online_antrag": ("begonnen", dt.datetime(2027, 4, 1), None, None),
        f"{GRUNDSTEUER}/schnittstelle": ("zurückgestellt", None, None, None),
    }
    book = load_workbook(workbook)
    sheet = book[mappe.STATUS_SHEET]
    col = {key: i for i, key in enumerate(mappe.HEADERS)}
    for row in sheet.iter_rows(min_row=2):
        values = answers.get(row[col["id"]].value, ("geplant", None, None, None))
        for key, value in zip(
            ("status", "beginn_ist", "ende_ist", "einmalkosten_ist"), values, strict=True
        ):
            row[col[key]].value = value
    book.save(workbook)
    # 3. recorded as the Stand of 20.05.2027 – after round 1's Stichtag, so round 1 stays as it was
    assert main(["steuerung-einlesen", str(params), str(workbook), "--datum", "20.05.2027"]) == 0
    capsys.readouterr()
    assert main(["check", str(params), "--json"]) == 0
    assert "fortschreibung" not in json.loads(capsys.readouterr().out)
    # 4. round 2, six months later: round 1's survey kept as the previous round; the
    # Personalausweis takes 90 instead of 120 minutes; § 1a Abs. 1 OZG now „teilweise“
    shutil.copytree(folder / "musterstadt", folder / "runde1")
    survey = folder / "musterstadt" / "bestand_buergerbuero.xlsx"
    book = load_workbook(survey)
    assert book.active["C2"].value == "Personalausweis Ausstellung erstmalig"
    assert book.active["E2"].value == 120
    book.active["E2"] = 90
    book.save(survey)
    text = params.read_text(encoding="utf-8").replace(
        "stichtag: 2026-11-28", "stichtag: 2027-05-28"
    )
    assert DUTY_ROUND_1 in text
    text = text.replace(DUTY_ROUND_1, DUTY_ROUND_2)
    text += (
        "\nvorherige_erhebung:\n"
        "  - datei: runde1/bestand_buergerbuero.xlsx\n    fachamt: Bürgerbüro\n"
        "  - datei: runde1/bestand_standesamt.csv\n    fachamt: Standesamt\n"
        "  - runde1/bestand_fachaemter.xlsx\n"
    )
    params.write_text(text, encoding="utf-8")
    assert main(["check", str(params), "--json"]) == 0
    checked = json.loads(capsys.readouterr().out)["fortschreibung"]
    # 5. the second report
    assert main(["run", str(params), "--ausgabe", str(out)]) == 0
    run = (out / "stadt-musterstadt" / "latest").resolve()
    # realised: 300 Vorgänge × (120 − 90) min / 60 = 150 h × 25,50 €/h = 3.825 €/Jahr;
    # planned for the two measures umgesetzt: Online-Antrag 600 h × 20 % × 25,50 € = 3.060 €
    # + E-Payment 600 h × 80 % × 5 % × 25,50 € = 612 € → 3.672 €; 28 measures − 4 answered
    # otherwise = 24 geplant
    expected = {
        "umgesetzt": 2,
        "begonnen": 1,
        "geplant": 24,
        "einsparung_realisiert_eur_jahr": 3825.0,
        "einsparung_geplant_eur_jahr": 3672.0,
    }
    assert checked == expected
    assert json.loads((run / "ergebnisse.json").read_text())["fortschreibung"] == expected
    inputs = [e["datei"] for e in json.loads((run / "lauf.json").read_text())["eingaben"]]
    stand_file = folder / "stadt-musterstadt" / "steuerung" / "stand_2027-05-20.json"
    assert str(stand_file.resolve()) in inputs
    assert str((first_run / "ergebnisse.json").resolve()) in inputs  # the previous report
    assert str((folder / "runde1" / "bestand_buergerbuero.xlsx").resolve()) in inputs

    chapter = _chapter(run / "bericht.html", "Fortschreibung")
    assert chapter is not None
    text = _text(chapter)
    tables = chapter.find_all("table")
    by_what = {r[0]: r for r in _rows(tables[1]) if r}
    # Online-Antrag: planned Q1/2027, ended 20.04.2027 (Q2/2027) → slip 1 quarter;
    # cost 3.100 € − 2.500 € planned = +600 €
    assert by_what["Personalausweis Ausstellung erstmalig: Online-Antrag über Servicekonto/Portal"][
        1:
    ] == [
        "umgesetzt",
        "● grün",
        "Q1/2027",
        "20.04.2027",
        "1",
        "2.500 €",
        "3.100 €",
        "+600 €",
    ]
    # E-Payment: planned Q1/2027, ended 15.03.2027 → 0 quarters; 1.000 € as planned
    assert by_what["Personalausweis Ausstellung erstmalig: E-Payment anbinden"][5:] == [
        "0",
        "1.000 €",
        "1.000 €",
        "0 €",
    ]
    # begonnen, not finished: no slip and no cost yet – shown as such, not as 0
    assert by_what[
        "Grundsteuer Festsetzung für Grundvermögen: Online-Antrag über Servicekonto/Portal"
    ][5:] == [
        "–",
        "2.500 €",
        "nicht angegeben",
        "–",
    ]
    assert "Summe der Abweichungen über 2 Maßnahmen mit tatsächlichen Kosten: +600 €" in text
    savings = _rows(tables[2])
    assert savings[1] == ["Personalausweis Ausstellung erstmalig", "3.672 €", "3.825 €"]
    assert savings[-1] == ["Summe", "3.672 €", "3.825 €"]
    duties = _rows(tables[3])
    assert duties[1:] == [
        [
            "§ 1a Abs. 1 Satz 1 OZG",
            "Verwaltungsleistungen auch elektronisch anbieten",
            "offen",
            "teilweise",
        ]
    ]
    fachaemter = {r[0]: r for r in _rows(tables[4]) if r}
    # Bürgerbüro: 150 h less (the Personalausweis), all else equal
    assert fachaemter["Bürgerbüro"][5] == "−150"
    assert fachaemter["Bauamt"][5] == "0"
    assert "185 Prozesse stehen in beiden Runden; keiner ist neu, keiner entfallen." in text
    assert (
        "Seit dem Bericht vom 28.11.2026 (Stand 20.05.2027): von 28 Maßnahmen sind 2 umgesetzt "
        "und 1 begonnen, 24 noch geplant; 1 zurückgestellt und 0 verworfen." in text
    )
    assert (
        "sparen laut neuer Erhebung 3.825 € im Jahr; geplant waren 3.672 € (104 % des Plans)"
        in text
    )

    # the summary's box: the chapter's own figures
    summary = _chapter(run / "bericht.html", "Management-Zusammenfassung")
    box = _text(summary.select_one(".kd-seit"))
    assert (
        "2 umgesetzt, 1 begonnen, 24 geplant, 1 zurückgestellt, 0 verworfen (Stand 20.05.2027)"
        in box
    )
    assert "Einsparung realisiert 3.825 € pro Jahr, geplant 3.672 €" in box
    assert (
        "Größter Verzug: Online-Antrag über Servicekonto/Portal (Personalausweis Ausstellung "
        "erstmalig), 1 Quartal später als geplant" in box
    )
    # the first report has neither chapter nor box
    first = (first_run / "bericht.html").read_text(encoding="utf-8")
    assert (
        "Seit dem letzten Bericht" not in first
        and _chapter(first_run / "bericht.html", "Fortschreibung") is None
    )


def test_stand_without_previous_round_says_what_is_missing(tmp_path):
    """Only a Stand (no vorherige_erhebung): plan against actual, the rest „nicht
    berechenbar“ with the reason – never 0."""
    shutil.copytree(ROOT / "parameters", tmp_path / "parameters")
    folder = tmp_path / "parameters" / "stadt-musterstadt" / "steuerung"
    (folder / "stand_2027-05-20.json").rename(folder / "stand_2026-11-27.json")
    ba = load_bestand(tmp_path / "parameters" / "musterstadt.yaml")
    f = kapitel.chapter(ba)
    assert f.kennzahlen == {
        "umgesetzt": 2,
        "begonnen": 2,
        "geplant": 22,
        "einsparung_realisiert_eur_jahr": None,
        "einsparung_geplant_eur_jahr": 3672.0,
    }
    savings = kapitel.savings(f).data.replace("\xa0", " ")
    assert "Realisierte Einsparung: nicht berechenbar – keine vorherige Erhebung" in savings
    assert "nicht berechenbar – keine vorherige Erhebung" in kapitel.fachaemter(f, ba).data
    assert "nicht berechenbar – keine vorherige Erhebung" in kapitel.processes(f, ba).data
    box = kapitel.since_last_report(f).data.replace("\xa0", " ")
    assert "Einsparung realisiert nicht berechenbar (keine vorherige Erhebung" in box
    assert "Die realisierte Einsparung ist nicht berechenbar" in kapitel.exchange_text(f).data


def test_notebook_on_its_own_names_the_unknown_previous_report(tmp_path):
    """papermill on notebook 07 without the runner: the chapter computes, and the duty
    comparison says why it is missing (the previous report is known only in a run)."""
    shutil.copytree(ROOT / "parameters", tmp_path / "parameters")
    out, outputs = execute_step(
        "07_fortschreibung.ipynb", tmp_path, tmp_path / "parameters" / "musterstadt-2027.yaml"
    )
    assert not [o for o in outputs if o.output_type == "error"]
    assert lauf.read_results(out)["fortschreibung"] == {
        "umgesetzt": 2,
        "begonnen": 2,
        "geplant": 22,
        "einsparung_realisiert_eur_jahr": 3825.0,
        "einsparung_geplant_eur_jahr": 3672.0,
    }
    shown = " ".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert (
        "seit dem letzten Bericht: nicht berechenbar – der vorige Bericht ist nur im Lauf" in shown
    )
