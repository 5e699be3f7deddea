"""Tests for kdworkbook.bericht.dokument: notebooks run by papermill, real Chromium, real PDF."""

from __future__ import annotations

import asyncio
import datetime
import io
import logging
import os
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import papermill
import pdfplumber
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from pypdf import PdfReader

from kdworkbook.bericht.anzeige import table_html
from kdworkbook.bericht.dokument import (
    ReportError,
    ReportMeta,
    css_string,
    find_browser,
    render_html,
    write_report,
)

from .conftest import chrome_descendants

META = ReportMeta(gemeinde="Musterstadt", stichtag=datetime.date(2026, 11, 28), ags="05315000")
A4_PT = (595.28, 841.89)
LONG_TEXT = "\n\n".join(
    f"Absatz {i}: Die Verwaltung erfasst ihre Dienstleistungen und Fallzahlen." for i in range(45)
)


def _notebook(cells: list) -> nbformat.NotebookNode:
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return nb


def _bestand_notebook() -> nbformat.NotebookNode:
    """Chapter 1: long text (so the section lands on a later page), table, SVG chart."""
    return _notebook(
        [
            new_code_cell('gemeinde = "Musterstadt"', metadata={"tags": ["parameters"]}),
            new_markdown_cell("# Bestandsaufnahme\n\n" + LONG_TEXT),
            new_code_cell(
                "import json\nimport sys\n\nimport matplotlib.pyplot as plt\nimport pandas as pd\n"
                '%config InlineBackend.figure_formats = ["svg"]'
            ),
            new_markdown_cell("## Kennzahlen der Verwaltung\n\nFallzahlen je Fachamt."),
            new_code_cell(
                'pd.DataFrame({"Fachamt": ["Bürgeramt", "Bauamt", "Ordnungsamt"],\n'
                '              "Fälle": ["12.345", "678", "–"],\n'
                '              "Kosten": ["1.234,50\\u00a0€", "98,00\\u00a0€", "0,00\\u00a0€"],\n'
                '              "Anteil": ["12,5\\u00a0%", "3,0\\u00a0%", "84,5\\u00a0%"]})'
            ),
            new_code_cell(
                "fig, ax = plt.subplots(figsize=(6, 3))\n"
                'ax.bar(["Bürgeramt", "Bauamt"], [12345, 678])\n'
                'ax.set_title("Fälle je Fachamt")\nplt.show()'
            ),
            new_code_cell('print("Warnung aus stderr", file=sys.stderr)'),
            new_code_cell(
                'print(json.dumps({"ergebnis_schluessel": 4711}))',
                metadata={"tags": ["ergebnisse"]},
            ),
            new_code_cell("geheime_variable = 42"),
        ]
    )


