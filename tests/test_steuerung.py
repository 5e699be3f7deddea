"""Projektsteuerung: stable ids, the Umsetzungsstand workbook and its re-import."""

import datetime as dt
import json
import shutil

import pandas as pd
import pytest
from openpyxl import load_workbook

from kdworkbook.cli import main
from kdworkbook.kern.errors import InputError
from kdworkbook.steuerung import arbeitsmappe as mappe
from kdworkbook.steuerung import fortschreibung, kennungen, laeufe, stand

from .conftest import ROOT

DAY = dt.date(2027, 5, 20)
EINSPARUNG_AUSWEIS = 3060.0  # 300 Vorgänge × 120 min / 60 × 20 % × 25,50 €/h
FIRST = "P-99008001012001/online_antrag"  # Personalausweis, 2.500 € geplant, Q1/2027


# --- stable ids --------------------------------------------------------------------------


def test_process_ids_from_key_else_name():
    table = pd.DataFrame(
        {
            "bezeichnung": ["Hundesteuer Anmeldung", "Gewerbe  anmelden", "A", "B", "Fund", "Fund"],
            "fachamt": ["Steuern", "Ordnung", "X", "Y", "Bürgerbüro", "Ordnung"],
            "leika_schluessel": [
                "99050012104000",
                None,
                "99000000000001",
                "99000000000001",
                None,
                None,
            ],
        }
    )
    ids = list(kennungen.process_ids(table))
    assert ids[0] == "P-99050012104000"
    # no key: the name, white space and case do not matter
    assert ids[1] == kennungen.name_id("gewerbe anmelden") and ids[1].startswith("P-")
    assert len(ids[1]) == 10
    # a key shared by two processes: told apart by name
    assert ids[2] == kennungen.name_id("A") and ids[3] == kennungen.name_id("B")
    # the same name in two Fachämter: told apart by Fachamt
    assert ids[4] == kennungen.name_id("Bürgerbüro Fund") != ids[5]
    assert len(set(ids)) == 6


def test_measure_ids_join_process_and_type():
    got = kennungen.measure_ids(pd.Series(["P-1", "P-1"]), pd.Series(["online_antrag", "e_akte"]))
    assert list(got) == ["P-1/online_antrag", "P-1/e_akte"]


def test_missing_name_column_is_an_error():
    with pytest.raises(KeyError):
        kennungen.process_ids(pd.DataFrame({"fachamt": ["X"]}))


# --- the workbook round trip --------------------------------------------------------------


@pytest.fixture
def demo_copy(tmp_path):
    """The demo parameters in a temporary folder (the status is recorded next to them),
    without the demo's recorded Stand: a municipality right after its first report."""
    shutil.copytree(ROOT / "parameters", tmp_path / "parameters")
    shutil.rmtree(tmp_path / "parameters" / "stadt-musterstadt" / "steuerung")
    return tmp_path / "parameters" / "musterstadt.yaml"


def _fill(path, answers: dict[str, tuple]) -> None:
    """Type answers into the workbook as a Digitalmanager would (by Maßnahmen-Id)."""
    book = load_workbook(path)
    sheet = book[mappe.STATUS_SHEET]
    col = {h: i for i, h in enumerate(mappe.HEADERS)}
    for row in sheet.iter_rows(min_row=2):
        values = answers.get(row[col["id"]].value)
        if values:
            keys = ("status", "beginn_ist", "ende_ist", "einmalkosten_ist")
            for key, value in zip(keys, values, strict=True):
                row[col[key]].value = value
    book.save(path)


def test_workbook_lists_plan_protected_with_validation(demo_copy):
    path = stand.generate(demo_copy, today=DAY)
    assert path.name == "umsetzungsstand_2027-05-20.xlsx"
    assert path.parent == demo_copy.parent / "stadt-musterstadt" / "steuerung"
    book = load_workbook(path)
    sheet = book[mappe.STATUS_SHEET]
    assert [c.value for c in sheet[1]][:3] == ["Maßnahmen-Id", "Prozess", "Maßnahme"]
    # row 5: Personalausweis is rank 2 since the citizen survey (Grundsteuer's three above)
    assert [c.value for c in sheet[2]][:2] == [
        "P-99102012002002/online_antrag",
        "Grundsteuer Festsetzung für Grundvermögen",
    ]
    assert [c.value for c in sheet[5]][:7] == [
        FIRST,
        "Personalausweis Ausstellung erstmalig",
        "Online-Antrag über Servicekonto/Portal",
        "Q1/2027",
        "Q1/2027",
        2500,
        "Digitalmanager (Stabsstelle Digitalisierung)",
    ]
    assert sheet.max_row == 29  # 28 measures
    assert sheet.protection.sheet and sheet["A2"].protection.locked
    assert not sheet["H2"].protection.locked
    lists = [v.formula1 for v in sheet.data_validations.dataValidation if v.type == "list"]
    assert lists == ['"geplant,begonnen,umgesetzt,zurückgestellt,verworfen"']
    assert book[mappe.META_SHEET]["B1"].value == mappe.FORMAT
    with pytest.raises(InputError, match="nicht überschrieben"):
        stand.generate(demo_copy, today=DAY)


