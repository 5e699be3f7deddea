"""Corporate design (``gestaltung``): validation, German messages, applied to every output."""

import base64
import json
import zipfile
from pathlib import Path

import nbformat
import pytest
from docx import Document
from matplotlib.figure import Figure
from openpyxl import load_workbook
from pptx import Presentation

from kdworkbook.bericht import folien, grafiken
from kdworkbook.cli import main
from kdworkbook.kern.errors import InputError
from kdworkbook.kern.gestaltung import Gestaltung, logo_data_uri, report_css
from kdworkbook.kern.parameter import load_settings
from kdworkbook.lauf import lauf

from .conftest import HEADER, SEED_ROWS, write_params, write_xlsx

BASE = "gemeinde: Stadt Design\nbestand: a.xlsx\nstichtag: 2026-11-28\n"


def _logo(path: Path) -> Path:
    """A PNG logo as an image program writes it."""
    fig = Figure(figsize=(2, 0.6))
    fig.text(0.05, 0.3, "Kreis", fontsize=20, color="#8a1538")
    fig.savefig(path, dpi=100)
    return path


@pytest.fixture
def design_folder(tmp_path):
    write_xlsx(tmp_path / "a.xlsx", HEADER, SEED_ROWS)
    _logo(tmp_path / "logo.png")
    (tmp_path / "agentur.yaml").write_text(
        'logo: logo.png\nprimaerfarbe: "#8A1538"\nakzentfarbe: "#e08a00"\n'
        "schrift: Liberation Sans\nfusszeile: Kommunal Agentur NRW · vertraulich\n",
        encoding="utf-8",
    )
    return tmp_path


def test_design_file_and_overrides_beside_it(design_folder):
    params = write_params(
        design_folder,
        BASE + 'gestaltung:\n  datei: agentur.yaml\n  zusatzfarbe: "#d0c4b0"\n'
        '  akzentfarbe: "#004400"\n',
    )
    g = load_settings(params).gestaltung
    assert g.primaerfarbe == "#8a1538"  # from the file, lower case
    assert g.akzentfarbe == "#004400"  # the parameter file wins
    assert g.zusatzfarbe == "#d0c4b0"
    assert g.logo == (design_folder / "logo.png").resolve()
    assert g.schrift == "Liberation Sans"
    assert report_css(g).splitlines()[1] == ":root { --akzent: #8a1538; --linie: #d0c4b0; }"
    assert logo_data_uri(g).startswith("data:image/png;base64,iVBORw0KGgo")


def test_default_changes_nothing():
    assert report_css(Gestaltung()) == "" and logo_data_uri(Gestaltung()) == ""
    grafiken.apply_design(None, None, None)
    assert (grafiken.PRIMARY, grafiken.ACCENT) == ("#1f4e79", "#c55a11")


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        (
            'gestaltung:\n  primaerfarbe: "#12345"\n',
            "Schlüssel „gestaltung → primaerfarbe“: „#12345“ ist keine Farbe – erwartet: "
            "Hex-Wert mit # und 6 Stellen",
        ),
        (
            "gestaltung:\n  akzentfarbe: rot\n",
            "Schlüssel „gestaltung → akzentfarbe“: „rot“ ist keine Farbe",
        ),
        (
            "gestaltung:\n  logo: fehlt.png\n",
            "Schlüssel „gestaltung → logo“: Logo-Datei „fehlt.png“ nicht gefunden",
        ),
        (
            "gestaltung:\n  logo: a.xlsx\n",
            "Schlüssel „gestaltung → logo“: Logo „a.xlsx“: erwartet eine PNG- oder SVG-Datei",
        ),
        (
            "gestaltung:\n  schrift: Fantasie Grotesk\n",
            "Schlüssel „gestaltung → schrift“: Schrift „Fantasie Grotesk“ ist auf diesem Rechner "
            "nicht installiert",
        ),
        (
            "gestaltung:\n  farbe: blau\n",
            "Schlüssel „gestaltung → farbe“: ist kein bekannter Schlüssel (Tippfehler?)",
        ),
        (
            "gestaltung:\n  datei: weg.yaml\n",
            "Schlüssel „gestaltung“: Gestaltungsdatei „weg.yaml“ nicht gefunden",
        ),
    ],
)
def test_bad_design_german_message(design_folder, section, expected):
    params = write_params(design_folder, BASE + section)
    with pytest.raises(InputError) as caught:
        load_settings(params)
    assert expected in str(caught.value)
    assert str(params) in str(caught.value)


def test_bad_value_in_design_file_names_that_file(design_folder):
    (design_folder / "agentur.yaml").write_text('primaerfarbe: "#zz0000"\n', encoding="utf-8")
    params = write_params(design_folder, BASE + "gestaltung:\n  datei: agentur.yaml\n")
    with pytest.raises(InputError) as caught:
        load_settings(params)
    assert str(caught.value).startswith(
        f"{design_folder / 'agentur.yaml'}: Schlüssel „primaerfarbe“: „#zz0000“ ist keine Farbe"
    )


