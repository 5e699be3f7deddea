"""praesentation.pptx: slides, native charts with the demo's figures, notes, legible text."""

import pytest
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.util import Pt

from kdworkbook.bericht import praesentation
from kdworkbook.bestand.laden import load_bestand

from .conftest import DEMO, write_csv, write_params

TITLES = [
    "Digitalisierungsstrategie",
    "Kennzahlen der Bestandsaufnahme",
    "Pflichten: Stand am Stichtag",
    "Pareto-Analyse der Jahresstunden",
    "Portfolio: Nutzen und Aufwand",
    "Die 10 wichtigsten Prozesse",
    "Maßnahmen",
    "Zeitplan",
    "Kostenplan",
    *["Musterprozess IST: Hundesteuer Anmeldung – IST"] * 5,  # the report's 5 rows („Teil“)
    *["Musterprozess SOLL: Hundesteuer Anmeldung – SOLL"] * 4,
    "Beschlussvorschlag",
    "Beschlussvorschlag: erste Maßnahmen",
    "Beschlussvorschlag: Budget und Wirkung",
    "Beschlussvorschlag: Risiken und Voraussetzungen",
]


@pytest.fixture(scope="module")
def deck(tmp_path_factory):
    folder = tmp_path_factory.mktemp("deck")
    (path,) = praesentation.write(load_bestand(DEMO), folder)
    assert path.name == "praesentation.pptx"
    return Presentation(str(path))  # python-pptx reads back what it wrote


def _title(slide) -> str:
    texts = [s.text_frame.text for s in slide.shapes if s.has_text_frame and s.text_frame.text]
    # the title slide's big line is the second text (the municipality's name stands above)
    return texts[1] if texts[0] == "Stadt Musterstadt" else texts[0]


def _chart(slide):
    (chart,) = [s.chart for s in slide.shapes if s.has_chart]
    return chart


def test_slides_and_titles(deck):
    assert [_title(s) for s in deck.slides] == TITLES


def test_costs_are_a_native_column_chart_with_the_demo_figures(deck):
    chart = _chart(deck.slides[TITLES.index("Kostenplan")])
    assert chart.chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED
    assert list(chart.plots[0].categories) == ["2027", "2028", "2029", "2030", "2031"]
    costs, savings = chart.plots[0].series
    # 2027: 55.000 € einmalig + 2.875 € laufend; from 2029 only the 8.400 € running costs
    assert list(costs.values) == [57875, 15150, 8400, 8400, 8400]
    assert list(savings.values) == [9437, 21072, 21335, 21335, 21335]


def test_hours_per_fachamt_and_portfolio_are_native_charts(deck):
    bars = _chart(deck.slides[1])
    assert bars.chart_type == XL_CHART_TYPE.BAR_CLUSTERED
    categories = list(bars.plots[0].categories)
    values = dict(zip(categories, bars.plots[0].series[0].values, strict=True))
    assert len(categories) == 11 and categories[-1] == "Jugendamt"  # largest on top
    assert values["Jugendamt"] == 8758 and values["Sozialamt"] == 5710
    portfolio = _chart(deck.slides[TITLES.index("Portfolio: Nutzen und Aufwand")])
    assert portfolio.chart_type == XL_CHART_TYPE.XY_SCATTER
    names = sorted(s.name for s in portfolio.plots[0].series)
    assert names == [
        "Füllprojekt (47)",
        "Quick Win (43)",
        "Strategisches Projekt (47)",
        "Zurückstellen (43)",
    ]
    points = [v for s in portfolio.plots[0].series for v in s.values if v is not None]
    assert len(points) == 180  # 185 processes − 5 not suitable


def _texts(slide) -> str:
    return " ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)


def _rows(slide) -> list[list[str]]:
    (table,) = [s.table for s in slide.shapes if s.has_table]
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_key_figures_in_german_format(deck):
    texts = [s.text_frame.text for s in deck.slides[1].shapes if s.has_text_frame]
    assert {"185", "65.074", "28.757", "1.071.904\xa0€", "18,0"} <= set(texts)