def test_import_records_with_date_and_keeps_history(demo_copy):
    path = stand.generate(demo_copy, today=DAY)
    _fill(
        path,
        {
            FIRST: ("umgesetzt", dt.datetime(2027, 1, 10), "20.04.2027", 3100),
            "P-99008001012001/e_payment": ("begonnen", dt.datetime(2027, 3, 1), None, None),
        },
    )
    first = stand.import_status(demo_copy, path, today=DAY)
    second = stand.import_status(demo_copy, path, today=DAY)
    assert (first.name, second.name) == ("stand_2027-05-20.json", "stand_2027-05-20_2.json")
    recorded = json.loads(first.read_text(encoding="utf-8"))
    assert recorded["erfasst"] == "2027-05-20"
    assert recorded["massnahmen"][0] == {
        "id": FIRST,
        "status": "umgesetzt",
        "beginn_ist": "2027-01-10",
        "ende_ist": "2027-04-20",
        "einmalkosten_ist": 3100.0,
        "bemerkung": None,
        "prozess_id": "P-99008001012001",
        "prozess": "Personalausweis Ausstellung erstmalig",
        "massnahme": "Online-Antrag über Servicekonto/Portal",
        "beginn_plan": "Q1/2027",
        "fertig_plan": "Q1/2027",
        "einmalkosten_plan": 2500.0,
        "einsparung_plan_eur_jahr": EINSPARUNG_AUSWEIS,
    }
    assert len(stand.history(first.parent)) == 2
    counts = stand.status_counts(recorded["massnahmen"])
    assert counts == {
        "geplant": 0,
        "begonnen": 1,
        "umgesetzt": 1,
        "zurückgestellt": 0,
        "verworfen": 0,
    }


def test_bad_rows_are_named_and_nothing_is_recorded(demo_copy, capsys):
    path = stand.generate(demo_copy, today=DAY)
    _fill(
        path,
        {
            FIRST: ("umgesetzt", None, dt.datetime(2027, 5, 1), None),
            "P-99008001012001/e_payment": ("begonnen", dt.datetime(2026, 12, 1), None, -50),
        },
    )
    book = load_workbook(path)
    sheet = book[mappe.STATUS_SHEET]
    sheet["A30"] = "P-00000000000000/online_antrag"  # unknown id
    sheet["H30"] = "begonnen"
    sheet["A31"] = FIRST  # the first measure a second time, another end
    sheet["H31"] = "umgesetzt"
    sheet["J31"] = dt.datetime(2027, 6, 1)
    book.save(path)
    code = main(["steuerung-einlesen", str(demo_copy), str(path)])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err
    name = path.name
    assert (
        f"{name}, Zeile 6, Beginn tatsächlich (Datum): 01.12.2026 liegt vor dem "
        "Planbeginn 01.01.2027." in err
    )
    assert f"{name}, Zeile 6, Einmalkosten tatsächlich €: -50,00\xa0€ ist negativ." in err
    assert (
        f"{name}, Zeile 30: Maßnahmen-Id „P-00000000000000/online_antrag“ steht nicht "
        "im Maßnahmenplan." in err
    )
    assert (
        f"{name}, Zeilen 5 und 31: Maßnahme „{FIRST}“ ist zweimal als umgesetzt gemeldet, "
        "mit verschiedenem Ende (01.05.2027 und 01.06.2027)."
    ) in err
    assert not list(path.parent.glob("stand_*.json"))
    assert not list(path.parent.glob(".stand-*"))


