"""The Excel files of a run (``anhang.xlsx``, ``massnahmenplan.xlsx``): tables for further work.

German headers in bold, number formats, frozen header row, filters, column widths, and every
text cell stored as text – a process name starting with ``=``, ``+``, ``-`` or ``@`` never
turns into a formula.

Written as a stream: the rows of a sheet go into the zip file block by block, each column of
a block converted at once, so time grows linearly with the rows and memory stays bounded by a
block. Measured on 20.000 rows × 16 columns (README „Leistung“): openpyxl in write-only mode
5,9 CPU-s, XlsxWriter with ``constant_memory`` 2,3 CPU-s, this writer 0,5 CPU-s; the XML is
the one XlsxWriter writes in ``constant_memory`` mode (inline strings, one style per number
format). The openpyxl writer used before scanned all cells for every appended row: quadratic,
minutes at 20.000 rows.
"""

from __future__ import annotations

import math
import os
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import pandas as pd
from openpyxl import Workbook
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

#: Rows converted and written at a time: bounds the memory of a sheet of any length.
BLOCK_ROWS = 5000
#: Rows looked at for a column's width (its header counts too); width in characters.
WIDTH_SAMPLE_ROWS, MIN_WIDTH, MAX_WIDTH = 500, 8, 60

# Excel's built-in number formats (ECMA-376 18.8.30) – stored by id, not as text.
_BUILTIN_FORMATS = {"General": 0, "#,##0": 3, "#,##0.00": 4, "@": 49}
_BOLD_STYLE = 1  # cellXfs index of the header style; the number formats follow it
_STYLE_OF = {fmt: i for i, fmt in enumerate(EXCEL_FORMATS, start=_BOLD_STYLE + 1)}
# Characters XML 1.0 cannot carry (Excel could not open the file): dropped from text.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_NS_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def write_workbook(path: Path, sheets: Mapping[str, Sheet], header_fill: str | None = None) -> Path:
    """Write one sheet per entry: name → (table, column → (German header, format)).

    *header_fill* (hex, the design's primary colour) fills the header rows, in white type.

    Written to a temporary file first and renamed, so *path* is never half-written.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.stem}-{os.getpid()}.tmp.xlsx")
    names = [name[:31] for name in sheets]
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            archive.writestr("[Content_Types].xml", _content_types(len(names)))
            archive.writestr("_rels/.rels", _ROOT_RELS)
            archive.writestr("xl/workbook.xml", _workbook(names, sheets))
            archive.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(names)))
            archive.writestr("xl/styles.xml", _styles(header_fill))
            for number, (df, columns) in enumerate(sheets.values(), start=1):
                with archive.open(f"xl/worksheets/sheet{number}.xml", "w") as stream:
                    _write_sheet(stream, df, columns, selected=number == 1)
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


def column_width(label: str, values: pd.Series) -> int:
    """Width in characters: the longest of header and first rows, + 2, within 8–60."""
    sample = values.head(WIDTH_SAMPLE_ROWS)
    width = max([len(label)] + [len(str(v)) for v in sample])
    return min(max(width + 2, MIN_WIDTH), MAX_WIDTH)


# --- one sheet --------------------------------------------------------------------------


def _write_sheet(
    stream: IO[bytes], df: pd.DataFrame, columns: Mapping[str, tuple[str, str]], selected: bool
) -> None:
    letters = [get_column_letter(i) for i in range(1, len(columns) + 1)]
    last = f"{letters[-1]}{len(df) + 1}" if letters else "A1"
    ref = f"A1:{last}"
    tab = ' tabSelected="1"' if selected else ""
    widths = "".join(
        f'<col min="{i}" max="{i}" width="{column_width(label, df[name])}" customWidth="1"/>'
        for i, (name, (label, _)) in enumerate(columns.items(), start=1)
    )
    stream.write(
        (
            f'{_XML}<worksheet {_NS} {_NS_R}><dimension ref="{ref}"/>'
            f"<sheetViews><sheetView{tab} "
            'workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
            'state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
            '</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
            f"{f'<cols>{widths}</cols>' if widths else ''}<sheetData>"
        ).encode()
    )
    header = "".join(
        f'<c r="{letter}1" s="{_BOLD_STYLE}" t="inlineStr"><is>{_text(label)}</is></c>'
        for letter, (label, _) in zip(letters, columns.values(), strict=True)
    )
    stream.write(f'<row r="1">{header}</row>'.encode())
    table = df[list(columns)]
    formats = [fmt for _, fmt in columns.values()]
    for start in range(0, len(table), BLOCK_ROWS):
        block = table.iloc[start : start + BLOCK_ROWS]
        rows = range(start + 2, start + 2 + len(block))
        cells = [
            _column(block.iloc[:, i], letter, rows, _STYLE_OF[fmt])
            for i, (letter, fmt) in enumerate(zip(letters, formats, strict=True))
        ]
        xml = "".join(
            f'<row r="{r}">{"".join(row)}</row>' for r, *row in zip(rows, *cells, strict=True)
        )
        stream.write(xml.encode())
    stream.write(f'</sheetData><autoFilter ref="{ref}"/></worksheet>'.encode())


def _column(values: pd.Series, letter: str, rows: range, style: int) -> list[str]:
    """One column of a block as XML cells; numeric columns without gaps in one sweep."""
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
    return [_cell(v, f"{letter}{r}", style) for r, v in zip(rows, values.tolist(), strict=True)]


def _cell(value: Any, ref: str, style: int) -> str:
    """One cell. Text is always an inline string (never a formula); numbers and flags carry
    the column's number format; a missing value is an empty cell that still carries it."""
    if value.__class__ is str:
        if not value:
            return f'<c r="{ref}" t="inlineStr"/>'  # an empty text cell, as openpyxl wrote it
        if not value.isprintable():  # fast check; XML 1.0 cannot carry control characters
            value = _ILLEGAL_XML.sub("", value)
        if "&" in value or "<" in value or ">" in value:
            value = escape(value)
        return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>'
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
    if isinstance(value, str):  # a str subclass
        return _cell(str(value), ref, style)
    plain = value.item() if hasattr(value, "item") else value  # numpy scalars in object columns
    if plain is not value and isinstance(plain, bool | int | float | str):
        return _cell(plain, ref, style)
    return _cell(str(plain), ref, style)  # dates, decimals …: their plain form, as text


