"""The anonymised extract (vergleich.json): size class, Kreis type, figures per 1.000
inhabitants – hand-computed on small tables – no name, AGS or path in any field, and its
collection into the Agentur's folder."""

import json
import os
import uuid
from pathlib import Path

import pandas as pd
import pytest

from kdworkbook.bestand.laden import load_bestand
from kdworkbook.cli import main
from kdworkbook.kern.errors import InputError
from kdworkbook.lauf import lauf
from kdworkbook.vergleich import ablage, auszug

from .conftest import DEMO, HEADER, SEED_ROWS, write_params, write_xlsx
from .test_cli import DEMO_RESULTS
from .test_lauf import _notebooks

DATA = pd.DataFrame(
    {
        "fachamt": ["Bauamt", "Bauamt", "Bürgerbüro Teststadt"],
        "jahresstunden": [100.0, 50.0, 30.0],
        "vorgaenge": [10, 30, 600],
    }
)
RESULTS = {
    "bestand": {"prozesse": 4, "stunden": 180.0, "vorgaenge": 640},
    "rahmenbedingungen": {
        "pflichten_status": {"erfüllt": 1, "offen": 1},
        "pflichten_ueberfaellig": 1,
        "pflichten": [
            {"paragraph": "OZG § 1a Abs. 1", "status": "offen", "fundstelle": "BGBl. I"},
            {"paragraph": "EGovG NRW § 3", "status": "erfüllt", "fundstelle": "GV. NRW."},
        ],
        "kommune_setzt_um": 1,
        "ozg_konform_anteil": 0.5,
    },
    "massnahmen": {"kennzahlen": {"quick_wins": 3, "einsparung_eur": 1000.0}},
}
DAY = pd.Timestamp("2026-11-28").date()


def _strings(value: object) -> list[str]:
    """Every key and every value of a JSON document, recursively, as text."""
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [str(k), *_strings(v)]]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return [str(value)]


def _assert_anonymous(document: dict, *forbidden: str) -> None:
    for text in _strings(document):
        folded = text.casefold()
        for word in forbidden:
            assert word.casefold() not in folded, (word, text)
        assert "/" not in text and "\\" not in text, text  # no file path


@pytest.mark.parametrize(
    ("einwohner", "klasse"),
    [
        (9_999, "unter 10.000"),
        (10_000, "10.000 bis unter 20.000"),
        (49_999, "20.000 bis unter 50.000"),
        (50_000, "50.000 bis unter 100.000"),
        (100_000, "100.000 und mehr"),
        (None, None),
    ],
)
def test_groessenklasse_bounds(einwohner, klasse):
    assert auszug.groessenklasse(einwohner) == klasse


def test_kreistyp_from_textkennzeichen():
    assert auszug.kreistyp("61") == "kreisfreie Stadt"
    assert auszug.kreistyp("63") == "kreisangehörig"
    assert auszug.kreistyp("64") == "kreisangehörig"
    assert auszug.kreistyp(None) is None


def test_bevoelkerung_parameter_file_first_then_register():
    # Münster: kreisfreie Stadt, 315.293 inhabitants on 31.12.2019
    assert auszug.bevoelkerung("05515000", None) == auszug.Bevoelkerung(
        315_293, auszug.QUELLE_REGISTER, "kreisfreie Stadt"
    )
    assert auszug.bevoelkerung("05515000", 320_000).einwohner == 320_000
    # Altena (Märkischer Kreis): kreisangehörig
    assert auszug.bevoelkerung("05962004", None).kreistyp == "kreisangehörig"
    assert auszug.bevoelkerung("05999001", None) == auszug.Bevoelkerung(None, None, None)


def test_extract_per_1000_inhabitants_by_hand():
    population = auszug.Bevoelkerung(2_000, auszug.QUELLE_PARAMETER, "kreisangehörig")
    extract = auszug.extract(DATA, RESULTS, population, DAY, "Stadt Teststadt")
    assert extract["groessenklasse"] == "unter 10.000"
    assert extract["stichtag"] == "2026-11-28"
    assert extract["nicht_berechenbar"] == []
    # 180 h / 2.000 × 1.000 = 90; 640 / 2.000 × 1.000 = 320
    assert extract["stunden_je_1000"] == 90.0
    assert extract["vorgaenge_je_1000"] == 320.0
    assert extract["fachaemter"] == [
        # Bauamt: (100 + 50) / 2 = 75 h, (10 + 30) / 2 = 20 Vorgänge per 1.000
        {"fachamt": "Bauamt", "stunden_je_1000": 75.0, "vorgaenge_je_1000": 20.0},
        # the survey's name holds the place name: neutral label, position 2
        {"fachamt": "Fachamt 2", "stunden_je_1000": 15.0, "vorgaenge_je_1000": 300.0},
    ]
    assert extract["pflichten"] == {"OZG § 1a Abs. 1": "offen", "EGovG NRW § 3": "erfüllt"}
    assert extract["pflichten_ueberfaellig"] == 1
    assert extract["anteil_reifegrad_ab_3"] == 0.5
    assert extract["anteil_kommune_setzt_um"] == 0.25  # 1 of 4 processes
    assert extract["quick_wins"] == 3
    assert extract["einsparung_eur_je_einwohner"] == 0.5  # 1.000 € / 2.000
    _assert_anonymous(extract, "Teststadt")


