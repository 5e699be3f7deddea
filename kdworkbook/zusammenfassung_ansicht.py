"""The one-page Management-Zusammenfassung that opens the report.

Key figures of the Bestandsaufnahme and the Maßnahmenentwicklung, the ten most urgent
processes with their measures, the savings potential and – when the Rahmenbedingungen know
them – the overdue legal duties. One function per notebook cell.
"""

from __future__ import annotations

import html

import pandas as pd
from IPython.display import HTML, Markdown

from kdworkbook import anzeige, massnahmen_ansicht, pflichten
from kdworkbook.formatierung import euro, prozent, zahl
from kdworkbook.laden import Bestandsaufnahme
from kdworkbook.massnahmenplan import Planung


def overview(ba: Bestandsaufnahme, p: Planung) -> Markdown:
    k, s = ba.key_figures, p.settings
    pr = p.processes
    saved, costs = pr["einsparung_eur"].sum(), pr["einmalkosten_eur"].sum()
    return anzeige.text(
        f"Die **{ba.settings.gemeinde}** bearbeitet in {zahl(k.prozesse)} erhobenen Prozessen "
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
    """Overdue duties, duties whose status was never recorded, and the SDG share – when the
    Rahmenbedingungen know them; nothing otherwise.

    Overdue: a deadline passed on the Stichtag and the status „offen“ or „teilweise“. A
    status never recorded is its own group („Stand nicht erhoben“), never overdue.
    """
    rahmen = massnahmen_ansicht._rahmen()
    if rahmen is None or not hasattr(rahmen, "duties"):
        return None
    table = rahmen.duties(ba)
    late = table[table["ueberfaellig"].astype(bool)]
    parts = [
        _duty_list("Überfällige gesetzliche Pflichten", late, with_days=True)
        if not late.empty
        else "<p><strong>Gesetzliche Pflichten:</strong> keine Frist überschritten.</p>"
    ]
    unknown = pflichten.unknown(table)
    if not unknown.empty:
        parts.append(_duty_list("Stand nicht erhoben – im Workshop klären", unknown))
    parts.append(
        "<p><em>Überfällig</em> heißt: die Frist ist am Stichtag verstrichen und der Stand ist "
        "„offen“ oder „teilweise“. Daueraufgaben und nicht erhobene Stände zählen nicht als "
        "überfällig.</p>"
    )
    sdg = _sdg_sentence(ba, rahmen)
    if sdg:
        parts.append(sdg)
    return HTML("".join(parts))


def _duty_list(title: str, table: pd.DataFrame, with_days: bool = False) -> str:
    items = "".join(
        f"<li>{html.escape(str(r.paragraph))} {html.escape(str(r.titel))} – "
        + _deadline(str(r.frist_text), str(r.art))
        + (
            f", seit {zahl(int(r.tage_ueberfaellig))} Tagen überfällig"
            if with_days and not pd.isna(r.tage_ueberfaellig) and r.tage_ueberfaellig > 0
            else ""
        )
        + "</li>"
        for r in table.itertuples()
    )
    return (
        f"<p><strong>{html.escape(title)} ({zahl(len(table))}):</strong></p>"
        f'<ul class="kd-kurz">{items}</ul>'
    )


def _sdg_sentence(ba: Bestandsaufnahme, rahmen: object) -> str:
    """The SDG share, same figures as in the Rahmenbedingungen (rahmen.summary)."""
    if not hasattr(rahmen, "sdg_services") or rahmen.catalogue_state(ba).katalog is None:
        return ""
    services = rahmen.sdg_services(ba)
    if services.empty:
        return ""
    share = pflichten.sdg_share(services)
    known = int(services["online"].notna().sum())
    online = int(services["online"].fillna(False).astype(bool).sum())
    tail = (
        f"{zahl(online)} von {zahl(known)} mit erhobenem Reifegrad sind online ({prozent(share)})"
        if share is not None
        else "der Anteil online ist nicht berechenbar (kein Reifegrad erhoben)"
    )
    return (
        f"<p><strong>Single Digital Gateway (EU, Frist 12.12.2023):</strong> "
        f"{zahl(len(services))} erhobene Prozesse sind SDG-relevant; {tail}.</p>"
    )


def steering(p: Planung) -> Markdown:
    return anzeige.text(
        f"Steuerung: {p.settings.lenkungsgremium}. Einzelheiten, Annahmen und Quellen stehen "
        "im Kapitel Maßnahmenentwicklung; der vollständige Plan in „massnahmenplan.xlsx“."
    )


def _deadline(text: str, art: str = "Frist") -> str:
    """A date reads „Frist 01.01.2021“; Daueraufgabe and „keine Frist“ stay as they are."""
    if art == "Daueraufgabe":
        return "Daueraufgabe"
    return html.escape(f"Frist {text}" if art == "Frist" else text)
