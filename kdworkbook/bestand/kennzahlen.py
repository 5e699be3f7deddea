"""Figures of the Bestandsaufnahme (Standardkostenmodell), as pure functions.

Input is the validated survey (:func:`kdworkbook.bestand.erhebung.read_survey`) and plain values
from the parameter file; output are DataFrames. Formulas (DOMAIN.md, Standardkostenmodell):

- Jahresstunden  = Vorgänge pro Jahr × Minuten / 60
- Personalkosten = Jahresstunden × Stundensatz der Laufbahngruppe der bearbeitenden Stufe
- VZÄ            = Jahresstunden / Jahresarbeitsstunden je Vollzeitäquivalent
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from kdworkbook.kern.formatierung import zahl

#: Classes of „Beteiligte Stellen“ for the sorting by process properties.
KOORDINATION_KLASSEN = ((1, "eine Stelle"), (3, "2–3 Stellen"), (np.inf, "4 und mehr Stellen"))


def add_figures(
    survey: pd.DataFrame,
    rates: Mapping[str, float],
    stufen: Mapping[int, str],
    hours_per_fte: float,
) -> pd.DataFrame:
    """Adds laufbahngruppe, stundensatz_eur, jahresstunden, personalkosten_eur and vzae."""
    df = survey.copy()
    df["laufbahngruppe"] = df["stufe"].map(stufen)
    df["stundensatz_eur"] = df["laufbahngruppe"].map(rates).astype(float)
    df["jahresstunden"] = df["vorgaenge"] * df["minuten"] / 60
    df["personalkosten_eur"] = df["jahresstunden"] * df["stundensatz_eur"]
    df["vzae"] = df["jahresstunden"] / hours_per_fte
    return df


@dataclass(frozen=True)
class Kennzahlen:
    """Totals of the survey."""

    prozesse: int
    fachaemter: int
    vorgaenge: int
    stunden: float
    kosten_eur: float
    vzae: float

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def key_figures(df: pd.DataFrame) -> Kennzahlen:
    """Totals over all processes of a survey with figures (see :func:`add_figures`)."""
    return Kennzahlen(
        prozesse=len(df),
        fachaemter=int(df["fachamt"].nunique()),
        vorgaenge=int(df["vorgaenge"].sum()),
        stunden=float(df["jahresstunden"].sum()),
        kosten_eur=float(df["personalkosten_eur"].sum()),
        vzae=float(df["vzae"].sum()),
    )


def _totals(df: pd.DataFrame, by: str) -> pd.DataFrame:
    grouped = df.groupby(by, sort=False, observed=True).agg(
        prozesse=("bezeichnung", "size"),
        vorgaenge=("vorgaenge", "sum"),
        jahresstunden=("jahresstunden", "sum"),
        personalkosten_eur=("personalkosten_eur", "sum"),
        vzae=("vzae", "sum"),
    )
    total = grouped["jahresstunden"].sum()
    grouped["anteil_stunden"] = grouped["jahresstunden"] / total if total else 0.0
    return grouped


def by_fachamt(df: pd.DataFrame) -> pd.DataFrame:
    """Totals per Fachamt, largest workload first (ties: Fachamt name)."""
    totals = _totals(df, "fachamt").reset_index()
    return totals.sort_values(
        ["jahresstunden", "fachamt"], ascending=[False, True], ignore_index=True
    )


def pareto(df: pd.DataFrame) -> pd.DataFrame:
    """Processes by Jahresstunden, descending, with rank and cumulative share of all hours.

    Ties are broken by Bezeichnung so that the order is reproducible.
    """
    ordered = df.sort_values(
        ["jahresstunden", "bezeichnung"], ascending=[False, True], ignore_index=True
    )
    total = ordered["jahresstunden"].sum()
    ordered["rang"] = np.arange(1, len(ordered) + 1)
    ordered["kum_anteil"] = ordered["jahresstunden"].cumsum() / total if total else 0.0
    return ordered


def pareto_count(df: pd.DataFrame, share: float) -> int:
    """The smallest number of processes whose hours make up at least *share* of all hours."""
    cumulative = pareto(df)["kum_anteil"].to_numpy()
    if len(cumulative) == 0:
        return 0
    # a tiny tolerance so that exactly 80 % counts as reached despite float rounding
    return int(np.searchsorted(cumulative, share - 1e-12) + 1)


def koordination(beteiligte_stellen: pd.Series) -> pd.Series:
    """Class of the number of involved units (1 / 2–3 / 4 and more), ordered."""
    bins = [-np.inf] + [upper for upper, _ in KOORDINATION_KLASSEN]
    labels = [label for _, label in KOORDINATION_KLASSEN]
    return pd.cut(beteiligte_stellen, bins=bins, labels=labels)


def by_property(df: pd.DataFrame, prop: str) -> pd.DataFrame:
    """Totals per value of a process property.

    *prop* is ``"laufbahngruppe"``, ``"koordination"`` (classes of Beteiligte Stellen),
    ``"rechtliche_besonderheiten"`` or any other column of the survey.
    """
    data = df.assign(koordination=koordination(df["beteiligte_stellen"]))
    return _totals(data, prop).sort_index().reset_index()


def simple_candidates(df: pd.DataFrame, max_units: int = 1) -> pd.DataFrame:
    """Processes without legal peculiarities handled by at most *max_units* units.

    The deck's „Sortierung der Prozesse nach Prozesseigenschaften“: these are the processes
    whose digitalisation needs least coordination; largest workload first.
    """
    mask = (df["rechtliche_besonderheiten"] == 0) & (df["beteiligte_stellen"] <= max_units)
    return pareto(df[mask]).drop(columns=["kum_anteil", "rang"])


def sort_by_properties(df: pd.DataFrame) -> pd.DataFrame:
    """All processes sorted by their properties: easiest to digitalise first.

    Order: no legal peculiarities first, then fewer involved units, then lower Stufe,
    then larger workload (Jahresstunden) first, then Bezeichnung.
    """
    return df.sort_values(
        [
            "rechtliche_besonderheiten",
            "beteiligte_stellen",
            "stufe",
            "jahresstunden",
            "bezeichnung",
        ],
        ascending=[True, True, True, False, True],
        ignore_index=True,
    )


def quality_warnings(df: pd.DataFrame, max_minutes: float, max_cases: int) -> pd.DataFrame:
    """Values that are allowed but implausible; one row per finding (not fatal)."""
    checks = [
        (df["minuten"] == 0, "0 Minuten je Vorgang – Bearbeitungszeit nicht erhoben?"),
        (df["vorgaenge"] == 0, "0 Vorgänge im Jahr – Leistung wird nicht nachgefragt?"),
        (df["minuten"] > max_minutes, f"mehr als {zahl(max_minutes)} Minuten je Vorgang"),
        (df["vorgaenge"] > max_cases, f"mehr als {zahl(max_cases)} Vorgänge im Jahr"),
    ]
    frames = [
        df.loc[mask, ["fachamt", "bezeichnung", "datei", "zeile"]].assign(hinweis=text)
        for mask, text in checks
    ]
    repeated = df[df.duplicated("bezeichnung", keep=False)]
    frames.append(
        repeated[["fachamt", "bezeichnung", "datei", "zeile"]].assign(
            hinweis="gleicher Prozess in mehreren Fachämtern – doppelt gezählt?"
        )
    )
    result = pd.concat(frames, ignore_index=True)
    return result.sort_values(["datei", "zeile"], ignore_index=True)
