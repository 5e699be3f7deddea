"""The Musterprozess chapter: loading IST/SOLL, and one function per notebook cell.

Keeps ``notebooks/04_musterprozess.ipynb`` thin. Without a ``musterprozess`` section in the
parameter file the chapter says so and every other cell shows nothing.
"""

from __future__ import annotations

import difflib
import html
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from IPython.display import HTML, SVG, Markdown, display

from kdworkbook.bericht import anzeige
from kdworkbook.bestand.laden import Bestandsaufnahme
from kdworkbook.kern import defaults
from kdworkbook.kern.errors import InputError
from kdworkbook.kern.formatierung import euro, literal, prozent, zahl
from kdworkbook.musterprozess import bpmn_bild
from kdworkbook.musterprozess import kennzahlen as musterprozess
from kdworkbook.musterprozess import text as musterprozess_text
from kdworkbook.musterprozess.bpmn_export import BREAK_COLOR as BREAK_RED
from kdworkbook.musterprozess.bpmn_export import MISSING_COLOR as MISSING_FILL
from kdworkbook.musterprozess.bpmn_export import media_breaks
from kdworkbook.musterprozess.laden import bpmn_file
from kdworkbook.musterprozess.modell import LANE_KIND_NAMES, Prozess
from kdworkbook.musterprozess.modell import katalog as musterprozess_katalog
from kdworkbook.musterprozess.text import KEINE_ANGABE, NICHT_BERECHENBAR, savings_gap, step_list

if TYPE_CHECKING:  # matplotlib and the charts are loaded where a chart is drawn: the
    from matplotlib.figure import Figure  # runner's check uses this module without them


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
    hinweise: tuple[str, ...] = ()  # for the chapter, ``check`` and ``check --json``
    ist_bpmn: Path | None = None  # BPMN file of IST/SOLL (its layout is kept), None for YAML
    soll_bpmn: Path | None = None


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
    if ba.musterprozesse is None:
        return None
    ist, soll = ba.musterprozesse
    mp = ba.settings.musterprozess
    row = _survey_row(ba)
    rate, source = _rate(ba, row)
    k_ist, k_soll = musterprozess.key_figures(ist), musterprozess.key_figures(soll)
    saving = musterprozess.savings(
        k_ist, k_soll, int(row["vorgaenge"]), rate, ba.settings.jahresarbeitsstunden
    )
    notes = musterprozess_text.notes(ist, soll, k_ist, k_soll)
    return Musterprozess(
        ist,
        soll,
        k_ist,
        k_soll,
        row,
        rate,
        source,
        saving,
        notes,
        bpmn_file(mp.ist),
        bpmn_file(mp.soll),
    )


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


def soll_section(m: Musterprozess | None) -> Markdown | None:
    """Heading and prose of the SOLL chapter, written from the SOLL model: its media, the
    documents fetched from registers (once-only) and its payment step."""
    if m is None:
        return None
    return anzeige.text("## SOLL-Prozess\n\n" + musterprozess_text.soll_text(m.soll))


def key_figures(m: Musterprozess | None) -> HTML | None:
    """The headline cards; when the savings is not (fully) computable, what is missing
    stands above them."""
    if m is None:
        return None
    e, k_ist, k_soll = m.einsparung, m.kennzahlen_ist, m.kennzahlen_soll
    cards = anzeige.cards(
        {
            "Einsparung pro Jahr": NICHT_BERECHENBAR if e.eur_jahr is None else euro(e.eur_jahr),
            "Stellenanteil (VZÄ)": NICHT_BERECHENBAR if e.vzae is None else zahl(e.vzae, 2),
            "Verwaltungszeit je Fall": _arrow(k_ist.verwaltung_min, k_soll.verwaltung_min, "Min."),
            "Medienbrüche je Fall": _arrow(k_ist.medienbrueche, k_soll.medienbrueche),
            "Durchlaufzeit": _arrow(_days(k_ist), _days(k_soll), "Tage"),
        }
    )
    gap = savings_gap(m.ist, m.soll, k_ist, k_soll)
    if gap is None:
        return cards
    return HTML(_warning(gap) + cards.data)


def _warning(text: str) -> str:
    return (
        '<p class="kd-warnung" style="border-left: 4px solid #c00000; padding: 0.3em 0.7em; '
        f'background: #fdecea; font-weight: bold;">{html.escape(text)}</p>'
    )


