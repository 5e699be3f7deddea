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
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.textpath import TextToPath

from kdworkbook.bericht.grafiken import (
    ACCENT,
    GRID,
    INK,
    LIGHT,
    MUTED,
    PAGE_WIDTH_IN,
    PRIMARY,
    SMALL_PT,
    TITLE_PT,
    shorten,
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
RADAR_LABEL_CHARS = 18
#: Height of one radar panel, inches; circle radius at most this (pt), side by side only
#: from the minimum on (smaller circles are hard to read), never below the floor.
RADAR_PANEL_IN = 2.6
RADAR_MAX_RADIUS_PT = 66.0
RADAR_MIN_RADIUS_PT = 40.0
RADAR_FLOOR_PT = 24.0
#: Distance of a spoke label from the circle and room for the panel title, pt.
RADAR_PAD_PT = 4.0
RADAR_TITLE_PT = 24.0
#: A single word longer than this is cut with „…“ on a radar label.
RADAR_WORD_CHARS = 24
#: A label crossing the Stichtag line or a grid line stays readable on a white ground.
_ON_LINES = {"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"}
_TEXT = TextToPath()  # measures text in pt without drawing
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
            bbox=_ON_LINES,
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
        bbox=_ON_LINES,
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
    """Radar charts of the self-assessment: competences and actor involvement (1–5).

    A value not given is no point on its spoke (the outline has a gap there, nothing is
    filled) and its label says „keine Angabe“ – never drawn as 0. Each circle is as large as
    its measured spoke labels leave room for (:func:`_radius`): side by side if both circles
    get at least :data:`RADAR_MIN_RADIUS_PT`, else one below the other at full width.
    """
    panels = []
    for gruppe, title in (
        ("kompetenzen", "Zentrale Kompetenzen"),
        ("akteure", "Einbindung der Akteure"),
    ):
        part = table[table["gruppe"] == gruppe]
        values = part["wert"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        names = [
            _spoke_label(name) + ("\n(keine Angabe)" if np.isnan(value) else "")
            for name, value in zip(part["bereich"], values, strict=True)
        ]
        # the labels on the top and bottom spoke are centred: a long one runs into its
        # neighbours, so then the spokes are turned by half a step (none on top or bottom)
        centred = names[:: len(names) // 2] if len(names) % 2 == 0 and names else []
        shift = np.pi / len(names) if any(_wide(n) for n in centred) else 0.0
        angles = np.linspace(0, 2 * np.pi, len(part), endpoint=False) + shift
        panels.append((title, values, names, angles, shift))
    width, height = PAGE_WIDTH_IN * 72, RADAR_PANEL_IN * 72
    half_h = (height - RADAR_TITLE_PT) / 2
    radii = [_radius(names, angles, width / 4, half_h) for _, _, names, angles, _ in panels]
    side_by_side = min(radii) >= RADAR_MIN_RADIUS_PT
    if not side_by_side:
        radii = [_radius(names, angles, width / 2, half_h) for _, _, names, angles, _ in panels]
    rows = 1 if side_by_side else 2
    fig = Figure(figsize=(PAGE_WIDTH_IN, RADAR_PANEL_IN * rows))
    for i, ((title, values, names, angles, shift), radius) in enumerate(
        zip(panels, radii, strict=True)
    ):
        row, col = (0, i) if side_by_side else (i, 0)
        panel_w = width / 2 if side_by_side else width
        cx = (col + 0.5) * panel_w
        top = (rows - row) * height  # the panel's upper edge, pt from the bottom
        cy = top - RADAR_TITLE_PT - half_h
        ax = fig.add_axes(
            (
                (cx - radius) / width,
                (cy - radius) / (height * rows),
                2 * radius / width,
                2 * radius / (height * rows),
            ),
            projection="polar",
        )
        _spokes(ax, values, names, angles, shift)
        fig.text(
            cx / width, (top - 4) / (height * rows), title, ha="center", va="top", fontsize=TITLE_PT
        )
    return fig


def _spokes(ax, values: np.ndarray, names: list[str], angles: np.ndarray, shift: float) -> None:
    closed = np.append(angles, angles[:1])
    outline = np.append(values, values[:1])
    ax.plot(closed, outline, color=PRIMARY, linewidth=2, marker="o", markersize=3)
    if len(values) and not np.isnan(values).any():
        ax.fill(closed, outline, color=PRIMARY, alpha=0.2)
    ax.set_xticks(angles, names)
    ax.tick_params(axis="x", pad=RADAR_PAD_PT)
    for label, angle in zip(ax.get_xticklabels(), angles, strict=True):
        side, up = np.sin(angle), np.cos(angle)  # clockwise from the top
        label.set_horizontalalignment(
            "left" if side > 0.1 else "right" if side < -0.1 else "center"
        )
        label.set_verticalalignment("bottom" if up > 0.1 else "top" if up < -0.1 else "center")
    ax.set_ylim(0, 5)
    ax.set_yticks([1, 2, 3, 4, 5], ["1", "", "", "", "5"], color=MUTED)
    ax.set_rlabel_position(np.degrees(shift) + 180 / max(len(names), 1))  # between spokes
    ax.set_theta_offset(np.pi / 2)
    ax.set_theta_direction(-1)


def _label_size(label: str) -> tuple[float, float]:
    """Width and height of a spoke label in pt, measured with the chart font."""
    font = FontProperties(size=SMALL_PT)
    lines = label.split("\n")
    width = max(_TEXT.get_text_width_height_descent(line, font, ismath=False)[0] for line in lines)
    return width, len(lines) * SMALL_PT * 1.35


def _radius(names: list[str], angles: np.ndarray, half_w: float, half_h: float) -> float:
    """The largest circle radius (pt, at most :data:`RADAR_MAX_RADIUS_PT`) for which every
    spoke label, set outside the circle, stays inside a panel of half-width *half_w* and
    half-height *half_h*."""
    radius = RADAR_MAX_RADIUS_PT
    gap = RADAR_PAD_PT + 10  # tick pad plus a margin to the panel's edge
    for name, angle in zip(names, angles, strict=True):
        w, h = _label_size(name)
        side, up = abs(np.sin(angle)), abs(np.cos(angle))
        if side > 0.1:  # a side label reaches outwards from its spoke's end
            radius = min(radius, (half_w - gap - w) / side)
        if up > 0.1:
            radius = min(radius, (half_h - gap - h) / up)
        else:  # centred vertically on its spoke
            radius = min(radius, half_h - h / 2)
    return max(radius, RADAR_FLOOR_PT)


def _wide(label: str) -> bool:
    """A centred radar label wider than its neighbours leave room for."""
    return "\n" in label or len(label) > RADAR_LABEL_CHARS + 4


def _spoke_label(name: str) -> str:
    """Wrapped at word boundaries to lines of :data:`RADAR_LABEL_CHARS`; at most three lines and
    no line longer than :data:`RADAR_WORD_CHARS` (cut with „…“; the table lists full names)."""
    lines = wrap(name, RADAR_LABEL_CHARS).split("\n")
    if len(lines) > 3:
        lines = [*lines[:2], shorten(" ".join(lines[2:]), RADAR_LABEL_CHARS)]
    return "\n".join(shorten(line, RADAR_WORD_CHARS) for line in lines)
