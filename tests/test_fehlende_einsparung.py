"""A saving whose inputs are missing is shown as missing, never as 0; a sum that leaves such
processes out says it is a lower bound – the same in the Kennzahlen, chapter 03, the summary,
the Beschlussvorlage, ``ergebnisse.json`` and ``massnahmenplan.xlsx``.

The municipality: four processes, each with one Online-Antrag (15 PT, 3.000 € einmalig,
300 €/Jahr, 20 % Zeitersparnis); the Bauamt has no Stundensatz, „Sondernutzung“ no Minuten.

=================== ======== ====== ======== ============ ===========================
Prozess             Vorgänge Minuten €/h      Einsp. h     Einsp. €
=================== ======== ====== ======== ============ ===========================
Ausweis             600      10     50       600·10/60·0,2 = 20   20·50 = 1.000
Bauantrag (Bauamt)  300      60     –        300·60/60·0,2 = 60   nicht berechenbar
Meldebescheinigung  1.200    5      50       1.200·5/60·0,2 = 20  1.000
Sondernutzung       90       –      40       nicht berechenbar    nicht berechenbar
=================== ======== ====== ======== ============ ===========================

Sums over the computable: mindestens 100 h, mindestens 2.000 €, 100/1.600 = 0,0625 VZÄ;
costs 4 × 3.000 = 12.000 € einmalig, 4 × 300 = 1.200 €/Jahr; payback of the programme
12.000 / (2.000 − 1.200) = 15 years – an upper bound (the missing savings would shorten it).
"""

import datetime as dt
import json
from html import unescape

import pandas as pd
import pytest
from openpyxl import load_workbook

from kdworkbook.bericht import excel as export
from kdworkbook.bestand.laden import load_bestand
from kdworkbook.massnahmen import beschluss, zusammenfassung
from kdworkbook.massnahmen import excel as plan_excel
from kdworkbook.massnahmen import kapitel as massnahmen_ansicht
from kdworkbook.massnahmen import plan as massnahmenplan
from kdworkbook.massnahmen.einstellungen import MassnahmenSettings

from .conftest import DEMO

NAN = float("nan")
GAPS = [
    {"prozess": "Bauantrag", "fachamt": "Bauamt", "fehlt": "Stundensatz"},
    {"prozess": "Sondernutzung", "fachamt": "Tiefbauamt", "fehlt": "Minuten"},
]
GAP_TEXT = (
    "Ohne berechenbare Einsparung bleiben 2 Prozesse mit Maßnahmen: „Bauantrag“ (Bauamt, es "
    "fehlt: Stundensatz); „Sondernutzung“ (Tiefbauamt, es fehlt: Minuten). Die Summen der "
    "Einsparung zählen sie nicht mit und sind darum Mindestwerte – fehlende Werte in der "
    "Bestandserhebung bzw. den Stundensatz der Laufbahngruppe ergänzen."
)
PAYBACK = (
    "Sobald alle Maßnahmen wirken, spielt die Einsparung (abzüglich laufender Kosten) die "
    "Einmalkosten in höchstens 15,0 Jahren wieder ein (mit der fehlenden Einsparung früher) – "
    "ohne sie später als der Planungshorizont von 5 Jahren."
)


def _ranked(rows: slice = slice(None)) -> pd.DataFrame:
    ranked = pd.DataFrame(
        {
            "rang": [1, 2, 3, 4],
            "bezeichnung": ["Ausweis", "Bauantrag", "Meldebescheinigung", "Sondernutzung"],
            "fachamt": ["Bürgerbüro", "Bauamt", "Bürgerbüro", "Tiefbauamt"],
            "verrichtung": ["Ausstellung"] * 4,
            "vorgaenge": [600, 300, 1200, 90],
            "minuten": [10.0, 60.0, 5.0, NAN],
            "beteiligte_stellen": [1] * 4,
            "jahresstunden": [100.0, 300.0, 100.0, NAN],
            "stundensatz_eur": [50.0, NAN, 50.0, 40.0],  # the Bauamt's rate is missing
            "personalkosten_eur": [5000.0, NAN, 5000.0, NAN],
            "nutzen": [0.9, 0.8, 0.7, 0.6],
            "aufwand": [0.2] * 4,
            "umsetzbarkeit": [0.8] * 4,
            "prioritaet": [0.85, 0.8, 0.75, 0.7],
            "quadrant": ["Quick Win"] * 4,
            "geschaetzt": ["", "", "", "Nachfrage"],  # as priorisierung.rank marks estimates
        }
    ).iloc[rows]
    ranked = ranked.assign(rang=range(1, len(ranked) + 1)).reset_index(drop=True)
    ranked.attrs["gewichte"] = {"nutzen": {"jahresstunden": 1.0}, "aufwand": {"stufe": 1.0}}
    return ranked