def _massnahmen_notebook() -> nbformat.NotebookNode:
    """Chapter 2: PNG chart, a workshop-only cell."""
    return _notebook(
        [
            new_markdown_cell("# Maßnahmen\n\nPriorisierte Vorhaben."),
            new_code_cell(
                'import matplotlib.pyplot as plt\n%config InlineBackend.figure_formats = ["png"]'
            ),
            new_markdown_cell("## Priorisierung"),
            new_code_cell("fig, ax = plt.subplots(figsize=(5, 3))\nax.plot([1, 2, 3], [3, 1, 2])"),
            new_code_cell('print("Workshop-Regler")', metadata={"tags": ["nur-workshop"]}),
        ]
    )


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Both notebooks, executed for real by papermill."""
    folder = tmp_path_factory.mktemp("notebooks")
    paths = []
    notebooks = (("01_bestand", _bestand_notebook()), ("02_massnahmen", _massnahmen_notebook()))
    for name, nb in notebooks:
        src, dst = folder / f"{name}.ipynb", folder / f"{name}_ausgefuehrt.ipynb"
        nbformat.write(nb, src)
        papermill.execute_notebook(src, dst, kernel_name="python3", progress_bar=False)
        paths.append(dst)
    return paths


@pytest.fixture(scope="module")
def report(executed: list[Path], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return write_report(executed, tmp_path_factory.mktemp("bericht"), META)


def _texts(pdf: Path) -> list[str]:
    """Text per page with whitespace runs collapsed to single spaces within a line."""
    return [
        "\n".join(" ".join(line.split()) for line in page.extract_text().splitlines())
        for page in PdfReader(pdf).pages
    ]


# --- write_report: the real PDF ------------------------------------------------------------


def test_report_files_exist_without_leftovers(report: tuple[Path, Path]) -> None:
    html_path, pdf_path = report
    assert (html_path.name, pdf_path.name) == ("bericht.html", "bericht.pdf")
    assert sorted(p.name for p in pdf_path.parent.iterdir()) == ["bericht.html", "bericht.pdf"]
    assert pdf_path.read_bytes().startswith(b"%PDF")


def test_every_page_is_a4(report: tuple[Path, Path]) -> None:
    for page in PdfReader(report[1]).pages:
        assert float(page.mediabox.width) == pytest.approx(A4_PT[0], abs=1)
        assert float(page.mediabox.height) == pytest.approx(A4_PT[1], abs=1)


def test_title_page_and_footer(report: tuple[Path, Path]) -> None:
    pages = _texts(report[1])
    title = pages[0]
    for expected in (
        "Digitalisierungsstrategie",
        "Musterstadt",
        "AGS: 05315000",
        "Stichtag: 28.11.2026",
        "Erstellt am",
    ):
        assert expected in title
    assert "Seite" not in title  # no footer on the title page
    for number, text in enumerate(pages[1:], start=2):
        assert f"Musterstadt · Seite {number} von {len(pages)}" in text


def test_footer_comes_from_css_in_one_revision(report, caplog) -> None:
    # Chromium's PDF as printed: no second revision appended, strict readers accept it,
    # bookmarks and tags are there; the footer is a CSS @page margin box, absent on page 1
    pdf = report[1].read_bytes()
    assert pdf.count(b"%%EOF") == 1 and pdf.count(b"startxref") == 1
    with caplog.at_level(logging.WARNING, logger="pypdf"):
        reader = PdfReader(io.BytesIO(pdf), strict=True)
        assert reader.pages[0].extract_text().startswith("Musterstadt\nDigitalisierungsstrategie")
        assert [page.extract_text() for page in reader.pages]
        assert reader.outline
        assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]
    assert not caplog.records
    html_text = report[0].read_text(encoding="utf-8")
    assert '@bottom-right { content: "Musterstadt · Seite " counter(page)' in html_text


def test_report_prints_at_full_size(report: tuple[Path, Path]) -> None:
    # the CSS says 10 pt body text and 8,5 pt tables: printed as written, not shrunk to fit
    with pdfplumber.open(report[1]) as pdf:
        sizes = {
            word["text"]: round(word["size"], 1)
            for page in pdf.pages
            for word in page.extract_words(extra_attrs=["size"])
        }
    assert sizes["Absatz"] == 10.0  # body text
    assert sizes["Bürgeramt"] == 8.5 and sizes["1.234,50"] == 8.5  # table cells


def test_toc_page_numbers_match_headings(report: tuple[Path, Path]) -> None:
    pages = _texts(report[1])
    assert pages[1].splitlines()[:2] == ["Musterstadt · Seite 2 von 5", "Inhalt"]
    headings = ["Bestandsaufnahme", "Kennzahlen der Verwaltung", "Maßnahmen", "Priorisierung"]
    printed = {}
    for heading in headings:
        match = re.search(rf"^{heading} (\d+)$", pages[1], re.M)
        assert match, f"{heading!r} fehlt im Inhaltsverzeichnis"
        printed[heading] = int(match.group(1))
    actual = {
        heading: next(
            n for n, text in enumerate(pages, start=1) if n > 2 and heading in text.splitlines()
        )
        for heading in headings
    }
    assert printed == actual
    # the long text pushes the section past the chapter's first page: a real check
    assert printed["Kennzahlen der Verwaltung"] > printed["Bestandsaufnahme"]
    # bericht.html has the same page numbers (but not the print's hyphenation points)
    html_text = report[0].read_text(encoding="utf-8")
    assert f'data-ziel="k1">{printed["Bestandsaufnahme"]}</span>' in html_text
    assert f'data-ziel="k1-1">{printed["Kennzahlen der Verwaltung"]}</span>' in html_text


def test_report_hides_code_results_and_workshop_cells(report: tuple[Path, Path]) -> None:
    text = "\n".join(_texts(report[1]))
    html_text = report[0].read_text(encoding="utf-8")
    for hidden in (
        "geheime_variable",
        "import",
        "execute_notebook",
        "plt.",
        "print(",
        "ergebnis_schluessel",
        "4711",
        "Workshop-Regler",
        "Warnung aus stderr",
        "<Figure size",
        "Traceback",
    ):
        assert hidden not in text, hidden
        assert hidden not in html_text, hidden
    assert "12.345" in text and "1.234,50 €" in text and "Kennzahlen der Verwaltung" in text


def test_report_html_is_offline_and_has_charts(report: tuple[Path, Path]) -> None:
    html_text = report[0].read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html_text, re.I)
    assert not re.search(r"url\(\s*['\"]?https?:|@import|<script|<link", html_text, re.I)
    assert "data:image/svg+xml;base64," in html_text
    assert "data:image/png;base64," in html_text
    assert re.search(r'data-ziel="k1-1">\d+</span>', html_text)  # final html has page numbers
    assert any(page.images for page in PdfReader(report[1]).pages)  # the PNG chart


def test_report_leaves_no_chromium_running(report: tuple[Path, Path]) -> None:
    if not Path("/proc/self/stat").exists():
        pytest.skip("needs /proc")
    assert chrome_descendants() == []


def test_write_report_inside_running_event_loop(executed: list[Path], tmp_path: Path) -> None:
    """As from a Jupyter cell: Playwright's sync API must not see the running loop."""

    async def inside_loop() -> tuple[Path, Path]:
        return write_report(executed[1:], tmp_path, META)

    html_path, pdf_path = asyncio.run(inside_loop())
    assert "Priorisierung" in "\n".join(_texts(pdf_path)) and html_path.exists()


