"""Beschlussvorlage: the figures of the Planung, the duty register and the readiness, worked
out by hand on the demo (parameters/musterstadt.yaml); placeholders marked; missing figures
„nicht berechenbar“."""

import dataclasses
import datetime as dt
from html import unescape

import pandas as pd
import pdfplumber
import pytest

from kdworkbook.bestand.laden import load_bestand
from kdworkbook.massnahmen import beschluss
from kdworkbook.massnahmen import kapitel as massnahmen_ansicht
from kdworkbook.massnahmen import plan as massnahmenplan
from kdworkbook.massnahmen.einstellungen import MassnahmenSettings
from kdworkbook.rahmen.reife import Reife

from .conftest import DEMO, ROOT


@pytest.fixture(scope="module")
def demo():
    ba = load_bestand(DEMO)
    p = massnahmen_ansicht.planung(ba)
    return ba, p, beschluss.beschlussvorlage(ba, p)


def test_first_measures_with_quarter_and_owner(demo):
    _, _, v = demo
    # Zeitplan in priority order, 60 PT a quarter from Q1/2027: rank 1 Grundsteuer (online
    # 15 + Schnittstelle 8 + E-Akte 10 PT), rank 2 Personalausweis (online 15 + E-Payment 3)
    # = 51 PT ≤ 60 → all five start and finish in Q1/2027
    first = v.erste_massnahmen
    assert list(first["bezeichnung"]) == [
        "Grundsteuer Festsetzung für Grundvermögen",
        "Grundsteuer Festsetzung für Grundvermögen",
        "Grundsteuer Festsetzung für Grundvermögen",
        "Personalausweis Ausstellung erstmalig",
        "Personalausweis Ausstellung erstmalig",
    ]
    assert list(first["aufwand_personentage"]) == [15, 8, 10, 15, 3]
    assert set(first["beginn"]) == set(first["fertig"]) == {"Q1/2027"}
    # the Schnittstelle is the Digitalmanager's (demo: „massnahmen → verantwortung“)
    assert list(first["organisation"]) == [
        "Steueramt",
        "Digitalmanager (Stabsstelle Digitalisierung)",
        "Steueramt",
        "Bürgerbüro",
        "Bürgerbüro",
    ]


def test_budget_per_year_by_hand(demo):
    _, p, v = demo
    b = v.budget.set_index("jahr")
    assert list(b.index) == ["2027", "2028", "2029", "2030", "2031"]  # planungsjahre 5
    # one-off: 12 Online-Anträge × 2.500 + 4 Schnittstellen × 4.000 + 4 E-Akten × 2.500
    # + 6 E-Payments × 1.000 + 2 Prozessoptimierungen × 0 = 62.000 €; the five measures of
    # Q1/2028 (2 × 2.500 + 2 × 1.000 + 0) = 7.000 € fall into 2028
    assert list(b["einmalkosten_eur"]) == [55000, 7000, 0, 0, 0]
    # running, a quarter after a measure is finished, ¼ a quarter: finished in Q1/2027
    # 2.200 €/year × ¾ = 1.650; in Q2 1.500 × ½ = 750; in Q3 1.900 × ¼ = 475 → 2.875 €.
    # 2028: all 8.400 € except the 1.000 €/year finished in Q1/2028 for one quarter → 8.150
    assert list(b["laufende_kosten_eur"]) == [2875, 8150, 8400, 8400, 8400]
    # 282 PT in all; four full quarters of 60 PT in 2027, the remaining 42 in Q1/2028
    assert list(b["personentage"]) == [240, 42, 0, 0, 0]
    assert v.summe["einmalkosten_eur"] == 62000 and v.summe["laufende_kosten_eur"] == 36225
    assert v.summe["personentage"] == 282
    # the same objects as the Kostenplan of the chapter and the summary's Kennzahlen
    assert list(b["einsparung_eur"]) == list(p.costs["einsparung_eur"])
    assert v.summe["einmalkosten_eur"] == p.kennzahlen.einmalkosten_eur


def test_resolution_text_with_placeholders(demo):
    _, _, v = demo
    assert v.beschluss[0] == (
        "Der [Gremium] beschließt die Digitalisierungsstrategie der Stadt Musterstadt mit 28 "
        "Maßnahmen für 14 Prozesse, umzusetzen von Q1/2027 bis Q1/2028."
    )
    assert v.beschluss[2] == (
        "Für 2027–2031 werden einmalig 62.000\xa0€ und laufend zusammen 36.225\xa0€ bei der "
        "Haushaltsstelle [Haushaltsstelle] bereitgestellt, dazu 282 Personentage eigener "
        "Arbeitszeit (60 je Quartal)."
    )
    assert "das Gremium „Lenkungsgruppe Digitalisierung" in v.beschluss[1]


