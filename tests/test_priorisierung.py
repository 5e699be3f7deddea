"""Prioritisation: criteria, axes, quadrants, ranking, sensitivity – values computed by hand."""

import pandas as pd
import pytest

from kdworkbook.massnahmen import priorisierung as pr
from kdworkbook.massnahmen.einstellungen import check_weights

#: Nutzen: Jahresstunden 50 %, Vorgänge 25 %, Personalkosten 25 %;
#: Aufwand: Beteiligte Stellen 50 %, Rechtliche Besonderheiten 25 %, Stufe 25 %.
WEIGHTS = {
    "nutzen": {"jahresstunden": 2, "vorgaenge": 1, "personalkosten": 1},
    "aufwand": {"beteiligte_stellen": 2, "rechtliche_besonderheiten": 1, "stufe": 1},
}


@pytest.fixture
def six():
    # log10(1 + x) of 0/9/99/999/9999 = 0/1/2/3/4, so min–max gives thirds:
    # Jahresstunden 0…999 → 0, ⅓, ⅔, 1; Vorgänge and Personalkosten 9…9999 → 0, ⅓, ⅔, 1.
    # Stellen 1/3/5 → 0/½/1; Stufe 2/4/6 → 0/½/1.
    rows = [
        # name, stunden, vorgaenge, kosten, stellen, recht, stufe
        ("A", 999, 9999, 9999, 1, 0, 2),
        ("B", 99, 999, 999, 5, 1, 6),
        ("C", 9, 99, 99, 1, 0, 2),
        ("D", 0, 9, 9, 3, 1, 4),
        ("E", 99, 99, 999, 3, 0, 4),
        ("F", 9, 999, 9, 5, 1, 6),
    ]
    columns = [
        "bezeichnung",
        "jahresstunden",
        "vorgaenge",
        "personalkosten_eur",
        "beteiligte_stellen",
        "rechtliche_besonderheiten",
        "stufe",
    ]
    return pd.DataFrame(rows, columns=columns).assign(fachamt="Amt")


def test_criteria_normalised(six):
    m = pr.criteria_matrix(six)
    assert list(m.columns) == [
        "jahresstunden",
        "vorgaenge",
        "personalkosten",
        "beteiligte_stellen",
        "rechtliche_besonderheiten",
        "stufe",
    ]
    assert m["jahresstunden"].tolist() == pytest.approx([1, 2 / 3, 1 / 3, 0, 2 / 3, 1 / 3])
    assert m["vorgaenge"].tolist() == pytest.approx([1, 2 / 3, 1 / 3, 0, 1 / 3, 2 / 3])
    assert m["beteiligte_stellen"].tolist() == [0, 1, 0, 0.5, 0.5, 1]
    assert m["stufe"].tolist() == [0, 1, 0, 0.5, 0.5, 1]


def test_axes_quadrants_and_rank(six):
    r = pr.rank(six, WEIGHTS, gewicht_nutzen=0.5)
    # Nutzen = ½·h + ¼·v + ¼·p: A 1; B ⅔; C ⅓; D 0; E ⅓+1/12+⅙ = 7/12; F ⅙+⅙ = ⅓
    # Aufwand = ½·s + ¼·r + ¼·st: A 0; B 1; C 0; D ¼+¼+⅛ = ⅝; E ¼+⅛ = ⅜; F 1
    # Priorität = ½·N + ½·(1 − A): A 1; C ⅙+½ = ⅔; E 7/24+5/16 = 0.6042; B ⅓; D 3/16; F ⅙
    assert r["bezeichnung"].tolist() == ["A", "C", "E", "B", "D", "F"]
    assert r["rang"].tolist() == [1, 2, 3, 4, 5, 6]
    assert r["nutzen"].tolist() == pytest.approx([1, 1 / 3, 7 / 12, 2 / 3, 0, 1 / 3])
    assert r["aufwand"].tolist() == pytest.approx([0, 0, 3 / 8, 1, 5 / 8, 1])
    assert r["prioritaet"].tolist() == pytest.approx(
        [1, 2 / 3, 7 / 24 + 5 / 16, 1 / 3, 3 / 16, 1 / 6]
    )
    # medians: Nutzen (⅓ + 7/12)/2 = 11/24, Aufwand (⅜ + ⅝)/2 = ½
    assert r.attrs["schwellen"] == pytest.approx({"nutzen": 11 / 24, "aufwand": 0.5})
    assert r["quadrant"].tolist() == [
        "Quick Win",
        "Füllprojekt",
        "Quick Win",
        "Strategisches Projekt",
        "Zurückstellen",
        "Zurückstellen",
    ]


