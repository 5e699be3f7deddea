"""The run's appendices – ``anhang.xlsx`` with each step's own files, and
``praesentation.pptx`` – written in the kernels of the run.

After their last notebook, the kernels of the step processes have kdworkbook, pandas,
openpyxl and matplotlib imported and nothing else to do: there the appendices cost no
imports and do not compete with the report (HTML, Word) for the runner's interpreter. The
runner hands the two parts to the step processes that are free once every notebook has
started – each part a notebook of one cell (:func:`notebooks`) written into the run's
snapshot folder and gone with it (:class:`kdworkbook.lauf.lauf._Workers`).
"""

from __future__ import annotations

from pathlib import Path

import nbformat

#: the appendix the run names in its result
APPENDIX = "anhang.xlsx"
#: their seconds in ``lauf.json`` (``dauer_s``), from the first hand-over to the last end
DURATION = "anhaenge"
#: part → what a failure names
PARTS = {
    "tabellen": "Anhänge (anhang.xlsx und die Excel-Dateien der Schritte)",
    "praesentation": "Präsentation (praesentation.pptx)",
}
PREFIX = "anhaenge_"


def notebooks(folder: Path, handed: Path, run_dir: Path) -> list[Path]:
    """One notebook of one cell per part in *folder*, each calling :func:`write` with the
    run's hand-over and folder."""
    paths = []
    for part in PARTS:
        nb = nbformat.v4.new_notebook()
        nb.cells = [
            nbformat.v4.new_code_cell(
                "from kdworkbook.lauf import anhaenge\n"
                f"anhaenge.write({str(handed)!r}, {str(run_dir)!r}, {part!r})"
            )
        ]
        nb.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        paths.append(folder / f"{PREFIX}{part}.ipynb")
        nbformat.write(nb, paths[-1])
    return paths


def label(notebook: Path) -> str | None:
    """What a failure of *notebook* names, if it is one of the parts; else None."""
    return (
        PARTS.get(notebook.stem.removeprefix(PREFIX)) if notebook.stem.startswith(PREFIX) else None
    )


def write(handed: str | Path, run_dir: str | Path, part: str) -> list[Path]:
    """Write *part* of the appendices of the Bestandsaufnahme handed over in *handed* into
    *run_dir*."""
    from kdworkbook.lauf import schritte, vorberechnung  # in the kernel; the runner needs less

    ba = vorberechnung.bestandsaufnahme(None, handed)
    if part == "tabellen":
        return schritte.write_tables(ba, Path(run_dir))
    from kdworkbook.bericht import praesentation

    return praesentation.write(ba, Path(run_dir))
