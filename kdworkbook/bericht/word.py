"""``bericht.docx``: the report as an editable Word document, made from the report's HTML.

pandoc (shipped as a wheel by ``pypandoc-binary``) turns headings into Word headings
(„Überschrift 1/2“, style ids Heading1/2), tables into Word tables and pictures into
embedded images. Word shows no SVG without a PNG fallback, so every SVG chart becomes a
PNG at :data:`PICTURE_DPI` first. Title, subtitle and date become Word's title block and
the table of contents a TOC field (Word fills it on opening, „Felder aktualisieren“).
The styles come from pandoc's reference document with the run's design (font, colours,
footer) applied with python-docx.
"""

from __future__ import annotations

import base64
import io
import re
import subprocess
import tempfile
from pathlib import Path

from bs4 import BeautifulSoup
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from kdworkbook.bericht import grafiken
from kdworkbook.kern.formatierung import datum
from kdworkbook.kern.gestaltung import Gestaltung
from kdworkbook.kern.parameter import Settings

FILE_NAME = "bericht.docx"
#: Resolution of SVG charts turned into pictures for Word.
PICTURE_DPI = 200
#: SVG user units are CSS pixels: 96 per inch.
_CSS_DPI = 96
_SVG_DATA = re.compile(r"^data:image/svg\+xml(;base64)?,", re.IGNORECASE)


def svg_to_png(svg: bytes) -> bytes:
    """An SVG picture as PNG at :data:`PICTURE_DPI`."""
    import cairosvg

    return cairosvg.svg2png(bytestring=svg, scale=PICTURE_DPI / _CSS_DPI)


def _png_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def word_html(document: str) -> str:
    """The report HTML prepared for pandoc: without the printed title page and table of
    contents (Word makes its own), SVG pictures and inline SVG as PNG."""
    soup = BeautifulSoup(document, "html.parser")
    for tag in soup.select("style, script, header.titelseite, nav.inhalt"):
        tag.decompose()
    for img in soup.find_all("img"):
        src = img.get("src", "")
        match = _SVG_DATA.match(src)
        if match:
            payload = src[match.end() :]
            svg = base64.b64decode(payload) if match.group(1) else _unquote(payload)
            img["src"] = _png_uri(svg_to_png(svg))
    for svg in soup.find_all("svg"):
        if svg.find_parent("svg") is None:
            img = soup.new_tag("img", src=_png_uri(svg_to_png(str(svg).encode("utf-8"))))
            svg.replace_with(img)
    return str(soup)


def _unquote(payload: str) -> bytes:
    from urllib.parse import unquote_to_bytes

    return unquote_to_bytes(payload)


def _reference_doc(target: Path, design: Gestaltung, footer: str) -> None:
    """pandoc's reference document with the design's font, colours and footer."""
    import pypandoc

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
    paragraph = doc.sections[0].footer.paragraphs[0]
    paragraph.text = footer
    doc.save(target)


def _page_breaks(path: Path) -> None:
    """A page break after the title block and after the table of contents."""
    doc = Document(path)
    body = doc.element.body
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


def write(document: str, target: Path, settings: Settings) -> Path:
    """*document* (the report HTML) as ``bericht.docx`` at *target*, in the run's design."""
    gemeinde, stichtag, design = settings.gemeinde, settings.stichtag, settings.gestaltung
    import pypandoc

    target = Path(target)
    with tempfile.TemporaryDirectory() as tmp:
        reference = Path(tmp) / "referenz.docx"
        _reference_doc(reference, design, design.fusszeile or gemeinde)
        pypandoc.convert_text(
            word_html(document),
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
    _page_breaks(target)
    if design.logo is not None:
        _add_logo(target, design)
    return target


def _add_logo(path: Path, design: Gestaltung) -> None:
    from docx.shared import Cm

    from kdworkbook.bericht.praesentation import logo_png

    assert design.logo is not None
    doc = Document(path)
    first = doc.paragraphs[0]
    holder = first.insert_paragraph_before()
    holder.add_run().add_picture(io.BytesIO(logo_png(design.logo)), height=Cm(2.5))
    doc.save(path)
