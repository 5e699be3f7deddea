"""The shape of the house: logic modules take data, the loading layer reads the files."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "kdworkbook"

#: Modules of pure logic: data in, data out – no file is read or written there.
LOGIC = (
    "bestand/kennzahlen.py",
    "rahmen/leika.py",
    "rahmen/leika_abgleich.py",
    "rahmen/pflichten.py",
    "rahmen/geeignetheit.py",
    "rahmen/reife.py",
    "rahmen/bedingungen.py",
    "massnahmen/priorisierung.py",
    "massnahmen/zuordnung.py",
    "massnahmen/plan.py",
    "musterprozess/bpmn.py",
    "musterprozess/bpmn_xml.py",
    "musterprozess/kennzahlen.py",
    "musterprozess/text.py",
    "buergerbefragung/auswertung.py",
    "vergleich/peers.py",
)
#: What reads files: the loaders and the YAML reader.
LOADERS = ("laden", "yamlsafe", "momentaufnahme")
READING = {"open", "read_text", "read_bytes", "load_yaml", "read_csv", "read_excel", "iterdir"}


def _runtime_nodes(tree: ast.Module) -> list[ast.AST]:
    """All nodes except those under ``if TYPE_CHECKING:`` (imports for annotations only)."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(n) for child in node.body for n in ast.walk(child)}
    return [n for n in ast.walk(tree) if id(n) not in skipped]


@pytest.mark.parametrize("module", LOGIC)
def test_logic_modules_neither_import_a_loader_nor_read_files(module: str) -> None:
    tree = ast.parse((PACKAGE / module).read_text(encoding="utf-8"))
    problems = []
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.ImportFrom):
            names = [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            names = []
        problems += [n for n in names if n.rsplit(".", 1)[-1] in LOADERS]
        if isinstance(node, ast.Call):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else None
            called = called or (node.func.id if isinstance(node.func, ast.Name) else None)
            if called in READING:
                problems.append(f"Zeile {node.lineno}: {called}()")
    assert problems == []


def test_no_hidden_imports_between_steps() -> None:
    """Edges between subpackages are plain imports, visible to readers and tools."""
    hidden = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "import_module(" in path.read_text(encoding="utf-8")
        and path.name != "_importe.py"  # the lazy import of a third-party library
    ]
    assert hidden == []
