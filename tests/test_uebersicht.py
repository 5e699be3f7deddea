"""The Agentur's overview: each „braucht Aufmerksamkeit“ rule, rows from run folders,
escaped HTML and Excel, and the table sorted and filtered in Chromium."""

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kdworkbook.bericht.browser import CHROMIUM_ARGS, find_browser
from kdworkbook.cli import main
from kdworkbook.kern.parameter import slugify
from kdworkbook.vergleich import agentur, auszug, uebersicht

HEUTE = dt.date(2026, 11, 30)


def _lauf(day: dt.date, pflichten: list | None = None) -> uebersicht.Lauf:
    started = dt.datetime.combine(day, dt.time(9, 0), tzinfo=dt.UTC)
    return uebersicht.Lauf(started, {"rahmenbedingungen": {"pflichten": pflichten or []}}, None)


def _pflicht(status: str, tage: int | None) -> dict:
    return {"paragraph": "OZG § 1a Abs. 1", "status": status, "tage_ueberfaellig": tage}


def test_months_before():
    assert uebersicht.months_before(dt.date(2026, 11, 30), 6) == dt.date(2026, 5, 30)
    assert uebersicht.months_before(dt.date(2026, 8, 31), 6) == dt.date(2026, 2, 28)
    assert uebersicht.months_before(dt.date(2026, 3, 15), 6) == dt.date(2025, 9, 15)


def test_rule_no_run_at_all():
    assert uebersicht.attention(None, HEUTE) == ["noch kein vollständiger Lauf"]


def test_rule_no_run_for_six_months():
    # six months before 30.11.2026 is 30.05.2026: that day is still within
    assert uebersicht.attention(_lauf(dt.date(2026, 5, 30)), HEUTE) == []
    assert uebersicht.attention(_lauf(dt.date(2026, 5, 29)), HEUTE) == [
        "seit über 6 Monaten kein Lauf"
    ]


def test_rule_overdue_duty_still_offen():
    recent = dt.date(2026, 11, 1)
    assert uebersicht.attention(_lauf(recent, [_pflicht("offen", 30)]), HEUTE) == [
        "1 überfällige Pflicht noch offen: OZG § 1a Abs. 1"
    ]
    # partly done, not yet due, or status not recorded: no attention
    for status, tage in (("teilweise", 30), ("offen", 0), ("offen", None), ("unbekannt", 30)):
        assert uebersicht.attention(_lauf(recent, [_pflicht(status, tage)]), HEUTE) == []


def test_both_rules_together():
    old = _lauf(dt.date(2026, 1, 2), [_pflicht("offen", 5), _pflicht("offen", 9)])
    assert uebersicht.attention(old, HEUTE) == [
        "seit über 6 Monaten kein Lauf",
        "2 überfällige Pflichten noch offen: OZG § 1a Abs. 1, OZG § 1a Abs. 1",
    ]


def _stand(planned: float | None, realised: float | None) -> dict:
    return {
        "fortschreibung": {
            **STAND_DEMO,
            "einsparung_geplant_eur_jahr": planned,
            "einsparung_realisiert_eur_jahr": realised,
        }
    }


def test_savings_planned_and_realised_from_fortschreibung():
    assert uebersicht.savings({}) == ("noch kein Stand", "noch kein Stand")
    assert uebersicht.savings(_stand(3672.0, 3825.0)) == (3672.0, 3825.0)
    assert uebersicht.savings(_stand(3672.0, None)) == (3672.0, "nicht berechenbar")
    assert uebersicht.savings(_stand(None, None)) == ("nicht berechenbar", "nicht berechenbar")


def test_rule_realised_well_below_planned():
    recent = dt.date(2026, 11, 1)

    def reasons(ergebnisse: dict) -> list[str]:
        started = dt.datetime.combine(recent, dt.time(9, 0), tzinfo=dt.UTC)
        return uebersicht.attention(uebersicht.Lauf(started, ergebnisse, None), HEUTE)

    # 1.500 / 3.672 = 0,408… < 0,5 → 41 %
    assert reasons(_stand(3672.0, 1500.0)) == ["realisiert nur 41 % der geplanten Einsparung"]
    assert reasons(_stand(3672.0, 1836.0)) == []  # exactly half: not below
    assert reasons(_stand(3672.0, 3825.0)) == []
    # not computable, nothing planned, or no status yet: no rule applies
    for ergebnisse in (_stand(3672.0, None), _stand(0.0, 0.0), _stand(None, 10.0), {}):
        assert reasons(ergebnisse) == []


