"""The runner: atomic run folders, failed runs kept, lauf.json, re-runs, batches, signals."""

import json
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest

from kdworkbook.bericht.browser import ReportError
from kdworkbook.cli import main
from kdworkbook.kern.errors import InputError
from kdworkbook.lauf import lauf, protokoll, stapel

from .conftest import (
    HEADER,
    ROOT,
    SEED_ROWS,
    chrome_descendants,
    descendants,
    write_params,
    write_xlsx,
)


def _notebooks(folder: Path, body: str = "print('ok')") -> Path:
    """A one-step notebook folder: the parameter cell, a heading, one code cell."""
    folder.mkdir()
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('parameter_file = ""')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        params,
        nbformat.v4.new_markdown_cell("# Testkapitel"),
        nbformat.v4.new_code_cell(body),
    ]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, folder / "01_test.ipynb")
    return folder


@pytest.fixture
def municipality(tmp_path):
    write_xlsx(tmp_path / "a.xlsx", HEADER, SEED_ROWS)
    return write_params(tmp_path, "gemeinde: Stadt Lauf\nbestand: a.xlsx\nstichtag: 2026-11-28\n")


def _entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_run_writes_complete_folder_with_provenance(tmp_path, municipality, capfd):
    result = lauf.run(municipality, tmp_path / "out", notebook_dir=_notebooks(tmp_path / "nb"))
    # the kernel's own messages (ipykernel's English warnings) stay off the terminal
    assert "IPKernelApp" not in capfd.readouterr().err
    assert not list(result.run_dir.glob("*.kernel.log"))
    slug_dir = tmp_path / "out" / "stadt-lauf"
    assert _entries(slug_dir) == sorted([result.run_dir.name, "latest"])
    record = json.loads((result.run_dir / "lauf.json").read_text(encoding="utf-8"))
    assert record["parameterdatei"] == str(municipality)
    files = {
        Path(e["datei"]).name: e["sha256"] for e in record["eingaben"] if e["art"] == "Eingabe"
    }
    assert set(files) == {"kommune.yaml", "a.xlsx"}
    shipped = {Path(e["datei"]).name for e in record["eingaben"] if e["art"] == "Paketdaten"}
    # the shipped catalogue is read too (no rahmen → leika_katalog in the file)
    assert {"leika_leistungen_kdn2019.csv", "ozg_leistungen_kdn2019.csv"} <= shipped
    assert files["a.xlsx"] == protokoll.sha256(tmp_path / "a.xlsx")
    assert {"pandas", "papermill", "nbconvert"} <= set(record["bibliotheken"])
    assert set(record["dauer_s"]) == {"01_test", "anhaenge", "bericht"}
    assert record["start"] <= record["ende"]


def test_failing_notebook_is_kept_under_fehlgeschlagen(tmp_path, municipality):
    notebooks = _notebooks(tmp_path / "nb", "raise ValueError('Absicht')")
    with pytest.raises(lauf.RunFailed) as info:
        lauf.run(municipality, tmp_path / "out", notebook_dir=notebooks)
    message = str(info.value)
    assert "Schritt „01_test“" in message and "ValueError: Absicht" in message
    slug_dir = tmp_path / "out" / "stadt-lauf"
    assert _entries(slug_dir) == ["fehlgeschlagen"]
    [failed] = (slug_dir / "fehlgeschlagen").iterdir()
    assert f"{failed / '01_test.ipynb'}" in message
    last = nbformat.read(failed / "01_test.ipynb", as_version=4).cells[-1]
    assert last.outputs[0].output_type == "error"
    assert chrome_descendants() == []  # Chromium, started early for the report, is closed


def test_two_runs_at_once_do_not_clobber(tmp_path, municipality):
    outcomes = stapel.run_many(
        [municipality, municipality],
        tmp_path / "out",
        jobs=2,
        show=lambda _line: None,
        notebook_dir=_notebooks(tmp_path / "nb"),  # the small test notebook, not the demo's
    )
    assert [o.code for o in outcomes] == [0, 0]
    runs = [p for p in (tmp_path / "out" / "stadt-lauf").iterdir() if p.name[0].isdigit()]
    assert len(runs) == 2 and all((r / "bericht.pdf").is_file() for r in runs)


