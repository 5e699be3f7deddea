"""Files of the comparison: ``vergleich.json`` in each run folder and the Agentur's
collection of extracts.

The Kennung is random (UUID4), made at a municipality's first run and carried on from its
latest run's extract: a newer run replaces the older extract in the collection, and nothing
in the collected file leads back to a name or AGS (a hash of the AGS would, by trying all 396).
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kdworkbook.kern.errors import InputError
from kdworkbook.vergleich import auszug

if TYPE_CHECKING:
    from kdworkbook.bestand.laden import Bestandsaufnahme

DATEI = "vergleich.json"
LATEST = "latest"


def kennung(slug_dir: Path) -> str:
    """The municipality's pseudonymous Kennung: the one of its latest run's extract, or a new
    one for its first run."""
    try:
        document = json.loads((slug_dir / LATEST / DATEI).read_text(encoding="utf-8"))
        return str(uuid.UUID(str(document["kennung"])))
    except (OSError, ValueError, KeyError, TypeError):
        return str(uuid.uuid4())


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_for_run(run_dir: Path, ba: Bestandsaufnahme, results: dict[str, Any]) -> Path:
    """The extract of a finished run (its survey table and ``ergebnisse.json``)."""
    s = ba.settings
    population = auszug.bevoelkerung(s.ags, s.einwohner)
    return write(run_dir, auszug.extract(ba.data, results, population, s.stichtag, s.gemeinde))


def write(run_dir: Path, extract: dict[str, Any]) -> Path:
    """``vergleich.json`` in *run_dir*, with the Kennung of the municipality folder above."""
    document = {"kennung": kennung(run_dir.parent), **extract}
    path = run_dir / DATEI
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def read(path: Path) -> dict[str, Any]:
    """One extract; a broken or foreign file is an :class:`InputError` naming it."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: kein lesbarer Vergleichsauszug ({exc}).") from None
    if not isinstance(document, dict) or document.get("version") != auszug.VERSION:
        raise InputError(
            f"{path}: kein Vergleichsauszug der Version {auszug.VERSION} "
            "(Schlüssel „version“ fehlt oder passt nicht)."
        )
    return document


def read_folder(folder: Path) -> list[dict[str, Any]]:
    """Every extract (``*.json``) in *folder*, sorted by file name."""
    if not folder.is_dir():
        raise InputError(f"{folder}: Ordner der Vergleichsauszüge nicht gefunden.")
    return [read(path) for path in sorted(folder.glob("*.json"))]


def peer_extracts(folder: Path) -> list[dict[str, Any]]:
    """The extracts in *folder* as this run saw them: inside a run each file is read from the
    run's snapshot of its inputs (:mod:`kdworkbook.kern.momentaufnahme`)."""
    from kdworkbook.kern import momentaufnahme

    index = momentaufnahme.read_index()
    copies = index["kopien"] if index else {}
    if not folder.is_dir():
        raise InputError(f"vergleich → ordner: Ordner „{folder}“ nicht gefunden.")
    documents = []
    for path in sorted(folder.glob("*.json")):
        copy = copies.get(str(path.resolve()))
        documents.append(read(Path(copy) if copy else path))
    return documents


def summary(ba: Bestandsaufnahme) -> dict[str, Any]:
    """Section ``vergleich`` of ``kdworkbook check --json``: reads (and so checks) every peer
    extract before any notebook runs."""
    folder = ba.settings.vergleich.ordner
    if folder is None:
        return {"konfiguriert": False}
    return {"konfiguriert": True, "auszuege": len(peer_extracts(folder))}


def omitted(ba: Bestandsaufnahme) -> str | None:
    """The analyst's note when the report has no comparison chapter."""
    if ba.settings.vergleich.konfiguriert:
        return None
    return (
        "Kein Vergleichsordner angegeben (Abschnitt „vergleich“ mit „ordner“): das Kapitel "
        "Vergleich mit Kommunen ähnlicher Größe entfällt im Bericht."
    )


def latest_extracts(output_root: Path) -> list[Path]:
    """``vergleich.json`` of each municipality's latest complete run under *output_root*."""
    return sorted(path for path in output_root.glob(f"*/{LATEST}/{DATEI}") if path.is_file())


def sammeln(output_root: Path, ziel: Path) -> list[Path]:
    """Copy each municipality's latest extract into *ziel* as ``<kennung>.json`` (a newer run
    replaces the older extract of the same municipality). Returns the files written."""
    if not output_root.is_dir():
        raise InputError(f"{output_root}: Ausgabeordner nicht gefunden.")
    ziel.mkdir(parents=True, exist_ok=True)
    written = []
    for source in latest_extracts(output_root):
        document = read(source)
        try:  # the file name is the Kennung and nothing else
            name = f"{uuid.UUID(str(document['kennung']))}.json"
        except (KeyError, ValueError):
            raise InputError(
                f"{source}: Schlüssel „kennung“ fehlt oder ist keine Kennung."
            ) from None
        target = ziel / name
        _write_atomic(target, json.dumps(document, ensure_ascii=False, indent=2))
        written.append(target)
    return written
