"""Running the workbook for one municipality: validate → notebooks → report → appendix.

A run is written into a hidden temporary folder and renamed to
``outputs/<slug>/<YYYY-MM-DD_HHMMSS>/`` only when complete; ``outputs/<slug>/latest`` then
points to it. A failing notebook moves the partial run to ``outputs/<slug>/fehlgeschlagen/``.
Ctrl-C or SIGTERM during a run removes the temporary folder and stops the kernel.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

# only what starts the step processes: pandas, the steps and the report are imported in
# run() while the kernels boot
from kdworkbook.kern import momentaufnahme, paket
from kdworkbook.kern.errors import InputError, RunFailed
from kdworkbook.kern.formatierung import zahl
from kdworkbook.lauf import abbruch, anhaenge, aufraeumen, ausfuehren, protokoll
from kdworkbook.lauf.abbruch import interrupt_on_sigterm

NOTEBOOK_DIR = paket.notebook_dir()
PARAMETER_NAME = ausfuehren.PARAMETER_NAME
RESULTS_TAG = "ergebnisse"
FAILED_DIR = "fehlgeschlagen"
#: inside the unfinished run folder: the copies of the inputs (removed when the run ends)
SNAPSHOT_DIR = ".eingaben"
#: Step notebooks executed at the same time in one run: they are independent, and a kernel
#: waits much of its time, so two at a time use the two cores of a usual laptop.
PARALLEL_NOTEBOOKS = 2
#: how often the runner looks whether a step has finished
POLL_S = 0.05


@dataclass
class RunResult:
    run_dir: Path
    pdf: Path
    html: Path
    appendix: Path
    notebooks: list[Path]
    results: dict[str, Any] = field(default_factory=dict)
    durations: dict[str, float] = field(default_factory=dict)


def step_notebooks(directory: Path = NOTEBOOK_DIR) -> list[Path]:
    """The step notebooks ``NN_<abschnitt>.ipynb`` in order."""
    found = sorted(directory.glob("[0-9][0-9]_*.ipynb"))
    if not found:
        raise InputError(f"{directory}: keine Notebooks der Form „NN_abschnitt.ipynb“ gefunden.")
    return found


def checked_parameters(
    notebook: Path, parameters: dict[str, Any], optional: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Only identifiers the notebook declares: papermill injects parameter *names* unchecked,
    so an undeclared or non-identifier name could execute code (TOOLCHAIN.md). *optional*
    parameters are passed only to a notebook that declares them."""
    import papermill

    declared = papermill.inspect_notebook(str(notebook))
    bad = [n for n in parameters if not (isinstance(n, str) and n.isidentifier() and n in declared)]
    if bad:
        raise InputError(
            f"{notebook.name}: Parameter {', '.join(repr(n) for n in bad)} nicht zulässig – "
            f"das Notebook deklariert nur: {', '.join(declared) or 'keine'}."
        )
    return parameters | {n: v for n, v in (optional or {}).items() if n in declared}


def read_results(notebook: Path) -> dict[str, Any]:
    """The JSON emitted by the cells tagged ``ergebnisse`` of an executed notebook."""
    nb = nbformat.read(notebook, as_version=4)
    results: dict[str, Any] = {}
    for cell in nb.cells:
        if RESULTS_TAG in cell.get("metadata", {}).get("tags", []):
            for output in cell.get("outputs", []):
                results.update(output.get("data", {}).get("application/json", {}))
    return results


def kernel_log(target: Path) -> Path:
    """Where the kernel of the notebook executed into *target* writes its messages."""
    return target.with_name(f"{target.stem}.kernel.log")


#: how long a step may take to stop its kernel after SIGTERM before it is killed
STOP_WAIT_S = 10.0


def _reap(process: subprocess.Popen) -> None:
    """Wait for a killed step without relying on Popen's internal lock: Ctrl-C becomes
    KeyboardInterrupt wherever the main thread is – also inside ``Popen.poll()``,
    which can leave that lock taken; ``Popen.wait()`` would then block for ever (a batch
    that never ended after SIGTERM, with the step's exited process never reaped)."""
    try:
        process.wait(timeout=1)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(process.pid, 0)