def test_decision_is_the_reports_beschlussvorlage(deck):
    """The figures of the report's page „Beschlussvorlage“ (demo): one-off 55.000 € (2027)
    and 7.000 € (2028), running 2.875 / 8.150 / 8.400 × 3 €; the first five measures of the
    Zeitplan (Grundsteuer × 3, Personalausweis × 2, Q1/2027); payback in about 4,8 years."""
    start = TITLES.index("Beschlussvorschlag")
    points = _texts(deck.slides[start])
    assert "Vorlage für den [Gremium], Sitzung am [Sitzungsdatum] – Beschlussvorschlag:" in points
    assert (
        "1. Der [Gremium] beschließt die Digitalisierungsstrategie der Stadt Musterstadt " in points
    )
    assert (
        "einmalig 62.000\xa0€ und laufend zusammen 36.225\xa0€ bei der Haushaltsstelle " in points
    )
    marked = [
        r.text
        for s in deck.slides[start].shapes
        if s.has_text_frame
        for p in s.text_frame.paragraphs
        for r in p.runs
        if r._r.find(".//{http://schemas.openxmlformats.org/drawingml/2006/main}highlight")
        is not None
    ]
    assert marked == ["[Gremium]", "[Sitzungsdatum]", "[Gremium]", "[Haushaltsstelle]", "[Gremium]"]
    first = _rows(deck.slides[start + 1])
    assert first[0] == ["Prozess", "Maßnahme", "Beginn", "fertig", "verantwortlich", "PT"]
    assert [r[0].split()[0] for r in first[1:]] == ["Grundsteuer"] * 3 + ["Personalausweis"] * 2
    assert {r[2] for r in first[1:]} == {"Q1/2027"}
    assert [r[5] for r in first[1:]] == ["15", "8", "10", "15", "3"]
    budget = _rows(deck.slides[start + 2])
    assert budget[0] == ["Jahr", "einmalig", "laufend", "Personentage", "Einsparung"]
    assert [r[:3] for r in budget[1:]] == [
        ["2027", "55.000\xa0€", "2.875\xa0€"],
        ["2028", "7.000\xa0€", "8.150\xa0€"],
        ["2029", "0\xa0€", "8.400\xa0€"],
        ["2030", "0\xa0€", "8.400\xa0€"],
        ["2031", "0\xa0€", "8.400\xa0€"],
        ["Summe", "62.000\xa0€", "36.225\xa0€"],  # 2.875 + 8.150 + 3 × 8.400
    ]
    assert [r[3] for r in budget[1:]] == ["240", "42", "0", "0", "0", "282"]
    effect = _texts(deck.slides[start + 2])
    assert "die Einmalkosten in rund 4,8 Jahren wieder ein" in effect
    assert "sparen 837 Arbeitsstunden im Jahr – 21.335\xa0€ oder 0,5 Vollzeitstellen –" in effect
    risks = _texts(deck.slides[start + 3])
    assert "3 gesetzliche Pflichten sind überfällig (EGovG NRW § 5, " in risks


def test_decision_slides_and_report_page_are_one_object(deck):
    """The slides show what :func:`beschluss.beschlussvorlage` returns for the page."""
    from kdworkbook.massnahmen import beschluss
    from kdworkbook.massnahmen import kapitel as massnahmen_ansicht

    ba = load_bestand(DEMO)
    v = beschluss.beschlussvorlage(ba, massnahmen_ansicht.planung(ba))
    start = TITLES.index("Beschlussvorschlag")
    points = _texts(deck.slides[start])
    assert all(f"{i}. {t}" in points for i, t in enumerate(v.beschluss, start=1))
    assert v.wirkung in _texts(deck.slides[start + 2])
    assert all(r in _texts(deck.slides[start + 3]) for r in v.risiken)


def test_notes_name_the_sources(deck):
    for slide in deck.slides:
        assert slide.has_notes_slide and slide.notes_slide.notes_text_frame.text
    notes = deck.slides[1].notes_slide.notes_text_frame.text
    assert "bestand_fachaemter.xlsx" in notes and "Stichtag 28.11.2026" in notes


def test_no_text_below_12_pt(deck):
    sizes = []
    for slide in deck.slides:
        for shape in slide.shapes:
            frames = [shape.text_frame] if shape.has_text_frame else []
            if shape.has_table:
                frames += [cell.text_frame for row in shape.table.rows for cell in row.cells]
            sizes += [r.font.size for f in frames for p in f.paragraphs for r in p.runs]
            if shape.has_chart:
                sizes.append(shape.chart.font.size)
    assert sizes and min(sizes) >= Pt(12)


def test_pictures_for_gantt_and_bpmn_diagrams(deck):
    for index in [TITLES.index("Zeitplan"), *range(9, 18)]:
        slide = deck.slides[index]
        (picture,) = [s for s in slide.shapes if s.shape_type == 13]  # MSO_SHAPE_TYPE.PICTURE
        assert picture.image.content_type == "image/png"


def test_bpmn_diagrams_one_slide_per_row_of_the_report(deck):
    """Each slide shows one row of the report's bpmn-js drawing („Teil i von n“ beside the
    page number) as large as the slide allows: the height (529 units IST) sets the scale."""
    from kdworkbook.bericht.folien import png_size
    from kdworkbook.musterprozess import bpmn_bild
    from kdworkbook.musterprozess import kapitel as mp_ansicht

    rows = mp_ansicht.diagram_svg(mp_ansicht.load(load_bestand(DEMO)), "ist")
    assert len(rows) == 5
    for i, svg in enumerate(rows):
        slide = deck.slides[9 + i]
        assert f"Teil {i + 1} von 5" in _texts(slide)
        (picture,) = [s for s in slide.shapes if s.shape_type == 13]
        _x, _y, width, height = bpmn_bild._view_box(svg)
        assert height == 529
        w, h = png_size(picture.image.blob)
        assert abs(w / h - width / height) < 0.01  # the whole row, not cut
        pt_per_unit = picture.height / 12700 / height
        # slide height 7,5 in − 1,25 in above − 0,55 in below = 5,7 in = 410,4 pt
        assert round(picture.height / 12700, 1) == 410.4
        assert round(11 * pt_per_unit, 1) == 8.5  # bpmn-js' smallest labels (11 px)


