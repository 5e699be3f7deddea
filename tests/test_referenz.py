"""Shipped reference data (kdworkbook/data/referenz), ``kdworkbook new --ags`` and the
German command line."""

import csv
import subprocess
import sys

import pytest

from kdworkbook.cli import main
from kdworkbook.kern import referenz
from kdworkbook.kern.parameter import load_settings

from .conftest import ROOT


@pytest.mark.parametrize(
    ("name", "rows"),
    [
        (referenz.LEIKA_DATEI, 5251),
        (referenz.OZG_DATEI, 557),
        (referenz.GEMEINDEN_DATEI, 396),
    ],
)
def test_shipped_files_and_their_row_counts(name, rows):
    with referenz.path(name).open(encoding="utf-8", newline="") as handle:
        assert sum(1 for _ in csv.DictReader(handle)) == rows
    # the provenance README names the same counts
    readme = (referenz.path(name).parent / "README.md").read_text(encoding="utf-8")
    assert f"`{name}` | {rows:,}".replace(",", ".") in readme


def test_register_lookup():
    assert len(referenz.gemeinden()) == 396
    assert sum(g.einwohner for g in referenz.gemeinden()) == 17947221
    koeln = referenz.gemeinde("05315000")
    assert (koeln.name, koeln.anzeigename, koeln.einwohner) == (
        "Köln, Stadt",
        "Stadt Köln",
        1087863,
    )
    assert referenz.gemeinde("05558004").anzeigename == "Gemeinde Ascheberg"
    assert referenz.gemeinde("05999001") is None  # the fictional demo municipality


def test_search_ignores_case_umlauts_and_stadt():
    assert [g.ags for g in referenz.suchen("Müns")] == ["05515000", "05366004", "05762024"]
    assert [g.ags for g in referenz.suchen("muens")] == ["05515000", "05366004", "05762024"]
    assert [g.name for g in referenz.suchen("Stadt Köln")] == ["Köln, Stadt"]
    assert [g.name for g in referenz.suchen("Münstr")][:1] == ["Münster, Stadt"]  # typo
    assert referenz.suchen("Xyzzy") == []


def test_new_with_ags_only_takes_name_kreis_and_population(tmp_path, capsys):
    target = tmp_path / "muenster.yaml"
    assert main(["new", "--ags", "05515000", "--ziel", str(target)]) == 0
    text = target.read_text(encoding="utf-8")
    assert "Gemeindeverzeichnis NRW (Destatis, Stand 31.12.2019): Münster, Stadt" in text
    (tmp_path / "stadt-muenster").mkdir()
    (tmp_path / "stadt-muenster" / "bestand.xlsx").write_bytes(b"")  # only has to exist
    s = load_settings(target, survey_must_exist=False)
    assert (s.gemeinde, s.ags, s.kreis, s.plz, s.einwohner) == (
        "Stadt Münster",
        "05515000",
        "Münster, Stadt",
        "48127",
        315293,
    )


def test_new_without_ags_or_name_default_target(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["new", "--ags", "05558004"]) == 0
    assert (tmp_path / "parameters" / "gemeinde-ascheberg.yaml").is_file()
    assert main(["new"]) == 2
    assert "Bitte den Namen der Kommune oder --ags angeben" in capsys.readouterr().err


def test_unknown_ags_refused_with_nearest_names(tmp_path, capsys):
    target = tmp_path / "x.yaml"
    assert main(["new", "Münsterr", "--ags", "05515001", "--ziel", str(target)]) == 2
    err = capsys.readouterr().err
    assert "--ags: 05515001 steht nicht im Gemeindeverzeichnis NRW" in err
    # the similar name first, then the AGS neighbours: 0551… shared, 05513000 is 2.001 away,
    # 05512000 3.001
    assert (
        "Am nächsten liegen: Münster, Stadt (05515000, Münster, Stadt); Gelsenkirchen, Stadt "
        "(05513000, Gelsenkirchen, Stadt); Bottrop, Stadt (05512000, Bottrop, Stadt);" in err
    )
    assert not target.exists()


def test_gemeinde_suchen_lists_matches(capsys):
    assert main(["new", "--gemeinde-suchen", "Müns"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Gemeinden zu „Müns“ (Gemeindeverzeichnis NRW, Stand 31.12.2019):"
    assert out[2].split() == ["05515000", "Münster,", "Stadt", "Münster,", "Stadt", "315.293"]
    assert out[-1] == "Anlegen mit: kdworkbook new --ags 05515000"
    assert main(["new", "--gemeinde-suchen", "Xyzzy"]) == 2
    assert "keine Gemeinde zu „Xyzzy“" in capsys.readouterr().err


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kdworkbook", *args], capture_output=True, text=True, cwd=ROOT
    )


def test_help_is_german_and_ends_with_examples():
    for command in ("new", "check", "run", "umfrage", "umfrage-einlesen", "workshop"):
        done = _cli(command, "--help")
        assert done.returncode == 0
        assert done.stdout.startswith(f"Aufruf: kdworkbook {command} ")
        assert "Optionen:" in done.stdout and "diese Hilfe zeigen und beenden" in done.stdout
        assert done.stdout.rstrip().splitlines()[-3] == "Beispiele:"
        for english in ("usage:", "positional arguments", "options:", "show this help"):
            assert english not in done.stdout
    assert _cli("--version").stdout == "kdworkbook 0.1.0\n"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["check"], "Aufruf fehlerhaft: diese Angaben fehlen: parameter"),
        (["frob"], "Aufruf fehlerhaft: BEFEHL: 'frob' ist keine gültige Auswahl (möglich: 'new',"),
        (["run", "-j", "x"], "Aufruf fehlerhaft: -j/--jobs: „x“ ist keine ganze Zahl"),
        (["check", "a.yaml", "--bunt"], "Aufruf fehlerhaft: unbekannte Angaben: --bunt"),
    ],
)
def test_usage_errors_are_german(args, expected):
    done = _cli(*args)
    assert done.returncode == 2 and expected in done.stderr
    assert done.stderr.startswith("Aufruf: kdworkbook")
    assert "required" not in done.stderr and "invalid choice" not in done.stderr


def test_help_imports_no_heavy_package():
    """--help and --version answer at once because the commands import their code lazily."""
    code = (
        "import sys\nfrom kdworkbook.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('pandas', 'papermill', 'nbformat', 'pydantic', 'matplotlib')"
        " if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"
