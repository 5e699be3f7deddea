"""The whole Maßnahmenentwicklung in one call: prioritise, assign measures, schedule, cost.

:func:`plan` chains the pure functions of :mod:`kdworkbook.massnahmen.priorisierung` and
:mod:`kdworkbook.massnahmen.zuordnung` with the values of the ``massnahmen:`` settings; the
notebook, ``kdworkbook check``, the Excel export and the management summary all read its result.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from kdworkbook.kern.errors import InputError
from kdworkbook.massnahmen import priorisierung
from kdworkbook.massnahmen import zuordnung as massnahmen
from kdworkbook.massnahmen.einstellungen import MassnahmenSettings
from kdworkbook.steuerung import kennungen

#: How a process came into the planning (column ``auswahl`` of :attr:`Planung.chosen`).
BY_RANK = "Rang"
BY_ASSIGNMENT = "Zuordnung in der Parameterdatei"
#: The inputs of a saving (Standardkostenmodell) as named in column ``fehlt`` of
#: :attr:`Planung.processes`; hours need Vorgänge and Minuten, euros also the Stundensatz.
VORGAENGE, MINUTEN, STUNDENSATZ = "Vorgänge", "Minuten", "Stundensatz"


@dataclass(frozen=True)
class Kennzahlen:
    """The step's key figures – computed once per :class:`Planung`; the chapter, the management
    summary and ``ergebnisse.json`` all show these very values."""

    quick_wins: int
    geeignet: int
    ausgeschlossen: int
    ausgewaehlt: int  # processes chosen for measures (rank ≤ prozesse, or assigned)
    mit_massnahmen: int  # of those, processes with at least one measure
    massnahmen: int
    # Savings: the sum over the processes whose saving is computable; None when none is.
    # A process without Vorgänge/Minuten or Stundensatz is listed in ohne_einsparung and left
    # out – then the sums are lower bounds („mindestens …“), never a silent 0.
    einsparung_stunden: float | None
    einsparung_eur: float | None
    einsparung_vzae: float | None
    einmalkosten_eur: float  # costs come from the measure types: never missing
    laufende_kosten_eur_jahr: float
    # whole programme; None = never pays back – or, with ohne_einsparung, not computable.
    # With ohne_einsparung a value is an upper bound (the missing savings would shorten it).
    amortisation_jahre: float | None
    ueber_horizont: int  # processes whose measures pay back later than the horizon, or never
    fertig: str
    #: processes with measures whose saving is not computable: prozess, fachamt, fehlt
    #: (the missing inputs, e.g. „Stundensatz“) – [] when every saving is computed
    ohne_einsparung: list[dict[str, str]] = field(default_factory=list)

    @property
    def einsparung_vollstaendig(self) -> bool:
        """True when every process with measures has its saving (the sums are exact)."""
        return not self.ohne_einsparung

    @property
    def ohne_stunden(self) -> int:
        """Processes whose saved hours are not computable (Vorgänge or Minuten missing)."""
        return sum(1 for r in self.ohne_einsparung if r["fehlt"] != STUNDENSATZ)

    def as_dict(self) -> dict[str, float | int | str | None]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Planung:
    """Results of the step; every table is in priority order."""

    settings: MassnahmenSettings
    start: dt.date
    ranked: pd.DataFrame  # suitable processes with criteria, axes, quadrant, rang
    excluded: pd.DataFrame  # not suitable processes with grund
    sensitivity: pd.DataFrame
    measures: pd.DataFrame  # one row per process × measure, scheduled, with savings
    processes: pd.DataFrame  # one row per planned process
    costs: pd.DataFrame  # Kostenplan per year
    notes: list[str] = field(default_factory=list)
    chosen: pd.DataFrame = field(default_factory=pd.DataFrame)  # ranked rows chosen, + auswahl

    @property
    def weights(self) -> dict[str, dict[str, float]]:
        return {"nutzen": self.settings.gewichte.nutzen, "aufwand": self.settings.gewichte.aufwand}

    @property
    def top(self) -> pd.DataFrame:
        return self.ranked.head(self.settings.top_n)

    @property
    def quick_wins(self) -> int:
        return int((self.ranked["quadrant"] == "Quick Win").sum())

    @property
    def without_measures(self) -> pd.DataFrame:
        """Chosen processes that no measure type fits (no rule applies, or an empty list)."""
        planned = set(zip(self.processes["bezeichnung"], self.processes["fachamt"], strict=True))
        keys = zip(self.chosen["bezeichnung"], self.chosen["fachamt"], strict=True)
        return self.chosen[[k not in planned for k in keys]]

    @cached_property
    def kennzahlen(self) -> Kennzahlen:
        pr = self.processes
        net = _known_sum(pr["einsparung_eur"])
        if net is not None:
            net -= pr["laufende_kosten_eur_jahr"].sum()
        gaps = pr[pr["fehlt"] != ""] if "fehlt" in pr else pr.iloc[:0]
        return Kennzahlen(
            quick_wins=self.quick_wins,
            geeignet=len(self.ranked),
            ausgeschlossen=len(self.excluded),
            ausgewaehlt=len(self.chosen),
            mit_massnahmen=len(pr),
            massnahmen=len(self.measures),
            einsparung_stunden=_known_sum(pr["einsparung_stunden"]),
            einsparung_eur=_known_sum(pr["einsparung_eur"]),
            einsparung_vzae=_known_sum(pr["einsparung_vzae"]),
            einmalkosten_eur=float(pr["einmalkosten_eur"].sum()),
            laufende_kosten_eur_jahr=float(pr["laufende_kosten_eur_jahr"].sum()),
            amortisation_jahre=(
                float(pr["einmalkosten_eur"].sum() / net) if net is not None and net > 0 else None
            ),
            ueber_horizont=int(pr["ueber_horizont"].sum()),
            fertig=str(self.measures["fertig"].iloc[-1]) if len(self.measures) else "–",
            ohne_einsparung=[
                {"prozess": str(b), "fachamt": str(f), "fehlt": str(m)}
                for b, f, m in zip(gaps["bezeichnung"], gaps["fachamt"], gaps["fehlt"], strict=True)
            ],
        )


def _known_sum(values: pd.Series) -> float | None:
    """Sum of the known values; None when there are values and none is known (pandas' own
    ``sum()`` would say 0). No values at all (no measure) sum to 0."""
    if len(values) and values.isna().all():
        return None
    return float(values.sum())


def _check_assignments(processes: pd.DataFrame, s: MassnahmenSettings) -> None:
    unknown = [name for name in s.zuordnung if name not in set(processes["bezeichnung"])]
    if unknown:
        raise InputError(
            [
                f"massnahmen → zuordnung: Prozess „{name}“ steht nicht in der Bestandserhebung "
                "(Bezeichnung genau wie dort schreiben)"
                for name in unknown
            ]
        )


def prioritise(
    processes: pd.DataFrame, s: MassnahmenSettings, with_sensitivity: bool = True
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(ranked, excluded, sensitivity): the first half of :func:`plan`.

    ``with_sensitivity=False`` skips the sensitivity runs (an empty table), for the workshop's
    live updates.
    """
    _check_assignments(processes, s)
    suitable, excluded = priorisierung.split_suitable(processes)
    weights = {"nutzen": s.gewichte.nutzen, "aufwand": s.gewichte.aufwand}
    try:
        ranked = priorisierung.rank(
            suitable, weights, s.gewicht_nutzen, s.schwellen.model_dump(), s.reifegrad_ziel
        )
        sensitivity = (
            priorisierung.sensitivity(
                suitable, weights, s.gewicht_nutzen, s.top_n, s.sensitivitaet, s.reifegrad_ziel
            )
            if with_sensitivity
            else pd.DataFrame()
        )
    except ValueError as exc:
        raise InputError(f"massnahmen → gewichte: {exc}") from None
    return ranked, excluded, sensitivity


