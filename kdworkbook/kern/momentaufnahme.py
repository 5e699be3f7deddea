"""A run's inputs, read once: every file the checks read is copied at the start of a run.

The steps run in separate kernels and each reads the parameter file itself; a survey that is
replaced while they run would otherwise reach some steps and the manifest but not others.
So :func:`lauf.run` validates the inputs while :func:`recording` notes every file opened for
reading (a PEP 578 audit hook, active only inside the block and only in its thread), then
:func:`take` copies those files into ``<run>/.eingaben/`` under their absolute paths (so
relative references between them – a process model naming its BPMN file, a catalogue next
to the parameter file – still resolve), with the SHA-256 of exactly the copied bytes. The
kernels get the copy of the parameter file; ``load_bestand`` resolves its paths from the
original folder (as the check did), and :func:`apply` maps them onto the copies and fixes
the Stichtag the run started with.

Files of the installed package (``kdworkbook/data``) are listed with their hash, not copied.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import stat
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from kdworkbook.kern import systemfehler
from kdworkbook.kern.errors import InputError

ENV = "KDWORKBOOK_MOMENTAUFNAHME"  # path of the snapshot's index, set for the step kernels
INDEX = "index.json"
FILES = "dateien"
PACKAGE_DIR = Path(__file__).resolve().parents[1]
PACKAGE_DATA = PACKAGE_DIR / "data"
#: never inputs: code, and what the system and libraries read for themselves
_IGNORED_SUFFIXES = {".py", ".pyc", ".so", ".pth", ".ttf", ".otf", ".afm"}
_SYSTEM = [Path(p) for p in ("/proc", "/sys", "/dev", "/etc", "/usr")]

_local = threading.local()
_installed = False


def _library_dirs() -> list[Path]:
    dirs = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    return [*_SYSTEM, *dirs, Path.home() / ".cache", Path.home() / ".config"]


def _inside(path: Path, folders: list[Path]) -> bool:
    return any(path == f or f in path.parents for f in folders)


def _for_reading(mode: Any, flags: Any) -> bool:
    if isinstance(mode, str):
        return not any(c in mode for c in "wax+")
    return isinstance(flags, int) and flags & os.O_ACCMODE == os.O_RDONLY


def _hook(event: str, args: tuple[Any, ...]) -> None:
    files = getattr(_local, "files", None)
    if files is None or event != "open":
        return
    name, mode, flags = (tuple(args) + (None, None, None))[:3]
    if not isinstance(name, str | bytes | os.PathLike) or not _for_reading(mode, flags):
        return
    path = Path(os.fsdecode(name))
    if path.suffix.lower() in _IGNORED_SUFFIXES:
        return
    try:
        info = os.stat(path)
        path = path.resolve()
    except (OSError, RuntimeError):
        return  # the reader itself reports a missing file or a loop
    if (
        stat.S_ISDIR(info.st_mode)
        or _inside(path, _library_dirs())
        and not _inside(path, [PACKAGE_DIR])
    ):
        return
    if not stat.S_ISREG(info.st_mode):  # a FIFO or device would block the reader forever
        raise InputError(
            f"{path}: ist {systemfehler.kind(info.st_mode)}, keine gewöhnliche Datei – "
            "erwartet wird eine Datei."
        )
    files.setdefault(path, info)


@contextlib.contextmanager
def recording() -> Iterator[dict[Path, os.stat_result]]:
    """Yields a dict that fills with every input file opened for reading in this thread
    (resolved path → its stat when first opened). Non-regular files are refused."""
    global _installed
    if not _installed:
        sys.addaudithook(_hook)
        _installed = True
    previous = getattr(_local, "files", None)
    _local.files = files = {}
    try:
        yield files
    finally:
        _local.files = previous


def sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in blocks of 1 MiB."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def package_data() -> list[Path]:
    """The data files shipped with the package (registers, catalogues, texts)."""
    return sorted(
        p for p in PACKAGE_DATA.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    )


@dataclass
class Snapshot:
    """The copies of one run's inputs."""

    root: Path
    parameter_file: Path  # the copy the step kernels read
    stichtag: dt.date
    stichtag_given: bool  # False: the parameter file has none, the run's start date is used
    copies: dict[Path, Path] = field(default_factory=dict)  # original → copy
    hashes: dict[Path, str] = field(default_factory=dict)  # original → SHA-256 of the copy
    changed: list[Path] = field(default_factory=list)  # changed between check and copy

    @property
    def index(self) -> Path:
        return self.root / INDEX


