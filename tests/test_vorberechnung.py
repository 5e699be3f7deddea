"""A run computes the Maßnahmenplan (and all the check computes) once and hands it to the
step kernels; a notebook opened by hand computes it itself."""

import dataclasses
import json
import os
import textwrap

import nbformat
import pytest

from kdworkbook.bestand.laden import load_bestand
from kdworkbook.kern.errors import InputError
from kdworkbook.lauf import ausfuehren, lauf, schritte, vorberechnung
from kdworkbook.massnahmen import kapitel

from .conftest import HEADER, SEED_ROWS, write_params, write_xlsx

#: every Python process of the run started with this on its path counts its plans
_COUNTER = """
import os
if os.environ.get("KD_TEST_PLAENE"):
    from kdworkbook.massnahmen import kapitel

    compute = kapitel.compute_planung
    with open(os.environ["KD_TEST_PLAENE"] + ".prozesse", "a", encoding="utf-8") as log:
        log.write(f"{os.getpid()}\\n")

    def counted(ba):
        with open(os.environ["KD_TEST_PLAENE"], "a", encoding="utf-8") as log:
            log.write(f"{os.getpid()}\\n")
        return compute(ba)

    kapitel.compute_planung = counted
"""


@pytest.fixture
def municipality(tmp_path):
    write_xlsx(tmp_path / "a.xlsx", HEADER, SEED_ROWS)
    return write_params(tmp_path, "gemeinde: Stadt Plan\nbestand: a.xlsx\nstichtag: 2026-11-28\n")


def test_a_run_computes_the_plan_once_for_check_excel_and_every_kernel(
    tmp_path, municipality, monkeypatch
):
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(textwrap.dedent(_COUNTER), encoding="utf-8")
    log = tmp_path / "plaene.log"
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(hook), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("KD_TEST_PLAENE", str(log))
    calls = []
    compute = kapitel.compute_planung
    monkeypatch.setattr(kapitel, "compute_planung", lambda ba: calls.append(1) or compute(ba))

    result = lauf.run(municipality, tmp_path / "out")

    kernels = log.read_text(encoding="utf-8").split() if log.exists() else []
    # one plan in the runner (check, massnahmenplan.xlsx, lauf.json), none in any kernel
    assert (len(calls), kernels) == (1, [])
    watched = log.with_name("plaene.log.prozesse").read_text(encoding="utf-8").split()
    # watched: both step processes and their kernels (each kernel executes several notebooks)
    assert len(watched) >= 4
    assert (result.run_dir / "massnahmenplan.xlsx").is_file()
    assert not (result.run_dir / lauf.SNAPSHOT_DIR).exists()  # the hand-over is gone, too
    handed = 0
    for path in result.notebooks:
        nb = nbformat.read(path, as_version=4)
        assert nb.metadata["papermill"]["parameters"][vorberechnung.PARAMETER] is None
        injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
        handed += f"vorberechnung = None  {ausfuehren.HANDED_NOTE}" in injected[0].source
    assert handed == len(result.notebooks)
    assert {"00_zusammenfassung", "03_massnahmenentwicklung"} <= {p.stem for p in result.notebooks}
    # the summary and the chapter show the plan the run's check computed
    top = json.loads((result.run_dir / "ergebnisse.json").read_text(encoding="utf-8"))
    assert top["massnahmen"]["rangfolge"] == result.results["massnahmen"]["rangfolge"]


def test_the_handed_over_bestandsaufnahme_carries_plan_and_sections(
    tmp_path, municipality, monkeypatch
):
    ba = load_bestand(municipality)
    check = schritte.summary(ba)
    path = vorberechnung.write(tmp_path, ba, None)
    assert path.name == vorberechnung.DATEI

    def refuse(_ba):
        raise AssertionError("in a kernel the plan is read, not computed")

    monkeypatch.setattr(kapitel, "compute_planung", refuse)
    handed = vorberechnung.bestandsaufnahme(municipality, path)
    assert handed is not ba and handed.settings.gemeinde == "Stadt Plan"
    plan = kapitel.planung(handed)
    assert plan.kennzahlen == kapitel.planung(ba).kennzahlen
    assert list(plan.top["bezeichnung"]) == check["massnahmen"]["rangfolge"]
    step = next(s for s in schritte.STEPS if s.key == "rahmenbedingungen")
    assert schritte.section(handed, step) == check["rahmenbedingungen"]


def test_a_notebook_opened_by_hand_computes_itself(municipality):
    ba = vorberechnung.bestandsaufnahme(municipality, None)
    assert ba.derived == {}
    plan = kapitel.planung(ba)
    assert kapitel.planung(ba) is plan  # once per Bestandsaufnahme
    # a changed copy is a new Bestandsaufnahme: nothing derived is carried over
    assert dataclasses.replace(ba, ruecklauf=None).derived == {}


def test_a_missing_or_foreign_hand_over_is_named(tmp_path, municipality):
    with pytest.raises(InputError, match="fehlt.pickle: Übergabe des Laufs nicht lesbar"):
        vorberechnung.bestandsaufnahme(municipality, tmp_path / "fehlt.pickle")
    foreign = tmp_path / "fremd.pickle"
    foreign.write_bytes(b"\x80\x05K\x01.")  # pickle of the number 1
    with pytest.raises(InputError, match="keine Übergabe eines Laufs"):
        vorberechnung.bestandsaufnahme(municipality, foreign)


def test_the_hand_over_carries_the_files_the_check_read(tmp_path, monkeypatch):
    from kdworkbook.bestand import laden
    from kdworkbook.buergerbefragung import kapitel as befragung

    from .conftest import DEMO

    ba = load_bestand(DEMO)
    schritte.summary(ba)
    path = vorberechnung.write(tmp_path, ba, None)

    def refuse(*_args):
        raise AssertionError("in a kernel the check's reading is used, not read again")

    for module, name in [
        (laden.rahmen_laden, "load_catalogue"),
        (laden.rahmen_laden, "load_register"),
        (laden.rahmen_laden, "load_recommendations"),
        (laden.musterprozess_laden, "load_process"),
        (laden.buergerbefragung_dateien, "load_result"),
    ]:
        monkeypatch.setattr(module, name, refuse)
    handed = vorberechnung.bestandsaufnahme(DEMO, path)
    assert len(handed.pflichtenregister) == len(ba.pflichtenregister)
    assert handed.reife_empfehlungen == ba.reife_empfehlungen
    assert handed.katalog.name == ba.katalog.name
    assert [p.name for p in handed.musterprozesse] == [p.name for p in ba.musterprozesse]
    assert befragung.summary(handed) == check_section(ba, "buergerbefragung")
    monkeypatch.undo()
    # the citizen survey chapter ranks with and without the survey on the check's matching
    expected = befragung.load(ba)
    monkeypatch.setattr(laden.Bestandsaufnahme, "once", _only_handed)
    got = befragung.load(handed)
    assert got.vorher.equals(expected.vorher) and got.nachher.equals(expected.nachher)


def check_section(ba, key):
    return schritte.section(ba, next(s for s in schritte.STEPS if s.key == key))


def _only_handed(self, key, compute):
    assert key in self.derived, f"„{key}“ would be computed again in the kernel"
    return self.derived[key]
