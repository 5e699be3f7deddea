"""PDF report: executed notebooks → one A4 document without code.

Flow: each executed notebook is exported with nbconvert's ``basic`` template (inputs,
prompts, workshop-only cells and stderr removed), wrapped in our own HTML with embedded CSS,
title page and table of contents, and printed by headless Chromium. The PDF is printed
twice: the first print tells on which page each heading landed, the second carries these
page numbers in the table of contents (its length does not change, so pages do not shift).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime
import html
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import nbformat
from babel.dates import format_date
from bs4 import BeautifulSoup, Tag
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor

from kdworkbook.bericht.browser import (
    PdfPrinter,
    ReportError,
    destination_pages,
    find_browser,
    replace_first_page,
)

__all__ = [
    "ReportError",
    "ReportJob",
    "ReportMeta",
    "find_browser",
    "render_html",
    "write_report",
]

REMOVED_TAGS = frozenset({"ergebnisse", "nur-workshop", "remove", "papermill-error-cell-tag"})
"""Cells with these tags never reach the report (machine results, live-workshop cells)."""

PAGE_MARGIN = {"top": "20mm", "bottom": "22mm", "left": "20mm", "right": "20mm"}
"""A4 page margins; the bottom one holds the footer."""

HTML_NAME, PDF_NAME = "bericht.html", "bericht.pdf"

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; "
    "script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'"
)
"""The report is a document, not an application: no script, nothing loaded from outside."""

SAFE_LINK = ("http://", "https://", "mailto:", "#")
"""Link targets kept in the report; other links (``javascript:``, ``file:``, …) become text."""

# Elements that have no place in a printed report; removed with their content.
_FORBIDDEN_ELEMENTS = (
    "script",
    "iframe",
    "frame",
    "object",
    "embed",
    "base",
    "meta",
    "link",
    "form",
    "noscript",
    "template",
    "applet",
    "portal",
)
_URL_ATTRIBUTES = ("href", "xlink:href", "src", "action", "formaction", "poster", "srcset")

# A cell that reads as a German number: 1.234,5 · -12 · 3,2 % · 12.345,50 € · 1,2 Mio. €
_NUMBER = re.compile(
    r"^[-−+±]?\s?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?"
    r"(\s?(%|‰|€|T€|(Tsd|Mio|Mrd)\.\s?€|Std\.|h|Min\.|VZÄ|Tage))?$"
)
_PLACEHOLDER = re.compile(r"^(|[-–—]|k\. ?A\.|n\. ?v\.)$")
# Return values nobody wants to read: <Figure size 640x480 with 1 Axes>, [<matplotlib… at 0x…>]
_OBJECT_REPR = re.compile(r"^\[?<[^<>]*(Figure size|at 0x)[^<>]*>(,\s*<[^<>]*>)*\]?$", re.S)

#: exit code of the print process (:mod:`kdworkbook.bericht.drucken`) for an error of the
#: system (full disk, read-only folder); its output then says errno and file as JSON
EXIT_OS_ERROR = 3


@dataclass(frozen=True)
class ReportMeta:
    """What the title page and footer say about the report."""

    gemeinde: str
    stichtag: datetime.date
    ags: str | None = None
    titel: str = "Digitalisierungsstrategie"
    untertitel: str = "Arbeitsstand der Strategie-Arbeitsmappe KommunalDigital.NRW"
    #: corporate design (:func:`kdworkbook.kern.gestaltung.report_css`): CSS after the
    #: house style, the logo as a data URI for the title page, the footer text
    design_css: str = ""
    logo: str = ""
    fusszeile: str | None = None


def _german_date(day: datetime.date) -> str:
    return format_date(day, format="dd.MM.yyyy", locale="de_DE")


def _is_empty_output(output: dict) -> bool:
    """True for outputs that would print nothing useful: blank text, object reprs."""
    if output.get("output_type") == "stream":
        return not output.get("text", "").strip()
    data = output.get("data", {})
    if not data:
        return True
    if set(data) <= {"text/plain"}:
        text = str(data.get("text/plain", "")).strip()
        return not text or bool(_OBJECT_REPR.match(text))
    return all(not str(value).strip() for value in data.values())


def _keep_output(output: dict) -> bool:
    """Report-worthy outputs only: no stderr, no tracebacks, no widgets, nothing empty."""
    if output.get("output_type") == "error":
        return False
    if output.get("output_type") == "stream" and output.get("name") == "stderr":
        return False
    if "application/vnd.jupyter.widget-view+json" in output.get("data", {}):
        return False
    return not _is_empty_output(output)


def _clean_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop stderr, errors, widget views and code cells left without any output."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [out for out in cell.outputs if _keep_output(out)]
    nb.cells = [c for c in nb.cells if c.cell_type != "code" or c.outputs]
    return nb


def _exporter() -> HTMLExporter:
    remove = TagRemovePreprocessor(remove_cell_tags=set(REMOVED_TAGS), enabled=True)
    exporter = HTMLExporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        anchor_link_text="",
    )
    exporter.register_preprocessor(remove, enabled=True)
    return exporter


def _read_notebook(path: Path) -> nbformat.NotebookNode:
    try:
        return nbformat.read(path, as_version=4)
    except FileNotFoundError as exc:
        raise ReportError(f"Notebook für den Bericht nicht gefunden: {path}") from exc
    except Exception as exc:  # nbformat raises several unrelated types for broken files
        raise ReportError(f"Notebook {path} ist kein gültiges Notebook: {exc}") from exc


def _chapter_title(path: Path) -> str:
    """Fallback chapter title from a file name: ``03_massnahmen_plan`` → ``Massnahmen plan``."""
    stem = re.sub(r"^[\d_\-\s]+", "", path.stem).replace("_", " ").strip() or path.stem
    return stem[:1].upper() + stem[1:]


def _align_numbers(table: Tag) -> None:
    """Mark numeric cells (and headers of all-numeric columns) with class ``zahl``."""
    rows = table.find_all("tr")
    columns: dict[int, set[str]] = {}
    for row in rows:
        if row.find_parent("thead") is not None:
            continue
        col = 0
        for cell in row.find_all(["td", "th"], recursive=False):
            text = cell.get_text(" ", strip=True).replace("\u202f", " ").replace("\xa0", " ")
            kind = "zahl" if _NUMBER.match(text) else "leer" if _PLACEHOLDER.match(text) else "text"
            if kind == "zahl" and cell.name == "td":
                cell["class"] = [*cell.get("class", []), "zahl"]
            columns.setdefault(col, set()).add(kind)
            col += int(cell.get("colspan", 1) or 1)
    if table.find(attrs={"rowspan": True}):
        return  # column positions are ambiguous; numeric cells are aligned already
    numeric = {col for col, kinds in columns.items() if "zahl" in kinds and "text" not in kinds}
    for row in rows:
        col = 0
        for cell in row.find_all(["td", "th"], recursive=False):
            span = int(cell.get("colspan", 1) or 1)
            if span == 1 and col in numeric and "zahl" not in cell.get("class", []):
                cell["class"] = [*cell.get("class", []), "zahl"]
            col += span


def _chapter(
    path: Path, number: int, exporter: HTMLExporter
) -> tuple[str, list[tuple[int, str, str]]]:
    """One notebook → (section HTML, headings as (level, id, text))."""
    body, _ = exporter.from_notebook_node(_clean_notebook(_read_notebook(path)))
    soup = BeautifulSoup(body, "html.parser")
    for anchor in soup.select("a.anchor-link"):
        anchor.decompose()
    _sanitize(soup)
    for style in soup.select("style[scoped]"):
        style.decompose()  # pandas' default table CSS fights ours
    for img in soup.find_all("img"):
        if not img.get("alt") or img["alt"].startswith("No description"):
            img["alt"] = "Abbildung"
    for table in soup.find_all("table"):
        _align_numbers(table)
    headings = soup.find_all(["h1", "h2"])
    if not headings or headings[0].name != "h1":
        title = soup.new_tag("h1")
        title.string = _chapter_title(path)
        soup.insert(0, title)
        headings.insert(0, title)
    toc = []
    for index, heading in enumerate(headings):
        heading["id"] = f"k{number}" if index == 0 else f"k{number}-{index}"
        level = 1 if heading.name == "h1" else 2
        toc.append((level, heading["id"], heading.get_text(" ", strip=True)))
    return f'<section class="kapitel" id="kapitel-{number}">\n{soup}\n</section>', toc


def _sanitize(soup: BeautifulSoup) -> None:
    """Second line of defence behind escaping at the source: no script, no event handler,
    no link other than http(s)/mailto/anchors, images only as embedded data."""
    for element in soup.find_all(_FORBIDDEN_ELEMENTS):
        element.decompose()
    for element in soup.find_all(True):
        for name in list(element.attrs):
            value = element.attrs[name]
            text = " ".join(value) if isinstance(value, list) else str(value)
            target = re.sub(r"[\s\x00-\x1f]+", "", text).lower()
            if name.lower().startswith("on"):
                del element.attrs[name]
            elif name.lower() in _URL_ATTRIBUTES:
                allowed = ("data:image/",) if element.name in ("img", "image") else SAFE_LINK
                if not target.startswith(allowed):
                    del element.attrs[name]
                    if element.name == "a":
                        element.unwrap()
                        break


def _title_page(meta: ReportMeta, today: datetime.date) -> str:
    e = html.escape
    facts = [("Gemeinde", meta.gemeinde)]
    if meta.ags:
        facts.append(("AGS", meta.ags))
    facts += [("Stichtag", _german_date(meta.stichtag)), ("Erstellt am", _german_date(today))]
    rows = "\n".join(
        f'<p class="fakt"><span class="fakt-name">{e(k)}:</span> {e(v)}</p>' for k, v in facts
    )
    logo = f'<img class="titel-logo" alt="Logo" src="{e(meta.logo)}">' if meta.logo else ""
    return f"""<header class="titelseite">
{logo}<div class="titel-block">
<p class="titel-gemeinde">{e(meta.gemeinde)}</p>
<h1 class="titel">{e(meta.titel)}</h1>
<p class="untertitel">{e(meta.untertitel)}</p>
</div>
<div class="titel-fakten">
{rows}
</div>
</header>"""


def _toc(entries: list[tuple[int, str, str]]) -> str:
    """Table of contents; page numbers are filled in by :func:`_fill_toc` after a first print."""
    items = "\n".join(
        f'<li class="toc-{level}"><a href="#{anchor}"><span class="toc-text">{html.escape(text)}'
        f'</span><span class="toc-fuell"></span><span class="toc-seite" data-ziel="{anchor}">'
        "</span></a></li>"
        for level, anchor, text in entries
    )
    heading = '<h1 class="inhalt-titel">Inhalt</h1>'
    return f'<nav class="inhalt">\n{heading}\n<ol>\n{items}\n</ol>\n</nav>'


def _fill_toc(document: str, pages: dict[str, int]) -> str:
    """Write the page of each heading into its table-of-contents line."""
    return re.sub(
        r'(<span class="toc-seite" data-ziel="([^"]+)">)</span>',
        lambda m: f"{m.group(1)}{pages.get(m.group(2), '')}</span>",
        document,
    )


def render_html(notebooks: list[Path], meta: ReportMeta) -> str:
    """Executed notebooks (in order) → one self-contained HTML document.

    The table of contents links every chapter (h1) and section (h2) but has no page
    numbers yet; :func:`write_report` adds them after a first print.
    """
    if not notebooks:
        raise ReportError("Für den Bericht wurden keine Notebooks angegeben.")
    exporter = _exporter()  # built once: loading its templates is the slow part
    return _assemble(
        [_chapter(Path(path), number, exporter) for number, path in enumerate(notebooks, 1)],
        meta,
    )


def _assemble(chapters: list[tuple[str, list[tuple[int, str, str]]]], meta: ReportMeta) -> str:
    """Title page, table of contents and the chapters as one HTML document."""
    entries = [entry for _, toc in chapters for entry in toc]
    title = html.escape(f"{meta.titel} – {meta.gemeinde}")
    return f"""<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">
