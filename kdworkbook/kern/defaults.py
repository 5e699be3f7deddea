"""Named default values with their sources.

Every figure the workbook computes with is defined here once, with where it comes from.
Each of them can be overridden per municipality in the parameter file (key in brackets).
"""

from __future__ import annotations

from types import MappingProxyType

#: Quelle der Stundensätze, wie sie im Bericht zitiert wird.
LOHNKOSTEN_QUELLE = (
    "Leitfaden zur Ermittlung und Darstellung des Erfüllungsaufwands, "
    "Lohnkostentabelle Verwaltung, Stand 2025, Zeile Kommunen "
    "(aus einer Abschrift übernommen, nicht aus dem amtlichen PDF)"
)

#: Stundensätze in €/h je Laufbahngruppe [stundensaetze] (Quelle: LOHNKOSTEN_QUELLE).
STUNDENSAETZE_EUR: MappingProxyType[str, float] = MappingProxyType(
    {
        "einfacher_mittlerer_dienst": 25.50,
        "gehobener_dienst": 42.20,
        "hoeherer_dienst": 70.40,
    }
)

#: Durchschnittlicher Stundensatz Kommunen in €/h (Quelle: LOHNKOSTEN_QUELLE); zur Information.
STUNDENSATZ_DURCHSCHNITT_EUR = 40.70

#: Zuordnung „Bearbeitende Stelle nach Stufe“ → Laufbahngruppe [stufen].
#: Keine amtliche Quelle: die Stufen 1–8 der Bestandserhebung (Folien, Anlage 1) werden
#: als Annahme des Projekts gleichmäßig auf die drei Laufbahngruppen verteilt.
#: Je Kommune mit dem Projektteam abstimmen und in der Parameterdatei festlegen.
STUFEN_LAUFBAHNGRUPPE: MappingProxyType[int, str] = MappingProxyType(
    {
        1: "einfacher_mittlerer_dienst",
        2: "einfacher_mittlerer_dienst",
        3: "einfacher_mittlerer_dienst",
        4: "gehobener_dienst",
        5: "gehobener_dienst",
        6: "gehobener_dienst",
        7: "hoeherer_dienst",
        8: "hoeherer_dienst",
    }
)

#: Jahresarbeitsstunden je Vollzeitäquivalent [jahresarbeitsstunden]:
#: 1 Mannjahr = 200 Arbeitstage × 8 h (Standardkostenmodell, Leitfaden Erfüllungsaufwand).
JAHRESARBEITSSTUNDEN = 1600.0

#: Anteil der Jahresstunden für die Pareto-Auswertung [pareto_anteil] (80/20-Regel).
PARETO_ANTEIL = 0.80

#: Ab so vielen Minuten je Vorgang gilt ein Wert als auffällig hoch [plausibel_max_minuten]:
#: 2.400 Minuten = fünf volle Arbeitstage für einen einzigen Vorgang (Annahme des Projekts).
PLAUSIBEL_MAX_MINUTEN = 2400.0

#: Ab so vielen Vorgängen je Jahr gilt ein Wert als auffällig hoch [plausibel_max_vorgaenge]:
#: mehr als 200.000 Vorgänge übersteigen selbst in Großstädten die üblichen Fallzahlen
#: (Annahme des Projekts).
PLAUSIBEL_MAX_VORGAENGE = 200_000

#: Lesbare Namen der Laufbahngruppen für Bericht und Tabellen.
LAUFBAHNGRUPPE_NAMEN: MappingProxyType[str, str] = MappingProxyType(
    {
        "einfacher_mittlerer_dienst": "einfacher/mittlerer Dienst",
        "gehobener_dienst": "gehobener Dienst",
        "hoeherer_dienst": "höherer Dienst",
    }
)

# --- Maßnahmenentwicklung: Priorisierung [massnahmen → gewichte, schwellen, …] -------------
# Keine amtliche Quelle legt Gewichte fest; die Werte sind Annahmen des Projekts, begründet aus
# der Praxis (DOMAIN.md, „Prioritisation practice“) und in jeder Kommune im Workshop zu prüfen.

