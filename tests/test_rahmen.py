"""Rahmenbedingungen: parameter section, Geeignetheit, readiness, per-process contract,
``check --json`` and the notebook executed for real."""

import json
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from kdworkbook import geeignetheit, lauf, rahmen, reife
from kdworkbook.cli import main
from kdworkbook.errors import InputError
from kdworkbook.laden import load_bestand
from kdworkbook.parameter import load_settings

from .conftest import DEMO, HEADER, SEED_ROWS, execute_step, write_params, write_xlsx

BASE = "gemeinde: Stadt Seed\nstichtag: 2026-11-28\nbestand: ausweis.xlsx\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    write_xlsx(tmp_path / "ausweis.xlsx", HEADER, SEED_ROWS)
    return tmp_path


def _refused(folder: Path, body: str) -> str:
    with pytest.raises(InputError) as info:
        load_settings(write_params(folder, BASE + body))
    return str(info.value)


# --------------------------------------------------------------------------- parameters


def test_defaults_without_section(folder):
    r = load_settings(write_params(folder, BASE)).rahmen
    assert r.pflichten == {} and r.leika_katalog is None
    assert r.typ_4b == ("4",) and r.fuzzy_schwelle == 85.0
    assert r.wirtschaftlich_min_vorgaenge == 0
    assert not r.reife.assessed


def test_status_shorthand_and_note(folder):
    r = load_settings(
        write_params(
            folder,
            BASE + 'rahmen:\n  pflichten:\n    "EGovG NRW § 3": erfüllt\n'
            "    OZG:\n      status: teilweise\n      notiz: Portal im Aufbau\n",
        )
    ).rahmen
    assert r.pflichten["EGovG NRW § 3"].status == "erfüllt"
    assert r.pflichten["OZG"].notiz == "Portal im Aufbau"


def test_unknown_status_word(folder):
    message = _refused(folder, 'rahmen:\n  pflichten:\n    "EGovG NRW § 3": erledigt\n')
    assert "rahmen → pflichten → EGovG NRW § 3 → status" in message
    assert "„erledigt“ ist kein Status – erlaubt: erfüllt, teilweise, offen, " in message
    assert "nicht zutreffend, unbekannt" in message
    assert "kommune.yaml" in message


def test_duty_not_in_register(folder):
    message = _refused(folder, 'rahmen:\n  pflichten:\n    "EGovG NRW § 99": offen\n')
    assert "„rahmen → pflichten“" in message
    assert "„EGovG NRW § 99“ steht nicht im Pflichtenregister – bekannt sind: EGovG NRW § 3" in (
        message
    )


def test_extra_register_makes_new_duty_known(folder):
    (folder / "neu.yaml").write_text(
        "pflichten:\n  - schluessel: IDNrG\n    paragraph: § 5 IDNrG\n    titel: Once-only\n"
        "    beschreibung: Identifikationsnummer nutzen\n    frist: 2025-01-01\n"
        "    quelle: IDNrG\n",
        encoding="utf-8",
    )
    ba = load_bestand(
        write_params(
            folder, BASE + "rahmen:\n  zusatz_register: neu.yaml\n  pflichten:\n    IDNrG: offen\n"
        )
    )
    table = rahmen.duties(ba).set_index("schluessel")
    # 01.01.2025 → 28.11.2026: 365 + 331 = 696 days
    assert table.loc["IDNrG", "tage_ueberfaellig"] == 696


def test_missing_catalogue_required_or_optional(folder):
    message = _refused(folder, "rahmen:\n  leika_katalog: fehlt.csv\n")
    assert "rahmen → leika_katalog" in message and "katalog_optional: true" in message
    ba = load_bestand(
        write_params(
            folder, BASE + "rahmen:\n  leika_katalog: fehlt.csv\n  katalog_optional: true\n"
        )
    )
    stand = rahmen.catalogue_state(ba)
    assert stand.katalog is None and "nicht vorhanden" in stand.hinweis
    attrs = rahmen.process_attributes(ba)
    assert (attrs["match_art"] == "keiner").all() and not attrs["kommune_setzt_um"].any()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "rahmen:\n  nicht_geeignet:\n    - prozess: X\n      grund: teuer\n",
            "„teuer“ ist kein Grund – erlaubt: faktisch, rechtlich, wirtschaftlich",
        ),
        ('rahmen:\n  zuordnung:\n    "A": "123"\n', "erwartet: LeiKa-Schlüssel mit 14 Ziffern"),
        ("rahmen:\n  fuzzy_schwelle: 120\n", "erwartet eine Zahl ≤ 100"),
        ("rahmen:\n  reife:\n    kompetenzen:\n      prozesssteuerung: 7\n", "≤ 5"),
        ("rahmen:\n  reife:\n    akteure:\n      presse: 3\n", "ist kein bekannter Schlüssel"),
        ("rahmen:\n  ozg_katalog: o.csv\n  katalog_optional: true\n", "setzt „leika_katalog“"),
    ],
)
def test_bad_rahmen_values(folder, body, expected):
    assert expected in _refused(folder, body)


