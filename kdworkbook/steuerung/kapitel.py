"""The chapter „Fortschreibung“ (notebook 07) and the box „Seit dem letzten Bericht“ of the
Management-Zusammenfassung: one function per notebook cell, both from :func:`load`.

What the chapter compares, and where each side comes from:

- Umsetzungsstand: the latest Stand recorded (``kdworkbook steuerung-einlesen``) on or before
  the Stichtag (:func:`kdworkbook.steuerung.stand.stands_until`) – a Stand recorded after the
  Stichtag belongs to later reports, so the round-1 report of the demo stays as it was even
  though both demo rounds share ``parameters/stadt-musterstadt/steuerung``.
- Survey round against round: ``vorherige_erhebung`` against ``bestand``
  (:mod:`kdworkbook.steuerung.fortschreibung`).
- Duty statuses „seit dem letzten Bericht“: the statuses printed in the previous report, i.e.
  ``ergebnisse.json`` of the latest complete run of this municipality with an earlier
  Stichtag in the same output folder (:func:`kdworkbook.steuerung.laeufe.previous_run`). The
  runner copies that file into the run's snapshot and records it in ``lauf.json``; outside a
  run (or without such a run) the comparison is „nicht berechenbar“ with the reason. The
  previous report is what the municipality was told, so it is the right base – not a
  parameter file that may have been edited since.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from IPython.display import HTML

from kdworkbook.bericht import anzeige
from kdworkbook.bestand.laden import Bestandsaufnahme
from kdworkbook.kern import momentaufnahme
from kdworkbook.kern.errors import InputError
from kdworkbook.kern.formatierung import datum, euro, literal, prozent, zahl
from kdworkbook.steuerung import fortschreibung, kennungen, stand
from kdworkbook.steuerung.arbeitsmappe import STATUS

#: key of the snapshot's index naming the previous report (set by the runner)
PREVIOUS_RUN = "vorheriger_lauf"
NICHT_BERECHENBAR = "nicht berechenbar"
#: print colours of the Ampel; the word stays next to the dot (legible in black and white)
AMPEL_FARBE = {"grün": "#1a7f37", "gelb": "#b8860b", "rot": "#c62828"}
NOT_DONE = "–"  # slip of a measure not yet umgesetzt: not applicable, not 0


@dataclass(frozen=True)
class Fortschreibung:
    """Everything the chapter and the summary box show."""

    stichtag: dt.date
    stand: dict | None  # latest Stand recorded up to the Stichtag
    massnahmen: pd.DataFrame  # one row per measure of the Stand (measure_table + plan values)
    einsparung: pd.DataFrame | None  # per process with a measure umgesetzt
    einsparung_grund: str | None  # why the realised savings are not computable
    kennzahlen: dict[str, Any]  # the keys of ``check --json → fortschreibung``
    vorher: pd.DataFrame | None  # previous survey round with figures
    bericht: dict[str, Any] | None  # previous report: lauf, stichtag, pflichten
    bericht_grund: str | None  # why there is no previous report

    @property
    def stand_tag(self) -> dt.date | None:
        return dt.date.fromisoformat(self.stand["erfasst"]) if self.stand else None


# --------------------------------------------------------------------------- computing


def _stands(ba: Bestandsaufnahme) -> list[dict]:
    if ba.parameter_file is None:
        return []
    folder = stand.home(ba.parameter_file, ba.settings.slug)
    return stand.stands_until(folder, ba.settings.stichtag) if folder.is_dir() else []


def omitted(ba: Bestandsaufnahme) -> str | None:
    """The chapter is part of the report only with a previous round or a Stand recorded up
    to the Stichtag. A first report has neither by method, so no note for the analyst."""
    if ba.settings.vorherige_erhebung or _stands(ba):
        return None
    return (
        "Weder eine vorherige Erhebung (vorherige_erhebung) noch ein bis zum Stichtag "
        "erfasster Umsetzungsstand: das Kapitel Fortschreibung entfällt im Bericht."
    )


def _previous_report(ba: Bestandsaufnahme) -> tuple[dict | None, str | None]:
    index = momentaufnahme.read_index()
    if index is None:
        return None, (
            "der vorige Bericht ist nur im Lauf mit „kdworkbook run“ bekannt (der letzte "
            "abgeschlossene Lauf mit früherem Stichtag im Ausgabeordner)"
        )
    entry = index.get(PREVIOUS_RUN)
    if not entry:
        return None, (
            "kein abgeschlossener Lauf dieser Kommune mit Stichtag vor dem "
            f"{datum(ba.settings.stichtag)} im Ausgabeordner"
        )
    path = Path(index["kopien"].get(entry["ergebnisse"], entry["ergebnisse"]))
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{entry['ergebnisse']}: nicht lesbar ({exc}).") from None
    duties = (results.get("rahmenbedingungen") or {}).get("pflichten")
    return {
        "lauf": entry["lauf"],
        "stichtag": dt.date.fromisoformat(entry["stichtag"]),
        "pflichten": duties,
    }, None


def _measures(entries: list[dict], day: dt.date) -> pd.DataFrame:
    table = fortschreibung.measure_table(entries, day)
    if table.empty:
        return table
    plan = pd.DataFrame(entries)[
        ["id", "fertig_plan", "ende_ist", "einmalkosten_plan", "einmalkosten_ist", "bemerkung"]
    ]
    return table.merge(plan, on="id", how="left")


def load(ba: Bestandsaufnahme) -> Fortschreibung | None:
    """The chapter's object; None when the chapter is left out (:func:`omitted`)."""
    stands = _stands(ba)
    previous = stand.previous_round(ba.settings)
    if not stands and previous is None:
        return None
    latest = stands[-1] if stands else None
    entries = latest["massnahmen"] if latest else []
    day = dt.date.fromisoformat(latest["erfasst"]) if latest else ba.settings.stichtag
    savings, reason = None, None
    if previous is None:
        reason = "keine vorherige Erhebung (vorherige_erhebung in der Parameterdatei)"
    elif not entries:
        reason = "kein Umsetzungsstand erfasst (kdworkbook steuerung-einlesen)"
    else:
        savings = fortschreibung.realised_savings(
            entries, previous, ba.data, kennungen.process_ids(previous)
        )
        missing = savings[savings["realisiert_eur_jahr"].isna()]
        if not missing.empty:
            reason = "; ".join(f"{r.prozess}: {r.fehlt}" for r in missing.itertuples())
    report, report_reason = _previous_report(ba)
    return Fortschreibung(
        stichtag=ba.settings.stichtag,
        stand=latest,
        massnahmen=_measures(entries, day),
        einsparung=savings,
        einsparung_grund=reason,
        kennzahlen=fortschreibung.summary(entries, savings),
        vorher=previous,
        bericht=report,
        bericht_grund=report_reason,
    )


