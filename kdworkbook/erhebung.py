"""Import of the Bestandserhebung (survey of all Fachämter) from .xlsx and .csv files.

Headers are the deck's (``Vorgänge pro Jahr`` …), matched tolerantly (case, spaces, line
breaks). CSV may be written by Excel in a German locale (``;``, Windows-1252 or UTF-8 with BOM,
decimal comma, thousands dot) or be plain UTF-8 with commas. Every table is checked against
:func:`survey_schema`, the data dictionary of the survey; problems name file, row (as the
analyst sees it in Excel) and column.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from kdworkbook.errors import InputError

#: Internal column name → header as printed in the deck (Bestandserhebung, Anlage 1).
HEADERS: dict[str, str] = {
    "fachamt": "Fachamt",
    "leistung": "Leistung",
    "verrichtung": "Verrichtung",
    "bezeichnung": "Bezeichnung",
    "vorgaenge": "Vorgänge pro Jahr",
    "minuten": "Zeitlicher Aufwand in Minuten",
    "stufe": "Bearbeitende Stelle nach Stufe",
    "beteiligte_stellen": "Beteiligte Stellen",
    "rechtliche_besonderheiten": "Rechtliche Besonderheiten vorhanden",
    "leika_schluessel": "LeiKa-Schlüssel",
    # optional columns of later steps (Rahmenbedingungen, Priorisierung)
    "reifegrad": "Reifegrad",
    "nicht_geeignet": "nicht geeignet (Grund)",
    "buergernachfrage": "Bürgernachfrage",
}
REQUIRED = (
    "bezeichnung",
    "vorgaenge",
    "minuten",
    "stufe",
    "beteiligte_stellen",
    "rechtliche_besonderheiten",
)
NUMERIC = (
    "vorgaenge",
    "minuten",
    "stufe",
    "beteiligte_stellen",
    "rechtliche_besonderheiten",
    "reifegrad",
    "buergernachfrage",
)
OPTIONAL_NUMERIC = ("reifegrad", "buergernachfrage")
TEXT = ("fachamt", "leistung", "verrichtung", "bezeichnung", "leika_schluessel", "nicht_geeignet")
#: Reasons why a process cannot be digitalised (Geeignetheit, deck).
GEEIGNETHEIT_GRUENDE = ("faktisch", "rechtlich", "wirtschaftlich")
#: Further spellings seen in practice (the seed's table header says "Leistungskennung").
_ALIASES = {
    "leistungskennung": "leistung",
    "leika schlüssel": "leika_schluessel",
    "leika-schluessel": "leika_schluessel",
    "leika-id": "leika_schluessel",
    "vorgaenge pro jahr": "vorgaenge",
    "amt": "fachamt",
    "ozg-reifegrad": "reifegrad",
    "nicht geeignet": "nicht_geeignet",
    "nachfrage": "buergernachfrage",
}
PREFERRED_SHEET = "Bestandserhebung"
MAX_MESSAGES = 60
#: Limits that protect memory: the largest NRW survey has a few thousand processes; the
#: benchmark uses 100.000 (see ``make bench``).
MAX_ROWS = 250_000
MAX_BYTES = 100_000_000


def _norm(header: Any) -> str:
    return re.sub(r"\s+", " ", str(header or "")).strip().strip(":*").strip().lower()


_HEADER_LOOKUP = {_norm(h): col for col, h in HEADERS.items()} | _ALIASES


def _whole(series: pd.Series) -> pd.Series:
    return series.isna() | (series % 1 == 0)


def survey_schema(stufen: Iterable[int]) -> pa.DataFrameSchema:
    """The survey's data dictionary: one column per deck header, with description and unit."""
    stufen = sorted(stufen)
    count = [
        pa.Check.ge(0, error="erwartet eine Zahl ≥ 0"),
        pa.Check(_whole, error="erwartet eine ganze Zahl"),
    ]

    def col(
        name: str,
        dtype: Any,
        description: str,
        unit: str,
        checks: list[pa.Check],
        nullable: bool = False,
    ) -> pa.Column:
        return pa.Column(
            dtype,
            checks=checks,
            nullable=nullable,
            title=HEADERS[name],
            description=description,
            metadata={"einheit": unit},
        )

    return pa.DataFrameSchema(
        {
            "fachamt": col(
                "fachamt",
                str,
                "Organisationseinheit, die den Prozess bearbeitet",
                "Text",
                [pa.Check.str_length(min_value=1, error="darf nicht leer sein")],
            ),
            "leistung": col(
                "leistung",
                str,
                "Leistungsobjekt nach LeiKa, z. B. Personalausweis",
                "Text",
                [],
                nullable=True,
            ),
            "verrichtung": col(
                "verrichtung",
                str,
                "Verrichtung nach LeiKa, z. B. Ausstellung",
                "Text",
                [],
                nullable=True,
            ),
            "bezeichnung": col(
                "bezeichnung",
                str,
                "Name des Prozesses (LeiKa-Bezeichnung)",
                "Text",
                [pa.Check.str_length(min_value=1, error="darf nicht leer sein")],
            ),
            "vorgaenge": col("vorgaenge", float, "Fallzahl im Jahr", "Vorgänge/Jahr", count),
            "minuten": col(
                "minuten",
                float,
                "Bearbeitungszeit je Vorgang",
                "Minuten/Vorgang",
                [pa.Check.ge(0, error="erwartet eine Zahl ≥ 0")],
            ),
            "stufe": col(
                "stufe",
                float,
                "Stufe der bearbeitenden Stelle (→ Laufbahngruppe)",
                "Stufe",
                [
                    pa.Check.isin(
                        stufen, error="erwartet eine der Stufen " + ", ".join(map(str, stufen))
                    )
                ],
            ),
            "beteiligte_stellen": col(
                "beteiligte_stellen",
                float,
                "Zahl der beteiligten Organisationseinheiten",
                "Stellen",
                count,
            ),
            "rechtliche_besonderheiten": col(
                "rechtliche_besonderheiten",
                float,
                "1 = rechtliche Besonderheiten vorhanden",
                "0/1",
                [pa.Check.isin([0, 1], error="erwartet 0 (nein) oder 1 (ja)")],
            ),
            "leika_schluessel": col(
                "leika_schluessel",
                str,
                "14-stelliger Schlüssel im Leistungskatalog",
                "Schlüssel",
                [pa.Check.str_matches(r"^\d{14}$", error="erwartet 14 Ziffern")],
                nullable=True,
            ),
            "reifegrad": col(
                "reifegrad",
                float,
                "OZG-Reifegrad 0 (offline) bis 4 (volldigital)",
                "Stufe 0–4",
                [pa.Check.isin([0, 1, 2, 3, 4], error="erwartet einen Reifegrad 0 bis 4")],
                nullable=True,
            ),
            "nicht_geeignet": col(
                "nicht_geeignet",
                str,
                "Grund, warum der Prozess nicht digitalisierbar ist",
                "faktisch/rechtlich/wirtschaftlich",
                [
                    pa.Check.isin(
                        GEEIGNETHEIT_GRUENDE,
                        error="erwartet faktisch, rechtlich oder wirtschaftlich (oder leer)",
                    )
                ],
                nullable=True,
            ),
            "buergernachfrage": col(
                "buergernachfrage",
                float,
                "Nachfrage der Bürgerinnen und Bürger nach einem "
                "Online-Angebot, 1 (gering) bis 5 (hoch)",
                "1–5",
                [pa.Check.isin([1, 2, 3, 4, 5], error="erwartet 1 (gering) bis 5 (hoch)")],
                nullable=True,
            ),
        },
        unique=["fachamt", "bezeichnung"],
        report_duplicates="all",
        strict=False,
    )


