"""Where the package finds the notebooks it runs.

The notebooks are package data: the wheel carries the top-level ``notebooks/`` folder as
``kdworkbook/notebooks/`` (``pyproject.toml``: ``package-dir``). In the project folder
(editable install) they are read where they are, so there is one copy of each notebook.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]


def notebook_dir() -> Path:
    """``kdworkbook/notebooks`` of an installed wheel, else the project's ``notebooks/``."""
    shipped = _PACKAGE / "notebooks"
    return shipped if shipped.is_dir() else _PACKAGE.parent / "notebooks"
