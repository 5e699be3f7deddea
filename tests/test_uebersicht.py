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


def test_stufe_names_the_steps_with_data():
    assert uebersicht.stufe({"bestand": {"prozesse": 3}, "massnahmen": {"quick_wins": 1}}) == (
        "Bestand, Maßnahmen"
    )
    assert uebersicht.stufe({}) == "keine Daten"


def _client(root: Path, params: Path, name: str, day: str, quick_wins: int, offen: bool) -> Path:
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
    (run / "ergebnisse.json").write_text(json.dumps(results), encoding="utf-8")
    (run / "lauf.json").write_text(json.dumps({"start": f"{day}T09:00:00+01:00"}), encoding="utf-8")
    extract = {"version": 1, "groessenklasse": "unter 10.000", "stunden_je_1000": 500.0}
    (run / "vergleich.json").write_text(json.dumps(extract), encoding="utf-8")
    os.symlink(run.name, root / slug / "latest")
    return params


@pytest.fixture
def clients(tmp_path):
    out = tmp_path / "outputs"
    files = [
        _client(out, tmp_path / "a.yaml", "Stadt Aberg", "2026-11-02", 7, offen=False),
        _client(out, tmp_path / "b.yaml", "Gemeinde <b>Bedorf</b> & Co", "2026-04-01", 30, True),
        _client(out, tmp_path / "c.yaml", "Stadt Cestadt", "2026-10-01", 12, offen=False),
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
