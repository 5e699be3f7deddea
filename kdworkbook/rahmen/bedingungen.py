"""Rahmenbedingungen of one municipality: duties, Zuständigkeit, Geeignetheit, Reifegrad.

Combines the pure parts (:mod:`pflichten`, :mod:`leika`, :mod:`geeignetheit`, :mod:`reife`)
on the inputs the loading layer has read (``ba.katalog``, ``ba.pflichtenregister``, see
:mod:`kdworkbook.rahmen.laden`); no file is read here. :func:`process_attributes` is the
per-process result the prioritisation step builds on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from kdworkbook.kern import defaults
from kdworkbook.kern.errors import InputError
from kdworkbook.rahmen import geeignetheit, leika, pflichten, reife
from kdworkbook.rahmen.leika import KatalogStand

if TYPE_CHECKING:  # the data a step works with; the loader itself is never called here
    from kdworkbook.bestand.laden import Bestandsaufnahme

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


def _compute(ba: Bestandsaufnahme) -> tuple[pd.DataFrame, KatalogStand]:
    return ba.once("rahmen", lambda: _attributes(ba))


def _attributes(ba: Bestandsaufnahme) -> tuple[pd.DataFrame, KatalogStand]:
    rahmen = ba.settings.rahmen
    stand = ba.katalog  # read once by the loading layer
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


#: Keys that contradict their Bezeichnung named one by one on the console (the rest counted).
MAX_REVIEW_NOTES = 10


def review_notes(ba: Bestandsaufnahme) -> list[str]:
    """German notes for ``kdworkbook check``: each survey key that contradicts its
    Bezeichnung (not applied), and how many other matches wait on the review list."""
    if catalogue_state(ba).katalog is None:
        return []
    attrs = process_attributes(ba)
    review = leika.review_list(attrs, ba.data)
    conflicts = attrs.index[attrs["erhebung_schluessel"].notna()]
    notes = []
    for i in conflicts[:MAX_REVIEW_NOTES]:
        row, attr = ba.data.loc[i], attrs.loc[i]
        proposal = (
            f"; nach dem Namen: {attr['vorschlag_schluessel']} „{attr['vorschlag_bezeichnung']}“"
            if pd.notna(attr["vorschlag_schluessel"])
            else ""
        )
        notes.append(
            f"{row['datei']}, Zeile {row['zeile']}: LeiKa-Schlüssel {attr['erhebung_schluessel']} "
            f"steht im Katalog für „{attr['erhebung_schluessel_bezeichnung']}“ und passt nicht "
            f"zu „{row['bezeichnung']}“ – nicht übernommen{proposal}. Bitte prüfen und unter "
            "rahmen → zuordnung bestätigen."
        )
    rest = len(review) - min(len(conflicts), MAX_REVIEW_NOTES)
    if rest > 0:
        notes.append(
            f"LeiKa-Zuordnung: {rest} weitere Prozesse zu prüfen (Prüfliste im Kapitel "
            "Rahmenbedingungen; Vorschläge gelten erst nach Bestätigung unter "
            "rahmen → zuordnung)."
        )
    return notes


def _register_and_status(
    ba: Bestandsaufnahme,
) -> tuple[tuple[pflichten.Pflicht, ...], dict[str, tuple[str, str | None]], list[str]]:
    rahmen = ba.settings.rahmen
    register = ba.pflichtenregister
    recorded = {k: (v.status, v.notiz) for k, v in rahmen.pflichten.items()}
    status, notes = pflichten.carry_over(register, recorded, ba.settings.stichtag)
    return register, status, notes


def duties(ba: Bestandsaufnahme) -> pd.DataFrame:
    """The duties in force on the Stichtag with the municipality's status and days overdue."""
    register, status, _ = _register_and_status(ba)
    return pflichten.duty_table(register, status, ba.settings.stichtag)


def duty_notes(ba: Bestandsaufnahme) -> list[str]:
    """German notes for the analyst: statuses recorded under a replaced duty's key, and a
    comparison date that does not lie before the Stichtag."""
    notes = _register_and_status(ba)[2]
    since, stichtag = ba.settings.rahmen.geaendert_seit, ba.settings.stichtag
    if since is not None and since >= stichtag:
        notes.append(
            f"Parameterdatei, „rahmen → geaendert_seit“: {since.strftime('%d.%m.%Y')} liegt "
            f"nicht vor dem Stichtag {stichtag.strftime('%d.%m.%Y')}; der Kasten „Geändert "
            "seit …“ entfällt."
        )
    return notes


def duty_changes(ba: Bestandsaufnahme) -> pd.DataFrame | None:
    """Changes of the law after ``rahmen → geaendert_seit`` up to the Stichtag.

    None if no date is set or it does not lie before the Stichtag (e.g. an older Stichtag
    re-run with the same parameter file; :func:`duty_notes` says so).
    """
    since, stichtag = ba.settings.rahmen.geaendert_seit, ba.settings.stichtag
    if since is None or since >= stichtag:
        return None
    register = ba.pflichtenregister
    return pflichten.changes(register, since, stichtag)


def sdg_services(ba: Bestandsaufnahme) -> pd.DataFrame:
    """Survey processes flagged ``sdg_relevant`` in the catalogue, with Reifegrad and online."""
    return pflichten.sdg_services(process_attributes(ba), ba.data, ba.settings.rahmen.sdg_online_ab)


def readiness(ba: Bestandsaufnahme) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Self-assessment table and the weak points with recommendations (the one for the
    Bürgerschaft refers to an evaluated citizen survey instead of recommending one)."""
    table = reife.readiness_table(ba.settings.rahmen.reife)
    recommendations = reife.after_survey(ba.reife_empfehlungen, ba.buergerbefragung_ergebnis)
    return table, reife.weak_points(table, recommendations)


def reifegrad_share(attrs: pd.DataFrame) -> float | None:
    """Share of processes with a recorded Reifegrad that are at level ≥ 3 (OZG-konform)."""
    known = attrs["reifegrad"].dropna()
    if known.empty:
        return None
    return float((known >= defaults.OZG_KONFORM_AB).mean())


def _iso(value: object) -> object:
    return value.isoformat() if hasattr(value, "isoformat") else value


def summary(ba: Bestandsaufnahme) -> dict[str, Any]:
    """Section ``rahmenbedingungen`` of ``kdworkbook check --json``; validates the inputs."""
    table = duties(ba)
    attrs = process_attributes(ba)
    stand = catalogue_state(ba)
    changed = duty_changes(ba)
    sdg = sdg_services(ba)
    _, weak = readiness(ba)
    return {
        "pflichten": [
            {
                "paragraph": row.schluessel,
                "art": row.art,
                "frist": _iso(row.frist),
                "gilt_ab": _iso(row.gilt_ab),
                "gilt_bis": _iso(row.gilt_bis),
                "quelle": row.quelle,
                "fundstelle": row.fundstelle,
                "status": row.status,
                "tage_ueberfaellig": None
                if pd.isna(row.tage_ueberfaellig)
                else int(row.tage_ueberfaellig),
            }
            for row in table.itertuples()
        ],
        "pflichten_unbekannt": len(pflichten.unknown(table)),
        "pflichten_hinweise": duty_notes(ba),
        "pflichten_geaendert": None
        if changed is None
        else [
            {"art": r.art, "datum": r.datum.isoformat(), "pflicht": r.schluessel}
            for r in changed.itertuples()
        ],
        "sdg_prozesse": len(sdg) if stand.katalog is not None else None,
        "sdg_online_anteil": pflichten.sdg_share(sdg),
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
