"""Rahmenbedingungen: parameter section, Geeignetheit, readiness, per-process contract,
``check --json`` and the notebook executed for real."""

import json
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from kdworkbook.bestand.laden import load_bestand
from kdworkbook.cli import main
from kdworkbook.kern import referenz
from kdworkbook.kern.errors import InputError
from kdworkbook.kern.parameter import load_settings
from kdworkbook.lauf import lauf
from kdworkbook.rahmen import bedingungen as rahmen
from kdworkbook.rahmen import geeignetheit, reife
from kdworkbook.rahmen import laden as rahmen_laden

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
    assert r.pflichten == {}
    # without leika_katalog: the shipped catalogue and its OZG list
    assert r.leika_katalog == referenz.leika_katalog() and r.katalog_mitgeliefert
    assert r.ozg_katalog == referenz.ozg_katalog()
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
        "    gilt_ab: 2021-04-07\n    fundstelle: BGBl. I 2021 S. 591\n"
        "    quelle: gesetze-im-internet.de/idnrg\n",
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


def test_missing_catalogue_is_refused_and_optional_is_gone(folder):
    message = _refused(folder, "rahmen:\n  leika_katalog: fehlt.csv\n")
    assert "Schlüssel „rahmen → leika_katalog“: Datei „fehlt.csv“ nicht gefunden" in message
    assert str(folder / "fehlt.csv") not in message  # as written, relative to the parameters
    message = _refused(folder, "rahmen:\n  katalog_optional: true\n")
    assert "„rahmen → katalog_optional“: ist kein bekannter Schlüssel" in message


def test_own_catalogue_replaces_shipped_one_and_its_ozg_list(folder):
    """An official LeiKa export as the analyst saves it from Excel (semicolons, cp1252)."""
    export = (
        "schluessel;gruppierung;kennung;verrichtung;verrichtungsdetail;bezeichnung;"
        "bezeichnung2;typ;datum;besondere_merkmale;synonyme\r\n"
        "99008001012001;008;001;012;001;Personalausweis Ausstellung erstmalig;;2/3;"
        "01.03.2019;;\r\n"
        "99008001012002;008;001;012;002;Personalausweis Ausstellung vorläufig;;5;"
        "15.08.2021;;\r\n"
        "99008001012003;008;001;012;003;Personalausweis Ausstellung neu wegen Verlust;;2/3;;;\r\n"
    )
    (folder / "kataloge").mkdir()
    (folder / "kataloge" / "leika_2021.csv").write_bytes(export.encode("cp1252"))
    ba = load_bestand(
        write_params(folder, BASE + "rahmen:\n  leika_katalog: kataloge/leika_2021.csv\n")
    )
    assert ba.settings.rahmen.ozg_katalog is None and not ba.settings.rahmen.katalog_mitgeliefert
    stand = rahmen.catalogue_state(ba)
    assert stand.name == "„leika_2021.csv“ (LeiKa-Export)"
    assert stand.stand == "15.08.2021 (jüngster Eintrag der Spalte „datum“)"
    attrs = rahmen.process_attributes(ba)
    # rows 2 (Typ 5) and 1, 3 (Typ 2/3) of the seed found by name; 13 rows not in this export
    assert attrs["match_art"].tolist()[:3] == ["Name", "Name", "Name"]
    assert attrs["kommune_setzt_um"].tolist()[:3] == [False, True, False]
    assert int(attrs["kommune_setzt_um"].sum()) == 1


def test_shipped_catalogue_named_with_its_date(folder):
    stand = rahmen.catalogue_state(load_bestand(write_params(folder, BASE)))
    assert stand.name == (
        "mitgelieferter LeiKa-Katalog der OZG-Datenbank NRW („leika_leistungen_kdn2019.csv“ "
        "und „ozg_leistungen_kdn2019.csv“)"
    )
    assert stand.stand == "Oktober–Dezember 2019"
    assert len(stand.katalog.leistungen) == 5251


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
        ("rahmen:\n  ozg_katalog: o.csv\n", "Datei „o.csv“ nicht gefunden"),
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
    weak = reife.weak_points(table, rahmen_laden.load_recommendations())
    # ≤ 2 is weak (default schwach_bis); not rated (None) is not a weak point
    assert weak["schluessel"].tolist() == ["prozesssteuerung", "wirtschaft", "zeitkontingente"]
    assert weak["empfehlung"].str.len().min() > 40


