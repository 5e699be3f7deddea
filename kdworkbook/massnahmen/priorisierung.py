"""Prioritisation of processes: criteria, Nutzen/Aufwand axes, portfolio, ranking, sensitivity.

Pure, vectorised functions (DataFrame and plain values in, DataFrame out), so that a workshop
can re-score thousands of processes on every slider move. The input is ONE table with a row per
process; besides the survey figures it may carry ``kommune_setzt_um``, ``reifegrad``,
``buergernachfrage``, ``geeignet``/``nicht_geeignet`` – a criterion whose column is absent or
empty is dropped and the remaining weights of its axis are renormalised.

Normalisation of each criterion to 0–1 (:data:`CRITERIA`):

- ``log``: y = log10(1 + x), then min–max over the processes: (y − min) / (max − min).
  Fallzahlen und Stunden streuen über Größenordnungen; linear stünden fast alle Prozesse
  nahe 0. Sind alle Werte gleich, ist das Kriterium 0 (es unterscheidet nicht).
- ``linear``: (x − min) / (max − min), ebenso 0 bei gleichen Werten.
- ``ja_nein``: 1 für ja/vorhanden, 0 für nein.
- ``luecke``: Reifegradlücke max(0, Ziel − Reifegrad) / Ziel (Ziel: OZG-konform = 3).
- ``skala_1_5``: (x − 1) / 4 für Werte von 1 bis 5.

A process missing a value of an otherwise present criterion gets the median of the others
(:data:`FEHLWERT_REGEL`); the column ``geschaetzt`` of :func:`rank` names those criteria per
process and ``attrs["geschaetzt"]`` counts them per criterion, so an estimate never looks
measured.

Axes: Nutzen = Σ wᵢ·cᵢ over the Nutzen criteria, Aufwand = Σ wᵢ·cᵢ over the Aufwand criteria,
weights normalised to sum 1 per axis; Umsetzbarkeit = 1 − Aufwand. Prioritätswert =
g·Nutzen + (1 − g)·Umsetzbarkeit with g = ``gewicht_nutzen``. Ranking: Prioritätswert
descending; ties by Nutzen descending, Jahresstunden descending, Bezeichnung and Fachamt
alphabetically (:data:`TIE_RULE`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kdworkbook.massnahmen.einstellungen import AXIS_NAMES, check_weights


@dataclass(frozen=True)
class Criterion:
    key: str
    axis: str  # "nutzen" or "aufwand"
    column: str
    label: str
    method: str


CRITERIA = (
    Criterion("jahresstunden", "nutzen", "jahresstunden", "Arbeitsaufwand (Jahresstunden)", "log"),
    Criterion("vorgaenge", "nutzen", "vorgaenge", "Fallzahl (Vorgänge pro Jahr)", "log"),
    Criterion("personalkosten", "nutzen", "personalkosten_eur", "Personalkosten", "log"),
    Criterion(
        "zustaendigkeit", "nutzen", "kommune_setzt_um", "Eigene Zuständigkeit (Typ 4b/5)", "ja_nein"
    ),
    Criterion("reifegrad_luecke", "nutzen", "reifegrad", "Lücke zum OZG-Reifegrad", "luecke"),
    Criterion("buergernachfrage", "nutzen", "buergernachfrage", "Bürgernachfrage", "skala_1_5"),
    Criterion(
        "beteiligte_stellen", "aufwand", "beteiligte_stellen", "Beteiligte Stellen", "linear"
    ),
    Criterion(
        "rechtliche_besonderheiten",
        "aufwand",
        "rechtliche_besonderheiten",
        "Rechtliche Besonderheiten",
        "ja_nein",
    ),
    Criterion("stufe", "aufwand", "stufe", "Bearbeitende Stelle nach Stufe", "linear"),
)
BY_KEY = {c.key: c for c in CRITERIA}
METHODS = {
    "log": "log10(1 + x), dann Min–Max auf 0–1",
    "linear": "Min–Max auf 0–1",
    "ja_nein": "ja = 1, nein = 0",
    "luecke": "max(0, Ziel − Reifegrad) / Ziel, Ziel = Reifegrad {ziel}",
    "skala_1_5": "(Wert − 1) / 4",
}
QUADRANTS = ("Quick Win", "Strategisches Projekt", "Füllprojekt", "Zurückstellen")
TIE_RULE = (
    "Bei gleichem Prioritätswert entscheidet der höhere Nutzen, dann die größere Zahl der "
    "Jahresstunden, dann die Bezeichnung und das Fachamt alphabetisch."
)
#: Ersatz für den fehlenden Wert eines Kriteriums, das andere Prozesse haben: der Median der
#: erhobenen Werte (normiert, über die bewerteten Prozesse). Quelle: Annahme des Projekts – der
#: Median ist die neutrale Mitte: ein Prozess ohne Wert rückt bei diesem Kriterium weder nach
#: oben noch nach unten (0 hieße „gemessen: keine Nachfrage“), und anders als der Mittelwert
#: verschieben ihn einzelne Ausreißer nicht. Je Kommune ersetzt man nicht die Regel, sondern
#: die Schätzung durch einen Wert: in der Spalte der Bestandserhebung, die Bürgernachfrage auch
#: mit „buergerbefragung → nachfrage“ in der Parameterdatei.
FEHLWERT_REGEL = "Median der erhobenen"
_DECIMALS = 12  # scores are rounded before sorting so that float noise never breaks a tie


def _minmax(values: pd.Series) -> pd.Series:
    low, high = values.min(), values.max()
    if not high > low:  # also catches all-NA
        return values * 0.0
    return (values - low) / (high - low)


def _normalise(values: pd.Series, method: str, reifegrad_ziel: int) -> pd.Series:
    x = pd.to_numeric(values.astype("Float64"), errors="coerce").astype(float)
    if method == "log":
        return _minmax(np.log10(1 + x.clip(lower=0)))
    if method == "linear":
        return _minmax(x)
    if method == "ja_nein":
        return (x > 0).astype(float).where(x.notna())
    if method == "luecke":
        return (reifegrad_ziel - x).clip(lower=0, upper=reifegrad_ziel) / reifegrad_ziel
    if method == "skala_1_5":
        return ((x - 1) / 4).clip(0, 1)
    raise ValueError(f"unbekannte Normierung {method}")


def _scores(processes: pd.DataFrame, reifegrad_ziel: int) -> dict[str, pd.Series]:
    """Every available criterion normalised to 0–1, NaN where the process has no value."""
    return {
        c.key: _normalise(processes[c.column], c.method, reifegrad_ziel)
        for c in CRITERIA
        if c.column in processes and not processes[c.column].isna().all()
    }


def criteria_matrix(processes: pd.DataFrame, reifegrad_ziel: int = 3) -> pd.DataFrame:
    """Every available criterion normalised to 0–1; one column per criterion key.

    Criteria whose column is absent or empty are left out; a missing single value is
    replaced by the median of the others (:data:`FEHLWERT_REGEL`).
    """
    return _filled(_scores(processes, reifegrad_ziel), processes.index)


def _filled(scores: dict[str, pd.Series], index: pd.Index) -> pd.DataFrame:
    return pd.DataFrame({k: v.fillna(v.median()) for k, v in scores.items()}, index=index)


def _estimates(scores: dict[str, pd.Series], keys: list[str]) -> tuple[np.ndarray, dict]:
    """Per process the labels of its estimated criteria among *keys*, „, “-separated („“ when
    none), and per criterion the number of estimates (only those > 0)."""
    n = len(next(iter(scores.values()))) if scores else 0
    codes, counts = np.zeros(n, dtype=np.int64), {}
    for bit, key in enumerate(keys):  # one bit per criterion
        gap = scores[key].isna().to_numpy()
        codes |= gap.astype(np.int64) << bit
        if gap.any():
            counts[key] = int(gap.sum())
    found, position = np.unique(codes, return_inverse=True)  # the few combinations that occur
    labels = np.array(
        [", ".join(BY_KEY[k].label for b, k in enumerate(keys) if code >> b & 1) for code in found],
        dtype=object,
    )
    return labels[position], counts


def effective_weights(
    matrix: pd.DataFrame, weights: Mapping[str, Mapping[str, float]]
) -> dict[str, dict[str, float]]:
    """Normalised weights per axis over the criteria present in *matrix*.

    Raises ValueError (German) if an axis has negative weights or none > 0 left.
    """
    result = {}
    for axis in ("nutzen", "aufwand"):
        check_weights(weights[axis], axis)  # negative or all zero, before any is dropped
        present = {k: w for k, w in weights[axis].items() if k in matrix.columns}
        if not any(w > 0 for w in present.values()):
            given = [k for k, w in weights[axis].items() if w > 0]
            raise ValueError(
                f"Achse {AXIS_NAMES[axis]}: kein vorhandenes Kriterium hat ein Gewicht > 0 "
                f"(gewichtet, aber ohne Daten: {', '.join(given) or 'keins'})"
            )
        result[axis] = check_weights(present, axis)
    return result


def axes(matrix: pd.DataFrame, weights: Mapping[str, Mapping[str, float]]) -> pd.DataFrame:
    """Nutzen and Aufwand (0–1) as weighted sums of the criteria."""
    w = effective_weights(matrix, weights)
    return pd.DataFrame(
        {axis: matrix[list(w[axis])].to_numpy() @ np.array(list(w[axis].values())) for axis in w},
        index=matrix.index,
    )


def split_suitable(processes: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(suitable, excluded): excluded are processes marked not suitable (Geeignetheit).

    Not suitable: ``geeignet`` is False, or ``nicht_geeignet`` names a reason (faktisch,
    rechtlich, wirtschaftlich). The excluded table gets a column ``grund``.
    """
    excluded = pd.Series(False, index=processes.index)
    reason = pd.Series("", index=processes.index, dtype=object)
    if "nicht_geeignet" in processes:
        given = processes["nicht_geeignet"].notna() & (processes["nicht_geeignet"] != "")
        excluded |= given
        reason = reason.where(~given, processes["nicht_geeignet"])
    if "geeignet" in processes:
        unsuitable = processes["geeignet"].astype("boolean").eq(False).fillna(False)
        excluded |= unsuitable
        text = (
            processes["geeignetheit_grund"]
            if "geeignetheit_grund" in processes
            else pd.Series("nicht geeignet", index=processes.index)
        )
        reason = reason.where(~unsuitable | (reason != ""), text.fillna("nicht geeignet"))
    return processes[~excluded], processes[excluded].assign(grund=reason[excluded])


