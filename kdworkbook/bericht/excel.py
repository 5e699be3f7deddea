"""The Excel files of a run (``anhang.xlsx``, ``massnahmenplan.xlsx``): tables for further work.

German headers in bold, number formats, frozen header row, filters, column widths, and every
text cell stored as text – a process name starting with ``=``, ``+``, ``-`` or ``@`` never
turns into a formula. The only formulas are the sum rows the caller asks for (``totals``),
written as formula cells by this module, never from a value.

Ready to print and to work with: every sheet prints landscape on A4, one page wide (a sheet
too wide for that at a legible size: at 100 % over several pages, its leading columns
repeated, ``repeat_columns``), with the header row repeated on each page and a footer
„<Gemeinde> · <Blatt> · Seite n von m“; dates
are date cells (``TT.MM.JJJJ``), quarters are the quarter's first day shown as „Q1/2027“ (the
label of the report, and sorted right across years); long texts wrap in a column of at most
:data:`WRAP_WIDTH` characters.

Written as a stream: the rows of a sheet go into the zip file block by block, each column of
a block converted at once, so time grows linearly with the rows and memory stays bounded by a
block. Measured on 20.000 rows × 16 columns (README „Leistung“): openpyxl in write-only mode
5,9 CPU-s, XlsxWriter with ``constant_memory`` 2,3 CPU-s, this writer 0,5 CPU-s; the XML is
the one XlsxWriter writes in ``constant_memory`` mode (inline strings, one style per number
format). The openpyxl writer used before scanned all cells for every appended row: quadratic,
minutes at 20.000 rows.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import textwrap
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from kdworkbook.bericht.ooxml import (
    BOLD_STYLE,
    NS,
    NS_R,
    QUARTER_STYLE,
    ROOT_RELS,
    STYLE_OF,
    WRAP_STYLE,
    XML,
    content_types,
    styles,
    workbook,
    workbook_rels,
)

#: Format name of a quarter column: values are dates (any day of the quarter), shown as the
#: report's label „Q1/2027“ – one number format per quarter, since Excel has no quarter code.
QUARTER = "quartal"
#: The only formula this module writes (a sum row of ``totals``).
TOTAL_LABEL = "Summe"
#: Header style: bold; *header_color* (hex ``RRGGBB``) fills it – the one place a corporate
#: design colours the Excel files. None = the sober default (bold on white).
HEADER_COLOR: str | None = None

Sheet = tuple[pd.DataFrame, Mapping[str, tuple[str, str]]]

#: Rows converted and written at a time: bounds the memory of a sheet of any length.
BLOCK_ROWS = 5000
#: Rows looked at for a column's width (its header counts too); width in characters.
WIDTH_SAMPLE_ROWS, MIN_WIDTH, MAX_WIDTH = 500, 8, 60
#: A text column whose values are longer wraps them in a column this wide (characters): keeps
#: a sheet with several long texts legible when printed one page wide.
WRAP_WIDTH = 36
#: Height of a line of text in points (Calibri 11, Excel's default row).
LINE_HEIGHT = 15
#: Letters of text in the width of one digit (Excel's unit of column width): measured on the
#: demo's process names in Calibri 11 and LibreOffice's Carlito about 1,2; a little less, so
#: that word wrapping never needs a line more than the row is high.
LETTERS_PER_DIGIT = 1.1
#: Lines a header may wrap onto: a long German header over a narrow column of figures.
HEADER_LINES = 3
#: Print setup of every sheet: A4 (paper size 9 of ECMA-376), landscape, one page wide,
#: as many pages long as needed; margins in inches (Excel's unit).
PAPER_A4, MARGINS = 9, {"left": 0.5, "right": 0.5, "top": 0.6, "bottom": 0.7}
#: Pages side by side for a sheet too wide for one legible page (``repeat_columns``).
WIDE_PAGES = 2
_EPOCH = dt.date(1899, 12, 30)  # day 0 of Excel's (1900) date system

# Characters XML 1.0 cannot carry (Excel could not open the file): dropped from text.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def write_workbook(
    path: Path,
    sheets: Mapping[str, Sheet],
    *,
    footer: str = "",
    totals: Mapping[str, Sequence[str]] | None = None,
    header_color: str | None = HEADER_COLOR,
    repeat_columns: Mapping[str, int] | None = None,
) -> Path:
    """Write one sheet per entry: name → (table, column → (German header, format)).

    *footer* is printed bottom left on every page (the Gemeinde), the sheet name in the
    middle, „Seite n von m“ on the right. *totals* names, per sheet, the columns that get a
    sum row „Summe“ below the table: ``=SUM(…)`` formula cells over the rows above (outside
    the filter range, so sorting never moves it). *repeat_columns* names sheets too wide for
    one legible page: such a sheet prints at 100 % across as many pages as it needs, page by
    page to the right, its first n columns repeated (and frozen) on each. Written to a
    temporary file first and renamed, so *path* is never half-written.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.stem}-{os.getpid()}.tmp.xlsx")
    names = [name[:31] for name in sheets]
    summed = {name[:31]: list(columns) for name, columns in (totals or {}).items()}
    repeat = {name[:31]: n for name, n in (repeat_columns or {}).items()}
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            archive.writestr("[Content_Types].xml", content_types(len(names)))
            archive.writestr("_rels/.rels", ROOT_RELS)
            archive.writestr("xl/workbook.xml", workbook(names, sheets, bool(summed), repeat))
            archive.writestr("xl/_rels/workbook.xml.rels", workbook_rels(len(names)))
            archive.writestr("xl/styles.xml", styles(header_color))
            for number, (name, (df, columns)) in enumerate(
                zip(names, sheets.values(), strict=True), 1
            ):
                with archive.open(f"xl/worksheets/sheet{number}.xml", "w") as stream:
                    _write_sheet(
                        stream,
                        df,
                        columns,
                        selected=number == 1,
                        footer=footer,
                        total=summed.get(name, []),
                        repeat=repeat.get(name, 0),
                    )
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def save_atomically(book: Workbook, path: Path) -> Path:
    """Save an openpyxl workbook under a temporary name beside *path*, then rename: never a
    half-written file (for workbooks that need openpyxl's features, e.g. the survey forms)."""
    tmp = path.with_name(f".{path.stem}-{os.getpid()}.tmp.xlsx")
    try:
        book.save(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def column_width(label: str, values: pd.Series, fmt: str = "text") -> int:
    """Width in characters: the longest of the first values (as shown) and of the header,
    + 2, within 8–60; a text column longer than :data:`WRAP_WIDTH` wraps at that width.

    The header wraps onto up to :data:`HEADER_LINES` lines, so it needs its longest word and
    that share of its length, not all of it.
    """
    sample = values.head(WIDTH_SAMPLE_ROWS)
    words = [len(w) for w in label.split()] or [0]
    header = max(max(words), math.ceil(len(label) / HEADER_LINES))
    width = max([header] + [_shown(v, fmt) for v in sample])
    if fmt == "text" and width > WRAP_WIDTH:
        return WRAP_WIDTH
    return min(max(width + 2, MIN_WIDTH), MAX_WIDTH)


def _shown(value: Any, fmt: str) -> int:
    """About as many characters as Excel shows for *value* in format *fmt*."""
    if isinstance(value, dt.date):
        return 10  # TT.MM.JJJJ; a quarter „Q1/2027“ is shorter
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if number and math.isfinite(value) and fmt != "text":
        digits = {"dez1": 1, "dez2": 2, "eur2": 2, "pct": 1}.get(fmt, 0)
        scaled = value * 100 if fmt == "pct" else value
        extra = {"eur": 2, "eur2": 2, "pct": 2}.get(fmt, 0)
        return len(f"{scaled:,.{digits}f}") + extra
    return len(str(value)) if value is not None else 0


def _wraps(label: str, values: pd.Series, fmt: str) -> bool:
    return fmt == "text" and column_width(label, values, fmt) == WRAP_WIDTH


# --- one sheet --------------------------------------------------------------------------


def _write_sheet(
    stream: IO[bytes],
    df: pd.DataFrame,
    columns: Mapping[str, tuple[str, str]],
    selected: bool,
    footer: str = "",
    total: Sequence[str] = (),
    repeat: int = 0,
) -> None:
    letters = [get_column_letter(i) for i in range(1, len(columns) + 1)]
    last = f"{letters[-1]}{len(df) + 1}" if letters else "A1"
    ref = f"A1:{last}"
    total_row = len(df) + 2 if total else None
    dimension = f"A1:{letters[-1]}{total_row}" if total_row and letters else ref
    tab = ' tabSelected="1"' if selected else ""
    labels = [label for label, _ in columns.values()]
    sizes = [column_width(label, df[name], fmt) for name, (label, fmt) in columns.items()]
    widths = "".join(
        f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
        for i, w in enumerate(sizes, start=1)
    )
    stream.write(
        (
            f"{XML}<worksheet {NS} {NS_R}>"
            + '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
            + f'<dimension ref="{dimension}"/>'
            f"<sheetViews><sheetView{tab} "
            f'workbookViewId="0">{_pane(repeat)}'
            f'</sheetView></sheetViews><sheetFormatPr defaultRowHeight="{LINE_HEIGHT}"/>'
            f"{f'<cols>{widths}</cols>' if widths else ''}<sheetData>"
        ).encode()
    )
    header = "".join(
        f'<c r="{letter}1" s="{BOLD_STYLE}" t="inlineStr"><is>{_text(label)}</is></c>'
        for letter, label in zip(letters, labels, strict=True)
    )
    # the header wraps word by word in its column
    lines = max(
        [len(textwrap.wrap(label, max(w - 2, 1))) for label, w in zip(labels, sizes, strict=True)],
        default=1,
    )
    stream.write(f'<row r="1"{_height(lines)}>{header}</row>'.encode())
    table = df[list(columns)]
    formats = [fmt for _, fmt in columns.values()]
    wrapped = [_wraps(label, df[name], fmt) for name, (label, fmt) in columns.items()]
    for start in range(0, len(table), BLOCK_ROWS):
        block = table.iloc[start : start + BLOCK_ROWS]
        rows = range(start + 2, start + 2 + len(block))
        cells = [
            _column(block.iloc[:, i], letter, rows, fmt, wrap)
            for i, (letter, fmt, wrap) in enumerate(zip(letters, formats, wrapped, strict=True))
        ]
        heights = _row_heights(block, wrapped)
        xml = "".join(
            f'<row r="{r}"{h}>{"".join(row)}</row>'
            for r, h, *row in zip(rows, heights, *cells, strict=True)
        )
        stream.write(xml.encode())
    if total_row:
        stream.write(_total_row(table, columns, letters, total, total_row).encode())
    stream.write(
        (
            f'</sheetData><autoFilter ref="{ref}"/>'
            f'<pageMargins left="{MARGINS["left"]}" right="{MARGINS["right"]}" '
            f'top="{MARGINS["top"]}" bottom="{MARGINS["bottom"]}" header="0.3" footer="0.3"/>'
            f'<pageSetup paperSize="{PAPER_A4}" orientation="landscape" '
            + (
                f'pageOrder="overThenDown" fitToWidth="{WIDE_PAGES}" fitToHeight="0"/>'
                if repeat
                else 'fitToWidth="1" fitToHeight="0"/>'
            )
            + f"<headerFooter><oddFooter>{escape(_footer(footer))}</oddFooter></headerFooter>"
            "</worksheet>"
        ).encode()
    )


def _pane(repeat: int) -> str:
    """Frozen header row – and the first *repeat* columns, which every printed page repeats."""
    if not repeat:
        return (
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
        )
    cell = f"{get_column_letter(repeat + 1)}2"
    return (
        f'<pane xSplit="{repeat}" ySplit="1" topLeftCell="{cell}" activePane="bottomRight" '
        f'state="frozen"/><selection pane="bottomRight" activeCell="{cell}" sqref="{cell}"/>'
    )


def _height(lines: int) -> str:
    """Row height attribute for *lines* lines of text; none for one line (the default).

    Stored, since neither Excel nor LibreOffice fits the rows of a file to wrapped text on
    opening – wrapped lines would be cut off."""
    return f' ht="{LINE_HEIGHT * lines:g}" customHeight="1"' if lines > 1 else ""


def _row_heights(block: pd.DataFrame, wrapped: list[bool]) -> list[str]:
    """Per row of *block*: the height its longest wrapped text needs (one sweep per wrapped
    column; a word-wrapped line holds a little less than the column's width)."""
    lines = np.ones(len(block), dtype=np.int64)
    for i, wrap in enumerate(wrapped):
        if wrap:
            length = block.iloc[:, i].map(lambda v: len(v) if isinstance(v, str) else 0)
            per_line = int(WRAP_WIDTH * LETTERS_PER_DIGIT)
            lines = np.maximum(lines, -(-length.to_numpy(dtype=np.int64) // per_line))
    return [_height(int(n)) for n in lines]


def _footer(text: str) -> str:
    """Excel's footer codes: &L left, &C centre, &R right; &A sheet, &P page, &N pages; a
    literal ampersand is doubled."""
    left = f"&L{text.replace('&', '&&')}" if text else ""
    return f"{left}&C&A&RSeite &P von &N"


def _total_row(
    table: pd.DataFrame,
    columns: Mapping[str, tuple[str, str]],
    letters: list[str],
    total: Sequence[str],
    row: int,
) -> str:
    """„Summe“ in the first column, ``SUM`` over the data rows in each *total* column – the
    formula is written here, from column letters and row numbers only, never from a value;
    the sum computed now is stored as the cell's value for readers that do not calculate."""
    cells = [f'<c r="A{row}" s="{BOLD_STYLE}" t="inlineStr"><is>{_text(TOTAL_LABEL)}</is></c>']
    for letter, (name, (_, fmt)) in zip(letters, columns.items(), strict=True):
        if name not in total or letter == "A":
            continue
        value = pd.to_numeric(table[name], errors="coerce").sum()
        formula = f"SUM({letter}2:{letter}{row - 1})" if row > 2 else "0"
        cells.append(
            f'<c r="{letter}{row}" s="{STYLE_OF.get(fmt, 0)}"><f>{formula}</f>'
            f"<v>{float(value):.16g}</v></c>"
        )
    return f'<row r="{row}">{"".join(cells)}</row>'


def _column(
    values: pd.Series, letter: str, rows: range, fmt: str = "text", wrap: bool = False
) -> list[str]:
    """One column of a block as XML cells; numeric columns without gaps in one sweep."""
    if fmt == QUARTER:
        return [_quarter(v, f"{letter}{r}") for r, v in zip(rows, values.tolist(), strict=True)]
    style = WRAP_STYLE if wrap else STYLE_OF[fmt]
    plain = isinstance(values.dtype, np.dtype)  # not a nullable extension type (pd.NA)
    if plain and values.dtype.kind in "iu":
        return [
            f'<c r="{letter}{r}" s="{style}"><v>{v}</v></c>'
            for r, v in zip(rows, values.tolist(), strict=True)
        ]
    if plain and values.dtype.kind == "f" and np.isfinite(values.to_numpy()).all():
        return [  # Excel keeps 15–16 significant digits; so did openpyxl
            f'<c r="{letter}{r}" s="{style}"><v>{v:.16g}</v></c>'
            for r, v in zip(rows, values.tolist(), strict=True)
        ]
    return [
        _cell(v, f"{letter}{r}", style, wrap) for r, v in zip(rows, values.tolist(), strict=True)
    ]


def _serial(day: dt.date) -> float:
    """Excel's day number of a date (time of day as the fraction)."""
    if isinstance(day, dt.datetime):
        delta = day.replace(tzinfo=None) - dt.datetime(1899, 12, 30)
        return delta.days + delta.seconds / 86400
    return float((day - _EPOCH).days)


def _quarter(value: Any, ref: str) -> str:
    """A quarter cell: the quarter's first day, shown „Q1/2027“; text stays text."""
    if isinstance(value, dt.date):
        first = dt.date(value.year, 3 * ((value.month - 1) // 3) + 1, 1)
        style = QUARTER_STYLE[(value.month - 1) // 3 + 1]
        return f'<c r="{ref}" s="{style}"><v>{_serial(first):.16g}</v></c>'
    return _cell(value, ref, STYLE_OF["text"])


def _cell(value: Any, ref: str, style: int, wrap: bool = False) -> str:
    """One cell. Text is always an inline string (never a formula); numbers and flags carry
    the column's number format; a date is a date cell (``TT.MM.JJJJ``); a missing value is
    an empty cell that still carries the format."""
    if value.__class__ is str:
        if not value:
            return f'<c r="{ref}" t="inlineStr"/>'  # an empty text cell, as openpyxl wrote it
        if not value.isprintable():  # fast check; XML 1.0 cannot carry control characters
            value = _ILLEGAL_XML.sub("", value)
        if "&" in value or "<" in value or ">" in value:
            value = escape(value)
        shown = WRAP_STYLE if wrap else style  # aligned to the top, like its row
        return (
            f'<c r="{ref}" s="{shown}" t="inlineStr"><is><t xml:space="preserve">{value}</t>'
            "</is></c>"
        )
    if isinstance(value, bool):
        return f'<c r="{ref}" s="{style}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int):
        return f'<c r="{ref}" s="{style}"><v>{value}</v></c>'
    if isinstance(value, float):
        if math.isfinite(value):
            return f'<c r="{ref}" s="{style}"><v>{value:.16g}</v></c>'
        return f'<c r="{ref}" s="{style}"/>'
    if value is None or value is pd.NA or value is pd.NaT:
        return f'<c r="{ref}" s="{style}"/>'
    if isinstance(value, dt.date):  # also datetime and pandas' Timestamp
        return f'<c r="{ref}" s="{STYLE_OF["datum"]}"><v>{_serial(value):.16g}</v></c>'
    if isinstance(value, str):  # a str subclass
        return _cell(str(value), ref, style, wrap)
    plain = value.item() if hasattr(value, "item") else value  # numpy scalars in object columns
    if plain is not value and isinstance(plain, bool | int | float | str | dt.date):
        return _cell(plain, ref, style, wrap)
    return _cell(str(plain), ref, style, wrap)  # decimals …: their plain form, as text


def _text(value: str) -> str:
    """``<t>`` element of an inline string (header labels): XML-escaped, spaces kept."""
    return f'<t xml:space="preserve">{escape(_ILLEGAL_XML.sub("", value))}</t>'