def test_unknown_status_and_missing_column(tmp_path):
    rows = pd.DataFrame(
        {
            "id": ["M1"],
            "prozess": ["P"],
            "massnahme": ["X"],
            "beginn_plan": ["Q1/2027"],
            "fertig_plan": ["Q1/2027"],
            "einmalkosten_plan": [1.0],
            "verantwortlich": ["Amt"],
        }
    )
    meta = mappe.StatusMeta("Stadt Test", dt.date(2027, 1, 1), dt.date(2027, 1, 1))
    path = mappe.write_status_workbook(tmp_path / "s.xlsx", rows, meta)
    book = load_workbook(path)
    book[mappe.STATUS_SHEET]["H2"] = "fertig"
    book.save(path)
    with pytest.raises(InputError) as exc:
        stand.read_status(path, {"M1"}, dt.date(2027, 1, 1))
    assert exc.value.messages == [
        "s.xlsx, Zeile 2: Status „fertig“ ist unbekannt "
        "(erwartet geplant, begonnen, umgesetzt, zurückgestellt, verworfen)."
    ]
    book[mappe.STATUS_SHEET]["H1"] = "Stand"
    book.save(path)
    with pytest.raises(InputError, match="Spalte\\(n\\) „Status“ fehlen"):
        stand.read_status(path, {"M1"}, dt.date(2027, 1, 1))


def test_cli_writes_workbook(demo_copy, capsys):
    assert main(["steuerung", str(demo_copy), "--ausgabe", str(demo_copy.parent / "aus")]) == 0
    assert "Arbeitsmappe erzeugt:" in capsys.readouterr().out
    assert len(list((demo_copy.parent / "aus").glob("umsetzungsstand_*.xlsx"))) == 1


# --- Fortschreibung ------------------------------------------------------------------------


def _entry(mid, status, fertig="Q1/2027", ende=None, ist=None, plan=2500.0, saving=100.0):
    return {
        "id": mid,
        "prozess_id": mid.split("/")[0],
        "prozess": "Ausweis",
        "massnahme": "Online-Antrag",
        "status": status,
        "fertig_plan": fertig,
        "ende_ist": ende,
        "einmalkosten_ist": ist,
        "einmalkosten_plan": plan,
        "einsparung_plan_eur_jahr": saving,
    }


def test_measure_table_slip_cost_and_ampel():
    entries = [
        _entry("P-1/a", "umgesetzt", "Q1/2027", "2027-08-15", 3100.0),  # Q3 → 2 late, +600 €
        _entry("P-1/b", "begonnen", "Q1/2027"),  # planned quarter over at the Stand → rot
        _entry("P-2/a", "geplant", "Q4/2027"),
        _entry("P-3/a", "verworfen", "Q4/2027", ist=0.0, plan=800.0),
    ]
    table = fortschreibung.measure_table(entries, dt.date(2027, 5, 20))
    assert list(table["ampel"]) == ["grün", "rot", "gelb", "rot"]
    assert table["verzug_quartale"].tolist()[:1] == [2]
    assert table["verzug_quartale"].isna().tolist() == [False, True, True, True]
    assert table["kostenabweichung_eur"].tolist()[0] == 600.0
    assert table["kostenabweichung_eur"].tolist()[3] == -800.0
    assert fortschreibung.quarter_number("Q5/2027") is None


def test_rounds_matched_by_key_then_name():
    before = pd.DataFrame(
        {"bezeichnung": ["Ausweis", "Hund anmelden", "Fund"], "leika_schluessel": ["1", None, None]}
    )
    after = pd.DataFrame(
        {
            "bezeichnung": ["Personalausweis", "hund  Anmelden", "Gewerbe"],
            "leika_schluessel": ["1", None, None],
        }
    )
    got = fortschreibung.match_rounds(before, after)
    assert got.to_dict("records") == [
        {"vorher": 0, "jetzt": 0, "runde": "beide"},  # same key, renamed
        {"vorher": 1, "jetzt": 1, "runde": "beide"},  # same name
        {"vorher": 2, "jetzt": None, "runde": "entfallen"},
        {"vorher": None, "jetzt": 2, "runde": "neu"},
    ]