def thresholds(scored: pd.DataFrame, nutzen: float | None, aufwand: float | None) -> dict:
    """Quadrant thresholds; a missing one is the median of the scored processes."""
    return {
        "nutzen": float(scored["nutzen"].median()) if nutzen is None else float(nutzen),
        "aufwand": float(scored["aufwand"].median()) if aufwand is None else float(aufwand),
    }


def quadrant(nutzen: pd.Series, aufwand: pd.Series, limits: Mapping[str, float]) -> pd.Series:
    """Portfolio quadrant. Nutzen ≥ Schwelle counts as high, Aufwand ≤ Schwelle as low
    (a process exactly on a line gets the more favourable side)."""
    high = nutzen.round(_DECIMALS) >= round(limits["nutzen"], _DECIMALS)
    low = aufwand.round(_DECIMALS) <= round(limits["aufwand"], _DECIMALS)
    codes = np.select([high & low, high, low], [0, 1, 2], default=3)
    return pd.Series(pd.Categorical.from_codes(codes, QUADRANTS), index=nutzen.index)


def priority(axes_table: pd.DataFrame, gewicht_nutzen: float) -> pd.Series:
    """Prioritätswert = g·Nutzen + (1 − g)·(1 − Aufwand)."""
    return gewicht_nutzen * axes_table["nutzen"] + (1 - gewicht_nutzen) * (
        1 - axes_table["aufwand"]
    )


