"""BPMN 2.0 XML of a process model – for Camunda Modeler, bpmn.io and the report's diagrams.

:func:`export_xml` writes a :class:`Prozess` as BPMN 2.0: one pool (the process name), one lane
per Bahn (its kind as documentation line ``art: …``), a task per step (IT-system lanes: service
task) with minutes, waiting days, medium and building block as ``camunda:property``, exclusive
and parallel gateways, a start event and an end event per last step, sequence flows (shares of
cases as property ``anteil``). Read back with :func:`kdworkbook.musterprozess.laden.read_bpmn`
it gives the same model (same steps, lanes, gateways and figures).

Layout (BPMNDI) is computed here, not with ``bpmn-auto-layout``: that npm package (1.3.0) lays
out only the first participant's process and gives lanes no place of their own – a swimlane
diagram needs them. The layout is deterministic: every node one column right of its latest
predecessor (longest path), a lane per Bahn from top to bottom in the order of the file,
nodes sharing lane and column stacked in sub-rows, orthogonal sequence flows (a split gateway
is left, a join gateway entered at its top or bottom corner), pass-through nodes of a BPMN
import (events, sub-process borders) left out and a start and end event added. Boxes are
widened to the longest word of their name, so bpmn-js never has to break a word. In the
report's drawing (:func:`diagram_xml`) the step numbers of the step table stand before the names.

:func:`diagram_xml` is what the report draws: a model read from a BPMN file whose every node
has diagram coordinates keeps the author's layout (every shape and flow where the file puts
it; outside labels only get a little more width, see :func:`_fit_words`); everything else gets
the computed layout. Both are then decorated for reading: boxes filled with the colour of their
medium (bpmn.io colour extension ``bioc:fill`` and the OMG ``color:background-color``), red
borders and flows at every media break (:func:`media_breaks` lists them for the legend); the
author's boxes keep their names (no room for numbers). In the author's boxes a word too long for
its box gets soft hyphens from German hyphenation patterns (:func:`hyphenate`, pyphen), so
bpmn-js breaks it between syllables with „-“ instead of anywhere.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.etree import ElementTree as ET

import pyphen

from kdworkbook.kern import silbentrennung
from kdworkbook.kern.formatierung import zahl
from kdworkbook.musterprozess.bpmn_xml import EVENTS, GATEWAYS, SUBPROCESSES, TASKS, local, parse
from kdworkbook.musterprozess.kennzahlen import is_media_break, numbered_steps, transitions
from kdworkbook.musterprozess.modell import Kante, Katalog, Prozess, Schritt, katalog

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
BIOC = "http://bpmn.io/schema/bpmn/biocolor/1.0"
COLOR = "http://www.omg.org/spec/BPMN/non-normative/color/1.0"
PREFIXES = {
    "bpmn": BPMN,
    "bpmndi": BPMNDI,
    "dc": DC,
    "di": DI,
    "camunda": CAMUNDA,
    "bioc": BIOC,
    "color": COLOR,
}
for _prefix, _uri in PREFIXES.items():
    ET.register_namespace(_prefix, _uri)

# Layout in BPMN units (bpmn-js draws 1 unit = 1 px; its label font is 12 px, 11 px outside).
POOL_HEADER = 30  #: band with the pool name (bpmn-js default)
LANE_HEADER = 30  #: band with the lane name (bpmn-js default)
TASK_MIN_WIDTH = 130
TASK_HEIGHT = 80
GATEWAY_SIZE = 50
EVENT_SIZE = 36
COLUMN_GAP = 40  #: space between two columns (room for arrows and share labels)
ROW_HEIGHT = 100  #: one sub-row of a lane
CHAR_WIDTH = 7.2  #: widest average character of Arial/Liberation Sans 12 px, for box widths
LABEL_PADDING = 14  #: bpmn-js leaves 5 px on each side of a task label
HYPHENATION_LANGUAGE = silbentrennung.LANGUAGE  #: pyphen's patterns (LibreOffice's German)
BREAK_COLOR = "#c00000"  #: red of media breaks (same as the comparison chart)
MISSING_COLOR = "#dddddd"  #: fill of a step without medium
EXPORTER = "kdworkbook"
SOFT_HYPHEN = "\u00ad"


def _q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


@dataclass(frozen=True)
class Medienbruch:
    """A media break between two consecutive steps (numbers as in the step table)."""

    von_nr: int
    von: Schritt
    nach_nr: int
    nach: Schritt
    anteil: float


def media_breaks(p: Prozess, kat: Katalog | None = None) -> list[Medienbruch]:
    """The media breaks of *p*, in flow order (the red marks of the diagram)."""
    kat = kat or katalog()
    number = {sid: i for i, sid in enumerate(numbered_steps(p), start=1)}
    found = [
        Medienbruch(number[a.id], a, number[b.id], b, share)
        for a, b, share in transitions(p)
        if is_media_break(a, b, kat)
    ]
    return sorted(found, key=lambda m: (m.nach_nr, m.von_nr))


# --- graph for the export: pass-through nodes contracted, events added -------------------------


def _export_graph(p: Prozess) -> tuple[list[str], list[Kante], str, list[str]]:
    """Nodes (steps and gateways), edges with pass-through nodes (events, sub-process ends of a
    BPMN import) contracted, the start event's id and the end events' ids."""
    edges = list(p.kanten)
    for node in p.knoten:
        into = [e for e in edges if e.ziel == node]
        out = [e for e in edges if e.quelle == node]
        edges = [e for e in edges if node not in (e.quelle, e.ziel)]
        for a in into:
            for b in out:
                share = a.anteil if a.anteil is not None else b.anteil
                edges.append(Kante(a.quelle, b.ziel, share))
    nodes = [n for n in list(p.schritte) + list(p.gateways)]
    taken = set(nodes)
    start = _free_id("Start", taken)
    sources = [n for n in nodes if all(e.ziel != n for e in edges)]
    sinks = [n for n in nodes if all(e.quelle != n for e in edges)]
    ends = []
    for sink in sinks:
        end = _free_id(f"Ende_{len(ends) + 1}" if len(sinks) > 1 else "Ende", taken)
        ends.append(end)
        edges.append(Kante(sink, end))
    edges = [Kante(start, s) for s in sources] + edges
    return nodes, edges, start, ends


def _free_id(wanted: str, taken: set[str]) -> str:
    candidate, i = f"kd_{wanted}", 2
    while candidate in taken:
        candidate, i = f"kd_{wanted}_{i}", i + 1
    taken.add(candidate)
    return candidate


# --- layout --------------------------------------------------------------------------------------


@dataclass
class _Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


def task_width(name: str) -> float:
    """Box width in which bpmn-js sets *name* without breaking a word (estimate, generous)."""
    longest = max((len(w) for w in name.split()), default=0)
    return max(TASK_MIN_WIDTH, math.ceil(longest * CHAR_WIDTH + LABEL_PADDING))


def _layout(
    p: Prozess, nodes: list[str], edges: list[Kante], start: str, ends: list[str], names: dict
) -> tuple[dict[str, _Box], dict[str, tuple[float, float]], _Box]:
    """Boxes of all nodes, (top, height) of every lane, and the pool's box."""
    order = _topological(nodes + [start, *ends], edges)
    before: dict[str, list[str]] = {n: [] for n in order}
    for e in edges:
        before[e.ziel].append(e.quelle)
    col: dict[str, int] = {}
    lane: dict[str, str] = {}
    first_lane = p.bahnen[0].name if p.bahnen else ""
    for n in order:
        col[n] = max((col[s] + 1 for s in before[n]), default=0)
        if n in p.schritte:
            lane[n] = p.schritte[n].bahn
        elif before[n]:
            lane[n] = lane[before[n][0]]
    for n in order:  # the start event and gateways without predecessor: lane of what follows
        if n not in lane:
            nxt = [e.ziel for e in edges if e.quelle == n and e.ziel in lane]
            lane[n] = lane[nxt[0]] if nxt else first_lane
    lane_names = [b.name for b in p.bahnen]
    lane_names += sorted({lane[n] for n in order} - set(lane_names))
    row: dict[str, int] = {}
    rows: dict[str, int] = {name: 1 for name in lane_names}
    used: dict[tuple[str, int], int] = {}
    for n in order:
        key = (lane[n], col[n])
        row[n] = used.get(key, 0)
        used[key] = row[n] + 1
        rows[lane[n]] = max(rows[lane[n]], used[key])

    def size(n: str) -> tuple[float, float]:
        if n in p.schritte:
            return task_width(names[n]), TASK_HEIGHT
        if n in p.gateways:
            return GATEWAY_SIZE, GATEWAY_SIZE
        return EVENT_SIZE, EVENT_SIZE

    ncols = max(col.values(), default=0) + 1
    widths = [0.0] * ncols
    for n in order:
        widths[col[n]] = max(widths[col[n]], size(n)[0])
    left = POOL_HEADER + LANE_HEADER + COLUMN_GAP / 2
    col_x = []
    for w in widths:
        col_x.append(left)
        left += w + COLUMN_GAP
    lane_box: dict[str, tuple[float, float]] = {}
    top = 0.0
    for name in lane_names:
        lane_box[name] = (top, rows[name] * ROW_HEIGHT)
        top += rows[name] * ROW_HEIGHT
    boxes = {}
    for n in order:
        w, h = size(n)
        x = col_x[col[n]] + (widths[col[n]] - w) / 2
        y = lane_box[lane[n]][0] + row[n] * ROW_HEIGHT + (ROW_HEIGHT - h) / 2
        boxes[n] = _Box(x, y, w, h)
    pool = _Box(0, 0, left - COLUMN_GAP / 2, top)
    return boxes, lane_box, pool


