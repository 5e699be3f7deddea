"""PDF report: executed notebooks → one A4 document without code.

Flow: each executed notebook is exported with nbconvert's ``basic`` template (inputs,
prompts, workshop-only cells and stderr removed), freed of nbconvert's wrapper elements and
put into the page skeleton ``kdworkbook/templates/bericht/bericht.html.j2`` with the style
sheet ``bericht.css`` (title page, table of contents, footer as CSS ``@page`` margin box),
then printed by headless Chromium. The PDF is printed twice: the first print tells on which
page each heading landed, the second carries these page numbers in the table of contents
(its length does not change, so pages do not shift).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime
import functools
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat
from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from kdworkbook.bericht.browser import ENV_BROWSER, ReportError, fill_toc, find_browser
from kdworkbook.bericht.drucken import EXIT_OS_ERROR
from kdworkbook.musterprozess.bpmn_js import DRAWER_SOCKET, ENV_DRAWER

if TYPE_CHECKING:  # nbconvert, BeautifulSoup and pyphen are imported where a chapter is made
    import pyphen
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

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

TEMPLATES = files("kdworkbook") / "templates" / "bericht"
"""Page skeleton (``bericht.html.j2``) and style sheet (``bericht.css``) of the report."""

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
    "style",  # the report has one style sheet (bericht.css); per-output styles go
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

# Return values nobody wants to read: <Figure size 640x480 with 1 Axes>, [<matplotlib… at 0x…>]
_OBJECT_REPR = re.compile(r"^\[?<[^<>]*(Figure size|at 0x)[^<>]*>(,\s*<[^<>]*>)*\]?$", re.S)


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
    """nbconvert's HTML exporter for a chapter: no code, no prompts, without the cells tagged
    :data:`REMOVED_TAGS`; the notebook validated once after all preprocessors (nbconvert's
    ``optimistic_validation``) instead of after each of the thirteen."""
    from nbconvert import HTMLExporter, TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
    from nbconvert.preprocessors import TagRemovePreprocessor

    class ChapterExporter(HTMLExporter):
        """HTMLExporter without its last pass over the page with BeautifulSoup (alternative
        texts, JupyterLab's tab stops – not in the ``basic`` template): :func:`_chapter`
        parses the page anyway and gives every picture its alternative text. The demo's
        chapters: 1,2 instead of 1,7 CPU-s. The rest is HTMLExporter's own method."""

        def from_notebook_node(self, nb, resources=None, **kw):  # type: ignore[no-untyped-def]
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            highlight_code = self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
            )
            resources = self._init_resources(resources)
            filter_data_type = WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            )
            self.register_filter("highlight_code", highlight_code)
            self.register_filter("filter_data_type", filter_data_type)
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    remove = TagRemovePreprocessor(remove_cell_tags=set(REMOVED_TAGS), enabled=True)
    exporter = ChapterExporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        anchor_link_text="",
        optimistic_validation=True,
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


#: nbconvert's wrapper elements around cells and outputs. They are removed so that headings,
#: text, tables and figures are siblings: ``break-after: avoid`` on a heading then keeps it
#: with what follows (a wrapper's edge would hide the heading from the next block).
_WRAPPERS = frozenset(
    {"cell", "inner_cell", "text_cell_render", "output_wrapper", "output", "output_area"}
)


def _unwrap_cells(soup: BeautifulSoup) -> None:
    """Drop nbconvert's wrappers; an output holding a chart becomes ``<figure>``."""
    for div in soup.find_all("div"):
        classes = set(div.get("class", []))
        if classes & _WRAPPERS:
            div.unwrap()
        elif "output_subarea" in classes:
            if div.find(["img", "svg"]) is not None and div.find("table") is None:
                div.name, div.attrs = "figure", {"class": ["abbildung"]}
            else:
                div.unwrap()


#: Words in table cells from these lengths on get soft hyphens (header, body): Chromium has
#: no German hyphenation dictionary offline (``hyphens: auto`` does nothing), and a column is
#: at least as wide as its longest word – „Asylbewerberleistungsgesetz“ alone takes 45 mm.
#: Shorter words stay whole, so that a search in the PDF finds them.
HYPHENATE_FROM = {"th": 11, "td": 16}


