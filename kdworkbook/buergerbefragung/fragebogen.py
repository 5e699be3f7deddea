"""The questionnaire: which services, which questions, with which answer codes.

The codes are those of LimeSurvey: a question code (``GENUTZT``), a subquestion code per
service (``L`` + LeiKa-Schlüssel, else ``P`` + a short hash of the Bezeichnung – stable
when the Bestandsaufnahme grows) and an answer code (``A1``…). The response export of
LimeSurvey names its columns ``GENUTZT[L99012001000000]``; :mod:`antworten` reads them back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from kdworkbook.buergerbefragung.einstellungen import BuergerbefragungSettings
from kdworkbook.kern.errors import InputError

GENUTZT = "GENUTZT"
ONLINE = "ONLINE"
KANAL = "KANAL"
ZUFRIEDEN = "ZUFRIEDEN"
ALTER = "ALTER"
BEZIRK = "BEZIRK"
HINWEIS = "HINWEIS"

GENUTZT_ANTWORTEN = {"J": "ja", "N": "nein"}
ONLINE_ANTWORTEN = {"A1": "ja", "A2": "eher ja", "A3": "eher nein", "A4": "nein"}
#: Answers that count as „würde ich online erledigen“.
ONLINE_JA = ("A1", "A2")
KANAL_ANTWORTEN = {
    "ONL": "online (Internet, App)",
    "TEL": "Telefon",
    "VOR": "persönlich vor Ort",
    "POS": "Post oder E-Mail",
}
ZUFRIEDEN_ANTWORTEN = {
    "Z1": "sehr zufrieden",
    "Z2": "eher zufrieden",
    "Z3": "eher unzufrieden",
    "Z4": "sehr unzufrieden",
}


@dataclass(frozen=True)
class Frage:
    code: str
    text: str
    antworten: dict[str, str]
    unterfragen: dict[str, str] = field(default_factory=dict)  # code → Leistung
    pflicht: bool = False
    freitext: bool = False


@dataclass(frozen=True)
class Fragebogen:
    titel: str
    fragen: tuple[Frage, ...]

    @property
    def leistungen(self) -> dict[str, str]:
        """Subquestion code → service name."""
        return dict(self.frage(GENUTZT).unterfragen)

    def frage(self, code: str) -> Frage:
        return next(f for f in self.fragen if f.code == code)

    def spalten(self) -> list[str]:
        """The answer columns of LimeSurvey's export, in order."""
        result = []
        for f in self.fragen:
            result += [f"{f.code}[{s}]" for s in f.unterfragen] if f.unterfragen else [f.code]
        return result


def service_code(leika_schluessel: object, bezeichnung: str) -> str:
    """``L`` + LeiKa key, else ``P`` + 8 hex digits of the name (LimeSurvey: ≤ 20 chars)."""
    key = "" if pd.isna(leika_schluessel) else str(leika_schluessel).strip()
    if key.isdigit() and len(key) <= 19:
        return f"L{key}"
    return "P" + hashlib.sha256(bezeichnung.encode()).hexdigest()[:8].upper()


def select_services(processes: pd.DataFrame, s: BuergerbefragungSettings) -> pd.DataFrame:
    """The *s.anzahl_leistungen* services with most cases per year (citizen contact).

    One row per Bezeichnung (cases summed over Fachämter); pinned services (``fest``) first,
    dropped ones (``ohne``) never. Columns: code, bezeichnung, vorgaenge.
    """
    names = set(processes["bezeichnung"])
    unknown = [n for n in (*s.fest, *s.ohne) if n not in names]
    if unknown:
        raise InputError(
            [
                f"buergerbefragung → fest/ohne: „{n}“ steht nicht in der Bestandserhebung"
                for n in unknown
            ]
        )
    keys = processes.get("leika_schluessel", pd.Series(pd.NA, index=processes.index))
    table = (
        processes.assign(leika_schluessel=keys)
        .groupby("bezeichnung", sort=False)
        .agg(vorgaenge=("vorgaenge", "sum"), leika_schluessel=("leika_schluessel", "first"))
        .reset_index()
    )
    table = table[~table["bezeichnung"].isin(s.ohne)]
    table["fest"] = table["bezeichnung"].isin(s.fest)
    table = table.sort_values(
        ["fest", "vorgaenge", "bezeichnung"], ascending=[False, False, True], kind="stable"
    )
    table = table.head(max(s.anzahl_leistungen, len(s.fest))).reset_index(drop=True)
    table["code"] = [
        service_code(k, b)
        for k, b in zip(table["leika_schluessel"], table["bezeichnung"], strict=True)
    ]
    return table[["code", "bezeichnung", "vorgaenge"]]


def build(services: pd.DataFrame, s: BuergerbefragungSettings, gemeinde: str) -> Fragebogen:
    """The questions for *services* (from :func:`select_services`)."""
    leistungen = dict(zip(services["code"], services["bezeichnung"], strict=True))
    fragen = [
        Frage(GENUTZT, "Haben Sie diese Leistung schon genutzt?", GENUTZT_ANTWORTEN, leistungen),
        Frage(
            ONLINE,
            "Würden Sie diese Leistung online erledigen?",
            ONLINE_ANTWORTEN,
            leistungen,
        ),
        Frage(KANAL, "Wie erledigen Sie Behördenangelegenheiten am liebsten?", KANAL_ANTWORTEN),
        Frage(
            ZUFRIEDEN,
            "Wie zufrieden sind Sie mit dem heutigen Kontakt zur Verwaltung?",
            ZUFRIEDEN_ANTWORTEN,
        ),
        Frage(ALTER, "Ihr Alter (freiwillig)", _codes("G", s.altersgruppen)),
    ]
    if s.bezirke:
        fragen.append(Frage(BEZIRK, "Ihr Stadtteil (freiwillig)", _codes("B", s.bezirke)))
    fragen.append(Frage(HINWEIS, "Was möchten Sie uns noch sagen? (freiwillig)", {}, freitext=True))
    return Fragebogen(f"Bürgerbefragung {gemeinde}: Verwaltungsleistungen online", tuple(fragen))


def _codes(prefix: str, labels: Sequence[str]) -> dict[str, str]:
    return {f"{prefix}{i}": label for i, label in enumerate(labels, start=1)}
