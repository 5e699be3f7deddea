"""One Chromium per run: the print process draws the BPMN diagrams for the kernels too; and
no renderer for a browser window nobody sees."""

import datetime
import os
import re
import stat
import tempfile
from pathlib import Path

import nbformat
import pytest
from IPython.display import SVG

from kdworkbook.bericht import browser
from kdworkbook.bericht.browser import ENV_BROWSER, PdfPrinter, find_browser
from kdworkbook.bericht.dokument import ReportJob, ReportMeta
from kdworkbook.kern import zwischenspeicher
from kdworkbook.kern.errors import InputError, ReportError
from kdworkbook.lauf import lauf
from kdworkbook.musterprozess import bpmn_bild, bpmn_export, bpmn_js
from kdworkbook.musterprozess.laden import bpmn_file, load_process

from .conftest import DEMO, ROOT, chrome_descendants

DEMO_DIR = ROOT / "parameters" / "musterstadt"
META = ReportMeta(gemeinde="Musterstadt", stichtag=datetime.date(2026, 11, 28))


def _demo_ist_xml() -> str:
    return bpmn_export.diagram_xml(load_process(DEMO_DIR / "hundesteuer_ist.yaml"), None)


def _same_drawing(a: str, b: str) -> bool:
    """bpmn-js names the arrow heads' markers at random on every drawing (two drawings in
    the same browser differ there too): equal apart from these names and the row's mark
    (the hash of the row, names included)."""

    def plain(row: str) -> str:
        row = re.sub(r"marker-[0-9a-z]+", "marker", row)
        return re.sub(rf' {bpmn_bild.MARK}="[0-9a-f]+"', "", row)

    return plain(a) == plain(b)


@pytest.fixture
def print_process(tmp_path, monkeypatch):
    """A report's print process, started as the runner starts it; its socket in the
    environment as in a kernel of the run."""
    job = ReportJob([tmp_path / "00_x.ipynb"], META)
    job.start_browser()
    path = job.environment[bpmn_js.ENV_DRAWER]
    monkeypatch.setenv(bpmn_js.ENV_DRAWER, path)
    try:
        yield job
    finally:
        job.close()
    assert not Path(path).parent.exists()  # the private folder goes with the process
    assert chrome_descendants() == []
    assert bpmn_js.draw_served({"x": ("<x/>", "x.bpmn")}) is None  # nobody to ask any more


@pytest.mark.browser
@pytest.mark.prozess
def test_print_process_draws_through_its_socket(print_process):
    folder = Path(print_process.environment[bpmn_js.ENV_DRAWER]).parent
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    xml = _demo_ist_xml()
    drawn = bpmn_js.draw_served({"ist": (xml, "hundesteuer_ist.yaml")})
    assert drawn is not None and set(drawn) == {"ist"}
    words = bpmn_export.text_of(drawn["ist"]["svg"]).replace(bpmn_export.SOFT_HYPHEN, "").split()
    for word in ("Bürgerbüro", "Steueramt", "Stadtkasse", "Formular", "prüfen", "Steuer"):
        assert word in words
    assert any(s["type"] == "bpmn:Task" for s in drawn["ist"]["shapes"])
    # the same German error as a Chromium of the kernel's own gives
    with pytest.raises(InputError) as info:
        bpmn_js.draw_served({"x": ("<kein-bpmn/>", "kaputt.bpmn")})
    assert str(info.value).startswith(
        "kaputt.bpmn: Das BPMN-Diagramm kann nicht gezeichnet werden – der Viewer (bpmn-js) "
        "meldet: "
    )
    # the page is still usable after a refused diagram; draw() takes the same way
    again = bpmn_bild.draw({"ist": (xml, "hundesteuer_ist.yaml")})
    assert _same_drawing(again["ist"].svg, drawn["ist"]["svg"])
    assert again["ist"].shapes == tuple(drawn["ist"]["shapes"])


@pytest.mark.browser
@pytest.mark.prozess
def test_chromium_not_starting_in_the_print_process_is_the_musterprozess_error(
    tmp_path, monkeypatch
):
    broken = tmp_path / "chromium"
    broken.write_text("#!/bin/sh\necho 'kaputt' >&2\nexit 1\n", encoding="utf-8")
    broken.chmod(0o755)
    job = ReportJob([tmp_path / "00_x.ipynb"], META, browser=str(broken))
    job.start_browser()
    assert job.environment[ENV_BROWSER] == str(broken)
    monkeypatch.setenv(bpmn_js.ENV_DRAWER, job.environment[bpmn_js.ENV_DRAWER])
    try:
        with pytest.raises(ReportError) as info:
            bpmn_bild.draw({"x": (_demo_ist_xml(), "x.bpmn")})
    finally:
        job.close()
    assert str(info.value).startswith(
        f"Chromium ({broken}) konnte nicht gestartet werden, die BPMN-Diagramme des "
        "Musterprozesses werden damit gezeichnet: "
    )
    assert "apt-get install chromium" in str(info.value)


