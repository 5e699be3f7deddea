"""The run's appendices – ``anhang.xlsx``, each step's own files, ``praesentation.pptx`` –
written in a kernel of the run.

After its last notebook, the kernel of a step process has kdworkbook, pandas, openpyxl and
matplotlib imported and nothing else to do: there the appendices cost no imports and do not
compete with the report (HTML, Word) for the runner's interpreter. The runner hands the call
to the first step process that is free once every notebook has started, as a notebook of
one cell (:func:`notebook`) written into the run's snapshot folder and gone with it
(:func:`kdworkbook.lauf.lauf._execute_all`).
"""

from __future__ import annotations

from pathlib import Path

import nbformat

#: the appendix the run names in its result
APPENDIX = "anhang.xlsx"


#: the notebook's name in the snapshot folder (its stem names it in a failure)
NOTEBOOK = "anhaenge.ipynb"


def notebook(folder: Path, handed: Path, run_dir: Path) -> Path:
    """A notebook of one cell in *folder* that calls :func:`write` with the run's hand-over
    and folder."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "from kdworkbook.lauf import anhaenge\n"
            f"anhaenge.write({str(handed)!r}, {str(run_dir)!r})"
        )
    ]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = folder / NOTEBOOK
    nbformat.write(nb, path)
    return path


def write(handed: str | Path, run_dir: str | Path) -> list[Path]:
    """Write the appendices of the Bestandsaufnahme handed over in *handed* into *run_dir*."""
    from kdworkbook.lauf import schritte, vorberechnung  # in the kernel; the runner needs less

    ba = vorberechnung.bestandsaufnahme(None, handed)
    return schritte.write_outputs(ba, Path(run_dir))
