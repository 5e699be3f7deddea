"""BPMN diagrams drawn by bpmn-js in headless Chromium: SVG for the report, PNG for exports.

The bpmn-js viewer (``kdworkbook/data/bpmnjs/``, version, licence and origin in the README
there) is package data: nothing is downloaded at run time. :func:`draw` has the run's print
process draw (its Chromium, already started for the PDF) or starts Chromium once (the browser
the report prints with, :func:`kdworkbook.bericht.browser.find_browser`), imports each BPMN
XML into the viewer (page and script: :mod:`kdworkbook.musterprozess.bpmn_js`) and takes
its drawing with ``saveSVG()`` – the documented export API; the viewer's UI (with the
bpmn.io watermark) is never shown or shipped as a picture.

**Legible on A4**: the report's text column is :data:`PRINT_WIDTH_MM` wide. A diagram is
printed at one fixed scale, :data:`MAX_VIEW_WIDTH` BPMN units on the full column, so bpmn-js'
12 px labels print at 8,0 pt and its 11 px outside labels at 7,4 pt (≥ 7 pt). A wider
diagram is cut into rows („Teil 1 von 2“ …) at gaps between the shapes, each a picture of its
own (the page may break between them) that repeats the pool and lane names on the left.
:func:`print_scale` and :func:`font_sizes_pt` measure it.

Use: :func:`svgs` (process model → SVG texts, one per row; IST and SOLL in one browser start)
and :func:`pngs`/:func:`png` (rows → PNG bytes for PowerPoint/Word, converted once per row).
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import hashlib
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path
from typing import TypeVar
from xml.etree import ElementTree as ET

import pyphen
from defusedxml.ElementTree import fromstring

from kdworkbook.bericht.browser import CHROMIUM_ARGS, find_browser
from kdworkbook.kern import zwischenspeicher
from kdworkbook.musterprozess import bpmn_export, bpmn_js
from kdworkbook.musterprozess.bpmn_export import HYPHENATION_LANGUAGE, SOFT_HYPHEN, diagram_xml
from kdworkbook.musterprozess.bpmn_js import HEADERS
from kdworkbook.musterprozess.bpmn_xml import local
from kdworkbook.musterprozess.modell import Prozess

PRINT_WIDTH_MM = 170  #: text column of the A4 report (210 mm − 2 × 20 mm margins)
MAX_VIEW_WIDTH = 720  #: BPMN units per PRINT_WIDTH_MM: 12 px → 8,0 pt, 11 px → 7,4 pt
CAPTION_SIZE = 13  #: px, „Teil 2 von 3“ above a row
PT_PER_MM = 72 / 25.4
SVG_NS = "http://www.w3.org/2000/svg"
ET.register_namespace("", SVG_NS)

T = TypeVar("T")


@dataclass(frozen=True)
class Zeichnung:
    """One drawn diagram: the SVG of bpmn-js and the shapes it drew (for cutting into rows)."""

    svg: str
    shapes: tuple[dict, ...]
    hinweise: tuple[str, ...] = ()


def _off_loop(work: Callable[[], T]) -> T:
    """Run *work* (Playwright's sync API) in a thread of its own when this thread runs an
    asyncio loop – as a Jupyter kernel does, where the sync API refuses to start."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["result"] = work()
        except BaseException as exc:  # handed to the caller below
            box["error"] = exc

    thread = threading.Thread(target=target, name="bpmn-js")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["result"]  # type: ignore[return-value]


def _browser(playwright, browser: str | None):
    executable = find_browser(browser)
    try:
        return playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
    except Exception as exc:
        raise bpmn_js.start_failed(executable, bpmn_js.first_line(exc)) from exc


def draw(diagrams: dict[str, tuple[str, str]], browser: str | None = None) -> dict[str, Zeichnung]:
    """Draw BPMN XML with bpmn-js: key → (xml, file name for messages) in, key → drawing out.

    In a kernel of a run (no *browser* asked for) the run's print process draws them, in its
    Chromium (:func:`kdworkbook.musterprozess.bpmn_js.draw_served`); elsewhere – a notebook
    opened by hand, no print process to reach – one Chromium start here for all. A file the viewer
    cannot import is an :class:`InputError` naming it; a diagram without any drawn shape is
    one too (never a blank picture)."""
    drawn = bpmn_js.draw_served(diagrams) if browser is None else None
    if drawn is None:

        def work() -> dict[str, dict]:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as playwright:
                chromium = _browser(playwright, browser)
                try:
                    return bpmn_js.draw_in(bpmn_js.open_page(chromium), diagrams)
                finally:
                    chromium.close()

        drawn = _off_loop(work)
    return {
        key: Zeichnung(d["svg"], tuple(d["shapes"]), tuple(d["hinweise"]))
        for key, d in drawn.items()
    }


def svgs(
    processes: dict[str, tuple[Prozess, Path | None]], browser: str | None = None
) -> dict[str, list[str]]:
    """Printable SVGs (one per row, :func:`in_rows`) per process: key → (model, BPMN file it
    was read from or None).

    The BPMN file's own layout is kept if it is complete (see
    :func:`kdworkbook.musterprozess.bpmn_export.diagram_xml`). A diagram drawn before from
    the same XML by the same viewer and browser comes from the cache (:func:`cache_key`);
    Chromium starts only for the others."""
    keys = {key: cache_key(p, source, browser) for key, (p, source) in processes.items()}
    drawn = {key: found for key, k in keys.items() if (found := _cached(k)) is not None}
    missing = {
        key: (diagram_xml(p, source), (source.name if source else p.quelle) or p.name)
        for key, (p, source) in processes.items()
        if key not in drawn
    }
    if missing:
        for key, d in draw(missing, browser).items():
            drawn[key] = d
            zwischenspeicher.put(CACHE_KIND, keys[key], dataclasses.asdict(d))
    # soft hyphens bpmn-js did not break at are invisible: out, so the PDF's text is searchable
    return {
        key: [_marked(row.replace(SOFT_HYPHEN, "")) for row in in_rows(drawn[key])]
        for key in processes
    }


def _marked(row: str) -> str:
    """*row* with its mark (:data:`MARK`): the SHA-256 of the row as drawn. Every copy of the
    row keeps it – re-serialised in the notebook's output and the report's HTML, but never
    changed – so its PNG is converted once (:func:`png`)."""
    mark = hashlib.sha256(row.encode("utf-8")).hexdigest()
    return row.replace("<svg ", f'<svg {MARK}="{mark}" ', 1)


# --- cache: the same XML, viewer and browser draw the same picture ------------------------------

#: kind of entry in :mod:`kdworkbook.kern.zwischenspeicher`; the number changes with the
#: format of an entry
CACHE_KIND = "bpmn-js-1"


def cache_key(p: Prozess, source: Path | None, browser: str | None = None) -> str:
    """What the drawing of *p* follows from: the XML for bpmn-js as built before hyphenation,
    the code and patterns that hyphenate it (:func:`bpmn_export.hyphenate`), the viewer
    bundle, the page and script around it, and the browser (path, size, modification time).
    A changed BPMN or process file, bundle, exporter or browser gives a new key."""
    return zwischenspeicher.key(
        CACHE_KIND,
        diagram_xml(p, source, hyphenated=False),
        _hyphenation_identity(),
        _bundle_digest(),
        bpmn_js.PAGE,
        bpmn_js.RENDER_JS,
        _browser_identity(find_browser(browser)),
    )


def _cached(key: str) -> Zeichnung | None:
    entry = zwischenspeicher.get(CACHE_KIND, key)
    try:
        d = Zeichnung(
            entry["svg"], tuple(dict(s) for s in entry["shapes"]), tuple(entry["hinweise"])
        )
    except (TypeError, KeyError, ValueError):
        return None  # no entry, or not one this version wrote: drawn again
    return d if _well_formed(d) else None


def _well_formed(d: Zeichnung) -> bool:
    """What :func:`in_rows` relies on: an SVG text, shapes with id, type and a box."""
    shapes_ok = all(
        isinstance(s.get("id"), str)
        and isinstance(s.get("type"), str)
        and all(isinstance(s.get(k), int | float) for k in ("x", "y", "width", "height"))
        for s in d.shapes
    )
    return isinstance(d.svg, str) and shapes_ok and all(isinstance(h, str) for h in d.hinweise)


@cache
def _bundle_digest() -> str:
    return hashlib.sha256(bpmn_js.bundle().encode("utf-8")).hexdigest()


@cache
def _hyphenation_identity() -> str:
    patterns = Path(pyphen.LANGUAGES[HYPHENATION_LANGUAGE])
    exporter = Path(bpmn_export.__file__)
    return "|".join(
        [
            pyphen.__version__,
            _file_identity(patterns),
            hashlib.sha256(exporter.read_bytes()).hexdigest(),
        ]
    )


def _browser_identity(executable: str | None) -> str:
    return _file_identity(Path(executable)) if executable else "Playwright-Browser"


def _file_identity(path: Path) -> str:
    try:
        info = path.resolve().stat()
    except OSError:
        return str(path)
    return f"{path.resolve()}:{info.st_size}:{info.st_mtime_ns}"


# --- rows: a wide diagram cut at gaps between shapes ---------------------------------------------


_SVG_OPEN = re.compile(r"<svg\b[^>]*>", re.S)
_VIEWBOX = re.compile(r'viewBox="([-\d.e ]+)"')


def _view_box(svg: str) -> tuple[float, float, float, float]:
    head = _SVG_OPEN.search(svg)
    match = _VIEWBOX.search(head.group(0)) if head else None
    if not match:
        raise ValueError("SVG ohne viewBox")
    x, y, w, h = (float(v) for v in match.group(1).split())
    return x, y, w, h


def _inner(svg: str) -> str:
    head = _SVG_OPEN.search(svg)
    assert head is not None
    return svg[head.end() : svg.rindex("</svg>")]


def cuts(shapes: tuple[dict, ...], left: float, right: float, width: float) -> list[float]:
    """x positions where rows end: as far right as fits in *width*, in a gap between shapes
    (through a shape only if no gap fits – a single shape wider than a row)."""
    merged: list[list[float]] = []
    for a, b in sorted(
        (s["x"], s["x"] + s["width"])
        for s in shapes
        if s["type"] not in HEADERS and not s.get("connection")
    ):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    gaps = [(a[1], b[0]) for a, b in zip(merged, merged[1:], strict=False)]
    result, start = [], left
    while right - start > width:
        limit = start + width
        fitting = [min((g0 + g1) / 2, limit) for g0, g1 in gaps if start < g0 < limit]
        cut = max(fitting, default=limit)
        result.append(cut)
        start = cut
    return result


def in_rows(d: Zeichnung) -> list[str]:
    """The drawing as SVGs printed at the fixed scale: one, or one per row if it is wider than
    :data:`MAX_VIEW_WIDTH` (each row repeats the pool and lane names and says „Teil i von n“).
    Rows are separate pictures, so the page can break between them."""
    vx, vy, vw, vh = _view_box(d.svg)
    inner = _inner(d.svg)
    pools = [s for s in d.shapes if s["type"] == "bpmn:Participant"]
    lanes = [s for s in d.shapes if s["type"] == "bpmn:Lane"]
    header = 0.0
    if pools:
        header_end = max(
            (min(s["x"] for s in lanes) + 30) if lanes else 0,
            min(p["x"] for p in pools) + 30,
        )
        header = header_end - vx
    body_left = vx + header
    row_cuts = cuts(d.shapes, body_left, vx + vw, MAX_VIEW_WIDTH - header)
    if not row_cuts:
        return [_svg(vw, vh, _nested(0, 0, vw, vh, (vx, vy, vw, vh), inner))]
    edges = [body_left, *row_cuts, vx + vw]
    rows = []
    top = CAPTION_SIZE + 6
    names = _visible(inner, d.shapes, vx, vx + header, True) if header else ""  # every row's
    for i, (a, b) in enumerate(zip(edges, edges[1:], strict=False), start=1):
        parts = [
            f'<text x="0" y="{CAPTION_SIZE:g}" style="font-family: Arial, sans-serif; '
            f'font-size: {CAPTION_SIZE}px; fill: #555555">'
            f"{escape(f'Teil {i} von {len(edges) - 1}')}</text>"
        ]
        if header:
            parts.append(_nested(0, top, header, vh, (vx, vy, header, vh), names))
        body = _visible(inner, d.shapes, a, b, False)
        parts.append(_nested(header, top, b - a, vh, (a, vy, b - a, vh), body))
        rows.append(_svg(header + b - a, top + vh, "".join(parts)))
    return rows


def _visible(inner: str, shapes: tuple[dict, ...], a: float, b: float, names: bool) -> str:
    """*inner* with only what shows between x = *a* and *b*: elements outside are dropped,
    and the pool and lane names unless *names* – so no text is hidden under a clip (each
    text is once in the SVG and in the PDF made from it)."""
    root = fromstring(f'<svg xmlns="{SVG_NS}">{inner}</svg>')
    by_id = {s["id"]: s for s in shapes}
    parent = {child: p for p in root.iter() for child in p}
    for element in list(root.iter()):
        info = by_id.get(element.get("data-element-id", ""))
        if info is None or element not in parent:
            continue
        if info["type"] in HEADERS:
            if not names:
                for visual in element:
                    for text in [t for t in visual if local(t.tag) == "text"]:
                        visual.remove(text)
        elif info["x"] >= b or info["x"] + info["width"] <= a:
            group = parent[element]  # <g class="djs-group"> around the element
            if group in parent:
                parent[group].remove(group)
    return "".join(ET.tostring(child, encoding="unicode") for child in root)


def _nested(x: float, y: float, w: float, h: float, view: tuple, inner: str) -> str:
    vb = " ".join(f"{v:g}" for v in view)
    return (
        f'<svg x="{x:g}" y="{y:g}" width="{w:g}" height="{h:g}" viewBox="{vb}" '
        f'overflow="hidden">{inner}</svg>'
    )


def _svg(w: float, h: float, body: str) -> str:
    mm = w * PRINT_WIDTH_MM / MAX_VIEW_WIDTH
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="{mm:.1f}mm" height="{h * mm / w:.1f}mm" viewBox="0 0 {w:g} {h:g}">'
        f"{body}</svg>"
    )


