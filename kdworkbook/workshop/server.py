"""Starting the workshop app as a Voilà server on this computer only (127.0.0.1).

``kdworkbook workshop PARAMS`` calls :func:`start_server` and waits until Ctrl-C; tests call it
too and always :meth:`Server.stop` it. Voilà runs ``notebooks/workshop.ipynb`` without showing
code; the parameter file reaches the notebook through the environment variable
``KDWORKBOOK_PARAMETER``.

The app can change the parameter file, so listening on the loopback address is not enough:
a web page in the analyst's browser can reach 127.0.0.1 too (by DNS rebinding, a foreign
host name that resolves to 127.0.0.1). Every request therefore needs the secret token from
the printed URL (like Jupyter's), a local host name in ``Host:`` and, if the browser sends
one, a local ``Origin:`` – checked in front of every Voilà handler, websockets included.
"""

from __future__ import annotations

import errno
import hmac
import inspect
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kdworkbook.kern import paket
from kdworkbook.kern.errors import InputError
from kdworkbook.workshop.app import ENV_PARAMETER

NOTEBOOK = paket.notebook_dir() / "workshop.ipynb"
HOST = "127.0.0.1"  # loopback only: the app can write the parameter file
START_TIMEOUT_S = 60.0
LOCAL_HOST_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
"""Host names a request may carry in ``Host:``/``Origin:``; anything else is refused (403)."""
ENV_TOKEN = "KDWORKBOOK_WORKSHOP_TOKEN"
"""Passes the token to the Voilà process (not on its command line, which others can read)."""
TOKEN_COOKIE = "kdworkbook-workshop-{port}"
"""Cookie that carries the token after the first request (cookies do not separate ports)."""


@dataclass
class Server:
    """A running Voilà server: its process, URL and log file."""

    process: subprocess.Popen
    url: str  # with ?token=…: the only way in
    log: Path
    token: str = ""

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


def _port_busy(port: int) -> bool:
    """True if something listens on *port* of the loopback address already."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Tornado binds
        try:
            sock.bind((HOST, port))
        except OSError as exc:
            return exc.errno == errno.EADDRINUSE
    return False


def _busy_message(port: int) -> str:
    return (
        f"Port {port} ist bereits belegt – dort läuft schon ein anderes Programm (vielleicht "
        "ein zweiter Workshop). Bitte einen anderen Port wählen (--port) oder --port weglassen, "
        "dann wird ein freier gesucht."
    )


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
    if port is not None and not 0 < port < 65536:
        raise InputError(f"--port: {port} ist kein Port – erwartet: 1 bis 65535.")
    if port and _port_busy(port):
        raise InputError(_busy_message(port))
    port = port or free_port()
    token = secrets.token_urlsafe(32)
    log = Path(tempfile.mkstemp(prefix="kdworkbook-workshop-", suffix=".log")[1])
    command = [
        sys.executable,
        "-m",
        "kdworkbook.workshop.server",  # Voilà behind the token/host/origin guard (below)
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
            env={**os.environ, ENV_PARAMETER: str(path), ENV_TOKEN: token},
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # own process group: stop() also ends the kernel
        )
    server = Server(process, f"http://{HOST}:{port}/?token={token}", log, token)
    deadline = time.monotonic() + timeout
    while not _listening(port) or process.poll() is not None:
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            text = log.read_text(encoding="utf-8", errors="replace")
            if "already in use" in text or "Address already in use" in text:
                raise InputError(_busy_message(port))
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
        print(
            f"Workshop läuft: {server.url}  (beenden mit Strg-C)\n"
            "Die Adresse enthält einen geheimen Schlüssel: nur mit ihr öffnet sich die App.",
            flush=True,
        )
        while server.process.poll() is None:
            time.sleep(0.5)
        print(f"Der Workshop-Server hat sich beendet; Protokoll: {server.log}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Workshop beendet.", flush=True)
        return 0
    finally:
        server.stop()


# --------------------------------------------------------------------------- the guard


class _Guard:
    """Mixed in front of every Voilà handler: token, local ``Host:``, local ``Origin:``."""

    async def prepare(self, *args: Any, **kwargs: Any) -> None:
        self._kdw_check()  # type: ignore[attr-defined]
        result = super().prepare(*args, **kwargs)  # type: ignore[misc]
        if inspect.isawaitable(result):
            await result

    def _kdw_check(self) -> None:
        from tornado.web import HTTPError

        request = self.request  # type: ignore[attr-defined]
        host = urlsplit(f"//{request.host}")
        if host.hostname not in LOCAL_HOST_NAMES:
            raise HTTPError(403, "Host nicht erlaubt")
        origin = request.headers.get("Origin")
        if origin is not None:
            seen = urlsplit(origin)
            if seen.hostname not in LOCAL_HOST_NAMES or seen.port != host.port:
                raise HTTPError(403, "Origin nicht erlaubt")
        expected = os.environ.get(ENV_TOKEN, "")
        cookie = TOKEN_COOKIE.format(port=host.port)
        given = (
            self.get_query_argument("token", "")  # type: ignore[attr-defined]
            or self.get_cookie(cookie, "")  # type: ignore[attr-defined]
            or request.headers.get("Authorization", "").removeprefix("token ").strip()
        )
        if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
            raise HTTPError(403, "Schlüssel fehlt oder ist falsch")
        if self.get_cookie(cookie, "") != expected:  # type: ignore[attr-defined]
            self.set_cookie(  # type: ignore[attr-defined]
                cookie, expected, httponly=True, samesite="Strict", path="/"
            )


def _guarded(handler: type) -> type:
    return type(f"Geschuetzt{handler.__name__}", (_Guard, handler), {})


def _run_voila(argv: list[str]) -> None:
    """``python -m kdworkbook.workshop.server NOTEBOOK [Voilà options]``: Voilà, guarded."""
    from voila.app import Voila

    class GuardedVoila(Voila):
        def init_handlers(self) -> list:
            return [(rule[0], _guarded(rule[1]), *rule[2:]) for rule in super().init_handlers()]

    GuardedVoila.launch_instance(argv)


if __name__ == "__main__":
    _run_voila(sys.argv[1:])
