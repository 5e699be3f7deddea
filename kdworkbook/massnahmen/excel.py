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


def plan_sheets(p: Planung) -> dict[str, export.Sheet]:
    """Sheets of ``massnahmenplan.xlsx``."""
    ranked = p.ranked
    horizon = p.settings.amortisation_horizont_jahre
    measures = p.measures.assign(
        amortisation=p.measures["amortisation_jahre"].map(lambda y: payback_text(y, horizon)),
        beginn_q=quarter_days(p.start, p.measures["quartal_start"]),
        fertig_q=quarter_days(p.start, p.measures["quartal_ende"]),
    )
    criteria = {
        f"k_{c.key}": (c.label + " (0–1)", "dez2")
        for c in priorisierung.CRITERIA
        if f"k_{c.key}" in ranked
    }
    return {
        "Priorisierung": (
            ranked,
            {
                **RANK_COLUMNS,
                "vorgaenge": ("Vorgänge pro Jahr", "int"),
                "personalkosten_eur": ("Personalkosten €", "eur"),
                **criteria,
                "umsetzbarkeit": ("Umsetzbarkeit", "dez2"),
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
        "Kostenplan": (p.costs, {**COST_COLUMNS, "jahr": ("Jahr", "jahr")}),
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
        )
    ]