# --- measuring -----------------------------------------------------------------------------------


def print_scale(svg: str) -> float:
    """pt per SVG unit when the SVG is printed at its width (in mm)."""
    head = _SVG_OPEN.search(svg)
    assert head is not None
    width_mm = float(re.search(r'width="([\d.]+)mm"', head.group(0)).group(1))  # type: ignore[union-attr]
    return width_mm * PT_PER_MM / _view_box(svg)[2]


def font_sizes_pt(svg: str) -> list[float]:
    """Printed size (pt) of every text of *svg* (font-size × scale; nested rows share it)."""
    scale = print_scale(svg)
    sizes = re.findall(r"font-size:\s*([\d.]+)px", svg)
    return [float(s) * scale for s in sizes]


# --- PNG for Word and PowerPoint -----------------------------------------------------------------


#: Resolution of a diagram row's PNG at its print size, as Word's and the slides' other
#: pictures: on its slide (5,7 in high) the demo's rows get 175 px per inch of the slide – a
#: Full-HD projector shows 144 (1.920 px / 13,33 in). 300 dpi took 1,3 instead of 0,6 s.
PICTURE_DPI = 200
#: kind of a PNG entry in the cache (base64 in JSON)
PNG_CACHE_KIND = "bpmn-png-2"
#: a row's mark (:func:`_svg`): the SHA-256 of its picture, kept by every copy of the row
MARK = "data-kdworkbook-zeile"
_MARKED = re.compile(rf'<svg\b[^>]*?\s{MARK}="([0-9a-f]{{64}})"'.encode())
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def pngs(svgs: list[str], dpi: int = PICTURE_DPI) -> list[bytes]:
    """PNGs of rows from :func:`svgs` at *dpi* at their print size, on a white ground."""
    return [png(svg, dpi) for svg in svgs]


