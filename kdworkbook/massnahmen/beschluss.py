"""The Beschlussvorlage: one page after the management summary, for a council resolution.

What is to be decided (the programme and its first measures with quarter and responsible
unit), the budget per year of the Kostenplan (one-off and running costs, Personentage), the
expected effect, risks and prerequisites, and the measures that do not pay back within the
planning horizon. Built from the very objects of the summary and the chapters – the
:class:`~kdworkbook.massnahmen.plan.Planung` (Kennzahlen, Zeitplan, Kostenplan), the duty
register and the readiness self-assessment of the Rahmenbedingungen – and returned as data
(:func:`beschlussvorlage`), so the report page (:func:`page`) and other formats show the same.
Where the decision is the client's, a visibly marked placeholder („[Gremium]“).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from IPython.display import HTML

from kdworkbook.bestand.laden import Bestandsaufnahme
from kdworkbook.kern.formatierung import euro, literal, zahl
from kdworkbook.massnahmen import kapitel as massnahmen_ansicht
from kdworkbook.massnahmen import zuordnung
from kdworkbook.massnahmen.plan import Planung
from kdworkbook.massnahmen.zusammenfassung import payback_sentence
from kdworkbook.rahmen import bedingungen, pflichten

#: Placeholders for what the client decides; shown marked in the report.
GREMIUM, SITZUNGSDATUM, HAUSHALTSSTELLE = "[Gremium]", "[Sitzungsdatum]", "[Haushaltsstelle]"
PLACEHOLDERS = (GREMIUM, SITZUNGSDATUM, HAUSHALTSSTELLE)
NOT_COMPUTABLE = massnahmen_ansicht.NOT_COMPUTABLE

#: Columns of the first measures (data and page).
FIRST_COLUMNS = {
    "bezeichnung": ("Prozess", "text"),
    "massnahme": ("Maßnahme", "text"),
    "beginn": ("Beginn", "text"),
    "fertig": ("fertig", "text"),
    "organisation": ("verantwortlich", "text"),
    "aufwand_personentage": ("PT", "int"),
}
#: Columns of the budget per year (data and page).
BUDGET_COLUMNS = {
    "jahr": ("Jahr", "text"),
    "einmalkosten_eur": ("einmalig", "eur"),
    "laufende_kosten_eur": ("laufend", "eur"),
    "personentage": ("Personentage", "int"),
    "einsparung_eur": ("Einsparung", "eur"),
}


@dataclass(frozen=True)
class Beschlussvorlage:
    """Everything the Beschlussvorlage says, as data; figures are those of the Planung."""

    gemeinde: str
    beschluss: list[str]  # the numbered points of the resolution, plain text
    erste_massnahmen: pd.DataFrame  # FIRST_COLUMNS, first in the Zeitplan
    budget: pd.DataFrame  # BUDGET_COLUMNS, one row per year of the Kostenplan
    summe: dict[str, float]  # budget columns summed over the years
    wirkung: str  # expected effect per year, with payback
    risiken: list[str]  # risks and prerequisites
    ohne_amortisation: pd.DataFrame  # rang, bezeichnung, amortisation (text as in the report)
    hinweis_amortisation: str  # the report's footnote to the flag, plain text
    platzhalter: tuple[str, ...] = field(default=PLACEHOLDERS)
    #: below the budget when savings are left out (lower bounds), plain text; else ""
    hinweis_einsparung: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (e.g. for a slide): tables as lists of rows."""
        return {
            "gemeinde": self.gemeinde,
            "beschluss": list(self.beschluss),
            "erste_massnahmen": _records(self.erste_massnahmen),
            "budget": _records(self.budget),
            "summe": dict(self.summe),
            "wirkung": self.wirkung,
            "risiken": list(self.risiken),
            "ohne_amortisation": _records(self.ohne_amortisation),
            "hinweis_amortisation": self.hinweis_amortisation,
            "platzhalter": list(self.platzhalter),
            "hinweis_einsparung": self.hinweis_einsparung,
        }


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {k: (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()}
        for row in table.to_dict("records")
    ]


# --- the figures ------------------------------------------------------------------------


def first_measures(p: Planung) -> pd.DataFrame:
    """The first ``beschluss_massnahmen`` measures of the Zeitplan (priority order)."""
    return p.measures.head(p.settings.beschluss_massnahmen)[list(FIRST_COLUMNS)].reset_index(
        drop=True
    )


