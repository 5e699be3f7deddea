"""The one-page Management-Zusammenfassung that opens the report.

Key figures of the Bestandsaufnahme and the Maßnahmenentwicklung, the ten most urgent
processes with their measures, the savings potential and – when the Rahmenbedingungen know
them – the overdue legal duties. One function per notebook cell.
"""

from __future__ import annotations

import html

import pandas as pd
from IPython.display import HTML, Markdown

from kdworkbook import anzeige, massnahmen_ansicht
from kdworkbook.formatierung import euro, literal, zahl
from kdworkbook.laden import Bestandsaufnahme
from kdworkbook.massnahmenplan import Planung


def overview(ba: Bestandsaufnahme, p: Planung) -> Markdown:
    k, s = ba.key_figures, p.settings
    pr = p.processes
    saved, costs = pr["einsparung_eur"].sum(), pr["einmalkosten_eur"].sum()
    return anzeige.text(
        f"Die **{literal(ba.settings.gemeinde)}** bearbeitet in {zahl(k.prozesse)} erhobenen "
        "Prozessen "
        f"{zahl(k.vorgaenge)} Vorgänge im Jahr; das sind {zahl(k.stunden)} Arbeitsstunden "
        f"({zahl(k.vzae, 1)} Vollzeitstellen, {euro(k.kosten_eur)} Personalkosten). "
        f"{zahl(p.quick_wins)} Prozesse sind **Quick Wins**: hoher Nutzen bei geringem "
        f"Aufwand. Für die {zahl(len(pr))} vordringlichen Prozesse schlagen wir "
        f"{zahl(len(p.measures))} Maßnahmen vor. Sie sparen voraussichtlich "
        f"**{zahl(pr['einsparung_stunden'].sum())} Stunden ({euro(saved)}) pro Jahr**, kosten "
        f"einmalig {euro(costs)} und laufend {euro(pr['laufende_kosten_eur_jahr'].sum())} im "
        f"Jahr und sind mit {zahl(s.zeitkontingent_personentage)} Personentagen je Quartal "
        f"bis {massnahmen_ansicht.finished(p)} umgesetzt. {_payback_sentence(p)}"
    )


def _payback_sentence(p: Planung) -> str:
    years = massnahmen_ansicht.programme_payback(p)
    if years is None:
        return (
            "Die laufenden Kosten übersteigen die Einsparung: die Maßnahmen rechnen sich nicht "
            "über die Arbeitszeit allein, sondern über Pflichten und Servicequalität."
        )
    return (
        "Sobald alle Maßnahmen wirken, spielt die Einsparung (abzüglich laufender Kosten) "
        f"die Einmalkosten in rund {zahl(years, 1)} Jahren wieder ein."
    )


def key_figures(ba: Bestandsaufnahme, p: Planung) -> HTML:
    pr = p.processes
    return anzeige.cards(
        {
            "Jahresstunden": zahl(ba.key_figures.stunden),
            "Quick Wins": zahl(p.quick_wins),
            "Maßnahmen": zahl(len(p.measures)),
            "Einsparung pro Jahr": euro(pr["einsparung_eur"].sum()),
            "Einsparung VZÄ": zahl(pr["einsparung_vzae"].sum(), 1),
            "Einmalkosten": euro(pr["einmalkosten_eur"].sum()),
        }
    )


def top_measures(p: Planung, limit: int = 10) -> HTML:
    first = (
        p.measures.groupby(["rang", "bezeichnung", "fachamt"], sort=False)
        .agg(fertig=("fertig", "last"))
        .reset_index()
    )
    table = p.processes.merge(first, on=["rang", "bezeichnung", "fachamt"]).head(limit)
    return anzeige.table(
        table,
        {
            "rang": ("Rang", "int"),
            "bezeichnung": ("Prozess", "text"),
            "quadrant": ("Quadrant", "text"),
            "massnahmen": ("Maßnahmen", "text"),
            "einsparung_eur": ("Einsparung €/Jahr", "eur"),
            "fertig": ("fertig", "text"),
        },
    )


def overdue(ba: Bestandsaufnahme) -> HTML | None:
    """Overdue duties when the Rahmenbedingungen know them; nothing otherwise."""
    table = massnahmen_ansicht.overdue_duties(ba)
    if table is None:
        return None
    if table.empty:
        return HTML("<p><strong>Gesetzliche Pflichten:</strong> keine Frist überschritten.</p>")
    items = "".join(
        f"<li>{html.escape(str(r.paragraph))} {html.escape(str(r.titel))} – "
        + (_deadline(str(r.frist_text)))
        + (
            f", seit {zahl(int(r.tage_ueberfaellig))} Tagen überfällig"
            if not pd.isna(r.tage_ueberfaellig) and r.tage_ueberfaellig > 0
            else ""
        )
        + "</li>"
        for r in table.itertuples()
    )
    return HTML(
        f"<p><strong>Überfällige gesetzliche Pflichten ({zahl(len(table))}):</strong></p>"
        f'<ul class="kd-kurz">{items}</ul>'
    )


def steering(p: Planung) -> Markdown:
    return anzeige.text(
        f"Steuerung: {literal(p.settings.lenkungsgremium)}. Einzelheiten, Annahmen und "
        "Quellen stehen "
        "im Kapitel Maßnahmenentwicklung; der vollständige Plan in „massnahmenplan.xlsx“."
    )


def _deadline(text: str) -> str:
    """„in Kraft“ stays as it is; a date reads „Frist 01.01.2021“."""
    return html.escape(text if text == "in Kraft" else f"Frist {text}")
