"""The LeiKa catalogue (Leistungskatalog) and the enrichment of the survey with it.

Two catalogue layouts are read (see ``kdworkbook/data/referenz/README.md``):

* the official LeiKa CSV export: ``schluessel, gruppierung, kennung, verrichtung,
  verrichtungsdetail, bezeichnung, bezeichnung2, typ, datum, besondere_merkmale, synonyme``
  (synonyms separated by ``|``);
* the layout of the NRW OZG database (``leika_leistungen_kdn2019.csv``: ``schluessel,
  bezeichnung, typ, ozg_id, …``), optionally with ``ozg_leistungen_kdn2019.csv`` for the
  OZG-Leistung, Lebenslage and Themenfeld.

Keys always stay 14-digit text. :func:`read_catalogue` and :func:`read_ozg` read files; the
matching (:func:`enrich`) and the Zuständigkeit (:func:`zustaendigkeit`) are pure.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from kdworkbook.errors import InputError
from kdworkbook.tabellen import decode

LAYOUT_OFFICIAL = "LeiKa-Export"
LAYOUT_KDN = "OZG-Datenbank NRW"
OFFICIAL_COLUMNS = (
    "schluessel",
    "gruppierung",
    "kennung",
    "verrichtung",
    "verrichtungsdetail",
    "bezeichnung",
    "bezeichnung2",
    "typ",
    "datum",
    "besondere_merkmale",
    "synonyme",
)
KDN_COLUMNS = ("schluessel", "bezeichnung", "typ", "ozg_id")
OZG_COLUMNS = ("ozg_id", "bezeichnung", "lebenslage", "themenfeld")

KOMMUNE = "Kommune setzt selbst um"
ZENTRAL = "zentral bereitgestellt, Kommune bindet an"
#: LeiKa-Typ tokens for which the Bund/Land regulates and a central service is built
#: (Typ 1, 2, 3, 2/3; 4a = Land vollzieht). Source: LeiKa-Typisierung, see DOMAIN.md.
TYP_ZENTRAL = frozenset({"1", "2", "3", "4", "4a"})
#: Always the municipality's own responsibility: Typ 5 (Regelungs- und Vollzugskompetenz).
TYP_KOMMUNE_IMMER = frozenset({"5", "4b"})

MATCH_KEY = "Schlüssel"
MATCH_NAME = "Name"
MATCH_CONFIRMED = "unscharf (geprüft)"
MATCH_REVIEW = "unscharf (zu prüfen)"
MATCH_NONE = "keiner"
MATCH_KINDS = (MATCH_KEY, MATCH_NAME, MATCH_CONFIRMED, MATCH_REVIEW, MATCH_NONE)

_KEY = re.compile(r"^\d{14}$")
MAX_MESSAGES = 10


@dataclass(frozen=True)
class Katalog:
    """A loaded catalogue: one row per LeiKa entry, OZG columns where known."""

    leistungen: pd.DataFrame  # schluessel, bezeichnung, typ, synonyme, ozg_*, themenfeld …
    layout: str
    dateien: list[Path] = field(default_factory=list)
    #: latest date of the export's ``datum`` column (official layout), else None
    stand: dt.date | None = None


# --------------------------------------------------------------------------- reading


def _read_text(path: Path, what: str) -> str:
    if not path.is_file():
        raise InputError(f"{path}: {what} nicht gefunden.")
    raw = path.read_bytes()
    if not raw.strip():
        raise InputError(f"{path}: {what} ist leer.")
    if b"\x00" in raw[:4096]:
        raise InputError(f"{path}: {what} ist keine Textdatei (CSV erwartet).")
    return decode(raw)


def _read_csv(path: Path, what: str) -> pd.DataFrame:
    text = _read_text(path, what)
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            quoting=csv.QUOTE_MINIMAL,
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(f"{path}: {what} ist keine lesbare CSV-Datei ({exc}).") from None
    frame.columns = [re.sub(r"\s+", "_", str(c).strip().lower()) for c in frame.columns]
    return frame.apply(lambda col: col.str.strip())


def _layout(path: Path, columns: Iterable[str]) -> str:
    present = set(columns)
    if set(OFFICIAL_COLUMNS) - {"bezeichnung2", "datum", "besondere_merkmale"} <= present:
        return LAYOUT_OFFICIAL
    if set(KDN_COLUMNS) <= present:
        return LAYOUT_KDN
    raise InputError(
        f"{path}: kein bekanntes Format eines LeiKa-Katalogs. Gefundene Spalten: "
        f"{', '.join(sorted(present)) or 'keine'}. Erwartet wird der LeiKa-Export "
        f"({', '.join(OFFICIAL_COLUMNS)}) oder das Format der OZG-Datenbank NRW "
        f"({', '.join(KDN_COLUMNS)}, …)."
    )


def _check_keys(path: Path, keys: pd.Series) -> None:
    bad = keys[(keys != "") & ~keys.str.match(_KEY)]
    messages = [
        f"{path}, Zeile {i + 2}, Spalte „schluessel“: „{k}“ ist kein LeiKa-Schlüssel – "
        "erwartet: 14 Ziffern als Text (in Excel als Text formatieren, nicht als Zahl)."
        for i, k in bad.head(MAX_MESSAGES).items()
    ]
    dupes = keys[(keys != "") & keys.duplicated()]
    messages += [
        f"{path}, Zeile {i + 2}: LeiKa-Schlüssel {k} kommt mehrfach vor."
        for i, k in dupes.head(MAX_MESSAGES).items()
    ]
    if messages:
        raise InputError(messages)


def _latest_date(dates: pd.Series) -> dt.date | None:
    """Latest entry of the export's ``datum`` column (28.11.2026, 2026-11-28 or with time)."""
    text = dates[dates != ""]
    parsed = pd.to_datetime(text, format="%d.%m.%Y", errors="coerce")
    parsed = parsed.fillna(pd.to_datetime(text.str[:10], format="%Y-%m-%d", errors="coerce"))
    return None if parsed.dropna().empty else parsed.max().date()