class _Worker:
    """A step process (:mod:`kdworkbook.lauf.ausfuehren`) with one kernel that executes the
    step notebooks handed to it one after the other, in a process group of its own: the
    runner never changes its working folder, and stopping it is a signal to that group.
    Started when the run starts, so that its kernel boots while the inputs are checked; its
    kernel log and the files that mark a notebook's end live in a private temporary folder."""

    def __init__(self, cwd: Path) -> None:
        prefix = f"{aufraeumen.SOCKET_PREFIX}{os.getpid()}-"  # stale ones are found by PID
        self._private = Path(tempfile.mkdtemp(prefix=prefix))  # the kernel's sockets, too
        #: the kernel's messages; copied next to the notebook of a step whose kernel died
        self.log = self._private / "kernel.log"
        self.position: int | None = None  # of the notebook executing now
        self.notebook = self.target = Path()
        self.started = 0.0
        self._done = self._private / "ende.json"
        try:
            with open(self.log, "ab") as log:  # the kernel's messages, not the terminal's
                self._process = subprocess.Popen(
                    [sys.executable, "-m", "kdworkbook.lauf.ausfuehren", str(self._private),
                     str(cwd)],
                    stdin=subprocess.PIPE,
                    stdout=log,
                    stderr=log,
                    text=True,
                    start_new_session=True,  # its own group: Ctrl-C reaches it through us
                )  # fmt: skip
        except BaseException:
            shutil.rmtree(self._private, ignore_errors=True)
            raise

    def submit(
        self,
        position: int,
        notebook: Path,
        target: Path,
        parameters: dict[str, Any],
        shown: Any = None,
        environment: dict[str, str] | None = None,
    ) -> None:
        """Hand the notebook at *position* to this process, executed into *target* with
        *environment* set in the kernel (the run's snapshot)."""
        self.position, self.notebook, self.target = position, notebook, target
        self._done.unlink(missing_ok=True)
        job = {
            "notebook": str(notebook.resolve()),
            "target": str(target.resolve()),
            "parameters": parameters,
            "cwd": str(notebook.resolve().parent),
            "shown": shown,
            "umgebung": environment or {},
            "done": str(self._done),
        }
        self.started = time.perf_counter()
        try:
            assert self._process.stdin is not None
            self._process.stdin.write(json.dumps(job) + "\n")
            self._process.stdin.flush()
        except OSError:  # the process has ended: done() says so, outcome() says why
            pass

    def done(self) -> bool:
        """Whether the notebook handed over last has ended (or the process with it)."""
        return self._done.exists() or self._process.poll() is not None

    def outcome(self) -> RunFailed | None:
        """None when the notebook succeeded, else why it failed (when the kernel died, its
        messages are copied next to the notebook as ``<notebook>.kernel.log``)."""
        self.position = None
        try:
            failure = json.loads(self._done.read_text(encoding="utf-8")) or None
        except (OSError, ValueError):
            failure = {"art": "kernel"}  # the process itself ended without a word
        self._done.unlink(missing_ok=True)
        if failure is None:
            return None
        what = anhaenge.label(self.notebook) or f"Schritt „{self.notebook.stem}“"
        if failure["art"] == "zelle":
            return RunFailed(
                f"{what}, Zelle {failure['zelle']}: {failure['fehler']}: {failure['text']}"
            )
        log = kernel_log(self.target)
        with contextlib.suppress(OSError):
            shutil.copyfile(self.log, log)
        return RunFailed(
            f"{what}: der Kernel (der Python-Prozess des Notebooks) "
            "ist abgestürzt oder wurde beendet, etwa weil der Arbeitsspeicher nicht "
            "reichte.",
            kernel_log=log.name,
        )

    def finish(self) -> None:
        """No more notebooks: the process shuts its kernel down and ends (not waited for)."""
        with contextlib.suppress(OSError, ValueError):
            assert self._process.stdin is not None
            self._process.stdin.close()

    def stop(self) -> None:
        """SIGTERM to the process group (its kernel is shut down), SIGKILL if it hangs."""
        if self._process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._process.pid, signal.SIGTERM)

    def wait_stopped(self) -> None:
        try:
            self._process.wait(timeout=STOP_WAIT_S)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._process.pid, signal.SIGKILL)
            _reap(self._process)
        finally:
            with contextlib.suppress(OSError, ValueError):
                assert self._process.stdin is not None
                self._process.stdin.close()
            shutil.rmtree(self._private, ignore_errors=True)