@functools.cache
def _hyphenator() -> pyphen.Pyphen:
    """The German hyphenation dictionary, loaded on first use (not at import, not before the
    notebooks run; parsed once per machine, :mod:`kdworkbook.kern.silbentrennung`)."""
    from kdworkbook.kern import silbentrennung

    return silbentrennung.pyphen_de(left=3, right=3)


def _soft_hyphens(word: str) -> str:
    """*word* with soft hyphens; of two points one letter apart (the dictionary's
    „Pro-zes-s-op-ti-mie-rung“) the later is kept: „Pro-zess-op-ti-mie-rung“."""
    points = _hyphenator().positions(word)
    kept = [p for i, p in enumerate(points) if i + 1 == len(points) or points[i + 1] - p > 1]
    for point in reversed(kept):
        word = word[:point] + "\u00ad" + word[point:]
    return word


def _hyphenate(text: str, shortest: int) -> str:
    """Soft hyphens (U+00AD) at German syllable breaks of words of *shortest* letters or
    more; a break opportunity (U+200B) after a slash between words („Vorgänge/Jahr“)."""
    text = re.sub(rf"\w{{{shortest},}}", lambda m: _soft_hyphens(m.group(0)), text)
    return re.sub(r"(?<=[\w.])/(?=\w)", "/\u200b", text)


def _hyphenate_tables(soup: BeautifulSoup) -> None:
    """Hyphenation points in the header and text cells of every table (numbers stay whole)."""
    for cell in soup.select("table th, table td"):
        if cell.name == "td" and "num" in cell.get("class", []):
            continue
        for string in cell.find_all(string=True):
            hyphenated = _hyphenate(str(string), HYPHENATE_FROM[cell.name])
            if hyphenated != string:
                string.replace_with(hyphenated)


@dataclass(frozen=True)
class Chapter:
    """One notebook in the report: its HTML, the same with hyphenation points for print
    (kept out of ``bericht.html``, so that its text reads and searches as written), and its
    headings as (level, id, text)."""

    html: str
    printed: str
    toc: list[tuple[int, str, str]]


def _chapter(path: Path, number: int, exporter: HTMLExporter) -> Chapter:
    """One notebook → :class:`Chapter`."""
    from bs4 import BeautifulSoup

    body, _ = exporter.from_notebook_node(_clean_notebook(_read_notebook(path)))
    soup = BeautifulSoup(body, "html.parser")
    for anchor in soup.select("a.anchor-link"):
        anchor.decompose()
    _sanitize(soup)
    _unwrap_cells(soup)
    for img in soup.find_all("img"):
        if not img.get("alt") or img["alt"].startswith("No description"):
            img["alt"] = "Abbildung"
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
    html = str(soup).strip()
    _hyphenate_tables(soup)
    return Chapter(html, str(soup).strip(), toc)


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


def css_string(text: str) -> str:
    """*text* as the inside of a double-quoted CSS string: every character that is not a
    letter, digit, space or harmless punctuation is written as a CSS escape, so no value can
    end the string or the ``<style>`` element."""
    return "".join(
        char if char.isalnum() or char in " .,-–·()" else f"\\{ord(char):06x}" for char in text
    )


def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        keep_trailing_newline=True,
    )
    environment.filters["css_string"] = css_string
    return environment


def _facts(meta: ReportMeta, today: datetime.date) -> list[tuple[str, str]]:
    """The lines at the foot of the title page."""
    facts = [("Gemeinde", meta.gemeinde)]
    if meta.ags:
        facts.append(("AGS", meta.ags))
    return facts + [("Stichtag", _german_date(meta.stichtag)), ("Erstellt am", _german_date(today))]


def toc_pages(document: str) -> dict[str, int]:
    """The page numbers :func:`fill_toc` wrote into *document*'s table of contents."""
    nav = document.partition("</nav>")[0]
    found = re.findall(r'<span class="toc-seite" data-ziel="([^"]+)">(\d+)</span>', nav)
    return {anchor: int(page) for anchor, page in found}


