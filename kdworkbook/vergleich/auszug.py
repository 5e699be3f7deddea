"""The anonymised extract of one run (``vergleich.json``): figures comparable across
municipalities, without name, AGS or file path.

Per-inhabitant figures need a population: the parameter file's ``einwohner`` first (the
client's own, newer figure), else the shipped register (Destatis, 31.12.2019) by AGS. Without
either they are ``None`` and ``nicht_berechenbar`` says why – never 0.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from kdworkbook.kern import referenz

#: Format version of ``vergleich.json``; a reader refuses other versions.
VERSION = 1
#: Size classes by population (upper bound exclusive, German label); the customary steps of
#: municipal statistics (IT.NRW/KGSt Größenklassen), rounded to the issue's classes.
GROESSENKLASSEN: tuple[tuple[int | None, str], ...] = (
    (10_000, "unter 10.000"),
    (20_000, "10.000 bis unter 20.000"),
    (50_000, "20.000 bis unter 50.000"),
    (100_000, "50.000 bis unter 100.000"),
    (None, "100.000 und mehr"),
)
#: Textkennzeichen of the Gemeindeverzeichnis for a kreisfreie Stadt (Destatis).
KREISFREI_KENNZEICHEN = frozenset({"61", "62"})
KREISFREI, KREISANGEHOERIG = "kreisfreie Stadt", "kreisangehörig"
#: Per 1.000 inhabitants.
JE_EINWOHNER = 1_000
QUELLE_PARAMETER = "Parameterdatei (einwohner)"
QUELLE_REGISTER = f"Gemeindeverzeichnis NRW (Stand {referenz.GEMEINDEN_STAND})"
OHNE_EINWOHNER = (
    "Einwohnerzahl unbekannt: AGS nicht im Gemeindeverzeichnis NRW und kein „einwohner“ "
    "in der Parameterdatei"
)

OHNE_KREISTYP = "Kreistyp unbekannt: AGS nicht im Gemeindeverzeichnis NRW"


@dataclass(frozen=True)
class Bevoelkerung:
    """Population and Kreis type of one municipality, with where they came from."""

    einwohner: int | None
    quelle: str | None
    kreistyp: str | None


def groessenklasse(einwohner: int | None) -> str | None:
    """„20.000 bis unter 50.000“ for 25.400; None without a population."""
    if einwohner is None:
        return None
    return next(label for bound, label in GROESSENKLASSEN if bound is None or einwohner < bound)


def kreistyp(textkennzeichen: str | None) -> str | None:
    """Kreisfreie Stadt or kreisangehörig from the register's Textkennzeichen; None if unknown."""
    if textkennzeichen is None:
        return None
    return KREISFREI if textkennzeichen in KREISFREI_KENNZEICHEN else KREISANGEHOERIG


def bevoelkerung(ags: str | None, einwohner: int | None) -> Bevoelkerung:
    """Population (parameter file first, else register) and Kreis type (register only)."""
    eintrag = referenz.gemeinde(ags) if ags else None
    typ = kreistyp(eintrag.textkennzeichen) if eintrag else None
    if einwohner:
        return Bevoelkerung(einwohner, QUELLE_PARAMETER, typ)
    if eintrag is not None and eintrag.einwohner:
        return Bevoelkerung(eintrag.einwohner, QUELLE_REGISTER, typ)
    return Bevoelkerung(None, None, typ)


def _je_tausend(value: float | None, einwohner: int | None) -> float | None:
    if value is None or not einwohner:
        return None
    return round(value / einwohner * JE_EINWOHNER, 3)


def _ortsteil(gemeinde: str) -> str:
    """„Stadt Musterstadt“ → „musterstadt“: the part of a name that identifies the place."""
    words = [w for w in gemeinde.casefold().split() if w not in _ART_WOERTER]
    return " ".join(words)


#: Words before a municipality's name that do not identify it.
_ART_WOERTER = frozenset({"stadt", "gemeinde", "kreisfreie", "hansestadt"})


def fachamt_label(fachamt: str, gemeinde: str, index: int) -> str:
    """The survey's Fachamt name, unless it contains the municipality's name
    („Bürgerbüro Musterstadt“): then the neutral „Fachamt 3“ (its position in the list)."""
    place = _ortsteil(gemeinde)
    if place and place in fachamt.casefold():
        return f"Fachamt {index}"
    return fachamt


def fachaemter(data: pd.DataFrame, einwohner: int | None, gemeinde: str) -> list[dict[str, Any]]:
    """Jahresstunden and Vorgänge per Fachamt per 1.000 inhabitants, sorted by Fachamt.

    *data* has one row per process with ``fachamt``, ``jahresstunden`` and ``vorgaenge``."""
    grouped = data.groupby("fachamt", sort=True)[["jahresstunden", "vorgaenge"]].sum()
    return [
        {
            "fachamt": fachamt_label(str(name), gemeinde, i),
            "stunden_je_1000": _je_tausend(float(row.jahresstunden), einwohner),
            "vorgaenge_je_1000": _je_tausend(float(row.vorgaenge), einwohner),
        }
        for i, (name, row) in enumerate(grouped.iterrows(), start=1)
    ]


def _anteil(teil: int | None, ganz: int | None) -> float | None:
    if teil is None or not ganz:
        return None
    return round(teil / ganz, 4)


def extract(
    data: pd.DataFrame,
    results: dict[str, Any],
    population: Bevoelkerung,
    stichtag: dt.date,
    gemeinde: str,
) -> dict[str, Any]:
    """The extract: figures from the run's ``ergebnisse.json`` (*results*) and its survey
    table (*data*). *gemeinde* only serves to keep the name out of Fachamt labels."""
    ew = population.einwohner
    bestand = results.get("bestand", {})
    rahmen = results.get("rahmenbedingungen", {})
    kennzahlen = results.get("massnahmen", {}).get("kennzahlen", {})
    # a sum that leaves processes out (ohne_einsparung) is a lower bound: not comparable
    einsparung = None if kennzahlen.get("ohne_einsparung") else kennzahlen.get("einsparung_eur")
    pflichten = rahmen.get("pflichten", [])
    return {
        "version": VERSION,
        "stichtag": stichtag.isoformat(),
        "groessenklasse": groessenklasse(ew),
        "kreistyp": population.kreistyp,
        "einwohner_quelle": population.quelle,
        "nicht_berechenbar": ([] if ew else [OHNE_EINWOHNER])
        + ([] if population.kreistyp else [OHNE_KREISTYP]),
        "pflichten_status": dict(rahmen.get("pflichten_status", {})),
        "pflichten_ueberfaellig": rahmen.get("pflichten_ueberfaellig"),
        "pflichten": {p["paragraph"]: p["status"] for p in pflichten if "paragraph" in p},
        "prozesse": bestand.get("prozesse"),
        "stunden_je_1000": _je_tausend(bestand.get("stunden"), ew),
        "vorgaenge_je_1000": _je_tausend(bestand.get("vorgaenge"), ew),
        "fachaemter": fachaemter(data, ew, gemeinde),
        "anteil_reifegrad_ab_3": _rund(rahmen.get("ozg_konform_anteil")),
        "anteil_kommune_setzt_um": _anteil(rahmen.get("kommune_setzt_um"), bestand.get("prozesse")),
        "quick_wins": kennzahlen.get("quick_wins"),
        "einsparung_eur_je_einwohner": None
        if einsparung is None or not ew
        else round(einsparung / ew, 2),
    }


def _rund(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
