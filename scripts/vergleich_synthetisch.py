"""Synthetic comparison extracts from the shipped NRW register, written as <kennung>.json.

  python scripts/vergleich_synthetisch.py ZIEL [--klasse "20.000 bis unter 50.000"] [--anzahl N]

Without --klasse: all 396 municipalities. The demo's peer set
(parameters/musterstadt/vergleich/) is: --klasse "20.000 bis unter 50.000" --anzahl 12.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

from kdworkbook.kern import referenz
from kdworkbook.vergleich import auszug, synthetisch

#: The date the synthetic extracts count back from (the demo's Stichtag).
STICHTAG = dt.date(2026, 11, 28)


def main() -> None:
    parser = argparse.ArgumentParser(description="Synthetische Vergleichsauszüge erzeugen")
    parser.add_argument("ziel", type=Path)
    parser.add_argument("--klasse", help="nur diese Größenklasse")
    parser.add_argument("--anzahl", type=int, help="höchstens so viele (in Register-Reihenfolge)")
    args = parser.parse_args()
    chosen = tuple(
        g
        for g in referenz.gemeinden()
        if args.klasse is None or auszug.groessenklasse(g.einwohner) == args.klasse
    )[: args.anzahl]
    args.ziel.mkdir(parents=True, exist_ok=True)
    for document in synthetisch.auszuege(chosen, STICHTAG):
        target = args.ziel / f"{document['kennung']}.json"
        target.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"{len(chosen)} synthetische Auszüge in {args.ziel}")


if __name__ == "__main__":
    main()
