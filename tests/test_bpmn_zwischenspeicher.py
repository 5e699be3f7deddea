"""Drawn BPMN diagrams are cached by what they are drawn from: the same file is drawn once
(a batch of municipalities with the default Musterprozess, report and slides of one run),
a changed file is drawn anew."""

import json
import os
import shutil

import pytest

from kdworkbook.kern import zwischenspeicher
from kdworkbook.musterprozess import bpmn_bild, bpmn_export
from kdworkbook.musterprozess.laden import read_bpmn

from .conftest import ROOT

SAMPLE = ROOT / "tests" / "fixtures" / "bpmn" / "camunda_modeler_wohnsitz_di.bpmn"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "zwischenspeicher"
    monkeypatch.setenv(zwischenspeicher.ENV, str(folder))
    return folder / bpmn_bild.CACHE_KIND


@pytest.fixture
def sample(tmp_path):
    path = tmp_path / "wohnsitz.bpmn"
    shutil.copy(SAMPLE, path)
    return path


def _edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


# --- the store ----------------------------------------------------------------------------------


def test_an_entry_is_read_back_and_a_broken_one_is_missing(tmp_path, monkeypatch):
    monkeypatch.setenv(zwischenspeicher.ENV, str(tmp_path))
    assert zwischenspeicher.get("art", "k1") is None
    zwischenspeicher.put("art", "k1", {"svg": "<svg/>", "liste": [1, 2]})
    assert zwischenspeicher.get("art", "k1") == {"svg": "<svg/>", "liste": [1, 2]}
    (tmp_path / "art" / "k2.json").write_text("{abgebrochen", encoding="utf-8")
    assert zwischenspeicher.get("art", "k2") is None
    # no temporary file left behind
    assert sorted(p.name for p in (tmp_path / "art").iterdir()) == ["k1.json", "k2.json"]


def test_the_key_separates_its_parts():
    assert zwischenspeicher.key("ab", "c") != zwischenspeicher.key("a", "bc")
    assert zwischenspeicher.key("a", b"b") == zwischenspeicher.key(b"a", "b")
    assert len(zwischenspeicher.key("x")) == 64


@pytest.mark.parametrize("value", ["aus", "", "AUS "])
def test_the_cache_can_be_switched_off(monkeypatch, value):
    monkeypatch.setenv(zwischenspeicher.ENV, value)
    assert zwischenspeicher.folder("art") is None
    zwischenspeicher.put("art", "k", 1)  # nothing written, no error
    assert zwischenspeicher.get("art", "k") is None