def chapter(ba: Bestandsaufnahme) -> Fortschreibung:
    """:func:`load` for the notebook: without a previous round or Stand the chapter has
    nothing to show (the runner leaves it out), so executed on its own it says why."""
    f = load(ba)
    if f is None:
        raise InputError(omitted(ba) or "Kapitel Fortschreibung: nichts zu vergleichen.")
    return f


def summary(ba: Bestandsaufnahme) -> dict[str, Any] | None:
    """Section ``fortschreibung`` of ``check --json`` (and of ``ergebnisse.json``); None
    without the chapter. Reads – and so checks – every Stand and the previous round."""
    f = load(ba)
    return None if f is None else f.kennzahlen


def status_counts(f: Fortschreibung) -> dict[str, int]:
    return stand.status_counts(f.stand["massnahmen"]) if f.stand else dict.fromkeys(STATUS, 0)


def biggest_slip(f: Fortschreibung) -> dict[str, Any] | None:
    """The measure umgesetzt with the largest slip (first in the Stand on a tie); None when
    no measure umgesetzt has an end date."""
    if f.massnahmen.empty:
        return None
    known = f.massnahmen[f.massnahmen["verzug_quartale"].notna()]
    if known.empty:
        return None
    row = known.loc[known["verzug_quartale"].astype(int).idxmax()]
    return {
        "prozess": row["prozess"],
        "massnahme": row["massnahme"],
        "quartale": int(row["verzug_quartale"]),
    }