def render_html(notebooks: list[Path], meta: ReportMeta, for_print: bool = False) -> str:
    """Executed notebooks (in order) → one self-contained HTML document.

    The table of contents links every chapter (h1) and section (h2) but has no page
    numbers yet; :func:`write_report` adds them after a first print. *for_print*: the
    version Chromium prints, with hyphenation points in long table words.
    """
    if not notebooks:
        raise ReportError("Für den Bericht wurden keine Notebooks angegeben.")
    exporter = _exporter()  # built once: loading its templates is the slow part
    return _assemble(
        [_chapter(Path(path), number, exporter) for number, path in enumerate(notebooks, 1)],
        meta,
        for_print,
    )


def _assemble(chapters: list[Chapter], meta: ReportMeta, for_print: bool) -> str:
    """Title page, table of contents and the chapters as one HTML document (the template);
    *for_print* with the hyphenation points of :attr:`Chapter.printed`."""
    template = _environment().get_template("bericht.html.j2")
    return template.render(
        css=Markup((TEMPLATES / "bericht.css").read_text(encoding="utf-8")),
        content_security_policy=CONTENT_SECURITY_POLICY,
        meta=meta,
        footer=meta.fusszeile or meta.gemeinde,
        design_css=Markup(meta.design_css),  # from validated design values (gestaltung)
        facts=_facts(meta, datetime.date.today()),
        toc=[entry for chapter in chapters for entry in chapter.toc],
        # sanitised by _chapter: the only HTML that is not escaped here
        chapters=[Markup(c.printed if for_print else c.html) for c in chapters],
    )


