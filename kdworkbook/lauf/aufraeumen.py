"""Leftovers of runs that were killed (``kill -9``, power loss) and how to recognise them.

A running run holds an exclusive lock on ``.lauf.sperre`` in its unfinished folder
``outputs/<slug>/.unfertig-…``; the step kernels' socket folders are named
``<tmp>/kdw-<pid>-…`` after the runner's process. On the next start, :func:`remove_stale`
removes such folders whose process is gone (lock free, or PID not running on this machine)
and says so. Folders of another machine (a shared network drive) are left alone.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import stat
import tempfile
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: the PID alone decides
    fcntl = None  # type: ignore[assignment]

LOCK = ".lauf.sperre"
UNFINISHED = ".unfertig-"
SOCKET_PREFIX = "kdw-"
#: A socket folder named by an older version (without PID) is only removed when it is this
#: old: its step ended (no socket answers) and its own clean-up had ample time to run.
LEGACY_GRACE_S = 600
_PID_IN_RUN = re.compile(r"^\.unfertig-\d{4}-\d\d-\d\d_\d{6}-(\d+)-\d+$")
_PID_IN_SOCKETS = re.compile(r"^kdw-(\d+)-")
_PID_IN_LINK = re.compile(r"^\.latest-(\d+)-\d+$")


class RunLock:
    """Held while a run writes into *folder*; released by :meth:`release` (or the OS when
    the process dies)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / LOCK
        self._handle = self.path.open("w", encoding="utf-8")
        if fcntl is not None:
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        json.dump({"pid": os.getpid(), "rechner": socket.gethostname()}, self._handle)
        self._handle.flush()

    def release(self) -> None:
        """Remove the lock file and let go of the lock (before the folder is renamed)."""
        with contextlib.suppress(OSError):
            self.path.unlink(missing_ok=True)
        self._handle.close()


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but belongs to someone else
        return True
    return True


def _lock_is_free(path: Path) -> bool:
    with path.open("r", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # type: ignore[union-attr]
        except BlockingIOError:
            return False
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)  # type: ignore[union-attr]
        return True


def _run_is_dead(folder: Path) -> int | None:
    """The PID of the dead process that left *folder*, or None if it may still be running."""
    lock = folder / LOCK
    match = _PID_IN_RUN.match(folder.name)
    pid = int(match.group(1)) if match else None
    if lock.is_file():
        try:
            owner = json.loads(lock.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            owner = {}
        if owner.get("rechner", socket.gethostname()) != socket.gethostname():
            return None  # another machine's run on a shared drive
        pid = int(owner.get("pid", pid or 0)) or pid
        if fcntl is not None:
            try:
                return (pid or 0) if _lock_is_free(lock) else None
            except OSError:
                return None
    if pid is None or _running(pid):
        return None
    return pid


def _sockets_are_dead(folder: Path) -> int | None:
    match = _PID_IN_SOCKETS.match(folder.name)
    if match:
        pid = int(match.group(1))
        return None if _running(pid) else pid
    # named by an older version: dead if it holds sockets, none of them answers, and it is
    # older than a moment (a kernel that just closed its sockets is about to remove it)
    if time.time() - folder.stat().st_mtime < LEGACY_GRACE_S:
        return None
    sockets = [p for p in folder.iterdir() if stat.S_ISSOCK(p.lstat().st_mode)]
    if not sockets:
        return None
    for path in sockets:
        with socket.socket(socket.AF_UNIX) as probe:
            try:
                probe.connect(str(path))
                return None
            except OSError:
                continue
    return 0


def remove_stale(slug_dir: Path) -> list[str]:
    """Remove unfinished runs of *slug_dir* and kernel socket folders whose process is gone;
    returns one German line per removal."""
    lines = []
    if slug_dir.is_dir():
        for folder in sorted(slug_dir.glob(f"{UNFINISHED}*")):
            pid = _run_is_dead(folder) if folder.is_dir() else None
            if pid is not None:
                shutil.rmtree(folder, ignore_errors=True)
                lines.append(
                    f"Aufgeräumt: unfertigen Lauf {folder} entfernt (der Prozess "
                    f"{pid or 'unbekannt'} läuft nicht mehr)."
                )
        for link in slug_dir.glob(".latest-*"):
            match = _PID_IN_LINK.match(link.name)
            if match and not _running(int(match.group(1))):
                link.unlink(missing_ok=True)
    temp = Path(tempfile.gettempdir())
    for folder in sorted(temp.glob(f"{SOCKET_PREFIX}*")):
        try:
            mine = folder.stat().st_uid == getattr(os, "getuid", lambda: 0)()
            if not folder.is_dir() or folder.is_symlink() or not mine:
                continue
            pid = _sockets_are_dead(folder)
        except OSError:
            continue
        if pid is not None:
            shutil.rmtree(folder, ignore_errors=True)
            lines.append(
                f"Aufgeräumt: Verbindungsordner {folder} eines beendeten Laufs entfernt"
                + (f" (Prozess {pid})." if pid else ".")
            )
    return lines
