"""Provenance of a run (``lauf.json``): versions, git commit, every input file with SHA-256.

``kdworkbook run --wiederholen outputs/<slug>/<run>`` reads it back, checks that every input
is still byte-for-byte the same, and reports each one that changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
import subprocess
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from kdworkbook import __version__
from kdworkbook.errors import InputError

FILE_NAME = "lauf.json"
#: Libraries whose versions can change a figure or the look of the report.
KEY_LIBRARIES = (
    "pandas",
    "numpy",
    "pandera",
    "pydantic",
    "papermill",
    "nbconvert",
    "ipykernel",
    "matplotlib",
    "seaborn",
    "openpyxl",
    "babel",
    "playwright",
    "pypdf",
)
_SUFFIXES = {".xlsx", ".xlsm", ".csv", ".txt", ".yaml", ".yml", ".bpmn", ".json"}


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _paths(value: Any) -> Iterator[Path]:
    if isinstance(value, Path):
        yield value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _paths(getattr(value, name))
    elif isinstance(value, dict):
        for item in value.values():
            yield from _paths(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _paths(item)


def input_files(parameter_file: Path, settings: BaseModel) -> list[Path]:
    """The parameter file and every file the settings name (files inside named folders too)."""
    base = parameter_file.resolve().parent
    found = [parameter_file.resolve()]
    for path in _paths(settings):
        path = path if path.is_absolute() else (base / path)
        if path.is_dir():
            found += sorted(
                p.resolve() for p in path.iterdir() if p.is_file() and p.suffix.lower() in _SUFFIXES
            )
        elif path.is_file():
            found.append(path.resolve())
    return list(dict.fromkeys(found))


def _git_commit() -> dict[str, Any] | None:
    root = Path(__file__).resolve().parent.parent
    if not (root / ".git").exists():
        return None
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            check=True,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--", "kdworkbook", "notebooks"],
            check=True,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": commit, "lokal_geaendert": bool(dirty)}


def _versions() -> dict[str, str]:
    versions = {}
    for name in KEY_LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def record(
    parameter_file: Path,
    inputs: list[Path],
    started: dt.datetime,
    durations: dict[str, float],
    results: dict[str, Any],
) -> dict[str, Any]:
    """The content of ``lauf.json``."""
    return {
        "kdworkbook": __version__,
        "git": _git_commit(),
        "python": platform.python_version(),
        "bibliotheken": _versions(),
        "parameterdatei": str(parameter_file.resolve()),
        "eingaben": [{"datei": str(p), "sha256": sha256(p)} for p in inputs],
        "start": started.isoformat(timespec="seconds"),
        "ende": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "dauer_s": {k: round(v, 3) for k, v in durations.items()},
        "ergebnisse": results,
    }


def read(run_dir: Path) -> dict[str, Any]:
    path = run_dir / FILE_NAME
    if not path.is_file():
        raise InputError(f"{run_dir}: kein abgeschlossener Lauf – {FILE_NAME} fehlt.")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: nicht lesbar ({exc}).") from None


def changed_inputs(recorded: dict[str, Any]) -> list[str]:
    """German lines for every recorded input that is missing or no longer the same."""
    changes = []
    for entry in recorded.get("eingaben", []):
        path = Path(entry["datei"])
        if not path.is_file():
            changes.append(f"{path}: fehlt inzwischen.")
        elif sha256(path) != entry["sha256"]:
            changes.append(f"{path}: wurde seit dem Lauf geändert (SHA-256 weicht ab).")
    return changes