def _plan(ranked: pd.DataFrame) -> massnahmenplan.Planung:
    s = MassnahmenSettings(
        prozesse=len(ranked),
        zuordnung={name: ("online_antrag",) for name in ranked["bezeichnung"]},
    )
    return massnahmenplan.plan_measures(
        ranked, ranked.iloc[:0].assign(grund=""), pd.DataFrame(), s, dt.date(2026, 11, 28), 1600
    )


@pytest.fixture(scope="module")
def p():
    return _plan(_ranked())


def test_kennzahlen_sum_the_computable_and_name_the_rest(p):
    k = p.kennzahlen
    assert k.einsparung_stunden == pytest.approx(100.0)
    assert k.einsparung_eur == pytest.approx(2000.0)
    assert k.einsparung_vzae == pytest.approx(0.0625)
    assert (k.einmalkosten_eur, k.laufende_kosten_eur_jahr) == (12000.0, 1200.0)
    assert k.amortisation_jahre == pytest.approx(15.0)
    assert k.ohne_einsparung == GAPS
    assert not k.einsparung_vollstaendig and k.ohne_stunden == 1
    pr = p.processes
    assert list(pr["fehlt"]) == ["", "Stundensatz", "", "Minuten"]
    # per process: the hours of the Bauantrag are known, its euros are not; nothing is 0
    assert pr["einsparung_stunden"].tolist()[:3] == pytest.approx([20.0, 60.0, 20.0])
    assert pd.isna(pr["einsparung_stunden"].iloc[3])
    assert pr["einsparung_eur"].isna().tolist() == [False, True, False, True]
    # an unknown payback is not „beyond the horizon“ (4,3 years for the two known)
    assert pr["ueber_horizont"].tolist() == [False] * 4
    assert k.ueber_horizont == 0


def test_chapter_table_shows_missing_and_bounds(p):
    page = unescape(massnahmen_ansicht.measures_table(p).data)
    rows = page.split("<tr")
    assert '<td class="num">60</td><td class="num">nicht berechenbar</td>' in rows[3]  # Bauantrag
    assert rows[5].count("nicht berechenbar") == 3  # Sondernutzung: h, €, Amortisation
    assert (
        '<td class="num">12.000\xa0€</td><td class="num">1.200\xa0€</td>'
        '<td class="num">mindestens 100</td><td class="num">mindestens 2.000\xa0€</td>'
        '<td class="txt">höchstens 15,0</td>'
    ) in rows[6]
    assert GAP_TEXT in page
    cards = unescape(massnahmen_ansicht.key_figures(p).data)
    assert "mindestens 2.000\xa0€" in cards and "mindestens 0,1" in cards


def test_cost_plan_counts_the_known_savings_and_says_so(p):
    # all four measures finish in Q1/2027 (60 PT = one quarter): savings from Q2, ¾ of 2.000 €
    assert p.costs["einsparung_eur"].tolist() == [1500.0, 2000.0, 2000.0, 2000.0, 2000.0]
    assert p.costs["saldo_eur"].tolist()[:2] == [-11400.0, 800.0]
    note = massnahmen_ansicht.cost_table(p).data
    assert (
        "Einsparung und Saldo sind Mindestwerte: ohne 2 Prozesse ohne berechenbare Einsparung"
    ) in note


