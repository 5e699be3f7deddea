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
import functools
import json
import logging
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from kdworkbook import aufraeumen, bericht, momentaufnahme, paket, protokoll, schritte
from kdworkbook.errors import InputError
from kdworkbook.formatierung import zahl
from kdworkbook.laden import load_bestand

NOTEBOOK_DIR = paket.notebook_dir()
PARAMETER_NAME = "parameter_file"
RESULTS_TAG = "ergebnisse"
FAILED_DIR = "fehlgeschlagen"
#: inside the unfinished run folder: the copies of the inputs (removed when the run ends)
SNAPSHOT_DIR = ".eingaben"
SNAPSHOT_NOTE = (
    "# gelesen wurde die Kopie dieser Datei vom Beginn des Laufs (Prüfsummen: lauf.json)"
)
#: Step notebooks executed at the same time in one run: they are independent, and a kernel
#: waits much of its time, so two at a time use the two cores of a usual laptop.
PARALLEL_NOTEBOOKS = 2

# A failed step is reported in German by RunFailed; papermill's own English log lines
# („Kernel died while waiting for execute reply.“) would only repeat it on the terminal.
# Logging configured by the caller still receives them.
logging.getLogger("papermill").addHandler(logging.NullHandler())


class RunFailed(Exception):
    """A notebook failed; the message names step, cell, error and the notebook to open."""

    def __init__(self, message: str, kernel_log: str | None = None) -> None:
        super().__init__(message)
        self.kernel_log = kernel_log  # file name of the kernel's messages worth reading


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


def checked_parameters(notebook: Path, parameters: dict[str, Any]) -> dict[str, Any]:
    """Only identifiers the notebook declares: papermill injects parameter *names* unchecked,
    so an undeclared or non-identifier name could execute code (TOOLCHAIN.md)."""
    import papermill

    declared = papermill.inspect_notebook(str(notebook))
    bad = [n for n in parameters if not (isinstance(n, str) and n.isidentifier() and n in declared)]
    if bad:
        raise InputError(
            f"{notebook.name}: Parameter {', '.join(repr(n) for n in bad)} nicht zulässig – "
            f"das Notebook deklariert nur: {', '.join(declared) or 'keine'}."
        )
    return parameters


def read_results(notebook: Path) -> dict[str, Any]:
    """The JSON emitted by the cells tagged ``ergebnisse`` of an executed notebook."""
    nb = nbformat.read(notebook, as_version=4)
    results: dict[str, Any] = {}
    for cell in nb.cells:
        if RESULTS_TAG in cell.get("metadata", {}).get("tags", []):
            for output in cell.get("outputs", []):
                results.update(output.get("data", {}).get("application/json", {}))
    return results


def _kernel_manager(log: Path, sockets: Path, env: dict[str, str] | None = None) -> type:
    """The kernel manager papermill uses for one step.

    The kernel talks to us over Unix sockets in the private folder *sockets* instead of
    localhost TCP ports that every user of the machine can reach (and ipykernel's English
    warning about unencrypted TCP does not reach the analyst's terminal); the kernel
    process's own messages (stderr, e.g. „KeyboardInterrupt caught in kernel“ when Jupyter
    stops it) go to *log* instead of the terminal. *env* is added to the kernel's
    environment (the run's snapshot of its inputs).
    """
    from jupyter_client import AsyncKernelManager

    class StepKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            if os.name == "posix":  # ZeroMQ has no Unix sockets on Windows
                kwargs.setdefault("transport", "ipc")
                kwargs.setdefault("ip", str(sockets / "k"))
            super().__init__(**kwargs)

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            if env:
                kw["env"] = {**(kw.get("env") or os.environ), **env}
            with open(log, "ab") as stream:  # the kernel keeps its own copy of the handle
                kw["stderr"] = stream
                await super()._async_launch_kernel(kernel_cmd, **kw)

    return StepKernelManager


