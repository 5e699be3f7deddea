"""Reading a Musterprozess file: the one place that reads process files and chooses between
YAML and BPMN 2.0.

Above both formats: :mod:`kdworkbook.musterprozess.modell` holds the model and the YAML
format, :mod:`kdworkbook.musterprozess.bpmn` builds the same model from a BPMN file's bytes.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from kdworkbook.kern.errors import InputError
from kdworkbook.kern.yamlsafe import load_yaml
from kdworkbook.musterprozess import bpmn
from kdworkbook.musterprozess.modell import (
    Prozess,
    ProzessdateiModell,
    from_model,
    validation_messages,
)


def read_bpmn(path: Path, side: ProzessdateiModell | None = None, side_name: str = "") -> Prozess:
    """Read a BPMN 2.0 file; *side* is the wrapping YAML file (side table, lanes, documents)."""
    return bpmn.parse_bpmn(path.read_bytes(), path, side, side_name)


def load_process(path: Path) -> Prozess:
    """Read a process file: .yaml/.yml, or BPMN 2.0 (.bpmn, .bpmn20.xml, .bpmn2, .xml – the
    content decides); every problem becomes a German InputError."""
    if path.suffix.lower() not in (".yaml", ".yml"):
        return read_bpmn(path)
    data = load_yaml(path)
    try:
        model = ProzessdateiModell.model_validate(data)
    except ValidationError as exc:
        raise InputError(validation_messages(path, data, exc)) from None
    if model.bpmn is None:
        return from_model(model, path.name)
    bpmn_path = (path.parent / model.bpmn).resolve()
    if not bpmn_path.is_file():
        raise InputError(f"{path}: Schlüssel „bpmn“: Datei „{model.bpmn}“ nicht gefunden.")
    return read_bpmn(bpmn_path, side=model, side_name=path.name)


def bpmn_file(path: Path) -> Path | None:
    """The BPMN file a process file is (or wraps with ``bpmn:``); None for a YAML model."""
    if path.suffix.lower() not in (".yaml", ".yml"):
        return path
    data = load_yaml(path)
    wrapped = data.get("bpmn") if isinstance(data, dict) else None
    return (path.parent / str(wrapped)).resolve() if wrapped else None
