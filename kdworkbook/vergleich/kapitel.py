"""Chapter „Vergleich mit Kommunen ähnlicher Größe“: the municipality's extract (from the
same step summaries as ``ergebnisse.json``) against the peer extracts of ``vergleich →
ordner``."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pandas as pd
from IPython.display import HTML

from kdworkbook.bericht import anzeige
from kdworkbook.bestand.laden import Bestandsaufnahme
from kdworkbook.kern.formatierung import datum, literal, prozent, zahl
from kdworkbook.vergleich import ablage, auszug, peers

if TYPE_CHECKING:  # matplotlib and the charts are loaded where a chart is drawn: the
    from matplotlib.figure import Figure  # runner's check uses this module without them

SYNTHETISCH = (
    "**Hinweis:** Die Vergleichsdaten sind **synthetisch** – erfundene Kommunen zur "
    "Vorführung, keine echten Werte."
)


def own_extract(ba: Bestandsaufnahme) -> dict[str, Any]:
    """The extract this run writes as ``vergleich.json`` (same figures, same functions)."""
    from kdworkbook.lauf import schritte  # the step list imports this step

    results = {
        step.key: schritte.section(ba, step) for step in schritte.STEPS if step.key != "vergleich"
    }
    s = ba.settings
    population = auszug.bevoelkerung(s.ags, s.einwohner)
    return auszug.extract(ba.data, results, population, s.stichtag, s.gemeinde)


def load(ba: Bestandsaufnahme) -> peers.Vergleich:
    v = ba.settings.vergleich
    return peers.vergleich(own_extract(ba), ablage.peer_extracts(v.ordner), v.mindestzahl)


def _datum(iso: str) -> str:
    return datum(dt.date.fromisoformat(iso))


def introduction(v: peers.Vergleich) -> HTML:
    """What is compared with whom, or the one sentence why not."""
    if v.grund is not None:
        return anzeige.text(literal(v.grund))
    dates = (
        f"Stand der Vergleichsdaten: {_datum(v.stichtage[0])} bis {_datum(v.stichtage[1])}."
        if v.stichtage
        else ""
    )
    text = (
        f"Verglichen wird mit **{zahl(v.anzahl)} Kommunen** der Größenklasse "
        f"**{literal(v.klasse)} Einwohner** (anonymisierte Auszüge, ohne Namen). Die Raute ist "
        "Ihre Kommune, die Punkte sind die Vergleichskommunen; das Band reicht vom unteren "
        "zum oberen Quartil (die mittlere Hälfte), der Strich ist der Median. " + dates
    )
    return anzeige.text(text + ("\n\n" + SYNTHETISCH if v.synthetisch else ""))


def chart(v: peers.Vergleich) -> Figure | None:
    from kdworkbook.vergleich import grafiken

    if v.grund is not None or not any(z.quartile for z in v.zeilen):
        return None
    return grafiken.punkte(v)


def _format(z: peers.Zeile, value: float | None) -> str:
    if value is None:
        return "nicht berechenbar"
    return prozent(value) if z.kennzahl.prozent else zahl(value, z.kennzahl.stellen)


def table(v: peers.Vergleich) -> HTML | None:
    """Per metric: own value, peers' quartiles, position; metrics without enough peer values
    say so."""
    if v.grund is not None:
        return None
    rows = []
    for z in v.zeilen:
        q = z.quartile
        einheit = "" if z.kennzahl.prozent else z.kennzahl.einheit
        rows.append(
            {
                "kennzahl": z.kennzahl.label + (f" ({einheit})" if einheit else ""),
                "wert": _format(z, z.wert),
                "q1": _format(z, q.q1) if q else "",
                "median": _format(z, q.median) if q else "",
                "q3": _format(z, q.q3) if q else "",
                "n": zahl(len(z.werte)),
                "lage": (
                    f"zu wenige Werte (unter {zahl(v.mindestzahl)})"
                    if q is None
                    else ("nicht berechenbar" if z.wert is None else peers.lage(z.wert, q))
                ),
            }
        )
    columns = {
        "kennzahl": ("Kennzahl", "text"),
        "wert": ("Ihre Kommune", "text"),
        "q1": ("Unteres Quartil", "text"),
        "median": ("Median", "text"),
        "q3": ("Oberes Quartil", "text"),
        "n": ("Werte", "text"),
        "lage": ("Lage", "text"),
    }
    note = (
        "<p>Quartile nach QUARTILE.INKL (Excel), d. h. linear zwischen den sortierten Werten "
        "interpoliert.</p>"
    )
    return HTML(anzeige.table_html(pd.DataFrame(rows), columns) + note)
