"""Project housekeeping: environment.yml in sync, README's promises, make help."""

import subprocess

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
