"""BPMN 2.0 import: fixtures written here, in the shape Camunda Modeler / bpmn.io save them."""

import dataclasses
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from kdworkbook.kern.errors import InputError
from kdworkbook.musterprozess import kennzahlen as musterprozess
from kdworkbook.musterprozess.laden import load_process, read_bpmn

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
    'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="D1" '
    'targetNamespace="http://bpmn.io/schema/bpmn">\n'
)
TAIL = "</bpmn:definitions>\n"


def write(tmp_path: Path, body: str, name: str = "p.bpmn") -> Path:
    path = tmp_path / name
    path.write_text(HEAD + body + TAIL, encoding="utf-8")
    return path


def props(**values: str) -> str:
    inner = "".join(f'<camunda:property name="{k}" value="{v}" />' for k, v in values.items())
    return (
        f"<bpmn:extensionElements><camunda:properties>{inner}</camunda:properties>"
        "</bpmn:extensionElements>"
    )


MINIMAL = """
<bpmn:process id="Mini" name="Mini-Prozess" isExecutable="false">
  <bpmn:startEvent id="Start" />
  <bpmn:task id="T1" name="Antrag prüfen">
    <bpmn:documentation>minuten: 5
medium: Papier
baustein: formell prüfen</bpmn:documentation>
  </bpmn:task>
  <bpmn:endEvent id="Ende" />
  <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="T1" />
  <bpmn:sequenceFlow id="F2" sourceRef="T1" targetRef="Ende" />
</bpmn:process>
"""


def test_minimal(tmp_path):
    p = read_bpmn(write(tmp_path, MINIMAL))
    assert p.name == "Mini-Prozess"
    assert [s.name for s in p.schritte.values()] == ["Antrag prüfen"]
    step = p.schritte["T1"]
    assert (step.minuten, step.medium, step.baustein) == (5, "Papier", "formell_pruefen")
    assert step.bahn == "Mini-Prozess"  # no lanes: the process is the one lane
    assert any("keine Art angegeben" in h for h in p.hinweise)  # reported, counted as Verwaltung
    k = musterprozess.key_figures(p)
    assert (k.schritte, k.verwaltung_min, k.durchlaufzeit_min) == (1, 5, 5)


def _lanes_and_gateways() -> str:
    return f"""
<bpmn:collaboration id="C1">
  <bpmn:participant id="Pool" name="Stadt" processRef="P1" />
</bpmn:collaboration>
<bpmn:process id="P1" isExecutable="false">
  <bpmn:laneSet id="LS">
    <bpmn:lane id="L1" name="Bürger">
      <bpmn:documentation>art: buerger</bpmn:documentation>
      <bpmn:flowNodeRef>Start</bpmn:flowNodeRef><bpmn:flowNodeRef>Antrag</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>Besuch</bpmn:flowNodeRef>
    </bpmn:lane>
    <bpmn:lane id="L2" name="Amt">
      {props(art="verwaltung")}
      <bpmn:flowNodeRef>X1</bpmn:flowNodeRef><bpmn:flowNodeRef>X2</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>Post</bpmn:flowNodeRef><bpmn:flowNodeRef>P1s</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>Erfassen</bpmn:flowNodeRef><bpmn:flowNodeRef>Kasse</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>P1j</bpmn:flowNodeRef><bpmn:flowNodeRef>Ende</bpmn:flowNodeRef>
    </bpmn:lane>
  </bpmn:laneSet>
  <bpmn:startEvent id="Start" />
  <bpmn:userTask id="Antrag" name="Antrag ausfüllen">
    {props(minuten="15", medium="Papier", baustein="antrag_stellen")}</bpmn:userTask>
  <bpmn:exclusiveGateway id="X1" name="Wie?" />
  <bpmn:manualTask id="Besuch" name="Vorsprache">
    {props(minuten="45", medium="persönlich", baustein="behoerdengang")}</bpmn:manualTask>
  <bpmn:receiveTask id="Post" name="Posteingang">
    {
        props(minuten="3", medium="Papier", baustein="dokument_entgegennehmen", wartezeit_tage="2")
    }</bpmn:receiveTask>
  <bpmn:exclusiveGateway id="X2" />
  <bpmn:parallelGateway id="P1s" />
  <bpmn:serviceTask id="Erfassen" name="Erfassen">
    {props(minuten="8", medium="Fachverfahren", baustein="daten_erfassen")}</bpmn:serviceTask>
  <bpmn:businessRuleTask id="Kasse" name="Sollstellung">
    {props(minuten="3", medium="Fachverfahren", baustein="zahlung")}</bpmn:businessRuleTask>
  <bpmn:parallelGateway id="P1j" />
  <bpmn:endEvent id="Ende" />
  <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Antrag" />
  <bpmn:sequenceFlow id="f2" sourceRef="Antrag" targetRef="X1" />
  <bpmn:sequenceFlow id="f3" sourceRef="X1" targetRef="Besuch">
    <bpmn:extensionElements><zeebe:properties><zeebe:property name="anteil" value="70 %" />
    </zeebe:properties></bpmn:extensionElements></bpmn:sequenceFlow>
  <bpmn:sequenceFlow id="f4" sourceRef="X1" targetRef="Post">
    <bpmn:documentation>anteil: 0,3</bpmn:documentation></bpmn:sequenceFlow>
  <bpmn:sequenceFlow id="f5" sourceRef="Besuch" targetRef="X2" />
  <bpmn:sequenceFlow id="f6" sourceRef="Post" targetRef="X2" />
  <bpmn:sequenceFlow id="f7" sourceRef="X2" targetRef="P1s" />
  <bpmn:sequenceFlow id="f8" sourceRef="P1s" targetRef="Erfassen" />
  <bpmn:sequenceFlow id="f9" sourceRef="P1s" targetRef="Kasse" />
  <bpmn:sequenceFlow id="f10" sourceRef="Erfassen" targetRef="P1j" />
  <bpmn:sequenceFlow id="f11" sourceRef="Kasse" targetRef="P1j" />
  <bpmn:sequenceFlow id="f12" sourceRef="P1j" targetRef="Ende" />
</bpmn:process>
"""


