"""The German hyphenation patterns are parsed once per machine: the cached patterns hyphenate
exactly as pyphen's own parse, and a missing, broken or switched-off cache only means parsing."""

import json
from pathlib import Path

import pyphen
import pytest

from kdworkbook.kern import silbentrennung, zwischenspeicher

from .conftest import ROOT

PATH = Path(pyphen.LANGUAGES[silbentrennung.LANGUAGE])


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """No patterns in this process yet, an empty cache in tmp_path."""
    monkeypatch.setitem(pyphen.hdcache, PATH, None)
    del pyphen.hdcache[PATH]
    monkeypatch.setenv(zwischenspeicher.ENV, str(tmp_path))
    return tmp_path / silbentrennung.CACHE_KIND


def _forget():
    pyphen.hdcache.pop(PATH, None)


def _no_parsing(monkeypatch):
    def refuse(self, path):
        raise AssertionError(f"{path} parsed again")

    monkeypatch.setattr(pyphen.HyphDict, "__init__", refuse)


def test_known_words_are_hyphenated_as_the_dictionary_says(fresh):
    assert silbentrennung.pyphen_de().inserted("Digitalisierungsstrategie") == (
        "Di-gi-ta-li-sie-rungs-stra-te-gie"
    )
    assert silbentrennung.pyphen_de(left=3, right=3).inserted("Hundesteuer") == "Hun-de-steuer"
    assert silbentrennung.pyphen_de().positions("Prozessoptimierung") == [3, 6, 7, 9, 11, 14]


def test_the_patterns_come_from_the_cache_the_second_time_and_hyphenate_alike(fresh, monkeypatch):
    parsed = silbentrennung.pyphen_de()
    (entry,) = fresh.glob("*.json")
    lines = json.loads(entry.read_text(encoding="utf-8")).split("\n")
    assert len(lines) == len(parsed.hd.patterns) == 66_441
    assert "daherab 2 100101" in lines  # „da-her-ab“: pattern, offset of its values, values
    _forget()
    _no_parsing(monkeypatch)
    cached = silbentrennung.pyphen_de()
    assert cached.hd is not parsed.hd and cached.hd.patterns == parsed.hd.patterns
    assert cached.hd.maxlen == parsed.hd.maxlen == 35
    words = set()
    for text in (ROOT / "README.md", ROOT / "kdworkbook" / "data" / "pflichten.yaml"):
        words |= {w for w in text.read_text(encoding="utf-8").split() if w.isalpha()}
    assert len(words) > 1000
    for word in words:
        assert cached.positions(word) == parsed.positions(word), word


def test_a_broken_entry_is_parsed_again_and_replaced(fresh):
    silbentrennung.pyphen_de()
    (entry,) = fresh.glob("*.json")
    entry.write_text('"ab 1 x"', encoding="utf-8")
    _forget()
    assert silbentrennung.pyphen_de().inserted("Hundesteuer") == "Hun-de-steu-er"
    assert json.loads(entry.read_text(encoding="utf-8")).count("\n") == 66_440


def test_without_cache_the_patterns_are_parsed_and_nothing_is_written(fresh, monkeypatch):
    monkeypatch.setenv(zwischenspeicher.ENV, "aus")
    assert silbentrennung.pyphen_de().inserted("Hundesteuer") == "Hun-de-steu-er"
    assert not fresh.exists()


def test_pyphen_data_for_non_standard_breaks_is_not_cached():
    """Patterns like „c1k/k=k“ (old spelling) carry data JSON would drop: not cached."""
    hd = object.__new__(pyphen.HyphDict)
    hd.patterns = {"ck": (0, (pyphen.DataInt(1, ("k=k", 1, 1)),))}
    assert silbentrennung._entry(hd) is None


def test_only_one_process_makes_an_entry_at_a_time(tmp_path, monkeypatch):
    """While one process is inside ``made_once`` for an entry (as the runner parsing the
    patterns), another process waits for it instead of parsing too."""
    import fcntl
    import os
    import subprocess
    import sys

    monkeypatch.setenv(zwischenspeicher.ENV, str(tmp_path))
    inside = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys\nfrom kdworkbook.kern import zwischenspeicher\n"
            "with zwischenspeicher.made_once('art', 'k1'):\n"
            "    print('drin', flush=True)\n"
            "    sys.stdin.readline()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    try:
        assert inside.stdout.readline().strip() == "drin"
        lock = os.open(tmp_path / "art" / ".k1.lock", os.O_RDWR)
        with pytest.raises(BlockingIOError):
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # the other one is inside
        inside.communicate("\n")
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # it left: free
        os.close(lock)
    finally:
        inside.kill()
    with zwischenspeicher.made_once("art", "k2"):  # in this process: no waiting for itself
        pass
    monkeypatch.setenv(zwischenspeicher.ENV, "aus")
    with zwischenspeicher.made_once("art", "k1"):  # no cache: nothing to wait for
        assert not (tmp_path / "aus").exists()
