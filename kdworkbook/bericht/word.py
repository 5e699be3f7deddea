"""``bericht.docx``: the report as an editable Word document, made from the report's HTML.

pandoc (shipped as a wheel by ``pypandoc-binary``) turns headings into Word headings
(„Überschrift 1/2“, style ids Heading1/2), tables into Word tables and pictures into
embedded images. Word shows no SVG without a PNG fallback, so every SVG chart becomes a
PNG at :data:`PICTURE_DPI` first (the BPMN diagrams' rows as the slides' pictures).
Title, subtitle and date become Word's title block and the table of contents a TOC field
(Word fills it on opening, „Felder aktualisieren“). The styles come from pandoc's reference
document with the run's design (font, colours, footer) applied with python-docx.
"""

from __future__ import annotations

import base64
import concurrent.futures
import io
import re
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from kdworkbook.kern.formatierung import datum

if TYPE_CHECKING:  # python-docx, pandoc and BeautifulSoup are loaded when a file is made
    from bs4 import BeautifulSoup, Tag
    from docx.table import Table

    from kdworkbook.kern.gestaltung import Gestaltung
    from kdworkbook.kern.parameter import Settings

FILE_NAME = "bericht.docx"
#: Resolution of SVG charts turned into pictures for Word.
PICTURE_DPI = 200
#: SVG user units are CSS pixels: 96 per inch.
_CSS_DPI = 96
#: Text size in tables, as in the PDF (body text 10 pt).
TABLE_PT = 8.5
#: Width of a character of 8,5-pt table text (≈ 0,55 em, in twips) and a cell's padding.
_TWIPS_PER_CHAR, _CELL_PADDING_TWIPS, _EMU_PER_TWIP = 115, 300, 635
_SVG_DATA = re.compile(r"^data:image/svg\+xml(;base64)?,", re.IGNORECASE)
_SVG_INLINE = "inline-svg:"  # marks an inline <svg> moved into an <img> for conversion
#: An SVG's width in mm: the picture keeps it in Word (the BPMN diagrams' rows are drawn at one
#: scale, 8 pt labels; stretched to the text width each row would have a scale of its own).
_SVG_OPEN = re.compile(rb"<svg\b[^>]*>", re.S)
_WIDTH = re.compile(rb'\swidth="([\d.]+mm)"')


def svg_to_png(svg: bytes) -> bytes:
    """An SVG picture as PNG at :data:`PICTURE_DPI`; a row of a BPMN diagram as the slides
    show it (:func:`kdworkbook.musterprozess.bpmn_bild.png`: converted once per row, most
    often already by the kernel that drew it)."""
    from kdworkbook.musterprozess import bpmn_bild

    if bpmn_bild.is_row(svg):
        return bpmn_bild.png(svg)
    import cairosvg  # loads the system's libcairo: only when a picture is converted

    return cairosvg.svg2png(bytestring=svg, scale=PICTURE_DPI / _CSS_DPI)


