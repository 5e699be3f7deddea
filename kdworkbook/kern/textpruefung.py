"""Texts from input files: one Unicode form (NFC) and no invisible control characters.

„Bürgerbüro“ typed on a Mac or unpacked from a zip often arrives decomposed (NFD: „u“ plus
a combining diaeresis); it must be the same Fachamt as the composed form. Control characters
(``\\x01``, ESC) and bidi controls (U+202E „right-to-left override“ and its relatives) change
how a name looks without being seen – a Fachamt „Bürgeramt\\u202e“ is a different Fachamt
that reads the same – and break the Excel export. ``check`` refuses them, naming file and
row or key.
"""

from __future__ import annotations

import unicodedata
from typing import Any

import pandas as pd

from kdworkbook.kern.formatierung import INVISIBLE


def character_name(text: str) -> str:
    """``U+202E`` for the first invisible character in *text* (for messages)."""
    match = INVISIBLE.search(text)
    return f"U+{ord(match.group()):04X}" if match else ""


def nfc(value: Any) -> Any:
    """*value* in Unicode NFC if it is a text; anything else unchanged."""
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def parameter_texts(data: Any, where: str = "") -> tuple[Any, list[str]]:
    """The parsed parameter file with every text (keys too) in NFC, and one message per
    text holding an invisible character: ``Schlüssel „a → b“: …``."""
    messages: list[str] = []

    def walk(value: Any, keys: tuple[str, ...]) -> Any:
        if isinstance(value, dict):
            result = {}
            for key, item in value.items():
                label = str(key)
                if isinstance(key, str) and INVISIBLE.search(key):
                    messages.append(_key_message((*keys, label), key))
                result[nfc(key)] = walk(item, (*keys, label))
            return result
        if isinstance(value, list):
            return [walk(item, (*keys, str(i + 1))) for i, item in enumerate(value)]
        if isinstance(value, str) and INVISIBLE.search(value):
            messages.append(_key_message(keys, value))
        return nfc(value)

    return walk(data, ()), [f"{where}{m}" for m in messages]


def _key_message(keys: tuple[str, ...], text: str) -> str:
    key = " → ".join(INVISIBLE.sub("�", k) for k in keys)
    return (
        f"Schlüssel „{key}“: enthält das unsichtbare Steuerzeichen {character_name(text)} "
        "(Steuer- oder Schreibrichtungszeichen) – bitte entfernen."
    )


def survey_texts(data: pd.DataFrame, columns: tuple[str, ...]) -> tuple[pd.DataFrame, list[str]]:
    """The survey rows with their text *columns* and the file name in NFC, and one message
    per cell holding an invisible character: ``<datei>, Zeile <n>, Spalte „…“: …``."""
    messages = []
    present = [c for c in (*columns, "datei") if c in data.columns]
    for column in present:
        texts = data[column]
        bad = texts.map(lambda v: isinstance(v, str) and INVISIBLE.search(v) is not None)
        for index in data.index[bad.astype(bool)]:
            row = data.loc[index]
            if column == "datei" or "zeile" not in data.columns:
                where = str(row.get("datei", ""))
            else:
                where = f"{row['datei']}, Zeile {row['zeile']}"
            what = "Dateiname" if column == "datei" else f"Spalte „{_header(column)}“"
            messages.append(
                f"{INVISIBLE.sub('�', where)}, {what}: enthält das unsichtbare Steuerzeichen "
                f"{character_name(row[column])} (Steuer- oder Schreibrichtungszeichen) – "
                "bitte entfernen."
            )
    messages = list(dict.fromkeys(messages))  # a file name is named once, not per row
    normalised = data
    for column in present:
        changed = data[column].map(lambda v: isinstance(v, str) and nfc(v) != v).astype(bool)
        if changed.any():
            normalised = normalised.copy() if normalised is data else normalised
            normalised.loc[changed, column] = data.loc[changed, column].map(nfc)
    return normalised, messages


def _header(column: str) -> str:
    from kdworkbook.bestand.schema import HEADERS

    return HEADERS.get(column, column)