def test_effect_and_payback_by_hand(demo):
    _, _, v = demo
    # all live from Q2/2028; 62.000 € / (21.335 − 8.400) €/year = 4,79 → „rund 4,8 Jahren“
    assert v.wirkung.startswith(
        "Ab Q2/2028 wirken alle Maßnahmen und sparen 837 Arbeitsstunden im Jahr – 21.335\xa0€ "
        "oder 0,5 Vollzeitstellen – bei laufenden Kosten von 8.400\xa0€ im Jahr."
    )
    assert "die Einmalkosten in rund 4,8 Jahren wieder ein." in v.wirkung
    # the page names those processes below (no * list on this page)
    assert v.wirkung.endswith(
        "dauert die Amortisation länger als 5 Jahre oder kommt nie (unten genannt)."
    )
    assert "markiert" not in v.wirkung


def test_not_paying_back_named_with_the_reports_wording(demo):
    _, _, v = demo
    late = v.ohne_amortisation
    # 9 processes beyond 5 years or never, e.g. Abfallgebühr 2.500 € / (374 − 300) €
    # = 33,8 years; Pass für Geringverdiener: 204 + 40,8 € < 500 € running → never
    assert len(late) == 9
    assert late.iloc[0].to_dict() == {
        "rang": 4,
        "bezeichnung": "Abfallgebühr Festsetzung",
        "amortisation": "33,8 *",
    }
    assert late.set_index("rang").loc[7, "amortisation"] == "keine *"
    assert v.hinweis_amortisation.startswith(
        "* 9 Prozesse rechnen sich nicht innerhalb des Planungshorizonts von 5 Jahren"
    )


def test_risks_from_duties_and_readiness(demo):
    _, _, v = demo
    risks = v.risiken
    # demo: EGovG NRW § 5, § 14 Abs. 2 and SDG Art. 6 open/teilweise with the deadline past
    assert risks[0].startswith(
        "3 gesetzliche Pflichten sind überfällig (EGovG NRW § 5, EGovG NRW § 14 Abs. 2, SDG Art. 6)"
    )
    assert "(EGovG NRW § 14 Abs. 1, OZG § 1a Abs. 2)" in risks[1]
    assert "Voraussetzung fehlt: Zeitkontingente für Digitalisierung" in risks[2]
    # schwach_bis 2: Informationsmanagement 2, Bürgerschaft 2, Wirtschaft 1, Software 2
    assert (
        "Informationsmanagement (2), Bürgerschaft (2), Wirtschaft (1), Software-Anbieter (2)"
        in risks[3]
    )
    # 21 chosen, 14 with measures
    assert risks[4].startswith("7 der 21 ausgewählten Prozesse haben noch keine Maßnahme")


def test_page_marks_placeholders_and_breaks_before(demo):
    ba, p, v = demo
    page = beschluss.page(ba, p).data
    assert '<div class="kd-beschluss">' in page and "<style" not in page
    # the page break and the placeholder marking come from the report's one style sheet
    css = (ROOT / "kdworkbook" / "templates" / "bericht" / "bericht.css").read_text("utf-8")
    assert ".kd-beschluss { break-before: page; }" in css
    text = unescape(page)
    for placeholder in ("[Gremium]", "[Sitzungsdatum]", "[Haushaltsstelle]"):
        assert f'<span class="kd-platzhalter">{placeholder}</span>' in text
    assert "<h2>Beschlussvorlage</h2>" in page
    # no payback: names with the count, the payback per process is the chapter's
    assert (
        "<strong>Ohne Amortisation im Planungshorizont</strong> (9 Prozesse): Abfallgebühr "
        "Festsetzung, Hundesteuer Festsetzung, Baulastenverzeichnis Auskunft," in text
    )
    assert "Hundehaltung Anmeldung – sie lohnen sich nur über Pflichten" in text
    assert "33,8" not in text
    # the quarters of the first measures do not wrap; both tables with narrow padding
    assert '<table class="kd-tabelle kd-schmal kd-erste">' in page
    assert "table.kd-erste td:nth-child(3)" in css


def test_demo_beschlussvorlage_is_one_pdf_page(demo_pdf):
    """Printed (A4, Chromium), the demo's Beschlussvorlage fills exactly one page: the page
    that starts with its heading holds all of it – the last risk and the processes without
    payback – and the next page starts with the next chapter „Rahmenbedingungen“."""
    with pdfplumber.open(demo_pdf) as pdf:
        texts = [page.extract_text() or "" for page in pdf.pages]
    first = [i for i, t in enumerate(texts) if t.startswith("Beschlussvorlage\n")]
    assert len(first) == 1, "keine bzw. mehr als eine Seite beginnt mit „Beschlussvorlage“"
    page, after = texts[first[0]], texts[first[0] + 1]
    assert "7 der 21 ausgewählten Prozesse haben noch keine Maßnahme" in page
    assert "Ohne Amortisation im Planungshorizont (9 Prozesse)" in page
    assert "Amortisation je Prozess siehe Kapitel" in page
    assert after.startswith("Rahmenbedingungen\n")


