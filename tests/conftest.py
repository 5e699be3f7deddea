"""Shared fixtures: paths, the seed's 16 Personalausweis rows, small survey files."""

from __future__ import annotations

import csv
import inspect
import os
import re
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook

from kdworkbook.bestand.schema import DECK_COLUMNS, HEADERS
from kdworkbook.kern import zwischenspeicher

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "parameters" / "musterstadt.yaml"

#: The deck's eight headers (pinned as literals in test_erhebung.py)
HEADER = [HEADERS[c] for c in DECK_COLUMNS]

#: The 16 rows of the deck's Bestandserhebung sample (seed, Anlage 1), verbatim.
SEED_ROWS = [
    ["Personalausweis", "Ausstellung", "Personalausweis Ausstellung erstmalig", 300, 120, 1, 1, 0],
    ["Personalausweis", "Ausstellung", "Personalausweis Ausstellung vorläufig", 70, 50, 2, 2, 1],
    [
        "Personalausweis",
        "Ausstellung",
        "Personalausweis Ausstellung neu wegen Verlust",
        40,
        130,
        4,
        3,
        0,
    ],
    [
        "Personalausweis",
        "Ausstellung",
        "Personalausweis Ausstellung neu wegen Ablauf der Gültigkeit",
        200,
        14,
        2,
        1,
        1,
    ],
    [
        "Personalausweis",
        "Ausstellung",
        "Personalausweis Ausstellung neu wegen Diebstahl",
        53,
        12,
        1,
        8,
        0,
    ],
    [
        "Personalausweis",
        "Ausstellung",
        "Personalausweis Ausstellung neu wegen Namensänderung bei Heirat",
        23,
        85,
        5,
        4,
        0,
    ],
    [
        "Personalausweis",
        "Ausstellung",
        "Personalausweis Ausstellung neu wegen Namensänderung bei Scheidung",
        20,
        76,
        3,
        7,
        0,
    ],
    [
        "Personalausweis",
        "Ausstellung",
        "Personalausweis Ausstellung neu wegen sonstiger Namensänderung",
        1,
        84,
        5,
        6,
        0,
    ],
    [
        "Personalausweis",
        "Ausstellung",
        "Personalausweis Ausstellung für unter 16 Jährige",
        30,
        34,
        7,
        8,
        0,
    ],
    [
        "Personalausweis",
        "Ausstellung",
        "Personalausweis Ausstellung für Deutsche mit Wohnsitz außerhalb Deutschland",
        7,
        95,
        2,
        6,
        0,
    ],
    [
        "Personalausweis",
        "Informationserteilung",
        "Personalausweis Informationserteilung",
        9,
        24,
        8,
        4,
        1,
    ],
    [
        "Personalausweis",
        "Informationserteilung",
        "Personalausweis Informationserteilung zum Personalausweis mit Online-Ausweisfunktion",
        4,
        69,
        5,
        7,
        1,
    ],
    ["Personalausweis", "Meldung", "Personalausweis Meldung", 6, 58, 2, 8, 1],
    ["Personalausweis", "Meldung", "Personalausweis Meldung wegen Diebstahl", 23, 264, 4, 5, 1],
    ["Personalausweis", "Meldung", "Personalausweis Meldung wegen Verlust", 10, 685, 5, 2, 1],
    ["Personalausweis", "Meldung", "Personalausweis Meldung wegen Fund", 4, 246, 3, 8, 1],
]