def test_fixed_thresholds_and_point_on_the_line(six):
    r = pr.rank(six, WEIGHTS, schwellen={"nutzen": 1 / 3, "aufwand": 0.0})
    by_name = dict(zip(r["bezeichnung"], r["quadrant"], strict=True))
    # C: Nutzen exactly ⅓ and Aufwand exactly 0 → both on the lines → the favourable side
    assert by_name["C"] == "Quick Win"
    assert by_name["D"] == "Zurückstellen"  # Nutzen 0 < ⅓, Aufwand ⅝ > 0
    assert by_name["E"] == "Strategisches Projekt"


def test_tie_rule_bezeichnung_then_fachamt(six):
    twins = pd.concat([six.iloc[[2]].assign(bezeichnung="Zeta"), six]).assign(
        fachamt=["Z-Amt", "Amt", "Amt", "Amt", "Amt", "Amt", "Amt"]
    )
    twins = pd.concat([twins, six.iloc[[2]].assign(fachamt="A-Amt")], ignore_index=True)
    r = pr.rank(twins, WEIGHTS)
    # three processes with C's values: same score, Nutzen, hours → C (A-Amt), C (Amt), Zeta
    tied = r[r["prioritaet"].round(9) == round(2 / 3, 9)]
    assert list(zip(tied["bezeichnung"], tied["fachamt"], strict=True)) == [
        ("C", "A-Amt"),
        ("C", "Amt"),
        ("Zeta", "Z-Amt"),
    ]


def test_weight_change_moves_ranking(six):
    # only Vorgänge counts, only Nutzen decides: A 9999; B and F 999 (tie → more hours: B);
    # C and E 99 (tie → more hours: E); D 9
    weights = {"nutzen": {"vorgaenge": 1}, "aufwand": WEIGHTS["aufwand"]}
    r = pr.rank(six, weights, gewicht_nutzen=1.0)
    assert r["bezeichnung"].tolist() == ["A", "B", "F", "E", "C", "D"]


@pytest.mark.parametrize("row", range(6))
def test_more_cases_never_lower_nutzen(six, row):
    before = pr.rank(six, WEIGHTS).set_index("bezeichnung")["nutzen"]
    more = six.copy()
    more.loc[row, "vorgaenge"] *= 10
    after = pr.rank(more, WEIGHTS).set_index("bezeichnung")["nutzen"]
    name = six.loc[row, "bezeichnung"]
    assert after[name] >= before[name] - 1e-12


@pytest.mark.parametrize("row", range(6))
def test_more_units_never_lower_aufwand(six, row):
    before = pr.rank(six, WEIGHTS).set_index("bezeichnung")["aufwand"]
    more = six.copy()
    more.loc[row, "beteiligte_stellen"] += 2
    after = pr.rank(more, WEIGHTS).set_index("bezeichnung")["aufwand"]
    name = six.loc[row, "bezeichnung"]
    assert after[name] >= before[name] - 1e-12


def test_missing_criterion_dropped_and_weights_renormalised(six):
    r = pr.rank(six.drop(columns="stufe"), WEIGHTS)
    assert r.attrs["gewichte"]["aufwand"] == pytest.approx(
        {"beteiligte_stellen": 2 / 3, "rechtliche_besonderheiten": 1 / 3}
    )
    # D: ⅔·½ + ⅓·1 = ⅔
    assert r.set_index("bezeichnung").loc["D", "aufwand"] == pytest.approx(2 / 3)
    assert "Bearbeitende Stelle nach Stufe" in pr.unused_criteria(r)
    used = pr.used_criteria(r)
    assert used["kriterium"].tolist()[-2:] == ["Beteiligte Stellen", "Rechtliche Besonderheiten"]


def test_optional_columns_used_when_present(six):
    data = six.assign(
        reifegrad=pd.array([0, 3, None, 1, 4, 2], dtype="Int64"),
        buergernachfrage=pd.array([5, 1, 3, None, None, None], dtype="Int64"),
        kommune_setzt_um=[True, False, True, False, True, False],
    )
    m = pr.criteria_matrix(data, reifegrad_ziel=3)
    # gap max(0, 3 − level)/3: 1, 0, (median of 1, 0, ⅔, 0, ⅓ = ⅓), ⅔, 0, ⅓
    assert m["reifegrad_luecke"].tolist() == pytest.approx([1, 0, 1 / 3, 2 / 3, 0, 1 / 3])
    # (x − 1)/4: 1, 0, ½, missing → median ½
    assert m["buergernachfrage"].tolist() == [1, 0, 0.5, 0.5, 0.5, 0.5]
    assert m["zustaendigkeit"].tolist() == [1, 0, 1, 0, 1, 0]


