"""The Bestandserhebung instrument: one survey workbook per Fachamt, prefilled from LeiKa.

Which services a Fachamt gets comes from ordered keyword/key-prefix rules
(``data/fachamt_zuordnung.yaml``, overridable per municipality). Services already in the
municipality's earlier survey (the ``bestand`` files) are carried over with their values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from kdworkbook.bestand.schema import ANSWER_COLUMNS
from kdworkbook.kern.errors import InputError

RULES_FILE = Path(__file__).parents[1] / "data" / "fachamt_zuordnung.yaml"


@dataclass(frozen=True)
class Regel:
    """Services whose name contains a keyword or whose key starts with a prefix → Fachamt."""

    fachamt: str
    stichworte: tuple[str, ...] = ()
    praefixe: tuple[str, ...] = ()


def load_rules(path: Path = RULES_FILE) -> list[Regel]:
    """The ordered assignment rules; German messages for a broken file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        rules = [
            Regel(
                r["fachamt"],
                tuple(r.get("stichworte", ())),
                tuple(str(p) for p in r.get("praefixe", ())),
            )
            for r in data["regeln"]
        ]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise InputError(
            f"{path}: keine gültige Fachamt-Zuordnung – erwartet „regeln:“ mit "
            f"„fachamt“ und „stichworte“ bzw. „praefixe“ ({exc})."
        ) from None
    if not rules:
        raise InputError(f"{path}: enthält keine Regeln.")
    return rules


def municipal_services(leistungen: pd.DataFrame) -> pd.DataFrame:
    """Services with a Verrichtung (not bare Leistungsobjekte) and not run by the Bund alone."""
    keys = leistungen["schluessel"].astype("string")
    with_verrichtung = keys.str.fullmatch(r"\d{14}").fillna(False) & (keys.str[8:11] != "000")
    typ = leistungen["typ"].astype("string").fillna("").str.strip()
    return leistungen[with_verrichtung.astype(bool) & (typ != "1")]


def assign(leistungen: pd.DataFrame, rules: list[Regel]) -> pd.Series:
    """Fachamt per service (NA where no rule fits); the first matching rule wins."""
    result = pd.Series(pd.NA, index=leistungen.index, dtype="object")
    names = leistungen["bezeichnung"].astype("string").fillna("")
    keys = leistungen["schluessel"].astype("string").fillna("")
    for rule in rules:
        hit = pd.Series(False, index=leistungen.index)
        if rule.stichworte:
            pattern = "|".join(re.escape(w) for w in rule.stichworte)
            hit |= names.str.contains(pattern, case=False, regex=True).astype(bool)
        for prefix in rule.praefixe:
            hit |= keys.str.startswith(prefix).astype(bool)
        result[hit & result.isna()] = rule.fachamt
    return result


def split_names(services: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Leistung (name of the key's Leistungsobjekt) and Verrichtung (the rest of the name).

    ``99008001012001`` Personalausweis Ausstellung erstmalig → Leistung „Personalausweis“
    (name of ``99008001000000``), Verrichtung „Ausstellung“ (name of ``99008001012000``
    without the Leistung).
    """
    by_key = dict(zip(catalogue["schluessel"], catalogue["bezeichnung"], strict=False))
    leistung, verrichtung = [], []
    for key, name in zip(services["schluessel"], services["bezeichnung"], strict=True):
        obj = by_key.get(key[:8] + "000000") or name.split(" ")[0]
        action = by_key.get(key[:11] + "000") or name
        leistung.append(obj)
        rest = action[len(obj) :].strip() if action.startswith(obj) else action
        verrichtung.append(rest or None)
    return services.assign(leistung=leistung, verrichtung=verrichtung)


def survey_rows(
    services: pd.DataFrame, fachamt: str, previous: pd.DataFrame | None
) -> pd.DataFrame:
    """The prefilled rows for one Fachamt: catalogue services, values of an earlier survey.

    A service counts as surveyed before when its LeiKa key or its Bezeichnung appears in the
    earlier survey of the same Fachamt; earlier processes the catalogue lacks are kept too.
    """
    rows = services.rename(columns={"schluessel": "leika_schluessel"})[
        ["leika_schluessel", "leistung", "verrichtung", "bezeichnung"]
    ].assign(fachamt=fachamt)
    rows = rows.sort_values(["leistung", "bezeichnung"], ignore_index=True)
    if previous is None or previous.empty:
        return rows.reindex(columns=[*rows.columns, *ANSWER_COLUMNS])
    before = previous[previous["fachamt"] == fachamt]
    by_key = before.dropna(subset=["leika_schluessel"]).drop_duplicates("leika_schluessel")
    answers = list(ANSWER_COLUMNS)
    merged = rows.merge(by_key[["leika_schluessel", *answers]], on="leika_schluessel", how="left")
    by_name = before.drop_duplicates("bezeichnung").set_index("bezeichnung")[answers]
    missing = merged["vorgaenge"].isna() & merged["bezeichnung"].isin(by_name.index)
    merged.loc[missing, answers] = by_name.loc[merged.loc[missing, "bezeichnung"]].to_numpy()
    known = set(merged["leika_schluessel"].dropna()) | set(merged["bezeichnung"])
    extra = before[~before["bezeichnung"].isin(known) & ~before["leika_schluessel"].isin(known)]
    extra = extra[
        ["leika_schluessel", "leistung", "verrichtung", "bezeichnung", "fachamt", *answers]
    ]
    return pd.concat([merged, extra], ignore_index=True)