def test_default_folder_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv(zwischenspeicher.ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert zwischenspeicher.folder("art") == tmp_path / "kdworkbook" / "art"


def test_an_unwritable_folder_only_means_no_entry(tmp_path, monkeypatch):
    blocker = tmp_path / "eine-datei"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv(zwischenspeicher.ENV, str(blocker))  # a file where the folder would be
    zwischenspeicher.put("art", "k", 1)
    assert zwischenspeicher.get("art", "k") is None


def test_the_least_recently_used_entries_are_removed(tmp_path, monkeypatch):
    monkeypatch.setenv(zwischenspeicher.ENV, str(tmp_path))
    monkeypatch.setattr(zwischenspeicher, "MAX_ENTRIES", 2)
    for i, name in enumerate(["a", "b"]):
        zwischenspeicher.put("art", name, i)
        os.utime(tmp_path / "art" / f"{name}.json", ns=(10**9 * (i + 1),) * 2)
    zwischenspeicher.put("art", "c", 2)
    assert sorted(p.stem for p in (tmp_path / "art").glob("*.json")) == ["b", "c"]


# --- the key of a drawing -----------------------------------------------------------------------


def test_key_of_a_drawing_needs_no_hyphenation_patterns(sample, monkeypatch):
    """The key is computed without loading pyphen's patterns (0,6 s per process)."""
    bpmn_export._hyphenator.cache_clear()

    def refuse(*_args, **_kwargs):
        raise AssertionError("hyphenation patterns loaded")

    monkeypatch.setattr(bpmn_export.pyphen, "Pyphen", refuse)
    p = read_bpmn(sample)
    assert bpmn_bild.cache_key(p, sample) == bpmn_bild.cache_key(read_bpmn(sample), sample)
    bpmn_export._hyphenator.cache_clear()


def test_key_changes_with_the_bpmn_file_the_viewer_and_the_browser(sample, tmp_path, monkeypatch):
    before = bpmn_bild.cache_key(read_bpmn(sample), sample)
    # a task renamed
    _edit(sample, 'name="Unterlagen prüfen"', 'name="Unterlagen sichten"')
    renamed = bpmn_bild.cache_key(read_bpmn(sample), sample)
    # a shape moved in the author's layout: same model, other picture
    shutil.copy(SAMPLE, sample)
    assert bpmn_bild.cache_key(read_bpmn(sample), sample) == before
    text = sample.read_text(encoding="utf-8")
    first_x = text.index(' x="', text.index("<dc:Bounds"))
    sample.write_text(text[:first_x] + ' x="1' + text[first_x + 4 :], encoding="utf-8")
    moved = bpmn_bild.cache_key(read_bpmn(sample), sample)
    assert len({before, renamed, moved}) == 3
    shutil.copy(SAMPLE, sample)
    p = read_bpmn(sample)
    other_browser = tmp_path / "chromium"
    other_browser.write_text("#!/bin/sh\n", encoding="utf-8")
    other_browser.chmod(0o755)
    assert bpmn_bild.cache_key(p, sample, str(other_browser)) != before
    monkeypatch.setattr(bpmn_bild, "_bundle_digest", lambda: "anderer Viewer")
    assert bpmn_bild.cache_key(p, sample) != before


# --- drawing with the cache ---------------------------------------------------------------------


def _counting_draw(monkeypatch) -> list[list[str]]:
    calls: list[list[str]] = []
    real = bpmn_bild.draw

    def draw(diagrams, browser=None):
        calls.append(sorted(diagrams))
        return real(diagrams, browser)

    monkeypatch.setattr(bpmn_bild, "draw", draw)
    return calls


@pytest.mark.browser
def test_a_diagram_is_drawn_once_and_again_when_its_file_changes(cache, sample, monkeypatch):
    calls = _counting_draw(monkeypatch)
    first = bpmn_bild.svgs({"x": (read_bpmn(sample), sample)})["x"]
    assert calls == [["x"]] and len(list(cache.glob("*.json"))) == 1
    again = bpmn_bild.svgs({"y": (read_bpmn(sample), sample)})["y"]
    assert calls == [["x"]]  # from the cache: no Chromium
    assert again == first
    assert "Unterlagen" in bpmn_export.text_of("".join(again)).split()

    _edit(sample, 'name="Unterlagen prüfen"', 'name="Nachweise sichten"')
    changed = bpmn_bild.svgs({"x": (read_bpmn(sample), sample)})["x"]
    assert calls == [["x"], ["x"]]  # drawn anew
    words = bpmn_export.text_of("".join(changed)).split()
    assert "Nachweise" in words and "Unterlagen" not in words
    assert len(list(cache.glob("*.json"))) == 2


@pytest.mark.browser
def test_a_broken_entry_is_drawn_again(cache, sample, monkeypatch):
    calls = _counting_draw(monkeypatch)
    first = bpmn_bild.svgs({"x": (read_bpmn(sample), sample)})["x"]
    (entry,) = cache.glob("*.json")
    stored = json.loads(entry.read_text(encoding="utf-8"))
    for broken in (
        {"svg": 1},  # not an entry of this version
        {**stored, "shapes": [{"id": "a", "type": "bpmn:Task"}]},  # a shape without its box
        {**stored, "shapes": [1, 2]},
        [],
    ):
        entry.write_text(json.dumps(broken), encoding="utf-8")
        assert bpmn_bild._cached(entry.stem) is None, broken
    second = bpmn_bild.svgs({"x": (read_bpmn(sample), sample)})["x"]
    assert len(calls) == 2
    # drawn again: the same picture (bpmn-js numbers its arrow markers at random)
    assert bpmn_export.text_of("".join(second)) == bpmn_export.text_of("".join(first))
    assert bpmn_bild.svgs({"x": (read_bpmn(sample), sample)})["x"] == second  # stored anew
    assert len(calls) == 2


@pytest.mark.browser
def test_without_cache_every_call_draws(sample, monkeypatch):
    monkeypatch.setenv(zwischenspeicher.ENV, "aus")
    calls = _counting_draw(monkeypatch)
    for _ in range(2):
        bpmn_bild.svgs({"x": (read_bpmn(sample), sample)})
    assert len(calls) == 2


@pytest.mark.browser
def test_pngs_of_the_same_rows_are_converted_once(cache, sample, monkeypatch):
    rows = bpmn_bild.svgs({"x": (read_bpmn(sample), sample)})["x"]
    assert all(bpmn_bild.is_row(row.encode()) for row in rows)
    calls = _counting_conversions(monkeypatch)
    first = bpmn_bild.pngs(rows, dpi=60)
    assert len(calls) == 2 and all(p.startswith(b"\x89PNG") for p in first)
    assert bpmn_bild.pngs(rows, dpi=60) == first and len(calls) == 2  # from the cache
    assert bpmn_bild.png(rows[1], dpi=60) == first[1] and len(calls) == 2
    sharper = bpmn_bild.pngs(rows[:1], dpi=90)  # another resolution: converted anew
    assert len(calls) == 3 and len(sharper[0]) > len(first[0])
    png_cache = cache.parent / bpmn_bild.PNG_CACHE_KIND
    (entry, *_) = sorted(png_cache.glob("*.json"))
    entry.write_text(json.dumps({"png": "kein base64!"}), encoding="utf-8")
    assert bpmn_bild._cached_png(entry.stem) is None


def _counting_conversions(monkeypatch) -> list[bytes]:
    calls: list[bytes] = []
    real = bpmn_bild._convert
    monkeypatch.setattr(bpmn_bild, "_convert", lambda svg, dpi: calls.append(svg) or real(svg, dpi))
    return calls


def test_a_row_is_known_by_its_mark_in_every_copy(cache, monkeypatch):
    """The kernel converts a drawn row once; Word finds the same row in the report's HTML –
    re-serialised by IPython's SVG output and BeautifulSoup – and the slides in the drawing:
    both take that PNG. A row without the mark (or another row) is converted anew."""
    from bs4 import BeautifulSoup
    from IPython.display import SVG

    from kdworkbook.bericht import word

    def drawn(colour: str) -> str:
        return bpmn_bild._marked(
            '<svg xmlns="http://www.w3.org/2000/svg" width="40.0mm" height="20.0mm" '
            f'viewBox="0 0 40 20"><rect width="40" height="20" fill="{colour}"/></svg>'
        )

    row = drawn("#123456")
    calls = _counting_conversions(monkeypatch)
    bpmn_bild.prepare_pngs([row])  # in the kernel, right after the drawing
    shown = SVG(data=row).data  # the notebook's output
    in_html = str(BeautifulSoup(f"<figure>{shown}</figure>", "html.parser").svg)
    assert in_html != row and bpmn_bild.MARK in in_html
    assert word.svg_to_png(in_html.encode()) == bpmn_bild.png(row)  # Word, the slides
    assert len(calls) == 1
    other = drawn("#654321")
    assert bpmn_bild.png(other) != bpmn_bild.png(row) and len(calls) == 2
    monkeypatch.setenv(zwischenspeicher.ENV, "aus")  # no cache: nothing converted ahead
    bpmn_bild.prepare_pngs([row])
    assert len(calls) == 2


@pytest.mark.kernel
@pytest.mark.browser
def test_a_run_converts_each_row_once_for_word_and_the_slides(demo_pdf):
    """In the demo's run the kernel of the Musterprozess converts its rows; bericht.docx and
    praesentation.pptx carry the very same PNG bytes (IST in 5 rows, SOLL in 4)."""
    import zipfile

    def media(path):
        with zipfile.ZipFile(path) as z:
            return {z.read(n) for n in z.namelist() if n.endswith(".png")}

    from pptx import Presentation

    deck = Presentation(str(demo_pdf.parent / "praesentation.pptx"))
    diagrams = [
        shape.image.blob
        for slide in deck.slides
        if any(
            s.text_frame.text.startswith("Musterprozess ") for s in slide.shapes if s.has_text_frame
        )
        for shape in slide.shapes
        if shape.shape_type == 13  # picture
    ]
    assert len(diagrams) == 5 + 4
    assert set(diagrams) <= media(demo_pdf.parent / "bericht.docx")