@dataclass(frozen=True)
class Survey:
    """The merged, validated survey: one row per process, plus notes on the import."""

    data: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


# --------------------------------------------------------------------------- reading


def parse_numbers(values: pd.Series, decimal: str = ",") -> tuple[pd.Series, pd.Series]:
    """Cells → floats, vectorised; returns (numbers, mask of cells that are not numbers).

    ``"1.234,5"`` → 1234.5 with decimal ``,`` (German); ``"1,234.5"`` → 1234.5 with ``.``.
    A lone dot followed by other than three digits (``"7.5"``) is a decimal point in both
    conventions: Excel in a German locale never writes it as a thousands separator. Empty
    cells become NaN and are not flagged; booleans are flagged.
    """
    values = pd.Series(values, dtype=object)
    n = len(values)
    if values.isna().all():
        return pd.Series(np.nan, index=values.index), pd.Series(False, index=values.index)
    is_str = np.fromiter((isinstance(v, str) for v in values), bool, n)
    is_bool = np.fromiter((isinstance(v, bool) for v in values), bool, n)
    result = pd.to_numeric(values.where(~is_str & ~is_bool), errors="coerce").astype(float)
    if is_str.any():
        text = values[is_str]
        if text.str.contains("[ \u00a0]", regex=True).any():
            text = text.str.replace("[ \u00a0]", "", regex=True)
        # fast path: plain numbers; with a decimal comma only when there is no dot at all
        candidate = text
        if decimal == ",":
            dotted = text.str.contains(".", regex=False).astype(bool)
            if dotted.any():
                candidate = text.where(~dotted)
            candidate = candidate.str.replace(",", ".", regex=False)
        quick = pd.to_numeric(candidate, errors="coerce")
        rest = quick.isna() & (text != "")
        if rest.any():
            quick[rest] = _parse_slow(text[rest], decimal)
        result[is_str] = quick.astype(float)
        blank_text = (text == "").to_numpy()
    else:
        blank_text = np.zeros(0, dtype=bool)
    blank = values.isna().to_numpy().copy()
    blank[is_str] |= blank_text
    bad = (result.isna().to_numpy() & ~blank) | is_bool
    bad_series = pd.Series(bad, index=values.index)
    return result.where(~bad_series), bad_series


