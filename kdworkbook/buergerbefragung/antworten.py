"""Reading the responses: LimeSurvey's CSV export (question codes, answer codes) and the
plain xlsx template (same header). Every problem is collected and reported at once.

LimeSurvey's export carries ``id``, ``submitdate``, ``lastpage``, ``startlanguage``, ``seed``
(and maybe ``token``, ``datestamp``, …) before the answer columns ``CODE`` or
``CODE[SUBCODE]``. Meta columns are accepted and dropped; answers are kept as codes.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from kdworkbook.buergerbefragung.fragebogen import Fragebogen
from kdworkbook.kern import csvtext
from kdworkbook.kern.errors import InputError

META = (
    "id",
    "submitdate",
    "lastpage",
    "startlanguage",
    "seed",
    "token",
    "datestamp",
    "startdate",
    "ipaddr",
    "refurl",
)
MAX_MESSAGES = 20


def _table(path: Path) -> pd.DataFrame:
    if path.suffix.lower() == ".xlsx":
        try:
            return pd.read_excel(path, dtype=str, sheet_name=0).fillna("")
        except (ValueError, OSError, KeyError) as exc:
            raise InputError(f"{path}: keine lesbare Excel-Datei ({exc})") from None
    try:
        text = csvtext.decode(path.read_bytes())
    except csvtext.BinaryData:
        raise InputError(f"{path}: keine Textdatei (LimeSurvey-Export als CSV)") from None
    rows = list(csv.reader(io.StringIO(text), delimiter=csvtext.delimiter(text)))
    if not rows:
        raise InputError(f"{path}: Datei ist leer")
    header, body = rows[0], rows[1:]
    wrong = [n for n, r in enumerate(body, start=2) if len(r) != len(header)]
    if wrong:
        raise InputError(
            f"{path}, Zeile {wrong[0]}: {len(body[wrong[0] - 2])} Felder, Kopfzeile hat "
            f"{len(header)}"
        )
    return pd.DataFrame(body, columns=header, dtype=str)


def read_responses(paths: list[Path], fb: Fragebogen) -> pd.DataFrame:
    """All responses of *paths*, one row each, index = ``datei:id``; raises InputError.

    Checks: unknown column codes, answers not among the question's codes, duplicate response
    ids (within and across files), responses without any answer.
    """
    expected = fb.spalten()
    allowed = {}
    for f in fb.fragen:
        if f.freitext:
            continue
        for column in [f"{f.code}[{s}]" for s in f.unterfragen] or [f.code]:
            allowed[column] = set(f.antworten)
    messages: list[str] = []
    frames = []
    seen: dict[str, str] = {}
    for path in paths:
        table = _table(path)
        if "id" not in table.columns:
            messages.append(f"{path}: Spalte „id“ fehlt (Antwort-ID des LimeSurvey-Exports)")
            continue
        unknown = [c for c in table.columns if c not in expected and c not in META]
        messages += [f"{path}, Spalte „{c}“: unbekannter Fragecode" for c in unknown]
        answers = table[[c for c in expected if c in table.columns]]
        for i, row in table.iterrows():
            line = i + 2
            rid = str(row["id"]).strip()
            where = f"{path}, Zeile {line}"
            if not rid:
                messages.append(f"{where}, Spalte „id“: Antwort-ID fehlt")
            elif rid in seen:
                messages.append(f"{where}, Spalte „id“: Antwort-ID {rid} doppelt ({seen[rid]})")
            seen[rid] = where
            values = answers.loc[i].str.strip()
            if (values == "").all():
                messages.append(f"{where}: leere Antwort (keine Frage beantwortet)")
            for column, value in values.items():
                if value and column in allowed and value not in allowed[column]:
                    messages.append(
                        f"{where}, Spalte „{column}“: Antwort „{value}“ nicht erlaubt "
                        f"(erlaubt: {', '.join(sorted(allowed[column]))})"
                    )
        frames.append(answers.apply(lambda column: column.str.strip()))
    if messages:
        extra = len(messages) - MAX_MESSAGES
        shown = messages[:MAX_MESSAGES]
        if extra > 0:
            shown.append(f"… und {extra} weitere Probleme")
        raise InputError(shown)
    result = pd.concat(frames, ignore_index=True).reindex(columns=expected).fillna("")
    return result.replace("", pd.NA)