@functools.lru_cache(maxsize=8)
def _cached_catalogue(
    path: Path, _stamp: tuple[int, int]
) -> tuple[pd.DataFrame, str, dt.date | None]:
    frame = _read_csv(path, "LeiKa-Katalog")
    layout = _layout(path, frame.columns)
    _check_keys(path, frame["schluessel"])
    if (frame["bezeichnung"] == "").any():
        row = int(frame.index[frame["bezeichnung"] == ""][0]) + 2
        raise InputError(f"{path}, Zeile {row}, Spalte „bezeichnung“: Bezeichnung fehlt.")
    out = pd.DataFrame(
        {
            "schluessel": frame["schluessel"].replace("", pd.NA),
            "bezeichnung": frame["bezeichnung"],
            "typ": frame["typ"].replace("", pd.NA),
            "synonyme": frame["synonyme"] if "synonyme" in frame else "",
            "ozg_id": frame["ozg_id"].replace("", pd.NA) if "ozg_id" in frame else pd.NA,
        }
    )
    return out, layout, _latest_date(frame["datum"]) if "datum" in frame else None


def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


def read_catalogue(path: Path, ozg_path: Path | None = None) -> Katalog:
    """Read a LeiKa catalogue in either layout (+ the OZG list); raises InputError."""
    path = Path(path).resolve()
    _read_text(path, "LeiKa-Katalog")  # clear message for a missing or empty file
    frame, layout, stand = _cached_catalogue(path, _stamp(path))
    frame = frame.copy()
    files = [path]
    if ozg_path is not None:
        ozg = read_ozg(ozg_path)
        frame = frame.merge(ozg, on="ozg_id", how="left")
        files.append(Path(ozg_path).resolve())
    for column in ("ozg_leistung", "lebenslage", "themenfeld"):
        if column not in frame:
            frame[column] = pd.NA
    return Katalog(leistungen=frame, layout=layout, dateien=files, stand=stand)


