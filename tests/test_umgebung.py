"""Project housekeeping: environment.yml in sync, README's promises, make help."""

import subprocess
import sys

from .conftest import ROOT


def test_environment_yml_matches_pyproject():
    generated = subprocess.run(
        ["bash", "scripts/environment.sh"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    committed = (ROOT / "environment.yml").read_text(encoding="utf-8")
    assert generated == committed, "environment.yml veraltet: „make environment.yml“ ausführen"


def test_readme_opens_with_the_two_commands():
    head = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:15]
    text = "\n".join(head)
    assert "make demo" in text and "make test" in text


def test_ci_calls_make_test():
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_make_help_documents_targets():
    out = subprocess.run(
        ["make", "-s", "help"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    for target in ("demo", "test", "check", "run", "env-check", "environment.yml"):
        assert f"make {target}" in out


def test_iri_parser_is_imported_only_when_used():
    # kdworkbook defers rfc3987_syntax (2 s at import, see kdworkbook/_importe.py);
    # jsonschema's IRI check must still give the real answers
    script = (
        "import sys, kdworkbook, nbformat\n"
        "from jsonschema import FormatChecker\n"
        "print(hasattr(sys.modules['rfc3987_syntax'], 'syntax_parser'))\n"
        "checker = FormatChecker()\n"
        "print(checker.conforms('https://beispiel.de/straße', 'iri'))\n"
        "print(checker.conforms('kein iri', 'iri'))\n"
        "print(hasattr(sys.modules['rfc3987_syntax'], 'syntax_parser'))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.split()
    assert out == ["False", "True", "False", "True"]