def _topological(nodes: list[str], edges: list[Kante]) -> list[str]:
    indegree = {n: 0 for n in nodes}
    for e in edges:
        indegree[e.ziel] += 1
    ready = [n for n in reversed(nodes) if indegree[n] == 0]
    order = []
    while ready:
        node = ready.pop()
        order.append(node)
        for e in reversed([e for e in edges if e.quelle == node]):
            indegree[e.ziel] -= 1
            if indegree[e.ziel] == 0:
                ready.append(e.ziel)
    return order


def _waypoints(
    a: _Box, b: _Box, split: bool, join: bool
) -> tuple[list[tuple[float, float]], tuple[float, float]]:
    """Orthogonal route from *a* to *b*, and where a label of the flow goes (top left)."""
    sx, sy, tx, ty = a.x + a.w, a.cy, b.x, b.cy
    if abs(sy - ty) < 1:
        return [(sx, sy), (tx, ty)], (sx + 4, sy - 18)
    down = ty > sy
    if split:  # leave a gateway at its top or bottom corner
        start = (a.cx, a.y + a.h if down else a.y)
        return [start, (a.cx, ty), (tx, ty)], (a.cx + 6, ty - 18)
    if join:  # enter a gateway at its top or bottom corner
        end = (b.cx, b.y if down else b.y + b.h)
        return [(sx, sy), (b.cx, sy), end], (sx + 4, sy - 18)
    mx = tx - COLUMN_GAP / 2
    return [(sx, sy), (mx, sy), (mx, ty), (tx, ty)], (sx + 4, sy - 18)


