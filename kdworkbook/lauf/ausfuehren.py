"""One step notebook executed in a process of its own: ``python -m kdworkbook.lauf.ausfuehren JOB``.

The runner (:mod:`kdworkbook.lauf.lauf`) starts one such process per step, each in a process
group of its own. papermill changes the working folder of the whole process to the
notebook's folder; here that is this process only, never the runner. The kernel inherits
this process's environment (the run's snapshot) and its stderr (the kernel log). SIGTERM
shuts the kernel down (nbclient's handler while it runs), then the process ends.

JOB is a JSON object: ``notebook``, ``target``, ``parameters``, ``cwd``, ``sockets`` (a
private folder for the kernel's Unix sockets), ``shown`` (copy and original name of the
parameter file, or null) and ``failure`` (where a failure is described as JSON).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

import nbformat

#: the parameter whose value the executed notebook shows as the analyst's file
PARAMETER_NAME = "parameter_file"
SNAPSHOT_NOTE = (
    "# gelesen wurde die Kopie dieser Datei vom Beginn des Laufs (Prüfsummen: lauf.json)"
)
#: the parameter with the run's results of the check (:mod:`kdworkbook.lauf.vorberechnung`,
#: not imported here: it loads pandas into this small process)
HANDED_NAME = "vorberechnung"
HANDED_NOTE = "# im Lauf aus der Prüfung übernommen; die Datei gab es nur während des Laufs"


def _kernel_manager(sockets: Path) -> type:
    """The kernel talks to this process over Unix sockets in the private folder *sockets*
    instead of localhost TCP ports that every user of the machine can reach."""
    from jupyter_client import AsyncKernelManager

    class StepKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            if os.name == "posix":  # ZeroMQ has no Unix sockets on Windows
                kwargs.setdefault("transport", "ipc")
                kwargs.setdefault("ip", str(sockets / "k"))
            super().__init__(**kwargs)

    return StepKernelManager


def _engine() -> str:
    """papermill's own engine (nbclient), except that a notebook whose kernel died is still
    written, with the outputs it has so far."""
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
                show_original(nb_man.nb, shown_parameter)
                if keep_on_crash:
                    nbformat.write(nb_man.nb, keep_on_crash)
                raise
            finally:
                show_original(nb_man.nb, shown_parameter)
                hide_handed(nb_man.nb)

    papermill_engines.register("kdworkbook", KeepOnCrash)
    return "kdworkbook"


def show_original(nb: Any, shown: tuple[str, str] | list[str] | None) -> None:
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


def hide_handed(nb: Any) -> None:
    """The executed notebook shows ``vorberechnung = None`` with a note: the file the kernel
    read is removed with the run's snapshot, and without it the notebook, run again by hand,
    computes everything itself."""
    from papermill.translators import PythonTranslator

    parameters = nb.metadata.get("papermill", {}).get("parameters", {})
    handed = parameters.get(HANDED_NAME)
    if handed is None:
        return
    parameters[HANDED_NAME] = None
    line = f"{HANDED_NAME} = {PythonTranslator.translate_str(handed)}"
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []) and line in (
            cell.source
        ):
            cell.source = cell.source.replace(line, f"{HANDED_NAME} = None  {HANDED_NOTE}")


def execute(job: dict[str, Any]) -> dict[str, Any] | None:
    """Execute the notebook of *job*; None when it succeeded, else what failed."""
    import papermill
    from nbclient.exceptions import DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    shown = tuple(job["shown"]) if job.get("shown") else None
    try:
        papermill.execute_notebook(
            job["notebook"],
            job["target"],
            parameters=job["parameters"],
            kernel_name="python3",
            progress_bar=False,
            cwd=job["cwd"],  # changes the folder of this process only
            # written once at the end (also when a cell fails), not after every cell:
            # rewriting a notebook full of charts 15 times costs about half a second
            request_save_on_cell_execute=False,
            kernel_manager_class=_kernel_manager(Path(job["sockets"])),
            engine_name=_engine(),
            keep_on_crash=job["target"],
            shown_parameter=shown,
        )
    except PapermillExecutionError as exc:
        return {
            "art": "zelle",
            "zelle": exc.exec_count or exc.cell_index,
            "fehler": exc.ename,
            "text": exc.evalue,
        }
    except DeadKernelError:
        return {"art": "kernel"}
    return None


def _end_with_the_runner(runner: int) -> None:
    """When the runner is gone (killed with -9), this step ends too: SIGTERM to itself,
    which shuts its kernel down – no kernel outlives its run."""

    def watch() -> None:
        while os.getppid() == runner:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, daemon=True, name="kdworkbook-waechter").start()


def main(argv: list[str]) -> int:
    _end_with_the_runner(os.getppid())
    # papermill's English log lines would only repeat what the runner reports in German
    logging.getLogger("papermill").addHandler(logging.NullHandler())
    job = json.loads(argv[0])
    failure = execute(job)
    if failure is None:
        return 0
    Path(job["failure"]).write_text(json.dumps(failure, ensure_ascii=False), encoding="utf-8")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