class _Workers:
    """The step processes of a run (*count*, each with its kernel booting in *cwd*), started
    at once. After the notebooks they write the appendices and end (:meth:`appendix_written`,
    :meth:`wait`); leaving the ``with`` block by an exception – a failed check or step,
    Ctrl-C, SIGTERM – stops them at once, their kernels shut down."""

    def __init__(self, count: int, cwd: Path) -> None:
        self.all: list[_Worker] = []
        #: the parts of the appendices (:mod:`anhaenge`) not yet handed out: notebook,
        #: target, environment; and the processes writing one now
        self.appendix: list[tuple[Path, Path, dict[str, str] | None]] = []
        self.writing: list[_Worker] = []
        self._appendix_started = 0.0
        try:
            for _ in range(max(1, count)):
                self.all.append(_Worker(cwd))
        except BaseException:
            self.close(stop=True)
            raise

    def close(self, stop: bool = False) -> None:
        for worker in self.all:
            worker.stop() if stop else worker.finish()
        if stop:
            self.wait()

    def wait(self) -> None:
        for worker in self.all:
            worker.wait_stopped()

    def hand_out_appendix(self) -> None:
        """Give the parts of the appendices not yet handed out to free processes; a free
        process with nothing left to do ends (its kernel's memory with it)."""
        for worker in self.all:
            if worker.position is None and self.appendix:
                notebook, target, environment = self.appendix.pop(0)
                worker.submit(-1, notebook, target, {}, environment=environment)
                self.writing.append(worker)
                self._appendix_started = self._appendix_started or worker.started
            elif worker.position is None:
                worker.finish()

    def appendix_written(self) -> float | None:
        """Hand out and wait for the parts of the appendices; their seconds from the first
        hand-over to the last end (None: there were none), RunFailed if one failed. Then the
        processes end."""
        while self.appendix or self.writing:
            self.hand_out_appendix()
            for worker in [w for w in self.writing if w.done()]:
                self.writing.remove(worker)
                failure = worker.outcome()
                if failure:
                    raise failure
            time.sleep(POLL_S)
        for worker in self.all:
            worker.finish()
        if not self._appendix_started:
            return None
        return time.perf_counter() - self._appendix_started

    def __enter__(self) -> _Workers:
        return self

    def __exit__(self, exc_type: object, *_exc: object) -> None:
        if exc_type is not None:  # else they go on with the appendices (appendix_written)
            self.close(stop=True)


def _rename_free(source: Path, folder: Path, stem: str) -> Path:
    """Rename *source* to folder/stem (or stem-2, stem-3 … if taken, also by a parallel run)."""
    folder.mkdir(parents=True, exist_ok=True)
    n = 1
    while True:
        target = folder / (stem if n == 1 else f"{stem}-{n}")
        if not target.exists():
            try:
                source.rename(target)
                return target
            except OSError:
                if not target.exists():
                    raise
        n += 1


def _check_latest(slug_dir: Path) -> None:
    """``latest`` must be the link kdworkbook maintains: a real folder or file there would
    make every run fail at its very end, so it is refused before anything runs."""
    link = slug_dir / "latest"
    if link.exists() and not link.is_symlink():
        what = "ein Ordner" if link.is_dir() else "eine Datei"
        raise InputError(
            f"{link}: ist {what}, kein Verweis – kdworkbook legt dort einen Verweis auf den "
            "neuesten Lauf an. Bitte umbenennen oder verschieben; es wurde nichts ausgeführt."
        )


def _point_latest(slug_dir: Path, run_dir: Path) -> None:
    link = slug_dir / "latest"
    tmp = slug_dir / f".latest-{os.getpid()}-{threading.get_ident()}"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(run_dir.name)
    os.replace(tmp, link)


class _StepFailed(Exception):
    def __init__(self, notebook: str, failure: RunFailed) -> None:
        super().__init__(str(failure))
        self.notebook, self.reason, self.kernel_log = notebook, str(failure), failure.kernel_log


