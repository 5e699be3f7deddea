"""Musterprozess metrics, hand-computed on small processes; savings; the demo and notebook."""

import html
import json
import re
from pathlib import Path

import pytest

from kdworkbook.bestand.laden import load_bestand
from kdworkbook.cli import main
from kdworkbook.kern.errors import InputError
from kdworkbook.lauf import lauf
from kdworkbook.musterprozess import grafiken as musterprozess_grafiken
from kdworkbook.musterprozess import kapitel as musterprozess_ansicht
from kdworkbook.musterprozess import kennzahlen as musterprozess
from kdworkbook.musterprozess import text as musterprozess_text
from kdworkbook.musterprozess.laden import load_process
from kdworkbook.workshop import modell as workshop_modell

from .conftest import DEMO, execute_step, write_params


def process(tmp_path: Path, body: str, name: str = "p.yaml"):
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return load_process(path)


SEQUENTIAL = """
name: Sequenziell
bahnen:
  - {name: Bürger, art: buerger}
  - {name: Amt A}
  - {name: Amt B}
schritte:
  - {name: Antrag, bahn: Bürger, baustein: antrag_stellen, medium: Papier, minuten: 10}
  - {name: Prüfen, bahn: Amt A, baustein: formell prüfen, medium: Papier, minuten: 5,
     wartezeit_tage: 1}
  - {name: Erfassen, bahn: Amt A, baustein: daten_erfassen, medium: Fachverfahren, minuten: 8}
  - {name: Bescheid, bahn: Amt B, baustein: bescheid_erstellen, medium: fachverfahren, minuten: 5}
"""

PARALLEL = """
name: Parallel
bahnen: [{name: X}, {name: Y}]
schritte:
  - {name: A, bahn: X, baustein: formell_pruefen, medium: Papier, minuten: 5}
  - parallel:
      - - {name: B, bahn: X, baustein: daten_erfassen, medium: Fachverfahren, minuten: 10}
      - - {name: C, bahn: Y, baustein: abstimmen, medium: Papier, minuten: 3, wartezeit_tage: 2}
  - {name: D, bahn: X, baustein: bescheid_erstellen, medium: Fachverfahren, minuten: 2}
"""

ALTERNATIVE = """
name: Alternativ
bahnen: [{name: Bürger, art: buerger}, {name: Amt}]
schritte:
  - {name: Formular, bahn: Bürger, baustein: antrag_stellen, medium: Papier, minuten: 15}
  - alternativ:
      - anteil: 0.6
        schritte:
          - {name: Besuch, bahn: Bürger, baustein: behoerdengang, medium: persönlich, minuten: 45}
      - anteil: 0.4
        schritte:
          - {name: Post, bahn: Bürger, baustein: versand, medium: Papier, minuten: 10,
             wartezeit_tage: 2}
  - {name: Erfassen, bahn: Amt, baustein: daten_erfassen, medium: Fachverfahren, minuten: 8}
unterlagen:
  - {name: Name, once_only: true, register: Melderegister, abruf: true}
  - {name: Geburtsdatum, once_only: true, register: Melderegister}
  - {name: Rasse}
"""


def test_sequential(tmp_path):
    k = musterprozess.key_figures(process(tmp_path, SEQUENTIAL))
    assert k.schritte == 4
    assert k.bearbeitungszeit_min == 28  # 10 + 5 + 8 + 5
    assert k.verwaltung_min == 18  # 5 + 8 + 5
    assert k.buerger_min == 10
    assert k.durchlaufzeit_min == 1468  # 28 + 1 Tag × 1.440
    assert k.medienbrueche == 1  # Papier → Fachverfahren once
    assert k.uebergaben == 2  # Bürger → Amt A, Amt A → Amt B
    assert k.behoerdengaenge == 0


def test_parallel_branch(tmp_path):
    k = musterprozess.key_figures(process(tmp_path, PARALLEL))
    assert k.schritte == 4
    assert k.bearbeitungszeit_min == 20  # 5 + 10 + 3 + 2: parallel branches both count
    assert k.durchlaufzeit_min == 2890  # 5 + max(10, 3 + 2 × 1.440) + 2
    assert k.medienbrueche == 2  # A→B Papier→FV, C→D Papier→FV
    assert k.uebergaben == 2  # A→C X→Y, C→D Y→X


