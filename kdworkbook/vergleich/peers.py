"""The municipality against its peers: same size class, at least
:data:`~kdworkbook.vergleich.einstellungen.MINDESTZAHL` of them, per metric the peers'
quartiles and where the municipality lies.

Quartiles are those of Excel's QUARTILE.INKL (Hyndman & Fan type 7, numpy's default
„linear“): the p-quantile of n sorted values lies at position p·(n − 1), interpolated
linearly between neighbours – for 1, 2, 3, 4, 5, 6: Q1 = 2,25, median 3,5, Q3 = 4,75.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Kennzahl:
    """One compared figure of the extract: key, German label, unit, decimals, percent."""

    key: str
    label: str
    einheit: str
    stellen: int = 0
    prozent: bool = False


KENNZAHLEN: tuple[Kennzahl, ...] = (
    Kennzahl("stunden_je_1000", "Jahresstunden je 1.000 Einwohner", "h"),
    Kennzahl("vorgaenge_je_1000", "Vorgänge je 1.000 Einwohner", ""),
    Kennzahl("anteil_reifegrad_ab_3", "Prozesse mit Reifegrad ≥ 3", "%", prozent=True),
    Kennzahl("anteil_kommune_setzt_um", "Kommune setzt selbst um", "%", prozent=True),
    Kennzahl("quick_wins", "Quick Wins", ""),
    Kennzahl("einsparung_eur_je_einwohner", "Geplante Einsparung je Einwohner", "€/Jahr", 2),
)


@dataclass(frozen=True)
class Quartile:
    """First quartile, median, third quartile of *n* values."""

    q1: float
    median: float
    q3: float
    n: int


def quantile(ordered: list[float], p: float) -> float:
    """The p-quantile of sorted values at position p·(n − 1) (type 7, QUARTILE.INKL)."""
    position = p * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (position - low) * (ordered[high] - ordered[low])


def quartile(values: list[float]) -> Quartile:
    """Quartiles of *values* (at least one)."""
    ordered = sorted(values)
    return Quartile(
        quantile(ordered, 0.25), quantile(ordered, 0.5), quantile(ordered, 0.75), len(ordered)
    )


def lage(value: float, q: Quartile) -> str:
    """German position of *value* against the quartiles."""
    if value < q.q1:
        return "unteres Viertel"
    if value > q.q3:
        return "oberes Viertel"
    if value == q.median:
        return "am Median"
    return (
        "mittlere Hälfte, unter dem Median"
        if value < q.median
        else ("mittlere Hälfte, über dem Median")
    )


def vergleichsgruppe(own: dict[str, Any], extracts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Extracts of the same size class, without the municipality's own (same Kennung)."""
    klasse = own.get("groessenklasse")
    if klasse is None:
        return []
    return [
        e
        for e in extracts
        if e.get("groessenklasse") == klasse
        and (own.get("kennung") is None or e.get("kennung") != own.get("kennung"))
    ]


@dataclass(frozen=True)
class Zeile:
    """One metric: the municipality's value (None = not computable), the peers' values and
    quartiles (None with fewer than the minimum of peers with a value)."""

    kennzahl: Kennzahl
    wert: float | None
    werte: tuple[float, ...]
    quartile: Quartile | None


@dataclass(frozen=True)
class Vergleich:
    """The page's content: rows, or the one sentence why there is none."""

    klasse: str | None
    anzahl: int
    zeilen: tuple[Zeile, ...]
    stichtage: tuple[str, ...]  # the peers' dates, earliest and latest
    synthetisch: bool
    grund: str | None
    mindestzahl: int


def vergleich(own: dict[str, Any], extracts: list[dict[str, Any]], mindestzahl: int) -> Vergleich:
    """Compare *own* with its peers among *extracts*; below *mindestzahl* peers only a reason."""
    gruppe = vergleichsgruppe(own, extracts)
    klasse = own.get("groessenklasse")
    dates = sorted(str(e["stichtag"]) for e in gruppe if e.get("stichtag"))
    span = (dates[0], dates[-1]) if dates else ()
    synthetic = any(e.get("synthetisch") for e in gruppe)
    if klasse is None:
        grund = (
            "Kein Vergleich: die Größenklasse ist nicht bestimmbar (Einwohnerzahl unbekannt – "
            "AGS nicht im Gemeindeverzeichnis NRW und kein „einwohner“ in der Parameterdatei)."
        )
        return Vergleich(None, 0, (), span, synthetic, grund, mindestzahl)
    if len(gruppe) < mindestzahl:
        grund = (
            f"Kein Vergleich: nur {len(gruppe)} Vergleichskommunen der Größenklasse {klasse} "
            f"Einwohner – gezeigt wird er erst ab {mindestzahl}, damit keine einzelne Kommune "
            "erkennbar ist."
        )
        return Vergleich(klasse, len(gruppe), (), span, synthetic, grund, mindestzahl)
    rows = []
    for k in KENNZAHLEN:
        values = tuple(float(e[k.key]) for e in gruppe if e.get(k.key) is not None)
        q = quartile(list(values)) if len(values) >= mindestzahl else None
        mine = own.get(k.key)
        rows.append(Zeile(k, None if mine is None else float(mine), values, q))
    return Vergleich(klasse, len(gruppe), tuple(rows), span, synthetic, None, mindestzahl)
