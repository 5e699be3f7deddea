"""Starting the workshop app as a Voilà server on this computer only (127.0.0.1).

``kdworkbook workshop PARAMS`` calls :func:`start_server` and waits until Ctrl-C; tests call it
too and always :meth:`Server.stop` it. Voilà runs ``notebooks/workshop.ipynb`` without showing
code; the parameter file reaches the notebook through the environment variable
``KDWORKBOOK_PARAMETER``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from kdworkbook import paket
from kdworkbook.errors import InputError
from kdworkbook.workshop import ENV_PARAMETER

NOTEBOOK = paket.notebook_dir() / "workshop.ipynb"
HOST = "127.0.0.1"  # loopback only: the app can write the parameter file
START_TIMEOUT_S = 60.0


@dataclass
class Server:
    """A running Voilà server: its process, URL and log file."""

    process: subprocess.Popen
    url: str
    log: Path

    def stop(self, timeout: float = 10.0) -> None:
        """End the server and its kernel (the whole process group); idempotent."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout)
            except ProcessLookupError:
                pass

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def free_port() -> int:
    """A TCP port on the loopback interface that is free right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((HOST, port)) == 0


def start_server(
    parameter_file: Path | str,
    port: int | None = None,
    notebook: Path = NOTEBOOK,
    timeout: float = START_TIMEOUT_S,
) -> Server:
    """Start Voilà on ``http://127.0.0.1:<port>/`` and wait until it accepts connections.

    Raises InputError (German) if the parameter file or the notebook is missing or the server
    does not come up within *timeout* seconds (its log is named).
    """
    path = Path(parameter_file).resolve()
    if not path.is_file():
        raise InputError(f"{parameter_file}: Parameterdatei nicht gefunden.")
    if not notebook.is_file():
        raise InputError(f"{notebook}: Workshop-Notebook nicht gefunden.")
    port = port or free_port()
    log = Path(tempfile.mkstemp(prefix="kdworkbook-workshop-", suffix=".log")[1])
    command = [
        sys.executable,
        "-m",
        "voila",
        str(notebook),
        "--no-browser",
        f"--port={port}",
        f"--Voila.ip={HOST}",
        "--Voila.port_retries=0",
        "--strip_sources=True",
        "--show_tracebacks=False",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=notebook.parent,
            env={**os.environ, ENV_PARAMETER: str(path)},
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # own process group: stop() also ends the kernel
        )
    server = Server(process, f"http://{HOST}:{port}/", log)
    deadline = time.monotonic() + timeout
    while not _listening(port):
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise InputError(f"Der Workshop-Server startete nicht (Port {port}); Protokoll: {log}")
        time.sleep(0.2)
    return server


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def serve(parameter_file: Path | str, port: int | None = None) -> int:
    """Start the server, print the URL, run until Ctrl-C (then stop it)."""
    server = start_server(parameter_file, port)
    signal.signal(signal.SIGTERM, _interrupt)  # „kill“ ends the server like Ctrl-C does
    try:
        print(f"Workshop läuft: {server.url}  (beenden mit Strg-C)", flush=True)
        while server.process.poll() is None:
            time.sleep(0.5)
        print(f"Der Workshop-Server hat sich beendet; Protokoll: {server.log}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Workshop beendet.", flush=True)
        return 0
    finally:
        server.stop()
