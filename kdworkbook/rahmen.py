"""Rahmenbedingungen of one municipality: duties, Zuständigkeit, Geeignetheit, Reifegrad.

The loader functions here read the files the parameter file names (duty register, LeiKa and
OZG catalogue) and combine the pure parts (:mod:`pflichten`, :mod:`leika`,
:mod:`geeignetheit`, :mod:`reife`). :func:`process_attributes` is the per-process result the
prioritisation step builds on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from kdworkbook import defaults, geeignetheit, leika, pflichten, referenz, reife
from kdworkbook.errors import InputError
from kdworkbook.formatierung import datum
from kdworkbook.laden import Bestandsaufnahme
from kdworkbook.rahmen_parameter import Rahmen

#: Columns of :func:`process_attributes` that other steps rely on.
CONTRACT_COLUMNS = (
    "leika_schluessel",
    "leika_typ",
    "zustaendigkeit",
    "kommune_setzt_um",
    "ozg_leistung",
    "themenfeld",
    "geeignet",
    "geeignetheit_grund",
    "reifegrad",
    "match_art",
    "match_score",
)


@dataclass(frozen=True)
class KatalogStand:
    """The catalogue used, how the report names it (file names only, never a machine path)
    and its data state; ``hinweis``: a German note if something is missing."""

    katalog: leika.Katalog | None
    hinweis: str | None = None
    name: str = ""
    stand: str = ""


def _stand(katalog: leika.Katalog, rahmen: Rahmen) -> str:
    """Data state: documented for the shipped catalogue, else the export's ``datum``."""
    if rahmen.katalog_mitgeliefert:
        return referenz.KATALOG_STAND
    if katalog.stand is not None:
        return f"{datum(katalog.stand)} (jüngster Eintrag der Spalte „datum“)"
    changed = dt.date.fromtimestamp(rahmen.leika_katalog.stat().st_mtime)
    return f"nicht angegeben (Datei geändert am {datum(changed)})"


def load_catalogue(rahmen: Rahmen) -> KatalogStand:
    """Read the configured catalogue (default: the shipped one); raises InputError."""
    katalog = leika.read_catalogue(rahmen.leika_katalog, rahmen.ozg_katalog)
    files = " und ".join(f"„{p.name}“" for p in katalog.dateien)
    name = (
        f"{referenz.KATALOG_QUELLE} ({files})"
        if rahmen.katalog_mitgeliefert
        else f"{files} ({katalog.layout})"
    )
    return KatalogStand(katalog, None, name, _stand(katalog, rahmen))


def _check_parameters(ba: Bestandsaufnahme, katalog: leika.Katalog | None) -> None:
    """Entries of ``rahmen`` that refer to survey rows or catalogue keys must exist."""
    rahmen, data = ba.settings.rahmen, ba.data
    messages = [
        f"Parameterdatei, Schlüssel „rahmen → nicht_geeignet“: Prozess {name} kommt in der "
        "Bestandserhebung nicht vor (Bezeichnung genau wie in der Erhebung schreiben)."
        for name in geeignetheit.unknown_entries(data, rahmen.nicht_geeignet)
    ]
    names = set(data["bezeichnung"].unique()) if rahmen.zuordnung else set()
    messages += [
        f"Parameterdatei, Schlüssel „rahmen → zuordnung → {name}“: Prozess kommt in der "
        "Bestandserhebung nicht vor."
        for name in rahmen.zuordnung
        if name not in names
    ]
    if katalog is not None and rahmen.zuordnung:
        known = set(katalog.leistungen["schluessel"].dropna())
        messages += [
            f"Parameterdatei, Schlüssel „rahmen → zuordnung → {name}“: LeiKa-Schlüssel {key} "
            f"steht nicht im Katalog {katalog.dateien[0].name}."
            for name, key in rahmen.zuordnung.items()
            if key not in known
        ]
    if messages:
        raise InputError(messages)


_CACHE: dict[int, tuple[Bestandsaufnahme, pd.DataFrame, KatalogStand]] = {}


def _compute(ba: Bestandsaufnahme) -> tuple[pd.DataFrame, KatalogStand]:
    cached = _CACHE.get(id(ba))
    if cached is not None and cached[0] is ba:
        return cached[1], cached[2]
    rahmen = ba.settings.rahmen
    stand = load_catalogue(rahmen)
    _check_parameters(ba, stand.katalog)
    enriched = leika.enrich(
        ba.data, stand.katalog, rahmen.typ_4b, rahmen.fuzzy_schwelle, rahmen.zuordnung
    )
    suitable = geeignetheit.suitability(
        ba.data, rahmen.nicht_geeignet, rahmen.wirtschaftlich_min_vorgaenge
    )
    result = enriched.join(suitable)
    result["reifegrad"] = ba.data["reifegrad"].astype("Int64")
    result["ozg_konform"] = (result["reifegrad"] >= defaults.OZG_KONFORM_AB).astype("boolean")
    result["zustaendigkeit"] = (
        result["zustaendigkeit"].astype("object").where(result["zustaendigkeit"].notna(), pd.NA)
    )
    _CACHE.clear()
    _CACHE[id(ba)] = (ba, result, stand)
    return result, stand


def process_attributes(ba: Bestandsaufnahme) -> pd.DataFrame:
    """Per row of ``ba.data`` (same index and order): LeiKa key and Typ, Zuständigkeit,
    OZG-Leistung and Themenfeld, Geeignetheit, OZG-Reifegrad, how the LeiKa match was made.

    Columns: see :data:`CONTRACT_COLUMNS`, plus ``leika_bezeichnung``, ``ozg_id``,
    ``lebenslage``, ``vorschlag_schluessel``/``vorschlag_bezeichnung`` (a fuzzy proposal to
    check), ``hinweis``, ``geeignetheit_quelle``, ``geeignetheit_notiz``, ``ozg_konform``.
    Reads the configured catalogue files; raises InputError on bad input.
    """
    return _compute(ba)[0].copy()


def catalogue_state(ba: Bestandsaufnahme) -> KatalogStand:
    """The catalogue used for :func:`process_attributes`, with a note if one is missing."""
    return _compute(ba)[1]


def duties(ba: Bestandsaufnahme) -> pd.DataFrame:
    """The duty register with the municipality's status and days overdue on the Stichtag."""
    rahmen = ba.settings.rahmen
    register = pflichten.load_register(rahmen.zusatz_register)
    recorded = {k: (v.status, v.notiz) for k, v in rahmen.pflichten.items()}
    return pflichten.duty_table(register, recorded, ba.settings.stichtag)


def readiness(ba: Bestandsaufnahme) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Self-assessment table and the weak points with recommendations."""
    table = reife.readiness_table(ba.settings.rahmen.reife)
    return table, reife.weak_points(table, reife.load_recommendations())


def reifegrad_share(attrs: pd.DataFrame) -> float | None:
    """Share of processes with a recorded Reifegrad that are at level ≥ 3 (OZG-konform)."""
    known = attrs["reifegrad"].dropna()
    if known.empty:
        return None
    return float((known >= defaults.OZG_KONFORM_AB).mean())


def summary(ba: Bestandsaufnahme) -> dict[str, Any]:
    """Section ``rahmenbedingungen`` of ``kdworkbook check --json``; validates the inputs."""
    table = duties(ba)
    attrs = process_attributes(ba)
    stand = catalogue_state(ba)
    _, weak = readiness(ba)
    return {
        "pflichten": [
            {
                "paragraph": row.schluessel,
                "frist": row.frist.isoformat() if hasattr(row.frist, "isoformat") else row.frist,
                "status": row.status,
                "tage_ueberfaellig": None
                if pd.isna(row.tage_ueberfaellig)
                else int(row.tage_ueberfaellig),
            }
            for row in table.itertuples()
        ],
        "kommune_setzt_um": int(attrs["kommune_setzt_um"].sum()),
        "nicht_geeignet": int((~attrs["geeignet"]).sum()),
        "pflichten_ueberfaellig": int(table["ueberfaellig"].sum()),
        "pflichten_status": pflichten.status_counts(table),
        "katalog": stand.katalog is not None,
        "katalog_name": stand.name,
        "katalog_stand": stand.stand,
        "zentral": int((attrs["zustaendigkeit"] == leika.ZENTRAL).sum()),
        "zuordnung": {k: int((attrs["match_art"] == k).sum()) for k in leika.MATCH_KINDS},
        "nicht_geeignet_gruende": geeignetheit.reason_counts(attrs),
        "reifegrad_erfasst": int(attrs["reifegrad"].notna().sum()),
        "ozg_konform_anteil": reifegrad_share(attrs),
        "schwachstellen": list(weak["bereich"]),
    }
