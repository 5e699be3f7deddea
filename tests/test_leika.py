"""LeiKa catalogue: both layouts, keys as text, Zuständigkeit, matching (exact and fuzzy)."""

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from kdworkbook.bestand.laden import load_bestand
from kdworkbook.kern.errors import InputError
from kdworkbook.rahmen import bedingungen as rahmen
from kdworkbook.rahmen import laden as rahmen_laden
from kdworkbook.rahmen import leika

from .conftest import HEADER, SEED_ROWS, write_params, write_xlsx

OFFICIAL = (
    "schluessel;gruppierung;kennung;verrichtung;verrichtungsdetail;bezeichnung;bezeichnung2;"
    "typ;datum;besondere_merkmale;synonyme\n"
    "99008001012001;008;001;012;001;Personalausweis Ausstellung erstmalig;;2/3;2019-01-01;;"
    "Perso beantragen|Ausweis neu\n"
    "99102013002000;102;013;002;000;Hundesteuer Festsetzung;;4;2019-01-01;;\n"
    "00000000000001;000;000;000;001;Testleistung mit führenden Nullen;;5;2019-01-01;;\n"
)
KDN = (
    "schluessel,bezeichnung,typ,ozg_id,rechtsgrundlage,gesetze_kurz,sdg_relevant\n"
    ",Leistung ohne Schlüssel,1,10478,,,1\n"
    "99008001012001,Personalausweis Ausstellung erstmalig,2/3,10119,,,0\n"
    "00000000000002,Testleistung,4,,,,0\n"
)
#: LeiKa keys of the 16 seed rows, in the deck's order (reference/README.md, catalogue).
SEED_KEYS = [
    "99008001012001", "99008001012002", "99008001012003", "99008001012004",
    "99008001012005", "99008001012006", "99008001012007", "99008001012008",
    "99008001012009", "99008001012010", "99008001013000", "99008001013001",
    "99008001014000", "99008001014001", "99008001014002", "99008001014003",
]  # fmt: skip


def _file(tmp_path: Path, text: str, name: str = "katalog.csv", encoding="utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def test_official_layout_keys_stay_text(tmp_path):
    katalog = rahmen_laden.read_catalogue(_file(tmp_path, OFFICIAL, encoding="cp1252"))
    frame = katalog.leistungen.set_index("schluessel")
    assert katalog.layout == leika.LAYOUT_OFFICIAL
    assert list(frame.index) == ["99008001012001", "99102013002000", "00000000000001"]
    assert frame.loc["00000000000001", "bezeichnung"] == "Testleistung mit führenden Nullen"
    assert frame.loc["99102013002000", "typ"] == "4"
    assert frame["ozg_leistung"].isna().all()  # the official export has no OZG columns


def test_kdn_layout_with_ozg_list(tmp_path, reference_dir):
    katalog = rahmen_laden.read_catalogue(
        _file(tmp_path, KDN), reference_dir / "ozg_leistungen_kdn2019.csv"
    )
    frame = katalog.leistungen
    assert katalog.layout == leika.LAYOUT_KDN
    assert frame["schluessel"].tolist()[1:] == ["99008001012001", "00000000000002"]
    assert pd.isna(frame["schluessel"].iloc[0])  # empty key in the source stays empty
    row = frame.iloc[1]
    assert row["ozg_leistung"] == "Personalausweis"
    assert row["themenfeld"] == "Querschnitt"


def test_real_catalogue_loads(reference_dir):
    katalog = rahmen_laden.read_catalogue(
        reference_dir / "leika_leistungen_kdn2019.csv",
        reference_dir / "ozg_leistungen_kdn2019.csv",
    )
    frame = katalog.leistungen
    assert len(frame) == 5251
    assert frame["schluessel"].dropna().str.fullmatch(r"\d{14}").all()
    hund = frame.set_index("schluessel").loc["99102013000000"]
    assert hund["bezeichnung"] == "Hundesteuer" and hund["typ"] == "4"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nummer,name\n1,a\n", "kein bekanntes Format eines LeiKa-Katalogs"),
        (
            "schluessel,bezeichnung,typ,ozg_id\n9.9008E+13,Personalausweis,2/3,1\n",
            "Zeile 2, Spalte „schluessel“: „9.9008E\\+13“ ist kein LeiKa-Schlüssel",
        ),
        (
            "schluessel,bezeichnung,typ,ozg_id\n99008001012001,A,2/3,1\n99008001012001,B,4,1\n",
            "Zeile 3: LeiKa-Schlüssel 99008001012001 kommt mehrfach vor",
        ),
        ("schluessel,bezeichnung,typ,ozg_id\n99008001012001,,2/3,1\n", "Bezeichnung fehlt"),
        ("", "LeiKa-Katalog ist leer"),
    ],
)
def test_malformed_catalogue(tmp_path, text, expected):
    path = _file(tmp_path, text)
    with pytest.raises(InputError, match=expected) as info:
        rahmen_laden.read_catalogue(path)
    assert str(path) in str(info.value)


