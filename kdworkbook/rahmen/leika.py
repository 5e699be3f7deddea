"""The LeiKa catalogue (Leistungskatalog) and the enrichment of the survey with it.

Two catalogue layouts are read (see ``kdworkbook/data/referenz/README.md``):

* the official LeiKa CSV export: ``schluessel, gruppierung, kennung, verrichtung,
  verrichtungsdetail, bezeichnung, bezeichnung2, typ, datum, besondere_merkmale, synonyme``
  (synonyms separated by ``|``);
* the layout of the NRW OZG database (``leika_leistungen_kdn2019.csv``: ``schluessel,
  bezeichnung, typ, ozg_id, …``), optionally with ``ozg_leistungen_kdn2019.csv`` for the
  OZG-Leistung, Lebenslage and Themenfeld.

Keys always stay 14-digit text. The files are read by :mod:`kdworkbook.rahmen.laden`; here
the matching (:func:`enrich`) and the Zuständigkeit (:func:`zustaendigkeit`) are pure.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from kdworkbook.rahmen import leika_abgleich

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


@dataclass(frozen=True)
class KatalogStand:
    """The catalogue used, how the report names it (file names only, never a machine path)
    and its data state; ``hinweis``: a German note if something is missing."""

    katalog: Katalog | None
    hinweis: str | None = None
    name: str = ""
    stand: str = ""


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

#: Share (0–1, word by word, :func:`leika_abgleich.coverage`) of the catalogue name of a
#: survey's LeiKa key that the survey's Bezeichnung must cover for key and name to agree;
#: below it the row goes on the review list with both candidates and nothing is applied.
#: Project assumption: typos and abbreviations stay above 0,9, another Verrichtung in a
#: two-word name („Gewerbe Abmeldung“ with the key of „Gewerbe Anmeldung“) gives 0,5.
KEY_NAME_MIN = 0.8


def enrich(
    survey: pd.DataFrame,
    katalog: Katalog | None,
    typ_4b: Iterable[str],
    schwelle: float,
    zuordnung: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """LeiKa attributes per survey row (same index), in this order of precedence:

    1. a key assigned by the analyst in *zuordnung* (Bezeichnung → key) → ``unscharf
       (geprüft)``;
    2. the survey's ``LeiKa-Schlüssel`` found in the catalogue and its catalogue name
       similar to the Bezeichnung (:data:`KEY_NAME_MIN`) → ``Schlüssel``; a key whose
       catalogue name contradicts the Bezeichnung → ``unscharf (zu prüfen)`` with both
       candidates (the key's entry and the best entry by name), nothing applied;
    3. the same Bezeichnung (case, umlaut spellings, punctuation ignored; synonyms too) and
       one key for it → ``Name``; a survey key unknown to the catalogue turns this into a
       proposal (``unscharf (zu prüfen)``);
    4. the best entry by words (:mod:`leika_abgleich`, score 0–100) with a score ≥
       *schwelle* → ``unscharf (zu prüfen)``: only proposed, not applied;
    5. otherwise ``keiner``.

    The survey's Verrichtung (column ``verrichtung``, if present) is compared as a field of
    its own.
    """
    typ_4b = tuple(typ_4b)
    zuordnung = dict(zuordnung or {})
    # each distinct (Bezeichnung, key, Verrichtung) is matched once: surveys repeat them
    pairs = survey[["bezeichnung", "leika_schluessel"]].astype(object)
    pairs["verrichtung"] = survey["verrichtung"] if "verrichtung" in survey else None
    pairs = pairs.astype(object)
    pairs = pairs.where(pairs.notna(), None)
    distinct = pairs.drop_duplicates()
    matched = pd.DataFrame(
        [
            _match_row(name, key, verrichtung, katalog, schwelle, zuordnung)
            for name, key, verrichtung in distinct.itertuples(index=False)
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
    "sdg_relevant": pd.NA,
    "vorschlag_schluessel": pd.NA,
    "vorschlag_bezeichnung": pd.NA,
    # the survey's key and its catalogue name when they contradict the Bezeichnung
    "erhebung_schluessel": pd.NA,
    "erhebung_schluessel_bezeichnung": pd.NA,
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
        "sdg_relevant": entry.get("sdg_relevant", pd.NA),
    }


def _proposal(entry: Mapping[str, object], score: float, hinweis: str) -> dict[str, object]:
    return {
        "vorschlag_schluessel": entry["schluessel"],
        "vorschlag_bezeichnung": entry["bezeichnung"],
        "match_art": MATCH_REVIEW,
        "match_score": float(score),
        "hinweis": hinweis,
    }


def _match_row(
    name: str,
    key: object,
    verrichtung: str | None,
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
    if name in zuordnung and zuordnung[name] in lk.by_key:
        entry = lk.entry(lk.by_key[zuordnung[name]])
        score = leika_abgleich.name_score(
            leika_abgleich.Words.of(name, verrichtung),
            leika_abgleich.Words.of(entry["bezeichnung"]),
            lk.matcher.known,
        )
        return result | _attributes(entry) | {"match_art": MATCH_CONFIRMED, "match_score": score}
    same = list(dict.fromkeys(lk.matcher.rows[i] for i in lk.matcher.same_name(name)))
    if has_key and key in lk.by_key:
        entry = lk.entry(lk.by_key[key])
        fits, score = _key_fits(lk, lk.by_key[key], name, verrichtung, same)
        if fits:
            return result | _attributes(entry) | {"match_art": MATCH_KEY, "match_score": score}
        result |= {
            "leika_schluessel": pd.NA,
            "erhebung_schluessel": key,
            "erhebung_schluessel_bezeichnung": entry["bezeichnung"],
            "match_art": MATCH_REVIEW,
            "hinweis": f"Schlüssel {key} steht im Katalog für „{entry['bezeichnung']}“ und "
            "passt nicht zur Bezeichnung – bitte prüfen",
        }
        return result | _by_name(lk, same, name, verrichtung, schwelle, result, exclude=key)
    if has_key:
        result["hinweis"] = f"Schlüssel {key} nicht im Katalog"
    keys = list(dict.fromkeys(lk.key_of(row) for row in same))
    if len(keys) == 1 and not has_key:
        entry = lk.entry(same[0])
        return result | _attributes(entry) | {"match_art": MATCH_NAME, "match_score": 100.0}
    if len(keys) > 1:
        entry = lk.entry(same[0])
        shown = ", ".join(k or "ohne Schlüssel" for k in keys)
        hint = f"Bezeichnung steht im Katalog mehrfach ({shown}) – bitte prüfen"
        return result | _proposal(entry, 100.0, _join(result["hinweis"], hint))
    return result | _by_name(lk, same, name, verrichtung, schwelle, result)


def _join(first: object, second: str) -> str:
    return f"{first} – {second}" if first else second


def _key_fits(
    lk: _Lookup,
    label: int,
    name: str,
    verrichtung: str | None,
    same: list[int],
) -> tuple[bool, float]:
    """(key and Bezeichnung agree, score): the same name; or, when no other entry has that
    name, the key's catalogue name covered by the Bezeichnung and the Verrichtung alike."""
    if label in same:
        return True, 100.0
    if any(lk.key_of(row) for row in same):
        return False, 0.0  # the Bezeichnung is another entry's name
    best = 0.0
    query = leika_abgleich.Words.of(name, verrichtung)
    for i in lk.matcher.texts_of.get(label, []):
        covered, _ = leika_abgleich.coverage(query, lk.matcher.words[i], lk.matcher.known)
        if covered >= KEY_NAME_MIN and not lk.matcher.contradicts(i, verrichtung):
            best = max(best, lk.matcher.score(query, i, verrichtung))
    return best > 0, best


def _by_name(
    lk: _Lookup,
    same: list[int],
    name: str,
    verrichtung: str | None,
    schwelle: float,
    result: Mapping[str, object],
    exclude: object = None,
) -> dict[str, object]:
    """The proposal by name: an entry of the same name, else the best one ≥ *schwelle*."""
    hint = str(result["hinweis"])
    rows = [r for r in same if exclude is None or lk.key_of(r) != exclude]
    if rows:
        entry = lk.entry(rows[0])
        text = "gleiche Bezeichnung im Katalog" if exclude is None else "nach dem Namen"
        shown = lk.key_of(rows[0]) or f"„{entry['bezeichnung']}“ (ohne Schlüssel)"
        return _proposal(entry, 100.0, _join(hint, f"{text}: {shown}"))
    skip = [lk.by_key[exclude]] if exclude in lk.by_key else []
    for candidate in lk.matcher.best(name, verrichtung, exclude=skip)[:1]:
        if candidate.score >= schwelle:
            entry = lk.entry(lk.matcher.rows[candidate.text])
            text = "ähnliche Bezeichnung im Katalog – bitte prüfen"
            return _proposal(entry, candidate.score, hint if exclude else _join(hint, text))
    return {}


@dataclass(frozen=True)
class _Lookup:
    by_key: dict[str, int]
    matcher: leika_abgleich.Matcher
    index: pd.Index
    columns: dict[str, np.ndarray]  # the catalogue's columns as plain arrays

    def entry(self, label: int) -> dict[str, object]:
        """One catalogue row as a dict (``frame.loc[label]`` is slow thousands of times)."""
        position = self.index.get_loc(label)
        return {name: values[position] for name, values in self.columns.items()}

    def key_of(self, label: int) -> str | None:
        """The LeiKa key of a catalogue row, None for the entries without one."""
        key = self.entry(label)["schluessel"]
        return key if isinstance(key, str) else None


_LOOKUPS: dict[int, tuple[pd.DataFrame, _Lookup]] = {}
#: the last catalogue's matcher by its content: the municipalities of a batch worker and
#: the runs of one process use the same (shipped) catalogue, each loaded as a new frame
_MATCHERS: dict[str, leika_abgleich.Matcher] = {}
_MATCHER_COLUMNS = ["schluessel", "bezeichnung", "synonyme"]


def _matcher(leistungen: pd.DataFrame) -> leika_abgleich.Matcher:
    """Every Bezeichnung and synonym of the catalogue; rows with a key first. Built once per
    catalogue content (rows, labels, names, keys and synonyms)."""
    rows = pd.util.hash_pandas_object(leistungen[_MATCHER_COLUMNS].astype(object), index=True)
    content = hashlib.sha256(rows.to_numpy().tobytes()).hexdigest()
    if content not in _MATCHERS:
        _MATCHERS.clear()
        _MATCHERS[content] = _build_matcher(leistungen)
    return _MATCHERS[content]


def _build_matcher(leistungen: pd.DataFrame) -> leika_abgleich.Matcher:
    ordered = leistungen.assign(_ohne=leistungen["schluessel"].isna()).sort_values(
        "_ohne", kind="stable"
    )
    keys = ordered["schluessel"].astype(object).where(ordered["schluessel"].notna(), None)
    objects = {
        k: n
        for k, n in zip(keys, ordered["bezeichnung"], strict=True)
        if k and k.endswith("000000")
    }
    texts, rows, verrichtungen = [], [], []
    for label, key, name in zip(ordered.index, keys, ordered["bezeichnung"], strict=True):
        texts.append(name)
        rows.append(label)
        verrichtungen.append(leika_abgleich.verrichtung_of(key, name, objects))
    for label, synonyms in ordered["synonyme"].items():
        for synonym in str(synonyms or "").split("|"):
            if synonym.strip():
                texts.append(synonym.strip())
                rows.append(label)
                verrichtungen.append(None)
    return leika_abgleich.Matcher(texts, rows, verrichtungen)


def _lookup(katalog: Katalog) -> _Lookup:
    """Indexes of a catalogue, built once per catalogue object."""
    cached = _LOOKUPS.get(id(katalog.leistungen))
    if cached is not None and cached[0] is katalog.leistungen:
        return cached[1]
    frame = katalog.leistungen
    with_key = frame["schluessel"].dropna()
    lookup = _Lookup(
        dict(zip(with_key, with_key.index, strict=True)),
        _matcher(frame),
        frame.index,
        {name: frame[name].to_numpy(dtype=object) for name in frame.columns},
    )
    _LOOKUPS.clear()
    _LOOKUPS[id(frame)] = (frame, lookup)
    return lookup


def review_list(enriched: pd.DataFrame, survey: pd.DataFrame) -> pd.DataFrame:
    """Rows whose match needs a look: proposals, keys that contradict the Bezeichnung (with
    both candidates), unknown keys, and processes without match."""
    needs = (enriched["match_art"] == MATCH_REVIEW) | (enriched["hinweis"] != "")
    cols = ["fachamt", "bezeichnung"]
    return survey.loc[needs, cols].join(
        enriched.loc[
            needs,
            [
                "vorschlag_schluessel",
                "vorschlag_bezeichnung",
                "erhebung_schluessel",
                "erhebung_schluessel_bezeichnung",
                "match_score",
                "hinweis",
            ],
        ]
    )


def match_quality(enriched: pd.DataFrame, expected: pd.Series) -> dict[str, float | int | None]:
    """Precision and recall of the matching against the intended keys (*expected*, same
    index; empty where the catalogue has no right answer).

    Applied: rows whose key was taken over (``Schlüssel``, ``Name``, ``unscharf (geprüft)``).
    Review list: its candidates are the proposal and, for a contradicting key, that key.
    Shares are ``None`` when nothing was counted.
    """
    expected = expected.fillna("").astype(str)
    answer = expected != ""
    applied = enriched["match_art"].isin([MATCH_KEY, MATCH_NAME, MATCH_CONFIRMED])
    right = applied & (enriched["leika_schluessel"].astype(object) == expected)
    review = ~applied & ((enriched["match_art"] == MATCH_REVIEW) | (enriched["hinweis"] != ""))
    proposal = enriched["vorschlag_schluessel"].astype(object)
    conflict = enriched["erhebung_schluessel"].astype(object)
    proposed = review & (proposal.notna() | conflict.notna())
    hit = proposed & ((proposal == expected) | (conflict == expected)) & answer

    def share(count: int, total: int) -> float | None:
        return count / total if total else None

    return {
        "zeilen": len(expected),
        "mit_antwort": int(answer.sum()),
        "angewendet": int(applied.sum()),
        "angewendet_richtig": int(right.sum()),
        "praezision_angewendet": share(int(right.sum()), int(applied.sum())),
        "ausbeute_angewendet": share(int(right.sum()), int(answer.sum())),
        "pruefliste": int(review.sum()),
        "vorschlaege": int(proposed.sum()),
        "vorschlaege_richtig": int(hit.sum()),
        "praezision_vorschlaege": share(int(hit.sum()), int(proposed.sum())),
        "ausbeute_vorschlaege": share(int(hit.sum()), int((review & answer).sum())),
        "richtig_gesamt": share(int(right.sum() + hit.sum()), int(answer.sum())),
    }
