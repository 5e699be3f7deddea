"""BPMN 2.0 vocabulary and safe XML reading for :mod:`kdworkbook.musterprozess.bpmn`.

The element names the import knows, the file names tools write, German messages for broken
XML, cleaned names (line breaks → spaces) and the key/value pairs tools attach to elements
(Camunda/Zeebe properties, Signavio meta data, Bizagi properties, documentation lines).
Parsing uses ``defusedxml``: entity expansion and external references are refused.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from kdworkbook.kern.errors import InputError

MAX_BYTES = 5_000_000
BPMN_NAMESPACE = "http://www.omg.org/spec/BPMN/20100524/MODEL"
#: File names BPMN tools write (Camunda/bpmn.io/Signavio/Bizagi: .bpmn; Activiti/Flowable:
#: .bpmn20.xml; Eclipse BPMN2 modeler: .bpmn2; others: .xml – the content decides).
SUFFIXES = (".bpmn", ".bpmn20.xml", ".bpmn2", ".xml")
TASKS = frozenset(
    {
        "task",
        "userTask",
        "manualTask",
        "serviceTask",
        "sendTask",
        "receiveTask",
        "scriptTask",
        "businessRuleTask",
    }
)
SUBPROCESSES = {
    "subProcess": "Teilprozess",
    "adHocSubProcess": "Ad-hoc-Teilprozess",
    "transaction": "Transaktion",
}
GATEWAYS = {"exclusiveGateway": "exklusiv", "parallelGateway": "parallel"}
EVENTS = frozenset({"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent"})
#: Elements inside a process that carry no flow of their own and need no warning.
QUIET = frozenset(
    {
        "laneSet",
        "documentation",
        "extensionElements",
        "sequenceFlow",
        "incoming",
        "outgoing",
        "ioSpecification",
        "property",
        "dataInputAssociation",
        "dataOutputAssociation",
    }
)
#: Readable names for the warning about unsupported elements.
NAMES = {
    "inclusiveGateway": "inklusives Gateway (ODER)",
    "eventBasedGateway": "ereignisbasiertes Gateway",
    "complexGateway": "komplexes Gateway",
    "boundaryEvent": "angeheftetes Ereignis",
    "dataObject": "Datenobjekt",
    "dataObjectReference": "Datenobjekt",
    "dataStoreReference": "Datenspeicher",
    "textAnnotation": "Textanmerkung",
    "association": "Assoziation",
    "group": "Gruppe",
    "messageFlow": "Nachrichtenfluss",
}
#: Unsupported nodes that still sit in the flow: kept as pass-through so the graph holds.
PASS_THROUGH = frozenset({"inclusiveGateway", "eventBasedGateway", "complexGateway"})
LOOPS = ("multiInstanceLoopCharacteristics", "standardLoopCharacteristics")
NO_LANE = "(ohne Bahn)"
EXIT = "#ende"  # suffix of the pass-through node that closes a sub-process
#: expat's messages → German.
_XML_ERRORS = {
    "mismatched tag": "das schließende Tag passt nicht zum geöffneten Element",
    "no element found": "die Datei endet, bevor alle Elemente geschlossen sind",
    "not well-formed": "ungültiges Zeichen (z. B. ein unmaskiertes „&“ oder „<“)",
    "unclosed token": "ein Tag oder Attribut ist nicht geschlossen",
    "junk after document element": "nach dem Wurzelelement folgt weiterer Inhalt",
    "duplicate attribute": "ein Attribut steht doppelt",
    "unbound prefix": "ein Namensraum-Präfix ist nicht deklariert",
    "syntax error": "die Datei ist kein XML (sie beginnt nicht mit „<“)",
}


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def children(element: Element, name: str) -> list[Element]:
    return [c for c in element if local(c.tag) == name]


def clean(text: str | None) -> str:
    """Name as shown: line breaks (``&#10;`` in Signavio and bpmn.io) and runs of spaces → one
    space."""
    return " ".join((text or "").split())


def name_of(element: Element) -> str:
    return clean(element.get("name"))


def describe(element: Element) -> str:
    kind = local(element.tag)
    name = name_of(element)
    label = f"{kind} „{name}“" if name else kind
    return f"{label} (id {element.get('id', '?')})"


def properties(element: Element) -> dict[str, str]:
    """Key/value pairs from extension properties and documentation lines (properties win)."""
    found: dict[str, str] = {}
    for doc in children(element, "documentation"):
        for line in (doc.text or "").splitlines():
            key, sep, value = line.partition(":")
            if sep and key.strip() and value.strip():
                found[key.strip().casefold()] = value.strip()
    for ext in children(element, "extensionElements"):
        for prop in ext.iter():
            kind = local(prop.tag).casefold()
            if kind in ("property", "bizagiproperty") and prop.get("name"):
                key, value = prop.get("name", ""), prop.get("value")
            elif kind == "signaviometadata" and prop.get("metaKey"):
                key, value = prop.get("metaKey", ""), prop.get("metaValue")
            else:
                continue
            if (value or "").strip():
                found[key.strip().casefold()] = (value or "").strip()
    return found


def number(value: str, what: str) -> float:
    text = value.replace("%", "").replace(",", ".").strip()
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"{what}: „{value}“ ist keine Zahl") from None
    if number < 0:
        raise ValueError(f"{what}: „{value}“ darf nicht negativ sein")
    return number / 100 if "%" in value else number


def parse(raw: bytes, path: Path) -> Element:
    """The checked root element of the BPMN file's bytes (*path* names it in messages)."""
    if len(raw) > MAX_BYTES:
        raise InputError(f"{path}: Datei ist mit {len(raw)} Bytes zu groß für eine BPMN-Datei.")
    try:
        root = fromstring(raw, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise InputError(
            f"{path}: Die Datei enthält eine DTD oder Entity-Definitionen ({type(exc).__name__}) –"
            " das ist in BPMN-Dateien nicht üblich und wird aus Sicherheitsgründen abgelehnt."
        ) from None
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raw_msg = str(exc).split(":")[0]
        german = next((g for e, g in _XML_ERRORS.items() if raw_msg.startswith(e)), raw_msg)
        raise InputError(
            f"{path}, Zeile {line}, Spalte {column + 1}: kein gültiges XML – {german}."
        ) from None
    space = namespace(root.tag)
    if local(root.tag) != "definitions" or space != BPMN_NAMESPACE:
        found = f"„{local(root.tag)}“" + (f" im Namensraum „{space}“" if space else "")
        raise InputError(
            f"{path}: keine BPMN-2.0-Datei – erwartet wird das Wurzelelement "
            f"„definitions“ im Namensraum „{BPMN_NAMESPACE}“, gefunden: {found}. Bitte das "
            "Modell im Modellierungswerkzeug als BPMN 2.0 (XML) exportieren."
        )
    return root


def has_tasks(element: Element) -> bool:
    return any(
        local(e.tag) in TASKS or local(e.tag) == "callActivity"
        for e in element.iter()
        if e is not element
    )
