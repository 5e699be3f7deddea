"""What the workshop app computes, without any widget: choices → the report's own figures.

Every figure comes from the functions the report uses – :func:`kdworkbook.massnahmen.plan.plan`
(prioritisation, measures, Zeitplan), :func:`kdworkbook.rahmen.geeignetheit.suitability`
(Geeignetheit threshold) and :func:`kdworkbook.musterprozess.kennzahlen.key_figures` / ``savings``
(Musterprozess). This module only turns the room's choices into their inputs.

Musterprozess measures: the SOLL steps are bundled by the building-block group of their Baustein
(PICTURE groups in ``kdworkbook/data/bausteine.yaml``: Informationsflüsse, Medienwechsel, …). A
bundle switched on means its SOLL steps replace the IST steps of the same group; switched off,
that group stays as in the IST. The Verwaltung and Bürger minutes per case of a group are the
:func:`~kdworkbook.musterprozess.kennzahlen.key_figures` of the process with every other step set
to 0
minutes, so the bundles add up exactly to the chapter's IST − SOLL.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd

from kdworkbook.kern.parameter import Settings
from kdworkbook.massnahmen import plan as massnahmenplan
from kdworkbook.massnahmen.einstellungen import Gewichte, MassnahmenSettings
from kdworkbook.massnahmen.plan import Planung
from kdworkbook.musterprozess import kennzahlen as musterprozess
from kdworkbook.musterprozess.kapitel import Musterprozess
from kdworkbook.musterprozess.modell import Prozess, katalog
from kdworkbook.rahmen import geeignetheit
from kdworkbook.workshop.rueckschreiben import Change

NO_GROUP = "ohne Baustein"


@dataclass(frozen=True)
class Selection:
    """The room's current choices (weights are raw, as in the parameter file)."""

    nutzen: dict[str, float]
    aufwand: dict[str, float]
    gewicht_nutzen: float
    min_vorgaenge: int
    zeitkontingent: float
    fachamt: str | None = None  # display filter, never written back
    quadrant: str | None = None  # display filter, never written back
    musterprozess_aus: frozenset[str] = field(default_factory=frozenset)


#: Descriptive columns of the process table that no workshop figure reads; leaving them out
#: makes every re-score cheaper (fewer columns to copy and reorder).
DESCRIPTIVE = (
    "datei",
    "zeile",
    "leika_bezeichnung",
    "ozg_id",
    "ozg_leistung",
    "lebenslage",
    "themenfeld",
    "vorschlag_schluessel",
    "vorschlag_bezeichnung",
    "match_art",
    "match_score",
    "hinweis",
    "geeignetheit_quelle",
    "geeignetheit_notiz",
)


def slim(table: pd.DataFrame) -> pd.DataFrame:
    """*table* without the :data:`DESCRIPTIVE` columns."""
    return table.drop(columns=[c for c in DESCRIPTIVE if c in table])


def step_decimals(step: float) -> int:
    """Decimals of a widget's step: 5 → 0, 0.5 → 1, 0.05 → 2."""
    exponent = Decimal(repr(float(step))).normalize().as_tuple().exponent
    return max(0, -int(exponent))


def on_step(value: float, step: float, base: float) -> int | float:
    """A widget's *value* in the type and precision of its *step*, as written to the file.

    The browser adds steps in binary floating point (60 + 4 × 5 = 80.00000000000001,
    0.5 + 0.05 = 0.55000000000000004); such noise is rounded to the step's decimals, and a
    whole number becomes an int (80, not 80.0). A value equal to the file's *base* (also one
    with more decimals than the step) is the file's value unchanged.
    """
    if math.isclose(value, base, rel_tol=1e-9, abs_tol=1e-12):
        return base
    rounded = round(float(value), step_decimals(step))
    return int(rounded) if rounded.is_integer() else rounded