def test_lanes_and_gateways(tmp_path):
    p = read_bpmn(write(tmp_path, _lanes_and_gateways()))
    assert p.name == "Stadt"  # pool name, the process has none
    assert [(b.name, b.art) for b in p.bahnen] == [("Bürger", "buerger"), ("Amt", "verwaltung")]
    assert p.gateways == {"X1": "exklusiv", "X2": "exklusiv", "P1s": "parallel", "P1j": "parallel"}
    assert p.hinweise == ()
    k = musterprozess.key_figures(p)
    assert k.schritte == 5
    assert k.buerger_min == pytest.approx(46.5)  # 15 + 0,7 × 45
    assert k.verwaltung_min == pytest.approx(11.9)  # 0,3 × 3 + 8 + 3
    assert k.behoerdengaenge == pytest.approx(0.7)
    # longest path: 15 + max(45, 3 + 2 × 1.440) + max(8, 3) = 2.906
    assert k.durchlaufzeit_min == 2906
    # Antrag→Post 0,3 (Bürger→Amt) + Besuch→Erfassen 0,7 + Besuch→Kasse 0,7
    assert k.uebergaben == pytest.approx(1.7)
    # Besuch (persönlich) → Erfassen/Kasse (FV): 2 × 0,7; Post (Papier) → both: 2 × 0,3
    assert k.medienbrueche == pytest.approx(2.0)


