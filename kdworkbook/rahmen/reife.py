"""Organisational readiness: the municipality's self-assessment and recommendations.

The areas come from the deck: the four central competences (Prozesssteuerung,
Mitarbeiterführung, Informationsmanagement, Akteursmanagement), the involvement of the
actors (Verwaltung, Politik, Bürgerschaft, Wirtschaft; Personalrat, IT-Dienstleister,
Software-Anbieter) and three prerequisites (Digitalmanager, Zeitkontingente,
Lenkungsgremium). Values are rated 1 (schwach) to 5 (stark) in the parameter file; a value up
to ``schwach_bis`` or a missing prerequisite is a weak point, with a recommendation text from
``kdworkbook/data/empfehlungen.yaml``.
"""

from __future__ import annotations

import pandas as pd
from pydantic import Field

from kdworkbook.kern import defaults
from kdworkbook.kern.formatierung import zahl
from kdworkbook.kern.modell import StrictModel

Wert = int | None

KOMPETENZEN = {
    "prozesssteuerung": "Prozesssteuerung",
    "mitarbeiterfuehrung": "Mitarbeiterführung",
    "informationsmanagement": "Informationsmanagement",
    "akteursmanagement": "Akteursmanagement",
}
AKTEURE = {
    "verwaltung": "Verwaltung",
    "politik": "Politik",
    "buergerschaft": "Bürgerschaft",
    "wirtschaft": "Wirtschaft",
    "personalrat": "Personalrat",
    "it_dienstleister": "IT-Dienstleister",
    "software_anbieter": "Software-Anbieter",
}
VORAUSSETZUNGEN = {
    "digitalmanager_benannt": "Digitalmanager/in benannt",
    "zeitkontingente": "Zeitkontingente für Digitalisierung",
    "lenkungsgremium": "Lenkungsgremium eingerichtet",
}
GRUPPEN = {
    "kompetenzen": "Zentrale Kompetenzen",
    "akteure": "Einbindung der Akteure",
    "voraussetzungen": "Voraussetzungen",
}
EMPFEHLUNGEN_FILE = "empfehlungen.yaml"
#: Empfehlung „Bürgerschaft“, wenn schon eine Bürgerbefragung ausgewertet ist (Parameterdatei:
#: buergerbefragung → ergebnis): statt sie zu empfehlen, nennt der Bericht ihr Ergebnis.
BEFRAGUNG_AUSGEWERTET = (
    "Die Bürgerbefragung ist ausgewertet ({antworten} Antworten, Nachfragewert für "
    "{bekannt} von {leistungen} Leistungen, Kapitel Bürgerbefragung) und fließt als "
    "Kriterium „Bürgernachfrage“ in die Priorisierung ein. Das Ergebnis veröffentlichen und "
    "die Bürgerschaft bei Test und Einführung der Online-Dienste beteiligen."
)


def _scale() -> object:
    return Field(default=None, ge=1, le=5, description="1 (schwach) bis 5 (stark)")


class Kompetenzen(StrictModel):
    """The four central competences (deck), each 1–5."""

    prozesssteuerung: Wert = _scale()
    mitarbeiterfuehrung: Wert = _scale()
    informationsmanagement: Wert = _scale()
    akteursmanagement: Wert = _scale()


class Akteure(StrictModel):
    """How well each actor is involved, 1–5."""

    verwaltung: Wert = _scale()
    politik: Wert = _scale()
    buergerschaft: Wert = _scale()
    wirtschaft: Wert = _scale()
    personalrat: Wert = _scale()
    it_dienstleister: Wert = _scale()
    software_anbieter: Wert = _scale()


class Voraussetzungen(StrictModel):
    """Prerequisites (true/false; empty = not assessed)."""

    digitalmanager_benannt: bool | None = None
    zeitkontingente: bool | None = None
    lenkungsgremium: bool | None = None


class Reife(StrictModel):
    """Section ``rahmen → reife`` of the parameter file."""

    kompetenzen: Kompetenzen = Field(default_factory=Kompetenzen)
    akteure: Akteure = Field(default_factory=Akteure)
    voraussetzungen: Voraussetzungen = Field(default_factory=Voraussetzungen)
    schwach_bis: int = Field(default=defaults.REIFE_SCHWACH_BIS, ge=1, le=5)

    @property
    def assessed(self) -> bool:
        """True if at least one value was given."""
        parts = (self.kompetenzen, self.akteure, self.voraussetzungen)
        return any(v is not None for part in parts for v in part.model_dump().values())


def readiness_table(reife: Reife) -> pd.DataFrame:
    """One row per area: ``gruppe``, ``schluessel``, ``bereich``, ``wert`` (1–5 or NA),
    ``erfuellt`` (prerequisites), ``schwach`` (weak point)."""
    rows = []
    for gruppe, labels, values in (
        ("kompetenzen", KOMPETENZEN, reife.kompetenzen.model_dump()),
        ("akteure", AKTEURE, reife.akteure.model_dump()),
    ):
        for key, label in labels.items():
            value = values[key]
            rows.append(
                {
                    "gruppe": gruppe,
                    "schluessel": key,
                    "bereich": label,
                    "wert": value,
                    "erfuellt": None,
                    "schwach": value is not None and value <= reife.schwach_bis,
                }
            )
    for key, label in VORAUSSETZUNGEN.items():
        value = getattr(reife.voraussetzungen, key)
        rows.append(
            {
                "gruppe": "voraussetzungen",
                "schluessel": key,
                "bereich": label,
                "wert": None,
                "erfuellt": value,
                "schwach": value is False,
            }
        )
    table = pd.DataFrame(rows)
    table["wert"] = table["wert"].astype("Int64")
    return table


def weak_points(table: pd.DataFrame, empfehlungen: dict[str, str]) -> pd.DataFrame:
    """The weak areas with their recommendation text."""
    weak = table[table["schwach"]].copy()
    weak["empfehlung"] = weak["schluessel"].map(lambda k: empfehlungen.get(k, ""))
    weak["gruppe_name"] = weak["gruppe"].map(GRUPPEN)
    return weak


def after_survey(recommendations: dict[str, str], result: dict | None) -> dict[str, str]:
    """*recommendations* with „Bürgerschaft“ following the data: once a citizen survey is
    evaluated (*result*, its stored ``ergebnis.json``), the text refers to its result
    (:data:`BEFRAGUNG_AUSGEWERTET`) instead of recommending a survey."""
    if result is None:
        return recommendations
    demand = result.get("nachfrage", [])
    known = sum(1 for row in demand if row.get("nachfrage") is not None)
    text = BEFRAGUNG_AUSGEWERTET.format(
        antworten=zahl(result["antworten"]), bekannt=zahl(known), leistungen=zahl(len(demand))
    )
    return {**recommendations, "buergerschaft": text}
