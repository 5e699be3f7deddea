"""Generate the Bestandserhebung (survey) of the fictional demo town "Stadt Musterstadt".

Stadt Musterstadt is a made-up mittlere kreisangehörige Stadt in NRW with about 25,000
inhabitants (so it is its own Bauaufsichtsbehörde and runs its own Jugendamt, but has no
hospital: few births are registered locally). The survey figures below are invented, but
chosen to be plausible for a town of that size.

What this script writes (into ``parameters/musterstadt/`` by default):

``bestand_buergerbuero.xlsx``
    Sheet ``Bestandserhebung``; no ``Fachamt`` column (the parameter file assigns the
    Fachamt "Bürgerbüro"). It starts with the 16 Personalausweis rows of the
    KommunalDigital deck exactly as printed there.
``bestand_standesamt.csv``
    The Standesamt's survey as Excel saves a CSV in a German locale: ``;`` as separator,
    Windows-1252, CRLF, decimal comma, thousands dot, and one header with a line break
    inside quotes. No ``Fachamt`` column either.
``bestand_fachaemter.xlsx``
    Sheet ``Bestandserhebung`` with an additional first column ``Fachamt``.

The process table is hand-written below as Python data: LeiKa key, Vorgänge pro Jahr,
Minuten, Stufe, Beteiligte Stellen, Rechtliche Besonderheiten. The official names
(``Bezeichnung``), the Leistungsobjekt (``Leistung``) and the ``Verrichtung`` are looked
up in the LeiKa catalogue at generation time. The catalogue is the one shipped in the package
(``kdworkbook/data/referenz/leika_leistungen_kdn2019.csv``), or the one in the folder given
with ``--reference``.

Two rows are deliberately odd, so that a data-quality check has something to WARN about
(they are not errors):

* Umweltamt "Wilder Müll Entsorgung": 0 minutes (the service exists, nobody timed it).
* Umweltamt "Hochwasserschäden Erfassung": 0 Vorgänge pro Jahr (no flood in the survey year).

Notes on the choice of services (catalogue state 2019):

* The catalogue has no "Geburt Beurkundung" and no "Meldebescheinigung"; the survey uses
  "Geburtsurkunde Ausstellung" / "Geburt im Ausland Beurkundung" and
  "amtliche Meldebestätigung Ausstellung" instead.
* Hundesteuer has only "Festsetzung" and "Befreiung" keys; the tax registration of a dog is
  surveyed in the Steueramt as "Hundehaltung Anmeldung" / "Hundehaltung Abmeldung".
* Kirchenaustritt is left out: in NRW it is declared at the Amtsgericht, not the Standesamt.
* Gewerbe (Gewerbeamt) is part of the Ordnungsamt, as usual in towns of this size.

Running the script twice gives byte-identical files (fixed document properties and zip
timestamps).

Usage::

    .venv/bin/python scripts/demo_bestand.py [--reference DIR] [--output DIR]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import re
import sys
import zipfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from kdworkbook.bestand.schema import DECK_COLUMNS, HEADERS
from kdworkbook.kern import csvtext, referenz

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_REFERENCE = referenz.leika_katalog().parent
DEFAULT_OUTPUT = REPO_ROOT / "parameters" / "musterstadt"
CATALOGUE_FILE = "leika_leistungen_kdn2019.csv"

SHEET_NAME = "Bestandserhebung"
FILE_BUERGERBUERO = "bestand_buergerbuero.xlsx"
FILE_STANDESAMT = "bestand_standesamt.csv"
FILE_FACHAEMTER = "bestand_fachaemter.xlsx"

# Column headers, verbatim from the deck (plus the LeiKa key and the optional columns of the
# Rahmenbedingungen step; an empty cell = not given).
COLUMNS = [HEADERS[c] for c in (*DECK_COLUMNS, "leika_schluessel", "reifegrad", "nicht_geeignet")]
COL_FACHAMT = "Fachamt"
# In the CSV this header carries a line break, as when someone pressed Alt+Enter in Excel.
CSV_HEADER_OVERRIDES = {"Zeitlicher Aufwand in Minuten": "Zeitlicher Aufwand\nin Minuten"}

# Fixed timestamp for document properties and zip entries (reproducible output).
FIXED_TIMESTAMP = dt.datetime(2025, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Process:
    """One surveyed process as typed in by the Fachamt (before the catalogue lookup).

    ``key``      14-digit LeiKa key: 99 + Gruppierung(3) + Kennung(3) + Verrichtung(3)
                 + Verrichtungsdetail(3)
    ``cases``    Vorgänge pro Jahr
    ``minutes``  Zeitlicher Aufwand in Minuten per Vorgang (decimals allowed)
    ``grade``    Bearbeitende Stelle nach Stufe, 1-8 (1-3 einfacher/mittlerer Dienst,
                 4-6 gehobener Dienst, 7-8 höherer Dienst)
    ``units``    Beteiligte Stellen, 1-8
    ``legal``    Rechtliche Besonderheiten vorhanden, 0/1
    """

    key: str
    cases: int
    minutes: float
    grade: int
    units: int
    legal: int


def P(key: str, cases: int, minutes: float, grade: int, units: int, legal: int) -> Process:
    """Short constructor so that the tables below stay readable."""
    return Process(key, cases, minutes, grade, units, legal)


# --------------------------------------------------------------------------------------
# Bürgerbüro
# --------------------------------------------------------------------------------------
# The first 16 rows are the Personalausweis sample of the KommunalDigital deck, numbers
# verbatim (including the deck's odd Stufe values). Do not change them: they are a test case.
BUERGERBUERO: list[Process] = [
    P("99008001012001", 300, 120, 1, 1, 0),  # Personalausweis Ausstellung erstmalig
    P("99008001012002", 70, 50, 2, 2, 1),  # ... vorläufig
    P("99008001012003", 40, 130, 4, 3, 0),  # ... neu wegen Verlust
    P("99008001012004", 200, 14, 2, 1, 1),  # ... neu wegen Ablauf der Gültigkeit
    P("99008001012005", 53, 12, 1, 8, 0),  # ... neu wegen Diebstahl
    P("99008001012006", 23, 85, 5, 4, 0),  # ... neu wegen Namensänderung bei Heirat
    P("99008001012007", 20, 76, 3, 7, 0),  # ... neu wegen Namensänderung bei Scheidung
    P("99008001012008", 1, 84, 5, 6, 0),  # ... neu wegen sonstiger Namensänderung
    P("99008001012009", 30, 34, 7, 8, 0),  # ... für unter 16 Jährige
    P("99008001012010", 7, 95, 2, 6, 0),  # ... für Deutsche mit Wohnsitz außerhalb Deutschland
    P("99008001013000", 9, 24, 8, 4, 1),  # Personalausweis Informationserteilung
    P("99008001013001", 4, 69, 5, 7, 1),  # ... zum Personalausweis mit Online-Ausweisfunktion
    P("99008001014000", 6, 58, 2, 8, 1),  # Personalausweis Meldung
    P("99008001014001", 23, 264, 4, 5, 1),  # ... wegen Diebstahl
    P("99008001014002", 10, 685, 5, 2, 1),  # ... wegen Verlust
    P("99008001014003", 4, 246, 3, 8, 1),  # ... wegen Fund
    # Meldewesen
    P("99115005104001", 2000, 15, 2, 1, 0),  # Wohnsitz Anmeldung als Hauptwohnsitz
    P("99115005104002", 180, 15, 2, 1, 0),  # Wohnsitz Anmeldung als Nebenwohnsitz
    P("99115005011000", 1400, 8, 2, 1, 0),  # Wohnsitz Änderung (Ummeldung)
    P("99115005070001", 350, 8, 2, 1, 0),  # Abmeldung der alleinigen Wohnung/Hauptwohnung
    P("99115005070002", 90, 8, 2, 1, 0),  # Abmeldung der Nebenwohnung
    P("99115003012000", 1500, 3, 2, 1, 0),  # amtliche Meldebestätigung Ausstellung
    P("99115004001001", 2600, 2, 2, 1, 0),  # Melderegisterauskunft Erteilung einfach
    P("99115004001002", 120, 15, 3, 1, 1),  # Melderegisterauskunft Erteilung erweitert
    P("99115004001003", 4, 60, 4, 2, 1),  # ... gegenüber Parteien und Wählergruppen
    P("99115004001005", 60, 10, 2, 1, 0),  # Melderegisterauskunft - Erteilung Selbstauskunft
    P("99115004001006", 15, 45, 4, 2, 1),  # Melderegisterauskunft - Erteilung Gruppenauskunft
    P("99115002060001", 25, 40, 4, 2, 1),  # Auskunftssperre eintragen
    P("99115002060002", 80, 5, 2, 1, 0),  # Übermittlungssperre (Parteien u.a.) eintragen
    # Pass- und Ausweiswesen
    P("99085001012011", 250, 25, 2, 2, 0),  # Reisepass Ausstellung erstmalig für Volljährige
    P("99085001012003", 160, 30, 2, 2, 0),  # Reisepass Ausstellung erstmalig für Minderjährige
    P("99085001012004", 900, 15, 2, 2, 0),  # Reisepass neu wegen Ablauf der Gültigkeit
    P("99085001012002", 140, 25, 2, 2, 0),  # Reisepass Ausstellung express
    P("99085001012005", 90, 20, 3, 2, 1),  # Reisepass Ausstellung vorläufig
    P("99085001012010", 40, 25, 2, 2, 0),  # Reisepass neu wegen Namensänderung bei Heirat
    P("99085001040000", 1450, 4, 2, 1, 0),  # Reisepass Ausgabe
    P("99085001014003", 25, 20, 3, 2, 1),  # Reisepass Meldung wegen Verlust
    P("99085003012001", 320, 15, 2, 1, 0),  # Kinderreisepass Ausstellung erstmalig
    P("99085003012002", 150, 20, 2, 1, 0),  # Kinderreisepass Ausstellung Neu
    P("99085003020000", 180, 10, 2, 1, 0),  # Kinderreisepass Verlängerung
    # Sonstige Bürgerdienste
    P("99049001001001", 1100, 6, 2, 2, 0),  # Führungszeugnis Erteilung einfach
    P("99049001001002", 650, 7, 2, 2, 0),  # Führungszeugnis Erteilung erweitert
    P("99014003035000", 900, 4, 2, 1, 0),  # Abschriften Beglaubigung
    P("99014007035000", 220, 8, 3, 1, 1),  # Unterschriften Beglaubigung
    P("99089017089000", 420, 10, 2, 1, 0),  # Fundsachen Verwahrung
    P("99089017152000", 160, 10, 2, 1, 0),  # Fundsachen Herausgabe
    P("99089017220000", 2, 480, 3, 2, 1),  # Fundsachen Versteigerung
    P("99108001001000", 320, 10, 2, 1, 0),  # Bewohnerparkausweis Erteilung
    P("99108001020000", 650, 5, 2, 1, 0),  # Bewohnerparkausweis Verlängerung
    P("99042001012000", 60, 15, 2, 2, 0),  # Fischereischein Ausstellung
    P("99128001120001", 4800, 3, 2, 1, 1),  # Briefwahl Zusendung der Briefwahlunterlagen
]

# --------------------------------------------------------------------------------------
# Standesamt (no hospital in town: hardly any births are registered here)
# --------------------------------------------------------------------------------------
STANDESAMT: list[Process] = [
    P("99027002012000", 1250, 7.5, 3, 1, 0),  # Geburtsurkunde Ausstellung
    P("99027002012001", 4, 90, 5, 2, 1),  # Geburtsurkunde Ausstellung bei Hausgeburten
    P("99027002012002", 45, 10, 3, 1, 0),  # Geburtsurkunde Ausstellung mehrsprachig
    P("99027003026000", 12, 240, 5, 3, 1),  # Geburt im Ausland Beurkundung
    P("99059001104000", 125, 90, 5, 2, 1),  # Eheschließung Anmeldung
    P("99059001110000", 118, 60, 5, 1, 0),  # Eheschließung Vollzug
    P("99059001110002", 18, 180, 5, 3, 1),  # Eheschließung Vollzug mit ausländischem Partner
    P("99059002012000", 15, 60, 5, 2, 1),  # Ehefähigkeitszeugnis Ausstellung
    P("99059002010001", 8, 150, 6, 3, 1),  # Ehefähigkeitszeugnis Befreiung für Ausländer
    P("99059004012000", 420, 7.5, 3, 1, 0),  # Eheurkunde Ausstellung
    P("99101004012000", 650, 12.5, 3, 2, 0),  # Sterbeurkunde Ausstellung
    P("99101006026000", 6, 240, 5, 3, 1),  # Sterbefall im Ausland Beurkundung
    P("99133001026000", 70, 45, 5, 2, 1),  # Erklärung zur Vaterschaftsanerkennung Beurkundung
    P("99083001117001", 30, 30, 4, 1, 1),  # Familienname Festlegung (Namensführung des Kindes)
    P("99083001011002", 15, 30, 4, 1, 1),  # Familienname: nachträglicher Ehename
    P("99083001011005", 25, 30, 4, 1, 1),  # Familienname Wiederannahme des Geburtsnamens
    P("99083001011008", 12, 45, 5, 2, 1),  # Familienname Kind - Einbenennung
]

# --------------------------------------------------------------------------------------
# Fachämter (one file with a Fachamt column)
# --------------------------------------------------------------------------------------
FACHAEMTER: dict[str, list[Process]] = {
    "Ordnungsamt": [
        # Gewerbe
        P("99050012104000", 260, 20, 3, 4, 0),  # Gewerbe Anmeldung
        P("99050012071000", 90, 15, 3, 4, 0),  # Gewerbe Ummeldung
        P("99050012070000", 210, 12, 3, 4, 0),  # Gewerbe Abmeldung
        P("99050012163000", 2, 1200, 6, 5, 1),  # Gewerbe Untersagung
        P("99050023005000", 6, 120, 4, 3, 1),  # Reisegewerbe Erlaubnis
        P("99025002169001", 15, 90, 4, 3, 1),  # Gaststättengewerbe Anzeige dauerhaft
        P("99025002056000", 60, 45, 3, 2, 0),  # Gaststättengewerbe Gestattung
        P("99025004057000", 20, 40, 4, 2, 0),  # Sperrzeit Verkürzung
        P("99050028005000", 1, 600, 5, 4, 1),  # Spielhallen Erlaubnis
        P("99050032002000", 12, 120, 4, 3, 1),  # Veranstaltung Festsetzung (Märkte)
        P("99050105001000", 25, 30, 3, 2, 0),  # Feilbieten aus besonderem Anlass
        # Straßenverkehr und Sondernutzung
        P("99108012005001", 180, 45, 3, 3, 0),  # Sondernutzung innerhalb der Ortschaft
        P("99108012005005", 90, 15, 2, 1, 0),  # Sondernutzung: Anbringen von Plakaten
        P("99108011153000", 220, 20, 2, 2, 0),  # Halteverbotszone für Umzug
        P("99108013005000", 140, 45, 4, 3, 1),  # Verkehrsraumeinschränkung Erlaubnis
        P("99108009012000", 110, 20, 3, 2, 1),  # Parkausweis für Schwerbehinderte
        P("99108003001001", 40, 25, 3, 1, 0),  # Ausnahmegenehmigung Parken für Betriebe
        P("99108031002000", 6000, 6, 2, 1, 1),  # Bußgelder im Straßenverkehr Festsetzung
        P("99089072017000", 60, 15, 3, 2, 0),  # Zahlungserleichterungen bei OWi
        P("99089070109000", 40, 20, 3, 1, 1),  # Akten im Bußgeldverfahren Einsicht
        # Allgemeine Gefahrenabwehr
        P("99089003034004", 85, 30, 3, 2, 0),  # Anzeige wegen Lärmbelästigung
        P("99089023150001", 45, 40, 3, 3, 0),  # Haustiere: Unterbringung im Tierheim
        P("99110009014001", 90, 20, 3, 1, 1),  # Hundehaltung Meldung von Halterdaten
        P("99110009029002", 70, 20, 3, 1, 1),  # Hundehaltung Prüfung Sachkunde
        P("99110009104001", 4, 180, 5, 3, 1),  # Hundehaltung Anmeldung Kampfhund
        P("99089001005000", 35, 120, 4, 5, 1),  # Veranstaltung Erlaubnis
        P("99101002058005", 12, 480, 4, 4, 1),  # Bestattung Durchführung Zwangsbestattung
    ],
    "Steueramt": [
        P("99102012002002", 9000, 3, 2, 1, 0),  # Grundsteuer Festsetzung für Grundvermögen
        P("99102012002001", 350, 4, 2, 1, 0),  # Grundsteuer Festsetzung für LuF-Vermögen
        P("99102010002000", 1900, 15, 4, 2, 1),  # Gewerbesteuer Festsetzung
        P("99110009104000", 420, 10, 2, 1, 0),  # Hundehaltung Anmeldung
        P("99110009070000", 360, 8, 2, 1, 0),  # Hundehaltung Abmeldung
        P("99102013002000", 450, 10, 2, 1, 0),  # Hundesteuer Festsetzung
        P("99102013010000", 35, 25, 3, 2, 1),  # Hundesteuer Befreiung
        P("99102034002000", 48, 30, 4, 1, 1),  # Vergnügungsteuer Festsetzung
        P("99102017002000", 120, 20, 3, 2, 0),  # Zweitwohnungssteuer Festsetzung
        P("99001001002000", 1100, 4, 2, 1, 0),  # Abfallgebühr Festsetzung
        P("99102037012000", 40, 15, 3, 1, 0),  # Bescheinigung in Steuersachen Ausstellung
    ],
    "Kämmerei": [
        P("99102033119000", 70, 30, 4, 2, 1),  # Steueransprüche Stundung
        P("99046054058000", 1400, 25, 3, 2, 1),  # Zwangsvollstreckung Durchführung
        P("99046054258000", 60, 20, 3, 1, 1),  # Zwangsvollstreckung einstweilige Einstellung
        P("99046054259000", 90, 15, 3, 1, 0),  # Zwangsvollstreckung Aufschub
        P("99046054044000", 150, 10, 3, 1, 0),  # Zwangsvollstreckung Aufhebung
        P("99012038234000", 350, 15, 4, 2, 1),  # Vorkaufsrecht der Gemeinde Ausübung
    ],
    "Bauamt": [
        # Bauaufsicht
        P("99012008001000", 60, 1200, 5, 5, 1),  # Baugenehmigung Erteilung
        P("99012008001001", 150, 720, 5, 4, 1),  # ... im vereinfachten Verfahren
        P("99012008010000", 45, 180, 5, 3, 1),  # Baugenehmigung Befreiung
        P("99012008015000", 280, 5, 3, 1, 0),  # Baugenehmigung Statusabfrage
        P("99012010001000", 25, 480, 6, 4, 1),  # Bauvorbescheid Erteilung
        P("99012014001000", 4, 360, 5, 4, 1),  # Teilbaugenehmigung Erteilung
        P("99012001001000", 20, 180, 5, 3, 1),  # Abbruchgenehmigung Erteilung
        P("99012020031000", 140, 90, 5, 2, 1),  # Bauvorhaben Abnahme
        P("99012016031000", 15, 120, 5, 2, 1),  # Fliegende Bauten Abnahme
        P("99012004023000", 450, 12, 3, 1, 0),  # Baulastenverzeichnis Auskunft
        P("99012002012000", 25, 240, 5, 2, 1),  # Abgeschlossenheitsbescheinigung
        P("99102042012000", 8, 240, 5, 3, 1),  # Steuerbescheinigung Baudenkmale
        # Planung
        P("99012012023000", 120, 20, 4, 1, 0),  # Flächennutzungsplan Auskunft
        P("99012012011000", 2, 6000, 7, 8, 1),  # Flächennutzungsplan Änderung
        # Tiefbau
        P("99012018111000", 40, 240, 5, 3, 1),  # Erschließungsbeitrag Erhebung
        P("99012003012000", 180, 20, 3, 1, 0),  # Anliegerbescheinigung Ausstellung
        P("99108015134001", 35, 45, 4, 2, 0),  # Gehwegüberfahrten: Herstellung durch Dritte
        P("99108012134001", 90, 40, 4, 3, 0),  # Sondernutzung Zustimmung Leitungsverlegung
        P("99108018137003", 380, 20, 3, 2, 0),  # Straßenschaden an Gemeindestraßen
        P("99108020224000", 260, 10, 2, 2, 0),  # Störung der Straßenbeleuchtung Behebung
        P("99108022095000", 3, 240, 6, 3, 1),  # Widmung einer Straße Bekanntmachung
        P("99129005006000", 25, 90, 4, 2, 1),  # Abwasser in öffentliche Anlagen Genehmigung
    ],
    "Umweltamt": [
        P("99093003001002", 140, 45, 4, 2, 1),  # Baumfällgenehmigung auf privatem Grund
        P("99093003001001", 30, 90, 4, 3, 1),  # Baumfällgenehmigung auf öffentlichem Grund
        P("99001009004002", 3200, 3, 2, 1, 0),  # Sperrmüll Entsorgung durch Abholung
        P("99001007004000", 1300, 4, 2, 1, 0),  # Hausmüll Entsorgung (Behälteränderungen)
        P("99001003004000", 400, 5, 2, 1, 0),  # Bioabfall Entsorgung
        P("99001004004000", 380, 0, 2, 2, 0),  # Wilder Müll Entsorgung: never timed (WARN)
        P("99063010006000", 25, 30, 3, 2, 0),  # Osterfeuer Genehmigung
        P("99129031080000", 20, 60, 3, 1, 0),  # Förderung von Zisternen Gewährung
        P("99136004206000", 0, 45, 3, 3, 0),  # Hochwasserschäden Erfassung: no case (WARN)
    ],
    "Sozialamt": [
        P("99107023017001", 300, 180, 4, 2, 1),  # Wohngeld Bewilligung erstmalig
        P("99107023017002", 480, 120, 4, 2, 1),  # Wohngeld Bewilligung erneut
        P("99107023011000", 150, 60, 4, 1, 1),  # Wohngeld Änderung
        P("99107023044000", 60, 45, 4, 1, 1),  # Wohngeld Aufhebung
        P("99107022012000", 160, 45, 3, 1, 0),  # Wohnberechtigungsschein Ausstellung
        P("99107009017000", 320, 300, 4, 3, 1),  # Grundsicherung (SGB XII) Bewilligung
        P("99107012017000", 45, 240, 4, 3, 1),  # Hilfe zum Lebensunterhalt Bewilligung
        P("99107014017000", 40, 300, 5, 4, 1),  # Hilfe zur Pflege Bewilligung
        P("99107029080001", 180, 300, 4, 3, 1),  # AsylbLG Grundleistungen
        P("99107029080002", 220, 30, 3, 2, 1),  # AsylbLG bei Krankheit, Schwangerschaft
        P("99107032148000", 900, 25, 3, 2, 0),  # Bildung und Teilhabe Erbringung
        P("99107031016000", 180, 20, 3, 1, 0),  # Schulausflüge und Klassenfahrten
        P("99107042068000", 35, 120, 4, 3, 1),  # Mietrückstände Übernahme
        P("99107027001000", 240, 10, 2, 1, 0),  # Pass für Geringverdiener Erteilung
    ],
    "Jugendamt": [
        P("99041004034000", 400, 60, 4, 3, 0),  # Kindertagesstätte Aufnahme
        P("99071007002000", 1050, 20, 3, 1, 1),  # Elternbeitrag Festsetzung
        P("99071007068000", 90, 60, 4, 2, 1),  # Elternbeitrag Übernahme
        P("99071005080000", 140, 90, 4, 2, 1),  # Förderung in Kindertagespflege
        P("99071002001000", 20, 300, 5, 2, 1),  # Erlaubnis zur Kindertagespflege
        P("99060006080000", 70, 1500, 6, 5, 1),  # Hilfe zur Erziehung Gewährung
        P("99060009080000", 45, 900, 6, 4, 1),  # sozialpädagogische Familienhilfe
        P("99060004080000", 28, 2400, 6, 6, 1),  # Heimerziehung Gewährung
        P("99060007080000", 35, 1800, 6, 5, 1),  # Vollzeitpflege Gewährung
        P("99060002080000", 8, 900, 6, 4, 1),  # Erziehung in einer Tagesgruppe
        P("99060001080000", 50, 1200, 6, 5, 1),  # Eingliederungshilfe seelisch behinderte
        P("99060005080000", 12, 900, 6, 4, 1),  # Hilfe für junge Volljährige
        P("99071004042000", 180, 240, 6, 4, 1),  # Hilfeplan Aufstellung
        P("99107021017000", 260, 150, 4, 2, 1),  # Unterhaltsvorschuss Bewilligung
        P("99013005026000", 110, 45, 5, 1, 1),  # Sorgeerklärung Beurkundung
        P("99013003025000", 10, 600, 6, 3, 1),  # Annahme als Kind: Beratung und Belehrung
        P("99041019078000", 80, 120, 5, 3, 0),  # Frühe Hilfen Angebot
    ],
    "Schulverwaltung": [
        P("99088003034001", 230, 30, 3, 2, 0),  # Aufnahme Grundschule
        P("99088003034003", 110, 20, 3, 2, 0),  # Aufnahme Realschule
        P("99088003034004", 120, 20, 3, 2, 0),  # Aufnahme Gymnasium
        P("99088011039001", 650, 10, 3, 2, 1),  # Schülerbeförderung: Mindestentfernung
        P("99088011039002", 25, 60, 4, 3, 1),  # Schülerbeförderung: Behinderte und Kranke
        P("99088015027000", 550, 10, 3, 2, 0),  # Ganztagsschule Förderung (OGS)
    ],
    "Friedhofsverwaltung": [
        P("99101001107000", 260, 20, 3, 2, 0),  # Nutzungsrecht Grabstelle Vergabe
        P("99101001038000", 60, 30, 3, 1, 0),  # Nutzungsrecht Grabstelle Übertragung
        P("99101002058001", 90, 60, 3, 3, 0),  # Bestattung Durchführung Erdbestattung
        P("99101002058002", 190, 45, 3, 3, 0),  # Bestattung Durchführung Feuerbestattung
        P("99101008001000", 140, 20, 3, 1, 0),  # Grabmal-Genehmigung Erteilung
    ],
}

# --------------------------------------------------------------------------------------
# Optional columns of the Rahmenbedingungen step
# --------------------------------------------------------------------------------------
# OZG-Reifegrad (0 offline, 1 information online, 2 form online, 3 online service incl.
# evidence, 4 fully digital) as the Fachämter estimated it: a default per Fachamt (None =
# the Fachamt left the column empty) and the processes that differ from it, by LeiKa key.
REIFEGRAD_STANDARD: dict[str, int | None] = {
    "Bürgerbüro": 1,
    "Standesamt": 1,
    "Ordnungsamt": 1,
    "Steueramt": 1,
    "Kämmerei": 0,
    "Bauamt": 1,
    "Umweltamt": 1,
    "Sozialamt": 1,
    "Jugendamt": 1,
    "Schulverwaltung": None,
    "Friedhofsverwaltung": None,
}
REIFEGRAD: dict[str, int] = {
    "99008001012001": 0,  # Personalausweis Ausstellung erstmalig: persönliche Vorsprache
    "99115005104001": 3,  # Wohnsitz Anmeldung (elektronische Wohnsitzanmeldung)
    "99115005104002": 3,
    "99115005011000": 3,
    "99115003012000": 4,  # amtliche Meldebestätigung
    "99115004001001": 4,  # Melderegisterauskunft einfach
    "99049001001001": 4,  # Führungszeugnis (Online-Antrag beim Bundesamt für Justiz)
    "99049001001002": 4,
    "99128001120001": 4,  # Briefwahl
    "99108001001000": 3,  # Bewohnerparkausweis
    "99108001020000": 3,
    "99089017089000": 2,  # Fundsachen Verwahrung
    "99027002012000": 3,  # Geburtsurkunde
    "99059004012000": 3,  # Eheurkunde
    "99101004012000": 3,  # Sterbeurkunde
    "99059001104000": 2,  # Eheschließung Anmeldung
    "99059001110000": 0,  # Eheschließung Vollzug
    "99050012104000": 3,  # Gewerbe Anmeldung, Ummeldung, Abmeldung
    "99050012071000": 3,
    "99050012070000": 3,
    "99108011153000": 2,  # Halteverbotszone für Umzug
    "99108031002000": 2,  # Bußgelder im Straßenverkehr
    "99089003034004": 2,  # Anzeige wegen Lärmbelästigung
    "99110009104000": 2,  # Hundehaltung Anmeldung / Abmeldung
    "99110009070000": 2,
    "99012008001000": 2,  # Baugenehmigung (Bauportal.NRW)
    "99012008001001": 2,
    "99012004023000": 2,  # Baulastenverzeichnis Auskunft
    "99001009004002": 4,  # Sperrmüll Abholung
    "99001007004000": 3,  # Hausmüll Behälteränderungen
    "99107023017001": 2,  # Wohngeld Bewilligung erstmalig
    "99041004034000": 3,  # Kindertagesstätte Aufnahme (Kita-Portal)
}
# Processes a Fachamt marked as not suitable for digitalisation, with the reason
# (faktisch / rechtlich / wirtschaftlich; more come from the parameter file and a rule).
NICHT_GEEIGNET: dict[str, str] = {
    "99101002058001": "faktisch",  # Bestattung Durchführung Erdbestattung
}


# Leistung/Verrichtung for the rare keys whose catalogue structure does not yield them
# automatically (see derive_leistung / derive_verrichtung).
LEISTUNG_OVERRIDES: dict[str, str] = {}
VERRICHTUNG_OVERRIDES: dict[str, str] = {}


# --------------------------------------------------------------------------------------
# Catalogue lookup
# --------------------------------------------------------------------------------------
def read_catalogue(reference_dir: Path) -> dict[str, str]:
    """Return ``{schluessel: bezeichnung}`` from the LeiKa CSV in ``reference_dir``.

    Accepts the KDN layout shipped in ``kdworkbook/data/referenz`` and the official LeiKa export
    (both have the columns ``schluessel`` and ``bezeichnung``; the separator is sniffed).
    """
    path = reference_dir / CATALOGUE_FILE
    if not path.is_file():
        raise SystemExit(
            f"LeiKa-Katalog nicht gefunden: {path}\n"
            "Bitte mit --reference auf den Ordner mit leika_leistungen_kdn2019.csv zeigen."
        )
    text = csvtext.decode(path.read_bytes())
    delimiter = csvtext.delimiter(text)
    names: dict[str, str] = {}
    for row in csv.DictReader(io.StringIO(text), delimiter=delimiter):
        key = (row.get("schluessel") or "").strip()
        if re.fullmatch(r"\d{14}", key):
            names[key] = row["bezeichnung"].strip()
    return names


def verrichtung_names(catalogue: dict[str, str]) -> dict[str, str]:
    """Learn the name of each Verrichtungskennung (digits 9-11) from the catalogue.

    For every verrichtung-level key (``...VVV000``) whose name is "<Leistungsobjekt>
    <Verrichtung>", the trailing part is a vote for the name of code VVV; the most frequent
    name wins (e.g. 012 -> "Ausstellung", 002 -> "Festsetzung", 080 -> "Gewährung").
    """
    votes: dict[str, Counter[str]] = {}
    for key, name in catalogue.items():
        code, detail = key[8:11], key[11:]
        if code == "000" or detail != "000":
            continue
        parent = catalogue.get(key[:8] + "000000")
        if parent and name.startswith(parent + " "):
            votes.setdefault(code, Counter())[name[len(parent) + 1 :]] += 1
    return {code: counter.most_common(1)[0][0] for code, counter in votes.items()}


def derive_leistung(key: str, catalogue: dict[str, str]) -> str:
    """Leistungsobjekt: the name of the key with the last six digits zeroed."""
    if key in LEISTUNG_OVERRIDES:
        return LEISTUNG_OVERRIDES[key]
    parent = catalogue.get(key[:8] + "000000")
    if parent is None:
        raise SystemExit(f"{key}: kein Leistungsobjekt im Katalog; bitte LEISTUNG_OVERRIDES")
    return parent


def derive_verrichtung(key: str, catalogue: dict[str, str], verbs: dict[str, str]) -> str:
    """Verrichtung: the catalogue's name for the Verrichtungskennung of the key."""
    if key in VERRICHTUNG_OVERRIDES:
        return VERRICHTUNG_OVERRIDES[key]
    code = key[8:11]
    if code == "000" or code not in verbs:
        raise SystemExit(f"{key}: keine Verrichtung ableitbar; bitte VERRICHTUNG_OVERRIDES")
    return verbs[code]


