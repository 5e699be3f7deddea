"""Charts for the report: sized for an A4 page, German number formats, print-safe colours.

Each function takes figures already computed by :mod:`kdworkbook.bestand.kennzahlen` and returns a
matplotlib Figure built without pyplot, so a notebook shows it exactly once.
"""

from __future__ import annotations

import textwrap

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from kdworkbook.kern import gestaltung
from kdworkbook.kern.formatierung import zahl

#: Width of a chart on an A4 page with 2 cm margins, in inches. A chart drawn this wide prints
#: at this width (1:1), so a size in pt below is the size on paper.
PAGE_WIDTH_IN = 6.7
#: Smallest chart text in pt (tick labels, value labels, legends): above the print rule's
#: 7 pt with a margin (house style „chart text ≥ 7 pt on A4“).
SMALL_PT = 8.5
#: Axis labels and ordinary chart text, pt.
TEXT_PT = 9.0
#: Titles of a chart or of one of its panels, pt.
TITLE_PT = 10.0

PRIMARY = "#1f4e79"
ACCENT = "#c55a11"
#: seaborn's „crest“ palette in 8 steps (``seaborn.color_palette("crest", 8)``), written out:
#: importing seaborn costs the report's processes 0,4 s before they draw anything.
PALETTE = [
    (0.52478243, 0.74477453, 0.56881287),
    (0.40783143, 0.68627814, 0.56595436),
    (0.31270304, 0.62072111, 0.56379321),
    (0.23921167, 0.55556705, 0.55758211),
    (0.1657302, 0.48845913, 0.54959882),
    (0.11409965, 0.42169502, 0.54065622),
    (0.12274959, 0.34740723, 0.52136104),
    (0.15459955, 0.27155765, 0.4865371),
]
#: Light counterpart of PRIMARY (bars below a threshold, the Pareto tail).
LIGHT = "#9db3c8"
#: Secondary text and leader lines; grid lines.
MUTED = "#555555"
GRID = "#e5e5e5"
#: Dark text on light ground (annotations, marker edges).
INK = "#333333"

#: The one place where chart text sizes are set (every chart module imports this one, and
#: :func:`kdworkbook.bericht.anzeige.setup` keeps them). Chart text is names from the survey
#: and the parameter file, never a formula: with math parsing on, „Amt $\frac{$“ as a Fachamt
#: stops the run.
STYLE = {
    "font.size": TEXT_PT,
    "axes.titlesize": TITLE_PT,
    "figure.titlesize": TITLE_PT,
    "axes.labelsize": TEXT_PT,
    "xtick.labelsize": SMALL_PT,
    "ytick.labelsize": SMALL_PT,
    "legend.fontsize": SMALL_PT,
    "legend.title_fontsize": TEXT_PT,
    "text.parse_math": False,
}
mpl.rcParams.update(STYLE)

#: The sober default style, restored by :func:`apply_design` when no design is set.
DEFAULT_PRIMARY, DEFAULT_ACCENT, DEFAULT_PALETTE = PRIMARY, ACCENT, PALETTE
DEFAULT_FONT = "DejaVu Sans"


def apply_design(primary: str | None, accent: str | None, font: str | None) -> None:
    """Charts in a corporate design (``gestaltung``), or in the default style for None.

    Chart modules that imported the constants by name get the same values.
    """
    import sys

    if primary:
        import seaborn as sns  # only for a design's own colours

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
#: Category labels on a bar chart's axis (Fachämter) are cut at a word boundary to this many
#: characters, with „…“ (about a third of the chart width at 8,5 pt); the full name stands
#: in the table next to the chart.
LABEL_CHARS = 34
#: Up to this many processes the Pareto chart has a bar per process; beyond, the bars become
#: one area through every n-th process (drawing and file size stay the same for any survey).
PARETO_MAX_BARS = 1000


def wrap(text: str, width: int) -> str:
    """*text* on lines of at most *width* characters, broken only between words; a single word
    longer than *width* stays whole (a word broken mid-word reads as two words)."""
    return "\n".join(textwrap.wrap(str(text), width, break_long_words=False)) or str(text)


def shorten(text: str, width: int) -> str:
    """*text* cut at a word boundary to at most *width* characters, „…“ marking the cut (the
    full name stands in the table next to the chart)."""
    text = " ".join(str(text).split())
    if len(text) <= width:
        return text
    cut = text[: width - 1].rsplit(" ", 1)[0] if " " in text[: width - 1] else text[: width - 1]
    return cut.rstrip(" ,;:–-") + "…"


def _figure(height: float) -> tuple[Figure, object]:
    fig = Figure(figsize=(PAGE_WIDTH_IN, height), layout="constrained")
    return fig, fig.add_subplot()


def fachamt_bars(totals: pd.DataFrame) -> Figure:
    """Jahresstunden per Fachamt (horizontal bars, largest on top)."""
    fig, ax = _figure(0.3 * len(totals) + 1.0)
    ordered = totals.iloc[::-1]
    y = np.arange(len(ordered))
    ax.barh(y, ordered["jahresstunden"], color=PRIMARY)
    ax.set_yticks(y, [shorten(name, LABEL_CHARS) for name in ordered["fachamt"]])
    ax.set_ylim(-0.6, len(ordered) - 0.4)
    for y, (hours, share) in enumerate(
        zip(ordered["jahresstunden"], ordered["anteil_stunden"], strict=True)
    ):
        ax.annotate(
            f" {zahl(hours)} h ({zahl(share * 100)} %)", (hours, y), va="center", fontsize=SMALL_PT
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
        colors = [PRIMARY if r <= count else LIGHT for r in ranks]
        ax.bar(ranks, ordered["jahresstunden"], width=1.0, color=colors)
    else:  # one bar per process would be thinner than a pixel: the same outline as an area
        step = -(-len(ordered) // PARETO_MAX_BARS)
        thin = ordered.iloc[np.r_[0 : len(ordered) : step, len(ordered) - 1]]
        x, hours = thin["rang"].to_numpy(), thin["jahresstunden"].to_numpy()
        for part, colour in ((x <= count + step, PRIMARY), (x >= count, LIGHT)):
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
    twin.axvline(count + 0.5, color=MUTED, linestyle="--", linewidth=1)
    twin.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    twin.set_ylim(0, 1.02)
    twin.set_ylabel("kumulierter Anteil")
    twin.annotate(
        f"{zahl(count)} Prozesse = {zahl(share * 100)} % der Stunden",
        (count + 0.5, share),
        xytext=(8, -28),
        textcoords="offset points",
        color=INK,
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
    labels = [shorten(value, LABEL_CHARS) for value in totals[prop].astype(str)]
    left.barh(labels, totals["prozesse"], color=PALETTE[5])
    left.set_xlabel("Prozesse")
    right.barh(labels, totals["jahresstunden"], color=PRIMARY)
    right.set_xlabel("Jahresstunden")
    for ax in (left, right):
        ax.xaxis.set_major_formatter(_GERMAN)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=3))  # „1.200.000“ in half the width
    left.invert_yaxis()  # shared y axis: first value on top for both
    fig.suptitle(title, x=0.02, ha="left")
    return fig


# the design set before this module was loaded (kern.gestaltung.use_for_charts)
if (_design := gestaltung.pending_chart_design()) is not None:
    apply_design(*_design)
