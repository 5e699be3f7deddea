"""``kdworkbook uebersicht``: the Agentur's overview of its clients as HTML, Excel and PDF.

Reads each parameter file's settings (name, slug) and the latest complete run under
``<ausgabe>/<slug>/latest`` – no survey is loaded, so hundreds of clients take seconds.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd

from kdworkbook.kern.errors import InputError
from kdworkbook.kern.parameter import load_settings
from kdworkbook.vergleich import ablage, auszug, grafiken, seite, uebersicht

HTML_DATEI, XLSX_DATEI, PDF_DATEI = "uebersicht.html", "uebersicht.xlsx", "uebersicht.pdf"
#: Default folder of the overview inside the output folder („_“: never a municipality's slug).
ZIEL = "_uebersicht"


def _json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: nicht lesbar ({exc}).") from None


def latest_run(slug_dir: Path) -> uebersicht.Lauf | None:
    """The latest complete run of a client (``latest`` link), or None."""
    run = slug_dir / ablage.LATEST
    if not (run / "lauf.json").is_file():
        return None
    record = _json(run / "lauf.json")
    try:
        started = dt.datetime.fromisoformat(record["start"])
    except (KeyError, TypeError, ValueError):
        raise InputError(
            f"{run / 'lauf.json'}: Schlüssel „start“ fehlt oder ist kein Datum."
        ) from None
    extract = run / ablage.DATEI
    return uebersicht.Lauf(
        gestartet=started,
        ergebnisse=_json(run / "ergebnisse.json") if (run / "ergebnisse.json").is_file() else {},
        vergleich=ablage.read(extract) if extract.is_file() else None,
    )


def rows(parameter_files: list[Path], output_root: Path, heute: dt.date) -> list[dict]:
    """One row per parameter file, in the given order."""
    result = []
    for path in parameter_files:
        settings = load_settings(path, survey_must_exist=False)
        lauf = latest_run(output_root / settings.slug)
        result.append(uebersicht.row(settings.gemeinde, lauf, heute))
    return result


def erstellen(
    parameter_files: list[Path],
    output_root: Path,
    ziel: Path,
    heute: dt.date | None = None,
    browser: str | None = None,
    pdf: bool = True,
) -> list[Path]:
    """Write the overview (HTML, xlsx, and with *pdf* the PDF) into *ziel*."""
    from kdworkbook.bericht import excel
    from kdworkbook.bericht.browser import find_browser

    if not parameter_files:
        raise InputError("Bitte mindestens eine Parameterdatei angeben.")
    heute = heute or dt.date.today()
    table = rows(parameter_files, output_root, heute)
    ziel.mkdir(parents=True, exist_ok=True)
    html_file = ziel / HTML_DATEI
    chart = grafiken.groessenklassen(table, [label for _, label in auszug.GROESSENKLASSEN])
    html_file.write_text(
        seite.render(table, uebersicht.SPALTEN, heute, grafiken.svg(chart)), encoding="utf-8"
    )
    frame = pd.DataFrame(table, columns=list(uebersicht.SPALTEN))
    written = [
        html_file,
        excel.write_workbook(ziel / XLSX_DATEI, {"Übersicht": (frame, uebersicht.SPALTEN)}),
    ]
    if pdf:
        from kdworkbook.bericht.browser import PdfPrinter

        margin = {side: "12mm" for side in ("top", "right", "bottom", "left")}
        with PdfPrinter(find_browser(browser), margin) as printer:
            (ziel / PDF_DATEI).write_bytes(printer.print(html_file, "Übersicht der Kommunen"))
        written.append(ziel / PDF_DATEI)
    return written
