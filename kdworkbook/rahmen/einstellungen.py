"""Section ``rahmen:`` of the parameter file (Rahmenbedingungen), as pydantic models.

Validated together with the rest of the parameter file (:mod:`kdworkbook.kern.parameter`), so a
wrong status word, a duty that is not in the register or a missing catalogue file stops the
run before any notebook. Paths are relative to the parameter file. Without ``leika_katalog``
the shipped catalogue (:mod:`kdworkbook.kern.referenz`) is used, with its OZG list.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationInfo, field_validator, model_validator

from kdworkbook.kern import defaults, referenz, systemfehler
from kdworkbook.kern.modell import GermanDate, StrictModel
from kdworkbook.rahmen import laden, pflichten
from kdworkbook.rahmen.geeignetheit import NichtGeeignet
from kdworkbook.rahmen.reife import Reife

#: where a file named in the parameter file is looked for (no path of this machine shown)
RELATIVE = "gesucht relativ zur Parameterdatei"
_KEY = re.compile(r"^\d{14}$")


class PflichtStand(StrictModel):
    """The municipality's state for one duty: ``{status: …, notiz: …}`` or just the status."""

    status: str = pflichten.STATUS_DEFAULT
    notiz: str | None = None

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> Any:
        text = value.strip() if isinstance(value, str) else value
        if text not in pflichten.STATUS:
            raise ValueError(f"„{value}“ ist kein Status – erlaubt: {', '.join(pflichten.STATUS)}")
        return text


def _resolve(value: Path | None, info: ValidationInfo) -> Path | None:
    if value is None:
        return None
    base = (info.context or {}).get("base_dir", Path.cwd())
    return (base / value).resolve()


class RahmenSettings(StrictModel):
    """Settings of the Rahmenbedingungen step; every key optional."""

    # declared before ``pflichten`` (the field name hides the module in the class body)
    sdg_online_ab: int = Field(
        default=pflichten.SDG_ONLINE_AB,
        ge=0,
        le=4,
        description="OZG-Reifegrad, ab dem eine SDG-Leistung als online gilt (BVA: Stufe 3)",
    )
    # declared before ``pflichten``: its validator needs the extra register
    zusatz_register: Path | None = Field(
        default=None, description="weiteres Pflichtenregister (YAML), ergänzt/ersetzt Einträge"
    )
    pflichten: dict[str, PflichtStand] = Field(
        default_factory=dict, description="Stand je Pflicht: Schlüssel des Registers → Status"
    )
    geaendert_seit: GermanDate | None = Field(
        default=None,
        description="Stichtag des vorigen Berichts der Kommune (oder ein anderes Datum): der "
        "Kasten „Geändert seit …“ nennt die Rechtsänderungen zwischen diesem Tag und dem "
        "Stichtag; leer = kein Kasten",
    )
    leika_katalog: Path = Field(
        default_factory=referenz.leika_katalog,
        description="LeiKa-Katalog (CSV, LeiKa-Export oder Format der OZG-Datenbank NRW); "
        "Standard: der mitgelieferte Katalog (kdworkbook/data/referenz)",
    )
    ozg_katalog: Path | None = Field(
        default=None,
        description="OZG-Leistungen (CSV); Standard: die mitgelieferte Liste, solange auch "
        "der mitgelieferte LeiKa-Katalog gilt",
    )
    typ_4b: tuple[str, ...] = Field(
        default=defaults.TYP_4B, description="LeiKa-Typ-Werte, die als 4b gelten"
    )
    fuzzy_schwelle: float = Field(default=defaults.FUZZY_SCHWELLE, ge=0, le=100)
    zuordnung: dict[str, str] = Field(
        default_factory=dict,
        description="geprüfte Zuordnung: Bezeichnung der Bestandserhebung → LeiKa-Schlüssel",
    )
    nicht_geeignet: tuple[NichtGeeignet, ...] = ()
    wirtschaftlich_min_vorgaenge: int = Field(default=defaults.WIRTSCHAFTLICH_MIN_VORGAENGE, ge=0)
    reife: Reife = Field(default_factory=Reife)

    @field_validator("zusatz_register")
    @classmethod
    def _register_exists(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        path = _resolve(value, info)
        if path is not None and (problem := systemfehler.file_problem(value, path)):
            raise ValueError(problem)
        return path

    @field_validator("pflichten", mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        """``"EGovG NRW § 3": erfüllt`` is short for ``{status: erfüllt}``."""
        if isinstance(value, dict):
            return {k: {"status": v} if isinstance(v, str) else v for k, v in value.items()}
        return value

    @field_validator("pflichten")
    @classmethod
    def _known_duties(
        cls, value: dict[str, PflichtStand], info: ValidationInfo
    ) -> dict[str, PflichtStand]:
        if "zusatz_register" not in info.data:
            return value  # the register path itself was wrong; reported there
        known = [p.schluessel for p in laden.load_register(info.data["zusatz_register"])]
        unknown = [k for k in value if k not in known]
        if unknown:
            raise ValueError(
                f"{', '.join(f'„{k}“' for k in unknown)} steht nicht im Pflichtenregister – "
                f"bekannt sind: {', '.join(known)}"
            )
        return value

    @model_validator(mode="before")
    @classmethod
    def _shipped_ozg(cls, data: Any) -> Any:
        """The shipped OZG list belongs to the shipped LeiKa catalogue: it is the default only
        while ``leika_katalog`` is not set (a newer export brings its own, or none)."""
        if isinstance(data, dict) and data.get("leika_katalog") is None:
            data = {k: v for k, v in data.items() if k != "leika_katalog"}
            if data.get("ozg_katalog") is None:
                data["ozg_katalog"] = referenz.ozg_katalog()
        return data

    @field_validator("leika_katalog", "ozg_katalog")
    @classmethod
    def _catalogue_exists(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        path = _resolve(value, info)
        if path is not None and (problem := systemfehler.file_problem(value, path, RELATIVE)):
            raise ValueError(
                f"{problem}. Ohne "
                "Angabe gilt der mitgelieferte Katalog; eine neuere Fassung als CSV-Datei "
                "angeben (LeiKa-Export oder Format der OZG-Datenbank NRW)"
            )
        return path

    @field_validator("typ_4b", mode="before")
    @classmethod
    def _typ_text(cls, value: Any) -> Any:
        items = value if isinstance(value, list | tuple) else [value]
        return tuple(str(v).strip() for v in items)

    @field_validator("zuordnung", mode="before")
    @classmethod
    def _key_as_text(cls, value: Any) -> Any:
        """A key written without quotes is an integer in YAML; LeiKa keys start with 99."""
        if isinstance(value, dict):
            return {k: str(v) if isinstance(v, int) else v for k, v in value.items()}
        return value

    @field_validator("zuordnung")
    @classmethod
    def _keys(cls, value: dict[str, str]) -> dict[str, str]:
        bad = [f"„{name}“: „{key}“" for name, key in value.items() if not _KEY.match(key)]
        if bad:
            raise ValueError(
                f"{', '.join(bad)} – erwartet: LeiKa-Schlüssel mit 14 Ziffern in "
                'Anführungszeichen, z. B. "99008001012001"'
            )
        return value

    @property
    def katalog_mitgeliefert(self) -> bool:
        """True if the shipped LeiKa catalogue is used (no ``leika_katalog`` given)."""
        return referenz.is_shipped(self.leika_katalog)
