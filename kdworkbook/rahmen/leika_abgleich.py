"""Comparing survey names with LeiKa names word by word (the scoring behind :func:`leika.enrich`).

Why not one character ratio over the whole name: „Gewerbe Abmeldung“ and „Gewerbe Anmeldung“
are 94 % alike letter by letter but name opposite services, while „Schwerbehindertenausweis
Aenderung“ and „… Änderung“ are the same name spelled differently. So names are folded
(case, ä/ae, ö/oe, ü/ue, ß/ss, punctuation) and compared word by word:

* a word equal to a catalogue word (same stem) counts fully;
* an abbreviation with a dot („Anm.“, „Ausst.“) counts for a catalogue word it begins;
* a word the catalogue does not know may be a typo of a catalogue word (similarity ≥
  :data:`TYPO_MIN`); a word the catalogue knows is never a typo of another one
  („Abmeldung“ is not „Anmeldung“);
* the score weighs how much of the catalogue name the survey name covers (missing words
  matter) more than the survey's extra words („… beantragen“, „(Standesamt)“);
* the Verrichtung of the survey, when filled, is compared with the Verrichtung of the
  catalogue entry as a separate field.

All functions are pure; :class:`Matcher` holds the indexes of one catalogue.
"""

from __future__ import annotations

import bisect
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

#: German function words: they count with :data:`STOP_WEIGHT` only.
STOPWORDS = frozenset(
    "der die das des dem den ein eine einer eines einem einen fuer f von v vom zum zur zu "
    "und u oder im in ins bei beim mit auf aus nach an am als ueber gegen ohne wegen durch "
    "fuers".split()
)
STOP_WEIGHT = 0.25
#: Minimum similarity (rapidfuzz ratio, 0–100) for a word the catalogue does not know to
#: count as a typo of a catalogue word: one wrong, missing or swapped letter in words of
#: eight or more letters stays above it („Festsetzng“ 95, „Ertielung“ 89), other words of
#: the catalogue fall below („Gewerbesteuer“/„Grundsteuer“ 67). Project assumption.
TYPO_MIN = 80.0
#: Credit for an abbreviation („Anm.“) that begins a catalogue word.
ABBREVIATION = 0.9
#: Weight of „the catalogue name is covered by the survey name“ against „the survey name
#: is explained by the catalogue name“: extra words in a survey are common, a missing word
#: usually means another service. Project assumption, measured with
#: ``tests/fixtures/leika_abgleich.csv``.
COVERAGE_WEIGHT = 0.75
#: Factor on the score of an entry whose Verrichtung contradicts the survey's Verrichtung.
VERRICHTUNG_PENALTY = 0.8
#: A word counts as a word of the catalogue (never a typo of another one) when this many
#: catalogue names use it; a word found once may be the catalogue's own typo.
KNOWN_MIN_TEXTS = 2
#: Entries scored in full per survey name (after a fast preselection).
CANDIDATES = 40

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_TOKEN = re.compile(r"[a-z0-9]+\.?")


def _raw_tokens(text: object) -> list[str]:
    """Folded words, an abbreviation's dot kept: lower case, umlauts and ß as ae/oe/ue/ss,
    other accents dropped, punctuation as separator."""
    folded = unicodedata.normalize("NFC", str(text or "")).casefold().translate(_UMLAUTS)
    if not folded.isascii():  # é, ç … → e, c (most names are ASCII by now)
        folded = "".join(
            c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c)
        )
    return _TOKEN.findall(folded)


def fold(text: object) -> str:
    """A name for comparison: „Schwerbehindertenausweis - Änderung“ →
    „schwerbehindertenausweis aenderung“."""
    return " ".join(t.rstrip(".") for t in _raw_tokens(text))


def stem(word: str) -> str:
    """A light German stem: „Gewerbes“, „Gewerbe“ → „gewerb“; „Anmeldungen“ → „anmeldung“."""
    if len(word) > 5:
        for suffix in ("en", "es", "e", "n", "s"):
            if word.endswith(suffix):
                return word[: -len(suffix)]
    return word


