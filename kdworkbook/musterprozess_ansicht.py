"""The Musterprozess chapter: loading IST/SOLL, and one function per notebook cell.

Keeps ``notebooks/04_musterprozess.ipynb`` thin. Without a ``musterprozess`` section in the
parameter file the chapter says so and every other cell shows nothing.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

import pandas as pd
from IPython.display import HTML, Markdown
from matplotlib.figure import Figure

from kdworkbook import anzeige, defaults, musterprozess, musterprozess_grafiken
from kdworkbook.errors import InputError
from kdworkbook.formatierung import euro, literal, zahl
from kdworkbook.laden import Bestandsaufnahme
from kdworkbook.prozessmodell import LANE_KIND_NAMES, Prozess, load_process


@dataclass(frozen=True)
class Musterprozess:
    """IST and SOLL with their figures, the survey row (case count) and the hourly rate."""

    ist: Prozess
    soll: Prozess
    kennzahlen_ist: musterprozess.Kennzahlen
    kennzahlen_soll: musterprozess.Kennzahlen
    zeile: dict[str, Any]  # survey row: bezeichnung, fachamt, vorgaenge, minuten, stufe, …
    stundensatz: float
    stundensatz_quelle: str
    einsparung: musterprozess.Einsparung


def _survey_row(ba: Bestandsaufnahme) -> dict[str, Any]:
    mp = ba.settings.musterprozess
    data = ba.data
    rows = data[data["bezeichnung"].str.casefold() == mp.prozess.casefold()]
    if mp.fachamt:
        rows = rows[rows["fachamt"].str.casefold() == mp.fachamt.casefold()]
    if rows.empty:
        near = difflib.get_close_matches(mp.prozess, data["bezeichnung"].unique().tolist(), n=5)
        hint = ("; ähnliche Bezeichnungen: " + ", ".join(f"„{n}“" for n in near)) if near else ""
        where = f" im Fachamt „{mp.fachamt}“" if mp.fachamt else ""
        raise InputError(
            f"Schlüssel „musterprozess → prozess“: „{mp.prozess}“{where} steht nicht in der "
            f"Bestandserhebung{hint}."
        )
    if len(rows) > 1:
        raise InputError(
            f"Schlüssel „musterprozess → prozess“: „{mp.prozess}“ steht in mehreren Fachämtern "
            f"({', '.join(rows['fachamt'])}) – bitte „musterprozess → fachamt“ angeben."
        )
    return rows.iloc[0].to_dict()


def _rate(ba: Bestandsaufnahme, row: dict[str, Any]) -> tuple[float, str]:
    mp, s = ba.settings.musterprozess, ba.settings
    if mp.stundensatz is not None:
        return mp.stundensatz, "Parameterdatei (musterprozess → stundensatz)"
    group = mp.laufbahngruppe or row["laufbahngruppe"]
    if group not in s.stundensaetze:
        raise InputError(
            f"Schlüssel „musterprozess → laufbahngruppe“: „{group}“ hat keinen Stundensatz – "
            f"bekannt sind: {', '.join(s.stundensaetze)}."
        )
    name = defaults.LAUFBAHNGRUPPE_NAMEN.get(group, group)
    how = "musterprozess → laufbahngruppe" if mp.laufbahngruppe else f"Stufe {row['stufe']}"
    return s.stundensaetze[group], f"{name} ({how}), {defaults.LOHNKOSTEN_QUELLE}"


def load(ba: Bestandsaufnahme) -> Musterprozess | None:
    """IST/SOLL files and survey row of the parameter file; None if none is configured."""
    mp = ba.settings.musterprozess
    if not mp.konfiguriert:
        return None
    ist, soll = load_process(mp.ist), load_process(mp.soll)
    row = _survey_row(ba)
    rate, source = _rate(ba, row)
    k_ist, k_soll = musterprozess.key_figures(ist), musterprozess.key_figures(soll)
    saving = musterprozess.savings(
        k_ist, k_soll, int(row["vorgaenge"]), rate, ba.settings.jahresarbeitsstunden
    )
    return Musterprozess(ist, soll, k_ist, k_soll, row, rate, source, saving)


# --- notebook cells -----------------------------------------------------------------------------


def introduction(m: Musterprozess | None) -> Markdown:
    if m is None:
        return anzeige.text(
            "Für diese Kommune ist kein Musterprozess konfiguriert (Abschnitt „musterprozess“ "
            "der Parameterdatei mit den Dateien „ist“ und „soll“)."
        )
    z = m.zeile
    return anzeige.text(
        f"Ein Prozess wird beispielhaft vom analogen IST- zum digitalen SOLL-Zustand "
        f"durchgearbeitet: **{literal(m.ist.name)}** und **{literal(m.soll.name)}**. Er gehört "
        f"zur Zeile „{literal(z['bezeichnung'])}“ ({literal(z['fachamt'])}) der "
        "Bestandserhebung mit "
        f"**{zahl(z['vorgaenge'])} Vorgängen pro Jahr**; die Arbeitszeit der Verwaltung wird mit "
        f"{euro(m.stundensatz, 2)}/h bewertet. Alle Zeiten gelten je Fall; wo Fälle "
        "verschiedene Wege nehmen, zählt jeder Schritt mit seinem Anteil der Fälle."
    )


def section(m: Musterprozess | None, title: str, text: str = "") -> Markdown | None:
    """A section heading (and text), shown only when a Musterprozess is configured."""
    if m is None:
        return None
    return anzeige.text(f"## {title}\n\n{text}".strip())


def key_figures(m: Musterprozess | None) -> HTML | None:
    if m is None:
        return None
    e = m.einsparung
    return anzeige.cards(
        {
            "Einsparung pro Jahr": euro(e.eur_jahr),
            "Stellenanteil (VZÄ)": zahl(e.vzae, 2),
            "Verwaltungszeit je Fall": f"{_num(m.kennzahlen_ist.verwaltung_min)} → "
            f"{_num(m.kennzahlen_soll.verwaltung_min)} Min.",
            "Medienbrüche je Fall": f"{_num(m.kennzahlen_ist.medienbrueche)} → "
            f"{_num(m.kennzahlen_soll.medienbrueche)}",
            "Durchlaufzeit": f"{_num(_days(m.kennzahlen_ist))} → "
            f"{_num(_days(m.kennzahlen_soll))} Tage",
        }
    )


def _num(value: float) -> str:
    return zahl(value, 0 if float(value).is_integer() else 1)


def _days(k: musterprozess.Kennzahlen) -> float:
    return k.durchlaufzeit_min / defaults.MINUTEN_JE_TAG


def diagram(m: Musterprozess | None, variante: str) -> Figure | None:
    if m is None:
        return None
    p = m.ist if variante == "ist" else m.soll
    return musterprozess_grafiken.swimlane(p, f"{variante.upper()}: {p.name}")


def steps(m: Musterprozess | None, variante: str) -> HTML | None:
    if m is None:
        return None
    p = m.ist if variante == "ist" else m.soll
    table = musterprozess.steps_table(p)
    table["bahn"] = [
        b if LANE_KIND_NAMES[p.lane_kind(b)] == b else f"{b} ({LANE_KIND_NAMES[p.lane_kind(b)]})"
        for b in table["bahn"]
    ]
    table["anteil_text"] = ["" if a >= 0.999 else zahl(a * 100) + " %" for a in table["anteil"]]
    columns = {
        "nr": ("Nr.", "int"),
        "name": ("Schritt", "text"),
        "bahn": ("Bahn", "text"),
        "baustein": ("Baustein", "text"),
        "medium": ("Medium", "text"),
        "minuten": ("Min.", "dez1"),
        "wartezeit_tage": ("Warten (Tage)", "dez1"),
        "anteil_text": ("Anteil Fälle", "text"),
    }
    return anzeige.table(table, columns)


def comparison_table(m: Musterprozess | None) -> HTML | None:
    if m is None:
        return None
    table = musterprozess.comparison(m.kennzahlen_ist, m.kennzahlen_soll)
    days = table["kennzahl"] == "Durchlaufzeit"
    table.loc[days, ["ist", "soll"]] = table.loc[days, ["ist", "soll"]] / defaults.MINUTEN_JE_TAG
    table.loc[days, "einheit"] = "Tage"
    return anzeige.table(
        table,
        {
            "kennzahl": ("Kennzahl", "text"),
            "einheit": ("Einheit", "text"),
            "ist": ("IST", "dez1"),
            "soll": ("SOLL", "dez1"),
            "veraenderung": ("Veränderung", "pct"),
        },
    )


def comparison_chart(m: Musterprozess | None) -> Figure | None:
    if m is None:
        return None
    return musterprozess_grafiken.comparison_chart(m.kennzahlen_ist, m.kennzahlen_soll)


def documents(m: Musterprozess | None) -> HTML | None:
    if m is None:
        return None
    ist = {d.name: d for d in m.ist.unterlagen}
    soll = {d.name: d for d in m.soll.unterlagen}
    rows = []
    for name in list(ist) + [n for n in soll if n not in ist]:
        d = soll.get(name) or ist[name]
        rows.append(
            {
                "name": name,
                "register": d.register or "",
                "ist": _who(ist.get(name)),
                "soll": _who(soll.get(name)),
            }
        )
    if not rows:
        return HTML("<p>In den Prozessdateien sind keine Unterlagen angegeben.</p>")
    k_ist, k_soll = m.kennzahlen_ist, m.kennzahlen_soll
    note = (
        f"<p>Im IST bringt die Bürgerin / der Bürger {zahl(k_ist.unterlagen_buerger)} von "
        f"{zahl(k_ist.unterlagen)} Angaben bei, obwohl {zahl(k_ist.unterlagen_once_only)} davon "
        f"in einem Register stehen; im SOLL sind es {zahl(k_soll.unterlagen_buerger)}, "
        f"{zahl(k_soll.unterlagen_abgerufen)} holt die Verwaltung selbst (Once-Only).</p>"
    )
    table = anzeige.table_html(
        pd.DataFrame(rows),
        {
            "name": ("Unterlage / Angabe", "text"),
            "register": ("Register (Once-Only)", "text"),
            "ist": ("IST", "text"),
            "soll": ("SOLL", "text"),
        },
    )
    return HTML(anzeige.STYLE + note + table)


def _who(d: Any) -> str:
    if d is None:
        return "–"
    return "Abruf durch die Verwaltung" if d.abruf else "Bürger bringt bei"


def savings(m: Musterprozess | None) -> Markdown | None:
    if m is None:
        return None
    e, z = m.einsparung, m.zeile
    survey_note = ""
    if abs(z["minuten"] - m.kennzahlen_ist.verwaltung_min) >= 1:
        survey_note = (
            f"\n\nHinweis: Die Bestandserhebung nennt für „{literal(z['bezeichnung'])}“ "
            f"{_num(z['minuten'])} Minuten je Vorgang, die Prozessaufnahme ergibt "
            f"{_num(m.kennzahlen_ist.verwaltung_min)} Minuten Verwaltungszeit – bitte mit dem "
            f"Fachamt abgleichen."
        )
    return anzeige.text(
        f"Einsparung pro Jahr = Vorgänge × (IST − SOLL Minuten der Verwaltung) / 60 × "
        f"Stundensatz = {zahl(e.vorgaenge)} × ({_num(m.kennzahlen_ist.verwaltung_min)} − "
        f"{_num(m.kennzahlen_soll.verwaltung_min)}) / 60 × {euro(e.stundensatz_eur, 2)}/h = "
        f"**{euro(e.eur_jahr)}** ({zahl(e.stunden_jahr)} Stunden, "
        f"**{zahl(e.vzae, 2)} VZÄ**).\n\n"
        f"Die Bürgerinnen und Bürger sparen zusätzlich {_num(e.buerger_minuten_je_fall)} Minuten "
        f"je Fall, zusammen {zahl(e.buerger_stunden_jahr)} Stunden und "
        f"{zahl(e.behoerdengaenge_jahr)} Behördengänge im Jahr; der Vorgang ist "
        f"{_num(e.durchlaufzeit_tage_weniger)} Tage schneller abgeschlossen. Diese Zeit der "
        "Bürger ist in der Einsparung der Verwaltung nicht enthalten." + survey_note
    )


def notes(m: Musterprozess | None) -> HTML | None:
    """What the import noticed (missing values, unsupported BPMN elements)."""
    if m is None:
        return None
    items = [(m.ist, h) for h in m.ist.hinweise] + [(m.soll, h) for h in m.soll.hinweise]
    if not items:
        return HTML("<p>Beide Prozessdateien sind vollständig; keine Hinweise.</p>")
    body = "".join(f"<li>{literal(p.quelle)}: {literal(h)}</li>" for p, h in items)
    return HTML(f"<p>Hinweise aus dem Einlesen der Prozessdateien:</p><ul>{body}</ul>")


def assumptions(m: Musterprozess | None) -> HTML | None:
    if m is None:
        return None
    rows = [
        {
            "wert": "Vorgänge pro Jahr",
            "betrag": zahl(m.einsparung.vorgaenge),
            "quelle": f"Bestandserhebung, Zeile „{m.zeile['bezeichnung']}“ ({m.zeile['fachamt']})",
        },
        {
            "wert": "Stundensatz",
            "betrag": euro(m.stundensatz, 2) + "/h",
            "quelle": m.stundensatz_quelle,
        },
        {
            "wert": "Minuten je Schritt",
            "betrag": "siehe Tabellen",
            "quelle": f"Prozessdateien {m.ist.quelle}, {m.soll.quelle}; Zeitwerttabelle Verwaltung "
            "(Leitfaden Erfüllungsaufwand) als Anhalt",
        },
        {
            "wert": "Medienbruch",
            "betrag": "analog ↔ digital",
            "quelle": "Wechsel zwischen Papier/persönlich/Telefon und einem digitalen Medium",
        },
        {
            "wert": "Wartezeit",
            "betrag": "1 Tag = 1.440 Min.",
            "quelle": "Kalendertage, in die Durchlaufzeit eingerechnet",
        },
    ]
    return anzeige.table(
        pd.DataFrame(rows),
        {"wert": ("Annahme", "text"), "betrag": ("Wert", "text"), "quelle": ("Quelle", "text")},
    )


# --- check --json, results, appendix ------------------------------------------------------------


def _variant(k: musterprozess.Kennzahlen) -> dict[str, float | int]:
    return k.as_dict()


def summary(ba: Bestandsaufnahme) -> dict[str, Any]:
    """Section ``musterprozess`` of ``check --json``; validates the process files."""
    m = load(ba)
    if m is None:
        return {"konfiguriert": False}
    return {
        "konfiguriert": True,
        "prozess": m.zeile["bezeichnung"],
        "fachamt": m.zeile["fachamt"],
        "vorgaenge": int(m.zeile["vorgaenge"]),
        "stundensatz_eur": m.stundensatz,
        "ist": _variant(m.kennzahlen_ist),
        "soll": _variant(m.kennzahlen_soll),
        "einsparung_eur_jahr": m.einsparung.eur_jahr,
        "einsparung_vzae": m.einsparung.vzae,
        "buerger_stunden_jahr": m.einsparung.buerger_stunden_jahr,
        "hinweise": list(m.ist.hinweise) + list(m.soll.hinweise),
    }


def results(ba: Bestandsaufnahme) -> None:
    """Machine-readable figures (cell tagged ``ergebnisse``)."""
    anzeige.results({"musterprozess": summary(ba)})


def appendix_sheets(ba: Bestandsaufnahme) -> dict[str, tuple[pd.DataFrame, dict]]:
    """Sheets „Musterprozess IST“ and „… SOLL“ with every step."""
    m = load(ba)
    if m is None:
        return {}
    columns = {
        "nr": ("Nr.", "int"),
        "id": ("ID", "text"),
        "name": ("Schritt", "text"),
        "bahn": ("Bahn", "text"),
        "baustein": ("Baustein", "text"),
        "medium": ("Medium", "text"),
        "minuten": ("Minuten je Fall", "dez1"),
        "wartezeit_tage": ("Wartezeit (Tage)", "dez1"),
        "anteil": ("Anteil der Fälle", "pct"),
    }
    return {
        "Musterprozess IST": (musterprozess.steps_table(m.ist), columns),
        "Musterprozess SOLL": (musterprozess.steps_table(m.soll), columns),
    }