def person_days_per_year(p: Planung) -> pd.Series:
    """Person-days booked per calendar year by the Zeitplan (the capacity per quarter filled
    in priority order, :func:`kdworkbook.massnahmen.zuordnung.quarter_load`)."""
    if p.measures.empty:
        return pd.Series(dtype=float)
    load = zuordnung.quarter_load(p.measures, p.settings.zeitkontingent_personentage)
    years = zuordnung.quarter_year(p.start, np.arange(load.shape[1]))
    return pd.Series(load.sum(axis=0)).groupby(years).sum()


def budget(p: Planung) -> pd.DataFrame:
    """One row per year of the Kostenplan (:attr:`Planung.costs`, the same figures) with the
    person-days of that year."""
    costs = p.costs
    days = person_days_per_year(p)
    return pd.DataFrame(
        {
            "jahr": costs["jahr"].astype(int).astype(str),
            "einmalkosten_eur": costs["einmalkosten_eur"],
            "laufende_kosten_eur": costs["laufende_kosten_eur"],
            "personentage": costs["jahr"].map(days).fillna(0.0),
            "einsparung_eur": costs["einsparung_eur"],
        }
    ).reset_index(drop=True)


def not_paying_back(p: Planung) -> pd.DataFrame:
    """Processes whose measures pay back later than the horizon or never, with the payback as
    the report writes it („keine *“, „32,5 *“)."""
    late = p.processes[p.processes["ueber_horizont"].astype(bool)]
    shown = massnahmen_ansicht.with_payback(p, late)
    return shown[["rang", "bezeichnung", "amortisation"]].reset_index(drop=True)


def effect(p: Planung) -> str:
    """Expected effect per year once all measures work, and the payback of the programme –
    the summary's figures and sentence (:func:`kapitel.saving`): „mindestens …“ with the
    processes left out, „nicht berechenbar“ with what is missing."""
    k = p.kennzahlen
    if not k.massnahmen:
        return (
            f"Einsparung und Amortisation: {NOT_COMPUTABLE} – es ist keine Maßnahme geplant "
            "(Kapitel Maßnahmenentwicklung)."
        )
    if k.einsparung_stunden is None:
        return f"Einsparung: {NOT_COMPUTABLE}. " + payback_sentence(p)
    hours = massnahmen_ansicht.saving(k, k.einsparung_stunden, zahl, hours=True)
    money = massnahmen_ansicht.saving(k, k.einsparung_eur, euro)
    fte = massnahmen_ansicht.saving(k, k.einsparung_vzae, lambda v: zahl(v, 1), hours=True)
    worth = (
        f"({fte} Vollzeitstellen; in Euro {NOT_COMPUTABLE})"
        if k.einsparung_eur is None
        else f"– {money} oder {fte} Vollzeitstellen –"
    )
    return (
        f"Ab {_live_quarter(p)} wirken alle Maßnahmen und sparen {hours} Arbeitsstunden im "
        f"Jahr {worth} bei laufenden Kosten von {euro(k.laufende_kosten_eur_jahr)} im Jahr. "
        + payback_sentence(p, marked="unten genannt")
    )


def _live_quarter(p: Planung) -> str:
    """The quarter after the last measure is finished (savings count from there)."""
    return zuordnung.quarter_label(p.start, int(p.measures["quartal_ende"].max()) + 1)


def risks(ba: Bestandsaufnahme, p: Planung) -> list[str]:
    """Risks and prerequisites: overdue duties and duties without a recorded status (the
    duty register), weak areas and missing prerequisites of the readiness self-assessment,
    assumed capacity, chosen processes without a fitting measure."""
    items = _duty_risks(ba) + _readiness_risks(ba)
    s, k = p.settings, p.kennzahlen
    if "zeitkontingent_personentage" not in s.model_fields_set:
        items.append(
            f"Das Zeitkontingent von {zahl(s.zeitkontingent_personentage)} Personentagen je "
            f"Quartal ist eine Annahme – bereitstellen oder den Zeitplan anpassen "
            f"({massnahmen_ansicht.ANNAHME})."
        )
    if k.ausgewaehlt > k.mit_massnahmen:
        n = k.ausgewaehlt - k.mit_massnahmen
        items.append(
            f"{zahl(n)} der {zahl(k.ausgewaehlt)} ausgewählten Prozesse "
            f"{'hat' if n == 1 else 'haben'} noch keine Maßnahme – im Workshop klären."
        )
    return items