def test_check_exits_2_on_bad_colour(design_folder, capsys):
    params = write_params(design_folder, BASE + "gestaltung:\n  primaerfarbe: blau\n")
    assert main(["check", str(params)]) == 2
    err = capsys.readouterr().err
    assert "„blau“ ist keine Farbe" in err and "Traceback" not in err


def _chart_notebook(folder: Path) -> Path:
    """One step that takes the run's hand-over and draws a chart, as the chapters do."""
    folder.mkdir()
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('parameter_file = ""\nvorberechnung = None')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        params,
        nbformat.v4.new_code_cell(
            "from kdworkbook.bericht import anzeige\n"
            "from kdworkbook.bestand import kapitel\n"
            "from kdworkbook.lauf.vorberechnung import bestandsaufnahme\n"
            "anzeige.setup()\nba = bestandsaufnahme(parameter_file, vorberechnung)"
        ),
        nbformat.v4.new_markdown_cell("# Bestand"),
        nbformat.v4.new_code_cell("kapitel.fachamt_chart(ba)"),
    ]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, folder / "02_bestand.ipynb")
    return folder


def test_run_in_corporate_design(design_folder):
    params = write_params(design_folder, BASE + "gestaltung:\n  datei: agentur.yaml\n")
    result = lauf.run(
        params, design_folder / "out", notebook_dir=_chart_notebook(design_folder / "nb")
    )
    run = result.run_dir
    html = (run / "bericht.html").read_text(encoding="utf-8")
    assert ":root { --akzent: #8a1538; }" in html
    assert 'html { font-family: "Liberation Sans", "DejaVu Sans", sans-serif; }' in html
    assert '<img class="titel-logo" alt="Logo" src="data:image/png;base64,' in html
    # the chart drawn in the kernel has the design's colour and font
    executed = nbformat.read(run / "02_bestand.ipynb", as_version=4)
    svg = json.dumps(executed.cells[-1].outputs)
    assert "#8a1538" in svg and "Liberation Sans" in svg
    # Excel: header rows filled with the primary colour
    sheet = load_workbook(run / "anhang.xlsx").worksheets[0]
    assert sheet["A1"].fill.fgColor.rgb == "FF8A1538"
    assert sheet["A1"].font.color.rgb == "FFFFFFFF"
    # PowerPoint: colour band and logo on the title slide, the footer text on every slide
    deck = Presentation(str(run / "praesentation.pptx"))
    title = deck.slides[0]
    assert str(title.shapes[0].fill.fore_color.rgb) == "8A1538"
    assert any(s.shape_type == 13 for s in title.shapes)  # the logo picture
    footer = [s.text_frame.text for s in deck.slides[1].shapes if s.has_text_frame]
    assert "Kommunal Agentur NRW · vertraulich · Stand 28.11.2026" in footer
    # Word: headings in the colour and font, the footer text, the logo above the title
    doc = Document(str(run / "bericht.docx"))
    heading = doc.styles["Heading 1"]
    assert str(heading.font.color.rgb) == "8A1538" and heading.font.name == "Liberation Sans"
    assert doc.sections[0].footer.paragraphs[0].text == "Kommunal Agentur NRW · vertraulich"
    assert len(doc.inline_shapes) >= 2  # the logo and the chart
    logo = base64.b64decode(
        html.split('titel-logo" alt="Logo" src="data:image/png;base64,')[1].split('"')[0]
    )
    assert logo == (design_folder / "logo.png").read_bytes()
    # neither file names a folder of this machine (the run's, the design's, a temporary one)
    for name in ("bericht.docx", "praesentation.pptx"):
        with zipfile.ZipFile(run / name) as archive:
            xml = " ".join(
                archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".xml")
            )
        assert str(design_folder) not in xml and "/tmp" not in xml, name


def test_svg_logo_for_html_and_as_png_for_office(design_folder):
    """An SVG logo as a drawing program saves it (Inkscape-style header and viewBox)."""
    (design_folder / "logo.svg").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
        'width="120mm" height="30mm" viewBox="0 0 120 30"><rect width="120" height="30" '
        'fill="#8a1538"/></svg>\n',
        encoding="utf-8",
    )
    params = write_params(design_folder, BASE + "gestaltung:\n  logo: logo.svg\n")
    g = load_settings(params).gestaltung
    assert logo_data_uri(g).startswith("data:image/svg+xml;base64,")
    png = folien.logo_png(g.logo)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(png[16:20], "big") == 600  # rendered 600 px wide


