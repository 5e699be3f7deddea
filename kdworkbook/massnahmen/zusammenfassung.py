"""The one-page Management-Zusammenfassung that opens the report.

Key figures of the Bestandsaufnahme and the Maßnahmenentwicklung (the chapters' own objects:
``ba.key_figures`` and ``Planung.kennzahlen``), the top group of the ranking with its measures,
the savings potential and – when the Rahmenbedingungen know them – the overdue legal duties.
One function per notebook cell; after a first report the box „Seit dem letzten Bericht“.
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd
from IPython.display import HTML, Markdown

from kdworkbook.bericht import anzeige
from kdworkbook.bestand.laden import Bestandsaufnahme
from kdworkbook.kern.formatierung import euro, literal, prozent, zahl
from kdworkbook.massnahmen import kapitel as massnahmen_ansicht
from kdworkbook.massnahmen.plan import Kennzahlen, Planung
from kdworkbook.massnahmen.zuordnung import PLAN_KEYS
from kdworkbook.rahmen import bedingungen, pflichten

NO_MEASURE = "keine – kein Maßnahmentyp passt (im Workshop klären)"
NONE_ASSIGNED = "keine – laut Zuordnung in der Parameterdatei"


def overview(ba: Bestandsaufnahme, p: Planung) -> Markdown:
    b, k, s = ba.key_figures, p.kennzahlen, p.settings
    return anzeige.text(
        f"Die **{literal(ba.settings.gemeinde)}** bearbeitet in {zahl(b.prozesse)} erhobenen "
        "Prozessen "
        f"{zahl(b.vorgaenge)} Vorgänge im Jahr; das sind {zahl(b.stunden)} Arbeitsstunden "
        f"({zahl(b.vzae, 1)} Vollzeitstellen, {euro(b.kosten_eur)} Personalkosten). "
        f"{zahl(k.ausgeschlossen)} Prozesse sind nicht digitalisierbar und nicht bewertet; "
        f"von den {zahl(k.geeignet)} geeigneten sind {zahl(k.quick_wins)} **Quick Wins**: "
        f"hoher Nutzen bei geringem Aufwand. {massnahmen_ansicht.selection_text(p)} "
        f"{saving_phrase(k)} kosten einmalig {euro(k.einmalkosten_eur)} und laufend "
        f"{euro(k.laufende_kosten_eur_jahr)} im "
        f"Jahr und sind mit {zahl(s.zeitkontingent_personentage)} Personentagen je Quartal"
        f"{massnahmen_ansicht.assumed(s, 'zeitkontingent_personentage')} bis {k.fertig} "
        f"umgesetzt. {literal(payback_sentence(p))}"  # names processes when savings miss
    )


def saving_phrase(k: Kennzahlen) -> str:
    """„Die 28 Maßnahmen sparen voraussichtlich **836 Stunden (21.335 €) pro Jahr**,“ – with
    „mindestens“ when processes are left out, or „Die Einsparung … ist nicht berechenbar;
    sie“ (:func:`kapitel.saving`); the sentence goes on with „kosten einmalig …“."""
    if k.einsparung_stunden is None:
        return (
            f"Die Einsparung der {zahl(k.massnahmen)} Maßnahmen ist "
            f"**{massnahmen_ansicht.NOT_COMPUTABLE}**; sie"
        )
    hours = massnahmen_ansicht.saving(k, k.einsparung_stunden, zahl, hours=True)
    money = massnahmen_ansicht.saving(k, k.einsparung_eur, euro)
    return (
        f"Die {zahl(k.massnahmen)} Maßnahmen sparen voraussichtlich **{hours} Stunden "
        f"({money}) pro Jahr**,"
    )


def payback_sentence(p: Planung, marked: str | None = None) -> str:
    """Payback of the programme; *marked* says where the processes that do not pay back
    within the horizon are named (default: flagged in the list of this page)."""
    k, horizon = p.kennzahlen, p.settings.amortisation_horizont_jahre
    if not k.einsparung_vollstaendig:
        text = f"{massnahmen_ansicht.gap_text(k)} {_partial_payback(k, horizon)}"
    elif k.amortisation_jahre is None:
        text = (
            "Die laufenden Kosten übersteigen die Einsparung: die Maßnahmen rechnen sich nicht "
            "über die Arbeitszeit allein, sondern über Pflichten und Servicequalität."
        )
    else:
        text = (
            "Sobald alle Maßnahmen wirken, spielt die Einsparung (abzüglich laufender Kosten) "
            f"die Einmalkosten in rund {zahl(k.amortisation_jahre, 1)} Jahren wieder ein"
            + (
                f" – später als der Planungshorizont von {zahl(horizon)} Jahren."
                if k.amortisation_jahre > horizon
                else "."
            )
        )
    if k.ueber_horizont:
        text += (
            f" Bei {zahl(k.ueber_horizont)} der {zahl(k.mit_massnahmen)} Prozesse mit "
            f"Maßnahmen dauert die Amortisation länger als {zahl(horizon)} Jahre oder kommt nie "
            f"({marked or f'in der Liste mit {massnahmen_ansicht.FLAG} markiert'})."
        )
    return text


def _partial_payback(k: Kennzahlen, horizon: float) -> str:
    """The payback when savings are left out: an upper bound, or not computable."""
    if k.einsparung_eur is None:
        return f"Die Amortisation ist {massnahmen_ansicht.NOT_COMPUTABLE}."
    if k.amortisation_jahre is None:
        return (
            f"Die Amortisation ist {massnahmen_ansicht.NOT_COMPUTABLE}: die berechenbare "
            "Einsparung deckt die laufenden Kosten nicht, die fehlende ist unbekannt."
        )
    return (
        "Sobald alle Maßnahmen wirken, spielt die Einsparung (abzüglich laufender Kosten) "
        f"die Einmalkosten in höchstens {zahl(k.amortisation_jahre, 1)} Jahren wieder ein "
        "(mit der fehlenden Einsparung früher)"
        + (
            f" – ohne sie später als der Planungshorizont von {zahl(horizon)} Jahren."
            if k.amortisation_jahre > horizon
            else "."
        )
    )


def key_figures(ba: Bestandsaufnahme, p: Planung) -> HTML:
    k = p.kennzahlen
    return anzeige.cards(
        {
            "Jahresstunden": zahl(ba.key_figures.stunden),
            "Quick Wins": zahl(k.quick_wins),
            "Maßnahmen": zahl(k.massnahmen),
            "Einsparung pro Jahr": massnahmen_ansicht.saving(k, k.einsparung_eur, euro),
            "Einsparung VZÄ": massnahmen_ansicht.saving(
                k, k.einsparung_vzae, lambda v: zahl(v, 1), hours=True
            ),
            "Einmalkosten": euro(k.einmalkosten_eur),
        }
    )


def since_last_report(ba: Bestandsaufnahme) -> HTML | None:
    """The box „Seit dem letzten Bericht“ – only when the report has the chapter
    Fortschreibung, from the chapter's own object (:func:`kdworkbook.steuerung.kapitel.load`)."""
    from kdworkbook.steuerung import kapitel as fortschreibung_ansicht

    return fortschreibung_ansicht.since_last_report(fortschreibung_ansicht.load(ba))


