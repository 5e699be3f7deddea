"""The page „Vergleich mit Kommunen ähnlicher Größe“: quartiles by hand (QUARTILE.INKL),
shown with 5 peers of the same size class and not with 4, synthetic data said so."""

import json
import shutil

import pytest

from kdworkbook.bestand.laden import load_bestand
from kdworkbook.cli import main
from kdworkbook.kern.errors import InputError
from kdworkbook.vergleich import ablage, kapitel, peers

from .conftest import DEMO, HEADER, SEED_ROWS, execute_step, write_params, write_xlsx

KLASSE = "20.000 bis unter 50.000"


def _peer(i: int, klasse: str = KLASSE, **values) -> dict:
    base = {
        "version": 1,
        "kennung": f"00000000-0000-4000-8000-00000000000{i}",
        "stichtag": f"2026-0{i}-01",
        "groessenklasse": klasse,
        "stunden_je_1000": float(i),
        "quick_wins": i * 10,
    }
    return base | values


def test_quartiles_by_hand():
    # positions p·(n − 1): n = 6 → 1,25 / 2,5 / 3,75 between the sorted values
    assert peers.quartile([6, 1, 5, 2, 4, 3]) == peers.Quartile(2.25, 3.5, 4.75, 6)
    assert peers.quartile([3, 1, 2, 5, 4]) == peers.Quartile(2.0, 3.0, 4.0, 5)
    # 10, 20, 40, 80: Q1 at 0,75 → 17,5; median at 1,5 → 30; Q3 at 2,25 → 50
    assert peers.quartile([80, 10, 40, 20]) == peers.Quartile(17.5, 30.0, 50.0, 4)


def test_lage_against_quartiles():
    q = peers.Quartile(2.0, 3.0, 4.0, 5)
    assert peers.lage(1.5, q) == "unteres Viertel"
    assert peers.lage(3.0, q) == "am Median"
    assert peers.lage(3.5, q) == "mittlere Hälfte, über dem Median"
    assert peers.lage(4.5, q) == "oberes Viertel"


def test_shown_with_five_peers_of_the_same_class():
    own = _peer(9, stunden_je_1000=2.5, quick_wins=None)
    others = [_peer(i) for i in range(1, 6)] + [_peer(7, klasse="unter 10.000"), own]
    v = peers.vergleich(own, others, 5)
    assert (v.grund, v.anzahl, v.stichtage) == (None, 5, ("2026-01-01", "2026-05-01"))
    stunden = next(z for z in v.zeilen if z.kennzahl.key == "stunden_je_1000")
    assert stunden.quartile == peers.Quartile(2.0, 3.0, 4.0, 5)
    assert stunden.wert == 2.5
    wins = next(z for z in v.zeilen if z.kennzahl.key == "quick_wins")
    assert (wins.wert, wins.quartile) == (None, peers.Quartile(20.0, 30.0, 40.0, 5))
    # a metric no peer has: no quartiles
    reife = next(z for z in v.zeilen if z.kennzahl.key == "anteil_reifegrad_ab_3")
    assert reife.quartile is None


def test_not_shown_with_four_peers():
    own = _peer(9)
    v = peers.vergleich(own, [_peer(i) for i in range(1, 5)], 5)
    assert v.zeilen == ()
    assert v.grund == (
        "Kein Vergleich: nur 4 Vergleichskommunen der Größenklasse 20.000 bis unter 50.000 "
        "Einwohner – gezeigt wird er erst ab 5, damit keine einzelne Kommune erkennbar ist."
    )


def test_no_size_class_no_comparison():
    v = peers.vergleich(_peer(9, groessenklasse=None), [_peer(i) for i in range(1, 7)], 5)
    assert v.grund.startswith("Kein Vergleich: die Größenklasse ist nicht bestimmbar")


def test_minimum_cannot_be_lowered(tmp_path):
    write_xlsx(tmp_path / "a.xlsx", HEADER, SEED_ROWS)
    (tmp_path / "v").mkdir()
    params = write_params(
        tmp_path, "gemeinde: Stadt X\nbestand: a.xlsx\nvergleich:\n  ordner: v\n  mindestzahl: 3\n"
    )
    with pytest.raises(InputError, match="mindestzahl"):
        load_bestand(params)


def test_broken_peer_file_is_named_before_anything_runs(tmp_path, capsys):
    write_xlsx(tmp_path / "a.xlsx", HEADER, SEED_ROWS)
    (tmp_path / "v").mkdir()
    (tmp_path / "v" / "x.json").write_text("[1]", encoding="utf-8")
    params = write_params(tmp_path, "gemeinde: Stadt X\nbestand: a.xlsx\nvergleich:\n  ordner: v\n")
    assert main(["check", str(params)]) == 2
    err = capsys.readouterr().err
    assert "x.json: kein Vergleichsauszug der Version 1" in err
    assert "Traceback" not in err


def _texts(outputs: list) -> str:
    return "\n".join(
        str(o.get("data", {}).get("text/html", "")) + str(o.get("data", {}).get("text/plain", ""))
        for o in outputs
    )


def test_demo_page_with_synthetic_peers(tmp_path):
    nb, outputs = execute_step("05_vergleich.ipynb", tmp_path)
    text = _texts(outputs)
    assert "Verglichen wird mit <strong>12 Kommunen</strong>" in text
    assert "<strong>synthetisch</strong>" in text
    assert "Stand der Vergleichsdaten: 30.03.2026 bis 23.11.2026." in text
    assert any("image/svg+xml" in o.get("data", {}) for o in outputs)
    assert '<td class="txt">1.132</td>' in text  # 28.757 h / 25.400 Einwohner × 1.000
    v = kapitel.load(load_bestand(DEMO))
    assert (v.anzahl, v.synthetisch) == (12, True)


def test_page_not_shown_with_four_peers(tmp_path):
    folder = tmp_path / "v"
    shutil.copytree(DEMO.parent / "musterstadt" / "vergleich", folder)
    for path in sorted(folder.glob("*.json"))[4:]:
        path.unlink()
    body = DEMO.read_text(encoding="utf-8").replace(
        "ordner: musterstadt/vergleich", f"ordner: {folder}"
    )
    body = body.replace("musterstadt/", str(DEMO.parent / "musterstadt") + "/")
    params = tmp_path / "demo.yaml"
    params.write_text(body, encoding="utf-8")
    assert len(ablage.peer_extracts(folder)) == 4
    _, outputs = execute_step("05_vergleich.ipynb", tmp_path, params)
    text = _texts(outputs)
    assert "Kein Vergleich: nur 4 Vergleichskommunen" in text
    assert not any("image/svg+xml" in o.get("data", {}) for o in outputs)
    assert "Quartil" not in text


def test_shipped_peers_are_synthetic_and_anonymous():
    for document in ablage.peer_extracts(DEMO.parent / "musterstadt" / "vergleich"):
        assert document["synthetisch"] is True
        assert set(json.dumps(document, ensure_ascii=False)) & {"/", "\\"} == set()
        assert "name" not in document and "ags" not in document


def test_chapter_uses_the_same_figures_as_the_written_extract():
    from kdworkbook.vergleich import auszug

    from .test_cli import DEMO_RESULTS

    ba = load_bestand(DEMO)
    s = ba.settings
    results = json.loads(DEMO_RESULTS.read_text(encoding="utf-8"))
    written = auszug.extract(
        ba.data, results, auszug.bevoelkerung(s.ags, s.einwohner), s.stichtag, s.gemeinde
    )
    assert kapitel.own_extract(ba) == written
