"""Charts of the Musterprozess: swimlane diagram of a process and the IST/SOLL comparison.

Built like :mod:`kdworkbook.bericht.grafiken` (matplotlib Figure without pyplot, A4 width). The
swimlane diagram draws lanes as horizontal bands, steps as numbered boxes coloured by medium,
arrows for the flow (share of cases at alternatives) and a red mark on every media break.
Long processes are wrapped into several blocks of at most :data:`MAX_COLUMNS` columns, so the
step names stay legible on an A4 page.
"""

from __future__ import annotations

import math
import textwrap

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, Patch

from kdworkbook.bericht.grafiken import ACCENT, PAGE_WIDTH_IN, PRIMARY
from kdworkbook.kern import defaults
from kdworkbook.kern.formatierung import zahl
from kdworkbook.musterprozess.kennzahlen import (
    Kennzahlen,
    is_media_break,
    numbered_steps,
    transitions,
)
from kdworkbook.musterprozess.modell import LANE_KIND_NAMES, Katalog, Prozess, katalog

MAX_COLUMNS = 7
FONT_SIZE = 5.8  # step labels, pt – legible in print, fits 3 lines of ~12 characters
LABEL_WIDTH = 1.5  # lane labels, in column units
ROW_HEIGHT_IN = 0.62
BREAK_COLOR = "#c00000"
MISSING_COLOR = "#dddddd"
SOLL_COLOR = "#6aa84f"


def columns(p: Prozess) -> dict[str, int]:
    """Column of each step: one more than the latest step before it."""
    col: dict[str, int] = {}
    before: dict[str, list[str]] = {sid: [] for sid in p.schritte}
    for a, b, _ in transitions(p):
        before[b.id].append(a.id)
    for sid in numbered_steps(p):
        col[sid] = max((col[s] + 1 for s in before[sid] if s in col), default=0)
    return col


def _rows(p: Prozess, col: dict[str, int]) -> tuple[dict[str, int], dict[str, int]]:
    """Sub-row of each step inside its lane (steps sharing lane and column stack) and the
    number of sub-rows per lane."""
    row: dict[str, int] = {}
    taken: dict[tuple[str, int], int] = {}
    for sid in numbered_steps(p):
        key = (p.schritte[sid].bahn, col[sid])
        row[sid] = taken.get(key, 0)
        taken[key] = row[sid] + 1
    lanes = {b.name: 1 for b in p.bahnen}
    for (lane, _), n in taken.items():
        lanes[lane] = max(lanes.get(lane, 1), n)
    return row, lanes


def _label(nr: int, name: str, minutes: float | None, wait: float, width_chars: int) -> str:
    lines = textwrap.wrap(name, width=max(width_chars, 6), break_long_words=True)
    if len(lines) > 3:
        lines = lines[:3]
        lines[2] = lines[2][: max(width_chars - 1, 1)] + "…"
    time = "? min" if minutes is None else f"{zahl(minutes, 1 if minutes % 1 else 0)} min"
    if wait:
        time += f" + {zahl(wait, 1 if wait % 1 else 0)} Tg."
    return f"{nr}. " + "\n".join(lines) + f"\n{time}"