def test_realised_savings_never_assumed():
    before = pd.DataFrame(
        {"bezeichnung": ["A", "B"], "jahresstunden": [600.0, 100.0], "stundensatz_eur": [25.5, 30]}
    )
    after = pd.DataFrame(
        {"bezeichnung": ["A"], "jahresstunden": [450.0], "stundensatz_eur": [25.5]}
    )
    ids = pd.Series(["P-A", "P-B"])
    entries = [_entry("P-A/x", "umgesetzt", saving=3060.0), _entry("P-B/x", "umgesetzt")]
    got = fortschreibung.realised_savings(entries, before, after, ids)
    assert got["realisiert_eur_jahr"].tolist()[0] == 3825.0  # (600 − 450) h × 25,50 €
    assert pd.isna(got["realisiert_eur_jahr"].tolist()[1])
    assert got["fehlt"].tolist()[1] == "Prozess fehlt in der neuen Erhebung"
    # one process not computable → the total is not computable, never 0
    assert fortschreibung.summary(entries, got)["einsparung_realisiert_eur_jahr"] is None
    assert fortschreibung.summary(entries, got)["einsparung_geplant_eur_jahr"] == 3160.0


def test_cycle_steuerung_einlesen_round_two_check(demo_copy, capsys):
    """run figures → steuerung → filled by the Digitalmanager → einlesen → round 2 → check."""
    folder = demo_copy.parent
    assert main(["steuerung", str(demo_copy)]) == 0
    (path,) = (folder / "stadt-musterstadt" / "steuerung").glob("umsetzungsstand_*.xlsx")
    _fill(
        path,
        {
            FIRST: ("umgesetzt", dt.datetime(2027, 1, 11), dt.datetime(2027, 4, 20), 3100),
            "P-99008001012001/e_payment": ("begonnen", dt.datetime(2027, 2, 1), None, None),
            "P-99008001012001/schnittstelle": ("geplant", None, None, None),
        },
    )
    capsys.readouterr()
    assert main(["steuerung-einlesen", str(demo_copy), str(path), "--datum", "20.05.2027"]) == 0
    assert "umgesetzt          1" in capsys.readouterr().out
    # round 2, six months later: round 1 kept, the Personalausweis now takes 90 instead of 120 min
    shutil.copytree(folder / "musterstadt", folder / "runde1")
    book = load_workbook(folder / "musterstadt" / "bestand_buergerbuero.xlsx")
    sheet = book.active
    assert sheet["C2"].value == "Personalausweis Ausstellung erstmalig"
    sheet["E2"] = 90
    book.save(folder / "musterstadt" / "bestand_buergerbuero.xlsx")
    text = demo_copy.read_text(encoding="utf-8").replace(
        "stichtag: 2026-11-28", "stichtag: 2027-05-28"
    )
    text += (
        "\nvorherige_erhebung:\n"
        "  - datei: runde1/bestand_buergerbuero.xlsx\n    fachamt: Bürgerbüro\n"
        "  - datei: runde1/bestand_standesamt.csv\n    fachamt: Standesamt\n"
        "  - runde1/bestand_fachaemter.xlsx\n"
    )
    demo_copy.write_text(text, encoding="utf-8")
    assert main(["check", str(demo_copy), "--json"]) == 0
    section = json.loads(capsys.readouterr().out)["fortschreibung"]
    # realised: 300 × (120 − 90) min / 60 = 150 h × 25,50 €/h; planned: 600 h × 20 % × 25,50 €/h
    assert section == {
        "umgesetzt": 1,
        "begonnen": 1,
        "geplant": 1,
        "einsparung_realisiert_eur_jahr": 3825.0,
        "einsparung_geplant_eur_jahr": 3060.0,
    }
    (record,) = (folder / "stadt-musterstadt" / "steuerung").glob("stand_*.json")
    table = fortschreibung.measure_table(
        json.loads(record.read_text(encoding="utf-8"))["massnahmen"], dt.date(2027, 5, 20)
    )
    first = table.iloc[0]
    assert (first["verzug_quartale"], first["kostenabweichung_eur"]) == (1, 600.0)  # Q2 vs Q1


# --- vergleich -----------------------------------------------------------------------------