def test_unsuitable_process_not_in_survey(folder):
    ba = load_bestand(
        write_params(
            folder,
            BASE + "rahmen:\n  nicht_geeignet:\n    - prozess: Hundesteuer\n"
            "      grund: faktisch\n",
        )
    )
    with pytest.raises(InputError, match="Prozess „Hundesteuer“ kommt in der Bestandserhebung"):
        rahmen.process_attributes(ba)


# --------------------------------------------------------------------------- Geeignetheit


def test_suitability_precedence_and_rule():
    survey = pd.DataFrame(
        {
            "fachamt": ["A", "A", "B", "B", "B"],
            "bezeichnung": ["Müll", "Ortstermin", "Selten", "Häufig", "Müll"],
            "vorgaenge": [500, 20, 9, 10, 3],
            "nicht_geeignet": ["faktisch", None, None, None, "faktisch"],
        }
    )
    entries = [
        geeignetheit.NichtGeeignet(prozess="Ortstermin", grund="rechtlich"),
        geeignetheit.NichtGeeignet(prozess="Müll", grund="rechtlich", fachamt="B", notiz="n"),
    ]
    out = geeignetheit.suitability(survey, entries, min_vorgaenge=10)
    assert out["geeignet"].tolist() == [False, False, False, True, False]
    # row 0 survey; 1 parameter; 2 rule (9 < 10); 3 kept (10 is not < 10);
    # 4: parameter (Fachamt B) beats the survey column and the rule (3 < 10)
    assert out["geeignetheit_grund"].tolist()[:3] == ["faktisch", "rechtlich", "wirtschaftlich"]
    assert out.loc[4, "geeignetheit_grund"] == "rechtlich"
    assert out["geeignetheit_quelle"].fillna("–").tolist() == [
        "Bestandserhebung",
        "Parameterdatei",
        "Regel: weniger als 10 Vorgänge pro Jahr",
        "–",
        "Parameterdatei",
    ]
    assert out.loc[4, "geeignetheit_notiz"] == "n"
    assert geeignetheit.reason_counts(out) == {"faktisch": 1, "rechtlich": 2, "wirtschaftlich": 1}
    off = geeignetheit.suitability(survey, [], min_vorgaenge=0)
    assert off["geeignet"].tolist() == [False, True, True, True, False]


# --------------------------------------------------------------------------- readiness


def test_readiness_weak_points_with_recommendations():
    r = reife.Reife(
        kompetenzen={"prozesssteuerung": 2, "mitarbeiterfuehrung": 3},
        akteure={"wirtschaft": 1, "politik": 5},
        voraussetzungen={"zeitkontingente": False, "lenkungsgremium": True},
    )
    table = reife.readiness_table(r)
    assert len(table) == 4 + 7 + 3
    weak = reife.weak_points(table, reife.load_recommendations())
    # ≤ 2 is weak (default schwach_bis); not rated (None) is not a weak point
    assert weak["schluessel"].tolist() == ["prozesssteuerung", "wirtschaft", "zeitkontingente"]
    assert weak["empfehlung"].str.len().min() > 40


def test_every_area_has_a_recommendation():
    texts = reife.load_recommendations()
    assert set(texts) == set(reife.KOMPETENZEN) | set(reife.AKTEURE) | set(reife.VORAUSSETZUNGEN)


# --------------------------------------------------------------------------- demo


@pytest.fixture(scope="module")
def demo():
    return load_bestand(DEMO)


def test_process_attributes_contract(demo):
    attrs = rahmen.process_attributes(demo)
    assert list(attrs.index) == list(demo.data.index)
    assert set(rahmen.CONTRACT_COLUMNS) <= set(attrs.columns)
    assert attrs["kommune_setzt_um"].dtype == bool and attrs["geeignet"].dtype == bool
    assert str(attrs["reifegrad"].dtype) == "Int64"
    assert set(attrs["zustaendigkeit"].dropna()) <= {
        "Kommune setzt selbst um",
        "zentral bereitgestellt, Kommune bindet an",
    }
    assert (attrs["match_art"] == "Schlüssel").all()  # every demo row carries its key
    hund = attrs[demo.data["bezeichnung"] == "Hundesteuer Festsetzung"].iloc[0]
    assert hund["leika_typ"] == "4" and hund["kommune_setzt_um"]
    # OZG-Leistung 10160 of the catalogue
    assert hund["ozg_leistung"] == "Hundehaltung" and hund["themenfeld"] == "Engagement & Hobby"