def test_summary_and_beschlussvorlage_say_the_same(p):
    k = p.kennzahlen
    assert zusammenfassung.saving_phrase(k) == (
        "Die 4 Maßnahmen sparen voraussichtlich **mindestens 100 Stunden (mindestens "
        "2.000\xa0€) pro Jahr**,"
    )
    assert zusammenfassung.payback_sentence(p) == f"{GAP_TEXT} {PAYBACK}"
    assert beschluss.effect(p) == (
        "Ab Q2/2027 wirken alle Maßnahmen und sparen mindestens 100 Arbeitsstunden im Jahr – "
        "mindestens 2.000\xa0€ oder mindestens 0,1 Vollzeitstellen – bei laufenden Kosten von "
        f"1.200\xa0€ im Jahr. {GAP_TEXT} {PAYBACK}"
    )
    assert beschluss.budget(p)["einsparung_eur"].tolist() == p.costs["einsparung_eur"].tolist()


def test_results_are_null_not_zero_when_nothing_is_computable():
    p = _plan(_ranked(slice(3, 4)))  # only „Sondernutzung“, without Minuten
    k = p.kennzahlen
    assert (k.einsparung_stunden, k.einsparung_eur, k.einsparung_vzae) == (None, None, None)
    assert k.amortisation_jahre is None
    data = json.loads(json.dumps(massnahmen_ansicht.summary_of(p)))
    assert data["einsparung_eur_jahr"] is None
    assert data["kennzahlen"]["einsparung_stunden"] is None
    assert data["kennzahlen"]["ohne_einsparung"] == [GAPS[1]]
    assert zusammenfassung.saving_phrase(k) == (
        "Die Einsparung der 1 Maßnahmen ist **nicht berechenbar**; sie"
    )
    assert beschluss.effect(p) == (
        "Einsparung: nicht berechenbar. Ohne berechenbare Einsparung bleibt 1 Prozess mit "
        "Maßnahmen: „Sondernutzung“ (Tiefbauamt, es fehlt: Minuten). Die Einsparung ist darum "
        "nicht berechenbar – fehlende Werte in der Bestandserhebung bzw. den Stundensatz der "
        "Laufbahngruppe ergänzen. Die Amortisation ist nicht berechenbar."
    )
    cards = unescape(massnahmen_ansicht.key_figures(p).data)
    assert cards.count("nicht berechenbar") >= 2 and ">0\xa0€<" not in cards
    # ``check`` warns on the console and lists it in the top-level „hinweise“
    assert massnahmen_ansicht.hinweise(data) == [
        "Warnung: Ohne berechenbare Einsparung bleibt 1 Prozess mit Maßnahmen: „Sondernutzung“ "
        "(Tiefbauamt, es fehlt: Minuten). Die Einsparung ist darum nicht berechenbar – fehlende "
        "Werte in der Bestandserhebung bzw. den Stundensatz der Laufbahngruppe ergänzen."
    ]


def test_complete_savings_read_as_before(p):
    complete = _plan(_ranked(slice(0, 1)))  # only „Ausweis“: 20 h, 1.000 €
    k = complete.kennzahlen
    assert k.einsparung_vollstaendig and k.ohne_einsparung == []
    assert zusammenfassung.saving_phrase(k) == (
        "Die 1 Maßnahmen sparen voraussichtlich **20 Stunden (1.000\xa0€) pro Jahr**,"
    )
    assert massnahmen_ansicht.gap_note(k) == ""
    assert massnahmen_ansicht.hinweise(massnahmen_ansicht.summary_of(complete)) == []
    assert "Mindestwert" not in str(plan_excel.cost_columns(complete))