#: Gewichte der Nutzen-Kriterien [massnahmen → gewichte → nutzen], je mit Begründung:
#: jahresstunden 3 – „Fallzahl × Bearbeitungszeit“ ist das Kriterium, das Praktiker zuerst
#: nutzen (größte Arbeitslast zuerst); vorgaenge 1 – steckt schon in den Jahresstunden, zählt
#: zusätzlich nur wenig (viele Bürgerkontakte); personalkosten 1 – unterscheidet gleiche Stunden
#: nach Laufbahngruppe, sonst wie Jahresstunden; zustaendigkeit 1 – Pflicht der Kommune selbst
#: (LeiKa-Typ 4b/5, Folien), aber ja/nein: ein höheres Gewicht ließe kleine eigene Leistungen
#: vor große Arbeitslasten springen; reifegrad_luecke 1 – Abstand zum OZG-konformen Angebot
#: (OZG), oft nur geschätzt; buergernachfrage 1 – Wunsch der Bürgerschaft, oft nur geschätzt.
GEWICHTE_NUTZEN: MappingProxyType[str, float] = MappingProxyType(
    {
        "jahresstunden": 3.0,
        "vorgaenge": 1.0,
        "personalkosten": 1.0,
        "zustaendigkeit": 1.0,
        "reifegrad_luecke": 1.0,
        "buergernachfrage": 1.0,
    }
)

#: Gewichte der Aufwand-Kriterien [massnahmen → gewichte → aufwand], je mit Begründung:
#: beteiligte_stellen 2 – jede weitere Stelle bringt Übergaben und Abstimmung (Koordination);
#: rechtliche_besonderheiten 2 – Schriftform, Inaugenscheinnahme u. Ä. erschweren die
#: Digitalisierung am stärksten; stufe 1 – höhere Stufe heißt komplexere Entscheidungen, aber
#: die Stufe sagt weniger über die Digitalisierbarkeit als die beiden anderen.
GEWICHTE_AUFWAND: MappingProxyType[str, float] = MappingProxyType(
    {"beteiligte_stellen": 2.0, "rechtliche_besonderheiten": 2.0, "stufe": 1.0}
)

#: Anteil des Nutzens am Prioritätswert [massnahmen → gewicht_nutzen]; der Rest geht an die
#: Umsetzbarkeit (1 − Aufwand). 0,5 = beide Achsen gleich wichtig, wie im Nutzen-Aufwand-Portfolio.
GEWICHT_NUTZEN = 0.5

#: Ziel-Reifegrad für die Reifegradlücke [massnahmen → reifegrad_ziel]: Stufe 3 des
#: OZG-Reifegradmodells gilt als OZG-konform (Onlinezugangsgesetz).
REIFEGRAD_ZIEL = 3

#: Länge der Spitzengruppe [massnahmen → top_n]: die Folien und Workshops sprechen von
#: den „Top 10“; so viele Prozesse lassen sich in einer Sitzung besprechen.
TOP_N = 10

#: Schwankung jedes Gewichts in der Sensitivitätsanalyse [massnahmen → sensitivitaet]:
#: ±20 % (Vorgabe des Auftrags; übliche Spannweite bei geschätzten Gewichten).
SENSITIVITAET = 0.2

#: Zahl der bestplatzierten Prozesse, die Maßnahmen erhalten [massnahmen → prozesse]:
#: 20 Prozesse füllen bei den Standard-Maßnahmen etwa zwei bis drei Jahre (Annahme).
MASSNAHMEN_PROZESSE = 20

#: Zeitkontingent für Digitalisierung in Personentagen je Quartal
#: [massnahmen → zeitkontingent_personentage]: 60 PT ≈ eine Vollzeitstelle (200 Tage/Jahr,
#: Standardkostenmodell) zu gut einem Drittel plus Zuarbeit der Fachämter (Annahme; die Folien
#: nennen „Zeitkontingente“ als Hebel, ohne Zahl).
ZEITKONTINGENT_PT_QUARTAL = 60.0

#: Arbeitsstunden je Personentag (Standardkostenmodell: 1 Mannjahr = 200 Tage × 8 h).
STUNDEN_JE_PERSONENTAG = 8.0

#: Jahre des Kostenplans ab dem Startjahr [massnahmen → planungsjahre]; der Plan wird
#: verlängert, wenn die letzte Maßnahme später fertig wird. 5 Jahre = übliche Finanzplanung.
PLANUNGSJAHRE = 5

