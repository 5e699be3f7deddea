"""The workshop's portfolio chart as inline SVG text (pure: table in, string out).

The report's matplotlib portfolio (:func:`kdworkbook.massnahmen.grafiken.portfolio`) takes about
0,3 s for 5.500 processes – too slow for a live slider. The same chart (Nutzen over Aufwand,
point size ~ Jahresstunden, quadrant colours, threshold lines, the top entries numbered) is
written here as SVG, which the browser draws; building the text takes a few milliseconds.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from kdworkbook.bericht.grafiken import MUTED
from kdworkbook.kern.formatierung import zahl
from kdworkbook.massnahmen.grafiken import LEADER_FROM_PT, QUADRANT_COLOURS, place_labels

WIDTH, HEIGHT = 900, 560
LEFT, RIGHT, TOP, BOTTOM = 80, 20, 20, 120
LOW, HIGH = -0.03, 1.05  # axis range, as in the report's chart
#: Rank numbers are drawn at this size (CSS ``.kdw-nr``, bold); a digit is about 0,65 of it wide.
NUMBER_PX = 18


def _x(v: np.ndarray | float) -> np.ndarray | float:
    return LEFT + (np.asarray(v) - LOW) / (HIGH - LOW) * (WIDTH - LEFT - RIGHT)


def _y(v: np.ndarray | float) -> np.ndarray | float:
    return HEIGHT - BOTTOM - (np.asarray(v) - LOW) / (HIGH - LOW) * (HEIGHT - TOP - BOTTOM)


def portfolio_svg(ranked: pd.DataFrame, limits: dict[str, float], top_n: int) -> str:
    """SVG of the portfolio of *ranked* (a :func:`priorisierung.rank` result, maybe filtered)."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'class="kdw-portfolio" role="img" aria-label="Nutzen-Aufwand-Portfolio">',
        f'<rect x="{LEFT}" y="{TOP}" width="{WIDTH - LEFT - RIGHT}" '
        f'height="{HEIGHT - TOP - BOTTOM}" fill="#fafafa" stroke="#999"/>',
    ]
    for tick in np.linspace(0, 1, 6):
        x, y = _x(tick), _y(tick)
        label = zahl(tick, 1)
        parts.append(
            f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 22}" text-anchor="middle">{label}</text>'
            f'<text x="{LEFT - 8}" y="{y + 6:.1f}" text-anchor="end">{label}</text>'
        )
    parts.append(
        f'<text x="{(LEFT + WIDTH - RIGHT) / 2}" y="{HEIGHT - BOTTOM + 50}" '
        'text-anchor="middle">Aufwand (0 = gering, 1 = hoch)</text>'
        f'<text transform="translate(18 {(TOP + HEIGHT - BOTTOM) / 2}) rotate(-90)" '
        'text-anchor="middle">Nutzen (0 = gering, 1 = hoch)</text>'
    )
    hours = ranked["jahresstunden"].to_numpy(dtype=float)
    peak = hours.max() if len(hours) and hours.max() > 0 else 1.0
    radius = 2.5 + 11 * np.sqrt(np.clip(hours, 0, None) / peak)
    # whole pixels (tenths for the radius) as Python ints: formatting them is fast
    xs = np.rint(_x(ranked["aufwand"].to_numpy(float))).astype(int)
    ys = np.rint(_y(ranked["nutzen"].to_numpy(float))).astype(int)
    tenths = np.rint(radius * 10).astype(int)
    codes = ranked["quadrant"].cat.codes.to_numpy() if len(ranked) else np.array([], dtype=int)
    legend = []
    categories = list(ranked["quadrant"].cat.categories) if len(ranked) else []
    for name, colour in QUADRANT_COLOURS.items():
        part = codes == (categories.index(name) if name in categories else -2)
        circles = "".join(
            f'<circle cx="{x}" cy="{y}" r="{r // 10}.{r % 10}"/>'
            for x, y, r in zip(
                xs[part].tolist(), ys[part].tolist(), tenths[part].tolist(), strict=True
            )
        )
        parts.append(
            f'<g fill="{colour}" fill-opacity="0.6" stroke="#fff" stroke-width="0.6">{circles}</g>'
        )
        legend.append((name, colour, int(part.sum())))
    lx, ly = _x(limits["aufwand"]), _y(limits["nutzen"])
    parts.append(
        f'<line x1="{lx:.1f}" x2="{lx:.1f}" y1="{TOP}" y2="{HEIGHT - BOTTOM}" '
        'stroke="#444" stroke-dasharray="6 4" stroke-width="1.5"/>'
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ly:.1f}" y2="{ly:.1f}" '
        'stroke="#444" stroke-dasharray="6 4" stroke-width="1.5"/>'
    )
    parts.extend(_numbers(ranked.nsmallest(top_n, "rang")))
    step = (WIDTH - LEFT) / 2  # two columns, two rows: room for large projector fonts
    for i, (name, colour, count) in enumerate(legend):
        x, y = LEFT + (i % 2) * step, HEIGHT - 34 + (i // 2) * 26
        parts.append(
            f'<circle cx="{x + 8:.0f}" cy="{y - 6}" r="7" fill="{colour}"/>'
            f'<text x="{x + 20:.0f}" y="{y}">{html.escape(name)} ({zahl(count)})</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _numbers(top: pd.DataFrame) -> list[str]:
    """The ranks of *top* next to their points, placed as in the report's chart
    (:func:`kdworkbook.massnahmen.grafiken.place_labels`): no number on another, a thin
    leader line when a number had to move away. SVG's y axis points down; the placement
    works in any orientation."""
    if not len(top):
        return []
    ranks = [str(int(r)) for r in top["rang"]]
    anchors = np.column_stack(
        [_x(top["aufwand"].to_numpy(float)), _y(top["nutzen"].to_numpy(float))]
    )
    sizes = np.array([(0.65 * NUMBER_PX * len(r) + 2, NUMBER_PX) for r in ranks])
    area = (LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM)
    centres = place_labels(anchors, sizes, area)
    parts = []
    for rank, (ax, ay), (cx, cy), (w, h) in zip(ranks, anchors, centres, sizes, strict=True):
        dx, dy = cx - ax, cy - ay
        if np.hypot(dx, dy) > LEADER_FROM_PT * 1.5:
            edge = 1 / max(abs(dx) / (w / 2 + 1), abs(dy) / (h / 2 + 1))  # box edge, not centre
            parts.append(
                f'<line x1="{ax:.1f}" y1="{ay:.1f}" x2="{cx - dx * edge:.1f}" '
                f'y2="{cy - dy * edge:.1f}" stroke="{MUTED}" stroke-width="1"/>'
            )
        # baseline about 0,35 em below the centre
        parts.append(
            f'<text x="{cx:.1f}" y="{cy + 0.35 * NUMBER_PX:.1f}" text-anchor="middle" '
            f'font-weight="bold" class="kdw-nr">{rank}</text>'
        )
    return parts
