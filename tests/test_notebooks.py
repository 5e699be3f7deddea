"""The step notebooks: committed clean, two declared parameters, executed for real."""

import json
from pathlib import Path

import nbformat
import papermill
import pytest

from kdworkbook.cli import main
from kdworkbook.lauf import lauf

from .conftest import DEMO, ROOT, execute_step

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs_and_thin(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, "Ausgaben entfernen"
            assert "def " not in cell.source and "class " not in cell.source
            assert "for " not in cell.source, "Schleifen gehören ins Paket"


@pytest.mark.parametrize("path", lauf.step_notebooks(), ids=lambda p: p.name)
def test_declared_parameters(path):
    # the parameter file, and the run's hand-over of what the check computed
    assert list(papermill.inspect_notebook(str(path))) == ["parameter_file", "vorberechnung"]


def test_bestandsaufnahme_executes_and_emits_key_figures(tmp_path, capsys):
    out, outputs = execute_step("02_bestandsaufnahme.ipynb", tmp_path)
    results = lauf.read_results(out)
    assert main(["check", str(DEMO), "--json"]) == 0
    checked = json.loads(capsys.readouterr().out)
    assert results["gemeinde"] == "Stadt Musterstadt"
    assert results["bestand"] == checked["bestand"]
    # figures of the demo survey, cross-checked with its generator's own sums
    assert results["bestand"]["prozesse"] == 185
    assert results["bestand"]["fachaemter"] == 11
    assert results["bestand"]["vorgaenge"] == 65074
    assert round(results["bestand"]["stunden"], 1) == 28757.2
    assert results["bestand"]["pareto_prozesse"] == 49
    # every visible cell produced something, none an error
    assert not [o for o in outputs if o.output_type == "error"]
    assert sum("image/svg+xml" in o.get("data", {}) for o in outputs) >= 4


def test_plain_papermill_cli_with_relative_path(tmp_path):
    """The issue's promise: papermill's own CLI works without ours, from the project root."""
    import subprocess
    import sys

    out = tmp_path / "out.ipynb"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "papermill",
            "notebooks/02_bestandsaufnahme.ipynb",
            str(out),
            "-p",
            "parameter_file",
            "parameters/musterstadt.yaml",
            "--no-progress-bar",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    assert lauf.read_results(Path(out))["bestand"]["prozesse"] == 185