def test_unsupported_elements_are_listed(tmp_path):
    body = f"""
<bpmn:process id="P" name="Mit Extras">
  <bpmn:startEvent id="S" />
  <bpmn:task id="A" name="Vorbereiten">{props(minuten="2", medium="Papier", baustein="vermerk")}
  </bpmn:task>
  <bpmn:subProcess id="Sub" name="Prüfung im Detail" />
  <bpmn:boundaryEvent id="B" attachedToRef="A" />
  <bpmn:task id="Z" name="Fertig">{props(minuten="1", medium="Papier", baustein="archivieren")}
  </bpmn:task>
  <bpmn:dataObjectReference id="D" name="Antrag" />
  <bpmn:textAnnotation id="N"><bpmn:text>Notiz</bpmn:text></bpmn:textAnnotation>
  <bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="A" />
  <bpmn:sequenceFlow id="f2" sourceRef="A" targetRef="Sub" />
  <bpmn:sequenceFlow id="f3" sourceRef="Sub" targetRef="Z" />
  <bpmn:sequenceFlow id="f4" sourceRef="B" targetRef="Z" />
</bpmn:process>
"""
    p = read_bpmn(write(tmp_path, body))
    warnings = [h for h in p.hinweise if h.startswith("Warnung")]
    text = "\n".join(warnings)
    assert (
        "subProcess „Prüfung im Detail“ (id Sub) (Teilprozess) enthält keine Aufgaben – als ein "
        "Schritt gezählt" in text
    )
    assert "boundaryEvent" in text and "dataObjectReference „Antrag“" in text
    assert "textAnnotation" in text and "sequenceFlow (id f4)" in text
    # the empty (collapsed) sub-process is one step without minutes: left out and named
    k = musterprozess.key_figures(p)
    assert (k.schritte, k.bearbeitungszeit_min, k.durchlaufzeit_min) == (3, 3, 3)
    assert k.luecken["bearbeitungszeit_min"].fehlend == ("Sub",)


def test_missing_values_reported_not_invented(tmp_path):
    body = MINIMAL.replace(
        '<bpmn:endEvent id="Ende" />',
        '<bpmn:userTask id="T2" name="Bescheid" /><bpmn:endEvent id="Ende" />',
    ).replace('sourceRef="T1" targetRef="Ende"', 'sourceRef="T1" targetRef="T2"')
    p = read_bpmn(write(tmp_path, body))
    assert p.schritte["T2"].minuten is None and p.schritte["T2"].medium is None
    k = musterprozess.key_figures(p)
    assert k.fehlende_angaben == 1
    assert {f: (g.angabe, g.fehlend, g.von) for f, g in k.luecken.items()} == {
        "bearbeitungszeit_min": ("minuten", ("T2",), 2),
        "verwaltung_min": ("minuten", ("T2",), 2),
        "durchlaufzeit_min": ("minuten", ("T2",), 2),
        "medienbrueche": ("medium", ("T2",), 2),
        "behoerdengaenge": ("baustein", ("T2",), 2),
    }
    assert (k.verwaltung_min, k.medienbrueche) == (5, 0)  # from T1 alone, the gap named


def test_loop_is_cut_with_warning(tmp_path):
    body = f"""
<bpmn:process id="P" name="Schleife">
  <bpmn:task id="A" name="Prüfen">{props(minuten="5", medium="Papier", baustein="formell_pruefen")}
  </bpmn:task>
  <bpmn:exclusiveGateway id="X" />
  <bpmn:task id="B" name="Nachfordern">{props(minuten="3", medium="Papier", baustein="rueckfrage")}
  </bpmn:task>
  <bpmn:endEvent id="E" />
  <bpmn:sequenceFlow id="f1" sourceRef="A" targetRef="X" />
  <bpmn:sequenceFlow id="f2" sourceRef="X" targetRef="B" />
  <bpmn:sequenceFlow id="f3" sourceRef="X" targetRef="E" />
  <bpmn:sequenceFlow id="f4" sourceRef="B" targetRef="A" />
</bpmn:process>
"""
    p = read_bpmn(write(tmp_path, body))
    assert any("Rücksprung von „B“ nach „A“" in h for h in p.hinweise)
    assert any("gleich verteilt" in h for h in p.hinweise)  # no shares at X
    assert musterprozess.key_figures(p).bearbeitungszeit_min == pytest.approx(6.5)  # 5 + 0,5 × 3


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '<bpmn:process id="P"><bpmn:task id="A"></bpmn:process>',
            "Zeile 3, Spalte 42: kein gültiges XML – das schließende Tag passt nicht",
        ),
        ("", "kein „bpmn:process“ gefunden"),
        (
            MINIMAL.replace('targetRef="Ende"', 'targetRef="Nirgends"'),
            "sequenceFlow (id F2): targetRef „Nirgends“ verweist auf kein bekanntes Element",
        ),
        (
            MINIMAL.replace("minuten: 5", "minuten: fünf"),
            "task „Antrag prüfen“ (id T1): minuten: „fünf“ ist keine Zahl",
        ),
        (
            MINIMAL.replace("medium: Papier", "medium: Fax"),
            "task „Antrag prüfen“ (id T1): unbekanntes Medium „Fax“",
        ),
        (
            MINIMAL.replace("baustein: formell prüfen", "baustein: formel prüfen"),
            "meinten Sie „formell prüfen“",
        ),
    ],
)
def test_malformed_bpmn(tmp_path, body, message):
    with pytest.raises(InputError) as info:
        read_bpmn(write(tmp_path, body))
    assert message in str(info.value)
    assert "p.bpmn" in str(info.value)