def top_heading(p: Planung) -> Markdown:
    return anzeige.text(f"## Die {zahl(p.settings.top_n)} vordringlichen Prozesse")


def top_table(p: Planung) -> pd.DataFrame:
    """The first ``top_n`` of the ranking (the chapter's Spitzengruppe, every rank) with their
    measures; a process without a fitting measure type says so."""
    per_process = p.processes.drop(columns=["quadrant"])
    last = p.measures.groupby(PLAN_KEYS, sort=False).agg(fertig=("fertig", "last")).reset_index()
    table = p.top[[*PLAN_KEYS, "quadrant"]].merge(per_process, on=PLAN_KEYS, how="left")
    table = table.merge(last, on=PLAN_KEYS, how="left")
    empty = table["bezeichnung"].isin([k for k, v in p.settings.zuordnung.items() if not v])
    table.loc[empty & table["massnahmen"].isna(), "massnahmen"] = NONE_ASSIGNED
    table["massnahmen"] = table["massnahmen"].fillna(NO_MEASURE)
    return table


def top_measures(p: Planung) -> HTML:
    table = top_table(p)
    planned = table["amortisation_jahre"].notna() | table["einmalkosten_eur"].notna()
    shown = massnahmen_ansicht.with_savings(massnahmen_ansicht.with_payback(p, table[planned]))
    table.loc[planned, "amortisation"] = shown["amortisation"]
    table["einsparung_eur"] = table["einsparung_eur"].astype(object)
    table.loc[planned, "einsparung_eur"] = shown["einsparung_eur"]
    table["ueber_horizont"] = table["ueber_horizont"].astype("boolean").fillna(False)
    lead = (
        f"<p>Die ersten {zahl(len(table))} der Rangfolge im Kapitel Maßnahmenentwicklung "
        "(geeignete Prozesse nach Prioritätswert, ohne Auslassung); die Einsparung gilt für "
        "alle Maßnahmen des Prozesses.</p>"
    )
    body = anzeige.table_html(
        table,
        {
            "rang": ("Rang", "int"),
            "bezeichnung": ("Prozess", "text"),
            "quadrant": ("Quadrant", "text"),
            "massnahmen": ("Maßnahmen", "text"),
            "einsparung_eur": ("Einsparung €/Jahr", "wert"),
            "amortisation": ("Amort. Jahre", "text"),
            "fertig": ("fertig", "text"),
        },
    )
    return HTML(lead + body + massnahmen_ansicht.horizon_note(p, table))


