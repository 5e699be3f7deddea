"""Figures of the Musterprozess (IST vs SOLL), as pure functions of a :class:`Prozess`.

All times are per case (Fall). Where a process has alternative branches (exclusive gateway),
each step counts with the share of cases that pass it (expected value per case); parallel
branches count fully. Definitions:

- Bearbeitungszeit   = Σ share × processing minutes of all steps (split by lane kind into
  Verwaltung, Bürger and IT-System);
- Durchlaufzeit      = processing minutes + waiting time (Tage × 1.440) along the longest
  path through the process (parallel branches: the longer one; alternatives: the longest);
- Medienbrüche       = Σ share of each transition between consecutive steps that changes
  between an analogue medium (Papier, persönlich, Telefon) and a digital one (bausteine.yaml,
  ``digital``) – the paper↔digital break that forces re-typing or printing;
- Übergaben          = Σ share of each transition between consecutive steps in different
  lanes; steps of IT-system lanes are looked through (an automatic transfer is no hand-over
  between people, the work just moves on to the next person);
- Behördengänge      = Σ share of the steps of type Behördengang (persönliche Vorsprache);
- Einsparung €/Jahr  = Vorgänge × (IST − SOLL Verwaltungsminuten) / 60 × Stundensatz;
  VZÄ = Vorgänge × (IST − SOLL) / 60 / Jahresarbeitsstunden (Standardkostenmodell).

Missing values (a BPMN task without minutes, medium or building block) are never taken as 0:
each figure records in :attr:`Kennzahlen.luecken` which of the steps it needs lack the value
(:data:`DEPENDS`). If all of them lack it, the figure is ``None`` („nicht berechenbar“);
if some do, it is computed from the others and the gap is shown next to it. A process file
without ``unterlagen`` gives ``None`` for the document counts („keine Angabe“).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, fields

import pandas as pd

from kdworkbook.kern import defaults
from kdworkbook.musterprozess.modell import Katalog, Prozess, Schritt, katalog


def _nodes(p: Prozess) -> list[str]:
    return list(p.schritte) + list(p.gateways) + list(p.knoten)


def topological_order(p: Prozess) -> list[str]:
    """Nodes in flow order; a branch is finished before the next one starts (no cycles)."""
    nodes = _nodes(p)
    indegree = {n: 0 for n in nodes}
    for e in p.kanten:
        indegree[e.ziel] += 1
    ready = [n for n in reversed(nodes) if indegree[n] == 0]
    order = []
    while ready:
        node = ready.pop()
        order.append(node)
        for e in reversed([e for e in p.kanten if e.quelle == node]):
            indegree[e.ziel] -= 1
            if indegree[e.ziel] == 0:
                ready.append(e.ziel)
    return order


def _is_parallel_join(p: Prozess, node: str) -> bool:
    return p.gateways.get(node) == "parallel" and sum(e.ziel == node for e in p.kanten) > 1


def shares(p: Prozess) -> dict[str, float]:
    """Share of cases that pass each node (1.0 without alternatives)."""
    share: dict[str, float] = {}
    incoming: dict[str, list[float]] = {n: [] for n in _nodes(p)}
    for node in topological_order(p):
        values = incoming[node]
        if not values:
            share[node] = 1.0
        elif _is_parallel_join(p, node):
            share[node] = max(values)
        else:
            share[node] = min(sum(values), 1.0)
        for e in p.kanten:
            if e.quelle == node:
                incoming[e.ziel].append(share[node] * (e.anteil if e.anteil is not None else 1))
    return share


def transitions(
    p: Prozess, through: frozenset[str] = frozenset()
) -> Iterator[tuple[Schritt, Schritt, float]]:
    """(step, next step, share of cases) for consecutive steps, looking through gateways,
    events and the steps in *through*."""
    share = shares(p)
    for sid, step in p.schritte.items():
        if sid in through:
            continue
        stack = [(e, share[sid]) for e in p.kanten if e.quelle == sid]
        while stack:
            edge, weight = stack.pop()
            if edge.ziel in p.schritte and edge.ziel not in through:
                yield step, p.schritte[edge.ziel], weight
                continue
            for nxt in p.kanten:
                if nxt.quelle == edge.ziel:
                    stack.append((nxt, weight * (nxt.anteil if nxt.anteil is not None else 1)))


def is_media_break(a: Schritt, b: Schritt, kat: Katalog) -> bool:
    """A change between an analogue medium (Papier, persönlich …) and a digital one."""
    if a.medium is None or b.medium is None:
        return False
    return kat.medien[a.medium]["digital"] != kat.medien[b.medium]["digital"]


def _duration(step: Schritt | None) -> float:
    if step is None:
        return 0.0
    return (step.minuten or 0.0) + step.wartezeit_tage * defaults.MINUTEN_JE_TAG


def longest_path(p: Prozess) -> tuple[float, list[str]]:
    """Durchlaufzeit in minutes along the longest path, and the step ids on it."""
    best: dict[str, tuple[float, list[str]]] = {}
    for node in topological_order(p):
        before = [best[e.quelle] for e in p.kanten if e.ziel == node and e.quelle in best]
        length, path = max(before, key=lambda b: b[0]) if before else (0.0, [])
        step = p.schritte.get(node)
        best[node] = (length + _duration(step), path + ([node] if step else []))
    return max(best.values(), key=lambda b: b[0]) if best else (0.0, [])


#: Figure → (value of the steps it needs, lane kind of those steps; None = every step).
DEPENDS = {
    "bearbeitungszeit_min": ("minuten", None),
    "verwaltung_min": ("minuten", "verwaltung"),
    "buerger_min": ("minuten", "buerger"),
    "system_min": ("minuten", "system"),
    "durchlaufzeit_min": ("minuten", None),
    "medienbrueche": ("medium", None),
    "behoerdengaenge": ("baustein", None),
}


@dataclass(frozen=True)
class Gap:
    """Of the ``von`` steps a figure needs ``angabe`` of, ``fehlend`` (ids, flow order) lack it."""

    angabe: str  # "minuten" | "medium" | "baustein"
    fehlend: tuple[str, ...]
    von: int

    @property
    def alle(self) -> bool:
        """True if every step the figure needs lacks the value: the figure is not computable."""
        return len(self.fehlend) == self.von


@dataclass(frozen=True)
class Kennzahlen:
    """Figures of one process variant, per case (minutes, counts as expected values);
    ``None`` = nicht berechenbar (see ``luecken``) or, for documents, keine Angabe."""

    schritte: int
    bearbeitungszeit_min: float | None
    verwaltung_min: float | None
    buerger_min: float | None
    system_min: float | None
    wartezeit_tage: float
    durchlaufzeit_min: float | None
    medienbrueche: float | None
    uebergaben: float
    behoerdengaenge: float | None
    unterlagen: int | None
    unterlagen_buerger: int | None
    unterlagen_once_only: int | None
    unterlagen_abgerufen: int | None
    fehlende_angaben: int
    luecken: dict[str, Gap] = field(default_factory=dict, compare=False)

    def as_dict(self) -> dict[str, float | int | None]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "luecken"}


def gaps(p: Prozess) -> dict[str, Gap]:
    """Per figure of :data:`DEPENDS`: the steps it needs that lack the value (only figures with
    a gap)."""
    order = numbered_steps(p)
    result = {}
    for figure, (value, kind) in DEPENDS.items():
        needed = [s for s in order if kind is None or p.lane_kind(p.schritte[s].bahn) == kind]
        missing = tuple(s for s in needed if getattr(p.schritte[s], value) is None)
        if missing:
            result[figure] = Gap(value, missing, len(needed))
    return result


def key_figures(p: Prozess, kat: Katalog | None = None) -> Kennzahlen:
    """All figures of one process (see the module docstring for the definitions)."""
    kat = kat or katalog()
    share = shares(p)
    minutes = {"verwaltung": 0.0, "buerger": 0.0, "system": 0.0}
    visits = 0.0
    for sid, step in p.schritte.items():
        minutes[p.lane_kind(step.bahn)] += share[sid] * (step.minuten or 0.0)
        visits += share[sid] * kat.is_visit(step.baustein)
    breaks = sum(w for a, b, w in transitions(p) if is_media_break(a, b, kat))
    machine = frozenset(sid for sid, s in p.schritte.items() if p.lane_kind(s.bahn) == "system")
    handovers = sum(w for a, b, w in transitions(p, machine) if a.bahn != b.bahn)
    duration, path = longest_path(p)
    docs = p.unterlagen
    luecken = gaps(p)
    values: dict[str, float | None] = {
        "bearbeitungszeit_min": sum(minutes.values()),
        "verwaltung_min": minutes["verwaltung"],
        "buerger_min": minutes["buerger"],
        "system_min": minutes["system"],
        "durchlaufzeit_min": duration,
        "medienbrueche": breaks,
        "behoerdengaenge": visits,
    }
    for figure, gap in luecken.items():
        if gap.alle:
            values[figure] = None
    return Kennzahlen(
        schritte=len(p.schritte),
        wartezeit_tage=sum(p.schritte[s].wartezeit_tage for s in path),
        uebergaben=handovers,
        unterlagen=None if docs is None else len(docs),
        unterlagen_buerger=None if docs is None else sum(not d.abruf for d in docs),
        unterlagen_once_only=None if docs is None else sum(d.once_only for d in docs),
        unterlagen_abgerufen=None if docs is None else sum(d.abruf for d in docs),
        fehlende_angaben=sum(
            s.minuten is None or s.medium is None or s.baustein is None for s in p.schritte.values()
        ),
        luecken=luecken,
        **values,
    )


@dataclass(frozen=True)
class Einsparung:
    """Yearly effect of moving from IST to SOLL; ``None`` = nicht berechenbar."""

    vorgaenge: int
    stundensatz_eur: float
    minuten_je_fall: float | None  # Verwaltung, IST − SOLL
    stunden_jahr: float | None
    eur_jahr: float | None
    vzae: float | None
    buerger_minuten_je_fall: float | None
    buerger_stunden_jahr: float | None
    behoerdengaenge_jahr: float | None
    durchlaufzeit_tage_weniger: float | None

    def as_dict(self) -> dict[str, float | int | None]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _minus(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def savings(
    ist: Kennzahlen, soll: Kennzahlen, vorgaenge: int, stundensatz: float, jahresstunden: float
) -> Einsparung:
    """Einsparung = Vorgänge × (IST − SOLL Verwaltungsminuten) / 60 × Stundensatz, and VZÄ;
    nicht berechenbar (None) where IST or SOLL is."""
    delta = _minus(ist.verwaltung_min, soll.verwaltung_min)
    hours = None if delta is None else vorgaenge * delta / 60
    citizen = _minus(ist.buerger_min, soll.buerger_min)
    visits = _minus(ist.behoerdengaenge, soll.behoerdengaenge)
    faster = _minus(ist.durchlaufzeit_min, soll.durchlaufzeit_min)
    return Einsparung(
        vorgaenge=vorgaenge,
        stundensatz_eur=stundensatz,
        minuten_je_fall=delta,
        stunden_jahr=hours,
        eur_jahr=None if hours is None else hours * stundensatz,
        vzae=None if hours is None else hours / jahresstunden,
        buerger_minuten_je_fall=citizen,
        buerger_stunden_jahr=None if citizen is None else vorgaenge * citizen / 60,
        behoerdengaenge_jahr=None if visits is None else vorgaenge * visits,
        durchlaufzeit_tage_weniger=None if faster is None else faster / defaults.MINUTEN_JE_TAG,
    )


def numbered_steps(p: Prozess) -> list[str]:
    """Step ids in flow order – the numbers 1, 2, … of diagram and table."""
    return [n for n in topological_order(p) if n in p.schritte]


def steps_table(p: Prozess, kat: Katalog | None = None) -> pd.DataFrame:
    """One row per step: nr, id, name, gruppe (sub-process), bahn, baustein (name), medium,
    minuten (None = missing), wartezeit, anteil."""
    kat = kat or katalog()
    share = shares(p)
    rows = []
    for nr, sid in enumerate(numbered_steps(p), start=1):
        s = p.schritte[sid]
        rows.append(
            {
                "nr": nr,
                "id": sid,
                "name": s.name,
                "gruppe": s.gruppe,
                "bahn": s.bahn,
                "baustein": kat.bausteine[s.baustein]["name"] if s.baustein else None,
                "medium": s.medium,
                "minuten": s.minuten,
                "wartezeit_tage": s.wartezeit_tage,
                "anteil": share[sid],
            }
        )
    return pd.DataFrame(rows)


#: Rows of the comparison: attribute of Kennzahlen → (German label, unit).
COMPARISON = {
    "schritte": ("Schritte", "Anzahl"),
    "verwaltung_min": ("Bearbeitungszeit Verwaltung", "Min./Fall"),
    "buerger_min": ("Zeitaufwand Bürger", "Min./Fall"),
    "durchlaufzeit_min": ("Durchlaufzeit", "Min./Fall"),
    "medienbrueche": ("Medienbrüche", "Anzahl"),
    "uebergaben": ("Übergaben", "Anzahl"),
    "behoerdengaenge": ("Behördengänge", "je Fall"),
    "unterlagen_buerger": ("Unterlagen vom Bürger", "Anzahl"),
}


def comparison(ist: Kennzahlen, soll: Kennzahlen) -> pd.DataFrame:
    """IST, SOLL and change per figure (rows of :data:`COMPARISON`)."""
    rows = []
    for key, (label, unit) in COMPARISON.items():
        a, b = getattr(ist, key), getattr(soll, key)
        rows.append(
            {
                "kennzahl": label,
                "einheit": unit,
                "ist": a,
                "soll": b,
                "veraenderung": (b - a) / a if a and b is not None else None,
            }
        )
    return pd.DataFrame(rows)