# --- export --------------------------------------------------------------------------------------


def export_xml(p: Prozess) -> str:
    """BPMN 2.0 XML of *p* with a computed layout (see module docstring)."""
    return ET.tostring(_export(p, {sid: s.name for sid, s in p.schritte.items()}), "unicode")


def _sub(parent: ET.Element, ns: str, tag: str, /, **attrs: str | None) -> ET.Element:
    return ET.SubElement(parent, _q(ns, tag), {k: v for k, v in attrs.items() if v is not None})


def _properties(parent: ET.Element, values: dict[str, str]) -> None:
    if not values:
        return
    ext = _sub(parent, BPMN, "extensionElements")
    props = _sub(ext, CAMUNDA, "properties")
    for key, value in values.items():
        _sub(props, CAMUNDA, "property", name=key, value=value)


def _num(value: float) -> str:
    return f"{value:g}"


def _export(p: Prozess, names: dict[str, str]) -> ET.Element:
    nodes, edges, start, ends = _export_graph(p)
    boxes, lanes, pool = _layout(p, nodes, edges, start, ends, names)
    process_id = "kd_Prozess"
    root = ET.Element(
        _q(BPMN, "definitions"),
        {
            "id": "kd_Definitionen",
            "targetNamespace": "http://bpmn.io/schema/bpmn",
            "exporter": EXPORTER,
            "exporterVersion": "1",
        },
    )
    collab = _sub(root, BPMN, "collaboration", id="kd_Kollaboration")
    _sub(collab, BPMN, "participant", id="kd_Pool", name=p.name, processRef=process_id)
    process = _sub(root, BPMN, "process", id=process_id, name=p.name, isExecutable="false")
    lane_set = _sub(process, BPMN, "laneSet", id="kd_Bahnen")
    lane_of = {n: _lane_of(boxes[n], lanes) for n in boxes}
    lane_ids = {}
    for i, name in enumerate(lanes, start=1):
        lane_ids[name] = f"kd_Bahn_{i}"
        element = _sub(lane_set, BPMN, "lane", id=lane_ids[name], name=name)
        doc = _sub(element, BPMN, "documentation")
        doc.text = f"art: {p.lane_kind(name)}"
        for n in boxes:
            if lane_of[n] == name:
                _sub(element, BPMN, "flowNodeRef").text = n
    _sub(process, BPMN, "startEvent", id=start)
    for sid, s in p.schritte.items():
        kind = "serviceTask" if p.lane_kind(s.bahn) == "system" else "task"
        task = _sub(process, BPMN, kind, id=sid, name=names[sid])
        values = {}
        if s.minuten is not None:
            values["minuten"] = _num(s.minuten)
        if s.wartezeit_tage:
            values["wartezeit_tage"] = _num(s.wartezeit_tage)
        if s.medium:
            values["medium"] = s.medium
        if s.baustein:
            values["baustein"] = s.baustein
        _properties(task, values)
    for gid, kind in p.gateways.items():
        tag = "parallelGateway" if kind == "parallel" else "exclusiveGateway"
        _sub(process, BPMN, tag, id=gid)
    for end in ends:
        _sub(process, BPMN, "endEvent", id=end)
    flows = []
    for i, e in enumerate(edges, start=1):
        fid = f"kd_Fluss_{i}"
        flow = _sub(process, BPMN, "sequenceFlow", id=fid, sourceRef=e.quelle, targetRef=e.ziel)
        labelled = e.anteil is not None and e.anteil < 0.999
        if labelled:
            flow.set("name", f"{zahl(e.anteil * 100)} %")
            _properties(flow, {"anteil": _num(round(e.anteil, 6))})
        flows.append((fid, e, labelled))
    diagram = _sub(root, BPMNDI, "BPMNDiagram", id="kd_Diagramm")
    plane = _sub(diagram, BPMNDI, "BPMNPlane", id="kd_Ebene", bpmnElement="kd_Kollaboration")
    _shape(plane, "kd_Pool", pool, isHorizontal="true")
    for name, (top, height) in lanes.items():
        box = _Box(POOL_HEADER, top, pool.w - POOL_HEADER, height)
        _shape(plane, lane_ids[name], box, isHorizontal="true")
    for n, box in boxes.items():
        shape = _shape(plane, n, box)
        if n in p.gateways:
            shape.set("isMarkerVisible", "true")
    for fid, e, labelled in flows:
        a, b = boxes[e.quelle], boxes[e.ziel]
        split = e.quelle in p.gateways and sum(x.quelle == e.quelle for x in edges) > 1
        join = e.ziel in p.gateways and sum(x.ziel == e.ziel for x in edges) > 1
        points, label = _waypoints(a, b, split, join)
        edge = _sub(plane, BPMNDI, "BPMNEdge", id=f"{fid}_di", bpmnElement=fid)
        for x, y in points:
            _sub(edge, DI, "waypoint", x=_num(round(x, 1)), y=_num(round(y, 1)))
        if labelled:
            lab = _sub(edge, BPMNDI, "BPMNLabel")
            _bounds(lab, _Box(label[0], label[1], 40, 14))
    return root


