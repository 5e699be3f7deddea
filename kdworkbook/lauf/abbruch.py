"""SIGTERM as a request to stop: the signal handler only sets a flag.

The runner looks at the flag where it waits anyway – the polling loop of
:func:`kdworkbook.lauf.lauf._execute_all`, the wait for report and appendix, the batch
runner's loop – and raises :class:`Interrupted` there, so the same clean-up as after Ctrl-C
runs (unfinished folder removed, kernels and Chromium stopped), and no exception is ever
raised from inside library code (``Popen.poll()``, pandas, …). Ctrl-C stays Python's own
``KeyboardInterrupt``.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import Any, TypeVar

T = TypeVar("T")

#: how often a wait looks at the flag (seconds)
POLL_S = 0.05

_requested = threading.Event()


class Interrupted(KeyboardInterrupt):
    """SIGTERM arrived; raised where the runner looks at the flag. A ``KeyboardInterrupt``,
    so everything that cleans up after Ctrl-C cleans up after SIGTERM too."""


def _handler(signum: int, _frame: Any) -> None:
    _requested.set()


@contextlib.contextmanager
def interrupt_on_sigterm() -> Iterator[None]:
    """While inside, SIGTERM sets the flag (main thread only; Python delivers signals
    there). A request that arrives after the last look is honoured when the block ends."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _handler)
    if previous is not _handler:  # the outermost block: an old request does not count
        _requested.clear()
    try:
        yield
        check()
    finally:
        signal.signal(signal.SIGTERM, previous)


def requested() -> bool:
    """Whether SIGTERM has arrived."""
    return _requested.is_set()


def check() -> None:
    """Raise :class:`Interrupted` if SIGTERM has arrived."""
    if _requested.is_set():
        raise Interrupted(f"Signal {signal.SIGTERM.value}")


def wait(future: concurrent.futures.Future[T]) -> T:
    """The result of *future*; stops waiting (raising :class:`Interrupted`) on SIGTERM."""
    while not concurrent.futures.wait([future], timeout=POLL_S).done:
        check()
    return future.result()
