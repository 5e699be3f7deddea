"""Measures for the prioritised processes: assignment, savings, Zeitplan and Kostenplan.

Pure functions over the ranked process table (:func:`kdworkbook.massnahmen.priorisierung.rank`) and
the measure types (:class:`~kdworkbook.massnahmen.einstellungen.MeasureType`).

- Einsparung (Standardkostenmodell): Stunden = Vorgänge × Minuten × Reduktion / 60;
  € = Stunden × Stundensatz der Laufbahngruppe; VZÄ = Stunden / Jahresarbeitsstunden.
  Several measures of one process act one after the other on the remaining time: the k-th
  saves Minuten × (1 − r₁)…(1 − rₖ₋₁) × rₖ, so together 1 − Π(1 − rᵢ).
- Amortisation in Jahren = Einmalkosten / (Einsparung € − laufende Kosten €); none if the
  yearly net saving is not positive. A payback beyond the planning horizon (or none) is
  flagged (:func:`beyond_horizon`).
- Zeitplan: measures in priority order fill an effort budget of *capacity* person-days per
  quarter one after the other; a measure larger than what is left continues in the next
  quarter. So no quarter gets more than its capacity, and no measure starts before one of
  higher priority.
- Kostenplan per year: one-time costs where the effort is booked; running costs and savings
  from the quarter after a measure is finished, pro rata per quarter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from kdworkbook.massnahmen.einstellungen import MeasureType, Regel

PLAN_KEYS = ["rang", "bezeichnung", "fachamt"]


def _rule_mask(processes: pd.DataFrame, rule: Regel, assigned: pd.DataFrame) -> pd.Series:
    """Which processes satisfy every condition of *rule* (unknown Reifegrad counts as below)."""
    mask = pd.Series(True, index=processes.index)

    def text(column: str) -> pd.Series:
        return processes.get(column, pd.Series("", index=processes.index)).fillna("").astype(str)

    if rule.min_vorgaenge is not None:
        mask &= processes["vorgaenge"] >= rule.min_vorgaenge
    if rule.min_jahresstunden is not None:
        mask &= processes["jahresstunden"] >= rule.min_jahresstunden
    if rule.min_beteiligte_stellen is not None:
        mask &= processes["beteiligte_stellen"] >= rule.min_beteiligte_stellen
    if rule.reifegrad_unter is not None and "reifegrad" in processes:
        level = pd.to_numeric(processes["reifegrad"], errors="coerce")
        mask &= (level < rule.reifegrad_unter).fillna(True).astype(bool)
    if rule.verrichtung is not None:
        mask &= text("verrichtung").isin(rule.verrichtung)
    if rule.verrichtung_nicht is not None:
        mask &= ~text("verrichtung").isin(rule.verrichtung_nicht)
    if rule.bezeichnung_enthaelt is not None:
        names = text("bezeichnung").str.lower()
        mask &= np.logical_or.reduce(
            [names.str.contains(w.lower(), regex=False) for w in rule.bezeichnung_enthaelt]
        )
    if rule.fachamt is not None:
        mask &= text("fachamt").isin(rule.fachamt)
    if rule.nur_mit is not None:
        mask &= assigned[rule.nur_mit]
    return mask


def assign(
    processes: pd.DataFrame,
    types: Mapping[str, MeasureType],
    explicit: Mapping[str, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """Measures per process: one row per (process, measure type), in process order and
    within a process in the order of *types* (explicit lists keep their own order).

    Rules of the types apply unless *explicit* names the process (by Bezeichnung); then
    exactly the listed types are used (an empty list = no measure).
    """
    explicit = dict(explicit or {})
    assigned = pd.DataFrame(index=processes.index)
    for key, mtype in types.items():  # loop over the few types, not the processes
        assigned[key] = _rule_mask(processes, mtype.regel, assigned) if mtype.regel else False
    pairs = assigned.stack()
    pairs = pairs[pairs].reset_index().iloc[:, :2]
    pairs.columns = ["pos", "typ"]
    pairs["reihe"] = pairs["typ"].map({k: i for i, k in enumerate(types)})
    named = processes["bezeichnung"].isin(list(explicit))
    pairs = pairs[~pairs["pos"].map(named)]
    extra = [
        {"pos": pos, "typ": t, "reihe": i}
        for pos, name in processes.loc[named, "bezeichnung"].items()
        for i, t in enumerate(explicit[name])
    ]
    pairs = pd.concat([pairs, pd.DataFrame(extra, columns=["pos", "typ", "reihe"])])
    order = pd.Series(np.arange(len(processes)), index=processes.index)
    pairs = pairs.assign(_p=pairs["pos"].map(order)).sort_values(["_p", "reihe"])
    plan = processes.loc[pairs["pos"]].reset_index(drop=True)
    plan.insert(0, "typ", pairs["typ"].to_numpy())
    plan["massnahme"] = plan["typ"].map({k: t.name for k, t in types.items()})
    for field in (
        "aufwand_personentage",
        "einmalkosten_eur",
        "laufende_kosten_eur_jahr",
        "reduktion_bearbeitungszeit",
    ):
        plan[field] = plan["typ"].map({k: getattr(t, field).wert for k, t in types.items()})
    plan["organisation_rolle"] = plan["typ"].map({k: t.organisation for k, t in types.items()})
    plan["durchfuehrung_rolle"] = plan["typ"].map({k: t.durchfuehrung for k, t in types.items()})
    return plan


def savings(plan: pd.DataFrame, hours_per_fte: float) -> pd.DataFrame:
    """Adds einsparung_stunden, einsparung_eur, einsparung_vzae, netto_eur_jahr and
    amortisation_jahre per measure (sequential effect within a process, see module doc)."""
    plan = plan.copy()
    plan["rest_vorher"] = _rest_before(plan)
    plan["einsparung_stunden"] = (
        plan["vorgaenge"]
        * plan["minuten"]
        / 60
        * plan["rest_vorher"]
        * plan["reduktion_bearbeitungszeit"]
    )
    plan["einsparung_eur"] = plan["einsparung_stunden"] * plan["stundensatz_eur"]
    plan["einsparung_vzae"] = plan["einsparung_stunden"] / hours_per_fte
    plan["netto_eur_jahr"] = plan["einsparung_eur"] - plan["laufende_kosten_eur_jahr"]
    plan["amortisation_jahre"] = payback(plan["einmalkosten_eur"], plan["netto_eur_jahr"])
    return plan


def _rest_before(plan: pd.DataFrame) -> pd.Series:
    """Share of the time left before each measure, via exclusive cumulative product."""
    keep = 1 - plan["reduktion_bearbeitungszeit"]
    shifted = keep.groupby([plan["bezeichnung"], plan["fachamt"]], sort=False).shift(fill_value=1)
    return shifted.groupby([plan["bezeichnung"], plan["fachamt"]], sort=False).cumprod()


def payback(one_time: pd.Series, net_per_year: pd.Series) -> pd.Series:
    """Years until one-time costs are earned back; NaN if the net saving is not positive."""
    return (one_time / net_per_year).where(net_per_year > 0)


def beyond_horizon(years: pd.Series, horizon: float) -> pd.Series:
    """True where a payback takes longer than *horizon* years or never comes (NaN)."""
    return years.isna() | (years > horizon)


SAVINGS = ["einsparung_stunden", "einsparung_eur", "einsparung_vzae"]


def by_process(plan: pd.DataFrame) -> pd.DataFrame:
    """One row per process: its measures, effort, costs, savings and payback.

    A saving that is not computable (Vorgänge, Minuten or Stundensatz missing) stays NaN for
    the process – never a sum of nothing that reads 0."""
    groups = plan.groupby(PLAN_KEYS, sort=False)
    grouped = groups.agg(
        quadrant=("quadrant", "first"),
        massnahmen=("massnahme", lambda s: ", ".join(s)),
        aufwand_personentage=("aufwand_personentage", "sum"),
        einmalkosten_eur=("einmalkosten_eur", "sum"),
        laufende_kosten_eur_jahr=("laufende_kosten_eur_jahr", "sum"),
    )
    # the measures of a process share its inputs: all of them known, or none
    grouped[SAVINGS] = groups[SAVINGS].sum(min_count=1)
    result = grouped.reset_index()
    result["netto_eur_jahr"] = result["einsparung_eur"] - result["laufende_kosten_eur_jahr"]
    result["amortisation_jahre"] = payback(result["einmalkosten_eur"], result["netto_eur_jahr"])
    return result


def quarter_start(day: dt.date) -> dt.date:
    """First day of the quarter containing *day*."""
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_label(start: dt.date, offset: int) -> str:
    """„Q3/2027“ for the quarter *offset* quarters after the one containing *start*."""
    index = start.year * 4 + (start.month - 1) // 3 + offset
    return f"Q{index % 4 + 1}/{index // 4}"


def quarter_year(start: dt.date, offset: np.ndarray | int) -> np.ndarray | int:
    return (start.year * 4 + (start.month - 1) // 3 + offset) // 4


def schedule(plan: pd.DataFrame, capacity: float, start: dt.date) -> pd.DataFrame:
    """Adds quartal_start / quartal_ende (0 = first quarter) and their labels.

    *plan* must be in priority order. Cumulative effort decides the quarters: a measure
    occupies [Σ before, Σ before + effort) on an axis of person-days cut every *capacity*.
    """
    if capacity <= 0:
        raise ValueError("Das Zeitkontingent je Quartal muss größer als 0 Personentage sein")
    effort = plan["aufwand_personentage"].to_numpy(dtype=float)
    end = np.cumsum(effort)
    begin = end - effort
    first = np.floor(begin / capacity + 1e-12).astype(int)
    last = np.maximum(np.ceil(end / capacity - 1e-12).astype(int) - 1, first)
    plan = plan.assign(quartal_start=first, quartal_ende=last)
    plan["beginn"] = [quarter_label(start, q) for q in first]
    plan["fertig"] = [quarter_label(start, q) for q in last]
    plan.attrs["start"] = quarter_start(start)
    return plan


def quarter_load(plan: pd.DataFrame, capacity: float) -> np.ndarray:
    """Person-days booked per measure (rows) and quarter (columns) by :func:`schedule`."""
    effort = plan["aufwand_personentage"].to_numpy(dtype=float)
    end = np.cumsum(effort)
    begin = end - effort
    quarters = int(plan["quartal_ende"].max()) + 1 if len(plan) else 0
    edges = np.arange(quarters + 1) * capacity
    overlap = np.minimum(end[:, None], edges[None, 1:]) - np.maximum(
        begin[:, None], edges[None, :-1]
    )
    return np.clip(overlap, 0, None)


def cost_plan(plan: pd.DataFrame, capacity: float, start: dt.date, years: int) -> pd.DataFrame:
    """Per calendar year: Einmalkosten, laufende Kosten, Einsparung, Saldo (and cumulative).

    One-time costs are spread like the booked effort; running costs and savings count from
    the quarter after a measure is finished (a quarter = ¼ of the yearly amount). The plan
    covers *years* years from the start year and is extended to one year after the last
    measure goes live.
    """
    start = quarter_start(start)
    load = quarter_load(plan, capacity)
    effort = plan["aufwand_personentage"].to_numpy(dtype=float)
    share = np.divide(load, effort[:, None], out=np.zeros_like(load), where=effort[:, None] > 0)
    live = plan["quartal_ende"].to_numpy() + 1 if len(plan) else np.array([0])
    first_year = start.year
    last_year = max(first_year + years - 1, int(quarter_year(start, live.max())) + 1)
    horizon = (last_year - first_year + 1) * 4 - (start.month - 1) // 3
    q = np.arange(horizon)
    active = (
        (q[None, :] >= live[:, None]).astype(float) / 4 if len(plan) else np.zeros((0, horizon))
    )
    one_time = np.zeros((len(plan), horizon))
    one_time[:, : share.shape[1]] = share * plan["einmalkosten_eur"].to_numpy()[:, None]
    # measures without effort are paid in their (start) quarter
    zero = effort <= 0
    one_time[zero, plan["quartal_start"].to_numpy()[zero]] = plan["einmalkosten_eur"].to_numpy()[
        zero
    ]
    year_of = quarter_year(start, q)
    frame = pd.DataFrame(
        {
            "jahr": year_of,
            "einmalkosten_eur": one_time.sum(axis=0),
            "laufende_kosten_eur": active.T
            @ plan["laufende_kosten_eur_jahr"].to_numpy(dtype=float),
            # a saving that is not computable is left out (the Kennzahlen name the processes;
            # the chapter calls the row a lower bound) – NaN would blank every later year
            "einsparung_eur": active.T @ plan["einsparung_eur"].fillna(0).to_numpy(dtype=float),
        }
    )
    table = frame.groupby("jahr", as_index=False).sum()
    table["kosten_eur"] = table["einmalkosten_eur"] + table["laufende_kosten_eur"]
    table["saldo_eur"] = table["einsparung_eur"] - table["kosten_eur"]
    table["saldo_kumuliert_eur"] = table["saldo_eur"].cumsum()
    return table


def responsibilities(plan: pd.DataFrame, role_names: Mapping[str, str]) -> pd.DataFrame:
    """Adds organisation / durchfuehrung: role → name, „fachamt“ → the process's Fachamt."""

    def resolve(role: pd.Series) -> pd.Series:
        return role.map(dict(role_names)).where(role != "fachamt", plan["fachamt"])

    return plan.assign(
        organisation=resolve(plan["organisation_rolle"]),
        durchfuehrung=resolve(plan["durchfuehrung_rolle"]),
    )
