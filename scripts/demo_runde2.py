"""Generate the second round of the demo town „Stadt Musterstadt“, six months after the report.

What this script writes (next to ``parameters/musterstadt.yaml``):

``musterstadt-2027/bestand_*.{xlsx,csv}``
    The round-2 survey: the round-1 files, except that the Personalausweis (erstmalig,
    LeiKa 99008001012001), whose Online-Antrag and E-Payment are umgesetzt, now takes 90
    instead of 120 minutes per case.
``musterstadt-2027/umsetzungsstand_2027-05-20.xlsx``
    The Umsetzungsstand workbook of the round-1 plan as the Digitalmanager filled it: two
    measures umgesetzt, two begonnen, one zurückgestellt, one verworfen, the rest geplant.
``stadt-musterstadt/steuerung/stand_2027-05-20.json``
    That workbook recorded as the Stand of 20.05.2027 (as ``kdworkbook steuerung-einlesen
    parameters/musterstadt.yaml … --datum 20.05.2027`` does). Both demo rounds share this
    folder; the round-1 report (Stichtag 28.11.2026) does not use it, the round-2 report does.
``musterstadt-2027.yaml``
    The round-1 parameter file with Stichtag 28.05.2027, the round-2 survey as ``bestand``,
    the round-1 survey as ``vorherige_erhebung``, and „OZG § 1a Abs. 1“ moved from offen to
    teilweise (the Personalausweis can be applied for online).

Usage: ``.venv/bin/python scripts/demo_runde2.py`` – then ``make demo-runde2`` runs both
rounds; the round-2 report has the chapter Fortschreibung.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path

from openpyxl import load_workbook

from kdworkbook.steuerung import arbeitsmappe as mappe
from kdworkbook.steuerung import stand

PARAMETERS = Path(__file__).resolve().parents[1] / "parameters"
DAY = dt.date(2027, 5, 20)
#: LeiKa key → minutes per case in round 2
FASTER = {"99008001012001": 90}
#: Maßnahmen-Id → (Status, Beginn, Ende, Einmalkosten €, Bemerkung)
ANSWERS = {
    "P-99008001012001/online_antrag": (
        "umgesetzt",
        dt.datetime(2027, 1, 11),
        dt.datetime(2027, 4, 20),
        3100,
        "Anbindung an das Servicekonto dauerte länger",
    ),
    "P-99008001012001/e_payment": (
        "umgesetzt",
        dt.datetime(2027, 1, 11),
        dt.datetime(2027, 3, 15),
        1000,
        None,
    ),
    "P-99008001012001/schnittstelle": ("begonnen", dt.datetime(2027, 3, 1), None, None, None),
    "P-99102012002002/online_antrag": ("begonnen", dt.datetime(2027, 4, 1), None, None, None),
    "P-99102012002002/schnittstelle": ("zurückgestellt", None, None, None, "Fachverfahren"),
    "P-99008001012001/e_akte": ("verworfen", None, None, None, "E-Akte kommt landesweit"),
}


def survey(target: Path) -> None:
    """Round-1 files copied, minutes of the digitised processes lowered."""
    source = PARAMETERS / "musterstadt"
    target.mkdir(exist_ok=True)
    for name in ("bestand_buergerbuero.xlsx", "bestand_fachaemter.xlsx", "bestand_standesamt.csv"):
        shutil.copy2(source / name, target / name)
    path = target / "bestand_buergerbuero.xlsx"
    book = load_workbook(path)
    sheet = book["Bestandserhebung"]
    header = [c.value for c in sheet[1]]
    key, minutes = header.index("LeiKa-Schlüssel"), header.index("Zeitlicher Aufwand in Minuten")
    for row in sheet.iter_rows(min_row=2):
        if row[key].value in FASTER:
            row[minutes].value = FASTER[row[key].value]
    book.save(path)


def status_workbook(target: Path) -> Path:
    """The round-1 plan's workbook, answered as in :data:`ANSWERS`, every other row geplant."""
    path = target / f"umsetzungsstand_{DAY.isoformat()}.xlsx"
    path.unlink(missing_ok=True)
    stand.generate(PARAMETERS / "musterstadt.yaml", target, today=DAY)
    book = load_workbook(path)
    sheet = book[mappe.STATUS_SHEET]
    col = {h: i for i, h in enumerate(mappe.HEADERS)}
    for row in sheet.iter_rows(min_row=2):
        answer = ANSWERS.get(row[col["id"]].value, ("geplant", None, None, None, None))
        keys = ("status", "beginn_ist", "ende_ist", "einmalkosten_ist", "bemerkung")
        for name, value in zip(keys, answer, strict=True):
            row[col[name]].value = value
    book.save(path)
    return path


#: the duty whose status moved since the round-1 report: (old lines, new lines)
DUTY = (
    """    "OZG § 1a Abs. 1":
      status: offen
      notiz: erst rund jeder zehnte Prozess mit Reifegrad 3 oder 4 (OZG-konform)
""",
    """    "OZG § 1a Abs. 1":
      status: teilweise
      notiz: Personalausweis online beantragbar, weitere Leistungen folgen
""",
)


def record_status(workbook: Path) -> Path:
    """The filled workbook recorded as the Stand of :data:`DAY` (an earlier demo Stand of
    that day is replaced: this script makes the demo, it is no Digitalmanager)."""
    folder = stand.home(PARAMETERS / "musterstadt.yaml", "stadt-musterstadt")
    for old in folder.glob(f"stand_{DAY.isoformat()}*.json"):
        old.unlink()
    return stand.import_status(PARAMETERS / "musterstadt.yaml", workbook, today=DAY)


def parameter_file() -> Path:
    text = (PARAMETERS / "musterstadt.yaml").read_text(encoding="utf-8")
    text = text.replace("stichtag: 2026-11-28", "stichtag: 2027-05-28", 1)
    assert DUTY[0] in text
    text = text.replace(DUTY[0], DUTY[1], 1)
    text = text.replace("  - datei: musterstadt/bestand_", "  - datei: musterstadt-2027/bestand_")
    text = text.replace(
        "  - musterstadt/bestand_fachaemter", "  - musterstadt-2027/bestand_fachaemter"
    )
    text = text.replace(
        "# Parameterdatei der Demo-Kommune",
        "# Zweite Runde (sechs Monate nach dem Bericht) der Demo-Kommune",
        1,
    )
    text += (
        "\n# Erhebung der vorigen Runde: für die Fortschreibung (Runde gegen Runde).\n"
        "vorherige_erhebung:\n"
        "  - datei: musterstadt/bestand_buergerbuero.xlsx\n    fachamt: Bürgerbüro\n"
        "  - datei: musterstadt/bestand_standesamt.csv\n    fachamt: Standesamt\n"
        "  - musterstadt/bestand_fachaemter.xlsx\n"
    )
    path = PARAMETERS / "musterstadt-2027.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def main() -> int:
    target = PARAMETERS / "musterstadt-2027"
    survey(target)
    workbook = status_workbook(target)
    print(workbook)
    print(record_status(workbook))
    print(parameter_file())
    return 0


if __name__ == "__main__":
    sys.exit(main())