def test_three_runs_in_one_process_with_relative_paths(tmp_path, municipality, monkeypatch):
    """papermill changes the working folder of the process that executes a notebook: the
    runner's own folder stays where it was, so relative paths keep working run after run."""
    notebooks = _notebooks(tmp_path / "nb")
    shutil.copy(notebooks / "01_test.ipynb", notebooks / "02_test.ipynb")  # two at a time
    monkeypatch.chdir(tmp_path)
    runs = [lauf.run("kommune.yaml", "out", notebook_dir=Path("nb")).run_dir for _ in range(3)]
    assert Path.cwd() == tmp_path
    assert len(set(runs)) == 3
    assert all((run / "bericht.pdf").is_file() for run in runs)
    assert all(run.parent == tmp_path / "out" / "stadt-lauf" for run in runs)


def test_parameter_names_are_checked_against_the_notebook(tmp_path):
    notebook = _notebooks(tmp_path / "nb") / "01_test.ipynb"
    assert lauf.checked_parameters(notebook, {"parameter_file": "x"}) == {"parameter_file": "x"}
    for hostile in ("x = 1\nimport os; os.system('touch /tmp/boom')\ny", "undeclared", "1abc"):
        with pytest.raises(InputError, match="nicht zulässig"):
            lauf.checked_parameters(notebook, {hostile: "1"})


def test_wiederholen_reports_changed_inputs(tmp_path, municipality, capsys):
    result = lauf.run(municipality, tmp_path / "out", notebook_dir=_notebooks(tmp_path / "nb"))
    assert protokoll.changed_inputs(protokoll.read(result.run_dir)) == []
    rows = [list(r) for r in SEED_ROWS]
    rows[0][3] = 301
    write_xlsx(tmp_path / "a.xlsx", HEADER, rows)
    assert main(["run", "--wiederholen", str(result.run_dir)]) == 2
    err = capsys.readouterr().err
    assert "Wiederholung nicht möglich" in err
    assert f"{tmp_path / 'a.xlsx'}: wurde seit dem Lauf geändert" in err


def test_wiederholen_of_a_folder_without_lauf_json(tmp_path, capsys):
    assert main(["run", "--wiederholen", str(tmp_path)]) == 2
    assert "lauf.json fehlt" in capsys.readouterr().err


def test_batch_one_bad_municipality_does_not_stop_the_others(tmp_path, municipality, capsys):
    bad = write_params(tmp_path, "gemeinde: Kaputt\nbestand: fehlt.xlsx\n", name="kaputt.yaml")
    out = tmp_path / "out"
    code = main(["run", str(bad), str(municipality), "-j", "2", "--ausgabe", str(out)])
    captured = capsys.readouterr()
    assert code == 2
    assert "Zusammenfassung" in captured.out
    assert "kaputt.yaml" in captured.out and "Eingabefehler" in captured.out
    assert "1 von 2 Läufen erfolgreich." in captured.out
    assert "Datei „fehlt.xlsx“ nicht gefunden" in captured.err
    assert (out / "stadt-lauf" / "latest" / "bericht.pdf").is_file()
    assert not (out / "kaputt").exists()


@pytest.mark.parametrize(
    "call, kernels",
    [
        ("lauf.run(m, out, notebook_dir=nb)", 1),
        ("stapel.run_many([m, m], out, jobs=2, notebook_dir=nb, show=lambda _line: None)", 2),
    ],
    ids=["ein Lauf", "Stapel -j 2"],
)
def test_sigterm_leaves_no_half_written_run_and_no_kernel(tmp_path, municipality, call, kernels):
    notebooks = _notebooks(tmp_path / "nb", "import time\ntime.sleep(120)")
    out = tmp_path / "out"
    code = (
        "from pathlib import Path; from kdworkbook.lauf import lauf, stapel; "
        f"m, out, nb = Path({str(municipality)!r}), Path({str(out)!r}), Path({str(notebooks)!r}); "
        + call
    )
    process = subprocess.Popen([sys.executable, "-c", code])
    deadline = time.monotonic() + 90
    while len(descendants("ipykernel", process.pid)) < kernels and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(2)  # the kernels are inside the sleeping cell now
    started = descendants("ipykernel", process.pid)
    assert len(started) == kernels, "nicht alle Kernel gestartet"
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) != 0
    assert _entries(out / "stadt-lauf") == []  # no .unfertig-… folder, no run
    time.sleep(1)
    assert not [pid for pid in started if _is_kernel(pid)]


