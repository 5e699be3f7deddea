"""Aggregating the responses: demand per service, channel preference, margin of error.

Demand score of a service (0–1) = Σ wᵣ·oᵣ / Σ wᵣ over the respondents r who answered
„würde ich online erledigen“, with oᵣ = 1 for „ja“/„eher ja“, else 0, and wᵣ = 1 if r has
used the service, else ``gewicht_nicht_genutzt``. Fewer than ``mindestgruppe`` answers: the
score is „nicht berechenbar“ (NaN), never 0. On the prioritisation's 1–5 scale the score is
1 + 4·score, so that the criterion's normalisation (Wert − 1) / 4 gives the score back.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from kdworkbook.buergerbefragung.fragebogen import (
    ALTER,
    GENUTZT,
    KANAL,
    ONLINE,
    ONLINE_JA,
    Fragebogen,
)

#: z for a 95 % confidence interval.
Z_95 = 1.96


def demand(
    responses: pd.DataFrame, fb: Fragebogen, gewicht_nicht_genutzt: float, mindestgruppe: int
) -> pd.DataFrame:
    """Per service: code, bezeichnung, antworten, genutzt, online_ja, nachfrage (0–1 or NaN)."""
    rows = []
    for code, name in fb.leistungen.items():
        online = responses[f"{ONLINE}[{code}]"]
        used = responses[f"{GENUTZT}[{code}]"].eq("J").fillna(False).astype(bool)
        answered = online.notna()
        weight = np.where(used, 1.0, gewicht_nicht_genutzt)[answered.to_numpy()]
        yes = online[answered].isin(ONLINE_JA).to_numpy()
        count = int(answered.sum())
        score = (
            float((weight * yes).sum() / weight.sum())
            if count >= mindestgruppe and weight.sum() > 0
            else math.nan
        )
        rows.append(
            {
                "code": code,
                "bezeichnung": name,
                "antworten": count,
                "genutzt": int((used & answered).sum()),
                "online_ja": int(yes.sum()),
                "nachfrage": score,
            }
        )
    return pd.DataFrame(rows)


def to_scale(score: pd.Series) -> pd.Series:
    """0–1 score → the criterion's 1–5 scale (NaN stays NaN)."""
    return 1 + 4 * score


def apply_demand(
    processes: pd.DataFrame, nachfrage: pd.DataFrame | None, overrides: Mapping[str, int]
) -> pd.DataFrame:
    """*processes* with ``buergernachfrage`` (1–5) filled by service name.

    Precedence: the parameter file (*overrides*), then the survey, then what the
    Bestandsaufnahme already carried.
    """
    table = processes.copy()
    current = (
        table["buergernachfrage"].astype("Float64")
        if "buergernachfrage" in table
        else pd.Series(pd.NA, index=table.index, dtype="Float64")
    )
    if nachfrage is not None and len(nachfrage):
        scale = dict(zip(nachfrage["bezeichnung"], to_scale(nachfrage["nachfrage"]), strict=True))
        survey = table["bezeichnung"].map(scale).astype("Float64")
        current = survey.where(survey.notna(), current)
    fixed = table["bezeichnung"].map(dict(overrides)).astype("Float64")
    table["buergernachfrage"] = fixed.where(fixed.notna(), current)
    return table


def margin_of_error(n: int, population: int | None, z: float = Z_95) -> float:
    """Half-width of the 95 % interval of a share at p = 0,5, with finite population
    correction √((N − n) / (N − 1)); NaN when n or N is missing (nicht berechenbar)."""
    if n <= 0 or not population or population <= 1:
        return math.nan
    fpc = math.sqrt(max(population - n, 0) / (population - 1))
    return z * math.sqrt(0.25 / n) * fpc


def channel_by_age(responses: pd.DataFrame, fb: Fragebogen, mindestgruppe: int) -> pd.DataFrame:
    """Share of each preferred channel per age group; one row per group (plus „gesamt“).

    Groups with fewer than *mindestgruppe* respondents are kept as a row with
    ``unterdrueckt = True`` and no shares, so the report can say that they were left out.
    """
    kanal = fb.frage(KANAL).antworten
    groups = [("gesamt", responses)]
    groups += [
        (label, responses[responses[ALTER] == code])
        for code, label in fb.frage(ALTER).antworten.items()
    ]
    rows = []
    for label, part in groups:
        answered = part[KANAL].dropna()
        row: dict[str, object] = {"gruppe": label, "befragte": len(answered)}
        row["unterdrueckt"] = len(answered) < mindestgruppe
        for code, name in kanal.items():
            row[name] = math.nan if row["unterdrueckt"] else float((answered == code).mean())
        if row["unterdrueckt"]:
            row["befragte"] = math.nan  # not even the count of a small group is shown
        rows.append(row)
    return pd.DataFrame(rows)
