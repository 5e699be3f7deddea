"""The send list of a survey round: which Fachamt got which workbook (``versand.json``).

``kdworkbook umfrage`` writes it beside the workbooks; ``kdworkbook umfrage-einlesen`` reads
it, so that every Fachamt that got a workbook and did not answer is listed as „fehlt“ – also
when ``umfrage → fachaemter`` is not set and the Fachämter came from the assignment rules.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from kdworkbook.kern.errors import InputError
from kdworkbook.kern.parameter import slugify
from kdworkbook.kern.textpruefung import nfc

SENT = "versand.json"
"""File name of the send list, beside the workbooks."""
SENT_FORMAT = "kdworkbook-versand-1"


def survey_file_names(named: list[tuple[str, str]]) -> dict[str, str]:
    """Fachamt → workbook file name, one distinct name per Fachamt.

    *named* pairs each Fachamt with the key it came from (for messages). Names that give
    the same file name („Amt/Recht“, „Amt Recht“; long names alike in their first 80
    characters) get ``-2``, ``-3`` …; a name without letters or digits is refused.
    """
    problems, result, taken = [], {}, set()
    for key, raw in named:
        fachamt = nfc(raw.strip())
        if fachamt in result:
            continue  # the same Fachamt twice gets one workbook
        try:
            slug = slugify(fachamt, key=key)
        except InputError as exc:
            problems += exc.messages
            continue
        name, number = f"bestandserhebung_{slug}.xlsx", 1
        while name.casefold() in taken:  # case-insensitive file systems (Windows, macOS)
            number += 1
            name = f"bestandserhebung_{slug}-{number}.xlsx"
        taken.add(name.casefold())
        result[fachamt] = name
    if problems:
        raise InputError([*problems, "Es wurde keine Arbeitsmappe erzeugt."])
    return result


def write_sent(path: Path, gemeinde: str, file_names: dict[str, str]) -> None:
    """The send list, written atomically beside the workbooks."""
    record = {
        "format": SENT_FORMAT,
        "gemeinde": gemeinde,
        "erzeugt": dt.date.today().isoformat(),
        "fachaemter": [{"fachamt": f, "datei": d} for f, d in file_names.items()],
    }
    tmp = path.with_name(f".{path.name}-{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def sent_fachaemter(gemeinde: str, folders: list[Path]) -> list[str]:
    """The Fachämter that got a workbook, from ``versand.json`` in *folders* (first found of
    each folder; records of another Gemeinde are ignored), in the order sent."""
    names: list[str] = []
    for folder in dict.fromkeys(f.resolve() for f in folders):
        path = folder / SENT
        if not path.is_file():
            continue
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            if record.get("format") != SENT_FORMAT:
                raise ValueError(record.get("format"))
            if nfc(record.get("gemeinde")) != nfc(gemeinde):
                continue
            names += [nfc(entry["fachamt"]) for entry in record["fachaemter"]]
        except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
            raise InputError(
                f"{path}: keine lesbare Versandliste von „kdworkbook umfrage“ – bitte die "
                "Umfrage erneut erzeugen oder die Datei entfernen."
            ) from None
    return list(dict.fromkeys(names))