def test_a_stopped_step_is_reaped_even_when_popen_is_left_locked():
    """Ctrl-C or SIGTERM inside ``Popen.poll()`` can leave Popen's internal lock taken (seen:
    a batch that never ended after SIGTERM, its step process a zombie). The runner must still
    reap the step instead of blocking for ever."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    stat = Path(f"/proc/{process.pid}/stat")
    while stat.read_text().split(") ")[1][0] != "Z":  # exited, not yet reaped
        time.sleep(0.05)
    process._waitpid_lock.acquire()  # as an interrupted poll() leaves it
    reaped = threading.Event()
    threading.Thread(target=lambda: (lauf._reap(process), reaped.set()), daemon=True).start()
    assert reaped.wait(60), "der beendete Schritt wurde nicht abgeholt"
    assert not stat.exists()


def _is_kernel(pid: int) -> bool:
    try:
        return b"ipykernel" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def test_summary_table_is_german():
    table = stapel.summary_table(
        [
            stapel.Outcome("a.yaml", 0, "/x/bericht.pdf", 12.25),
            stapel.Outcome("b.yaml", 2, "b.yaml: kaputt\nmehr", 0.5),
        ]
    )
    assert "a.yaml" in table and "ok" in table and "12,3 s" in table
    assert "Eingabefehler" in table and "→ b.yaml: kaputt" in table
    assert "1 von 2 Läufen erfolgreich." in table


@pytest.mark.parametrize(
    "slow_step, fine_step",
    [("03_langsam", "01_gut"), ("01_langsam", "03_gut")],  # slow step after / before the failure
)
def test_a_failing_step_is_reported_and_stops_the_others(
    tmp_path, municipality, slow_step, fine_step
):
    notebooks = _notebooks(tmp_path / "nb", "raise ValueError('Schritt zwei')")
    (notebooks / "01_test.ipynb").rename(notebooks / "02_kaputt.ipynb")
    slow = nbformat.read(notebooks / "02_kaputt.ipynb", as_version=4)
    marker = tmp_path / "langsam-fertig"
    slow.cells[2].source = f"import time\ntime.sleep(120)\nopen({str(marker)!r}, 'w').close()"
    nbformat.write(slow, notebooks / f"{slow_step}.ipynb")
    fine = nbformat.read(notebooks / "02_kaputt.ipynb", as_version=4)
    fine.cells[2].source = "print('ok')"
    nbformat.write(fine, notebooks / f"{fine_step}.ipynb")
    with pytest.raises(lauf.RunFailed) as info:
        lauf.run(municipality, tmp_path / "out", notebook_dir=notebooks, parallel=2)
    assert not marker.exists()  # the sleeping step was stopped, not awaited
    assert "Schritt „02_kaputt“" in str(info.value) and "ValueError: Schritt zwei" in str(
        info.value
    )
    assert _entries(tmp_path / "out" / "stadt-lauf") == ["fehlgeschlagen"]
    assert not descendants("ipykernel")


def test_a_dying_kernel_is_a_failed_step_with_its_messages_kept(tmp_path, municipality):
    body = "import os\nos.write(2, 'Speicher voll\\n'.encode())\nos._exit(3)"
    with pytest.raises(lauf.RunFailed) as info:
        lauf.run(municipality, tmp_path / "out", notebook_dir=_notebooks(tmp_path / "nb", body))
    message = str(info.value)
    assert "Schritt „01_test“: der Kernel" in message and "abgestürzt" in message
    [failed] = (tmp_path / "out" / "stadt-lauf" / "fehlgeschlagen").iterdir()
    assert f"Meldungen des Kernels: {failed / '01_test.kernel.log'}" in message
    assert "Speicher voll" in (failed / "01_test.kernel.log").read_text(encoding="utf-8")
    assert f"Teilweise ausgeführtes Notebook: {failed / '01_test.ipynb'}" in message
    kept = nbformat.read(failed / "01_test.ipynb", as_version=4)
    assert kept.cells[-1].source.endswith("os._exit(3)")


def test_missing_browser_fails_before_any_notebook_runs(tmp_path, municipality):
    notebooks = _notebooks(tmp_path / "nb", f"open({str(tmp_path / 'lief')!r}, 'w').close()")
    with pytest.raises(ReportError, match="„/nicht/da“ wurde nicht gefunden"):
        lauf.run(municipality, tmp_path / "out", notebook_dir=notebooks, browser="/nicht/da")
    assert not (tmp_path / "lief").exists()  # no kernel executed the step
    assert not (tmp_path / "out").exists() or _entries(tmp_path / "out" / "stadt-lauf") == []


def test_steps_start_longest_first(tmp_path):
    notebooks = [Path(f"0{i}_schritt.ipynb") for i in range(3)]
    slug_dir = tmp_path / "stadt"
    slug_dir.mkdir()
    assert lauf._execution_order(notebooks, slug_dir) == [2, 1, 0]  # no earlier run
    run_dir = slug_dir / "2026-11-28_120000"
    run_dir.mkdir()
    durations = {"00_schritt": 5.0, "01_schritt": 9.5, "02_schritt": 1.2, "bericht": 3.0}
    (run_dir / protokoll.FILE_NAME).write_text(json.dumps({"dauer_s": durations}))
    (slug_dir / "latest").symlink_to(run_dir.name)
    assert lauf._execution_order(notebooks, slug_dir) == [1, 0, 2]
    (run_dir / protokoll.FILE_NAME).write_text("{kaputt")
    assert lauf._execution_order(notebooks, slug_dir) == [2, 1, 0]


def test_a_first_run_starts_the_shipped_steps_in_their_measured_order(tmp_path):
    """No earlier run: the shipped steps in FIRST_RUN_ORDER, a notebook of one's own
    („08_eigenes“) before them."""
    shipped = sorted(p.name for p in (ROOT / "notebooks").glob("0*.ipynb"))
    notebooks = [Path(name) for name in [*shipped, "08_eigenes.ipynb"]]
    order = lauf._execution_order(notebooks, tmp_path)
    assert [notebooks[i].stem for i in order] == [
        "08_eigenes",
        "02_bestandsaufnahme",
        "05_vergleich",
        "04_musterprozess",
        "01_rahmenbedingungen",
        "03_massnahmenentwicklung",
        "06_buergerbefragung",
        "07_fortschreibung",
        "00_zusammenfassung",
    ]


def _steps(folder: Path, bodies: dict[str, str]) -> Path:
    """A notebook folder with one step per name → body (each as :func:`_notebooks` makes it)."""
    _notebooks(folder)
    template = nbformat.read(folder / "01_test.ipynb", as_version=4)
    (folder / "01_test.ipynb").unlink()
    for name, body in bodies.items():
        template.cells[2].source = body
        nbformat.write(template, folder / f"{name}.ipynb")
    return folder


def test_one_kernel_executes_the_steps_in_turn_with_a_fresh_namespace(tmp_path, municipality):
    """Two step processes per run, each with one kernel for several notebooks: the kernel is
    started once, but no variable, figure or execution count of a notebook reaches the next."""
    report_pid = "import os\nprint('Kernel', os.getpid())"
    notebooks = _steps(
        tmp_path / "nb",
        {
            "01_erster": f"{report_pid}\ngeheim = 1\nimport matplotlib.pyplot as plt\n"
            "plt.figure()\nprint('Abbildungen', len(plt.get_fignums()))",
            "02_zweiter": f"{report_pid}\nimport matplotlib.pyplot as plt\n"
            "print('Abbildungen', len(plt.get_fignums()))\nprint('geheim' in dir())",
            "03_dritter": report_pid,
        },
    )
    result = lauf.run(municipality, tmp_path / "out", notebook_dir=notebooks, parallel=1)
    printed, counts = [], []
    for executed in result.notebooks:
        nb = nbformat.read(executed, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        counts.append([c.execution_count for c in code])
        printed.append("".join(o.get("text", "") for o in code[-1].outputs).split("\n"))
    assert len({lines[0] for lines in printed}) == 1  # the same kernel (process) for all three
    assert printed[0][1:] == ["Abbildungen 1", ""]
    assert printed[1][1:] == ["Abbildungen 0", "False", ""]  # nothing of the first is left
    assert counts == [[1, 2, 3], [1, 2, 3], [1, 2, 3]]  # the injected parameters cell included
    assert not list(result.run_dir.glob(".*"))  # no log or end file of the step processes
    assert not descendants("ipykernel")


def test_a_name_left_by_an_earlier_step_is_not_found(tmp_path, municipality):
    """A notebook that relies on a variable of the step before fails in the run as it fails
    when opened on its own – the reused kernel does not hide the mistake."""
    notebooks = _steps(tmp_path / "nb", {"01_setzt": "geheim = 1", "02_liest": "print(geheim)"})
    with pytest.raises(lauf.RunFailed) as info:
        lauf.run(municipality, tmp_path / "out", notebook_dir=notebooks, parallel=1)
    assert "Schritt „02_liest“" in str(info.value) and "NameError" in str(info.value)
    assert not descendants("ipykernel")


def test_a_run_starts_two_kernels_for_seven_steps(tmp_path, municipality):
    """Seven steps, two at a time: two kernels, each started once (not one per step)."""
    notebooks = _steps(
        tmp_path / "nb", {f"0{i}_schritt": "import os\nprint(os.getpid())" for i in range(7)}
    )
    result = lauf.run(municipality, tmp_path / "out", notebook_dir=notebooks, parallel=2)
    kernels = set()
    for executed in result.notebooks:
        nb = nbformat.read(executed, as_version=4)
        kernels.add(nb.cells[-1].outputs[0]["text"].strip())
    assert len(kernels) == 2


def test_a_failing_appendix_fails_the_run_and_leaves_nothing(tmp_path, municipality, monkeypatch):
    """The appendices are written in a kernel of the run (:mod:`anhaenge`): a failure there
    is a failed run with a German message, no half-written folder, no kernel left."""
    from kdworkbook.lauf import anhaenge

    def failing(folder: Path, handed: Path, run_dir: Path, processes: int) -> list[Path]:
        parts = real(folder, handed, run_dir, processes)  # the presentation's notebook fails
        nb = nbformat.read(parts[0], as_version=4)
        nb.cells[0].source = "raise OSError(28, 'Kein Speicherplatz mehr')"
        nbformat.write(nb, parts[0])
        return parts

    real = anhaenge.notebooks
    monkeypatch.setattr(anhaenge, "notebooks", failing)
    with pytest.raises(lauf.RunFailed) as info:
        lauf.run(municipality, tmp_path / "out", notebook_dir=_notebooks(tmp_path / "nb"))
    assert str(info.value) == (
        "Präsentation (praesentation.pptx), Zelle 1: OSError: [Errno 28] Kein Speicherplatz mehr"
    )
    assert _entries(tmp_path / "out" / "stadt-lauf") == []
    assert not descendants("ipykernel")


def test_a_failed_check_stops_the_kernels_started_for_the_run(tmp_path, municipality):
    """The kernels boot while the inputs are checked; a check that fails stops them and
    removes their private folders – nothing of the run is left."""
    import os
    import tempfile

    from kdworkbook.lauf import aufraeumen

    (tmp_path / "a.xlsx").write_text("keine Excel-Datei", encoding="utf-8")
    with pytest.raises(InputError):
        lauf.run(municipality, tmp_path / "out", notebook_dir=_notebooks(tmp_path / "nb"))
    assert not descendants("ipykernel") and not descendants("kdworkbook.lauf.ausfuehren")
    mine = f"{aufraeumen.SOCKET_PREFIX}{os.getpid()}-"
    assert not list(Path(tempfile.gettempdir()).glob(f"{mine}*"))
    assert not (tmp_path / "out").exists()


def test_a_large_survey_keeps_the_presentation_in_the_runner(tmp_path, municipality, monkeypatch):
    """Beyond anhaenge.KERNEL_MAX_PROCESSES the runner writes the presentation itself (a
    kernel would hold a second copy of the survey); the files are the same."""
    from kdworkbook.lauf import anhaenge

    assert anhaenge.notebooks(tmp_path, tmp_path / "x", tmp_path, 50_001) == []
    assert len(anhaenge.notebooks(tmp_path, tmp_path / "x", tmp_path, 50_000)) == 1
    monkeypatch.setattr(anhaenge, "KERNEL_MAX_PROCESSES", 0)
    result = lauf.run(municipality, tmp_path / "out", notebook_dir=_notebooks(tmp_path / "nb"))
    assert {"praesentation.pptx", "anhang.xlsx"} <= {p.name for p in result.run_dir.iterdir()}
    assert set(result.durations) == {"01_test", "bericht"}
    assert not descendants("ipykernel")
