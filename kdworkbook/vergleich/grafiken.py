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
