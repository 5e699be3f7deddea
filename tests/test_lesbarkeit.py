"""Legibility of the printed report, measured in the PDF (A4, as a client prints it).

Body text ≥ 10 pt, table text ≥ 8 pt, every character ≥ 7 pt (charts and diagrams too), and
no two words of a chart drawn over each other. What a character is comes from the PDF's
structure tree (Chromium prints tagged PDF): text in ``TD``/``TH`` is table text, in ``P``,
``LI`` or a heading body text, marked ``Figure`` chart text. Checked on the demo and on a
municipality with 400 processes (the survey of ``scripts/bench.py``).
"""

from __future__ import annotations

import importlib.util
import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pytest

from kdworkbook.lauf import lauf

from .conftest import ROOT

#: Smallest size per kind of text, in pt (issue: body 10, tables 8, charts 7 at A4 print).
MINIMUM = {"Fließtext": 10.0, "Tabelle": 8.0, "Diagramm": 7.0, "sonstiger Text": 7.0}
#: Sizes in a PDF are floats (10 pt is written as 9,9975): this much below still counts.
SLACK_PT = 0.01
#: Two words of a chart overlap when their boxes share this much of the smaller one's height
#: and more than this many points of width (touching boxes of neighbouring lines do not).
OVERLAP_HEIGHT_SHARE, OVERLAP_WIDTH_PT = 0.3, 1.0

_BODY = {"P", "LI", "Lbl", "LBody", "H1", "H2", "H3", "H4", "H5", "H6", "BlockQuote"}


@dataclass(frozen=True)
class Finding:
    page: int
    kind: str
    text: str
    size: float


def _paths(page: pdfplumber.page.Page) -> dict[int, tuple[str, ...]]:
    """Marked-content id → the structure types above it (``Document, Sect, Table, TR, TD``)."""
    paths: dict[int, tuple[str, ...]] = {}

    def walk(nodes: list[dict], above: tuple[str, ...]) -> None:
        for node in nodes:
            here = (*above, node["type"])
            for mcid in node.get("mcids") or []:
                paths[mcid] = here
            walk(node.get("children") or [], here)

    walk(page.structure_tree, ())
    return paths


def _kind(char: dict, paths: dict[int, tuple[str, ...]]) -> str:
    path = paths.get(char.get("mcid"), ())
    if char.get("tag") == "Figure" or "Figure" in path:
        return "Diagramm"
    if {"TD", "TH"} & set(path):
        return "Tabelle"
    if _BODY & set(path):
        return "Fließtext"
    return "sonstiger Text"  # footer, key-figure cards: only the floor of 7 pt


def size_of(char: dict) -> float:
    """The font size a reader sees, also for turned text (an axis title at 90°).

    pdfminer's ``size`` is the height of the character's box, which for text turned by 90° is
    the advance of the letter („i“ of a 10-pt axis title: 2,7 pt). The box of a glyph turned
    by θ is W = A·|cos θ| + S·|sin θ| wide and H = A·|sin θ| + S·|cos θ| high, with A the
    advance and S the size on the page; A is known (``adv`` × the matrix' scale), S follows.
    """
    a, b = char["matrix"][:2]
    scale = math.hypot(a, b)
    cos, sin = abs(a) / scale, abs(b) / scale
    advance = char["adv"] * scale
    if cos >= sin:
        return (char["bottom"] - char["top"] - advance * sin) / cos
    return (char["x1"] - char["x0"] - advance * cos) / sin


def _square(char: dict) -> bool:
    """Upright or turned by a multiple of 90° (boxes of slanted letters overlap their
    neighbours, so slanted labels are left out of the overlap check)."""
    a, b = char["matrix"][:2]
    return min(abs(a), abs(b)) < 0.01 * math.hypot(a, b)


def _level(char: dict) -> bool:
    """Written left to right, not turned. pdfminer's ``upright`` flag tests the matrix' signs
    (a·d > 0, b·c ≤ 0) and so counts a letter turned by 90° as upright when a and d are
    rounding noise (−1,3·10⁻¹⁶ each, the product positive): the lane titles of the BPMN
    diagrams. Their letters follow each other upwards, at one x, which is no overlap."""
    a, b = char["matrix"][:2]
    return a > 0 and abs(b) < 0.01 * math.hypot(a, b)


def _words(page: pdfplumber.page.Page) -> list[dict]:
    return page.extract_words(
        extra_attrs=["size", "upright"], return_chars=True, keep_blank_chars=False
    )


