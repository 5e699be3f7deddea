"""Building blocks of the slides of ``praesentation.pptx``: a 16:9 deck in the run's design.

Text boxes, key-figure cards, tables, native charts and pictures of matplotlib figures, each
at least :data:`MIN_PT` points, in the colours, font and footer of ``gestaltung`` (default:
the report's sober style).
"""

from __future__ import annotations

import io
import re
import struct
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_LEGEND_POSITION
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from kdworkbook.bericht import grafiken
from kdworkbook.bestand.laden import Bestandsaufnahme
from kdworkbook.kern.formatierung import datum
from kdworkbook.kern.gestaltung import Gestaltung

#: Smallest text on a slide (a projected slide read from the back of a council chamber).
MIN_PT = 12
#: Card values up to this many characters at 26 pt, longer ones at 20 pt (a card is 3,8 in
#: wide: „nicht berechenbar“ or „mindestens 1.071.904 €“ stay on one line).
CARD_CHARS = 14
#: Resolution of the pictures of matplotlib figures.
PICTURE_DPI = 200
GREY = RGBColor(0x4A, 0x55, 0x61)
WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.6)
#: Ground of a placeholder the client fills in („[Gremium]“), as in the report's
#: Beschlussvorlage.
PLACEHOLDER_GROUND = "#fff2b3"
_TOP_CARDS, _TOP_TABLE, _TOP_PICTURE = Inches(1.5), Inches(1.45), Inches(1.4)
_BOTTOM_PICTURE = HEIGHT - Inches(0.6)


def rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#").upper())


