"""Hostile and broken input through the CLI: German message, exit code 2, outputs unchanged."""

import zipfile
from pathlib import Path

import pytest

from kdworkbook.cli import main
from kdworkbook.lauf import lauf

from .conftest import HEADER, SEED_ROWS, write_xlsx

SURVEY = "bestand: a.xlsx\n"

YAML_CASES = {
    "aliase": (
        'a: &a ["x","x"]\nb: &b [*a,*a]\nc: &c [*b,*b]\ngemeinde: X\n' + SURVEY,
        "Anker/Aliase",
    ),
    "objekt-tag": (
        "gemeinde: !!python/object/apply:os.system ['touch /tmp/kdw-boom']\n" + SURVEY,
        "Unzulässiges YAML-Tag",
    ),
    "doppelter-schluessel": ("gemeinde: X\ngemeinde: Y\n" + SURVEY, "„gemeinde“ steht doppelt"),
    "tabulator": ("gemeinde: X\nbestand:\n\t- a.xlsx\n", "Tabulatorzeichen"),
    "leer": ("", "Datei ist leer"),
    "nur-kommentar": ("# nichts\n", "Datei ist leer"),
    "liste": ("- gemeinde\n", "Zuordnung"),
    "leerer-ordnername": ("gemeinde: '../..'\n" + SURVEY, "keine Buchstaben oder Ziffern"),
    "unbekannter-schluessel": ("gemeinde: X\n" + SURVEY + "gemiende: Y\n", "„gemiende“"),
    "ags-als-zahl": ("gemeinde: X\n" + SURVEY + "ags: 5315000\n", 'ags: "05315000"'),
}


def _survey_files(folder: Path) -> dict[str, tuple[Path, str]]:
    """Broken survey files, each with the message it must produce."""
    cases = {}
    (folder / "leer.csv").write_bytes(b"")
    cases["leere-datei"] = (folder / "leer.csv", "Datei ist leer")
    (folder / "binaer.csv").write_bytes(bytes(range(256)) * 4)
    cases["binaerdatei"] = (folder / "binaer.csv", "keine Textdatei")
    (folder / "bericht.xlsx").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    cases["umbenanntes-pdf"] = (folder / "bericht.xlsx", "keine lesbare Excel-Datei")
    path = write_xlsx(folder / "ohne_blatt.xlsx", HEADER, SEED_ROWS[:1])
    with zipfile.ZipFile(path) as source:
        parts = {n: source.read(n) for n in source.namelist()}
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
        parts["xl/workbook.xml"][
            parts["xl/workbook.xml"].index(b"<sheets>") : parts["xl/workbook.xml"].index(
                b"</sheets>"
            )
            + 9
        ],
        b"<sheets/>",
    )
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)
    cases["xlsx-ohne-blatt"] = (path, "ohne_blatt.xlsx")
    big = folder / "million.csv"
    with big.open("wb") as handle:
        handle.write(";".join(HEADER).encode() + b"\r\n")
        handle.write(b"P;A;Prozess;1;1;1;1;0\r\n" * 1_000_000)
    cases["eine-million-zeilen"] = (big, "mehr als 250.000 Zeilen")
    return cases


def _tree(folder: Path) -> list[tuple[str, int]]:
    return sorted((str(p.relative_to(folder)), p.stat().st_size) for p in folder.rglob("*"))


@pytest.fixture
def outputs(tmp_path):
    out = tmp_path / "outputs"
    earlier = out / "x" / "2026-01-01_000000"
    earlier.mkdir(parents=True)
    (earlier / "bericht.pdf").write_bytes(b"frueherer Bericht")
    return out


@pytest.mark.parametrize("case", sorted(YAML_CASES))
def test_hostile_parameter_files(case, tmp_path, outputs, capsys):
    body, expected = YAML_CASES[case]
    write_xlsx(tmp_path / "a.xlsx", HEADER, SEED_ROWS)
    params = tmp_path / "p.yaml"
    params.write_text(body, encoding="utf-8")
    before = _tree(outputs)
    assert main(["run", str(params), "--ausgabe", str(outputs)]) == 2
    err = capsys.readouterr().err
    assert expected in err and "Fehler in der Eingabe" in err
    assert "Traceback" not in err
    assert _tree(outputs) == before
    assert not Path("/tmp/kdw-boom").exists()


def test_hostile_survey_files(tmp_path, outputs, capsys):
    for case, (path, expected) in _survey_files(tmp_path).items():
        params = tmp_path / f"{case}.yaml"
        params.write_text(f"gemeinde: X\nbestand: {path.name}\n", encoding="utf-8")
        before = _tree(outputs)
        assert main(["run", str(params), "--ausgabe", str(outputs)]) == 2, case
        err = capsys.readouterr().err
        assert expected in err, (case, err)
        assert "Traceback" not in err, case
        assert _tree(outputs) == before, case


def test_slug_cannot_leave_the_output_folder(tmp_path):
    write_xlsx(tmp_path / "a.xlsx", HEADER, SEED_ROWS)
    params = tmp_path / "p.yaml"
    params.write_text("gemeinde: ../../etc\nbestand: a.xlsx\n", encoding="utf-8")
    notebooks = tmp_path / "nb"
    notebooks.mkdir()
    import nbformat

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell('parameter_file = ""')
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, nbformat.v4.new_markdown_cell("# Kapitel")]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, notebooks / "01_x.ipynb")
    result = lauf.run(params, tmp_path / "out", notebook_dir=notebooks)
    assert result.run_dir.parent == tmp_path / "out" / "etc"
