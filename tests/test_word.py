"""bericht.docx: headings as Word headings, tables as Word tables, SVG charts as PNG pictures."""

import base64
import io

import pytest
from docx import Document
from docx.oxml.ns import qn

from kdworkbook.bericht import dokument, word
from kdworkbook.bericht.folien import png_size
from kdworkbook.bestand.laden import load_bestand
from kdworkbook.massnahmen import kapitel as massnahmen_ansicht

from .conftest import DEMO

pytestmark = pytest.mark.prozess  # pandoc runs as a process of its own


def _svg(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def demo_docx(tmp_path_factory):
    """A report chapter built from the demo's own chapter functions, assembled by the
    report's template (title page, table of contents, chapter), with the Kostenplan chart as an SVG
    picture (as nbconvert embeds it) and the same chart as inline SVG."""
    ba = load_bestand(DEMO)
    p = massnahmen_ansicht.planung(ba)
    svg = _svg(massnahmen_ansicht.cost_chart(p))
    chapter = (
        '<h1 id="k3">Maßnahmenentwicklung</h1>'
        '<h2 id="k3-1">Kostenplan</h2>'
        + massnahmen_ansicht.cost_table(p).data
        + '<div class="output_svg"><img src="data:image/svg+xml;base64,'
        + base64.b64encode(svg).decode()
        + '"></div><h2 id="k3-2">Zeitplan</h2>'
        + svg.decode().split("?>", 1)[-1]
    )
    meta = dokument.ReportMeta(gemeinde="Stadt Musterstadt", stichtag=ba.settings.stichtag)
    toc = [(1, "k3", "Maßnahmenentwicklung"), (2, "k3-1", "Kostenplan")]
    html = dokument._assemble([dokument.Chapter(chapter, chapter, toc)], meta, False)
    target = tmp_path_factory.mktemp("word") / word.FILE_NAME
    assert word.write(html, target, ba.settings) == target
    return Document(str(target))  # python-docx reads it back


def test_title_block_and_toc_field(demo_docx):
    texts = [p.text for p in demo_docx.paragraphs[:3]]
    assert texts == ["Digitalisierungsstrategie", "Stadt Musterstadt", "Stand: 28.11.2026"]
    assert demo_docx.paragraphs[0].style.name == "Title"
    instructions = "".join(t.text for t in demo_docx.element.body.iter(qn("w:instrText")))
    assert "TOC" in instructions
    # the printed title page and table of contents are not copied as text
    assert not any(
        p.text == "Inhalt" and p.style.name.startswith("Heading") for p in demo_docx.paragraphs
    )


def test_headings_are_word_headings(demo_docx):
    headings = [
        (p.style.name, p.text) for p in demo_docx.paragraphs if p.style.name.startswith("Heading")
    ]
    assert headings == [
        ("Heading 1", "Maßnahmenentwicklung"),
        ("Heading 2", "Kostenplan"),
        ("Heading 2", "Zeitplan"),
    ]


def test_cost_table_is_a_word_table_with_the_demo_figures(demo_docx):
    (table,) = demo_docx.tables
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0][:3] == ["Jahr", "Einmalkosten", "laufende Kosten"]
    assert rows[1][:4] == ["2027", "55.000\xa0€", "2.875\xa0€", "57.875\xa0€"]
    assert rows[-1][0] == "Summe"  # 55.000 + 7.000 = 62.000 € einmalig
    assert rows[-1][1] == "62.000\xa0€"


def test_svg_charts_become_png_pictures(demo_docx):
    assert len(demo_docx.inline_shapes) == 2
    parts = [rel.target_part for rel in demo_docx.part.rels.values() if "image" in rel.reltype]
    assert parts and all(part.content_type == "image/png" for part in parts)
    descriptions = [s._inline.docPr.get("descr") for s in demo_docx.inline_shapes]
    assert descriptions == ["Abbildung", "Abbildung"]  # no temporary file of this machine


