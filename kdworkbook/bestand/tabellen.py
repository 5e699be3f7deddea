"""Reading raw survey tables: .xlsx with openpyxl, CSV as Excel writes it in any locale.

Returns rows as lists (header first) plus the decimal separator; converts cells to numbers
and text column by column. Limits on size and rows protect memory against hostile files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kdworkbook.bestand.schema import PREFERRED_SHEET
from kdworkbook.kern import csvtext
from kdworkbook.kern.archiv import check_input
from kdworkbook.kern.errors import InputError

#: Limits that protect memory: the largest NRW survey has a few thousand processes; the
#: benchmark uses 100.000 (see ``make bench``).
MAX_ROWS = 250_000
MAX_BYTES = 100_000_000
#: The header is searched in this many rows from the top: offices put a title, a date or
#: the Fachamt above it („Bestandserhebung Bürgerbüro“).
HEADER_ROWS = 10


def _all_text(values: pd.Series) -> bool:
    """Only text and empty cells (always so in a CSV)."""
    return pd.api.types.infer_dtype(values, skipna=True) == "string"


def _kinds(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(is text, is boolean) per cell, in one pass."""
    if _all_text(values):  # no cell-wise look needed
        return values.notna().to_numpy(), np.zeros(len(values), dtype=bool)
    kinds = values.map(type).to_numpy()
    return kinds == str, kinds == bool  # noqa: E721 – exact types, bool is no number here


def _distinct(values: pd.Series) -> tuple[np.ndarray, pd.Series] | None:
    """(codes, distinct cells) of a long text column that repeats itself (survey columns
    do: Stufe, flags, Fachamt …), so each distinct text is converted once; else None.
    Only for pure text: ``True`` and ``1`` would count as the same cell."""
    if len(values) < 1000 or not _all_text(values):
        return None
    codes, uniques = pd.factorize(values.to_numpy(dtype=object))
    if len(uniques) > len(values) // 2:
        return None
    return codes, pd.Series(uniques, dtype=object)


def parse_numbers(values: pd.Series, decimal: str = ",") -> tuple[pd.Series, pd.Series]:
    """Cells → floats, vectorised; returns (numbers, mask of cells that are not numbers).

    ``"1.234,5"`` → 1234.5 with decimal ``,`` (German); ``"1,234.5"`` → 1234.5 with ``.``.
    A lone dot followed by other than three digits (``"7.5"``) is a decimal point in both
    conventions: Excel in a German locale never writes it as a thousands separator. Empty
    cells become NaN and are not flagged; booleans are flagged.
    """
    values = pd.Series(values, dtype=object)
    missing = values.isna().to_numpy()
    if missing.all():
        return pd.Series(np.nan, index=values.index), pd.Series(False, index=values.index)
    distinct = _distinct(values)
    if distinct is not None:
        codes, uniques = distinct
        numbers, bad = parse_numbers(uniques, decimal)
        found = codes >= 0  # -1: empty cell
        result = np.where(found, numbers.to_numpy()[codes], np.nan)
        flagged = found & bad.to_numpy()[codes]
        return pd.Series(result, index=values.index), pd.Series(flagged, index=values.index)
    is_str, is_bool = _kinds(values)
    others = ~is_str & ~is_bool & ~missing  # numbers as Excel stores them
    result = np.full(len(values), np.nan)
    if others.any():
        result[others] = pd.to_numeric(values[others], errors="coerce").to_numpy(float)
    blank = missing.copy()
    if is_str.any():
        text = values[is_str].to_numpy(dtype=str)
        blank[is_str] = np.strings.strip(text) == ""
        # fast path, numpy string ufuncs: plain numbers; a decimal comma only without dots
        candidate = text
        if decimal == ",":
            candidate = np.where(
                np.strings.find(text, ".") >= 0, "x", np.strings.replace(text, ",", ".")
            )
        quick = np.array(
            pd.to_numeric(pd.Series(candidate, dtype=object), errors="coerce"), dtype=float
        )
        rest = np.isnan(quick) & ~blank[is_str]
        if rest.any():
            quick[rest] = _parse_slow(pd.Series(text[rest], dtype=object), decimal).to_numpy(float)
        result[is_str] = quick
    bad = (np.isnan(result) & ~blank) | is_bool
    result[bad] = np.nan
    return pd.Series(result, index=values.index), pd.Series(bad, index=values.index)


