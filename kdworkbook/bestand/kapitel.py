"""The Bestandsaufnahme chapter: one function per notebook cell, each returning what to show.

Keeps ``notebooks/02_bestandsaufnahme.ipynb`` thin: the notebook only calls these.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import pandas as pd
from IPython.display import HTML, Markdown

from kdworkbook.bericht import anzeige
from kdworkbook.bestand import kennzahlen as bestand
from kdworkbook.bestand.laden import Bestandsaufnahme
from kdworkbook.kern import defaults
from kdworkbook.kern.formatierung import datum, euro, literal, prozent, zahl
from kdworkbook.rahmen import geeignetheit

if TYPE_CHECKING:  # matplotlib and the charts are loaded where a chart is drawn: the
    from matplotlib.figure import Figure  # runner's check uses this module without them

FIGURE_COLUMNS = {
    "prozesse": ("Prozesse", "int"),
    "vorgaenge": ("Vorgänge/Jahr", "int"),
    "jahresstunden": ("Jahresstunden", "int"),
    "personalkosten_eur": ("Personalkosten", "eur"),
    "vzae": ("VZÄ", "dez1"),
    "anteil_stunden": ("Anteil Stunden", "pct"),
}
PROCESS_COLUMNS = {
    "bezeichnung": ("Prozess", "text"),
    "fachamt": ("Fachamt", "text"),
    "vorgaenge": ("Vorgänge/Jahr", "int"),
    "minuten": ("Min./Vorgang", "dez1"),
    "jahresstunden": ("Jahresstunden", "int"),
    "personalkosten_eur": ("Personalkosten", "eur"),
}
#: Rows of the Pareto table in the report (the demo's 49 Pareto processes fit); the Excel
#: appendix lists every process with its Jahresstunden.
PARETO_ROWS = 50
APPENDIX = "im Excel-Anhang (anhang.xlsx)"
PROPERTY_TITLES = {
    "laufbahngruppe": "Laufbahngruppe der bearbeitenden Stelle",
    "koordination": "Beteiligte Stellen",
    "rechtliche_besonderheiten": "Rechtliche Besonderheiten",
}


def introduction(ba: Bestandsaufnahme) -> Markdown:
    s = ba.settings
    files = ", ".join(f"„{literal(p.name)}“" for p in ba.survey.files)
    return anzeige.text(
        f"Grundlage ist die Bestandserhebung der **{literal(s.gemeinde)}** "
        f"(Stand: {datum(s.stichtag)}): {zahl(len(ba.data))} Prozesse aus "
        f"{zahl(ba.data['fachamt'].nunique())} Fachämtern, erhoben in {files}. Für jeden "
        "Prozess wurden die Vorgänge pro Jahr, der zeitliche Aufwand je Vorgang, die Stufe der "
        "bearbeitenden Stelle, die beteiligten Stellen und rechtliche Besonderheiten erfasst. "
        "Daraus ergeben sich nach dem Standardkostenmodell Jahresstunden, Personalkosten und "
        "Vollzeitäquivalente (VZÄ)."
    )


def key_figures(ba: Bestandsaufnahme) -> HTML:
    k = ba.key_figures
    return anzeige.cards(
        {
            "Prozesse": zahl(k.prozesse),
            "Fachämter": zahl(k.fachaemter),
            "Vorgänge pro Jahr": zahl(k.vorgaenge),
            "Jahresstunden": zahl(k.stunden),
            "Personalkosten pro Jahr": euro(k.kosten_eur),
            "Vollzeitäquivalente": zahl(k.vzae, 1),
        }
    )


def fachamt_table(ba: Bestandsaufnahme) -> HTML:
    totals = bestand.by_fachamt(ba.data)
    columns = {"fachamt": ("Fachamt", "text"), **FIGURE_COLUMNS}
    k = ba.key_figures
    total = {
        "fachamt": "Summe",
        "prozesse": k.prozesse,
        "vorgaenge": k.vorgaenge,
        "jahresstunden": k.stunden,
        "personalkosten_eur": k.kosten_eur,
        "vzae": k.vzae,
        "anteil_stunden": 1.0,
    }
    return anzeige.table(totals, columns, total)


def fachamt_chart(ba: Bestandsaufnahme) -> Figure:
    from kdworkbook.bericht import grafiken

    return grafiken.fachamt_bars(bestand.by_fachamt(ba.data))


def pareto_summary(ba: Bestandsaufnahme) -> Markdown:
    share = ba.settings.pareto_anteil
    count = bestand.pareto_count(ba.data, share)
    total = len(ba.data)
    return anzeige.text(
        f"**{zahl(count)} von {zahl(total)} Prozessen** ({prozent(count / total)}) verursachen "
        f"{prozent(share, 0)} der Jahresstunden. Hier lohnt Digitalisierung am meisten: "
        "jede eingesparte Minute wirkt bei diesen Prozessen besonders oft."
        + _unsuitable_among(ba, count)
    )


def _unsuitable_among(ba: Bestandsaufnahme, count: int) -> str:
    labelled = ba.data.assign(geeignetheit=geeignetheit_column(ba))
    n = int((bestand.pareto(labelled).head(count)["geeignetheit"] != "").sum())
    if not n:
        return ""
    return (
        f" Ausgenommen {'ist' if n == 1 else 'sind'} {zahl(n)} davon, als nicht geeignet "
        "gekennzeichnet (in der Tabelle beim Namen): sie verursachen Arbeit, sind aber keine "
        "Kandidaten für die Digitalisierung."
    )


def pareto_chart(ba: Bestandsaufnahme) -> Figure:
    from kdworkbook.bericht import grafiken

    share = ba.settings.pareto_anteil
    return grafiken.pareto_chart(
        bestand.pareto(ba.data), share, bestand.pareto_count(ba.data, share)
    )


def pareto_table(ba: Bestandsaufnahme) -> HTML:
    """The processes causing the Pareto share of the hours; a process marked not suitable
    stays in (it causes the hours) but carries its reason after its name."""
    count = bestand.pareto_count(ba.data, ba.settings.pareto_anteil)
    labelled = ba.data.assign(geeignetheit=geeignetheit_column(ba))
    top = bestand.pareto(labelled).head(count)
    marked = top["geeignetheit"] != ""
    top.loc[marked, "bezeichnung"] = top["bezeichnung"] + " – " + top["geeignetheit"]
    columns = {"rang": ("Rang", "int"), **PROCESS_COLUMNS, "kum_anteil": ("kumuliert", "pct")}
    where = f"{APPENDIX}, Blatt „Prozesse“"
    return HTML(anzeige.top_table_html(top, columns, PARETO_ROWS, where))


def distributions(ba: Bestandsaufnahme) -> Figure:
    from kdworkbook.bericht import grafiken

    return grafiken.distributions(ba.data)


def property_table(ba: Bestandsaufnahme, prop: str) -> HTML:
    totals = bestand.by_property(_labelled(ba), prop)
    return anzeige.table(totals, {prop: (PROPERTY_TITLES[prop], "text"), **FIGURE_COLUMNS})


def property_chart(ba: Bestandsaufnahme, prop: str) -> Figure:
    from kdworkbook.bericht import grafiken

    totals = bestand.by_property(_labelled(ba), prop)
    return grafiken.property_bars(totals, prop, PROPERTY_TITLES[prop])


def _labelled(ba: Bestandsaufnahme) -> Any:
    """Readable values for the property tables (names instead of codes)."""
    return ba.data.assign(
        laufbahngruppe=ba.data["laufbahngruppe"].map(
            lambda g: defaults.LAUFBAHNGRUPPE_NAMEN.get(g, g)
        ),
        rechtliche_besonderheiten=ba.data["rechtliche_besonderheiten"].map(
            {0: "keine", 1: "vorhanden"}
        ),
    )


def geeignetheit_column(ba: Bestandsaufnahme) -> pd.Series:
    """Per row of ``ba.data``: „nicht geeignet (rechtlich)“ etc. (chapter Rahmenbedingungen),
    "" for a suitable process."""
    from kdworkbook.rahmen import (
        bedingungen as rahmen,  # reads the catalogue; only where the column is shown
    )

    return geeignetheit.reason_label(rahmen.process_attributes(ba))


def _suitable(ba: Bestandsaufnahme, short: bool = False) -> tuple[pd.DataFrame, str]:
    """Survey rows that may appear as candidates, and a German note naming the others
    (*short*: only their number, when the list was given above)."""
    label = geeignetheit_column(ba)
    out = ba.data[label != ""]
    note = ""
    if len(out) and short:
        note = f"<p>Ohne die {zahl(len(out))} als nicht geeignet gekennzeichneten Prozesse.</p>"
    elif len(out):
        names = ", ".join(
            f"{b} {g.removeprefix('nicht geeignet ')}"
            for b, g in zip(out["bezeichnung"], label[label != ""], strict=True)
        )
        note = (
            f"<p>Ausgenommen sind die {zahl(len(out))} als nicht geeignet gekennzeichneten "
            f"Prozesse (Kapitel Rahmenbedingungen): {html.escape(names)}.</p>"
        )
    return ba.data[label == ""], note


def candidates(ba: Bestandsaufnahme, limit: int = 15) -> HTML:
    data, note = _suitable(ba)
    top = bestand.simple_candidates(data).head(limit)
    if top.empty:
        return HTML(
            "<p>Kein geeigneter Prozess ohne rechtliche Besonderheiten mit nur einer Stelle.</p>"
            + note
        )
    return HTML(anzeige.table_html(top, PROCESS_COLUMNS) + note)


def sorted_processes(ba: Bestandsaufnahme, limit: int = 25) -> HTML:
    data, note = _suitable(ba, short=True)
    top = bestand.sort_by_properties(data).head(limit)
    columns = {
        "bezeichnung": ("Prozess", "text"),
        "fachamt": ("Fachamt", "text"),
        "rechtliche_besonderheiten": ("Recht", "int"),
        "beteiligte_stellen": ("Stellen", "int"),
        "stufe": ("Stufe", "int"),
        "jahresstunden": ("Jahresstunden", "int"),
    }
    return HTML(anzeige.table_html(top, columns) + note)


def data_quality(ba: Bestandsaufnahme) -> HTML:
    s = ba.settings
    findings = bestand.quality_warnings(ba.data, s.plausibel_max_minuten, s.plausibel_max_vorgaenge)
    notes = "".join(f"<li>{literal(n)}</li>" for n in ba.survey.notes)
    parts = [
        f"<p>Alle {zahl(len(ba.data))} Zeilen wurden gegen das Datenschema der "
        "Bestandserhebung geprüft (Zahlen, Wertebereiche, Pflichtfelder, Dubletten); "
        "Fehler hätten den Lauf verhindert.</p>"
    ]
    if notes:
        parts.append(f"<p>Hinweise zum Einlesen:</p><ul>{notes}</ul>")
    if findings.empty:
        parts.append("<p>Keine auffälligen Werte.</p>")
    else:
        parts.append(
            f"<p>{zahl(len(findings))} auffällige Werte – bitte mit dem Fachamt "
            "klären (kein Fehler, die Werte gehen so in die Auswertung ein):</p>"
        )
        if len(findings) > anzeige.REPORT_ROWS:
            counts = findings["hinweis"].value_counts(sort=False)
            parts.append(
                "<ul>" + "".join(f"<li>{n}: {zahl(c)}</li>" for n, c in counts.items()) + "</ul>"
            )
        parts.append(
            anzeige.top_table_html(
                findings,
                FINDING_COLUMNS,
                anzeige.REPORT_ROWS,
                f"{APPENDIX}, Blatt „Auffällige Werte“",
            )
        )
    return HTML("".join(parts))


FINDING_COLUMNS = {
    "datei": ("Datei", "text"),
    "zeile": ("Zeile", "int"),
    "fachamt": ("Fachamt", "text"),
    "bezeichnung": ("Prozess", "text"),
    "hinweis": ("Hinweis", "text"),
}


def return_status(ba: Bestandsaufnahme) -> HTML | None:
    """Which Fachämter returned the survey (only when the survey came from
    ``kdworkbook umfrage-einlesen``); nothing otherwise."""
    if ba.ruecklauf is None or ba.ruecklauf.empty:
        return None
    from kdworkbook.umfrage.ruecklauf import STATUS_COLUMNS

    status = ba.ruecklauf
    missing = status.loc[status["status"] == "fehlt", "fachamt"].tolist()
    known = "versand_bekannt" in status and bool(status["versand_bekannt"].fillna(False).all())
    if missing:
        lead = f"<p>Noch ausstehend: {', '.join(literal(m) for m in missing)}.</p>"
    elif known and (status["status"] == "zurück").all():
        lead = "<p>Alle Fachämter haben die Erhebung zurückgegeben.</p>"
    elif known:
        lead = "<p>Alle angeschriebenen Fachämter haben geantwortet; Hinweise in der Tabelle.</p>"
    else:
        lead = (
            "<p>Welche Fachämter eine Arbeitsmappe bekommen haben, ist nicht bekannt (keine "
            "Versandliste von „kdworkbook umfrage“); die Tabelle zeigt, was zurückkam.</p>"
        )
    return HTML(
        "<h3>Rücklauf der Erhebung</h3>" + lead + anzeige.table_html(ba.ruecklauf, STATUS_COLUMNS)
    )


def assumptions(ba: Bestandsaufnahme) -> HTML:
    s = ba.settings
    rows = [
        {
            "wert": f"Stundensatz {defaults.LAUFBAHNGRUPPE_NAMEN.get(g, g)}",
            "betrag": euro(rate, 2) + "/h",
            "quelle": defaults.LOHNKOSTEN_QUELLE,
        }
        for g, rate in s.stundensaetze.items()
    ]
    stufen = "; ".join(
        f"{st} → {defaults.LAUFBAHNGRUPPE_NAMEN.get(g, g)}" for st, g in sorted(s.stufen.items())
    )
    rows += [
        {
            "wert": "Jahresarbeitsstunden je VZÄ",
            "betrag": zahl(s.jahresarbeitsstunden) + " h",
            "quelle": "Standardkostenmodell: 200 Arbeitstage × 8 h",
        },
        {
            "wert": "Stufe → Laufbahngruppe",
            "betrag": stufen,
            "quelle": "Annahme des Projekts, mit der Kommune abzustimmen",
        },
        {"wert": "Pareto-Schwelle", "betrag": prozent(s.pareto_anteil, 0), "quelle": "80/20-Regel"},
    ]
    return anzeige.table(
        pd.DataFrame(rows),
        {"wert": ("Annahme", "text"), "betrag": ("Wert", "text"), "quelle": ("Quelle", "text")},
    )


def summary(ba: Bestandsaufnahme) -> dict[str, Any]:
    """Key figures of the step, as in ``kdworkbook check --json`` under ``bestand``."""
    return ba.key_figures.as_dict() | {
        "pareto_prozesse": bestand.pareto_count(ba.data, ba.settings.pareto_anteil)
    }


def results(ba: Bestandsaufnahme) -> None:
    """Machine-readable key figures (cell tagged ``ergebnisse``)."""
    anzeige.results({"gemeinde": ba.settings.gemeinde, "bestand": summary(ba)})


def appendix_sheets(ba: Bestandsaufnahme) -> dict[str, tuple[pd.DataFrame, dict]]:
    """Sheets of the Excel appendix: all processes with figures, totals per Fachamt, and
    every implausible value (the report shows the first of them).

    Processes marked not suitable are listed last, with their reason – never among the
    candidates at the top."""
    labelled = ba.data.assign(geeignetheit=geeignetheit_column(ba))
    processes = pd.concat(
        [
            bestand.sort_by_properties(labelled[labelled["geeignetheit"] == ""]),
            bestand.sort_by_properties(labelled[labelled["geeignetheit"] != ""]),
        ],
        ignore_index=True,
    )
    process_columns = {
        "fachamt": ("Fachamt", "text"),
        "leistung": ("Leistung", "text"),
        "verrichtung": ("Verrichtung", "text"),
        "bezeichnung": ("Bezeichnung", "text"),
        "leika_schluessel": ("LeiKa-Schlüssel", "text"),
        "vorgaenge": ("Vorgänge pro Jahr", "int"),
        "minuten": ("Minuten je Vorgang", "dez1"),
        "stufe": ("Stufe", "int"),
        "beteiligte_stellen": ("Beteiligte Stellen", "int"),
        "rechtliche_besonderheiten": ("Rechtliche Besonderheiten", "int"),
        "stundensatz_eur": ("Stundensatz €/h", "eur2"),
        "jahresstunden": ("Jahresstunden", "dez1"),
        "personalkosten_eur": ("Personalkosten €", "eur"),
        "vzae": ("VZÄ", "dez2"),
        "geeignetheit": ("Geeignetheit", "text"),
        "datei": ("Quelldatei", "text"),
        "zeile": ("Zeile", "int"),
    }
    return {
        "Prozesse": (processes, process_columns),
        "Fachämter": (
            bestand.by_fachamt(ba.data),
            {"fachamt": ("Fachamt", "text"), **FIGURE_COLUMNS},
        ),
        "Auffällige Werte": (
            bestand.quality_warnings(
                ba.data, ba.settings.plausibel_max_minuten, ba.settings.plausibel_max_vorgaenge
            ),
            FINDING_COLUMNS,
        ),
    }