# --- failures --------------------------------------------------------------------------------


def test_failing_render_leaves_no_pdf(executed: list[Path], tmp_path: Path) -> None:
    not_a_browser = shutil.which("false")
    assert not_a_browser
    with pytest.raises(ReportError, match="konnte nicht gestartet werden"):
        write_report(executed, tmp_path, META, browser=not_a_browser)
    assert list(tmp_path.iterdir()) == []


def test_failing_render_keeps_previous_report(executed: list[Path], tmp_path: Path) -> None:
    (tmp_path / "bericht.pdf").write_bytes(b"alter Bericht")
    with pytest.raises(ReportError):
        write_report(executed, tmp_path, META, browser=shutil.which("false"))
    assert (tmp_path / "bericht.pdf").read_bytes() == b"alter Bericht"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bericht.pdf"]


def test_find_browser_explicit_missing_is_german_error() -> None:
    with pytest.raises(ReportError) as err:
        find_browser("/nicht/vorhanden/chromium")
    message = str(err.value)
    assert "wurde nicht gefunden" in message
    assert "apt-get install chromium" in message and "playwright install chromium" in message
    assert "KDWORKBOOK_CHROMIUM" in message


def test_find_browser_env_missing_is_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KDWORKBOOK_CHROMIUM", "/nicht/vorhanden/chrome")
    with pytest.raises(ReportError, match="KDWORKBOOK_CHROMIUM"):
        find_browser()


def test_find_browser_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "mein-chromium"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("KDWORKBOOK_CHROMIUM", str(fake))
    assert find_browser() == str(fake)
    assert find_browser("/usr/bin/env") == "/usr/bin/env"  # explicit beats env
    monkeypatch.delenv("KDWORKBOOK_CHROMIUM")
    found = find_browser()
    assert found is None or os.access(found, os.X_OK)


