"""Measures: assignment, savings and payback, scheduler, Kostenplan – values computed by hand."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from kdworkbook.massnahmen import zuordnung as mn
from kdworkbook.massnahmen.einstellungen import MeasureType


def _type(name, effort, one_time, running, reduction, regel=None, **roles):
    def w(v):
        return {"wert": v, "quelle": "Test"}

    return MeasureType.model_validate(
        {
            "name": name,
            "aufwand_personentage": w(effort),
            "einmalkosten_eur": w(one_time),
            "laufende_kosten_eur_jahr": w(running),
            "reduktion_bearbeitungszeit": w(reduction),
            "regel": regel,
            **roles,
        }
    )


TYPES = {
    "x": _type("Online-Antrag", 10, 1000, 10, 0.2, {"min_vorgaenge": 100}),
    "y": _type("E-Payment", 2, 0, 0, 0.1, {"nur_mit": "x", "verrichtung": ["Ausstellung"]}),
    "z": _type(
        "Optimierung", 5, 0, 0, 0.5, {"min_beteiligte_stellen": 3}, durchfuehrung="it_dienstleister"
    ),
}


@pytest.fixture
def ranked():
    return pd.DataFrame(
        {
            "rang": [1, 2, 3],
            "bezeichnung": ["Ausweis", "Hund", "Bauantrag"],
            "fachamt": ["Bürgerbüro", "Steueramt", "Bauamt"],
            "verrichtung": ["Ausstellung", "Festsetzung", "Erteilung"],
            "vorgaenge": [600, 50, 120],
            "minuten": [10.0, 60.0, 100.0],
            "beteiligte_stellen": [1, 1, 4],
            "jahresstunden": [100.0, 50.0, 200.0],
            "stundensatz_eur": [25.5, 42.2, 42.2],
            "quadrant": ["Quick Win", "Füllprojekt", "Strategisches Projekt"],
        }
    )


def test_rules_and_explicit_assignment(ranked):
    plan = mn.assign(ranked, TYPES)
    # Ausweis: ≥100 cases → x; x and Ausstellung → y. Hund: 50 cases → nothing.
    # Bauantrag: 120 cases → x; 4 units → z; Erteilung → no y.
    assert list(zip(plan["bezeichnung"], plan["typ"], strict=True)) == [
        ("Ausweis", "x"),
        ("Ausweis", "y"),
        ("Bauantrag", "x"),
        ("Bauantrag", "z"),
    ]
    explicit = mn.assign(ranked, TYPES, {"Hund": ["z", "x"], "Bauantrag": []})
    assert list(zip(explicit["bezeichnung"], explicit["typ"], strict=True)) == [
        ("Ausweis", "x"),
        ("Ausweis", "y"),
        ("Hund", "z"),
        ("Hund", "x"),
    ]


def test_savings_and_payback(ranked):
    plan = mn.savings(mn.assign(ranked.head(1), TYPES), hours_per_fte=1600)
    # Ausweis: 600 × 10 / 60 = 100 h. x saves 20 % = 20 h; y saves 10 % of the 80 h left = 8 h
    assert plan["einsparung_stunden"].tolist() == pytest.approx([20.0, 8.0])
    assert plan["einsparung_eur"].tolist() == pytest.approx([510.0, 204.0])  # × 25,50 €
    assert plan["einsparung_vzae"].tolist() == pytest.approx([0.0125, 0.005])
    # x: 1.000 € / (510 − 10) € = 2,0 years; y: no one-time cost → 0 years
    assert plan["amortisation_jahre"].tolist() == pytest.approx([2.0, 0.0])
    per_process = mn.by_process(plan)
    assert per_process["einsparung_stunden"].tolist() == pytest.approx([28.0])
    assert per_process["massnahmen"].tolist() == ["Online-Antrag, E-Payment"]
    assert per_process["amortisation_jahre"].tolist() == pytest.approx([1000 / (714 - 10)])


def test_no_payback_when_running_costs_exceed_savings():
    years = mn.payback(pd.Series([1000.0, 1000.0]), pd.Series([-5.0, 0.0]))
    assert years.isna().all()


def _plan(efforts):
    return pd.DataFrame(
        {"aufwand_personentage": efforts, "bezeichnung": list("abcd")[: len(efforts)]}
    )


def test_schedule_fills_quarters_in_priority_order():
    # capacity 10: cumulative effort 4 | 12 | 22 | 25 →
    # a [0,4) Q1; b [4,12) Q1–Q2; c [12,22) Q2–Q3; d [22,25) Q3
    plan = mn.schedule(_plan([4.0, 8.0, 10.0, 3.0]), 10.0, dt.date(2027, 2, 15))
    assert plan["quartal_start"].tolist() == [0, 0, 1, 2]
    assert plan["quartal_ende"].tolist() == [0, 1, 2, 2]
    assert plan["beginn"].tolist() == ["Q1/2027", "Q1/2027", "Q2/2027", "Q3/2027"]
    assert plan["fertig"].tolist() == ["Q1/2027", "Q2/2027", "Q3/2027", "Q3/2027"]
    load = mn.quarter_load(plan, 10.0)
    assert load.sum(axis=0).tolist() == [10.0, 10.0, 5.0]
    assert load.sum(axis=1).tolist() == [4.0, 8.0, 10.0, 3.0]


@pytest.mark.parametrize("capacity", [3.0, 7.5, 10.0, 60.0])
def test_schedule_never_exceeds_capacity(capacity):
    efforts = [15.0, 3.0, 8.0, 0.0, 10.0, 6.0, 2.5, 40.0]
    plan = mn.schedule(
        pd.DataFrame({"aufwand_personentage": efforts}), capacity, dt.date(2027, 1, 1)
    )
    assert (mn.quarter_load(plan, capacity).sum(axis=0) <= capacity + 1e-9).all()
    assert np.all(np.diff(plan["quartal_start"]) >= 0)  # no measure starts before an earlier one
    assert (plan["quartal_ende"].to_numpy()[:-1] <= plan["quartal_start"].to_numpy()[1:]).all()


def test_schedule_refuses_zero_capacity():
    with pytest.raises(ValueError, match="größer als 0"):
        mn.schedule(_plan([1.0]), 0, dt.date(2027, 1, 1))


def test_cost_plan_by_hand():
    plan = pd.DataFrame(
        {
            "aufwand_personentage": [10.0, 20.0],
            "einmalkosten_eur": [1000.0, 2000.0],
            "laufende_kosten_eur_jahr": [100.0, 0.0],
            "einsparung_eur": [400.0, 800.0],
        }
    )
    start = dt.date(2027, 7, 1)  # Q3/2027
    plan = mn.schedule(plan, 10.0, start)
    # m1 Q3/2027, live from Q4/2027; m2 Q4/2027–Q1/2028, live from Q2/2028
    costs = mn.cost_plan(plan, 10.0, start, years=2)
    assert costs["jahr"].tolist() == [2027, 2028, 2029]  # extended: one year after go-live
    # 2027: 1.000 + ½·2.000 one-time; m1 one quarter live: 100/4 running, 400/4 saved
    # 2028: ½·2.000; m1 100 running, 400 saved; m2 three quarters: ¾·800 = 600 saved
    # 2029: 100 running; 400 + 800 saved
    assert costs["einmalkosten_eur"].tolist() == pytest.approx([2000, 1000, 0])
    assert costs["laufende_kosten_eur"].tolist() == pytest.approx([25, 100, 100])
    assert costs["einsparung_eur"].tolist() == pytest.approx([100, 1000, 1200])
    assert costs["saldo_eur"].tolist() == pytest.approx([-1925, -100, 1100])
    assert costs["saldo_kumuliert_eur"].tolist() == pytest.approx([-1925, -2025, -925])


def test_responsibilities(ranked):
    plan = mn.assign(ranked, TYPES)
    named = mn.responsibilities(
        plan, {"fachamt": "Fachamt", "digitalmanager": "Frau Muster", "it_dienstleister": "KRZ"}
    )
    assert named["organisation"].tolist() == ["Bürgerbüro", "Bürgerbüro", "Bauamt", "Bauamt"]
    assert named["durchfuehrung"].tolist() == ["Frau Muster", "Frau Muster", "Frau Muster", "KRZ"]


def test_quarter_labels():
    assert mn.quarter_label(dt.date(2027, 11, 3), 0) == "Q4/2027"
    assert mn.quarter_label(dt.date(2027, 11, 3), 1) == "Q1/2028"
    assert mn.quarter_start(dt.date(2027, 11, 3)) == dt.date(2027, 10, 1)
