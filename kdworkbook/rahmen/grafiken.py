"""Charts of the Rahmenbedingungen chapter: deadlines, Reifegrad, readiness radar.

Same conventions as :mod:`kdworkbook.bericht.grafiken`: A4 width, German formats, Figure without
pyplot.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from matplotlib.dates import DateFormatter, YearLocator
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from kdworkbook.bericht.grafiken import (
    ACCENT,
    GRID,
    INK,
    LIGHT,
    MUTED,
    PAGE_WIDTH_IN,
    PRIMARY,
    SMALL_PT,
    wrap,
)
from kdworkbook.kern.formatierung import datum, prozent, zahl
from kdworkbook.rahmen.pflichten import DAUERAUFGABE

#: Colour per duty status (print-safe: also distinguishable by lightness).
STATUS_FARBEN = {
    "erfüllt": "#2e7d32",
    "teilweise": "#f0a202",
    "offen": "#c62828",
    "unbekannt": "#7f7f7f",
    "nicht zutreffend": "#c8c8c8",
}
#: Radar spoke labels are wrapped at word boundaries to lines of at most this many characters
#: (a label wider than a third of the half-page panel pushes the circle to a stamp).
RADAR_LABEL_CHARS = 16
REIFEGRAD_NAMEN = {
    0: "0 offline",
    1: "1 Information",
    2: "2 Formular",
    3: "3 Online-Dienst",
    4: "4 volldigital",
}


def deadline_timeline(table: pd.DataFrame, stichtag: dt.date) -> Figure:
    """Deadlines of the duties on a time axis, coloured by status; the Stichtag marked.

    Daueraufgaben (no date) sit at the left edge, rules without a duty to act at the right
    edge („keine Frist“).
    """
    dated = [f for f in table["frist"] if isinstance(f, dt.date)] + [stichtag]
    start = dt.date(min(dated).year - 1, 1, 1)
    end = dt.date(max(dated).year + 1, 12, 31)
    # room for the edge markers and for a label left of „keine Frist“ / right of a late date
    margin = dt.timedelta(days=max(120, (end - start).days // 40))
    fig = Figure(figsize=(PAGE_WIDTH_IN, 0.3 * len(table) + 1.4), layout="constrained")
    ax = fig.add_subplot()
    ordered = table.iloc[::-1].reset_index(drop=True)
    for y, row in ordered.iterrows():
        colour = STATUS_FARBEN[row["status"]]
        if isinstance(row["frist"], dt.date):
            x, marker, label = row["frist"], "o", datum(row["frist"])
        elif row["frist"] == DAUERAUFGABE:
            x, marker, label = start, "<", DAUERAUFGABE
        else:
            x, marker, label = end, ">", "keine Frist"
        ax.plot([x], [y], marker=marker, markersize=8, color=colour, markeredgecolor=INK)
        # labels point inwards: a date in the last third is labelled to its left
        left = x == end or (x != start and x > start + (end - start) * 2 / 3)
        ax.annotate(
            label,
            (x, y),
            va="center",
            ha="right" if left else "left",
            fontsize=SMALL_PT,
            xytext=(-8 if left else 8, 0),
            textcoords="offset points",
        )
    ax.axvline(stichtag, color=ACCENT, linestyle="--", linewidth=1.5)
    ax.annotate(
        f"Stichtag {datum(stichtag)}",
        (stichtag, len(table) - 0.5),
        ha="right",
        va="center",
        fontsize=SMALL_PT,
        color=ACCENT,
        xytext=(-4, 0),
        textcoords="offset points",
    )
    ax.set_yticks(range(len(ordered)), ordered["schluessel"])
    ax.set_ylim(-0.7, len(table))
    ax.set_xlim(start - margin, end + margin)
    # at most about ten year labels: the dated register spans 2013 to 2030
    ax.xaxis.set_major_locator(YearLocator(base=max(1, -(-(end.year - start.year) // 10))))
    ax.xaxis.set_major_formatter(DateFormatter("%Y"))
    ax.grid(axis="x", color=GRID)
    handles = [
        Line2D([], [], marker="o", linestyle="", color=c, markeredgecolor=INK, label=s)
        for s, c in STATUS_FARBEN.items()
        if s in set(table["status"])
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=5, frameon=False)
    ax.set_title(f"Fristen der am {datum(stichtag)} geltenden Pflichten", loc="left")
    return fig


def reifegrad_bars(reifegrad: pd.Series, konform_ab: int) -> Figure:
    """Processes per OZG-Reifegrad 0–4 (bars), levels ≥ *konform_ab* highlighted."""
    counts = reifegrad.dropna().astype(int).value_counts().reindex(range(5), fill_value=0)
    fig = Figure(figsize=(PAGE_WIDTH_IN, 2.4), layout="constrained")
    ax = fig.add_subplot()
    colours = [PRIMARY if level >= konform_ab else LIGHT for level in counts.index]
    labels = [REIFEGRAD_NAMEN[level] for level in counts.index]
    ax.barh(labels, counts.to_numpy(), color=colours)
    total = counts.sum() or 1
    for y, n in enumerate(counts.to_numpy()):
        ax.annotate(f" {zahl(n)} ({prozent(n / total, 0)})", (n, y), va="center", fontsize=SMALL_PT)
    ax.invert_yaxis()
    ax.set_xlim(0, max(counts.max(), 1) * 1.3)
    ax.set_xlabel("Prozesse")
    ax.set_title("OZG-Reifegrad der Prozesse (dunkel = OZG-konform)", loc="left")
    return fig


def readiness_radar(table: pd.DataFrame) -> Figure:
    """Radar charts of the self-assessment: competences and actor involvement (1–5)."""
    fig = Figure(figsize=(PAGE_WIDTH_IN, 3.3), layout="constrained")
    for i, (gruppe, title) in enumerate(
        (("kompetenzen", "Zentrale Kompetenzen"), ("akteure", "Einbindung der Akteure"))
    ):
        part = table[table["gruppe"] == gruppe]
        values = part["wert"].astype("Float64").fillna(0).to_numpy(dtype=float)
        angles = np.linspace(0, 2 * np.pi, len(part), endpoint=False)
        ax = fig.add_subplot(1, 2, i + 1, projection="polar")
        closed = np.append(angles, angles[0])
        ax.plot(closed, np.append(values, values[0]), color=PRIMARY, linewidth=2)
        ax.fill(closed, np.append(values, values[0]), color=PRIMARY, alpha=0.2)
        ax.set_xticks(angles, [wrap(name, RADAR_LABEL_CHARS) for name in part["bereich"]])
        for label, angle in zip(ax.get_xticklabels(), angles, strict=True):
            side = np.sin(angle)  # clockwise from the top: > 0 right half, < 0 left half
            label.set_horizontalalignment(
                "left" if side > 0.1 else "right" if side < -0.1 else "center"
            )
        ax.set_ylim(0, 5)
        ax.set_yticks([1, 3, 5], ["1", "3", "5"], color=MUTED)
        ax.set_rlabel_position(180 / max(len(part), 1))  # between the first two spokes
        ax.set_theta_offset(np.pi / 2)
        ax.set_theta_direction(-1)
        ax.set_title(title, pad=16)
    return fig