def test_alternative_with_shares_visits_and_documents(tmp_path):
    p = process(tmp_path, ALTERNATIVE)
    k = musterprozess.key_figures(p)
    assert k.buerger_min == pytest.approx(46)  # 15 + 0,6 × 45 + 0,4 × 10
    assert k.verwaltung_min == 8
    assert k.behoerdengaenge == pytest.approx(0.6)
    # Besuch→Erfassen (persönlich→FV) 0,6 + Post→Erfassen (Papier→FV) 0,4; Papier→persönlich
    # is no media break (both analogue)
    assert k.medienbrueche == pytest.approx(1.0)
    assert k.uebergaben == pytest.approx(1.0)  # 0,6 + 0,4 Bürger → Amt
    assert k.durchlaufzeit_min == 2913  # 15 + max(45, 10 + 2.880) + 8
    assert (k.unterlagen, k.unterlagen_buerger, k.unterlagen_once_only, k.unterlagen_abgerufen) == (
        3,
        2,
        2,
        1,
    )
    table = musterprozess.steps_table(p)
    assert table["name"].tolist() == ["Formular", "Besuch", "Post", "Erfassen"]
    assert table["anteil"].tolist() == pytest.approx([1, 0.6, 0.4, 1])


def test_system_lane_is_no_handover(tmp_path):
    body = """
name: Portal
bahnen: [{name: Bürger, art: buerger}, {name: Portal, art: system}, {name: Amt}]
schritte:
  - {name: Antrag, bahn: Bürger, baustein: antrag_stellen, medium: Online-Portal, minuten: 10}
  - {name: Prüfen, bahn: Portal, baustein: plausibilisieren, medium: Online-Portal, minuten: 0}
  - {name: Übernehmen, bahn: Portal, baustein: automatisch_uebernehmen, medium: Fachverfahren,
     minuten: 0}
  - {name: Bescheid, bahn: Amt, baustein: bescheid_erstellen, medium: Fachverfahren, minuten: 2}
"""
    k = musterprozess.key_figures(process(tmp_path, body))
    assert k.uebergaben == 1  # Bürger → Amt; the portal steps are looked through
    assert k.medienbrueche == 0  # digital throughout
    assert k.verwaltung_min == 2 and k.buerger_min == 10 and k.system_min == 0


