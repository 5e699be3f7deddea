"""The overview as one HTML file: a table sortable by clicking a header and filterable by a
text field, with a few lines of inline script. Internal to the Agentur (not the report, whose
pages carry no script); every text is escaped, the script reads no cell as HTML."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

from kdworkbook.kern.formatierung import datum, euro, zahl

_STYLE = """
body { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; margin: 12mm; }
h1 { font-size: 16pt; color: #1f4e79; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; }
th, td { padding: 3px 5px; border-bottom: 1px solid #ccc; vertical-align: top; }
th { border-bottom: 2px solid #555; text-align: left; cursor: pointer; }
td.num { text-align: right; white-space: nowrap; }
tr.achtung td:first-child { border-left: 4px solid #c55a11; }
figure { margin: 4mm 0; }
figure svg { width: 10in; max-width: 100%; height: auto; }
@page { size: A4 landscape; margin: 12mm; }
@media print { #filter, .hilfe { display: none; } }
"""

# Sort by the cell's data-wert (numbers as numbers, text by German collation); filter rows
# whose text contains the input. textContent only – no cell is ever parsed as HTML.
_SCRIPT = """
const table = document.getElementById("uebersicht");
const body = table.tBodies[0];
table.querySelectorAll("th").forEach((th, column) => {
  th.addEventListener("click", () => {
    const up = th.dataset.richtung !== "auf";
    table.querySelectorAll("th").forEach((h) => delete h.dataset.richtung);
    th.dataset.richtung = up ? "auf" : "ab";
    const key = (row) => row.cells[column].dataset.wert;
    const rows = Array.from(body.rows).sort((a, b) => {
      const x = key(a), y = key(b);
      if (x === "" || y === "") return (x === "") - (y === "");
      const nx = Number(x), ny = Number(y);
      const order = !isNaN(nx) && !isNaN(ny) ? nx - ny : x.localeCompare(y, "de");
      return up ? order : -order;
    });
    rows.forEach((row) => body.appendChild(row));
  });
});
document.getElementById("filter").addEventListener("input", (event) => {
  const wanted = event.target.value.toLocaleLowerCase("de");
  Array.from(body.rows).forEach((row) => {
    row.hidden = !row.textContent.toLocaleLowerCase("de").includes(wanted);
  });
});
"""


def _text(column: str, value: Any) -> str:
    if value is None:
        return ""
    if column == "letzter_lauf":
        return datum(dt.date.fromisoformat(value))
    if isinstance(value, str):  # „nicht berechenbar“, „noch kein Stand“
        return value
    if column.startswith("einsparung"):
        return euro(value)
    if isinstance(value, int | float):
        return zahl(value)
    return str(value)


def _cell(column: str, value: Any, numeric: bool) -> str:
    # a text in a column of numbers („nicht berechenbar“) sorts with the missing values
    key = "" if value is None or (numeric and isinstance(value, str)) else str(value)
    css = ' class="num"' if numeric else ""
    return (
        f'<td{css} data-wert="{html.escape(key, quote=True)}">'
        f"{html.escape(_text(column, value))}</td>"
    )


def render(
    rows: list[dict[str, Any]],
    spalten: dict[str, tuple[str, str]],
    heute: dt.date,
    grafik: str = "",
) -> str:
    """The whole HTML document; *grafik* is an ``<svg>`` element shown above the table."""
    head = "".join(f"<th>{html.escape(label)}</th>" for label, _ in spalten.values())
    body = []
    for r in rows:
        cells = "".join(_cell(c, r.get(c), fmt != "text") for c, (_, fmt) in spalten.items())
        css = ' class="achtung"' if r.get("aufmerksamkeit") else ""
        body.append(f"<tr{css}>{cells}</tr>")
    attention = sum(1 for r in rows if r.get("aufmerksamkeit"))
    return (
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">'
        f"<title>Übersicht der Kommunen</title><style>{_STYLE}</style></head><body>"
        f"<h1>Übersicht der Kommunen – Stand {html.escape(datum(heute))}</h1>"
        f"<p>{zahl(len(rows))} {'Kommune' if len(rows) == 1 else 'Kommunen'}, davon "
        f"{zahl(attention)} mit Handlungsbedarf "
        "(Spalte „Braucht Aufmerksamkeit“).</p>"
        + (
            f'<figure aria-label="Alle Kommunen nach Größenklasse">{grafik}</figure>'
            if grafik
            else ""
        )
        + '<p class="hilfe">Spaltenkopf anklicken sortiert (erneut: umgekehrt); das Feld filtert '
        'nach Text. <input id="filter" type="search" placeholder="Filter, z. B. Kommune" '
        'aria-label="Filter"></p>'
        f'<table id="uebersicht"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
        f"<script>{_SCRIPT}</script></body></html>"
    )
