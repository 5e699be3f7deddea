"""Charts for the report: sized for an A4 page, German number formats, print-safe colours.

Each function takes figures already computed by :mod:`kdworkbook.bestand.kennzahlen` and returns a
matplotlib Figure built without pyplot, so a notebook shows it exactly once.
"""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from kdworkbook.kern.formatierung import zahl

# Chart text is names from the survey and the parameter file, never a formula: with math
# parsing on, „Amt $\frac{$“ as a Fachamt stops the run. Every chart module imports this one.
mpl.rcParams["text.parse_math"] = False

#: Width of a chart on an A4 page with 2 cm margins, in inches.
PAGE_WIDTH_IN = 6.7
PRIMARY = "#1f4e79"
ACCENT = "#c55a11"
PALETTE = sns.color_palette("crest", 8)
#: The sober default style, restored by :func:`apply_design` when no design is set.
DEFAULT_PRIMARY, DEFAULT_ACCENT, DEFAULT_PALETTE = PRIMARY, ACCENT, PALETTE
DEFAULT_FONT = "DejaVu Sans"


def apply_design(primary: str | None, accent: str | None, font: str | None) -> None:
    """Charts in a corporate design (``gestaltung``), or in the default style for None.

    Chart modules that imported the constants by name get the same values.
    """
    import sys

    new = {
        "PRIMARY": primary or DEFAULT_PRIMARY,
        "ACCENT": accent or DEFAULT_ACCENT,
        "PALETTE": sns.light_palette(primary, 9)[1:] if primary else DEFAULT_PALETTE,
    }
    for module in [m for name, m in sys.modules.items() if name.startswith("kdworkbook.")]:
        for name, value in new.items():
            if name in vars(module):
                setattr(module, name, value)
    mpl.rcParams["font.family"] = [font or DEFAULT_FONT, DEFAULT_FONT]


_GERMAN = FuncFormatter(lambda value, _pos: zahl(value))
#: Up to this many processes the Pareto chart has a bar per process; beyond, the bars become
#: one area through every n-th process (drawing and file size stay the same for any survey).
PARETO_MAX_BARS = 1000


def _figure(height: float) -> tuple[Figure, object]:
    fig = Figure(figsize=(PAGE_WIDTH_IN, height), layout="constrained")
    return fig, fig.add_subplot()


def fachamt_bars(totals: pd.DataFrame) -> Figure:
    """Jahresstunden per Fachamt (horizontal bars, largest on top)."""
    fig, ax = _figure(0.35 * len(totals) + 1.0)
    ordered = totals.iloc[::-1]
    ax.barh(ordered["fachamt"], ordered["jahresstunden"], color=PRIMARY)
    for y, (hours, share) in enumerate(
        zip(ordered["jahresstunden"], ordered["anteil_stunden"], strict=True)
    ):
        ax.annotate(
            f" {zahl(hours)} h ({zahl(share * 100)} %)", (hours, y), va="center", fontsize=8
        )
    ax.xaxis.set_major_formatter(_GERMAN)
    ax.set_xlabel("Jahresstunden")
    ax.set_xlim(0, ordered["jahresstunden"].max() * 1.3 or 1)
    ax.set_title("Arbeitsaufwand je Fachamt", loc="left")
    return fig


def pareto_chart(ordered: pd.DataFrame, share: float, count: int) -> Figure:
    """Pareto chart: hours per process (bars) and cumulative share (line), 80 % marked."""
    fig, ax = _figure(3.4)
    ranks, total = ordered["rang"].to_numpy(), len(ordered)
    if len(ordered) <= PARETO_MAX_BARS:
        colors = [PRIMARY if r <= count else "#9db3c8" for r in ranks]
        ax.bar(ranks, ordered["jahresstunden"], width=1.0, color=colors)
    else:  # one bar per process would be thinner than a pixel: the same outline as an area
        step = -(-len(ordered) // PARETO_MAX_BARS)
        thin = ordered.iloc[np.r_[0 : len(ordered) : step, len(ordered) - 1]]
        x, hours = thin["rang"].to_numpy(), thin["jahresstunden"].to_numpy()
        for part, colour in ((x <= count + step, PRIMARY), (x >= count, "#9db3c8")):
            ax.fill_between(x[part], hours[part], step="post", color=colour, linewidth=0)
        ordered = thin
        ranks = x
    ax.set_xlabel("Prozesse, nach Jahresstunden absteigend")
    ax.set_ylabel("Jahresstunden")
    ax.yaxis.set_major_formatter(_GERMAN)
    ax.set_xlim(0.5, total + 0.5)
    ax.xaxis.set_major_formatter(_GERMAN)  # 25.000, not 25000
    twin = ax.twinx()
    twin.plot(ranks, ordered["kum_anteil"], color=ACCENT, linewidth=2)
    twin.axhline(share, color=ACCENT, linestyle=":", linewidth=1)
    twin.axvline(count + 0.5, color="#555", linestyle="--", linewidth=1)
    twin.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    twin.set_ylim(0, 1.02)
    twin.set_ylabel("kumulierter Anteil")
    twin.annotate(
        f"{zahl(count)} Prozesse = {zahl(share * 100)} % der Stunden",
        (count + 0.5, share),
        xytext=(8, -28),
        textcoords="offset points",
        fontsize=9,
        color="#333",
    )
    ax.set_title("Pareto-Analyse der Jahresstunden", loc="left")
    return fig


def distributions(df: pd.DataFrame) -> Figure:
    """Histograms of Vorgänge pro Jahr and Minuten je Vorgang (logarithmic bins)."""
    fig = Figure(figsize=(PAGE_WIDTH_IN, 2.8), layout="constrained")
    axes = fig.subplots(1, 2)
    for ax, column, label in (
        (axes[0], "vorgaenge", "Vorgänge pro Jahr"),
        (axes[1], "minuten", "Minuten je Vorgang"),
    ):
        values = df[column][df[column] > 0]
        bins = np.logspace(0, np.log10(max(values.max(), 10)), 15) if len(values) else 10
        ax.hist(values, bins=bins, color=PRIMARY, edgecolor="white")
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(_GERMAN)
        ax.set_xlabel(f"{label} (logarithmisch)")
        ax.set_ylabel("Prozesse")
    fig.suptitle("Verteilung von Fallzahl und Bearbeitungszeit", x=0.02, ha="left")
    return fig


def property_bars(totals: pd.DataFrame, prop: str, title: str) -> Figure:
    """Processes and hours per value of one process property, side by side."""
    fig = Figure(figsize=(PAGE_WIDTH_IN, 2.2), layout="constrained")
    left, right = fig.subplots(1, 2, sharey=True)
    labels = totals[prop].astype(str)
    left.barh(labels, totals["prozesse"], color=PALETTE[5])
    left.set_xlabel("Prozesse")
    right.barh(labels, totals["jahresstunden"], color=PRIMARY)
    right.set_xlabel("Jahresstunden")
    for ax in (left, right):
        ax.xaxis.set_major_formatter(_GERMAN)
    left.invert_yaxis()  # shared y axis: first value on top for both
    fig.suptitle(title, x=0.02, ha="left")
    return fig
