"""The YAML process format: one failure test per rule, each message naming file and step."""

import pytest

from kdworkbook.kern.errors import InputError
from kdworkbook.musterprozess.laden import load_process
from kdworkbook.musterprozess.modell import katalog

GOOD = """
name: Test
bahnen: [{name: Bürger, art: buerger}, {name: Amt}]
schritte:
  - {name: Antrag, bahn: Bürger, baustein: antrag_stellen, medium: Papier, minuten: 10}
  - {name: Prüfen, bahn: Amt, baustein: formell_pruefen, medium: Papier, minuten: 5}
"""


def load(tmp_path, body):
    path = tmp_path / "prozess.yaml"
    path.write_text(body, encoding="utf-8")
    return load_process(path)


def test_catalogue_documented():
    kat = katalog()
    assert len(kat.bausteine) >= 20
    assert all(b["beschreibung"] and b["gruppe"] for b in kat.bausteine.values())
    assert kat.baustein("Daten erfassen/in EDV übernehmen") == "daten_erfassen"
    assert kat.medium("e-mail") == "E-Mail"
    assert kat.is_visit("behoerdengang") and not kat.is_visit("versand")


def test_good_file(tmp_path):
    p = load(tmp_path, GOOD)
    assert [s.name for s in p.schritte.values()] == ["Antrag", "Prüfen"]
    assert p.quelle == "prozess.yaml"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("minuten: 5}", "minuten: viel}", "Schritt 2 „Prüfen“ → minuten: erwartet eine Zahl"),
        ("minuten: 5}", "minuten: -1}", "Schritt 2 „Prüfen“ → minuten: erwartet eine Zahl ≥ 0"),
        ("formell_pruefen", "formel prüfen", "unbekannter Baustein „formel prüfen“ – meinten Sie"),
        ("medium: Papier, minuten: 5", "medium: Fax, minuten: 5", "unbekanntes Medium „Fax“"),
        ("bahn: Amt,", "bahn: Ammt,", "Schritt „Prüfen“: Bahn „Ammt“ steht nicht in „bahnen“"),
        ("minuten: 5}", "minuten: 5, dauer: 3}", "Schritt 2 „Prüfen“ → dauer: ist kein bekannter"),
        ("{name: Amt}", "{name: Amt, art: extern}", "bahnen → 2 „Amt“ → art"),
        ("name: Test\n", "", "name: fehlt"),
    ],
)
def test_invalid_step(tmp_path, old, new, message):
    assert old in GOOD
    with pytest.raises(InputError) as info:
        load(tmp_path, GOOD.replace(old, new, 1))
    assert "prozess.yaml" in str(info.value)
    assert message in str(info.value)


def test_alternative_shares_must_add_up(tmp_path):
    body = GOOD + (
        "  - alternativ:\n"
        "      - anteil: 0.5\n        schritte: [{name: A, bahn: Amt, baustein: vermerk,"
        " medium: Papier, minuten: 1}]\n"
        "      - anteil: 0.2\n        schritte: [{name: B, bahn: Amt, baustein: vermerk,"
        " medium: Papier, minuten: 1}]\n"
    )
    with pytest.raises(InputError, match="Schritt 3: die Anteile der Zweige ergeben 0,70 statt 1"):
        load(tmp_path, body)


def test_nested_step_named_in_parallel_branch(tmp_path):
    body = GOOD + (
        "  - parallel:\n"
        "      - - {name: A, bahn: Amt, baustein: vermerk, medium: Papier, minuten: 1}\n"
        "      - - {name: B, bahn: Amt, baustein: vermerk, medium: Papier, minuten: x}\n"
    )
    with pytest.raises(InputError, match="Schritt 3 → Zweig 2 → Schritt 1 „B“ → minuten"):
        load(tmp_path, body)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("name: X\nbahnen: [{name: A}]\n", "erwartet entweder „schritte“ (Liste) oder „bpmn“"),
        (
            "name: X\nschritte:\n  - {name: A, bahn: A, baustein: vermerk, medium: Papier, "
            "minuten: 1}\n",
            "„bahnen“ fehlt",
        ),
        ("name: X\nbpmn: fehlt.bpmn\n", "Schlüssel „bpmn“: Datei „fehlt.bpmn“ nicht gefunden"),
        (
            GOOD + "unterlagen: [{name: Ausweis, abruf: true}]\n",
            "„abruf: true“ setzt „once_only: true“ voraus",
        ),
        ("name: [\n", "Zeile"),
    ],
)
def test_invalid_file(tmp_path, body, message):
    with pytest.raises(InputError) as info:
        load(tmp_path, body)
    assert message in str(info.value)
