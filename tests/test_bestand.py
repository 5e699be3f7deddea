"""Figures of the Bestandsaufnahme, checked against hand-computed values."""

import pandas as pd
import pytest

from kdworkbook.bestand import kennzahlen as bestand
from kdworkbook.bestand.laden import load_bestand

RATES = {"einfacher_mittlerer_dienst": 25.5, "gehobener_dienst": 42.2, "hoeherer_dienst": 70.4}
STUFEN = {
    1: "einfacher_mittlerer_dienst",
    2: "einfacher_mittlerer_dienst",
    3: "einfacher_mittlerer_dienst",
    4: "gehobener_dienst",
    5: "gehobener_dienst",
    6: "gehobener_dienst",
    7: "hoeherer_dienst",
    8: "hoeherer_dienst",
}


def _survey(rows):
    columns = [
        "fachamt",
        "bezeichnung",
        "vorgaenge",
        "minuten",
        "stufe",
        "beteiligte_stellen",
        "rechtliche_besonderheiten",
    ]
    df = pd.DataFrame(rows, columns=columns)
    return df.assign(datei="t.csv", zeile=range(2, len(df) + 2))


@pytest.fixture
def small():
    # Bürgerbüro: 300×120/60 = 600 h à 25,50 € = 15.300 €; 1.200×7,5/60 = 150 h = 3.825 €
    # Steueramt: 400×30/60 = 200 h à 42,20 € = 8.440 €
    return bestand.add_figures(
        _survey(
            [
                ["Bürgerbüro", "Personalausweis Ausstellung erstmalig", 300, 120.0, 1, 1, 0],
                ["Bürgerbüro", "Wohnsitz Anmeldung", 1200, 7.5, 2, 1, 0],
                ["Steueramt", "Hundesteuer Festsetzung", 400, 30.0, 4, 2, 1],
            ]
        ),
        RATES,
        STUFEN,
        1600.0,
    )


def test_add_figures(small):
    assert small["jahresstunden"].tolist() == [600.0, 150.0, 200.0]
    assert small["stundensatz_eur"].tolist() == [25.5, 25.5, 42.2]
    assert small["personalkosten_eur"].tolist() == pytest.approx([15300.0, 3825.0, 8440.0])
    assert small["vzae"].tolist() == [0.375, 0.09375, 0.125]


def test_key_figures(small):
    k = bestand.key_figures(small)
    assert (k.prozesse, k.fachaemter, k.vorgaenge) == (3, 2, 1900)
    assert k.stunden == 950.0
    assert k.kosten_eur == pytest.approx(27565.0)
    assert k.vzae == pytest.approx(0.59375)


def test_by_fachamt(small):
    t = bestand.by_fachamt(small)
    assert t["fachamt"].tolist() == ["Bürgerbüro", "Steueramt"]
    assert t["prozesse"].tolist() == [2, 1]
    assert t["vorgaenge"].tolist() == [1500, 400]
    assert t["jahresstunden"].tolist() == [750.0, 200.0]
    assert t["personalkosten_eur"].tolist() == pytest.approx([19125.0, 8440.0])
    assert t["anteil_stunden"].tolist() == pytest.approx([750 / 950, 200 / 950])


def test_pareto_order_and_count(small):
    p = bestand.pareto(small)
    assert p["bezeichnung"].tolist()[0] == "Personalausweis Ausstellung erstmalig"
    assert p["rang"].tolist() == [1, 2, 3]
    assert p["kum_anteil"].tolist() == pytest.approx([600 / 950, 800 / 950, 1.0])
    assert bestand.pareto_count(small, 0.8) == 2  # 600/950 = 63 % < 80 % ≤ 84 %
    assert bestand.pareto_count(small, 0.6) == 1
    assert bestand.pareto_count(small.iloc[0:0], 0.8) == 0


def test_pareto_exact_boundary_counts_as_reached():
    df = bestand.add_figures(
        _survey([["A", "x", 80, 60.0, 1, 1, 0], ["A", "y", 20, 60.0, 1, 1, 0]]),
        RATES,
        STUFEN,
        1600.0,
    )
    assert bestand.pareto_count(df, 0.8) == 1


def test_by_property_koordination(small):
    t = bestand.by_property(small, "koordination")
    assert t["koordination"].astype(str).tolist() == ["eine Stelle", "2–3 Stellen"]
    assert t["prozesse"].tolist() == [2, 1]
    assert t["jahresstunden"].tolist() == [750.0, 200.0]


