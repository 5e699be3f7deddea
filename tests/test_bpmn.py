"""BPMN 2.0 import: fixtures written here, in the shape Camunda Modeler / bpmn.io save them."""

from pathlib import Path

import pytest

from kdworkbook import musterprozess
from kdworkbook.bpmn import read_bpmn
from kdworkbook.errors import InputError
from kdworkbook.prozessmodell import load_process

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
    assert any(
        "userTask „Bescheid“ (id T2): keine Angabe zu minuten, medium, baustein" in h
        for h in p.hinweise
    )
    assert musterprozess.key_figures(p).fehlende_angaben == 1


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