#: The order of the shipped steps for a municipality's first run, measured on the demo (first
#: run, empty cache; seconds in ``lauf.json``): the Bestandsaufnahme (1,5 s) and the Vergleich
#: (1,9 s) first, one in each kernel; the Musterprozess (3,2 s) next – it draws in the run's
#: Chromium, which starts when the check is done and is ready by then –; the short summary
#: (0,3 s) last. Both kernels end within 0,3 s of each other (in reverse step order: 0,8 s).
FIRST_RUN_ORDER = (
    "02_bestandsaufnahme",
    "05_vergleich",
    "04_musterprozess",
    "01_rahmenbedingungen",
    "03_massnahmenentwicklung",
    "06_buergerbefragung",
    "07_fortschreibung",  # only with a Projektsteuerung; not in the demo
    "00_zusammenfassung",
)


def _execution_order(notebooks: list[Path], slug_dir: Path) -> list[int]:
    """Positions of *notebooks* in the order to start them: longest first, so that the
    last kernel to finish does not run alone for long. Durations come from the latest
    complete run of this municipality; without one, :data:`FIRST_RUN_ORDER` (other
    notebooks before those, the later steps first)."""
    try:
        previous = protokoll.read(slug_dir / "latest").get("dauer_s", {})
    except (InputError, OSError, ValueError, AttributeError):
        previous = {}
    positions = list(range(len(notebooks)))
    if all(nb.stem in previous for nb in notebooks):
        return sorted(positions, key=lambda i: -float(previous[notebooks[i].stem]))
    known = {stem: rank for rank, stem in enumerate(FIRST_RUN_ORDER)}
    return sorted(positions[::-1], key=lambda i: known.get(notebooks[i].stem, -1))


def _execute_all(
    notebooks: list[Path],
    workers: _Workers,
    work: Path,
    parameter_file: Path,
    progress: Callable[[str], None],
    durations: dict[str, float],
    order: list[int] | None = None,
    started: Callable[[int], None] = lambda _remaining: None,
    finished: Callable[[Path], None] = lambda _path: None,
    snapshot: Any = None,
    handed: Path | None = None,
    appendix: list[Path] | None = None,
    kernel_environment: dict[str, str] | None = None,
) -> list[Path]:
    """Execute the step notebooks in the step processes of *workers*, each taking the next
    notebook when it is free (they are independent: each reads the parameter file itself, or
    the run's *handed* results of the check (:mod:`vorberechnung`)), in *order* (positions).
    The *appendix* notebooks (:mod:`anhaenge`) go to the processes free after the last
    notebook has started; :meth:`_Workers.appendix_written` waits for them. ``started`` gets
    the number of notebooks not yet started, ``finished`` each executed notebook as it is
    done. Returns the executed notebooks in step order. When a step fails, the others are
    stopped (by the caller leaving *workers*' ``with`` block). *kernel_environment* is set in
    every kernel besides the snapshot (the print process' drawing socket)."""
    total = len(notebooks)
    waiting = list(range(total)) if order is None else list(order)
    read_from = snapshot.parameter_file if snapshot else parameter_file
    shown = [str(read_from), str(parameter_file)] if snapshot else None
    environment = {momentaufnahme.ENV: str(snapshot.index)} if snapshot else None
    if kernel_environment:
        environment = (environment or {}) | kernel_environment
    workers.appendix = [(nb, nb.with_suffix(".aus.ipynb"), environment) for nb in appendix or []]
    failed: dict[int, RunFailed] = {}
    while not failed:
        for worker in workers.all:
            if worker.position is None and waiting:
                position = waiting.pop(0)
                nb = notebooks[position]
                parameters = checked_parameters(
                    nb,
                    {PARAMETER_NAME: str(read_from)},
                    {ausfuehren.HANDED_NAME: str(handed)} if handed else None,
                )
                started(len(waiting))
                progress(f"[{position + 1}/{total}] {nb.stem} …")
                worker.submit(position, nb, work / nb.name, parameters, shown, environment)
        if not waiting:
            workers.hand_out_appendix()
        busy = [w for w in workers.all if w.position is not None and w not in workers.writing]
        if not busy and not waiting:
            break
        for worker in busy:
            if not worker.done():
                continue
            position = worker.position
            failure = worker.outcome()
            if failure:
                failed[position] = failure
                continue
            nb = notebooks[position]
            durations[nb.stem] = time.perf_counter() - worker.started
            progress(f"[{position + 1}/{total}] {nb.stem} fertig ({zahl(durations[nb.stem], 1)} s)")
            finished(worker.target)
        if not failed:
            abbruch.check()  # SIGTERM: the caller stops the step processes
            time.sleep(POLL_S)
    if failed:  # of the steps failed, the first in step order is the one reported
        first = min(failed)
        raise _StepFailed(notebooks[first].name, failed[first])
    return [work / nb.name for nb in notebooks]