@pytest.fixture(scope="session")
def demo_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's bericht.pdf of one real run (papermill kernels, Chromium print), made once
    per session and shared by the tests that read the printed report."""
    from kdworkbook.lauf import lauf

    return lauf.run(DEMO, tmp_path_factory.mktemp("demo_lauf") / "ausgabe").pdf


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """The reference data shipped in the package (kdworkbook/data/referenz)."""
    from kdworkbook.kern import referenz

    path = referenz.leika_katalog().parent
    assert path.is_dir(), f"Referenzdaten fehlen im Paket: {path}"
    return path


def write_xlsx(path: Path, header: list, rows: list[list], sheet: str = "Bestandserhebung") -> Path:
    book = Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(header)
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def write_csv(
    path: Path,
    header: list,
    rows: list[list],
    delimiter: str = ";",
    encoding: str = "cp1252",
    german: bool = True,
) -> Path:
    def cell(value: object) -> str:
        if german and isinstance(value, float):
            return f"{value}".replace(".", ",")
        if german and isinstance(value, int) and value >= 1000:
            return f"{value:,}".replace(",", ".")
        return str(value)

    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows([[cell(v) for v in row] for row in rows])
    return path


def write_params(folder: Path, body: str, name: str = "kommune.yaml") -> Path:
    path = folder / name
    path.write_text(body, encoding="utf-8")
    return path


@pytest.fixture
def seed_survey(tmp_path: Path) -> Path:
    """Parameter file + xlsx with the 16 seed rows, Fachamt Bürgerbüro."""
    write_xlsx(tmp_path / "ausweis.xlsx", HEADER, SEED_ROWS)
    return write_params(
        tmp_path,
        "gemeinde: Stadt Seed\nbestand:\n  - datei: ausweis.xlsx\n"
        "    fachamt: Bürgerbüro\nstichtag: 2026-11-28\n",
    )


def execute_step(name: str, out_dir: Path, parameter_file: Path = DEMO) -> tuple[Path, list]:
    """Execute ``notebooks/<name>`` for real with papermill, as the runner does.

    Returns the executed notebook and the outputs of all its code cells.
    """
    import nbformat
    import papermill

    out = out_dir / name
    papermill.execute_notebook(
        str(ROOT / "notebooks" / name),
        str(out),
        parameters={"parameter_file": str(parameter_file)},
        kernel_name="python3",
        progress_bar=False,
        cwd=str(ROOT / "notebooks"),
    )
    nb = nbformat.read(out, as_version=4)
    return out, [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]


def descendants(word: str, root: int | None = None) -> dict[int, str]:
    """pid → command line of the processes started (indirectly) by *root* (default: this
    test process) whose command line contains *word*."""
    root = os.getpid() if root is None else root
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":  # zombies are gone already, they merely wait to be reaped
            parents[int(stat.parent.name)] = int(fields[1])
    found = {}
    for pid in parents:
        ancestor = parents.get(pid)
        while ancestor and ancestor != root:
            ancestor = parents.get(ancestor)
        if ancestor == root:
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if word in cmdline:
                found[pid] = cmdline
    return found


def chrome_descendants() -> list[str]:
    """Command lines of Chromium processes started (indirectly) by this test process."""
    return list(descendants("chrom").values())


# ------------------------------------------------------------------ test tiers

#: A test's kind, by what its code (and the helpers and fixtures it uses) calls: each word
#: marks the test with the marker. ``make test-schnell`` runs what needs none of the slow
#: parts: ``-m "not kernel and not browser and not excel and not prozess"``.
KINDS = {
    "kernel": (
        "lauf.run(",
        "run_many(",
        "execute_step(",
        "execute_notebook",
        'main(["run"',
        "_driver(",
        "run_again(",
        "ipykernel",
    ),
    "browser": ("chrom", "write_report", "ReportJob", "PdfPrinter", "playwright", "start_server"),
    "excel": ("openpyxl", "load_workbook", "write_xlsx", ".xlsx"),
    "prozess": ("subprocess", "Popen", "-m pip", "sys.executable"),
}


def _source(obj: object) -> str:
    try:
        return inspect.getsource(obj)  # type: ignore[arg-type]
    except (OSError, TypeError):
        return ""


def _code_of(item: pytest.Item) -> str:
    """The test's source, with the sources of the test helpers and fixtures it uses."""
    seen: set[str] = set()
    texts = []
    pending = [item.function]  # type: ignore[attr-defined]
    for defs in item._fixtureinfo.name2fixturedefs.values():  # type: ignore[attr-defined]
        pending += [d.func for d in defs if d.func.__module__.startswith("tests")]
    namespace = {**vars(sys.modules[__name__]), **vars(item.module)}  # type: ignore[attr-defined]
    while pending:
        obj = pending.pop()
        text = _source(obj)
        texts.append(text)
        for name in set(re.findall(r"\b[A-Za-z_]\w*\b", text)) - seen:
            seen.add(name)
            helper = namespace.get(name)
            if callable(helper) and getattr(helper, "__module__", "").startswith("tests"):
                pending.append(helper)
            elif isinstance(helper, str) and "\n" in helper:  # code run in a subprocess
                texts.append(helper)
    if "getfixturevalue" in "\n".join(texts):  # fixtures chosen at run time: any of the module
        texts.append(_source(item.module))  # type: ignore[attr-defined]
    return "\n".join(texts)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if not hasattr(item, "function"):
            continue
        code = _code_of(item)
        for kind, words in KINDS.items():
            if any(word in code for word in words):
                item.add_marker(kind)


@pytest.fixture(autouse=True, scope="session")
def _own_cache(tmp_path_factory):
    """The tests (and the kernels they start) never read or fill the user's cache."""
    before = os.environ.get(zwischenspeicher.ENV)
    os.environ[zwischenspeicher.ENV] = str(tmp_path_factory.mktemp("zwischenspeicher"))
    yield
    if before is None:
        os.environ.pop(zwischenspeicher.ENV, None)
    else:
        os.environ[zwischenspeicher.ENV] = before
