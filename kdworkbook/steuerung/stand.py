"""Umsetzungsstand round trip: write the workbook (``kdworkbook steuerung``), read it back
and record it (``kdworkbook steuerung-einlesen``).

Each import is recorded as a new file ``<kommune>/steuerung/stand_<JJJJ-MM-TT>.json`` next to
the parameter file (``stand_<JJJJ-MM-TT>_2.json`` … on the same day): the history is kept,
nothing is ever overwritten. A workbook with one bad row records nothing at all.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kdworkbook.bestand.erhebung import read_survey
from kdworkbook.bestand.kennzahlen import add_figures
from kdworkbook.bestand.laden import load_bestand
from kdworkbook.kern import archiv, momentaufnahme
from kdworkbook.kern.errors import InputError
from kdworkbook.kern.formatierung import datum, euro
from kdworkbook.kern.modell import parse_date
from kdworkbook.kern.parameter import Settings
from kdworkbook.massnahmen.kapitel import planung
from kdworkbook.steuerung import arbeitsmappe as mappe

FOLDER = "steuerung"
WORKBOOK = "umsetzungsstand_{tag}.xlsx"
RECORD = "stand_{tag}{n}.json"
ANSWERS = ("status", "beginn_ist", "ende_ist", "einmalkosten_ist", "bemerkung")


def home(parameter_file: Path, slug: str) -> Path:
    """``<kommune>/steuerung`` next to the parameter file."""
    return Path(parameter_file).resolve().parent / slug / FOLDER


def generate(
    parameter_file: Path, out_dir: Path | None = None, today: dt.date | None = None
) -> Path:
    """The workbook of the planned measures; an existing file of that name is never replaced."""
    ba = load_bestand(parameter_file)
    p = planung(ba)
    today = today or dt.date.today()
    target = (out_dir or home(parameter_file, ba.settings.slug)) / WORKBOOK.format(tag=today)
    if target.exists():
        raise InputError(
            f"{target}: gibt es schon – nicht überschrieben (vielleicht schon ausgefüllt). "
            "Bitte umbenennen oder einen anderen Zielordner mit --ausgabe wählen."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    meta = mappe.StatusMeta(gemeinde=ba.settings.gemeinde, planbeginn=p.start, erzeugt=today)
    return mappe.write_status_workbook(target, mappe.plan_rows(p.measures), meta)


# --------------------------------------------------------------------------- re-import


def _read_rows(path: Path) -> list[tuple[int, dict[str, object]]]:
    """(row number, answers by key) for every non-empty row of the status sheet."""
    from openpyxl import load_workbook

    archiv.check_input(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception:
        raise InputError(f"{path}: keine lesbare Excel-Arbeitsmappe (.xlsx).") from None
    try:
        name = mappe.STATUS_SHEET if mappe.STATUS_SHEET in book.sheetnames else None
        if name is None:
            raise InputError(f"{path}: Blatt „{mappe.STATUS_SHEET}“ fehlt.")
        rows = book[name].iter_rows(values_only=True)
        header = next(rows, ())
        by_header = {str(v).strip().casefold(): i for i, v in enumerate(header) if v is not None}
        index = {k: by_header.get(h.casefold()) for k, h in mappe.HEADERS.items()}
        missing = [mappe.HEADERS[k] for k in ("id", *ANSWERS) if index[k] is None]
        if missing:
            raise InputError(
                f"{path}, Blatt „{name}“: Spalte(n) {', '.join(f'„{m}“' for m in missing)} "
                "fehlen – bitte keine Spalten umbenennen oder löschen."
            )
        found = []
        for number, values in enumerate(rows, start=2):
            record = {
                k: values[i] if i is not None and i < len(values) else None
                for k, i in index.items()
            }
            record = {k: v.strip() if isinstance(v, str) else v for k, v in record.items()}
            if any(record[k] not in (None, "") for k in ANSWERS):  # untouched rows: no news
                found.append((number, record))
        return found
    finally:
        book.close()


def _date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):  # a date cell of the workbook
        return value.date()
    return parse_date(value)


def _amount(value: object) -> float:
    if isinstance(value, bool):
        raise ValueError(f"„{value}“ ist kein Betrag")
    if isinstance(value, int | float):
        return float(value)
    text = str(value).replace("€", "").replace(" ", "").replace(".", "").replace(",", ".")
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"„{value}“ ist kein Betrag in Euro") from None


@dataclass(frozen=True)
class Eintrag:
    """One checked answer row."""

    id: str
    status: str
    beginn_ist: dt.date | None
    ende_ist: dt.date | None
    einmalkosten_ist: float | None
    bemerkung: str | None
    zeile: int

    def answers(self) -> tuple:
        return (self.status, self.beginn_ist, self.ende_ist, self.einmalkosten_ist, self.bemerkung)


def _check_row(
    where: str, record: dict[str, object], known: set[str], start: dt.date
) -> tuple[dict[str, object], list[str]]:
    problems, values = [], {}
    mid = record["id"]
    if mid in (None, "") or str(mid) not in known:
        shown = "leer" if mid in (None, "") else f"„{mid}“"
        problems.append(f"{where}: Maßnahmen-Id {shown} steht nicht im Maßnahmenplan.")
    status = str(record["status"] or "").casefold()
    if status not in mappe.STATUS:
        shown = "fehlt" if not status else f"„{record['status']}“ ist unbekannt"
        problems.append(f"{where}: Status {shown} (erwartet {', '.join(mappe.STATUS)}).")
    for key in ("beginn_ist", "ende_ist"):
        if record[key] in (None, ""):
            values[key] = None
            continue
        try:
            values[key] = _date(record[key])
        except ValueError as exc:
            problems.append(f"{where}, {mappe.HEADERS[key]}: {exc}.")
            values[key] = None
            continue
        if values[key] < start:
            problems.append(
                f"{where}, {mappe.HEADERS[key]}: {datum(values[key])} liegt vor dem "
                f"Planbeginn {datum(start)}."
            )
    if values["beginn_ist"] and values["ende_ist"] and values["ende_ist"] < values["beginn_ist"]:
        problems.append(
            f"{where}: Ende {datum(values['ende_ist'])} liegt vor dem Beginn "
            f"{datum(values['beginn_ist'])}."
        )
    values["einmalkosten_ist"] = None
    if record["einmalkosten_ist"] not in (None, ""):
        try:
            values["einmalkosten_ist"] = _amount(record["einmalkosten_ist"])
        except ValueError as exc:
            problems.append(f"{where}, {mappe.HEADERS['einmalkosten_ist']}: {exc}.")
        else:
            if values["einmalkosten_ist"] < 0:
                problems.append(
                    f"{where}, {mappe.HEADERS['einmalkosten_ist']}: "
                    f"{euro(values['einmalkosten_ist'], 2)} ist negativ."
                )
    values.update(id=str(mid), status=status, bemerkung=record["bemerkung"] or None)
    return values, problems


def read_status(path: Path, known: set[str], start: dt.date) -> list[Eintrag]:
    """The checked rows of a filled workbook; raises :class:`InputError` with every problem
    (file and row named) if any row is bad – then nothing may be recorded.

    *known* are the Maßnahmen-Ids of the plan, *start* its first day (no date before it).
    The same measure in several rows is kept once if the answers agree, else refused.
    """
    path = Path(path)
    problems: list[str] = []
    entries: dict[str, Eintrag] = {}
    for number, record in _read_rows(path):
        where = f"{path.name}, Zeile {number}"
        values, found = _check_row(where, record, known, start)
        problems += found
        if found:
            continue
        entry = Eintrag(zeile=number, **values)
        first = entries.get(entry.id)
        if first is None:
            entries[entry.id] = entry
        elif first.answers() != entry.answers():
            both = f"{path.name}, Zeilen {first.zeile} und {number}"
            if first.status == entry.status == "umgesetzt" and first.ende_ist != entry.ende_ist:
                problems.append(
                    f"{both}: Maßnahme „{entry.id}“ ist zweimal als umgesetzt gemeldet, mit "
                    f"verschiedenem Ende ({_shown(first.ende_ist)} und {_shown(entry.ende_ist)})."
                )
            else:
                problems.append(
                    f"{both}: Maßnahme „{entry.id}“ steht zweimal mit verschiedenen Angaben."
                )
    if problems:
        raise InputError(problems)
    if not entries:
        raise InputError(f"{path.name}: keine ausgefüllte Zeile gefunden – nichts erfasst.")
    return list(entries.values())


def _shown(day: dt.date | None) -> str:
    return datum(day) if day else "ohne Datum"


#: Plan values kept with each recorded answer, so slip, cost variance and planned savings
#: stay those of the plan the Digitalmanager answered, even when a later survey changes it.
PLAN_FIELDS = {
    "prozess_id": "prozess_id",
    "prozess": "bezeichnung",
    "massnahme": "massnahme",
    "beginn_plan": "beginn",
    "fertig_plan": "fertig",
    "einmalkosten_plan": "einmalkosten_eur",
    "einsparung_plan_eur_jahr": "einsparung_eur",
}


def record(
    folder: Path,
    gemeinde: str,
    source: Path,
    entries: list[Eintrag],
    day: dt.date,
    plan: pd.DataFrame,
) -> Path:
    """A new ``stand_<tag>.json`` in *folder*; an existing record is never replaced (the file
    is written under a temporary name and linked to a free name, which fails if taken).
    *plan* is :attr:`Planung.measures`; its values are kept with each answer."""
    folder.mkdir(parents=True, exist_ok=True)
    by_id = plan.set_index("id")
    payload = {
        "gemeinde": gemeinde,
        "erfasst": day.isoformat(),
        "datei": Path(source).name,
        "massnahmen": [
            {
                "id": e.id,
                "status": e.status,
                "beginn_ist": e.beginn_ist.isoformat() if e.beginn_ist else None,
                "ende_ist": e.ende_ist.isoformat() if e.ende_ist else None,
                "einmalkosten_ist": e.einmalkosten_ist,
                "bemerkung": e.bemerkung,
                **{k: _plain(by_id.at[e.id, c]) for k, c in PLAN_FIELDS.items()},
            }
            for e in entries
        ],
    }
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".stand-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(payload, out, ensure_ascii=False, indent=2)
        for n in range(1, 1000):
            target = folder / RECORD.format(tag=day.isoformat(), n="" if n == 1 else f"_{n}")
            try:
                os.link(temporary, target)
            except FileExistsError:
                continue
            return target
        raise InputError(f"{folder}: zu viele Stände am {datum(day)}.")
    finally:
        os.unlink(temporary)


def _plain(value: object) -> object:
    """numpy scalars → Python for JSON; a missing value (a saving not computable) → null."""
    value = value.item() if hasattr(value, "item") else value
    return None if isinstance(value, float) and value != value else value


def import_status(parameter_file: Path, path: Path, today: dt.date | None = None) -> Path:
    """Check a filled workbook against the current plan and record it; returns the record.

    *today* is the day of the Stand (default: today); a report uses the Stände recorded up
    to its Stichtag (:func:`stands_until`)."""
    ba = load_bestand(parameter_file)
    p = planung(ba)
    entries = read_status(path, set(p.measures["id"]), p.start)
    folder = home(parameter_file, ba.settings.slug)
    return record(folder, ba.settings.gemeinde, path, entries, today or dt.date.today(), p.measures)


def _order(p: Path) -> tuple[str, int]:
    stem = p.stem.removeprefix("stand_")
    day, _, n = stem.partition("_")
    return day, int(n) if n.isdigit() else 1


def recorded_day(path: Path) -> dt.date | None:
    """The day in the name ``stand_<JJJJ-MM-TT>[_n].json``; None for any other name."""
    try:
        return dt.date.fromisoformat(_order(Path(path))[0])
    except ValueError:
        return None


def read_record(path: Path) -> dict:
    """One recorded Stand; a damaged file is named."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
        if not isinstance(document, dict) or not isinstance(document.get("massnahmen"), list):
            raise ValueError
    except (ValueError, UnicodeDecodeError):
        raise InputError(
            f"{path}: kein lesbarer Umsetzungsstand (JSON von „kdworkbook "
            "steuerung-einlesen“) – bitte nicht von Hand ändern."
        ) from None
    return document