def test_portfolio_quadrants_follow_the_design(design_folder):
    """„Strategisches Projekt“ in the design's primary colour, „Füllprojekt“ in it mixed with
    57 % white: #8a1538 → (138 + 117 × 0,57, 21 + 234 × 0,57, 56 + 199 × 0,57) = #cd9aa9.
    The mapping is read when used, so a module that imported it before the design was
    applied (the workshop's portfolio) gets the design too."""
    from matplotlib.colors import to_hex

    from kdworkbook.bericht import praesentation
    from kdworkbook.bestand.laden import load_bestand
    from kdworkbook.massnahmen import grafiken as massnahmen_grafiken
    from kdworkbook.massnahmen import kapitel as massnahmen_ansicht
    from kdworkbook.workshop import grafik as workshop_grafik

    try:
        params = write_params(design_folder, BASE + "gestaltung:\n  datei: agentur.yaml\n")
        ba = load_bestand(params)  # applies the design to the charts
        colours = dict(workshop_grafik.QUADRANT_COLOURS)
        assert colours["Strategisches Projekt"] == "#8a1538"
        assert colours["Füllprojekt"] == "#cd9aa9"
        assert colours["Quick Win"] == "#2e7d32" and colours["Zurückstellen"] == "#b0b0b0"
        fig = massnahmen_ansicht.portfolio_chart(massnahmen_ansicht.planung(ba))
        faces = {to_hex(c) for coll in fig.axes[0].collections for c in coll.get_facecolors()}
        assert "#8a1538" in faces and "#1f4e79" not in faces
        deck = praesentation.build(ba, massnahmen_ansicht.planung(ba))
        (chart,) = [
            s.chart
            for s in deck.slides[praesentation_index(deck, "Portfolio")].shapes
            if s.has_chart
        ]
        fills = {
            s.name.split(" (")[0]: str(s.marker.format.fill.fore_color.rgb)
            for s in chart.plots[0].series
        }
        assert fills["Strategisches Projekt"] == "8A1538" and fills["Füllprojekt"] == "CD9AA9"
    finally:
        grafiken.apply_design(None, None, None)
    default = massnahmen_grafiken.quadrant_colours()
    assert default["Strategisches Projekt"] == "#1f4e79" and default["Füllprojekt"] == "#9db3c8"


def praesentation_index(deck, start: str) -> int:
    titles = [
        next((s.text_frame.text for s in slide.shapes if s.has_text_frame), "")
        for slide in deck.slides
    ]
    return next(i for i, t in enumerate(titles) if t.startswith(start))


def test_kernel_reads_design_file_and_logo_from_the_snapshot(design_folder, tmp_path):
    """A step kernel loads the copy of the parameter file with the snapshot's index: the
    design file and the logo it names are read from their copies, so a design file edited
    (and a logo removed) after the run started changes nothing in that run."""
    from kdworkbook.bestand.laden import load_bestand
    from kdworkbook.kern import momentaufnahme

    params = write_params(design_folder, BASE + "gestaltung:\n  datei: agentur.yaml\n")
    with momentaufnahme.recording() as read:
        checked = load_bestand(params)
    assert (design_folder / "agentur.yaml").resolve() in read
    assert (design_folder / "logo.png").resolve() in read  # read once, by the check
    logo = (design_folder / "logo.png").read_bytes()
    snap = momentaufnahme.take(
        tmp_path / "lauf" / ".eingaben", params, read, [], checked.settings.stichtag, True
    )
    (design_folder / "agentur.yaml").write_text('primaerfarbe: "#000000"\n', encoding="utf-8")
    (design_folder / "logo.png").unlink()
    try:
        ba = load_bestand(snap.parameter_file, snapshot=snap.index)
        g = ba.settings.gestaltung
        assert g.primaerfarbe == "#8a1538" and g.fusszeile == "Kommunal Agentur NRW · vertraulich"
        assert g.logo == snap.copies[(design_folder / "logo.png").resolve()]
        assert g.datei == snap.copies[(design_folder / "agentur.yaml").resolve()]
        assert g.logo_daten == logo
        assert grafiken.PRIMARY == "#8a1538"
    finally:
        grafiken.apply_design(None, None, None)
    assert checked.settings.gestaltung.logo_daten == logo  # kept from the check


@pytest.mark.prozess  # a fresh interpreter: the chart module not loaded yet
def test_a_design_read_before_the_charts_are_loaded_is_theirs_when_they_load(design_folder):
    """The runner's check reads the design without loading matplotlib; the charts drawn
    later in that process (the presentation of a large survey) are in it all the same."""
    import json
    import subprocess
    import sys

    params = write_params(design_folder, BASE + "gestaltung:\n  datei: agentur.yaml\n")
    probe = (
        "import json, sys\n"
        "from kdworkbook.bestand.laden import load_bestand\n"
        "load_bestand(sys.argv[1])\n"
        "loaded = 'matplotlib' in sys.modules\n"
        "from kdworkbook.bericht import grafiken\n"
        "from kdworkbook.massnahmen import grafiken as massnahmen_grafiken\n"
        "import matplotlib as mpl\n"
        "print(json.dumps([loaded, grafiken.PRIMARY, massnahmen_grafiken.PRIMARY,\n"
        "                  mpl.rcParams['font.family']]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, str(params)], check=True, capture_output=True, text=True
    ).stdout
    assert json.loads(out.strip().splitlines()[-1]) == [
        False,
        "#8a1538",
        "#8a1538",
        ["Liberation Sans", "DejaVu Sans"],
    ]
