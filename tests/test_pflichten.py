"""Legal duties register: loading, status, days overdue around the deadline."""

import datetime as dt

import pandas as pd
import pytest

from kdworkbook import pflichten
from kdworkbook.errors import InputError

STICHTAG = dt.date(2026, 11, 28)


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


def test_days_overdue_done_undated_and_in_force():
    frist = dt.date(2021, 1, 1)
    assert pflichten.days_overdue(frist, "erfüllt", STICHTAG) == 0
    assert pflichten.days_overdue(frist, "nicht zutreffend", STICHTAG) == 0
    assert pflichten.days_overdue(frist, "unbekannt", STICHTAG) == 2157
    assert pflichten.days_overdue("in Kraft", "offen", STICHTAG) is None
    assert pflichten.days_overdue(None, "offen", STICHTAG) is None


def test_builtin_register_has_the_deck_duties():
    register = pflichten.load_register()
    assert [p.schluessel for p in register] == [
        "EGovG NRW § 3",
        "EGovG NRW § 4",
        "EGovG NRW § 5",
        "EGovG NRW § 7",
        "EGovG NRW § 7a",
        "EGovG NRW § 14 Abs. 1",
        "EGovG NRW § 14 Abs. 2",
        "EGovG NRW § 14 Abs. 3",
        "OZG",
    ]
    frist = {p.schluessel: p.frist for p in register}
    assert frist["EGovG NRW § 3"] == dt.date(2018, 1, 1)
    assert frist["EGovG NRW § 4"] == "in Kraft"
    assert frist["EGovG NRW § 7a"] == dt.date(2020, 4, 1)
    assert frist["EGovG NRW § 14 Abs. 3"] is None
    assert frist["OZG"] == dt.date(2022, 12, 31)
    assert all(p.quelle and p.beschreibung for p in register)


def test_duty_table_and_status_counts():
    register = pflichten.load_register()
    recorded = {
        "EGovG NRW § 3": ("erfüllt", "Postfach"),
        "EGovG NRW § 4": ("teilweise", None),
        "EGovG NRW § 5": ("offen", None),
        "EGovG NRW § 14 Abs. 3": ("nicht zutreffend", None),
    }
    table = pflichten.duty_table(register, recorded, STICHTAG).set_index("schluessel")
    assert table.loc["EGovG NRW § 3", "tage_ueberfaellig"] == 0
    assert table.loc["EGovG NRW § 3", "notiz"] == "Postfach"
    # 01.01.2021 → 01.01.2026: 5 × 365 + 1 (29.02.2024) = 1826; → 28.11.2026: + 331 = 2157
    assert table.loc["EGovG NRW § 5", "tage_ueberfaellig"] == 2157
    # OZG, unbekannt: 31.12.2022 → 28.11.2026 = 1 + 365 + 366 + 365 + 331 = 1428
    assert table.loc["OZG", "tage_ueberfaellig"] == 1428
    assert table.loc["OZG", "status"] == "unbekannt"
    # in force and only partly done: overdue without a day count
    assert bool(table.loc["EGovG NRW § 4", "ueberfaellig"])
    assert pd.isna(table.loc["EGovG NRW § 4", "tage_ueberfaellig"])
    assert not table.loc["EGovG NRW § 14 Abs. 3", "ueberfaellig"]
    # overdue: § 4, § 5, § 7, § 7a, § 14 Abs. 1, § 14 Abs. 2, OZG (not § 3, not § 14 Abs. 3)
    assert int(table["ueberfaellig"].sum()) == 7
    assert pflichten.status_counts(table) == {
        "erfüllt": 1,
        "teilweise": 1,
        "offen": 1,
        "nicht zutreffend": 1,
        "unbekannt": 5,
    }


def test_extra_register_adds_and_replaces(tmp_path):
    extra = tmp_path / "neu.yaml"
    extra.write_text(
        "pflichten:\n"
        "  - schluessel: OZG\n    paragraph: § 1a OZG\n    titel: OZG 2.0\n"
        "    beschreibung: neu geregelt\n    frist: 2028-12-31\n    quelle: OZG-Änderungsgesetz\n"
        "  - schluessel: Registermodernisierung\n    paragraph: § 5 IDNrG\n    titel: Once-only\n"
        "    beschreibung: Identifikationsnummer nutzen\n    frist: in Kraft\n    quelle: IDNrG\n",
        encoding="utf-8",
    )
    register = {p.schluessel: p for p in pflichten.load_register(extra)}
    assert len(register) == 10
    assert register["OZG"].frist == dt.date(2028, 12, 31)
    assert register["Registermodernisierung"].frist == "in Kraft"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("pflichten:\n  - schluessel: X\n", "Eintrag „pflichten → 1 → paragraph“: fehlt"),
        (
            "pflichten:\n  - schluessel: X\n    paragraph: P\n    titel: T\n    beschreibung: B\n"
            "    frist: bald\n    quelle: Q\n",
            "„bald“ ist keine Frist",
        ),
        (
            "pflichten:\n  - schluessel: X\n    paragraph: P\n    titel: T\n    beschreibung: B\n"
            "    frist:\n    quelle: Q\n    farbe: rot\n",
            "„pflichten → 1 → farbe“: ist kein bekanntes Feld",
        ),
    ],
)
def test_malformed_register(tmp_path, body, expected):
    path = tmp_path / "register.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(InputError, match=expected) as info:
        pflichten.load_register(path)
    assert str(path) in str(info.value)
