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
    "Musterprozess IST: Hundesteuer Anmeldung – IST",
    "Musterprozess SOLL: Hundesteuer Anmeldung – SOLL",
    "Beschlussvorschlag",
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


def test_key_figures_in_german_format_and_decision_with_budget(deck):
    texts = [s.text_frame.text for s in deck.slides[1].shapes if s.has_text_frame]
    assert {"185", "65.074", "28.757", "1.071.904\xa0€", "18,0"} <= set(texts)
    decision = " ".join(s.text_frame.text for s in deck.slides[-1].shapes if s.has_text_frame)
    assert "Budget 2027: 55.000\xa0€ einmalig, 2.875\xa0€ laufend" in decision
    assert "[Beschlussformel: von der Kommune zu ergänzen]" in decision
    (table,) = [s.table for s in deck.slides[-1].shapes if s.has_table]
    assert len(table.rows) == 1 + 5


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


def test_pictures_for_gantt_and_swimlanes(deck):
    for title in ("Zeitplan", TITLES[9], TITLES[10]):
        slide = deck.slides[TITLES.index(title)]
        (picture,) = [s for s in slide.shapes if s.shape_type == 13]  # MSO_SHAPE_TYPE.PICTURE
        assert picture.image.content_type == "image/png"


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