def test_word_html_converts_inline_svg_and_leaves_out_title_page(tmp_path):
    html = (
        '<header class="titelseite"><h1>Titel</h1></header><nav class="inhalt">Inhalt</nav>'
        '<h1>Kapitel</h1><svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
        '<rect width="40" height="20" fill="#1f4e79"/></svg>'
    )
    prepared = word.word_html(html, tmp_path)
    assert "titelseite" not in prepared and "Inhalt" not in prepared and "<svg" not in prepared
    assert f'src="{tmp_path / "bild1.png"}"' in prepared
    assert (tmp_path / "bild1.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_pictures_rendered_ahead_are_the_ones_word_uses(tmp_path, monkeypatch):
    """A chapter's SVGs – a data URI as nbconvert embeds charts, an inline ``<svg>`` as
    JupyterLab shows them – are rendered while the other notebooks still run; the Word HTML
    then takes these PNGs (nothing is rendered again), byte for byte the ones it would
    render itself."""
    rect = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
        '<rect width="40" height="20" fill="#1f4e79"/></svg>'
    )
    circle = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="30" height="30">'
        '<circle cx="15" cy="15" r="10" fill="#c55a11"/></svg>'
    )
    chapter = (
        '<h1 id="k1">Kapitel</h1><div class="output_svg"><img alt="Abbildung" '
        f'src="data:image/svg+xml;base64,{base64.b64encode(rect.encode()).decode()}"></div>'
        f'<div class="output_svg">{circle}</div>'
    )
    now, ahead = tmp_path / "jetzt", tmp_path / "vorab"
    now.mkdir()
    ahead.mkdir()
    word.word_html(chapter, now)
    with word.Pictures() as pictures:
        pictures.prepare(chapter)
        assert len(pictures._made) == 2
        for future in pictures._made.values():
            future.result()

        def rendered_again(_svg: bytes) -> bytes:
            raise AssertionError("erneut gerendert")

        monkeypatch.setattr(word, "svg_to_png", rendered_again)
        word.word_html(chapter, ahead, pictures)
    for name in ("bild1.png", "bild2.png"):
        assert (ahead / name).read_bytes() == (now / name).read_bytes()
    assert png_size((now / "bild1.png").read_bytes()) == (83, 42)  # 40 × 20 px at 200 dpi


@pytest.mark.browser  # bpmn-js draws the diagrams in Chromium
def test_bpmn_diagrams_beschlussvorlage_and_missing_savings_in_word(tmp_path):
    """The Musterprozess's BPMN rows as pictures at their print size (all five IST rows at
    one scale: 529 units high → 124,9 mm), the Beschlussvorlage page with its tables and
    placeholders, and the texts of missing savings („mindestens“, „nicht berechenbar“,
    „höchstens“) from the plan of the missing-savings tests."""
    from kdworkbook.massnahmen import beschluss
    from kdworkbook.musterprozess import kapitel as mp_ansicht

    from .test_fehlende_einsparung import _plan, _ranked

    ba = load_bestand(DEMO)
    rows = mp_ansicht.diagram_svg(mp_ansicht.load(ba), "ist")
    gap = _plan(_ranked())
    chapter = (
        '<h1 id="k4">Musterprozess</h1>'
        # as the report embeds them (nbconvert: data URI), and inline as JupyterLab does
        + "".join(
            f'<div class="output_svg"><img src="data:image/svg+xml;base64,'
            f'{base64.b64encode(row.encode()).decode()}"></div>'
            for row in rows[:3]
        )
        + "".join(f'<div class="output_svg">{row}</div>' for row in rows[3:])
        + beschluss.page(ba, massnahmen_ansicht.planung(ba)).data
        + massnahmen_ansicht.key_figures(gap).data
        + massnahmen_ansicht.measures_table(gap).data
    )
    meta = dokument.ReportMeta(gemeinde="Stadt Musterstadt", stichtag=ba.settings.stichtag)
    toc = [(1, "k4", "Musterprozess")]
    html = dokument._assemble([dokument.Chapter(chapter, chapter, toc)], meta, False)
    doc = Document(str(word.write(html, tmp_path / word.FILE_NAME, ba.settings)))
    widths = [round(s.width.mm, 1) for s in doc.inline_shapes]
    heights = {round(s.height.mm, 0) for s in doc.inline_shapes}
    assert widths == [134.8, 160.3, 157.0, 157.0, 154.9]  # the rows' widths in the PDF
    assert heights == {125}  # 529 units × 170 mm / 720 units = 124,9 mm
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Vorlage für den [Gremium], Sitzung am [Sitzungsdatum] – Beschlussvorschlag:" in text
    assert "die Einmalkosten in rund 4,8 Jahren wieder ein" in text
    bold = {r.text for p in doc.paragraphs for r in p.runs if r.bold}
    assert {"[Gremium]", "[Sitzungsdatum]", "[Haushaltsstelle]"} <= bold  # marked as on the page
    tables = [[[c.text for c in r.cells] for r in t.rows] for t in doc.tables]
    budget = next(t for t in tables if t[0][:3] == ["Jahr", "einmalig", "laufend"])
    assert [r[1] for r in budget[1:]] == [
        "55.000\xa0€", "7.000\xa0€", "0\xa0€", "0\xa0€", "0\xa0€", "62.000\xa0€",
    ]  # fmt: skip
    first = next(t for t in tables if t[0][:2] == ["Prozess", "Maßnahme"])
    assert len(first) == 1 + 5
    cards = next(t for t in tables if "Einsparung pro Jahr" in t[0])
    assert cards[1][cards[0].index("Einsparung pro Jahr")] == "mindestens 2.000\xa0€"
    plan = next(t for t in tables if t[0][:2] == ["Rang", "Prozess"])
    assert plan[2][-3:] == ["60", "nicht berechenbar", "nicht berechenbar"]  # Bauantrag
    assert plan[-1][-3:] == ["mindestens 100", "mindestens 2.000\xa0€", "höchstens 15,0"]