#: Forms of a duration the survey accepts besides a plain number of minutes (shown in the
#: message for any other form).
MINUTES_FORMS = "7,5 · 7,5 min · 0:07:30 (Stunden:Minuten:Sekunden)"
_WITH_UNIT = re.compile(r"([0-9]+(?:[.,][0-9]+)?)\s*(?:min\.?|minuten?)", re.IGNORECASE)
_HMS = re.compile(r"([0-9]+):([0-5][0-9]):([0-5][0-9](?:[.,][0-9]+)?)")


def parse_minutes(values: pd.Series, decimal: str = ",") -> tuple[pd.Series, pd.Series]:
    """Like :func:`parse_numbers`, plus durations as offices write them: „7,5 min“,
    „0:07:30“ (h:mm:ss) and Excel time cells (``datetime.time``/``timedelta``) → minutes.

    „7:30“ stays an error: hours:minutes or minutes:seconds cannot be told apart.
    """
    numbers, bad = parse_numbers(values, decimal)
    if bad.any():
        converted = values[bad].map(_minutes)
        numbers = numbers.copy()
        numbers[bad] = converted.astype(float)
        bad = bad & converted.isna()
    return numbers, bad


def _minutes(value: Any) -> float | None:
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 60
    if isinstance(value, dt.time):
        return value.hour * 60 + value.minute + (value.second + value.microsecond / 1e6) / 60
    if not isinstance(value, str):
        return None
    text = value.strip()
    if match := _WITH_UNIT.fullmatch(text):
        return float(match.group(1).replace(",", "."))
    if match := _HMS.fullmatch(text):
        hours, minutes, seconds = match.groups()
        return int(hours) * 60 + int(minutes) + float(seconds.replace(",", ".")) / 60
    return None


def _parse_slow(text: pd.Series, decimal: str) -> pd.Series:
    """The general rules of :func:`parse_numbers` for the few cells the fast path left."""
    text = text.str.replace(r"[\s\u00a0]", "", regex=True).str.replace("\u2212", "-", regex=False)
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


def _read_csv(path: Path) -> tuple[list[Any], pd.DataFrame, str]:
    try:
        text = csvtext.decode(path.read_bytes())
    except csvtext.BinaryData:
        raise InputError(
            f"{path}: keine Textdatei (Binärdaten) – erwartet: CSV oder .xlsx."
        ) from None
    delimiter = csvtext.delimiter(text)
    decimal = "," if delimiter in ";\t" else "."
    try:  # pandas' C parser: fast; it refuses rows longer than the first one
        cells = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=None,
            dtype=object,
            na_filter=False,
            skip_blank_lines=False,  # keeps Excel's row numbers
            nrows=MAX_ROWS + 2,
            engine="c",
        )
    except pd.errors.ParserError:
        rows = []
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.append(row)
            if len(rows) > MAX_ROWS + 1:
                raise InputError(_too_many_rows(path)) from None
        return _split(rows) + (decimal,)
    if len(cells) > MAX_ROWS + 1:
        raise InputError(_too_many_rows(path))
    header = [None if v != v else v for v in cells.iloc[0]] if len(cells) else []
    return header, cells.iloc[1:].reset_index(drop=True), decimal


def _split(rows: list[list[Any]]) -> tuple[list[Any], pd.DataFrame]:
    """Rows of any length → (header, body with one column per position, short rows padded)."""
    if not rows:
        return [], pd.DataFrame()
    width = max(len(row) for row in rows)
    body = pd.DataFrame([(row + [None] * width)[:width] for row in rows[1:]], dtype=object)
    return list(rows[0]), body.reindex(columns=range(width))