def _tie_rank(processes: pd.DataFrame) -> np.ndarray:
    """Position of each process under the tie keys of :data:`TIE_RULE` after score and Nutzen
    (more Jahresstunden, then Bezeichnung, then Fachamt) – computed once, compared as numbers."""
    # strings as their position in sorted order: sorting integers is much faster
    names = pd.factorize(processes["bezeichnung"].astype(str), sort=True)[0]
    fachamt = pd.factorize(
        processes.get("fachamt", pd.Series("", index=processes.index)).astype(str), sort=True
    )[0]
    hours = processes["jahresstunden"].to_numpy(dtype=float)
    order = np.lexsort((fachamt, names, -hours))
    tie = np.empty(len(order), dtype=np.int64)
    tie[order] = np.arange(len(order))
    return tie


def _order(score: np.ndarray, nutzen: np.ndarray, tie: np.ndarray) -> np.ndarray:
    """Positions sorted by :data:`TIE_RULE` (np.lexsort: last key is the primary one)."""
    return np.lexsort((tie, -np.round(nutzen, _DECIMALS), -np.round(score, _DECIMALS)))


def rank(
    processes: pd.DataFrame,
    weights: Mapping[str, Mapping[str, float]],
    gewicht_nutzen: float = 0.5,
    schwellen: Mapping[str, float | None] | None = None,
    reifegrad_ziel: int = 3,
) -> pd.DataFrame:
    """Scores, axes, quadrant and rank of the suitable *processes*, best first.

    Adds one column ``k_<criterion>`` per normalised criterion, ``nutzen``, ``aufwand``,
    ``umsetzbarkeit``, ``prioritaet``, ``quadrant``, ``geschaetzt`` (labels of the weighted
    criteria whose missing value the median stands in for, :data:`FEHLWERT_REGEL`) and
    ``rang`` (1 = first); ``attrs["geschaetzt"]``: criterion key → number of such processes.
    """
    scores = _scores(processes, reifegrad_ziel)
    matrix = _filled(scores, processes.index)
    table = axes(matrix, weights)
    table["umsetzbarkeit"] = 1 - table["aufwand"]
    table["prioritaet"] = priority(table, gewicht_nutzen)
    limits = thresholds(table, **(schwellen or {"nutzen": None, "aufwand": None}))
    table["quadrant"] = quadrant(table["nutzen"], table["aufwand"], limits)
    used = effective_weights(matrix, weights)
    weighted = {k for w in used.values() for k, v in w.items() if v}
    labels, counts = _estimates(scores, [k for k in scores if k in weighted])
    result = pd.concat([processes, matrix.add_prefix("k_"), table], axis=1)
    result["geschaetzt"] = labels
    order = _order(table["prioritaet"].to_numpy(), table["nutzen"].to_numpy(), _tie_rank(processes))
    result = result.iloc[order].reset_index(drop=True)
    result["rang"] = np.arange(1, len(result) + 1)
    result.attrs["schwellen"] = limits
    result.attrs["gewichte"] = used
    result.attrs["reifegrad_ziel"] = reifegrad_ziel
    result.attrs["geschaetzt"] = counts
    return result


