"""Two runs of one municipality side by side (``kdworkbook vergleich RUN_A RUN_B``).

Compares the key figures of ``ergebnisse.json`` (every number and text, by its path such as
``massnahmen → kennzahlen → einsparung_eur``), the inputs recorded in ``lauf.json`` (by path and
SHA-256) and the parameter file (by SHA-256 and Stichtag) – the parameter file's copy is not
kept after a run, so a changed file is named, not diffed line by line.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kdworkbook.kern.errors import InputError
from kdworkbook.kern.formatierung import zahl
from kdworkbook.lauf import protokoll

RESULTS = "ergebnisse.json"
MISSING = "–"


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested dicts to ``a → b → c`` keys; lists stay whole values."""
    if not isinstance(value, dict):
        return {prefix: value}
    flat: dict[str, Any] = {}
    for key, inner in value.items():
        flat |= flatten(inner, f"{prefix} → {key}" if prefix else str(key))
    return flat


def compare_values(a: dict[str, Any], b: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(key, value in A, value in B) for every key whose value differs; absent = ``–``."""
    fa, fb = flatten(a), flatten(b)
    keys = list(dict.fromkeys([*fa, *fb]))
    return [
        (k, fa.get(k, MISSING), fb.get(k, MISSING))
        for k in keys
        if fa.get(k, MISSING) != fb.get(k, MISSING)
    ]


def compare_inputs(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """German lines for inputs new, gone or changed between two ``lauf.json``."""
    ha = {e["datei"]: e["sha256"] for e in a.get("eingaben", [])}
    hb = {e["datei"]: e["sha256"] for e in b.get("eingaben", [])}
    lines = [f"{p}: nur in A" for p in ha if p not in hb]
    lines += [f"{p}: nur in B" for p in hb if p not in ha]
    lines += [f"{p}: geändert (SHA-256 weicht ab)" for p in ha if p in hb and ha[p] != hb[p]]
    return lines


def shown(value: Any) -> str:
    """German display: 1071904.46 → ``1.071.904,46``; None → „nicht berechenbar“."""
    if value is None:
        return "nicht berechenbar"
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, int):
        return zahl(value)
    if isinstance(value, float):
        return zahl(value, 2)
    if isinstance(value, list):
        return ", ".join(shown(v) for v in value) or "(leer)"
    return str(value)


@dataclass
class Vergleich:
    """What changed from run A to run B."""

    werte: list[tuple[str, Any, Any]] = field(default_factory=list)
    eingaben: list[str] = field(default_factory=list)
    parameter: list[str] = field(default_factory=list)


def compare_runs(run_a: Path, run_b: Path) -> Vergleich:
    """Read both run folders and compare them; InputError for a folder that is no run or
    runs of two different municipalities."""
    ra = protokoll.read_json(Path(run_a), RESULTS)
    rb = protokoll.read_json(Path(run_b), RESULTS)
    ma, mb = protokoll.read(Path(run_a)), protokoll.read(Path(run_b))
    if ra.get("gemeinde") != rb.get("gemeinde"):
        raise InputError(
            f"{run_a} und {run_b}: Läufe verschiedener Kommunen "
            f"(„{ra.get('gemeinde')}“ und „{rb.get('gemeinde')}“) – nicht verglichen."
        )
    parameters = []
    pa, pb = ma.get("parameterdatei"), mb.get("parameterdatei")
    if pa != pb:
        parameters.append(f"Parameterdatei: {pa} → {pb}")
    sha = {e["datei"]: e["sha256"] for e in ma.get("eingaben", [])}
    shb = {e["datei"]: e["sha256"] for e in mb.get("eingaben", [])}
    if pa == pb and pa in sha and pb in shb and sha[pa] != shb[pb]:
        parameters.append(f"Parameterdatei {pa}: geändert (SHA-256 weicht ab)")
    if ma.get("stichtag") != mb.get("stichtag"):
        parameters.append(f"Stichtag: {ma.get('stichtag')} → {mb.get('stichtag')}")
    return Vergleich(
        werte=compare_values(ra, rb), eingaben=compare_inputs(ma, mb), parameter=parameters
    )


def previous_run(slug_dir: Path, stichtag: dt.date) -> tuple[Path, dt.date] | None:
    """The previous report of a municipality: of the complete runs in *slug_dir* (with
    ``ergebnisse.json`` and ``lauf.json``) those whose Stichtag lies before *stichtag*, the
    one with the latest Stichtag (then the latest run) – with that Stichtag; None if none."""
    best: tuple[Path, dt.date] | None = None
    if not slug_dir.is_dir():
        return None
    for folder in slug_dir.iterdir():
        if folder.name.startswith(".") or folder.is_symlink() or not folder.is_dir():
            continue
        if not (folder / RESULTS).is_file() or not (folder / protokoll.FILE_NAME).is_file():
            continue
        try:
            manifest = json.loads((folder / protokoll.FILE_NAME).read_text(encoding="utf-8"))
            day = dt.date.fromisoformat(manifest["stichtag"])
        except (OSError, ValueError, KeyError, TypeError):
            continue  # not a run of ours: not a previous report
        if day < stichtag and (best is None or (day, folder.name) > (best[1], best[0].name)):
            best = (folder, day)
    return best