def test_chart_of_all_clients_by_size_class_prints_at_9_pt(clients, tmp_path):
    import re

    out, files = clients
    html_file, *_ = agentur.erstellen(files, out, tmp_path / "ziel", heute=HEUTE, pdf=False)
    page = html_file.read_text(encoding="utf-8")
    chart = page[page.index("<svg") : page.index("</svg>")]
    # 10 inches = 720 pt wide, shown at 10in (A4 landscape has 10,75 in between the margins)
    assert 'width="720pt"' in chart and "figure svg { width: 10in;" in page
    sizes = {float(size) for size in re.findall(r"font-size: ([0-9.]+)px", chart)}
    assert sizes and min(sizes) >= 9  # the SVG counts in pt (viewBox 720 wide): 9 pt
    # the three clients with a run are all „unter 10.000“; the fourth has no run (no class)
    assert "3 Kommunen" in chart and "0 Kommunen" in chart
    assert "Bedorf" not in chart  # no names in the chart


def test_stufe_names_the_steps_with_data():
    assert uebersicht.stufe({"bestand": {"prozesse": 3}, "massnahmen": {"quick_wins": 1}}) == (
        "Bestand, Maßnahmen"
    )
    assert uebersicht.stufe({}) == "keine Daten"


def _client(
    root: Path,
    params: Path,
    name: str,
    day: str,
    quick_wins: int,
    offen: bool,
    fortschreibung: dict | None = None,
) -> Path:
    slug = slugify(name)
    params.write_text(f"gemeinde: {json.dumps(name)}\nbestand: fehlt-noch.xlsx\n", encoding="utf-8")
    run = root / slug / f"{day}_090000"
    run.mkdir(parents=True)
    pflichten = [_pflicht("offen", 10)] if offen else []
    results = {
        "bestand": {"prozesse": 10},
        "rahmenbedingungen": {"pflichten": pflichten, "pflichten_ueberfaellig": len(pflichten)},
        "massnahmen": {"kennzahlen": {"quick_wins": quick_wins, "einsparung_eur": 1234.5}},
    }
    if fortschreibung is not None:
        results["fortschreibung"] = fortschreibung
    # as the run writes it: json.dumps(…, ensure_ascii=False, indent=2)
    (run / "ergebnisse.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    (run / "lauf.json").write_text(json.dumps({"start": f"{day}T09:00:00+01:00"}), encoding="utf-8")
    extract = {"version": 1, "groessenklasse": "unter 10.000", "stunden_je_1000": 500.0}
    (run / "vergleich.json").write_text(json.dumps(extract), encoding="utf-8")
    os.symlink(run.name, root / slug / "latest")
    return params


#: ``fortschreibung`` of the demo's round 2 as ``check --json`` and the run write it (README)
STAND_DEMO = {
    "umgesetzt": 2,
    "begonnen": 2,
    "geplant": 22,
    "einsparung_realisiert_eur_jahr": 3825.0,
    "einsparung_geplant_eur_jahr": 3672.0,
}
#: a process of a measure done lacks a round: realised „nicht berechenbar“ (null)
STAND_OHNE = {**STAND_DEMO, "einsparung_realisiert_eur_jahr": None}


@pytest.fixture
def clients(tmp_path):
    out = tmp_path / "outputs"
    files = [
        _client(out, tmp_path / "a.yaml", "Stadt Aberg", "2026-11-02", 7, False, STAND_DEMO),
        _client(out, tmp_path / "b.yaml", "Gemeinde <b>Bedorf</b> & Co", "2026-04-01", 30, True),
        _client(out, tmp_path / "c.yaml", "Stadt Cestadt", "2026-10-01", 12, False, STAND_OHNE),
    ]
    (tmp_path / "d.yaml").write_text("gemeinde: Stadt Ohnelauf\nbestand: x.xlsx\n", "utf-8")
    return out, [*files, tmp_path / "d.yaml"]


def test_rows_html_and_excel(clients, tmp_path):
    out, files = clients
    written = agentur.erstellen(files, out, tmp_path / "ziel", heute=HEUTE, pdf=False)
    assert [p.name for p in written] == ["uebersicht.html", "uebersicht.xlsx"]
    rows = agentur.rows(files, out, HEUTE)
    assert [r["aufmerksamkeit"] for r in rows] == [
        "",
        "seit über 6 Monaten kein Lauf; 1 überfällige Pflicht noch offen: OZG § 1a Abs. 1",
        "",
        "noch kein vollständiger Lauf",
    ]
    assert rows[0]["stufe"] == "Rahmen, Bestand, Maßnahmen"
    assert rows[3]["stufe"] == "kein Lauf"
    page = written[0].read_text(encoding="utf-8")
    assert "Gemeinde &lt;b&gt;Bedorf&lt;/b&gt; &amp; Co" in page
    assert "<b>Bedorf" not in page
    assert "1.235\u00a0€" in page and "02.11.2026" in page  # 1.234,5 € rounded
    sheet = load_workbook(written[1])["Übersicht"]
    assert sheet["A3"].value == "Gemeinde <b>Bedorf</b> & Co"
    assert sheet["H2"].value == 7  # Quick Wins of Stadt Aberg
    # planned / realised savings of the measures done: numbers, null, no section, no run
    assert [sheet[f"J{r}"].value for r in range(2, 6)] == [
        3672,
        "noch kein Stand",
        3672,
        None,
    ]
    assert [sheet[f"K{r}"].value for r in range(2, 6)] == [
        3825,
        "noch kein Stand",
        "nicht berechenbar",
        None,
    ]
    assert "3.672 €" in page and "3.825 €" in page
    assert page.count(">nicht berechenbar<") == 1 and page.count(">noch kein Stand<") == 2


def test_cli_bad_parameter_file_exit_2(tmp_path, capsys):
    bad = tmp_path / "x.yaml"
    bad.write_text("gemeinde: [\n", encoding="utf-8")
    assert main(["uebersicht", str(bad), "--ausgabe", str(tmp_path), "--ohne-pdf"]) == 2
    err = capsys.readouterr().err
    assert "x.yaml" in err and "Traceback" not in err


def test_sort_and_filter_in_chromium(clients, tmp_path):
    from playwright.sync_api import sync_playwright

    out, files = clients
    html_file, *_ = agentur.erstellen(files, out, tmp_path / "ziel", heute=HEUTE, pdf=False)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=find_browser(), headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page()
            page.goto(html_file.as_uri())

            def first_cells() -> list[str]:
                return page.eval_on_selector_all(
                    "#uebersicht tbody tr:not([hidden])",
                    "rows => rows.map(r => r.cells[0].textContent)",
                )

            page.get_by_role("columnheader", name="Quick Wins").click()
            # ascending; a client without a value stays last in either direction
            assert first_cells() == [
                "Stadt Aberg",
                "Stadt Cestadt",
                "Gemeinde <b>Bedorf</b> & Co",
                "Stadt Ohnelauf",
            ]
            page.get_by_role("columnheader", name="Quick Wins").click()
            assert first_cells() == [
                "Gemeinde <b>Bedorf</b> & Co",
                "Stadt Cestadt",
                "Stadt Aberg",
                "Stadt Ohnelauf",
            ]
            page.get_by_role("searchbox").fill("cest")
            assert first_cells() == ["Stadt Cestadt"]
        finally:
            browser.close()


def test_cli_writes_pdf_too(clients, tmp_path, capsys):
    from pypdf import PdfReader

    out, files = clients
    ziel = tmp_path / "agentur"
    assert main(["uebersicht", *map(str, files), "--ausgabe", str(out), "--ziel", str(ziel)]) == 0
    assert f"Geschrieben: {ziel / 'uebersicht.pdf'}" in capsys.readouterr().out
    text = PdfReader(ziel / "uebersicht.pdf").pages[0].extract_text()
    assert "Übersicht der Kommunen – Stand" in text
    assert "Größenklasse (Einwohner)" in text and "Jahresstunden je 1.000 Einwohner" in text
    assert "Stadt Cestadt" in text


def test_synthetic_set_of_all_396_municipalities(tmp_path):
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    import mandanten_synthetisch

    files = mandanten_synthetisch.write(tmp_path)
    rows = agentur.rows(files, tmp_path / "outputs", HEUTE)
    assert len(rows) == 396
    # size classes of the register (Destatis, 31.12.2019), counted in the CSV by hand
    classes = [r["groessenklasse"] for r in rows]
    assert [classes.count(label) for _, label in auszug.GROESSENKLASSEN] == [
        53,
        134,
        132,
        47,
        30,
    ]
    assert rows[0]["kommune"] == "Stadt Düsseldorf (05111000)"
    assert all(r["stufe"] == "Rahmen, Bestand, Maßnahmen" for r in rows)