def read_ozg(path: Path) -> pd.DataFrame:
    """The OZG-Leistungen list: ``ozg_id → ozg_leistung, lebenslage, themenfeld``."""
    path = Path(path)
    frame = _read_csv(path, "OZG-Katalog")
    missing = [c for c in OZG_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(
            f"{path}: Spalte(n) {', '.join(missing)} fehlen – erwartet wird das Format "
            f"„{', '.join(OZG_COLUMNS)}“ (ozg_leistungen_kdn2019.csv)."
        )
    frame = frame.rename(columns={"bezeichnung": "ozg_leistung"})
    frame = frame.drop_duplicates("ozg_id")
    return frame[["ozg_id", "ozg_leistung", "lebenslage", "themenfeld"]].replace("", pd.NA)


# --------------------------------------------------------------------------- Zuständigkeit


def _tokens(typ: object) -> set[str]:
    if typ is None or typ is pd.NA or (isinstance(typ, float) and pd.isna(typ)):
        return set()
    return {t for t in re.split(r"[\s,;/]+", str(typ).strip().lower()) if t}


def zustaendigkeit(typ: object, typ_4b: Iterable[str]) -> str | None:
    """LeiKa-Typ → who implements: Typ 4b/5 the municipality itself, Typ 1–3 (and 4a) centrally.

    *typ_4b*: raw Typ values that count as 4b (the public catalogue only has ``4``).
    A mixed value counts for the municipality as soon as one part does. ``None`` if unknown.
    """
    tokens = _tokens(typ)
    kommune = TYP_KOMMUNE_IMMER | {str(t).strip().lower() for t in typ_4b}
    if not tokens:
        return None
    if tokens & kommune:
        return KOMMUNE
    if tokens <= TYP_ZENTRAL:
        return ZENTRAL
    return None


# --------------------------------------------------------------------------- matching


def norm_name(name: object) -> str:
    """Name for comparison: lower case, single spaces."""
    return re.sub(r"\s+", " ", str(name or "")).strip().casefold()


def _name_index(leistungen: pd.DataFrame) -> dict[str, list[int]]:
    """Normalised Bezeichnung (and synonyms) → catalogue rows; rows with a key first."""
    index: dict[str, list[int]] = {}
    ordered = leistungen.assign(_ohne=leistungen["schluessel"].isna()).sort_values(
        "_ohne", kind="stable"
    )
    for i, name in ordered["bezeichnung"].items():
        index.setdefault(norm_name(name), []).append(i)
    for i, synonyms in ordered["synonyme"].items():
        for synonym in str(synonyms or "").split("|"):
            if synonym.strip():
                index.setdefault(norm_name(synonym), [i])
    return index


def enrich(
    survey: pd.DataFrame,
    katalog: Katalog | None,
    typ_4b: Iterable[str],
    schwelle: float,
    zuordnung: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """LeiKa attributes per survey row (same index), in this order of precedence:

    1. ``LeiKa-Schlüssel`` of the survey found in the catalogue → ``Schlüssel``;
    2. a key assigned by the analyst in *zuordnung* (Bezeichnung → key) → ``unscharf (geprüft)``;
    3. the same Bezeichnung (case and spaces ignored, synonyms too) → ``Name``;
    4. the most similar Bezeichnung with a score ≥ *schwelle* (0–100, rapidfuzz
       ``token_sort_ratio``) → ``unscharf (zu prüfen)``: only proposed, not applied;
    5. otherwise ``keiner``.
    """
    typ_4b = tuple(typ_4b)
    zuordnung = dict(zuordnung or {})
    # each distinct (Bezeichnung, key) is matched once: large surveys repeat them a lot
    pairs = survey[["bezeichnung", "leika_schluessel"]].astype(object)
    pairs = pairs.where(pairs.notna(), None)
    distinct = pairs.drop_duplicates()
    matched = pd.DataFrame(
        [
            _match_row(name, key, katalog, schwelle, zuordnung)
            for name, key in distinct.itertuples(index=False)
        ],
        index=pd.MultiIndex.from_frame(distinct),
    )
    out = matched.reindex(pd.MultiIndex.from_frame(pairs))
    out.index = survey.index
    kinds = {t: zustaendigkeit(t, typ_4b) for t in out["leika_typ"].dropna().unique()}
    out["zustaendigkeit"] = out["leika_typ"].map(kinds).astype(object)
    out["zustaendigkeit"] = out["zustaendigkeit"].where(out["zustaendigkeit"].notna(), None)
    out["kommune_setzt_um"] = (out["zustaendigkeit"] == KOMMUNE).astype(bool)
    out["match_score"] = out["match_score"].astype(float)
    return out


_EMPTY = {
    "leika_schluessel": pd.NA,
    "leika_bezeichnung": pd.NA,
    "leika_typ": pd.NA,
    "ozg_id": pd.NA,
    "ozg_leistung": pd.NA,
    "lebenslage": pd.NA,
    "themenfeld": pd.NA,
    "vorschlag_schluessel": pd.NA,
    "vorschlag_bezeichnung": pd.NA,
    "match_art": MATCH_NONE,
    "match_score": float("nan"),
    "hinweis": "",
}


def _attributes(entry: Mapping[str, object]) -> dict[str, object]:
    return {
        "leika_schluessel": entry["schluessel"],
        "leika_bezeichnung": entry["bezeichnung"],
        "leika_typ": entry["typ"],
        "ozg_id": entry["ozg_id"],
        "ozg_leistung": entry["ozg_leistung"],
        "lebenslage": entry["lebenslage"],
        "themenfeld": entry["themenfeld"],
    }


def _match_row(
    name: str,
    key: object,
    katalog: Katalog | None,
    schwelle: float,
    zuordnung: Mapping[str, str],
) -> dict[str, object]:
    result = dict(_EMPTY)
    has_key = isinstance(key, str) and bool(key)
    if has_key:
        result["leika_schluessel"] = key
    if katalog is None:
        return result
    lk = _lookup(katalog)
    if has_key and key in lk.by_key:
        entry = lk.entry(lk.by_key[key])
        return result | _attributes(entry) | {"match_art": MATCH_KEY, "match_score": 100.0}
    if has_key:
        result["hinweis"] = f"Schlüssel {key} nicht im Katalog"
    if name in zuordnung and zuordnung[name] in lk.by_key:
        entry = lk.entry(lk.by_key[zuordnung[name]])
        score = fuzz.token_sort_ratio(norm_name(name), norm_name(entry["bezeichnung"]))
        return result | _attributes(entry) | {"match_art": MATCH_CONFIRMED, "match_score": score}
    if has_key:
        return result
    hits = lk.names.get(norm_name(name), [])
    if hits:
        entry = lk.entry(hits[0])
        return result | _attributes(entry) | {"match_art": MATCH_NAME, "match_score": 100.0}
    best = process.extractOne(norm_name(name), lk.choices, scorer=fuzz.token_sort_ratio)
    if best is not None and best[1] >= schwelle:
        entry = lk.entry(lk.choice_rows[best[2]])
        return result | {
            "vorschlag_schluessel": entry["schluessel"],
            "vorschlag_bezeichnung": entry["bezeichnung"],
            "match_art": MATCH_REVIEW,
            "match_score": float(best[1]),
            "hinweis": "ähnliche Bezeichnung im Katalog – bitte prüfen",
        }
    return result


@dataclass(frozen=True)
class _Lookup:
    by_key: dict[str, int]
    names: dict[str, list[int]]
    choices: list[str]
    choice_rows: list[int]
    index: pd.Index
    columns: dict[str, np.ndarray]  # the catalogue's columns as plain arrays

    def entry(self, label: int) -> dict[str, object]:
        """One catalogue row as a dict (``frame.loc[label]`` is slow thousands of times)."""
        position = self.index.get_loc(label)
        return {name: values[position] for name, values in self.columns.items()}


_LOOKUPS: dict[int, tuple[pd.DataFrame, _Lookup]] = {}


def _lookup(katalog: Katalog) -> _Lookup:
    """Indexes of a catalogue, built once per catalogue object."""
    cached = _LOOKUPS.get(id(katalog.leistungen))
    if cached is not None and cached[0] is katalog.leistungen:
        return cached[1]
    frame = katalog.leistungen
    with_key = frame["schluessel"].dropna()
    by_key = dict(zip(with_key, with_key.index, strict=True))
    names = _name_index(frame)
    lookup = _Lookup(
        by_key,
        names,
        list(names),
        [rows[0] for rows in names.values()],
        frame.index,
        {name: frame[name].to_numpy(dtype=object) for name in frame.columns},
    )
    _LOOKUPS.clear()
    _LOOKUPS[id(frame)] = (frame, lookup)
    return lookup


def review_list(enriched: pd.DataFrame, survey: pd.DataFrame) -> pd.DataFrame:
    """Rows whose match needs a look: proposals, unknown keys, and processes without match."""
    needs = (enriched["match_art"] == MATCH_REVIEW) | (enriched["hinweis"] != "")
    cols = ["fachamt", "bezeichnung"]
    return survey.loc[needs, cols].join(
        enriched.loc[
            needs, ["vorschlag_schluessel", "vorschlag_bezeichnung", "match_score", "hinweis"]
        ]
    )
