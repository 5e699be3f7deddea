"""Section ``workshop`` of the parameter file: the decisions taken in workshops.

Written by the workshop app (:mod:`kdworkbook.workshop.rueckschreiben`, button „Übernehmen“), read
by the report, which states when the weights were decided. Kept apart from
:mod:`kdworkbook.kern.parameter`, which includes it as ``Settings.workshop``.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from kdworkbook.kern.modell import GermanDate, StrictModel


class Beschluss(StrictModel):
    """One „Übernehmen“ in the workshop: when, which values changed (old → new), the note."""

    datum: GermanDate
    aenderungen: tuple[str, ...] = Field(default=(), description="„Schlüssel: alt → neu“")
    notiz: str = ""

    @field_validator("notiz", mode="before")
    @classmethod
    def _empty_note(cls, value: Any) -> Any:
        return "" if value is None else value


class WorkshopSettings(StrictModel):
    """Section ``workshop``: the change log of the workshop decisions, oldest first."""

    beschluesse: tuple[Beschluss, ...] = ()

    @field_validator("beschluesse", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return () if value is None else value

    @property
    def letzter(self) -> Beschluss | None:
        """The most recent decision, or None."""
        return self.beschluesse[-1] if self.beschluesse else None
