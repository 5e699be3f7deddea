"""Synthetic extracts for demonstrations and measurements: one per municipality of the
shipped register (its population and Kreis type), figures drawn around the demo's.

Every extract carries ``"synthetisch": true``; the report says so on the comparison page.
The draw is seeded, so the same call gives the same files.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from typing import Any

from kdworkbook.kern import referenz
from kdworkbook.vergleich import auszug

#: Centre of each drawn figure (near the demo municipality's) and its spread (± share).
MITTE = {
    "stunden_je_1000": (1100.0, 0.35),
    "vorgaenge_je_1000": (2500.0, 0.35),
    "anteil_reifegrad_ab_3": (0.15, 0.8),
    "anteil_kommune_setzt_um": (0.22, 0.4),
    "einsparung_eur_je_einwohner": (0.9, 0.6),
}
FACHAEMTER = ("Bauamt", "Bürgerbüro", "Jugendamt", "Ordnungsamt", "Sozialamt", "Standesamt")
PFLICHTEN = ("EGovG NRW § 3", "EGovG NRW § 4", "OZG § 1a Abs. 1", "SDG Art. 6")
STATUS = ("erfüllt", "teilweise", "offen", "unbekannt")
#: Share of clients with a Fortschreibung (a recorded status): planned and realised savings of
#: the measures done, the realised one sometimes „nicht berechenbar“.
ANTEIL_FORTGESCHRIEBEN = 0.4


def _draw(rng: random.Random, key: str) -> float:
    centre, spread = MITTE[key]
    return round(centre * rng.uniform(1 - spread, 1 + spread), 4)


def auszug_fuer(g: referenz.Gemeinde, rng: random.Random, stichtag: dt.date) -> dict[str, Any]:
    """One synthetic extract with *g*'s size class and Kreis type (never its name or AGS)."""
    status = {p: rng.choice(STATUS) for p in PFLICHTEN}
    counts = {s: list(status.values()).count(s) for s in STATUS if s in status.values()}
    prozesse = rng.randint(60, 260)
    return {
        "kennung": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "version": auszug.VERSION,
        "synthetisch": True,
        "stichtag": (stichtag - dt.timedelta(days=rng.randint(0, 300))).isoformat(),
        "groessenklasse": auszug.groessenklasse(g.einwohner),
        "kreistyp": auszug.kreistyp(g.textkennzeichen),
        "einwohner_quelle": auszug.QUELLE_REGISTER,
        "nicht_berechenbar": [],
        "pflichten_status": counts,
        "pflichten_ueberfaellig": sum(1 for s in status.values() if s == "offen"),
        "pflichten": status,
        "prozesse": prozesse,
        "stunden_je_1000": round(_draw(rng, "stunden_je_1000"), 3),
        "vorgaenge_je_1000": round(_draw(rng, "vorgaenge_je_1000"), 3),
        "fachaemter": [
            {
                "fachamt": name,
                "stunden_je_1000": round(rng.uniform(20, 300), 3),
                "vorgaenge_je_1000": round(rng.uniform(20, 900), 3),
            }
            for name in FACHAEMTER
        ],
        "anteil_reifegrad_ab_3": _draw(rng, "anteil_reifegrad_ab_3"),
        "anteil_kommune_setzt_um": _draw(rng, "anteil_kommune_setzt_um"),
        "quick_wins": rng.randint(5, 60),
        "einsparung_eur_je_einwohner": round(_draw(rng, "einsparung_eur_je_einwohner"), 2),
    }


def auszuege(
    gemeinden: tuple[referenz.Gemeinde, ...], stichtag: dt.date, seed: int = 21
) -> list[dict[str, Any]]:
    """One synthetic extract per municipality, in the given order."""
    rng = random.Random(seed)
    return [auszug_fuer(g, rng, stichtag) for g in gemeinden]


def run_documents(
    g: referenz.Gemeinde, extract: dict[str, Any], rng: random.Random, heute: dt.date
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``lauf.json`` (start only) and ``ergebnisse.json`` consistent with *extract*: the run
    lies up to a year back, duties overdue at random."""
    start = dt.datetime.combine(heute - dt.timedelta(days=rng.randint(0, 365)), dt.time(9))
    pflichten = [
        {"paragraph": p, "status": s, "tage_ueberfaellig": rng.choice([None, 0, 120])}
        for p, s in extract["pflichten"].items()
    ]
    ergebnisse = {
        "gemeinde": g.anzeigename,
        "bestand": {"prozesse": extract["prozesse"]},
        "rahmenbedingungen": {
            "pflichten": pflichten,
            "pflichten_ueberfaellig": sum(1 for p in pflichten if p["tage_ueberfaellig"]),
        },
        "massnahmen": {
            "kennzahlen": {
                "quick_wins": extract["quick_wins"],
                "einsparung_eur": round(extract["einsparung_eur_je_einwohner"] * g.einwohner, 2),
            }
        },
    }
    own = random.Random(g.ags)  # drawn apart: the other figures stay as they were
    if own.random() < ANTEIL_FORTGESCHRIEBEN:
        planned = round(extract["einsparung_eur_je_einwohner"] * g.einwohner * 0.2, 2)
        realised = None if own.random() < 0.15 else round(planned * own.uniform(0.2, 1.3), 2)
        ergebnisse["fortschreibung"] = {
            "umgesetzt": own.randint(1, 6),
            "begonnen": own.randint(0, 4),
            "geplant": own.randint(5, 25),
            "einsparung_realisiert_eur_jahr": realised,
            "einsparung_geplant_eur_jahr": planned,
        }
    return {"start": start.astimezone().isoformat()}, ergebnisse
