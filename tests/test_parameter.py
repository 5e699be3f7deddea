import datetime as dt
from pathlib import Path

import pytest

from kdworkbook.kern.errors import InputError
from kdworkbook.kern.parameter import load_settings, slugify
from kdworkbook.kern.yamlsafe import load_yaml

from .conftest import write_params


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "bestand.csv").write_text("x", encoding="utf-8")
    return tmp_path


def _messages(path: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        load_settings(path)
    return info.value.messages


def test_minimal_file_gets_documented_defaults(folder):
    s = load_settings(write_params(folder, "gemeinde: Stadt Beispiel\nbestand: bestand.csv\n"))
    assert s.gemeinde == "Stadt Beispiel"
    assert s.bestand[0].datei == folder / "bestand.csv"
    assert s.stundensaetze == {
        "einfacher_mittlerer_dienst": 25.5,
        "gehobener_dienst": 42.2,
        "hoeherer_dienst": 70.4,
    }
    assert s.stufen[1] == "einfacher_mittlerer_dienst" and s.stufen[8] == "hoeherer_dienst"
    assert s.jahresarbeitsstunden == 1600.0
    assert s.pareto_anteil == 0.8
    assert s.stichtag == dt.date.today()
    assert s.slug == "stadt-beispiel"


def test_ags_and_plz_without_quotes_keep_leading_zero(folder):
    s = load_settings(
        write_params(folder, "gemeinde: Köln\nbestand: bestand.csv\nags: 05315000\nplz: 01067\n")
    )
    assert s.ags == "05315000"
    assert s.plz == "01067"


def test_ags_written_as_number_is_refused_with_how_to(folder):
    [message] = _messages(write_params(folder, "gemeinde: X\nbestand: bestand.csv\nags: 5315000\n"))
    assert "„ags“" in message and 'ags: "05315000"' in message
    assert str(folder / "kommune.yaml") in message


def test_overrides_single_rate_and_german_date(folder):
    s = load_settings(
        write_params(
            folder,
            "gemeinde: X\nbestand: bestand.csv\n"
            "stichtag: 31.12.2026\nstundensaetze:\n"
            "  gehobener_dienst: 45.0\n",
        )
    )
    assert s.stichtag == dt.date(2026, 12, 31)
    assert s.stundensaetze["gehobener_dienst"] == 45.0
    assert s.stundensaetze["hoeherer_dienst"] == 70.4


def test_bestand_as_list_with_fachamt(folder):
    s = load_settings(
        write_params(
            folder,
            "gemeinde: X\nbestand:\n  - datei: bestand.csv\n"
            "    fachamt: Bürgerbüro\n  - bestand.csv\n",
        )
    )
    assert [q.fachamt for q in s.bestand] == ["Bürgerbüro", None]


def test_one_message_per_problem(folder):
    messages = _messages(
        write_params(
            folder,
            (
                "gemeinde: X\nbestand: fehlt.csv\nplz: 123\neinwohner: -5\nstichtag: 2026-13-01\n"
                "jahresarbeitsstunden: 0\nfarbe: rot\n"
            ),
        )
    )
    text = "\n".join(messages)
    assert len(messages) == 6
    assert "„bestand“: Eintrag 1: Datei „fehlt.csv“ nicht gefunden" in text
    assert "„plz“: „123“ ist keine Postleitzahl" in text
    assert "„einwohner“: erwartet eine Zahl ≥ 0, gefunden: -5" in text
    assert "„stichtag“: erwartet ein Datum" in text
    assert "„jahresarbeitsstunden“: erwartet eine Zahl > 0" in text
    assert "„farbe“: ist kein bekannter Schlüssel" in text


def test_missing_required_keys(folder):
    messages = _messages(write_params(folder, "einwohner: 100\n"))
    assert any("„gemeinde“: fehlt" in m for m in messages)
    assert any("„bestand“: fehlt" in m for m in messages)


def test_unknown_laufbahngruppe_in_stufen(folder):
    [message] = _messages(
        write_params(folder, "gemeinde: X\nbestand: bestand.csv\nstufen: {1: vorstand}\n")
    )
    assert "vorstand hat keinen Stundensatz" in message


def test_wrong_types(folder):
    messages = _messages(
        write_params(
            folder, "gemeinde: [a]\nbestand: bestand.csv\nstundensaetze: {gehobener_dienst: viel}\n"
        )
    )
    assert any("„gemeinde“: erwartet einen Text" in m for m in messages)
    assert any("„stundensaetze → gehobener_dienst“: erwartet eine Zahl" in m for m in messages)


@pytest.mark.parametrize(
    "body, expected",
    [
        ("a: 1\na: 2\n", "Zeile 2, Spalte 1: Schlüssel „a“ steht doppelt"),
        ("a: &x [1]\nb: *x\n", "Anker/Aliase"),
        ("a: !!python/object/apply:os.system ['echo boom']\n", "Unzulässiges YAML-Tag"),
        ("a:\n\tb: 1\n", "Tabulatorzeichen"),
        ("", "Datei ist leer"),
        ("- 1\n- 2\n", "Zuordnung „schlüssel: wert“"),
    ],
)
def test_yaml_refusals(tmp_path, body, expected):
    with pytest.raises(InputError, match=expected):
        load_yaml(write_params(tmp_path, body))


def test_yaml_bom_and_yaml12_scalars(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_bytes("\ufeffa: no\nb: on\nc: 012\nd: 1.5\ne: true\n".encode())
    assert load_yaml(path) == {"a": "no", "b": "on", "c": "012", "d": 1.5, "e": True}


def test_missing_parameter_file(tmp_path):
    with pytest.raises(InputError, match="Parameterdatei nicht gefunden"):
        load_settings(tmp_path / "gibtsnicht.yaml")


def test_slugify():
    assert slugify("Stadt Düsseldorf") == "stadt-duesseldorf"
    assert slugify("Gemeinde Straß/Süd") == "gemeinde-strass-sued"
    assert slugify("../../etc") == "etc"
    with pytest.raises(InputError, match="keine Buchstaben oder Ziffern"):
        slugify("../..")