def _text(value: str) -> str:
    """``<t>`` element of an inline string (header labels): XML-escaped, spaces kept."""
    return f'<t xml:space="preserve">{escape(_ILLEGAL_XML.sub("", value))}</t>'


# --- the parts around the sheets --------------------------------------------------------

_ROOT_RELS = (
    f"{_XML}<Relationships "
    'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)


def _content_types(count: int) -> str:
    main = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{main}.worksheet+xml"/>'
        for i in range(1, count + 1)
    )
    return (
        f"{_XML}<Types "
        'xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{main}.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{main}.styles+xml"/>'
        f"{sheets}</Types>"
    )


def _workbook(names: list[str], sheets: Mapping[str, Sheet]) -> str:
    listed = "".join(
        f'<sheet name={quoteattr(name)} sheetId="{i}" r:id="rId{i}"/>'
        for i, name in enumerate(names, start=1)
    )
    filters = "".join(  # Excel's own name for a sheet's filter range
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"{escape(_quoted(name))}!$A$1:${get_column_letter(max(len(columns), 1))}"
        f"${len(df) + 1}</definedName>"
        for i, (name, (df, columns)) in enumerate(zip(names, sheets.values(), strict=True))
    )
    return (
        f"{_XML}<workbook {_NS} {_NS_R}><bookViews><workbookView/></bookViews>"
        f"<sheets>{listed}</sheets><definedNames>{filters}</definedNames></workbook>"
    )


def _quoted(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _workbook_rels(count: int) -> str:
    relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    sheets = "".join(
        f'<Relationship Id="rId{i}" Type="{relationships}/worksheet" '
        f'Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, count + 1)
    )
    return (
        f"{_XML}<Relationships "
        'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{sheets}"
        f'<Relationship Id="rId{count + 1}" Type="{relationships}/styles" '
        'Target="styles.xml"/></Relationships>'
    )


def _styles(header_fill: str | None = None) -> str:
    custom = [f for f in dict.fromkeys(EXCEL_FORMATS.values()) if f not in _BUILTIN_FORMATS]
    ids = _BUILTIN_FORMATS | {f: 164 + i for i, f in enumerate(custom)}
    numfmts = "".join(f'<numFmt numFmtId="{ids[f]}" formatCode={quoteattr(f)}/>' for f in custom)
    font = '<sz val="11"/><name val="Calibri"/><family val="2"/><scheme val="minor"/>'
    header = '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    fills = '<fill><patternFill patternType="gray125"/></fill>'
    fonts = f"<font>{font}</font><font><b/>{font}</font>"
    if header_fill:  # the corporate design's colour behind white bold type
        rgb = "FF" + header_fill.lstrip("#").upper()
        fills += (
            f'<fill><patternFill patternType="solid"><fgColor rgb="{rgb}"/></patternFill></fill>'
        )
        fonts = f'<font>{font}</font><font><b/><color rgb="FFFFFFFF"/>{font}</font>'
        header = header.replace('fillId="0"', 'fillId="2"').replace("/>", ' applyFill="1"/>')
    xfs = ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>', header]
    xfs += [
        f'<xf numFmtId="{ids[f]}" fontId="0" fillId="0" borderId="0" xfId="0" '
        'applyNumberFormat="1"/>'
        for f in EXCEL_FORMATS.values()
    ]
    return (
        f"{_XML}<styleSheet {_NS}>"
        f'<numFmts count="{len(custom)}">{numfmts}</numFmts>'
        f'<fonts count="2">{fonts}</fonts>'
        f'<fills count="{2 + bool(header_fill)}"><fill><patternFill patternType="none"/></fill>'
        f"{fills}</fills>"
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        f'</cellStyleXfs><cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )
