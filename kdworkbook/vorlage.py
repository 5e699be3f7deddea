"""A commented template parameter file for a new municipality (``kdworkbook new``)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from kdworkbook.kern import defaults, referenz
from kdworkbook.kern.errors import InputError
from kdworkbook.kern.formatierung import INVISIBLE
from kdworkbook.kern.parameter import slugify

_AGS = re.compile(r"^05\d{6}$")


def _liste(found: list[referenz.Gemeinde]) -> str:
    return "; ".join(f"{g.name} ({g.ags}, {g.kreis})" for g in found)


def lookup(gemeinde: str | None, ags: str | None) -> tuple[str, referenz.Gemeinde | None]:
    """Name to use and the register entry of *ags* (Gemeindeverzeichnis NRW).

    An AGS that is not in the register is refused, naming the nearest municipalities; without
    a name the register's („Stadt Münster“) is used.
    """
    if ags is None:
        if not gemeinde or not gemeinde.strip():
            raise InputError(
                "Bitte den Namen der Kommune oder --ags angeben, z. B. "
                "kdworkbook new --ags 05515000 (AGS suchen: kdworkbook new --gemeinde-suchen Müns)."
            )
        return gemeinde, None
    ags = ags.strip()
    if not _AGS.match(ags):
        raise InputError(
            f"--ags: „{ags}“ ist keine AGS einer NRW-Gemeinde – erwartet: 8 Ziffern, "
            "beginnend mit 05, z. B. 05315000."
        )
    entry = referenz.gemeinde(ags)
    if entry is None:
        raise InputError(
            f"--ags: {ags} steht nicht im Gemeindeverzeichnis NRW (Destatis, Stand "
            f"{referenz.GEMEINDEN_STAND}). Am nächsten liegen: "
            f"{_liste(referenz.naechste(ags, gemeinde))}. "
            "Suchen: kdworkbook new --gemeinde-suchen <Namensteil>."
        )
    return (gemeinde or entry.anzeigename), entry


def template(
    gemeinde: str | None,
    ags: str | None = None,
    stichtag: dt.date | None = None,
) -> str:
    """The text of a parameter file; defaults are taken from :mod:`kdworkbook.kern.defaults`,
    Gemeinde, Kreis, PLZ and Einwohner from the register when an AGS is given."""
    gemeinde, entry = lookup(gemeinde, ags)
    if any(c in gemeinde for c in "\r\n\x85\u2028\u2029") or INVISIBLE.search(gemeinde):
        raise InputError(
            f"gemeinde: „{INVISIBLE.sub('�', ' ⏎ '.join(gemeinde.splitlines()))}“ enthält einen "
            "Zeilenumbruch oder ein Steuerzeichen – der Name der Kommune steht in einer Zeile."
        )
    slug = slugify(gemeinde)
    stichtag = stichtag or dt.date.today()
    rates = "\n".join(f"  {k}: {v:.2f}" for k, v in defaults.STUNDENSAETZE_EUR.items())
    stufen = "\n".join(f"  {k}: {v}" for k, v in defaults.STUFEN_LAUFBAHNGRUPPE.items())
    if entry is None:
        ort = (
            '# ags: "05xxxxxx"        # Amtlicher Gemeindeschlüssel (kdworkbook new --ags füllt\n'
            "#                         # Kreis, PLZ und Einwohner aus dem Gemeindeverzeichnis)\n"
            '# kreis: "…"\n# plz: "12345"\n# einwohner: 25000'
        )
    else:
        ort = (
            f"# Aus dem Gemeindeverzeichnis NRW (Destatis, Stand {referenz.GEMEINDEN_STAND}): "
            f"{entry.name}\n"
            f'ags: "{entry.ags}"\nkreis: {json.dumps(entry.kreis, ensure_ascii=False)}\n'
            f'plz: "{entry.plz}"        # Verwaltungssitz\n'
            f"einwohner: {entry.einwohner}   # am {referenz.GEMEINDEN_STAND}"
        )
    return f"""\
# Parameterdatei für {gemeinde}
# Erzeugt mit „kdworkbook new“ am {stichtag:%d.%m.%Y}. Prüfen mit:
#   kdworkbook check parameters/{slug}.yaml
# Pflicht sind nur „gemeinde“ und „bestand“; alles andere hat einen dokumentierten
# Standardwert (kdworkbook/kern/defaults.py) und kann hier überschrieben werden.

gemeinde: {json.dumps(gemeinde, ensure_ascii=False)}
{ort}
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
#   geaendert_seit: 2019-11-28       # Stichtag des vorigen Berichts: Kasten „Geändert seit …“
#   # LeiKa-/OZG-Katalog: ohne Angabe die mitgelieferten (Stand {referenz.KATALOG_STAND});
#   # eine neuere amtliche Fassung (LeiKa-Export) relativ zu dieser Datei:
#   leika_katalog: kataloge/leika_export.csv
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

# Umfrage bei den Fachämtern (kdworkbook umfrage): Leistungen aus dem LeiKa-Katalog.
# umfrage:
#   fachaemter: [Bürgerbüro, Standesamt, Ordnungsamt, Steueramt]
#   rueckgabe_bis: 31.01.{stichtag.year + 1}
#   ansprechpartner: {{name: …, email: …}}

# Corporate Design für PDF, Diagramme, praesentation.pptx, bericht.docx und Excel-Köpfe;
# ohne diesen Abschnitt die schlichte Standardgestaltung. datei: Gestaltungsdatei der Agentur.
# gestaltung:
#   datei: agentur_gestaltung.yaml
#   primaerfarbe: "#1f4e79"
#   schrift: Liberation Sans
#   fusszeile: Kommunal Agentur NRW
"""


def write_template(
    target: Path | None, gemeinde: str | None, ags: str | None = None, overwrite: bool = False
) -> Path:
    """Write the template to *target* (default ``parameters/<slug>.yaml``); an existing file
    is kept unless *overwrite*."""
    name, _ = lookup(gemeinde, ags)
    target = target or Path("parameters") / f"{slugify(name)}.yaml"
    text = template(name, ags)
    if target.exists() and not overwrite:
        raise InputError(
            f"{target}: Datei existiert bereits – nichts überschrieben "
            "(mit --ueberschreiben ersetzen)."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target
