"""Legal duties register: dated entries, the frame in force on a Stichtag, changes between two
reports, status carried to a successor, days overdue, SDG services."""

import datetime as dt
import re

import pandas as pd
import pytest

from kdworkbook.kern.errors import InputError
from kdworkbook.rahmen import laden as rahmen_laden
from kdworkbook.rahmen import pflichten

STICHTAG = dt.date(2026, 11, 28)

#: Hand-checked against the register: the slide duties of 2019 plus the EGovG of the Bund
#: (Vollzug von Bundesrecht) and the SDG regulation, both in force in 2019; „OZG“ is the 2017
#: version with its deadline at the end of 2022.
FRAME_2019 = [
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
#: 2026: § 5 Abs. 2 and 3 EGovG NRW since 19.02.2022; the OZG 2017 entry replaced on
#: 24.07.2024 by the four entries of the OZG-Änderungsgesetz.
FRAME_2026 = [
    "EGovG NRW § 3",
    "EGovG NRW § 4",
    "EGovG NRW § 5",
    "EGovG NRW § 5 Abs. 2",
    "EGovG NRW § 5 Abs. 3",
    "EGovG NRW § 7",
    "EGovG NRW § 7a",
    "EGovG NRW § 14 Abs. 1",
    "EGovG NRW § 14 Abs. 2",
    "EGovG NRW § 14 Abs. 3",
    "EGovG § 2 Abs. 1",
    "OZG § 1a Abs. 1",
    "OZG § 1a Abs. 1 Satz 2",
    "OZG § 1a Abs. 2",
    "OZG § 3 Abs. 3",
    "SDG Art. 6",
]


@pytest.mark.parametrize(
    ("stichtag", "expected"),
    [
        (dt.date(2020, 12, 31), 0),  # the day before the deadline: not yet due
        (dt.date(2021, 1, 1), 0),  # on the deadline day: due, 0 days overdue
        (dt.date(2021, 1, 2), 1),  # the day after: 1 day overdue
        (dt.date(2021, 3, 1), 59),  # 31 (Jan) + 28 (Feb 2021) = 59
    ],
)
def test_days_overdue_around_the_deadline(stichtag, expected):
    assert pflichten.days_overdue(dt.date(2021, 1, 1), "offen", stichtag) == expected


def test_days_overdue_done_unknown_and_permanent():
    frist = dt.date(2021, 1, 1)
    assert pflichten.days_overdue(frist, "erfüllt", STICHTAG) == 0
    assert pflichten.days_overdue(frist, "nicht zutreffend", STICHTAG) == 0
    assert pflichten.days_overdue(frist, "teilweise", STICHTAG) == 2157
    # never recorded: not berechenbar, not overdue
    assert pflichten.days_overdue(frist, "unbekannt", STICHTAG) is None
    assert pflichten.days_overdue("Daueraufgabe", "offen", STICHTAG) is None
    assert pflichten.days_overdue(None, "offen", STICHTAG) is None


def test_every_entry_has_a_source_and_consistent_dates():
    register = rahmen_laden.load_register()
    keys = [p.schluessel for p in register]
    assert len(keys) == len(set(keys)) == 17
    official = ("recht.nrw.de", "gesetze-im-internet.de", "eur-lex.europa.eu", "GV. NRW.", "BGBl.")
    for p in register:
        assert any(o in p.quelle for o in official), p.schluessel
        assert "GV. NRW." in p.fundstelle or "BGBl." in p.fundstelle or "ABl." in p.fundstelle
        assert p.gilt_bis is None or p.gilt_ab < p.gilt_bis
        if isinstance(p.frist, dt.date):
            assert p.gilt_ab <= p.frist and (p.gilt_bis is None or p.frist <= p.gilt_bis)
        if p.nachfolger:  # the successor starts the day after the predecessor ends
            successor = next(q for q in register if q.schluessel == p.nachfolger)
            assert successor.gilt_ab == p.gilt_bis + dt.timedelta(days=1)
    by_key = {p.schluessel: p for p in register}
    assert by_key["OZG"].frist == dt.date(2022, 12, 31)
    assert by_key["OZG"].gilt_bis == dt.date(2024, 7, 23)
    assert by_key["OZG § 1a Abs. 1"].frist == "Daueraufgabe"
    # „nach Ablauf des vierten auf die Verkündung (2024) folgenden Kalenderjahres“: 01.01.2029
    assert by_key["OZG § 1a Abs. 2"].frist == dt.date(2029, 1, 1)
    assert "Kommunalaufsicht" not in by_key["OZG § 1a Abs. 2"].auslegung  # hint added in view
    assert "2028" in by_key["OZG § 1a Abs. 2"].auslegung
    assert by_key["SDG Art. 6"].frist == dt.date(2023, 12, 12)
    assert by_key["EGovG NRW § 5 Abs. 2"].gilt_ab == dt.date(2022, 2, 19)


@pytest.mark.parametrize(
    ("stichtag", "expected"),
    [(dt.date(2019, 11, 28), FRAME_2019), (dt.date(2026, 11, 28), FRAME_2026)],
)
def test_frame_in_force_on_the_stichtag(stichtag, expected):
    register = rahmen_laden.load_register()
    assert [p.schluessel for p in pflichten.in_force(register, stichtag)] == expected


def test_frame_around_the_ozg_amendment():
    register = rahmen_laden.load_register()
    last_old = [p.schluessel for p in pflichten.in_force(register, dt.date(2024, 7, 23))]
    first_new = [p.schluessel for p in pflichten.in_force(register, dt.date(2024, 7, 24))]
    assert "OZG" in last_old and "OZG § 1a Abs. 1" not in last_old
    assert "OZG" not in first_new and "OZG § 1a Abs. 1" in first_new


def test_changes_between_two_reports():
    register = rahmen_laden.load_register()
    changed = pflichten.changes(register, dt.date(2019, 11, 28), STICHTAG)
    assert list(zip(changed["art"], changed["datum"], changed["schluessel"], strict=True)) == [
        ("neu", dt.date(2022, 2, 19), "EGovG NRW § 5 Abs. 2"),
        ("neu", dt.date(2022, 2, 19), "EGovG NRW § 5 Abs. 3"),
        ("entfallen", dt.date(2024, 7, 24), "OZG"),
        ("neu", dt.date(2024, 7, 24), "OZG § 1a Abs. 1"),
        ("neu", dt.date(2024, 7, 24), "OZG § 1a Abs. 1 Satz 2"),
        ("neu", dt.date(2024, 7, 24), "OZG § 1a Abs. 2"),
        ("neu", dt.date(2024, 7, 24), "OZG § 3 Abs. 3"),
    ]
    assert changed.set_index("schluessel").loc["OZG", "nachfolger"] == "OZG § 1a Abs. 1"
    # nothing changed between two reports in 2025 and 2026
    assert pflichten.changes(register, dt.date(2025, 11, 28), STICHTAG).empty


def test_status_of_a_replaced_duty_carries_to_its_successor():
    register = rahmen_laden.load_register()
    recorded = {"OZG": ("offen", "Portal im Aufbau"), "EGovG NRW § 3": ("erfüllt", None)}
    status, notes = pflichten.carry_over(register, recorded, STICHTAG)
    assert status["OZG § 1a Abs. 1"][0] == "offen"
    assert "Stand übernommen von „OZG“ (seit 24.07.2024 ersetzt)" in status["OZG § 1a Abs. 1"][1]
    assert len(notes) == 1 and "„OZG § 1a Abs. 1“ eintragen" in notes[0]
    # a status of its own for the successor wins, and 2019 needs no carrying
    own = recorded | {"OZG § 1a Abs. 1": ("teilweise", None)}
    assert pflichten.carry_over(register, own, STICHTAG)[0]["OZG § 1a Abs. 1"][0] == "teilweise"
    assert pflichten.carry_over(register, recorded, dt.date(2019, 11, 28)) == (recorded, [])


def test_duty_table_overdue_by_type_and_status():
    register = rahmen_laden.load_register()
    recorded = {
        "EGovG NRW § 3": ("erfüllt", "Postfach"),
        "EGovG NRW § 4": ("offen", None),  # Daueraufgabe: never overdue
        "EGovG NRW § 5": ("teilweise", None),
        "EGovG NRW § 14 Abs. 2": ("offen", None),
        "EGovG NRW § 14 Abs. 3": ("nicht zutreffend", None),
        "OZG § 1a Abs. 2": ("offen", None),  # deadline 01.01.2029 not reached
    }
    table = pflichten.duty_table(register, recorded, STICHTAG).set_index("schluessel")
    assert list(table.index) == FRAME_2026
    assert table.loc["EGovG NRW § 3", "tage_ueberfaellig"] == 0
    assert table.loc["EGovG NRW § 3", "notiz"] == "Postfach"
    # 01.01.2021 → 01.01.2026: 5 × 365 + 1 (29.02.2024) = 1826; → 28.11.2026: + 331 = 2157
    assert table.loc["EGovG NRW § 5", "tage_ueberfaellig"] == 2157
    assert table.loc["EGovG NRW § 14 Abs. 2", "tage_ueberfaellig"] == 1792  # 1826 − 365 + 331
    assert not table.loc["EGovG NRW § 4", "ueberfaellig"]
    assert pd.isna(table.loc["EGovG NRW § 4", "tage_ueberfaellig"])
    assert table.loc["EGovG NRW § 4", "art"] == "Daueraufgabe"
    # SDG: deadline 12.12.2023 passed, but never recorded → not overdue, no day count
    assert table.loc["SDG Art. 6", "status"] == "unbekannt"
    assert not table.loc["SDG Art. 6", "ueberfaellig"]
    assert pd.isna(table.loc["SDG Art. 6", "tage_ueberfaellig"])
    assert not table.loc["OZG § 1a Abs. 2", "faellig"]
    # overdue: § 5 (teilweise) and § 14 Abs. 2 (offen) only
    assert list(table.index[table["ueberfaellig"]]) == ["EGovG NRW § 5", "EGovG NRW § 14 Abs. 2"]
    assert pflichten.status_counts(table.reset_index()) == {
        "erfüllt": 1,
        "teilweise": 1,
        "offen": 3,
        "nicht zutreffend": 1,
        "unbekannt": 10,
    }
    assert len(pflichten.unknown(table)) == 10


def test_extra_register_adds_and_replaces(tmp_path):
    extra = tmp_path / "neu.yaml"
    extra.write_text(
        "pflichten:\n"
        "  - schluessel: SDG Art. 6\n    paragraph: Art. 6 SDG-VO\n    titel: SDG\n"
        "    beschreibung: neu gefasst\n    frist: 2024-06-30\n    gilt_ab: 2018-11-21\n"
        "    fundstelle: ABl. L 295\n    quelle: eur-lex.europa.eu\n"
        "  - schluessel: Registermodernisierung\n    paragraph: § 5 IDNrG\n    titel: Once-only\n"
        "    beschreibung: Identifikationsnummer nutzen\n    frist: in Kraft\n"
        "    gilt_ab: 2021-04-07\n    fundstelle: BGBl. I 2021 S. 591\n"
        "    quelle: gesetze-im-internet.de/idnrg\n",
        encoding="utf-8",
    )
    register = {p.schluessel: p for p in rahmen_laden.load_register(extra)}
    assert len(register) == 18
    assert register["SDG Art. 6"].frist == dt.date(2024, 6, 30)
    assert register["Registermodernisierung"].frist == "Daueraufgabe"  # „in Kraft“ still read


ENTRY = (
    "pflichten:\n  - schluessel: X\n    paragraph: P\n    titel: T\n    beschreibung: B\n"
    "    fundstelle: GV. NRW. S. 1\n    quelle: recht.nrw.de\n"
)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("pflichten:\n  - schluessel: X\n", "Eintrag „pflichten → 1 → paragraph“: fehlt"),
        (ENTRY + "    frist: bald\n    gilt_ab: 2020-01-01\n", "„bald“ ist keine Frist"),
        (
            ENTRY + "    frist:\n    gilt_ab: 2020-01-01\n    farbe: rot\n",
            "ist kein bekanntes Feld",
        ),
        (ENTRY + "    frist:\n", "Eintrag „pflichten → 1 → gilt_ab“: fehlt"),
        (
            ENTRY + "    frist:\n    gilt_ab: 2020-01-01\n    gilt_bis: 2020-01-01\n",
            "gilt_bis (2020-01-01) liegt nicht nach gilt_ab (2020-01-01)",
        ),
        (
            ENTRY + "    frist: 2019-12-31\n    gilt_ab: 2020-01-01\n",
            "Frist 2019-12-31 liegt vor gilt_ab (2020-01-01)",
        ),
        (
            ENTRY + "    frist: 2022-01-01\n    gilt_ab: 2020-01-01\n    gilt_bis: 2021-06-30\n",
            "Frist 2022-01-01 liegt nach gilt_bis (2021-06-30)",
        ),
        (
            ENTRY + "    frist:\n    gilt_ab: 2020-01-01\n    gilt_bis: 2021-06-30\n"
            "    nachfolger: Y\n",
            "Eintrag „X“: Nachfolger „Y“ steht nicht im Register",
        ),
    ],
)
def test_malformed_register(tmp_path, body, expected):
    path = tmp_path / "register.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(expected)) as info:
        rahmen_laden.load_register(path)
    assert "Tuple" not in str(info.value)
    if "Nachfolger" not in expected:
        assert str(path) in str(info.value)