@dataclass(frozen=True)
class SurveyRow:
    """One finished row of the Bestandserhebung."""

    fachamt: str
    leistung: str
    verrichtung: str
    bezeichnung: str
    cases: int
    minutes: float
    grade: int
    units: int
    legal: int
    key: str
    reifegrad: int | None = None
    nicht_geeignet: str | None = None

    def values(self) -> list[object]:
        """Cell values in the order of ``COLUMNS``."""
        return [
            self.leistung,
            self.verrichtung,
            self.bezeichnung,
            self.cases,
            self.minutes,
            self.grade,
            self.units,
            self.legal,
            self.key,
            self.reifegrad,
            self.nicht_geeignet,
        ]


def build_rows(
    fachamt: str, processes: Iterable[Process], catalogue: dict[str, str], verbs: dict[str, str]
) -> list[SurveyRow]:
    """Resolve the hand-written processes of one Fachamt against the catalogue."""
    rows: list[SurveyRow] = []
    seen: set[str] = set()
    for proc in processes:
        if proc.key not in catalogue:
            raise SystemExit(f"{fachamt}: LeiKa-Schlüssel {proc.key} nicht im Katalog")
        name = catalogue[proc.key]
        if name in seen:
            raise SystemExit(f"{fachamt}: Bezeichnung doppelt: {name}")
        seen.add(name)
        check_values(fachamt, name, proc)
        minutes = int(proc.minutes) if float(proc.minutes).is_integer() else proc.minutes
        rows.append(
            SurveyRow(
                fachamt=fachamt,
                leistung=derive_leistung(proc.key, catalogue),
                verrichtung=derive_verrichtung(proc.key, catalogue, verbs),
                bezeichnung=name,
                cases=proc.cases,
                minutes=minutes,
                grade=proc.grade,
                units=proc.units,
                legal=proc.legal,
                key=proc.key,
                reifegrad=REIFEGRAD.get(proc.key, REIFEGRAD_STANDARD[fachamt]),
                nicht_geeignet=NICHT_GEEIGNET.get(proc.key),
            )
        )
    return rows