class Pictures:
    """The PNGs of a report's SVG pictures, made ahead: :meth:`prepare` gets each chapter's
    HTML as soon as it is converted (while the other notebooks still run) and renders its
    SVGs in a thread of its own; :func:`write` then takes them from here (the same bytes:
    an SVG is looked up by its text) instead of rendering them after the print started.
    Use as a context manager: leaving it drops what was not rendered yet."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._made: dict[bytes, concurrent.futures.Future[bytes]] = {}
        self._pool = concurrent.futures.ThreadPoolExecutor(1, "kdworkbook-bilder")

    def __enter__(self) -> Pictures:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def prepare(self, html: str) -> None:
        """Render the SVG pictures of *html* (a chapter), in the background."""
        with self._lock:
            for svg in _embedded_svgs(html):
                if svg not in self._made:
                    self._made[svg] = self._pool.submit(svg_to_png, svg)

    def png(self, svg: bytes) -> bytes:
        """*svg* as PNG: rendered ahead, or now (also when its turn has not come yet)."""
        with self._lock:
            future = self._made.get(svg)
        if future is None or future.cancel():
            return svg_to_png(svg)
        return future.result()  # an SVG that cannot be rendered raises here as it would now

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


_SVG_SRC = re.compile(r'<img\b[^>]*?\ssrc="(data:image/svg\+xml;base64,[A-Za-z0-9+/=]+)"', re.I)


def _embedded_svgs(html: str) -> list[bytes]:
    """The SVG pictures of *html* as :func:`word_html` will find them: base64 data URIs
    (as nbconvert embeds charts) and inline ``<svg>`` elements (as JupyterLab shows them)."""
    found = [_svg_data(src) for src in _SVG_SRC.findall(html)]
    if "<svg" in html:
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(html, "html.parser")
        found += [
            str(svg).encode("utf-8")
            for svg in soup.find_all("svg")
            if svg.find_parent("svg") is None
        ]
    return [svg for svg in found if svg is not None]


def _svg_data(src: str) -> bytes | None:
    """The SVG of a ``data:image/svg+xml`` URI, else None."""
    match = _SVG_DATA.match(src)
    if match is None:
        return None
    payload = src[match.end() :]
    return base64.b64decode(payload) if match.group(1) else _unquote(payload)


def word_html(document: str, image_dir: Path, pictures: Pictures | None = None) -> str:
    """The report HTML prepared for pandoc: without the printed title page and table of
    contents (Word makes its own), every picture a PNG file in *image_dir* (SVG rendered
    to PNG, or taken from *pictures*; pandoc reads files four times faster than data URIs
    in the HTML)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(document, "html.parser")
    for tag in soup.select("style, script, header.titelseite, nav.inhalt"):
        tag.decompose()
    for mark in soup.select("span.kd-platzhalter"):  # „[Gremium]“: marked in Word too (bold)
        mark.name = "strong"
        del mark["class"]
    for cards in soup.select("div.kd-karten"):  # key-figure cards: one Word table
        cards.replace_with(_cards_table(soup, cards))
    for svg in soup.find_all("svg"):
        if svg.find_parent("svg") is None:
            svg.replace_with(soup.new_tag("img", src=_SVG_INLINE + str(svg)))
    for number, img in enumerate(soup.find_all("img"), 1):
        src = img.get("src", "")
        if src.startswith(_SVG_INLINE):
            svg = src[len(_SVG_INLINE) :].encode("utf-8")
        else:
            svg = _svg_data(src)
        if svg is not None:
            png = pictures.png(svg) if pictures else svg_to_png(svg)
            if width := _print_width(svg):  # e.g. a BPMN row: its print size, as in the PDF
                img["width"] = width
        elif src.startswith("data:image/png;base64,"):
            png = base64.b64decode(src.partition(",")[2])
        else:
            continue
        path = image_dir / f"bild{number}.png"
        path.write_bytes(png)
        img["src"] = str(path)
        img["alt"] = img.get("alt") or "Abbildung"  # else pandoc names the temporary file
    return str(soup)


def _print_width(svg: bytes) -> str | None:
    """The width of an SVG given in mm (``width="134.8mm"``), else None (pandoc then fits
    the picture to the text width)."""
    head = _SVG_OPEN.search(svg)
    width = _WIDTH.search(head.group(0)) if head else None
    return width.group(1).decode("ascii") if width else None


def _cards_table(soup: BeautifulSoup, cards: Tag) -> Tag:
    """Key-figure cards as a table: the labels as header row, the figures below."""
    table = soup.new_tag("table")
    for part, cell in (("kd-label", "th"), ("kd-wert", "td")):
        row = soup.new_tag("tr")
        for card in cards.select("div.kd-karte"):
            found = card.select_one(f"div.{part}")
            item = soup.new_tag(cell)
            item.string = found.get_text(" ", strip=True) if found else ""
            row.append(item)
        table.append(row)
    return table


def _unquote(payload: str) -> bytes:
    from urllib.parse import unquote_to_bytes

    return unquote_to_bytes(payload)


def _reference_doc(target: Path, design: Gestaltung, footer: str) -> None:
    """pandoc's reference document with the design's font, colours and footer."""
    import pypandoc
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

    from kdworkbook.bericht import grafiken

    raw = subprocess.run(
        [pypandoc.get_pandoc_path(), "--print-default-data-file", "reference.docx"],
        capture_output=True,
        check=True,
    ).stdout
    doc = Document(io.BytesIO(raw))
    font = design.schrift or grafiken.DEFAULT_FONT
    primary = RGBColor.from_string(
        (design.primaerfarbe or grafiken.DEFAULT_PRIMARY).lstrip("#").upper()
    )
    for style in doc.styles:
        if style.type != 1:  # paragraph and character styles only
            continue
        style.font.name = font
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is not None:  # the theme fonts would win over the name
            for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
                fonts.attrib.pop(qn(attr), None)
        if style.name.startswith("Heading") or style.name in ("Title", "Subtitle"):
            style.font.color.rgb = primary
    doc.styles["Normal"].font.size = Pt(10)

    section = doc.sections[0]  # A4 with the PDF's margins
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = section.top_margin = Mm(20)
    section.bottom_margin = Mm(22)
    paragraph = section.footer.paragraphs[0]
    paragraph.text = footer
    doc.save(target)


