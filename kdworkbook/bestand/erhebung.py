"""Import of the Bestandserhebung (survey of all Fachämter) from .xlsx and .csv files.

Headers are the deck's (``Vorgänge pro Jahr`` …), matched tolerantly (case, spaces, line
breaks) and searched in the first rows (a title may stand above). CSV may be written by Excel
in a German locale (``;``, Windows-1252 or UTF-8 with BOM, decimal comma, thousands dot), as
„Unicode-Text“ (UTF-16, tabs) or be plain UTF-8 with commas. What a sheet's layout may hide
(duplicate or merged columns, totals rows) is checked in :mod:`erhebung_layout`. Every table
is checked against :func:`survey_schema`, the data dictionary of the survey; problems name
file, row (as the analyst sees it in Excel) and column.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from kdworkbook.bestand import layout as erhebung_layout
from kdworkbook.bestand.schema import (  # noqa: F401 – re-exported for the other steps
    GEEIGNETHEIT_GRUENDE,
    HEADER_LOOKUP,
    HEADERS,
    NUMERIC,
    OPTIONAL_NUMERIC,
    PREFERRED_SHEET,
    REQUIRED,
    TEXT,
    VALUE_COLUMNS,
    norm_header,
    survey_schema,
)
from kdworkbook.bestand.tabellen import (  # noqa: F401 – parse_number re-exported
    HEADER_ROWS,
    MINUTES_FORMS,
    cell_text,
    cell_texts,
    parse_minutes,
    parse_number,
    parse_numbers,
    read_table,
    xlsx_explanations,
)
from kdworkbook.kern.errors import InputError
from kdworkbook.kern.textpruefung import survey_texts

MAX_MESSAGES = 60


@dataclass(frozen=True)
class Survey:
    """The merged, validated survey: one row per process, plus notes on the import."""

    data: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    #: rows with a Bezeichnung but no value (datei, zeile, fachamt, bezeichnung)
    unfilled: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["datei", "zeile", "fachamt", "bezeichnung"])
    )


# --------------------------------------------------------------------------- one file


def _map_headers(
    path: Path, header: Sequence[Any], header_row: int = 1
) -> tuple[dict[int, str], list[str]]:
    erhebung_layout.check_duplicates(path, header, header_row)
    mapping: dict[int, str] = {}
    notes = []
    for i, cell in enumerate(header):
        name = HEADER_LOOKUP.get(norm_header(cell_text(cell)))
        if name:
            mapping[i] = name
        elif norm_header(cell_text(cell)):
            notes.append(f"{path.name}: Spalte „{cell}“ wird nicht ausgewertet.")
    missing = [HEADERS[c] for c in REQUIRED if c not in mapping.values()]
    if missing:
        found = ", ".join(f"„{t}“" for t in map(cell_text, header) if t) or "keine"
        hint = ""
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            merged = xlsx_explanations(path, header_row)["merged_header"]
            if merged:
                hint = (
                    f" Die Kopfzeile enthält verbundene Zellen ({', '.join(merged)}) – bitte "
                    "den Zellverbund aufheben, jede Spalte braucht ihre eigene Überschrift."
                )
        raise InputError(
            f"{path}: Spalte(n) {', '.join(f'„{m}“' for m in missing)} fehlen in der Kopfzeile "
            f"(Zeile {header_row}; gesucht in den ersten {HEADER_ROWS} Zeilen). Gefunden: "
            f"{found}. Erwartet werden die Überschriften der Bestandserhebung.{hint}"
        )
    return mapping, notes


@dataclass
class _Collected:
    """What the files of one survey add up to besides their rows."""

    notes: list[str] = field(default_factory=list)
    #: unparsable cells, keyed by (file, Excel row, column)
    unparsable: dict[tuple[str, int, str], str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    unfilled: list[pd.DataFrame] = field(default_factory=list)
    #: (file, column) → Excel column letter, for formula hints
    letters: dict[tuple[str, str], str] = field(default_factory=dict)


def _frame(
    path: Path,
    mapping: dict[int, str],
    body: pd.DataFrame,
    header_row: int,
    decimal: str,
    fachamt: str | None,
    found: _Collected,
) -> pd.DataFrame:
    """Raw rows → typed DataFrame; unparsable numbers go into ``found.unparsable``, keyed by
    cell, rows with a Bezeichnung but no value at all into ``found.unfilled``, totals rows
    are skipped with a note."""
    if len(body) == 0:
        raise InputError(f"{path}: enthält keine Prozesse (nur die Kopfzeile oder leere Zeilen).")
    for position, name in mapping.items():
        found.letters[(path.name, name)] = erhebung_layout.letter(position)
    raw = body.reindex(columns=list(mapping)).set_axis(list(mapping.values()), axis=1)
    raw = raw.reindex(columns=[*TEXT, *NUMERIC])
    # the row number the analyst sees in Excel
    raw.index = pd.RangeIndex(header_row + 1, header_row + 1 + len(raw))
    texts = {name: cell_texts(raw[name]) for name in TEXT}
    numbers = {
        name: (parse_minutes if name == "minuten" else parse_numbers)(raw[name], decimal)
        for name in NUMERIC
    }
    totals = erhebung_layout.totals_rows(
        path, raw.index, texts, numbers, found.notes, found.problems
    )
    blank = pd.DataFrame(
        {"bezeichnung": texts["bezeichnung"].isna()}
        | {name: numbers[name][0].isna() & ~numbers[name][1] for name in VALUE_COLUMNS}
    )
    # a prefilled row nobody answered is „nicht ausgefüllt“, not a process with zeros
    untouched = blank[list(VALUE_COLUMNS)].all(axis=1) & ~blank["bezeichnung"] & ~totals
    found.unfilled.append(
        pd.DataFrame(
            {
                "datei": path.name,
                "zeile": raw.index[untouched],
                "fachamt": texts["fachamt"][untouched].fillna(fachamt or path.stem).to_numpy(),
                "bezeichnung": texts["bezeichnung"][untouched].to_numpy(),
            }
        )
    )
    keep = ~blank.all(axis=1) & ~untouched & ~totals  # empty lines are not processes either
    if not keep.any():
        also = f" ({int(untouched.sum())} Zeilen nicht ausgefüllt)" if untouched.any() else ""
        raise InputError(f"{path}: enthält keine ausgefüllten Prozesse{also}.")
    raw = raw[keep]
    frame = pd.DataFrame({"datei": path.name, "zeile": raw.index}, index=raw.index)
    for name in TEXT:
        frame[name] = texts[name][keep]
    frame["nicht_geeignet"] = frame["nicht_geeignet"].str.lower()
    frame["fachamt"] = frame["fachamt"].fillna(fachamt or path.stem)
    for name in NUMERIC:
        values, bad = numbers[name][0][keep], numbers[name][1][keep]
        frame[name] = values
        for excel_row, value in raw.loc[bad, name].items():
            found.unparsable[(path.name, excel_row, name)] = _not_a_number(
                path, excel_row, name, value
            )
    return frame.reset_index(drop=True)


def _not_a_number(path: Path, row: int, name: str, value: Any) -> str:
    where = f"{path.name}, Zeile {row}, Spalte „{HEADERS[name]}“: „{value}“"
    if name != "minuten":
        return f"{where} ist keine Zahl."
    return f"{where} ist keine Minutenangabe – erlaubt sind {MINUTES_FORMS}."


# --------------------------------------------------------------------------- all files


def _schema_messages(
    failures: pd.DataFrame,
    data: pd.DataFrame,
    unparsable: set[tuple[str, int, str]],
    missing: set[tuple[str, int, str]],
) -> list[str]:
    """pandera's failure cases → German messages with file, Excel row and column header;
    empty required cells are added to *missing* as (file, row, column)."""
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
                missing.add((row["datei"], int(row["zeile"]), case.column))
        else:
            shown = _shown(case.failure_case)
            messages.append(f"{prefix}, Spalte „{header}“: „{shown}“ – {case.check}.")
    return messages


def _shown(value: Any) -> Any:
    """A failing value as the analyst typed it: 10,5 rather than 10.5, 3 rather than 3.0."""
    if isinstance(value, float):
        return int(value) if value.is_integer() else f"{value:g}".replace(".", ",")
    return value


def _formula_hints(
    paths: list[Path], missing: set[tuple[str, int, str]], letters: dict[tuple[str, str], str]
) -> list[str]:
    """A value that is missing because its formula was never calculated gets its own hint –
    only for cells that are empty *and* hold such a formula (stored values are read)."""
    hints = []
    for path in paths:
        cells = {
            f"{letters[(name, column)]}{row}"
            for name, row, column in missing
            if name == path.name and (name, column) in letters
        }
        if path.suffix.lower() not in (".xlsx", ".xlsm") or not cells:
            continue
        formulas = [c for c in xlsx_explanations(path)["formulas"] if c in cells]
        if formulas:
            shown = ", ".join(formulas[:10]) + (" …" if len(formulas) > 10 else "")
            hints.append(
                f"{path.name}: Zellen {shown} enthalten Formeln ohne gespeicherten "
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
    frames = []
    found = _Collected()
    for path, fachamt in sources:
        header, body, decimal = read_table(path)
        header, body, header_row = erhebung_layout.find_header(path, header, body, found.notes)
        if not any(cell_text(cell) for cell in header):
            raise InputError(
                f"{path}: keine Kopfzeile gefunden – eine der ersten {HEADER_ROWS} Zeilen muss "
                "die Überschriften der Bestandserhebung enthalten."
            )
        mapping, notes = _map_headers(path, header, header_row)
        found.notes += notes
        erhebung_layout.check_unnamed(path, header, body, header_row, found.notes)
        frames.append(_frame(path, mapping, body, header_row, decimal, fachamt, found))
    data = pd.concat(frames, ignore_index=True)
    untouched = pd.concat(found.unfilled, ignore_index=True)
    notes = found.notes
    for name, count in untouched.groupby("datei", sort=False).size().items():
        notes.append(
            f"{name}: {count} Zeilen nicht ausgefüllt (Bezeichnung ohne Werte) – nicht ausgewertet."
        )
    data, errors = survey_texts(data, TEXT)  # NFC; control and bidi characters refused
    errors += list(found.unparsable.values()) + found.problems
    missing: set[tuple[str, int, str]] = set()
    from pandera.errors import SchemaErrors

    try:
        survey_schema(stufen).validate(data, lazy=True)
    except SchemaErrors as exc:
        errors += _schema_messages(exc.failure_cases, data, set(found.unparsable), missing)
    if errors:
        errors = sorted(dict.fromkeys(errors), key=_sort_key)
        errors += _formula_hints([p for p, _ in sources], missing, found.letters)
        more = len(errors) - MAX_MESSAGES
        raise InputError(
            errors[:MAX_MESSAGES] + ([f"… und {more} weitere Probleme."] if more > 0 else [])
        )
    for name in ("vorgaenge", "stufe", "beteiligte_stellen", "rechtliche_besonderheiten"):
        data[name] = data[name].astype("int64")
    for name in OPTIONAL_NUMERIC:
        data[name] = data[name].astype("Int64")
    return Survey(data=data, notes=notes, files=[p for p, _ in sources], unfilled=untouched)