#: Planungshorizont der Amortisation in Jahren [massnahmen → amortisation_horizont_jahre]:
#: eine Maßnahme, deren Einmalkosten sich nicht innerhalb dieser Jahre durch die Einsparung
#: (abzüglich laufender Kosten) einspielen – oder nie –, wird im Bericht gekennzeichnet.
#: 5 Jahre = die fünfjährige Ergebnis- und Finanzplanung der Gemeinde (§ 84 Abs. 1 GO NRW).
AMORTISATION_HORIZONT_JAHRE = 5.0
AMORTISATION_HORIZONT_QUELLE = "fünfjährige Ergebnis- und Finanzplanung (§ 84 Abs. 1 GO NRW)"

#: Lenkungsgremium, wenn die Parameterdatei keines nennt [massnahmen → lenkungsgremium]
#: (Folien: Lenkungsgremien gemeinsam mit dem IT-Dienstleister).
LENKUNGSGREMIUM = (
    "Lenkungsgremium Digitalisierung (Verwaltungsvorstand, Digitalmanager/in, IT-Dienstleister)"
)

#: Erste Maßnahmen, die die Beschlussvorlage mit Quartal und Verantwortung nennt
#: [massnahmen → beschluss_massnahmen]: die ersten fünf des Zeitplans – so viele trägt eine
#: Seite, und sie fallen beim Standard-Zeitkontingent in die ersten ein bis zwei Quartale
#: (Annahme; die Folien nennen „erste Maßnahmen“ ohne Zahl).
BESCHLUSS_MASSNAHMEN = 5

#: Rollen der Verantwortung → Name in Bericht [massnahmen → verantwortung]; „fachamt“ wird
#: durch das Fachamt des Prozesses ersetzt.
VERANTWORTUNG: MappingProxyType[str, str] = MappingProxyType(
    {"digitalmanager": "Digitalmanager/in", "it_dienstleister": "IT-Dienstleister"}
)

# --- Musterprozess [musterprozess → …] -----------------------------------------------------

#: Zeile der Bestandserhebung, zu der der Musterprozess gehört, wenn „musterprozess → prozess“
#: fehlt: der Beispielprozess der Folien ist die Hundesteuer (Anmeldung eines Hundes).
MUSTERPROZESS_PROZESS = "Hundehaltung Anmeldung"

#: Minuten je Kalendertag, um Wartezeiten in Tagen in die Durchlaufzeit (Minuten) zu rechnen.
MINUTEN_JE_TAG = 24 * 60

# --------------------------------------------------------------------------- Rahmenbedingungen

#: Rohwerte der LeiKa-Spalte „typ“, die als Typ 4b gelten (Vollzugskompetenz der Kommune)
#: [rahmen → typ_4b]. Der öffentliche Katalog kennt nur „4“; eine öffentliche Abgrenzung
#: 4a/4b wurde nicht gefunden (DOMAIN.md), daher gilt Typ 4 als Annahme ganz als 4b.
TYP_4B: tuple[str, ...] = ("4",)

#: Mindestähnlichkeit (0–100, wortweiser Vergleich, kdworkbook/rahmen/leika_abgleich.py) für einen
#: Namensvorschlag aus dem LeiKa-Katalog [rahmen → fuzzy_schwelle]. Annahme des Projekts,
#: gemessen am Testsatz tests/fixtures/leika_abgleich.csv: richtige Vorschläge mit Tippfehlern,
#: Abkürzungen und Zusatzwörtern liegen ab 86; Vorschläge werden nie ohne Prüfung übernommen.
FUZZY_SCHWELLE = 85.0

#: Prozesse mit weniger Vorgängen pro Jahr gelten als wirtschaftlich nicht geeignet
#: [rahmen → wirtschaftlich_min_vorgaenge]. 0 = Regel aus: der Foliensatz nennt keine Zahl,
#: die Grenze wird je Kommune festgelegt.
WIRTSCHAFTLICH_MIN_VORGAENGE = 0

#: Ein Bereich der Selbsteinschätzung (1–5) gilt bis zu diesem Wert als Schwachstelle
#: [rahmen → reife → schwach_bis]. Annahme des Projekts: 1 und 2 = unter der Mitte der Skala.
REIFE_SCHWACH_BIS = 2

