"""BPMN 2.0 import (Camunda, bpmn.io, Signavio, Bizagi, Activiti …) into a :class:`Prozess`.

Read: every task type (task, userTask, manualTask, serviceTask, sendTask, receiveTask,
scriptTask, businessRuleTask) as a step; call activities as one step each (with a warning:
the called process is not part of the file); the tasks inside sub-processes (embedded,
ad-hoc, transaction, nested to any depth) as steps in the flow, with the sub-process name as
their group (``Schritt.gruppe``); a sub-process without tasks as one step; lanes (and pools
without lanes); sequence flows; exclusive and parallel gateways; start, end and intermediate
events as pass-through nodes. Everything else (event sub-processes, inclusive/event gateways,
boundary events, data objects, annotations, message flows, loops …) is named one by one in
``hinweise`` with a warning – never dropped silently. The diagram layout (``bpmndi``) is not
needed and ignored. Names are cleaned (line breaks → spaces); a lane or pool without a name
is shown under the participant's (pool's) name, never under its generated id.

Where the numbers come from, first match wins:

1. the side table ``angaben`` of a YAML file wrapping the BPMN (key: element id or name);
2. extension properties of the element – ``camunda:property`` / ``zeebe:property``
   (Camunda Modeler: „Extension properties“), Signavio's ``signavioMetaData``
   (metaKey/metaValue: custom attributes) and Bizagi's ``BizagiProperty``, e.g.
   ``<camunda:property name="minuten" value="5"/>``;
3. lines ``schlüssel: wert`` in the element's documentation (``bpmn:documentation``) – the
   way for every tool (Activiti, bpmn.io without Camunda extensions …).

Keys: ``minuten`` (processing minutes per case), ``wartezeit_tage`` (calendar days),
``medium``, ``baustein`` on tasks; ``art`` (buerger/verwaltung/system) on lanes and pools;
``anteil`` (share of cases, 0–1 or „60 %“) on sequence flows leaving an exclusive gateway.
Missing minutes, media and building blocks stay ``None`` – never invented; which steps lack
them, and what that leaves out, is reported with the figures
(:func:`kdworkbook.musterprozess.kennzahlen.gaps`). Element names and safe XML reading:
:mod:`kdworkbook.musterprozess.bpmn_xml`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

from kdworkbook.kern.errors import InputError
from kdworkbook.musterprozess.bpmn_xml import (
    EVENTS,
    EXIT,
    GATEWAYS,
    LOOPS,
    NAMES,
    NO_LANE,
    PASS_THROUGH,
    QUIET,
    SUBPROCESSES,
    SUFFIXES,
    TASKS,
    children,
    clean,
    describe,
    has_tasks,
    local,
    name_of,
    number,
    parse,
    properties,
)
from kdworkbook.musterprozess.modell import (
    LANE_KINDS,
    Bahn,
    Kante,
    Prozess,
    ProzessdateiModell,
    Schritt,
    katalog,
)


@dataclass
class _Task:
    element: Element
    lane: str
    group: str | None


class _Reader:
    """Collects nodes, lanes and flows of all processes of one BPMN file."""

    def __init__(self, path: Path, side: ProzessdateiModell | None, side_name: str) -> None:
        self.path, self.side, self.side_name = path, side, side_name
        self.kat = katalog()
        self.tasks: list[_Task] = []
        self.steps: dict[str, Schritt] = {}
        self.gateways: dict[str, str] = {}
        self.passes: list[str] = []
        self.flows: list[tuple[Element, str, str]] = []
        self.links: list[Kante] = []  # edges into and out of sub-processes
        self.exit_of: dict[str, str] = {}
        self.lane_of: dict[str, str] = {}
        self.lanes: dict[str, Element | None] = {}
        self.notes: list[str] = []
        self.errors: list[str] = []
        self.ignored: set[str] = set()  # ids of unsupported elements (already warned about)
        self.side_values: dict[str, dict[str, Any]] = {}

    def _warn(self, text: str) -> None:
        self.notes.append(f"Warnung: {text}")

    # --- lanes ------------------------------------------------------------------------------

    def read_lanes(self, container: Element, pool: str) -> None:
        lanes = [
            e for s in children(container, "laneSet") for e in s.iter() if local(e.tag) == "lane"
        ]
        leaves = [
            lane
            for lane in lanes
            if not any(local(e.tag) == "lane" for e in lane.iter() if e is not lane)
        ]
        unnamed = [lane for lane in leaves if not name_of(lane)]
        for lane in leaves + [lane for lane in lanes if lane not in leaves]:
            name = name_of(lane)
            if not name:
                if lane not in leaves:
                    continue
                name = pool if len(unnamed) == 1 else f"{pool}, Bahn {unnamed.index(lane) + 1}"
                self.notes.append(
                    f"Bahn ohne Namen (id {lane.get('id', '?')}) – als „{name}“ geführt"
                )
            if lane in leaves:
                self.lanes.setdefault(name, lane)
            for ref in children(lane, "flowNodeRef"):
                self.lane_of.setdefault((ref.text or "").strip(), name)

    # --- flow elements ----------------------------------------------------------------------

    def container(self, element: Element, lane: str, group: tuple[str, ...]) -> list[str]:
        """Read the flow elements directly inside *element*; returns their node ids."""
        members: list[str] = []
        for child in element:
            kind = local(child.tag)
            node_id = child.get("id", "")
            child_lane = self.lane_of.get(node_id, lane)
            if kind in TASKS or kind == "callActivity":
                self._task(child, child_lane, group)
                members.append(node_id)
            elif kind in SUBPROCESSES:
                if self.subprocess(child, child_lane, group):
                    members.append(node_id)
            elif kind in GATEWAYS:
                self.gateways[node_id] = GATEWAYS[kind]
                members.append(node_id)
            elif kind in EVENTS:
                self.passes.append(node_id)
                members.append(node_id)
                if kind.startswith("intermediate") and children(child, "timerEventDefinition"):
                    self.notes.append(
                        f"{describe(child)}: Zeitereignis – Wartezeit bitte als "
                        "„wartezeit_tage“ am Schritt davor angeben; nicht mitgezählt"
                    )
            elif kind == "sequenceFlow":
                self.flows.append((child, child.get("sourceRef", ""), child.get("targetRef", "")))
            elif kind in QUIET:
                continue
            elif kind in PASS_THROUGH:
                self.passes.append(node_id)
                members.append(node_id)
                self._warn(
                    f"{describe(child)} ({NAMES[kind]}) wird nicht unterstützt – als einfacher "
                    "Durchgang ohne Zeiten behandelt (alle Ausgänge zählen voll)"
                )
            else:
                self.ignored.add(node_id)
                self._warn(f"{describe(child)} ({NAMES.get(kind, kind)}) wird nicht ausgewertet")
        return members

    def _task(self, element: Element, lane: str, group: tuple[str, ...]) -> None:
        if element.get("id", "") not in self.lane_of:
            self.lanes.setdefault(lane, None)
        self.tasks.append(_Task(element, lane, " › ".join(group) or None))
        if local(element.tag) == "callActivity":
            called = element.get("calledElement") or next(
                (e.get("processId") for e in element.iter() if local(e.tag) == "calledElement"),
                None,
            )  # Camunda 8 writes <zeebe:calledElement processId="…"/>
            self._warn(
                f"{describe(element)} (Aufruf eines anderen Prozesses"
                + (f" „{called}“" if called else "")
                + ") – dessen Schritte stehen nicht in dieser Datei; als ein Schritt gezählt"
            )
        if any(children(element, loop) for loop in LOOPS):
            self._warn(
                f"{describe(element)} wird mehrfach ausgeführt (Schleife/Mehrfachinstanz) – "
                "Minuten je Fall bitte für alle Durchläufe zusammen angeben"
            )

    def subprocess(self, element: Element, lane: str, group: tuple[str, ...]) -> bool:
        """Flatten a sub-process into the flow; returns False if it is left out (warned)."""
        kind, node_id = local(element.tag), element.get("id", "")
        label = f"{describe(element)} ({SUBPROCESSES[kind]})"
        if element.get("triggeredByEvent") == "true":
            inner = [
                describe(e)
                for e in element.iter()
                if local(e.tag) in TASKS or local(e.tag) == "callActivity"
            ]
            self.ignored.add(node_id)
            self._warn(
                f"{label} ist ein Ereignis-Teilprozess (läuft nur bei einem Ereignis) – nicht "
                "mitgezählt" + (f": {', '.join(inner)}" if inner else "")
            )
            return False
        if not has_tasks(element):
            self._task(element, lane, group)
            self._warn(f"{label} enthält keine Aufgaben – als ein Schritt gezählt")
            return True
        self.read_lanes(element, lane)
        inner_group = (*group, name_of(element) or SUBPROCESSES[kind])
        first_flow = len(self.flows)
        members = self.container(element, lane, inner_group)
        flows = [(s, t) for _, s, t in self.flows[first_flow:] if s in members and t in members]
        exit_id = node_id + EXIT
        self.passes += [node_id, exit_id]
        self.exit_of[node_id] = exit_id
        if flows:
            sources = [m for m in members if all(t != m for _, t in flows)]
            sinks = [m for m in members if all(s != m for s, _ in flows)]
        else:  # no order inside (typical for ad-hoc): one after the other, as in the file
            sources, sinks = members[:1], members[-1:]
            for a, b in zip(members, members[1:], strict=False):
                self.links.append(Kante(self.exit_of.get(a, a), b))
            if len(members) > 1:
                self.notes.append(
                    f"{label}: Aufgaben ohne Reihenfolge – in der Reihenfolge der Datei "
                    "nacheinander gezählt"
                )
        self.links += [Kante(node_id, m) for m in sources]
        self.links += [Kante(self.exit_of.get(m, m), exit_id) for m in sinks]
        for loop in LOOPS:
            if children(element, loop):
                self._warn(
                    f"{label} wird mehrfach ausgeführt (Schleife/Mehrfachinstanz) – die Minuten "
                    "der Schritte darin gelten für einen Durchlauf"
                )
        return True

    def process(self, process: Element, pool: str | None) -> None:
        fallback = pool or name_of(process) or NO_LANE
        self.read_lanes(process, fallback)
        self.container(process, fallback, ())

    # --- side table and steps ---------------------------------------------------------------

    def resolve_side(self) -> None:
        """Map each ``angaben`` entry to one task, by id or by (cleaned) name."""
        if not self.side:
            return
        by_id = {t.element.get("id", ""): t for t in self.tasks}
        by_name: dict[str, list[str]] = {}
        for t in self.tasks:
            by_name.setdefault(name_of(t.element).casefold(), []).append(t.element.get("id", ""))
        found: dict[str, list[str]] = {}
        for key in self.side.angaben:
            ids = [key] if key in by_id else by_name.get(clean(key).casefold(), [])
            if len(ids) > 1:
                self.errors.append(
                    f"{self.side_name}: „angaben“ für „{key}“ – der Name passt auf "
                    f"{len(ids)} Schritte (id {', '.join(ids)}); bitte die id als Schlüssel "
                    "verwenden"
                )
            elif not ids:
                self.errors.append(
                    f"{self.side_name}: „angaben“ für „{key}“ – kein Schritt dieser BPMN-Datei "
                    "hat diese id oder diesen Namen"
                )
            else:
                found.setdefault(ids[0], []).append(key)
        for node_id, keys in found.items():
            merged: dict[str, Any] = {}
            for key in keys:
                for field, value in self.side.angaben[key].model_dump().items():
                    if value is None:
                        continue
                    if field in merged and merged[field] != value:
                        self.errors.append(
                            f"{self.side_name}: „angaben“ „{keys[0]}“ und „{key}“ meinen denselben "
                            f"Schritt (id {node_id}) und nennen für „{field}“ verschiedene Werte "
                            f"({merged[field]} und {value}) – bitte nur einen Eintrag"
                        )
                    merged[field] = value
            self.side_values[node_id] = merged

    def build_steps(self) -> None:
        for t in self.tasks:
            element = t.element
            node_id, label = element.get("id", ""), describe(element)
            values: dict[str, Any] = properties(element) | self.side_values.get(node_id, {})
            try:
                minutes = number(str(values["minuten"]), "minuten") if "minuten" in values else None
                wait = number(str(values.get("wartezeit_tage", 0)), "wartezeit_tage")
                block = self.kat.baustein(str(values["baustein"])) if "baustein" in values else None
                medium = self.kat.medium(str(values["medium"])) if "medium" in values else None
            except ValueError as exc:
                self.errors.append(f"{label}: {exc}")
                continue
            name = name_of(element) or node_id
            self.steps[node_id] = Schritt(
                node_id, name, t.lane, block, medium, minutes, wait, t.group
            )

    # --- edges and lanes --------------------------------------------------------------------

    def edges(self) -> list[Kante]:
        nodes = set(self.steps) | set(self.gateways) | set(self.passes)
        edges = list(self.links)
        for element, source, target in self.flows:
            if source in self.ignored or target in self.ignored:
                self._warn(
                    f"{describe(element)} hängt an einem nicht ausgewerteten Element – nicht "
                    "mitgezählt"
                )
                continue
            for ref, role in ((source, "sourceRef"), (target, "targetRef")):
                if ref not in nodes:
                    self.errors.append(
                        f"{describe(element)}: {role} „{ref}“ verweist auf kein bekanntes "
                        "Element dieses Prozesses"
                    )
            share = None
            values = properties(element)
            if "anteil" in values:
                try:
                    share = number(str(values["anteil"]), "anteil")
                    share = share / 100 if share > 1 else share
                except ValueError as exc:
                    self.errors.append(f"{describe(element)}: {exc}")
            edges.append(Kante(self.exit_of.get(source, source), target, share))
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


def parse_bpmn(
    raw: bytes, path: Path, side: ProzessdateiModell | None = None, side_name: str = ""
) -> Prozess:
    """The process of a BPMN 2.0 file's bytes (read by :mod:`kdworkbook.musterprozess.laden`;
    *path* names it in messages); *side* is the wrapping YAML file (side table, lanes,
    documents)."""
    root = parse(raw, path)
    reader = _Reader(path, side, side_name)
    pools = {}
    for collab in children(root, "collaboration"):
        for part in children(collab, "participant"):
            pools[part.get("processRef", "")] = name_of(part) or None
        for element in collab:
            kind = local(element.tag)
            if kind not in ("participant", "documentation", "extensionElements"):
                reader._warn(
                    f"{describe(element)} ({NAMES.get(kind, kind)}) wird nicht ausgewertet"
                )
    processes = children(root, "process")
    if not processes:
        raise InputError(f"{path}: kein „bpmn:process“ gefunden – die Datei enthält kein Modell.")
    for process in processes:
        reader.process(process, pools.get(process.get("id", "")))
    reader.resolve_side()
    reader.build_steps()
    edges = reader.edges()
    lanes = reader.lane_list()
    if not reader.tasks:
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
    documents = None
    if side and side.unterlagen is not None:
        documents = tuple(u.as_unterlage() for u in side.unterlagen)
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
        name = name_of(process) or pools.get(process.get("id", ""))
        if name:
            return name
    stem = path.name
    for suffix in SUFFIXES:
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    return re.sub(r"[_-]+", " ", stem)
