"""Section ``musterprozess`` of the parameter file (IST/SOLL files, survey row, hourly rate).

Kept apart from :mod:`kdworkbook.kern.parameter`, which includes it as ``Settings.musterprozess``.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, ValidationInfo, field_validator, model_validator

from kdworkbook.kern import defaults, systemfehler
from kdworkbook.kern.modell import StrictModel

PROCESS_SUFFIXES = (".yaml", ".yml", ".bpmn", ".bpmn2", ".xml")  # .xml: also .bpmn20.xml


class MusterprozessSettings(StrictModel):
    """Section ``musterprozess`` of the parameter file; without ``ist``/``soll`` = none set."""

    ist: Path | None = Field(default=None, description="IST-Prozess (.yaml oder BPMN 2.0)")
    soll: Path | None = Field(default=None, description="SOLL-Prozess (.yaml oder BPMN 2.0)")
    prozess: str = Field(
        default=defaults.MUSTERPROZESS_PROZESS,
        min_length=1,
        description="Bezeichnung der Zeile der Bestandserhebung (Fallzahl, Stufe)",
    )
    fachamt: str | None = Field(default=None, min_length=1)
    stundensatz: float | None = Field(default=None, gt=0, description="€/h, sonst aus der Stufe")
    laufbahngruppe: str | None = Field(default=None, min_length=1)

    @field_validator("ist", "soll")
    @classmethod
    def _file_exists(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        if value is None:
            return None
        if value.suffix.lower() not in PROCESS_SUFFIXES:
            raise ValueError(
                f"„{value}“: erwartet eine Prozessdatei mit Endung .yaml oder .yml (Prozessdatei) "
                "oder .bpmn, .bpmn20.xml, .bpmn2, .xml (BPMN 2.0)"
            )
        base = (info.context or {}).get("base_dir", Path.cwd())
        path = (base / value).resolve()
        if problem := systemfehler.file_problem(value, path):
            raise ValueError(problem)
        return path

    @model_validator(mode="after")
    def _both(self) -> MusterprozessSettings:
        if (self.ist is None) != (self.soll is None):
            missing = "soll" if self.soll is None else "ist"
            raise ValueError(f"„{missing}“ fehlt – ein Musterprozess braucht IST und SOLL")
        if self.stundensatz is not None and self.laufbahngruppe is not None:
            raise ValueError("entweder „stundensatz“ oder „laufbahngruppe“ angeben, nicht beides")
        return self

    @property
    def konfiguriert(self) -> bool:
        return self.ist is not None
