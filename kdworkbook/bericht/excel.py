"""The Excel appendix (``anhang.xlsx``): the tables behind the report, for further work.

Written with openpyxl: German headers, number formats, frozen header row, and every text
cell stored as text – a process name starting with ``=``, ``+``, ``-`` or ``@`` never turns
into a formula.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

#: Format name (as in :data:`kdworkbook.bericht.anzeige.FORMATS`) → Excel number format.
EXCEL_FORMATS = {
    "int": "#,##0",
    "dez1": "#,##0.0",
    "dez2": "#,##0.00",
    "eur": '#,##0 "€"',
    "eur2": '#,##0.00 "€"',
    "pct": "0.0 %",
    "text": "@",
}

Sheet = tuple[pd.DataFrame, Mapping[str, tuple[str, str]]]


def write_workbook(path: Path, sheets: Mapping[str, Sheet]) -> Path:
    """Write one sheet per entry: name → (table, column → (German header, format)).

    Written to a temporary file first and renamed, so *path* is never half-written.
    """
    book = Workbook()
    book.remove(book.active)
    for name, (df, columns) in sheets.items():
        _add_sheet(book, name, df, columns)
    return save_atomically(book, path)


def save_atomically(book: Workbook, path: Path) -> Path:
    """Save under a temporary name beside *path*, then rename: never a half-written file."""
    tmp = path.with_name(f".{path.stem}-{os.getpid()}.tmp.xlsx")
    try:
        book.save(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _add_sheet(
    book: Workbook, name: str, df: pd.DataFrame, columns: Mapping[str, tuple[str, str]]
) -> None:
    sheet = book.create_sheet(title=name[:31])
    sheet.append([label for label, _ in columns.values()])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    formats = [fmt for _, fmt in columns.values()]
    for values in df[list(columns)].itertuples(index=False):
        sheet.append([_plain(v) for v in values])
        for cell, fmt in zip(sheet[sheet.max_row], formats, strict=True):
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text stays text, even "=SUMME(…)"
            else:
                cell.number_format = EXCEL_FORMATS[fmt]
    for i, (label, _) in enumerate(columns.values(), start=1):
        width = max([len(label)] + [len(str(v)) for v in df[list(columns)[i - 1]].head(500)])
        sheet.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), 60)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions


def _plain(value: object) -> object:
    """numpy scalars → Python values; missing → empty cell."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value