def _parse_slow(text: pd.Series, decimal: str) -> pd.Series:
    """The general rules of :func:`parse_numbers` for the few cells the fast path left."""
    text = text.str.replace("\u2212", "-", regex=False)
    thousands = "." if decimal == "," else ","
    grouped = _matches(text, rf"[-+]?\d{{1,3}}(\{thousands}\d{{3}})+(\{decimal}\d+)?")
    local = _matches(text, rf"[-+]?(\d+(\{decimal}\d*)?|\{decimal}\d+)")
    pointed = _matches(text, r"[-+]?\d+\.\d+") & ~local
    cleaned = text.where(~grouped, text.str.replace(thousands, "", regex=False))
    cleaned = cleaned.where(pointed, cleaned.str.replace(decimal, ".", regex=False))
    return pd.to_numeric(cleaned.where(grouped | local | pointed), errors="coerce")


def _matches(text: pd.Series, pattern: str) -> pd.Series:
    return text.str.fullmatch(pattern).fillna(False).astype(bool)


def parse_number(value: Any, decimal: str = ",") -> float | None:
    """One cell, see :func:`parse_numbers`; raises ValueError for text that is no number."""
    numbers, bad = parse_numbers(pd.Series([value], dtype=object), decimal)
    if bad.iloc[0]:
        raise ValueError(value)
    return None if pd.isna(numbers.iloc[0]) else float(numbers.iloc[0])


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _read_csv(path: Path) -> tuple[list[list[Any]], str]:
    raw = path.read_bytes()
    if b"\x00" in raw[:4096]:
        raise InputError(f"{path}: keine Textdatei (Binärdaten) – erwartet: CSV oder .xlsx.")
    text = _decode(raw)
    first = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first.count)
    rows = []
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        rows.append(row)
        if len(rows) > MAX_ROWS + 1:
            raise InputError(_too_many_rows(path))
    return rows, ("," if delimiter in ";\t" else ".")


def _read_xlsx(path: Path) -> list[list[Any]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError):
        raise InputError(
            f"{path}: keine lesbare Excel-Datei (.xlsx) – vielleicht eine umbenannte andere Datei "
            "oder das alte .xls-Format? Bitte in Excel als .xlsx oder .csv speichern."
        ) from None
    try:
        sheets = book.sheetnames
        if not sheets:
            raise InputError(f"{path}: Arbeitsmappe enthält kein Tabellenblatt.")
        sheet = book[PREFERRED_SHEET] if PREFERRED_SHEET in sheets else book[sheets[0]]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > MAX_ROWS + 1:
                raise InputError(_too_many_rows(path))
        return rows
    finally:
        book.close()


def _too_many_rows(path: Path) -> str:
    return (
        f"{path}: mehr als {MAX_ROWS:_} Zeilen – für eine Bestandserhebung unplausibel. "
        "Bitte die Datei prüfen (leere, aber formatierte Zeilen?) oder aufteilen."
    ).replace("_", ".")