def _finish(path: Path) -> None:
    """A page break after the title block and after the table of contents; tables across
    the page width (pandoc leaves HTML tables without widths narrow). pandoc marks the
    table of contents as to be updated: Word fills it when the file is opened."""
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt
    from docx.text.run import Run

    doc = Document(path)
    section = doc.sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin
    for table in doc.tables:
        props = table._tbl.tblPr
        width = props.find(qn("w:tblW"))
        if width is None:
            width = OxmlElement("w:tblW")
            props.append(width)
        width.set(qn("w:type"), "pct")
        width.set(qn("w:w"), "5000")
        _column_widths(table, text_width)
        for run in table._tbl.iter(qn("w:r")):  # table text as in the PDF
            Run(run, table).font.size = Pt(TABLE_PT)
    body = doc.element.body
    for picture in body.iter(qn("pic:cNvPr")):  # pandoc writes the image file's path here
        picture.set("descr", "Abbildung")
    toc = body.find(qn("w:sdt"))  # pandoc puts the TOC field in a content control
    if toc is not None:
        for anchor in (toc.getprevious(), toc):
            if anchor is None:
                continue
            p = OxmlElement("w:p")
            run = OxmlElement("w:r")
            br = OxmlElement("w:br")
            br.set(qn("w:type"), "page")
            run.append(br)
            p.append(run)
            anchor.addnext(p)
    doc.save(path)


def _column_widths(table: Table, text_width: int) -> None:
    """Every column at least as wide as its longest word (never broken mid-word), the rest of
    *text_width* (EMU) shared by the length of the columns' texts (up to 40 characters)."""
    from docx.oxml.ns import qn

    columns = table._tbl.tblGrid.findall(qn("w:gridCol"))
    words, texts = [1] * len(columns), [1] * len(columns)
    for row in table._tbl.tr_lst:
        for i, cell in enumerate(row.tc_lst[: len(columns)]):
            text = "".join(node.text or "" for node in cell.iter(qn("w:t")))
            words[i] = max(words[i], max((len(w) for w in text.split()), default=0))
            texts[i] = max(texts[i], min(len(text), 40))
    total = text_width // _EMU_PER_TWIP
    least = [w * _TWIPS_PER_CHAR + _CELL_PADDING_TWIPS for w in words]
    if sum(least) >= total:  # too many long words: shrink all alike
        widths = [w * total // sum(least) for w in least]
    else:
        rest = total - sum(least)
        widths = [w + rest * t // sum(texts) for w, t in zip(least, texts, strict=True)]
    for column, width in zip(columns, widths, strict=True):
        column.set(qn("w:w"), str(width))


def write(
    document: str, target: Path, settings: Settings, pictures: Pictures | None = None
) -> Path:
    """*document* (the report HTML) as ``bericht.docx`` at *target*, in the run's design;
    its SVG pictures from *pictures* where they were rendered ahead."""
    import pypandoc

    gemeinde, stichtag, design = settings.gemeinde, settings.stichtag, settings.gestaltung
    target = Path(target)
    with tempfile.TemporaryDirectory() as tmp:
        reference = Path(tmp) / "referenz.docx"
        _reference_doc(reference, design, design.fusszeile or gemeinde)
        pypandoc.convert_text(
            word_html(document, Path(tmp), pictures),
            "docx",
            format="html",
            outputfile=str(target),
            extra_args=[
                f"--reference-doc={reference}",
                "--toc",
                "--toc-depth=2",
                "--metadata=title:Digitalisierungsstrategie",
                f"--metadata=subtitle:{gemeinde}",
                f"--metadata=date:Stand: {datum(stichtag)}",
                "--metadata=toc-title:Inhalt",
                "--metadata=lang:de-DE",
            ],
        )
    _finish(target)
    if design.logo is not None:
        _add_logo(target, design)
    return target


def _add_logo(path: Path, design: Gestaltung) -> None:
    """The design's logo above the title, 2,5 cm high."""
    from docx import Document
    from docx.shared import Cm

    from kdworkbook.bericht.folien import logo_png

    assert design.logo is not None
    doc = Document(path)
    first = doc.paragraphs[0]
    holder = first.insert_paragraph_before()
    holder.add_run().add_picture(
        io.BytesIO(logo_png(design.logo, design.logo_daten)), height=Cm(2.5)
    )
    doc.save(path)
