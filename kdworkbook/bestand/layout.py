"""What the layout of a survey sheet may hide: a title above the header, duplicate or
hidden columns, merged header cells, totals rows.

Each check either reads the sheet correctly and says so in a note, or refuses it with a
German message naming file, row or column (as Excel shows them) and what to do – never a
figure that is silently wrong (a hidden old „Vorgänge pro Jahr“ column, a „Summe“ row
counted as a process).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

from kdworkbook.bestand.schema import HEADER_LOOKUP, HEADERS, norm_header
from kdworkbook.bestand.tabellen import HEADER_ROWS, cell_text, cell_texts, xlsx_explanations
from kdworkbook.kern.errors import InputError
from kdworkbook.kern.formatierung import zahl

#: Text of a totals row („Summe“, „Gesamt:“, „Gesamtsumme“, „Insgesamt“, „Zwischensumme“).
TOTAL_LABEL = re.compile(
    r"\s*(summe|summen|gesamt|gesamtsumme|insgesamt|zwischensumme|total)(?=\s|:|$)",
    re.IGNORECASE,
)
#: A row without label counts as a totals row when its Vorgänge and one more column equal
#: the sum of at least this many rows above it.
TOTAL_MIN_ROWS = 2
XLSX = (".xlsx", ".xlsm")


def letter(position: int) -> str:
    """Column number from 0 → Excel's letter (0 → A)."""
    return get_column_letter(position + 1)


def _recognised(row: Sequence[Any]) -> int:
    return len({HEADER_LOOKUP.get(norm_header(cell_text(c))) for c in row} - {None})


def find_header(
    path: Path, header: list[Any], body: pd.DataFrame, notes: list[str]
) -> tuple[list[Any], pd.DataFrame, int]:
    """(header cells, rows below it, Excel row of the header): the row among the first
    :data:`HEADER_ROWS` with the most known headers; rows above it (a title) are skipped
    with a note. Without any known header the first row stays the header."""
    rows = [header] + [list(body.iloc[i]) for i in range(min(HEADER_ROWS - 1, len(body)))]
    scores = [_recognised(row) for row in rows]
    best = max(range(len(rows)), key=lambda i: (scores[i], -i))
    if best == 0 or scores[best] == 0:
        return header, body, 1
    above = [t for row in rows[:best] for t in (cell_text(c) for c in row) if t]
    shown = f" („{' · '.join(above[:3])}“)" if above else ""
    notes.append(
        f"{path.name}: Kopfzeile in Zeile {best + 1} gefunden; die Zeilen darüber{shown} "
        "werden nicht ausgewertet."
    )
    return rows[best], body.iloc[best:].reset_index(drop=True), best + 1


def check_duplicates(path: Path, header: Sequence[Any], header_row: int) -> None:
    """Two columns with the same meaning (e.g. a hidden old „Vorgänge pro Jahr“ left of the
    current one) are refused: which one holds the figures cannot be known."""
    positions: dict[str, list[int]] = {}
    for i, cell in enumerate(header):
        name = HEADER_LOOKUP.get(norm_header(cell_text(cell)))
        if name:
            positions.setdefault(name, []).append(i)
    doubled = {name: cols for name, cols in positions.items() if len(cols) > 1}
    if not doubled:
        return
    hidden = xlsx_explanations(path, header_row)["hidden"] if path.suffix.lower() in XLSX else set()
    messages = []
    for name, cols in doubled.items():
        shown = " und ".join(
            f"Spalte {letter(c)}{' (ausgeblendet)' if letter(c) in hidden else ''}" for c in cols
        )
        hint = (
            " Ausgeblendete Spalten zeigt Excel nach Markieren der Nachbarspalten mit "
            "Rechtsklick → „Einblenden“."
            if any(letter(c) in hidden for c in cols)
            else ""
        )
        messages.append(
            f"{path}: Die Überschrift „{HEADERS[name]}“ steht mehrfach in der Kopfzeile "
            f"(Zeile {header_row}): {shown}. Es ist nicht klar, welche Spalte gilt – bitte "
            f"die überzählige Spalte löschen.{hint}"
        )
    raise InputError(messages)