def test_not_bpmn_and_entity_expansion_refused(tmp_path):
    other = tmp_path / "x.bpmn"
    other.write_text('<?xml version="1.0"?><html><body/></html>', encoding="utf-8")
    with pytest.raises(InputError, match="keine BPMN-2.0-Datei"):
        read_bpmn(other)
    bomb = tmp_path / "bomb.bpmn"
    bomb.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">'
        '<bpmn:process id="P" name="&b;" /></bpmn:definitions>',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="DTD oder Entity-Definitionen"):
        read_bpmn(bomb)


def test_side_table_wins_and_unknown_entries_fail(tmp_path):
    write(tmp_path, MINIMAL, "mini.bpmn")
    side = tmp_path / "mini.yaml"
    side.write_text(
        "name: Mini mit Seitentabelle\nbpmn: mini.bpmn\nbahnen: [{name: Mini-Prozess}]\n"
        "angaben:\n  Antrag prüfen: {minuten: 7}\n"
        "unterlagen: [{name: Ausweis}]\n",
        encoding="utf-8",
    )
    p = load_process(side)
    assert p.name == "Mini mit Seitentabelle"
    assert p.schritte["T1"].minuten == 7 and p.schritte["T1"].medium == "Papier"
    assert [u.name for u in p.unterlagen] == ["Ausweis"]
    assert p.hinweise == ()  # the lane kind came from the YAML
    side.write_text(
        "name: X\nbpmn: mini.bpmn\nangaben:\n  Gibtsnicht: {minuten: 7}\n", encoding="utf-8"
    )
    with pytest.raises(InputError, match="„angaben“ für „Gibtsnicht“ – kein Schritt"):
        load_process(side)


def test_demo_bpmn_reads_cleanly():
    path = Path(__file__).resolve().parents[1] / "parameters" / "musterstadt"
    p = load_process(path / "hundesteuer_soll.yaml")
    assert len(p.schritte) == 12 and p.hinweise == ()
    assert {b.name: b.art for b in p.bahnen}["Online-Portal"] == "system"


# --- files as the modelling tools write them (tests/fixtures/bpmn, written in each tool's style) --

FIXTURES = Path(__file__).parent / "fixtures" / "bpmn"
NS = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
CONTAINERS = ("process", "subProcess", "adHocSubProcess", "transaction")
NO_NODE = ("laneSet", "documentation", "extensionElements", "incoming", "outgoing")


def lost(path: Path, p) -> list[str]:
    """Ids of flow elements of *path* that are neither a step, a gateway, a pass-through node
    nor named in a note – i.e. silently dropped. Sequence flows count when both ends are known."""
    text = "\n".join(p.hinweise)
    nodes = set(p.schritte) | set(p.gateways) | set(p.knoten)
    missing = []

    def walk(container: ET.Element, warned: bool) -> None:
        for child in container:
            kind, node_id = child.tag.removeprefix(NS), child.get("id", "")
            named = f"(id {node_id})" in text
            if kind in NO_NODE:
                continue
            if kind == "sequenceFlow":
                ends = {child.get("sourceRef"), child.get("targetRef")}
                if not (
                    named or warned or ends <= nodes | {k.removesuffix("#ende") for k in nodes}
                ):
                    missing.append(node_id)
                continue
            is_task = kind.endswith("Task") or kind in ("task", "callActivity")
            if not (node_id in nodes or named or (warned and not is_task)):
                missing.append(node_id)
            if kind in CONTAINERS:
                walk(child, warned or named)

    for process in ET.parse(path).getroot().iter(NS + "process"):
        walk(process, False)
    return missing


