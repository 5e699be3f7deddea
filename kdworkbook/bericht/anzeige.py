"""Showing results in notebooks and the report: German-formatted tables, text, key figures.

Everything here returns IPython display objects; no figures are computed here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pandas as pd
from IPython.display import HTML, display
from markdown_it import MarkdownIt

from kdworkbook.kern.formatierung import euro, literal, prozent, zahl

#: Column format name → formatter (value → German text).
FORMATS = {
    "text": lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v),
    "int": lambda v: zahl(v),
    "dez1": lambda v: zahl(v, 1),
    "dez2": lambda v: zahl(v, 2),
    "eur": lambda v: euro(v),
    "eur2": lambda v: euro(v, 2),
    "pct": lambda v: prozent(v),
    # a figure already formatted as text (e.g. „nicht berechenbar“), aligned like numbers
    "wert": lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v),
}
_NUMERIC = {"int", "dez1", "dez2", "eur", "eur2", "pct", "wert"}


def setup() -> None:
    """Charts as SVG (sharp in print), a readable default style, German decimal comma; in a
    live notebook also the table and card styles (:data:`STYLE`), once.

    Charts print at the size they are drawn (the report does not scale): a chart drawn
    6,7 in wide fills the 170-mm text column, and a 7-pt label prints at 7 pt.
    """
    import matplotlib as mpl  # loaded here: the runner's check uses this module without it
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    from kdworkbook.bericht import grafiken

    # the figure as drawn, not cropped to its ink plus 0,1 in padding („tight“): a chart
    # drawn 6,7 in wide is 6,7 in wide in the report (its constrained layout keeps every
    # label inside the figure)
    set_matplotlib_formats("svg", bbox_inches=None)
    mpl.rcParams.update(
        {
            "font.family": "DejaVu Sans",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.formatter.use_locale": False,
            "svg.fonttype": "none",  # text stays text: smaller, sharper, searchable in the PDF
            "figure.dpi": 100,
            "text.parse_math": False,  # „Amt $\\frac{$“ is a name, not a formula
        }
    )
    mpl.rcParams.update(grafiken.STYLE)  # chart text sizes: set in one place
    pd.set_option("display.max_rows", 200)
    from IPython import get_ipython

    if get_ipython() is not None:  # the cell is tagged „remove“: never part of the report
        display(HTML(STYLE))


def table_html(
    df: pd.DataFrame,
    columns: Mapping[str, tuple[str, str]],
    total: Mapping[str, Any] | None = None,
    css_class: str = "kd-tabelle",
) -> str:
    """HTML table: *columns* maps column → (German header, format name from FORMATS).

    *total* is an optional last row (column → value), shown bold as „Summe“. Every cell
    carries its column's kind as class – ``num`` (right-aligned, not wrapped) for the number
    formats, ``txt`` otherwise –, so the report's style sheet aligns by kind, not by content.
    """
    head = "".join(
        f'<th class="{"num" if fmt in _NUMERIC else "txt"}">{literal(label)}</th>'
        for label, fmt in columns.values()
    )
    rows = [_row(record, columns) for record in df[list(columns)].to_dict("records")]
    if total is not None:
        rows.append(_row(total, columns).replace("<tr>", '<tr class="summe">', 1))
    return (
        f'<table class="{css_class}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _row(record: Mapping[str, Any], columns: Mapping[str, tuple[str, str]]) -> str:
    cells = []
    for name, (_, fmt) in columns.items():
        text = literal(FORMATS[fmt](record.get(name)))
        cells.append(f'<td class="{"num" if fmt in _NUMERIC else "txt"}">{text}</td>')
    return "<tr>" + "".join(cells) + "</tr>"


def table(
    df: pd.DataFrame,
    columns: Mapping[str, tuple[str, str]],
    total: Mapping[str, Any] | None = None,
) -> HTML:
    """Notebook display of :func:`table_html`."""
    return HTML(table_html(df, columns, total))


#: Rows of a per-process table in the report: it shows a top list, the full list is in the
#: Excel files (a report of a 200.000-process survey stays as long as the demo's).
REPORT_ROWS = 25


def top_table_html(
    df: pd.DataFrame, columns: Mapping[str, tuple[str, str]], limit: int, where: str
) -> str:
    """:func:`table_html` of the first *limit* rows; if there are more, a line below says
    how many are shown and *where* all of them are."""
    shown = table_html(df.head(limit), columns)
    if len(df) <= limit:
        return shown
    return shown + (
        f'<p class="kd-hinweis">Gezeigt sind die ersten {zahl(limit)} von {zahl(len(df))}; '
        f"alle stehen {literal(where)}.</p>"
    )


#: Only these link targets survive in the report; anything else stays text.
SAFE_LINK = ("http://", "https://", "mailto:", "#")

_MARKDOWN = MarkdownIt("commonmark", {"html": False})  # raw HTML in the text stays text
_MARKDOWN.validateLink = lambda url: url.strip().lower().startswith(SAFE_LINK)


def markdown_html(markdown: str) -> str:
    """Markdown → HTML: raw HTML is shown as text, links only to http(s), mailto and anchors.

    User-supplied parts should be wrapped in :func:`kdworkbook.kern.formatierung.literal`
    so that Markdown syntax in a name (``**``, ``[l](…)``) is shown as typed, too.
    """
    return _MARKDOWN.render(markdown)


def text(markdown: str) -> HTML:
    """A paragraph of German text (Markdown) computed from the data.

    Rendered here rather than by the notebook front end, so that no HTML or script inside
    a name or note reaches the report as markup.
    """
    return HTML(markdown_html(markdown))


def cards(items: Mapping[str, str]) -> HTML:
    """Key figures as a row of cards: label → already formatted value."""
    body = "".join(
        f'<div class="kd-karte"><div class="kd-wert">{literal(value)}</div>'
        f'<div class="kd-label">{literal(label)}</div></div>'
        for label, value in items.items()
    )
    return HTML(f'<div class="kd-karten">{body}</div>')


def results(values: Mapping[str, Any]) -> None:
    """Emit machine-readable results (JSON) for tests and the runner.

    The cell calling this is tagged ``ergebnisse`` and left out of the report.
    """
    display({"application/json": json.loads(json.dumps(values, default=float))}, raw=True)


#: Minimal styles so that tables and cards read well in a live notebook (JupyterLab, Voilà);
#: :func:`setup` shows them once. The report drops every ``<style>`` of the notebooks and uses
#: its own style sheet, ``kdworkbook/templates/bericht/bericht.css``.
STYLE = """<style>
.kd-tabelle { border-collapse: collapse; margin: 0.4em 0 1em; font-size: 0.9em; }
.kd-tabelle th, .kd-tabelle td { padding: 0.2em 0.6em; border-bottom: 1px solid #ccc; }
.kd-tabelle th { border-bottom: 2px solid #555; text-align: left; }
.kd-tabelle .num { text-align: right; white-space: nowrap; }
.kd-tabelle tr.summe td { font-weight: bold; border-top: 2px solid #555; }
.kd-platzhalter { background: #fff2b3; font-weight: bold; }
.kd-karten { display: flex; flex-wrap: wrap; gap: 0.6em; margin: 0.5em 0 1em; }
.kd-karte { border: 1px solid #bbb; border-radius: 4px; padding: 0.5em 0.9em; min-width: 8em; }
.kd-wert { font-size: 1.4em; font-weight: bold; color: #1f4e79; }
.kd-label { font-size: 0.85em; color: #444; }
</style>"""


__all__ = [
    "REPORT_ROWS",
    "cards",
    "display",
    "literal",
    "markdown_html",
    "results",
    "setup",
    "table",
    "table_html",
    "text",
    "top_table_html",
]