@functools.cache
def _engine() -> str:
    """Name of the papermill engine for the steps: papermill's own (nbclient), except that
    a notebook whose kernel died is still written, with the outputs it has so far (papermill
    writes it only after a cell error or success when not saving after every cell)."""
    from nbclient.exceptions import DeadKernelError
    from papermill.engines import NBClientEngine, papermill_engines

    class KeepOnCrash(NBClientEngine):
        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man: Any,
            kernel_name: str,
            keep_on_crash: str = "",
            shown_parameter: tuple[str, str] | None = None,
            **kwargs: Any,
        ) -> Any:
            try:
                return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)
            except DeadKernelError:
                _show_original(nb_man.nb, shown_parameter)
                if keep_on_crash:
                    nbformat.write(nb_man.nb, keep_on_crash)
                raise
            finally:
                _show_original(nb_man.nb, shown_parameter)

    papermill_engines.register("kdworkbook", KeepOnCrash)
    return "kdworkbook"


def _show_original(nb: Any, shown: tuple[str, str] | None) -> None:
    """The executed notebook names the parameter file the analyst knows, not the copy in the
    run's snapshot that the kernel read (it is gone when the run is done)."""
    if not shown:
        return
    from papermill.translators import PythonTranslator

    parameters = nb.metadata.get("papermill", {}).get("parameters", {})
    if parameters.get(PARAMETER_NAME) == shown[0]:
        parameters[PARAMETER_NAME] = shown[1]
    copy, original = (PythonTranslator.translate_str(p) for p in shown)
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []) and copy in (
            cell.source
        ):
            cell.source = cell.source.replace(copy, original) + (
                f"\n{SNAPSHOT_NOTE}" if SNAPSHOT_NOTE not in cell.source else ""
            )


def kernel_log(target: Path) -> Path:
    """Where the kernel of the notebook executed into *target* writes its messages."""
    return target.with_name(f"{target.stem}.kernel.log")


def _execute(notebook: Path, target: Path, parameter_file: Path, snapshot: Any = None) -> None:
    """Execute *notebook* into *target*; the kernel's messages go to :func:`kernel_log`
    (removed when the step succeeds, kept beside the notebook when it fails). With a
    *snapshot* (:class:`momentaufnahme.Snapshot`) the kernel reads the run's copies."""
    import papermill
    from nbclient.exceptions import DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    read_from = snapshot.parameter_file if snapshot else parameter_file
    parameters = checked_parameters(notebook, {PARAMETER_NAME: str(read_from)})
    env = {momentaufnahme.ENV: str(snapshot.index)} if snapshot else None
    shown = (str(read_from), str(parameter_file)) if snapshot else None
    log = kernel_log(target)
    prefix = f"{aufraeumen.SOCKET_PREFIX}{os.getpid()}-"  # stale ones are found by the PID
    with tempfile.TemporaryDirectory(prefix=prefix) as sockets:
        try:
            papermill.execute_notebook(
                str(notebook),
                str(target),
                parameters=parameters,
                kernel_name="python3",
                progress_bar=False,
                cwd=str(notebook.parent),
                # written once at the end (also when a cell fails), not after every cell:
                # rewriting a notebook full of charts 15 times costs about half a second
                request_save_on_cell_execute=False,
                kernel_manager_class=_kernel_manager(log, Path(sockets), env),
                engine_name=_engine(),
                keep_on_crash=str(target),
                shown_parameter=shown,
            )
        except PapermillExecutionError as exc:
            raise RunFailed(
                f"Schritt „{notebook.stem}“, Zelle {exc.exec_count or exc.cell_index}: "
                f"{exc.ename}: {exc.evalue}"
            ) from None
        except DeadKernelError:
            raise RunFailed(
                f"Schritt „{notebook.stem}“: der Kernel (der Python-Prozess des Notebooks) "
                "ist abgestürzt oder wurde beendet, etwa weil der Arbeitsspeicher nicht "
                "reichte.",
                kernel_log=log.name,
            ) from None
    log.unlink(missing_ok=True)


