"""The run grows linearly with the survey: the Excel writer streams, the report keeps top lists.

No timings here (they are in ``make bench``): operation counts and table lengths.
"""

import sys

import pandas as pd
from matplotlib.collections import PathCollection

from kdworkbook.bericht import grafiken
from kdworkbook.bericht.excel import write_workbook
from kdworkbook.bestand import kapitel as bestand_ansicht
from kdworkbook.bestand import kennzahlen as bestand
from kdworkbook.bestand.laden import load_bestand
from kdworkbook.massnahmen import grafiken as massnahmen_grafiken
from kdworkbook.massnahmen import kapitel as massnahmen_ansicht
from tests.conftest import write_csv, write_params


def _calls(action) -> int:
    """Python function calls (and generator resumptions) made by *action*."""
    count = [0]

    def profile(_frame, event, _arg):
        if event == "call":
            count[0] += 1

    sys.setprofile(profile)
    try:
        action()
    finally:
        sys.setprofile(None)
    return count[0]


def _table(rows: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": [f"=Prozess {i}" for i in range(rows)],
            "wert": [i * 0.5 for i in range(rows)],
            "anzahl": range(rows),
        }
    )


def test_excel_writer_work_grows_linearly(tmp_path):
    columns = {"name": ("Name", "text"), "wert": ("Wert", "eur"), "anzahl": ("Anzahl", "int")}
    small, large = _table(2_000), _table(20_000)
    calls_small = _calls(lambda: write_workbook(tmp_path / "s.xlsx", {"T": (small, columns)}))
    calls_large = _calls(lambda: write_workbook(tmp_path / "l.xlsx", {"T": (large, columns)}))
    # ten times the rows: about ten times the calls (the old writer scanned all cells per
    # appended row – a hundred times the calls)
    assert calls_large < 11 * calls_small


def _survey(tmp_path, processes: int):
    """*processes* processes of 1 Jahresstunde each (10 Vorgänge × 6 Minuten), the same names
    in two Fachämter (every row a „gleicher Prozess“ finding), every 50th not suitable."""
    header = ["Fachamt", "Bezeichnung", "Vorgänge pro Jahr", "Zeitlicher Aufwand in Minuten"]
    header += ["Bearbeitende Stelle nach Stufe", "Beteiligte Stellen"]
    header += ["Rechtliche Besonderheiten vorhanden", "nicht geeignet (Grund)"]
    rows = [
        [f"Amt {i % 2}", f"Prozess {i // 2}", 10, 6, 1, 1, 0, "rechtlich" if i % 50 == 0 else ""]
        for i in range(processes)
    ]
    write_csv(tmp_path / "bestand.csv", header, rows)
    params = write_params(
        tmp_path, "gemeinde: Stadt Groß\nbestand: bestand.csv\nstichtag: 2026-11-28\n"
    )
    return load_bestand(params)


def test_report_tables_show_top_lists_at_scale(tmp_path):
    ba = _survey(tmp_path, 2_000)
    # equal hours: 80 % of them are reached with 1.600 of 2.000 processes
    assert bestand.pareto_count(ba.data, 0.8) == 1600
    pareto = bestand_ansicht.pareto_table(ba).data
    assert pareto.count("<tr>") == 1 + 50  # header + PARETO_ROWS
    assert "Gezeigt sind die ersten 50 von 1.600; alle stehen im Excel-Anhang" in pareto
    quality = bestand_ansicht.data_quality(ba).data
    assert quality.count("<tr>") == 1 + 25
    assert "gleicher Prozess in mehreren Fachämtern – doppelt gezählt?: 2.000" in quality
    assert "Gezeigt sind die ersten 25 von 2.000" in quality
    excluded = massnahmen_ansicht.excluded_table(massnahmen_ansicht.planung(ba)).data
    assert excluded.count("<tr>") == 1 + 25
    assert "Gezeigt sind die ersten 25 von 40" in excluded  # every 50th of 2.000


def test_appendix_lists_every_finding(tmp_path):
    ba = _survey(tmp_path, 200)
    df, columns = bestand_ansicht.appendix_sheets(ba)["Auffällige Werte"]
    assert len(df) == 200 and list(columns) == [
        "datei",
        "zeile",
        "fachamt",
        "bezeichnung",
        "hinweis",
    ]


def test_charts_keep_their_size_at_scale():
    hours = pd.DataFrame(
        {"bezeichnung": [f"P{i}" for i in range(5_000)], "jahresstunden": [1.0] * 5_000}
    )
    fig = grafiken.pareto_chart(bestand.pareto(hours), 0.8, 4_000)
    ax = fig.axes[0]
    assert len(ax.patches) == 0  # no bar per process …
    assert ax.get_xlim() == (0.5, 5_000.5)  # … but the whole range
    few = grafiken.pareto_chart(bestand.pareto(hours.head(10)), 0.8, 8)
    assert len(few.axes[0].patches) == 10  # a small survey keeps one bar per process

    ranked = pd.DataFrame(
        {
            "rang": range(1, 3_001),
            "jahresstunden": [1.0] * 3_000,
            "aufwand": [0.5] * 3_000,
            "nutzen": [0.5] * 3_000,
            "quadrant": ["Quick Win"] * 3_000,
        }
    )
    limits = {"aufwand": 0.5, "nutzen": 0.5}
    lines = massnahmen_grafiken.portfolio(ranked, limits, 10).axes[0].get_lines()
    dots = [line for line in lines if line.get_marker() == "o"]
    assert len(dots) == 4 and all(d.get_rasterized() for d in dots)  # one per quadrant
    small = massnahmen_grafiken.portfolio(ranked.head(100), limits, 10).axes[0].collections
    points = [c for c in small if isinstance(c, PathCollection)]
    assert len(points) == 4 and not any(c.get_rasterized() for c in points)
