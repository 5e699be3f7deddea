"""The Maßnahmenentwicklung chapter: one function per notebook cell, plus check/Excel hooks.

:func:`process_table` is the one place where the Rahmenbedingungen (Zuständigkeit,
Geeignetheit, Reifegrad from :mod:`kdworkbook.rahmen`) join the survey; :func:`planung`
computes the step once for a notebook.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

import pandas as pd
from IPython.display import HTML, Markdown
from matplotlib.figure import Figure

from kdworkbook import anzeige, massnahmen_grafiken, massnahmenplan, priorisierung
from kdworkbook.formatierung import datum, euro, prozent, zahl
from kdworkbook.laden import Bestandsaufnahme
from kdworkbook.massnahmenplan import Planung

RANK_COLUMNS = {
    "rang": ("Rang", "int"),
    "bezeichnung": ("Prozess", "text"),
    "fachamt": ("Fachamt", "text"),
    "jahresstunden": ("Jahresstunden", "int"),
    "nutzen": ("Nutzen", "dez2"),
    "aufwand": ("Aufwand", "dez2"),
    "prioritaet": ("Priorität", "dez2"),
    "quadrant": ("Quadrant", "text"),
}
#: Per process in the report; effort in person-days is in the Zeitplan and the Excel file.
PROCESS_PLAN_COLUMNS = {
    "rang": ("Rang", "int"),
    "bezeichnung": ("Prozess", "text"),
    "massnahmen": ("Maßnahmen", "text"),
    "einmalkosten_eur": ("einmalig", "eur"),
    "laufende_kosten_eur_jahr": ("lfd. €/Jahr", "eur"),
    "einsparung_stunden": ("Einsp. h/Jahr", "int"),
    "einsparung_eur": ("Einsp. €/Jahr", "eur"),
    "amortisation": ("Amort. Jahre", "text"),
}
COST_COLUMNS = {
    "jahr": ("Jahr", "text"),
    "einmalkosten_eur": ("Einmalkosten", "eur"),
    "laufende_kosten_eur": ("laufende Kosten", "eur"),
    "kosten_eur": ("Kosten gesamt", "eur"),
    "einsparung_eur": ("Einsparung", "eur"),
    "saldo_eur": ("Saldo", "eur"),
    "saldo_kumuliert_eur": ("Saldo kumuliert", "eur"),
}


def _rahmen() -> Any | None:
    """The Rahmenbedingungen module if this installation has it, else None."""
    if importlib.util.find_spec("kdworkbook.rahmen") is None:
        return None
    return importlib.import_module("kdworkbook.rahmen")


def process_table(ba: Bestandsaufnahme) -> pd.DataFrame:
    """Survey with figures, joined with :func:`kdworkbook.rahmen.process_attributes` where
    that exists (its values win; a missing value falls back to the survey's)."""
    rahmen = _rahmen()
    if rahmen is None or not hasattr(rahmen, "process_attributes"):
        return ba.data
    attributes = rahmen.process_attributes(ba)
    table = ba.data.copy()
    for column in attributes.columns:
        if column in table:
            table[column] = (
                attributes[column]
                .astype(object)
                .where(attributes[column].notna(), table[column].astype(object))
            )
        else:
            table[column] = attributes[column]
    return table


def overdue_duties(ba: Bestandsaufnahme) -> pd.DataFrame | None:
    """Overdue legal duties from the Rahmenbedingungen, or None when not known."""
    rahmen = _rahmen()
    if rahmen is None or not hasattr(rahmen, "duties"):
        return None
    table = rahmen.duties(ba)
    return table[table["ueberfaellig"].astype(bool)]


def planung(ba: Bestandsaufnahme) -> Planung:
    """The step's results for this municipality (computed once per notebook)."""
    s = ba.settings
    return massnahmenplan.plan(process_table(ba), s.massnahmen, s.stichtag, s.jahresarbeitsstunden)


# --- notebook cells ---------------------------------------------------------------------


def introduction(ba: Bestandsaufnahme, p: Planung) -> Markdown:
    s = p.settings
    return anzeige.text(
        f"Welche Prozesse der **{ba.settings.gemeinde}** sollen zuerst digitalisiert werden? "
        f"Bewertet wurden {zahl(len(p.ranked))} geeignete Prozesse nach ihrem **Nutzen** und "
        f"ihrem **Aufwand**; {zahl(len(p.excluded))} Prozesse sind als nicht geeignet "
        f"ausgeschlossen. Für die {zahl(s.prozesse)} bestplatzierten Prozesse schlägt die "
        f"Arbeitsmappe {zahl(len(p.measures))} Maßnahmen vor und plant sie ab dem "
        f"{datum(p.start)} mit einem Zeitkontingent von "
        f"{zahl(s.zeitkontingent_personentage)} Personentagen je Quartal ein."
    )


def key_figures(p: Planung) -> HTML:
    return anzeige.cards(
        {
            "Quick Wins": zahl(p.quick_wins),
            "Maßnahmen": zahl(len(p.measures)),
            "Einsparung pro Jahr": euro(p.processes["einsparung_eur"].sum()),
            "Einsparung VZÄ": zahl(p.processes["einsparung_vzae"].sum(), 1),
            "Einmalkosten": euro(p.processes["einmalkosten_eur"].sum()),
            "fertig bis": finished(p),
        }
    )


def finished(p: Planung) -> str:
    return p.measures["fertig"].iloc[-1] if len(p.measures) else "–"


def criteria_table(p: Planung) -> HTML:
    used = priorisierung.used_criteria(p.ranked)
    missing = priorisierung.unused_criteria(p.ranked)
    note = (
        f"<p>Nicht verwendet, weil die Daten fehlen: {', '.join(missing)}.</p>" if missing else ""
    )
    table = anzeige.table_html(
        used,
        {
            "achse": ("Achse", "text"),
            "kriterium": ("Kriterium", "text"),
            "methode": ("Normierung auf 0–1", "text"),
            "gewicht": ("Gewicht", "pct"),
        },
    )
    return HTML(anzeige.STYLE + table + note)


def model_text(p: Planung) -> Markdown:
    s, limits = p.settings, p.ranked.attrs["schwellen"]
    how = {None: "Median"}
    return anzeige.text(
        f"Nutzen und Aufwand sind gewichtete Summen der Kriterien (Gewichte je Achse auf 100 % "
        f"normiert). Prioritätswert = {prozent(s.gewicht_nutzen, 0)} × Nutzen + "
        f"{prozent(1 - s.gewicht_nutzen, 0)} × (1 − Aufwand). {priorisierung.TIE_RULE} "
        f"Quadranten: Nutzen hoch ab {zahl(limits['nutzen'], 2)} "
        f"({how.get(s.schwellen.nutzen, 'festgelegt')}), Aufwand niedrig bis "
        f"{zahl(limits['aufwand'], 2)} ({how.get(s.schwellen.aufwand, 'festgelegt')}); "
        "ein Prozess genau auf einer Schwelle zählt zur günstigeren Seite."
    )


def workshop_note(ba: Bestandsaufnahme) -> Markdown | None:
    """„Die Gewichte wurden im Workshop am … beschlossen“ – from ``workshop → beschluesse``."""
    last = ba.settings.workshop.letzter
    if last is None:
        return None
    what = (
        "Gewichte und Annahmen dieses Kapitels wurden"
        if last.aenderungen
        else "Die Gewichte dieses Kapitels wurden unverändert"
    )
    note = f" Notiz: „{last.notiz}“" if last.notiz else ""
    changed = "".join(f"\n- {c}" for c in last.aenderungen)
    return anzeige.text(
        f"**{what} im Workshop am {datum(last.datum)} beschlossen.**{note}{changed}"
    )


def portfolio_chart(p: Planung) -> Figure:
    return massnahmen_grafiken.portfolio(p.ranked, p.ranked.attrs["schwellen"], p.settings.top_n)


def quadrant_table(p: Planung) -> HTML:
    totals = (
        p.ranked.groupby("quadrant", observed=False)
        .agg(prozesse=("rang", "size"), jahresstunden=("jahresstunden", "sum"))
        .reset_index()
    )
    return anzeige.table(
        totals,
        {
            "quadrant": ("Quadrant", "text"),
            "prozesse": ("Prozesse", "int"),
            "jahresstunden": ("Jahresstunden", "int"),
        },
    )


def ranking_table(p: Planung, limit: int = 25) -> HTML:
    return anzeige.table(p.ranked.head(limit), RANK_COLUMNS)


def excluded_table(p: Planung) -> HTML | Markdown:
    if p.excluded.empty:
        return anzeige.text("Kein Prozess ist als nicht geeignet gekennzeichnet.")
    columns = {
        "bezeichnung": ("Prozess", "text"),
        "fachamt": ("Fachamt", "text"),
        "grund": ("nicht geeignet", "text"),
        "jahresstunden": ("Jahresstunden", "int"),
    }
    where = "im Excel-Anhang (anhang.xlsx, Blatt „Rahmen je Prozess“)"
    return HTML(
        anzeige.STYLE + anzeige.top_table_html(p.excluded, columns, anzeige.REPORT_ROWS, where)
    )


def sensitivity_text(p: Planung) -> Markdown:
    s, sens = p.settings, p.sensitivity
    top = sens[sens["rang"] <= s.top_n]
    stable = int((top["anteil_top"] == 1).sum())
    return anzeige.text(
        f"Jedes Gewicht wurde einzeln um ±{prozent(s.sensitivitaet, 0)} verändert "
        f"({zahl(sens.attrs['laeufe'])} Läufe). **{zahl(stable)} der Top {zahl(s.top_n)}** "
        "bleiben in jedem Lauf unter den ersten; die übrigen Plätze hängen von der Gewichtung "
        "ab und sollten im Workshop besprochen werden."
    )


def sensitivity_table(p: Planung) -> HTML:
    return anzeige.table(
        p.sensitivity,
        {
            "rang": ("Rang", "int"),
            "bezeichnung": ("Prozess", "text"),
            "fachamt": ("Fachamt", "text"),
            "anteil_top": (f"in Top {p.settings.top_n}", "pct"),
            "rang_min": ("bester Rang", "int"),
            "rang_max": ("schlechtester Rang", "int"),
        },
    )


def measure_types_table(p: Planung) -> HTML:
    rows = [
        {
            "massnahme": t.name,
            "aufwand": t.aufwand_personentage.wert,
            "einmal": t.einmalkosten_eur.wert,
            "laufend": t.laufende_kosten_eur_jahr.wert,
            "reduktion": t.reduktion_bearbeitungszeit.wert,
            "quelle": t.reduktion_bearbeitungszeit.quelle,
        }
        for t in p.settings.massnahmentypen.values()
    ]
    return anzeige.table(
        pd.DataFrame(rows),
        {
            "massnahme": ("Maßnahmentyp", "text"),
            "aufwand": ("Aufwand PT", "int"),
            "einmal": ("Einmalkosten", "eur"),
            "laufend": ("lfd. Kosten/Jahr", "eur"),
            "reduktion": ("Zeitersparnis", "pct"),
            "quelle": ("Grundlage der Zeitersparnis", "text"),
        },
    )


def measures_table(p: Planung) -> HTML:
    pr = p.processes
    total = {
        "bezeichnung": "Summe",
        **{k: pr[k].sum() for k in list(PROCESS_PLAN_COLUMNS)[3:7]},
        "amortisation": _payback_text(programme_payback(p)),
    }
    shown = pr.assign(amortisation=pr["amortisation_jahre"].map(_payback_text))
    return anzeige.table(shown, PROCESS_PLAN_COLUMNS, total)


def _payback_text(years: float | None) -> str:
    """„2,5“ years, „sofort“ without one-time costs, „keine“ if the net saving is ≤ 0."""
    if years is None or pd.isna(years):
        return "keine"
    return "sofort" if years == 0 else zahl(years, 1)


def programme_payback(p: Planung) -> float | None:
    """Years until all one-time costs are earned back by the yearly net saving of all measures."""
    net = p.processes["einsparung_eur"].sum() - p.processes["laufende_kosten_eur_jahr"].sum()
    return p.processes["einmalkosten_eur"].sum() / net if net > 0 else None


def gantt_chart(p: Planung) -> Figure:
    names = {k: t.name for k, t in p.settings.massnahmentypen.items()}
    return massnahmen_grafiken.gantt(p.measures, p.start, names)


def schedule_table(p: Planung) -> HTML:
    return anzeige.table(
        p.measures,
        {
            "rang": ("Rang", "int"),
            "bezeichnung": ("Prozess", "text"),
            "massnahme": ("Maßnahme", "text"),
            "aufwand_personentage": ("PT", "int"),
            "beginn": ("Beginn", "text"),
            "fertig": ("fertig", "text"),
        },
    )


def cost_table(p: Planung) -> HTML:
    c = p.costs
    total = {k: c[k].sum() for k in list(COST_COLUMNS)[1:6]} | {"jahr": "Summe"}
    return anzeige.table(c.assign(jahr=c["jahr"].astype(str)), COST_COLUMNS, total)


def cost_chart(p: Planung) -> Figure:
    return massnahmen_grafiken.costs_vs_savings(p.costs)


def responsibility_text(p: Planung) -> Markdown:
    s = p.settings
    return anzeige.text(
        f"Die Umsetzung steuert das **{s.lenkungsgremium}**. Die Organisations"
        "verantwortung (Ziel, Abnahme, Ablauf im Amt) liegt beim genannten Amt oder der "
        "Stelle, die Durchführungsverantwortung (Einrichtung, Technik) bei "
        f"{s.verantwortung['digitalmanager']} bzw. {s.verantwortung['it_dienstleister']}."
    )


def responsibility_table(p: Planung) -> HTML:
    table = (
        p.measures.groupby(["massnahme", "organisation", "durchfuehrung"], sort=False)
        .agg(prozesse=("bezeichnung", "size"))
        .reset_index()
    )
    return anzeige.table(
        table,
        {
            "massnahme": ("Maßnahme", "text"),
            "organisation": ("Organisationsverantwortung", "text"),
            "durchfuehrung": ("Durchführungsverantwortung", "text"),
            "prozesse": ("Prozesse", "int"),
        },
    )


def assumptions(ba: Bestandsaufnahme, p: Planung) -> HTML:
    rows = [
        {
            "wert": f"{t.name}: {label}",
            "betrag": fmt(getattr(t, f).wert),
            "quelle": getattr(t, f).quelle,
        }
        for t in p.settings.massnahmentypen.values()
        for f, label, fmt in (
            ("aufwand_personentage", "Aufwand", lambda v: f"{zahl(v)} PT"),
            ("einmalkosten_eur", "Einmalkosten", euro),
            ("laufende_kosten_eur_jahr", "laufende Kosten/Jahr", euro),
        )
    ]
    rows.append(
        {
            "wert": "Einsparung",
            "betrag": "Vorgänge × Minuten × Zeitersparnis / 60 × Stundensatz",
            "quelle": "Standardkostenmodell; mehrere Maßnahmen wirken nacheinander auf die "
            "verbleibende Zeit. Eingesparte Stunden werden erst zu Geld, wenn die Zeit anders "
            "eingesetzt wird.",
        }
    )
    return anzeige.table(
        pd.DataFrame(rows),
        {"wert": ("Annahme", "text"), "betrag": ("Wert", "text"), "quelle": ("Quelle", "text")},
    )


def notes(p: Planung) -> Markdown | None:
    return anzeige.text("\n".join(f"- {n}" for n in p.notes)) if p.notes else None


# --- check --json, ergebnisse -----------------------------------------------------


def summary_of(p: Planung) -> dict[str, Any]:
    return {
        "rangfolge": list(p.top["bezeichnung"]),
        "quick_wins": p.quick_wins,
        "einsparung_eur_jahr": float(p.processes["einsparung_eur"].sum()),
        "ausgeschlossen": len(p.excluded),
        "massnahmen": len(p.measures),
        "einmalkosten_eur": float(p.processes["einmalkosten_eur"].sum()),
        "fertig": finished(p),
        "kriterien": [k for w in p.ranked.attrs["gewichte"].values() for k in w],
    }


def summary(ba: Bestandsaufnahme) -> dict[str, Any]:
    """Section ``massnahmen`` of ``kdworkbook check --json``; validates the step's inputs."""
    return summary_of(planung(ba))


def results(ba: Bestandsaufnahme, p: Planung) -> None:
    """Machine-readable key figures (cell tagged ``ergebnisse``)."""
    anzeige.results({"massnahmen": summary_of(p)})
