"""The register of legal duties (EGovG NRW, OZG) and their state in one municipality.

The duties live in a data file (``kdworkbook/data/pflichten.yaml``), not in code; a second
register file can add or replace entries. :func:`load_register` reads them, the rest of the
module is pure: per duty the status recorded in the parameter file, whether its deadline has
passed on the Stichtag and by how many days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from kdworkbook.errors import InputError
from kdworkbook.yamlsafe import load_yaml

#: Status words a municipality can record per duty; ``unbekannt`` is the default.
STATUS = ("erfüllt", "teilweise", "offen", "nicht zutreffend", "unbekannt")
STATUS_DEFAULT = "unbekannt"
#: Statuses for which a passed deadline does not count as overdue.
STATUS_DONE = ("erfüllt", "nicht zutreffend")
IN_KRAFT = "in Kraft"
REGISTER_FILE = "pflichten.yaml"


class Pflicht(BaseModel):
    """One legal duty of the register."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schluessel: str = Field(min_length=1, description="Kurzname, z. B. „EGovG NRW § 3“")
    paragraph: str = Field(min_length=1)
    titel: str = Field(min_length=1)
    beschreibung: str = Field(min_length=1)
    frist: dt.date | Literal["in Kraft"] | None = Field(
        description="Datum, ab dem die Pflicht gilt; „in Kraft“; leer = keine Frist"
    )
    frist_text: str = ""
    quelle: str = Field(min_length=1)

    @field_validator("frist", mode="before")
    @classmethod
    def _frist(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip() in ("", "-", "–"):
            return None
        if isinstance(value, str) and value.strip() != IN_KRAFT:
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                raise ValueError(
                    f"„{value}“ ist keine Frist – erwartet: Datum JJJJ-MM-TT, „in Kraft“ oder leer"
                ) from None
        return value


class Register(BaseModel):
    """A register file: ``pflichten: [...]``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pflichten: tuple[Pflicht, ...] = Field(min_length=1)


def builtin_register_path() -> Path:
    """The register shipped with the package."""
    return Path(str(resources.files("kdworkbook") / "data" / REGISTER_FILE))


def _read_one(path: Path) -> tuple[Pflicht, ...]:
    data = load_yaml(path)
    try:
        return Register.model_validate(data).pflichten
    except ValidationError as exc:
        messages = []
        for error in exc.errors():
            loc = " → ".join(str(p + 1) if isinstance(p, int) else str(p) for p in error["loc"])
            text = error.get("ctx", {}).get("error", error["msg"])
            if error["type"] == "missing":
                text = "fehlt"
            elif error["type"] == "extra_forbidden":
                text = "ist kein bekanntes Feld (erlaubt: " + ", ".join(Pflicht.model_fields) + ")"
            messages.append(f"{path}: Pflichtenregister, Eintrag „{loc}“: {text}")
        raise InputError(messages) from None


def load_register(extra: Path | None = None) -> tuple[Pflicht, ...]:
    """The built-in register, with entries of *extra* added or replacing same keys."""
    duties = {p.schluessel: p for p in _read_one(builtin_register_path())}
    if extra is not None:
        duties |= {p.schluessel: p for p in _read_one(extra)}
    return tuple(duties.values())


def days_overdue(frist: dt.date | str | None, status: str, stichtag: dt.date) -> int | None:
    """Days past the deadline on the Stichtag; 0 on the deadline day itself and before it.

    ``None`` where there is no date to count from (``in Kraft`` or no deadline); 0 for duties
    already fulfilled or not applicable.
    """
    if not isinstance(frist, dt.date):
        return None
    if status in STATUS_DONE:
        return 0
    return max(0, (stichtag - frist).days)


def duty_table(
    register: Sequence[Pflicht],
    recorded: Mapping[str, tuple[str, str | None]],
    stichtag: dt.date,
) -> pd.DataFrame:
    """One row per duty: register fields, status and note (from *recorded*), days overdue.

    *recorded* maps duty key → (status, note); duties not in it are ``unbekannt``.
    Column ``faellig`` is True where the duty applies on the Stichtag (in force or deadline
    reached); ``ueberfaellig`` where it applies and is not fulfilled.
    """
    rows = []
    for p in register:
        status, note = recorded.get(p.schluessel, (STATUS_DEFAULT, None))
        faellig = p.frist == IN_KRAFT or (isinstance(p.frist, dt.date) and stichtag >= p.frist)
        days = days_overdue(p.frist, status, stichtag)
        rows.append(
            {
                "schluessel": p.schluessel,
                "paragraph": p.paragraph,
                "titel": p.titel,
                "beschreibung": p.beschreibung,
                "frist": p.frist,
                "frist_text": p.frist_text or _frist_text(p.frist),
                "quelle": p.quelle,
                "status": status,
                "notiz": note or "",
                "faellig": faellig,
                "ueberfaellig": faellig and status not in STATUS_DONE,
                "tage_ueberfaellig": days,
            }
        )
    table = pd.DataFrame(rows)
    table["tage_ueberfaellig"] = table["tage_ueberfaellig"].astype("Int64")
    return table


def _frist_text(frist: dt.date | str | None) -> str:
    if isinstance(frist, dt.date):
        return frist.strftime("%d.%m.%Y")
    return frist or "keine Frist"


def status_counts(table: pd.DataFrame) -> dict[str, int]:
    """Number of duties per status, every status listed (also those with 0)."""
    counts = table["status"].value_counts()
    return {s: int(counts.get(s, 0)) for s in STATUS}