@pytest.mark.parametrize(
    ("name", "steps", "lanes", "figures"),
    [
        (
            "camunda7_gewerbeanmeldung.bpmn",
            [
                "Gewerbeanmeldung online ausfüllen",
                "Angaben formell prüfen",
                "Gewerberegister abfragen",
                "Über Anmeldung entscheiden",
                "Gewerbeschein zustellen",
            ],
            {"Antragsteller": "buerger", "Gewerbeamt": "verwaltung"},
            # Verwaltung 5 + 0 + 6 + 4; Bürger 20; all digital; one hand-over Bürger → Amt
            (15, 20, 35, 0, 1),
        ),
        (
            "camunda8_hundesteuer.bpmn",
            [
                "Antragsdaten übernehmen",
                "Sachkundenachweis prüfen",
                "Rasseliste abgleichen",
                "Zahlung abwickeln",
                "Bescheid versenden",
            ],
            {"Hundesteuer Anmeldung": "verwaltung"},
            # 0 + 3 + 2 + 2, the call activity has no minutes (left out, named)
            (7, 0, 7, 0, 0),
        ),
        (
            "bpmnio_reisepass.bpmn",
            [
                "Termin online buchen",
                "Vorsprache im Bürgerbüro",
                "Antragsdaten erfassen",
                "Unterlagen telefonisch nachfordern",
                "Pass bei der Bundesdruckerei bestellen",
            ],
            {"Antragsteller (Bürger)": "buerger", "Bürgerbüro": "verwaltung"},
            # Verwaltung 10 + 0,2 × 5 + 8 = 19; Bürger 5 + 30; Durchlauf 53 + 0,2-Zweig 5 + 3 Tage;
            # Medienbrüche Portal→persönlich 1, persönlich→FV 1, FV→Telefon→FV 2 × 0,2
            (19, 35, 4378, 2.4, 1),
        ),
        (
            "signavio_wohngeld.bpmn",
            [
                "Wohngeldantrag auf Papier stellen",
                "Einkommen prüfen",
                "Miethöhe prüfen",
                "Wohngeld berechnen",
                "Bescheid erstellen",
            ],
            {"Antragsteller": "buerger", "Stadt Beispiel – Wohngeldstelle": "verwaltung"},
            # 20 + 10 + 12 (Miethöhe prüfen without minutes); one break Papier → Fachverfahren
            (42, 30, 72, 1, 1),
        ),
        (
            "bizagi_bauantrag.bpmn",
            [
                "Bauantrag einreichen",
                "Vollständigkeit prüfen",
                "Stellungnahmen einholen",
                "Gebühr berechnen",
                "Gebühr anfordern",
                "Baugenehmigung erteilen",
            ],
            {"Antragsteller": "buerger", "Sachbearbeitung Bauaufsicht": "verwaltung"},
            # 30 + 45 + 10 + 5 + 40; Durchlauf 190 + 14 Tage; Papier→E-Mail, FV→Papier
            (130, 60, 20350, 2, 1),
        ),
        (
            "activiti_fischereischein.bpmn20.xml",
            [
                "Antrag aufnehmen",
                "Prüfungszeugnis abrufen",
                "Schein drucken",
                "Schein aushändigen",
                "Gebühr zahlen",
            ],
            {"Fischereischein Ausstellung": "verwaltung"},
            # 10 + 0 + 3 + 2, call activity without values; persönlich→Register, Register→Papier
            (15, 0, 15, 2, 0),
        ),
    ],
)
def test_dialect_fixtures(name, steps, lanes, figures):
    path = FIXTURES / name
    p = load_process(path)
    assert [p.schritte[s].name for s in musterprozess.numbered_steps(p)] == steps
    assert {b.name: b.art for b in p.bahnen} == lanes
    k = musterprozess.key_figures(p)
    assert k.schritte == len(steps)
    assert (
        k.verwaltung_min,
        k.buerger_min,
        k.durchlaufzeit_min,
        k.medienbrueche,
        k.uebergaben,
    ) == pytest.approx(figures)
    assert lost(path, p) == []
    first = next(iter(p.schritte))  # the check itself notices a dropped step
    assert lost(path, dataclasses.replace(p, schritte={first: p.schritte[first]})) != []