def _lane_of(box: _Box, lanes: dict[str, tuple[float, float]]) -> str:
    return next(n for n, (top, h) in lanes.items() if top <= box.cy < top + h)


def _bounds(parent: ET.Element, box: _Box) -> None:
    _sub(
        parent,
        DC,
        "Bounds",
        x=_num(round(box.x, 1)),
        y=_num(round(box.y, 1)),
        width=_num(round(box.w, 1)),
        height=_num(round(box.h, 1)),
    )


def _shape(plane: ET.Element, element: str, box: _Box, **attrs: str) -> ET.Element:
    shape = _sub(plane, BPMNDI, "BPMNShape", id=f"{element}_di", bpmnElement=element, **attrs)
    _bounds(shape, box)
    return shape


# --- the diagram of the report -------------------------------------------------------------------


def has_complete_layout(path: Path) -> bool:
    """True if every task, sub-process, gateway and event on the top level of the processes in
    the BPMN file at *path* has a BPMNShape (the inside of a collapsed sub-process may be
    drawn on a diagram of its own, as Camunda Modeler does)."""
    root = parse(path.read_bytes(), path)
    kinds = TASKS | set(GATEWAYS) | EVENTS | set(SUBPROCESSES) | {"callActivity"}
    nodes = {
        e.get("id")
        for process in root
        if local(process.tag) == "process"
        for e in process
        if local(e.tag) in kinds
    }
    shapes = {e.get("bpmnElement") for e in root.iter() if local(e.tag) == "BPMNShape"}
    return bool(nodes) and nodes <= shapes