def initial_choices(settings: Settings) -> Selection:
    """The values of the parameter file (what „Zurücksetzen“ returns to)."""
    m = settings.massnahmen
    return Selection(
        nutzen=dict(m.gewichte.nutzen),
        aufwand=dict(m.gewichte.aufwand),
        gewicht_nutzen=m.gewicht_nutzen,
        min_vorgaenge=settings.rahmen.wirtschaftlich_min_vorgaenge,
        zeitkontingent=m.zeitkontingent_personentage,
    )


def changes(settings: Settings, choice: Selection) -> list[Change]:
    """The values that differ from the parameter file, as key paths (filters are not saved)."""
    base = initial_choices(settings)
    found = [
        Change(("massnahmen", "gewichte", axis, key), old, new)
        for axis in ("nutzen", "aufwand")
        for key, old in getattr(base, axis).items()
        if (new := getattr(choice, axis)[key]) != old
    ]
    for keys, old, new in (
        (("massnahmen", "gewicht_nutzen"), base.gewicht_nutzen, choice.gewicht_nutzen),
        (("rahmen", "wirtschaftlich_min_vorgaenge"), base.min_vorgaenge, choice.min_vorgaenge),
        (
            ("massnahmen", "zeitkontingent_personentage"),
            base.zeitkontingent,
            choice.zeitkontingent,
        ),
    ):
        if new != old:
            found.append(Change(keys, old, new))
    return found


def with_threshold(table: pd.DataFrame, survey: pd.DataFrame, settings: Settings, n: int):
    """*table* (``massnahmen_ansicht.process_table``) with the Geeignetheit of threshold *n*."""
    suitable = geeignetheit.suitability(survey, settings.rahmen.nicht_geeignet, n)
    return table.assign(**{c: suitable[c] for c in ("geeignet", "geeignetheit_grund")})


def chosen_settings(settings: Settings, choice: Selection) -> MassnahmenSettings:
    """The ``massnahmen`` settings with the chosen weights and capacity (German ValueError
    when an axis has no weight > 0)."""
    return settings.massnahmen.model_copy(
        update={
            "gewichte": Gewichte(nutzen=choice.nutzen, aufwand=choice.aufwand),
            "gewicht_nutzen": choice.gewicht_nutzen,
            "zeitkontingent_personentage": choice.zeitkontingent,
        }
    )


def score(table: pd.DataFrame, ms: MassnahmenSettings) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(ranked, excluded) – the report's prioritisation without the sensitivity runs."""
    ranked, excluded, _ = massnahmenplan.prioritise(table, ms, with_sensitivity=False)
    return ranked, excluded


def plan_for(
    ranked: pd.DataFrame, excluded: pd.DataFrame, settings: Settings, ms: MassnahmenSettings
) -> Planung:
    """Measures, Zeitplan and Kostenplan for a :func:`score` result."""
    return massnahmenplan.plan_measures(
        ranked, excluded, pd.DataFrame(), ms, settings.stichtag, settings.jahresarbeitsstunden
    )


def compute(table: pd.DataFrame, settings: Settings, choice: Selection) -> Planung:
    """:func:`score` and :func:`plan_for` in one call."""
    ms = chosen_settings(settings, choice)
    return plan_for(*score(table, ms), settings, ms)


def shown(ranked: pd.DataFrame, fachamt: str | None, quadrant: str | None) -> pd.DataFrame:
    """The ranked processes passing the display filters (ranks stay the overall ones)."""
    mask = pd.Series(True, index=ranked.index)
    if fachamt:
        mask &= ranked["fachamt"] == fachamt
    if quadrant:
        mask &= ranked["quadrant"] == quadrant
    return ranked[mask]