def test_savings_by_hand():
    ist = musterprozess.Kennzahlen(
        5, 50, 20, 30, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0
    )  # 20 min Verwaltung, 30 min Bürger, 1 Behördengang
    soll = musterprozess.Kennzahlen(3, 15, 5, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    e = musterprozess.savings(ist, soll, vorgaenge=300, stundensatz=42.20, jahresstunden=1600)
    assert e.minuten_je_fall == 15
    assert e.stunden_jahr == 75  # 300 × 15 / 60
    assert e.eur_jahr == pytest.approx(3165)  # 75 h × 42,20 €
    assert e.vzae == pytest.approx(0.046875)  # 75 / 1.600
    assert e.buerger_stunden_jahr == 100  # 300 × 20 / 60
    assert e.behoerdengaenge_jahr == 300


def test_comparison_figure(tmp_path):
    p = process(tmp_path, ALTERNATIVE)
    k = musterprozess.key_figures(p)
    assert len(musterprozess_grafiken.comparison_chart(k, k).axes) == 6


# --- demo and parameter file --------------------------------------------------------------------


def test_demo_figures_by_hand():
    m = musterprozess_ansicht.load(load_bestand(DEMO))
    assert m.zeile["bezeichnung"] == "Hundehaltung Anmeldung" and m.zeile["vorgaenge"] == 420
    assert m.stundensatz == 25.50  # Stufe 2 → einfacher/mittlerer Dienst
    # IST Verwaltung: Bürgerbüro 0,5 × 3 + Steueramt 3+5+8+5+3+2+3+2 + Kasse 3+5 = 40,5
    assert m.kennzahlen_ist.verwaltung_min == 40.5
    # SOLL Verwaltung: Rückfrage 0,1 × 5 + Prüfen 4 + Bescheid 2 + Steuermarke 2 = 8,5
    assert m.kennzahlen_soll.verwaltung_min == pytest.approx(8.5)
    # 420 × (40,5 − 8,5) / 60 = 224 h × 25,50 € = 5.712 €; 224 / 1.600 = 0,14 VZÄ
    assert m.einsparung.eur_jahr == pytest.approx(5712)
    assert m.einsparung.vzae == pytest.approx(0.14)
    assert m.kennzahlen_ist.behoerdengaenge == 0.5 and m.kennzahlen_soll.behoerdengaenge == 0
    assert (m.kennzahlen_ist.medienbrueche, m.kennzahlen_soll.medienbrueche) == (4, 2)
    assert m.kennzahlen_soll.unterlagen_abgerufen == 3  # Name, Anschrift, Geburtsdatum


def test_check_json_shape(capsys):
    assert main(["check", str(DEMO), "--json"]) == 0
    mp = json.loads(capsys.readouterr().out)["musterprozess"]
    for variant in ("ist", "soll"):
        for key in (
            "schritte",
            "bearbeitungszeit_min",
            "durchlaufzeit_min",
            "medienbrueche",
            "uebergaben",
        ):
            assert key in mp[variant]
    assert mp["ist"]["schritte"] == 16 and mp["soll"]["schritte"] == 12
    assert mp["einsparung_eur_jahr"] == pytest.approx(5712)


def _copy_demo(tmp_path: Path, section: str) -> Path:
    for name in ("hundesteuer_ist.yaml", "hundesteuer_soll.yaml", "hundesteuer_soll.bpmn"):
        (tmp_path / name).write_bytes((DEMO.parent / "musterstadt" / name).read_bytes())
    survey = (DEMO.parent / "musterstadt" / "bestand_fachaemter.xlsx").resolve()
    return write_params(
        tmp_path, f"gemeinde: Stadt Test\nbestand: {survey}\n{section}", name="test.yaml"
    )


def test_without_section_is_not_an_error(tmp_path):
    ba = load_bestand(_copy_demo(tmp_path, ""))
    assert musterprozess_ansicht.summary(ba) == {"konfiguriert": False}
    assert "kein Musterprozess konfiguriert" in musterprozess_ansicht.introduction(None).data
    assert musterprozess_ansicht.diagram(None, "ist") is None


def test_unknown_process_lists_close_names(tmp_path):
    params = _copy_demo(
        tmp_path,
        "musterprozess:\n  ist: hundesteuer_ist.yaml\n  soll: hundesteuer_soll.bpmn\n"
        "  prozess: Hundesteuer Anmeldung\n",
    )
    with pytest.raises(InputError, match="ähnliche Bezeichnungen: „Hundehaltung Anmeldung“"):
        musterprozess_ansicht.summary(load_bestand(params))


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("  ist: hundesteuer_ist.yaml\n", "„soll“ fehlt"),
        ("  ist: fehlt.yaml\n  soll: hundesteuer_soll.yaml\n", "Datei „fehlt.yaml“ nicht gefunden"),
        (
            "  ist: bestand.xlsx\n  soll: hundesteuer_soll.yaml\n",
            "mit Endung .yaml oder .yml",
        ),
        (
            "  ist: hundesteuer_ist.yaml\n  soll: hundesteuer_soll.yaml\n  stundensatz: 0\n",
            "erwartet eine Zahl > 0",
        ),
    ],
)
def test_section_validation(tmp_path, section, message):
    params = _copy_demo(tmp_path, "musterprozess:\n" + section)
    with pytest.raises(InputError, match=message) as info:
        load_bestand(params)
    assert "musterprozess" in str(info.value)


def test_unknown_laufbahngruppe(tmp_path):
    params = _copy_demo(
        tmp_path,
        "musterprozess:\n  ist: hundesteuer_ist.yaml\n  soll: hundesteuer_soll.yaml\n"
        "  fachamt: Steueramt\n  laufbahngruppe: oberer_dienst\n",
    )
    with pytest.raises(InputError, match="„oberer_dienst“ hat keinen Stundensatz"):
        musterprozess_ansicht.summary(load_bestand(params))