def test_recommendation_buergerschaft_follows_an_evaluated_survey():
    """Once a citizen survey is evaluated, „Bürgerschaft“ names its result instead of
    recommending a survey: 3 services on the questionnaire, one with too few answers
    (nachfrage null) → a demand value for 2 of 3."""
    texts = rahmen_laden.load_recommendations()
    assert reife.after_survey(texts, None) == texts
    result = {
        "antworten": 1234,
        "nachfrage": [{"nachfrage": 0.5}, {"nachfrage": None}, {"nachfrage": 0.75}],
    }
    after = reife.after_survey(texts, result)
    assert after["buergerschaft"] == (
        "Die Bürgerbefragung ist ausgewertet (1.234 Antworten, Nachfragewert für 2 von 3 "
        "Leistungen, Kapitel Bürgerbefragung) und fließt als Kriterium „Bürgernachfrage“ in die "
        "Priorisierung ein. Das Ergebnis veröffentlichen und die Bürgerschaft bei Test und "
        "Einführung der Online-Dienste beteiligen."
    )
    assert {k: v for k, v in after.items() if k != "buergerschaft"} == {
        k: v for k, v in texts.items() if k != "buergerschaft"
    }


def test_demo_recommends_no_survey_it_has_already_evaluated(demo):
    """The demo rates the Bürgerschaft 2 of 5 and has evaluated a survey (320 answers,
    35 services, each with a demand value): the weak point stays, its recommendation
    refers to the result; without the result it recommends a survey."""
    import dataclasses

    from kdworkbook.buergerbefragung.einstellungen import BuergerbefragungSettings

    _, weak = rahmen.readiness(demo)
    text = weak.set_index("schluessel").loc["buergerschaft", "empfehlung"]
    assert text.startswith(
        "Die Bürgerbefragung ist ausgewertet (320 Antworten, Nachfragewert für 35 von 35 "
        "Leistungen, Kapitel Bürgerbefragung)"
    )
    assert "durchführen" not in text
    without = dataclasses.replace(
        demo,
        settings=demo.settings.model_copy(update={"buergerbefragung": BuergerbefragungSettings()}),
    )
    _, weak = rahmen.readiness(without)
    assert (
        weak.set_index("schluessel")
        .loc["buergerschaft", "empfehlung"]
        .startswith("Eine Bürgerbefragung zu gewünschten Online-Leistungen durchführen")
    )


def test_every_area_has_a_recommendation():
    texts = rahmen_laden.load_recommendations()
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
    # the 16 duties in force on 28.11.2026 (the demo records all but two)
    assert s["pflichten_status"] == {
        "erfüllt": 4,
        "teilweise": 5,
        "offen": 3,
        "nicht zutreffend": 2,
        "unbekannt": 2,
    }
    # overdue: § 5 (teilweise), § 14 Abs. 2 (offen), SDG Art. 6 (teilweise); not the
    # Daueraufgaben § 4, § 1a Abs. 1 OZG (offen), not § 14 Abs. 1 (unbekannt)
    assert s["pflichten_ueberfaellig"] == 3
    assert s["pflichten_unbekannt"] == 2
    days = {p["paragraph"]: p["tage_ueberfaellig"] for p in s["pflichten"]}
    assert days["EGovG NRW § 5"] == 2157
    assert days["EGovG NRW § 14 Abs. 2"] == 1792  # 1826 − 365 + 331
    # 12.12.2023 → 12.12.2024: 366, → 12.12.2025: 365, → 28.11.2026: 365 − 14 = 351
    assert days["SDG Art. 6"] == 1082
    assert days["EGovG NRW § 14 Abs. 1"] is None and days["OZG § 1a Abs. 1"] is None
    assert [c["pflicht"] for c in s["pflichten_geaendert"]] == [
        "EGovG NRW § 5 Abs. 2",
        "EGovG NRW § 5 Abs. 3",
        "OZG",
        "OZG § 1a Abs. 1",
        "OZG § 1a Abs. 1 Satz 2",
        "OZG § 1a Abs. 2",
        "OZG § 3 Abs. 3",
    ]
    assert s["pflichten_hinweise"] == []  # the demo records the new OZG keys itself
    # SDG: 93 surveyed processes flagged sdg_relevant in the catalogue (counted with the csv
    # module against the survey's keys); 87 with a Reifegrad, 14 of them at level ≥ 3
    assert s["sdg_prozesse"] == 93
    assert s["sdg_online_anteil"] == pytest.approx(14 / 87)
    # 174 processes with a Reifegrad (Schulverwaltung 6 + Friedhof 5 left it empty),
    # 13 at level 3 and 6 at level 4: 19 / 174
    assert s["reifegrad_erfasst"] == 174
    assert s["ozg_konform_anteil"] == pytest.approx(19 / 174)


