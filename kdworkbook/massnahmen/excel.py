"""``massnahmenplan.xlsx``: Priorisierung, Maßnahmen, Zeitplan and Kostenplan for further work.

Written by the ``write`` hook of the step via :func:`kdworkbook.bericht.excel.write_workbook`
(German headers, number formats, frozen header row, filters, survey text always stored as text).
"""

from __future__ import annotations

from pathlib import Path

from kdworkbook.bericht import excel as export
from kdworkbook.bestand.laden import Bestandsaufnahme
from kdworkbook.massnahmen import priorisierung
from kdworkbook.massnahmen import zuordnung as massnahmen
from kdworkbook.massnahmen.kapitel import COST_COLUMNS, RANK_COLUMNS, planung
from kdworkbook.massnahmen.plan import Planung

PLAN_FILE = "massnahmenplan.xlsx"


def plan_sheets(p: Planung) -> dict[str, export.Sheet]:
    """Sheets of ``massnahmenplan.xlsx``."""
    ranked = p.ranked
    horizon = p.settings.amortisation_horizont_jahre
    late = massnahmen.beyond_horizon(p.measures["amortisation_jahre"], horizon)
    measures = p.measures.assign(ueber_horizont=late.map({True: "ja", False: "nein"}))
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
                "geschaetzt": (
                    f"geschätzt ({priorisierung.FEHLWERT_REGEL})",
                    "text",
                ),
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
                "ueber_horizont": ("Amortisation über Planungshorizont", "text"),
                "organisation": ("Organisationsverantwortung", "text"),
                "durchfuehrung": ("Durchführungsverantwortung", "text"),
            },
        ),
        "Zeitplan": (
            p.measures,
            {
                "id": ("Maßnahmen-Id", "text"),
                "rang": ("Rang", "int"),
                "bezeichnung": ("Prozess", "text"),
                "massnahme": ("Maßnahme", "text"),
                "aufwand_personentage": ("Personentage", "dez1"),
                "beginn": ("Beginn (Quartal)", "text"),
                "fertig": ("fertig (Quartal)", "text"),
            },
        ),
        "Kostenplan": (p.costs, {**COST_COLUMNS, "jahr": ("Jahr", "int")}),
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
    return [export.write_workbook(Path(run_dir) / PLAN_FILE, plan_sheets(planung(ba)))]
