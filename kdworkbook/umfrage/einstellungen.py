"""Settings of the survey instrument (``umfrage:`` in the parameter file)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, ValidationInfo, field_validator

from kdworkbook.kern import defaults, systemfehler
from kdworkbook.kern.modell import GermanDate, StrictModel


class Kontakt(StrictModel):
    """Who answers questions about the survey (printed on the instruction sheet)."""

    name: str | None = None
    email: str | None = None
    telefon: str | None = None


class UmfrageSettings(StrictModel):
    """``kdworkbook umfrage`` / ``umfrage-einlesen``; every key optional."""

    fachaemter: tuple[str, ...] = Field(
        default=(),
        description="Fachämter, die eine Arbeitsmappe bekommen (leer: alle der Zuordnung)",
    )
    zuordnung_datei: Path | None = Field(
        default=None,
        description="eigene Zuordnung LeiKa → Fachamt (YAML wie data/fachamt_zuordnung.yaml)",
    )
    ansprechpartner: Kontakt = Field(default_factory=Kontakt)
    rueckgabe_bis: GermanDate | None = Field(default=None, description="Rückgabedatum")
    leere_zeilen: int = Field(
        default=defaults.UMFRAGE_LEERE_ZEILEN,
        ge=0,
        le=500,
        description="freie Zeilen für Prozesse, die der Katalog nicht kennt",
    )

    @field_validator("zuordnung_datei")
    @classmethod
    def _exists(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        if value is None:
            return None
        path = ((info.context or {}).get("base_dir", Path.cwd()) / value).resolve()
        if problem := systemfehler.file_problem(value, path):
            raise ValueError(problem)
        return path
