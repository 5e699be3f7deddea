"""German number and date formats (1.234,5 · 1.234 € · 12,5 % · 28.11.2026), via babel.

Rounding is commercial (half up: 2,5 → 3), as readers of a German report expect, not
babel's default banker's rounding.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import re
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal

LOCALE = "de_DE"
NBSP = "\u00a0"


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def zahl(value: float | int | None, stellen: int = 0) -> str:
    """1234.56 → ``1.235`` or, with ``stellen=1``, ``1.234,6``; empty for a missing value."""
    if _missing(value):
        return ""
    if round(float(value), stellen) == 0:
        value = 0  # no "-0,0"
    pattern = "#,##0" + ("." + "0" * stellen if stellen else "")
    with decimal.localcontext() as context:
        context.rounding = decimal.ROUND_HALF_UP
        return format_decimal(decimal.Decimal(str(value)), format=pattern, locale=LOCALE)


def euro(value: float | None, stellen: int = 0) -> str:
    """1234.5 → ``1.235 €``."""
    return "" if _missing(value) else f"{zahl(value, stellen)}{NBSP}€"


def prozent(value: float | None, stellen: int = 1) -> str:
    """0.125 → ``12,5 %`` (a share 0–1 in, percent out)."""
    return "" if _missing(value) else f"{zahl(float(value) * 100, stellen)}{NBSP}%"


def datum(value: dt.date) -> str:
    """date(2026, 11, 28) → ``28.11.2026``."""
    return format_date(value, format="dd.MM.yyyy", locale=LOCALE)


# Characters with a meaning in HTML or Markdown (CommonMark, GFM tables, math): in user text
# they are written as numeric character references, which both languages show as the
# character itself. Characters that matter only at the start of a line (list, heading,
# quote markers) are escaped there only, so that „5.712 €“ or „Amt (Nord)“ stay readable.
_MARKUP = re.compile(r"[&<>\"'\\`*_{}\[\]|~$]")
_LINE_START = re.compile(r"^(?:[-+=#]|\d+[.)](?=\s|$))")  # „- “, „1. “, „1) “, „# “, „===“
_BLANK = re.compile(r"[ \t\r\n\f\v\x85\u2028\u2029]+")
INVISIBLE = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # C0/C1 control characters (not tab/line breaks)
    r"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"  # bidi marks, embeddings, isolates
)
"""Characters that change how a text looks without being seen: refused by ``check``."""


def literal(value: object) -> str:
    """User text (names, notes, file names) for Markdown *and* HTML: shown exactly as typed.

    ``<script>``, ``<img onerror=…>``, ``[l](javascript:…)``, ``**`` or ``$…$`` stay text;
    line breaks and runs of blanks become one blank (a line break would start a new
    Markdown block); control and bidi characters become „�“. The one escaping function
    for every user-supplied text that enters the report; ``None`` gives an empty text.
    """
    if value is None:
        return ""
    text = INVISIBLE.sub("\ufffd", _BLANK.sub(" ", str(value)).strip())
    text = _MARKUP.sub(lambda m: f"&#{ord(m.group())};", text)
    return _LINE_START.sub(lambda m: m.group()[:-1] + f"&#{ord(m.group()[-1])};", text)
