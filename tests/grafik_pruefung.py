"""What „legible“ means for a chart, checked on the drawn figure.

One definition for every chart test: draw the figure (Agg), collect every text that was really
drawn (visible, not empty, tick labels only of the ticks shown, annotations only where they
are drawn) with its window extent, and report

- texts smaller than :data:`MIN_PT` (the print rule is 7 pt; charts print 1:1, so 8 pt at
  drawn size leaves a margin),
- texts reaching outside the figure (clipped in print),
- pairs of texts whose boxes intersect by more than :data:`TOLERANCE_PX` in both directions.

Boxes are the texts' axis-aligned window extents at the figure's dpi – the same rectangles a
PDF library sees around the characters, up to the font's line height. A test on the printed PDF
uses :func:`overlap` for the same rule: ``Bbox.from_extents(x0, top, x1, bottom)`` of two
words (pdfplumber's boxes, in pt), with ``tolerance=TOLERANCE_PX * 0.72`` (1 px at 100 dpi).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from unittest import mock

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

#: Smallest chart text at drawn size, pt.
MIN_PT = 8.0
#: Smallest title (figure and axes titles), pt.
MIN_TITLE_PT = 9.0
#: Two boxes may share this many pixels (at 100 dpi) without counting as overlapping: the
#: line-height padding of two neighbouring lines of a legend touches.
TOLERANCE_PX = 1.0


@dataclass(frozen=True)
class Gezeichnet:
    """A drawn text: its string, size in pt and window extent in pixels."""

    text: str
    size: float
    box: Bbox
    title: bool

    def __str__(self) -> str:
        b = self.box
        return f"„{self.text}“ {self.size:g} pt [{b.x0:.0f}, {b.y0:.0f}, {b.x1:.0f}, {b.y1:.0f}]"


def drawn_texts(fig: Figure) -> list[Gezeichnet]:
    """Draw *fig* and return every text that reached the renderer."""
    canvas = FigureCanvasAgg(fig)
    seen: list[Text] = []
    original = Text.draw

    def recording(self: Text, renderer) -> None:  # noqa: ANN001 – matplotlib's signature
        if self.get_visible() and self.get_text().strip():
            seen.append(self)
        return original(self, renderer)

    with mock.patch.object(Text, "draw", recording):
        canvas.draw()
    renderer = canvas.get_renderer()
    titles = {id(fig._suptitle)} if fig._suptitle is not None else set()
    for ax in fig.axes:
        titles |= {id(ax.title), id(ax._left_title), id(ax._right_title)}
    result = []
    for t in dict.fromkeys(seen):  # an artist drawn twice counts once
        # Text's own extent: an Annotation's would include its leader line
        box = Text.get_window_extent(t, renderer)
        result.append(Gezeichnet(t.get_text(), t.get_fontsize(), box, id(t) in titles))
    return result


def problems(fig: Figure, texts: list[Gezeichnet] | None = None) -> list[str]:
    """Every breach of the chart rules in *fig*, as readable lines (empty = legible)."""
    texts = drawn_texts(fig) if texts is None else texts
    frame = fig.bbox
    found = []
    for t in texts:
        floor = MIN_TITLE_PT if t.title else MIN_PT
        if t.size < floor:
            found.append(f"zu klein (< {floor:g} pt): {t}")
        b = t.box
        if (
            b.x0 < frame.x0 - TOLERANCE_PX
            or b.y0 < frame.y0 - TOLERANCE_PX
            or b.x1 > frame.x1 + TOLERANCE_PX
            or b.y1 > frame.y1 + TOLERANCE_PX
        ):
            found.append(f"ragt aus dem Bild ({frame.width:.0f}×{frame.height:.0f}): {t}")
    for a, b in combinations(texts, 2):
        if overlap(a.box, b.box):
            found.append(f"überlappt: {a} und {b}")
    return found


def overlap(a: Bbox, b: Bbox, tolerance: float = TOLERANCE_PX) -> bool:
    """True if *a* and *b* share more than *tolerance* pixels in both directions."""
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    return width > tolerance and height > tolerance


def assert_legible(fig: Figure) -> list[Gezeichnet]:
    """Fail with every problem listed; return the drawn texts for further checks."""
    texts = drawn_texts(fig)
    found = problems(fig, texts)
    assert not found, "\n".join(found)
    return texts