def plan(
    processes: pd.DataFrame,
    s: MassnahmenSettings,
    stichtag: dt.date,
    hours_per_fte: float,
    with_sensitivity: bool = True,
) -> Planung:
    """Prioritise *processes* and plan measures for the best ones (see module docs)."""
    ranked, excluded, sensitivity = prioritise(processes, s, with_sensitivity)
    return plan_measures(ranked, excluded, sensitivity, s, stichtag, hours_per_fte)


def _with_ids(measures: pd.DataFrame, ranked: pd.DataFrame, excluded: pd.DataFrame) -> pd.DataFrame:
    """Adds ``id`` and ``prozess_id`` (:mod:`kdworkbook.steuerung.kennungen`) in front; the
    Prozess-Id is derived over the whole inventory, so a shared LeiKa key is seen."""
    cols = [c for c in ("bezeichnung", "fachamt", "leika_schluessel") if c in ranked]
    inventory = pd.concat([ranked[cols], excluded.reindex(columns=cols)], ignore_index=True)
    ids = dict(
        zip(
            zip(inventory["bezeichnung"], inventory["fachamt"], strict=True),
            kennungen.process_ids(inventory),
            strict=True,
        )
    )
    keys = zip(measures["bezeichnung"], measures["fachamt"], strict=True)
    process_id = pd.Series([ids[k] for k in keys], index=measures.index)
    measures = measures.copy()
    measures.insert(0, "prozess_id", process_id)
    measures.insert(0, "id", kennungen.measure_ids(process_id, measures["typ"]))
    return measures


