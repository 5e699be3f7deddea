"""Running the workbook for one municipality: validate → notebooks → report → appendix.

A run is written into a hidden temporary folder and renamed to
``outputs/<slug>/<YYYY-MM-DD_HHMMSS>/`` only when complete; ``outputs/<slug>/latest`` then
points to it. A failing notebook moves the partial run to ``outputs/<slug>/fehlgeschlagen/``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from kdworkbook import bericht, schritte
from kdworkbook.errors import InputError
from kdworkbook.formatierung import zahl
from kdworkbook.laden import load_bestand

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
PARAMETER_NAME = "parameter_file"
RESULTS_TAG = "ergebnisse"


class RunFailed(Exception):
    """A notebook failed; the message names step, cell, error and the notebook to open."""


@dataclass
class RunResult:
    run_dir: Path
    pdf: Path
    html: Path
    appendix: Path
    notebooks: list[Path]
    results: dict[str, Any] = field(default_factory=dict)
    durations: dict[str, float] = field(default_factory=dict)


def step_notebooks(directory: Path = NOTEBOOK_DIR) -> list[Path]:
    """The step notebooks ``NN_<abschnitt>.ipynb`` in order."""
    found = sorted(directory.glob("[0-9][0-9]_*.ipynb"))
    if not found:
        raise InputError(f"{directory}: keine Notebooks der Form „NN_abschnitt.ipynb“ gefunden.")
    return found


def _check_parameters(notebook: Path) -> None:
    """Our one parameter must be declared, so papermill injects nothing undeclared."""
    import papermill

    declared = papermill.inspect_notebook(str(notebook))
    if PARAMETER_NAME not in declared:
        raise InputError(f"{notebook}: Parameterzelle deklariert „{PARAMETER_NAME}“ nicht.")


def read_results(notebook: Path) -> dict[str, Any]:
    """The JSON emitted by the cells tagged ``ergebnisse`` of an executed notebook."""
    nb = nbformat.read(notebook, as_version=4)
    results: dict[str, Any] = {}
    for cell in nb.cells:
        if RESULTS_TAG in cell.get("metadata", {}).get("tags", []):
            for output in cell.get("outputs", []):
                results.update(output.get("data", {}).get("application/json", {}))
    return results


def _free_name(folder: Path, stem: str) -> Path:
    candidate, n = folder / stem, 1
    while candidate.exists():
        n += 1
        candidate = folder / f"{stem}-{n}"
    return candidate


def _point_latest(slug_dir: Path, run_dir: Path) -> None:
    link = slug_dir / "latest"
    tmp = slug_dir / f".latest-{os.getpid()}"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(run_dir.name)
    os.replace(tmp, link)


def _execute(notebook: Path, target: Path, parameter_file: Path) -> None:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    try:
        papermill.execute_notebook(
            str(notebook),
            str(target),
            parameters={PARAMETER_NAME: str(parameter_file)},
            kernel_name="python3",
            progress_bar=False,
            cwd=str(notebook.parent),
        )
    except PapermillExecutionError as exc:
        raise RunFailed(
            f"Schritt „{notebook.stem}“, Zelle {exc.exec_count or exc.cell_index}: "
            f"{exc.ename}: {exc.evalue}"
        ) from None


def run(
    parameter_file: Path | str,
    output_root: Path | str = "outputs",
    notebook_dir: Path = NOTEBOOK_DIR,
    browser: str | None = None,
    progress: Callable[[str], None] = lambda _msg: None,
) -> RunResult:
    """Run every step notebook for one municipality and build report and appendix."""
    parameter_file = Path(parameter_file).resolve()
    ba = load_bestand(parameter_file)
    schritte.summary(ba)  # every step validates its own inputs before anything runs
    notebooks = step_notebooks(notebook_dir)
    for nb in notebooks:
        _check_parameters(nb)

    slug_dir = Path(output_root).resolve() / ba.settings.slug
    stamp = dt.datetime.now().strftime("%Y-%m-%d_%H%M%S")
    slug_dir.mkdir(parents=True, exist_ok=True)
    work = slug_dir / f".unfertig-{stamp}-{os.getpid()}"
    work.mkdir()
    durations: dict[str, float] = {}
    try:
        executed = []
        for i, nb in enumerate(notebooks, start=1):
            progress(f"[{i}/{len(notebooks)}] {nb.stem} …")
            start = time.perf_counter()
            target = work / nb.name
            try:
                _execute(nb, target, parameter_file)
            except RunFailed as exc:
                failed = _free_name(slug_dir / "fehlgeschlagen", stamp)
                failed.parent.mkdir(exist_ok=True)
                work.rename(failed)
                raise RunFailed(
                    f"{exc}\nTeilweise ausgeführtes Notebook: {failed / nb.name}"
                ) from None
            durations[nb.stem] = time.perf_counter() - start
            progress(f"[{i}/{len(notebooks)}] {nb.stem} fertig ({zahl(durations[nb.stem], 1)} s)")
            executed.append(target)

        progress("Bericht (HTML, PDF) …")
        start = time.perf_counter()
        meta = bericht.ReportMeta(
            gemeinde=ba.settings.gemeinde, stichtag=ba.settings.stichtag, ags=ba.settings.ags
        )
        html, pdf = bericht.write_report(executed, work, meta, browser=browser)
        appendix, *_ = schritte.write_outputs(ba, work)
        durations["bericht"] = time.perf_counter() - start
        results: dict[str, Any] = {}
        for nb in executed:
            results.update(read_results(nb))
        (work / "ergebnisse.json").write_text(
            json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8"
        )
    except BaseException:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
        raise

    final = _free_name(slug_dir, stamp)
    work.rename(final)
    _point_latest(slug_dir, final)
    return RunResult(
        run_dir=final,
        pdf=final / pdf.name,
        html=final / html.name,
        appendix=final / appendix.name,
        notebooks=[final / p.name for p in executed],
        results=results,
        durations=durations,
    )