def test_demo_figures(demo):
    s = rahmen.summary(demo)
    # LeiKa-Typ of the 185 demo processes: 145 × 2/3, 1 × "1, 2/3", 30 × 4, 9 × 5
    assert s["kommune_setzt_um"] == 39 and s["zentral"] == 146
    # Erdbestattung (survey, faktisch), Eheschließung Vollzug (parameter file, rechtlich),
    # rule < 2 cases: Hochwasserschäden (0), Spielhallen (1), Personalausweis sonst. Name (1)
    assert s["nicht_geeignet"] == 5
    assert s["nicht_geeignet_gruende"] == {"faktisch": 1, "rechtlich": 1, "wirtschaftlich": 3}
    assert s["pflichten_status"] == {
        "erfüllt": 3,
        "teilweise": 2,
        "offen": 2,
        "nicht zutreffend": 1,
        "unbekannt": 1,
    }
    # overdue: § 4 and § 14 Abs. 1 (in force), § 5, § 14 Abs. 2, OZG
    assert s["pflichten_ueberfaellig"] == 5
    days = {p["paragraph"]: p["tage_ueberfaellig"] for p in s["pflichten"]}
    assert days["EGovG NRW § 5"] == 2157 and days["OZG"] == 1428
    assert days["EGovG NRW § 14 Abs. 2"] == 1792  # 1826 − 365 + 331
    # 174 processes with a Reifegrad (Schulverwaltung 6 + Friedhof 5 left it empty),
    # 13 at level 3 and 6 at level 4: 19 / 174
    assert s["reifegrad_erfasst"] == 174
    assert s["ozg_konform_anteil"] == pytest.approx(19 / 174)


def test_check_json_shape(capsys):
    assert main(["check", str(DEMO), "--json"]) == 0
    section = json.loads(capsys.readouterr().out)["rahmenbedingungen"]
    assert {"pflichten", "kommune_setzt_um", "nicht_geeignet"} <= set(section)
    first = section["pflichten"][0]
    assert first == {
        "paragraph": "EGovG NRW § 3",
        "frist": "2018-01-01",
        "status": "erfüllt",
        "tage_ueberfaellig": 0,
    }
    assert section["pflichten"][1]["frist"] == "in Kraft"


def _execute(tmp_path: Path, parameter_file: Path) -> Path:
    return execute_step("01_rahmenbedingungen.ipynb", tmp_path, parameter_file)[0]


def _outputs(path: Path) -> list:
    nb = nbformat.read(path, as_version=4)
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]


def test_notebook_executes_and_emits_figures(tmp_path, demo):
    out = _execute(tmp_path, DEMO)
    results = lauf.read_results(out)
    assert results["rahmenbedingungen"] == json.loads(json.dumps(rahmen.summary(demo)))
    assert results["rahmenbedingungen"]["kommune_setzt_um"] == 39
    outputs = _outputs(out)
    assert not [o for o in outputs if o.output_type == "error"]
    assert sum("image/svg+xml" in o.get("data", {}) for o in outputs) == 3
    text = json.dumps([o.get("data", {}) for o in outputs], ensure_ascii=False)
    assert "Stichtag 28.11.2026" in text or "2.157 Tage" in text


def test_notebook_without_catalogue_says_so(folder, tmp_path):
    params = write_params(
        folder, BASE + "rahmen:\n  leika_katalog: fehlt.csv\n  katalog_optional: true\n"
    )
    out = _execute(tmp_path, params)
    text = json.dumps([o.get("data", {}) for o in _outputs(out)], ensure_ascii=False)
    assert "ist auf diesem Rechner nicht vorhanden" in text
    results = lauf.read_results(out)["rahmenbedingungen"]
    assert results["katalog"] is False and results["kommune_setzt_um"] == 0


def test_appendix_sheets_written(tmp_path, demo):
    import openpyxl

    from kdworkbook import export, rahmen_ansicht

    path = export.write_workbook(tmp_path / "a.xlsx", rahmen_ansicht.appendix_sheets(demo))
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Pflichten", "Rahmen je Prozess"]
    rows = list(book["Rahmen je Prozess"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 185
    first = rows[0]  # Personalausweis Ausstellung erstmalig, key kept as text
    assert first[:5] == (
        "Bürgerbüro",
        "Personalausweis Ausstellung erstmalig",
        "99008001012001",
        "2/3",
        "zentral bereitgestellt, Kommune bindet an",
    )
