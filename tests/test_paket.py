"""The product is whole on its own: the wheel carries notebooks and reference data, and no
client-facing output of a run names a folder of the analyst's machine."""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from bs4 import BeautifulSoup
from openpyxl import load_workbook
from pypdf import PdfReader

from kdworkbook.cli import main
from kdworkbook.lauf import lauf

from .conftest import DEMO, ROOT


def _demo_copy(folder: Path) -> Path:
    shutil.copytree(DEMO.parent / "musterstadt", folder / "musterstadt")
    return Path(shutil.copy2(DEMO, folder / DEMO.name))


def _xlsx_values(path: Path) -> list[str]:
    book = load_workbook(path, read_only=True)
    return [
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]


def test_demo_outputs_name_no_folder_of_this_machine(tmp_path, capsys):
    """PDF text, HTML, every cell of every workbook and ergebnisse.json of a demo run.

    Not checked: the executed notebooks and ``lauf.json`` – the analyst's record of the run,
    which must name the input files where they are to repeat the run (``--wiederholen``).
    """
    out = tmp_path / "outputs"
    assert main(["run", str(DEMO), "--ausgabe", str(out)]) == 0
    capsys.readouterr()
    run = (out / "stadt-musterstadt" / "latest").resolve()
    pdf = "\n".join(page.extract_text() for page in PdfReader(run / "bericht.pdf").pages)
    html = (run / "bericht.html").read_text(encoding="utf-8")
    texts = {"bericht.pdf": pdf, "bericht.html": html}
    for book in sorted(run.glob("*.xlsx")):
        texts[book.name] = "\n".join(_xlsx_values(book))
    for result in sorted(run.glob("*.json")):
        if result.name != "lauf.json":
            texts[result.name] = result.read_text(encoding="utf-8")
    assert {"anhang.xlsx", "massnahmenplan.xlsx", "ergebnisse.json"} <= set(texts)
    checkout = str(ROOT.resolve())
    for name, text in texts.items():
        assert checkout not in text, f"{name} nennt den Projektordner {checkout}"
        assert "shared/reference" not in text, name

    # the Zuständigkeit chapter is filled from the shipped catalogue
    body = " ".join(BeautifulSoup(html, "html.parser").get_text(" ").split())
    assert (
        "Grundlage ist der LeiKa-Katalog: mitgelieferter LeiKa-Katalog der OZG-Datenbank NRW "
        "(„leika_leistungen_kdn2019.csv“ und „ozg_leistungen_kdn2019.csv“), Stand "
        "Oktober–Dezember 2019." in body
    )
    # 39 of the 185 demo processes are LeiKa-Typ 4 (counted as 4b) or 5 in the catalogue
    assert "39 von 185 Prozessen setzt die Kommune selbst um" in body
    assert "nicht vorhanden" not in body and "kein LeiKa-Katalog" not in body
    results = json.loads((run / "ergebnisse.json").read_text(encoding="utf-8"))
    rahmen = results["rahmenbedingungen"]
    assert (rahmen["katalog"], rahmen["kommune_setzt_um"], rahmen["zentral"]) == (True, 39, 146)


def _wheel(tmp_path: Path) -> Path:
    """Build the wheel from a copy of the sources (the checkout stays untouched)."""
    source = tmp_path / "quelle"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints")
    for folder in ("kdworkbook", "notebooks"):
        shutil.copytree(ROOT / folder, source / folder, ignore=ignore)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), "."],
        cwd=source,
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("kdworkbook-*.whl")
    return wheel


def test_wheel_alone_carries_notebooks_data_and_runs_check(tmp_path):
    wheel = _wheel(tmp_path)
    names = set(zipfile.ZipFile(wheel).namelist())
    # every module, subpackages too (pyproject.toml lists the packages explicitly)
    expected = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "kdworkbook").rglob("*.py")
        if "__pycache__" not in p.parts
    }
    expected |= {f"kdworkbook/notebooks/{p.name}" for p in (ROOT / "notebooks").glob("*.ipynb")}
    expected |= {f"kdworkbook/data/{p.name}" for p in (ROOT / "kdworkbook" / "data").glob("*")}
    expected |= {
        "kdworkbook/templates/bericht/bericht.css",
        "kdworkbook/templates/bericht/bericht.html.j2",
    }
    expected |= {
        "kdworkbook/data/referenz/README.md",
        "kdworkbook/data/referenz/leika_leistungen_kdn2019.csv",
        "kdworkbook/data/referenz/ozg_leistungen_kdn2019.csv",
        "kdworkbook/data/referenz/nrw_gemeinden_2019.csv",
    }
    expected.discard("kdworkbook/data/referenz")
    # the bpmn-js viewer with its licence and origin (drawing of the BPMN diagrams)
    expected |= {
        f"kdworkbook/data/bpmnjs/{n}"
        for n in ("bpmn-viewer.production.min.js", "LICENSE", "README.md")
    }
    expected.discard("kdworkbook/data/bpmnjs")
    assert expected - names == set()
    assert len([n for n in names if n.startswith("kdworkbook/notebooks/")]) == 9  # 00–07, workshop

    # installed on its own (dependencies from this environment), used outside the clone
    target = tmp_path / "installiert"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), wheel],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "anderswo"
    elsewhere.mkdir()
    params = _demo_copy(elsewhere)
    env = os.environ | {"PYTHONPATH": str(target)}
    where = subprocess.run(
        [
            sys.executable,
            "-c",
            "import kdworkbook, kdworkbook.kern.paket as p; print(kdworkbook.__file__); "
            "print(p.notebook_dir())",
        ],
        cwd=elsewhere,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    assert where == [
        str(target / "kdworkbook" / "__init__.py"),
        str(target / "kdworkbook" / "notebooks"),
    ]
    done = subprocess.run(
        [sys.executable, "-m", "kdworkbook", "check", params.name, "--json"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    rahmen = summary["rahmenbedingungen"]
    assert summary["bestand"]["prozesse"] == 185
    assert (rahmen["katalog_stand"], rahmen["kommune_setzt_um"]) == ("Oktober–Dezember 2019", 39)
    assert str(ROOT) not in done.stdout


def test_papermill_from_the_project_folder_without_parameters(tmp_path):
    """``papermill notebooks/02_bestandsaufnahme.ipynb out.ipynb`` needs no ``-p``: the
    default parameter file is found wherever papermill is started."""
    notebook = ROOT / "notebooks" / "02_bestandsaufnahme.ipynb"
    for cwd, path in ((ROOT, notebook.relative_to(ROOT)), (tmp_path, notebook)):
        out = tmp_path / f"aus-{cwd.name}.ipynb"
        subprocess.run(
            [sys.executable, "-m", "papermill", str(path), str(out), "--no-progress-bar"],
            cwd=cwd,
            check=True,
            capture_output=True,
        )
        assert lauf.read_results(out)["bestand"]["prozesse"] == 185