def swimlane(p: Prozess, title: str, kat: Katalog | None = None) -> Figure:
    """Swimlane diagram of one process (see module docstring)."""
    kat = kat or katalog()
    col = columns(p)
    row, lane_rows = _rows(p, col)
    order = numbered_steps(p)
    number = {sid: i for i, sid in enumerate(order, start=1)}
    ncols = max(col.values(), default=0) + 1
    blocks = math.ceil(ncols / MAX_COLUMNS)
    per_block = math.ceil(ncols / blocks)
    lane_names = [b.name for b in p.bahnen] + sorted(
        {s.bahn for s in p.schritte.values()} - {b.name for b in p.bahnen}
    )
    total_rows = sum(lane_rows.get(n, 1) for n in lane_names)
    block_h = total_rows * ROW_HEIGHT_IN + 0.15
    fig = Figure(figsize=(PAGE_WIDTH_IN, blocks * block_h + 0.9), layout="constrained")
    axes = fig.subplots(blocks, 1, squeeze=False)[:, 0]
    # y position (top of lane) in row units, lanes from top to bottom
    lane_top, y = {}, 0
    for name in lane_names:
        lane_top[name] = y
        y += lane_rows.get(name, 1)
    col_width_in = (PAGE_WIDTH_IN - 0.3) / (per_block + LABEL_WIDTH)
    chars = int(col_width_in * 0.88 * 72 / (FONT_SIZE * 0.62))

    def place(sid: str) -> tuple[int, float, float]:
        c = col[sid]
        return c // per_block, c % per_block + 0.5, lane_top[p.schritte[sid].bahn] + row[sid] + 0.5

    for b, ax in enumerate(axes):
        _lanes(ax, p, lane_names, lane_top, lane_rows, per_block, total_rows)
        if blocks > 1:
            ax.set_title(f"Teil {b + 1} von {blocks}", loc="right", fontsize=7, color="#555")
    for sid in order:
        s = p.schritte[sid]
        b, x, yy = place(sid)
        color = kat.medien[s.medium]["farbe"] if s.medium else MISSING_COLOR
        axes[b].add_patch(
            FancyBboxPatch(
                (x - 0.44, yy - 0.42),
                0.88,
                0.84,
                boxstyle="round,pad=0,rounding_size=0.08",
                facecolor=color,
                edgecolor="#333",
                linewidth=0.6,
                zorder=3,
            )
        )
        axes[b].text(
            x,
            yy,
            _label(number[sid], s.name, s.minuten, s.wartezeit_tage, chars),
            ha="center",
            va="center",
            fontsize=FONT_SIZE,
            zorder=4,
            linespacing=1.05,
        )
    for a, bstep, share in transitions(p):
        _arrow(axes, place(a.id), place(bstep.id), share, is_media_break(a, bstep, kat), per_block)
    _legend(fig, p, kat)
    fig.suptitle(title, x=0.02, ha="left", fontsize=10)
    return fig


def _lanes(ax: Axes, p: Prozess, names, top, rows, per_block: int, total: int) -> None:
    ax.set_xlim(-LABEL_WIDTH, per_block)
    ax.set_ylim(total, 0)
    ax.axis("off")
    for i, name in enumerate(names):
        height = rows.get(name, 1)
        shade = "#f3f3f3" if i % 2 == 0 else "#ffffff"
        ax.add_patch(
            FancyBboxPatch(
                (-LABEL_WIDTH, top[name]),
                per_block + LABEL_WIDTH,
                height,
                boxstyle="square,pad=0",
                facecolor=shade,
                edgecolor="#999",
                linewidth=0.5,
                zorder=0,
            )
        )
        kind = LANE_KIND_NAMES[p.lane_kind(name)]
        label = "\n".join(textwrap.wrap(name, 16))
        if kind.casefold() != name.casefold():
            label += f"\n({kind})"
        ax.text(
            -LABEL_WIDTH + 0.08,
            top[name] + height / 2,
            label,
            va="center",
            ha="left",
            fontsize=6.5,
            fontweight="bold",
            color="#333",
        )
    ax.axvline(-0.02, color="#999", linewidth=0.5)


def _arrow(axes, start, end, share: float, media_break: bool, per_block: int) -> None:
    (b0, x0, y0), (b1, x1, y1) = start, end
    color = BREAK_COLOR if media_break else "#444"
    style = {
        "arrowstyle": "-|>",
        "color": color,
        "linewidth": 1.3 if media_break else 0.7,
        "shrinkA": 0,
        "shrinkB": 0,
        "mutation_scale": 7,
    }
    if b0 == b1:
        src = (x0 + 0.44, y0) if x1 > x0 else (x0, y0 + (0.42 if y1 > y0 else -0.42))
        dst = (x1 - 0.44, y1) if x1 > x0 else (x1, y1 - (0.42 if y1 > y0 else -0.42))
        axes[b0].annotate("", dst, src, arrowprops=style, zorder=2)
        mid = ((src[0] + dst[0]) / 2, (src[1] + dst[1]) / 2)
        ax = axes[b0]
    else:  # continues in the next block: stub out to the right, stub in from the left
        out = (per_block - 0.02, y0)
        axes[b0].annotate("", out, (x0 + 0.44, y0), arrowprops=style, zorder=2)
        axes[b1].annotate("", (x1 - 0.44, y1), (-0.02, y1), arrowprops=style, zorder=2)
        mid = ((x0 + 0.44 + out[0]) / 2, y0)
        ax = axes[b0]
    if media_break:
        ax.plot(*mid, marker="o", markersize=7, color=BREAK_COLOR, zorder=5)
        ax.text(
            *mid,
            "M",
            color="white",
            fontsize=5,
            ha="center",
            va="center",
            zorder=6,
            fontweight="bold",
        )
    if share < 0.999:
        spot = mid if not media_break else (mid[0], mid[1] - 0.18)
        ax.text(
            *spot,
            f"{zahl(share * 100)} %",
            fontsize=5.5,
            color=PRIMARY,
            zorder=6,
            ha="center",
            va="center",
            bbox={"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none"},
        )