def run(
    parameter_file: Path | str,
    output_root: Path | str = "outputs",
    notebook_dir: Path = NOTEBOOK_DIR,
    browser: str | None = None,
    progress: Callable[[str], None] = lambda _msg: None,
    parallel: int = PARALLEL_NOTEBOOKS,
    overlap: bool = True,
    stichtag: dt.date | None = None,
) -> RunResult:
    """Run every step notebook for one municipality and build report and appendices.

    Every input is read once, at the start, into the run's snapshot; steps, report, Excel
    and ``lauf.json`` all come from those bytes (:mod:`momentaufnahme`). *stichtag* applies
    when the parameter file names none (a repeated run uses the first run's date).

    With a Musterprozess, Chromium (the print process) starts when the check is done and
    draws its BPMN diagrams for the kernels, so they start none of their own. With *overlap*
    the report's chapters, Chromium and the Excel files are made while
    the last kernels still run (a run on its own finishes sooner). A batch worker passes
    ``overlap=False``: the other workers keep the cores busy, and extra threads would only
    compete with them."""
    started = dt.datetime.now().astimezone()
    parameter_file = Path(os.path.abspath(parameter_file))
    with interrupt_on_sigterm():  # Ctrl-C and SIGTERM are honoured in every phase
        # the step processes start now: their kernels boot while the inputs are checked
        count = min(max(1, parallel), len(step_notebooks(notebook_dir)))
        workers = _Workers(count, notebook_dir.resolve())
        try:
            from kdworkbook.bestand.laden import load_bestand
            from kdworkbook.lauf import schritte

            with momentaufnahme.recording() as read:
                ba = load_bestand(parameter_file, stichtag=stichtag)
                schritte.summary(ba)  # every step validates its own inputs before anything runs
            abbruch.check()
            parameter_file = parameter_file.resolve()
            declared = protokoll.input_files(parameter_file, ba.settings)
            notebooks = schritte.report_notebooks(ba, step_notebooks(notebook_dir))
            slug_dir = Path(output_root).resolve() / ba.settings.slug
            _check_latest(slug_dir)
            extra = _previous_report(ba, slug_dir, declared)
            for line in aufraeumen.remove_stale(slug_dir):
                progress(line)
            stamp = started.strftime("%Y-%m-%d_%H%M%S")
            unique = f"{stamp}-{os.getpid()}-{threading.get_ident()}"
            work = slug_dir / f"{aufraeumen.UNFINISHED}{unique}"
            slug_dir.mkdir(parents=True, exist_ok=True)
            work.mkdir()
            try:
                lock = aufraeumen.RunLock(work)
            except BaseException:
                shutil.rmtree(work, ignore_errors=True)
                raise
            try:
                prepared = _Prepared(
                    parameter_file, ba, read, declared, notebooks, started, slug_dir, stamp,
                    work, lock, workers, extra,
                )  # fmt: skip
                return _run_in(prepared, browser, progress, overlap)
            except BaseException as exc:
                if isinstance(exc, OSError) and exc.filename is None:
                    exc.filename = str(slug_dir)  # a full disk at write(): say where
                workers.close(stop=True)  # nothing writes into the folder any more
                lock.release()
                _remove(work)
                raise
        except BaseException:
            workers.close(stop=True)  # no kernel outlives its run (nor a failed check)
            raise


def _remove(folder: Path) -> None:
    """Remove an unfinished run folder; a writer thread that is still stopping may put a
    file back for a moment, so try a few times (what remains is removed on the next start)."""
    for _ in range(20):
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            return
        time.sleep(0.1)


def _in_background(call: Callable[[], Any]) -> concurrent.futures.Future:
    """*call* in a daemon thread: an interrupted run does not wait for it (the Excel
    appendix of a large survey takes minutes), and neither does the interpreter's exit."""
    future: concurrent.futures.Future = concurrent.futures.Future()

    def work() -> None:
        if future.set_running_or_notify_cancel():
            try:
                future.set_result(call())
            except BaseException as exc:  # noqa: BLE001 – handed to whoever waits
                future.set_exception(exc)

    threading.Thread(target=work, daemon=True, name="kdworkbook-anhang").start()
    return future


