"""A commented template parameter file for a new municipality (``kdworkbook new``)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from kdworkbook import defaults
from kdworkbook.errors import InputError
from kdworkbook.formatierung import INVISIBLE
from kdworkbook.parameter import slugify

_AGS = re.compile(r"^05\d{6}$")


def template(gemeinde: str, ags: str | None = None, stichtag: dt.date | None = None) -> str:
    """The text of a parameter file; defaults are taken from :mod:`kdworkbook.defaults`."""
    if ags is not None and not _AGS.match(ags):
        raise InputError(
            f"--ags: „{ags}“ ist keine AGS einer NRW-Gemeinde – erwartet: 8 Ziffern, "
            "beginnend mit 05, z. B. 05315000."
        )
    if any(c in gemeinde for c in "\r\n\x85\u2028\u2029") or INVISIBLE.search(gemeinde):
        raise InputError(
            f"gemeinde: „{INVISIBLE.sub('�', ' ⏎ '.join(gemeinde.splitlines()))}“ enthält einen "
            "Zeilenumbruch oder ein Steuerzeichen – der Name der Kommune steht in einer Zeile."
        )
    slug = slugify(gemeinde)
    stichtag = stichtag or dt.date.today()
    rates = "\n".join(f"  {k}: {v:.2f}" for k, v in defaults.STUNDENSAETZE_EUR.items())
    stufen = "\n".join(f"  {k}: {v}" for k, v in defaults.STUFEN_LAUFBAHNGRUPPE.items())
    ags_line = f'ags: "{ags}"' if ags else '# ags: "05xxxxxx"        # Amtlicher Gemeindeschlüssel'
    return f"""\
# Parameterdatei für {gemeinde}
# Erzeugt mit „kdworkbook new“ am {stichtag:%d.%m.%Y}. Prüfen mit:
#   kdworkbook check parameters/{slug}.yaml
# Pflicht sind nur „gemeinde“ und „bestand“; alles andere hat einen dokumentierten
# Standardwert (kdworkbook/defaults.py) und kann hier überschrieben werden.

gemeinde: {json.dumps(gemeinde, ensure_ascii=False)}
{ags_line}
# plz: "12345"
# einwohner: 25000
stichtag: {stichtag.isoformat()}   # Datum des Berichts (JJJJ-MM-TT oder TT.MM.JJJJ)

# Bestandserhebung: eine oder mehrere .xlsx/.csv-Dateien, relativ zu dieser Datei.
# Dateien ohne Spalte „Fachamt“ bekommen das angegebene Fachamt.
bestand:
  - datei: {slug}/bestand.xlsx
    # fachamt: Bürgerbüro

# Stundensätze in €/h je Laufbahngruppe.
# Quelle: {defaults.LOHNKOSTEN_QUELLE}.
stundensaetze:
{rates}

# „Bearbeitende Stelle nach Stufe“ → Laufbahngruppe (Annahme; mit der Kommune abstimmen).
stufen:
{stufen}

# Jahresarbeitsstunden je Vollzeitäquivalent: 200 Arbeitstage × 8 h (Standardkostenmodell).
jahresarbeitsstunden: {defaults.JAHRESARBEITSSTUNDEN:g}

# Anteil der Jahresstunden für die Pareto-Auswertung.
pareto_anteil: {defaults.PARETO_ANTEIL:g}

# Ab diesen Werten weist die Datenqualitätsprüfung auf auffällige Angaben hin.
plausibel_max_minuten: {defaults.PLAUSIBEL_MAX_MINUTEN:g}
plausibel_max_vorgaenge: {defaults.PLAUSIBEL_MAX_VORGAENGE}

# --- Weitere Schritte: alle Angaben optional; ein vollständiges, kommentiertes Beispiel
# --- steht in parameters/musterstadt.yaml.

# Rahmenbedingungen: Stand der gesetzlichen Pflichten, LeiKa-Katalog, Geeignetheit, Reife.
# rahmen:
#   pflichten:
#     "EGovG NRW § 3": erfüllt        # erfüllt, teilweise, offen, nicht zutreffend, unbekannt
#   leika_katalog: pfad/zum/leika_katalog.csv
#   ozg_katalog: pfad/zu/ozg_leistungen.csv
#   wirtschaftlich_min_vorgaenge: 2
#   reife:
#     kompetenzen: {{prozesssteuerung: 3, mitarbeiterfuehrung: 3,
#                   informationsmanagement: 3, akteursmanagement: 3}}

# Maßnahmenentwicklung: Gewichte der Priorisierung, Zeitkontingent, Verantwortung.
# massnahmen:
#   start: {stichtag.year + 1}-01-01
#   zeitkontingent_personentage: 60     # Personentage je Quartal
#   lenkungsgremium: Lenkungsgruppe Digitalisierung

# Musterprozess: IST und SOLL als YAML oder BPMN, Zeile der Bestandserhebung.
# musterprozess:
#   ist: {slug}/hundesteuer_ist.yaml
#   soll: {slug}/hundesteuer_soll.bpmn
#   prozess: Hundehaltung Anmeldung

# Umfrage bei den Fachämtern (kdworkbook umfrage): braucht rahmen → leika_katalog.
# umfrage:
#   fachaemter: [Bürgerbüro, Standesamt, Ordnungsamt, Steueramt]
#   rueckgabe_bis: 31.01.{stichtag.year + 1}
#   ansprechpartner: {{name: …, email: …}}
"""


def write_template(
    target: Path, gemeinde: str, ags: str | None = None, overwrite: bool = False
) -> Path:
    """Write the template to *target*; an existing file is kept unless *overwrite*."""
    text = template(gemeinde, ags)
    if target.exists() and not overwrite:
        raise InputError(
            f"{target}: Datei existiert bereits – nichts überschrieben "
            "(mit --ueberschreiben ersetzen)."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target