def _legend(fig: Figure, p: Prozess, kat: Katalog) -> None:
    used = [m for m in kat.medien if any(s.medium == m for s in p.schritte.values())]
    handles = [Patch(facecolor=kat.medien[m]["farbe"], edgecolor="#333", label=m) for m in used]
    if any(s.medium is None for s in p.schritte.values()):
        handles.append(Patch(facecolor=MISSING_COLOR, edgecolor="#333", label="Medium fehlt"))
    handles.append(
        Line2D([], [], color=BREAK_COLOR, marker="o", linewidth=1.3, label="Medienbruch")
    )
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncols=min(len(handles), 6),
        fontsize=7,
        frameon=False,
    )


#: Panels of the comparison chart: (attribute of Kennzahlen, title, unit, factor).
PANELS = (
    ("verwaltung_min", "Bearbeitungszeit Verwaltung", "Min./Fall", 1),
    ("buerger_min", "Zeitaufwand Bürger", "Min./Fall", 1),
    ("durchlaufzeit_min", "Durchlaufzeit", "Tage", 1 / defaults.MINUTEN_JE_TAG),
    ("medienbrueche", "Medienbrüche", "je Fall", 1),
    ("uebergaben", "Übergaben", "je Fall", 1),
    ("unterlagen_buerger", "Unterlagen vom Bürger", "Anzahl", 1),
)


def comparison_chart(ist: Kennzahlen, soll: Kennzahlen) -> Figure:
    """IST vs SOLL side by side, one small panel per figure (each with its own scale); a
    value that is not computable gets no bar but the words „nicht berechenbar“ (documents
    without a list: „keine Angabe“); one computed without some steps is marked with „*“."""
    fig = Figure(figsize=(PAGE_WIDTH_IN, 3.6), layout="constrained")
    axes = fig.subplots(2, 3).ravel()
    starred = False
    for ax, (attr, title, unit, factor) in zip(axes, PANELS, strict=True):
        raw = [getattr(ist, attr), getattr(soll, attr)]
        values = [0.0 if v is None else v * factor for v in raw]
        bars = ax.bar(["IST", "SOLL"], values, color=[ACCENT, SOLL_COLOR], width=0.6)
        top = max(values) * 1.25 or 1
        partial = [attr in k.luecken and not k.luecken[attr].alle for k in (ist, soll)]
        starred = starred or any(partial)
        for bar, value, given, star in zip(bars, values, raw, partial, strict=True):
            x = bar.get_x() + bar.get_width() / 2
            if given is None:
                missing = "keine\nAngabe" if attr.startswith("unterlagen") else "nicht\nberechenbar"
                ax.text(x, top * 0.05, missing, ha="center", va="bottom", color=BREAK_COLOR)
                continue
            digits = 0 if float(value).is_integer() or value >= 10 else 1
            ax.annotate(
                zahl(value, digits) + ("*" if star else ""),
                (x, value),
                xytext=(0, 2),
                textcoords="offset points",
                ha="center",
            )
        ax.set_title(f"{title}\n({unit})", loc="left")
        ax.set_ylim(0, top)
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
    title = "IST und SOLL im Vergleich"
    if starred:
        title += "   (* ohne die Schritte, denen die Angabe fehlt – siehe Tabelle)"
    fig.suptitle(title, x=0.02, ha="left")
    return fig
