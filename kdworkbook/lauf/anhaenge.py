"""The parts of the run's appendices written in a kernel of the run: ``praesentation.pptx``.

After their last notebook, the kernels of the step processes have kdworkbook, pandas and
matplotlib imported and nothing else to do: there the presentation costs no imports and
does not compete with the report (HTML, Word) for the runner's interpreter. The runner hands
each part to a step process that is free once every notebook has started – a notebook of
one cell (:func:`notebooks`) written into the run's snapshot folder and gone with it
(:class:`kdworkbook.lauf.lauf._Workers`). The Excel files stay with the runner
(:func:`kdworkbook.lauf.schritte.write_tables`): it holds the Bestandsaufnahme already, a
kernel would load a second copy – at 200.000 processes half a gigabyte more at the peak
(so beyond :data:`KERNEL_MAX_PROCESSES` the runner writes the presentation, too).
"""

from __future__ import annotations

from pathlib import Path

import nbformat

#: the appendix the run names in its result
APPENDIX = "anhang.xlsx"
#: their seconds in ``lauf.json`` (``dauer_s``), from the first hand-over to the last end
DURATION = "anhaenge"
#: Up to this many processes the presentation is written in a kernel; beyond, by the runner
#: (the kernel would load a second copy of the survey: at 200.000 processes 0,5 GB more at
#: the peak, above the 2 GB a run may take – measured with ``make bench``).
KERNEL_MAX_PROCESSES = 50_000
#: part → what a failure names
PARTS = {"praesentation": "Präsentation (praesentation.pptx)"}
PREFIX = "anhaenge_"


def notebooks(folder: Path, handed: Path, run_dir: Path, processes: int) -> list[Path]:
    """One notebook of one cell per part in *folder*, each calling :func:`write` with the
    run's hand-over and folder; none for a survey of more than :data:`KERNEL_MAX_PROCESSES`
    *processes* (the runner writes the parts itself)."""
    if processes > KERNEL_MAX_PROCESSES:
        return []
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
    from kdworkbook.bericht import praesentation
    from kdworkbook.lauf import vorberechnung  # in the kernel; the runner needs less

    if part not in PARTS:
        raise ValueError(f"unknown part of the appendices: {part!r}")
    ba = vorberechnung.bestandsaufnahme(None, handed)
    return praesentation.write(ba, Path(run_dir))
