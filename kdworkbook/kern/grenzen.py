"""Section ``grenzen:`` of the parameter file: limits that protect the machine and the report.

Both keys are optional; the defaults and their reasoning are in :mod:`kdworkbook.kern.defaults`.
"""

from __future__ import annotations

from pydantic import Field

from kdworkbook.kern import defaults
from kdworkbook.kern.modell import StrictModel


class GrenzenSettings(StrictModel):
    """How large a municipality's survey may be before ``check`` refuses it."""

    dateien_je_ordner: int = Field(
        default=defaults.MAX_DATEIEN_JE_ORDNER,
        ge=1,
        description="höchstens so viele Erhebungsdateien in einem Ordner unter „bestand“",
    )
    fachaemter: int = Field(
        default=defaults.MAX_FACHAEMTER, ge=1, description="höchstens so viele Fachämter"
    )
