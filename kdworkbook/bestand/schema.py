"""The survey's data dictionary: deck headers, internal column names, the pandera schema.

One column per header of the Bestandserhebung (deck, Anlage 1), each with description and
unit; :func:`survey_schema` is the schema every imported table is validated against.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    import pandera.pandas as pa

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
#: The answers of a survey row; a row with none of them is „nicht ausgefüllt“.
VALUE_COLUMNS = REQUIRED[1:]
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
ALIASES = {
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

# The survey's column lists – the only ones; the workbooks, the demo data, the scripts and the
# tests take theirs from here.
#: The eight columns of the deck's table (Bestandserhebung, Anlage 1), in its order.
DECK_COLUMNS = (
    "leistung",
    "verrichtung",
    "bezeichnung",
    "vorgaenge",
    "minuten",
    "stufe",
    "beteiligte_stellen",
    "rechtliche_besonderheiten",
)
#: The columns a department fills in: the deck's answers, then those of the Rahmenbedingungen.
ANSWER_COLUMNS = (*DECK_COLUMNS[3:], "reifegrad", "nicht_geeignet")
#: The survey sheet sent to the departments, in order: who and which service (prefilled),
#: then the answers.
SURVEY_COLUMNS = ("fachamt", "leika_schluessel", *DECK_COLUMNS[:3], *ANSWER_COLUMNS)


def norm_header(header: Any) -> str:
    return re.sub(r"\s+", " ", str(header or "")).strip().strip(":*").strip().lower()


HEADER_LOOKUP = {norm_header(h): col for col, h in HEADERS.items()} | ALIASES


def _whole(series: pd.Series) -> pd.Series:
    return series.isna() | (series % 1 == 0)


def survey_schema(stufen: Iterable[int]) -> pa.DataFrameSchema:
    """The survey's data dictionary: one column per deck header, with description and unit.
    (pandera is loaded here: a step kernel, which gets the checked survey, never needs it.)"""
    import pandera.pandas as pa

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
                "Bearbeitungszeit je Vorgang: Zahl (7,5), mit Einheit („7,5 min“) oder Dauer "
                "0:07:30 (Stunden:Minuten:Sekunden, auch als Excel-Zeitwert); „7:30“ ist "
                "mehrdeutig und wird abgelehnt",
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