def test_hourly_rate_override(tmp_path):
    params = _copy_demo(
        tmp_path,
        "musterprozess:\n  ist: hundesteuer_ist.yaml\n  soll: hundesteuer_soll.bpmn\n"
        "  fachamt: Steueramt\n  stundensatz: 50\n",
    )
    summary = musterprozess_ansicht.summary(load_bestand(params))
    # SOLL straight from the .bpmn: Steuermarke has no minutes there (side table missing) →
    # 6,5 min; 420 × (40,5 − 6,5) / 60 = 238 h × 50 € = 11.900 €
    assert summary["soll"]["fehlende_angaben"] == 1
    assert summary["einsparung_eur_jahr"] == pytest.approx(11900)
    assert any(
        "1 von 12 Schritten ohne Bearbeitungszeit (Nr. 10 „Steuermarke per Post versenden“)" in h
        for h in summary["hinweise"]
    )


# --- notebook -----------------------------------------------------------------------------------


@pytest.mark.browser
def test_notebook_executes_and_emits_figures(tmp_path, capsys):
    out, outputs = execute_step("04_musterprozess.ipynb", tmp_path)
    results = lauf.read_results(out)
    assert main(["check", str(DEMO), "--json"]) == 0
    assert results["musterprozess"] == json.loads(capsys.readouterr().out)["musterprozess"]
    assert results["musterprozess"]["einsparung_eur_jahr"] == pytest.approx(5712)
    assert not [o for o in outputs if o.output_type == "error"]
    svgs = [o["data"]["image/svg+xml"] for o in outputs if "image/svg+xml" in o.get("data", {})]
    bpmn = [s for s in svgs if "djs-element" in s]  # drawn by bpmn-js, one SVG per row
    assert len(svgs) == len(bpmn) + 1  # the rows of IST and SOLL, the comparison chart
    assert any("Anmeldeformular" in s for s in bpmn) and any("vollständig?" in s for s in bpmn)
    html = "".join(str(o.get("data", {}).get("text/html", "")) for o in outputs)
    assert "Medienbruch" in html  # the legend below each diagram
    assert (
        "Steuermarke per Post versenden" in html
        and "5.712"
        in "".join(str(o.get("data", {}).get("text/markdown", "")) for o in outputs) + html
    )


def test_without_section_the_chapter_is_omitted_and_check_says_so(tmp_path, capsys):
    from kdworkbook.cli import main
    from kdworkbook.lauf import lauf, schritte

    path = _copy_demo(tmp_path, "")
    ba = load_bestand(path)
    chapters = [nb.stem for nb in schritte.report_notebooks(ba, lauf.step_notebooks())]
    assert chapters == [
        "00_zusammenfassung",
        "01_rahmenbedingungen",
        "02_bestandsaufnahme",
        "03_massnahmenentwicklung",
    ]
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "    Kapitel Musterprozess: Kein Musterprozess konfiguriert" in out
    # configured: the chapter stays and check has no such note
    demo = load_bestand(DEMO)
    assert schritte.omissions(demo) == {}
    # the five chapters, 05_vergleich (the demo names a folder of peers) and the citizen
    # survey's
    assert len(schritte.report_notebooks(demo, lauf.step_notebooks())) == 7


# --- missing values: „nicht berechenbar“, never 0 -----------------------------------------------


def _soll_without_minutes(tmp_path: Path, unterlagen: bool = True) -> Path:
    """The demo's SOLL with every minute removed (as a model drawn without times arrives)."""
    bpmn = (DEMO.parent / "musterstadt" / "hundesteuer_soll.bpmn").read_text(encoding="utf-8")
    bpmn = re.sub(r'\s*<camunda:property name="minuten" value="[^"]*" />', "", bpmn)
    bpmn = bpmn.replace("minuten: 5\n", "")
    (tmp_path / "soll_ohne.bpmn").write_text(bpmn, encoding="utf-8")
    side = (
        "name: SOLL ohne Zeiten\nbpmn: soll_ohne.bpmn\nangaben:\n  Steuermarke per Post versenden:"
        " {medium: Papier, baustein: versand, wartezeit_tage: 2}\n"
    )
    if unterlagen:
        side += "unterlagen:\n  - {name: Rasse des Hundes}\n"
    (tmp_path / "soll_ohne.yaml").write_text(side, encoding="utf-8")
    return _copy_demo(
        tmp_path,
        "musterprozess:\n  ist: hundesteuer_ist.yaml\n  soll: soll_ohne.yaml\n"
        "  fachamt: Steueramt\n",
    )


