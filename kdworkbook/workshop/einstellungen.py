"""Section ``workshop`` of the parameter file: the decisions taken in workshops.

Written by the workshop app (:mod:`kdworkbook.workshop.rueckschreiben`, button „Übernehmen“), read
by the report, which states when the weights were decided. Kept apart from
:mod:`kdworkbook.kern.parameter`, which includes it as ``Settings.workshop``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kdworkbook.kern.formatierung import datum_lesen


class Beschluss(BaseModel):
    """One „Übernehmen“ in the workshop: when, which values changed (old → new), the note."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    datum: dt.date
    aenderungen: tuple[str, ...] = Field(default=(), description="„Schlüssel: alt → neu“")
    notiz: str = ""

    @field_validator("datum", mode="before")
    @classmethod
    def _german_date(cls, value: Any) -> Any:
        return datum_lesen(value)

    @field_validator("notiz", mode="before")
    @classmethod
    def _empty_note(cls, value: Any) -> Any:
        return "" if value is None else value


class WorkshopSettings(BaseModel):
    """Section ``workshop``: the change log of the workshop decisions, oldest first."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    beschluesse: tuple[Beschluss, ...] = ()

    @field_validator("beschluesse", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return () if value is None else value

    @property
    def letzter(self) -> Beschluss | None:
        """The most recent decision, or None."""
        return self.beschluesse[-1] if self.beschluesse else None
