"""Settings of the Maßnahmenentwicklung: the ``massnahmen:`` section of the parameter file.

Pydantic models (German messages via :mod:`kdworkbook.kern.parameter`) and the loader of the
measure-type data file ``kdworkbook/data/massnahmen.yaml``. Every value has a default with its
reason in :mod:`kdworkbook.kern.defaults` or in the data file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from kdworkbook.kern import defaults
from kdworkbook.kern.modell import GermanDate, StrictModel
from kdworkbook.kern.yamlsafe import load_yaml

Rolle = Literal["fachamt", "digitalmanager", "it_dienstleister"]
VALUE_FIELDS = (
    "aufwand_personentage",
    "einmalkosten_eur",
    "laufende_kosten_eur_jahr",
    "reduktion_bearbeitungszeit",
)
#: Criteria of each axis (keys of the weights), see :mod:`kdworkbook.massnahmen.priorisierung`.
CRITERIA_BY_AXIS = {
    "nutzen": tuple(defaults.GEWICHTE_NUTZEN),
    "aufwand": tuple(defaults.GEWICHTE_AUFWAND),
}
AXIS_NAMES = {"nutzen": "Nutzen", "aufwand": "Aufwand"}
PARAMETER_SOURCE = "Parameterdatei"


def check_weights(weights: Mapping[str, float], axis: str) -> dict[str, float]:
    """Weights of one axis, normalised to sum 1; refuses negative and all-zero weights."""
    name = AXIS_NAMES.get(axis, axis)
    negative = [k for k, v in weights.items() if v < 0]
    if negative:
        raise ValueError(
            f"Gewichte der Achse {name} dürfen nicht negativ sein: {', '.join(negative)}"
        )
    total = float(sum(weights.values()))
    if total <= 0:
        raise ValueError(
            f"Gewichte der Achse {name} sind alle 0 – mindestens ein Kriterium braucht ein "
            "Gewicht größer als 0"
        )
    return {k: float(v) / total for k, v in weights.items()}


class Wert(StrictModel):
    """One figure of a measure type with where it comes from."""

    wert: float = Field(ge=0)
    quelle: str = Field(min_length=1)


class Regel(StrictModel):
    """When a measure type is suggested for a process; all given conditions must hold."""

    min_vorgaenge: int | None = Field(default=None, ge=0)
    min_jahresstunden: float | None = Field(default=None, ge=0)
    min_beteiligte_stellen: int | None = Field(default=None, ge=0)
    reifegrad_unter: int | None = Field(default=None, ge=0, le=5)
    verrichtung: tuple[str, ...] | None = None
    verrichtung_nicht: tuple[str, ...] | None = None
    bezeichnung_enthaelt: tuple[str, ...] | None = None
    fachamt: tuple[str, ...] | None = None
    nur_mit: str | None = None


class MeasureType(StrictModel):
    """A standard measure (Maßnahmentyp) with effort, costs and expected effect per process."""

    name: str = Field(min_length=1)
    aufwand_personentage: Wert
    einmalkosten_eur: Wert
    laufende_kosten_eur_jahr: Wert
    reduktion_bearbeitungszeit: Wert
    organisation: Rolle = "fachamt"
    durchfuehrung: Rolle = "digitalmanager"
    regel: Regel | None = None

    @field_validator("reduktion_bearbeitungszeit")
    @classmethod
    def _share(cls, value: Wert) -> Wert:
        if value.wert > 1:
            raise ValueError(
                f"Reduktion {value.wert} ist kein Anteil – erwartet 0 bis 1 (z. B. 0.2 = 20 %)"
            )
        return value


def data_file() -> Path:
    """Path of the measure-type data file shipped with the package."""
    return Path(str(resources.files("kdworkbook") / "data" / "massnahmen.yaml"))


@cache
def standard_types() -> dict[str, MeasureType]:
    """The standard measure types from the data file (read once)."""
    raw = load_yaml(data_file())["typen"]
    return {key: MeasureType.model_validate(spec) for key, spec in raw.items()}


def _merge_type(key: str, override: Any) -> Any:
    """Override single values of a standard type; plain numbers get source „Parameterdatei“."""
    if not isinstance(override, dict):
        return override
    spec = dict(override)
    for name in VALUE_FIELDS:
        if isinstance(spec.get(name), int | float) and not isinstance(spec.get(name), bool):
            spec[name] = {"wert": spec[name], "quelle": PARAMETER_SOURCE}
    base = standard_types().get(key)
    return {**base.model_dump(), **spec} if base else spec


class Gewichte(StrictModel):
    """Weights per axis; criteria not given keep their default (defaults.py)."""

    nutzen: dict[str, float] = Field(default_factory=lambda: dict(defaults.GEWICHTE_NUTZEN))
    aufwand: dict[str, float] = Field(default_factory=lambda: dict(defaults.GEWICHTE_AUFWAND))

    @field_validator("nutzen", "aufwand", mode="before")
    @classmethod
    def _merge(cls, value: Any, info: Any) -> Any:
        if not isinstance(value, dict):
            return value
        known = CRITERIA_BY_AXIS[info.field_name]
        unknown = [k for k in value if k not in known]
        if unknown:
            raise ValueError(
                f"unbekanntes Kriterium {', '.join(map(str, unknown))} – bekannt sind: "
                f"{', '.join(known)}"
            )
        base = (
            defaults.GEWICHTE_NUTZEN if info.field_name == "nutzen" else defaults.GEWICHTE_AUFWAND
        )
        return {**base, **value}

    @field_validator("nutzen", "aufwand")
    @classmethod
    def _valid(cls, value: dict[str, float], info: Any) -> dict[str, float]:
        check_weights(value, info.field_name)
        return value


class Schwellen(StrictModel):
    """Quadrant thresholds on the 0–1 axes; empty = median of the suitable processes."""

    nutzen: float | None = Field(default=None, ge=0, le=1)
    aufwand: float | None = Field(default=None, ge=0, le=1)


class MassnahmenSettings(StrictModel):
    """The ``massnahmen:`` section: prioritisation, measures, Zeit- und Kostenplan."""

    gewichte: Gewichte = Field(default_factory=Gewichte)
    gewicht_nutzen: float = Field(default=defaults.GEWICHT_NUTZEN, ge=0, le=1)
    schwellen: Schwellen = Field(default_factory=Schwellen)
    top_n: int = Field(default=defaults.TOP_N, ge=1)
    sensitivitaet: float = Field(default=defaults.SENSITIVITAET, gt=0, lt=1)
    reifegrad_ziel: int = Field(default=defaults.REIFEGRAD_ZIEL, ge=1, le=4)
    prozesse: int = Field(default=defaults.MASSNAHMEN_PROZESSE, ge=0)
    massnahmentypen: dict[str, MeasureType] = Field(default_factory=standard_types)
    zuordnung: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    start: GermanDate | None = None
    zeitkontingent_personentage: float = Field(default=defaults.ZEITKONTINGENT_PT_QUARTAL, gt=0)
    planungsjahre: int = Field(default=defaults.PLANUNGSJAHRE, ge=1, le=30)
    amortisation_horizont_jahre: float = Field(
        default=defaults.AMORTISATION_HORIZONT_JAHRE, gt=0, le=100
    )
    lenkungsgremium: str = Field(default=defaults.LENKUNGSGREMIUM, min_length=1)
    beschluss_massnahmen: int = Field(default=defaults.BESCHLUSS_MASSNAHMEN, ge=1, le=20)
    verantwortung: dict[Literal["digitalmanager", "it_dienstleister"], str] = Field(
        default_factory=lambda: dict(defaults.VERANTWORTUNG)
    )

    @field_validator("massnahmentypen", mode="before")
    @classmethod
    def _merge_types(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        return {**standard_types(), **{k: _merge_type(k, v) for k, v in value.items()}}

    @field_validator("zuordnung", mode="before")
    @classmethod
    def _lists(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: [v] if isinstance(v, str) else ([] if v is None else v) for k, v in value.items()
            }
        return value

    @field_validator("verantwortung", mode="before")
    @classmethod
    def _merge_roles(cls, value: Any) -> Any:
        return {**defaults.VERANTWORTUNG, **value} if isinstance(value, dict) else value

    @model_validator(mode="after")
    def _known_types(self) -> MassnahmenSettings:
        known = self.massnahmentypen
        problems = [
            f"zuordnung „{proc}“: Maßnahmentyp „{t}“ unbekannt"
            for proc, types in self.zuordnung.items()
            for t in types
            if t not in known
        ] + [
            f"massnahmentypen → {k} → regel → nur_mit: Maßnahmentyp „{m.regel.nur_mit}“ unbekannt"
            for k, m in known.items()
            if m.regel and m.regel.nur_mit and m.regel.nur_mit not in known
        ]
        if problems:
            raise ValueError("; ".join(problems) + f" – bekannt sind: {', '.join(known)}")
        return self

    def role_names(self) -> dict[str, str]:
        """Role → name in the report (``fachamt`` is resolved per process)."""
        return {"fachamt": "Fachamt", **self.verantwortung}

    def start_date(self, stichtag: dt.date) -> dt.date:
        """Start of the plan: the given date, else the first day of the quarter after *stichtag*."""
        if self.start is not None:
            return self.start
        quarter = (stichtag.month - 1) // 3 + 1
        year, quarter = (stichtag.year + 1, 1) if quarter == 4 else (stichtag.year, quarter + 1)
        return dt.date(year, 3 * quarter - 2, 1)