HEADLINE = "SOLL: 12 von 12 Schritten ohne Bearbeitungszeit – Einsparung nicht berechenbar"


def test_soll_without_minutes_is_not_computable(tmp_path):
    m = musterprozess_ansicht.load(load_bestand(_soll_without_minutes(tmp_path)))
    k = m.kennzahlen_soll
    assert (k.verwaltung_min, k.buerger_min, k.bearbeitungszeit_min, k.durchlaufzeit_min) == (
        None,
        None,
        None,
        None,
    )
    assert k.medienbrueche == 2  # media are all there: still computable
    assert m.einsparung.eur_jahr is None and m.einsparung.vzae is None
    cards = musterprozess_ansicht.key_figures(m).data
    assert HEADLINE in cards
    assert "7.229" not in cards and "0,18" not in cards  # the old invented figures
    assert "40,5 → nicht berechenbar" in cards
    table = html.unescape(musterprozess_ansicht.comparison_table(m).data)
    # Verwaltung, Bürger, Durchlaufzeit: SOLL and change; the only −100 % left is real
    # (Behördengänge 0,5 → 0)
    assert table.count("nicht berechenbar") == 6 and table.count("-100,0") == 1
    text = html.unescape(musterprozess_ansicht.savings(m).data)
    first = text.split("</p>")[0]
    assert first.startswith(f"<p><strong>{HEADLINE}.</strong>") and "€" not in first
    assert workshop_modell.bundles(m) == []  # nothing to switch in the workshop either
    chart = musterprozess_grafiken.comparison_chart(m.kennzahlen_ist, k)
    assert "nicht\nberechenbar" in [t.get_text() for ax in chart.axes for t in ax.texts]