def test_large_survey_keeps_the_deck_light(tmp_path):
    """2.000 processes of 1 Jahresstunde each: the Pareto curve keeps every 5th process
    (2.000 // 400) and the last; no Musterprozess configured → no IST/SOLL slides."""
    header = ["Fachamt", "Bezeichnung", "Vorgänge pro Jahr", "Zeitlicher Aufwand in Minuten"]
    header += ["Bearbeitende Stelle nach Stufe", "Beteiligte Stellen"]
    header += ["Rechtliche Besonderheiten vorhanden"]
    rows = [[f"Amt {i % 2}", f"Prozess {i}", 10, 6, 1, 1, 0] for i in range(2000)]
    write_csv(tmp_path / "bestand.csv", header, rows)
    params = write_params(
        tmp_path, "gemeinde: Stadt Groß\nbestand: bestand.csv\nstichtag: 2026-11-28\n"
    )
    (path,) = praesentation.write(load_bestand(params), tmp_path)
    deck = Presentation(str(path))
    assert len(deck.slides) == 10
    assert "Musterprozess" not in " ".join(_title(s) for s in deck.slides)
    pareto = _chart(deck.slides[3])
    (curve,) = pareto.plots[0].series
    assert len(curve.values) == 400 + 1  # ranks 1, 6, …, 1.996 and 2.000
    assert curve.values[-1] == 1.0
    notes = deck.slides[1].notes_slide.notes_text_frame.text
    assert "gehobener dienst 42,20\xa0€/h" in notes
    assert "Standardwerte der Arbeitsmappe (nicht in der Parameterdatei): " in notes
    assert "jahresarbeitsstunden = 1.600; pareto_anteil = 0,8; stundensaetze (" in notes


def test_many_fachaemter_show_the_largest_15(tmp_path):
    """20 Fachämter, Amt k with k × 10 Vorgänge × 6 Minuten = k Jahresstunden."""
    header = ["Fachamt", "Bezeichnung", "Vorgänge pro Jahr", "Zeitlicher Aufwand in Minuten"]
    header += ["Bearbeitende Stelle nach Stufe", "Beteiligte Stellen"]
    header += ["Rechtliche Besonderheiten vorhanden"]
    rows = [[f"Amt {k:02d}", f"Prozess {k}", k * 10, 6, 1, 1, 0] for k in range(1, 21)]
    write_csv(tmp_path / "bestand.csv", header, rows)
    params = write_params(
        tmp_path, "gemeinde: Stadt Ämter\nbestand: bestand.csv\nstichtag: 2026-11-28\n"
    )
    (path,) = praesentation.write(load_bestand(params), tmp_path)
    bars = _chart(Presentation(str(path)).slides[1])
    assert bars.chart_title.text_frame.text == "Jahresstunden der 15 größten von 20 Fachämtern"
    assert list(bars.plots[0].categories)[-1] == "Amt 20"
    assert list(bars.plots[0].series[0].values) == list(range(6, 21))


def test_missing_savings_on_slides_read_as_in_the_report():
    """The plan of the missing-savings tests (Bauantrag without Stundensatz, Sondernutzung
    without Minuten; 2.000 € known): „mindestens“ on the card, „nicht berechenbar“ in the
    row, the Kostenplan's savings named lower bounds, the Beschlussvorlage's effect."""
    from kdworkbook.bericht.folien import Deck
    from kdworkbook.massnahmen import beschluss

    from .test_fehlende_einsparung import _plan, _ranked

    p = _plan(_ranked())
    d = Deck(load_bestand(DEMO))
    praesentation._measures(d, p)
    praesentation._costs(d, p)
    praesentation._decision(d, p)
    measures, costs, *decision = d.prs.slides
    assert "mindestens 2.000\xa0€" in _texts(measures)
    assert "Einsparung ohne 2 Prozesse ohne berechenbare Einsparung" in _texts(measures)
    rows = _rows(measures)
    assert [r[0] for r in rows[1:]] == [
        "Ausweis",
        "Bauantrag",
        "Meldebescheinigung",
        "Sondernutzung",
    ]
    # Meldebescheinigung: 20 h saved × 50 €/h = 1.000 €
    assert [r[4] for r in rows[2:]] == ["nicht berechenbar", "1.000\xa0€", "nicht berechenbar"]
    (series_costs, series_savings) = _chart(costs).plots[0].series
    assert series_savings.name == "Einsparung (Mindestwert)"
    assert list(series_savings.values) == [1500, 2000, 2000, 2000, 2000]
    assert "Einsparung und Saldo sind Mindestwerte: ohne 2 Prozesse" in _texts(costs)
    budget_slide = decision[2]
    effect = _texts(budget_slide)
    assert beschluss.effect(p) in effect
    assert "sparen mindestens 100 Arbeitsstunden im Jahr – mindestens 2.000\xa0€" in effect
    assert beschluss.beschlussvorlage(d.ba, p).hinweis_einsparung in effect