def test_check_json_shape(capsys):
    assert main(["check", str(DEMO), "--json"]) == 0
    section = json.loads(capsys.readouterr().out)["rahmenbedingungen"]
    assert {"pflichten", "kommune_setzt_um", "nicht_geeignet"} <= set(section)
    first = section["pflichten"][0]
    assert {k: first[k] for k in ("paragraph", "art", "frist", "gilt_ab", "gilt_bis")} == {
        "paragraph": "EGovG NRW § 3",
        "art": "Frist",
        "frist": "2018-01-01",
        "gilt_ab": "2016-07-16",
        "gilt_bis": None,
    }
    assert first["status"] == "erfüllt" and first["tage_ueberfaellig"] == 0
    assert "recht.nrw.de" in first["quelle"] and "GV. NRW. S. 551" in first["fundstelle"]
    assert section["pflichten"][1]["frist"] == "Daueraufgabe"
    assert all(p["quelle"] and p["gilt_ab"] for p in section["pflichten"])


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
    assert "Geändert seit 28.11.2019" in text and "OZG-Änderungsgesetz" in text
    assert "Auslegung – mit der Kommunalaufsicht klären" in text
    assert "Single Digital Gateway" in text


def test_notebook_names_the_shipped_catalogue(folder, tmp_path):
    out = _execute(tmp_path, write_params(folder, BASE))
    text = json.dumps([o.get("data", {}) for o in _outputs(out)], ensure_ascii=False)
    assert "Grundlage ist der LeiKa-Katalog: mitgelieferter LeiKa-Katalog der OZG-Datenbank" in text
    assert "Stand Oktober–Dezember 2019" in text
    results = lauf.read_results(out)["rahmenbedingungen"]
    # the 16 seed rows are Typ 2/3 in the catalogue: all central, none the municipality's own
    assert results["katalog"] is True and results["kommune_setzt_um"] == 0
    assert results["zentral"] == 16 and results["zuordnung"]["Name"] == 16


def test_appendix_sheets_written(tmp_path, demo):
    import openpyxl

    from kdworkbook.bericht import excel as export
    from kdworkbook.rahmen import kapitel as rahmen_ansicht

    path = export.write_workbook(tmp_path / "a.xlsx", rahmen_ansicht.appendix_sheets(demo))
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Pflichten", "SDG-Leistungen", "Rahmen je Prozess"]
    duties = list(book["Pflichten"].iter_rows(values_only=True))
    assert duties[0][:7] == (
        "Pflicht",
        "Vorschrift",
        "Inhalt",
        "Art",
        "Frist",
        "gilt ab",
        "gilt bis",
    )
    assert len(duties) == 1 + 16
    assert len(list(book["SDG-Leistungen"].iter_rows(min_row=2))) == 93
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


# --------------------------------------------------------------------------- dated frame


def _demo_on(stichtag: str, folder: Path, reference_dir: Path) -> Path:
    """The demo parameter file with another Stichtag, paths made absolute."""
    text = DEMO.read_text(encoding="utf-8")
    text = text.replace("stichtag: 2026-11-28", f"stichtag: {stichtag}")
    text = text.replace("musterstadt/", f"{DEMO.parent / 'musterstadt'}/")
    return write_params(folder, text)


def test_check_json_on_a_2019_stichtag_shows_the_2019_frame(tmp_path, reference_dir, capsys):
    params = _demo_on("2019-11-28", tmp_path, reference_dir)  # the same file otherwise
    assert main(["check", str(params), "--json"]) == 0
    section = json.loads(capsys.readouterr().out)["rahmenbedingungen"]
    duties = {p["paragraph"]: p for p in section["pflichten"]}
    assert list(duties) == [
        "EGovG NRW § 3",
        "EGovG NRW § 4",
        "EGovG NRW § 5",
        "EGovG NRW § 7",
        "EGovG NRW § 7a",
        "EGovG NRW § 14 Abs. 1",
        "EGovG NRW § 14 Abs. 2",
        "EGovG NRW § 14 Abs. 3",
        "EGovG § 2 Abs. 1",
        "OZG",
        "SDG Art. 6",
    ]
    assert duties["OZG"]["frist"] == "2022-12-31" and duties["OZG"]["gilt_bis"] == "2024-07-23"
    # on 28.11.2019 no deadline of a duty recorded offen/teilweise had passed: § 5 (2021),
    # § 14 Abs. 2 (2022), OZG (2022), SDG (2023) lay ahead
    assert section["pflichten_ueberfaellig"] == 0
    assert duties["OZG"]["tage_ueberfaellig"] == 0
    # geaendert_seit (2019-11-28) is the Stichtag itself: no box, a note for the analyst
    assert section["pflichten_geaendert"] is None
    assert "liegt nicht vor dem Stichtag 28.11.2019" in section["pflichten_hinweise"][0]