def _read_xlsx(path: Path) -> tuple[list[Any], pd.DataFrame]:
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
        return _split(rows)
    finally:
        book.close()


def _too_many_rows(path: Path) -> str:
    return (
        f"{path}: mehr als {MAX_ROWS:_} Zeilen – für eine Bestandserhebung unplausibel. "
        "Bitte die Datei prüfen (leere, aber formatierte Zeilen?) oder aufteilen."
    ).replace("_", ".")


def xlsx_explanations(path: Path, header_row: int = 1) -> dict[str, Any]:
    """Why a column or value looks wrong: merged header cells (ranges and the columns they
    cover, numbered from 0), hidden columns (letters), formulas without a stored value.

    Only called when something looks wrong – it loads the workbook a second time, in full.
    """
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    book = load_workbook(path, data_only=False)
    values = load_workbook(path, data_only=True, read_only=True)
    try:
        name = PREFERRED_SHEET if PREFERRED_SHEET in book.sheetnames else book.sheetnames[0]
        sheet, stored = book[name], values[name]
        ranges = [r for r in sheet.merged_cells.ranges if r.min_row <= header_row <= r.max_row]
        hidden = {
            get_column_letter(i)
            for dim in sheet.column_dimensions.values()
            if dim.hidden and dim.min and dim.max
            for i in range(dim.min, dim.max + 1)
        }
        cached = {
            c.coordinate: c.value
            for row in stored.iter_rows(min_row=header_row + 1)
            for c in row
            if hasattr(c, "coordinate")
        }
        formulas = [
            c.coordinate
            for row in sheet.iter_rows(min_row=header_row + 1)
            for c in row
            if isinstance(c.value, str)
            and c.value.startswith("=")
            and cached.get(c.coordinate) is None
        ]
    finally:
        values.close()
    return {
        "merged_header": [str(r) for r in ranges],
        "merged_columns": {
            str(r): list(range(r.min_col - 1, r.max_col)) for r in ranges if r.max_col > r.min_col
        },
        "hidden": hidden,
        "formulas": formulas,
    }


def read_table(path: Path) -> tuple[list[Any], pd.DataFrame, str]:
    """A survey file's header cells, its other rows as raw cells (columns numbered from 0,
    row i is Excel row i + 2) and its decimal separator."""
    suffix = path.suffix.lower()
    check_input(path)  # no FIFO, no zip bomb: before openpyxl or pandas opens the file
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
        return *_read_xlsx(path), ","
    if suffix in (".csv", ".txt"):
        return _read_csv(path)
    raise InputError(
        f"{path}: Dateityp „{suffix}“ wird nicht unterstützt – erwartet: .xlsx oder .csv."
    )


def cell_text(value: Any) -> str | None:
    if value is None or value != value:  # NaN
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a LeiKa key Excel stored as a number
    return " ".join(str(value).split()) or None


def cell_texts(column: pd.Series) -> pd.Series:
    """Cells → trimmed text with single spaces; a LeiKa key Excel stored as a number → digits."""
    missing = column.isna().to_numpy()
    if missing.all():
        return pd.Series(np.nan, index=column.index, dtype="str")
    is_str, _ = _kinds(column)
    if not (is_str | missing).all():  # numbers from Excel among the texts: cell by cell
        return column.map(cell_text).astype("str")
    distinct = _distinct(column)
    if distinct is not None:
        codes, uniques = distinct
        texts = cell_texts(uniques).to_numpy(dtype=object)
        result = pd.Series(np.where(codes >= 0, texts[codes], None), index=column.index)
        return result.astype("str")
    # plain Python is faster here than numpy's fixed-width strings (long Bezeichnungen)
    texts = [" ".join(v.split()) if isinstance(v, str) else "" for v in column.to_numpy()]
    result = pd.Series(texts, index=column.index, dtype="str")
    return result.where(result != "")
