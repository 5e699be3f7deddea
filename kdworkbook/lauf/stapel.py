"""Batch runs: many municipalities, in parallel worker processes, one progress display.

Each worker process runs :func:`kdworkbook.lauf.lauf.run` (the papermill API, one process per
worker). A failing municipality never stops the others; the summary says which failed why.
"""

from __future__ import annotations

import multiprocessing as mp
import signal
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kdworkbook.kern import systemfehler
from kdworkbook.kern.errors import InputError, KdworkbookError
from kdworkbook.kern.formatierung import zahl
from kdworkbook.lauf import abbruch, lauf

OK, FAILED, BAD_INPUT = 0, 1, 2


@dataclass(frozen=True)
class Outcome:
    """The result of one municipality's run."""

    parameter_file: str
    code: int  # 0 ok, 1 failed, 2 bad input or an error of the system (disk full, …)
    message: str  # PDF path, or the reason
    seconds: float
    system: bool = False  # the operating system refused (read-only folder, full disk, …)

    @property
    def status(self) -> str:
        if self.system:
            return "Systemfehler"
        return {OK: "ok", FAILED: "fehlgeschlagen", BAD_INPUT: "Eingabefehler"}[self.code]


def run_one(
    parameter_file: str,
    output_root: str,
    browser: str | None,
    progress: Callable[[str], None],
    notebook_dir: Path = lauf.NOTEBOOK_DIR,
    parallel: int = 1,
    overlap: bool = True,
) -> Outcome:
    """One municipality; every error becomes an Outcome instead of an exception."""
    start = time.perf_counter()
    system = False
    try:
        result = lauf.run(
            parameter_file,
            output_root,
            notebook_dir=notebook_dir,
            browser=browser,
            progress=progress,
            parallel=parallel,
            overlap=overlap,
        )
        code, message = OK, str(result.pdf)
    except InputError as exc:
        code, message = BAD_INPUT, "\n".join(exc.messages)
    except KdworkbookError as exc:  # a step failed (RunFailed) or the report (ReportError)
        code, message = FAILED, str(exc)
    except OSError as exc:  # read-only or full output folder, …: said in German, exit 2
        code, message, system = BAD_INPUT, systemfehler.text(exc), True
    except Exception as exc:  # a bug must not stop the other municipalities
        code, message = FAILED, f"Unerwarteter Fehler: {exc!r}\n{traceback.format_exc()}"
    return Outcome(parameter_file, code, message, time.perf_counter() - start, system)


#: Imported once by the fork server, before it forks the workers: each worker starts
#: with them loaded instead of importing them itself (about 2 s of CPU per worker).
PRELOAD = [
    "kdworkbook.lauf.stapel",
    "papermill",
    "nbconvert",
    "jupyter_client",
    "playwright.sync_api",
]


def _context() -> Any:
    """Workers come from a fork server (a clean process, forked before any threads run)
    where the platform has one, else they are spawned (Windows)."""
    if "forkserver" in mp.get_all_start_methods():
        context = mp.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        return context
    return mp.get_context("spawn")


def _worker_init() -> None:
    """SIGTERM ends an idle worker at once; during a run, :func:`lauf.run` turns it into the
    same clean-up as Ctrl-C (no half-written run folder, see :mod:`abbruch`)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _worker(
    parameter_file: str, output_root: str, browser: str | None, queue: Any, notebook_dir: Path
) -> Outcome:
    name = Path(parameter_file).stem
    return run_one(
        parameter_file,
        output_root,
        browser,
        lambda msg: queue.put((name, msg)),
        notebook_dir,
        # the report's chapters and Chromium alongside the last notebooks, as in a run on its
        # own: with one kernel per run, two workers alone left a core idle 14 % of the time
        overlap=True,
    )


def run_many(
    parameter_files: list[Path],
    output_root: Path,
    jobs: int | None = None,
    browser: str | None = None,
    show: Callable[[str], None] = print,
    notebook_dir: Path = lauf.NOTEBOOK_DIR,
) -> list[Outcome]:
    """Run all municipalities; returns one Outcome each.

    *jobs* is how many kernels work at the same time: for one municipality its step
    notebooks run side by side (default :data:`lauf.PARALLEL_NOTEBOOKS`); for several,
    *jobs* worker processes each run one municipality at a time (default 1).
    """
    begin = time.perf_counter()

    def report(name: str, msg: str) -> None:
        show(f"{zahl(time.perf_counter() - begin, 1):>7} s  {name:<28} {msg}")

    files = [str(p) for p in parameter_files]
    if len(files) == 1 or not jobs or jobs <= 1:
        parallel = (jobs or lauf.PARALLEL_NOTEBOOKS) if len(files) == 1 else 1
        return [
            run_one(
                f,
                str(output_root),
                browser,
                lambda msg, n=Path(f).stem: report(n, msg),
                notebook_dir,
                parallel,
            )
            for f in files
        ]

    context = _context()
    # SIGTERM to this process stops the workers the same way as Ctrl-C (see below)
    with abbruch.interrupt_on_sigterm(), context.Manager() as manager:
        queue = manager.Queue()
        pool = context.Pool(processes=jobs, initializer=_worker_init)
        try:
            pending = [
                pool.apply_async(_worker, (f, str(output_root), browser, queue, notebook_dir))
                for f in files
            ]
            while not all(result.ready() for result in pending):
                abbruch.check()
                time.sleep(0.2)
                _drain(queue, report)
            _drain(queue, report)
            outcomes = [result.get() for result in pending]
            pool.close()
            return outcomes
        except BaseException:  # Ctrl-C, SIGTERM (abbruch.Interrupted), …
            pool.terminate()  # SIGTERM: each worker removes its unfinished run
            raise
        finally:
            pool.join()


def _drain(queue: Any, report: Callable[[str, str], None]) -> None:
    while not queue.empty():
        report(*queue.get_nowait())


def summary_table(outcomes: list[Outcome]) -> str:
    """German closing table: Kommune, Ergebnis, Dauer, and the reason of each failure."""
    width = max([len("Parameterdatei")] + [len(Path(o.parameter_file).name) for o in outcomes])
    lines = ["", "Zusammenfassung", f"  {'Parameterdatei':<{width}}  {'Ergebnis':<15} {'Dauer':>9}"]
    for o in outcomes:
        lines.append(
            f"  {Path(o.parameter_file).name:<{width}}  {o.status:<15} "
            f"{zahl(o.seconds, 1) + ' s':>9}"
        )
        first = o.message.splitlines()[0] if o.message else ""
        lines.append(f"  {'':<{width}}  → {first}")
    ok = sum(o.code == OK for o in outcomes)
    lines.append(f"{ok} von {len(outcomes)} Läufen erfolgreich.")
    return "\n".join(lines)