def history(folder: Path) -> list[dict]:
    """Every recorded Stand in *folder*, oldest first (by date, then number)."""
    return [read_record(p) for p in sorted(Path(folder).glob("stand_*.json"), key=_order)]


def stands_until(folder: Path, stichtag: dt.date) -> list[dict]:
    """The Stände a report with *stichtag* may use, oldest first: those recorded on or
    before the Stichtag (a Stand recorded later belongs to later reports; the files of later
    days are not even opened). Inside a run only the Stände of the run's snapshot count,
    read from their copies: one recorded while the run is under way does not half-apply."""
    index = momentaufnahme.read_index()
    copies = index["kopien"] if index else None
    found = []
    for path in sorted(Path(folder).glob("stand_*.json"), key=_order):
        day = recorded_day(path)
        if day is None or day > stichtag:
            continue
        if copies is not None:
            copy = copies.get(str(path.resolve()))
            if copy is None:
                continue  # recorded after the run started
            path = Path(copy)
        found.append(read_record(path))
    return found


def status_counts(entries: list[dict]) -> dict[str, int]:
    """Measures per status in one recorded Stand, in the order of the validation list."""
    counts = pd.Series([e["status"] for e in entries]).value_counts()
    return {s: int(counts.get(s, 0)) for s in mappe.STATUS}


# --------------------------------------------------------------------------- Fortschreibung


def previous_round(settings: Settings) -> pd.DataFrame | None:
    """The survey of the previous round (``vorherige_erhebung``) with Jahresstunden and
    Stundensatz, or None when the parameter file names none."""
    if not settings.vorherige_erhebung:
        return None
    sources = [(q.datei, q.fachamt) for q in settings.vorherige_erhebung]
    survey = read_survey(sources, settings.stufen)
    return add_figures(
        survey.data, settings.stundensaetze, settings.stufen, settings.jahresarbeitsstunden
    )