def test_estimated_values_are_marked_per_process_and_counted(six):
    """The median that stands in for a missing value is marked: per process the criteria
    estimated, per criterion how many – only for criteria with a weight (a weight of 0 uses
    no estimate)."""
    data = six.assign(
        reifegrad=pd.array([0, 3, None, 1, 4, 2], dtype="Int64"),
        buergernachfrage=pd.array([5, 1, 3, None, None, None], dtype="Int64"),
    )
    weights = {
        "nutzen": {**WEIGHTS["nutzen"], "buergernachfrage": 1, "reifegrad_luecke": 1},
        "aufwand": WEIGHTS["aufwand"],
    }
    r = pr.rank(data, weights).set_index("bezeichnung")
    assert r.attrs["geschaetzt"] == {"reifegrad_luecke": 1, "buergernachfrage": 3}
    assert r["geschaetzt"].to_dict() == {
        "A": "",
        "B": "",
        "C": "Lücke zum OZG-Reifegrad",
        "D": "Bürgernachfrage",
        "E": "Bürgernachfrage",
        "F": "Bürgernachfrage",
    }
    # D, E, F: (x − 1)/4 of 5, 1, 3 = 1, 0, ½ → the median ½ stands in
    assert r.loc[["D", "E", "F"], "k_buergernachfrage"].tolist() == [0.5, 0.5, 0.5]
    weights["nutzen"]["reifegrad_luecke"] = 0
    r = pr.rank(data, weights)
    assert r.attrs["geschaetzt"] == {"buergernachfrage": 3}
    assert set(r["geschaetzt"]) == {"", "Bürgernachfrage"}
    assert pr.FEHLWERT_REGEL == "Median der erhobenen"
    # every value recorded: nothing estimated
    complete = pr.rank(six, WEIGHTS)
    assert complete.attrs["geschaetzt"] == {} and set(complete["geschaetzt"]) == {""}


def test_unsuitable_excluded_and_listed(six):
    data = six.assign(
        nicht_geeignet=[None, "faktisch", None, None, None, None],
        geeignet=[True, True, True, False, True, True],
        geeignetheit_grund=[None, None, None, "rechtlich", None, None],
    )
    suitable, excluded = pr.split_suitable(data)
    assert suitable["bezeichnung"].tolist() == ["A", "C", "E", "F"]
    assert excluded[["bezeichnung", "grund"]].values.tolist() == [
        ["B", "faktisch"],
        ["D", "rechtlich"],
    ]


@pytest.mark.parametrize(
    "weights, message",
    [
        ({"jahresstunden": 0, "vorgaenge": 0}, "alle 0"),
        ({"jahresstunden": 1, "vorgaenge": -1}, "nicht negativ sein: vorgaenge"),
    ],
)
def test_invalid_weights_refused(six, weights, message):
    with pytest.raises(ValueError, match=message):
        check_weights(weights, "nutzen")
    with pytest.raises(ValueError, match=message):
        pr.rank(six, {"nutzen": weights, "aufwand": WEIGHTS["aufwand"]})


def test_weight_only_on_missing_column_refused(six):
    with pytest.raises(
        ValueError, match="Achse Nutzen: kein vorhandenes Kriterium.*buergernachfrage"
    ):
        pr.rank(six, {"nutzen": {"buergernachfrage": 1}, "aufwand": WEIGHTS["aufwand"]})


def test_sensitivity(six):
    s = pr.sensitivity(six, WEIGHTS, gewicht_nutzen=0.5, top_n=2, delta=0.2)
    # 6 weights > 0 and the axis weight, each ±20 % → 14 runs
    assert s.attrs["laeufe"] == 14
    shares = dict(zip(s["bezeichnung"], s["anteil_top"], strict=True))
    # A is first in every run. C (⅔) leads E (0.604) except at gewicht_nutzen 0.6:
    # C 0.6·⅓ + 0.4·1 = 0.6, E 0.6·7/12 + 0.4·⅝ = 0.6 → tie → higher Nutzen: E second.
    assert shares == pytest.approx({"A": 1.0, "C": 13 / 14, "E": 1 / 14})
    assert s["rang"].tolist() == [1, 2, 3]
    assert s.set_index("bezeichnung").loc["E", "rang_min"] == 2