def test_camunda7_nested_subprocesses_and_event_subprocess():
    p = load_process(FIXTURES / "camunda7_gewerbeanmeldung.bpmn")
    groups = {s.name: s.gruppe for s in p.schritte.values()}
    assert groups["Angaben formell prüfen"] == "Prüfung"
    assert groups["Über Anmeldung entscheiden"] == "Prüfung › Inhaltliche Prüfung"
    assert groups["Gewerbeanmeldung online ausfüllen"] is None
    # inner tasks are not listed in a lane: they sit in the sub-process's lane
    assert p.schritte["Activity_1register"].bahn == "Gewerbeamt"
    text = "\n".join(p.hinweise)
    assert (
        "Ereignis-Teilprozess" in text
        and "„Verfahren einstellen“ (id Activity_1einstellen)" in text
    )
    assert "boundaryEvent „14 Tage ohne Entscheidung“" in text
    assert p.name == "Stadt Beispiel"  # the process has no name: the pool's


def test_camunda8_adhoc_and_call_activity():
    p = load_process(FIXTURES / "camunda8_hundesteuer.bpmn")
    assert p.name == "Hundesteuer Anmeldung"  # „Hundesteuer&#10;Anmeldung“
    text = "\n".join(p.hinweise)
    assert "Aufgaben ohne Reihenfolge – in der Reihenfolge der Datei nacheinander" in text
    assert (
        "Warnung: callActivity „Zahlung abwickeln“ (id Activity_Zahlung) (Aufruf eines anderen "
        "Prozesses „epayment-zahlung“)" in text
    )
    gap = musterprozess.key_figures(p).luecken["verwaltung_min"]
    assert (gap.fehlend, gap.von, gap.alle) == (("Activity_Zahlung",), 5, False)


def test_signavio_unnamed_lane_and_meta_data():
    p = load_process(FIXTURES / "signavio_wohngeld.bpmn")
    assert not any(b.name.startswith("sid-") for b in p.bahnen)
    assert any("Bahn ohne Namen (id sid-E391B624" in h for h in p.hinweise)
    # signavioMetaData carries the values; an empty metaValue is „no value“, not 0
    assert p.schritte["sid-C3D4E5F6-A7B8-49C0-D1E2-F3A4B5C6D7E8"].minuten == 30
    assert p.schritte["sid-B2C3D4E5-F607-4819-8ABC-DEF012345679"].minuten is None
    assert p.schritte["sid-B2C3D4E5-F607-4819-8ABC-DEF012345679"].gruppe == "Anspruch prüfen"


def test_bizagi_transaction_and_annotation():
    p = load_process(FIXTURES / "bizagi_bauantrag.bpmn")
    assert {s.gruppe for s in p.schritte.values()} == {None, "Gebühr buchen"}
    assert sum("wird nicht ausgewertet" in h for h in p.hinweise) == 2  # annotation, association
    assert p.hinweise and all("BizagiProperty" not in h for h in p.hinweise)


def test_activiti_form_property_is_no_value():
    p = load_process(FIXTURES / "activiti_fischereischein.bpmn20.xml")
    # <activiti:formProperty id="minuten" name="minuten"> is a form field, not a value
    assert p.schritte["usertask1"].minuten == 10
    assert any("„gebuehrenzahlung“" in h for h in p.hinweise)