def check_unnamed(
    path: Path, header: Sequence[Any], body: pd.DataFrame, header_row: int, notes: list[str]
) -> None:
    """A column with values but no header of its own: refused when a merged header cell
    hides it (A1:B1 „Leistung“ over Leistung and Verrichtung), else noted as not read."""
    unnamed = {}
    for i in body.columns:
        if i < len(header) and cell_text(header[i]):
            continue
        values = cell_texts(body[i]).dropna()
        if not values.empty:
            unnamed[i] = (int(values.index[0]), values.iloc[0])
    if not unnamed:
        return
    merged = (
        xlsx_explanations(path, header_row)["merged_columns"] if path.suffix.lower() in XLSX else {}
    )
    messages = []
    for cells, cols in merged.items():
        hidden = [c for c in cols if c in unnamed]
        if not hidden:
            continue
        title = cell_text(header[cols[0]]) if cols[0] < len(header) else None
        example = unnamed[hidden[0]][1]
        messages.append(
            f"{path}: Die Zellen {cells} der Kopfzeile sind verbunden"
            f"{f' („{title}“)' if title else ''}; Spalte "
            f"{', '.join(letter(c) for c in hidden)} hat dadurch keine eigene Überschrift, "
            f"enthält aber Werte (z. B. „{example}“). Bitte den Zellverbund aufheben "
            "(Start → „Verbinden und zentrieren“ ausschalten) und jeder Spalte ihre "
            "Überschrift geben, z. B. „Verrichtung“."
        )
        for c in hidden:
            unnamed.pop(c)
    if messages:
        raise InputError(messages)
    for i, (row, value) in unnamed.items():
        notes.append(
            f"{path.name}: Spalte {letter(i)} hat keine Überschrift, enthält aber Werte "
            f"(z. B. Zeile {header_row + 1 + row}: „{value}“) – wird nicht ausgewertet."
        )


def totals_rows(
    path: Path,
    rows: pd.Index,
    texts: dict[str, pd.Series],
    numbers: dict[str, tuple[pd.Series, pd.Series]],
    notes: list[str],
    errors: list[str],
) -> np.ndarray:
    """Mask of totals rows to skip (each with a note). A row counts as one when a text cell
    says „Summe“/„Gesamt“ …, or when it has no Bezeichnung and its Vorgänge and one more
    number equal the sum of the rows above. A row with a Bezeichnung whose Vorgänge and
    Minuten both equal the sums above goes into *errors* („Summenzeile entfernen“)."""
    labelled = np.zeros(len(rows), dtype=bool)
    for name in ("bezeichnung", "leistung", "verrichtung", "fachamt"):
        found = texts[name].str.match(TOTAL_LABEL).fillna(False).to_numpy(dtype=bool)
        labelled |= found
    sums = {name: _equals_sum_above(numbers[name][0], labelled) for name in numbers}
    vorgaenge = sums["vorgaenge"]
    others = np.logical_or.reduce([sums[n] for n in numbers if n != "vorgaenge"])
    no_name = texts["bezeichnung"].isna().to_numpy()
    unlabelled = ~labelled & no_name & vorgaenge & others
    suspicious = ~labelled & ~no_name & vorgaenge & sums["minuten"]
    for position in np.flatnonzero(labelled | unlabelled):
        row = rows[position]
        label = next(
            (
                texts[n].iloc[position]
                for n in ("bezeichnung", "leistung", "verrichtung", "fachamt")
                if labelled[position] and _is_label(texts[n].iloc[position])
            ),
            None,
        )
        what = f"(„{label}“)" if label else "(Zahlen = Summe der Zeilen darüber)"
        value = numbers["vorgaenge"][0].iloc[position]
        figure = f"; Vorgänge {zahl(value)}" if value == value else ""
        notes.append(
            f"{path.name}, Zeile {row}: Summenzeile {what} erkannt und nicht als Prozess "
            f"gezählt{figure}."
        )
    for position in np.flatnonzero(suspicious):
        errors.append(
            f"{path.name}, Zeile {rows[position]}: „{texts['bezeichnung'].iloc[position]}“ "
            "sieht aus wie eine Summenzeile (Vorgänge und Minuten sind die Summen der Zeilen "
            "darüber) – Summenzeile entfernen oder die Werte des Prozesses eintragen."
        )
    return labelled | unlabelled


def _is_label(text: object) -> bool:
    return isinstance(text, str) and TOTAL_LABEL.match(text) is not None


def _equals_sum_above(values: pd.Series, skip: np.ndarray) -> np.ndarray:
    """Per row: its value equals the sum of the values above it (rows in *skip* – totals
    already known – left out), over at least :data:`TOTAL_MIN_ROWS` values, and is > 0."""
    counted = values.where(~skip).to_numpy(dtype=float)
    filled = np.nan_to_num(counted)
    above = np.concatenate([[0.0], np.cumsum(filled)[:-1]])
    count = np.concatenate([[0], np.cumsum(~np.isnan(counted))[:-1]])
    current = values.to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        same = np.isclose(current, above, rtol=1e-9, atol=1e-9)
    return same & (count >= TOTAL_MIN_ROWS) & (current > 0)
