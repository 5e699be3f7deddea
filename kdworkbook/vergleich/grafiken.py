"""The comparison chart: per metric the peers as dots, their middle half as a box with the
median, the municipality as a diamond. Text sizes from :data:`kdworkbook.bericht.grafiken.STYLE`
(the chart prints 1:1 at A4 width)."""

from __future__ import annotations

from matplotlib.figure import Figure

from kdworkbook.bericht import grafiken
from kdworkbook.kern.formatierung import prozent, zahl
from kdworkbook.vergleich.peers import Vergleich, Zeile

ZEILE_IN = 1.0  # height per metric, inches: title, strip of dots, tick labels


def _text(z: Zeile, value: float | None) -> str:
    if value is None:
        return "nicht berechenbar"
    k = z.kennzahl
    if k.prozent:
        return prozent(value)
    return f"{zahl(value, k.stellen)} {k.einheit}".strip()


def punkte(v: Vergleich) -> Figure:
    """One small panel per metric with quartiles (the metric's own scale)."""
    rows = [z for z in v.zeilen if z.quartile is not None]
    fig = Figure(figsize=(grafiken.PAGE_WIDTH_IN, ZEILE_IN * len(rows) + 0.4), layout="constrained")
    axes = fig.subplots(len(rows), 1, squeeze=False)[:, 0]
    for ax, z in zip(axes, rows, strict=True):
        q = z.quartile
        ax.axvspan(q.q1, q.q3, color="#d6e2ee", zorder=0)
        ax.axvline(q.median, color=grafiken.PRIMARY, linewidth=1.5, zorder=1)
        ax.scatter(z.werte, [0] * len(z.werte), s=18, color="#7f7f7f", zorder=2)
        if z.wert is not None:
            ax.scatter([z.wert], [0], s=70, marker="D", color=grafiken.ACCENT, zorder=3)
        values = [*z.werte, *([] if z.wert is None else [z.wert])]
        low, high = min(values), max(values)
        pad = (high - low) * 0.08 or 1.0
        ax.set_xlim(low - pad, high + pad)
        ax.set_yticks([])
        ax.set_ylim(-1, 1)
        scale, digits = (100, 0) if z.kennzahl.prozent else (1, z.kennzahl.stellen)
        ax.xaxis.set_major_formatter(lambda x, _pos, s=scale, d=digits: zahl(x * s, d))
        ax.set_title(
            f"{z.kennzahl.label}{' (%)' if z.kennzahl.prozent else ''}: "
            f"Ihre Kommune {_text(z, z.wert)}",
            loc="left",
        )
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
    return fig


#: The overview's chart prints on A4 landscape (27,3 cm between the 12-mm margins) at its own
#: size, 10 inches wide: 9 pt in the figure is 9 pt on paper (the rule for tables: ≥ 8 pt).
UEBERSICHT_BREITE_IN = 10.0
UEBERSICHT_SCHRIFT_PT = 9
#: The key figure of the overview's chart (a column of :data:`uebersicht.SPALTEN`).
UEBERSICHT_KENNZAHL = "stunden_je_1000"


def _streuung(i: int) -> float:
    """A fixed horizontal offset per client (−0,3 … 0,3): dots of equal value stay apart, and
    the same clients give the same picture."""
    return ((i * 0.618034) % 1.0 - 0.5) * 0.6


def groessenklassen(rows: list[dict], klassen: list[str]) -> Figure:
    """Every client as a dot: Jahresstunden je 1.000 Einwohner per Größenklasse (median as a
    line); clients that need attention in the accent colour. Names stay out of the chart."""
    fig = Figure(figsize=(UEBERSICHT_BREITE_IN, 3.6), layout="constrained")
    ax = fig.add_subplot()
    labels = []
    for x, klasse in enumerate(klassen):
        own = [r for r in rows if r.get("groessenklasse") == klasse]
        points = [
            (x + _streuung(i), r[UEBERSICHT_KENNZAHL], bool(r.get("aufmerksamkeit")))
            for i, r in enumerate(own)
            if r.get(UEBERSICHT_KENNZAHL) is not None
        ]
        for attention, colour in ((False, grafiken.PRIMARY), (True, grafiken.ACCENT)):
            chosen = [(px, py) for px, py, a in points if a is attention]
            if chosen:
                ax.scatter(*zip(*chosen, strict=True), s=16, color=colour, alpha=0.8, zorder=2)
        values = sorted(py for _, py, _ in points)
        if values:
            mid = len(values) // 2
            median = values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2
            ax.hlines(median, x - 0.4, x + 0.4, color="#333333", linewidth=1.5, zorder=3)
        missing = len(own) - len(points)
        labels.append(
            f"{klasse}\n{zahl(len(own))} {'Kommune' if len(own) == 1 else 'Kommunen'}"
            + (f", {zahl(missing)} ohne Wert" if missing else "")
        )
    ax.set_xticks(range(len(klassen)), labels)
    ax.set_xlim(-0.6, len(klassen) - 0.4)
    ax.yaxis.set_major_formatter(lambda y, _pos: zahl(y))
    ax.set_ylabel("Jahresstunden je 1.000 Einwohner", fontsize=UEBERSICHT_SCHRIFT_PT)
    ax.set_xlabel("Größenklasse (Einwohner)", fontsize=UEBERSICHT_SCHRIFT_PT)
    ax.tick_params(labelsize=UEBERSICHT_SCHRIFT_PT)
    ax.set_title(
        "Alle Kommunen nach Größenklasse – Punkt: eine Kommune (orange: braucht "
        "Aufmerksamkeit), Strich: Median",
        loc="left",
        fontsize=UEBERSICHT_SCHRIFT_PT,
    )
    for side in ("right", "top"):
        ax.spines[side].set_visible(False)
    return fig


def svg(fig: Figure) -> str:
    """The figure as an ``<svg>`` element to put into an HTML page (text stays text)."""
    import io

    import matplotlib as mpl

    buffer = io.StringIO()
    with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "kdworkbook"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]
