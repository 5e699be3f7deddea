"""A synthetic client set of all 396 NRW municipalities (names, AGS, population from the
shipped register): one parameter file each and one complete-looking run folder with
``lauf.json``, ``ergebnisse.json`` and ``vergleich.json`` – enough for ``kdworkbook
uebersicht`` and ``vergleich-sammeln``, not a report.

  python scripts/mandanten_synthetisch.py ZIEL   # → ZIEL/parameters/*.yaml, ZIEL/outputs/
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
from pathlib import Path

from kdworkbook.kern import referenz
from kdworkbook.kern.parameter import slugify
from kdworkbook.vergleich import synthetisch

STICHTAG = dt.date(2026, 11, 28)


def write(ziel: Path, seed: int = 396) -> list[Path]:
    """Write the set under *ziel*; returns the parameter files."""
    rng = random.Random(seed)
    params_dir, out = ziel / "parameters", ziel / "outputs"
    params_dir.mkdir(parents=True, exist_ok=True)
    files = []
    for g in referenz.gemeinden():
        extract = synthetisch.auszug_fuer(g, rng, STICHTAG)
        record, results = synthetisch.run_documents(g, extract, rng, STICHTAG)
        name = g.anzeigename
        params = params_dir / f"{slugify(name)}-{g.ags}.yaml"
        params.write_text(
            f"gemeinde: {json.dumps(name + ' (' + g.ags + ')', ensure_ascii=False)}\n"
            f'ags: "{g.ags}"\neinwohner: {g.einwohner}\nbestand: bestand.xlsx\n',
            encoding="utf-8",
        )
        run = out / slugify(name + " (" + g.ags + ")") / record["start"][:10]
        run.mkdir(parents=True, exist_ok=True)
        for file, document in (
            ("lauf.json", record),
            ("ergebnisse.json", results),
            ("vergleich.json", extract),
        ):
            (run / file).write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        link = run.parent / "latest"
        if link.is_symlink():
            link.unlink()
        os.symlink(run.name, link)
        files.append(params)
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description="Synthetische Mandanten: alle 396 Kommunen")
    parser.add_argument("ziel", type=Path)
    files = write(parser.parse_args().ziel)
    print(f"{len(files)} Parameterdateien und Läufe geschrieben.")


if __name__ == "__main__":
    main()
