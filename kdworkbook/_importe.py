"""Faster start of every kdworkbook command: a third-party import deferred until it is used.

``nbformat`` (imported by papermill and nbconvert) imports ``jsonschema``, which imports
``rfc3987_syntax`` when it is installed (it comes with JupyterLab's ``jupyter-events``).
That package builds an Earley parser for IRIs at import time: about 2 s on every start,
for a check nbformat never makes. A placeholder module stands in for it; the real one is
imported on the first IRI check, so behaviour stays exactly the same.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types

DEFERRED = "rfc3987_syntax"


def defer_iri_parser() -> None:
    if DEFERRED in sys.modules or importlib.util.find_spec(DEFERRED) is None:
        return
    placeholder = types.ModuleType(DEFERRED, "Platzhalter, siehe kdworkbook._importe")

    def is_valid_syntax(term: str, value: str) -> bool:
        if sys.modules.get(DEFERRED) is placeholder:
            del sys.modules[DEFERRED]
        return importlib.import_module(DEFERRED).is_valid_syntax(term, value)

    placeholder.is_valid_syntax = is_valid_syntax  # type: ignore[attr-defined]
    sys.modules[DEFERRED] = placeholder
