"""The step notebooks of a run executed in a process of their own:
``python -m kdworkbook.lauf.ausfuehren PRIVATE CWD``.

The runner (:mod:`kdworkbook.lauf.lauf`) starts a few such step processes per run (two side
by side), each in a process group of its own. Each starts ONE kernel at once – it boots while
the runner still checks the inputs – and executes the notebooks the runner hands it, one
after the other, in that kernel: a job is a JSON line on stdin, its end a JSON file the
runner waits for. Before every notebook the kernel's namespace is emptied (``%reset``: no
variable, figure or execution count of the notebook before is left), only the imported
modules stay – starting and importing anew for every notebook cost more than the notebooks'
own work. A run's notebooks all read the same snapshot, so nothing a module keeps can differ
between them; a kernel never serves two runs.

papermill changes the working folder of the whole process to the notebook's folder; here that
is this process only, never the runner. The kernel gets the run's snapshot with each job
(``umgebung``) and inherits this process's stderr (the kernel log). SIGTERM shuts the kernel
down – nbclient's handler while a notebook runs, this module's between notebooks –, then the
process ends.

A job is a JSON object: ``notebook``, ``target``, ``parameters``, ``cwd``, ``shown`` (copy and
original name of the parameter file, or null), ``umgebung`` (environment variables set in the
kernel first: the run's snapshot) and ``done`` (where the end is written: ``{}`` for
success, else what failed). PRIVATE is the runner's private temporary folder of this process
(the kernel's Unix sockets).
"""

from __future__ import annotations

import contextlib
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
#: What every step notebook imports first, loaded while the runner still checks the inputs
#: (the kernel waits for its first notebook then anyway); silent, not in the history. Then
#: the objects of the loaded modules are moved out of the garbage collector's sight
#: (``gc.freeze``): they live as long as the kernel, and each collection – also emptying the
#: namespace before a notebook – need not walk them again (0,1 s → 0,01 s).
WARM_UP = (
    "import kdworkbook.bericht.anzeige, kdworkbook.bericht.grafiken\n"
    "import kdworkbook.lauf.vorberechnung, matplotlib.pyplot\n"
    "import gc as _kdw_gc\n"
    "_kdw_gc.collect()\n"
    "_kdw_gc.freeze()\n"
    "del _kdw_gc"
)
#: the kernel keeps no history file (nbclient's default for the kernels it starts)
HISTORY_IN_MEMORY = "--HistoryManager.hist_file=:memory:"
#: how long a kernel may take to answer after its start (nbclient's default)
STARTUP_TIMEOUT_S = 60


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


#: Run before (and after) every notebook in the reused kernel, not stored in its history: the
#: job's environment is set, and no figure, no variable and no execution count of the
#: notebook before is left (the imported modules stay); the memory the notebook used goes
#: back to the system (a survey of 200.000 processes: several hundred MB per notebook).
FRESH_NAMESPACE = (
    "import os as _kdw_os\n"
    "_kdw_os.environ.update({environment!r})\n"
    "import matplotlib.pyplot as _kdw_plt\n"
    "_kdw_plt.close('all')\n"
    "get_ipython().reset(new_session=True)\n"
    "import ctypes as _kdw_ctypes, gc as _kdw_gc\n"
    "_kdw_gc.collect()\n"
    "try:\n"
    "    _kdw_ctypes.CDLL(None).malloc_trim(0)  # glibc\n"
    "except (AttributeError, OSError):\n"
    "    pass\n"
    "del _kdw_ctypes, _kdw_gc"
)


def _engine() -> str:
    """papermill's own engine (nbclient) with a kernel that outlives the notebook: the
    namespace is emptied first (:data:`FRESH_NAMESPACE`), and a notebook whose kernel died is
    still written, with the outputs it has so far."""
    from nbclient.exceptions import DeadKernelError
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    class FreshNamespace(PapermillNotebookClient):
        environment: dict[str, str] = {}

        def papermill_execute_cells(self) -> None:
            self._empty()
            try:
                super().papermill_execute_cells()
            finally:  # nothing of the notebook stays in memory while the kernel waits
                with contextlib.suppress(Exception):  # a dead kernel is reported by papermill
                    self._empty()

        def _empty(self) -> None:
            code = FRESH_NAMESPACE.format(environment=dict(self.environment))
            reply = self.wait_for_reply(self.kc.execute(code, silent=True, store_history=False))
            if reply is None or reply["content"].get("status") != "ok":
                raise DeadKernelError("Der Kernel konnte nicht geleert werden.")

        def execute(self, **kwargs: Any) -> Any:
            self.kc = _client.pop() if _client else None  # None: nbclient starts one
            try:
                nb = super().execute(**kwargs)
            except BaseException:  # a client after a failure is not handed on
                if self.kc is not None:
                    self.kc.stop_channels()
                    self.kc = None
                raise
            _client.append(self.kc)
            return nb

    class ReusedKernel(NBClientEngine):
        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man: Any,
            kernel_name: str,
            log_output: bool = False,
            stdout_file: Any = None,
            stderr_file: Any = None,
            start_timeout: int = STARTUP_TIMEOUT_S,
            execution_timeout: int | None = None,
            keep_on_crash: str = "",
            shown_parameter: tuple[str, str] | None = None,
            km: Any = None,
            environment: dict[str, str] | None = None,
            **_unused: Any,  # input_path: the notebook is read already
        ) -> Any:
            try:
                client = FreshNamespace(
                    nb_man,
                    km=km,
                    kernel_name=kernel_name,
                    log=logging.getLogger("papermill"),
                    log_output=log_output,
                    stdout_file=stdout_file,
                    stderr_file=stderr_file,
                    startup_timeout=start_timeout,
                    timeout=execution_timeout,
                )
                client.environment = environment or {}
                return client.execute()
            except DeadKernelError:
                show_original(nb_man.nb, shown_parameter)
                if keep_on_crash:
                    nbformat.write(nb_man.nb, keep_on_crash)
                raise
            finally:
                show_original(nb_man.nb, shown_parameter)
                hide_handed(nb_man.nb)

    papermill_engines.register("kdworkbook", ReusedKernel)
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