def test_simple_candidates_and_sorting(small):
    assert bestand.simple_candidates(small)["bezeichnung"].tolist() == [
        "Personalausweis Ausstellung erstmalig",
        "Wohnsitz Anmeldung",
    ]
    assert bestand.sort_by_properties(small)["bezeichnung"].tolist() == [
        "Personalausweis Ausstellung erstmalig",
        "Wohnsitz Anmeldung",
        "Hundesteuer Festsetzung",
    ]


def test_quality_warnings():
    df = bestand.add_figures(
        _survey(
            [
                ["A", "nie gemessen", 10, 0.0, 1, 1, 0],
                ["A", "nie gefragt", 0, 10.0, 1, 1, 0],
                ["A", "riesig", 10, 5000.0, 1, 1, 0],
                ["B", "nie gefragt", 5, 10.0, 1, 1, 0],
                ["B", "normal", 10, 10.0, 1, 1, 0],
            ]
        ),
        RATES,
        STUFEN,
        1600.0,
    )
    w = bestand.quality_warnings(df, max_minutes=2400, max_cases=200_000)
    assert w[["zeile", "bezeichnung"]].values.tolist() == [
        [2, "nie gemessen"],
        [3, "nie gefragt"],
        [3, "nie gefragt"],
        [4, "riesig"],
        [5, "nie gefragt"],
    ]
    assert "0 Minuten" in w["hinweis"][0]
    assert "mehr als 2.400 Minuten" in w["hinweis"][3]


def test_seed_rows_hand_computed(seed_survey):
    """The deck's 16 Personalausweis rows: Σ Vorgänge×Minuten = 68.126 min.

    By Laufbahngruppe: Stufe 1–3 46.453 min × 25,50 €/60 = 19.742,525 €;
    Stufe 4–6 20.437 min × 42,20 €/60 = 14.374,0233 €; Stufe 7–8 1.236 min × 70,40 €/60
    = 1.450,24 €. Pareto: 36.000 + 6.850 + 6.072 + 5.200 = 54.122 < 80 % of 68.126
    (54.500,8) ≤ 54.122 + 3.500 → 5 processes.
    """
    ba = load_bestand(seed_survey)
    k = ba.key_figures
    assert (k.prozesse, k.fachaemter, k.vorgaenge) == (16, 1, 800)
    assert k.stunden == pytest.approx(1135.433333, abs=1e-6)
    assert k.kosten_eur == pytest.approx(35566.788333, abs=1e-6)
    assert k.vzae == pytest.approx(0.709645833, abs=1e-9)
    assert bestand.pareto_count(ba.data, 0.8) == 5


def test_unsuitable_process_is_no_candidate(tmp_path):
    from kdworkbook.bestand import kapitel as bestand_ansicht

    from .conftest import HEADER, write_csv, write_params

    rows = [
        ["Ausweis", "Ausstellung", "A", 1000, 6, 1, 1, 0],  # 100 h, one unit, no legal issue
        ["Trauung", "Vollzug", "B", 10, 1200, 1, 1, 0],  # 200 h, but rechtlich nicht geeignet
        ["Bau", "Erteilung", "C", 100, 30, 1, 3, 0],  # 50 h, three units
    ]
    write_csv(tmp_path / "amt.csv", HEADER, rows)
    ba = load_bestand(
        write_params(
            tmp_path,
            "gemeinde: Testdorf\nbestand:\n  - datei: amt.csv\n    fachamt: Amt 1\n"
            "rahmen:\n  nicht_geeignet:\n    - prozess: B\n      grund: rechtlich\n",
        )
    )
    candidates = bestand_ansicht.candidates(ba).data
    table, note = candidates.split("</table>")
    assert ">A</td>" in table and ">B</td>" not in table
    assert "Ausgenommen sind die 1 als nicht geeignet gekennzeichneten Prozesse" in note
    assert "B (rechtlich)" in note
    ordered = bestand_ansicht.sorted_processes(ba).data.split("</table>")[0]
    assert ">B</td>" not in ordered and ">C</td>" in ordered
    # the appendix lists B last, with its reason
    sheet, _ = bestand_ansicht.appendix_sheets(ba)["Prozesse"]
    assert list(sheet["bezeichnung"]) == ["A", "C", "B"]
    assert list(sheet["geeignetheit"]) == ["", "", "nicht geeignet (rechtlich)"]
    # the Pareto table keeps B (it causes the hours) and names the reason
    assert ">B – nicht geeignet (rechtlich)</td>" in bestand_ansicht.pareto_table(ba).data
    assert "Ausgenommen ist 1 davon" in bestand_ansicht.pareto_summary(ba).data
