"""Management summary and Maßnahmenentwicklung say the same: one Kennzahlen object, the
selection explained, paybacks beyond the planning horizon flagged – figures by hand."""

import datetime as dt
from html import unescape

import pandas as pd
import pytest

from kdworkbook.kern import defaults
from kdworkbook.massnahmen import kapitel as massnahmen_ansicht
from kdworkbook.massnahmen import plan as massnahmenplan
from kdworkbook.massnahmen import zusammenfassung as summary
from kdworkbook.massnahmen.einstellungen import MassnahmenSettings

from .test_massnahmen import TYPES, _type

# x and y as in test_massnahmen; w: expensive, no rule (only by assignment)
PLAN_TYPES = {**TYPES, "w": _type("Fachverfahren", 10, 50000, 100, 0.1)}


@pytest.fixture
def planung():
    ranked = pd.DataFrame(
        {
            "rang": [1, 2, 3],
            "bezeichnung": ["Ausweis", "Hund", "Bauantrag"],
            "fachamt": ["Bürgerbüro", "Steueramt", "Bauamt"],
            "verrichtung": ["Ausstellung", "Festsetzung", "Erteilung"],
            "vorgaenge": [600, 50, 120],
            "minuten": [10.0, 60.0, 100.0],
            "beteiligte_stellen": [1, 1, 1],
            "jahresstunden": [100.0, 50.0, 200.0],
            "stundensatz_eur": [25.5, 42.2, 42.2],
            "quadrant": ["Quick Win", "Füllprojekt", "Quick Win"],
        }
    )
    excluded = pd.DataFrame({"bezeichnung": ["Trauung"], "fachamt": ["Standesamt"]})
    s = MassnahmenSettings(prozesse=2, top_n=3)
    s = s.model_copy(update={"massnahmentypen": PLAN_TYPES, "zuordnung": {"Bauantrag": ("w",)}})
    return massnahmenplan.plan_measures(
        ranked, excluded, pd.DataFrame(), s, dt.date(2026, 11, 28), 1600
    )


def test_kennzahlen_by_hand(planung):
    k = planung.kennzahlen
    # Ausweis: x 20 h (510 €) + y 8 h (204 €); Bauantrag: w 200 h × 10 % = 20 h × 42,20 € = 844 €
    assert k.einsparung_stunden == pytest.approx(48.0)
    assert k.einsparung_eur == pytest.approx(1558.0)
    assert k.einmalkosten_eur == 51000 and k.laufende_kosten_eur_jahr == 110
    # 51.000 € / (1.558 − 110) € = 35,22 years
    assert k.amortisation_jahre == pytest.approx(51000 / 1448)
    assert (k.geeignet, k.ausgeschlossen, k.ausgewaehlt, k.mit_massnahmen) == (3, 1, 3, 2)
    assert k.massnahmen == 3 and k.quick_wins == 2
    # Ausweis 1.000 / 704 = 1,4 years; Bauantrag 50.000 / 744 = 67,2 years > 5
    assert k.ueber_horizont == 1
    assert planung.kennzahlen is planung.kennzahlen  # computed once
    assert list(planung.without_measures["rang"]) == [2]
    assert list(planung.chosen["auswahl"]) == ["Rang", "Rang", "Zuordnung in der Parameterdatei"]


def test_selection_text_explains_every_gap(planung):
    assert massnahmen_ansicht.selection_text(planung) == (
        "Maßnahmen erhalten die 2 bestplatzierten geeigneten Prozesse und, per Zuordnung in der "
        "Parameterdatei, „Bauantrag“ (Rang 3): zusammen 3 Prozesse; 2 davon erhalten mindestens "
        "eine Maßnahme. Für 1 (Rang 2) passt kein Standard-Maßnahmentyp – keine Regel der "
        "Maßnahmentypen trifft zu; im Workshop klären."
    )


def test_payback_beyond_horizon_flagged():
    assert massnahmen_ansicht.payback_text(1000 / 704, 5) == "1,4"
    assert massnahmen_ansicht.payback_text(0.0, 5) == "sofort"
    assert massnahmen_ansicht.payback_text(50000 / 744, 5) == "67,2 *"
    assert massnahmen_ansicht.payback_text(None, 5) == "keine *"
    assert massnahmen_ansicht.payback_text(float("nan"), 5) == "keine *"
    assert defaults.AMORTISATION_HORIZONT_JAHRE == 5
    assert MassnahmenSettings(amortisation_horizont_jahre=10).amortisation_horizont_jahre == 10


def test_summary_lists_every_rank_of_the_top_group(planung):
    table = summary.top_table(planung)
    assert list(table["rang"]) == [1, 2, 3]
    assert table.loc[1, "massnahmen"] == summary.NO_MEASURE
    html = unescape(summary.top_measures(planung).data)
    assert "67,2 *" in html and "1,4" in html
    assert "1 Prozess rechnet sich nicht innerhalb des Planungshorizonts von 5 Jahren" in html
    assert "§ 84 Abs. 1 GO NRW" in html


def test_summary_figures_are_the_chapters(planung):
    text = summary.payback_sentence(planung)
    assert "in rund 35,2 Jahren" in text and "später als der Planungshorizont von 5" in text
    assert "Bei 1 der 2 Prozesse mit Maßnahmen" in text
    cards = massnahmen_ansicht.key_figures(planung).data
    assert "1.558\xa0€" in cards and "51.000\xa0€" in cards


def test_steering_is_an_assumption_unless_the_file_names_it():
    default = massnahmen_ansicht.steering_sentence(MassnahmenSettings())
    assert "Annahme – im Workshop bestätigen" in default
    assert defaults.LENKUNGSGREMIUM in default
    given = MassnahmenSettings(lenkungsgremium="Digitalrat")
    assert (
        massnahmen_ansicht.steering_sentence(given)
        == "Die Umsetzung steuert das Gremium **Digitalrat**."
    )


def test_explicitly_empty_assignment_is_named_as_such(planung):
    s = planung.settings.model_copy(update={"zuordnung": {"Bauantrag": ("w",), "Hund": ()}})
    again = massnahmenplan.plan_measures(
        planung.ranked, planung.excluded, pd.DataFrame(), s, dt.date(2026, 11, 28), 1600
    )
    assert massnahmen_ansicht.selection_text(again).endswith(
        "2 davon erhalten mindestens eine Maßnahme. 1 (Rang 2) erhält laut Zuordnung in der "
        "Parameterdatei keine Maßnahme."
    )
    assert summary.top_table(again).loc[1, "massnahmen"] == summary.NONE_ASSIGNED
