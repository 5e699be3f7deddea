"""The parts of an ``.xlsx`` file around its sheets (SpreadsheetML, ECMA-376): content types,
relationships, the workbook with its defined names (filter ranges, print titles) and the styles
– the number formats and cell styles :mod:`kdworkbook.bericht.excel` refers to by index.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from xml.sax.saxutils import escape, quoteattr

import pandas as pd
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
    "datum": "dd.mm.yyyy",
    "jahr": "0",
}
#: One number format per quarter („Q1/2027“): Excel has no format code for a quarter.
QUARTER_FORMATS = {q: f'"Q{q}/"yyyy' for q in range(1, 5)}

# Excel's built-in number formats (ECMA-376 18.8.30) – stored by id, not as text.
BUILTIN_FORMATS = {"General": 0, "0": 1, "#,##0": 3, "#,##0.00": 4, "@": 49}
# cellXfs: 0 default, 1 header (bold, wrapped), then one per number format, then a text
# style that wraps, then one per quarter.
BOLD_STYLE = 1
STYLE_OF = {fmt: i for i, fmt in enumerate(EXCEL_FORMATS, start=BOLD_STYLE + 1)}
WRAP_STYLE = BOLD_STYLE + len(EXCEL_FORMATS) + 1
QUARTER_STYLE = {q: WRAP_STYLE + q for q in QUARTER_FORMATS}
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
NS_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


ROOT_RELS = (
    f"{XML}<Relationships "
    'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)


def content_types(count: int) -> str:
    main = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{main}.worksheet+xml"/>'
        for i in range(1, count + 1)
    )
    return (
        f"{XML}<Types "
        'xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{main}.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{main}.styles+xml"/>'
        f"{sheets}</Types>"
    )


def workbook(
    names: list[str],
    sheets: Mapping[str, tuple[pd.DataFrame, Mapping]],
    formulas: bool = False,
    repeat_columns: Mapping[str, int] | None = None,
) -> str:
    listed = "".join(
        f'<sheet name={quoteattr(name)} sheetId="{i}" r:id="rId{i}"/>'
        for i, name in enumerate(names, start=1)
    )
    filters = "".join(  # Excel's own name for a sheet's filter range
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"{escape(quoted(name))}!$A$1:${get_column_letter(max(len(columns), 1))}"
        f"${len(df) + 1}</definedName>"
        for i, (name, (df, columns)) in enumerate(zip(names, sheets.values(), strict=True))
    )
    repeat = repeat_columns or {}
    titles = "".join(  # the header row (and leading columns) repeated on every printed page
        f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">'
        + (
            f"{escape(quoted(name))}!$A:${get_column_letter(repeat[name])},"
            if repeat.get(name)
            else ""
        )
        + f"{escape(quoted(name))}!$1:$1</definedName>"
        for i, name in enumerate(names)
    )
    # sum rows carry their value; recalculating on opening keeps them right after edits
    calc = '<calcPr calcId="191029" fullCalcOnLoad="1"/>' if formulas else ""
    return (
        f"{XML}<workbook {NS} {NS_R}><bookViews><workbookView/></bookViews>"
        f"<sheets>{listed}</sheets><definedNames>{filters}{titles}</definedNames>{calc}"
        "</workbook>"
    )


def quoted(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def workbook_rels(count: int) -> str:
    relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    sheets = "".join(
        f'<Relationship Id="rId{i}" Type="{relationships}/worksheet" '
        f'Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, count + 1)
    )
    return (
        f"{XML}<Relationships "
        'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{sheets}"
        f'<Relationship Id="rId{count + 1}" Type="{relationships}/styles" '
        'Target="styles.xml"/></Relationships>'
    )


def styles(header_color: str | None = None) -> str:
    """Number formats, the header style (bold, wrapped; filled with *header_color* in white
    type when given) and the cell styles: every data cell aligned to the top, so a wrapped
    neighbour reads level."""
    quarters = list(QUARTER_FORMATS.values())
    codes = [*dict.fromkeys(EXCEL_FORMATS.values()), *quarters]
    custom = [f for f in codes if f not in BUILTIN_FORMATS]
    ids = BUILTIN_FORMATS | {f: 164 + i for i, f in enumerate(custom)}
    numfmts = "".join(f'<numFmt numFmtId="{ids[f]}" formatCode={quoteattr(f)}/>' for f in custom)
    font = '<sz val="11"/><name val="Calibri"/><family val="2"/><scheme val="minor"/>'
    fills = '<fill><patternFill patternType="none"/></fill>'
    fills += '<fill><patternFill patternType="gray125"/></fill>'
    header_fill = 0
    if header_color:
        color = header_color.lstrip("#").upper()
        if not re.fullmatch(r"[0-9A-F]{6}", color):
            raise ValueError(f"Kopfzeilenfarbe „{header_color}“: erwartet #RRGGBB")
        fills += (
            f'<fill><patternFill patternType="solid"><fgColor rgb="FF{color}"/>'
            "</patternFill></fill>"
        )
        header_fill = 2
    white = '<color rgb="FFFFFFFF"/>' if header_color else ""  # on the design's dark fill
    top = '<alignment vertical="top"/>'
    xfs = ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'] + [
        f'<xf numFmtId="0" fontId="1" fillId="{header_fill}" borderId="0" xfId="0" '
        'applyFont="1" applyFill="1" applyAlignment="1">'
        '<alignment vertical="bottom" wrapText="1"/></xf>'
    ]
    xfs += [
        f'<xf numFmtId="{ids[f]}" fontId="0" fillId="0" borderId="0" xfId="0" '
        f'applyNumberFormat="1" applyAlignment="1">{top}</xf>'
        for f in EXCEL_FORMATS.values()
    ]
    xfs.append(
        '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" '
        'applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>'
    )
    xfs += [
        f'<xf numFmtId="{ids[f]}" fontId="0" fillId="0" borderId="0" xfId="0" '
        f'applyNumberFormat="1" applyAlignment="1">{top}</xf>'
        for f in quarters
    ]
    return (
        f"{XML}<styleSheet {NS}>"
        f'<numFmts count="{len(custom)}">{numfmts}</numFmts>'
        f'<fonts count="2"><font>{font}</font><font><b/>{white}{font}</font></fonts>'
        f'<fills count="{3 if header_color else 2}">{fills}</fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        f'</cellStyleXfs><cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )
