"""Stable ids for processes and measures, so two runs of one municipality can be compared.

The rank of a process changes from run to run; its LeiKa key and its name do not. So:

- Prozess-Id = ``P-`` + LeiKa-Schlüssel (14 digits) where the inventory gives one and no other
  process of the inventory shares it; otherwise ``P-`` + the first 8 hex digits of the SHA-1 of
  the normalised name (lower case, single spaces) – the same name gives the same id in every run;
  a name that occurs twice in the inventory is hashed together with its Fachamt.
- Maßnahmen-Id = Prozess-Id + ``/`` + key of the measure type (``massnahmen → massnahmentypen``),
  e.g. ``P-99050012104000/online_antrag``.
"""

from __future__ import annotations

import hashlib

import pandas as pd

PREFIX = "P-"
SEPARATOR = "/"


def normalised_name(name: str) -> str:
    """Lower case, white space collapsed: „Hundesteuer  Anmelden“ → „hundesteuer anmelden“."""
    return " ".join(str(name).split()).casefold()


def name_id(name: str) -> str:
    """``P-`` + 8 hex digits of the SHA-1 of the normalised *name*."""
    digest = hashlib.sha1(normalised_name(name).encode("utf-8")).hexdigest()
    return PREFIX + digest[:8]


def process_ids(processes: pd.DataFrame) -> pd.Series:
    """Prozess-Id per row of *processes* (``bezeichnung``, optional ``leika_schluessel`` and
    ``fachamt``): the key where unique; else the name; a name that occurs twice is told apart
    by its Fachamt."""
    keys = (
        processes["leika_schluessel"].where(processes["leika_schluessel"].notna(), None)
        if "leika_schluessel" in processes
        else pd.Series([None] * len(processes), index=processes.index)
    )
    keys = keys.map(lambda k: str(k).strip() if k is not None and str(k).strip() else None)
    shared = keys.duplicated(keep=False) & keys.notna()
    names = processes["bezeichnung"].astype(str)
    if "fachamt" in processes:
        twice = names.map(normalised_name).duplicated(keep=False)
        names = names.where(~twice, processes["fachamt"].astype(str) + " " + names)
    by_name = names.map(name_id)
    by_key = PREFIX + keys.fillna("")
    return by_key.where(keys.notna() & ~shared, by_name).rename("prozess_id")


def measure_ids(process_id: pd.Series, measure_type: pd.Series) -> pd.Series:
    """Maßnahmen-Id per row: Prozess-Id + ``/`` + key of the measure type."""
    return (process_id.astype(str) + SEPARATOR + measure_type.astype(str)).rename("id")


def lookup(rows: pd.DataFrame, measures: pd.DataFrame) -> list[str]:
    """Prozess-Id of each row of *rows* (``bezeichnung``, ``fachamt``) as in *measures*."""
    ids = dict(
        zip(
            zip(measures["bezeichnung"], measures["fachamt"], strict=True),
            measures["prozess_id"],
            strict=True,
        )
    )
    return [ids[k] for k in zip(rows["bezeichnung"], rows["fachamt"], strict=True)]