def test_missing_catalogue_file(tmp_path):
    with pytest.raises(InputError, match="LeiKa-Katalog nicht gefunden"):
        rahmen_laden.read_catalogue(tmp_path / "fehlt.csv")


@pytest.mark.parametrize(
    ("typ", "typ_4b", "expected"),
    [
        ("4", ["4"], leika.KOMMUNE),
        ("5", ["4"], leika.KOMMUNE),
        ("5", [], leika.KOMMUNE),  # Typ 5 always
        ("4", [], leika.ZENTRAL),  # 4 not counted as 4b → 4a, Land vollzieht
        ("2/3", ["4"], leika.ZENTRAL),
        ("1", ["4"], leika.ZENTRAL),
        ("1, 2/3", ["4"], leika.ZENTRAL),
        ("1, 4", ["4"], leika.KOMMUNE),  # one part is the municipality's
        ("6", ["4"], None),
        ("44", ["4"], None),
        (pd.NA, ["4"], None),
    ],
)
def test_zustaendigkeit(typ, typ_4b, expected):
    assert leika.zustaendigkeit(typ, typ_4b) == expected


def _survey(names: list[str], keys: list[str | None] | None = None) -> pd.DataFrame:
    return pd.DataFrame(
        {"bezeichnung": names, "leika_schluessel": keys or [None] * len(names)},
        index=range(10, 10 + len(names)),
    )


def test_enrich_precedence_and_fuzzy_review(tmp_path):
    katalog = rahmen_laden.read_catalogue(_file(tmp_path, OFFICIAL))
    survey = _survey(
        [
            "Hundesteuer Festsetzung",  # by key
            "personalausweis  ausstellung erstmalig",  # same name, other case/spaces
            "Ausweis neu",  # a synonym of the official export
            "Hundesteuer Festsetzng",  # typo → proposal only
            "Baumfällgenehmigung",  # nothing similar
        ],
        ["99102013002000", None, None, None, None],
    )
    out = leika.enrich(survey, katalog, ["4"], 85)
    assert list(out.index) == [10, 11, 12, 13, 14]
    assert out["match_art"].tolist() == [
        "Schlüssel",
        "Name",
        "Name",
        "unscharf (zu prüfen)",
        "keiner",
    ]
    assert out.loc[10, "zustaendigkeit"] == leika.KOMMUNE
    assert out.loc[11, "leika_schluessel"] == "99008001012001"
    assert out.loc[12, "leika_schluessel"] == "99008001012001"
    # the typo is proposed with its score, but nothing is applied
    assert pd.isna(out.loc[13, "leika_schluessel"]) and pd.isna(out.loc[13, "leika_typ"])
    assert out.loc[13, "vorschlag_schluessel"] == "99102013002000"
    assert 85 <= out.loc[13, "match_score"] < 100
    assert not out.loc[13, "kommune_setzt_um"]
    review = leika.review_list(out, survey.assign(fachamt="Steueramt"))
    assert review["bezeichnung"].tolist() == ["Hundesteuer Festsetzng"]
    # confirmed by the analyst in the parameter file → applied, marked as checked
    confirmed = leika.enrich(
        survey, katalog, ["4"], 85, {"Hundesteuer Festsetzng": "99102013002000"}
    )
    assert confirmed.loc[13, "match_art"] == "unscharf (geprüft)"
    assert confirmed.loc[13, "zustaendigkeit"] == leika.KOMMUNE


def test_catalogue_read_again_reuses_its_matcher_a_changed_one_gets_its_own(tmp_path):
    """A batch worker checks every municipality against the same catalogue, loaded anew each
    time: the name index is built once per content, and a changed name is found."""
    path = _file(tmp_path, OFFICIAL)
    first = leika._lookup(rahmen_laden.read_catalogue(path)).matcher
    assert leika._lookup(rahmen_laden.read_catalogue(path)).matcher is first
    path.write_text(OFFICIAL.replace("Hundesteuer Festsetzung", "Hundesteuer Erhebung"), "utf-8")
    katalog = rahmen_laden.read_catalogue(path)
    assert leika._lookup(katalog).matcher is not first
    out = leika.enrich(
        _survey(["Hundesteuer Erhebung", "Hundesteuer Festsetzung"]), katalog, [], 85
    )
    assert out["match_art"].tolist() == ["Name", "keiner"]
    assert out.loc[10, "leika_schluessel"] == "99102013002000"


def test_enrich_without_catalogue_keeps_survey_key():
    out = leika.enrich(_survey(["A", "B"], ["99102013002000", None]), None, ["4"], 85)
    assert out["match_art"].tolist() == ["keiner", "keiner"]
    assert out.loc[10, "leika_schluessel"] == "99102013002000"
    assert out["zustaendigkeit"].isna().all()
    assert not out["kommune_setzt_um"].any()