@dataclass(frozen=True)
class Words:
    """A name as folded words with stems, abbreviation marks and weights."""

    tokens: tuple[str, ...]
    stems: tuple[str, ...]
    abbreviated: tuple[bool, ...]
    weights: tuple[float, ...]

    @classmethod
    def of(cls, text: object, extra: object = None) -> Words:
        raw = _raw_tokens(text)
        tokens = [t.rstrip(".") for t in raw]
        abbreviated = [t.endswith(".") and len(t) > 2 for t in raw]
        if extra is not None:  # the Verrichtung, when the name does not say it
            known = {stem(t) for t in tokens}
            for token in fold(extra).split():
                if stem(token) not in known:
                    tokens.append(token)
                    abbreviated.append(False)
        return cls._make(tokens, abbreviated)

    @classmethod
    def _make(cls, tokens: Sequence[str], abbreviated: Sequence[bool]) -> Words:
        return cls(
            tuple(tokens),
            tuple(stem(t) for t in tokens),
            tuple(abbreviated),
            tuple(STOP_WEIGHT if t in STOPWORDS else 1.0 for t in tokens),
        )

    def joined(self, other: Words) -> Words:
        """Neighbouring words that *other* writes as one („Gewerbe Anmeldung“ against
        „Gewerbeanmeldung“, „Schwerbehinderten-Ausweis“) become one word."""
        whole = set(other.tokens)
        tokens, abbreviated, i = [], [], 0
        while i < len(self.tokens):
            if i + 1 < len(self.tokens) and self.tokens[i] + self.tokens[i + 1] in whole:
                tokens.append(self.tokens[i] + self.tokens[i + 1])
                abbreviated.append(False)
                i += 2
            else:
                tokens.append(self.tokens[i])
                abbreviated.append(self.abbreviated[i])
                i += 1
        if len(tokens) == len(self.tokens):
            return self
        return Words._make(tokens, abbreviated)


def word_similarity(
    token: str, token_stem: str, abbreviated: bool, other: str, other_stem: str, known: frozenset
) -> float:
    """0–1: how well a survey word stands for a catalogue word (see the module docstring)."""
    if token_stem == other_stem:
        return 1.0
    if abbreviated and other.startswith(token):
        return ABBREVIATION
    if token_stem in known:  # a real word of the catalogue, not a typo of another one
        return 0.0
    ratio = fuzz.ratio(token, other)
    return ratio / 100 if ratio >= TYPO_MIN else 0.0


def coverage(query: Words, entry: Words, known: frozenset) -> tuple[float, float]:
    """(share of the catalogue name found in the survey name, share of the survey name
    found in the catalogue name), each 0–1, weighted per word."""
    query, entry = query.joined(entry), entry.joined(query)
    best_q = [0.0] * len(query.tokens)
    best_e = [0.0] * len(entry.tokens)
    for i, (token, token_stem, abbreviated) in enumerate(
        zip(query.tokens, query.stems, query.abbreviated, strict=True)
    ):
        for j, (other, other_stem) in enumerate(zip(entry.tokens, entry.stems, strict=True)):
            similarity = word_similarity(token, token_stem, abbreviated, other, other_stem, known)
            best_q[i] = max(best_q[i], similarity)
            best_e[j] = max(best_e[j], similarity)
    return _share(best_e, entry.weights), _share(best_q, query.weights)


def _share(best: list[float], weights: Sequence[float]) -> float:
    total = sum(weights)
    return sum(b * w for b, w in zip(best, weights, strict=True)) / total if total else 0.0


def name_score(query: Words, entry: Words, known: frozenset) -> float:
    """0–100: :data:`COVERAGE_WEIGHT` × coverage of the catalogue name + the rest × share of
    the survey name explained."""
    covered, explained = coverage(query, entry, known)
    return 100 * (COVERAGE_WEIGHT * covered + (1 - COVERAGE_WEIGHT) * explained)


@dataclass(frozen=True)
class Candidate:
    text: int  # position in the texts of the :class:`Matcher`
    score: float


