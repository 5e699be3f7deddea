"""The Rahmenbedingungen chapter: one function per notebook cell, each returning what to show.

Keeps ``notebooks/01_rahmenbedingungen.ipynb`` thin: the notebook only calls these.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd
from IPython.display import HTML, Markdown

from kdworkbook.bericht import anzeige
from kdworkbook.bestand.laden import Bestandsaufnahme
from kdworkbook.kern import defaults
from kdworkbook.kern.formatierung import datum, literal, prozent, zahl
from kdworkbook.rahmen import bedingungen as rahmen
from kdworkbook.rahmen import leika

if TYPE_CHECKING:  # matplotlib and the charts are loaded where a chart is drawn: the
    from matplotlib.figure import Figure  # runner's check uses this module without them


def _attrs(ba: Bestandsaufnahme) -> pd.DataFrame:
    attrs = rahmen.process_attributes(ba)
    return ba.data.drop(columns=[c for c in attrs if c in ba.data]).join(attrs)


def introduction(ba: Bestandsaufnahme) -> Markdown:
    s = ba.settings
    return anzeige.text(
        f"Dieses Kapitel beschreibt, was die **{literal(s.gemeinde)}** nach dem Recht, das "
        "am Stichtag "
        f"{datum(s.stichtag)} gilt (E-Government-Gesetz NRW, Onlinezugangsgesetz, "
        "E-Government-Gesetz des Bundes beim Vollzug von Bundesrecht, EU-Verordnung zum "
        "Single Digital Gateway), leisten muss und welche Fristen verstrichen sind, welche "
        "ihrer Prozesse sie selbst digitalisieren muss und welche zentral bereitgestellt "
        "werden, welche Prozesse sich nicht digitalisieren lassen und wie bereit die "
        "Verwaltung organisatorisch ist."
    )


# --------------------------------------------------------------------------- Zuständigkeit


def zustaendigkeit_text(ba: Bestandsaufnahme) -> Markdown:
    stand = rahmen.catalogue_state(ba)
    notes = [literal(stand.hinweis)] if stand.hinweis else []
    if stand.katalog is None:
        return anzeige.text(" ".join(notes))
    attrs = _attrs(ba)
    own = attrs["kommune_setzt_um"]
    hours = attrs["jahresstunden"]
    typ4b = ", ".join(literal(t) for t in ba.settings.rahmen.typ_4b) or "–"
    notes.insert(
        0,
        f"Grundlage ist der LeiKa-Katalog: {literal(stand.name)}, Stand {stand.stand}. "
        "Die Kommune muss "
        "Leistungen selbst digitalisieren, für die sie die Vollzugskompetenz (LeiKa-Typ 4b) "
        "oder die Regelungs- und Vollzugskompetenz (Typ 5) hat; Leistungen der Typen 1–3 "
        "werden meist einmal zentral gebaut („Einer für Alle“) und von der Kommune "
        f"angebunden. Als Typ 4b gilt der Katalogwert {typ4b} (Annahme, siehe Parameterdatei). "
        f"**{zahl(int(own.sum()))} von {zahl(len(attrs))} Prozessen** setzt die Kommune selbst "
        f"um; sie binden {prozent(hours[own].sum() / (hours.sum() or 1))} der Jahresstunden.",
    )
    return anzeige.text(" ".join(notes))


def zustaendigkeit_table(ba: Bestandsaufnahme) -> HTML:
    attrs = _attrs(ba)
    if rahmen.catalogue_state(ba).katalog is None:
        return HTML("")
    grouped = attrs.assign(
        zentral=attrs["zustaendigkeit"] == leika.ZENTRAL,
        unbekannt=attrs["zustaendigkeit"].isna(),
        stunden_kommune=attrs["jahresstunden"].where(attrs["kommune_setzt_um"], 0.0),
    ).groupby("fachamt", sort=False)
    table = grouped.agg(
        prozesse=("bezeichnung", "size"),
        kommune=("kommune_setzt_um", "sum"),
        zentral=("zentral", "sum"),
        unbekannt=("unbekannt", "sum"),
        stunden_kommune=("stunden_kommune", "sum"),
    ).reset_index()
    table = table.sort_values(["kommune", "prozesse"], ascending=False)
    columns = {
        "fachamt": ("Fachamt", "text"),
        "prozesse": ("Prozesse", "int"),
        "kommune": ("Kommune setzt um", "int"),
        "zentral": ("zentral", "int"),
        "unbekannt": ("Typ unbekannt", "int"),
        "stunden_kommune": ("Jahresstunden eigene", "int"),
    }
    total = {"fachamt": "Summe"} | {c: table[c].sum() for c in list(columns)[1:]}
    return anzeige.table(table, columns, total)


def own_processes(ba: Bestandsaufnahme, limit: int = 15) -> HTML:
    attrs = _attrs(ba)
    own = attrs[attrs["kommune_setzt_um"]].sort_values("jahresstunden", ascending=False)
    if own.empty:
        return HTML("")
    columns = {
        "bezeichnung": ("Prozess", "text"),
        "fachamt": ("Fachamt", "text"),
        "leika_typ": ("Typ", "text"),
        "themenfeld": ("Themenfeld", "text"),
        "jahresstunden": ("Jahresstunden", "int"),
    }
    head = f"<p>Die {zahl(min(limit, len(own)))} aufwendigsten selbst umzusetzenden Prozesse:</p>"
    return HTML(head + anzeige.table_html(own.head(limit), columns))


def review(ba: Bestandsaufnahme) -> HTML:
    attrs = _attrs(ba)
    if rahmen.catalogue_state(ba).katalog is None:
        return HTML("")
    counts = attrs["match_art"].value_counts()
    done = ", ".join(f"{k}: {zahl(int(counts[k]))}" for k in leika.MATCH_KINDS if k in counts)
    todo = leika.review_list(rahmen.process_attributes(ba), ba.data)
    text = f"<p>Zuordnung zum Katalog – {done}.</p>"
    if todo.empty:
        return HTML(text + "<p>Keine Zuordnung muss geprüft werden.</p>")
    columns = {
        "fachamt": ("Fachamt", "text"),
        "bezeichnung": ("Prozess", "text"),
        "vorschlag_bezeichnung": ("Vorschlag aus dem Katalog", "text"),
        "vorschlag_schluessel": ("Schlüssel", "text"),
        "match_score": ("Ähnlichkeit", "int"),
        "hinweis": ("Hinweis", "text"),
    }
    text += (
        f"<p>{zahl(len(todo))} Zuordnungen bitte prüfen. Vorschläge werden nicht übernommen, "
        "bis sie in der Parameterdatei unter „rahmen → zuordnung“ bestätigt sind:</p>"
    )
    return HTML(text + anzeige.table_html(todo, columns))


# --------------------------------------------------------------------------- Reifegrad


def reifegrad_text(ba: Bestandsaufnahme) -> Markdown:
    attrs = _attrs(ba)
    known = int(attrs["reifegrad"].notna().sum())
    if known == 0:
        return anzeige.text(
            "Die Bestandserhebung enthält keinen OZG-Reifegrad (Spalte „Reifegrad“, 0–4); "
            "die Auswertung entfällt."
        )
    share = rahmen.reifegrad_share(attrs)
    return anzeige.text(
        f"Für {zahl(known)} von {zahl(len(attrs))} Prozessen haben die Fachämter den "
        "OZG-Reifegrad angegeben (0 offline, 1 Information online, 2 Formular online, "
        "3 Online-Dienst mit Nachweisen, 4 volldigital). "
        f"**{prozent(share)}** davon erreichen Stufe {defaults.OZG_KONFORM_AB} oder mehr und "
        "gelten damit als OZG-konform."
    )


def reifegrad_chart(ba: Bestandsaufnahme) -> Figure | Markdown:
    from kdworkbook.rahmen import grafiken as rahmen_grafiken

    attrs = _attrs(ba)
    if attrs["reifegrad"].notna().sum() == 0:
        return anzeige.text("")
    return rahmen_grafiken.reifegrad_bars(attrs["reifegrad"], defaults.OZG_KONFORM_AB)


# --------------------------------------------------------------------------- Geeignetheit


def geeignetheit_text(ba: Bestandsaufnahme) -> Markdown:
    attrs = _attrs(ba)
    unsuitable = int((~attrs["geeignet"]).sum())
    rule = ba.settings.rahmen.wirtschaftlich_min_vorgaenge
    rule_text = (
        f" Als wirtschaftlich nicht geeignet gelten außerdem Prozesse mit weniger als "
        f"{zahl(rule)} Vorgängen im Jahr."
        if rule
        else ""
    )
    return anzeige.text(
        "Nicht jeder Prozess lässt sich digitalisieren: *faktisch* nicht (z. B. das Leeren von "
        "Mülltonnen), *rechtlich* nicht (z. B. eine Inaugenscheinnahme vor Ort) oder "
        "*wirtschaftlich* nicht (selten nachgefragt, Aufwand und Nutzen stehen in keinem "
        f"Verhältnis).{rule_text} **{zahl(unsuitable)} Prozesse** sind als nicht geeignet "
        "markiert; die Priorisierung lässt sie außen vor."
    )


def geeignetheit_table(ba: Bestandsaufnahme) -> HTML:
    attrs = _attrs(ba)
    unsuitable = attrs[~attrs["geeignet"]]
    if unsuitable.empty:
        return HTML("<p>Kein Prozess ist als nicht geeignet markiert.</p>")
    columns = {
        "bezeichnung": ("Prozess", "text"),
        "fachamt": ("Fachamt", "text"),
        "vorgaenge": ("Vorgänge/Jahr", "int"),
        "geeignetheit_grund": ("Grund", "text"),
        "geeignetheit_quelle": ("Quelle", "text"),
        "geeignetheit_notiz": ("Anmerkung", "text"),
    }
    return anzeige.table(unsuitable, columns)


# --------------------------------------------------------------------------- readiness


def readiness_radar(ba: Bestandsaufnahme) -> Figure | Markdown:
    from kdworkbook.rahmen import grafiken as rahmen_grafiken

    if not ba.settings.rahmen.reife.assessed:
        return anzeige.text(
            "Eine Selbsteinschätzung der organisatorischen Reife liegt nicht vor "
            "(Parameterdatei: rahmen → reife)."
        )
    table, _ = rahmen.readiness(ba)
    return rahmen_grafiken.readiness_radar(table)


def readiness_table(ba: Bestandsaufnahme) -> HTML:
    if not ba.settings.rahmen.reife.assessed:
        return HTML("")
    table, weak = rahmen.readiness(ba)
    pre = table[table["gruppe"] == "voraussetzungen"]
    state = {True: "ja", False: "nein", None: "nicht bewertet"}
    items = "".join(
        f"<li>{literal(row.bereich)}: {state[row.erfuellt]}</li>" for row in pre.itertuples()
    )
    parts = [f"<p>Voraussetzungen:</p><ul>{items}</ul>"]
    if weak.empty:
        parts.append("<p>Keine Schwachstelle in der Selbsteinschätzung.</p>")
    else:
        weak = weak.assign(
            bewertung=[
                "nein" if pd.isna(w) else f"{zahl(w)} von 5" for w in weak["wert"].astype(object)
            ]
        )
        parts.append(
            f"<p>Schwachstellen (Bewertung bis {zahl(ba.settings.rahmen.reife.schwach_bis)} "
            "oder fehlende Voraussetzung) und Empfehlungen:</p>"
        )
        parts.append(
            anzeige.table_html(
                weak,
                {
                    "bereich": ("Bereich", "text"),
                    "gruppe_name": ("Gruppe", "text"),
                    "bewertung": ("Bewertung", "text"),
                    "empfehlung": ("Empfehlung", "text"),
                },
            )
        )
    return HTML("".join(parts))


# --------------------------------------------------------------------------- outputs


def results(ba: Bestandsaufnahme) -> None:
    """Machine-readable key figures (cell tagged ``ergebnisse``)."""
    anzeige.results({"gemeinde": ba.settings.gemeinde, "rahmenbedingungen": rahmen.summary(ba)})


def appendix_sheets(ba: Bestandsaufnahme) -> dict[str, tuple[pd.DataFrame, dict]]:
    """Excel appendix: the duties in force with status, the SDG services of the survey, and
    the LeiKa attributes per process."""
    # dates stay dates (date cells in Excel); a deadline that is none reads as in the report
    duties = rahmen.duties(ba).assign(
        frist=lambda t: [
            f if isinstance(f, dt.date) else text
            for f, text in zip(t["frist"], t["frist_text"], strict=True)
        ]
    )
    return {
        "Pflichten": (
            duties,
            {
                "schluessel": ("Pflicht", "text"),
                "paragraph": ("Vorschrift", "text"),
                "beschreibung": ("Inhalt", "text"),
                "art": ("Art", "text"),
                "frist": ("Frist", "datum"),
                "gilt_ab": ("gilt ab", "datum"),
                "gilt_bis": ("gilt bis", "datum"),
                "status": ("Stand", "text"),
                "tage_ueberfaellig": ("Tage überfällig", "int"),
                "notiz": ("Anmerkung", "text"),
                "auslegung": ("Auslegung (mit der Kommunalaufsicht klären)", "text"),
                "fundstelle": ("Fundstelle", "text"),
                "quelle": ("Quelle", "text"),
            },
        ),
        "SDG-Leistungen": (
            rahmen.sdg_services(ba),
            {
                "fachamt": ("Fachamt", "text"),
                "bezeichnung": ("Prozess", "text"),
                "leika_schluessel": ("LeiKa-Schlüssel", "text"),
                "reifegrad": ("OZG-Reifegrad", "int"),
                "online": ("online", "text"),
            },
        ),
        "Rahmen je Prozess": (
            _attrs(ba),
            {
                "fachamt": ("Fachamt", "text"),
                "bezeichnung": ("Bezeichnung", "text"),
                "leika_schluessel": ("LeiKa-Schlüssel", "text"),
                "leika_typ": ("LeiKa-Typ", "text"),
                "zustaendigkeit": ("Zuständigkeit", "text"),
                "ozg_leistung": ("OZG-Leistung", "text"),
                "themenfeld": ("Themenfeld", "text"),
                "match_art": ("Zuordnung", "text"),
                "match_score": ("Ähnlichkeit", "int"),
                "vorschlag_bezeichnung": ("Vorschlag (prüfen)", "text"),
                "reifegrad": ("OZG-Reifegrad", "int"),
                "geeignetheit_grund": ("nicht geeignet (Grund)", "text"),
                "geeignetheit_quelle": ("Quelle Geeignetheit", "text"),
            },
        ),
    }