def _duty_risks(ba: Bestandsaufnahme) -> list[str]:
    table = bedingungen.duties(ba)
    late = table[table["ueberfaellig"].astype(bool)]
    items = []
    if not late.empty:
        names = ", ".join(str(r) for r in late["schluessel"])
        items.append(
            f"{zahl(len(late))} gesetzliche {'Pflicht ist' if len(late) == 1 else 'Pflichten sind'}"
            f" überfällig ({names}) – je Pflicht ein eigener Umsetzungsplan, siehe Kapitel "
            "Rahmenbedingungen."
        )
    unknown = pflichten.unknown(table)
    if not unknown.empty:
        items.append(
            f"Bei {zahl(len(unknown))} {'Pflicht' if len(unknown) == 1 else 'Pflichten'} ist der "
            f"Stand nicht erhoben ({', '.join(str(r) for r in unknown['schluessel'])})."
        )
    return items


def _readiness_risks(ba: Bestandsaufnahme) -> list[str]:
    if not ba.settings.rahmen.reife.assessed:
        return [
            f"Organisatorische Reife: {NOT_COMPUTABLE} – keine Selbsteinschätzung "
            "(Parameterdatei: rahmen → reife)."
        ]
    table, weak = bedingungen.readiness(ba)
    pre = table[table["gruppe"] == "voraussetzungen"]
    items = []
    missing = pre[pre["erfuellt"].map(lambda v: v is False)]
    if not missing.empty:
        items.append(
            "Voraussetzung fehlt: "
            + ", ".join(str(b) for b in missing["bereich"])
            + " – vor dem Start schaffen."
        )
    unrated = pre[pre["erfuellt"].isna()]
    if not unrated.empty:
        items.append(
            "Voraussetzung nicht bewertet: " + ", ".join(str(b) for b in unrated["bereich"])
        )
    rated = weak[weak["gruppe"] != "voraussetzungen"]
    if not rated.empty:
        limit = ba.settings.rahmen.reife.schwach_bis
        items.append(
            f"Schwache Bereiche (bis {zahl(limit)} von 5): "
            + ", ".join(f"{r.bereich} ({zahl(int(r.wert))})" for r in rated.itertuples())
            + " – siehe Kapitel Rahmenbedingungen."
        )
    return items


def resolution(ba: Bestandsaufnahme, p: Planung, totals: dict[str, float]) -> list[str]:
    """The points of the resolution, plain text with the placeholders."""
    s, k = p.settings, p.kennzahlen
    if not k.massnahmen:
        return [
            f"Der {GREMIUM} nimmt die Digitalisierungsstrategie der {ba.settings.gemeinde} zur "
            "Kenntnis; Maßnahmen sind noch nicht geplant (Budget: "
            f"{NOT_COMPUTABLE} – es fehlen Maßnahmen)."
        ]
    first = first_measures(p)
    steering = (
        f"das Gremium „{s.lenkungsgremium}“"
        if "lenkungsgremium" in s.model_fields_set
        else f"ein Lenkungsgremium ({massnahmen_ansicht.ANNAHME})"
    )
    years = p.costs["jahr"]
    span = f"{int(years.min())}–{int(years.max())}"
    return [
        f"Der {GREMIUM} beschließt die Digitalisierungsstrategie der {ba.settings.gemeinde} mit "
        f"{zahl(k.massnahmen)} Maßnahmen für {zahl(k.mit_massnahmen)} Prozesse, umzusetzen von "
        f"{p.measures['beginn'].iloc[0]} bis {k.fertig}.",
        f"Die Verwaltung beginnt mit den ersten {zahl(len(first))} Maßnahmen des Zeitplans "
        f"(Tabelle); die Umsetzung steuert {steering}.",
        f"Für {span} werden einmalig {euro(totals['einmalkosten_eur'])} und laufend zusammen "
        f"{euro(totals['laufende_kosten_eur'])} bei der Haushaltsstelle {HAUSHALTSSTELLE} "
        f"bereitgestellt, dazu {zahl(totals['personentage'])} Personentage eigener Arbeitszeit "
        f"({zahl(s.zeitkontingent_personentage)} je Quartal).",
        f"Die Verwaltung berichtet dem {GREMIUM} mit jeder Fortschreibung über Umsetzungsstand, "
        "Kosten und realisierte Einsparung.",
    ]


