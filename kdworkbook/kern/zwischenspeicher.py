"""A cache for results that are costly to make and follow from their inputs alone.

An entry is stored under the SHA-256 of everything it was made from (:func:`key`), so a
changed input is a new key and can never meet an old result; nothing has to be invalidated.
Used for the BPMN diagrams drawn by bpmn-js in Chromium
(:mod:`kdworkbook.musterprozess.bpmn_bild`): a batch of municipalities with the same
Musterprozess draws it once, and a run's report, slides and Word file reuse the drawing of
its kernel.

Where: the folder in env ``KDWORKBOOK_CACHE`` (``aus`` or empty: no cache), else
``$XDG_CACHE_HOME/kdworkbook``, else ``~/.cache/kdworkbook`` – the usual place for a user's
caches on Linux (XDG Base Directory Specification). Entries are JSON (never code), one file
each, written atomically; an unreadable entry counts as missing, and a folder that cannot be
written is no error – the result is then made every time. At most :data:`MAX_ENTRIES` per
kind are kept, the least recently used are removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ENV = "KDWORKBOOK_CACHE"
#: values of :data:`ENV` that switch the cache off
OFF = ("", "aus")
#: entries kept per kind (a drawn diagram is 50–150 KB: a few dozen MB at most)
MAX_ENTRIES = 400


def folder(kind: str) -> Path | None:
    """The folder of *kind*'s entries; None when the cache is switched off."""
    configured = os.environ.get(ENV)
    if configured is not None:
        if configured.strip().lower() in OFF:
            return None
        return Path(configured).expanduser() / kind
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kdworkbook" / kind


def key(*parts: str | bytes) -> str:
    """SHA-256 over *parts* (each length-prefixed, so no two lists of parts share a key)."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def get(kind: str, name: str) -> Any | None:
    """The entry *name* of *kind*, or None (missing, unreadable, cache switched off)."""
    where = folder(kind)
    if where is None:
        return None
    path = where / f"{name}.json"
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: kept when the folder is pruned
    return value


def put(kind: str, name: str, value: Any) -> None:
    """Store *value* (JSON) as the entry *name* of *kind*; a failure only means no entry."""
    where = folder(kind)
    if where is None:
        return
    try:
        where.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=where, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(value, out, ensure_ascii=False)
            os.replace(temporary, where / f"{name}.json")
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _prune(where)
    except OSError:
        return


@contextlib.contextmanager
def made_once(kind: str, name: str) -> Iterator[None]:
    """While inside, no other process is inside for the same entry: a process that would
    make *name* checks :func:`get` in here and finds what the one before it made, instead
    of making it a second time at the same moment (two kernels of a run, a batch). Without
    a cache (or where it cannot be written, or on Windows) it does not wait for anyone."""
    where = folder(kind)
    if where is None or os.name != "posix":
        yield
        return
    import fcntl

    try:
        where.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle = os.open(where / f".{name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        yield
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the handle is closed
        yield
    finally:
        os.close(handle)


def _prune(where: Path) -> None:
    entries = []
    for path in where.glob("*.json"):
        with contextlib.suppress(OSError):
            entries.append((path.stat().st_mtime_ns, path))
    entries.sort()
    for _, path in entries[: max(0, len(entries) - MAX_ENTRIES)]:
        path.unlink(missing_ok=True)
