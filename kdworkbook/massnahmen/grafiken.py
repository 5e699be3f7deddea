"""Charts of the Maßnahmenentwicklung: portfolio, Gantt chart, costs versus savings.

Same conventions as :mod:`kdworkbook.bericht.grafiken`: A4 width, German numbers, a matplotlib
Figure built without pyplot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from kdworkbook.bericht.grafiken import (
    ACCENT,
    DEFAULT_PRIMARY,
    GRID,
    INK,
    LIGHT,
    MUTED,
    PAGE_WIDTH_IN,
    PRIMARY,
    SMALL_PT,
    shorten,
)
from kdworkbook.kern.formatierung import zahl
from kdworkbook.massnahmen import zuordnung as massnahmen

#: Share of white mixed into a design's primary colour for the Füllprojekte – as LIGHT is
#: the default PRIMARY mixed with about 57 % white.
LIGHT_SHARE = 0.57


def quadrant_colours(primary: str | None = None) -> dict[str, str]:
    """Colour of each quadrant: the strategic projects in *primary* (default: the charts'
    current PRIMARY, i.e. the run's design), the Füllprojekte in a light shade of it."""
    primary = primary or PRIMARY
    light = LIGHT if primary.lower() == DEFAULT_PRIMARY.lower() else _lighter(primary)
    return {
        "Quick Win": "#2e7d32",
        "Strategisches Projekt": primary,
        "Füllprojekt": light,
        "Zurückstellen": "#b0b0b0",
    }


def _lighter(colour: str, share: float = LIGHT_SHARE) -> str:
    rgb = [int(colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]
    return "#" + "".join(f"{round(c + (255 - c) * share):02x}" for c in rgb)


class _QuadrantColours(Mapping[str, str]):
    """:func:`quadrant_colours` looked up when used, so it follows the design that
    :func:`kdworkbook.bericht.grafiken.apply_design` set after this module was imported."""

    def __getitem__(self, name: str) -> str:
        return quadrant_colours()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(quadrant_colours())

    def __len__(self) -> int:
        return len(quadrant_colours())


QUADRANT_COLOURS: Mapping[str, str] = _QuadrantColours()
TYPE_COLOURS = ["#1f4e79", "#c55a11", "#2e7d32", "#7b3f99", "#8c6d1f", "#2a8c8c", "#a33a3a"]
_SHARE = FuncFormatter(lambda v, _pos: zahl(v, 1))  # 0–1 axes with decimal comma
_GERMAN = FuncFormatter(lambda v, _pos: zahl(v))
#: Up to this many processes the portfolio's points are vector shapes sized by Jahresstunden;
#: beyond, small dots in one picture (a 20.000-process survey made a 14 MB chart that the
#: PDF print could not load in time; 200.000 sized points took 14 s to draw).
PORTFOLIO_MAX_VECTOR_POINTS = 2000
#: At most this many ranks are written into the portfolio (the ranking table lists all); more
#: numbers would cover the cloud they explain.
PORTFOLIO_MAX_NUMBERS = 30
#: Distances (pt) at which a rank number is tried around its point, nearest first.
LABEL_DISTANCES_PT = (1.5, 5.0, 10.0, 16.0, 24.0, 34.0)
#: A number farther than this from its point (pt, centre to point) gets a leader line.
LEADER_FROM_PT = 12.0
#: Rows of the Gantt chart (one per measure): 32 rows and the legend fill an A4 page; the
#: schedule table below the chart lists every measure.
GANTT_MAX_ROWS = 32
#: Height of one Gantt row, inches: an 8,5-pt label with air above and below.
GANTT_ROW_IN = 0.21
#: Process names in the Gantt chart are cut at a word boundary to this many characters
#: (with „…“; the full name is in the schedule table).
GANTT_LABEL_CHARS = 40
#: Measure type names in the Gantt legend are cut to this many characters (full names: the
#: table of measure types); up to 30 characters two fit side by side.
GANTT_LEGEND_CHARS = 60


def portfolio(ranked: pd.DataFrame, limits: dict[str, float], top_n: int) -> Figure:
    """Nutzen (y) over Aufwand (x); point size ~ Jahresstunden; the top *top_n* numbered.

    The numbers are placed where they touch no other text (see :func:`place_labels`), with a
    thin leader line when a number had to move away from its point.
    """
    fig = Figure(figsize=(PAGE_WIDTH_IN, 5.2), layout="constrained")
    ax = fig.add_subplot()
    hours = ranked["jahresstunden"].to_numpy(dtype=float)
    size = 12 + 180 * np.sqrt(hours / hours.max()) if len(hours) and hours.max() > 0 else 20
    many = len(ranked) > PORTFOLIO_MAX_VECTOR_POINTS
    for name, colour in QUADRANT_COLOURS.items():
        part = (ranked["quadrant"] == name).to_numpy()
        label = f"{name} ({zahl(int(part.sum()))})"
        if many:  # a cloud of small dots as one picture; sizes would not be readable
            ax.plot(
                ranked["aufwand"][part],
                ranked["nutzen"][part],
                linestyle="",
                marker="o",
                markersize=2.5,
                markeredgewidth=0,
                alpha=0.5,
                color=colour,
                label=label,
                rasterized=True,
            )
            continue
        ax.scatter(
            ranked["aufwand"][part],
            ranked["nutzen"][part],
            s=np.asarray(size)[part] if np.ndim(size) else size,
            color=colour,
            alpha=0.65,
            edgecolors="white",
            linewidths=0.5,
            label=label,
        )
    ax.axvline(limits["aufwand"], color=MUTED, linestyle="--", linewidth=1)
    ax.axhline(limits["nutzen"], color=MUTED, linestyle="--", linewidth=1)
    corners = [
        ax.text(x, y, text, transform=ax.transAxes, ha=ha, va=va, color=INK, fontweight="bold")
        for text, x, y, ha, va in (
            ("Quick Wins", 0.01, 0.99, "left", "top"),
            ("Strategische Projekte", 0.99, 0.99, "right", "top"),
            ("Füllprojekte", 0.01, 0.01, "left", "bottom"),
            ("Zurückstellen", 0.99, 0.01, "right", "bottom"),
        )
    ]
    ax.set_xlim(-0.03, 1.03)
    ax.set_ylim(-0.03, 1.08)
    ax.xaxis.set_major_formatter(_SHARE)
    ax.yaxis.set_major_formatter(_SHARE)
    ax.set_xlabel("Aufwand (0 = gering, 1 = hoch)")
    ax.set_ylabel("Nutzen (0 = gering, 1 = hoch)")
    fig.legend(loc="outside lower center", ncol=2, frameon=False)
    top = ranked.head(min(top_n, PORTFOLIO_MAX_NUMBERS))
    ranks = "Rang" if len(top) >= top_n else f"Rang 1–{zahl(len(top))}"
    sizes = "" if many else ", Punktgröße = Jahresstunden"
    ax.set_title(f"Nutzen-Aufwand-Portfolio (Zahl = {ranks}{sizes})", loc="left")
    _number_points(fig, ax, top, corners)
    return fig


def _number_points(fig: Figure, ax, top: pd.DataFrame, obstacles: list) -> None:
    """Write each rank next to its point without touching another text.

    Lays the figure out once, measures the texts, places the numbers in pt around their
    points and then fixes the layout, so that the offsets hold when the figure is saved.
    """
    if not len(top):
        return
    probe = [ax.text(0, 0, str(rank), fontsize=SMALL_PT) for rank in top["rang"]]
    fig.draw_without_rendering()
    to_pt = 72 / fig.dpi
    extents = [t.get_window_extent() for t in probe]
    for t in probe:
        t.remove()
    sizes = np.array([(e.width * to_pt, e.height * to_pt) for e in extents])
    anchors = ax.transData.transform(top[["aufwand", "nutzen"]].to_numpy(dtype=float)) * to_pt
    frame = ax.get_window_extent()
    area = (frame.x0 * to_pt, frame.y0 * to_pt, frame.x1 * to_pt, frame.y1 * to_pt)
    blocked = [
        tuple(np.array(o.get_window_extent().extents) * to_pt) for o in obstacles if o.get_text()
    ]
    centres = place_labels(anchors, sizes, area, blocked)
    points = top[["aufwand", "nutzen"]].to_numpy(dtype=float)
    for rank, point, anchor, centre in zip(top["rang"], points, anchors, centres, strict=True):
        offset = centre - anchor
        far = np.hypot(*offset) > LEADER_FROM_PT
        ax.annotate(
            str(rank),
            tuple(point),  # data and pt: the same place at any dpi the figure is saved with
            xytext=tuple(offset),
            textcoords="offset points",
            ha="center",
            va="center",
            fontsize=SMALL_PT,
            arrowprops={"arrowstyle": "-", "color": MUTED, "linewidth": 0.6, "shrinkA": 1}
            if far
            else None,
        )
    fig.set_layout_engine("none")  # keep the measured layout when the figure is saved


def place_labels(
    anchors: np.ndarray,
    sizes: np.ndarray,
    area: tuple[float, float, float, float],
    obstacles: list[tuple[float, float, float, float]] = (),
    gap: float = 1.0,
) -> np.ndarray:
    """Centres for labels of the given *sizes* (w, h) near their *anchors*, in one unit (pt).

    Greedy in the given order (rank 1 first): try the eight directions around the anchor at
    growing distance, then any free spot of *area* nearest to the anchor. A label keeps *gap*
    to every placed label, to every obstacle box (x0, y0, x1, y1) and to the anchors of the
    other labels; it stays inside *area*. Deterministic, so the chart is the same each run.
    """
    placed: list[tuple[float, float, float, float]] = [tuple(o) for o in obstacles]
    dots = [(x - 2.5, y - 2.5, x + 2.5, y + 2.5) for x, y in np.asarray(anchors)]
    x0, y0, x1, y1 = area
    grid = None  # every spot of the area, built only if a label finds no place near its point
    centres = []
    for i, ((ax_, ay), (w, h)) in enumerate(zip(anchors, sizes, strict=True)):
        others = np.array(placed + dots[:i] + dots[i + 1 :] or [(0, 0, 0, 0)], dtype=float)
        near = np.array(
            [
                (ax_ + dx * (r + w / 2 if dx else 0), ay + dy * (r + h / 2 if dy else 0))
                for r in LABEL_DISTANCES_PT
                for dx, dy in ((1, 1), (-1, 1), (1, -1), (-1, -1), (1, 0), (-1, 0), (0, 1), (0, -1))
            ]
        )
        candidates = near[_free(near, w, h, others, area, gap)]
        if not len(candidates):
            if grid is None:
                grid = np.stack(
                    np.meshgrid(np.arange(x0, x1, 3.0), np.arange(y0, y1, 3.0)), axis=-1
                ).reshape(-1, 2)
            spots = grid[np.argsort(np.hypot(*(grid - (ax_, ay)).T), kind="stable")]
            candidates = spots[_free(spots, w, h, others, area, gap)]
        best = candidates[0] if len(candidates) else np.array([ax_, ay])
        centres.append(best)
        bx, by = best
        placed.append((bx - w / 2, by - h / 2, bx + w / 2, by + h / 2))
    return np.array(centres).reshape(-1, 2)


def _free(
    centres: np.ndarray,
    w: float,
    h: float,
    others: np.ndarray,
    area: tuple[float, float, float, float],
    gap: float,
) -> np.ndarray:
    """Mask of the *centres* whose w×h box lies inside *area* and keeps *gap* to every box of
    *others*."""
    x0, y0, x1, y1 = area
    left, right = centres[:, 0] - w / 2, centres[:, 0] + w / 2
    low, high = centres[:, 1] - h / 2, centres[:, 1] + h / 2
    inside = (left >= x0) & (low >= y0) & (right <= x1) & (high <= y1)
    hits = (
        (left[:, None] < others[None, :, 2] + gap)
        & (right[:, None] > others[None, :, 0] - gap)
        & (low[:, None] < others[None, :, 3] + gap)
        & (high[:, None] > others[None, :, 1] - gap)
    ).any(axis=1)
    return inside & ~hits


def gantt(measures: pd.DataFrame, start: dt.date, type_names: dict[str, str]) -> Figure:
    """One row per measure, grouped by process (rank and name once per group, light bands
    tell the groups apart); a bar from the measure's first to its last quarter, coloured by
    measure type. Measures of one process in the same quarter so stand one below the other.
    At most :data:`GANTT_MAX_ROWS` rows (in plan order); the table next to it lists all."""
    shown = measures.head(GANTT_MAX_ROWS).reset_index(drop=True)
    groups = list(dict.fromkeys(zip(shown["rang"], shown["bezeichnung"], strict=True)))
    order = shown.assign(
        _gruppe=[groups.index(k) for k in zip(shown["rang"], shown["bezeichnung"], strict=True)]
    ).sort_values(["_gruppe"], kind="stable")
    rows = len(order)
    quarters = int(measures["quartal_ende"].max()) + 1 if len(measures) else 1
    used = [k for k in type_names if k in set(shown["typ"])]
    names = [shorten(type_names[k], GANTT_LEGEND_CHARS) for k in used]
    ncol = 2 if all(len(n) <= 30 for n in names) else 1
    legend_in = 0.2 * -(-len(used) // ncol)
    fig = Figure(
        figsize=(PAGE_WIDTH_IN, GANTT_ROW_IN * rows + 1.4 + legend_in), layout="constrained"
    )
    ax = fig.add_subplot()
    colours = {k: TYPE_COLOURS[i % len(TYPE_COLOURS)] for i, k in enumerate(type_names)}
    ax.barh(
        range(rows),
        order["quartal_ende"] - order["quartal_start"] + 0.9,
        left=order["quartal_start"] + 0.05,
        height=0.72,
        color=[colours.get(t, MUTED) for t in order["typ"]],
    )
    ticks, labels = [], []
    for g, (rank, name) in enumerate(groups):
        members = np.flatnonzero(order["_gruppe"].to_numpy() == g)
        low, high = members.min(), members.max()
        if g % 2:
            ax.axhspan(low - 0.5, high + 0.5, color=GRID, zorder=0, linewidth=0)
        ticks.append((low + high) / 2)
        labels.append(f"{rank}. " + shorten(name, GANTT_LABEL_CHARS))
    ax.set_yticks(ticks, labels)
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(max(rows, 1) - 0.5, -0.5)  # no measures: an empty row, not a singular axis
    step = max(1, -(-quarters // 8))  # at most eight quarter labels: „Q1/2027“ at 8,5 pt
    xticks = list(range(0, quarters, step))
    ax.set_xticks(xticks, [massnahmen.quarter_label(start, q) for q in xticks])
    ax.set_xlim(0, quarters)
    ax.grid(axis="x", color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    fig.legend(
        handles=[Patch(color=colours[k], label=n) for k, n in zip(used, names, strict=True)],
        loc="outside lower center",
        ncol=ncol,
        frameon=False,
    )
    title = "Zeitplan der Maßnahmen nach Quartalen"
    if len(measures) > rows:
        title += (
            f"\n(die ersten {zahl(rows)} von {zahl(len(measures))} Maßnahmen; alle in der Tabelle)"
        )
    ax.set_title(title, loc="left")
    return fig


def costs_vs_savings(costs: pd.DataFrame) -> Figure:
    """Per year: one-time and running costs (stacked) next to savings; cumulative balance."""
    fig = Figure(figsize=(PAGE_WIDTH_IN, 3.2), layout="constrained")
    ax = fig.add_subplot()
    x = np.arange(len(costs))
    width = 0.38
    ax.bar(x - width / 2, costs["einmalkosten_eur"], width, color=ACCENT, label="Einmalkosten")
    ax.bar(
        x - width / 2,
        costs["laufende_kosten_eur"],
        width,
        bottom=costs["einmalkosten_eur"],
        color="#e8a878",
        label="laufende Kosten",
    )
    ax.bar(x + width / 2, costs["einsparung_eur"], width, color="#2e7d32", label="Einsparung")
    ax.plot(x, costs["saldo_kumuliert_eur"], color=PRIMARY, marker="o", label="Saldo kumuliert")
    ax.axhline(0, color=INK, linewidth=0.8)
    ax.set_xticks(x, costs["jahr"].astype(str))
    ax.yaxis.set_major_formatter(_GERMAN)
    ax.set_ylabel("Euro")
    fig.legend(ncol=4, loc="outside lower center", frameon=False)
    ax.set_title("Kosten und Einsparungen je Jahr", loc="left")
    return fig