@contextlib.contextmanager
def interrupt_on_sigterm() -> Iterator[None]:
    """SIGTERM behaves like Ctrl-C, so the same clean-up runs (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt(f"Signal {signum}")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _stop_kernels(browsers: bool = False) -> None:
    """Safety net after an interrupt: end the kernel processes this process started – and
    with *browsers* the Chromium printing the report, so that the print stops now instead
    of finishing a long report first (Linux; elsewhere a no-op)."""
    parents: dict[int, int] = {}
    commands: dict[int, bytes] = {}
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
            commands[int(stat_file.parent.name)] = (stat_file.parent / "cmdline").read_bytes()
        except (OSError, IndexError):
            continue
        parents[int(stat_file.parent.name)] = int(fields[1])
    me = os.getpid()
    for pid, command in commands.items():
        ancestor = parents.get(pid)
        if ancestor == me and b"ipykernel" in command or browsers and b"chrom" in command:
            while ancestor and ancestor != me:
                ancestor = parents.get(ancestor)
            if ancestor == me:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGTERM)


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


def _execution_order(notebooks: list[Path], slug_dir: Path) -> list[int]:
    """Positions of *notebooks* in the order to start them: longest first, so that the
    last kernel to finish does not run alone for long. Durations come from the latest
    complete run of this municipality; without one, the later steps (they build on more
    and draw more, measured on the demo) go first and the short summary last."""
    try:
        previous = protokoll.read(slug_dir / "latest").get("dauer_s", {})
    except (InputError, OSError, ValueError, AttributeError):
        previous = {}
    positions = list(range(len(notebooks)))
    if all(nb.stem in previous for nb in notebooks):
        return sorted(positions, key=lambda i: -float(previous[notebooks[i].stem]))
    return positions[::-1]


def _execute_all(
    notebooks: list[Path],
    work: Path,
    parameter_file: Path,
    parallel: int,
    progress: Callable[[str], None],
    durations: dict[str, float],
    order: list[int] | None = None,
    started: Callable[[int], None] = lambda _remaining: None,
    finished: Callable[[Path], None] = lambda _path: None,
    snapshot: Any = None,
) -> list[Path]:
    """Execute the step notebooks, *parallel* kernels at a time (they are independent: each
    reads the parameter file itself), started in *order* (positions). ``started`` gets the
    number of notebooks not yet started, ``finished`` each executed notebook as it is done.
    Returns the executed notebooks in step order."""
    total = len(notebooks)
    order = list(range(total)) if order is None else order
    stopping = threading.Event()
    waiting = [total]
    lock = threading.Lock()

    def one(i: int, nb: Path) -> None:
        if stopping.is_set():
            return
        with lock:
            waiting[0] -= 1
            remaining = waiting[0]
        started(remaining)
        progress(f"[{i}/{total}] {nb.stem} …")
        start = time.perf_counter()
        try:
            _execute(nb, work / nb.name, parameter_file, snapshot)
        except RunFailed as exc:
            raise _StepFailed(nb.name, exc) from None
        durations[nb.stem] = time.perf_counter() - start
        progress(f"[{i}/{total}] {nb.stem} fertig ({zahl(durations[nb.stem], 1)} s)")
        finished(work / nb.name)

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, parallel))
    futures: dict[int, concurrent.futures.Future] = {}
    try:
        for position in order:
            futures[position] = pool.submit(one, position + 1, notebooks[position])
        done, _ = concurrent.futures.wait(
            futures.values(), return_when=concurrent.futures.FIRST_EXCEPTION
        )
        failed = [p for p in sorted(futures) if futures[p] in done and futures[p].exception()]
        if failed:  # of the steps failed so far, the first in step order is the one reported
            raise futures[failed[0]].exception()  # type: ignore[misc]
    except BaseException:
        stopping.set()
        for future in futures.values():
            future.cancel()
        # Running kernels end now instead of finishing their notebook. Repeated until every
        # step has returned: a step may have been starting its kernel during the first sweep.
        while not all(future.done() for future in futures.values()):
            _stop_kernels()
            concurrent.futures.wait(list(futures.values()), timeout=0.2)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
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

    With *overlap* the report's chapters, Chromium and the Excel appendix are made while
    the last kernels still run (a run on its own finishes sooner). A batch worker passes
    ``overlap=False``: the other workers keep the cores busy, and extra threads would only
    compete with them."""
    started = dt.datetime.now().astimezone()
    parameter_file = Path(os.path.abspath(parameter_file))
    with interrupt_on_sigterm():  # Ctrl-C and SIGTERM are honoured in every phase
        with momentaufnahme.recording() as read:
            ba = load_bestand(parameter_file, stichtag=stichtag)
            schritte.summary(ba)  # every step validates its own inputs before anything runs
        parameter_file = parameter_file.resolve()
        declared = protokoll.input_files(parameter_file, ba.settings)
        notebooks = schritte.report_notebooks(ba, step_notebooks(notebook_dir))
        slug_dir = Path(output_root).resolve() / ba.settings.slug
        _check_latest(slug_dir)
        for line in aufraeumen.remove_stale(slug_dir):
            progress(line)
        stamp = started.strftime("%Y-%m-%d_%H%M%S")
        work = slug_dir / f"{aufraeumen.UNFINISHED}{stamp}-{os.getpid()}-{threading.get_ident()}"
        slug_dir.mkdir(parents=True, exist_ok=True)
        work.mkdir()
        try:
            lock = aufraeumen.RunLock(work)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        try:
            prepared = _Prepared(
                parameter_file, ba, read, declared, notebooks, started, slug_dir, stamp, work, lock
            )
            return _run_in(prepared, browser, progress, parallel, overlap)
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                _stop_kernels(browsers=True)
            if isinstance(exc, OSError) and exc.filename is None:
                exc.filename = str(slug_dir)  # a full disk at write(): say where
            lock.release()
            _remove(work)
            raise