def _arrow(a: float | None, b: float | None, unit: str = "") -> str:
    text = f"{_num(a)} → {_num(b)}"
    if unit and b is not None:
        text += f" {unit}"
    return text


def _num(value: float | None) -> str:
    if value is None:
        return NICHT_BERECHENBAR
    return zahl(value, 0 if float(value).is_integer() else 1)


def _days(k: musterprozess.Kennzahlen) -> float | None:
    if k.durchlaufzeit_min is None:
        return None
    return k.durchlaufzeit_min / defaults.MINUTEN_JE_TAG


_drawn: list[tuple[Musterprozess, dict[str, list[str]]]] = []  # last drawing (IST and SOLL)


def diagram_svg(m: Musterprozess, variante: str) -> list[str]:
    """SVG texts of the BPMN diagram of IST or SOLL, one per row (bpmn-js in Chromium, both
    drawn in one browser start on first use). PNG bytes of them:
    :func:`kdworkbook.musterprozess.bpmn_bild.pngs`."""
    if not _drawn or _drawn[0][0] is not m:
        drawn = bpmn_bild.svgs({"ist": (m.ist, m.ist_bpmn), "soll": (m.soll, m.soll_bpmn)})
        _drawn[:] = [(m, drawn)]
    return _drawn[0][1][variante]


def diagram(m: Musterprozess | None, variante: str) -> None:
    """The BPMN diagram of IST or SOLL as SVG outputs, one per row (report, JupyterLab, Word)."""
    if m is None:
        return None
    rows = diagram_svg(m, variante)
    for row in rows:
        display(SVG(data=row))
    bpmn_bild.prepare_pngs(rows)  # Word's and the slides' pictures, converted once
    return None


def diagram_legend(m: Musterprozess | None, variante: str) -> HTML | None:
    """Legend below a diagram: the colour of each medium, and every media break (red)."""
    if m is None:
        return None
    p = m.ist if variante == "ist" else m.soll
    kat = musterprozess_katalog()
    used = [x for x in kat.medien if any(s.medium == x for s in p.schritte.values())]
    swatch = '<span style="display:inline-block;width:1.4em;height:0.9em;background:{};' + (
        'border:1px solid {};vertical-align:middle"></span> {}'
    )
    media = [swatch.format(kat.medien[x]["farbe"], "#333", html.escape(x)) for x in used]
    if any(s.medium is None for s in p.schritte.values()):
        media.append(swatch.format(MISSING_FILL, "#333", "Medium fehlt"))
    rows = [f"<tr><th>Medien (Füllfarbe)</th><td>{' &nbsp; '.join(media)}</td></tr>"]
    breaks = media_breaks(p, kat)
    red = swatch.format("#ffffff", BREAK_RED, "roter Rand / roter Pfeil")
    if not breaks:
        rows.append(f"<tr><th>Medienbrüche</th><td>keine ({red} entfällt)</td></tr>")
    for i, b in enumerate(breaks, start=1):
        share = "" if b.anteil >= 0.999 else f" – {zahl(b.anteil * 100)} % der Fälle"
        rows.append(
            f"<tr><th>{'Medienbruch' if i == 1 else ''}</th><td>{red}: "
            f"{b.von_nr}. {html.escape(b.von.name)} ({html.escape(str(b.von.medium))}) → "
            f"{b.nach_nr}. {html.escape(b.nach.name)} ({html.escape(str(b.nach.medium))})"
            f"{share}</td></tr>"
        )
    return HTML(f'<table class="legende">{"".join(rows)}</table>')


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
    table["minuten_text"] = ["fehlt" if pd.isna(v) else zahl(v, 1) for v in table["minuten"]]
    for column in ("baustein", "medium"):
        table[column] = table[column].fillna("fehlt")
    columns = {
        "nr": ("Nr.", "int"),
        "name": ("Schritt", "text"),
        "gruppe": ("Teilprozess", "text"),
        "bahn": ("Bahn", "text"),
        "baustein": ("Baustein", "text"),
        "medium": ("Medium", "text"),
        "minuten_text": ("Min.", "wert"),
        "wartezeit_tage": ("Warten (Tage)", "dez1"),
        "anteil_text": ("Anteil Fälle", "text"),
    }
    if table["gruppe"].isna().all():
        del columns["gruppe"]
    return anzeige.table(table, columns)


