"""Settings of the citizen survey (``buergerbefragung:`` in the parameter file)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, ValidationInfo, field_validator

from kdworkbook.kern.modell import StrictModel

#: Services on the questionnaire: the issue asks for the 30–40 with most citizen contact.
ANZAHL_LEISTUNGEN = 35
#: Smallest group shown in the report (DSGVO: no group of fewer respondents is printed).
MINDESTGRUPPE = 5
#: Weight of an answer from someone who has not used the service yet: their wish counts,
#: but less than that of people who know the service (own assumption, overridable).
GEWICHT_NICHT_GENUTZT = 0.5
ALTERSGRUPPEN = ("unter 30", "30 bis 49", "50 bis 64", "65 und älter")


class BuergerbefragungSettings(StrictModel):
    """``kdworkbook buergerbefragung`` / ``buergerbefragung-einlesen``; every key optional."""

    anzahl_leistungen: int = Field(default=ANZAHL_LEISTUNGEN, ge=1, le=60)
    fest: tuple[str, ...] = Field(default=(), description="Leistungen immer im Fragebogen")
    ohne: tuple[str, ...] = Field(default=(), description="Leistungen nie im Fragebogen")
    altersgruppen: tuple[str, ...] = ALTERSGRUPPEN
    bezirke: tuple[str, ...] = Field(default=(), description="Stadtteile (leer: keine Frage)")
    mindestgruppe: int = Field(default=MINDESTGRUPPE, ge=5)
    gewicht_nicht_genutzt: float = Field(default=GEWICHT_NICHT_GENUTZT, ge=0, le=1)
    freitext_zeigen: bool = False
    ergebnis: Path | None = Field(
        default=None, description="ausgewertetes Ergebnis (buergerbefragung-einlesen)"
    )
    nachfrage: dict[str, int] = Field(
        default_factory=dict, description="Bürgernachfrage 1–5 je Prozess, geht der Befragung vor"
    )

    @field_validator("ergebnis")
    @classmethod
    def _exists(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        if value is None:
            return None
        path = ((info.context or {}).get("base_dir", Path.cwd()) / value).resolve()
        if not path.is_file():
            raise ValueError(f"Datei „{value}“ nicht gefunden ({path})")
        return path

    @field_validator("nachfrage")
    @classmethod
    def _scale(cls, value: dict[str, int]) -> dict[str, int]:
        wrong = [k for k, v in value.items() if not 1 <= v <= 5]
        if wrong:
            raise ValueError(f"Werte 1 bis 5 erwartet bei: {', '.join(wrong)}")
        return value
