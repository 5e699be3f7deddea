"""Synthetic LimeSurvey response export for the demo municipality „Stadt Musterstadt“.

Reads the questionnaire written by ``kdworkbook buergerbefragung`` and writes
``results-survey.csv`` in LimeSurvey's CSV export layout (question codes, answer codes).
Made-up answers from a fixed seed – no real person answered.

    .venv/bin/python scripts/buergerbefragung_demo.py FRAGEBOGEN.txt ZIEL.csv [ANZAHL]
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

from kdworkbook.buergerbefragung import limesurvey
from kdworkbook.buergerbefragung.fragebogen import (
    ALTER,
    BEZIRK,
    GENUTZT,
    HINWEIS,
    KANAL,
    ONLINE,
    ZUFRIEDEN,
)

SEED = 20


def main(structure: Path, target: Path, count: int = 320) -> None:
    fb = limesurvey.read_structure(structure.read_text("utf-8"))
    rng = random.Random(SEED)
    codes = list(fb.leistungen)
    # each service gets its own appetite for online use, so the ranking has something to learn
    appetite = {c: rng.uniform(0.2, 0.9) for c in codes}
    header = ["id", "submitdate", "lastpage", "startlanguage", "seed", *fb.spalten()]
    rows = []
    for rid in range(1, count + 1):
        age = rng.choice(["G1", "G2", "G2", "G3", "G3", "G4"])
        young = {"G1": 0.15, "G2": 0.1, "G3": 0.0, "G4": -0.2}[age]
        row = {
            "id": str(rid),
            "submitdate": f"2026-10-{1 + rid % 28:02d} 10:{rid % 60:02d}:00",
            "lastpage": "1",
            "startlanguage": "de",
            "seed": str(rng.randrange(10**8, 10**9)),
            ALTER: age if rng.random() > 0.08 else "",
            KANAL: rng.choices(["ONL", "TEL", "VOR", "POS"], [3 + 10 * young, 2, 3, 1])[0],
            ZUFRIEDEN: rng.choice(["Z1", "Z2", "Z2", "Z3", "Z4"]),
            HINWEIS: "",
        }
        if any(f.code == BEZIRK for f in fb.fragen):
            row[BEZIRK] = rng.choice(list(fb.frage(BEZIRK).antworten))
        for code in codes:
            used = rng.random() < 0.35
            row[f"{GENUTZT}[{code}]"] = "J" if used else "N"
            p = min(max(appetite[code] + young, 0.02), 0.98)
            yes = rng.random() < p
            row[f"{ONLINE}[{code}]"] = (
                "" if rng.random() < 0.05 else rng.choice(["A1", "A2"] if yes else ["A3", "A4"])
            )
        rows.append(row)
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header, quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), *(int(a) for a in sys.argv[3:4]))
