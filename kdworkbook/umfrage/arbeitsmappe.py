"""Writing one survey workbook (.xlsx) for a Fachamt with openpyxl.

Sheets: „Anleitung“ (what to fill in, example row, contact, due date), „Bestandserhebung“
(frozen header, data validation, prefilled columns protected, free rows for new processes)
and a hidden „_kdworkbook“ sheet that identifies the workbook even after renaming.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from kdworkbook.bericht.excel import save_atomically
from kdworkbook.bestand.erhebung import GEEIGNETHEIT_GRUENDE, HEADERS, PREFERRED_SHEET
from kdworkbook.bestand.schema import SURVEY_COLUMNS
from kdworkbook.kern.formatierung import datum

META_SHEET = "_kdworkbook"
GUIDE_SHEET = "Anleitung"
#: Columns of the survey sheet in order; the first five are prefilled and protected.
COLUMNS = SURVEY_COLUMNS
PREFILLED = COLUMNS[:5]
WIDTHS = {
    "fachamt": 16,
    "leika_schluessel": 17,
    "leistung": 22,
    "verrichtung": 20,
    "bezeichnung": 48,
    "nicht_geeignet": 18,
}
EXPLANATIONS = {
    "vorgaenge": ("Wie oft im Jahr kommt der Vorgang vor?", "ganze Zahl ≥ 0"),
    "minuten": ("Bearbeitungszeit je Vorgang, ohne Liegezeiten", "Minuten, Zahl ≥ 0"),
    "stufe": ("Stufe der Stelle, die den Vorgang bearbeitet", "Auswahlliste"),
    "beteiligte_stellen": ("Wie viele Organisationseinheiten sind beteiligt?", "ganze Zahl ≥ 0"),
    "rechtliche_besonderheiten": (
        "Gibt es rechtliche Besonderheiten (Schriftform, persönliches Erscheinen …)?",
        "0 = nein, 1 = ja",
    ),
    "reifegrad": (
        "Wie digital ist die Leistung heute? 0 offline, 1 Information online, "
        "2 Formular online, 3 Online-Antrag mit Nachweisen, 4 volldigital",
        "0–4, freiwillig",
    ),
    "nicht_geeignet": (
        "Nur ausfüllen, wenn die Leistung nicht digitalisierbar ist",
        "faktisch / rechtlich / wirtschaftlich",
    ),
}
EXAMPLE = (
    "Bürgerbüro",
    "99008001012001",
    "Personalausweis",
    "Ausstellung",
    "Personalausweis Ausstellung erstmalig",
    300,
    120,
    1,
    1,
    0,
    1,
    None,
)
LOCKED_FILL = PatternFill("solid", fgColor="E7ECF1")
HEADER_FILL = PatternFill("solid", fgColor="1D4E74")


@dataclass(frozen=True)
class WorkbookMeta:
    """What the instruction sheet says and the hidden sheet records."""

    gemeinde: str
    fachamt: str
    stufen: tuple[int, ...]
    rueckgabe_bis: dt.date | None = None
    kontakt: dict[str, str] = field(default_factory=dict)
    erzeugt: dt.date = field(default_factory=dt.date.today)


def write_survey_workbook(
    path: Path, rows: pd.DataFrame, meta: WorkbookMeta, empty_rows: int
) -> Path:
    """Write the workbook atomically (temporary name, then rename)."""
    book = Workbook()
    _guide(book.active, meta)
    _survey(book.create_sheet(PREFERRED_SHEET), rows, meta, empty_rows)
    hidden = book.create_sheet(META_SHEET)
    for item in (
        ("format", "kdworkbook-umfrage-1"),
        ("gemeinde", meta.gemeinde),
        ("fachamt", meta.fachamt),
        ("erzeugt", meta.erzeugt.isoformat()),
        ("vorbefuellt", len(rows)),
    ):
        hidden.append(item)
    hidden.sheet_state = "hidden"
    for sheet in book.worksheets:
        _text_stays_text(sheet)
    return save_atomically(book, path)


def _text_stays_text(sheet) -> None:
    """Every text cell is written as text: a contact „=1+1“ or a Fachamt „=HYPERLINK(…)“
    is shown as typed, never evaluated as a formula (openpyxl treats „=…“ as one)."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"