def _run(folder, results, inputs, stichtag="2026-11-28"):
    folder.mkdir(parents=True)
    (folder / "ergebnisse.json").write_text(json.dumps(results), encoding="utf-8")
    manifest = {
        "parameterdatei": "/p/stadt.yaml",
        "stichtag": stichtag,
        "eingaben": [{"datei": p, "sha256": h, "art": "Eingabe"} for p, h in inputs.items()],
    }
    (folder / "lauf.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def test_vergleich_names_figures_inputs_parameters(tmp_path, capsys):
    a = _run(
        tmp_path / "a",
        {"gemeinde": "Stadt X", "bestand": {"stunden": 1000.5, "prozesse": 10}},
        {"/p/stadt.yaml": "1", "/p/b.xlsx": "2", "/p/alt.csv": "3"},
    )
    b = _run(
        tmp_path / "b",
        {"gemeinde": "Stadt X", "bestand": {"stunden": 1234.25, "prozesse": 10, "neu": None}},
        {"/p/stadt.yaml": "9", "/p/b.xlsx": "2"},
        stichtag="2027-05-20",
    )
    got = laeufe.compare_runs(a, b)
    assert got.werte == [("bestand → stunden", 1000.5, 1234.25), ("bestand → neu", "–", None)]
    assert got.eingaben == ["/p/alt.csv: nur in A", "/p/stadt.yaml: geändert (SHA-256 weicht ab)"]
    assert got.parameter == [
        "Parameterdatei /p/stadt.yaml: geändert (SHA-256 weicht ab)",
        "Stichtag: 2026-11-28 → 2027-05-20",
    ]
    assert main(["vergleich", str(a), str(b)]) == 0
    out = capsys.readouterr().out
    assert "  bestand → stunden: 1.000,50 → 1.234,25" in out
    assert "  bestand → neu: – → nicht berechenbar" in out


def test_vergleich_refuses_other_municipality_and_no_run(tmp_path, capsys):
    a = _run(tmp_path / "a", {"gemeinde": "Stadt X"}, {})
    b = _run(tmp_path / "b", {"gemeinde": "Stadt Y"}, {})
    assert main(["vergleich", str(a), str(b)]) == 2
    err = capsys.readouterr().err
    assert "Läufe verschiedener Kommunen („Stadt X“ und „Stadt Y“) – nicht verglichen." in err
    with pytest.raises(InputError, match="kein abgeschlossener Lauf – ergebnisse.json fehlt"):
        laeufe.compare_runs(tmp_path, a)


def test_demo_second_round(tmp_path, capsys):
    """The shipped second Musterstadt round: the recorded Stand is the filled workbook read
    against the round-1 plan; check of musterstadt-2027.yaml (round-1 survey as
    vorherige_erhebung) has the section, the round-1 file (Stichtag before the Stand) not."""
    shutil.copytree(ROOT / "parameters", tmp_path / "parameters")
    folder = tmp_path / "parameters"
    shipped = folder / "stadt-musterstadt" / "steuerung" / "stand_2027-05-20.json"
    workbook = folder / "musterstadt-2027" / "umsetzungsstand_2027-05-20.xlsx"
    again = stand.import_status(folder / "musterstadt.yaml", workbook, today=DAY)
    assert again.name == "stand_2027-05-20_2.json"  # the shipped one stays
    recorded, repeated = (json.loads(p.read_text(encoding="utf-8")) for p in (shipped, again))
    assert recorded == repeated
    assert main(["check", str(folder / "musterstadt-2027.yaml"), "--json"]) == 0
    section = json.loads(capsys.readouterr().out)["fortschreibung"]
    # planned: Online-Antrag 600 h × 20 % × 25,50 € = 3.060 € + E-Payment 600 h × 80 % × 5 %
    # × 25,50 € = 612 €; realised: 300 × (120 − 90) min / 60 = 150 h × 25,50 € = 3.825 €
    assert section == {
        "umgesetzt": 2,
        "begonnen": 2,
        "geplant": 22,
        "einsparung_realisiert_eur_jahr": 3825.0,
        "einsparung_geplant_eur_jahr": 3672.0,
    }
    assert main(["check", str(folder / "musterstadt.yaml"), "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert "fortschreibung" not in first
    assert not [h for h in first["hinweise"] if "Fortschreibung" in h]
    entries = recorded["massnahmen"]
    table = fortschreibung.measure_table(entries, dt.date(2027, 5, 28)).set_index("id")
    ausweis = table.loc["P-99008001012001/online_antrag"]
    # planned Q1/2027, finished 20.04.2027 (Q2): one quarter late; 3.100 − 2.500 €
    assert (ausweis["verzug_quartale"], ausweis["kostenabweichung_eur"]) == (1, 600.0)
    assert table.loc["P-99008001012001/e_payment", "verzug_quartale"] == 0
    assert (table["ampel"] == "grün").sum() == 2
