"""Files of the citizen survey: writing the questionnaire, reading the responses, storing the
aggregate. The only module here that touches the file system.

Everything goes to the municipality's folder beside the parameter file
(``<kommune>/buergerbefragung/``), never into ``outputs/``; of the response files only the
name and SHA-256 hash are recorded.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from kdworkbook.buergerbefragung import antworten, auswertung, formular, fragebogen, limesurvey
from kdworkbook.buergerbefragung.fragebogen import HINWEIS, ZUFRIEDEN, Fragebogen
from kdworkbook.kern import referenz
from kdworkbook.kern.errors import InputError
from kdworkbook.kern.parameter import Settings, load_settings

STRUKTUR = "fragebogen_limesurvey.txt"
VORLAGE = "fragebogen_vorlage.xlsx"
FORMULAR = "fragebogen_formular.pdf"
ERGEBNIS = "ergebnis.json"


def folder(parameter_file: Path, settings: Settings, ausgabe: Path | None = None) -> Path:
    return ausgabe or Path(parameter_file).resolve().parent / settings.slug / "buergerbefragung"


def _atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same folder, so nothing is ever half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def template_bytes(fb: Fragebogen) -> bytes:
    """The plain xlsx template: the export's header (``id`` + answer codes), a sheet with the
    codes and their meaning."""
    import io

    codes = []
    for f in fb.fragen:
        for column in [f"{f.code}[{s}]" for s in f.unterfragen] or [f.code]:
            sub = column.partition("[")[2].rstrip("]")
            codes.append(
                {
                    "Spalte": column,
                    "Frage": f.text,
                    "Leistung": f.unterfragen.get(sub, ""),
                    "Antwortcodes": "; ".join(f"{k} = {v}" for k, v in f.antworten.items())
                    or "freier Text",
                }
            )
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        pd.DataFrame(columns=["id", *fb.spalten()]).to_excel(
            writer, sheet_name="Antworten", index=False
        )
        pd.DataFrame(codes).to_excel(writer, sheet_name="Codes", index=False)
    return buffer.getvalue()


def form_pdf(fb: Fragebogen, gemeinde: str) -> bytes:
    """The A4 form, printed by the same headless Chromium as the report."""
    from kdworkbook.bericht.browser import PdfPrinter, ReportError, find_browser

    margin = {"top": "15mm", "bottom": "18mm", "left": "15mm", "right": "15mm"}
    with tempfile.TemporaryDirectory(prefix="kd-formular-") as tmp:
        page = Path(tmp) / "formular.html"
        page.write_text(formular.form_html(fb, gemeinde), encoding="utf-8")
        try:
            with PdfPrinter(find_browser(), margin) as printer:
                return printer.print(page)  # no footer: its 7,5 pt would undercut the 9 pt minimum
        except ReportError as exc:
            raise InputError(f"Formular (PDF): {exc}") from None


def generate(parameter_file: Path, ausgabe: Path | None = None) -> list[Path]:
    """``kdworkbook buergerbefragung``: LimeSurvey import file, xlsx template, A4 form (PDF).

    All three are made in memory first, so a failing print leaves no file behind."""
    from kdworkbook.bestand.laden import load_bestand

    ba = load_bestand(parameter_file)
    s = ba.settings.buergerbefragung
    fb = fragebogen.build(fragebogen.select_services(ba.data, s), s, ba.settings.gemeinde)
    target = folder(parameter_file, ba.settings, ausgabe)
    files = {
        target / STRUKTUR: limesurvey.write_structure(fb).encode("utf-8"),
        target / VORLAGE: template_bytes(fb),
        target / FORMULAR: form_pdf(fb, ba.settings.gemeinde),
    }
    for path, data in files.items():
        _atomic(path, data)
    return list(files)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def population(settings: Settings) -> int | None:
    """Einwohner from the parameter file, else from the shipped NRW register (by AGS)."""
    if settings.einwohner:
        return settings.einwohner
    found = referenz.gemeinde(settings.ags) if settings.ags else None
    return getattr(found, "einwohner", None) if found else None


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
        for row in table.to_dict("records")
    ]


def aggregate(
    responses: pd.DataFrame, fb: Fragebogen, settings: Settings, quellen: list[dict[str, str]]
) -> dict[str, Any]:
    """The stored result: counts and shares only – no single response."""
    s = settings.buergerbefragung
    n = len(responses)
    satisfied = responses[ZUFRIEDEN].value_counts()
    result: dict[str, Any] = {
        "gemeinde": settings.gemeinde,
        "quellen": quellen,
        "antworten": n,
        "einwohner": population(settings),
        "fehlerspanne": auswertung.margin_of_error(n, population(settings)),
        "mindestgruppe": s.mindestgruppe,
        "nachfrage": _records(
            auswertung.demand(responses, fb, s.gewicht_nicht_genutzt, s.mindestgruppe)
        ),
        "kanal_nach_alter": _records(auswertung.channel_by_age(responses, fb, s.mindestgruppe)),
        "zufriedenheit": {
            label: int(satisfied.get(code, 0))
            for code, label in fb.frage(ZUFRIEDEN).antworten.items()
        },
    }
    if s.freitext_zeigen:
        result["hinweise"] = sorted(responses[HINWEIS].dropna().tolist())
    if isinstance(result["fehlerspanne"], float) and math.isnan(result["fehlerspanne"]):
        result["fehlerspanne"] = None
    return result


def import_responses(
    parameter_file: Path, paths: list[Path], ausgabe: Path | None = None
) -> tuple[dict[str, Any], Path]:
    """``kdworkbook buergerbefragung-einlesen``: validate, aggregate, store ``ergebnis.json``."""
    settings = load_settings(parameter_file)
    target = folder(parameter_file, settings, ausgabe)
    structure = target / STRUKTUR
    if not structure.is_file():
        raise InputError(
            f"{structure}: Fragebogen nicht gefunden – zuerst „kdworkbook buergerbefragung "
            f"{parameter_file}“ ausführen."
        )
    missing = [p for p in paths if not Path(p).is_file()]
    if missing:
        raise InputError([f"{p}: Antwortdatei nicht gefunden" for p in missing])
    fb = limesurvey.read_structure(structure.read_text("utf-8"), str(structure))
    responses = antworten.read_responses([Path(p) for p in paths], fb)
    quellen = [{"datei": Path(p).name, "sha256": sha256(Path(p))} for p in paths]
    result = aggregate(responses, fb, settings, quellen)
    path = target / ERGEBNIS
    _atomic(path, json.dumps(result, ensure_ascii=False, indent=1).encode("utf-8"))
    return result, path


def load_result(path: Path) -> dict[str, Any]:
    try:
        return json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: Ergebnis der Bürgerbefragung nicht lesbar ({exc})") from None


def demand_table(settings: Settings) -> pd.DataFrame | None:
    """The stored demand per service, or None when the parameter file names no result."""
    path = settings.buergerbefragung.ergebnis
    if path is None:
        return None
    table = pd.DataFrame(load_result(path)["nachfrage"])
    table["nachfrage"] = table["nachfrage"].astype(float)
    return table


def with_demand(settings: Settings, processes: pd.DataFrame) -> pd.DataFrame:
    """*processes* with ``buergernachfrage`` from the survey and the parameter file."""
    s = settings.buergerbefragung
    if s.ergebnis is None and not s.nachfrage:
        return processes
    return auswertung.apply_demand(processes, demand_table(settings), s.nachfrage)
