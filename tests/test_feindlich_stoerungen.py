"""Faults during a run: inputs replaced mid-run, signals in the report step, leftovers of
killed runs, errors of the operating system (read-only, full disk, a folder named latest),
and the manifest every re-run is checked against."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
from openpyxl import load_workbook

from kdworkbook.cli import main
from kdworkbook.kern import momentaufnahme
from kdworkbook.lauf import aufraeumen, lauf, protokoll, stapel

from .conftest import HEADER, ROOT, SEED_ROWS, chrome_descendants, descendants, write_xlsx

#: the 16 seed rows hold 800 Vorgänge (300 + 70 + 40 + 200 + 53 + 23 + 20 + 1 + 30 + 7 + 9
#: + 4 + 6 + 23 + 10 + 4); the replacement file turns the first 300 into 10.300 → 10.800
SEED_VORGAENGE = 800
SWAPPED_VORGAENGE = 10_800


def step_notebooks(folder: Path, body: str) -> Path:
    """One step notebook: parameter cell, a heading, *body*, and a cell tagged ``ergebnisse``
    that emits the dict ``ergebnis`` the body filled."""
    folder.mkdir()
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('parameter_file = ""')
    params.metadata["tags"] = ["parameters"]
    results = nbformat.v4.new_code_cell(
        "from IPython.display import display\ndisplay({'application/json': ergebnis}, raw=True)"
    )
    results.metadata["tags"] = ["ergebnisse"]
    nb.cells = [
        params,
        nbformat.v4.new_markdown_cell("# Testkapitel"),
        nbformat.v4.new_code_cell("ergebnis = {}\n" + body),
        results,
    ]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, folder / "01_test.ipynb")
    return folder


READ_SURVEY = (
    "from kdworkbook.bestand.laden import load_bestand\n"
    "ba = load_bestand(parameter_file)\n"
    "ergebnis['vorgaenge'] = int(ba.data['vorgaenge'].sum())\n"
    "ergebnis['stichtag'] = ba.settings.stichtag.isoformat()\n"
    "print(f\"Vorgänge gesamt: {ergebnis['vorgaenge']}\")\n"
)


def _params(folder: Path, extra: str = "stichtag: 2026-11-28\n") -> Path:
    write_xlsx(folder / "a.xlsx", HEADER, SEED_ROWS)
    path = folder / "kommune.yaml"
    path.write_text(f"gemeinde: Stadt Fehler\nbestand: a.xlsx\n{extra}", encoding="utf-8")
    return path


def _entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# ------------------------------------------------------------------ inputs replaced mid-run


def test_a_survey_replaced_mid_run_does_not_reach_any_output(tmp_path):
    params = _params(tmp_path)
    original = protokoll.sha256(tmp_path / "a.xlsx")
    started, go = tmp_path / "gestartet", tmp_path / "weiter"
    body = (
        "import pathlib, time\n"
        f"pathlib.Path({str(started)!r}).touch()\n"
        f"while not pathlib.Path({str(go)!r}).exists():\n"
        "    time.sleep(0.1)\n" + READ_SURVEY
    )
    notebooks = step_notebooks(tmp_path / "nb", body)
    outcome: dict = {}

    def target() -> None:
        outcome["result"] = lauf.run(
            params, tmp_path / "out", notebook_dir=notebooks, overlap=False
        )

    runner = threading.Thread(target=target)
    runner.start()
    deadline = time.monotonic() + 120
    while not started.exists() and runner.is_alive() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert started.exists(), "der Schritt hat nicht begonnen"
    rows = [list(r) for r in SEED_ROWS]
    rows[0][3] = 10_300
    write_xlsx(tmp_path / "neu.xlsx", HEADER, rows)
    os.replace(tmp_path / "neu.xlsx", tmp_path / "a.xlsx")  # as a sync client replaces a file
    go.touch()
    runner.join(timeout=300)
    result = outcome["result"]
    assert result.results["vorgaenge"] == SEED_VORGAENGE  # the step read the original bytes
    assert "Vorgänge gesamt: 800" in result.html.read_text(encoding="utf-8")
    book = load_workbook(result.appendix, read_only=True)
    sheet = next(ws for ws in book.worksheets if "Vorgänge pro Jahr" in next(ws.values))
    header = next(sheet.values)
    column = header.index("Vorgänge pro Jahr")
    assert sum(row[column] or 0 for row in list(sheet.values)[1:]) == SEED_VORGAENGE
    record = json.loads((result.run_dir / "lauf.json").read_text(encoding="utf-8"))
    hashes = {Path(e["datei"]).name: e["sha256"] for e in record["eingaben"]}
    assert hashes["a.xlsx"] == original != protokoll.sha256(tmp_path / "a.xlsx")
    assert record["ergebnisse"]["vorgaenge"] == SEED_VORGAENGE
    assert ".eingaben" not in _entries(result.run_dir)  # the copies are gone with the run
    # the executed notebook names the analyst's file, not the copy the kernel read
    injected = nbformat.read(result.notebooks[0], as_version=4).cells[1]
    assert f'parameter_file = "{params}"' in injected.source


def test_inputs_behind_a_symbolic_link_and_absolute_paths_come_from_the_snapshot(tmp_path):
    """A survey folder linked from elsewhere and a survey named by its absolute path: the
    step reads the copies (the originals are replaced while it runs)."""
    elsewhere = tmp_path / "netzlaufwerk"
    elsewhere.mkdir()
    write_xlsx(elsewhere / "a.xlsx", HEADER, SEED_ROWS)
    write_xlsx(tmp_path / "b.xlsx", HEADER, SEED_ROWS[:2])  # 300 + 70 Vorgänge
    folder = tmp_path / "kommune"
    folder.mkdir()
    (folder / "daten").symlink_to(elsewhere)
    params = folder / "kommune.yaml"
    params.write_text(
        "gemeinde: Stadt Fehler\nbestand:\n  - datei: daten/a.xlsx\n    fachamt: A\n"
        f"  - datei: {tmp_path / 'b.xlsx'}\n    fachamt: B\n",
        encoding="utf-8",
    )
    started, go = tmp_path / "gestartet", tmp_path / "weiter"
    body = (
        "import pathlib, time\n"
        f"pathlib.Path({str(started)!r}).touch()\n"
        f"while not pathlib.Path({str(go)!r}).exists():\n"
        "    time.sleep(0.1)\n" + READ_SURVEY
    )
    notebooks = step_notebooks(tmp_path / "nb", body)
    outcome: dict = {}
    runner = threading.Thread(
        target=lambda: outcome.update(r=lauf.run(params, tmp_path / "out", notebook_dir=notebooks))
    )
    runner.start()
    try:
        deadline = time.monotonic() + 120
        while not started.exists() and runner.is_alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert started.exists(), "der Schritt hat nicht begonnen"
        write_xlsx(tmp_path / "neu.xlsx", HEADER, SEED_ROWS[:1])
        shutil.copy(tmp_path / "neu.xlsx", elsewhere / "a.xlsx")
        shutil.copy(tmp_path / "neu.xlsx", tmp_path / "b.xlsx")
    finally:
        go.touch()
        runner.join(timeout=300)
    assert outcome["r"].results["vorgaenge"] == SEED_VORGAENGE + 370


def test_a_file_changed_between_check_and_copy_is_noticed(tmp_path):
    params = _params(tmp_path)
    with momentaufnahme.recording() as read:
        (tmp_path / "a.xlsx").read_bytes()
        params.read_bytes()
    write_xlsx(tmp_path / "a.xlsx", HEADER, SEED_ROWS[:3])
    snapshot = momentaufnahme.take(
        tmp_path / "kopie", params, read, [], dt.date(2026, 11, 28), True
    )
    assert snapshot.changed == [(tmp_path / "a.xlsx").resolve()]
    copy = snapshot.copies[(tmp_path / "a.xlsx").resolve()]
    assert copy.read_bytes() == (tmp_path / "a.xlsx").read_bytes()


# ------------------------------------------------------------------ manifest and --wiederholen


def _demo_copy(folder: Path) -> Path:
    """The demo municipality in *folder* (without the shared catalogues: optional there)."""
    shutil.copytree(ROOT / "parameters" / "musterstadt", folder / "musterstadt")
    params = folder / "musterstadt.yaml"
    shutil.copy(ROOT / "parameters" / "musterstadt.yaml", params)
    return params


def test_lauf_json_lists_every_file_read_and_wiederholen_names_the_bpmn(tmp_path, capsys):
    params = _demo_copy(tmp_path)
    body = "from kdworkbook.lauf import schritte\n" + READ_SURVEY + "schritte.summary(ba)\n"
    notebooks = step_notebooks(tmp_path / "nb", body)
    result = lauf.run(params, tmp_path / "out", notebook_dir=notebooks)
    record = json.loads((result.run_dir / "lauf.json").read_text(encoding="utf-8"))
    kinds = {Path(e["datei"]).name: e["art"] for e in record["eingaben"]}
    for name in (
        "musterstadt.yaml",
        "bestand_buergerbuero.xlsx",
        "bestand_standesamt.csv",
        "bestand_fachaemter.xlsx",
        "hundesteuer_ist.yaml",
        "hundesteuer_soll.yaml",
        "hundesteuer_soll.bpmn",  # named only inside hundesteuer_soll.yaml
    ):
        assert kinds[name] == "Eingabe", name
    for name in ("pflichten.yaml", "massnahmen.yaml", "empfehlungen.yaml", "bausteine.yaml"):
        assert kinds[name] == "Paketdaten", name
    bpmn = tmp_path / "musterstadt" / "hundesteuer_soll.bpmn"
    text = bpmn.read_text(encoding="utf-8")
    old = '<camunda:property name="minuten" value="10" />'
    assert old in text
    bpmn.write_text(text.replace(old, old.replace('"10"', '"12"'), 1), encoding="utf-8")
    assert main(["run", "--wiederholen", str(result.run_dir)]) == 2
    err = capsys.readouterr().err
    assert f"{bpmn}: wurde seit dem Lauf geändert" in err
    assert "musterstadt.yaml: wurde" not in err  # only what changed is named


def test_wiederholen_names_a_new_file_in_a_survey_folder(tmp_path):
    folder = tmp_path / "ordner"
    folder.mkdir()
    write_xlsx(folder / "a.xlsx", HEADER, SEED_ROWS)
    params = tmp_path / "kommune.yaml"
    params.write_text("gemeinde: Stadt Fehler\nbestand: ordner\n", encoding="utf-8")
    result = lauf.run(params, tmp_path / "out", notebook_dir=step_notebooks(tmp_path / "nb", ""))
    write_xlsx(folder / "b.xlsx", HEADER, SEED_ROWS[:2])
    changes = protokoll.changed_inputs(protokoll.read(result.run_dir))
    assert changes == [f"{folder / 'b.xlsx'}: ist seit dem Lauf neu hinzugekommen."]


def test_a_run_without_stichtag_records_it_and_wiederholen_uses_it(tmp_path):
    params = _params(tmp_path, extra="")
    notebooks = step_notebooks(tmp_path / "nb", READ_SURVEY)
    first = lauf.run(params, tmp_path / "out", notebook_dir=notebooks)
    record = json.loads((first.run_dir / "lauf.json").read_text(encoding="utf-8"))
    assert record["stichtag"] == first.results["stichtag"] == dt.date.today().isoformat()
    assert record["stichtag_aus_parameterdatei"] is False
    # as if the first run had been made on 15.01.2026
    record["stichtag"] = "2026-01-15"
    (first.run_dir / "lauf.json").write_text(json.dumps(record), encoding="utf-8")
    again = lauf.run_again(first.run_dir, notebook_dir=notebooks)
    assert again.results["stichtag"] == "2026-01-15"  # what the kernel saw
    repeated = json.loads((again.run_dir / "lauf.json").read_text(encoding="utf-8"))
    assert repeated["stichtag"] == "2026-01-15"
    assert repeated["stichtag_aus_parameterdatei"] is False


# ------------------------------------------------------------------ signals and leftovers

#: ``kdworkbook run`` with other step notebooks: the CLI's own steps around the batch runner
_DRIVER = """
import sys
from pathlib import Path
from kdworkbook import cli
from kdworkbook.lauf import stapel
try:
    outcomes = stapel.run_many([Path(sys.argv[1])], Path(sys.argv[2]),
                               notebook_dir=Path(sys.argv[3]), show=lambda l: print(l, flush=True))
    sys.exit(cli.report_outcomes(outcomes))