def test_no_print_process_to_reach_means_none(tmp_path, monkeypatch):
    """Nothing listens (the run is over, a notebook opened with the variable left set):
    draw() then starts its own Chromium, as without the variable."""
    monkeypatch.setenv(bpmn_js.ENV_DRAWER, str(tmp_path / "weg.sock"))
    assert bpmn_js.draw_served({"x": ("<x/>", "x.bpmn")}) is None
    (tmp_path / "keine-socket").write_text("", encoding="utf-8")
    monkeypatch.setenv(bpmn_js.ENV_DRAWER, str(tmp_path / "keine-socket"))
    assert bpmn_js.draw_served({"x": ("<x/>", "x.bpmn")}) is None
    monkeypatch.delenv(bpmn_js.ENV_DRAWER)
    assert bpmn_js.draw_served({"x": ("<x/>", "x.bpmn")}) is None


def _bpmn_pictures(notebook: Path) -> list[str]:
    nb = nbformat.read(notebook, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    svgs = [o["data"]["image/svg+xml"] for o in outputs if "image/svg+xml" in o.get("data", {})]
    return [s for s in svgs if "djs-element" in s]


@pytest.mark.kernel
@pytest.mark.browser
@pytest.mark.prozess
def test_demo_run_starts_chromium_once_and_draws_the_same(tmp_path, monkeypatch):
    """A first run (empty diagram cache): one browser process for the whole run – before,
    kernel 04 started one of its own to draw IST and SOLL, and the report another."""
    log = tmp_path / "chromium.log"
    wrapper = tmp_path / "chromium"
    wrapper.write_text(
        f'#!/bin/sh\necho "$*" >> {log}\nexec /usr/bin/chromium "$@"\n', encoding="utf-8"
    )
    wrapper.chmod(0o755)
    monkeypatch.setenv(ENV_BROWSER, str(wrapper))
    monkeypatch.setenv(zwischenspeicher.ENV, str(tmp_path / "cache"))
    monkeypatch.delenv(bpmn_js.ENV_DRAWER, raising=False)
    result = lauf.run(DEMO, tmp_path / "out")
    started = log.read_text(encoding="utf-8").splitlines()
    browsers = [line for line in started if "--type=" not in line]
    assert len(browsers) == 1, started
    assert "--headless" in browsers[0]
    assert not list(Path(tempfile.gettempdir()).glob(f"kdw-{os.getpid()}-zeichner-*"))
    in_report = _bpmn_pictures(result.run_dir / "04_musterprozess.ipynb")
    # drawn again here, without the print process, into an empty cache
    monkeypatch.setenv(zwischenspeicher.ENV, str(tmp_path / "cache2"))
    ist = load_process(DEMO_DIR / "hundesteuer_ist.yaml")
    soll = load_process(DEMO_DIR / "hundesteuer_soll.yaml")
    soll_file = bpmn_file(DEMO_DIR / "hundesteuer_soll.yaml")
    here = bpmn_bild.svgs({"ist": (ist, None), "soll": (soll, soll_file)})
    expected = [SVG(data=row).data for key in ("ist", "soll") for row in here[key]]
    assert len(log.read_text(encoding="utf-8").splitlines()) == len(started) + 1
    assert len(in_report) == len(expected) == 9  # IST in 5 rows, SOLL in 4
    for drawn, own in zip(in_report, expected, strict=True):
        assert _same_drawing(drawn, own)
    assert "Steuermarke" in bpmn_export.text_of("".join(in_report))


# --- Chromium's own windows ----------------------------------------------------------------------


def test_our_feature_switch_keeps_the_features_playwright_turns_off():
    """Chromium heeds only the last ``--disable-features``: ours (after Playwright's) must
    name every feature Playwright turns off – checked against the installed Playwright."""
    import playwright

    lib = Path(playwright.__file__).parent / "driver" / "package" / "lib"
    sources = [lib / "coreBundle.js", lib / "server" / "chromium" / "chromiumSwitches.js"]
    text = "".join(path.read_text(encoding="utf-8") for path in sources if path.exists())
    block = re.search(r"disabledFeatures = \[(.*?)\]", text, re.S)
    assert block, "Playwrights Liste abgeschalteter Chromium-Funktionen nicht gefunden"
    theirs = re.findall(r'^\s*"([^"]+)",?\s*$', block.group(1), re.M)
    assert "PaintHolding" in theirs
    assert set(theirs) <= set(browser.PLAYWRIGHT_DISABLED_FEATURES)
    [switch] = [a for a in browser.CHROMIUM_ARGS if a.startswith("--disable-features=")]
    assert set(switch.split("=", 1)[1].split(",")) == {
        *browser.PLAYWRIGHT_DISABLED_FEATURES,
        "WebUIOmniboxPopup",
        "WebUIOmniboxAimPopup",
    }


@pytest.mark.browser
def test_no_address_bar_page_in_the_print_and_the_drawing_window():
    """Before, every browser context of headless Chromium had the address bar's suggestion
    list as a page of its own (chrome://omnibox-popup.top-chrome/, a renderer each)."""
    with PdfPrinter(find_browser()) as printer:
        page = bpmn_js.open_page(printer.browser)  # the drawing page beside the print page
        session = printer.browser.new_browser_cdp_session()
        targets = session.send("Target.getTargets", {"filter": [{}]})["targetInfos"]
        page.context.close()
    urls = [t["url"] for t in targets]
    assert not [u for u in urls if "top-chrome" in u], urls
    assert sum(t["type"] == "page" for t in targets) == 2  # print page and drawing page