def test_extract_without_population_is_not_computable_never_zero():
    extract = auszug.extract(DATA, RESULTS, auszug.Bevoelkerung(None, None, None), DAY, "X")
    assert extract["groessenklasse"] is None
    for key in ("stunden_je_1000", "vorgaenge_je_1000", "einsparung_eur_je_einwohner"):
        assert extract[key] is None, key
    assert {f["stunden_je_1000"] for f in extract["fachaemter"]} == {None}
    assert extract["nicht_berechenbar"] == [auszug.OHNE_EINWOHNER, auszug.OHNE_KREISTYP]
    assert extract["quick_wins"] == 3  # not per inhabitant: still there


def test_demo_extract_names_neither_municipality_nor_ags():
    ba = load_bestand(DEMO)
    results = json.loads(DEMO_RESULTS.read_text(encoding="utf-8"))
    data = ba.data.assign(fachamt=ba.data["fachamt"].replace("Bauamt", "Bauamt Musterstadt"))
    s = ba.settings
    population = auszug.bevoelkerung(s.ags, s.einwohner)
    extract = auszug.extract(data, results, population, s.stichtag, s.gemeinde)
    _assert_anonymous(extract, "Musterstadt", "05999001", "5999001", "59999")
    assert extract["groessenklasse"] == "20.000 bis unter 50.000"  # 25.400 (Parameterdatei)
    # 28.757,18 h / 25.400 × 1.000 = 1.132,173
    assert extract["stunden_je_1000"] == 1132.173
    assert extract["quick_wins"] == 43  # with the citizen survey in the ranking
    assert extract["einsparung_eur_je_einwohner"] == 0.84  # 21.335,34 € / 25.400


def test_run_writes_extract_and_keeps_its_kennung(tmp_path):
    write_xlsx(tmp_path / "a.xlsx", HEADER, SEED_ROWS)
    params = write_params(
        tmp_path, 'gemeinde: Stadt Lauf\nags: "05515000"\nbestand: a.xlsx\nstichtag: 2026-11-28\n'
    )
    notebooks = _notebooks(tmp_path / "nb")
    first = lauf.run(params, tmp_path / "out", notebook_dir=notebooks)
    document = json.loads((first.run_dir / "vergleich.json").read_text(encoding="utf-8"))
    _assert_anonymous(document, "Lauf", "05515000", str(tmp_path))
    assert document["groessenklasse"] == "100.000 und mehr"  # Münster's 315.293
    assert document["kreistyp"] == "kreisfreie Stadt"
    assert document["einwohner_quelle"] == auszug.QUELLE_REGISTER
    uuid.UUID(document["kennung"])
    second = lauf.run(params, tmp_path / "out", notebook_dir=notebooks)
    again = json.loads((second.run_dir / "vergleich.json").read_text(encoding="utf-8"))
    assert again["kennung"] == document["kennung"]


def _run_folder(root: Path, slug: str, run: str, document: dict) -> None:
    folder = root / slug / run
    folder.mkdir(parents=True)
    (folder / "vergleich.json").write_text(json.dumps(document), encoding="utf-8")
    link = root / slug / "latest"
    if link.is_symlink():
        link.unlink()
    os.symlink(run, link)


def test_sammeln_takes_latest_run_and_names_file_by_kennung(tmp_path, capsys):
    out, ziel = tmp_path / "outputs", tmp_path / "agentur"
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    _run_folder(out, "stadt-a", "2026-01-01_000000", {"version": 1, "kennung": a, "quick_wins": 1})
    _run_folder(out, "stadt-a", "2026-02-01_000000", {"version": 1, "kennung": a, "quick_wins": 2})
    _run_folder(out, "gemeinde-b", "2026-01-01_000000", {"version": 1, "kennung": b})
    assert main(["vergleich-sammeln", str(ziel), "--ausgabe", str(out)]) == 0
    assert "2 Vergleichsauszüge" in capsys.readouterr().out
    assert sorted(p.name for p in ziel.iterdir()) == sorted([f"{a}.json", f"{b}.json"])
    assert json.loads((ziel / f"{a}.json").read_text(encoding="utf-8"))["quick_wins"] == 2
    assert [d.get("quick_wins") for d in ablage.read_folder(ziel)].count(2) == 1


def test_sammeln_refuses_broken_extract_naming_the_file(tmp_path, capsys):
    out = tmp_path / "outputs"
    _run_folder(out, "stadt-a", "2026-01-01_000000", {"version": 1, "kennung": "../x"})
    assert main(["vergleich-sammeln", str(tmp_path / "z"), "--ausgabe", str(out)]) == 2
    err = capsys.readouterr().err
    assert "stadt-a/latest/vergleich.json: Schlüssel „kennung“ fehlt" in err
    assert "Traceback" not in err
    (out / "stadt-a" / "latest" / "vergleich.json").write_text("{", encoding="utf-8")
    with pytest.raises(InputError, match="kein lesbarer Vergleichsauszug"):
        ablage.sammeln(out, tmp_path / "z")