def test_write_report_without_notebooks(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="keine Notebooks"):
        write_report([], tmp_path, META)
    assert list(tmp_path.iterdir()) == []


# --- render_html: fast, hand-made outputs, no browser ---------------------------------------


def _hand_made(tmp_path: Path) -> Path:
    """An 'executed' notebook with outputs written by hand: table, stderr, error, results."""
    table = (
        "<table><thead><tr><th>Amt</th><th>Fälle</th><th>Kosten</th></tr></thead><tbody>"
        "<tr><td>Bürgeramt</td><td>1.234,5</td><td>12.345,50\u00a0€</td></tr>"
        "<tr><td>Bauamt</td><td>–</td><td>3,2 %</td></tr></tbody></table>"
    )
    ours = table_html(
        pd.DataFrame(
            {
                "amt": ["Amt", "Bauamt"],
                "faelle": [1234.5, None],
                "vorgaenge": [12345, 678],
                "stelle": ["Organisationsverantwortung", "Rat"],
            }
        ),
        {
            "amt": ("Amt", "text"),
            "faelle": ("Fälle", "dez1"),
            "vorgaenge": ("Vorgänge/Jahr", "int"),
            "stelle": ("Stelle", "text"),
        },
    )
    cells = [
        new_markdown_cell("## Ohne Kapitelüberschrift"),
        new_code_cell(
            "zeige_tabelle()",
            outputs=[
                new_output(
                    "execute_result",
                    data={"text/html": table, "text/plain": "t"},
                    execution_count=1,
                ),
                new_output("stream", name="stderr", text="DeprecationWarning: geheim\n"),
            ],
        ),
        new_code_cell(
            "anzeige.table(…)",
            outputs=[
                new_output(
                    "display_data",
                    data={"text/html": "<style>td { color: red }</style>" + ours},
                ),
            ],
        ),
        new_code_cell("geheime_variable = 42"),
        new_code_cell(
            "plt.subplots()",
            outputs=[
                new_output(
                    "execute_result",
                    data={"text/plain": "<Figure size 640x480 with 0 Axes>"},
                    execution_count=2,
                ),
            ],
        ),
        new_code_cell(
            "1/0",
            outputs=[
                new_output(
                    "error",
                    ename="ZeroDivisionError",
                    evalue="division by zero",
                    traceback=["geheime_variable = 1/0"],
                ),
            ],
        ),
        new_code_cell(
            "ergebnis()",
            metadata={"tags": ["ergebnisse"]},
            outputs=[
                new_output("stream", name="stdout", text='{"ergebnis_schluessel": 4711}\n'),
            ],
        ),
        new_code_cell(
            "print('hallo')",
            outputs=[
                new_output("stream", name="stdout", text="Sichtbare Ausgabe\n"),
            ],
        ),
    ]
    path = tmp_path / "03_massnahmen_plan.ipynb"
    nbformat.write(_notebook(cells), path)
    return path


def test_render_html_structure(tmp_path: Path) -> None:
    meta = ReportMeta(gemeinde="Köln & Umland", stichtag=datetime.date(2026, 1, 5))
    document = render_html([_hand_made(tmp_path)], meta)
    assert document.startswith("<!DOCTYPE html>") and '<html lang="de">' in document
    assert re.search(r"@page \{\s*size: A4;", document)
    assert "Köln &amp; Umland" in document and "Köln & Umland" not in document
    assert "Stichtag:</span> 05.01.2026" in document
    assert "AGS" not in document  # no AGS given, no AGS line
    # no h1 in the notebook: chapter title from the file name, both in text and contents
    assert '<h1 id="k1">Massnahmen plan</h1>' in document
    assert '<a href="#k1-1"><span class="toc-text">Ohne Kapitelüberschrift</span>' in document
    assert 'class="anchor-link"' not in document and "¶" not in document
    assert "Sichtbare Ausgabe" in document