def png(svg: str | bytes, dpi: int = PICTURE_DPI) -> bytes:
    """PNG of one row from :func:`svgs` (cairosvg: the same picture as Chromium's at a third
    of the CPU time of a Chromium start). A row carries its mark (:data:`MARK`) into every
    copy – the notebook's output, the report HTML Word is made from, the slides' drawing – so
    a row converted once, e.g. by the kernel that drew it (:func:`prepare_pngs`), comes from
    the cache (:mod:`kdworkbook.kern.zwischenspeicher`) for Word and the slides – without
    loading cairo (the converter's version for the key comes from its package metadata)."""
    from importlib.metadata import version

    data = svg.encode("utf-8") if isinstance(svg, str) else svg
    mark = _MARKED.search(data, 0, 2000)
    name = zwischenspeicher.key(
        PNG_CACHE_KIND, mark.group(1) if mark else data, str(dpi), version("CairoSVG")
    )
    found = _cached_png(name)
    if found is not None:
        return found
    made = _convert(data, dpi)
    zwischenspeicher.put(PNG_CACHE_KIND, name, {"png": base64.b64encode(made).decode("ascii")})
    return made


def is_row(svg: bytes) -> bool:
    """Whether *svg* is a row of a drawn diagram (it carries :data:`MARK`)."""
    return _MARKED.search(svg, 0, 2000) is not None


def prepare_pngs(svgs: list[str]) -> None:
    """Convert the rows now into the cache, where Word and the slides take them (nothing to
    do when the cache is switched off: each would convert its own)."""
    if zwischenspeicher.folder(PNG_CACHE_KIND) is not None:
        pngs(svgs)


def _convert(svg: bytes, dpi: int) -> bytes:
    import cairosvg

    return cairosvg.svg2png(bytestring=svg, scale=dpi / 96, background_color="white")


def _cached_png(key: str) -> bytes | None:
    entry = zwischenspeicher.get(PNG_CACHE_KIND, key)
    try:
        png = base64.b64decode(entry["png"], validate=True)
    except (TypeError, KeyError, ValueError):
        return None
    return png if png.startswith(_PNG_SIGNATURE) else None