class Matcher:
    """Indexes of one catalogue: folded names, word postings, the Verrichtung per entry.

    *texts*: every name of the catalogue (Bezeichnungen and synonyms); *rows*: the
    catalogue row of each text; *verrichtungen*: per text the Verrichtung of its entry
    (first word after the Leistungsobjekt) or None.
    """

    def __init__(
        self, texts: Sequence[str], rows: Sequence[int], verrichtungen: Sequence[str | None]
    ) -> None:
        self.texts = list(texts)
        self.rows = list(rows)
        self.words = [Words.of(t) for t in self.texts]
        self.folded = [" ".join(w.tokens) for w in self.words]
        self.verrichtungen = [stem(fold(v)) if v else None for v in verrichtungen]
        postings: dict[str, set[int]] = {}
        for i, words in enumerate(self.words):
            for token in words.tokens:
                postings.setdefault(token, set()).add(i)
        self.postings = postings
        self.vocabulary = sorted(postings)
        self.inflections: dict[str, list[str]] = {}
        for word in self.vocabulary:
            self.inflections.setdefault(stem(word), []).append(word)
        # a word in one name only may be a typo of the catalogue itself („Bewillligung“)
        self.known = frozenset(
            stem(t) for t, texts in postings.items() if len(texts) >= KNOWN_MIN_TEXTS
        )
        size = len(self.texts)
        self.idf = {t: math.log(1 + size / len(p)) for t, p in postings.items()}
        self.texts_of: dict[int, list[int]] = {}
        for i, row in enumerate(self.rows):
            self.texts_of.setdefault(row, []).append(i)
        self.exact: dict[str, list[int]] = {}
        for i, folded in enumerate(self.folded):
            self.exact.setdefault(folded, []).append(i)

    def same_name(self, name: object) -> list[int]:
        """Texts equal to *name* once folded (case, umlauts, punctuation, spaces)."""
        return self.exact.get(fold(name), [])

    def _word_hits(self, token: str, abbreviated: bool) -> dict[str, float]:
        """Catalogue words a survey word may stand for, with their similarity."""
        hits = {}
        if token in self.postings:
            hits[token] = 1.0
        if abbreviated:
            start = bisect.bisect_left(self.vocabulary, token)
            for word in self.vocabulary[start:]:
                if not word.startswith(token):
                    break
                hits.setdefault(word, ABBREVIATION)
        if stem(token) not in self.known:
            for word, ratio, _ in process.extract(
                token, self.vocabulary, scorer=fuzz.ratio, score_cutoff=TYPO_MIN, limit=20
            ):
                hits.setdefault(word, ratio / 100)
        for word in self.inflections.get(stem(token), []):
            hits.setdefault(word, 1.0)
        return hits

    def _preselect(self, query: Words) -> set[int]:
        """The texts sharing the most (rare) words with the query, typos and abbreviations
        included."""
        votes: dict[int, float] = {}
        for token, abbreviated, weight in zip(
            query.tokens, query.abbreviated, query.weights, strict=True
        ):
            if token in STOPWORDS:
                continue
            for word, similarity in self._word_hits(token, abbreviated).items():
                gain = weight * similarity * self.idf[word]
                for i in self.postings[word]:
                    votes[i] = votes.get(i, 0.0) + gain
        return set(sorted(votes, key=lambda i: (-votes[i], i))[:CANDIDATES])

    def contradicts(self, i: int, verrichtung: str | None) -> bool:
        """The survey's Verrichtung is filled and another than that of text *i*."""
        theirs = self.verrichtungen[i]
        if not verrichtung or not theirs:
            return False
        ours = Words.of(verrichtung)
        return not any(
            word_similarity(t, s, a, theirs, theirs, self.known) > 0
            for t, s, a in zip(ours.tokens, ours.stems, ours.abbreviated, strict=True)
        )

    def score(self, query: Words, i: int, verrichtung: str | None) -> float:
        """0–100 for text *i*; a contradicting Verrichtung lowers it."""
        result = name_score(query, self.words[i], self.known)
        return result * VERRICHTUNG_PENALTY if self.contradicts(i, verrichtung) else result

    def best(
        self, name: object, verrichtung: str | None = None, exclude: Iterable[int] = ()
    ) -> list[Candidate]:
        """Catalogue texts ordered by score (highest first, ties in catalogue order)."""
        query = Words.of(name, verrichtung)
        if not query.tokens:
            return []
        skip = set(exclude)
        scored = [
            Candidate(i, self.score(query, i, verrichtung))
            for i in self._preselect(query)
            if self.rows[i] not in skip
        ]
        return sorted(scored, key=lambda c: (-c.score, c.text))


def verrichtung_of(key: str | None, name: str, objects: dict[str, str]) -> str | None:
    """The Verrichtung of a catalogue entry: the first word after its Leistungsobjekt.

    *objects*: key → Bezeichnung of the Leistungsobjekte (keys ending in ``000000``). The
    LeiKa key is ``99`` + Gruppierung + Kennung (the object) + Verrichtung + Detail.
    """
    if not key or key.endswith("000000"):
        return None
    obj = objects.get(key[:8] + "000000")
    if not obj or not name.startswith(obj):
        return None
    rest = name[len(obj) :].strip(" -").split()
    return rest[0] if rest else None
