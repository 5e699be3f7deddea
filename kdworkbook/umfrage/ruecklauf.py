"""Survey round trip: produce the workbooks (``kdworkbook umfrage``) and take them back
(``kdworkbook umfrage-einlesen``) with a return status per Fachamt.

Returned files may be renamed or re-saved as CSV: the Fachamt comes from the hidden
``_kdworkbook`` sheet, else the ``Fachamt`` column, else the file name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from kdworkbook.bericht import excel as export
from kdworkbook.bestand import kennzahlen as bestand
from kdworkbook.bestand.erhebung import HEADERS, read_survey
from kdworkbook.bestand.laden import RETURN_STATUS, SURVEY_SUFFIXES, survey_sources
from kdworkbook.kern import archiv
from kdworkbook.kern.errors import InputError
from kdworkbook.kern.parameter import Settings, load_settings
from kdworkbook.kern.textpruefung import nfc
from kdworkbook.rahmen import laden as rahmen_laden
from kdworkbook.rahmen import leika
from kdworkbook.umfrage import arbeitsmappe as umfrage_xlsx
from kdworkbook.umfrage import instrument as umfrage
from kdworkbook.umfrage import versand

CONSOLIDATED = "bestand_konsolidiert.xlsx"
STATUS_JSON = RETURN_STATUS
STATUS_XLSX = "ruecklauf.xlsx"


def _catalogue(settings: Settings) -> leika.Katalog:
    """The LeiKa catalogue of ``rahmen`` (default: the shipped one)."""
    return rahmen_laden.read_catalogue(settings.rahmen.leika_katalog, settings.rahmen.ozg_katalog)


def _previous(settings: Settings) -> pd.DataFrame | None:
    """The municipality's earlier survey, if its files exist (they need not yet)."""
    if not all(q.datei.exists() for q in settings.bestand):
        return None
    return read_survey(survey_sources(settings), settings.stufen).data


def generate(parameter_file: Path, out_dir: Path | None = None) -> list[Path]:
    """One prefilled workbook per Fachamt; returns the written files."""
    settings = load_settings(parameter_file, survey_must_exist=False)
    u = settings.umfrage
    rules = umfrage.load_rules(u.zuordnung_datei or umfrage.RULES_FILE)
    katalog = _catalogue(settings)
    services = umfrage.municipal_services(katalog.leistungen)
    services = services.assign(fachamt=umfrage.assign(services, rules)).dropna(subset=["fachamt"])
    services = umfrage.split_names(services, katalog.leistungen)
    # a Fachamt without a rule gets a workbook with free rows (and its earlier processes)
    if u.fachaemter:
        named = [(f"umfrage → fachaemter → {i}", f) for i, f in enumerate(u.fachaemter, 1)]
    else:
        source = u.zuordnung_datei or umfrage.RULES_FILE
        named = [(f"{source}: regeln → fachamt", r.fachamt) for r in rules]
    file_names = versand.survey_file_names(named)  # every name checked before anything is written
    previous = _previous(settings)
    target = out_dir or Path(parameter_file).resolve().parent / settings.slug / "umfrage"
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for fachamt, file_name in file_names.items():
        rows = umfrage.survey_rows(services[services["fachamt"] == fachamt], fachamt, previous)
        meta = umfrage_xlsx.WorkbookMeta(
            gemeinde=settings.gemeinde,
            fachamt=fachamt,
            stufen=tuple(sorted(settings.stufen)),
            rueckgabe_bis=u.rueckgabe_bis,
            kontakt=u.ansprechpartner.model_dump(exclude_none=True),
        )
        path = target / file_name
        written.append(umfrage_xlsx.write_survey_workbook(path, rows, meta, u.leere_zeilen))
    versand.write_sent(target / versand.SENT, settings.gemeinde, file_names)
    return written


# --------------------------------------------------------------------------- re-import


@dataclass
class Ruecklauf:
    """The result of reading returned workbooks."""

    status: pd.DataFrame  # per Fachamt: zurück?, Dateien, ausgefüllt, nicht ausgefüllt, neu, …
    data: pd.DataFrame  # the consolidated survey (valid, filled rows of all returned files)
    review: pd.DataFrame  # new free-text processes with a catalogue proposal to check
    problems: list[str] = field(default_factory=list)


