"""BPMN 2.0 import (Camunda Modeler, bpmn.io and other tools) into a :class:`Prozess`.

Read: every task type (task, userTask, manualTask, serviceTask, sendTask, receiveTask,
scriptTask, businessRuleTask, callActivity) as a step; lanes (and pools without lanes);
sequence flows; exclusive and parallel gateways; start, end and intermediate events as
pass-through nodes. Everything else in a process (sub-processes, inclusive/event gateways,
boundary events, data objects, annotations, message flows …) is listed in ``hinweise`` with a
warning – never dropped silently. The diagram layout (``bpmndi``) is not needed and ignored.

Where the numbers come from, first match wins:

1. the side table ``angaben`` of a YAML file wrapping the BPMN (key: element id or name);
2. extension properties of the element – ``camunda:properties`` or ``zeebe:properties``
   (Camunda Modeler: „Extension properties“), e.g. ``<camunda:property name="minuten"
   value="5"/>``;
3. lines ``schlüssel: wert`` in the element's documentation (``bpmn:documentation``).

Keys: ``minuten`` (processing minutes per case), ``wartezeit_tage`` (calendar days),
``medium``, ``baustein`` on tasks; ``art`` (buerger/verwaltung/system) on lanes and pools;
``anteil`` (share of cases, 0–1 or „60 %“) on sequence flows leaving an exclusive gateway.
Missing minutes, media and building blocks are reported, never invented. Parsing uses
``defusedxml``: entity expansion and external references are refused.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from kdworkbook.errors import InputError
from kdworkbook.prozessmodell import (
    LANE_KINDS,
    Bahn,
    Kante,
    Prozess,
    ProzessdateiModell,
    Schritt,
    katalog,
)

MAX_BYTES = 5_000_000
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
        "callActivity",
    }
)
GATEWAYS = {"exclusiveGateway": "exklusiv", "parallelGateway": "parallel"}
EVENTS = frozenset({"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent"})
#: Elements inside a process that carry no flow of their own and need no warning.
QUIET = frozenset({"laneSet", "documentation", "extensionElements", "sequenceFlow"})
#: Readable names for the warning about unsupported elements.
NAMES = {
    "subProcess": "Teilprozess",
    "adHocSubProcess": "Ad-hoc-Teilprozess",
    "transaction": "Transaktion",
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
PASS_THROUGH = frozenset(
    {
        "subProcess",
        "adHocSubProcess",
        "transaction",
        "inclusiveGateway",
        "eventBasedGateway",
        "complexGateway",
    }
)
NO_LANE = "(ohne Bahn)"
#: expat's messages → German.
_XML_ERRORS = {
    "mismatched tag": "das schließende Tag passt nicht zum geöffneten Element",
    "no element found": "die Datei endet, bevor alle Elemente geschlossen sind",
    "not well-formed": "ungültiges Zeichen (z. B. ein unmaskiertes „&“ oder „<“)",
    "unclosed token": "ein Tag oder Attribut ist nicht geschlossen",
    "junk after document element": "nach dem Wurzelelement folgt weiterer Inhalt",
    "duplicate attribute": "ein Attribut steht doppelt",
    "unbound prefix": "ein Namensraum-Präfix ist nicht deklariert",
}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: Element, name: str) -> list[Element]:
    return [c for c in element if _local(c.tag) == name]


def _describe(element: Element) -> str:
    kind = _local(element.tag)
    name = element.get("name")
    label = f"{kind} „{name}“" if name else kind
    return f"{label} (id {element.get('id', '?')})"


def properties(element: Element) -> dict[str, str]:
    """Key/value pairs from extension properties and documentation lines (properties win)."""
    found: dict[str, str] = {}
    for doc in _children(element, "documentation"):
        for line in (doc.text or "").splitlines():
            key, sep, value = line.partition(":")
            if sep and key.strip() and value.strip():
                found[key.strip().casefold()] = value.strip()
    for ext in _children(element, "extensionElements"):
        for prop in ext.iter():
            if _local(prop.tag) == "property" and prop.get("name"):
                found[prop.get("name", "").strip().casefold()] = (prop.get("value") or "").strip()
    return found


def _number(value: str, what: str) -> float:
    text = value.replace("%", "").replace(",", ".").strip()
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"{what}: „{value}“ ist keine Zahl") from None
    if number < 0:
        raise ValueError(f"{what}: „{value}“ darf nicht negativ sein")
    return number / 100 if "%" in value else number


def _parse(path: Path) -> Element:
    raw = path.read_bytes()
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
    if _local(root.tag) != "definitions":
        raise InputError(
            f"{path}: keine BPMN-2.0-Datei – erwartet wird das Wurzelelement "
            f"„bpmn:definitions“, gefunden: „{_local(root.tag)}“."
        )
    return root


class _Reader:
    """Collects nodes, lanes and flows of all processes of one BPMN file."""

    def __init__(self, path: Path, side: ProzessdateiModell | None, side_name: str) -> None:
        self.path, self.side, self.side_name = path, side, side_name
        self.kat = katalog()
        self.steps: dict[str, Schritt] = {}
        self.gateways: dict[str, str] = {}
        self.passes: list[str] = []
        self.flows: list[tuple[Element, str, str]] = []
        self.lane_of: dict[str, str] = {}
        self.lanes: dict[str, Element | None] = {}
        self.notes: list[str] = []
        self.errors: list[str] = []
        self.used_side: set[str] = set()
        self.ignored: set[str] = set()  # ids of unsupported elements (already warned about)

    # values: side table > extension properties > documentation
    def _values(self, element: Element) -> dict[str, Any]:
        values: dict[str, Any] = dict(properties(element))
        if self.side:
            for key in (element.get("id", ""), element.get("name", "")):
                entry = self.side.angaben.get(key)
                if key and entry:
                    self.used_side.add(key)
                    values |= {k: v for k, v in entry.model_dump().items() if v is not None}
                    break
        return values

    def task(self, element: Element, process_lane: str) -> None:
        node_id, name = element.get("id", ""), (element.get("name") or "").strip()
        label = _describe(element)
        values = self._values(element)
        try:
            minutes = _number(str(values["minuten"]), "minuten") if "minuten" in values else None
            wait = _number(str(values.get("wartezeit_tage", 0)), "wartezeit_tage")
            block = self.kat.baustein(str(values["baustein"])) if "baustein" in values else None
            medium = self.kat.medium(str(values["medium"])) if "medium" in values else None
        except ValueError as exc:
            self.errors.append(f"{label}: {exc}")
            return
        missing = [
            key
            for key, value in (("minuten", minutes), ("medium", medium), ("baustein", block))
            if value is None
        ]
        if missing:
            self.notes.append(f"{label}: keine Angabe zu {', '.join(missing)} – nicht mitgezählt")
        lane = self.lane_of.get(node_id, process_lane)
        self.steps[node_id] = Schritt(node_id, name or node_id, lane, block, medium, minutes, wait)

    def process(self, process: Element, pool: str | None) -> None:
        for lane_set in _children(process, "laneSet"):
            for lane in lane_set.iter():
                if _local(lane.tag) == "lane":
                    lane_name = (lane.get("name") or lane.get("id") or NO_LANE).strip()
                    self.lanes.setdefault(lane_name, lane)
                    for ref in _children(lane, "flowNodeRef"):
                        self.lane_of.setdefault((ref.text or "").strip(), lane_name)
        fallback = pool or (process.get("name") or "").strip() or NO_LANE
        for element in process:
            kind = _local(element.tag)
            node_id = element.get("id", "")
            if kind in TASKS:
                if node_id not in self.lane_of:
                    self.lanes.setdefault(fallback, None)
                self.task(element, fallback)
            elif kind in GATEWAYS:
                self.gateways[node_id] = GATEWAYS[kind]
            elif kind in EVENTS:
                self.passes.append(node_id)
                if kind.startswith("intermediate") and any(
                    _local(c.tag) == "timerEventDefinition" for c in element
                ):
                    self.notes.append(
                        f"{_describe(element)}: Zeitereignis – Wartezeit bitte als "
                        "„wartezeit_tage“ am Schritt davor angeben; nicht mitgezählt"
                    )
            elif kind == "sequenceFlow":
                self.flows.append(
                    (element, element.get("sourceRef", ""), element.get("targetRef", ""))
                )
            elif kind in QUIET:
                continue
            else:
                what = NAMES.get(kind, kind)
                if kind in PASS_THROUGH:
                    self.passes.append(node_id)
                    self.notes.append(
                        f"Warnung: {_describe(element)} ({what}) wird nicht unterstützt – "
                        "als einfacher Durchgang ohne Zeiten behandelt"
                    )
                else:
                    self.ignored.add(node_id)
                    self.notes.append(
                        f"Warnung: {_describe(element)} ({what}) wird nicht ausgewertet"
                    )

    def edges(self) -> list[Kante]:
        nodes = set(self.steps) | set(self.gateways) | set(self.passes)
        edges = []
        for element, source, target in self.flows:
            if source in self.ignored or target in self.ignored:
                self.notes.append(
                    f"Warnung: {_describe(element)} hängt an einem nicht ausgewerteten Element "
                    "– nicht mitgezählt"
                )
                continue
            for ref, role in ((source, "sourceRef"), (target, "targetRef")):
                if ref not in nodes:
                    self.errors.append(
                        f"{_describe(element)}: {role} „{ref}“ verweist auf kein bekanntes "
                        "Element dieses Prozesses"
                    )
            share = None
            values = self._values(element)
            if "anteil" in values:
                try:
                    share = _number(str(values["anteil"]), "anteil")
                    share = share / 100 if share > 1 else share
                except ValueError as exc:
                    self.errors.append(f"{_describe(element)}: {exc}")
            edges.append(Kante(source, target, share))
        return edges

    def lane_list(self) -> tuple[Bahn, ...]:
        declared = {b.name: b.art for b in self.side.bahnen} if self.side else {}
        used = {s.bahn for s in self.steps.values()}
        lanes = []
        for name, element in self.lanes.items():
            if name not in used and element is None:
                continue
            kind = declared.get(name) or (
                properties(element).get("art") if element is not None else None
            )
            if kind is None:
                kind = "verwaltung"
                self.notes.append(
                    f"Bahn „{name}“: keine Art angegeben (art: buerger/verwaltung/system) – "
                    "als Verwaltung gezählt"
                )
            elif kind not in LANE_KINDS:
                self.errors.append(
                    f"Bahn „{name}“: Art „{kind}“ unbekannt – erwartet: {', '.join(LANE_KINDS)}"
                )
            lanes.append(Bahn(name, kind))
        return tuple(lanes)


def _split_shares(edges: list[Kante], gateways: dict[str, str], notes: list[str]) -> list[Kante]:
    """Every flow leaving an exclusive split gets a share; missing shares are split evenly."""
    result = list(edges)
    for gw, kind in gateways.items():
        outgoing = [i for i, e in enumerate(result) if e.quelle == gw]
        if kind != "exklusiv" or len(outgoing) < 2:
            continue
        given = [result[i].anteil for i in outgoing]
        if all(s is None for s in given):
            share = 1 / len(outgoing)
            notes.append(
                f"Gateway {gw}: keine Anteile an den {len(outgoing)} Ausgängen – "
                f"gleich verteilt angenommen (je {share:.0%})".replace(".", ",")
            )
            for i in outgoing:
                result[i] = Kante(result[i].quelle, result[i].ziel, share)
        elif any(s is None for s in given) or abs(sum(given) - 1) > 0.005:
            raise ValueError(
                f"Gateway {gw}: die Anteile der Ausgänge müssen zusammen 1 (100 %) ergeben "
                "und an allen Ausgängen stehen"
            )
    return result


def _drop_back_edges(nodes: list[str], edges: list[Kante], notes: list[str]) -> list[Kante]:
    """Loops (e.g. „Unterlagen nachfordern“) have no longest path: cut them, with a warning."""
    succ: dict[str, list[Kante]] = {n: [] for n in nodes}
    for e in edges:
        succ.setdefault(e.quelle, []).append(e)
    incoming = {e.ziel for e in edges}
    state: dict[str, int] = {}
    back: set[int] = set()
    roots = [n for n in nodes if n not in incoming] + nodes
    for root in roots:
        if root in state:
            continue
        stack = [(root, iter(succ.get(root, [])))]
        state[root] = 1
        while stack:
            node, it = stack[-1]
            edge = next(it, None)
            if edge is None:
                state[node] = 2
                stack.pop()
            elif state.get(edge.ziel) == 1:
                back.add(id(edge))
                notes.append(
                    f"Warnung: Rücksprung von „{edge.quelle}“ nach „{edge.ziel}“ (Schleife) – "
                    "Wiederholungen sind nicht mitgerechnet"
                )
            elif edge.ziel not in state:
                state[edge.ziel] = 1
                stack.append((edge.ziel, iter(succ.get(edge.ziel, []))))
    return [e for e in edges if id(e) not in back]


def read_bpmn(path: Path, side: ProzessdateiModell | None = None, side_name: str = "") -> Prozess:
    """Read a ``.bpmn`` file; *side* is the wrapping YAML file (side table, lanes, documents)."""
    root = _parse(path)
    reader = _Reader(path, side, side_name)
    pools = {}
    for collab in _children(root, "collaboration"):
        for part in _children(collab, "participant"):
            pools[part.get("processRef", "")] = (part.get("name") or "").strip() or None
        for element in collab:
            if _local(element.tag) not in ("participant", "documentation", "extensionElements"):
                kind = _local(element.tag)
                reader.notes.append(
                    f"Warnung: {_describe(element)} ({NAMES.get(kind, kind)}) "
                    "wird nicht ausgewertet"
                )
    processes = _children(root, "process")
    if not processes:
        raise InputError(f"{path}: kein „bpmn:process“ gefunden – die Datei enthält kein Modell.")
    for process in processes:
        reader.process(process, pools.get(process.get("id", "")))
    edges = reader.edges()
    lanes = reader.lane_list()
    if side:
        unused = sorted(set(side.angaben) - reader.used_side)
        if unused:
            reader.errors.append(
                f"{side_name}: „angaben“ für {', '.join(unused)} – kein Schritt dieser BPMN-Datei "
                "hat diese id oder diesen Namen"
            )
    if not reader.steps:
        reader.errors.append("keine Aufgabe (task) gefunden – der Prozess hat keine Schritte")
    nodes = list(reader.steps) + list(reader.gateways) + reader.passes
    try:
        edges = _split_shares(
            _drop_back_edges(nodes, edges, reader.notes), reader.gateways, reader.notes
        )
    except ValueError as exc:
        reader.errors.append(str(exc))
    if reader.errors:
        raise InputError([f"{path}: {e}" for e in reader.errors])
    name = side.name if side else _process_name(processes, pools, path)
    documents = tuple(u.as_unterlage() for u in side.unterlagen) if side else ()
    return Prozess(
        name=name,
        bahnen=lanes,
        schritte=reader.steps,
        gateways=reader.gateways,
        kanten=tuple(edges),
        unterlagen=documents,
        hinweise=tuple(reader.notes),
        quelle=path.name,
        knoten=tuple(reader.passes),
    )


def _process_name(processes: list[Element], pools: dict[str, str | None], path: Path) -> str:
    for process in processes:
        name = (process.get("name") or "").strip() or pools.get(process.get("id", ""))
        if name:
            return name
    return re.sub(r"[_-]+", " ", path.stem)
