"""Strict, safe YAML loading for parameter files.

PyYAML's YAML 1.1 rules turn ``ags: 05315000`` into the octal number 1415680 and ``no``
into ``False`` (see TOOLCHAIN.md). This loader follows YAML 1.2's core schema instead:
only ``true``/``false`` are booleans, and digit strings with a leading zero stay text, so
an AGS or PLZ written without quotes keeps its leading zero. It also refuses what a
parameter file never needs: duplicate keys, anchors/aliases and object-constructing tags,
and texts with invisible control or bidi characters. Texts come back in Unicode NFC.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError

from kdworkbook.kern.errors import InputError
from kdworkbook.kern.textpruefung import parameter_texts

MAX_BYTES = 1_000_000  # a parameter file is a few KB; anything this large is a mistake


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core scalars, no aliases and no duplicate keys."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(
                problem="Anker/Aliase (&name, *name) sind in Parameterdateien nicht erlaubt",
                problem_mark=event.start_mark,
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.MarkedYAMLError(
                    problem=f"Schlüssel „{key}“ steht doppelt",
                    problem_mark=key_node.start_mark,
                )
            seen[key] = True
        return super().construct_mapping(node, deep=deep)


# Timestamps stay text too: the typed model parses dates and reports bad ones per key.
_YAML11_SCALARS = (
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:timestamp",
)
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _YAML11_SCALARS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
# Leading zeros are not numbers: "05315000" stays the text it is.
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")
)
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:(?:0|[1-9][0-9]*)\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789."),
)


def _location(mark: Any, path: Path) -> str:
    return f"{path}, Zeile {mark.line + 1}, Spalte {mark.column + 1}" if mark else str(path)


def load_yaml(path: Path) -> dict[str, Any]:
    """Read a YAML mapping from *path*; every problem becomes a German InputError."""
    if not path.is_file():
        raise InputError(f"{path}: Parameterdatei nicht gefunden.")
    raw = path.read_bytes()
    if len(raw) > MAX_BYTES:
        raise InputError(
            f"{path}: Datei ist mit {len(raw)} Bytes zu groß für eine Parameterdatei "
            f"(höchstens {MAX_BYTES})."
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: Datei ist nicht UTF-8-kodiert (Byte {exc.start}). Bitte als UTF-8 speichern."
        ) from None
    if not text.strip():
        raise InputError(
            f"{path}: Datei ist leer – erwartet werden mindestens „gemeinde“ und „bestand“."
        )
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 – strict safe loader
    except yaml.reader.ReaderError as exc:  # a control character written as such
        line = text.count("\n", 0, exc.position) + 1
        raise InputError(
            f"{path}, Zeile {line}: enthält das unsichtbare Steuerzeichen U+{exc.character:04X} "
            "– bitte entfernen."
        ) from None
    except ConstructorError as exc:
        raise InputError(
            f"{_location(exc.problem_mark, path)}: Unzulässiges YAML-Tag – "
            "Parameterdateien enthalten nur Texte, Zahlen, Listen und Zuordnungen."
        ) from None
    except yaml.MarkedYAMLError as exc:
        problem = exc.problem or "ungültiges YAML"
        if "'\\t'" in problem:
            problem = "Tabulatorzeichen sind in YAML nicht erlaubt – bitte Leerzeichen verwenden"
        raise InputError(f"{_location(exc.problem_mark, path)}: {problem}.") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: ungültiges YAML ({exc}).") from None
    if data is None:
        raise InputError(
            f"{path}: Datei ist leer (nur Kommentare) – erwartet werden mindestens "
            "„gemeinde“ und „bestand“."
        )
    if not isinstance(data, dict):
        raise InputError(
            f"{path}: Erwartet wird eine Zuordnung „schlüssel: wert“ auf oberster Ebene, "
            f"gefunden: {type(data).__name__}."
        )
    data, problems = parameter_texts(data, f"{path}: ")
    if problems:
        raise InputError(problems)
    return data