def test_as_dict_for_other_formats(demo):
    _, _, v = demo
    data = v.as_dict()
    assert data["budget"][0] == {
        "jahr": "2027",
        "einmalkosten_eur": 55000.0,
        "laufende_kosten_eur": 2875.0,
        "personentage": 240.0,
        "einsparung_eur": pytest.approx(9436.93375),
    }
    assert data["platzhalter"] == ["[Gremium]", "[Sitzungsdatum]", "[Haushaltsstelle]"]
    assert data["erste_massnahmen"][0]["beginn"] == "Q1/2027"


def test_without_measures_nothing_is_made_up(demo):
    ba, _, _ = demo
    ranked = pd.DataFrame(
        {
            "rang": [1],
            "bezeichnung": ["Ausweis"],
            "fachamt": ["Bürgerbüro"],
            "verrichtung": ["Ausstellung"],
            "vorgaenge": [600],
            "minuten": [10.0],
            "beteiligte_stellen": [1],
            "jahresstunden": [100.0],
            "stundensatz_eur": [25.5],
            "quadrant": ["Quick Win"],
        }
    )
    s = MassnahmenSettings(prozesse=1, zuordnung={"Ausweis": ()})
    p = massnahmenplan.plan_measures(
        ranked, ranked.iloc[:0], pd.DataFrame(), s, dt.date(2026, 11, 28), 1600
    )
    v = beschluss.beschlussvorlage(ba, p)
    assert v.erste_massnahmen.empty
    assert "nicht berechenbar – es ist keine Maßnahme geplant" in v.wirkung
    assert "nicht berechenbar – es fehlen Maßnahmen" in v.beschluss[0]
    assert "1 der 1 ausgewählten Prozesse hat noch keine Maßnahme" in v.risiken[-1]
    page = unescape(beschluss.render(v).data)
    assert "Erste Maßnahmen" not in page and "nicht berechenbar" in page


def test_number_of_first_measures_is_a_setting():
    assert MassnahmenSettings().beschluss_massnahmen == 5
    assert MassnahmenSettings(beschluss_massnahmen=3).beschluss_massnahmen == 3
    with pytest.raises(ValueError):
        MassnahmenSettings(beschluss_massnahmen=0)


def test_readiness_not_assessed_is_said_not_guessed(demo):
    ba, p, _ = demo
    rahmen = ba.settings.rahmen.model_copy(update={"reife": Reife()})
    plain = dataclasses.replace(ba, settings=ba.settings.model_copy(update={"rahmen": rahmen}))
    risks = beschluss.risks(plain, p)
    assert (
        "Organisatorische Reife: nicht berechenbar – keine Selbsteinschätzung (Parameterdatei: "
        "rahmen → reife)."
    ) in risks
    assert not [r for r in risks if r.startswith(("Voraussetzung", "Schwache Bereiche"))]


def test_missing_hourly_rate_makes_the_saving_not_computable(demo):
    ba, _, _ = demo
    ranked = pd.DataFrame(
        {
            "rang": [1],
            "bezeichnung": ["Ausweis"],
            "fachamt": ["Bürgerbüro"],
            "verrichtung": ["Ausstellung"],
            "vorgaenge": [600],
            "minuten": [10.0],
            "beteiligte_stellen": [1],
            "jahresstunden": [100.0],
            "stundensatz_eur": [float("nan")],  # no Stufe, no rate
            "quadrant": ["Quick Win"],
        }
    )
    s = MassnahmenSettings(prozesse=1, zuordnung={"Ausweis": ("online_antrag",)})
    p = massnahmenplan.plan_measures(
        ranked, ranked.iloc[:0], pd.DataFrame(), s, dt.date(2026, 11, 28), 1600
    )
    # hours are known (600 × 10 / 60 × 20 % = 20), euros are not: said, never 0 €
    assert beschluss.effect(p) == (
        "Ab Q2/2027 wirken alle Maßnahmen und sparen 20 Arbeitsstunden im Jahr (0,0 "
        "Vollzeitstellen; in Euro nicht berechenbar) bei laufenden Kosten von 300\xa0€ im Jahr. "
        "Ohne berechenbare Einsparung bleibt 1 Prozess mit Maßnahmen: „Ausweis“ (Bürgerbüro, "
        "es fehlt: Stundensatz). Die Einsparung in Euro ist darum nicht berechenbar – fehlende "
        "Werte in der Bestandserhebung bzw. den Stundensatz der Laufbahngruppe ergänzen. Die "
        "Amortisation ist nicht berechenbar."
    )