def overdue(ba: Bestandsaufnahme) -> HTML | None:
    """Overdue duties, duties whose status was never recorded, and the SDG share – when the
    Rahmenbedingungen know them; nothing otherwise.

    Overdue: a deadline passed on the Stichtag and the status „offen“ or „teilweise“. A
    status never recorded is its own group („Stand nicht erhoben“), never overdue.
    """
    table = bedingungen.duties(ba)
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
    sdg = _sdg_sentence(ba)
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


def _sdg_sentence(ba: Bestandsaufnahme) -> str:
    """The SDG share, same figures as in the Rahmenbedingungen (rahmen.summary)."""
    if bedingungen.catalogue_state(ba).katalog is None:
        return ""
    services = bedingungen.sdg_services(ba)
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
        f"{massnahmen_ansicht.steering_sentence(p.settings)} Einzelheiten, Annahmen und Quellen "
        "stehen im Kapitel Maßnahmenentwicklung; der vollständige Plan in „massnahmenplan.xlsx“."
    )


def summary_of(ba: Bestandsaufnahme, p: Planung) -> dict[str, Any]:
    """What the summary page shows, as numbers (the chapter's own objects)."""
    top = top_table(p)
    return {
        "bestand": ba.key_figures.as_dict(),
        "massnahmen": p.kennzahlen.as_dict(),
        "vordringlich": [
            {"rang": int(r), "bezeichnung": n}
            for r, n in zip(top["rang"], top["bezeichnung"], strict=True)
        ],
    }


def results(ba: Bestandsaufnahme, p: Planung) -> None:
    """Machine-readable figures of the summary (cell tagged ``ergebnisse``)."""
    anzeige.results({"zusammenfassung": summary_of(ba, p)})


def _deadline(text: str, art: str = "Frist") -> str:
    """A date reads „Frist 01.01.2021“; Daueraufgabe and „keine Frist“ stay as they are."""
    if art == "Daueraufgabe":
        return "Daueraufgabe"
    return html.escape(f"Frist {text}" if art == "Frist" else text)
