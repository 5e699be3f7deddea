"""Benchmarks of kdworkbook (``make bench``): prints a Markdown table of targets and figures.

Targets (issue „Dependable runs“), measured here, never asserted in tests:
1. check + figures + prioritisation of a synthetic 100.000-process survey: < 2 s, < 1 GB peak
2. demo report end to end ≤ 1,5 × its floor (kernels that only import the notebooks'
   libraries + one PDF print of a one-page HTML), measured in the same run
3. batch of 8 municipalities: ``-j 2`` at least 1,7 × faster than ``-j 1``
4. one workshop update at 5.500 processes: median < 100 ms (when the workshop module exists)
5. ``kdworkbook uebersicht`` over 396 municipalities' latest runs: < 10 s

Usage: ``.venv/bin/python scripts/bench.py [--schnell]`` (``--schnell`` skips the batch).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kdworkbook.bestand.schema import HEADERS
from kdworkbook.kern import referenz

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "parameters" / "musterstadt.yaml"
REFERENCE = referenz.leika_katalog().parent  # shipped in the package
HEADER = [
    HEADERS[c]
    for c in (
        "fachamt",
        "leistung",
        "verrichtung",
        "bezeichnung",
        "vorgaenge",
        "minuten",
        "stufe",
        "beteiligte_stellen",
        "rechtliche_besonderheiten",
        "reifegrad",
    )
]


def synthetic_survey(folder: Path, rows: int, seed: int = 1) -> Path:
    """A German-Excel CSV with *rows* processes in 40 Fachämter, named and keyed after real
    LeiKa services (the shipped catalogue), and its parameter file using that catalogue."""
    rng = random.Random(seed)
    catalogue = REFERENCE / "leika_leistungen_kdn2019.csv"
    with catalogue.open(encoding="utf-8") as handle:
        services = [
            (r["schluessel"], r["bezeichnung"]) for r in csv.DictReader(handle) if r["schluessel"]
        ]
    rng.shuffle(services)
    path = folder / "bestand.csv"
    with path.open("w", encoding="cp1252", errors="replace", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow([*HEADER, "LeiKa-Schlüssel"])
        for i in range(rows):
            key, name = services[(i // 40) % len(services)]
            minutes = f"{rng.uniform(1, 300):.1f}".replace(".", ",")
            writer.writerow(
                [
                    f"Amt {i % 40}",
                    "",
                    "",
                    name,
                    rng.randint(0, 5000),
                    minutes,
                    rng.randint(1, 8),
                    rng.randint(1, 8),
                    rng.randint(0, 1),
                    rng.randint(0, 4),
                    key,
                ]
            )
    params = folder / "bench.yaml"
    params.write_text(
        f"gemeinde: Bench-Stadt\nbestand: bestand.csv\nrahmen:\n"
        f"  leika_katalog: {catalogue}\n  ozg_katalog: "
        f"{REFERENCE / 'ozg_leistungen_kdn2019.csv'}\n",
        encoding="utf-8",
    )
    return params


_SCORING = r"""
import json, resource, sys, time
start = time.perf_counter()
from kdworkbook.massnahmen import kapitel as massnahmen_ansicht
from kdworkbook.massnahmen import priorisierung
from kdworkbook.lauf import schritte
from kdworkbook.bestand.laden import load_bestand
imported = time.perf_counter()
ba = load_bestand(sys.argv[1])                         # read, check against the schema, figures
loaded = time.perf_counter()
table = massnahmen_ansicht.process_table(ba)           # LeiKa enrichment, Geeignetheit
enriched = time.perf_counter()
suitable, _ = priorisierung.split_suitable(table)
m = ba.settings.massnahmen
priorisierung.rank(suitable, {"nutzen": m.gewichte.nutzen, "aufwand": m.gewichte.aufwand},
                   m.gewicht_nutzen)                   # scores, axes, quadrants, rank
