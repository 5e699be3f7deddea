"""What every settings model shares: the strict base model, the German date type, and the
one translator from pydantic's validation errors to German messages."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict


class StrictModel(BaseModel):
    """A settings model: unknown keys are an error (a typo must not pass silently), and a
    validated value cannot be changed afterwards."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# ------------------------------------------------------------------ dates

#: what a date field expects, in every message about a date
DATE_EXPECTED = "erwartet ein Datum TT.MM.JJJJ oder JJJJ-MM-TT, z. B. 28.11.2026"

_GERMAN = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def parse_date(value: object) -> dt.date:
    """A date from a date, ``"28.11.2026"`` or ``"2026-11-28"``; else ValueError with the one
    German message (also for 31.02.2026). A datetime counts only at midnight (a YAML
    timestamp with a time of day is not a date)."""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date()
    elif isinstance(value, dt.date):
        return value
    elif isinstance(value, str):
        text = value.strip()
        if m := _GERMAN.fullmatch(text):
            day, month, year = (int(g) for g in m.groups())
        elif m := _ISO.fullmatch(text):
            year, month, day = (int(g) for g in m.groups())
        else:
            day = month = year = 0
        try:
            return dt.date(year, month, day)
        except ValueError:
            pass
    raise ValueError(f"{DATE_EXPECTED}, gefunden: {value!r}")


GermanDate = Annotated[dt.date, BeforeValidator(parse_date)]
"""A date field that accepts a date, ISO text and ``TT.MM.JJJJ``, with one German error."""


# ------------------------------------------------------------------ messages

_MESSAGES = {
    "missing": "fehlt – dieser Schlüssel ist Pflicht",
    "extra_forbidden": "ist kein bekannter Schlüssel (Tippfehler?)",
    "string_type": "erwartet einen Text",
    "int_type": "erwartet eine ganze Zahl",
    "int_parsing": "erwartet eine ganze Zahl",
    "int_from_float": "erwartet eine ganze Zahl",
    "float_type": "erwartet eine Zahl",
    "float_parsing": "erwartet eine Zahl (Dezimalpunkt, z. B. 42.5)",
    "bool_type": "erwartet true oder false",
    "date_type": DATE_EXPECTED,
    "date_parsing": DATE_EXPECTED,
    "date_from_datetime_parsing": DATE_EXPECTED,
    "date_from_datetime_inexact": DATE_EXPECTED,
    "dict_type": "erwartet eine Zuordnung (schlüssel: wert)",
    "list_type": "erwartet eine Liste",
    "tuple_type": "erwartet eine Liste",
    "model_type": "erwartet eine Zuordnung (schlüssel: wert)",
    "too_short": "darf nicht leer sein",
    "string_too_short": "darf nicht leer sein",
}

_COMPARISON = {
    "greater_than": ">",
    "greater_than_equal": "≥",
    "less_than": "<",
    "less_than_equal": "≤",
}


def german(error: dict[str, Any]) -> str:
    """What one pydantic error (an item of ``ValidationError.errors()``) says, in German."""
    kind = error["type"]
    ctx = error.get("ctx", {})
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind in _COMPARISON:
        limit = next(iter(ctx.values()))
        return f"erwartet eine Zahl {_COMPARISON[kind]} {limit}, gefunden: {error.get('input')!r}"
    text = _MESSAGES.get(kind, error["msg"])
    if kind not in ("missing", "extra_forbidden"):
        text += f", gefunden: {error.get('input')!r}"
    return text


def key_path(loc: tuple[int | str, ...]) -> str:
    """``("bestand", 1, "datei")`` → ``bestand → 2 → datei`` (list positions count from 1)."""
    return " → ".join(str(p + 1) if isinstance(p, int) else str(p) for p in loc)