def cost_variance(f: Fortschreibung) -> tuple[float | None, int]:
    """Sum of (actual − planned) one-off costs over the measures with an actual cost, and
    how many those are; None when no actual cost is given."""
    if f.massnahmen.empty:
        return None, 0
    known = f.massnahmen["kostenabweichung_eur"].dropna()
    return (float(known.sum()) if len(known) else None), len(known)


# --------------------------------------------------------------------------- wording


def _quarters(n: int) -> str:
    if n == 0:
        return "im geplanten Quartal"
    word = "Quartal" if abs(n) == 1 else "Quartale"
    return f"{zahl(abs(n))} {word} {'später' if n > 0 else 'früher'} als geplant"


def _signed_euro(value: float) -> str:
    return ("+" if value > 0 else "−" if value < 0 else "") + euro(abs(value))


def _realised(f: Fortschreibung) -> str:
    value = f.kennzahlen["einsparung_realisiert_eur_jahr"]
    if value is None:
        return (
            f"{NICHT_BERECHENBAR} ({f.einsparung_grund})"
            if f.einsparung_grund
            else NICHT_BERECHENBAR
        )
    return euro(value)


def _ampel(colour: str) -> str:
    return f'<span style="color:{AMPEL_FARBE[colour]}">●</span> {html.escape(colour)}'


# --------------------------------------------------------------------------- cells


def introduction(f: Fortschreibung) -> HTML:
    parts = []
    if f.stand:
        parts.append(
            f"Umsetzungsstand vom **{datum(f.stand_tag)}** (Arbeitsmappe "
            f"„{literal(f.stand['datei'])}“), gegen den Maßnahmenplan, auf den damals "
            "geantwortet wurde."
        )
    else:
        parts.append(
            "Bis zum Stichtag ist kein Umsetzungsstand erfasst (kdworkbook steuerung, "
            "kdworkbook steuerung-einlesen); verglichen werden die beiden Erhebungsrunden."
        )
    if f.vorher is not None:
        parts.append(
            f"Die vorige Erhebung ({zahl(len(f.vorher))} Prozesse) steht der jetzigen "
            "gegenüber; Prozesse werden über den LeiKa-Schlüssel, sonst über die Bezeichnung "
            "zugeordnet."
        )
    if f.bericht:
        parts.append(f"Voriger Bericht: Stichtag {datum(f.bericht['stichtag'])}.")
    return anzeige.text(" ".join(parts))


def key_figures(f: Fortschreibung) -> HTML:
    counts = status_counts(f)
    slip = biggest_slip(f)
    return anzeige.cards(
        {
            "umgesetzt": zahl(counts["umgesetzt"]),
            "begonnen": zahl(counts["begonnen"]),
            "geplant": zahl(counts["geplant"]),
            "zurückgestellt / verworfen": zahl(counts["zurückgestellt"] + counts["verworfen"]),
            "Einsparung realisiert €/Jahr": (
                euro(f.kennzahlen["einsparung_realisiert_eur_jahr"])
                if f.kennzahlen["einsparung_realisiert_eur_jahr"] is not None
                else NICHT_BERECHENBAR
            ),
            "Einsparung geplant €/Jahr": _planned(f),
            "größter Verzug (Quartale)": zahl(slip["quartale"]) if slip else NICHT_BERECHENBAR,
        }
    )


def status_table(f: Fortschreibung) -> HTML:
    """Measures per status with the Ampel they get."""
    if f.massnahmen.empty:
        return anzeige.text("Kein Umsetzungsstand erfasst – keine Maßnahmen nach Status.")
    counts = status_counts(f)
    rows = []
    for status in STATUS:
        mine = f.massnahmen[f.massnahmen["status"] == status]
        rows.append(
            {
                "status": status,
                "anzahl": counts[status],
                "gruen": int((mine["ampel"] == "grün").sum()),
                "gelb": int((mine["ampel"] == "gelb").sum()),
                "rot": int((mine["ampel"] == "rot").sum()),
            }
        )
    body = anzeige.table_html(
        pd.DataFrame(rows),
        {
            "status": ("Status", "text"),
            "anzahl": ("Maßnahmen", "int"),
            "gruen": ("Ampel grün", "int"),
            "gelb": ("Ampel gelb", "int"),
            "rot": ("Ampel rot", "int"),
        },
        total={"status": "Summe", "anzahl": len(f.massnahmen)},
    )
    note = anzeige.markdown_html(
        "Ampel: **grün** = umgesetzt; **rot** = zurückgestellt, verworfen oder noch nicht "
        "umgesetzt, obwohl das geplante Fertig-Quartal vor dem Quartal des Stands endete; "
        "**gelb** = begonnen oder geplant und im Zeitplan."
    )
    return HTML(body + note)