def _fachamt_of(path: Path) -> str | None:
    """The Fachamt recorded in our hidden sheet (None for CSV or foreign workbooks)."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return None
    from openpyxl import load_workbook

    try:
        archiv.check_input(path)  # the survey reader reports a refused file
        book = load_workbook(path, read_only=True)
    except Exception:  # unreadable files get their message from the survey reader
        return None
    try:
        if umfrage_xlsx.META_SHEET not in book.sheetnames:
            return None
        values = {
            row[0]: row[1]
            for row in book[umfrage_xlsx.META_SHEET].iter_rows(values_only=True)
            if row and row[0]
        }
        return values.get("fachamt")
    finally:
        book.close()


def _files(paths: list[Path]) -> list[Path]:
    found = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p
                for p in path.iterdir()
                if p.is_file()
                and p.suffix.lower() in SURVEY_SUFFIXES
                and not p.name.startswith(("~$", "."))
            )
        elif path.is_file():
            found.append(path)
        else:
            raise InputError(f"{path}: Datei oder Ordner nicht gefunden.")
    if not found:
        raise InputError("Keine zurückgegebenen Arbeitsmappen (.xlsx/.csv) gefunden.")
    return found


def read_returns(
    settings: Settings,
    paths: list[Path],
    katalog: leika.Katalog | None,
    sent: list[str] | None = None,
) -> Ruecklauf:
    """Read every returned file on its own, so one broken file does not hide the others.

    *sent* are the Fachämter that got a workbook (``versand.json``); with
    ``umfrage → fachaemter`` they make the expected list, each one missing is „fehlt“.
    """
    expected = list(dict.fromkeys([*settings.umfrage.fachaemter, *(sent or [])]))
    frames, unfilled, problems, per_file = [], [], [], []
    for path in _files(paths):
        fachamt = nfc(_fachamt_of(path))
        try:
            survey = read_survey([(path, fachamt)], settings.stufen)
        except InputError as exc:
            problems += exc.messages
            per_file.append(
                {
                    "fachamt": fachamt or nfc(path.stem),
                    "datei": path.name,
                    "fehler": len(exc.messages),
                }
            )
            continue
        frames.append(survey.data.assign(_quelle=len(frames)))  # which file, for conflicts
        unfilled.append(survey.unfilled)
        for amt in survey.data["fachamt"].unique():
            per_file.append({"fachamt": amt, "datei": path.name, "fehler": 0})
    data = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=["fachamt", "bezeichnung", "leika_schluessel"])
    )
    untouched = (
        pd.concat(unfilled, ignore_index=True) if unfilled else pd.DataFrame(columns=["fachamt"])
    )
    untouched["fachamt"] = untouched["fachamt"].map(nfc)
    data, conflicts = _conflicts(data)
    data = data.drop(columns="_quelle", errors="ignore")
    problems += [message for message, _ in conflicts]
    files = pd.DataFrame(per_file)
    for _, names in conflicts:
        files.loc[files["datei"].isin(names), "fehler"] += 1
    status = return_status(expected, files, data, untouched, settings)
    review = pd.DataFrame()
    new = data[data["leika_schluessel"].isna()] if not data.empty else data
    if katalog is not None and not new.empty:
        enriched = leika.enrich(
            new,
            katalog,
            settings.rahmen.typ_4b,
            settings.rahmen.fuzzy_schwelle,
            settings.rahmen.zuordnung,
        )
        # every new process: a certain match, a proposal to check, or none at all
        review = new[["fachamt", "bezeichnung", "datei", "zeile"]].join(
            enriched[["match_art", "vorschlag_schluessel", "vorschlag_bezeichnung", "match_score"]]
        )
    return Ruecklauf(status=status, data=data, review=review, problems=problems)


def _conflicts(data: pd.DataFrame) -> tuple[pd.DataFrame, list[tuple[str, list[str]]]]:
    """The same process of the same Fachamt returned in several files: kept once if the
    values agree; left out, with a message naming file and row of each, if they differ."""
    if data.empty or "_quelle" not in data.columns:
        return data, []
    key = (
        data["leika_schluessel"]
        .astype("string")
        .fillna("name:" + data["bezeichnung"].astype("string").str.casefold())
    )
    twice = pd.concat([data["fachamt"], key], axis=1).duplicated(keep=False)
    groups = data[twice].groupby([data["fachamt"][twice], key[twice]], sort=False).groups
    answers = [c for c in umfrage.ANSWER_COLUMNS if c in data.columns]
    drop, conflicts = [], []
    for (fachamt, _), index in groups.items():
        rows = data.loc[index]
        if rows["_quelle"].nunique() < 2:
            continue  # duplicates within one file are the survey check's business
        values = rows[answers].astype(object).where(rows[answers].notna(), None)
        if len({tuple(v) for v in values.itertuples(index=False)}) == 1:
            drop += list(index[1:])
            continue
        drop += list(index)
        where = " und ".join(f"{r.datei}, Zeile {r.zeile}" for r in rows.itertuples())
        differ = [
            HEADERS.get(c, c) for c in answers if rows[c].astype(object).nunique(dropna=False) > 1
        ]
        conflicts.append(
            (
                f"{where}: Fachamt „{fachamt}“, Prozess „{rows['bezeichnung'].iloc[0]}“ ist "
                f"mehrfach zurückgegeben, mit verschiedenen Werten ({', '.join(differ)}) – "
                "nicht übernommen. Bitte eine Fassung entfernen und erneut einlesen.",
                list(rows["datei"].unique()),
            )
        )
    return data.drop(index=drop).reset_index(drop=True), conflicts


def return_status(
    expected: list[str],
    files: pd.DataFrame,
    data: pd.DataFrame,
    untouched: pd.DataFrame,
    settings: Settings,
) -> pd.DataFrame:
    """One row per Fachamt (expected ones first): returned or missing, with row counts."""
    names = list(dict.fromkeys([*expected, *(files["fachamt"] if not files.empty else [])]))
    rows = []
    for amt in names:
        mine = files[files["fachamt"] == amt] if not files.empty else files
        filled = data[data["fachamt"] == amt] if not data.empty else data
        empty = int((untouched["fachamt"] == amt).sum()) if not untouched.empty else 0
        warnings = (
            bestand.quality_warnings(
                filled, settings.plausibel_max_minuten, settings.plausibel_max_vorgaenge
            )
            if not filled.empty
            else filled
        )
        errors = int(mine["fehler"].sum()) if not mine.empty else 0
        rows.append(
            {
                "fachamt": amt,
                "status": (
                    "fehlt"
                    if mine.empty
                    else "fehlerhaft"
                    if errors
                    else "zurück"
                    if amt in expected or not expected
                    else "zusätzlich"
                ),
                "dateien": ", ".join(mine["datei"]) if not mine.empty else "",
                "ausgefuellt": len(filled),
                "nicht_ausgefuellt": empty,
                "neu": int(filled["leika_schluessel"].isna().sum()) if not filled.empty else 0,
                "auffaellig": len(warnings),
                "fehler": errors,
                # without a list of what was sent, „all returned“ cannot be said
                "versand_bekannt": bool(expected),
            }
        )
    return pd.DataFrame(rows)


CONSOLIDATED_FORMATS = {
    "vorgaenge": "int",
    "minuten": "dez1",
    "stufe": "int",
    "beteiligte_stellen": "int",
    "rechtliche_besonderheiten": "int",
    "reifegrad": "int",
}
STATUS_COLUMNS = {
    "fachamt": ("Fachamt", "text"),
    "status": ("Rücklauf", "text"),
    "dateien": ("Datei", "text"),
    "ausgefuellt": ("ausgefüllt", "int"),
    "nicht_ausgefuellt": ("nicht ausgefüllt", "int"),
    "neu": ("neue Prozesse", "int"),
    "auffaellig": ("auffällige Werte", "int"),
    "fehler": ("Fehler", "int"),
}


def import_returns(
    parameter_file: Path, paths: list[Path], out_dir: Path | None = None
) -> tuple[Ruecklauf, list[Path]]:
    """Read returned workbooks, write the consolidated survey and the return status."""
    settings = load_settings(parameter_file, survey_must_exist=False)
    katalog = _catalogue(settings)
    home = Path(parameter_file).resolve().parent / settings.slug
    folders = [home / "umfrage", *(p if p.is_dir() else p.parent for p in map(Path, paths))]
    result = read_returns(
        settings, paths, katalog, versand.sent_fachaemter(settings.gemeinde, folders)
    )
    target = out_dir or home / "ruecklauf"
    target.mkdir(parents=True, exist_ok=True)
    written = []
    if not result.data.empty:
        columns = {
            c: (HEADERS[c], CONSOLIDATED_FORMATS.get(c, "text")) for c in umfrage_xlsx.COLUMNS
        }
        written.append(
            export.write_workbook(
                target / CONSOLIDATED,
                {"Bestandserhebung": (result.data, columns)},
                footer=settings.gemeinde,
            )
        )
    sheets = {"Rücklauf": (result.status, STATUS_COLUMNS)}
    if not result.review.empty:
        review = result.review.reset_index(drop=True)
        sheets["Prüfliste"] = (review, {c: (c, "text") for c in review.columns})
    if result.problems:
        sheets["Probleme"] = (
            pd.DataFrame({"meldung": result.problems}),
            {"meldung": ("Meldung", "text")},
        )
    written.append(export.write_workbook(target / STATUS_XLSX, sheets, footer=settings.gemeinde))
    status_file = target / STATUS_JSON
    status_file.write_text(
        json.dumps(result.status.to_dict("records"), ensure_ascii=False, indent=2), encoding="utf-8"
    )
    written.append(status_file)
    return result, written
