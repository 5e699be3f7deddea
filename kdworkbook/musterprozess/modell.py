"""Process model of the Musterprozess: the graph every metric works on, and the YAML format.

A process is a directed graph of steps (Schritte) and gateways, with lanes (Bahnen: who does a step)
and the documents the citizen has to supply (Unterlagen). It comes either from a YAML process file
(this module) or from a BPMN 2.0 file (:mod:`kdworkbook.musterprozess.bpmn`); a YAML file may also
wrap a BPMN file and add what BPMN does not carry (side table ``angaben``, lane kinds, documents).

YAML process file (units: minutes per case, waiting time in calendar days)::

    name: Hundesteuer Anmeldung – IST
    bahnen:                          # Reihenfolge = Reihenfolge im Diagramm
      - {name: Bürger, art: buerger} # art: buerger | verwaltung (Standard) | system
      - {name: Steueramt}
    schritte:                        # in der Reihenfolge des Ablaufs
      - name: Formular ausfüllen
        bahn: Bürger
        baustein: antrag_stellen     # Schlüssel oder Name aus kdworkbook/data/bausteine.yaml
        medium: Papier               # eines der Medien aus bausteine.yaml
        minuten: 15
        wartezeit_tage: 0            # optional, Standard 0
      - alternativ:                  # genau ein Zweig je Fall; anteil = Anteil der Fälle
          - {anteil: 0.6, schritte: [ … ]}
          - {anteil: 0.4, schritte: [ … ]}
      - parallel:                    # alle Zweige laufen gleichzeitig
          - [ … ]
          - [ … ]
    unterlagen:                      # was die Bürgerin / der Bürger beibringen muss
      - {name: Geburtsdatum, once_only: true, register: Melderegister, abruf: false}

``once_only`` = die Behörde könnte die Angabe aus einem Register holen; ``abruf`` = dieser
Prozess tut es (dann muss die Bürgerin / der Bürger sie nicht beibringen). Ohne ``unterlagen``
macht die Datei keine Angabe dazu (der Bericht sagt „keine Angabe“); ``unterlagen: []`` heißt
„keine Unterlagen nötig“.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from kdworkbook.kern.errors import InputError
from kdworkbook.kern.modell import StrictModel, german

LANE_KINDS = ("buerger", "verwaltung", "system")
LANE_KIND_NAMES = {"buerger": "Bürger", "verwaltung": "Verwaltung", "system": "IT-System"}
GATEWAY_KINDS = ("parallel", "exklusiv")


# --- catalogue of building blocks and media ---------------------------------------------------


@dataclass(frozen=True)
class Katalog:
    """Building blocks (key → attributes) and media (name → attributes) from bausteine.yaml."""

    bausteine: dict[str, dict[str, Any]]
    medien: dict[str, dict[str, Any]]

    def baustein(self, value: str) -> str:
        """Key of a building block given by key or name (case-insensitive)."""
        wanted = value.strip().casefold()
        for key, attrs in self.bausteine.items():
            if wanted in (key.casefold(), str(attrs["name"]).casefold()):
                return key
        choices = list(self.bausteine) + [a["name"] for a in self.bausteine.values()]
        raise ValueError(f"unbekannter Baustein „{value}“{_close(value, choices)}")

    def medium(self, value: str) -> str:
        """Canonical name of a medium (case-insensitive)."""
        wanted = value.strip().casefold()
        for name in self.medien:
            if wanted == name.casefold():
                return name
        raise ValueError(f"unbekanntes Medium „{value}“{_close(value, list(self.medien))}")

    def is_visit(self, baustein: str | None) -> bool:
        return bool(baustein and self.bausteine[baustein].get("behoerdengang", False))


def _close(value: str, choices: list[str]) -> str:
    near = difflib.get_close_matches(value, choices, n=3, cutoff=0.5)
    if near:
        return " – meinten Sie " + " oder ".join(f"„{n}“" for n in near) + "?"
    return " – bekannt sind: " + ", ".join(choices[: len(choices) // 2 or None])


@cache
def katalog() -> Katalog:
    """The shipped list ``kdworkbook/data/bausteine.yaml`` (PICTURE-like, documented there)."""
    text = resources.files("kdworkbook").joinpath("data/bausteine.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    return Katalog(bausteine=data["bausteine"], medien=data["medien"])


# --- the process graph --------------------------------------------------------------------------


@dataclass(frozen=True)
class Bahn:
    """A lane: who performs the steps in it; ``art`` decides whose minutes they are."""

    name: str
    art: str = "verwaltung"


@dataclass(frozen=True)
class Schritt:
    """One step; ``minuten`` per case (None = not given), ``wartezeit_tage`` calendar days."""

    id: str
    name: str
    bahn: str
    baustein: str | None
    medium: str | None
    minuten: float | None
    wartezeit_tage: float = 0.0
    gruppe: str | None = None  # sub-process the step sits in (BPMN), „Außen › Innen“


@dataclass(frozen=True)
class Kante:
    """A sequence flow; ``anteil`` = share of cases taking it (only after exclusive gateways)."""

    quelle: str
    ziel: str
    anteil: float | None = None


@dataclass(frozen=True)
class Unterlage:
    name: str
    once_only: bool = False
    register: str | None = None
    abruf: bool = False


@dataclass(frozen=True)
class Prozess:
    """A process as a directed acyclic graph; ``hinweise`` lists what the import noticed."""

    name: str
    bahnen: tuple[Bahn, ...]
    schritte: dict[str, Schritt]
    gateways: dict[str, str]  # id → "parallel" | "exklusiv"
    kanten: tuple[Kante, ...]
    unterlagen: tuple[Unterlage, ...] | None = None  # None = the file says nothing about them
    hinweise: tuple[str, ...] = ()
    quelle: str = ""
    knoten: tuple[str, ...] = field(default=())  # pass-through nodes (events), no metrics

    def lane_kind(self, lane: str) -> str:
        return next((b.art for b in self.bahnen if b.name == lane), "verwaltung")


# --- YAML format (pydantic) ---------------------------------------------------------------------


class BahnModell(StrictModel):
    name: str = Field(min_length=1)
    art: Literal["buerger", "verwaltung", "system"] = "verwaltung"


class UnterlageModell(StrictModel):
    name: str = Field(min_length=1)
    once_only: bool = False
    register_name: str | None = Field(default=None, alias="register")
    abruf: bool = False

    def as_unterlage(self) -> Unterlage:
        return Unterlage(self.name, self.once_only, self.register_name, self.abruf)

    @model_validator(mode="after")
    def _abruf_needs_register(self) -> UnterlageModell:
        if self.abruf and not self.once_only:
            raise ValueError(
                f"Unterlage „{self.name}“: „abruf: true“ setzt „once_only: true“ voraus "
                "(nur was in einem Register steht, kann die Behörde abrufen)"
            )
        return self


class SchrittModell(StrictModel):
    name: str = Field(min_length=1)
    bahn: str = Field(min_length=1)
    baustein: str
    medium: str
    minuten: float = Field(ge=0)
    wartezeit_tage: float = Field(default=0, ge=0)
    id: str | None = None

    @field_validator("baustein")
    @classmethod
    def _known_block(cls, value: str) -> str:
        return katalog().baustein(value)

    @field_validator("medium")
    @classmethod
    def _known_medium(cls, value: str) -> str:
        return katalog().medium(value)


class ZweigModell(StrictModel):
    anteil: float | None = Field(default=None, gt=0, le=1)
    schritte: list[Element] = Field(min_length=1)


class ParallelModell(StrictModel):
    parallel: list[Annotated[list[Element], Field(min_length=1)]] = Field(min_length=2)


class AlternativModell(StrictModel):
    alternativ: list[ZweigModell] = Field(min_length=2)

    @model_validator(mode="after")
    def _shares(self) -> AlternativModell:
        shares = [z.anteil for z in self.alternativ]
        if all(s is not None for s in shares) and abs(sum(shares) - 1) > 0.005:
            total = f"{sum(shares):.2f}".replace(".", ",")
            raise ValueError(f"die Anteile der Zweige ergeben {total} statt 1 (100 % der Fälle)")
        if any(s is not None for s in shares) and any(s is None for s in shares):
            raise ValueError("entweder alle Zweige mit „anteil“ oder keiner (dann gleich verteilt)")
        return self


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        if "parallel" in value:
            return "parallel"
        if "alternativ" in value:
            return "alternativ"
    return "schritt"


Element = Annotated[
    Annotated[SchrittModell, Tag("schritt")]
    | Annotated[ParallelModell, Tag("parallel")]
    | Annotated[AlternativModell, Tag("alternativ")],
    Discriminator(_kind),
]
ZweigModell.model_rebuild()
ParallelModell.model_rebuild()
AlternativModell.model_rebuild()


class AngabeModell(StrictModel):
    """Side-table entry for a BPMN task (by id or name): what the BPMN file does not carry."""

    minuten: float | None = Field(default=None, ge=0)
    wartezeit_tage: float | None = Field(default=None, ge=0)
    medium: str | None = None
    baustein: str | None = None

    @field_validator("baustein")
    @classmethod
    def _known_block(cls, value: str | None) -> str | None:
        return None if value is None else katalog().baustein(value)

    @field_validator("medium")
    @classmethod
    def _known_medium(cls, value: str | None) -> str | None:
        return None if value is None else katalog().medium(value)


class ProzessdateiModell(StrictModel):
    """A YAML process file: either ``schritte`` or ``bpmn`` (+ side table ``angaben``)."""

    name: str = Field(min_length=1)
    bahnen: list[BahnModell] = Field(default_factory=list)
    schritte: list[Element] | None = None
    bpmn: Path | None = None
    angaben: dict[str, AngabeModell] = Field(default_factory=dict)
    unterlagen: list[UnterlageModell] | None = None  # None = keine Angabe, [] = keine nötig

    @model_validator(mode="after")
    def _one_source(self) -> ProzessdateiModell:
        if (self.schritte is None) == (self.bpmn is None):
            raise ValueError(
                "erwartet entweder „schritte“ (Liste) oder „bpmn“ (Datei) – genau eines"
            )
        if self.schritte is not None and not self.bahnen:
            raise ValueError(
                "„bahnen“ fehlt – bitte die Bahnen (Beteiligten) mit ihrer Art angeben"
            )
        if self.angaben and self.bpmn is None:
            raise ValueError("„angaben“ gibt es nur zusammen mit „bpmn“")
        names = [b.name for b in self.bahnen]
        doubles = sorted({n for n in names if names.count(n) > 1})
        if doubles:
            raise ValueError(f"Bahn {', '.join(doubles)} steht doppelt in „bahnen“")
        return self


# --- YAML → graph -------------------------------------------------------------------------------


class _Builder:
    """Turns the nested YAML elements into steps, gateways and edges."""

    def __init__(self, lanes: list[str]) -> None:
        self.lanes = lanes
        self.steps: dict[str, Schritt] = {}
        self.gateways: dict[str, str] = {}
        self.edges: list[Kante] = []
        self.errors: list[str] = []

    def sequence(self, items: list[Any], ends: list[tuple[str, float | None]]) -> list[str]:
        """Append *items* after the nodes *ends* (node, share of the edge); returns new ends."""
        current = ends
        for item in items:
            current = [(node, None) for node in self.element(item, current)]
        return [node for node, _ in current]

    def _link(self, ends: list[tuple[str, float | None]], target: str) -> None:
        for node, share in ends:
            self.edges.append(Kante(node, target, share))

    def element(self, item: Any, ends: list[tuple[str, float | None]]) -> list[str]:
        if isinstance(item, SchrittModell):
            sid = item.id or f"S{len(self.steps) + 1}"
            if item.bahn not in self.lanes:
                self.errors.append(
                    f"Schritt „{item.name}“: Bahn „{item.bahn}“ steht nicht in „bahnen“"
                    f"{_close(item.bahn, self.lanes)}"
                )
            if sid in self.steps:
                self.errors.append(f"Schritt „{item.name}“: id „{sid}“ ist schon vergeben")
            self.steps[sid] = Schritt(
                sid,
                item.name,
                item.bahn,
                item.baustein,
                item.medium,
                item.minuten,
                item.wartezeit_tage,
            )
            self._link(ends, sid)
            return [sid]
        kind = "parallel" if isinstance(item, ParallelModell) else "exklusiv"
        split, join = f"G{len(self.gateways) + 1}", f"G{len(self.gateways) + 2}"
        self.gateways[split] = self.gateways[join] = kind
        self._link(ends, split)
        if isinstance(item, ParallelModell):
            branches = [(b, None) for b in item.parallel]
        else:
            n = len(item.alternativ)
            branches = [(z.schritte, z.anteil or 1 / n) for z in item.alternativ]
        for branch, share in branches:
            for node in self.sequence(branch, [(split, share)]):
                self.edges.append(Kante(node, join))
        return [join]


def from_model(model: ProzessdateiModell, source: str) -> Prozess:
    """Graph of a YAML process file with ``schritte``."""
    lanes = [b.name for b in model.bahnen]
    builder = _Builder(lanes)
    builder.sequence(model.schritte or [], [])
    if builder.errors:
        raise InputError([f"{source}: {e}" for e in builder.errors])
    return Prozess(
        name=model.name,
        bahnen=tuple(Bahn(b.name, b.art) for b in model.bahnen),
        schritte=builder.steps,
        gateways=builder.gateways,
        kanten=tuple(builder.edges),
        unterlagen=None
        if model.unterlagen is None
        else tuple(u.as_unterlage() for u in model.unterlagen),
        quelle=source,
    )


def _where(data: Any, loc: tuple[Any, ...]) -> str:
    """Readable location: ``Schritt 4 → Zweig 1 → Schritt 2 „Bescheid drucken“ → minuten``."""
    parts: list[str] = []
    node, i = data, 0
    while i < len(loc):
        key = loc[i]
        if key in ("schritte", "parallel") and i + 1 < len(loc) and isinstance(loc[i + 1], int):
            idx = loc[i + 1]
            node = node.get(key, [])[idx] if isinstance(node, dict) else None
            if key == "parallel":
                parts.append(f"Zweig {idx + 1}")
                if i + 2 < len(loc) and isinstance(loc[i + 2], int):
                    node = node[loc[i + 2]] if isinstance(node, list) else None
                    i += 1
                    idx = loc[i + 1]
                else:
                    i += 2
                    continue
            name = node.get("name") if isinstance(node, dict) else None
            parts.append(f"Schritt {idx + 1}" + (f" „{name}“" if name else ""))
            i += 2
        elif key == "alternativ" and i + 1 < len(loc) and isinstance(loc[i + 1], int):
            node = node.get("alternativ", [])[loc[i + 1]] if isinstance(node, dict) else None
            parts.append(f"Zweig {loc[i + 1] + 1}")
            i += 2
        elif key in ("schritt", "parallel", "alternativ") and i > 0:
            i += 1  # discriminator tags
        elif isinstance(key, int):
            item = node[key] if isinstance(node, list) and key < len(node) else None
            name = item.get("name") if isinstance(item, dict) else None
            parts.append(f"{key + 1}" + (f" „{name}“" if name else ""))
            node, i = item, i + 1
        else:
            parts.append(str(key))
            node = node.get(key) if isinstance(node, dict) else None
            i += 1
    return " → ".join(parts)


def validation_messages(path: Path, data: Any, exc: ValidationError) -> list[str]:
    """One German message per problem, naming the file and the step."""
    messages = []
    for error in exc.errors():
        where = _where(data, tuple(error["loc"]))
        prefix = f"{path}: {where}: " if where else f"{path}: "
        messages.append(prefix + german(error))
    return messages