@pytest.mark.parametrize("suffix", [".bpmn2", ".xml", ".BPMN", ".bpmn20.xml"])
def test_file_names_tools_write(tmp_path, suffix):
    path = tmp_path / f"modell{suffix}"
    path.write_bytes((FIXTURES / "camunda7_gewerbeanmeldung.bpmn").read_bytes())
    assert len(load_process(path).schritte) == 5


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "pom.xml",
            '<?xml version="1.0"?><project xmlns="http://maven.apache.org/POM/4.0.0"/>',
            "gefunden: „project“ im Namensraum „http://maven.apache.org/POM/4.0.0“",
        ),
        (
            "dienst.xml",
            '<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" name="Dienst"/>',
            "gefunden: „definitions“ im Namensraum „http://schemas.xmlsoap.org/wsdl/“",
        ),
        (
            "prozess.bpmn2",
            "name: kein XML\nschritte: []\n",
            "kein gültiges XML – die Datei ist kein",
        ),
    ],
)
def test_non_bpmn_refused(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_process(path)
    assert message in str(info.value) and name in str(info.value)


def test_only_tasks_in_a_sub_process_are_steps(tmp_path):
    body = f"""
<bpmn:process id="P" name="Nur Teilprozess">
  <bpmn:startEvent id="S" />
  <bpmn:subProcess id="Sub" name="Bearbeitung">
    <bpmn:task id="A" name="Prüfen">
      {props(minuten="4", medium="Papier", baustein="formell_pruefen")}</bpmn:task>
  </bpmn:subProcess>
  <bpmn:endEvent id="E" />
  <bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="Sub" />
  <bpmn:sequenceFlow id="f2" sourceRef="Sub" targetRef="E" />
</bpmn:process>
"""
    p = read_bpmn(write(tmp_path, body))
    assert list(p.schritte) == ["A"] and p.schritte["A"].gruppe == "Bearbeitung"
    assert musterprozess.key_figures(p).verwaltung_min == 4


def test_line_breaks_and_unnamed_lanes(tmp_path):
    body = """
<bpmn:collaboration id="C"><bpmn:participant id="Pool" name="Ordnungs-&#10;amt" processRef="P" />
</bpmn:collaboration>
<bpmn:process id="P">
  <bpmn:laneSet id="LS">
    <bpmn:lane id="sid-E391B624-0000"><bpmn:flowNodeRef>A</bpmn:flowNodeRef></bpmn:lane>
    <bpmn:lane id="sid-E391B624-0001"><bpmn:flowNodeRef>B</bpmn:flowNodeRef></bpmn:lane>
  </bpmn:laneSet>
  <bpmn:task id="A" name="Anzeige&#10;aufnehmen" />
  <bpmn:task id="B" name="Bußgeld  festsetzen" />
  <bpmn:sequenceFlow id="f" sourceRef="A" targetRef="B" />
</bpmn:process>
"""
    p = read_bpmn(write(tmp_path, body))
    assert [b.name for b in p.bahnen] == ["Ordnungs- amt, Bahn 1", "Ordnungs- amt, Bahn 2"]
    assert [s.name for s in p.schritte.values()] == ["Anzeige aufnehmen", "Bußgeld festsetzen"]


def test_side_table_by_id_and_by_name(tmp_path):
    body = MINIMAL.replace(
        '<bpmn:endEvent id="Ende" />',
        '<bpmn:task id="T2" name="Bescheid&#10;erstellen" /><bpmn:endEvent id="Ende" />',
    ).replace('sourceRef="T1" targetRef="Ende"', 'sourceRef="T1" targetRef="T2"')
    write(tmp_path, body, "mini.bpmn")
    side = tmp_path / "mini.yaml"
    side.write_text(
        "name: Mini\nbpmn: mini.bpmn\nangaben:\n"
        "  T2: {minuten: 6}\n"
        "  Bescheid erstellen: {medium: Fachverfahren, baustein: bescheid_erstellen}\n"
        "  Antrag prüfen: {minuten: 7}\n",
        encoding="utf-8",
    )
    p = load_process(side)
    step = p.schritte["T2"]
    assert (step.minuten, step.medium, step.baustein) == (6, "Fachverfahren", "bescheid_erstellen")
    assert p.schritte["T1"].minuten == 7
    side.write_text(
        "name: Mini\nbpmn: mini.bpmn\nangaben:\n  T2: {minuten: 6}\n"
        "  Bescheid erstellen: {minuten: 8}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="„T2“ und „Bescheid erstellen“ meinen denselben Schritt"):
        load_process(side)


def test_side_table_ambiguous_name(tmp_path):
    body = MINIMAL.replace(
        '<bpmn:endEvent id="Ende" />',
        '<bpmn:task id="T2" name="Antrag prüfen" /><bpmn:endEvent id="Ende" />',
    ).replace('sourceRef="T1" targetRef="Ende"', 'sourceRef="T1" targetRef="T2"')
    write(tmp_path, body, "mini.bpmn")
    side = tmp_path / "mini.yaml"
    side.write_text(
        "name: Mini\nbpmn: mini.bpmn\nangaben:\n  Antrag prüfen: {minuten: 6}\n", encoding="utf-8"
    )
    with pytest.raises(InputError) as info:
        load_process(side)
    assert "„Antrag prüfen“ – der Name passt auf 2 Schritte (id T1, T2)" in str(info.value)