class ReportJob:
    """The report of a run, built while its notebooks still execute.

    :meth:`chapter_ready` converts an executed notebook to HTML at once (in a worker
    thread), :meth:`start_browser` starts Chromium ahead of time, :meth:`finish` puts the
    chapters together, prints and writes the files. Use it as a context manager: leaving
    the block stops the browser and the worker threads, also when the run failed.
    Playwright's sync API stays in its own thread, so this works inside Jupyter's
    event loop too.
    """

    def __init__(
        self,
        notebooks: list[Path],
        meta: ReportMeta,
        browser: str | None = None,
        on_chapter: Callable[[str], None] | None = None,
    ):
        """*on_chapter* gets each chapter's HTML as soon as it is converted (in the worker
        thread), e.g. to render its pictures for Word ahead."""
        if not notebooks:
            raise ReportError("Für den Bericht wurden keine Notebooks angegeben.")
        self._notebooks = [Path(p) for p in notebooks]
        self._meta = meta
        self._on_chapter = on_chapter
        self._executable = find_browser(browser)
        self._lock = threading.Lock()
        self._converting = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        self._exporter: HTMLExporter | None = None
        self._chapters: dict[Path, concurrent.futures.Future] = {}
        self._printing = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        self._printed: concurrent.futures.Future[bytes | None] | None = None
        self._print_process: subprocess.Popen | None = None
        #: the private folder (mode 0700) of the print process' drawing socket, its listener
        self._private: Path | None = None
        self._listener: socket.socket | None = None
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

    def _convert(self, path: Path) -> Chapter:
        if self._exporter is None:
            self._exporter = _exporter()  # built once: loading its templates is the slow part
        chapter = _chapter(path, self._notebooks.index(path) + 1, self._exporter)
        if self._on_chapter is not None:
            self._on_chapter(chapter.html)
        return chapter

    def start_browser(self) -> None:
        """Start Chromium now (it takes about a second) so it waits for the document – and
        draws the BPMN diagrams for the kernels meanwhile (:attr:`environment`)."""
        with self._lock:
            if self._printed is None:
                self._listen()
                self._printed = self._printing.submit(self._print)

    def _listen(self) -> None:
        """The drawing socket, listening before the print process starts: a kernel that
        connects while Chromium still starts waits for it. Without one (no room in the
        temporary folder, a path too long for a socket) the kernels draw themselves."""
        from kdworkbook.lauf.aufraeumen import SOCKET_PREFIX

        # named like the runner's kernel folders: left by a killed run, the next run removes it
        prefix = f"{SOCKET_PREFIX}{os.getpid()}-zeichner-"
        try:
            self._private = Path(tempfile.mkdtemp(prefix=prefix))
        except OSError:
            return
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(str(self._private / DRAWER_SOCKET))
            listener.listen(8)
        except OSError:
            listener.close()
            shutil.rmtree(self._private, ignore_errors=True)
            self._private = None
            return
        self._listener = listener

    @property
    def environment(self) -> dict[str, str]:
        """Environment variables for the run's kernels: the print process' drawing socket
        (once :meth:`start_browser` was called) and the browser the report prints with, so
        that a kernel drawing on its own uses the same."""
        found = {ENV_BROWSER: self._executable} if self._executable else {}
        if self._listener is not None and self._private is not None:
            found[ENV_DRAWER] = str(self._private / DRAWER_SOCKET)
        return found

    def _remove_private(self) -> None:
        with self._lock:
            private, self._private = self._private, None
        if private is not None:
            shutil.rmtree(private, ignore_errors=True)

    def _print(self) -> bytes | None:
        """Print in a process of its own (:mod:`kdworkbook.bericht.drucken`), started now so that
        Chromium waits for the document; :meth:`close` can stop it from any thread."""
        listener = self._listener
        try:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "kdworkbook.bericht.drucken",
                    self._executable or "",
                    str(listener.fileno()) if listener else "",
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                start_new_session=True,  # its own group: stopped through us, with Chromium
                pass_fds=(listener.fileno(),) if listener else (),
            )
        finally:
            if listener is not None:  # the print process listens now; ended, nobody does
                listener.close()
        with self._lock:
            self._print_process = process
        try:
            return self._print_document(process)
        finally:
            self._remove_private()

    def _print_document(self, process: subprocess.Popen) -> bytes | None:
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

    def finish(
        self, out_dir: Path, alongside: Callable[[str], object] | None = None
    ) -> tuple[Path, Path]:
        """Writes out_dir/bericht.html and out_dir/bericht.pdf, returns both paths.

        Both files are written to temporary names first and renamed only when the PDF is
        complete, so a failed render never leaves a half-written report behind.
        *alongside* gets the finished document (as ``bericht.html`` says it, without the
        table of contents' page numbers, which only the print tells) while Chromium prints
        it – e.g. to make the Word file meanwhile; an error it raises ends the report.
        """
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        tmp_html = _temp_file(out_dir, ".html")
        tmp_print = _temp_file(out_dir, ".druck.html")
        tmp_pdf = _temp_file(out_dir, ".pdf")
        try:
            self.start_browser()
            for path in self._notebooks:
                self.chapter_ready(path)
            chapters = [self._chapters[path].result() for path in self._notebooks]
            self._document.set_result((_assemble(chapters, self._meta, True), tmp_print))
            document = _assemble(chapters, self._meta, False)
            if alongside is not None:  # while the print process prints
                alongside(document)
            assert self._printed is not None
            pdf = self._printed.result()
            assert pdf is not None
            tmp_pdf.write_bytes(pdf)
            pages = toc_pages(tmp_print.read_text(encoding="utf-8"))
            tmp_html.write_text(fill_toc(document, pages), encoding="utf-8")
            html_path, pdf_path = out_dir / HTML_NAME, out_dir / PDF_NAME
            os.replace(tmp_pdf, pdf_path)
            os.replace(tmp_html, html_path)
            return html_path, pdf_path
        finally:
            tmp_html.unlink(missing_ok=True)
            tmp_print.unlink(missing_ok=True)
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
        if wait:
            self._remove_private()


def write_report(
    notebooks: list[Path], out_dir: Path, meta: ReportMeta, browser: str | None = None
) -> tuple[Path, Path]:
    """Writes out_dir/bericht.html and out_dir/bericht.pdf from executed *notebooks*."""
    with ReportJob(notebooks, meta, browser) as job:
        return job.finish(out_dir)


def _temp_file(directory: Path, suffix: str) -> Path:
    """A fresh hidden name beside the final file, so the later rename is atomic."""
    return directory / f".bericht-{os.getpid()}-{secrets.token_hex(4)}{suffix}"
