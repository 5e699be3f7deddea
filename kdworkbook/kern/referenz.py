"""The reference data shipped with the product (``kdworkbook/data/referenz/``).

Provenance, licences, row counts and column meanings: ``kdworkbook/data/referenz/README.md``.
The LeiKa and OZG catalogue are the default of ``rahmen → leika_katalog``/``ozg_katalog``;
the register of NRW municipalities serves ``kdworkbook new --ags``. Nothing here reads files
outside the package.
"""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

LEIKA_DATEI = "leika_leistungen_kdn2019.csv"
OZG_DATEI = "ozg_leistungen_kdn2019.csv"
GEMEINDEN_DATEI = "nrw_gemeinden_2019.csv"
#: Data state of the shipped LeiKa/OZG catalogue: the SQL dump of the OZG-Datenbank NRW
#: (kdn-nrw/OZG-Datenbank-NRW) holds the catalogue as of October–December 2019.
KATALOG_STAND = "Oktober–Dezember 2019"
KATALOG_QUELLE = "mitgelieferter LeiKa-Katalog der OZG-Datenbank NRW"
#: Reference date of the register (Destatis Gemeindeverzeichnis, population on that day).
GEMEINDEN_STAND = "31.12.2019"
#: Textkennzeichen of the Gemeindeverzeichnis → the word put before the name.
_ART = {"61": "Stadt", "63": "Stadt", "64": "Gemeinde"}


def path(name: str) -> Path:
    """Absolute path of a shipped reference file (inside the installed package)."""
    return Path(str(resources.files("kdworkbook") / "data" / "referenz" / name))


def leika_katalog() -> Path:
    return path(LEIKA_DATEI)


def ozg_katalog() -> Path:
    return path(OZG_DATEI)


def is_shipped(file: Path | None) -> bool:
    """True if *file* is one of the shipped reference files."""
    if file is None:
        return False
    try:
        return Path(file).resolve().parent == path(LEIKA_DATEI).resolve().parent
    except OSError:
        return False


@dataclass(frozen=True)
class Gemeinde:
    """One municipality of the register (Destatis Gemeindeverzeichnis, 31.12.2019)."""

    ags: str
    name: str  # official name as in the register, e.g. „Münster, Stadt“
    kreis: str
    einwohner: int
    plz: str
    textkennzeichen: str

    @property
    def anzeigename(self) -> str:
        """„Münster, Stadt“ → „Stadt Münster“; „Ascheberg“ (64) → „Gemeinde Ascheberg“."""
        base = self.name.split(",")[0].strip()
        return f"{_ART.get(self.textkennzeichen, '')} {base}".strip()


@functools.cache
def gemeinden() -> tuple[Gemeinde, ...]:
    """All 396 municipalities of NRW, in the register's order (by AGS)."""
    with path(GEMEINDEN_DATEI).open(encoding="utf-8", newline="") as handle:
        return tuple(
            Gemeinde(
                ags=row["ags"],
                name=row["name"],
                kreis=row["kreis"],
                einwohner=int(row["einwohner"]),
                plz=row["plz"],
                textkennzeichen=row["textkennzeichen"],
            )
            for row in csv.DictReader(handle)
        )


def gemeinde(ags: str) -> Gemeinde | None:
    """The municipality with this AGS, or None."""
    return next((g for g in gemeinden() if g.ags == ags), None)


def _fold(text: str) -> str:
    """For comparing names: lower case, umlauts as ae/oe/ue/ss, no accents or punctuation."""
    text = text.casefold()
    for umlaut, plain in {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}.items():
        text = text.replace(umlaut, plain)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


_PREFIX = re.compile(r"^(stadt|gemeinde|kreisfreie stadt|hansestadt)\s+")


def suchen(text: str, limit: int = 10) -> list[Gemeinde]:
    """Municipalities whose name contains *text* (umlauts and case ignored; „Stadt“ in front
    is ignored), names starting with it first; if none does, the most similar names
    (rapidfuzz ``ratio`` ≥ 75, i.e. about one letter in four may differ)."""
    from rapidfuzz import fuzz, process  # only for the search

    wanted = _PREFIX.sub("", _fold(text))
    if not wanted:
        return []
    folded = [_fold(g.name) for g in gemeinden()]
    hits = [
        (not name.startswith(wanted), name, g)
        for name, g in zip(folded, gemeinden(), strict=True)
        if wanted in name
    ]
    if hits:
        return [g for *_, g in sorted(hits, key=lambda h: (h[0], h[1]))][:limit]
    bases = [_fold(g.name.split(",")[0]) for g in gemeinden()]  # „Münster“ of „Münster, Stadt“
    best = process.extract(wanted, bases, scorer=fuzz.ratio, limit=limit, score_cutoff=75)
    return [gemeinden()[i] for _, _, i in best]


def naechste(ags: str, name: str | None = None, limit: int = 5) -> list[Gemeinde]:
    """For an AGS that is not in the register: municipalities with a similar name (if a name
    is given), then those whose AGS shares the longest prefix (same Kreis)."""
    found = suchen(name, limit) if name else []
    rest = [g for g in gemeinden() if g not in found]

    def shared(g: Gemeinde) -> int:
        return next((i for i, (a, b) in enumerate(zip(g.ags, ags, strict=True)) if a != b), 8)

    rest.sort(key=lambda g: (-shared(g), abs(int(g.ags) - int(ags))))
    return (found + rest)[:limit]