def beschlussvorlage(ba: Bestandsaufnahme, p: Planung) -> Beschlussvorlage:
    """The Beschlussvorlage as data – the one function the report page and other formats
    (slides) call."""
    table = budget(p)
    totals = {c: float(table[c].sum()) for c in list(BUDGET_COLUMNS)[1:]}
    return Beschlussvorlage(
        gemeinde=ba.settings.gemeinde,
        beschluss=resolution(ba, p, totals),
        erste_massnahmen=first_measures(p),
        budget=table,
        summe=totals,
        wirkung=effect(p),
        risiken=risks(ba, p),
        ohne_amortisation=not_paying_back(p),
        hinweis_amortisation=_horizon_note(p),
        hinweis_einsparung=_plain(massnahmen_ansicht.cost_gap_note(p)),
    )


def _horizon_note(p: Planung) -> str:
    """The report's footnote to the flag (:func:`kapitel.horizon_note`), as plain text."""
    return _plain(massnahmen_ansicht.horizon_note(p, p.processes))


def _plain(note: str) -> str:
    """A report paragraph (``<p>…</p>``) as plain text."""
    return html.unescape(note.removeprefix("<p>").removesuffix("</p>"))


# --- the page ---------------------------------------------------------------------------


#: Page break before the Beschlussvorlage; placeholders stand out in print.
def _marked(text: str) -> str:
    """Plain text → HTML with the placeholders marked."""
    shown = literal(text)
    for placeholder in PLACEHOLDERS:
        escaped = literal(placeholder)
        shown = shown.replace(escaped, f'<span class="kd-platzhalter">{escaped}</span>')
    return shown


def render(v: Beschlussvorlage) -> HTML:
    """The Beschlussvorlage as one report page (page break before it): compact tables, the
    budget beside the expected effect, the processes without payback by name and count (their
    payback per process in the chapter)."""
    from kdworkbook.bericht import anzeige

    intro = f"Vorlage für den {GREMIUM}, Sitzung am {SITZUNGSDATUM} – Beschlussvorschlag:"
    head = f"<h2>Beschlussvorlage</h2><p>{_marked(intro)}</p>"
    points = "".join(f"<li>{_marked(t)}</li>" for t in v.beschluss)
    parts = [head, f"<ol>{points}</ol>"]
    effect = f"<h3>Erwartete Wirkung</h3><p>{_marked(v.wirkung)}</p>"
    if v.erste_massnahmen.empty:
        parts.append(effect)
    else:
        parts.append("<h3>Erste Maßnahmen</h3>")
        parts.append(
            anzeige.table_html(
                v.erste_massnahmen, FIRST_COLUMNS, css_class="kd-tabelle kd-schmal kd-erste"
            )
        )
        total = {"jahr": "Summe", **v.summe}
        money = [
            "<h3>Budget je Jahr des Kostenplans</h3>",
            anzeige.table_html(v.budget, BUDGET_COLUMNS, total, css_class="kd-tabelle kd-schmal"),
        ]
        if v.hinweis_einsparung:
            money.append(f"<p>{_marked(v.hinweis_einsparung)}</p>")
        parts.append(
            f'<div class="kd-nebeneinander"><div>{"".join(money)}</div><div>{effect}</div></div>'
        )
    if v.risiken:
        items = "".join(f"<li>{_marked(r)}</li>" for r in v.risiken)
        parts.append(f"<h3>Risiken und Voraussetzungen</h3><ul>{items}</ul>")
    if not v.ohne_amortisation.empty:
        n = len(v.ohne_amortisation)
        names = ", ".join(literal(b) for b in v.ohne_amortisation["bezeichnung"])
        parts.append(
            '<p class="kd-ohne"><strong>Ohne Amortisation im Planungshorizont</strong> '
            f"({zahl(n)} {'Prozess' if n == 1 else 'Prozesse'}): {names} – sie lohnen sich nur "
            "über Pflichten oder Servicequalität; Amortisation je Prozess siehe Kapitel "
            "Maßnahmenentwicklung.</p>"
        )
    return HTML(f'<div class="kd-beschluss">{"".join(parts)}</div>')


def page(ba: Bestandsaufnahme, p: Planung) -> HTML:
    """Notebook cell: the Beschlussvorlage page."""
    return render(beschlussvorlage(ba, p))
