"""Fortschreibung: plan against actual, survey round against round (pure functions).

- Verzug in Quartalen = Quartal des tatsächlichen Endes − geplantes Fertig-Quartal
  (positiv = später als geplant); only for measures umgesetzt with an end date.
- Kostenabweichung € = tatsächliche − geplante Einmalkosten; only where the actual is given.
- Realisierte Einsparung €/Jahr of a process with at least one measure umgesetzt =
  (Jahresstunden Runde 1 − Jahresstunden Runde 2) × Stundensatz Runde 2, from the minutes and
  cases both rounds report – never assumed. A process missing in a round, or without minutes
  or cases, is „nicht berechenbar“ (``None`` with the reason).
- Prozesse der beiden Runden are matched by LeiKa key, then by normalised name.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from kdworkbook.steuerung.kennungen import normalised_name

_QUARTER = re.compile(r"^Q([1-4])/(\d{4})$")
AMPEL = {"umgesetzt": "grün", "begonnen": "gelb", "geplant": "gelb"}


def quarter_number(label: str) -> int | None:
    """``Q2/2027`` → 2027 × 4 + 1; None for anything else."""
    match = _QUARTER.match(str(label).strip())
    return int(match[2]) * 4 + int(match[1]) - 1 if match else None


def quarter_of(day: dt.date) -> int:
    """Quarter number of *day* on the scale of :func:`quarter_number`."""
    return day.year * 4 + (day.month - 1) // 3


def measure_table(entries: list[dict], stand: dt.date) -> pd.DataFrame:
    """One row per recorded measure: status, Ampel, Verzug (Quartale), Kostenabweichung €.

    Ampel: grün = umgesetzt; rot = zurückgestellt, verworfen, or not umgesetzt although its
    planned quarter ended before the quarter of *stand*; gelb = the rest (begonnen, geplant).
    """
    rows = []
    for e in entries:
        planned = quarter_number(e["fertig_plan"])
        end = dt.date.fromisoformat(e["ende_ist"]) if e.get("ende_ist") else None
        late = planned is not None and planned < quarter_of(stand)
        ampel = AMPEL.get(e["status"], "rot")
        if e["status"] in ("begonnen", "geplant") and late:
            ampel = "rot"
        cost = e.get("einmalkosten_ist")
        rows.append(
            {
                "id": e["id"],
                "prozess": e["prozess"],
                "massnahme": e["massnahme"],
                "status": e["status"],
                "ampel": ampel,
                "verzug_quartale": (
                    quarter_of(end) - planned
                    if e["status"] == "umgesetzt" and end and planned is not None
                    else None
                ),
                "kostenabweichung_eur": None if cost is None else cost - e["einmalkosten_plan"],
            }
        )
    return pd.DataFrame(rows)


def _key(table: pd.DataFrame) -> pd.Series:
    keys = table.get("leika_schluessel", pd.Series(None, index=table.index, dtype=object))
    return keys.where(keys.notna(), None)


def match_rounds(previous: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """Pairs of row labels (``vorher``, ``jetzt``) and ``runde`` = beide / neu / entfallen:
    first by LeiKa key (unique in both rounds), then by normalised name."""
    pairs, used_prev, used_cur = [], set(), set()
    prev_key, cur_key = _key(previous), _key(current)
    unique_prev = prev_key.dropna().drop_duplicates(keep=False)
    unique_cur = cur_key.dropna().drop_duplicates(keep=False)
    by_key = {k: i for i, k in unique_prev.items()}
    for j, k in unique_cur.items():
        if k in by_key:
            pairs.append((by_key[k], j))
            used_prev.add(by_key[k])
            used_cur.add(j)
    names = {}
    for i, name in previous["bezeichnung"].items():
        if i not in used_prev:
            names.setdefault(normalised_name(name), i)
    for j, name in current["bezeichnung"].items():
        i = names.pop(normalised_name(name), None) if j not in used_cur else None
        if i is not None:
            pairs.append((i, j))
            used_prev.add(i)
            used_cur.add(j)
    rows = [{"vorher": i, "jetzt": j, "runde": "beide"} for i, j in pairs]
    rows += [
        {"vorher": j, "jetzt": None, "runde": "entfallen"}
        for j in previous.index
        if j not in used_prev
    ]
    rows += [
        {"vorher": None, "jetzt": j, "runde": "neu"} for j in current.index if j not in used_cur
    ]
    return pd.DataFrame(rows, columns=["vorher", "jetzt", "runde"], dtype=object)


def realised_savings(
    entries: list[dict],
    previous: pd.DataFrame,
    current: pd.DataFrame,
    process_ids_prev: pd.Series,
) -> pd.DataFrame:
    """Per process with a measure umgesetzt: planned and realised savings €/Jahr.

    *previous*, *current*: surveys with ``jahresstunden`` and ``stundensatz_eur``;
    *process_ids_prev*: the Prozess-Id of each row of *previous* (same index).
    """
    done = [e for e in entries if e["status"] == "umgesetzt"]
    matched = match_rounds(previous, current).dropna(subset=["vorher"]).set_index("vorher")
    rows = []
    for pid in dict.fromkeys(e["prozess_id"] for e in done):
        mine = [e for e in done if e["prozess_id"] == pid]
        planned = _planned(mine)
        row = {"prozess_id": pid, "prozess": mine[0]["prozess"], "geplant_eur_jahr": planned}
        hits = process_ids_prev[process_ids_prev == pid].index
        cur = matched.at[hits[0], "jetzt"] if len(hits) and hits[0] in matched.index else None
        if not len(hits):
            row |= {"realisiert_eur_jahr": None, "fehlt": "Prozess fehlt in der Vorrunde"}
        elif cur is None or pd.isna(cur):
            row |= {"realisiert_eur_jahr": None, "fehlt": "Prozess fehlt in der neuen Erhebung"}
        else:
            before = previous.at[hits[0], "jahresstunden"]
            after, rate = current.at[cur, "jahresstunden"], current.at[cur, "stundensatz_eur"]
            if pd.isna(before) or pd.isna(after) or pd.isna(rate):
                row |= {"realisiert_eur_jahr": None, "fehlt": "Minuten oder Vorgänge fehlen"}
            else:
                row |= {"realisiert_eur_jahr": float((before - after) * rate), "fehlt": None}
        rows.append(row)
    return pd.DataFrame(
        rows, columns=["prozess_id", "prozess", "geplant_eur_jahr", "realisiert_eur_jahr", "fehlt"]
    )


def _planned(entries: list[dict]) -> float | None:
    """Planned saving €/Jahr of *entries*; None („nicht berechenbar“) when the plan had no
    computable saving for one of them (never a sum that skips it)."""
    values = [e["einsparung_plan_eur_jahr"] for e in entries]
    if any(v is None or pd.isna(v) for v in values):
        return None
    return float(sum(values))


def summary(entries: list[dict], savings: pd.DataFrame | None) -> dict:
    """Section ``fortschreibung`` of ``check --json``. Realised savings are None („nicht
    berechenbar“) without a previous round or when any affected process lacks figures."""
    counts = pd.Series([e["status"] for e in entries], dtype=object).value_counts()
    planned = _planned([e for e in entries if e["status"] == "umgesetzt"])
    realised = None
    if savings is not None and not savings["realisiert_eur_jahr"].isna().any():
        realised = float(savings["realisiert_eur_jahr"].sum())
    return {
        "umgesetzt": int(counts.get("umgesetzt", 0)),
        "begonnen": int(counts.get("begonnen", 0)),
        "geplant": int(counts.get("geplant", 0)),
        "einsparung_realisiert_eur_jahr": realised,
        "einsparung_geplant_eur_jahr": planned,
    }