<title>{title}</title>
<style>
{CSS}{meta.design_css}
</style>
</head>
<body>
{_title_page(meta, datetime.date.today())}
{_toc(entries)}
{chr(10).join(section for section, _ in chapters)}
</body>
</html>
"""


class ReportJob:
    """The report of a run, built while its notebooks still execute.

    :meth:`chapter_ready` converts an executed notebook to HTML at once (in a worker
    thread), :meth:`start_browser` starts Chromium ahead of time, :meth:`finish` puts the
    chapters together, prints and writes the files. Use it as a context manager: leaving
    the block stops the browser and the worker threads, also when the run failed.
    Playwright's sync API stays in its own thread, so this works inside Jupyter's
    event loop too.
    """

    def __init__(self, notebooks: list[Path], meta: ReportMeta, browser: str | None = None):
        if not notebooks:
            raise ReportError("Für den Bericht wurden keine Notebooks angegeben.")
        self._notebooks = [Path(p) for p in notebooks]
        self._meta = meta
        self._executable = find_browser(browser)
        self._lock = threading.Lock()
        self._converting = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        self._exporter: HTMLExporter | None = None
        self._chapters: dict[Path, concurrent.futures.Future] = {}
        self._printing = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        self._printed: concurrent.futures.Future[bytes | None] | None = None
        self._print_process: subprocess.Popen | None = None
        self._document: concurrent.futures.Future[tuple[str, Path] | None] = (
            concurrent.futures.Future()
        )

    def __enter__(self) -> ReportJob:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *_exc: object) -> None:
        # Ctrl-C/SIGTERM: do not wait for a chapter's conversion (minutes for a huge one)
        self.close(wait=not (exc_type and issubclass(exc_type, KeyboardInterrupt)))

    def chapter_ready(self, path: Path) -> None:
        """*path* (one of the notebooks) is executed: convert it now."""
        path = Path(path)
        with self._lock:
            if path not in self._chapters:
                self._chapters[path] = self._converting.submit(self._convert, path)

    def _convert(self, path: Path) -> tuple[str, list[tuple[int, str, str]]]:
        if self._exporter is None:
            self._exporter = _exporter()  # built once: loading its templates is the slow part
        return _chapter(path, self._notebooks.index(path) + 1, self._exporter)

    def start_browser(self) -> None:
        """Start Chromium now (it takes about a second) so it waits for the document."""
        with self._lock:
            if self._printed is None:
                self._printed = self._printing.submit(self._print)

    def _print(self) -> bytes | None:
        """Print in a process of its own (:mod:`kdworkbook.bericht.drucken`), started now so that
        Chromium waits for the document; :meth:`close` can stop it from any thread."""
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kdworkbook.bericht.drucken",
                self._executable or "",
                self._meta.fusszeile or self._meta.gemeinde,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            start_new_session=True,  # its own group: stopped through us, with Chromium
        )
        with self._lock:
            self._print_process = process
        job = self._document.result()
        if job is None:  # the run failed: nothing to print, Chromium is closed
            process.communicate("\n")
            return None
        document, html_file = job
        html_file.write_text(document, encoding="utf-8")
        pdf_file = _temp_file(html_file.parent, ".pdf")
        try:
            said, _ = process.communicate(
                json.dumps({"html": str(html_file), "pdf": str(pdf_file)}) + "\n"
            )
            if process.returncode == EXIT_OS_ERROR:  # full disk, read-only folder, …
                error = json.loads(said)
                raise OSError(error["errno"], os.strerror(error["errno"]), error["datei"])
            if process.returncode != 0:
                raise ReportError(said.strip() or "Das PDF konnte nicht erzeugt werden.")
            return pdf_file.read_bytes()
        finally:
            pdf_file.unlink(missing_ok=True)

    def finish(self, out_dir: Path) -> tuple[Path, Path]:
        """Writes out_dir/bericht.html and out_dir/bericht.pdf, returns both paths.

        Both files are written to temporary names first and renamed only when the PDF is
        complete, so a failed render never leaves a half-written report behind.
        """
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        tmp_html = _temp_file(out_dir, ".html")
        tmp_pdf = _temp_file(out_dir, ".pdf")
        try:
            self.start_browser()
            for path in self._notebooks:
                self.chapter_ready(path)
            chapters = [self._chapters[path].result() for path in self._notebooks]
            self._document.set_result((_assemble(chapters, self._meta), tmp_html))
            assert self._printed is not None
            pdf = self._printed.result()
            assert pdf is not None
            tmp_pdf.write_bytes(pdf)
            html_path, pdf_path = out_dir / HTML_NAME, out_dir / PDF_NAME
            os.replace(tmp_pdf, pdf_path)
            os.replace(tmp_html, html_path)
            return html_path, pdf_path
        finally:
            tmp_html.unlink(missing_ok=True)
            tmp_pdf.unlink(missing_ok=True)

    def close(self, wait: bool = True) -> None:
        """Stop waiting for a document, close Chromium, end the worker threads (*wait* for
        them to finish; without waiting, a print under way is stopped at once)."""
        with self._lock:
            if not self._document.done():
                self._document.set_result(None)
            process = self._print_process
        if not wait and process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        self._converting.shutdown(wait=wait, cancel_futures=True)
        self._printing.shutdown(wait=wait)


def write_report(
    notebooks: list[Path], out_dir: Path, meta: ReportMeta, browser: str | None = None
) -> tuple[Path, Path]:
    """Writes out_dir/bericht.html and out_dir/bericht.pdf from executed *notebooks*."""
    with ReportJob(notebooks, meta, browser) as job:
        return job.finish(out_dir)


def print_twice(printer: PdfPrinter, html_file: Path, document: str, footer: str) -> bytes:
    """Draft print → pages of the headings → final print with TOC page numbers and footer;
    the title page is taken from the draft, which has no footer."""
    html_file.write_text(document, encoding="utf-8")
    draft = printer.print(html_file)
    html_file.write_text(_fill_toc(document, destination_pages(draft)), encoding="utf-8")
    final = printer.print(html_file, footer=html.escape(footer))
    return replace_first_page(final, draft)


def _temp_file(directory: Path, suffix: str) -> Path:
    """A fresh hidden name beside the final file, so the later rename is atomic."""
    return directory / f".bericht-{os.getpid()}-{secrets.token_hex(4)}{suffix}"


CSS = """
@page { size: A4; margin: 20mm 20mm 22mm 20mm; }
:root { --akzent: #1d4e74; --linie: #b8c2cc; --grau: #4a5561; }
html { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 10pt;
  line-height: 1.45; color: #1f2328; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; }
h1, h2, h3, h4 { color: var(--akzent); line-height: 1.25; break-after: avoid; }
h1 { font-size: 20pt; margin: 0 0 6mm; padding-bottom: 2mm;
  border-bottom: 1.5pt solid var(--akzent); }
h2 { font-size: 14pt; margin: 8mm 0 3mm; }
h3 { font-size: 11.5pt; margin: 6mm 0 2mm; }
p, li { orphans: 3; widows: 3; }
a { color: inherit; text-decoration: none; }
.titelseite { height: 250mm; display: flex; flex-direction: column; justify-content: space-between;
  break-after: page; border-left: 3mm solid var(--akzent); padding-left: 10mm;
  box-sizing: border-box; }
.titel-block { margin-top: 55mm; }
.titel-gemeinde { font-size: 14pt; color: var(--grau); margin: 0 0 4mm; letter-spacing: 0.02em; }
h1.titel { font-size: 30pt; border: none; margin: 0 0 6mm; padding: 0; }
.untertitel { font-size: 13pt; color: var(--grau); margin: 0; max-width: 140mm; }
.titel-fakten { font-size: 10.5pt; margin-bottom: 10mm; border-top: 0.75pt solid var(--linie);
  padding-top: 4mm; }
.fakt { margin: 1mm 0; }
.fakt-name { color: var(--grau); display: inline-block; min-width: 28mm; }
.inhalt { break-after: page; }
.inhalt ol { list-style: none; margin: 0; padding: 0; }
.inhalt li a { display: flex; align-items: baseline; }
.inhalt .toc-1 { font-weight: bold; margin-top: 4mm; }
.inhalt .toc-2 { margin: 1.2mm 0 0 8mm; }
.toc-fuell { flex: 1; border-bottom: 0.75pt dotted var(--linie); margin: 0 2mm; min-width: 10mm; }
.toc-seite { flex: 0 0 10mm; text-align: right; font-variant-numeric: tabular-nums; }
.kapitel { break-before: page; }
table { border-collapse: collapse; border: none; margin: 3mm 0 5mm; font-size: 8.5pt;
  max-width: 100%; font-variant-numeric: tabular-nums; }
thead { display: table-header-group; }
th, td { border: none; padding: 1.2mm 2.5mm; text-align: left; vertical-align: top;
  overflow-wrap: break-word; }
thead th { border-bottom: 0.75pt solid #1f2328; font-weight: bold; vertical-align: bottom; }
table { border-top: 1pt solid #1f2328; border-bottom: 1pt solid #1f2328; }
tbody tr td, tbody tr th { border-bottom: 0.4pt solid #d5dbe1; }
tbody th { font-weight: normal; color: var(--grau); }
td.zahl, th.zahl { text-align: right; white-space: nowrap; }
tr, img, svg, figure, pre { break-inside: avoid; }
img, svg { max-width: 100%; height: auto; }
.output_svg img, .output_png img { display: block; margin: 3mm auto; }
pre { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 8.5pt;
  white-space: pre-wrap; margin: 2mm 0; }
.output_subarea { overflow: visible; }
"""
