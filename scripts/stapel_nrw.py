"""The batch of all 396 NRW municipalities: parameter files and surveys generated from the
shipped register, then their reports with ``kdworkbook run -j N``.

Each municipality gets a survey like the demo's – the demo's 185 processes with their LeiKa
keys, minutes, Stufen and Reifegrade –, its Vorgänge scaled from the demo's 25.400
inhabitants to the municipality's population (± 20 %, at least one case where the demo has
any), some processes left out at random (a smaller town surveys fewer), and the duty
statuses drawn. Everything is synthetic and seeded: the same call writes the same files.

  python scripts/stapel_nrw.py ZIEL                   # all 396: erzeugen, run -j <Kerne>
  python scripts/stapel_nrw.py ZIEL --anzahl 8 -j 2   # a sample across all sizes
  python scripts/stapel_nrw.py ZIEL --nur-erzeugen    # only the files

→ ``ZIEL/parameters/*.yaml`` with their surveys, ``ZIEL/outputs/`` with the runs, then the
Agentur's overview ``ZIEL/outputs/_uebersicht/`` (``kdworkbook uebersicht``). At the end it
prints wall and CPU seconds per municipality and what all 396 need here and on 16 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

from kdworkbook.bestand.laden import load_bestand
from kdworkbook.bestand.schema import HEADERS
from kdworkbook.kern import referenz
from kdworkbook.kern.parameter import slugify

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "parameters" / "musterstadt.yaml"
#: the demo municipality's population: the survey's Vorgänge are per this many inhabitants
DEMO_EINWOHNER = 25_400
STICHTAG = "2026-11-28"
#: share of the demo's processes a municipality surveys (drawn per municipality)
ANTEIL_PROZESSE = (0.7, 1.0)
#: spread of the scaled Vorgänge (± share)
STREUUNG = 0.2
#: duties whose status is drawn (the others stay „unbekannt“, the default)
PFLICHTEN = ("EGovG NRW § 3", "EGovG NRW § 4", "EGovG NRW § 14 Abs. 2", "OZG § 1a Abs. 1")
STATUS = ("erfüllt", "teilweise", "offen")
COLUMNS = (
    "fachamt",
    "leistung",
    "verrichtung",
    "bezeichnung",
    "leika_schluessel",
    "vorgaenge",
    "minuten",
    "stufe",
    "beteiligte_stellen",
    "rechtliche_besonderheiten",
    "reifegrad",
    "nicht_geeignet",
)
#: cores of the larger machine the closing estimate is for
GROSSE_MASCHINE = 16


def stichprobe(gemeinden: tuple, anzahl: int | None) -> list:
    """All municipalities, or *anzahl* of them evenly spread over the population ranks (so
    that a sample has small and large ones in the register's proportion)."""
    if anzahl is None or anzahl >= len(gemeinden):
        return list(gemeinden)
    ranked = sorted(gemeinden, key=lambda g: g.einwohner)
    step = len(ranked) / anzahl
    return [ranked[int((i + 0.5) * step)] for i in range(anzahl)]


def _value(value: object) -> object:
    """A cell as Excel would hold it: missing stays empty, numbers stay numbers."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    return None if str(value) == "<NA>" else value


def survey_rows(demo: list[dict], einwohner: int, rng: random.Random) -> list[list[object]]:
    """The demo's processes scaled to *einwohner* (see module docs)."""
    share = rng.uniform(*ANTEIL_PROZESSE)
    factor = einwohner / DEMO_EINWOHNER
    rows = []
    for process in demo:
        if rng.random() > share:
            continue
        cases = int(process["vorgaenge"])
        scaled = round(cases * factor * rng.uniform(1 - STREUUNG, 1 + STREUUNG))
        row = {**process, "vorgaenge": max(scaled, 1) if cases else 0}
        rows.append([_value(row[c]) for c in COLUMNS])
    return rows


def write_survey(path: Path, rows: list[list[object]]) -> None:
    """One sheet „Bestandserhebung“ with the template's German headers, as Excel saves it."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Bestandserhebung"
    sheet.append([HEADERS[c] for c in COLUMNS])
    for row in rows:
        sheet.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


def erzeugen(ziel: Path, anzahl: int | None = None, seed: int = 396) -> list[Path]:
    """Parameter files and surveys under ``ZIEL/parameters``; returns the parameter files."""
    rng = random.Random(seed)
    demo = load_bestand(DEMO).data[list(COLUMNS)].to_dict("records")
    folder = ziel / "parameters"
    files = []
    for g in stichprobe(referenz.gemeinden(), anzahl):
        name = g.anzeigename
        stem = f"{slugify(name)}-{g.ags}"
        write_survey(folder / stem / "bestand.xlsx", survey_rows(demo, g.einwohner, rng))
        duties = "".join(f'    "{p}": {rng.choice(STATUS)}\n' for p in PFLICHTEN)
        params = folder / f"{stem}.yaml"
        params.write_text(
            f"# synthetisch (scripts/stapel_nrw.py): Erhebung nach dem Muster der Demo\n"
            f"gemeinde: {json.dumps(name, ensure_ascii=False)}\n"
            f'ags: "{g.ags}"\nstichtag: {STICHTAG}\nbestand: {stem}/bestand.xlsx\n'
            f"rahmen:\n  pflichten:\n{duties}",
            encoding="utf-8",
        )
        files.append(params)
    return files


@dataclass(frozen=True)
class Messung:
    """A batch as measured: municipalities, workers, wall and CPU seconds of the whole
    process tree (kernels and Chromium included)."""

    kommunen: int
    jobs: int
    wall_s: float
    cpu_s: float

    @property
    def cpu_je_kommune(self) -> float:
        return self.cpu_s / self.kommunen

    @property
    def wall_je_kommune(self) -> float:
        return self.wall_s / self.kommunen

    @property
    def kerne_belegt(self) -> float:
        return self.cpu_s / self.wall_s


def ausfuehren(files: list[Path], ausgabe: Path, jobs: int) -> Messung:
    """``kdworkbook run FILES -j JOBS`` (the batch API in a process of its own), measured like
    ``make bench`` measures batches: wall and CPU seconds of the whole process tree, the
    forkserver and its workers included; raises when a run failed."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import bench

    measured = bench._measure("stapel", str(jobs), str(ausgabe), *map(str, files))
    return Messung(len(files), jobs, measured["wall_s"], measured["cpu_s"])


def lauf_sekunden(ausgabe: Path) -> list[float]:
    """Wall seconds of each municipality's latest run, from its ``lauf.json``."""
    import datetime as dt

    seconds = []
    for record in sorted(ausgabe.glob("*/latest/lauf.json")):
        data = json.loads(record.read_text(encoding="utf-8"))
        start, end = (dt.datetime.fromisoformat(data[k]) for k in ("start", "ende"))
        seconds.append((end - start).total_seconds())
    return seconds


def hochrechnung(m: Messung, kommunen: int = 396, kerne: int = GROSSE_MASCHINE) -> dict:
    """Hours for *kommunen* here (the measured wall time per municipality, so with the load
    others put on the machine; and with the batch's *jobs* cores all busy) and on *kerne*
    cores (the measured CPU seconds per municipality, all cores busy)."""
    return {
        "cpu_stunden": kommunen * m.cpu_je_kommune / 3600,
        "hier_stunden": kommunen * m.wall_je_kommune / 3600,
        "hier_voll_stunden": kommunen * m.cpu_je_kommune / m.jobs / 3600,
        "gross_stunden": kommunen * m.cpu_je_kommune / kerne / 3600,
    }


def _de(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}".replace(",", "X").replace(".", ",").replace("X", ".")


def bericht(m: Messung, laeufe: list[float]) -> str:
    """The German summary the script prints (and ``make bench`` puts in its table)."""
    h = hochrechnung(m)
    mean = sum(laeufe) / len(laeufe) if laeufe else float("nan")
    return (
        f"{m.kommunen} Kommunen mit -j {m.jobs}: {_de(m.wall_s)} s, {_de(m.cpu_s)} CPU-s "
        f"({_de(m.kerne_belegt, 2)} Kerne belegt); je Kommune {_de(m.wall_je_kommune)} s "
        f"Zeit, {_de(m.cpu_je_kommune)} CPU-s (ein Lauf laut lauf.json im Mittel "
        f"{_de(mean)} s).\nAlle 396 Kommunen: {_de(h['cpu_stunden'], 2)} CPU-Stunden – hier "
        f"(so belegt) ≈ {_de(h['hier_stunden'], 2)} h, auf {m.jobs} Kernen voll belegt ≈ "
        f"{_de(h['hier_voll_stunden'] * 60, 0)} min, auf {GROSSE_MASCHINE} Kernen ≈ "
        f"{_de(h['gross_stunden'] * 60, 0)} min (alle Kerne belegt, ohne fremde Last)."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Stapel aller 396 Kommunen NRWs")
    parser.add_argument("ziel", type=Path, help="Ordner für Parameterdateien und Läufe")
    parser.add_argument("--anzahl", type=int, help="nur eine Stichprobe so vieler Kommunen")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--nur-erzeugen", action="store_true", help="ohne Läufe")
    parser.add_argument("--seed", type=int, default=396)
    args = parser.parse_args(argv)
    files = erzeugen(args.ziel, args.anzahl, args.seed)
    print(f"{len(files)} Parameterdateien mit Erhebung unter {args.ziel / 'parameters'}.")
    if args.nur_erzeugen:
        return 0
    ausgabe = args.ziel / "outputs"
    m = ausfuehren(files, ausgabe, args.jobs)
    print(bericht(m, lauf_sekunden(ausgabe)))
    from kdworkbook.vergleich import agentur

    written = agentur.erstellen(files, ausgabe, ausgabe / agentur.ZIEL)
    print("Übersicht der Agentur: " + ", ".join(str(p) for p in written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
