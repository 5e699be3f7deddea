"""The duty and SDG part of the Rahmenbedingungen chapter: one function per notebook cell.

Shows the duties in force on the Stichtag with status and sources, what changed since the
previous report, contested points for the Kommunalaufsicht, and the SDG-relevant services.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import pandas as pd
from IPython.display import HTML, Markdown

from kdworkbook.bericht import anzeige
from kdworkbook.bestand.laden import Bestandsaufnahme
from kdworkbook.kern.formatierung import datum, literal, prozent, zahl
from kdworkbook.rahmen import bedingungen as rahmen
from kdworkbook.rahmen import pflichten

if TYPE_CHECKING:  # matplotlib and the charts are loaded where a chart is drawn: the
    from matplotlib.figure import Figure  # runner's check uses this module without them

# --------------------------------------------------------------------------- duties


def duty_cards(ba: Bestandsaufnahme) -> HTML:
    table = rahmen.duties(ba)
    counts = pflichten.status_counts(table)
    return anzeige.cards(
        {
            "Pflichten am Stichtag in Kraft": zahl(len(table)),
            "überfällig (Frist verstrichen)": zahl(int(table["ueberfaellig"].sum())),
            "erfüllt": zahl(counts["erfüllt"]),
            "teilweise": zahl(counts["teilweise"]),
            "offen": zahl(counts["offen"]),
            "Stand nicht erhoben": zahl(counts["unbekannt"]),
        }
    )


def duty_table(ba: Bestandsaufnahme) -> HTML:
    table = rahmen.duties(ba)
    table = table.assign(
        frist_anzeige=[
            pflichten.DAUERAUFGABE if r.art == pflichten.ART_DAUER else r.frist_text
            for r in table.itertuples()
        ],
        ueberfaellig_text=[_overdue_text(r) for r in table.itertuples()],
        anmerkung=[_remark(r) for r in table.itertuples()],
    )
    columns = {
        "paragraph": ("Vorschrift", "text"),
        "beschreibung": ("Pflicht", "text"),
        "frist_anzeige": ("Frist", "text"),
        "status": ("Stand", "text"),
        "ueberfaellig_text": ("überfällig", "text"),
        "anmerkung": ("Anmerkung", "text"),
    }
    return anzeige.table(table, columns)


def _overdue_text(row: Any) -> str:
    if row.ueberfaellig:
        return f"{zahl(row.tage_ueberfaellig)} Tage"
    if row.status == pflichten.STATUS_DEFAULT and row.faellig:
        return "Stand nicht erhoben"
    if row.art == pflichten.ART_DAUER and row.status in pflichten.STATUS_OVERDUE:
        return "Daueraufgabe, nicht erfüllt"
    if row.art == pflichten.ART_FRIST and not row.faellig:
        return "Frist läuft"
    return "–"


def _remark(row: Any) -> str:
    parts = [row.notiz] if row.notiz else []
    if row.auslegung:
        parts.append(f"{pflichten.AUSLEGUNG_HINWEIS} (siehe unten)")
    return "; ".join(parts)


def duty_timeline(ba: Bestandsaufnahme) -> Figure:
    from kdworkbook.rahmen import grafiken as rahmen_grafiken

    return rahmen_grafiken.deadline_timeline(rahmen.duties(ba), ba.settings.stichtag)


def duty_changes(ba: Bestandsaufnahme) -> HTML:
    """Box „Geändert seit …“: changes of the law since the previous report (if a date is set)."""
    changed = rahmen.duty_changes(ba)
    if changed is None:
        return HTML("")
    since = ba.settings.rahmen.geaendert_seit
    head = (
        f"<p><strong>Geändert seit {datum(since)}</strong> (bis zum Stichtag "
        f"{datum(ba.settings.stichtag)}):</p>"
    )
    if changed.empty:
        body = "<p>Keine Änderung der Pflichten im Register.</p>"
    else:
        body = '<ul class="kd-kurz">' + "".join(_change_item(r) for r in changed.itertuples())
        body += "</ul>"
    style = '<div style="border:1px solid #1f4e79;padding:0.3em 0.8em;margin:0.5em 0 1em">'
    return HTML(style + head + body + "</div>")


def _change_item(row: Any) -> str:
    what = html.escape(f"{row.paragraph} – {row.titel}")
    if row.art == "neu":
        return f"<li>{datum(row.datum)}: neu {what} ({html.escape(row.fundstelle)})</li>"
    follow = f", ersetzt durch „{html.escape(row.nachfolger)}“" if row.nachfolger else ""
    return f"<li>{datum(row.datum)}: entfallen {what}{follow}</li>"


def duty_interpretation(ba: Bestandsaufnahme) -> Markdown:
    """Contested points of the duties in force, each marked for the Kommunalaufsicht."""
    table = rahmen.duties(ba)
    contested = table[table["auslegung"] != ""]
    if contested.empty:
        return anzeige.text("")
    return anzeige.text(
        "\n".join(
            f"- **{r.paragraph}** ({pflichten.AUSLEGUNG_HINWEIS}): {r.auslegung}"
            for r in contested.itertuples()
        )
    )


def duty_sources(ba: Bestandsaufnahme) -> Markdown:
    extra = ba.settings.rahmen.zusatz_register
    more = f" und im Zusatzregister „{literal(extra.name)}“" if extra else ""
    table = rahmen.duties(ba)
    sources = "\n".join(
        f"- {literal(r.paragraph)}: {literal(r.fundstelle)}; geprüft an: {literal(r.quelle)}"
        for r in table.itertuples()
    )
    return anzeige.text(
        "*Überfällig* heißt: die Frist einer Pflicht ist am Stichtag verstrichen und ihr Stand "
        "ist „offen“ oder „teilweise“; die Tage zählen ab dem Fristdatum. Daueraufgaben haben "
        "keine Frist und zählen nie als überfällig – sie stehen mit ihrem Stand in der "
        "Tabelle. Ein nie erhobener Stand („Stand nicht erhoben“) zählt nicht als überfällig, "
        "sondern ist im Workshop zu klären. Es gelten die Pflichten, die am Stichtag in Kraft "
        f"sind (Pflichtenregister{more}, Excel-Anhang Blatt „Pflichten“). Fundstellen und "
        f"Quellen:\n\n{sources}"
    )


# --------------------------------------------------------------------------- SDG


def sdg_text(ba: Bestandsaufnahme) -> Markdown:
    if rahmen.catalogue_state(ba).katalog is None:
        return anzeige.text(
            "Ohne LeiKa-Katalog ist nicht bekannt, welche Prozesse unter die SDG-Verordnung "
            "fallen; die Auswertung entfällt."
        )
    services = rahmen.sdg_services(ba)
    if services.empty:
        return anzeige.text(
            "Keiner der erhobenen Prozesse ist im Katalog als SDG-relevant markiert."
        )
    known = int(services["online"].notna().sum())
    share = pflichten.sdg_share(services)
    level = ba.settings.rahmen.sdg_online_ab
    share_text = (
        f"**{prozent(share)}** davon sind mit Reifegrad {level} oder mehr online"
        if share is not None
        else "der Anteil online ist nicht berechenbar (kein Reifegrad erhoben)"
    )
    return anzeige.text(
        "Die EU-Verordnung zum Single Digital Gateway (VO (EU) 2018/1724) verlangt, dass die "
        "Verfahren ihres Anhangs II seit dem 12.12.2023 vollständig online angeboten werden. "
        f"**{zahl(len(services))} der erhobenen Prozesse** sind im Leistungskatalog als "
        f"SDG-relevant markiert. Für {zahl(known)} von ihnen ist der Reifegrad erhoben; "
        f"{share_text}."
    )


#: SDG services listed in the report: the ones not online first; all of them are in the
#: appendix. 100 keeps the demo's 93 whole and a 200.000-process survey's report a report.
SDG_REPORT_ROWS = 100


def sdg_table(ba: Bestandsaufnahme) -> HTML:
    if rahmen.catalogue_state(ba).katalog is None:
        return HTML("")
    services = rahmen.sdg_services(ba)
    if services.empty:
        return HTML("")
    services = services.assign(
        stand=[
            "nicht erhoben" if pd.isna(o) else ("online" if o else "nicht online")
            for o in services["online"].astype(object)
        ]
    ).sort_values(["stand", "fachamt", "bezeichnung"])
    columns = {
        "fachamt": ("Fachamt", "text"),
        "bezeichnung": ("Prozess", "text"),
        "leika_schluessel": ("LeiKa-Schlüssel", "text"),
        "reifegrad": ("Reifegrad", "int"),
        "stand": ("Stand", "text"),
    }
    where = "in anhang.xlsx, Blatt „SDG-Leistungen“"
    return HTML(anzeige.top_table_html(services, columns, SDG_REPORT_ROWS, where))