def _measure_rows(f: Fortschreibung) -> pd.DataFrame:
    t = f.massnahmen.copy()
    t["ampel_text"] = t["ampel"]
    t["was"] = t["prozess"] + ": " + t["massnahme"]
    t["ende"] = [
        datum(dt.date.fromisoformat(v)) if isinstance(v, str) and v else "" for v in t["ende_ist"]
    ]
    t["verzug"] = [
        zahl(int(v))
        if not pd.isna(v)
        else (f"{NICHT_BERECHENBAR} (Ende fehlt)" if s == "umgesetzt" else NOT_DONE)
        for v, s in zip(t["verzug_quartale"], t["status"], strict=True)
    ]
    t["ist"] = [
        euro(v) if v is not None and not pd.isna(v) else "nicht angegeben"
        for v in t["einmalkosten_ist"]
    ]
    t["abweichung"] = [
        _signed_euro(v) if v is not None and not pd.isna(v) else NOT_DONE
        for v in t["kostenabweichung_eur"]
    ]
    return t


def measures(f: Fortschreibung) -> HTML:
    """Every measure that moved (not geplant) or is late: plan against actual."""
    if f.massnahmen.empty:
        return anzeige.text("Kein Umsetzungsstand erfasst.")
    rows = _measure_rows(f)
    shown = rows[(rows["status"] != "geplant") | (rows["ampel"] == "rot")]
    order = {s: i for i, s in enumerate(STATUS)}
    shown = shown.sort_values("status", key=lambda s: s.map(order), kind="stable")
    body = anzeige.top_table_html(
        shown,
        {
            "was": ("Prozess: Maßnahme", "text"),
            "status": ("Status", "text"),
            "ampel_text": ("Ampel", "text"),
            "fertig_plan": ("fertig geplant", "text"),
            "ende": ("Ende tatsächlich", "text"),
            "verzug": ("Verzug (Quartale)", "wert"),
            "einmalkosten_plan": ("Einmalkosten geplant", "eur"),
            "ist": ("tatsächlich", "wert"),
            "abweichung": ("Abweichung", "wert"),
        },
        anzeige.REPORT_ROWS,
        "im Umsetzungsstand (steuerung/stand_*.json)",
    )
    for colour in AMPEL_FARBE:  # the Ampel column: a coloured dot before the word
        body = body.replace(
            f'<td class="txt">{colour}</td>', f'<td class="txt">{_ampel(colour)}</td>'
        )
    rest = len(rows) - len(shown)
    total, n = cost_variance(f)
    lines = [
        "Verzug in Quartalen = Quartal des tatsächlichen Endes − geplantes Fertig-Quartal "
        f"(positiv = später); „{NOT_DONE}“ = noch nicht umgesetzt. Abweichung = tatsächliche "
        "− geplante Einmalkosten."
    ]
    if total is not None:
        lines.append(
            f"Summe der Abweichungen über {zahl(n)} Maßnahmen mit tatsächlichen Kosten: "
            f"**{_signed_euro(total)}**."
        )
    if rest:
        lines.append(f"Die übrigen {zahl(rest)} Maßnahmen sind geplant und im Zeitplan.")
    return HTML(body + anzeige.markdown_html(" ".join(lines)))