def execute(job: dict[str, Any], km: Any) -> dict[str, Any] | None:
    """Execute the notebook of *job* in the kernel of *km*; None when it succeeded, else what
    failed."""
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
            km=km,
            environment=job.get("umgebung", {}),
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


def _load_papermill() -> None:
    """What executing the first notebook would load and build first: papermill and nbclient,
    and nbformat's compiled schema validator (0,4 CPU-s, measured on the demo)."""
    import papermill.exceptions
    import papermill.translators  # noqa: F401 – loaded now, used by the first notebook

    _engine()
    nbformat.validate(nbformat.v4.new_notebook())


#: The process's one client of its kernel, between two notebooks: channels open, the kernel
#: known to answer on them. A client started per notebook waits for its IOPub channel to
#: connect (jupyter_client's ``wait_for_ready``: 0,2 s and more each time, the kernel idle).
_client: list[Any] = []


def _warm_up(km: Any) -> None:
    """:data:`WARM_UP` in the kernel of *km*, through the client the notebooks then use; a
    kernel that fails here fails its first notebook, where the runner reports it."""
    from jupyter_core.utils import run_sync

    client = km.client()
    client.start_channels()
    try:
        run_sync(client.execute_interactive)(
            WARM_UP,
            silent=True,
            store_history=False,
            allow_stdin=False,
            timeout=STARTUP_TIMEOUT_S,
            output_hook=lambda _msg: None,
        )
    except (TimeoutError, RuntimeError):
        client.stop_channels()
    else:
        _client.append(client)


class _Stop(Exception):
    """SIGTERM between two notebooks."""


def _stop(_signum: int, _frame: Any) -> None:
    raise _Stop


def _write_done(path: str, failure: dict[str, Any] | None) -> None:
    """The end of a job, written whole (the runner reads it as soon as it exists)."""
    part = Path(f"{path}.teil")
    part.write_text(json.dumps(failure or {}, ensure_ascii=False), encoding="utf-8")
    os.replace(part, path)


def main(argv: list[str]) -> int:
    from jupyter_core.utils import run_sync

    signal.signal(signal.SIGTERM, _stop)
    _end_with_the_runner(os.getppid())
    # papermill's English log lines would only repeat what the runner reports in German
    logging.getLogger("papermill").addHandler(logging.NullHandler())
    private, cwd = Path(argv[0]), argv[1]
    km = _kernel_manager(private)(kernel_name="python3")
    try:
        # the kernel boots and imports now, while the runner still checks the inputs
        run_sync(km.start_kernel)(extra_arguments=[HISTORY_IN_MEMORY], cwd=cwd)
        _load_papermill()  # while the kernel boots, not when the first notebook is due
        _warm_up(km)
        for line in sys.stdin:  # a job per line; the end of stdin: the run needs no more
            job = json.loads(line)
            failure = execute(job, km)
            # nbclient's handler of SIGTERM is gone with the notebook: this one again
            signal.signal(signal.SIGTERM, _stop)
            _write_done(job["done"], failure)
            if failure is not None and failure["art"] == "kernel":
                return 1
    except _Stop:
        return 128 + signal.SIGTERM
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # shutting down: no second interruption
        for client in _client:
            client.stop_channels()
        with contextlib.suppress(Exception):
            if run_sync(km.is_alive)():
                run_sync(km.shutdown_kernel)(now=True)
    return 0


if __name__ == "__main__":
    import gc

    code = main(sys.argv[1:])
    gc.freeze()  # the runner waits for this end: no teardown walking every object (cli.entry)
    sys.exit(code)
