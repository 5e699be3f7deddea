"""Headless Chromium for the PDF report: find a browser, print HTML files to A4 PDF.

Playwright drives the browser so that one Chromium prints several times (draft and final
print) with JavaScript disabled. Page size, margins and the footer with page numbers come
from the report's style sheet (CSS ``@page`` with margin boxes), not from here.
Debian's Chromium is preferred over Playwright's own download, which is
not possible on machines without internet.
"""

from __future__ import annotations

import io
import os
import re
import shutil
from pathlib import Path
from types import TracebackType

from kdworkbook.kern.errors import ReportError

ENV_BROWSER = "KDWORKBOOK_CHROMIUM"
"""Environment variable naming the Chromium/Chrome executable to use."""

SYSTEM_BROWSERS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
PATH_BROWSERS = ("google-chrome", "google-chrome-stable", "chrome")

PLAYWRIGHT_DISABLED_FEATURES = (
    "AvoidUnnecessaryBeforeUnloadCheckSync",
    "DestroyProfileOnBrowserClose",
    "HttpsUpgrades",
    "HttpsFirstBalancedModeAutoEnable",
    "LensOverlay",
    "MediaRouter",
    "PaintHolding",
    "ThirdPartyStoragePartitioning",
    "AvoidCorsURLLoaderRestartOnRedirect",
    "TcpPortRandomizationWin",
    "OptimizationHints",
    "NetworkTimeServiceQuerying",
    "AimEnabled",
    "PreconnectToSearch",
    "msForceBrowserSignIn",
    "msEdgeUpdateLaunchServicesPreferredVersion",
)
"""The Chromium features Playwright turns off itself (its ``chromiumSwitches``, version 1.65).
Chromium heeds only the last ``--disable-features`` of its command line, so
:data:`CHROMIUM_ARGS` repeats them with :data:`DISABLED_FEATURES`."""

DISABLED_FEATURES = ("WebUIOmniboxPopup", "WebUIOmniboxAimPopup")
"""The address bar's suggestion list as a web page of its own: headless Chromium (a full
browser since version 132) starts a renderer for it in every window – in every browser
context –, 0,55 CPU-s each (measured on the demo), for a list nobody ever sees."""

# No network, no first-run UI: the report must build offline and reproducibly.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--disable-features=" + ",".join(PLAYWRIGHT_DISABLED_FEATURES + DISABLED_FEATURES),
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
    """Footer HTML for a document without its own ``@page`` footer; Chromium fills the
    spans with class pageNumber/totalPages."""
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

    def __init__(self, browser: str | None, margin: dict[str, str] | None = None) -> None:
        self._executable = browser
        self._margin = margin  # None: the margins of the document's CSS ``@page``
        self._playwright = None
        self._browser = None
        self._page = None

    def __enter__(self) -> PdfPrinter:
        from playwright.sync_api import Error, sync_playwright  # only where a browser runs

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

    @property
    def browser(self):
        """The running Playwright browser, for a page of another kind beside the print page
        (the BPMN drawing page of :mod:`kdworkbook.bericht.drucken`)."""
        assert self._browser is not None, "PdfPrinter must be used in a with block"
        return self._browser

    def print(
        self, html_file: Path, footer: str | None = None, draft: bool = False, load: bool = True
    ) -> bytes:
        """PDF of *html_file* at 100 %, in the page size (and, without *margin*, the margins)
        its CSS ``@page`` says. The report brings its footer as ``@page`` margin box; other
        documents may pass *footer*: every page then gets "<footer> · Seite X von Y".
        A *draft* is only read for its page breaks: the same layout without backgrounds,
        bookmarks and tags, printed in about two thirds of the time (demo: 0,9 instead of
        1,4 s; the same page for every heading). Without *load* the document the last print
        loaded is printed again (as :meth:`fill_toc` changed it)."""
        from playwright.sync_api import Error

        assert self._page is not None, "PdfPrinter must be used in a with block"
        try:
            if load:
                self._page.goto(html_file.resolve().as_uri(), wait_until="load")
            return self._page.pdf(
                format="A4",
                prefer_css_page_size=True,
                print_background=not draft,
                scale=1,
                display_header_footer=footer is not None,
                header_template="<span></span>",
                footer_template=_footer_template(footer or ""),
                margin=self._margin,
                outline=not draft,
                tagged=not draft,
            )
        except Error as exc:
            raise ReportError(f"Das PDF konnte nicht erzeugt werden: {exc}") from exc

    def fill_toc(self, pages: dict[str, int]) -> None:
        """Write *pages* into the table of contents of the loaded document, as
        :func:`fill_toc` writes them into its file (the page of
        each ``<span class="toc-seite" data-ziel="…">``, empty if unknown) – without loading
        and decoding the whole document again for the final print. The document's own
        scripts stay off; only this change is made from outside."""
        from playwright.sync_api import Error

        assert self._page is not None, "PdfPrinter must be used in a with block"
        try:
            self._page.evaluate(_FILL_TOC, pages)
        except Error as exc:
            raise ReportError(f"Das PDF konnte nicht erzeugt werden: {exc}") from exc


#: :meth:`PdfPrinter.fill_toc` in the page: the empty page spans of the table of contents.
_FILL_TOC = """(pages) => {
  const nav = document.querySelector('nav');
  if (!nav) return;
  for (const span of nav.querySelectorAll('span.toc-seite[data-ziel]')) {
    if (span.childNodes.length) continue;
    const page = pages[span.getAttribute('data-ziel')];
    span.textContent = page === undefined ? '' : String(page);
  }
}"""


def destination_pages(pdf: bytes) -> dict[str, int]:
    """Named destinations (HTML ids that are link targets) → 1-based page number."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return {
        name.lstrip("/"): reader.get_destination_page_number(dest) + 1
        for name, dest in reader.named_destinations.items()
    }


def fill_toc(document: str, pages: dict[str, int]) -> str:
    """Write the page of each heading into its table-of-contents line (only in the
    ``<nav>`` the template wrote, never in a chapter)."""
    head, nav_end, rest = document.partition("</nav>")
    filled = re.sub(
        r'(<span class="toc-seite" data-ziel="([^"]+)">)</span>',
        lambda m: f"{m.group(1)}{pages.get(m.group(2), '')}</span>",
        head,
    )
    return filled + nav_end + rest
