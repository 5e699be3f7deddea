"""``massnahmenplan.xlsx``: Priorisierung, Maßnahmen, Zeitplan and Kostenplan for further work.

Written by the ``write`` hook of the step via :func:`kdworkbook.bericht.excel.write_workbook`
(German headers, number formats, frozen header row, filters, survey text always stored as text,
page setup for print). Quarters are the quarter's first day shown as in the report („Q1/2027“),
so they sort right across years; the payback reads as in the report (:func:`payback_text`);
the Kostenplan ends in a sum row of formulas over the same columns the report sums.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from kdworkbook.bericht import excel as export
from kdworkbook.bestand.laden import Bestandsaufnahme
from kdworkbook.kern.formatierung import zahl
from kdworkbook.massnahmen import priorisierung
from kdworkbook.massnahmen.kapitel import (
    COST_COLUMNS,
    FLAG,
    RANK_COLUMNS,
    payback_text,
    planung,
)
from kdworkbook.massnahmen.plan import Planung

PLAN_FILE = "massnahmenplan.xlsx"
#: The sheet with the criteria of every rank; Rang and Prozess repeat on each printed page.
CRITERIA_SHEET, CRITERIA_REPEAT = "Kriterien der Priorisierung", 2
#: Header of the column naming the missing inputs of a saving (Maßnahmen sheet).
GAP_LABEL = "ohne berechenbare Einsparung: es fehlt"
#: Columns of the Kostenplan with a sum row – the ones the report's Kostenplan sums.
COST_TOTALS = list(COST_COLUMNS)[1:6]


def quarter_days(start: dt.date, offsets: pd.Series) -> list[dt.date]:
    """First day of the quarter *offsets* quarters after the one of *start* (0 = its own)."""
    index = start.year * 4 + (start.month - 1) // 3 + offsets.to_numpy(dtype=np.int64)
    return [dt.date(int(i) // 4, 3 * (int(i) % 4) + 1, 1) for i in index]


def _payback_label(horizon: float) -> str:
    return (
        f"Amortisation ({FLAG} = nicht innerhalb des Planungshorizonts von "
        f"{zahl(horizon)} Jahren oder nie)"
    )


def cost_columns(p: Planung) -> dict[str, tuple[str, str]]:
    """Columns of the Kostenplan; Einsparung and Saldo say „mindestens“ when processes without
    a computable saving are left out (as the note below the report's Kostenplan)."""
    columns = {**COST_COLUMNS, "jahr": ("Jahr", "jahr")}
    if p.kennzahlen.einsparung_vollstaendig:
        return columns
    n = len(p.kennzahlen.ohne_einsparung)
    tail = f" (Mindestwert: ohne {zahl(n)} {'Prozess' if n == 1 else 'Prozesse'}, siehe Maßnahmen)"
    for key in ("einsparung_eur", "saldo_eur", "saldo_kumuliert_eur"):
        label, fmt = columns[key]
        columns[key] = (label + tail, fmt)
    return columns


def plan_sheets(p: Planung) -> dict[str, export.Sheet]:
    """Sheets of ``massnahmenplan.xlsx``."""
    ranked, k = p.ranked, p.kennzahlen
    horizon = p.settings.amortisation_horizont_jahre
    known = p.measures["einsparung_eur"].notna()
    keys = ["bezeichnung", "fachamt"]
    gaps = p.measures[keys].merge(p.processes[[*keys, "fehlt"]], on=keys, how="left")["fehlt"]
    measures = p.measures.assign(
        amortisation=[
            payback_text(y, horizon, known=bool(ok))
            for y, ok in zip(p.measures["amortisation_jahre"], known, strict=True)
        ],
        fehlt=gaps.fillna("").to_numpy(),
        beginn_q=quarter_days(p.start, p.measures["quartal_start"]),
        fertig_q=quarter_days(p.start, p.measures["quartal_ende"]),
    )
    criteria = {
        f"k_{c.key}": (c.label + " (0–1)", "dez2")
        for c in priorisierung.CRITERIA
        if f"k_{c.key}" in ranked
    }
    return {
        # the ranking as in the report: one page wide at full size
        "Priorisierung": (
            ranked,
            {**RANK_COLUMNS, "geschaetzt": (f"geschätzt ({priorisierung.FEHLWERT_REGEL})", "text")},
        ),
        # how each rank came about: inputs and criteria, printed over pages with Rang and
        # Prozess repeated (CRITERIA_SHEET in write_plan's repeat_columns)
        CRITERIA_SHEET: (
            ranked,
            {
                "rang": ("Rang", "int"),
                "bezeichnung": ("Prozess", "text"),
                "fachamt": ("Fachamt", "text"),
                "vorgaenge": ("Vorgänge pro Jahr", "int"),
                "personalkosten_eur": ("Personalkosten €", "eur"),
                **criteria,  # Umsetzbarkeit = 1 − Aufwand (chapter): not repeated here
            },
        ),
        "Maßnahmen": (
            measures,
            {
                "id": ("Maßnahmen-Id", "text"),
                "prozess_id": ("Prozess-Id", "text"),
                "rang": ("Rang", "int"),
                "bezeichnung": ("Prozess", "text"),
                "fachamt": ("Fachamt", "text"),
                "massnahme": ("Maßnahme", "text"),
                "aufwand_personentage": ("Aufwand Personentage", "dez1"),
                "einmalkosten_eur": ("Einmalkosten €", "eur"),
                "laufende_kosten_eur_jahr": ("laufende Kosten €/Jahr", "eur"),
                "reduktion_bearbeitungszeit": ("Zeitersparnis", "pct"),
                "einsparung_stunden": ("Einsparung Stunden/Jahr", "dez1"),
                "einsparung_eur": ("Einsparung €/Jahr", "eur"),
                "einsparung_vzae": ("Einsparung VZÄ", "dez2"),
                "amortisation_jahre": ("Amortisation Jahre", "dez1"),
                "amortisation": (_payback_label(horizon), "text"),
                "fertig_q": ("fertig (Quartal)", export.QUARTER),
                "organisation": ("Organisationsverantwortung", "text"),
                "durchfuehrung": ("Durchführungsverantwortung", "text"),
                # only when a saving is not computable: what the survey or file lacks
                **({} if k.einsparung_vollstaendig else {"fehlt": (GAP_LABEL, "text")}),
            },
        ),
        "Zeitplan": (
            measures,
            {
                "id": ("Maßnahmen-Id", "text"),
                "rang": ("Rang", "int"),
                "bezeichnung": ("Prozess", "text"),
                "massnahme": ("Maßnahme", "text"),
                "aufwand_personentage": ("Personentage", "dez1"),
                "beginn_q": ("Beginn (Quartal)", export.QUARTER),
                "fertig_q": ("fertig (Quartal)", export.QUARTER),
            },
        ),
        "Kostenplan": (p.costs, cost_columns(p)),
        # listed with the reason, never ranked or planned
        "Nicht geeignet": (
            p.excluded,
            {
                "bezeichnung": ("Prozess", "text"),
                "fachamt": ("Fachamt", "text"),
                "grund": ("nicht geeignet (Grund)", "text"),
                "jahresstunden": ("Jahresstunden", "dez1"),
            },
        ),
    }


def write_plan(ba: Bestandsaufnahme, run_dir: Path) -> list[Path]:
    """``massnahmenplan.xlsx`` in the run folder (``write`` hook of the step)."""
    return [
        export.write_workbook(
            Path(run_dir) / PLAN_FILE,
            plan_sheets(planung(ba)),
            footer=ba.settings.gemeinde,
            totals={"Kostenplan": COST_TOTALS},
            header_color=ba.settings.gestaltung.primaerfarbe,
            repeat_columns={CRITERIA_SHEET: CRITERIA_REPEAT},
        )
    ]
