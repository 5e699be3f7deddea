"""The Agentur's overview: one row per client from its latest complete run – stage reached,
date of the last run, overdue duties, key figures per 1.000 inhabitants, Quick Wins, planned
savings, planned against realised savings of the measures done (section ``fortschreibung``
of ``ergebnisse.json``) – and whether it needs attention (rules below, each a named default).

Pure: the documents of a run (``vergleich.json``, ``ergebnisse.json``, ``lauf.json``) in,
rows out; reading them lives in :func:`kdworkbook.vergleich.ablage.client_files`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

#: A client without a run for this many months needs attention (the Agentur's review cycle:
#: the strategy is looked at twice a year).
MONATE_OHNE_LAUF = 6
#: A duty with this status and a passed deadline needs attention (not „teilweise“: work on
#: it has started; not „unbekannt“: that is „Stand nicht erhoben“, never overdue).
STATUS_UEBERFAELLIG = "offen"
#: A client whose measures done realised less than this share of the savings planned for
#: them needs attention (the Agentur's own rule of thumb: half the plan is a gap worth a
#: conversation; overridable here). Only where both figures exist and the plan is > 0 €.
ANTEIL_REALISIERT_MIN = 0.5

#: Shown instead of a saving: the run has no Fortschreibung (no status recorded, no
#: previous round) / the saving could not be computed (a round or a figure is missing).
KEIN_STAND = "noch kein Stand"
NICHT_BERECHENBAR = "nicht berechenbar"

#: ergebnisse.json section → the step's German name, in the method's order.
STUFEN = {
    "rahmenbedingungen": "Rahmen",
    "bestand": "Bestand",
    "massnahmen": "Maßnahmen",
    "musterprozess": "Musterprozess",
}


@dataclass(frozen=True)
class Lauf:
    """What the overview reads of one client's latest complete run (None: no run)."""

    gestartet: dt.datetime
    ergebnisse: dict[str, Any]
    vergleich: dict[str, Any] | None


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day *months* earlier (the month's last day if it has no such day)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for d in range(day.day, 27, -1):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    return dt.date(year, month, min(day.day, 28))


def stufe(ergebnisse: dict[str, Any]) -> str:
    """The steps with data, e.g. „Rahmen, Bestand, Maßnahmen“."""
    steps = [name for key, name in STUFEN.items() if ergebnisse.get(key)]
    if ergebnisse.get("musterprozess", {}).get("konfiguriert") is False:
        steps.remove("Musterprozess")
    return ", ".join(steps) or "keine Daten"


def overdue_open(ergebnisse: dict[str, Any]) -> list[str]:
    """Duties past their deadline whose status is still „offen“."""
    return [
        p["paragraph"]
        for p in ergebnisse.get("rahmenbedingungen", {}).get("pflichten", [])
        if p.get("status") == STATUS_UEBERFAELLIG and (p.get("tage_ueberfaellig") or 0) > 0
    ]


def savings(ergebnisse: dict[str, Any]) -> tuple[float | str, float | str]:
    """(planned, realised) savings €/Jahr of the measures done, from ``fortschreibung``:
    a number, :data:`NICHT_BERECHENBAR` (null) or :data:`KEIN_STAND` (no section)."""
    section = ergebnisse.get("fortschreibung")
    if not isinstance(section, dict):
        return KEIN_STAND, KEIN_STAND

    def value(key: str) -> float | str:
        number = section.get(key)
        return NICHT_BERECHENBAR if number is None else float(number)

    return value("einsparung_geplant_eur_jahr"), value("einsparung_realisiert_eur_jahr")


def realised_short(ergebnisse: dict[str, Any]) -> str | None:
    """„realisiert 40 % der geplanten Einsparung“ when below :data:`ANTEIL_REALISIERT_MIN`."""
    planned, realised = savings(ergebnisse)
    if isinstance(planned, str) or isinstance(realised, str) or planned <= 0:
        return None
    share = realised / planned
    if share >= ANTEIL_REALISIERT_MIN:
        return None
    return f"realisiert nur {round(share * 100)} % der geplanten Einsparung"


def attention(lauf: Lauf | None, heute: dt.date) -> list[str]:
    """The reasons this client needs attention (empty: none)."""
    if lauf is None:
        return ["noch kein vollständiger Lauf"]
    reasons = []
    if lauf.gestartet.date() < months_before(heute, MONATE_OHNE_LAUF):
        reasons.append(f"seit über {MONATE_OHNE_LAUF} Monaten kein Lauf")
    offen = overdue_open(lauf.ergebnisse)
    if offen:
        what = "überfällige Pflicht" if len(offen) == 1 else "überfällige Pflichten"
        reasons.append(f"{len(offen)} {what} noch offen: " + ", ".join(offen))
    short = realised_short(lauf.ergebnisse)
    if short:
        reasons.append(short)
    return reasons


def row(kommune: str, lauf: Lauf | None, heute: dt.date) -> dict[str, Any]:
    """One row of the overview (numbers as numbers; None = no value)."""
    v = (lauf.vergleich if lauf else None) or {}
    e = lauf.ergebnisse if lauf else {}
    kennzahlen = e.get("massnahmen", {}).get("kennzahlen", {})
    planned, realised = savings(e) if lauf else (None, None)
    return {
        "kommune": kommune,
        "groessenklasse": v.get("groessenklasse"),
        "stufe": stufe(e) if lauf else "kein Lauf",
        "letzter_lauf": lauf.gestartet.date().isoformat() if lauf else None,
        "pflichten_ueberfaellig": e.get("rahmenbedingungen", {}).get("pflichten_ueberfaellig"),
        "stunden_je_1000": v.get("stunden_je_1000"),
        "vorgaenge_je_1000": v.get("vorgaenge_je_1000"),
        "quick_wins": kennzahlen.get("quick_wins"),
        "einsparung_eur": kennzahlen.get("einsparung_eur"),
        "einsparung_geplant_umgesetzt": planned,
        "einsparung_realisiert": realised,
        "aufmerksamkeit": "; ".join(attention(lauf, heute)),
    }


#: Column → (German header, format of :data:`kdworkbook.bericht.anzeige.FORMATS`).
SPALTEN = {
    "kommune": ("Kommune", "text"),
    "groessenklasse": ("Größenklasse (Einwohner)", "text"),
    "stufe": ("Erreichte Schritte", "text"),
    "letzter_lauf": ("Letzter Lauf", "text"),
    "pflichten_ueberfaellig": ("Überfällige Pflichten", "int"),
    "stunden_je_1000": ("Jahresstunden je 1.000 EW", "int"),
    "vorgaenge_je_1000": ("Vorgänge je 1.000 EW", "int"),
    "quick_wins": ("Quick Wins", "int"),
    "einsparung_eur": ("Geplante Einsparung (€/Jahr)", "eur"),
    "einsparung_geplant_umgesetzt": ("Umgesetzt: Einsparung geplant (€/Jahr)", "eur"),
    "einsparung_realisiert": ("Umgesetzt: Einsparung realisiert (€/Jahr)", "eur"),
    "aufmerksamkeit": ("Braucht Aufmerksamkeit", "text"),
}