@dataclass
class _Prepared:
    """A checked run, its inputs as read by the check, and its unfinished folder."""

    parameter_file: Path
    ba: Any  # laden.Bestandsaufnahme
    read: dict[Path, os.stat_result]  # every file the check read, with its stat then
    declared: list[Path]  # the files the settings name
    notebooks: list[Path]
    started: dt.datetime
    slug_dir: Path
    stamp: str
    work: Path
    lock: aufraeumen.RunLock
    workers: _Workers  # the step processes, their kernels booted or booting
    index_extra: dict[str, Any] | None = None  # further entries of the snapshot's index


def _previous_report(ba: Any, slug_dir: Path, declared: list[Path]) -> dict[str, Any] | None:
    """For the chapter Fortschreibung: the previous report of this municipality (latest
    complete run in *slug_dir* with an earlier Stichtag); its ``ergebnisse.json`` becomes an
    input of the run (copied, hashed, in ``lauf.json``). None without the chapter or run."""
    from kdworkbook.steuerung import kapitel as fortschreibung_ansicht
    from kdworkbook.steuerung import laeufe

    if fortschreibung_ansicht.omitted(ba) is not None:
        return None
    found = laeufe.previous_run(slug_dir, ba.settings.stichtag)
    if found is None:
        return None
    results = (found[0] / laeufe.RESULTS).resolve()
    declared.append(results)
    return {
        fortschreibung_ansicht.PREVIOUS_RUN: {
            "ergebnisse": str(results),
            "lauf": found[0].name,
            "stichtag": found[1].isoformat(),
        }
    }