def diagram_xml(
    p: Prozess, bpmn_file: Path | None = None, kat: Katalog | None = None, hyphenated: bool = True
) -> str:
    """XML the report draws for *p*: the author's layout of *bpmn_file* if it is complete,
    else the computed one; with step numbers, medium colours and media breaks marked.
    *hyphenated* False: the same XML without soft hyphens (no hyphenation patterns loaded) –
    with :func:`hyphenate`'s own code it determines the hyphenated one."""
    kat = kat or katalog()
    number = {sid: i for i, sid in enumerate(numbered_steps(p), start=1)}
    names = {sid: f"{number[sid]}. {s.name}" for sid, s in p.schritte.items()}
    if bpmn_file is not None and has_complete_layout(bpmn_file):
        # the author's boxes: names as they are (no room for numbers)
        root = parse(bpmn_file.read_bytes(), bpmn_file)
        _fit_words(root, hyphenate if hyphenated else lambda word, _width: word)
    else:
        root = _export(p, names)
    breaks = media_breaks(p, kat)
    red_steps = {m.nach.id for m in breaks}
    red_flows = {(m.von.id, m.nach.id) for m in breaks}
    flow_ends = {
        e.get("id"): (e.get("sourceRef"), e.get("targetRef"))
        for e in root.iter()
        if local(e.tag) == "sequenceFlow"
    }
    for element in root.iter():
        kind, ref = local(element.tag), element.get("bpmnElement", "")
        if kind == "BPMNShape" and ref in p.schritte:
            medium = p.schritte[ref].medium
            fill = kat.medien[medium]["farbe"] if medium else MISSING_COLOR
            stroke = BREAK_COLOR if ref in red_steps else "#333333"
            _colour(element, fill, stroke)
        elif kind == "BPMNEdge" and flow_ends.get(ref) in red_flows:
            _colour(element, None, BREAK_COLOR)
    return ET.tostring(root, "unicode")


def hyphenate(word: str, width: float) -> str:
    """*word* with soft hyphens (German patterns, pyphen) where it is wider than *width* –
    bpmn-js breaks a word only there (and shows „-“), never in the middle of a syllable. Where
    the patterns offer two breaks around one letter („Perso-na-l-aus-weis“: compound or
    syllable?) neither is used; the first and last three letters stay together."""
    if len(word) * CHAR_WIDTH <= width:
        return word
    found = set(_hyphenator().positions(word))
    kept = [
        p
        for p in sorted(found)
        if 3 <= p <= len(word) - 3 and p - 1 not in found and p + 1 not in found
    ]
    for p in reversed(kept):
        word = word[:p] + SOFT_HYPHEN + word[p:]
    return word


@cache
def _hyphenator() -> pyphen.Pyphen:
    return silbentrennung.pyphen_de()


def _fit_words(root: ET.Element, fit: Callable[[str, float], str] = hyphenate) -> None:
    """In the author's layout: hyphenate words too long for their box, and give outside labels
    (events, gateways, flows) 20 % more width around the same centre – the modeler measured
    them with its own font; positions of all shapes stay as they are."""
    shapes = {
        e.get("bpmnElement"): e for e in root.iter() if local(e.tag) in ("BPMNShape", "BPMNEdge")
    }
    for element in root.iter():
        name, di = element.get("name"), shapes.get(element.get("id"))
        if not name or di is None or local(element.tag) not in TASKS | {"callActivity"}:
            continue
        bounds = next((b for b in di if local(b.tag) == "Bounds"), None)
        if bounds is not None:
            room = float(bounds.get("width", 100)) - LABEL_PADDING
            element.set("name", " ".join(fit(w, room) for w in name.split(" ")))
    for label in root.iter():
        if local(label.tag) != "BPMNLabel":
            continue
        for bounds in (b for b in label if local(b.tag) == "Bounds"):
            width = float(bounds.get("width", 0))
            extra = max(width * 0.2, 12)
            bounds.set("x", _num(round(float(bounds.get("x", 0)) - extra / 2, 1)))
            bounds.set("width", _num(round(width + extra, 1)))


def _colour(element: ET.Element, fill: str | None, stroke: str) -> None:
    if fill:
        element.set(_q(BIOC, "fill"), fill)
        element.set(_q(COLOR, "background-color"), fill)
    element.set(_q(BIOC, "stroke"), stroke)
    element.set(_q(COLOR, "border-color"), stroke)


def text_of(svg: str) -> str:
    """All text of an SVG (for checks): the contents of its tspans, joined by spaces."""
    return " ".join(re.findall(r"<tspan[^>]*>([^<]*)</tspan>", svg))
