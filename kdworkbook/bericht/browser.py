"""Headless Chromium for the PDF report: find a browser, print HTML files to A4 PDF.

Playwright drives the browser because only its ``page.pdf`` offers footer templates with
page numbers; Chromium fills them itself, so pages are printed with JavaScript disabled.
Debian's Chromium is preferred over Playwright's own download, which is
not possible on machines without internet.
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path
from types import TracebackType

from playwright.sync_api import Error, sync_playwright
from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    PdfObject,
    StreamObject,
)

from kdworkbook.kern.errors import ReportError

ENV_BROWSER = "KDWORKBOOK_CHROMIUM"
"""Environment variable naming the Chromium/Chrome executable to use."""

SYSTEM_BROWSERS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
PATH_BROWSERS = ("google-chrome", "google-chrome-stable", "chrome")

# No network, no first-run UI: the report must build offline and reproducibly.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]

INSTALL_HINT = (
    "Bitte einen Chromium-Browser installieren: unter Debian/Ubuntu mit "
    "`apt-get install chromium`, sonst mit `playwright install chromium`. "
    f"Alternativ kann die Umgebungsvariable {ENV_BROWSER} auf eine ausführbare "
    "Chromium- oder Chrome-Datei zeigen."
)


def _executable(candidate: str) -> str | None:
    """Absolute path of *candidate* (a path or a command name) if it can be executed."""
    if os.sep in candidate:
        path = Path(candidate).expanduser()
        return str(path) if path.is_file() and os.access(path, os.X_OK) else None
    return shutil.which(candidate)


def find_browser(explicit: str | None = None) -> str | None:
    """Chromium to print with; ``None`` means Playwright's own installed browser.

    Search order: *explicit*, env ``KDWORKBOOK_CHROMIUM``, /usr/bin/chromium,
    /usr/bin/chromium-browser, google-chrome/chrome on PATH. A browser that was asked
    for explicitly (argument or env) but does not exist is an error, not a fallback.
    """
    asked_for = (
        ("Der angegebene Browser", explicit),
        (f"Der Browser aus {ENV_BROWSER}", os.environ.get(ENV_BROWSER)),
    )
    for label, wanted in asked_for:
        if wanted:
            found = _executable(wanted)
            if found is None:
                raise ReportError(
                    f"{label} „{wanted}“ wurde nicht gefunden oder ist nicht ausführbar. "
                    f"{INSTALL_HINT}"
                )
            return found
    for candidate in (*SYSTEM_BROWSERS, *PATH_BROWSERS):
        found = _executable(candidate)
        if found:
            return found
    return None


def _footer_template(text: str) -> str:
    """Footer HTML; Chromium fills the spans with class pageNumber/totalPages."""
    return (
        '<div style="width:100%;margin:0 20mm;padding-top:2mm;border-top:0.5pt solid #9aa5b1;'
        "font-family:'DejaVu Sans','Liberation Sans',Arial,sans-serif;font-size:7.5pt;"
        'color:#4a5561;text-align:right;">'
        f'{text} · Seite <span class="pageNumber"></span> von <span class="totalPages"></span>'
        "</div>"
    )


class PdfPrinter:
    """One headless Chromium for several prints; use as a context manager.

    Leaving the ``with`` block always closes the browser and the Playwright driver, so
    no Chromium process outlives the report.
    """

    def __init__(self, browser: str | None, margin: dict[str, str]) -> None:
        self._executable = browser
        self._margin = margin
        self._playwright = None
        self._browser = None
        self._page = None

    def __enter__(self) -> PdfPrinter:
        self._playwright = sync_playwright().start()
        try:
            self._browser = self._playwright.chromium.launch(
                executable_path=self._executable, headless=True, args=CHROMIUM_ARGS
            )
            # a report is a document: nothing in it runs while printing (JavaScript off)
            self._page = self._browser.new_context(java_script_enabled=False).new_page()
        except BaseException as exc:
            self.__exit__(None, None, None)
            if not isinstance(exc, Error):
                raise
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
            raise ReportError(
                f"Chromium ({self._executable or 'Playwright-Browser'}) konnte nicht gestartet "
                f"werden: {first_line}. {INSTALL_HINT}"
            ) from exc
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._browser is not None:
                self._browser.close()
        finally:
            if self._playwright is not None:
                self._playwright.stop()

    def print(self, html_file: Path, footer: str | None = None) -> bytes:
        """A4 PDF of *html_file*; with *footer*, every page gets "<footer> · Seite X von Y"."""
        assert self._page is not None, "PdfPrinter must be used in a with block"
        try:
            self._page.goto(html_file.resolve().as_uri(), wait_until="load")
            return self._page.pdf(
                format="A4",
                prefer_css_page_size=True,
                print_background=True,
                display_header_footer=footer is not None,
                header_template="<span></span>",
                footer_template=_footer_template(footer or ""),
                margin=self._margin,
                outline=True,
                tagged=True,
            )
        except Error as exc:
            raise ReportError(f"Das PDF konnte nicht erzeugt werden: {exc}") from exc


def destination_pages(pdf: bytes) -> dict[str, int]:
    """Named destinations (HTML ids that are link targets) → 1-based page number."""
    reader = PdfReader(io.BytesIO(pdf))
    return {
        name.lstrip("/"): reader.get_destination_page_number(dest) + 1
        for name, dest in reader.named_destinations.items()
    }


def replace_first_page(pdf: bytes, first_page_from: bytes) -> bytes:
    """*pdf* with page 1's drawing taken from *first_page_from* (same layout, no footer).

    Chromium prints footer templates on every page; the title page must not have one.
    Written as an incremental update (PDF 1.7, 7.5.6): the original bytes stay as they
    are, followed by copies of the draft page's content and resources, a new page 1 object
    and a cross-reference section. Links, bookmarks, tags and page count stay intact, and
    nothing else of the (large, tagged) document has to be parsed.
    """
    final = PdfReader(io.BytesIO(pdf))
    page = final.pages[0]
    source = PdfReader(io.BytesIO(first_page_from)).pages[0]
    first_free = int(final.trailer["/Size"])
    numbers: dict[int, int] = {}  # object number in the draft → number in the update
    objects: dict[int, PdfObject] = {}

    def copy(obj: PdfObject) -> PdfObject:
        if isinstance(obj, IndirectObject):
            if obj.idnum not in numbers:
                numbers[obj.idnum] = number = first_free + len(numbers)
                objects[number] = copy(obj.get_object())
            return IndirectObject(numbers[obj.idnum], 0, None)  # type: ignore[arg-type]
        if isinstance(obj, StreamObject):
            stream = type(obj)()
            for key, value in dict.items(obj):
                if key != "/Length":  # written anew from the data
                    stream[key] = copy(value)
            stream._data = obj._data  # the encoded bytes, unchanged
            return stream
        if isinstance(obj, DictionaryObject):
            return DictionaryObject({k: copy(v) for k, v in dict.items(obj)})
        if isinstance(obj, ArrayObject):
            return ArrayObject(copy(v) for v in obj)
        return obj

    new_page = DictionaryObject(dict.items(page))
    for key in ("/Contents", "/Resources"):
        new_page[NameObject(key)] = copy(source.raw_get(key))
    target = page.indirect_reference
    objects[target.idnum] = new_page

    out = io.BytesIO()
    out.write(pdf if pdf.endswith(b"\n") else pdf + b"\n")
    offsets = {}
    for number, obj in objects.items():
        offsets[number] = out.tell()
        generation = target.generation if number == target.idnum else 0
        out.write(f"{number} {generation} obj\n".encode())
        obj.write_to_stream(out)
        out.write(b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 1\n0000000000 65535 f \n")  # the free-list head, as readers expect
    for number in sorted(offsets):
        generation = target.generation if number == target.idnum else 0
        out.write(f"{number} 1\n{offsets[number]:010d} {generation:05d} n \n".encode())
    trailer = DictionaryObject(
        {
            NameObject("/Size"): NumberObject(first_free + len(numbers)),
            NameObject("/Prev"): NumberObject(_startxref(pdf)),
        }
    )
    for key in ("/Root", "/Info", "/ID"):
        if key in final.trailer:
            trailer[NameObject(key)] = final.trailer.raw_get(key)
    out.write(b"trailer\n")
    trailer.write_to_stream(out)
    out.write(f"\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def _startxref(pdf: bytes) -> int:
    """Offset of the last cross-reference section, from the file's last lines."""
    tail = pdf[pdf.rindex(b"startxref") :].split()
    return int(tail[1])