def copy_path(root: Path, original: Path) -> Path:
    """Where *original* (absolute, resolved) lies in the snapshot."""
    return root / FILES / original.relative_to(original.anchor)


def take(
    root: Path,
    parameter_file: Path,
    read: dict[Path, os.stat_result],
    declared: list[Path],
    stichtag: dt.date,
    stichtag_given: bool,
    extra: dict[str, Any] | None = None,
) -> Snapshot:
    """Copy the parameter file and every file in *read* (with its stat at first read) and
    *declared* into *root*; package data is hashed, not copied. *extra* goes into the index
    as it is (e.g. ``vorheriger_lauf``: the previous report a step compares with)."""
    parameter_file = parameter_file.resolve()
    snap = Snapshot(root, copy_path(root, parameter_file), stichtag, stichtag_given)
    wanted = dict.fromkeys([parameter_file, *read, *(p.resolve() for p in declared)])
    for original in wanted:
        if _inside(original, [PACKAGE_DIR]):
            snap.hashes[original] = sha256(original)
            continue
        target = copy_path(root, original)
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with original.open("rb") as source, target.open("wb") as out:
            now = os.fstat(source.fileno())
            before = read.get(original)
            if before is not None and _identity(before) != _identity(now):
                snap.changed.append(original)
            for block in iter(lambda: source.read(1 << 20), b""):
                digest.update(block)
                out.write(block)
        snap.copies[original] = target
        snap.hashes[original] = digest.hexdigest()
    for path in package_data():
        snap.hashes.setdefault(path, sha256(path))
    snap.index.write_text(
        json.dumps(
            {
                "parameterdatei": str(parameter_file),
                "stichtag": stichtag.isoformat(),
                "stichtag_angegeben": stichtag_given,
                "kopien": {str(k): str(v) for k, v in snap.copies.items()},
                **(extra or {}),
            },
            ensure_ascii=False,
            indent=2,
        ),
        encoding="utf-8",
    )
    return snap


def _identity(info: os.stat_result) -> tuple[int, ...]:
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


def _remap(value: Any, copies: dict[str, str]) -> Any:
    """*value* with every path that was copied replaced by its copy (frozen models are
    copied, not changed)."""
    if isinstance(value, Path):
        return Path(copies[str(value)]) if str(value) in copies else value
    if isinstance(value, BaseModel):
        changes = {}
        for name in type(value).model_fields:
            old = getattr(value, name)
            new = _remap(old, copies)
            if new is not old:
                changes[name] = new
        return value.model_copy(update=changes) if changes else value
    if isinstance(value, tuple | list):
        items = [_remap(v, copies) for v in value]
        if all(a is b for a, b in zip(items, value, strict=True)):
            return value
        return type(value)(items)
    if isinstance(value, dict):
        items = {k: _remap(v, copies) for k, v in value.items()}
        return value if all(items[k] is value[k] for k in value) else items
    return value


def read_index(index: Path | str | None = None) -> dict[str, Any] | None:
    """The index of the snapshot *index* (default: env ``KDWORKBOOK_MOMENTAUFNAHME``, set
    for the step kernels), or None outside a run."""
    index = index or os.environ.get(ENV)
    if not index:
        return None
    return json.loads(Path(index).read_text(encoding="utf-8"))


def base_dir(index: dict[str, Any] | None) -> Path | None:
    """The folder of the original parameter file: relative paths resolve from there exactly
    as when the run was checked (symbolic links included), then :func:`apply` maps them."""
    return Path(index["parameterdatei"]).parent if index else None


def apply(
    settings: BaseModel, index: dict[str, Any] | None, stichtag: dt.date | None = None
) -> BaseModel:
    """*settings* as the run saw them: every copied file mapped onto its copy, and – if the
    parameter file names no Stichtag – *stichtag* or the run's."""
    if index:
        settings = _remap(settings, index["kopien"])
        stichtag = stichtag or dt.date.fromisoformat(index["stichtag"])
    if stichtag and "stichtag" not in settings.model_fields_set:
        settings = settings.model_copy(update={"stichtag": stichtag})
        settings.model_fields_set.discard("stichtag")  # still: not named in the file
    return settings
