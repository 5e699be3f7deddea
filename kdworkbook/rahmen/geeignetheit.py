"""Geeignetheit: which processes cannot be digitalised, and why (pure functions).

The deck names three reasons: faktisch (e.g. emptying bins), rechtlich (e.g. an in-person
inspection, Inaugenscheinnahme) and wirtschaftlich (a rarely requested service; cost and
benefit grossly out of proportion). A reason comes, in this order of precedence, from the
parameter file (list ``rahmen → nicht_geeignet``), from the survey column
``nicht geeignet (Grund)``, or from the rule "fewer than N cases per year" (wirtschaftlich).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import pandas as pd
from pydantic import Field, field_validator

from kdworkbook.bestand.erhebung import GEEIGNETHEIT_GRUENDE
from kdworkbook.kern.modell import StrictModel

QUELLE_PARAMETER = "Parameterdatei"
QUELLE_ERHEBUNG = "Bestandserhebung"
QUELLE_REGEL = "Regel: weniger als {n} Vorgänge pro Jahr"


class NichtGeeignet(StrictModel):
    """One process marked as not suitable in the parameter file."""

    prozess: str = Field(min_length=1, description="Bezeichnung wie in der Bestandserhebung")
    grund: Literal["faktisch", "rechtlich", "wirtschaftlich"]
    fachamt: str | None = Field(default=None, description="nur in diesem Fachamt; leer = alle")
    notiz: str | None = None

    @field_validator("grund", mode="before")
    @classmethod
    def _grund(cls, value: object) -> object:
        text = str(value).strip().lower() if isinstance(value, str) else value
        if text not in GEEIGNETHEIT_GRUENDE:
            raise ValueError(
                f"„{value}“ ist kein Grund – erlaubt: {', '.join(GEEIGNETHEIT_GRUENDE)}"
            )
        return text


def _selects(survey: pd.DataFrame, entry: NichtGeeignet) -> pd.Series:
    hit = survey["bezeichnung"] == entry.prozess
    if entry.fachamt:
        hit &= survey["fachamt"] == entry.fachamt
    return hit


def unknown_entries(survey: pd.DataFrame, entries: Sequence[NichtGeeignet]) -> list[str]:
    """Entries of the parameter list that match no survey row (typos), as German text."""
    return [
        f"„{e.prozess}“" + (f" (Fachamt {e.fachamt})" if e.fachamt else "")
        for e in entries
        if not _selects(survey, e).any()
    ]


def suitability(
    survey: pd.DataFrame, entries: Sequence[NichtGeeignet], min_vorgaenge: int
) -> pd.DataFrame:
    """Per survey row (same index): ``geeignet``, ``geeignetheit_grund``, ``geeignetheit_quelle``,
    ``geeignetheit_notiz``.

    *min_vorgaenge*: processes with fewer cases per year are wirtschaftlich not suitable
    (0 switches the rule off).
    """
    grund = pd.Series(pd.NA, index=survey.index, dtype="object")
    quelle = pd.Series(pd.NA, index=survey.index, dtype="object")
    notiz = pd.Series("", index=survey.index, dtype="object")
    if min_vorgaenge > 0:
        rare = survey["vorgaenge"] < min_vorgaenge
        grund[rare] = "wirtschaftlich"
        quelle[rare] = QUELLE_REGEL.format(n=min_vorgaenge)
    if "nicht_geeignet" in survey:
        marked = survey["nicht_geeignet"].notna()
        grund[marked] = survey.loc[marked, "nicht_geeignet"]
        quelle[marked] = QUELLE_ERHEBUNG
    for entry in entries:
        hit = _selects(survey, entry)
        grund[hit] = entry.grund
        quelle[hit] = QUELLE_PARAMETER
        notiz[hit] = entry.notiz or ""
    return pd.DataFrame(
        {
            "geeignet": grund.isna().astype(bool),
            "geeignetheit_grund": grund,
            "geeignetheit_quelle": quelle,
            "geeignetheit_notiz": notiz,
        },
        index=survey.index,
    )


def reason_counts(suitable: pd.DataFrame) -> dict[str, int]:
    """Number of unsuitable processes per reason (every reason listed)."""
    counts = suitable["geeignetheit_grund"].value_counts()
    return {g: int(counts.get(g, 0)) for g in GEEIGNETHEIT_GRUENDE}


def reason_label(suitable: pd.DataFrame) -> pd.Series:
    """„nicht geeignet (rechtlich)“ per row of a :func:`suitability` table; "" where suitable."""
    text = "nicht geeignet (" + suitable["geeignetheit_grund"].astype("object").fillna("") + ")"
    return text.where(~suitable["geeignet"].astype(bool), "")