def check_values(fachamt: str, name: str, proc: Process) -> None:
    """Guard against typos in the tables above."""
    problems = []
    if not (isinstance(proc.cases, int) and proc.cases >= 0):
        problems.append("Vorgänge")
    if proc.minutes < 0:
        problems.append("Minuten")
    if not 1 <= proc.grade <= 8:
        problems.append("Stufe")
    if not 1 <= proc.units <= 8:
        problems.append("Beteiligte Stellen")
    if proc.legal not in (0, 1):
        problems.append("Rechtliche Besonderheiten")
    if problems:
        raise SystemExit(f"{fachamt} / {name}: ungültig: {', '.join(problems)}")


# --------------------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------------------
def make_workbook(header: list[str], rows: list[list[object]]) -> Workbook:
    """One sheet ``Bestandserhebung``: header in row 1, data from row 2."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_NAME
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    key_col = header.index("LeiKa-Schlüssel") + 1
    for values in rows:
        ws.append(values)
        key_cell = ws.cell(row=ws.max_row, column=key_col)
        key_cell.number_format = "@"  # the key is text, never a number
    widths = {
        "Fachamt": 20,
        "Leistung": 34,
        "Verrichtung": 20,
        "Bezeichnung": 70,
        "LeiKa-Schlüssel": 17,
    }
    for idx, name in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(idx)].width = widths.get(name, 14)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    props = wb.properties
    props.creator = "scripts/demo_bestand.py"
    props.title = "Bestandserhebung Stadt Musterstadt (Demodaten)"
    props.created = FIXED_TIMESTAMP
    return wb


def save_reproducible(wb: Workbook, path: Path) -> None:
    """Save an xlsx with fixed timestamps so that reruns give byte-identical files."""
    buffer = io.BytesIO()
    wb.save(buffer)
    stamp = FIXED_TIMESTAMP.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rb"\g<1>" + stamp.encode() + rb"\g<2>",
                    data,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIMESTAMP.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, data)
    path.write_bytes(out.getvalue())


def german_number(value: float, *, thousands: bool) -> str:
    """Format like Excel in a German locale: 1.250 / 7,5 / 120."""
    if float(value).is_integer():
        text = f"{int(value):,}" if thousands else str(int(value))
        return text.replace(",", ".")
    return f"{value:.2f}".rstrip("0").replace(".", ",")


def write_excel_csv(path: Path, rows: list[SurveyRow]) -> None:
    """Write the CSV as German Excel does: ``;``, cp1252, CRLF, decimal comma."""
    header = [CSV_HEADER_OVERRIDES.get(name, name) for name in COLUMNS]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(
            [
                row.leistung,
                row.verrichtung,
                row.bezeichnung,
                german_number(row.cases, thousands=True),
                german_number(row.minutes, thousands=True),
                row.grade,
                row.units,
                row.legal,
                row.key,
                "" if row.reifegrad is None else row.reifegrad,
                row.nicht_geeignet or "",
            ]
        )
    path.write_bytes(buffer.getvalue().encode("cp1252"))


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------
def summary(all_rows: list[SurveyRow]) -> str:
    """Per-Fachamt row counts, total Vorgänge and Jahresstunden (for cross-checking)."""
    lines = [f"{'Fachamt':<22}{'Prozesse':>9}{'Vorgänge':>10}{'Stunden':>11}"]
    per_amt: dict[str, list[SurveyRow]] = {}
    for row in all_rows:
        per_amt.setdefault(row.fachamt, []).append(row)
    for amt, rows in per_amt.items():
        cases = sum(r.cases for r in rows)
        hours = sum(r.cases * r.minutes for r in rows) / 60
        lines.append(f"{amt:<22}{len(rows):>9}{cases:>10,}{hours:>11,.1f}")
    cases = sum(r.cases for r in all_rows)
    hours = sum(r.cases * r.minutes for r in all_rows) / 60
    lines.append(f"{'Summe':<22}{len(all_rows):>9}{cases:>10,}{hours:>11,.1f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--reference",
        type=Path,
        default=DEFAULT_REFERENCE,
        help=f"Ordner mit {CATALOGUE_FILE} (Standard: der mitgelieferte Katalog im Paket)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help="Zielordner (Standard: parameters/musterstadt)",
    )
    args = parser.parse_args(argv)

    catalogue = read_catalogue(args.reference)
    verbs = verrichtung_names(catalogue)

    buergerbuero = build_rows("Bürgerbüro", BUERGERBUERO, catalogue, verbs)
    standesamt = build_rows("Standesamt", STANDESAMT, catalogue, verbs)
    fachaemter = [
        row
        for amt, processes in FACHAEMTER.items()
        for row in build_rows(amt, processes, catalogue, verbs)
    ]

    args.output.mkdir(parents=True, exist_ok=True)
    save_reproducible(
        make_workbook(COLUMNS, [r.values() for r in buergerbuero]),
        args.output / FILE_BUERGERBUERO,
    )
    write_excel_csv(args.output / FILE_STANDESAMT, standesamt)
    save_reproducible(
        make_workbook([COL_FACHAMT, *COLUMNS], [[r.fachamt, *r.values()] for r in fachaemter]),
        args.output / FILE_FACHAEMTER,
    )

    print(f"Geschrieben nach {args.output}:")
    for name in (FILE_BUERGERBUERO, FILE_STANDESAMT, FILE_FACHAEMTER):
        print(f"  {name}")
    print(summary(buergerbuero + standesamt + fachaemter))
    return 0


if __name__ == "__main__":
    sys.exit(main())
