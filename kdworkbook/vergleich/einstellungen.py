"""Section ``vergleich`` of the parameter file: the folder of peer extracts for the report's
page „Vergleich mit Kommunen ähnlicher Größe“.

Kept apart from :mod:`kdworkbook.kern.parameter`, which includes it as ``Settings.vergleich``.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, ValidationInfo, field_validator

from kdworkbook.kern.modell import StrictModel

#: Fewest peers of the same size class for the comparison to be shown: with fewer, single
#: municipalities could be recognised from the quartiles (anonymity; the Agentur's rule).
#: The parameter file may raise it, never lower it.
MINDESTZAHL = 5


class VergleichSettings(StrictModel):
    """Without ``ordner`` the report has no comparison chapter."""

    ordner: Path | None = Field(
        default=None,
        description="Ordner mit Vergleichsauszügen (vergleich.json-Kopien, "
        "„kdworkbook vergleich-sammeln“), relativ zur Parameterdatei",
    )
    mindestzahl: int = Field(default=MINDESTZAHL, ge=MINDESTZAHL)

    @field_validator("ordner")
    @classmethod
    def _folder_exists(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        if value is None:
            return None
        base = (info.context or {}).get("base_dir", Path.cwd())
        path = (base / value).resolve()
        if not path.is_dir():
            raise ValueError(f"Ordner „{value}“ nicht gefunden ({path})")
        return path

    @property
    def konfiguriert(self) -> bool:
        return self.ordner is not None