@pytest.mark.excel
def test_plan_workbook_leaves_cells_empty_and_names_what_is_missing(p, tmp_path):
    path = export.write_workbook(tmp_path / "plan.xlsx", plan_excel.plan_sheets(p), footer="X")
    book = load_workbook(path)
    sheet = book["Maßnahmen"]
    header = [c.value for c in sheet[1]]
    rows = {r[header.index("Prozess")]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    saving, gap = header.index("Einsparung €/Jahr"), header.index(plan_excel.GAP_LABEL)
    assert rows["Bauantrag"][saving] is None  # empty, not 0
    assert rows["Bauantrag"][gap] == "Stundensatz"
    assert rows["Sondernutzung"][gap] == "Minuten"
    assert rows["Ausweis"][saving] == 1000.0 and rows["Ausweis"][gap] is None
    payback = next(i for i, h in enumerate(header) if h.startswith("Amortisation ("))
    assert rows["Bauantrag"][payback] == "nicht berechenbar"
    costs = [c.value for c in book["Kostenplan"][1]]
    assert "Einsparung (Mindestwert: ohne 2 Prozesse, siehe Maßnahmen)" in costs


def test_beschlussvorlage_page_carries_the_note(p):
    ba = load_bestand(DEMO)  # the municipality's text parts; the figures are those of *p*
    v = beschluss.beschlussvorlage(ba, p)
    note = (
        "Einsparung und Saldo sind Mindestwerte: ohne 2 Prozesse ohne berechenbare Einsparung "
        "(Liste unter dem Maßnahmenplan)."
    )
    assert v.as_dict()["hinweis_einsparung"] == note
    assert v.summe["einsparung_eur"] == 9500.0  # 1.500 + 4 × 2.000, the Kostenplan's
    assert note in unescape(beschluss.render(v).data)


def test_fortschreibung_planned_saving_is_null_not_a_partial_sum():
    from kdworkbook.steuerung import fortschreibung, stand

    done = [
        {"status": "umgesetzt", "einsparung_plan_eur_jahr": 1000.0},
        {"status": "umgesetzt", "einsparung_plan_eur_jahr": 500.0},
        {"status": "geplant", "einsparung_plan_eur_jahr": None},
    ]
    assert fortschreibung.summary(done, None)["einsparung_geplant_eur_jahr"] == 1500.0
    # the plan had no computable saving for a measure now umgesetzt: the sum is unknown
    stored = stand._plain(p_nan := pd.Series([NAN]).iloc[0])
    assert pd.isna(p_nan) and stored is None  # the record stores null, not NaN
    done[2] = {"status": "umgesetzt", "einsparung_plan_eur_jahr": stored}
    assert fortschreibung.summary(done, None)["einsparung_geplant_eur_jahr"] is None


def test_benchmark_extract_takes_no_lower_bound_for_a_saving():
    from kdworkbook.vergleich import auszug

    data = pd.DataFrame({"fachamt": ["Bauamt"], "jahresstunden": [100.0], "vorgaenge": [10]})
    population = auszug.Bevoelkerung(2_000, auszug.QUELLE_PARAMETER, "kreisangehörig")
    day = dt.date(2026, 11, 28)

    def extract(kennzahlen: dict) -> dict:
        results = {"bestand": {"stunden": 100.0}, "massnahmen": {"kennzahlen": kennzahlen}}
        return auszug.extract(data, results, population, day, "Stadt X")

    assert (
        extract({"einsparung_eur": 1000.0, "ohne_einsparung": []})["einsparung_eur_je_einwohner"]
        == 0.5
    )  # 1.000 € / 2.000
    partial = {"einsparung_eur": 2000.0, "ohne_einsparung": GAPS}
    assert extract(partial)["einsparung_eur_je_einwohner"] is None


def test_top_list_leaves_processes_without_measures_empty_not_nan():
    """Demo: Rang 3 (Sperrmüll) and 9 (Ganztagsschule) have no fitting measure – their
    saving cell stays empty (no measure, no saving), never „nan“."""
    from kdworkbook.bestand.laden import load_bestand

    from .conftest import DEMO

    page = unescape(
        zusammenfassung.top_measures(massnahmen_ansicht.planung(load_bestand(DEMO))).data
    )
    assert ">nan<" not in page
    row = page.split("Sperrmüll Entsorgung durch Abholung")[1].split("</tr>")[0]
    assert '<td class="num"></td>' in row