def _too_small(page: pdfplumber.page.Page, words: list[dict], paths: dict) -> list[Finding]:
    """Every word with a character below the minimum of its kind."""
    findings = []
    for word in words:
        for char in word["chars"]:
            kind, size = _kind(char, paths), size_of(char)
            if size < MINIMUM[kind] - SLACK_PT:
                findings.append(Finding(page.page_number, kind, word["text"], size))
                break
    return findings


def _overlap(a: dict, b: dict) -> bool:
    width = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
    height = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
    smaller = min(a["bottom"] - a["top"], b["bottom"] - b["top"])
    return width > OVERLAP_WIDTH_PT and height > OVERLAP_HEIGHT_SHARE * smaller


def _overlapping(page: pdfplumber.page.Page, words: list[dict], paths: dict) -> list[str]:
    """Words of charts whose boxes intersect, and words whose own letters are drawn over
    each other (two labels at one place merge into one word)."""
    findings = []
    words = [
        w
        for w in words
        if _kind(w["chars"][0], paths) == "Diagramm" and all(map(_square, w["chars"]))
    ]
    words.sort(key=lambda w: w["x0"])
    for i, a in enumerate(words):
        for b in words[i + 1 :]:
            if b["x0"] >= a["x1"]:
                break
            if _overlap(a, b):
                findings.append(f"S. {page.page_number}: „{a['text']}“ überdeckt „{b['text']}“")
        chars = a["chars"]
        if not all(map(_level, chars)):
            continue
        for left, right in zip(chars, chars[1:], strict=False):
            if right["x0"] < left["x1"] - 0.5 * (left["x1"] - left["x0"]):
                findings.append(f"S. {page.page_number}: „{a['text']}“ – Zeichen übereinander")
                break
    return findings


_HEADINGS = {"H1", "H2", "H3", "H4", "H5", "H6"}


def _heading_at_foot(page: pdfplumber.page.Page, words: list[dict], paths: dict) -> list[str]:
    """The page's last line of content (above the footer) is a heading: its text follows on
    the next page."""
    content = [w for w in words if paths.get(w["chars"][0].get("mcid"))]
    if not content:
        return []
    last = max(content, key=lambda w: w["bottom"])
    line = [w for w in content if abs(w["bottom"] - last["bottom"]) < 2]
    if all(_HEADINGS & set(paths[w["chars"][0]["mcid"]]) for w in line):
        text = " ".join(w["text"] for w in sorted(line, key=lambda w: w["x0"]))
        return [f"S. {page.page_number}: Überschrift „{text}“ steht allein am Seitenende"]
    return []


@dataclass
class Measured:
    """What the checks found in one PDF (read once: reading a 50-page report takes a while)."""

    too_small: list[Finding]
    overlapping: list[str]
    headings_at_foot: list[str]


def measure(pdf: Path) -> Measured:
    found = Measured([], [], [])
    with pdfplumber.open(pdf) as document:
        for page in document.pages:
            paths, words = _paths(page), _words(page)
            found.too_small += _too_small(page, words, paths)
            found.overlapping += _overlapping(page, words, paths)
            found.headings_at_foot += _heading_at_foot(page, words, paths)
            page.close()  # frees the page's parsed objects
    return found


def _report(findings: list[Finding]) -> str:
    """One line per page, kind and size: „S. 20, Diagramm 5,7 pt (mindestens 7 pt): …“."""
    groups: dict[tuple[int, str, float], list[str]] = defaultdict(list)
    for f in findings:
        groups[(f.page, f.kind, round(f.size, 1))].append(f"„{f.text}“")
    lines = [f"{len(findings)} Wörter zu klein gedruckt:"]
    for (page, kind, size), words in sorted(groups.items()):
        least = f"{MINIMUM[kind]:g}".replace(".", ",")
        shown = f"{size:.1f}".replace(".", ",")
        lines.append(f"  S. {page}, {kind} {shown} pt (mindestens {least} pt): {' '.join(words)}")
    return "\n".join(lines)


