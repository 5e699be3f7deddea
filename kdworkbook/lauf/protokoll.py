"""Provenance of a run (``lauf.json``): versions, git commit, the Stichtag used, and every
file the run read – parameter file, survey files, process models, catalogues, registers,
texts, the package's own data files – each with the SHA-256 of the bytes the run used.

``kdworkbook run --wiederholen outputs/<slug>/<run>`` reads it back, checks that every input
is still byte-for-byte the same, reports each one that changed (or is new), and runs again
with the recorded Stichtag.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
import subprocess
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from kdworkbook import __version__
from kdworkbook.kern.errors import InputError
from kdworkbook.kern.momentaufnahme import sha256

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
    root = Path(__file__).resolve().parents[2]
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
    snapshot: Any,
    started: dt.datetime,
    durations: dict[str, float],
    results: dict[str, Any],
) -> dict[str, Any]:
    """The content of ``lauf.json``: every input with the SHA-256 of the bytes the run read
    (from its snapshot, :class:`momentaufnahme.Snapshot`), and the Stichtag it used."""
    package = Path(__file__).resolve().parents[1]
    return {
        "kdworkbook": __version__,
        "git": _git_commit(),
        "python": platform.python_version(),
        "bibliotheken": _versions(),
        "parameterdatei": str(parameter_file.resolve()),
        "stichtag": snapshot.stichtag.isoformat(),
        "stichtag_aus_parameterdatei": snapshot.stichtag_given,
        "eingaben": [
            {
                "datei": str(path),
                "sha256": digest,
                "art": "Paketdaten" if package in path.parents else "Eingabe",
            }
            for path, digest in snapshot.hashes.items()
        ],
        "start": started.isoformat(timespec="seconds"),
        "ende": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "dauer_s": {k: round(v, 3) for k, v in durations.items()},
        "ergebnisse": results,
    }


def recorded_stichtag(recorded: dict[str, Any]) -> dt.date | None:
    """The date a run used when its parameter file named none (None: the file names one,
    or the run was recorded before the date was)."""
    if recorded.get("stichtag_aus_parameterdatei", True) or "stichtag" not in recorded:
        return None
    return dt.date.fromisoformat(recorded["stichtag"])


def read(run_dir: Path) -> dict[str, Any]:
    return read_json(run_dir, FILE_NAME)


def read_json(run_dir: Path, name: str) -> dict[str, Any]:
    """A JSON file *name* of a finished run (``lauf.json``, ``ergebnisse.json``); a German
    InputError if it is missing or unreadable."""
    path = run_dir / name
    if not path.is_file():
        raise InputError(f"{run_dir}: kein abgeschlossener Lauf – {name} fehlt.")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: nicht lesbar ({exc}).") from None


def changed_inputs(recorded: dict[str, Any]) -> list[str]:
    """German lines for every recorded input that is missing or no longer the same, and
    for files a run would read now that it did not read then (a new file in a survey
    folder, a new file named in the parameter file)."""
    changes = []
    known = set()
    for entry in recorded.get("eingaben", []):
        path = Path(entry["datei"])
        known.add(path)
        if not path.is_file():
            changes.append(f"{path}: fehlt inzwischen.")
        elif sha256(path) != entry["sha256"]:
            changes.append(f"{path}: wurde seit dem Lauf geändert (SHA-256 weicht ab).")
    parameter_file = Path(recorded.get("parameterdatei", ""))
    if not changes and parameter_file.is_file():
        from kdworkbook.kern.parameter import load_settings

        try:
            settings = load_settings(parameter_file)
        except InputError as exc:
            return [f"{parameter_file}: ist inzwischen ungültig:", *exc.messages]
        for path in input_files(parameter_file, settings):
            if path not in known:
                changes.append(f"{path}: ist seit dem Lauf neu hinzugekommen.")
    return changes