def savings(f: Fortschreibung) -> HTML:
    """Per process with a measure umgesetzt: planned against realised savings."""
    if f.einsparung is None:
        return anzeige.text(f"Realisierte Einsparung: {NICHT_BERECHENBAR} – {f.einsparung_grund}.")
    if f.einsparung.empty:
        return anzeige.text("Noch keine Maßnahme umgesetzt – keine realisierte Einsparung.")
    t = f.einsparung.copy()
    t["realisiert"] = [
        euro(v) if v is not None and not pd.isna(v) else f"{NICHT_BERECHENBAR} ({why})"
        for v, why in zip(t["realisiert_eur_jahr"], t["fehlt"], strict=True)
    ]
    t["geplant"] = [
        euro(v) if v is not None and not pd.isna(v) else NICHT_BERECHENBAR
        for v in t["geplant_eur_jahr"]
    ]
    realised = f.kennzahlen["einsparung_realisiert_eur_jahr"]
    body = anzeige.table_html(
        t,
        {
            "prozess": ("Prozess", "text"),
            "geplant": ("Einsparung geplant €/Jahr", "wert"),
            "realisiert": ("realisiert €/Jahr", "wert"),
        },
        total={
            "prozess": "Summe",
            "geplant": _planned(f),
            "realisiert": euro(realised) if realised is not None else NICHT_BERECHENBAR,
        },
    )
    note = anzeige.markdown_html(
        "Realisiert = (Jahresstunden der vorigen Erhebung − Jahresstunden jetzt) × Stundensatz, "
        "aus den Minuten und Vorgängen, die beide Runden für den Prozess angeben – nie "
        "angenommen. Geplant = die Einsparung der umgesetzten Maßnahmen laut Plan."
    )
    return HTML(body + note)


def duties(f: Fortschreibung, ba: Bestandsaufnahme) -> HTML:
    """Duty statuses that changed since the previous report."""
    from kdworkbook.rahmen import bedingungen

    if f.bericht is None:
        return anzeige.text(
            f"Veränderungen der Pflichten seit dem letzten Bericht: {NICHT_BERECHENBAR} – "
            f"{f.bericht_grund}."
        )
    if not f.bericht["pflichten"]:
        return anzeige.text(
            f"Veränderungen der Pflichten: {NICHT_BERECHENBAR} – der Bericht vom "
            f"{datum(f.bericht['stichtag'])} enthält keinen Stand der Pflichten."
        )
    table = duty_changes(f.bericht["pflichten"], bedingungen.duties(ba))
    since = datum(f.bericht["stichtag"])
    if table.empty:
        return anzeige.text(
            f"Seit dem Bericht vom {since} hat sich kein Stand einer Pflicht geändert."
        )
    body = anzeige.table_html(
        table,
        {
            "paragraph": ("Pflicht", "text"),
            "titel": ("Inhalt", "text"),
            "vorher": (f"Stand {since}", "text"),
            "jetzt": (f"Stand {datum(f.stichtag)}", "text"),
        },
    )
    return HTML(body)


def duty_changes(previous: list[dict], current: pd.DataFrame) -> pd.DataFrame:
    """Duties whose status differs from the previous report, matched by the register key
    (``ergebnisse.json`` lists it as ``paragraph``; *current* is
    :func:`kdworkbook.rahmen.bedingungen.duties`). New in force: „–“ before; no longer in
    force: „gilt nicht mehr“ now."""
    before = {d["paragraph"]: d.get("status") for d in previous}
    rows = []
    for r in current.itertuples():
        old = before.pop(r.schluessel, None)
        if old != r.status:
            rows.append(
                {
                    "paragraph": r.paragraph,
                    "titel": r.titel,
                    "vorher": old or NOT_DONE,
                    "jetzt": r.status,
                }
            )
    rows += [
        {"paragraph": key, "titel": "", "vorher": status or NOT_DONE, "jetzt": "gilt nicht mehr"}
        for key, status in before.items()
    ]
    return pd.DataFrame(rows, columns=["paragraph", "titel", "vorher", "jetzt"])


