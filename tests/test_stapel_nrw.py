"""The NRW batch script: surveys sized by population, a sample across all sizes, the estimate
for all 396 municipalities, and the Agentur's overview over the runs it produced."""

import sys
from pathlib import Path

from kdworkbook.bestand.laden import load_bestand
from kdworkbook.cli import main
from kdworkbook.kern import referenz
from kdworkbook.vergleich import agentur

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import stapel_nrw  # noqa: E402


class _Middle:
    """A draw that always gives the middle: every process kept, no spread."""

    def random(self) -> float:
        return 0.0

    def uniform(self, a: float, b: float) -> float:
        return (a + b) / 2


DEMO_ROWS = [
    {c: None for c in stapel_nrw.COLUMNS} | {"bezeichnung": "A", "vorgaenge": 300},
    {c: None for c in stapel_nrw.COLUMNS} | {"bezeichnung": "B", "vorgaenge": 0},
    {c: None for c in stapel_nrw.COLUMNS} | {"bezeichnung": "C", "vorgaenge": 2},
]
VORGAENGE = stapel_nrw.COLUMNS.index("vorgaenge")


def test_survey_scaled_by_population():
    # 50.800 inhabitants = 2 × the demo's 25.400: 300 → 600; 0 stays 0; 2 → 4
    rows = stapel_nrw.survey_rows(DEMO_ROWS, 50_800, _Middle())
    assert [r[VORGAENGE] for r in rows] == [600, 0, 4]
    # 254 inhabitants = 1 %: 300 → 3; 2 → 0,02 → at least one case
    rows = stapel_nrw.survey_rows(DEMO_ROWS, 254, _Middle())
    assert [r[VORGAENGE] for r in rows] == [3, 0, 1]


def test_sample_spread_over_the_population_ranks():
    gemeinden = referenz.gemeinden()
    sample = stapel_nrw.stichprobe(gemeinden, 4)
    ranked = sorted(gemeinden, key=lambda g: g.einwohner)
    # 396 / 4 = 99 per quarter; the middle of each: ranks 49, 148, 247, 346 (from 0)
    assert sample == [ranked[49], ranked[148], ranked[247], ranked[346]]
    assert len(stapel_nrw.stichprobe(gemeinden, None)) == 396


def test_estimate_for_all_396():
    m = stapel_nrw.Messung(kommunen=8, jobs=2, wall_s=200.0, cpu_s=320.0)
    h = stapel_nrw.hochrechnung(m)
    # 40 CPU-s per municipality × 396 = 15.840 CPU-s = 4,4 h; on 16 cores 990 s = 16,5 min;
    # here 25 s per municipality × 396 = 9.900 s = 2,75 h; on both cores busy 7.920 s = 2,2 h
    assert (m.cpu_je_kommune, m.wall_je_kommune, m.kerne_belegt) == (40.0, 25.0, 1.6)
    assert h == {
        "cpu_stunden": 4.4,
        "hier_stunden": 2.75,
        "hier_voll_stunden": 2.2,
        "gross_stunden": 0.275,
    }
    text = stapel_nrw.bericht(m, [30.0, 40.0])
    assert "je Kommune 25,0 s Zeit, 40,0 CPU-s" in text
    assert "auf 16 Kernen ≈ 16 min" in text and "4,40 CPU-Stunden" in text
    assert "auf 2 Kernen voll belegt ≈ 132 min" in text


def test_files_pass_the_check_and_runs_feed_the_overview(tmp_path):
    files = stapel_nrw.erzeugen(tmp_path, 2)
    first = load_bestand(files[0])
    assert first.settings.stichtag.isoformat() == stapel_nrw.STICHTAG
    assert 0.7 * 185 <= len(first.data) <= 185  # a share of the demo's processes
    out = tmp_path / "outputs"
    assert main(["run", *map(str, files), "-j", "2", "--ausgabe", str(out)]) == 0
    rows = agentur.rows(files, out, first.settings.stichtag)
    assert [r["stufe"] for r in rows] == ["Rahmen, Bestand, Maßnahmen"] * 2
    # Linnich (12.662) and Königswinter (41.277), ranks 99 and 297 of 396 by population
    assert [r["groessenklasse"] for r in rows] == [
        "10.000 bis unter 20.000",
        "20.000 bis unter 50.000",
    ]
    assert all(r["stunden_je_1000"] > 0 and r["quick_wins"] >= 0 for r in rows)
    assert [r["einsparung_realisiert"] for r in rows] == ["noch kein Stand"] * 2
    written = agentur.erstellen(files, out, tmp_path / "ziel", pdf=False)
    assert "2 Kommunen" in written[0].read_text(encoding="utf-8")
