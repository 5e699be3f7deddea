"""The chapter „Bürgerbefragung“: one function per notebook cell.

Shows only the stored aggregate (``ergebnis.json``), never a single response; groups with
fewer than ``mindestgruppe`` respondents were already suppressed when the result was stored
and are named as suppressed here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd
from IPython.display import HTML

from kdworkbook.bericht import anzeige
from kdworkbook.bestand.laden import Bestandsaufnahme
from kdworkbook.buergerbefragung import dateien
from kdworkbook.kern.formatierung import literal, prozent, zahl

#: „High demand“: at least this share would use the service online (own threshold).
HOHE_NACHFRAGE = 0.6
#: „Low maturity“: below OZG-Reifegrad 2 (form online), see DOMAIN / Reifegradmodell.
NIEDRIGE_REIFE = 2
TOP = 10
NICHT_BERECHENBAR = "nicht berechenbar"


@dataclass(frozen=True)
class Befragung:
    result: dict[str, Any]
    nachfrage: pd.DataFrame
    vorher: pd.DataFrame  # ranking without the survey
    nachher: pd.DataFrame  # ranking with it
    prozesse: pd.DataFrame  # process table with the survey's demand


def load(ba: Bestandsaufnahme) -> Befragung | None:
    """The stored result and the ranking with and without it; None when none is configured."""
    from kdworkbook.massnahmen import kapitel as massnahmen_ansicht
    from kdworkbook.massnahmen import plan

    path = ba.settings.buergerbefragung.ergebnis
    if path is None:
        return None
    result = ba.buergerbefragung_ergebnis
    processes = massnahmen_ansicht.process_table(ba)
    m = ba.settings.massnahmen
    before = plan.prioritise(massnahmen_ansicht.process_table(ba, demand=False), m, False)[0]
    after = plan.prioritise(processes, m, False)[0]
    return Befragung(result, dateien.demand_table(ba.settings), before, after, processes)


def omitted(ba: Bestandsaufnahme) -> str | None:
    if ba.settings.buergerbefragung.ergebnis is not None:
        return None
    return (
        "Keine Bürgerbefragung ausgewertet (buergerbefragung → ergebnis): das Kapitel "
        "Bürgerbefragung entfällt im Bericht."
    )


def introduction(b: Befragung) -> HTML:
    r = b.result
    spanne = r["fehlerspanne"]
    margin = (
        f"± {zahl(spanne * 100, 1)} Prozentpunkte"
        if spanne is not None
        else f"{NICHT_BERECHENBAR} (Einwohnerzahl fehlt)"
    )
    people = f"{zahl(r['einwohner'])} Einwohnern" if r["einwohner"] else "unbekannter Einwohnerzahl"
    return anzeige.text(
        f"Die Bürgerinnen und Bürger der **{literal(r['gemeinde'])}** wurden gefragt, welche "
        f"von {zahl(len(b.nachfrage))} Verwaltungsleistungen sie schon genutzt haben und ob "
        f"sie sie online erledigen würden. {zahl(r['antworten'])} Antworten liegen vor; bei "
        f"{people} beträgt "
        f"die Fehlerspanne eines Anteils (95 %, ungünstigster Fall 50 %) {margin}. Die "
        "Befragung ist freiwillig und nicht zufällig gezogen: die Spanne gilt nur unter der "
        "Annahme, dass die Antwortenden die Bevölkerung abbilden."
    )


def key_figures(b: Befragung) -> HTML:
    r = b.result
    known = b.nachfrage["nachfrage"].notna()
    return anzeige.cards(
        {
            "Antworten": zahl(r["antworten"]),
            "Fehlerspanne (95 %)": prozent(r["fehlerspanne"])
            if r["fehlerspanne"] is not None
            else NICHT_BERECHENBAR,
            "Leistungen im Fragebogen": zahl(len(b.nachfrage)),
            "Leistungen mit Nachfragewert": zahl(int(known.sum())),
        }
    )


def _demand_rows(table: pd.DataFrame) -> pd.DataFrame:
    shown = table.copy()
    shown["wert"] = [
        prozent(v) if not math.isnan(v) else NICHT_BERECHENBAR for v in shown["nachfrage"]
    ]
    return shown


def demand(b: Befragung, oben: bool = True) -> HTML:
    """The *TOP* services with the highest (or lowest) demand."""
    known = b.nachfrage[b.nachfrage["nachfrage"].notna()]
    part = known.sort_values(["nachfrage", "bezeichnung"], ascending=[not oben, True])
    return anzeige.table(
        _demand_rows(part.head(TOP)),
        {
            "bezeichnung": ("Leistung", "text"),
            "antworten": ("Antworten", "int"),
            "genutzt": ("schon genutzt", "int"),
            "wert": ("Nachfrage online", "text"),
        },
    )


def channels(b: Befragung) -> HTML:
    """Preferred channel per age group; suppressed groups named as such."""
    table = pd.DataFrame(b.result["kanal_nach_alter"])
    names = [c for c in table.columns if c not in ("gruppe", "befragte", "unterdrueckt")]
    rows = []
    for record in table.to_dict("records"):
        row = {"gruppe": record["gruppe"]}
        if record["unterdrueckt"]:
            row["befragte"] = f"unter {b.result['mindestgruppe']}"
            row |= dict.fromkeys(names, "unterdrückt")
        else:
            row["befragte"] = zahl(record["befragte"])
            row |= {n: prozent(record[n]) for n in names}
        rows.append(row)
    columns = {"gruppe": ("Altersgruppe", "text"), "befragte": ("Befragte", "text")}
    columns |= {n: (n, "text") for n in names}
    note = (
        f"Gruppen mit weniger als {zahl(b.result['mindestgruppe'])} Befragten werden zum "
        "Schutz der Antwortenden nicht gezeigt („unterdrückt“)."
    )
    return HTML(anzeige.table(pd.DataFrame(rows), columns).data + anzeige.markdown_html(note))


def demand_vs_maturity(b: Befragung) -> HTML:
    """Services with high demand whose processes are below OZG-Reifegrad 2 (or unknown)."""
    high = b.nachfrage[b.nachfrage["nachfrage"] >= HOHE_NACHFRAGE]
    p = b.prozesse
    level = (
        p.groupby("bezeichnung")["reifegrad"].min() if "reifegrad" in p else pd.Series(dtype=float)
    )
    rows = []
    for record in high.sort_values("nachfrage", ascending=False).to_dict("records"):
        reife = level.get(record["bezeichnung"], math.nan)
        if pd.isna(reife) or reife < NIEDRIGE_REIFE:
            rows.append(
                {
                    "bezeichnung": record["bezeichnung"],
                    "wert": prozent(record["nachfrage"]),
                    "reife": "nicht erhoben" if pd.isna(reife) else zahl(reife),
                }
            )
    if not rows:
        return anzeige.text(
            f"Keine Leistung mit hoher Nachfrage (ab {prozent(HOHE_NACHFRAGE, 0)}) hat einen "
            f"Reifegrad unter {NIEDRIGE_REIFE}."
        )
    return anzeige.table(
        pd.DataFrame(rows),
        {
            "bezeichnung": ("Leistung", "text"),
            "wert": ("Nachfrage online", "text"),
            "reife": ("OZG-Reifegrad", "text"),
        },
    )


def ranking_change(b: Befragung, limit: int = 15) -> HTML:
    """Rank of the top processes with the survey, and where they stood without it."""
    before = dict(
        zip(b.vorher["bezeichnung"] + "|" + b.vorher["fachamt"], b.vorher["rang"], strict=True)
    )
    top = b.nachher.head(limit)
    rows = []
    for record in top.to_dict("records"):
        old = before.get(f"{record['bezeichnung']}|{record['fachamt']}")
        change = "" if old is None else old - record["rang"]
        rows.append(
            {
                "rang": record["rang"],
                "bezeichnung": record["bezeichnung"],
                "fachamt": record["fachamt"],
                "vorher": old,
                "aenderung": "±0" if change == 0 else f"{change:+d}".replace("-", "−"),
            }
        )
    return anzeige.table(
        pd.DataFrame(rows),
        {
            "rang": ("Rang", "int"),
            "bezeichnung": ("Prozess", "text"),
            "fachamt": ("Fachamt", "text"),
            "vorher": ("Rang ohne Befragung", "int"),
            "aenderung": ("Veränderung", "text"),
        },
    )


def free_text(b: Befragung) -> HTML:
    if "hinweise" not in b.result:
        return anzeige.text(
            "Freitextantworten werden nicht abgedruckt (Datenschutz; die Parameterdatei "
            "erlaubt es mit buergerbefragung → freitext_zeigen)."
        )
    items = "\n".join(f"- {literal(t)}" for t in b.result["hinweise"]) or "keine"
    return anzeige.text(items)


def summary(ba: Bestandsaufnahme) -> dict[str, Any]:
    """Section ``buergerbefragung`` of ``check --json``."""
    r = ba.buergerbefragung_ergebnis  # read once per Bestandsaufnahme
    if r is None:
        return {"ausgewertet": False}
    return {
        "ausgewertet": True,
        "antworten": r["antworten"],
        "fehlerspanne": r["fehlerspanne"],
        "leistungen": len(r["nachfrage"]),
    }


def results(ba: Bestandsaufnahme) -> None:
    anzeige.results({"gemeinde": ba.settings.gemeinde, "buergerbefragung": summary(ba)})
