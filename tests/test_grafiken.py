"""Every report chart is legible at A4 print: text ≥ 8 pt (titles ≥ 9 pt) at drawn size, inside
the figure, no two texts on each other – on the demo's data and on hostile inputs (long names,
400 processes, many measures in one quarter). What that means is :mod:`tests.grafik_pruefung`."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from kdworkbook.bericht import grafiken
from kdworkbook.bestand import kapitel as bestand_ansicht
from kdworkbook.bestand import kennzahlen as bestand
from kdworkbook.bestand.laden import load_bestand
from kdworkbook.massnahmen import grafiken as massnahmen_grafiken
from kdworkbook.massnahmen import kapitel as massnahmen_ansicht
from kdworkbook.musterprozess import grafiken as musterprozess_grafiken
from kdworkbook.musterprozess import kapitel as musterprozess_ansicht
from kdworkbook.rahmen import bedingungen, pflichten_kapitel
from kdworkbook.rahmen import grafiken as rahmen_grafiken
from kdworkbook.rahmen import kapitel as rahmen_ansicht
from kdworkbook.vergleich import kapitel as vergleich_ansicht
from tests.conftest import DEMO
from tests.grafik_pruefung import assert_legible, overlap, problems

LONG = "Amt für Stadtentwicklung, Wohnungsbauförderung, Denkmalschutz und Liegenschaften"


@pytest.fixture(scope="module")
def demo():
    ba = load_bestand(DEMO)
    return ba, massnahmen_ansicht.planung(ba), musterprozess_ansicht.load(ba)


DEMO_CHARTS = {
    "fachamt": lambda ba, p, m: bestand_ansicht.fachamt_chart(ba),
    "pareto": lambda ba, p, m: bestand_ansicht.pareto_chart(ba),
    "verteilung": lambda ba, p, m: bestand_ansicht.distributions(ba),
    "koordination": lambda ba, p, m: bestand_ansicht.property_chart(ba, "koordination"),
    "laufbahngruppe": lambda ba, p, m: bestand_ansicht.property_chart(ba, "laufbahngruppe"),
    "fristen": lambda ba, p, m: pflichten_kapitel.duty_timeline(ba),
    "reifegrad": lambda ba, p, m: rahmen_ansicht.reifegrad_chart(ba),
    "radar": lambda ba, p, m: rahmen_ansicht.readiness_radar(ba),
    "portfolio": lambda ba, p, m: massnahmen_ansicht.portfolio_chart(p),
    "zeitplan": lambda ba, p, m: massnahmen_ansicht.gantt_chart(p),
    "kosten": lambda ba, p, m: massnahmen_ansicht.cost_chart(p),
    "ist_soll": lambda ba, p, m: musterprozess_ansicht.comparison_chart(m),
    "vergleich": lambda ba, p, m: vergleich_ansicht.chart(vergleich_ansicht.load(ba)),
}


@pytest.mark.parametrize("name", DEMO_CHARTS)
def test_demo_chart_is_legible(demo, name):
    fig = DEMO_CHARTS[name](*demo)
    texts = assert_legible(fig)
    assert texts  # the chart has text at all: nothing was silently left out
    assert fig.get_figwidth() <= grafiken.PAGE_WIDTH_IN


def test_demo_gantt_shows_every_measure_of_the_first_quarter(demo):
    """Personalausweis (rank 2) has four measures in Q1/2027: four bars, four rows."""
    _, p, _ = demo
    fig = massnahmen_ansicht.gantt_chart(p)
    bars = fig.axes[0].containers[0].patches  # the bands between processes are patches, too
    assert len(bars) == len(p.measures) == 28
    rows = sorted({round(b.get_y() + b.get_height() / 2, 3) for b in bars})
    assert len(rows) == 28  # no two bars share a row
    starts_q0 = [b for b in bars if b.get_x() == pytest.approx(0.05)]
    assert len(starts_q0) == 7  # 3 Grundsteuer + 4 Personalausweis, each visible


def test_demo_portfolio_numbers_ranks_one_to_ten(demo):
    _, p, _ = demo
    fig = massnahmen_ansicht.portfolio_chart(p)
    numbers = [t.get_text() for t in fig.axes[0].texts if t.get_text().isdigit()]
    assert numbers == [str(r) for r in range(1, 11)]
    fig.set_dpi(72)  # the report saves SVG at 72 dpi: the numbers stay where they were placed
    assert_legible(fig)


# ---------------------------------------------------------------------- hostile inputs


def _processes(n: int, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "bezeichnung": [f"{LONG} – Verfahren {i}" for i in range(n)],
            "fachamt": [f"{LONG} {i % 30}" for i in range(n)],
            "jahresstunden": rng.lognormal(3, 1.5, n).round(1),
            "vorgaenge": rng.integers(1, 20_000, n),
            "minuten": rng.integers(1, 2_000, n),
        }
    )


def test_fachamt_bars_with_30_long_names():
    df = _processes(400)
    totals = df.groupby("fachamt", as_index=False)["jahresstunden"].sum()
    totals["anteil_stunden"] = totals["jahresstunden"] / totals["jahresstunden"].sum()
    fig = grafiken.fachamt_bars(totals.sort_values("jahresstunden", ascending=False))
    texts = assert_legible(fig)
    names = [t.text for t in texts if t.text.startswith("Amt")]
    assert len(names) == 30 and all(n.endswith("…") for n in names)  # full names: the table


def test_pareto_and_distributions_with_400_processes():
    df = _processes(400)
    ordered = bestand.pareto(df)
    assert_legible(grafiken.pareto_chart(ordered, 0.8, bestand.pareto_count(df, 0.8)))
    assert_legible(grafiken.distributions(df))


def test_property_bars_with_long_values():
    totals = pd.DataFrame(
        {
            "laufbahngruppe": ["Laufbahngruppe 2, zweites Einstiegsamt (höherer Dienst)", "1"],
            "prozesse": [12_345, 3],
            "jahresstunden": [1_234_567.0, 8.0],
        }
    )
    assert_legible(grafiken.property_bars(totals, "laufbahngruppe", "Laufbahngruppe"))


def test_deadlines_with_a_stichtag_far_ahead(demo):
    ba, _, _ = demo
    table = bedingungen.duties(ba)
    assert_legible(rahmen_grafiken.deadline_timeline(table, dt.date(2040, 6, 30)))


def test_radar_with_long_area_names_and_missing_values():
    names = [
        "Informationssicherheitsmanagement",
        "Veränderungs- und Projektmanagement in der Verwaltung",
        "Prozessmanagement",
        "Datenschutz",
        "Beschaffung",
        "Personalentwicklung und Qualifizierung",
    ]
    table = pd.DataFrame(
        {
            "gruppe": ["kompetenzen"] * 6 + ["akteure"] * 6,
            "bereich": names + [n.upper() for n in names],
            "wert": pd.array([1, 5, None, 3, 2, 4] * 2, dtype="Int64"),
        }
    )
    texts = assert_legible(rahmen_grafiken.readiness_radar(table))
    shown = [t.text for t in texts]
    assert "Veränderungs- und\nProjektmanagement\nin der Verwaltung" in shown
    assert "Prozessmanagement\n(keine Angabe)" in shown and "Informationssicherheits…" in shown


def _ranked(n: int, top_at: tuple[float, float] | None) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    ranked = pd.DataFrame(
        {
            "rang": range(1, n + 1),
            "jahresstunden": rng.lognormal(3, 1, n),
            "aufwand": rng.uniform(0, 1, n),
            "nutzen": rng.uniform(0, 1, n),
        }
    )
    if top_at is not None:  # the top group on one spot: the worst case for their numbers
        ranked.loc[:29, ["aufwand", "nutzen"]] = top_at
    ranked["quadrant"] = np.where(
        ranked["nutzen"] >= 0.5,
        np.where(ranked["aufwand"] < 0.5, "Quick Win", "Strategisches Projekt"),
        np.where(ranked["aufwand"] < 0.5, "Füllprojekt", "Zurückstellen"),
    )
    return ranked


@pytest.mark.parametrize(
    ("n", "top_at", "top_n"),
    [(400, (0.02, 0.98), 10), (400, (0.5, 0.5), 30), (400, None, 50), (3_000, (0.9, 0.1), 10)],
)
def test_portfolio_numbers_never_overlap(n, top_at, top_n):
    fig = massnahmen_grafiken.portfolio(_ranked(n, top_at), {"aufwand": 0.5, "nutzen": 0.5}, top_n)
    texts = assert_legible(fig)
    numbers = [t.text for t in texts if t.text.isdigit()]
    assert numbers == [str(r) for r in range(1, min(top_n, 30) + 1)]


def test_gantt_with_many_measures_in_one_quarter():
    types = {
        "online_antrag": "Online-Antrag über Servicekonto/Portal",
        "e_payment": "E-Payment anbinden",
        "schnittstelle": "Schnittstelle zum Fachverfahren",
        "e_akte": "E-Akte/DMS einführen",
        "prozessoptimierung": "Prozessoptimierung/Medienbrüche beseitigen",
        "eigene": "Eigene Maßnahme mit einem sehr langen Namen aus der Parameterdatei",
    }
    rows = [
        {"rang": r, "bezeichnung": f"{LONG} {r}", "typ": t, "quartal_start": 0, "quartal_ende": 0}
        for r in range(1, 9)
        for t in types
    ]
    measures = pd.DataFrame(rows)
    fig = massnahmen_grafiken.gantt(measures, dt.date(2027, 1, 1), types)
    texts = assert_legible(fig)
    bars = fig.axes[0].containers[0].patches  # the bands between processes are patches, too
    assert len(bars) == massnahmen_grafiken.GANTT_MAX_ROWS == 32  # of 48, the rest in the table
    assert len({round(b.get_y(), 3) for b in bars}) == 32
    assert any("(die ersten 32 von 48 Maßnahmen; alle in der Tabelle)" in t.text for t in texts)


def test_costs_over_ten_years(demo):
    _, p, _ = demo
    costs = pd.concat([p.costs] * 2, ignore_index=True)
    costs["jahr"] = range(2027, 2027 + len(costs))
    assert len(costs) == 10
    assert_legible(massnahmen_grafiken.costs_vs_savings(costs))


def test_comparison_chart_with_missing_figures(demo):
    _, _, m = demo
    gaps = dataclasses.replace(
        m.kennzahlen_ist, verwaltung_min=None, unterlagen_buerger=None, medienbrueche=None
    )
    fig = musterprozess_grafiken.comparison_chart(gaps, m.kennzahlen_soll)
    texts = assert_legible(fig)
    shown = [t.text for t in texts]
    assert shown.count("nicht\nberechenbar") == 2 and shown.count("keine\nAngabe") == 1


# ---------------------------------------------------------------------- the rules themselves


def test_check_finds_small_clipped_and_overlapping_text():
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4, 2))
    ax = fig.add_subplot()
    ax.text(0.1, 0.5, "sieben Punkt", fontsize=7)
    ax.text(0.12, 0.5, "darüber", fontsize=9)
    ax.text(0.98, 0.1, "ragt hinaus über den Rand", fontsize=9)
    found = problems(fig)
    assert any(f.startswith("zu klein") and "sieben Punkt" in f for f in found)
    assert any(f.startswith("überlappt") and "darüber" in f for f in found)
    assert any(f.startswith("ragt aus dem Bild") and "ragt hinaus" in f for f in found)


def test_overlap_allows_touching_boxes():
    from matplotlib.transforms import Bbox

    a = Bbox.from_extents(0, 0, 10, 10)
    assert not overlap(a, Bbox.from_extents(10, 0, 20, 10))  # side by side
    assert not overlap(a, Bbox.from_extents(9.5, 0, 20, 10))  # half a pixel: touching
    assert overlap(a, Bbox.from_extents(8, 8, 20, 20))


def test_place_labels_keeps_labels_apart_and_inside():
    """Three 10×8 labels for one anchor in a 40×40 area: first north-east of the point, the
    others in the next free direction; none overlaps another or leaves the area."""
    anchors = np.array([[20.0, 20.0]] * 3)
    sizes = np.array([[10.0, 8.0]] * 3)
    centres = massnahmen_grafiken.place_labels(anchors, sizes, (0, 0, 40, 40))
    # 1,5 pt off is taken by the other two points (dot ± 2,5 pt, gap 1 pt): 5 pt off, north-east
    assert centres[0].tolist() == [30.0, 29.0]
    boxes = [(x - 5, y - 4, x + 5, y + 4) for x, y in centres]
    for i, (x0, y0, x1, y1) in enumerate(boxes):
        assert 0 <= x0 and x1 <= 40 and 0 <= y0 and y1 <= 40
        for u0, v0, u1, v1 in boxes[i + 1 :]:
            assert min(x1, u1) - max(x0, u0) <= 0 or min(y1, v1) - max(y0, v0) <= 0


def test_wrap_and_shorten_keep_words_whole():
    assert grafiken.wrap("Zentrale Kompetenzen der Verwaltung", 16) == (
        "Zentrale\nKompetenzen der\nVerwaltung"
    )
    assert grafiken.wrap("Informationsmanagementsystem", 10) == "Informationsmanagementsystem"
    assert grafiken.shorten("Grundsteuer Festsetzung für Grundvermögen", 30) == (
        "Grundsteuer Festsetzung für…"
    )
    assert grafiken.shorten("Kurz", 30) == "Kurz"
    assert grafiken.shorten("Donaudampfschifffahrtsgesellschaft", 10) == "Donaudamp…"


def test_workshop_numbers_are_placed_apart():
    """The workshop's SVG portfolio places its rank numbers like the report: 30 points on one
    spot give 30 numbers whose boxes (18 px high, 0,65 × 18 px per digit + 2) do not meet."""
    import re

    from kdworkbook.workshop import grafik

    ranked = _ranked(400, (0.5, 0.5))
    ranked["quadrant"] = pd.Categorical(
        ranked["quadrant"], list(massnahmen_grafiken.QUADRANT_COLOURS)
    )
    svg = grafik.portfolio_svg(ranked, {"aufwand": 0.5, "nutzen": 0.5}, 30)
    found = re.findall(r'<text x="([\d.]+)" y="([\d.]+)"[^>]*class="kdw-nr">(\d+)</text>', svg)
    assert [n for _, _, n in found] == [str(r) for r in range(1, 31)]
    boxes = []
    for x, y, n in found:
        w, cx, cy = 0.65 * 18 * len(n) + 2, float(x), float(y) - 0.35 * 18
        boxes.append((cx - w / 2, cy - 9, cx + w / 2, cy + 9))
    for i, a in enumerate(boxes):
        assert grafik.LEFT <= a[0] and a[2] <= grafik.WIDTH - grafik.RIGHT
        for b in boxes[i + 1 :]:
            assert min(a[2], b[2]) - max(a[0], b[0]) <= 0 or min(a[3], b[3]) - max(a[1], b[1]) <= 0
    assert svg.count("<line") > 2  # leader lines to the numbers that moved away