def test_render_html_hides_code_and_noise(tmp_path: Path) -> None:
    document = render_html([_hand_made(tmp_path)], META)
    for hidden in (
        "geheime_variable",
        "zeige_tabelle",
        "DeprecationWarning",
        "ZeroDivisionError",
        "ergebnis_schluessel",
        "Figure size",
        "http://",
        "https://",
        "<script",
    ):
        assert hidden not in document, hidden


def test_render_html_aligns_by_the_table_code(tmp_path: Path) -> None:
    # the class comes from the code that made the table (anzeige.table_html: num/txt); the
    # report guesses nothing from a cell's text, and no output brings its own <style>
    document = render_html([_hand_made(tmp_path)], META)
    assert '<th class="txt">Amt</th><th class="num">Fälle</th>' in document
    assert '<td class="num">678</td>' in document
    assert '<td class="txt">Amt</td><td class="num">1.234,5</td>' in document
    assert '<td class="num"></td>' in document  # a missing value in a numeric column
    assert "<th>Amt</th><th>Fälle</th><th>Kosten</th>" in document  # a foreign table as is
    assert 'class="zahl"' not in document
    assert document.count("<style") == 1 and "color: red" not in document


def test_render_html_hyphenates_table_words(tmp_path: Path) -> None:
    # Chromium has no German hyphenation offline: soft hyphens let a long header wrap; only
    # in the printed version – bericht.html keeps its words as written
    assert "\u00ad" not in render_html([_hand_made(tmp_path)], META)
    document = render_html([_hand_made(tmp_path)], META, for_print=True)
    assert "Orga\u00adni\u00adsa\u00adti\u00adons\u00adver\u00adant\u00adwor\u00adtung" in document
    assert '<th class="num">Vorgänge/\u200bJahr</th>' in document  # short word: whole
    assert "<td>Bürgeramt</td>" in document
    assert '<td class="num">12.345</td>' in document  # numbers stay whole


def test_render_html_footer_cannot_break_out_of_css(tmp_path: Path) -> None:
    hostile = 'Köln"; } body { display: none } </style><script>alert(1)</script>'
    document = render_html([_hand_made(tmp_path)], ReportMeta(hostile, datetime.date(2026, 1, 5)))
    footer = re.search(r'@bottom-right \{ content: "([^"]*)"', document).group(1)
    assert footer.startswith("Köln\\000022\\00003b \\00007d body")
    assert "</style><script>" not in document and "<script" not in document
    assert css_string("Stadt Musterstadt") == "Stadt Musterstadt"


def test_render_html_failures(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="keine Notebooks"):
        render_html([], META)
    with pytest.raises(ReportError, match="nicht gefunden"):
        render_html([tmp_path / "fehlt.ipynb"], META)
    broken = tmp_path / "kaputt.ipynb"
    broken.write_text("{kein json", encoding="utf-8")
    with pytest.raises(ReportError, match="kein gültiges Notebook"):
        render_html([broken], META)


@pytest.mark.kernel
def test_chapters_are_what_nbconvert_s_own_exporter_makes(demo_pdf: Path) -> None:
    """The chapter exporter leaves out nbconvert's last pass over the page (alternative texts
    and JupyterLab's tab stops) and validates once: the demo's seven chapters come out the
    same as with nbconvert's HTMLExporter, every picture with its alternative text."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    from kdworkbook.bericht import dokument

    own = HTMLExporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        anchor_link_text="",
    )
    remove = TagRemovePreprocessor(remove_cell_tags=set(dokument.REMOVED_TAGS), enabled=True)
    own.register_preprocessor(remove, enabled=True)
    ours = dokument._exporter()
    notebooks = sorted(demo_pdf.parent.glob("0*.ipynb"))
    assert len(notebooks) == 7
    pictures = 0
    for number, path in enumerate(notebooks, 1):
        chapter = dokument._chapter(path, number, ours)
        assert chapter == dokument._chapter(path, number, own), path.name
        pictures += chapter.html.count('<img alt="Abbildung"')
        assert chapter.html.count("<img ") == chapter.html.count('<img alt="Abbildung"')
    assert pictures == 21  # 12 charts, 9 rows of the BPMN diagrams