def sensitivity(
    processes: pd.DataFrame,
    weights: Mapping[str, Mapping[str, float]],
    gewicht_nutzen: float = 0.5,
    top_n: int = 10,
    delta: float = 0.2,
    reifegrad_ziel: int = 3,
) -> pd.DataFrame:
    """How stable the top *top_n* are when each weight moves by ±*delta*.

    One run per weight > 0 (every criterion and the axis weight ``gewicht_nutzen``) and
    direction, the other weights unchanged. Returns every process that is in the top *top_n*
    of at least one run, with ``anteil_top`` (share of runs in the top), ``rang_min``,
    ``rang_max`` and its base rank ``rang``, ordered by base rank.
    """
    matrix = criteria_matrix(processes, reifegrad_ziel)
    base = effective_weights(matrix, weights)
    variants = []
    for axis in ("nutzen", "aufwand"):
        for key, w in base[axis].items():
            if w > 0:
                for factor in (1 - delta, 1 + delta):
                    changed = {a: dict(base[a]) for a in base}
                    changed[axis][key] = w * factor
                    variants.append((changed, gewicht_nutzen))
    if 0 < gewicht_nutzen:
        for factor in (1 - delta, 1 + delta):
            variants.append((base, min(1.0, gewicht_nutzen * factor)))
    tie = _tie_rank(processes)
    ranks = np.empty((len(processes), len(variants)), dtype=int)
    for run, (w, g) in enumerate(variants):
        table = axes(matrix, w)
        order = _order(priority(table, g).to_numpy(), table["nutzen"].to_numpy(), tie)
        ranks[order, run] = np.arange(1, len(processes) + 1)
    base_table = axes(matrix, base)
    base_order = _order(
        priority(base_table, gewicht_nutzen).to_numpy(), base_table["nutzen"].to_numpy(), tie
    )
    base_rank = np.empty(len(processes), dtype=int)
    base_rank[base_order] = np.arange(1, len(processes) + 1)
    in_top = ranks <= top_n
    result = processes[["bezeichnung", "fachamt"]].assign(
        rang=base_rank,
        anteil_top=in_top.mean(axis=1),
        rang_min=ranks.min(axis=1),
        rang_max=ranks.max(axis=1),
    )
    keep = in_top.any(axis=1) | (base_rank <= top_n)
    result = result[keep].sort_values("rang", ignore_index=True)
    result.attrs["laeufe"] = len(variants)
    return result


def used_criteria(ranked: pd.DataFrame) -> pd.DataFrame:
    """The criteria used in a :func:`rank` result with method and effective weight."""
    rows = [
        {
            "achse": AXIS_NAMES[axis],
            "kriterium": BY_KEY[key].label,
            "spalte": BY_KEY[key].column,
            "methode": METHODS[BY_KEY[key].method].format(ziel=ranked.attrs["reifegrad_ziel"]),
            "gewicht": weight,
        }
        for axis, weights in ranked.attrs["gewichte"].items()
        for key, weight in weights.items()
    ]
    return pd.DataFrame(rows)


def unused_criteria(ranked: pd.DataFrame) -> list[str]:
    """Labels of the criteria left out for lack of data."""
    used = {k for w in ranked.attrs["gewichte"].values() for k in w}
    return [c.label for c in CRITERIA if c.key not in used]