def schedule_by_process(p: Planung) -> pd.DataFrame:
    """Zeitplan per planned process: measures, person-days, first and last quarter."""
    keys = ["rang", "bezeichnung"]
    m = p.measures
    if m.empty:
        return pd.DataFrame(
            columns=[*keys, "massnahmen", "aufwand_personentage", "beginn", "fertig"]
        )
    rows: dict[tuple, dict] = {}
    for r in m[[*keys, "massnahme", "aufwand_personentage", "beginn", "fertig"]].itertuples():
        row = rows.setdefault(
            (r.rang, r.bezeichnung),
            {
                "rang": r.rang,
                "bezeichnung": r.bezeichnung,
                "massnahmen": [],
                "aufwand_personentage": 0.0,
                "beginn": r.beginn,
            },
        )
        row["massnahmen"].append(r.massnahme)
        row["aufwand_personentage"] += r.aufwand_personentage
        row["fertig"] = r.fertig
    table = pd.DataFrame(list(rows.values()))
    return table.assign(massnahmen=table["massnahmen"].str.join(", "))


# --- Musterprozess bundles -------------------------------------------------------------------


@dataclass(frozen=True)
class Buendel:
    """One building-block group: its SOLL steps and minutes per case in IST and SOLL."""

    gruppe: str
    soll_schritte: tuple[str, ...]
    ist_verwaltung: float
    soll_verwaltung: float
    ist_buerger: float
    soll_buerger: float


def _group(step_baustein: str | None) -> str:
    return katalog().bausteine[step_baustein]["gruppe"] if step_baustein else NO_GROUP


def _group_minutes(p: Prozess, group: str) -> tuple[float | None, float | None]:
    """(Verwaltung, Bürger) minutes per case of the steps of *group* via key_figures."""
    only = {
        sid: s if _group(s.baustein) == group else dataclasses.replace(s, minuten=0.0)
        for sid, s in p.schritte.items()
    }
    k = musterprozess.key_figures(dataclasses.replace(p, schritte=only))
    return k.verwaltung_min, k.buerger_min


def bundles(m: Musterprozess) -> list[Buendel]:
    """The groups in which IST and SOLL differ, in the order of the SOLL's steps."""
    e = m.einsparung
    if e.eur_jahr is None or e.buerger_minuten_je_fall is None:
        return []  # minutes missing: no bundle figures to switch („nicht berechenbar“)
    groups = [_group(m.soll.schritte[s].baustein) for s in musterprozess.numbered_steps(m.soll)]
    groups += [_group(s.baustein) for s in m.ist.schritte.values()]
    result = []
    for group in dict.fromkeys(groups):
        ist, soll = _group_minutes(m.ist, group), _group_minutes(m.soll, group)
        if ist == soll:
            continue
        steps = tuple(
            m.soll.schritte[s].name
            for s in musterprozess.numbered_steps(m.soll)
            if _group(m.soll.schritte[s].baustein) == group
        )
        result.append(Buendel(group, steps, ist[0], soll[0], ist[1], soll[1]))
    return result


def musterprozess_savings(
    m: Musterprozess, parts: list[Buendel], off: frozenset[str], hours_per_fte: float
) -> musterprozess.Einsparung:
    """Savings when the bundles in *off* stay as in the IST (same formula as the chapter)."""
    back = [b for b in parts if b.gruppe in off]

    def shifted(
        value: float | None, pairs: list[tuple[float | None, float | None]]
    ) -> float | None:
        if value is None or any(a is None or b is None for a, b in pairs):
            return None  # a missing minute stays missing („nicht berechenbar“)
        return value + sum(a - b for a, b in pairs)

    soll = dataclasses.replace(
        m.kennzahlen_soll,
        verwaltung_min=shifted(
            m.kennzahlen_soll.verwaltung_min, [(b.ist_verwaltung, b.soll_verwaltung) for b in back]
        ),
        buerger_min=shifted(
            m.kennzahlen_soll.buerger_min, [(b.ist_buerger, b.soll_buerger) for b in back]
        ),
    )
    return musterprozess.savings(
        m.kennzahlen_ist, soll, int(m.zeile["vorgaenge"]), m.stundensatz, hours_per_fte
    )