def test_sdg_services_and_share():
    survey = pd.DataFrame(
        {
            "fachamt": ["A", "A", "B", "B", "C"],
            "bezeichnung": ["Anmeldung", "Abmeldung", "Gewerbe", "Hund", "Schule"],
        }
    )
    attrs = pd.DataFrame(
        {
            "sdg_relevant": [True, True, True, False, True],
            "leika_schluessel": ["1", "2", "3", "4", "5"],
            "reifegrad": pd.array([3, 1, 4, 4, None], dtype="Int64"),
        }
    )
    services = pflichten.sdg_services(attrs, survey, online_ab=3)
    assert services["bezeichnung"].tolist() == ["Anmeldung", "Abmeldung", "Gewerbe", "Schule"]
    assert services["online"].tolist()[:3] == [True, False, True]
    assert pd.isna(services["online"].iloc[3])  # no Reifegrad: not counted either way
    assert pflichten.sdg_share(services) == pytest.approx(2 / 3)
    none_known = pflichten.sdg_services(attrs.assign(reifegrad=pd.NA), survey, online_ab=3)
    assert pflichten.sdg_share(none_known) is None
    no_catalogue = pflichten.sdg_services(attrs.assign(sdg_relevant=pd.NA), survey, 3)
    assert no_catalogue.empty
