"""Bürgerbefragung: questionnaire, LimeSurvey import/export, demand, suppression, ranking."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pandas as pd
import pytest

from kdworkbook import cli
from kdworkbook.buergerbefragung import antworten, auswertung, dateien, fragebogen, limesurvey
from kdworkbook.buergerbefragung.einstellungen import BuergerbefragungSettings
from kdworkbook.kern.errors import InputError
from kdworkbook.massnahmen import priorisierung as pr

ROOT = Path(__file__).resolve().parents[1]

PROCESSES = pd.DataFrame(
    {
        "bezeichnung": ["Hundesteuer", "Anmeldung", "Sperrmüll", "Anmeldung", "Baugenehmigung"],
        "fachamt": ["Steuern", "Bürgerbüro", "Umwelt", "Ordnung", "Bauamt"],
        "vorgaenge": [300, 900, 500, 200, 40],
        "leika_schluessel": ["99001", None, "99003", None, "99004"],
    }
)


def _fb(**settings: object) -> fragebogen.Fragebogen:
    s = BuergerbefragungSettings(anzahl_leistungen=2, **settings)
    return fragebogen.build(fragebogen.select_services(PROCESSES, s), s, "Stadt Test")


def test_select_services_sums_cases_pins_and_drops() -> None:
    s = BuergerbefragungSettings(anzahl_leistungen=2, fest=("Baugenehmigung",), ohne=("Sperrmüll",))
    table = fragebogen.select_services(PROCESSES, s)
    # pinned first, then by cases: Anmeldung 900 + 200 = 1.100, Hundesteuer 300
    assert table["bezeichnung"].tolist() == ["Baugenehmigung", "Anmeldung"]
    assert table["vorgaenge"].tolist() == [40, 1100]
    assert table["code"].tolist()[0] == "L99004"
    assert table["code"].tolist()[1].startswith("P") and len(table["code"].tolist()[1]) == 9


def test_select_services_unknown_pin_is_refused() -> None:
    with pytest.raises(InputError, match="„Bürgeramt“ steht nicht in der Bestandserhebung"):
        fragebogen.select_services(PROCESSES, BuergerbefragungSettings(fest=("Bürgeramt",)))


def test_import_file_is_read_back_by_own_reader() -> None:
    fb = _fb(bezirke=("Nord", "Süd"))
    text = limesurvey.write_structure(fb)
    assert text.splitlines()[0].split("\t")[:5] == [
        "id",
        "related_id",
        "class",
        "type/scale",
        "name",
    ]
    again = limesurvey.read_structure(text)
    assert again == fb
    # Anmeldung 1.100 Vorgänge (no LeiKa key: P + hash of the name), Sperrmüll 500
    assert again.leistungen == {"P32DDF6AE": "Anmeldung", "L99003": "Sperrmüll"}
    assert again.spalten()[-3:] == ["ALTER", "BEZIRK", "HINWEIS"]


def test_read_structure_without_columns_is_refused() -> None:
    with pytest.raises(InputError, match="Spalten fehlen: class"):
        limesurvey.read_structure("a\tb\n1\t2\n", "f.txt")


def _csv(path: Path, fb: fragebogen.Fragebogen, rows: list[dict[str, str]]) -> Path:
    header = ["id", "submitdate", "lastpage", "startlanguage", "seed", *fb.spalten()]
    lines = [",".join(f'"{h}"' for h in header)]
    for row in rows:
        lines.append(",".join(f'"{row.get(h, "")}"' for h in header))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_read_responses_limesurvey_csv(tmp_path: Path) -> None:
    fb = _fb()
    code = "L99003"
    path = _csv(
        tmp_path / "results-survey.csv",
        fb,
        [
            {
                "id": "1",
                "submitdate": "2026-10-01 10:00:00",
                f"ONLINE[{code}]": "A1",
                "KANAL": "ONL",
            },
            {"id": "2", f"GENUTZT[{code}]": "J", "ALTER": "G2"},
        ],
    )
    r = antworten.read_responses([path], fb)
    assert len(r) == 2
    assert r[f"ONLINE[{code}]"].tolist()[0] == "A1"
    assert r["ALTER"].isna().tolist() == [True, False]
    assert "seed" not in r.columns


@pytest.mark.parametrize(
    ("rows", "extra", "message"),
    [
        ([{"id": "1", "KANAL": "ONL"}], "XYZ[1]", "Spalte „XYZ\\[1\\]“: unbekannter Fragecode"),
        (
            [{"id": "1", "KANAL": "FAX"}],
            None,
            "Zeile 2, Spalte „KANAL“: Antwort „FAX“ nicht erlaubt",
        ),
        (
            [{"id": "7", "KANAL": "ONL"}, {"id": "7", "KANAL": "TEL"}],
            None,
            "Zeile 3, Spalte „id“: Antwort-ID 7 doppelt",
        ),
        ([{"id": "1", "KANAL": "ONL"}, {"id": "2"}], None, "Zeile 3: leere Antwort"),
        ([{"id": "", "KANAL": "ONL"}], None, "Zeile 2, Spalte „id“: Antwort-ID fehlt"),
    ],
    ids=["unbekannter-code", "ausserhalb", "doppelte-id", "leer", "ohne-id"],
)
def test_read_responses_bad_input(
    tmp_path: Path, rows: list[dict[str, str]], extra: str | None, message: str
) -> None:
    fb = _fb()
    path = _csv(tmp_path / "r.csv", fb, rows)
    if extra:
        lines = path.read_text().splitlines()
        lines = [lines[0] + f',"{extra}"'] + [line + ',""' for line in lines[1:]]
        path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=message) as info:
        antworten.read_responses([path], fb)
    assert str(path) in info.value.messages[0]


def test_read_responses_duplicate_across_files(tmp_path: Path) -> None:
    fb = _fb()
    a = _csv(tmp_path / "a.csv", fb, [{"id": "1", "KANAL": "ONL"}])
    b = _csv(tmp_path / "b.csv", fb, [{"id": "1", "KANAL": "TEL"}])
    with pytest.raises(InputError, match="Antwort-ID 1 doppelt"):
        antworten.read_responses([a, b], fb)


def test_read_responses_xlsx_template(tmp_path: Path) -> None:
    fb = _fb()
    path = tmp_path / "vorlage.xlsx"
    path.write_bytes(dateien.template_bytes(fb))
    header = pd.read_excel(path, sheet_name="Antworten", dtype=str).columns
    row = {c: "" for c in header} | {"id": "1", "KANAL": "VOR"}
    pd.DataFrame([row]).to_excel(path, sheet_name="Antworten", index=False)
    r = antworten.read_responses([path], fb)
    assert r["KANAL"].tolist() == ["VOR"]


def _responses(online: list[str | None], used: list[str], code: str = "L1") -> pd.DataFrame:
    return pd.DataFrame({f"ONLINE[{code}]": online, f"GENUTZT[{code}]": used})


def test_demand_weighted_by_use() -> None:
    fb = fragebogen.Fragebogen("t", (fragebogen.Frage("GENUTZT", "", {}, {"L1": "Hundesteuer"}),))
    r = _responses(["A1", "A2", "A3", "A4", "A1", None], ["J", "N", "J", "N", "N", "J"])
    d = auswertung.demand(r, fb, gewicht_nicht_genutzt=0.5, mindestgruppe=5)
    # answered: 5; weights 1, ½, 1, ½, ½ = 3,5; „ja“/„eher ja“: 1 + ½ + ½ = 2 → 2 / 3,5
    assert d.loc[0, "nachfrage"] == pytest.approx(4 / 7)
    assert (d.loc[0, "antworten"], d.loc[0, "genutzt"], d.loc[0, "online_ja"]) == (5, 2, 3)
    # with 6 as the smallest group: nicht berechenbar, never 0
    assert math.isnan(auswertung.demand(r, fb, 0.5, 6).loc[0, "nachfrage"])


def test_margin_of_error() -> None:
    # 1,96 · √(0,25 / 100) · √((101 − 100) / 100) = 1,96 · 0,05 · 0,1
    assert auswertung.margin_of_error(100, 101) == pytest.approx(0.0098)
    assert math.isnan(auswertung.margin_of_error(100, None))


def test_channel_by_age_suppresses_small_groups() -> None:
    fb = _fb()
    r = pd.DataFrame(
        {
            "KANAL": ["ONL", "ONL", "TEL", "VOR", "ONL", "TEL", "ONL"],
            "ALTER": ["G1", "G1", "G1", "G1", "G1", "G4", "G4"],
        }
    )
    t = auswertung.channel_by_age(r, fb, mindestgruppe=5).set_index("gruppe")
    assert t.loc["gesamt", "befragte"] == 7
    assert t.loc["unter 30", "online (Internet, App)"] == pytest.approx(3 / 5)
    assert t.loc["65 und älter", "unterdrueckt"]
    assert math.isnan(t.loc["65 und älter", "befragte"])
    assert math.isnan(t.loc["65 und älter", "Telefon"])


RANK_WEIGHTS = {
    "nutzen": {"vorgaenge": 1, "buergernachfrage": 1},
    "aufwand": {"beteiligte_stellen": 1},
}


def _three() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "bezeichnung": ["A", "B", "C"],
            "fachamt": ["X", "X", "X"],
            "vorgaenge": [999, 9, 99],  # log10(1 + x) = 3, 1, 2 → 1, 0, ½
            "jahresstunden": [10.0, 10.0, 10.0],
            "beteiligte_stellen": [1, 1, 1],  # all equal → Aufwand 0, Umsetzbarkeit 1
        }
    )


def test_survey_changes_ranking() -> None:
    before = pr.rank(_three(), RANK_WEIGHTS, 0.5)
    assert before["bezeichnung"].tolist() == ["A", "C", "B"]
    assert before["prioritaet"].tolist() == pytest.approx([1.0, 0.75, 0.5])
    demand = pd.DataFrame({"bezeichnung": ["A", "B", "C"], "nachfrage": [0.2, 1.0, 0.4]})
    table = auswertung.apply_demand(_three(), demand, {})
    assert table["buergernachfrage"].tolist() == pytest.approx([1.8, 5.0, 2.6])
    after = pr.rank(table, RANK_WEIGHTS, 0.5)
    # Nutzen = (Vorgänge + Nachfrage) / 2: A (1 + 0,2)/2 = 0,6; B (0 + 1)/2 = 0,5; C 0,45
    assert after["bezeichnung"].tolist() == ["A", "B", "C"]
    assert after["prioritaet"].tolist() == pytest.approx([0.8, 0.75, 0.725])
    # the parameter file wins: C set to 5 → Nutzen (½ + 1)/2 = 0,75, Priorität 0,875
    fixed = pr.rank(auswertung.apply_demand(_three(), demand, {"C": 5}), RANK_WEIGHTS, 0.5)
    assert fixed["bezeichnung"].tolist() == ["C", "A", "B"]
    assert fixed["prioritaet"].tolist() == pytest.approx([0.875, 0.8, 0.75])


def test_missing_demand_stays_missing() -> None:
    demand = pd.DataFrame({"bezeichnung": ["A"], "nachfrage": [math.nan]})
    table = auswertung.apply_demand(_three(), demand, {})
    assert table["buergernachfrage"].isna().tolist() == [True, True, True]


def _copy_demo(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "parameters" / "musterstadt", tmp_path / "musterstadt")
    params = tmp_path / "musterstadt.yaml"
    text = (ROOT / "parameters" / "musterstadt.yaml").read_text("utf-8")
    params.write_text(text.replace("  ergebnis: ", "  # ergebnis: "), "utf-8")
    return params


def _pdf_text_sizes(path: Path) -> tuple[list[float], str]:
    """Effective size in pt of every text run (font size × text and graphics matrix)."""
    from pypdf import PdfReader

    sizes: list[float] = []

    def visit(text: str, cm: list, tm: list, font: object, size: float) -> None:
        if text.strip():
            sizes.append(size * math.hypot(tm[2], tm[3]) * math.hypot(cm[2], cm[3]))

    pages = PdfReader(path).pages
    text = "".join(p.extract_text(visitor_text=visit) for p in pages)
    return sizes, text


def test_cli_questionnaire_and_import(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    params = _copy_demo(tmp_path)
    out = tmp_path / "bb"
    assert cli.main(["buergerbefragung", str(params), "--ausgabe", str(out)]) == 0
    fb = limesurvey.read_structure((out / dateien.STRUKTUR).read_text("utf-8"))
    assert 30 <= len(fb.leistungen) <= 40
    sizes, text = _pdf_text_sizes(out / dateien.FORMULAR)
    assert min(sizes) >= 9  # legible at the counter: 9,5 pt table, 10 pt body
    assert "Grundsteuer Festsetzung für Grundvermögen" in text and "eher nein" in text
    csv_path = tmp_path / "results-survey.csv"
    fb_rows = [{"id": str(i), "KANAL": "ONL", "ALTER": "G1"} for i in range(1, 7)]
    _csv(csv_path, fb, fb_rows)
    args = ["buergerbefragung-einlesen", str(params), str(csv_path), "--ausgabe", str(out)]
    assert cli.main(args) == 0
    result = json.loads((out / dateien.ERGEBNIS).read_text("utf-8"))
    assert result["antworten"] == 6
    assert result["quellen"][0]["sha256"] == dateien.sha256(csv_path)
    assert "hinweise" not in result  # free text only when the parameter file allows it
    assert "ONL" not in (out / dateien.ERGEBNIS).read_text("utf-8")  # no raw answer codes
    assert sorted(p.name for p in out.iterdir()) == [
        dateien.ERGEBNIS,
        dateien.FORMULAR,
        dateien.STRUKTUR,
        dateien.VORLAGE,
    ]
    # bad input: exit 2, German message, the stored result untouched
    before = (out / dateien.ERGEBNIS).read_bytes()
    _csv(csv_path, fb, [{"id": "1", "KANAL": "FAX"}])
    capsys.readouterr()
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert "Antwort „FAX“ nicht erlaubt" in err and "Traceback" not in err
    assert (out / dateien.ERGEBNIS).read_bytes() == before


def test_chapter_names_suppressed_groups() -> None:
    from kdworkbook.buergerbefragung import kapitel

    rows = [
        {"gruppe": "gesamt", "befragte": 7, "unterdrueckt": False, "Telefon": 0.5},
        {"gruppe": "65 und älter", "befragte": None, "unterdrueckt": True, "Telefon": None},
    ]
    b = kapitel.Befragung(
        {"kanal_nach_alter": rows, "mindestgruppe": 5},
        pd.DataFrame(),
        pd.DataFrame(),
        pd.DataFrame(),
        pd.DataFrame(),
    )
    html = kapitel.channels(b).data
    assert "unter 5" in html and html.count("unterdrückt") == 2  # the cell and the note
    assert "50,0" in html


def test_free_text_not_printed_by_default() -> None:
    from kdworkbook.buergerbefragung import kapitel

    b = kapitel.Befragung({}, *[pd.DataFrame()] * 4)
    assert "nicht abgedruckt" in kapitel.free_text(b).data


def test_notebook_executes_on_demo(tmp_path: Path) -> None:
    from kdworkbook.lauf import lauf

    from .conftest import execute_step

    out, outputs = execute_step("06_buergerbefragung.ipynb", tmp_path)
    assert not [o for o in outputs if o.output_type == "error"]
    results = lauf.read_results(out)["buergerbefragung"]
    assert (results["antworten"], results["leistungen"]) == (320, 35)
    text = "".join(str(o.get("data", {}).get("text/html", "")) for o in outputs)
    assert "Rang ohne Befragung" in text and "Freitextantworten werden nicht abgedruckt" in text