def test_unknown_survey_key_is_listed(tmp_path):
    katalog = rahmen_laden.read_catalogue(_file(tmp_path, OFFICIAL))
    out = leika.enrich(_survey(["Baumfällgenehmigung"], ["99999999999999"]), katalog, ["4"], 85)
    assert out.loc[10, "match_art"] == "keiner"
    assert out.loc[10, "hinweis"] == "Schlüssel 99999999999999 nicht im Katalog"


def test_unknown_survey_key_with_exact_catalogue_name_gets_the_names_key_proposed(tmp_path):
    katalog = rahmen_laden.read_catalogue(_file(tmp_path, OFFICIAL))
    out = leika.enrich(_survey(["Hundesteuer Festsetzung"], ["99999999999999"]), katalog, ["4"], 85)
    row = out.loc[10]
    assert row["match_art"] == "unscharf (zu prüfen)"  # proposed, not applied
    assert row["vorschlag_schluessel"] == "99102013002000"
    assert row["leika_schluessel"] == "99999999999999" and pd.isna(row["leika_typ"])
    assert row["hinweis"] == (
        "Schlüssel 99999999999999 nicht im Katalog – gleiche Bezeichnung im Katalog: 99102013002000"
    )


def _seed_params(tmp_path: Path, reference_dir: Path, rows: list, extra: str = "") -> Path:
    write_xlsx(tmp_path / "ausweis.xlsx", HEADER, rows)
    return write_params(
        tmp_path,
        "gemeinde: Stadt Seed\nstichtag: 2026-11-28\nbestand:\n  - datei: ausweis.xlsx\n"
        "    fachamt: Bürgerbüro\nrahmen:\n"
        f"  leika_katalog: {reference_dir / 'leika_leistungen_kdn2019.csv'}\n"
        f"  ozg_katalog: {reference_dir / 'ozg_leistungen_kdn2019.csv'}\n" + extra,
    )


def test_seed_rows_enriched_against_real_catalogue(tmp_path, reference_dir):
    """The 16 Personalausweis rows of the deck: exact names, Typ 2/3, central service."""
    ba = load_bestand(_seed_params(tmp_path, reference_dir, SEED_ROWS))
    attrs = rahmen.process_attributes(ba)
    assert list(attrs.index) == list(ba.data.index)
    assert (attrs["match_art"] == "Name").all()
    assert attrs["leika_schluessel"].tolist() == SEED_KEYS
    assert (attrs["leika_typ"] == "2/3").all()
    assert (attrs["zustaendigkeit"] == leika.ZENTRAL).all()
    assert not attrs["kommune_setzt_um"].any()
    assert (attrs["ozg_leistung"] == "Personalausweis").all()
    assert (attrs["match_score"] == 100.0).all()


def test_seed_typo_listed_for_review_then_confirmed(tmp_path, reference_dir):
    rows = [list(r) for r in SEED_ROWS]
    rows[0][2] = "Personalausweis Ausstelung erstmalig"  # typo: one „l“ missing
    ba = load_bestand(_seed_params(tmp_path, reference_dir, rows))
    attrs = rahmen.process_attributes(ba)
    assert attrs.loc[0, "match_art"] == "unscharf (zu prüfen)"
    assert attrs.loc[0, "vorschlag_schluessel"] == "99008001012001"
    assert pd.isna(attrs.loc[0, "leika_schluessel"])
    assert attrs.loc[0, "match_score"] >= 95
    assert (attrs.loc[1:, "match_art"] == "Name").all()
    review = leika.review_list(attrs, ba.data)
    assert review["bezeichnung"].tolist() == ["Personalausweis Ausstelung erstmalig"]

    confirmed = _seed_params(
        tmp_path,
        reference_dir,
        rows,
        '  zuordnung:\n    "Personalausweis Ausstelung erstmalig": "99008001012001"\n',
    )
    attrs = rahmen.process_attributes(load_bestand(confirmed))
    assert attrs.loc[0, "match_art"] == "unscharf (geprüft)"
    assert attrs.loc[0, "leika_schluessel"] == "99008001012001"
    assert attrs.loc[0, "zustaendigkeit"] == leika.ZENTRAL


def test_fuzzy_threshold_is_a_setting(tmp_path, reference_dir):
    rows = [list(r) for r in SEED_ROWS]
    rows[0][2] = "Personalausweis Ausstelung erstmalig"
    ba = load_bestand(_seed_params(tmp_path, reference_dir, rows, "  fuzzy_schwelle: 99.9\n"))
    assert rahmen.process_attributes(ba).loc[0, "match_art"] == "keiner"


def test_catalogue_date_is_the_latest_entry_in_either_format():
    """The export's ``datum`` column: TT.MM.JJJJ or ISO (with a time of day); an entry that is
    no date does not count."""
    dates = pd.Series(["15.01.2025", "2026-11-28T10:30:00", "", "kaputt", "31.02.2027"])
    assert rahmen_laden._latest_date(dates) == dt.date(2026, 11, 28)
    assert rahmen_laden._latest_date(pd.Series(["", "unbekannt"])) is None