@contextlib.contextmanager
def _stop_children_on_interrupt() -> Iterator[None]:
    """On Ctrl-C/SIGTERM end kernels and Chromium at once – before the report job waits for
    its print, which for a large report would take many minutes."""
    try:
        yield
    except KeyboardInterrupt:
        _stop_kernels(browsers=True)
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


def _run_in(
    prepared: _Prepared,
    browser: str | None,
    progress: Callable[[str], None],
    parallel: int,
    overlap: bool,
) -> RunResult:
    """The run inside its unfinished folder; the caller removes it on any error."""
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
    )
    if snapshot.changed:  # replaced between the check and the copy: use the copies throughout
        progress(
            "Während der Prüfung geändert, es gilt der Stand der Momentaufnahme: "
            + ", ".join(str(path) for path in snapshot.changed)
        )
        ba = load_bestand(snapshot.parameter_file, snapshot=snapshot.index)
        schritte.summary(ba)
    meta = bericht.ReportMeta(
        gemeinde=ba.settings.gemeinde, stichtag=ba.settings.stichtag, ags=ba.settings.ags
    )
    report = bericht.ReportJob([work / nb.name for nb in notebooks], meta, browser=browser)
    durations: dict[str, float] = {}
    # the appendix and the report's chapters are made while the last kernels still run
    appendix_done: list[concurrent.futures.Future] = []

    def on_start(remaining: int) -> None:
        if remaining == 0 and overlap:  # the last notebook has started: a core is free soon
            report.start_browser()
            appendix_done.append(_in_background(lambda: schritte.write_outputs(ba, work)))

    with report, _stop_children_on_interrupt():
        try:
            executed = _execute_all(
                notebooks,
                work,
                parameter_file,
                parallel,
                progress,
                durations,
                order=_execution_order(notebooks, slug_dir),
                started=on_start,
                finished=report.chapter_ready if overlap else lambda _path: None,
                snapshot=snapshot,
            )
        except _StepFailed as exc:
            for future in appendix_done:  # it must not write into a moved folder
                concurrent.futures.wait([future])
            shutil.rmtree(work / SNAPSHOT_DIR, ignore_errors=True)
            p.lock.release()
            failed = _rename_free(work, slug_dir / FAILED_DIR, p.stamp)
            message = f"{exc.reason}\nTeilweise ausgeführtes Notebook: {failed / exc.notebook}"
            if exc.kernel_log:
                message += f"\nMeldungen des Kernels: {failed / exc.kernel_log}"
            raise RunFailed(message) from None

        progress("Bericht (HTML, PDF) und Anhänge …")
        start = time.perf_counter()
        html, pdf = report.finish(work)
        # made alongside the last step when overlapping, else now
        appendix, *_ = (
            appendix_done[0].result() if appendix_done else schritte.write_outputs(ba, work)
        )
        durations["bericht"] = time.perf_counter() - start
    results: dict[str, Any] = {}
    for nb in executed:
        results.update(read_results(nb))
    (work / "ergebnisse.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    (work / protokoll.FILE_NAME).write_text(
        json.dumps(
            protokoll.record(parameter_file, snapshot, p.started, durations, results),
            ensure_ascii=False,
            indent=2,
        ),
        encoding="utf-8",
    )
    shutil.rmtree(work / SNAPSHOT_DIR)
    p.lock.release()
    final = _rename_free(work, slug_dir, p.stamp)
    _point_latest(slug_dir, final)
    return RunResult(
        run_dir=final,
        pdf=final / pdf.name,
        html=final / html.name,
        appendix=final / appendix.name,
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