except KeyboardInterrupt:
    sys.exit(cli.interrupted())
"""


def _driver(params: Path, out: Path, notebooks: Path, **kwargs) -> subprocess.Popen:
    """``kdworkbook run`` with the given step notebooks, as its own process."""
    return subprocess.Popen(
        [sys.executable, "-c", _DRIVER, str(params), str(out), str(notebooks)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def test_sigterm_in_the_report_step_stops_chromium_and_leaves_nothing(tmp_path):
    """The step shows a 40.000-row table: converting it into the report's HTML and
    printing it take minutes. SIGTERM then ends the run at once: no .unfertig-… folder, no
    Chromium left running (before: the run waited for the conversion and both prints)."""
    params = _params(tmp_path)
    body = (
        "from IPython.display import HTML, display\n"
        "rows = ''.join(f'<tr><td>{i}</td><td>Zeile {i}</td></tr>' for i in range(40_000))\n"
        "display(HTML(f'<table>{rows}</table>'))\n"
    )
    process = _driver(params, tmp_path / "out", step_notebooks(tmp_path / "nb", body))
    lines = []
    for line in process.stdout:  # wait for the report step
        lines.append(line)
        if "Bericht (HTML, PDF" in line:
            break
    deadline = time.monotonic() + 60
    while not descendants("chrom", process.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(2)  # Chromium is printing now
    assert descendants("chrom", process.pid), "Chromium druckt nicht"
    process.send_signal(signal.SIGTERM)
    code = process.wait(timeout=60)
    err = process.stderr.read()
    assert code == 130, err
    assert "Abgebrochen" in err and "Traceback" not in err
    assert _entries(tmp_path / "out" / "stadt-fehler") == []
    assert chrome_descendants() == []


def test_leftovers_of_a_killed_run_are_removed_on_the_next_start(tmp_path, monkeypatch):
    """Both runs keep their kernels' socket folders in a temp folder of their own: in the
    shared one, any other run starting on the machine in between (another test session)
    removes the killed run's folder first – rightly, its process is gone – and this run
    would have nothing left to clean up and say. A short path: Unix socket paths are
    limited to about 100 characters."""
    private = Path(aufraeumen.tempfile.mkdtemp(prefix="kdtest-"))
    monkeypatch.setattr(aufraeumen.tempfile, "tempdir", str(private))
    try:
        _leftovers_are_removed(tmp_path, private)
    finally:
        shutil.rmtree(private, ignore_errors=True)


def _leftovers_are_removed(tmp_path: Path, private: Path) -> None:
    params = _params(tmp_path)
    sleeping = step_notebooks(tmp_path / "nb", "import time\ntime.sleep(300)")
    out = tmp_path / "out"
    process = _driver(params, out, sleeping, env={**os.environ, "TMPDIR": str(private)})
    deadline = time.monotonic() + 90

    def stepping() -> bool:  # the kernels boot during the check: wait for the run folder, too
        folder = out / "stadt-fehler"
        return (
            bool(descendants("ipykernel", process.pid))
            and folder.is_dir()
            and any(folder.iterdir())
        )

    while not stepping() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert stepping(), "kein Kernel gestartet"
    process.kill()  # kill -9: no clean-up at all
    process.wait()
    [unfinished] = [p for p in (out / "stadt-fehler").iterdir()]
    assert unfinished.name.startswith(".unfertig-")
    sockets = list(private.glob(f"kdw-{process.pid}-*"))
    assert sockets, "kein Verbindungsordner des Kernels"
    lines: list[str] = []
    [outcome] = stapel.run_many(
        [params], out, notebook_dir=step_notebooks(tmp_path / "nb2", ""), show=lines.append
    )
    assert outcome.code == stapel.OK
    said = "\n".join(lines)
    assert f"Aufgeräumt: unfertigen Lauf {unfinished} entfernt (der Prozess {process.pid}" in said
    assert f"Aufgeräumt: Verbindungsordner {sockets[0]}" in said
    assert not unfinished.exists() and not sockets[0].exists()


def test_a_running_run_is_not_taken_for_a_leftover(tmp_path):
    """The lock decides, not the PID alone: a PID can be reused by another process."""
    slug_dir = tmp_path / "stadt"
    live = slug_dir / f".unfertig-2026-11-28_120000-{os.getpid()}-1"
    live.mkdir(parents=True)
    lock = aufraeumen.RunLock(live)
    dead = slug_dir / f".unfertig-2026-11-28_110000-{os.getpid()}-2"
    dead.mkdir()
    shutil.copy(live / aufraeumen.LOCK, dead / aufraeumen.LOCK)  # same PID, lock not held
    try:
        said = aufraeumen.remove_stale(slug_dir)
    finally:
        lock.release()
    assert live.exists() and not dead.exists()
    assert said == [
        f"Aufgeräumt: unfertigen Lauf {dead} entfernt (der Prozess {os.getpid()} läuft nicht mehr)."
    ]


# ------------------------------------------------------------------ errors of the system


def test_latest_as_a_real_folder_is_refused_before_anything_runs(tmp_path, capsys):
    params = _params(tmp_path)
    (tmp_path / "out" / "stadt-fehler" / "latest").mkdir(parents=True)
    code = main(["run", str(params), "--ausgabe", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{tmp_path / 'out' / 'stadt-fehler' / 'latest'}: ist ein Ordner, kein Verweis" in err
    assert "IsADirectoryError" not in err
    assert _entries(tmp_path / "out" / "stadt-fehler") == ["latest"]


def _namespace(script: str) -> subprocess.CompletedProcess:
    """*script* in its own user and mount namespace: a tmpfs or a read-only bind mount
    without touching the machine (works as root and as a normal user)."""
    return subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-ec", script],
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_a_read_only_output_folder(tmp_path):
    params = _params(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    done = _namespace(
        f"mount -t tmpfs -o size=1m,ro tmpfs {out}\n"
        f"exec {sys.executable} -m kdworkbook run {params} --ausgabe {out}"
    )
    assert done.returncode == 2, done.stderr
    assert (
        f"{params}: Lauf abgebrochen, nichts gespeichert – {out / 'stadt-fehler'}: liegt auf "
        "einem schreibgeschützten Datenträger" in done.stderr
    )
    assert "Traceback" not in done.stderr


def test_a_full_disk_during_the_run(tmp_path):
    """A 64 KB tmpfs as output folder: the run's files do not fit (the PDF alone is larger)."""
    params = _params(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    notebooks = step_notebooks(tmp_path / "nb", READ_SURVEY)
    driver = tmp_path / "kdworkbook_run.py"
    driver.write_text(_DRIVER, encoding="utf-8")
    done = _namespace(
        f"mount -t tmpfs -o size=64k tmpfs {out}\ncode=0\n"
        f"{sys.executable} {driver} {params} {out} {notebooks} || code=$?\n"
        f"ls -A {out}/stadt-fehler || true\nexit $code"
    )
    assert done.returncode == 2, done.stderr
    assert "Lauf abgebrochen, nichts gespeichert" in done.stderr
    assert f"{out / 'stadt-fehler'}: der Datenträger ist voll" in done.stderr
    assert "Traceback" not in done.stderr
    assert ".unfertig-" not in done.stdout  # ls shows no unfinished run


def test_a_read_only_parameter_folder_for_umfrage_einlesen(tmp_path):
    folder = tmp_path / "kommune"
    folder.mkdir()
    params = _params(folder)
    returns = tmp_path / "zurueck"
    returns.mkdir()
    write_xlsx(returns / "buergerbuero.xlsx", ["Fachamt", *HEADER], [["Bürgerbüro", *SEED_ROWS[0]]])
    done = _namespace(
        f"mount --bind {folder} {folder}\nmount -o remount,bind,ro {folder}\n"
        f"exec {sys.executable} -m kdworkbook umfrage-einlesen {params} {returns}"
    )
    assert done.returncode == 2, done.stderr
    assert (
        f"Fehler: {folder / 'stadt-fehler'}: liegt auf einem schreibgeschützten Datenträger"
        in done.stderr
    )
    assert "Traceback" not in done.stderr


def test_socket_folders_of_older_versions_are_removed_only_when_dead_and_old(tmp_path, monkeypatch):
    """Named without PID: removed when no socket in it answers and it is old enough."""
    monkeypatch.setattr(aufraeumen.tempfile, "tempdir", str(tmp_path))
    old = time.time() - aufraeumen.LEGACY_GRACE_S - 60

    def folder(name: str, listening: bool, when: float) -> tuple[Path, socket.socket]:
        path = tmp_path / name
        path.mkdir()
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(path / "k-1"))
        if listening:
            server.listen()
        else:
            server.close()
        os.utime(path, (when, when))
        return path, server

    dead, _ = folder("kdw-tot12345", False, old)
    alive, server = folder("kdw-lebt1234", True, old)
    fresh, _ = folder("kdw-frisch123", False, time.time())
    try:
        said = aufraeumen.remove_stale(tmp_path / "keine-kommune")
    finally:
        server.close()
    assert said == [f"Aufgeräumt: Verbindungsordner {dead} eines beendeten Laufs entfernt."]
    assert not dead.exists() and alive.exists() and fresh.exists()