def _missing_inputs(measures: pd.DataFrame, processes: pd.DataFrame) -> pd.Series:
    """Per process the missing inputs of its saving („Minuten, Stundensatz“), "" if none."""
    first = measures.groupby(massnahmen.PLAN_KEYS, sort=False).first().reset_index()
    first = processes[massnahmen.PLAN_KEYS].merge(first, on=massnahmen.PLAN_KEYS, how="left")
    parts = [
        first[column].isna().map({True: name, False: ""})
        if column in first
        else pd.Series(name, index=first.index)
        for column, name in (
            ("vorgaenge", VORGAENGE),
            ("minuten", MINUTEN),
            ("stundensatz_eur", STUNDENSATZ),
        )
    ]
    text = pd.Series("", index=first.index, dtype=object)
    for part in parts:
        text = text.where(part == "", text.where(text == "", text + ", ") + part)
    return pd.Series(text.to_numpy(), index=processes.index, dtype=object)


def plan_measures(
    ranked: pd.DataFrame,
    excluded: pd.DataFrame,
    sensitivity: pd.DataFrame,
    s: MassnahmenSettings,
    stichtag: dt.date,
    hours_per_fte: float,
) -> Planung:
    """The second half of :func:`plan`: measures, Zeitplan and Kostenplan for *ranked*."""
    notes = [
        f"„{name}“ hat eine Zuordnung in der Parameterdatei, ist aber als nicht geeignet "
        "ausgeschlossen und erhält keine Maßnahme."
        for name in s.zuordnung
        if name in set(excluded["bezeichnung"])
    ]
    by_rank = ranked["rang"] <= s.prozesse
    chosen = by_rank | ranked["bezeichnung"].isin([k for k, v in s.zuordnung.items() if v])
    selection = ranked[chosen].assign(
        auswahl=by_rank[chosen].map({True: BY_RANK, False: BY_ASSIGNMENT})
    )
    start = massnahmen.quarter_start(s.start_date(stichtag))
    measures = massnahmen.assign(ranked[chosen], s.massnahmentypen, s.zuordnung)
    measures = massnahmen.savings(measures, hours_per_fte)
    measures = massnahmen.schedule(measures, s.zeitkontingent_personentage, start)
    measures = massnahmen.responsibilities(measures, s.role_names())
    costs = massnahmen.cost_plan(measures, s.zeitkontingent_personentage, start, s.planungsjahre)
    measures = _with_ids(measures, ranked, excluded)
    processes = massnahmen.by_process(measures)
    processes.insert(0, "prozess_id", kennungen.lookup(processes, measures))
    processes["fehlt"] = _missing_inputs(measures, processes)
    # an unknown saving is no late payback: „nicht berechenbar“, not flagged
    processes["ueber_horizont"] = (
        massnahmen.beyond_horizon(processes["amortisation_jahre"], s.amortisation_horizont_jahre)
        & processes["einsparung_eur"].notna()
    )
    return Planung(
        settings=s,
        start=start,
        ranked=ranked,
        excluded=excluded,
        sensitivity=sensitivity,
        measures=measures,
        processes=processes,
        costs=costs,
        notes=notes,
        chosen=selection,
    )