def comparison_table(m: Musterprozess | None) -> HTML | None:
    if m is None:
        return None
    k_ist, k_soll = m.kennzahlen_ist, m.kennzahlen_soll
    table = musterprozess.comparison(k_ist, k_soll)
    days = table["kennzahl"] == "Durchlaufzeit"
    table.loc[days, "einheit"] = "Tage"
    rows = []
    for key, row in zip(musterprozess.COMPARISON, table.to_dict("records"), strict=True):
        factor = 1 / defaults.MINUTEN_JE_TAG if key == "durchlaufzeit_min" else 1
        missing = KEINE_ANGABE if key.startswith("unterlagen") else NICHT_BERECHENBAR
        values = {
            v: missing if row[v] is None or pd.isna(row[v]) else zahl(row[v] * factor, 1)
            for v in ("ist", "soll")
        }
        change = row["veraenderung"]
        if change is None or pd.isna(change):
            change = missing if missing in values.values() else ""
        else:
            change = prozent(change)
        left_out = [
            f"{variant} ohne {step_list(p, k.luecken[key].fehlend)}"
            for variant, p, k in (("IST", m.ist, k_ist), ("SOLL", m.soll, k_soll))
            if key in k.luecken and not k.luecken[key].alle
        ]
        label = row["kennzahl"] + (f" ({'; '.join(left_out)})" if left_out else "")
        rows.append(row | values | {"kennzahl": label, "veraenderung": change})
    return anzeige.table(
        pd.DataFrame(rows),
        {
            "kennzahl": ("Kennzahl", "text"),
            "einheit": ("Einheit", "text"),
            "ist": ("IST", "wert"),
            "soll": ("SOLL", "wert"),
            "veraenderung": ("Veränderung", "wert"),
        },
    )


def comparison_chart(m: Musterprozess | None) -> Figure | None:
    from kdworkbook.musterprozess import grafiken as musterprozess_grafiken

    if m is None:
        return None
    return musterprozess_grafiken.comparison_chart(m.kennzahlen_ist, m.kennzahlen_soll)