class Deck:
    """A 16:9 presentation in the run's design (colours, font, logo, footer)."""

    def __init__(self, ba: Bestandsaufnahme) -> None:
        self.ba = ba
        g: Gestaltung = ba.settings.gestaltung
        self.primary = rgb(g.primaerfarbe or grafiken.DEFAULT_PRIMARY)
        self.accent = rgb(g.akzentfarbe or grafiken.DEFAULT_ACCENT)
        self.font = g.schrift or grafiken.DEFAULT_FONT
        self.footer = g.fusszeile or ba.settings.gemeinde
        self.logo = g.logo
        self.logo_daten = g.logo_daten
        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = WIDTH, HEIGHT
        self.blank = self.prs.slide_layouts[6]

    # --- building blocks -------------------------------------------------------------

    def text(
        self,
        slide: Any,
        left,
        top,
        width,
        height,
        text: str,
        size: int = 18,
        bold: bool = False,
        colour: RGBColor | None = None,
    ) -> Any:
        box = slide.shapes.add_textbox(left, top, width, height)
        frame = box.text_frame
        frame.word_wrap = True
        for i, line in enumerate(text.split("\n")):
            para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            run = para.add_run()
            run.text = line
            run.font.size = Pt(max(size, MIN_PT))
            run.font.bold = bold
            run.font.name = self.font
            run.font.color.rgb = colour or RGBColor(0x1F, 0x23, 0x28)
        return box

    def marked(
        self,
        slide: Any,
        box: tuple,
        paragraphs: list[str],
        placeholders: tuple[str, ...],
        size: int = 16,
    ) -> Any:
        """Paragraphs of text in *box* (left, top, width, height) with the *placeholders*
        („[Gremium]“) bold on a yellow ground, as the report marks them."""
        marks = re.compile("(" + "|".join(re.escape(p) for p in placeholders) + ")")
        box = slide.shapes.add_textbox(*box)
        frame = box.text_frame
        frame.word_wrap = True
        for i, text in enumerate(paragraphs):
            para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            para.space_after = Pt(6)
            for piece in marks.split(text):
                if not piece:
                    continue
                run = para.add_run()
                run.text = piece
                run.font.size = Pt(max(size, MIN_PT))
                run.font.name = self.font
                run.font.color.rgb = RGBColor(0x1F, 0x23, 0x28)
                if piece in placeholders:
                    run.font.bold = True
                    _highlight(run, PLACEHOLDER_GROUND)
        return box

    def slide(self, title: str, notes: str) -> Any:
        slide = self.prs.slides.add_slide(self.blank)
        self.text(
            slide,
            MARGIN,
            Inches(0.35),
            WIDTH - 2 * MARGIN,
            Inches(0.8),
            title,
            28,
            True,
            self.primary,
        )
        bar = slide.shapes.add_shape(1, MARGIN, Inches(1.1), Inches(1.2), Inches(0.06))
        bar.fill.solid()
        bar.fill.fore_color.rgb = self.accent
        bar.line.fill.background()
        number = len(self.prs.slides)
        self.text(
            slide,
            MARGIN,
            HEIGHT - Inches(0.5),
            Inches(9),
            Inches(0.4),
            f"{self.footer} · Stand {datum(self.ba.settings.stichtag)}",
            12,
            colour=GREY,
        )
        self.text(
            slide,
            WIDTH - Inches(1.6),
            HEIGHT - Inches(0.5),
            Inches(1),
            Inches(0.4),
            str(number),
            12,
            colour=GREY,
        )
        slide.notes_slide.notes_text_frame.text = notes
        return slide

    def cards(
        self,
        slide: Any,
        cards: dict[str, str],
        top=_TOP_CARDS,
        columns: int = 3,
        total=WIDTH - 2 * MARGIN,
    ) -> None:
        width = int((total - Inches(0.3) * (columns - 1)) / columns)
        for i, (label, value) in enumerate(cards.items()):
            left = MARGIN + (width + Inches(0.3)) * (i % columns)
            y = top + Inches(1.25) * (i // columns)
            size = 26 if len(value) <= CARD_CHARS else 20  # „mindestens 21.335 €“ on one line
            self.text(slide, left, y, width, Inches(0.6), value, size, True, self.primary)
            self.text(slide, left, y + Inches(0.55), width, Inches(0.5), label, 14, colour=GREY)

    def table(
        self,
        slide: Any,
        header: list[str],
        rows: list[list[str]],
        top=_TOP_TABLE,
        widths: list[float] | None = None,
        left=MARGIN,
        width=WIDTH - 2 * MARGIN,
    ) -> Any:
        height = Inches(0.4) * (len(rows) + 1)
        table = slide.shapes.add_table(len(rows) + 1, len(header), left, top, width, height).table
        if widths:
            total = sum(widths)
            for i, w in enumerate(widths):
                table.columns[i].width = Emu(int(width * w / total))
        for r, values in enumerate([header, *rows]):
            for c, value in enumerate(values):
                cell = table.cell(r, c)
                cell.text = value
                for para in cell.text_frame.paragraphs:
                    for run in para.runs:
                        run.font.size = Pt(MIN_PT)
                        run.font.name = self.font
                        run.font.bold = r == 0
                        if r == 0:
                            run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
                if r == 0:
                    cell.fill.solid()
                    cell.fill.fore_color.rgb = self.primary
        return table

    def chart(self, slide: Any, kind: Any, data: Any, box: tuple, legend: bool = False) -> Any:
        chart = slide.shapes.add_chart(kind, *box, data).chart
        chart.font.size = Pt(MIN_PT)
        chart.font.name = self.font
        chart.has_legend = legend
        if legend:
            chart.legend.position = XL_LEGEND_POSITION.BOTTOM
            chart.legend.include_in_layout = False
        return chart

    def colour_series(self, chart: Any, colours: list[RGBColor]) -> None:
        for series, colour in zip(chart.plots[0].series, colours, strict=False):
            series.format.fill.solid()
            series.format.fill.fore_color.rgb = colour

    def picture(self, slide: Any, fig: Figure, top=_TOP_PICTURE) -> None:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=PICTURE_DPI)
        buffer.seek(0)
        max_w, max_h = WIDTH - 2 * MARGIN, HEIGHT - top - Inches(0.6)
        w, h = fig.get_size_inches()
        scale = min(max_w / Inches(w), max_h / Inches(h))
        width = Emu(int(Inches(w) * scale))
        slide.shapes.add_picture(buffer, int((WIDTH - width) / 2), top, width=width)

    def png(self, slide: Any, data: bytes, top=_TOP_PICTURE, bottom=_BOTTOM_PICTURE) -> Any:
        """PNG bytes as a picture as large as fits between *top* and *bottom*, centred."""
        w, h = png_size(data)
        max_w, max_h = WIDTH - 2 * MARGIN, bottom - top
        scale = min(max_w / w, max_h / h)
        width = Emu(int(w * scale))
        return slide.shapes.add_picture(
            io.BytesIO(data), int((WIDTH - width) / 2), top, width=width, height=Emu(int(h * scale))
        )


def _highlight(run: Any, colour: str) -> None:
    """A run on a coloured ground (DrawingML ``a:highlight``, before the font elements)."""
    rpr = run._r.get_or_add_rPr()
    mark = rpr.makeelement(qn("a:highlight"), {})
    mark.append(mark.makeelement(qn("a:srgbClr"), {"val": colour.lstrip("#").upper()}))
    later = [rpr.find(qn(f"a:{name}")) for name in ("uLnTx", "uLn", "uFillTx", "uFill", "latin")]
    later = [e for e in later if e is not None]
    if later:
        later[0].addprevious(mark)
    else:
        rpr.append(mark)


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height in pixels of a PNG (from its header)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("keine PNG-Datei")
    return struct.unpack(">II", data[16:24])


def logo_png(path: Path, data: bytes | None = None) -> bytes:
    """The logo as PNG bytes (an SVG logo rendered at 600 px width); *data*: its bytes as
    read when the settings were validated (:attr:`Gestaltung.logo_daten`), else read now."""
    data = path.read_bytes() if data is None else data
    if path.suffix.lower() == ".svg":
        import cairosvg

        return cairosvg.svg2png(bytestring=data, output_width=600)
    return data
