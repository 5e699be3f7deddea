"""Charts of the Maßnahmenentwicklung: portfolio, Gantt chart, costs versus savings.

Same conventions as :mod:`kdworkbook.bericht.grafiken`: A4 width, German numbers, a matplotlib
Figure built without pyplot.
"""

from __future__ import annotations

import datetime as dt
import textwrap

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from kdworkbook.bericht.grafiken import ACCENT, PAGE_WIDTH_IN, PRIMARY
from kdworkbook.kern.formatierung import zahl
from kdworkbook.massnahmen import zuordnung as massnahmen

QUADRANT_COLOURS = {
    "Quick Win": "#2e7d32",
    "Strategisches Projekt": PRIMARY,
    "Füllprojekt": "#9db3c8",
    "Zurückstellen": "#b0b0b0",
}
TYPE_COLOURS = ["#1f4e79", "#c55a11", "#2e7d32", "#7b3f99", "#8c6d1f", "#2a8c8c", "#a33a3a"]
_SHARE = FuncFormatter(lambda v, _pos: zahl(v, 1))  # 0–1 axes with decimal comma
_GERMAN = FuncFormatter(lambda v, _pos: zahl(v))
#: Up to this many processes the portfolio's points are vector shapes sized by Jahresstunden;
#: beyond, small dots in one picture (a 20.000-process survey made a 14 MB chart that the
#: PDF print could not load in time; 200.000 sized points took 14 s to draw).
PORTFOLIO_MAX_VECTOR_POINTS = 2000


def portfolio(ranked: pd.DataFrame, limits: dict[str, float], top_n: int) -> Figure:
    """Nutzen (y) over Aufwand (x); point size ~ Jahresstunden; the top *top_n* numbered."""
    fig = Figure(figsize=(PAGE_WIDTH_IN, 5.0), layout="constrained")
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
    ax.axvline(limits["aufwand"], color="#555", linestyle="--", linewidth=1)
    ax.axhline(limits["nutzen"], color="#555", linestyle="--", linewidth=1)
    for text, x, y, ha, va in (
        ("Quick Wins", 0.01, 0.99, "left", "top"),
        ("Strategische Projekte", 0.99, 0.99, "right", "top"),
        ("Füllprojekte", 0.01, 0.01, "left", "bottom"),
        ("Zurückstellen", 0.99, 0.01, "right", "bottom"),
    ):
        ax.text(
            x,
            y,
            text,
            transform=ax.transAxes,
            ha=ha,
            va=va,
            fontsize=9,
            color="#333",
            fontweight="bold",
        )
    top = ranked.head(top_n)
    for rank, x, y in zip(top["rang"], top["aufwand"], top["nutzen"], strict=True):
        ax.annotate(str(rank), (x, y), xytext=(4, 3), textcoords="offset points", fontsize=8)
    ax.set_xlim(-0.03, 1.03)
    ax.set_ylim(-0.03, 1.08)
    ax.xaxis.set_major_formatter(_SHARE)
    ax.yaxis.set_major_formatter(_SHARE)
    ax.set_xlabel("Aufwand (0 = gering, 1 = hoch)")
    ax.set_ylabel("Nutzen (0 = gering, 1 = hoch)")
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.12),
        ncol=2 if many else 4,
        fontsize=8,
        frameon=False,
    )
    sizes = "" if many else " (Punktgröße: Jahresstunden)"
    ax.set_title(f"Nutzen-Aufwand-Portfolio{sizes}", loc="left")
    return fig


def gantt(measures: pd.DataFrame, start: dt.date, type_names: dict[str, str]) -> Figure:
    """One row per planned process; a bar per measure from its first to its last quarter."""
    processes = measures.drop_duplicates(["rang", "bezeichnung", "fachamt"])
    row = {
        key: i
        for i, key in enumerate(zip(processes["rang"], processes["bezeichnung"], strict=True))
    }
    quarters = int(measures["quartal_ende"].max()) + 1 if len(measures) else 1
    fig = Figure(figsize=(PAGE_WIDTH_IN, 0.28 * len(row) + 1.5), layout="constrained")
    ax = fig.add_subplot()
    colours = {k: TYPE_COLOURS[i % len(TYPE_COLOURS)] for i, k in enumerate(type_names)}
    y = [row[k] for k in zip(measures["rang"], measures["bezeichnung"], strict=True)]
    ax.barh(
        y,
        measures["quartal_ende"] - measures["quartal_start"] + 0.9,
        left=measures["quartal_start"] + 0.05,
        height=0.6,
        color=[colours[t] for t in measures["typ"]],
    )
    labels = [f"{rank}. " + textwrap.shorten(name, 42, placeholder=" …") for rank, name in row]
    ax.set_yticks(range(len(row)), labels, fontsize=7)
    ax.invert_yaxis()
    step = max(1, quarters // 12)
    ticks = list(range(0, quarters, step))
    ax.set_xticks(ticks, [massnahmen.quarter_label(start, q) for q in ticks], fontsize=8)
    ax.set_xlim(0, quarters)
    ax.grid(axis="x", color="#ddd", linewidth=0.5)
    used = [k for k in type_names if k in set(measures["typ"])]
    ax.legend(
        handles=[Patch(color=colours[k], label=type_names[k]) for k in used],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.06),
        ncol=2,
        fontsize=7,
        frameon=False,
    )
    ax.set_title("Zeitplan der Maßnahmen nach Quartalen", loc="left")
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
    ax.axhline(0, color="#333", linewidth=0.8)
    ax.set_xticks(x, costs["jahr"].astype(str))
    ax.yaxis.set_major_formatter(_GERMAN)
    ax.set_ylabel("Euro")
    ax.legend(fontsize=8, ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.1), frameon=False)
    ax.set_title("Kosten und Einsparungen je Jahr", loc="left")
    return fig