def _guide(sheet, meta: WorkbookMeta) -> None:
    sheet.title = GUIDE_SHEET
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 90
    due = datum(meta.rueckgabe_bis) if meta.rueckgabe_bis else "nach Absprache"
    contact = (
        ", ".join(
            v
            for v in (
                meta.kontakt.get("name"),
                meta.kontakt.get("email"),
                meta.kontakt.get("telefon"),
            )
            if v
        )
        or "Ihr Digitalmanagement"
    )
    lines = [
        (f"Bestandserhebung {meta.fachamt}", None),
        (meta.gemeinde, None),
        (None, None),
        ("Rückgabe bis", due),
        ("Fragen an", contact),
        (None, None),
        (
            "So geht es",
            "Im Blatt „Bestandserhebung“ steht je Zeile eine Leistung Ihres Fachamts "
            "aus dem Leistungskatalog (LeiKa). Bitte tragen Sie für jede Leistung, "
            "die Ihr Fachamt erbringt, die Werte in die weißen Felder ein.",
        ),
        (
            "",
            "Leistungen, die Ihr Fachamt nicht erbringt, lassen Sie einfach leer – sie "
            "gelten als „nicht ausgefüllt“, nicht als null.",
        ),
        (
            "",
            "Fehlt eine Leistung, tragen Sie sie in die freien Zeilen am Ende ein "
            "(Bezeichnung und Werte; Leistung und Verrichtung wenn bekannt).",
        ),
        (
            "",
            "Die grau hinterlegten Spalten sind vorgegeben und geschützt. Bitte keine Spalten "
            "einfügen, löschen oder umbenennen; Sie dürfen die Datei auch als CSV speichern.",
        ),
        (None, None),
        ("Spalte", "Bedeutung (Einheit)"),
    ]
    lines += [(HEADERS[c], f"{text} ({unit})") for c, (text, unit) in EXPLANATIONS.items()]
    lines += [
        (None, None),
        ("Beispielzeile", " | ".join("" if v is None else str(v) for v in EXAMPLE)),
    ]
    for label, text in lines:
        sheet.append([label, text])
    sheet["A1"].font = Font(bold=True, size=16, color="1D4E74")
    sheet["A2"].font = Font(size=12)
    for row in sheet.iter_rows(min_row=3):
        row[0].font = Font(bold=True)
        row[1].alignment = Alignment(wrap_text=True, vertical="top")


def _survey(sheet, rows: pd.DataFrame, meta: WorkbookMeta, empty_rows: int) -> None:
    sheet.append([HEADERS[c] for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.row_dimensions[1].height = 45
    for record in rows.reindex(columns=list(COLUMNS)).itertuples(index=False):
        _append(sheet, record, locked=len(PREFILLED))
    blank = (meta.fachamt,) + (None,) * (len(COLUMNS) - 1)
    for _ in range(empty_rows):
        _append(sheet, blank, locked=1)
    last = sheet.max_row
    for i, name in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = WIDTHS.get(name, 14)
    _validations(sheet, last, meta.stufen)
    sheet.freeze_panes = "F2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{last}"
    sheet.protection.sheet = True
    sheet.protection.autoFilter = False  # filtering stays allowed
    sheet.protection.sort = False
    sheet.protection.formatColumns = False


def _append(sheet, values, locked: int) -> None:
    sheet.append(
        [None if v is None or (not isinstance(v, str) and pd.isna(v)) else v for v in values]
    )
    for i, cell in enumerate(sheet[sheet.max_row]):
        if isinstance(cell.value, str):
            cell.data_type = "s"  # text stays text, never a formula
        if i < locked:
            cell.fill = LOCKED_FILL
        else:
            cell.protection = Protection(locked=False)


def _validations(sheet, last: int, stufen: tuple[int, ...]) -> None:
    def column(name: str) -> str:
        letter = get_column_letter(COLUMNS.index(name) + 1)
        return f"{letter}2:{letter}{max(last, 2)}"

    rules = [
        (
            "vorgaenge",
            DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0"),
            "Bitte eine ganze Zahl ≥ 0 eintragen.",
        ),
        (
            "beteiligte_stellen",
            DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0"),
            "Bitte eine ganze Zahl ≥ 0 eintragen.",
        ),
        (
            "minuten",
            DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0"),
            "Bitte Minuten als Zahl ≥ 0 eintragen.",
        ),
        (
            "stufe",
            DataValidation(type="list", formula1=f'"{",".join(map(str, stufen))}"'),
            "Bitte eine Stufe aus der Liste wählen.",
        ),
        (
            "rechtliche_besonderheiten",
            DataValidation(type="list", formula1='"0,1"'),
            "Bitte 0 (nein) oder 1 (ja) eintragen.",
        ),
        (
            "reifegrad",
            DataValidation(type="whole", operator="between", formula1="0", formula2="4"),
            "Bitte einen Reifegrad von 0 bis 4 eintragen.",
        ),
        (
            "nicht_geeignet",
            DataValidation(type="list", formula1=f'"{",".join(GEEIGNETHEIT_GRUENDE)}"'),
            "Bitte faktisch, rechtlich oder wirtschaftlich wählen – oder leer lassen.",
        ),
    ]
    add_validations(sheet, [(column(name), v, message) for name, v, message in rules])


def add_validations(sheet, rules: list[tuple[str, DataValidation, str]]) -> None:
    """Excel's input checks: each (cell range, validation, German message) – blank allowed,
    a wrong value refused with the message (also used by the status workbook)."""
    for cells, validation, message in rules:
        validation.allow_blank = True
        validation.showErrorMessage = True
        validation.errorTitle = "Ungültiger Wert"
        validation.error = message
        validation.add(cells)
        sheet.add_data_validation(validation)