def xlsx_explanations(path: Path) -> dict[str, list[str]]:
    """Why a header or value looks missing: merged header cells, formulas without a value.

    Only called on the error path – it loads the workbook a second time, with formulas.
    """
    from openpyxl import load_workbook

    book = load_workbook(path, data_only=False)
    sheet = book[PREFERRED_SHEET] if PREFERRED_SHEET in book.sheetnames else book.worksheets[0]
    merged = [str(r) for r in sheet.merged_cells.ranges if r.min_row == 1]
    formulas = [
        c.coordinate
        for row in sheet.iter_rows(min_row=2)
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=")
    ]
    return {"merged_header": merged, "formulas": formulas}


def read_table(path: Path) -> tuple[list[list[Any]], str]:
    """Raw rows of a survey file (header first) and its decimal separator."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InputError(f"{path}: Datei nicht gefunden.")
    size = path.stat().st_size
    if size == 0:
        raise InputError(f"{path}: Datei ist leer.")
    if size > MAX_BYTES:
        raise InputError(
            f"{path}: {size // 1_000_000} MB sind zu groß für eine Bestandserhebung "
            f"(höchstens {MAX_BYTES // 1_000_000} MB)."
        )
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path), ","
    if suffix in (".csv", ".txt"):
        return _read_csv(path)
    raise InputError(
        f"{path}: Dateityp „{suffix}“ wird nicht unterstützt – erwartet: .xlsx oder .csv."
    )


# --------------------------------------------------------------------------- one file


def _map_headers(path: Path, header: Sequence[Any]) -> tuple[dict[int, str], list[str]]:
    mapping: dict[int, str] = {}
    notes = []
    for i, cell in enumerate(header):
        name = _HEADER_LOOKUP.get(_norm(cell))
        if name and name not in mapping.values():
            mapping[i] = name
        elif _norm(cell):
            notes.append(f"{path.name}: Spalte „{cell}“ wird nicht ausgewertet.")
    missing = [HEADERS[c] for c in REQUIRED if c not in mapping.values()]
    if missing:
        found = ", ".join(f"„{h}“" for h in header if _norm(h)) or "keine"
        hint = ""
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            merged = xlsx_explanations(path)["merged_header"]
            if merged:
                hint = (
                    f" Die Kopfzeile enthält verbundene Zellen ({', '.join(merged)}) – bitte "
                    "den Zellverbund aufheben, jede Spalte braucht ihre eigene Überschrift."
                )
        raise InputError(
            f"{path}: Spalte(n) {', '.join(f'„{m}“' for m in missing)} fehlen in der Kopfzeile "
            f"(Zeile 1). Gefunden: {found}. Erwartet werden die Überschriften der "
            f"Bestandserhebung.{hint}"
        )
    return mapping, notes


def _frame(
    path: Path,
    rows: list[list[Any]],
    decimal: str,
    fachamt: str | None,
    errors: dict[tuple[str, int, str], str],
) -> pd.DataFrame:
    """Raw rows → typed DataFrame; unparsable numbers go into *errors*, keyed by cell."""
    mapping, _ = _map_headers(path, rows[0])
    if len(rows) < 2:
        raise InputError(f"{path}: enthält keine Prozesse (nur die Kopfzeile oder leere Zeilen).")
    width = max(mapping) + 1
    raw = pd.DataFrame([(row + [None] * width)[:width] for row in rows[1:]], dtype=object)
    raw = raw[list(mapping)].set_axis(list(mapping.values()), axis=1)
    raw = raw.reindex(columns=[*TEXT, *NUMERIC])
    raw.index = pd.RangeIndex(2, len(raw) + 2)  # the row number the analyst sees in Excel
    required = raw[list(REQUIRED)]
    blank = required.apply(lambda column: column.map(_text).isna())
    raw = raw[~blank.all(axis=1)]  # empty lines are not processes
    if raw.empty:
        return _frame(path, rows[:1], decimal, fachamt, errors)  # says: no processes
    frame = pd.DataFrame({"datei": path.name, "zeile": raw.index}, index=raw.index)
    for name in TEXT:
        frame[name] = _texts(raw[name])
    frame["nicht_geeignet"] = frame["nicht_geeignet"].str.lower()
    frame["fachamt"] = frame["fachamt"].fillna(fachamt or path.stem)
    for name in NUMERIC:
        frame[name], bad = parse_numbers(raw[name], decimal)
        for excel_row, value in raw.loc[bad, name].items():
            errors[(path.name, excel_row, name)] = (
                f"{path.name}, Zeile {excel_row}, Spalte „{HEADERS[name]}“: "
                f"„{value}“ ist keine Zahl."
            )
    return frame.reset_index(drop=True)


def _text(value: Any) -> str | None:
    if value is None or value != value:  # NaN
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a LeiKa key Excel stored as a number
    return " ".join(str(value).split()) or None


def _texts(column: pd.Series) -> pd.Series:
    """Cells → trimmed text with single spaces; a LeiKa key Excel stored as a number → digits."""
    return column.map(_text).astype("str")


# --------------------------------------------------------------------------- all files


def _schema_messages(
    failures: pd.DataFrame, data: pd.DataFrame, unparsable: set[tuple[str, int, str]]
) -> list[str]:
    """pandera's failure cases → German messages with file, Excel row and column header."""
    messages = []
    for case in failures.itertuples():
        row = data.loc[case.index]
        prefix = f"{row['datei']}, Zeile {row['zeile']}"
        header = HEADERS.get(case.column, case.column)
        if case.check == "multiple_fields_uniqueness":
            if case.column == "bezeichnung":
                messages.append(
                    f"{prefix}: Prozess „{case.failure_case}“ ist im Fachamt "
                    f"„{row['fachamt']}“ doppelt erfasst."
                )
        elif case.check == "not_nullable":
            if (row["datei"], row["zeile"], case.column) not in unparsable:
                messages.append(f"{prefix}, Spalte „{header}“: Wert fehlt.")
        else:
            shown = _shown(case.failure_case)
            messages.append(f"{prefix}, Spalte „{header}“: „{shown}“ – {case.check}.")
    return messages


