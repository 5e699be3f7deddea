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