def _run_in(
    prepared: _Prepared,
    browser: str | None,
    progress: Callable[[str], None],
    overlap: bool,
) -> RunResult:
    """The run inside its unfinished folder; the caller removes it on any error."""
    from kdworkbook.bericht import dokument as bericht
    from kdworkbook.bericht import word
    from kdworkbook.bestand.laden import load_bestand
    from kdworkbook.kern import gestaltung
    from kdworkbook.lauf import schritte, vorberechnung
    from kdworkbook.vergleich import ablage as vergleich_ablage

    p = prepared
    parameter_file, notebooks, work, slug_dir, ba = (
        p.parameter_file, p.notebooks, p.work, p.slug_dir, p.ba
    )  # fmt: skip
    snapshot = momentaufnahme.take(
        work / SNAPSHOT_DIR,
        parameter_file,
        p.read,
        p.declared,
        ba.settings.stichtag,
        "stichtag" in ba.settings.model_fields_set,
        p.index_extra,
    )
    if snapshot.changed:  # replaced between the check and the copy: use the copies throughout
        progress(
            "Während der Prüfung geändert, es gilt der Stand der Momentaufnahme: "
            + ", ".join(str(path) for path in snapshot.changed)
        )
        ba = load_bestand(snapshot.parameter_file, snapshot=snapshot.index)
        schritte.summary(ba)
    # the check's Bestandsaufnahme with all it computed (plan included) for every kernel
    handed = vorberechnung.write(work / SNAPSHOT_DIR, ba, momentaufnahme.read_index(snapshot.index))
    g = ba.settings.gestaltung
    meta = bericht.ReportMeta(
        gemeinde=ba.settings.gemeinde,
        stichtag=ba.settings.stichtag,
        ags=ba.settings.ags,
        design_css=gestaltung.report_css(g),
        logo=gestaltung.logo_data_uri(g),
        fusszeile=g.fusszeile,
    )
    pictures = word.Pictures()  # Word's pictures, rendered as the chapters are converted
    report = bericht.ReportJob(
        [work / nb.name for nb in notebooks], meta, browser=browser, on_chapter=pictures.prepare
    )
    durations: dict[str, float] = {}
    # the report's chapters are made while the last kernels still run; the appendices are
    # written in a kernel that is done with its notebooks (anhaenge)
    appendix = anhaenge.notebooks(work / SNAPSHOT_DIR, handed, work, len(ba.data))
    tables: list[concurrent.futures.Future] = []  # the Excel files (and more), written here

    def write_here() -> list[Path]:
        """The Excel files; the presentation, too, when no kernel writes it (anhaenge)."""
        return schritte.write_tables(ba, work) if appendix else schritte.write_outputs(ba, work)

    def on_start(remaining: int) -> None:
        if remaining == 0 and overlap:  # the last notebook has started: a core is free soon
            report.start_browser()
            tables.append(_in_background(write_here))

    with report, pictures:
        if ba.settings.musterprozess.konfiguriert:  # Chromium now: it draws the BPMN diagrams
            report.start_browser()
        try:
            with p.workers:  # a failed step: the others are stopped before the folder moves
                executed = _execute_all(
                    notebooks,
                    p.workers,
                    work,
                    parameter_file,
                    progress,
                    durations,
                    order=_execution_order(notebooks, slug_dir),
                    started=on_start,
                    finished=report.chapter_ready if overlap else lambda _path: None,
                    snapshot=snapshot,
                    handed=handed,
                    appendix=appendix,
                    kernel_environment=report.environment,
                )
        except _StepFailed as exc:  # the step processes are stopped
            for future in tables:  # the Excel files must not be written into a moved folder
                concurrent.futures.wait([future])
            shutil.rmtree(work / SNAPSHOT_DIR, ignore_errors=True)
            p.lock.release()
            failed = _rename_free(work, slug_dir / FAILED_DIR, p.stamp)
            message = f"{exc.reason}\nTeilweise ausgeführtes Notebook: {failed / exc.notebook}"
            if exc.kernel_log:
                message += f"\nMeldungen des Kernels: {failed / exc.kernel_log}"
            raise RunFailed(message) from None

        progress("Bericht (HTML, PDF, Word), Anhänge und Präsentation …")
        start = time.perf_counter()

        def write_word(text: str) -> None:  # from the finished HTML, while Chromium prints it
            word.write(text, work / word.FILE_NAME, ba.settings, pictures)

        # waited for in the background, so that SIGTERM ends the wait (see abbruch)
        html, pdf = abbruch.wait(_in_background(lambda: report.finish(work, write_word)))
        # the Excel files alongside the last step when overlapping, else now; the
        # presentation in a kernel meanwhile
        if not tables:
            tables.append(_in_background(write_here))
        abbruch.wait(tables[0])
        seconds = abbruch.wait(_in_background(p.workers.appendix_written))
        if seconds is not None:
            durations[anhaenge.DURATION] = seconds
        durations["bericht"] = time.perf_counter() - start
    results: dict[str, Any] = {}
    for nb in executed:
        results.update(read_results(nb))
    (work / "ergebnisse.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    vergleich_ablage.write_for_run(work, ba, results)
    (work / protokoll.FILE_NAME).write_text(
        json.dumps(
            protokoll.record(parameter_file, snapshot, p.started, durations, results),
            ensure_ascii=False,
            indent=2,
        ),
        encoding="utf-8",
    )
    shutil.rmtree(work / SNAPSHOT_DIR)
    p.workers.wait()  # ended with their last notebook; their kernel logs go with them
    p.lock.release()
    final = _rename_free(work, slug_dir, p.stamp)
    _point_latest(slug_dir, final)
    return RunResult(
        run_dir=final,
        pdf=final / pdf.name,
        html=final / html.name,
        appendix=final / anhaenge.APPENDIX,
        notebooks=[final / p.name for p in executed],
        results=results,
        durations=durations,
    )


def run_again(run_dir: Path, output_root: Path | str | None = None, **kwargs: Any) -> RunResult:
    """Re-run a recorded run with the same inputs and the same Stichtag; refuses if any
    input changed since (each one is named)."""
    recorded = protokoll.read(Path(run_dir))
    changes = protokoll.changed_inputs(recorded)
    if changes:
        raise InputError(
            [
                f"Wiederholung nicht möglich – Eingaben sind nicht mehr dieselben "
                f"wie in {run_dir}:",
                *changes,
            ]
        )
    root = output_root if output_root is not None else Path(run_dir).resolve().parent.parent
    return run(
        recorded["parameterdatei"], root, stichtag=protokoll.recorded_stichtag(recorded), **kwargs
    )