def documents(m: Musterprozess | None) -> HTML | None:
    if m is None:
        return None
    if m.ist.unterlagen is None and m.soll.unterlagen is None:
        return HTML(
            "<p>Zu den Unterlagen machen IST und SOLL keine Angabe "
            f"({musterprozess_text.UNTERLAGEN_WO}) – Unterlagen und Once-Only werden nicht "
            "verglichen.</p>"
        )
    ist = {d.name: d for d in m.ist.unterlagen or ()}
    soll = {d.name: d for d in m.soll.unterlagen or ()}
    rows = []
    for name in list(ist) + [n for n in soll if n not in ist]:
        d = soll.get(name) or ist[name]
        rows.append(
            {
                "name": name,
                "register": d.register or "",
                "ist": _who(ist.get(name), m.ist.unterlagen is None),
                "soll": _who(soll.get(name), m.soll.unterlagen is None),
            }
        )
    if not rows:
        return HTML("<p>In den Prozessdateien sind keine Unterlagen angegeben.</p>")
    k_ist, k_soll = m.kennzahlen_ist, m.kennzahlen_soll
    if k_ist.unterlagen is None or k_soll.unterlagen is None:
        which = "IST" if k_ist.unterlagen is None else "SOLL"
        note = (
            f"<p>Zu den Unterlagen macht das {which}-Modell keine Angabe "
            f"({musterprozess_text.UNTERLAGEN_WO}) – ein Vergleich der beizubringenden "
            f"Unterlagen ist {NICHT_BERECHENBAR}.</p>"
        )
    else:
        note = (
            f"<p>Im IST bringt die Bürgerin / der Bürger {zahl(k_ist.unterlagen_buerger)} von "
            f"{zahl(k_ist.unterlagen)} Angaben bei, obwohl {zahl(k_ist.unterlagen_once_only)} "
            f"davon in einem Register stehen; im SOLL sind es {zahl(k_soll.unterlagen_buerger)}, "
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
    return HTML(note + table)


def _who(d: Any, unknown: bool = False) -> str:
    if unknown:
        return KEINE_ANGABE
    if d is None:
        return "–"
    return "Abruf durch die Verwaltung" if d.abruf else "Bürger bringt bei"


def savings(m: Musterprozess | None) -> Markdown | None:
    if m is None:
        return None
    e, z = m.einsparung, m.zeile
    k_ist, k_soll = m.kennzahlen_ist, m.kennzahlen_soll
    gap = savings_gap(m.ist, m.soll, k_ist, k_soll)
    survey_note = ""
    if k_ist.verwaltung_min is not None and abs(z["minuten"] - k_ist.verwaltung_min) >= 1:
        survey_note = (
            f"\n\nHinweis: Die Bestandserhebung nennt für „{literal(z['bezeichnung'])}“ "
            f"{_num(z['minuten'])} Minuten je Vorgang, die Prozessaufnahme ergibt "
            f"{_num(k_ist.verwaltung_min)} Minuten Verwaltungszeit – bitte mit dem "
            f"Fachamt abgleichen."
        )
    if e.eur_jahr is None:
        text = (
            f"**{gap}.** Einsparung pro Jahr = Vorgänge × (IST − SOLL Minuten der Verwaltung) / "
            f"60 × Stundensatz braucht die Minuten der Verwaltung in IST und SOLL; sie werden "
            "nicht geschätzt. Bitte die fehlenden Bearbeitungszeiten in der Prozessdatei ergänzen "
            "(Eigenschaft „minuten“ der Aufgabe oder Seitentabelle „angaben“)."
        )
    else:
        text = (
            f"Einsparung pro Jahr = Vorgänge × (IST − SOLL Minuten der Verwaltung) / 60 × "
            f"Stundensatz = {zahl(e.vorgaenge)} × ({_num(k_ist.verwaltung_min)} − "
            f"{_num(k_soll.verwaltung_min)}) / 60 × {euro(e.stundensatz_eur, 2)}/h = "
            f"**{euro(e.eur_jahr)}** ({zahl(e.stunden_jahr)} Stunden, "
            f"**{zahl(e.vzae, 2)} VZÄ**)."
        )
        if gap:
            text += f"\n\n**{gap}.**"
    return anzeige.text(text + "\n\n" + _citizens(e) + survey_note)


def _citizens(e: musterprozess.Einsparung) -> str:
    """The citizens' side of the savings; each part only where it is computable."""
    visits = e.behoerdengaenge_jahr
    if e.buerger_minuten_je_fall is None:
        text = f"Zeitersparnis der Bürgerinnen und Bürger: {NICHT_BERECHENBAR}"
        if visits is not None:
            text += f"; {zahl(visits)} Behördengänge weniger im Jahr"
    else:
        text = (
            f"Die Bürgerinnen und Bürger sparen zusätzlich {_num(e.buerger_minuten_je_fall)} "
            f"Minuten je Fall, zusammen {zahl(e.buerger_stunden_jahr)} Stunden"
        )
        text += f" und {zahl(visits)} Behördengänge im Jahr" if visits is not None else ""
    if e.durchlaufzeit_tage_weniger is None:
        text += f"; Durchlaufzeit: {NICHT_BERECHENBAR}"
    else:
        text += (
            f"; der Vorgang ist {_num(e.durchlaufzeit_tage_weniger)} Tage schneller abgeschlossen"
        )
    return text + ". Diese Zeit der Bürger ist in der Einsparung der Verwaltung nicht enthalten."


def notes(m: Musterprozess | None) -> HTML | None:
    """What the import noticed and what is missing (missing values, unsupported BPMN
    elements)."""
    if m is None:
        return None
    if not m.hinweise:
        return HTML("<p>Beide Prozessdateien sind vollständig; keine Hinweise.</p>")
    body = "".join(f"<li>{literal(h)}</li>" for h in m.hinweise)
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


def _variant(k: musterprozess.Kennzahlen) -> dict[str, float | int | None]:
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
        "hinweise": list(m.hinweise),
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
    sheets = {}
    for name, p in (("Musterprozess IST", m.ist), ("Musterprozess SOLL", m.soll)):
        table = musterprozess.steps_table(p)
        if table["minuten"].isna().any():  # a missing time reads „fehlt“, not an empty cell
            table["minuten"] = (
                table["minuten"].astype(object).where(table["minuten"].notna(), "fehlt")
            )
        shown = dict(columns)
        if table["gruppe"].notna().any():  # steps from BPMN sub-processes
            shown = dict(list(columns.items())[:3]) | {"gruppe": ("Teilprozess", "text")}
            shown |= dict(list(columns.items())[3:])
        sheets[name] = (table, shown)
    return sheets