def test_old_duty_key_is_mapped_with_a_message(folder, capsys):
    params = write_params(folder, BASE + "rahmen:\n  pflichten:\n    OZG: teilweise\n")
    assert main(["check", str(params)]) == 0
    assert "Hinweis: Parameterdatei, „rahmen → pflichten → OZG“" in capsys.readouterr().out
    ba = load_bestand(params)
    table = rahmen.duties(ba).set_index("schluessel")
    assert table.loc["OZG § 1a Abs. 1", "status"] == "teilweise"
    assert "Stand übernommen von „OZG“" in table.loc["OZG § 1a Abs. 1", "notiz"]
    assert "OZG" not in table.index
    assert rahmen.duty_notes(ba) == [
        "Parameterdatei, „rahmen → pflichten → OZG“: die Pflicht gilt am Stichtag nicht mehr; "
        "ihr Stand „teilweise“ wird für die Nachfolgerin „OZG § 1a Abs. 1“ verwendet. Bitte den "
        "Stand unter „OZG § 1a Abs. 1“ eintragen."
    ]


@pytest.mark.parametrize("date", ["2026-11-28", "2027-01-01"])
def test_changed_since_not_before_the_stichtag_gives_no_box(folder, date):
    ba = load_bestand(write_params(folder, BASE + f"rahmen:\n  geaendert_seit: {date}\n"))
    assert rahmen.duty_changes(ba) is None
    (note,) = rahmen.duty_notes(ba)
    assert "„rahmen → geaendert_seit“" in note and "liegt nicht vor dem Stichtag 28.11.2026" in note


def test_changed_since_german_date(folder):
    ba = load_bestand(write_params(folder, BASE + "rahmen:\n  geaendert_seit: 24.07.2024\n"))
    # on the day of the OZG amendment: the amendment itself is not „since“ that day
    assert rahmen.duty_changes(ba).empty


def test_summary_unknown_is_not_overdue(folder):
    """Nothing recorded: 16 duties in force, all „Stand nicht erhoben“, none overdue."""
    from kdworkbook.massnahmen import zusammenfassung as zusammenfassung_ansicht

    ba = load_bestand(write_params(folder, BASE))
    html = zusammenfassung_ansicht.overdue(ba).data
    assert "keine Frist überschritten" in html
    assert "Überfällige gesetzliche Pflichten" not in html
    assert "Stand nicht erhoben – im Workshop klären (16):" in html
    assert "Daueraufgaben und nicht erhobene Stände zählen nicht als überfällig" in html
    # the shipped catalogue marks SDG services, but without Reifegrad the share is not known
    assert "der Anteil online ist nicht berechenbar (kein Reifegrad erhoben)" in html


def test_summary_of_the_demo(demo):
    from kdworkbook.massnahmen import zusammenfassung as zusammenfassung_ansicht

    html = zusammenfassung_ansicht.overdue(demo).data
    late, unknown = html.split("Stand nicht erhoben – im Workshop klären")
    assert "Überfällige gesetzliche Pflichten (3):" in late
    assert "§ 14 Abs. 2 EGovG NRW" in late and "seit 1.792 Tagen überfällig" in late
    assert "Art. 6 und Anhang II VO (EU) 2018/1724" in late
    assert "§ 14 Abs. 1 EGovG NRW" not in late and "§ 14 Abs. 1 EGovG NRW" in unknown
    assert unknown.startswith(" (2):") and "§ 1a Abs. 2 OZG" in unknown
    # the same figures as rahmen.summary: 93 SDG processes, 14 of 87 online = 16,1 %
    assert "93 erhobene Prozesse sind SDG-relevant; 14 von 87" in html
    assert "16,1" in html


def test_sdg_table_is_a_top_list_with_the_rest_in_the_appendix(demo, monkeypatch):
    """The demo has 93 SDG services: all shown with the house limit (100); with a limit
    of 10 the table has 10 rows, the ones not online first, and says where all 93 are."""
    from kdworkbook.rahmen import pflichten_kapitel

    whole = pflichten_kapitel.sdg_table(demo).data
    assert whole.count("<tr>") == 93 + 1  # header row
    assert "Gezeigt sind" not in whole
    monkeypatch.setattr(pflichten_kapitel, "SDG_REPORT_ROWS", 10)
    top = pflichten_kapitel.sdg_table(demo).data
    assert top.count("<tr>") == 10 + 1
    assert (
        "Gezeigt sind die ersten 10 von 93; alle stehen in anhang.xlsx, Blatt „SDG-Leistungen“"
        in top
    )
    assert '<td class="txt">online</td>' not in top  # those not online come first
