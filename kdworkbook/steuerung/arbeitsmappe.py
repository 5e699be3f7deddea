"""The Umsetzungsstand workbook for the Digitalmanager (``kdworkbook steuerung``).

Sheets: „Anleitung“, „Umsetzungsstand“ (one row per planned measure: the plan protected and
grey, the answer columns white with validation lists) and the hidden „_kdworkbook“ sheet that
identifies the workbook even after renaming – as the survey workbooks of
:mod:`kdworkbook.umfrage.arbeitsmappe`, whose colours and atomic save are reused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from kdworkbook.bericht.excel import save_atomically
from kdworkbook.kern.formatierung import datum
from kdworkbook.umfrage.arbeitsmappe import (
    HEADER_FILL,
    LOCKED_FILL,
    META_SHEET,
    add_validations,
)

FORMAT = "kdworkbook-steuerung-1"
GUIDE_SHEET = "Anleitung"
STATUS_SHEET = "Umsetzungsstand"
#: Status of a measure, in the order of the validation list.
STATUS = ("geplant", "begonnen", "umgesetzt", "zurückgestellt", "verworfen")
#: Column key → header; the first seven come from the plan and are protected.
HEADERS = {
    "id": "Maßnahmen-Id",
    "prozess": "Prozess",
    "massnahme": "Maßnahme",
    "beginn_plan": "Beginn geplant (Quartal)",
    "fertig_plan": "fertig geplant (Quartal)",
    "einmalkosten_plan": "Einmalkosten geplant €",
    "verantwortlich": "Durchführungsverantwortung",
    "status": "Status",
    "beginn_ist": "Beginn tatsächlich (Datum)",
    "ende_ist": "Ende tatsächlich (Datum)",
    "einmalkosten_ist": "Einmalkosten tatsächlich €",
    "bemerkung": "Bemerkung",
}
PREFILLED = 7
WIDTHS = {"id": 30, "prozess": 40, "massnahme": 28, "verantwortlich": 24, "bemerkung": 40}


@dataclass(frozen=True)
class StatusMeta:
    """What the instruction sheet says and the hidden sheet records."""

    gemeinde: str
    planbeginn: dt.date  # first day of the plan's first quarter
    erzeugt: dt.date = field(default_factory=dt.date.today)


def plan_rows(measures: pd.DataFrame) -> pd.DataFrame:
    """The prefilled columns from :attr:`kdworkbook.massnahmen.plan.Planung.measures`."""
    return pd.DataFrame(
        {
            "id": measures["id"],
            "prozess": measures["bezeichnung"],
            "massnahme": measures["massnahme"],
            "beginn_plan": measures["beginn"],
            "fertig_plan": measures["fertig"],
            "einmalkosten_plan": measures["einmalkosten_eur"].astype(float),
            "verantwortlich": measures["durchfuehrung"],
        }
    ).reset_index(drop=True)


def write_status_workbook(path: Path, rows: pd.DataFrame, meta: StatusMeta) -> Path:
    """Write the workbook atomically (temporary name, then rename)."""
    book = Workbook()
    _guide(book.active, meta)
    _status(book.create_sheet(STATUS_SHEET), rows)
    hidden = book.create_sheet(META_SHEET)
    for item in (
        ("format", FORMAT),
        ("gemeinde", meta.gemeinde),
        ("planbeginn", meta.planbeginn.isoformat()),
        ("erzeugt", meta.erzeugt.isoformat()),
        ("massnahmen", len(rows)),
    ):
        hidden.append(item)
    hidden.sheet_state = "hidden"
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text stays text, never a formula
    return save_atomically(book, path)


def _guide(sheet, meta: StatusMeta) -> None:
    sheet.title = GUIDE_SHEET
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 90
    lines = [
        ("Umsetzungsstand der Maßnahmen", None),
        (meta.gemeinde, None),
        (None, None),
        ("Plan ab", datum(meta.planbeginn)),
        ("erzeugt am", datum(meta.erzeugt)),
        (None, None),
        (
            "So geht es",
            "Im Blatt „Umsetzungsstand“ steht je Zeile eine geplante Maßnahme. Bitte tragen "
            "Sie den Status und, soweit bekannt, Beginn, Ende und tatsächliche Einmalkosten ein.",
        ),
        ("Status", " / ".join(STATUS)),
        ("Beginn, Ende", f"Datum (TT.MM.JJJJ), nicht vor dem Planbeginn {datum(meta.planbeginn)}"),
        ("Einmalkosten", "tatsächliche einmalige Kosten in Euro, Zahl ≥ 0"),
        (
            "",
            "Die grau hinterlegten Spalten sind vorgegeben und geschützt. Leere Felder gelten "
            "als „nicht angegeben“, nicht als null.",
        ),
    ]
    for label, text in lines:
        sheet.append([label, text])
    sheet["A1"].font = Font(bold=True, size=16, color="1D4E74")
    for row in sheet.iter_rows(min_row=3):
        row[0].font = Font(bold=True)
        row[1].alignment = Alignment(wrap_text=True, vertical="top")


def _status(sheet, rows: pd.DataFrame) -> None:
    keys = list(HEADERS)
    sheet.append(list(HEADERS.values()))
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for record in rows.reindex(columns=keys).itertuples(index=False):
        sheet.append([None if not isinstance(v, str) and pd.isna(v) else v for v in record])
        for i, cell in enumerate(sheet[sheet.max_row]):
            if i < PREFILLED:
                cell.fill = LOCKED_FILL
            else:
                cell.protection = Protection(locked=False)
            if keys[i] in ("beginn_ist", "ende_ist"):
                cell.number_format = "DD.MM.YYYY"
            elif keys[i].startswith("einmalkosten"):
                cell.number_format = "#,##0.00"
    last = max(sheet.max_row, 2)
    for i, key in enumerate(keys, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = WIDTHS.get(key, 16)
    _validations(sheet, keys, last)
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(keys))}{last}"
    sheet.protection.sheet = True
    sheet.protection.autoFilter = False  # filtering stays allowed
    sheet.protection.sort = False
    sheet.protection.formatColumns = False


def _validations(sheet, keys: list[str], last: int) -> None:
    def column(name: str) -> str:
        letter = get_column_letter(keys.index(name) + 1)
        return f"{letter}2:{letter}{last}"

    rules = [
        (
            "status",
            DataValidation(type="list", formula1=f'"{",".join(STATUS)}"'),
            "Bitte einen Status aus der Liste wählen.",
        ),
        *(
            (
                name,
                DataValidation(type="date", operator="greaterThan", formula1="1"),
                "Bitte ein Datum (TT.MM.JJJJ) eintragen.",
            )
            for name in ("beginn_ist", "ende_ist")
        ),
        (
            "einmalkosten_ist",
            DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0"),
            "Bitte einen Betrag in Euro ≥ 0 eintragen.",
        ),
    ]
    add_validations(sheet, [(column(name), v, message) for name, v, message in rules])
