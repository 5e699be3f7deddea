"""German hyphenation patterns (pyphen), parsed once per machine instead of once per process.

pyphen reads its 66.000 German patterns from LibreOffice's ``hyph_de_DE.dic`` on first use –
0,6 CPU-seconds each time. A run needs them in the runner (the report's table cells) and in
the kernel that draws the Musterprozess (the BPMN labels). :func:`pyphen_de` keeps the parsed
patterns in the cache of :mod:`kdworkbook.kern.zwischenspeicher` (one line per pattern,
1,4 MB, read in 0,1 s) under the SHA-256 of pyphen's version and the dictionary file's
bytes: a new pyphen or dictionary is a new entry. The hyphenation points are pyphen's own:
the same object pyphen would build, handed to it through its per-file cache
``pyphen.hdcache``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyphen

from kdworkbook.kern import zwischenspeicher

LANGUAGE = "de_DE"  #: pyphen's German patterns (LibreOffice's dictionary, „neue Rechtschreibung“)
#: kind of entry in the cache; the number changes with the format of an entry
CACHE_KIND = "silbentrennung-1"


def pyphen_de(left: int = 2, right: int = 2) -> pyphen.Pyphen:
    """pyphen's German hyphenator; its patterns parsed once per process, and per machine
    only once as long as the cache keeps them (``KDWORKBOOK_CACHE``)."""
    path = Path(pyphen.LANGUAGES[LANGUAGE])
    if path not in pyphen.hdcache:
        pyphen.hdcache[path] = _patterns(path)
    return pyphen.Pyphen(lang=LANGUAGE, left=left, right=right)


def _patterns(path: Path) -> pyphen.HyphDict:
    name = zwischenspeicher.key(CACHE_KIND, pyphen.__version__, path.read_bytes())
    with zwischenspeicher.made_once(CACHE_KIND, name):  # the runner and a kernel: one parses
        found = _from_entry(zwischenspeicher.get(CACHE_KIND, name))
        if found is not None:
            return found
        parsed = pyphen.HyphDict(path)
        entry = _entry(parsed)
        if entry is not None:
            zwischenspeicher.put(CACHE_KIND, name, entry)
        return parsed


def _entry(hd: pyphen.HyphDict) -> str | None:
    """The patterns as text, one line per pattern: its letters, the offset of its first
    value and the values as digits („ab 1 0102“); None if a value is not one digit or
    carries pyphen's data for a non-standard break („ck“ → „k-k“), which text would lose."""
    lines = []
    for tag, (offset, values) in hd.patterns.items():
        if any(getattr(v, "data", None) or not 0 <= v <= 9 for v in values) or " " in tag:
            return None
        lines.append(f"{tag} {offset} {''.join(map(str, values))}")
    return "\n".join(lines)


def _from_entry(entry: Any) -> pyphen.HyphDict | None:
    """The HyphDict of a cache entry; None for no entry or one this version did not write."""
    if not isinstance(entry, str) or not entry:
        return None
    patterns = {}
    try:
        for line in entry.split("\n"):
            tag, offset, values = line.split(" ")
            patterns[tag] = int(offset), tuple(map(int, values))
    except ValueError:
        return None
    hd = object.__new__(pyphen.HyphDict)  # what HyphDict.__init__ sets, from the entry
    hd.patterns, hd.cache, hd.maxlen = patterns, {}, max(len(tag) for tag in patterns)
    return hd