def _shown(value: Any) -> Any:
    """A failing value as the analyst typed it: 10,5 rather than 10.5, 3 rather than 3.0."""
    if isinstance(value, float):
        return int(value) if value.is_integer() else f"{value:g}".replace(".", ",")
    return value


def _formula_hints(paths: list[Path], errors: list[str]) -> list[str]:
    """A value that is missing because a formula was never calculated gets its own hint."""
    hints = []
    for path in paths:
        if path.suffix.lower() in (".xlsx", ".xlsm") and any(
            e.startswith(f"{path.name}, Zeile") and "Wert fehlt" in e for e in errors
        ):
            formulas = xlsx_explanations(path)["formulas"]
            if formulas:
                cells = ", ".join(formulas[:10]) + (" …" if len(formulas) > 10 else "")
                hints.append(
                    f"{path.name}: Zellen {cells} enthalten Formeln ohne gespeicherten "
                    "Wert – bitte die Datei in Excel öffnen und speichern."
                )
    return hints


def _sort_key(message: str) -> tuple[str, int]:
    match = re.match(r"(.+?), Zeile (\d+)", message)
    return (match.group(1), int(match.group(2))) if match else (message, 0)


def read_survey(sources: Sequence[tuple[Path, str | None]], stufen: Iterable[int]) -> Survey:
    """Read, merge and validate survey files given as ``(path, fachamt or None)``.

    Raises InputError with every problem found (file, Excel row, column, what was expected).
    """
    frames, notes = [], []
    unparsable: dict[tuple[str, int, str], str] = {}
    for path, fachamt in sources:
        rows, decimal = read_table(path)
        if not rows or not any(_text(cell) for cell in rows[0]):
            raise InputError(
                f"{path}: keine Kopfzeile gefunden – Zeile 1 muss die Überschriften "
                "der Bestandserhebung enthalten."
            )
        notes += _map_headers(path, rows[0])[1]
        frames.append(_frame(path, rows, decimal, fachamt, unparsable))
    data = pd.concat(frames, ignore_index=True)
    errors = list(unparsable.values())
    try:
        survey_schema(stufen).validate(data, lazy=True)
    except pa.errors.SchemaErrors as exc:
        errors += _schema_messages(exc.failure_cases, data, set(unparsable))
    if errors:
        errors = sorted(dict.fromkeys(errors), key=_sort_key)
        errors += _formula_hints([p for p, _ in sources], errors)
        more = len(errors) - MAX_MESSAGES
        raise InputError(
            errors[:MAX_MESSAGES] + ([f"… und {more} weitere Probleme."] if more > 0 else [])
        )
    for name in ("vorgaenge", "stufe", "beteiligte_stellen", "rechtliche_besonderheiten"):
        data[name] = data[name].astype("int64")
    for name in OPTIONAL_NUMERIC:
        data[name] = data[name].astype("Int64")
    return Survey(data=data, notes=notes, files=[p for p, _ in sources])
