"""The Maßnahmenentwicklung chapter: one function per notebook cell, plus check/Excel hooks.

:func:`process_table` is the one place where the Rahmenbedingungen (Zuständigkeit,
Geeignetheit, Reifegrad from :mod:`kdworkbook.rahmen.bedingungen`) join the survey; :func:`planung`
computes the step once per Bestandsaufnahme.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pandas as pd
from IPython.display import HTML, Markdown

from kdworkbook.bericht import anzeige
from kdworkbook.bestand.laden import Bestandsaufnahme
from kdworkbook.kern import defaults
from kdworkbook.kern.formatierung import datum, euro, literal, prozent, zahl
from kdworkbook.massnahmen import plan as massnahmenplan
from kdworkbook.massnahmen import priorisierung
from kdworkbook.massnahmen.einstellungen import MassnahmenSettings
from kdworkbook.massnahmen.plan import Kennzahlen, Planung
from kdworkbook.rahmen import bedingungen

if TYPE_CHECKING:  # matplotlib and the charts are loaded where a chart is drawn: the
    from matplotlib.figure import Figure  # runner's check uses this module without them

#: Marks a default the parameter file does not state: shown, never as a fact.
ANNAHME = "Annahme – im Workshop bestätigen"
#: Marks a payback beyond the planning horizon (explained below each table that shows it).
FLAG = "*"
#: Shown for a saving (or a payback) whose inputs are missing – never 0.
NOT_COMPUTABLE = "nicht berechenbar"
#: Processes named one by one in the note on missing savings; more are counted.
GAP_NAMES = 5

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


def process_table(ba: Bestandsaufnahme, demand: bool = True) -> pd.DataFrame:
    """Survey with figures, joined with :func:`kdworkbook.rahmen.bedingungen.process_attributes`
    where that exists (its values win; a missing value falls back to the survey's), and with
    the Bürgernachfrage of the citizen survey where the parameter file names its result –
    unless *demand* is False (the ranking as it would be without the citizen survey; the
    LeiKa matching of *ba* is reused, not computed again for changed settings)."""
    from kdworkbook.buergerbefragung.dateien import with_demand

    attributes = bedingungen.process_attributes(ba)
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
    return with_demand(ba.settings, table) if demand else table


def overdue_duties(ba: Bestandsaufnahme) -> pd.DataFrame | None:
    """Overdue legal duties from the Rahmenbedingungen, or None when not known."""
    table = bedingungen.duties(ba)
    return table[table["ueberfaellig"].astype(bool)]


def planung(ba: Bestandsaufnahme) -> Planung:
    """The step's results for this municipality, computed once per Bestandsaufnahme: ``check``,
    ``massnahmenplan.xlsx``, the Management-Zusammenfassung and this chapter show the same
    object (a run hands it to the kernels, :mod:`kdworkbook.lauf.vorberechnung`)."""
    return ba.once("planung", lambda: compute_planung(ba))


def compute_planung(ba: Bestandsaufnahme) -> Planung:
    """Prioritisation with sensitivity analysis, measures, Zeitplan and Kostenplan."""
    s = ba.settings
    return massnahmenplan.plan(process_table(ba), s.massnahmen, s.stichtag, s.jahresarbeitsstunden)


# --- notebook cells ---------------------------------------------------------------------


def introduction(ba: Bestandsaufnahme, p: Planung) -> Markdown:
    s, k = p.settings, p.kennzahlen
    return anzeige.text(
        f"Welche Prozesse der **{literal(ba.settings.gemeinde)}** sollen zuerst "
        "digitalisiert werden? "
        f"Bewertet wurden {zahl(k.geeignet)} geeignete Prozesse nach ihrem **Nutzen** und "
        f"ihrem **Aufwand**; {zahl(k.ausgeschlossen)} Prozesse sind als nicht geeignet "
        f"ausgeschlossen und erscheinen in keiner Rangfolge. {selection_text(p)} Die "
        f"{zahl(k.massnahmen)} Maßnahmen sind ab dem {datum(p.start)} mit einem Zeitkontingent "
        f"von {zahl(s.zeitkontingent_personentage)} Personentagen je Quartal eingeplant"
        f"{assumed(s, 'zeitkontingent_personentage')}."
    )


def assumed(s: MassnahmenSettings, key: str) -> str:
    """„ (Annahme – im Workshop bestätigen)“ when *key* is a default, not from the file."""
    return "" if key in s.model_fields_set else f" ({ANNAHME})"


def _ranks(table: pd.DataFrame) -> str:
    ranks = [zahl(r) for r in table["rang"]]
    return ranks[0] if len(ranks) == 1 else ", ".join(ranks[:-1]) + " und " + ranks[-1]


def selection_text(p: Planung) -> str:
    """Which processes receive measures and why – the same sentence in the chapter and in the
    management summary (ranks chosen, processes without a fitting measure type, assignments)."""
    s, k, chosen = p.settings, p.kennzahlen, p.chosen
    by_rank = chosen[chosen["auswahl"] == massnahmenplan.BY_RANK]
    extra = chosen[chosen["auswahl"] == massnahmenplan.BY_ASSIGNMENT]
    text = f"Maßnahmen erhalten die {zahl(len(by_rank))} bestplatzierten geeigneten Prozesse"
    if len(by_rank) < s.prozesse:
        text += f" (vorgesehen waren {zahl(s.prozesse)}; mehr geeignete Prozesse gibt es nicht)"
    if len(extra):
        names = ", ".join(
            f"„{n}“ (Rang {zahl(r)})"
            for n, r in zip(extra["bezeichnung"], extra["rang"], strict=True)
        )
        text += f" und, per Zuordnung in der Parameterdatei, {names}"
    text += f": zusammen {zahl(k.ausgewaehlt)} Prozesse"
    none = p.without_measures
    empty = none["bezeichnung"].isin([k for k, v in s.zuordnung.items() if not v])
    no_rule, by_file = none[~empty], none[empty]
    if len(none):
        text += f"; {zahl(k.mit_massnahmen)} davon erhalten mindestens eine Maßnahme."
        if len(no_rule):
            text += (
                f" Für {zahl(len(no_rule))} (Rang {_ranks(no_rule)}) passt kein "
                "Standard-Maßnahmentyp – keine Regel der Maßnahmentypen trifft zu; im Workshop "
                "klären."
            )
        if len(by_file):
            text += (
                f" {zahl(len(by_file))} (Rang {_ranks(by_file)}) "
                f"{'erhält' if len(by_file) == 1 else 'erhalten'} laut Zuordnung in der "
                "Parameterdatei keine Maßnahme."
            )
    else:
        text += ", jeder mit mindestens einer Maßnahme."
    return text


def key_figures(p: Planung) -> HTML:
    k = p.kennzahlen
    cards = anzeige.cards(
        {
            "Quick Wins": zahl(k.quick_wins),
            "Maßnahmen": zahl(k.massnahmen),
            "Einsparung pro Jahr": saving(k, k.einsparung_eur, euro),
            "Einsparung VZÄ": saving(k, k.einsparung_vzae, lambda v: zahl(v, 1), hours=True),
            "Einmalkosten": euro(k.einmalkosten_eur),
            "fertig bis": k.fertig,
        }
    )
    return HTML(cards.data + gap_note(k))


# --- savings with missing inputs: one wording for summary, chapter, Beschlussvorlage, Excel


def saving(k: Kennzahlen, value: float | None, fmt: Callable[[float], str], hours=False) -> str:
    """A saving total as shown everywhere: „1.234 €“; „mindestens 1.234 €“ when processes
    without a computable saving are left out (see :func:`gap_text`); „nicht berechenbar“ when
    no saving is computable. *hours*: the figure needs only Vorgänge and Minuten, so a
    missing Stundensatz does not make it partial."""
    if value is None:
        return NOT_COMPUTABLE
    partial = k.ohne_stunden if hours else len(k.ohne_einsparung)
    return f"mindestens {fmt(value)}" if partial else fmt(value)


def gap_text(k: Kennzahlen) -> str:
    """„2 Prozesse mit Maßnahmen ohne berechenbare Einsparung: „A“ (Bauamt; fehlt: Stundensatz),
    …“ – empty when every saving is computed."""
    gaps = k.ohne_einsparung
    if not gaps:
        return ""
    named = "; ".join(
        f"„{g['prozess']}“ ({g['fachamt']}, es fehlt: {g['fehlt']})" for g in gaps[:GAP_NAMES]
    )
    more = f" und {zahl(len(gaps) - GAP_NAMES)} weitere" if len(gaps) > GAP_NAMES else ""
    n = len(gaps)
    if k.einsparung_stunden is None:
        tail = f"Die Einsparung ist darum {NOT_COMPUTABLE}"
    elif k.einsparung_eur is None:
        tail = f"Die Einsparung in Euro ist darum {NOT_COMPUTABLE}" + (
            "; die Stunden sind Mindestwerte" if k.ohne_stunden else ""
        )
    else:
        tail = "Die Summen der Einsparung zählen sie nicht mit und sind darum Mindestwerte"
    return (
        f"Ohne berechenbare Einsparung {'bleibt' if n == 1 else 'bleiben'} {zahl(n)} "
        f"{'Prozess' if n == 1 else 'Prozesse'} mit Maßnahmen: {named}{more}. {tail} – "
        "fehlende Werte in der Bestandserhebung bzw. den Stundensatz der Laufbahngruppe "
        "ergänzen."
    )


def gap_note(k: Kennzahlen) -> str:
    """:func:`gap_text` as a paragraph below a table; empty when nothing is missing."""
    text = gap_text(k)
    return f"<p>{literal(text)}</p>" if text else ""


def programme_payback(k: Kennzahlen, horizon: float | None = None) -> str:
    """Payback of the whole programme in a table's sum row (like :func:`payback_text`);
    „höchstens 4,8“ when savings are left out (they would shorten it; the costs of those
    processes count), „nicht berechenbar“ when the known savings do not cover the running
    costs but others are missing."""
    if k.einsparung_vollstaendig:
        return payback_text(k.amortisation_jahre, horizon)
    if k.amortisation_jahre is None:
        return NOT_COMPUTABLE
    return "höchstens " + payback_text(k.amortisation_jahre)  # no flag: a bound, not a row


def finished(p: Planung) -> str:
    return p.kennzahlen.fertig


def criteria_table(p: Planung) -> HTML:
    used = priorisierung.used_criteria(p.ranked)
    missing = priorisierung.unused_criteria(p.ranked)
    note = (
        f"<p>Nicht verwendet, weil die Daten fehlen: {', '.join(missing)}.</p>" if missing else ""
    ) + estimate_note(p)
    table = anzeige.table_html(
        used,
        {
            "achse": ("Achse", "text"),
            "kriterium": ("Kriterium", "text"),
            "methode": ("Normierung auf 0–1", "text"),
            "gewicht": ("Gewicht", "pct"),
        },
    )
    return HTML(table + note)


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
    note = f" Notiz: „{literal(last.notiz)}“" if last.notiz else ""
    changed = "".join(f"\n- {literal(c)}" for c in last.aenderungen)
    return anzeige.text(
        f"**{what} im Workshop am {datum(last.datum)} beschlossen.**{note}{changed}"
    )


def portfolio_chart(p: Planung) -> Figure:
    from kdworkbook.massnahmen import grafiken as massnahmen_grafiken

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


#: Short names of criteria in the column „geschätzt“ of the report's ranking table.
KURZ = {"buergernachfrage": "Nachfrage", "reifegrad_luecke": "Reifegrad"}


def _short(labels: str) -> str:
    for c in priorisierung.CRITERIA:
        labels = labels.replace(c.label, KURZ.get(c.key, c.label))
    return labels


def estimate_note(p: Planung, column: bool = False) -> str:
    """One sentence per criterion whose missing values the median stands in for – with the
    count, so that an estimate never reads as measured; "" when every value was recorded."""
    counts, total = p.ranked.attrs.get("geschaetzt", {}), len(p.ranked)
    sentences = []
    for key, n in counts.items():
        c = priorisierung.BY_KEY[key]
        known = p.ranked[c.column].astype("Float64").dropna()
        sentences.append(
            f"{KURZ.get(key, c.label)} geschätzt ({priorisierung.FEHLWERT_REGEL}) bei "
            f"{zahl(n)} von {zahl(total)} bewerteten Prozessen: für sie zählt beim Kriterium "
            f"„{c.label}“ der Median der {zahl(len(known))} erhobenen Werte "
            f"({zahl(float(known.median()), 1)})."
        )
    if not sentences:
        return ""
    if column:
        sentences.append("Die Spalte „geschätzt“ nennt sie je Prozess.")
    sentences.append(
        "Wird der Wert nachgetragen (Bestandserhebung, die Nachfrage auch mit "
        "buergerbefragung → nachfrage), entfällt die Schätzung."
    )
    return "<p>" + " ".join(html.escape(t) for t in sentences) + "</p>"


def ranking_table(p: Planung, limit: int = 25) -> HTML:
    shown = p.ranked.head(limit)
    columns = dict(RANK_COLUMNS)
    if p.ranked.attrs.get("geschaetzt"):
        shown = shown.assign(geschaetzt=shown["geschaetzt"].map(_short))
        columns["geschaetzt"] = ("geschätzt", "text")
    table = anzeige.table_html(shown, columns, css_class="kd-tabelle kd-schmal")
    return HTML(table + estimate_note(p, True))


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
    return HTML(anzeige.top_table_html(p.excluded, columns, anzeige.REPORT_ROWS, where))


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
    pr, k = p.processes, p.kennzahlen
    total = {
        "bezeichnung": "Summe",
        "einmalkosten_eur": k.einmalkosten_eur,
        "laufende_kosten_eur_jahr": k.laufende_kosten_eur_jahr,
        "einsparung_stunden": saving(k, k.einsparung_stunden, zahl, hours=True),
        "einsparung_eur": saving(k, k.einsparung_eur, euro),
        "amortisation": programme_payback(k, p.settings.amortisation_horizont_jahre),
    }
    table = anzeige.table_html(with_savings(with_payback(p, pr)), SHOWN_PLAN_COLUMNS, total)
    return HTML(table + horizon_note(p, pr) + gap_note(k))


#: :data:`PROCESS_PLAN_COLUMNS` with the savings as text (:func:`with_savings`).
SHOWN_PLAN_COLUMNS = {
    c: (label, "wert" if c in ("einsparung_stunden", "einsparung_eur") else fmt)
    for c, (label, fmt) in PROCESS_PLAN_COLUMNS.items()
}


def with_savings(table: pd.DataFrame) -> pd.DataFrame:
    """*table* (rows of ``p.processes``) with Einsparung h and € as text: „nicht berechenbar“
    where the process's saving is (column ``fehlt`` names what is missing)."""

    def shown(values: pd.Series, fmt: Callable[[float], str]) -> pd.Series:
        missing = values.isna() & table.get("fehlt", pd.Series("", index=table.index)).fillna(
            ""
        ).ne("")
        return values.map(lambda v: "" if pd.isna(v) else fmt(v)).where(~missing, NOT_COMPUTABLE)

    return table.assign(
        einsparung_stunden=shown(table["einsparung_stunden"], zahl),
        einsparung_eur=shown(table["einsparung_eur"], euro),
    )


def with_payback(p: Planung, table: pd.DataFrame) -> pd.DataFrame:
    """*table* (rows of ``p.processes``) with the payback as text, flagged beyond the horizon;
    „nicht berechenbar“ where the saving is."""
    horizon = p.settings.amortisation_horizont_jahre
    known = table["einsparung_eur"].notna()
    return table.assign(
        amortisation=[
            payback_text(y, horizon, known=bool(ok))
            for y, ok in zip(table["amortisation_jahre"], known, strict=True)
        ]
    )


def payback_text(years: float | None, horizon: float | None = None, known: bool = True) -> str:
    """„2,5“ years, „sofort“ without one-time costs, „keine“ if the net saving is ≤ 0;
    „keine *“ / „32,5 *“ when beyond the planning *horizon* (see :func:`horizon_note`);
    „nicht berechenbar“ when the saving is not *known* (inputs missing)."""
    if not known:
        return NOT_COMPUTABLE
    if years is None or pd.isna(years):
        text, late = "keine", True
    else:
        text, late = (
            ("sofort" if years == 0 else zahl(years, 1)),
            horizon is not None and years > horizon,
        )
    return f"{text} {FLAG}" if late and horizon is not None else text


def horizon_note(p: Planung, table: pd.DataFrame) -> str:
    """The footnote to :data:`FLAG` when *table* has a flagged row; empty otherwise."""
    late = int(table["ueber_horizont"].sum())
    if not late:
        return ""
    s = p.settings
    source = (
        "Parameterdatei"
        if "amortisation_horizont_jahre" in s.model_fields_set
        else defaults.AMORTISATION_HORIZONT_QUELLE
    )
    return (
        f"<p>{FLAG} {zahl(late)} {'Prozess rechnet' if late == 1 else 'Prozesse rechnen'} sich "
        f"nicht innerhalb des Planungshorizonts von {zahl(s.amortisation_horizont_jahre)} Jahren "
        f"({html.escape(source)}) oder nie über die eingesparte Arbeitszeit: sie lohnen sich nur "
        "über Pflichten oder Servicequalität – im Workshop bewusst entscheiden.</p>"
    )


def gantt_chart(p: Planung) -> Figure:
    from kdworkbook.massnahmen import grafiken as massnahmen_grafiken

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
    table = anzeige.table_html(c.assign(jahr=c["jahr"].astype(str)), COST_COLUMNS, total)
    return HTML(table + cost_gap_note(p))


def cost_gap_note(p: Planung) -> str:
    """Below the Kostenplan: Einsparung and Saldo leave out the processes without a computable
    saving, so they are lower bounds; empty when nothing is missing."""
    k = p.kennzahlen
    if k.einsparung_vollstaendig:
        return ""
    n = len(k.ohne_einsparung)
    return (
        f"<p>Einsparung und Saldo sind Mindestwerte: ohne {zahl(n)} "
        f"{'Prozess' if n == 1 else 'Prozesse'} ohne berechenbare Einsparung (Liste unter dem "
        "Maßnahmenplan).</p>"
    )


def cost_chart(p: Planung) -> Figure:
    from kdworkbook.massnahmen import grafiken as massnahmen_grafiken

    return massnahmen_grafiken.costs_vs_savings(p.costs)


def responsibility_text(p: Planung) -> Markdown:
    s = p.settings
    return anzeige.text(
        f"{steering_sentence(s)} Die Organisations"
        "verantwortung (Ziel, Abnahme, Ablauf im Amt) liegt beim genannten Amt oder der "
        "Stelle, die Durchführungsverantwortung (Einrichtung, Technik) bei "
        f"{literal(s.verantwortung['digitalmanager'])} bzw. "
        f"{literal(s.verantwortung['it_dienstleister'])}."
    )


def steering_sentence(s: MassnahmenSettings) -> str:
    """Who steers: a fact when the parameter file names the body, else a marked assumption."""
    if "lenkungsgremium" in s.model_fields_set:
        return f"Die Umsetzung steuert das Gremium **{literal(s.lenkungsgremium)}**."
    return (
        f"Die Umsetzung steuert ein Lenkungsgremium, etwa ein „{literal(s.lenkungsgremium)}“ "
        f"(**{ANNAHME}**: die Parameterdatei nennt kein Gremium, „massnahmen → "
        "lenkungsgremium“)."
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
    return anzeige.text("\n".join(f"- {literal(n)}" for n in p.notes)) if p.notes else None


# --- check --json, ergebnisse -----------------------------------------------------


def summary_of(p: Planung) -> dict[str, Any]:
    k = p.kennzahlen
    return {
        "rangfolge": list(p.top["bezeichnung"]),
        "quick_wins": k.quick_wins,
        "einsparung_eur_jahr": k.einsparung_eur,  # None = nicht berechenbar; see ohne_einsparung
        "ausgeschlossen": k.ausgeschlossen,
        "massnahmen": k.massnahmen,
        "einmalkosten_eur": k.einmalkosten_eur,
        "fertig": k.fertig,
        "kriterien": [c for w in p.ranked.attrs["gewichte"].values() for c in w],
        "kennzahlen": k.as_dict(),
        "nicht_geeignet": list(p.excluded["bezeichnung"]),
        "ohne_massnahme": [int(r) for r in p.without_measures["rang"]],
        "ids": [
            {"id": m.id, "prozess_id": m.prozess_id, "prozess": m.bezeichnung, "typ": m.typ}
            for m in p.measures[["id", "prozess_id", "bezeichnung", "typ"]].itertuples()
        ],
    }


def hinweise(section: dict[str, Any]) -> list[str]:
    """Top-level notes of ``check`` from the section :func:`summary_of` made: a warning when
    savings are not computable for some processes (:func:`gap_text`)."""
    k = section.get("kennzahlen", {})
    if not k.get("ohne_einsparung"):
        return []
    return [f"Warnung: {gap_text(Kennzahlen(**k))}"]


def summary(ba: Bestandsaufnahme) -> dict[str, Any]:
    """Section ``massnahmen`` of ``kdworkbook check --json``; validates the step's inputs."""
    return summary_of(planung(ba))


def results(ba: Bestandsaufnahme, p: Planung) -> None:
    """Machine-readable key figures (cell tagged ``ergebnisse``)."""
    anzeige.results({"massnahmen": summary_of(p)})