def by_fachamt(previous: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """Per Fachamt: mean Reifegrad (of the processes with one) and Jahresstunden, both rounds."""

    def figures(table: pd.DataFrame, suffix: str) -> pd.DataFrame:
        grouped = table.groupby("fachamt", sort=False, observed=True)
        mean = (
            grouped["reifegrad"].mean()
            if "reifegrad" in table
            else pd.Series(dtype=float, name="reifegrad")
        )
        return pd.DataFrame(
            {f"reifegrad_{suffix}": mean, f"stunden_{suffix}": grouped["jahresstunden"].sum()}
        )

    joined = figures(previous, "vorher").join(figures(current, "jetzt"), how="outer")
    joined["stunden_diff"] = joined["stunden_jetzt"] - joined["stunden_vorher"]
    return joined.reset_index().sort_values("fachamt", ignore_index=True)


def fachaemter(f: Fortschreibung, ba: Bestandsaufnahme) -> HTML:
    if f.vorher is None:
        return anzeige.text(
            f"Reifegrad und Stunden je Fachamt, Runde gegen Runde: {NICHT_BERECHENBAR} – keine "
            "vorherige Erhebung (vorherige_erhebung in der Parameterdatei)."
        )
    t = by_fachamt(f.vorher, ba.data)
    shown = t.copy()
    for column in ("reifegrad_vorher", "reifegrad_jetzt"):
        shown[column] = [zahl(v, 1) if not pd.isna(v) else "nicht erhoben" for v in t[column]]
    for column in ("stunden_vorher", "stunden_jetzt"):
        shown[column] = [zahl(v) if not pd.isna(v) else "nicht erhoben" for v in t[column]]
    shown["stunden_diff"] = [
        (("+" if v > 0 else "−" if v < 0 else "") + zahl(abs(v)))
        if not pd.isna(v)
        else NICHT_BERECHENBAR
        for v in t["stunden_diff"]
    ]
    body = anzeige.table_html(
        shown,
        {
            "fachamt": ("Fachamt", "text"),
            "reifegrad_vorher": ("Reifegrad vorher", "wert"),
            "reifegrad_jetzt": ("Reifegrad jetzt", "wert"),
            "stunden_vorher": ("Jahresstunden vorher", "wert"),
            "stunden_jetzt": ("Jahresstunden jetzt", "wert"),
            "stunden_diff": ("Veränderung", "wert"),
        },
    )
    note = anzeige.markdown_html(
        "Reifegrad: Mittel des OZG-Reifegrads (0–4) der Prozesse mit erhobenem Wert."
    )
    return HTML(body + note)


def processes(f: Fortschreibung, ba: Bestandsaufnahme) -> HTML:
    """Processes only in the new survey (neu) or only in the previous one (entfallen)."""
    if f.vorher is None:
        return anzeige.text(
            f"Neue und entfallene Prozesse: {NICHT_BERECHENBAR} – keine vorherige Erhebung."
        )
    pairs = fortschreibung.match_rounds(f.vorher, ba.data)
    rows = []
    for r in pairs.itertuples():
        if r.runde == "neu":
            rows.append({"runde": "neu", **ba.data.loc[r.jetzt, ["bezeichnung", "fachamt"]]})
        elif r.runde == "entfallen":
            rows.append(
                {"runde": "entfallen", **f.vorher.loc[r.vorher, ["bezeichnung", "fachamt"]]}
            )
    both = int((pairs["runde"] == "beide").sum())
    lead = f"{zahl(both)} Prozesse stehen in beiden Runden"
    if not rows:
        return anzeige.text(lead + "; keiner ist neu, keiner entfallen.")
    table = pd.DataFrame(rows)
    body = anzeige.top_table_html(
        table,
        {
            "runde": ("", "text"),
            "bezeichnung": ("Prozess", "text"),
            "fachamt": ("Fachamt", "text"),
        },
        anzeige.REPORT_ROWS,
        "in den Erhebungsdateien beider Runden",
    )
    new = int((table["runde"] == "neu").sum())
    return HTML(
        anzeige.markdown_html(f"{lead}; {zahl(new)} sind neu, {zahl(len(table) - new)} entfallen:")
        + body
    )


def exchange_text(f: Fortschreibung) -> HTML:
    """A short text for the Erfahrungsaustausch, generated from the figures."""
    counts = status_counts(f)
    k = f.kennzahlen
    total = sum(counts.values())
    parts = []
    if f.stand:
        since = f"Seit dem Bericht vom {datum(f.bericht['stichtag'])} (" if f.bericht else "("
        parts.append(
            f"{since}Stand {datum(f.stand_tag)}): von {zahl(total)} Maßnahmen sind "
            f"{zahl(counts['umgesetzt'])} umgesetzt und {zahl(counts['begonnen'])} begonnen, "
            f"{zahl(counts['geplant'])} noch geplant; {zahl(counts['zurückgestellt'])} "
            f"zurückgestellt und {zahl(counts['verworfen'])} verworfen."
        )
        realised = k["einsparung_realisiert_eur_jahr"]
        planned = k["einsparung_geplant_eur_jahr"]
        if realised is not None:
            share = f" ({prozent(realised / planned, 0)} des Plans)" if planned else ""
            parts.append(
                f"Die umgesetzten Maßnahmen sparen laut neuer Erhebung {euro(realised)} im Jahr; "
                f"geplant waren {_planned(f)}{share}."
            )
        else:
            parts.append(f"Die realisierte Einsparung ist {_realised(f)}.")
        slip = biggest_slip(f)
        if slip and slip["quartale"] > 0:
            parts.append(
                f"Größter Verzug: {literal(slip['massnahme'])} ({literal(slip['prozess'])}), "
                f"{_quarters(slip['quartale'])}."
            )
        cost, n = cost_variance(f)
        if cost:
            parts.append(
                f"Die Einmalkosten weichen bei {zahl(n)} Maßnahmen insgesamt um "
                f"{_signed_euro(cost)} vom Plan ab."
            )
        red = int((f.massnahmen["ampel"] == "rot").sum()) if not f.massnahmen.empty else 0
        if red:
            parts.append(
                f"Zu besprechen: {zahl(red)} Maßnahmen mit roter Ampel (zurückgestellt, "
                "verworfen oder verspätet) – Gründe, neue Termine, Unterstützung durch andere "
                "Kommunen."
            )
    else:
        parts.append(
            "Noch kein Umsetzungsstand erfasst: für den Erfahrungsaustausch zuerst mit "
            "„kdworkbook steuerung“ die Arbeitsmappe erzeugen und ausfüllen lassen."
        )
    return anzeige.text(" ".join(parts))


def results(f: Fortschreibung) -> None:
    """Machine-readable figures (cell tagged ``ergebnisse``): the same keys as ``check --json``."""
    anzeige.results({"fortschreibung": f.kennzahlen})


# --------------------------------------------------------------------------- summary box


def since_last_report(f: Fortschreibung | None) -> HTML | None:
    """The box „Seit dem letzten Bericht“ of the Management-Zusammenfassung: counts by status,
    realised against planned savings, the biggest slip – the chapter's own object."""
    if f is None:
        return None
    counts = status_counts(f)
    slip = biggest_slip(f)
    items = [
        f"Maßnahmen: {zahl(counts['umgesetzt'])} umgesetzt, {zahl(counts['begonnen'])} begonnen, "
        f"{zahl(counts['geplant'])} geplant, {zahl(counts['zurückgestellt'])} zurückgestellt, "
        f"{zahl(counts['verworfen'])} verworfen"
        + (f" (Stand {datum(f.stand_tag)})" if f.stand else " (kein Umsetzungsstand erfasst)"),
        f"Einsparung realisiert {_realised(f)} pro Jahr, geplant {_planned(f)}",
        (
            f"Größter Verzug: {slip['massnahme']} ({slip['prozess']}), "
            f"{_quarters(slip['quartale'])}"
            if slip
            else f"Verzug: {NICHT_BERECHENBAR} (keine umgesetzte Maßnahme mit Ende)"
        ),
    ]
    body = "".join(f"<li>{html.escape(i)}</li>" for i in items)
    return HTML(
        '<div class="kd-seit" style="border-left: 4px solid #1f4e79; padding: 0.3em 0.8em; '
        'margin: 0.6em 0 1em;">'
        "<p><strong>Seit dem letzten Bericht</strong></p>"
        f'<ul class="kd-kurz">{body}</ul>'
        "<p>Einzelheiten im Kapitel Fortschreibung.</p></div>"
    )


def _planned(f: Fortschreibung) -> str:
    """The planned saving €/Jahr, or „nicht berechenbar“ when the plan lacked one."""
    value = f.kennzahlen["einsparung_geplant_eur_jahr"]
    return NICHT_BERECHENBAR if value is None else euro(value)