scored = time.perf_counter()
schritte.summary(ba)                                   # the whole check, incl. sensitivity/plan
done = time.perf_counter()
print(json.dumps({"import_s": imported - start, "load_s": loaded - imported,
                  "enrich_s": enriched - loaded, "rank_s": scored - enriched,
                  "s": scored - imported, "check_s": done - scored,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def bench_scoring(rows: int = 100_000) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        params = synthetic_survey(Path(tmp), rows)
        out = subprocess.run(
            [sys.executable, "-c", _SCORING, str(params)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    return json.loads(out.strip().splitlines()[-1])


def bench_report() -> tuple[float, float]:
    """(seconds for the demo report end to end, seconds for its floor)."""
    import nbformat
    import papermill

    from kdworkbook.bericht.browser import PdfPrinter, find_browser
    from kdworkbook.bericht.dokument import PAGE_MARGIN
    from kdworkbook.lauf import lauf

    notebooks = lauf.step_notebooks()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        start = time.perf_counter()
        lauf.run(DEMO, tmp / "out")
        full = time.perf_counter() - start

        imports = nbformat.v4.new_notebook()
        imports.cells = [
            nbformat.v4.new_code_cell(
                "import kdworkbook, pandas, seaborn, matplotlib, pandera, pydantic, openpyxl"
            )
        ]
        imports.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        nbformat.write(imports, tmp / "imports.ipynb")
        page = tmp / "seite.html"
        page.write_text("<html><body><h1>Eine Seite</h1></body></html>", encoding="utf-8")
        start = time.perf_counter()
        for _ in notebooks:
            papermill.execute_notebook(
                str(tmp / "imports.ipynb"),
                str(tmp / "o.ipynb"),
                kernel_name="python3",
                progress_bar=False,
            )
        with PdfPrinter(find_browser(), PAGE_MARGIN) as printer:
            printer.print(page)
        floor = time.perf_counter() - start
    return full, floor


def _machine_busy() -> float:
    """CPU seconds the whole machine has been busy since boot (Linux, /proc/stat)."""
    import os

    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def bench_batch(count: int = 8) -> tuple[list[float], list[float]]:
    """([seconds with -j 1, with -j 2], [busy CPU seconds of the machine, same order])."""
    from kdworkbook.lauf import stapel

    text = DEMO.read_text(encoding="utf-8")
    times, busy = [], []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        files = []
        for i in range(count):
            body = text.replace("gemeinde: Stadt Musterstadt", f"gemeinde: Stadt Muster {i}")
            path = DEMO.parent / f".bench-{i}.yaml"  # beside the demo: relative paths stay valid
            path.write_text(body, encoding="utf-8")
            files.append(path)
        try:
            for jobs in (1, 2):
                start, cpu = time.perf_counter(), _machine_busy()
                outcomes = stapel.run_many(
                    files, tmp / f"out{jobs}", jobs=jobs, show=lambda _line: None
                )
                times.append(time.perf_counter() - start)
                busy.append(_machine_busy() - cpu)
                assert all(o.code == 0 for o in outcomes), [o.message for o in outcomes]
        finally:
            for path in files:
                path.unlink(missing_ok=True)
    return times, busy


def bench_workshop(rows: int = 5500, repeats: int = 30) -> tuple[float, float] | None:
    try:
        from kdworkbook.workshop import app as workshop  # noqa: F401  (issue „Workshop mode“)
    except ImportError:
        return None
    measure = getattr(workshop, "benchmark_update", None)
    if measure is None:
        return None
    samples = sorted(measure(rows, repeats))
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def bench_leika_matching() -> dict:
    """Precision and recall of the LeiKa matching on ``tests/fixtures/leika_abgleich.csv``
    (real catalogue names with typos, abbreviations, umlaut spellings, extra words, wrong and
    unknown keys; the intended key per row)."""
    import pandas as pd

    from kdworkbook.rahmen import leika

    cases = pd.read_csv(
        ROOT / "tests" / "fixtures" / "leika_abgleich.csv",
        sep=";",
        dtype=str,
        keep_default_na=False,
    )
    katalog = leika.read_catalogue(REFERENCE / "leika_leistungen_kdn2019.csv")
    survey = pd.DataFrame(
        {
            "bezeichnung": cases["bezeichnung"],
            "leika_schluessel": cases["leika_schluessel"].replace("", None),
            "verrichtung": cases["verrichtung"].replace("", None),
        }
    )
    enriched = leika.enrich(survey, katalog, ["4"], 85)
    return leika.match_quality(enriched, cases["erwartet"])


def bench_uebersicht() -> tuple[float, float]:
    """``kdworkbook uebersicht`` over the synthetic set of all 396 municipalities: seconds for
    HTML + Excel, and for HTML + Excel + PDF."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import mandanten_synthetisch

    from kdworkbook.vergleich import agentur

    with tempfile.TemporaryDirectory() as tmp:
        files = mandanten_synthetisch.write(Path(tmp))
        out = Path(tmp) / "outputs"
        start = time.perf_counter()
        agentur.erstellen(files, out, Path(tmp) / "a", pdf=False)
        plain = time.perf_counter() - start
        start = time.perf_counter()
        agentur.erstellen(files, out, Path(tmp) / "b")
        return plain, time.perf_counter() - start


def _percent(share: float | None) -> str:
    return "–" if share is None else f"{_de(share * 100, 1)} %"


def _de(value: float, digits: int = 2) -> str:
    return f"{value:,.{digits}f}".replace(",", "X").replace(".", ",").replace("X", ".")


def main() -> None:
    parser = argparse.ArgumentParser(description="kdworkbook-Benchmarks")
    parser.add_argument("--schnell", action="store_true", help="ohne Stapel-Messung")
    args = parser.parse_args()
    rows = []
    scoring = bench_scoring()
    rows.append(
        (
            "Prüfung + Kennzahlen + Zuordnung + Bewertung, 100.000 Prozesse",
            "< 2 s",
            f"{_de(scoring['s'])} s (Einlesen {_de(scoring['load_s'])}, Zuordnung "
            f"{_de(scoring['enrich_s'])}, Rangfolge {_de(scoring['rank_s'])})",
            scoring["s"] < 2,
        )
    )
    rows.append(
        (
            "… ganzer `check` zusätzlich (Sensitivität, Maßnahmenplan)",
            "–",
            f"{_de(scoring['check_s'])} s",
            True,
        )
    )
    rows.append(
        (
            "… Spitzenspeicher",
            "< 1.000 MB",
            f"{_de(scoring['peak_mb'], 0)} MB",
            scoring["peak_mb"] < 1000,
        )
    )
    q = bench_leika_matching()
    rows.append(
        (
            f"LeiKa-Abgleich, Testsatz {q['zeilen']} Zeilen: übernommene Zuordnungen",
            "Präzision 100 %",
            f"{q['angewendet']} übernommen, Präzision {_percent(q['praezision_angewendet'])}, "
            f"Ausbeute {_percent(q['ausbeute_angewendet'])}",
            q["praezision_angewendet"] == 1,
        )
    )
    rows.append(
        (
            "… Vorschläge der Prüfliste",
            "richtig ≥ 90 %",
            f"{q['vorschlaege']} Vorschläge, Präzision {_percent(q['praezision_vorschlaege'])}, "
            f"Ausbeute {_percent(q['ausbeute_vorschlaege'])}; richtig übernommen oder "
            f"vorgeschlagen {_percent(q['richtig_gesamt'])}",
            (q["ausbeute_vorschlaege"] or 0) >= 0.9,
        )
    )
    full, floor = bench_report()
    rows.append(
        (
            "Demo-Bericht Ende zu Ende vs. Untergrenze",
            "≤ 1,5 ×",
            f"{_de(full, 1)} s / {_de(floor, 1)} s = {_de(full / floor)} ×",
            full / floor <= 1.5,
        )
    )
    if not args.schnell:
        (one, two), (cpu_one, cpu_two) = bench_batch()
        rows.append(
            (
                "Stapel 8 Kommunen, -j 2 vs. -j 1",
                "≥ 1,7 ×",
                f"{_de(one, 1)} s / {_de(two, 1)} s = {_de(one / two)} ×",
                one / two >= 1.7,
            )
        )
        rows.append(
            (
                "… Rechenzeit der Maschine (CPU-Sekunden, belegte Kerne)",
                "–",
                f"-j 1: {_de(cpu_one, 0)} s auf {_de(cpu_one / one)} Kernen; "
                f"-j 2: {_de(cpu_two, 0)} s auf {_de(cpu_two / two)} Kernen",
                True,
            )
        )
    workshop = bench_workshop()
    if workshop:
        median, p95 = workshop
        rows.append(
            (
                "Workshop-Aktualisierung, 5.500 Prozesse",
                "Median < 100 ms",
                f"Median {_de(median * 1000, 0)} ms, 95. Perzentil {_de(p95 * 1000, 0)} ms",
                median < 0.1,
            )
        )
    plain, with_pdf = bench_uebersicht()
    rows.append(
        (
            "Übersicht der Agentur, 396 Kommunen (HTML + Excel / mit PDF)",
            "< 10 s",
            f"{_de(plain, 1)} s / {_de(with_pdf, 1)} s",
            with_pdf < 10,
        )
    )
    print("| Messung | Ziel | gemessen | erfüllt |")
    print("|---|---|---|---|")
    for name, target, measured, ok in rows:
        print(f"| {name} | {target} | {measured} | {'ja' if ok else 'nein'} |")


if __name__ == "__main__":
    main()
