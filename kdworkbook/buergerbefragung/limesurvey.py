"""LimeSurvey's tab-separated survey structure („.txt“ import) – write and read back.

One row per element: ``S``/``SL`` survey settings, ``G`` group, ``Q`` question (type ``F``
= array, ``L`` = list, ``T`` = long free text), ``SQ`` subquestion, ``A`` answer option. Rows
belong to the ``G``/``Q`` above them, so no ids need to be tracked.
"""

from __future__ import annotations

import csv
import io

from kdworkbook.buergerbefragung.fragebogen import Frage, Fragebogen
from kdworkbook.kern.errors import InputError

HEADER = (
    "id",
    "related_id",
    "class",
    "type/scale",
    "name",
    "relevance",
    "text",
    "help",
    "language",
    "validation",
    "mandatory",
    "other",
    "default",
    "same_default",
)
LANGUAGE = "de"


def _row(klass: str, type_: str, name: str, text: str, **extra: str) -> dict[str, str]:
    row = dict.fromkeys(HEADER, "")
    row.update({"class": klass, "type/scale": type_, "name": name, "text": text}, **extra)
    if klass in ("SL", "G", "Q", "SQ", "A"):
        row["language"] = LANGUAGE
    return row


def _question_type(f: Frage) -> str:
    if f.freitext:
        return "T"
    return "F" if f.unterfragen else "L"


def structure_rows(fb: Fragebogen) -> list[dict[str, str]]:
    rows = [
        _row("S", "", "language", LANGUAGE),
        _row("S", "", "format", "G"),
        _row("S", "", "anonymized", "Y"),  # no token ↔ response link (DSGVO)
        _row("SL", "", "surveyls_title", fb.titel),
        _row("G", "", "Verwaltungsleistungen", "", relevance="1"),
    ]
    for f in fb.fragen:
        rows.append(
            _row(
                "Q",
                _question_type(f),
                f.code,
                f.text,
                relevance="1",
                mandatory="Y" if f.pflicht else "N",
                other="N",
            )
        )
        rows += [_row("SQ", "0", code, text, relevance="1") for code, text in f.unterfragen.items()]
        rows += [_row("A", "0", code, text) for code, text in f.antworten.items()]
    return rows


def write_structure(fb: Fragebogen) -> str:
    """The import file's text (UTF-8, tab-separated, one header line)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, HEADER, delimiter="\t", lineterminator="\n")
    writer.writeheader()
    writer.writerows(structure_rows(fb))
    return out.getvalue()


def read_structure(text: str, source: str = "Fragebogen") -> Fragebogen:
    """A :class:`Fragebogen` from LimeSurvey's tab-separated structure (our own or edited)."""
    reader = csv.DictReader(io.StringIO(text), delimiter="\t")
    missing = [
        h for h in ("class", "type/scale", "name", "text") if h not in (reader.fieldnames or [])
    ]
    if missing:
        raise InputError(f"{source}: Spalten fehlen: {', '.join(missing)}")
    titel, fragen, current = "", [], None
    for number, row in enumerate(reader, start=2):
        klass = row["class"]
        if klass == "SL" and row["name"] == "surveyls_title":
            titel = row["text"]
        elif klass == "Q":
            current = {
                "code": row["name"],
                "text": row["text"],
                "type": row["type/scale"],
                "pflicht": row.get("mandatory") == "Y",
                "sq": {},
                "a": {},
            }
            fragen.append(current)
        elif klass in ("SQ", "A"):
            if current is None:
                raise InputError(f"{source}, Zeile {number}: {klass} vor der ersten Frage")
            current["sq" if klass == "SQ" else "a"][row["name"]] = row["text"]
    return Fragebogen(
        titel,
        tuple(
            Frage(q["code"], q["text"], q["a"], q["sq"], q["pflicht"], q["type"] == "T")
            for q in fragen
        ),
    )