def test_check_warns_and_json_lists_it(tmp_path, capsys):
    params = _soll_without_minutes(tmp_path)
    assert main(["check", str(params)]) == 0
    out = capsys.readouterr().out
    assert f"  Warnung: Musterprozess: {HEADLINE}" in out
    assert main(["check", str(params), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["musterprozess"]["einsparung_eur_jahr"] is None
    assert data["musterprozess"]["einsparung_vzae"] is None
    assert data["musterprozess"]["soll"]["verwaltung_min"] is None
    assert f"Warnung: Musterprozess: {HEADLINE}" in data["hinweise"]
    assert any(
        h.startswith(
            "Warnung: Musterprozess SOLL (soll_ohne.bpmn): 12 von 12 Schritten ohne "
            "Bearbeitungszeit (Nr. 1 „Online-Antrag über Servicekonto stellen“"
        )
        for h in data["hinweise"]
    )


def test_partial_minutes_name_the_steps_left_out(tmp_path):
    params = _copy_demo(
        tmp_path,
        "musterprozess:\n  ist: hundesteuer_ist.yaml\n  soll: hundesteuer_soll.bpmn\n"
        "  fachamt: Steueramt\n",
    )
    m = musterprozess_ansicht.load(load_bestand(params))
    # Steueramt: Rückfrage, Prüfen, Bescheid, Steuermarke – the last one without minutes
    gap = "SOLL: 1 von 4 Schritten der Verwaltung ohne Bearbeitungszeit (Nr. 10 „Steuermarke per "
    assert gap in m.hinweise[0] and "zu hoch aus" in m.hinweise[0]
    # 420 × (40,5 − 6,5) / 60 × 25,50 € = 6.069 €, shown with the gap right under the headline
    assert m.einsparung.eur_jahr == pytest.approx(6069)
    cards = musterprozess_ansicht.key_figures(m).data
    assert "6.069" in cards and gap in cards
    chart = musterprozess_grafiken.comparison_chart(m.kennzahlen_ist, m.kennzahlen_soll)
    assert "6,5*" in [t.get_text() for ax in chart.axes for t in ax.texts]
    table = musterprozess_ansicht.comparison_table(m).data
    assert "Bearbeitungszeit Verwaltung (SOLL ohne Nr. 10 „Steuermarke per Post versenden“)" in (
        table
    )


def test_soll_without_documents_says_keine_angabe(tmp_path):
    m = musterprozess_ansicht.load(load_bestand(_soll_without_minutes(tmp_path, unterlagen=False)))
    assert m.kennzahlen_soll.unterlagen is None and m.kennzahlen_soll.unterlagen_buerger is None
    table = musterprozess_ansicht.comparison_table(m).data
    row = table[table.index("Unterlagen vom Bürger") :].split("</tr>")[0]
    assert "keine Angabe" in row and "%" not in row  # not „7 → 0 (−100 %)“
    assert "keine Angabe" in musterprozess_ansicht.documents(m).data
    assert "Zu den Unterlagen macht das SOLL-Modell keine Angabe." in (
        musterprozess_ansicht.soll_section(m).data
    )


def test_soll_prose_from_the_model():
    m = musterprozess_ansicht.load(load_bestand(DEMO))
    text = html.unescape(musterprozess_ansicht.soll_section(m).data)
    assert text.startswith("<h2>SOLL-Prozess</h2>\n<p>Ablauf im SOLL: 12 Schritte; Medien: ")
    # 3 × Online-Portal, 6 × Fachverfahren (+ Rückfrage E-Mail, Zahlen E-Payment); Papier 2
    assert "Online-Portal (3 Schritte)" in text and "E-Payment (1 Schritt)" in text
    assert "10 von 12 Schritten digital" in text
    assert (
        "Aus Registern abgerufen (Once-Only): Name des Halters, Anschrift des Halters, "
        "Geburtsdatum des Halters (Melderegister)." in text
    )
    assert "„Bescheid abrufen und per E-Payment zahlen“ (E-Payment)" in text
    assert "§ 7 EGovG NRW" in text


def test_soll_prose_without_payment_or_portal(tmp_path):
    p = process(tmp_path, SEQUENTIAL)
    text = musterprozess_text.soll_text(p)
    assert "Servicekonto" not in text and "E-Payment" not in text and "EGovG" not in text
    assert "Einen Zahlungsschritt (Baustein „Zahlung“) enthält das SOLL-Modell nicht." in text
    assert "Papier (2 Schritte), Fachverfahren (2 Schritte) – 2 von 4 Schritten digital" in text


def test_bpmn20_xml_accepted_in_parameter_file(tmp_path, capsys):
    fixture = Path(__file__).parent / "fixtures" / "bpmn" / "activiti_fischereischein.bpmn20.xml"
    (tmp_path / "soll.bpmn20.xml").write_bytes(fixture.read_bytes())
    params = _copy_demo(
        tmp_path,
        "musterprozess:\n  ist: hundesteuer_ist.yaml\n  soll: soll.bpmn20.xml\n"
        "  fachamt: Steueramt\n",
    )
    summary = musterprozess_ansicht.summary(load_bestand(params))
    assert summary["soll"]["schritte"] == 5
    assert summary["soll"]["verwaltung_min"] == 15  # the call activity is left out, named
    sheet, _ = musterprozess_ansicht.appendix_sheets(load_bestand(params))["Musterprozess SOLL"]
    assert sheet["minuten"].tolist()[-1] == "fehlt"
    assert sheet["gruppe"].tolist()[2:4] == ["Ausstellung", "Ausstellung"]
    assert main(["check", str(params)]) == 0
    assert (
        "  Warnung: Musterprozess SOLL (soll.bpmn20.xml): callActivity „Gebühr zahlen“ "
        "(id callactivity1) (Aufruf eines anderen Prozesses „gebuehrenzahlung“)"
        in capsys.readouterr().out
    )


def test_check_refuses_non_bpmn_xml(tmp_path, capsys):
    (tmp_path / "soll.xml").write_text(
        '<?xml version="1.0"?>\n<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"/>\n',
        encoding="utf-8",
    )
    params = _copy_demo(
        tmp_path,
        "musterprozess:\n  ist: hundesteuer_ist.yaml\n  soll: soll.xml\n  fachamt: Steueramt\n",
    )
    assert main(["check", str(params)]) == 2
    err = capsys.readouterr().err
    assert "soll.xml: keine BPMN-2.0-Datei" in err and "als BPMN 2.0 (XML) exportieren" in err