def _bench_module():
    spec = importlib.util.spec_from_file_location("bench", ROOT / "scripts" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session", params=["demo", "400 Prozesse"])
def printed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Measured:
    """The PDF of one real run (papermill, Chromium) per municipality and session, measured."""
    if request.param == "demo":
        return measure(request.getfixturevalue("demo_pdf"))  # the run other tests read too
    folder = tmp_path_factory.mktemp("lesbarkeit")
    parameters = _bench_module().synthetic_survey(folder, 400)
    return measure(lauf.run(parameters, folder / "ausgabe").pdf)


def test_no_text_below_its_minimum_size(printed: Measured) -> None:
    assert not printed.too_small, _report(printed.too_small)


def test_no_overlapping_words_in_charts(printed: Measured) -> None:
    findings = printed.overlapping
    assert not findings, "\n".join([f"{len(findings)} Überdeckungen:", *findings])


def test_headings_stay_with_what_follows(printed: Measured) -> None:
    assert not printed.headings_at_foot, "\n".join(printed.headings_at_foot)


# --- the checks themselves, on a PDF printed from hand-written HTML --------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Page 1: body text 10 pt and 9 pt, table 8,5 pt and 7,5 pt, an SVG chart with a 7-pt
    label, a 6-pt label and two labels drawn at one place; page 2: a heading at the foot."""
    from kdworkbook.bericht.browser import PdfPrinter, find_browser

    folder = tmp_path_factory.mktemp("probe")
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="300pt" height="100pt" '
        'style="font-family: DejaVu Sans">'
        '<text x="10" y="20" font-size="7pt">Achse</text>'
        '<text x="10" y="50" font-size="6pt">winzig</text>'
        '<text x="100" y="80" font-size="8pt">Links</text>'
        '<text x="104" y="81" font-size="8pt">Rechts</text>'
        "</svg>"
    )
    table = (  # with a header row and two rows: Chromium tags it as a data table
        '<table style="font-size: {size}"><thead><tr><th>Amt</th><th>Fälle</th></tr></thead>'
        "<tbody><tr><td>{cell}</td><td>12</td></tr><tr><td>Rat</td><td>3</td></tr></tbody>"
        "</table>"
    )
    page = folder / "probe.html"
    page.write_text(
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><style>'
        "@page { size: A4; margin: 20mm } body { font-family: 'DejaVu Sans' }"
        "</style></head><body>"
        '<p style="font-size: 10pt">Groß genug</p><p style="font-size: 9pt">Zu klein</p>'
        + table.format(size="8.5pt", cell="Zelle")
        + table.format(size="7.5pt", cell="Kleinzelle")
        + f"<figure>{svg}</figure>"
        # page 2: a heading allowed to part from its text ends up at the foot of the page
        + '<div style="break-before: page; height: 215mm"></div>'
        + '<h2 style="break-after: auto">Allein am Fuß</h2>'
        + '<p style="break-inside: avoid; height: 40mm">Der Text dazu.</p></body></html>',
        encoding="utf-8",
    )
    with PdfPrinter(find_browser()) as printer:
        pdf = folder / "probe.pdf"
        pdf.write_bytes(printer.print(page))
    return pdf


def test_too_small_names_page_kind_text_and_size(sample: Path) -> None:
    measured = measure(sample)
    found = {(f.kind, f.text, round(f.size, 1)) for f in measured.too_small}
    assert found == {
        ("Fließtext", "Zu", 9.0),
        ("Fließtext", "klein", 9.0),
        *{("Tabelle", word, 7.5) for word in ("Amt", "Fälle", "Kleinzelle", "12", "Rat", "3")},
        ("Diagramm", "winzig", 6.0),
    }
    message = _report(measured.too_small)
    assert "S. 1, Tabelle 7,5 pt (mindestens 8 pt): „Amt“ „Fälle“ „Kleinzelle“" in message


def test_heading_at_foot_is_found(sample: Path) -> None:
    assert measure(sample).headings_at_foot == [
        "S. 2: Überschrift „Allein am Fuß“ steht allein am Seitenende"
    ]


def test_overlapping_finds_labels_drawn_over_each_other(sample: Path) -> None:
    findings = measure(sample).overlapping
    assert len(findings) == 1 and findings[0].startswith("S. 1: „L"), findings


def test_letters_turned_by_90_degrees_are_not_level() -> None:
    """The matrix of the „l“ of „Online-Portal“, a BPMN lane title (S. 45 of the demo): turned
    by 90° and scaled to 0,73, a and d rounding noise – pdfminer calls it upright."""
    turned = {"matrix": (-1.3389e-16, 0.728705, -0.728871, -1.3386e-16, 126.13, 499.76)}
    assert not _level(turned)
    assert _level({"matrix": (0.728705, 0.0, 0.0, 0.728871, 126.13, 499.76)})
    assert not _level({"matrix": (-1.0, 0.0, 0.0, -1.0, 0.0, 0.0)})  # upside down