#: Ab diesem OZG-Reifegrad gilt eine Leistung als OZG-konform (Reifegradmodell: Stufe 3 =
#: Online-Dienst inkl. Nachweise).
OZG_KONFORM_AB = 3

#: Freie Zeilen je Umfrage-Arbeitsmappe für Prozesse, die der Katalog nicht kennt
#: [umfrage → leere_zeilen] (Annahme des Projekts: reicht für die meisten Fachämter).
UMFRAGE_LEERE_ZEILEN = 30

# --------------------------------------------------------------------- Grenzen gegen Überlast
# Schutz vor Dateien, die den Rechner lahmlegen (Zip-Bomben, absurde Tabellengrößen): geprüft,
# bevor openpyxl oder pandas eine Datei öffnen. Ein echter Export aus Excel oder LibreOffice
# erreicht keine dieser Grenzen (größte Bestandserhebung: 250.000 Zeilen, siehe tabellen.py).

#: Höchstens so viele Bytes darf ein .xlsx-Archiv entpackt zusammen haben. 250.000 Zeilen ×
#: 20 Spalten × rund 40 Bytes XML je Zelle ≈ 200 MB, dazu Texte und Formate; 500 MB lassen
#: mehr als das Doppelte Luft. Gemessen: 100.000 Zeilen × 11 Spalten aus openpyxl = 49 MB.
XLSX_MAX_ENTPACKT_BYTES = 500_000_000

#: Höchstes Verhältnis entpackt : gepackt je Archiv-Eintrag. 100 ist der Standard von
#: Apache POI (ZipSecureFile, MIN_INFLATE_RATIO = 0,01), das Excel-Dateien in Java liest;
#: echte Tabellenblätter liegen bei 5–20 (gemessen: 8,5). Eine 400-MB-Zelle packt auf
#: rund 400 KB (≈ 1.000 : 1).
XLSX_MAX_VERHAELTNIS = 100

#: Einträge bis zu dieser entpackten Größe werden nicht aufs Verhältnis geprüft (kleine
#: XML-Dateien packen zufällig gut); 100 KiB wie bei Apache POI (GRACE_ENTRY_SIZE).
XLSX_VERHAELTNIS_AB_BYTES = 100 * 1024

#: Höchstens so viele Archiv-Einträge (Tabellenblätter, Bilder, …); eine Arbeitsmappe mit
#: vielen Blättern hat einige Dutzend.
XLSX_MAX_EINTRAEGE = 10_000

#: Höchstens so viele Zellen (Zeilen × Spalten) je Tabellenblatt, nach der angegebenen Größe
#: (<dimension ref="A1:XFD1048576"/>) wie nach den tatsächlichen Zellen: openpyxl füllt jede
#: Zeile bis zur breitesten auf. 250.000 Zeilen × 20 Spalten (die Erhebung hat 8–16 Spalten).
XLSX_MAX_ZELLEN = 5_000_000

#: Längster Text einer Zelle in Zeichen: Excel selbst fasst höchstens 32.767 Zeichen je Zelle
#: (Microsoft, „Excel specifications and limits“); längere Texte schreibt kein Excel.
XLSX_MAX_TEXT_ZEICHEN = 32_767

#: Höchstens so viele Erhebungsdateien in einem Ordner unter „bestand“ [grenzen →
#: dateien_je_ordner]. Annahme des Projekts: eine Datei je Fachamt oder Sachgebiet; ein Ordner
#: mit Tausenden Dateien ist meist der falsche (Archiv, Netzlaufwerk) und ließe den Bericht
#: am PDF-Druck scheitern (gemessen: 10.000 Dateien → „Printing failed“ nach 9 Minuten).
MAX_DATEIEN_JE_ORDNER = 500

#: Höchstens so viele Fachämter je Kommune [grenzen → fachaemter]. Annahme des Projekts:
#: auch Großstädte gliedern ihre Verwaltung in wenige hundert Ämter und Sachgebiete; Tabellen
#: und Diagramme je Fachamt sind darüber hinaus nicht mehr lesbar.
MAX_FACHAEMTER = 300
