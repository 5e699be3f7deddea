"""The workbook's steps and what each contributes outside its notebook.

Every step registers here once: its section of ``kdworkbook check --json`` (computing it also
validates the step's own input files, before any notebook runs) and the files it writes into
a run folder besides the notebook (Excel sheets, plans). The CLI and the runner only loop over
:data:`STEPS`, so a new step touches this list and nothing else of theirs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kdworkbook.bericht import excel as export
from kdworkbook.bestand import kapitel as bestand_ansicht
from kdworkbook.bestand.laden import Bestandsaufnahme
from kdworkbook.buergerbefragung import kapitel as buergerbefragung_ansicht
from kdworkbook.massnahmen import excel as massnahmen_excel
from kdworkbook.massnahmen import kapitel as massnahmen_ansicht
from kdworkbook.musterprozess import kapitel as musterprozess_ansicht
from kdworkbook.rahmen import bedingungen as rahmen
from kdworkbook.rahmen import kapitel as rahmen_ansicht
from kdworkbook.steuerung import kapitel as fortschreibung_ansicht
from kdworkbook.vergleich import ablage as vergleich_ablage


@dataclass(frozen=True)
class Step:
    """``summary`` → dict for ``check --json`` (raises InputError on bad input);
    ``sheets`` → sheets for ``anhang.xlsx``; ``write`` → further files into a run folder;
    ``omitted`` → a German note for the analyst when the step's chapter (notebook stem
    ``notebook``) is left out of the client report for this municipality, else None;
    ``hinweise`` → the notes of the step's own summary that belong in the top-level list
    (``check`` prints them, „Warnung: …“ as a warning); ``note_omission`` False: the chapter
    is left out without a note (a first report has no Fortschreibung by method). A
    ``summary`` of None leaves the step's section out of ``check --json``."""

    key: str
    summary: Callable[[Bestandsaufnahme], dict[str, Any] | None]
    sheets: Callable[[Bestandsaufnahme], dict[str, export.Sheet]] | None = None
    write: Callable[[Bestandsaufnahme, Path], list[Path]] | None = None
    notebook: str | None = None
    omitted: Callable[[Bestandsaufnahme], str | None] | None = None
    hinweise: Callable[[dict[str, Any]], list[str]] | None = None
    note_omission: bool = True


def _no_musterprozess(ba: Bestandsaufnahme) -> str | None:
    if ba.settings.musterprozess.konfiguriert:
        return None
    return (
        "Kein Musterprozess konfiguriert (Abschnitt „musterprozess“ mit „ist“ und „soll“): "
        "das Kapitel Musterprozess entfällt im Bericht."
    )


STEPS: list[Step] = [
    Step("rahmenbedingungen", rahmen.summary, sheets=rahmen_ansicht.appendix_sheets),
    Step("bestand", bestand_ansicht.summary, sheets=bestand_ansicht.appendix_sheets),
    Step(
        "massnahmen",
        massnahmen_ansicht.summary,
        write=massnahmen_excel.write_plan,
        hinweise=massnahmen_ansicht.hinweise,
    ),
    Step(
        "musterprozess",
        musterprozess_ansicht.summary,
        sheets=musterprozess_ansicht.appendix_sheets,
        notebook="04_musterprozess",
        omitted=_no_musterprozess,
        hinweise=lambda section: section.get("hinweise", []),
    ),
    Step(
        "vergleich",
        vergleich_ablage.summary,
        notebook="05_vergleich",
        omitted=vergleich_ablage.omitted,
    ),
    Step(
        "buergerbefragung",
        buergerbefragung_ansicht.summary,
        notebook="06_buergerbefragung",
        omitted=buergerbefragung_ansicht.omitted,
    ),
    Step(
        "fortschreibung",
        fortschreibung_ansicht.summary,
        notebook="07_fortschreibung",
        omitted=fortschreibung_ansicht.omitted,
        note_omission=False,
    ),
]


def _left_out(ba: Bestandsaufnahme) -> dict[str, tuple[str, bool]]:
    found = {
        s.notebook: (s.omitted(ba), s.note_omission) for s in STEPS if s.notebook and s.omitted
    }
    return {stem: (note, noted) for stem, (note, noted) in found.items() if note}


def omissions(ba: Bestandsaufnahme) -> dict[str, str]:
    """Notebook stem → German note, for every chapter left out for this municipality that
    the analyst should hear about."""
    return {stem: note for stem, (note, noted) in _left_out(ba).items() if noted}


_OMITTED = re.compile(r"^(?P<grund>.+?): das Kapitel (?P<kapitel>.+) entfällt im Bericht\.$")


def omitted_chapter(note: str) -> tuple[str | None, str]:
    """(chapter, reason) of an omission note „<reason>: das Kapitel <chapter> entfällt im
    Bericht.“ – one short line each for ``kdworkbook check``; (None, note) for another
    wording."""
    match = _OMITTED.match(note)
    if match is None:
        return None, note
    return match["kapitel"], match["grund"] + "."


def report_notebooks(ba: Bestandsaufnahme, notebooks: list[Path]) -> list[Path]:
    """The chapter notebooks of this municipality's report (see :func:`omissions`; the
    chapters left out without a note are not part of it either)."""
    left_out = _left_out(ba)
    return [nb for nb in notebooks if nb.stem not in left_out]


def section(ba: Bestandsaufnahme, step: Step) -> dict[str, Any]:
    """*step*'s section of ``check --json``, computed once per Bestandsaufnahme (the run's
    comparison extract reads the same sections; treat them as read-only)."""
    return ba.once(f"abschnitt:{step.key}", lambda: step.summary(ba))


def summary(ba: Bestandsaufnahme) -> dict[str, Any]:
    """The full ``check --json`` document; validates every step's inputs on the way."""
    s = ba.settings
    result: dict[str, Any] = {
        "gemeinde": s.gemeinde,
        "ags": s.ags,
        "stichtag": s.stichtag.isoformat(),
    }
    notes = list(ba.survey.notes)
    for step in STEPS:
        part = section(ba, step)
        if part is None:
            continue
        result[step.key] = part
        if step.hinweise:
            notes += step.hinweise(part)
    result["hinweise"] = [*notes, *rahmen.review_notes(ba), *omissions(ba).values()]
    return result


def write_tables(ba: Bestandsaufnahme, run_dir: Path) -> list[Path]:
    """``anhang.xlsx`` with every step's sheets, and each step's own files."""
    sheets: dict[str, export.Sheet] = {}
    for step in STEPS:
        if step.sheets:
            sheets |= step.sheets(ba)
    fill = ba.settings.gestaltung.primaerfarbe
    written = [
        export.write_workbook(
            run_dir / "anhang.xlsx", sheets, footer=ba.settings.gemeinde, header_color=fill
        )
    ]
    for step in STEPS:
        if step.write:
            written += step.write(ba, run_dir)
    return written


def write_outputs(ba: Bestandsaufnahme, run_dir: Path) -> list[Path]:
    """:func:`write_tables` and the presentation (a run writes them in two kernels at once,
    :mod:`kdworkbook.lauf.anhaenge`)."""
    from kdworkbook.bericht import praesentation  # python-pptx: not needed by ``check``

    return write_tables(ba, run_dir) + praesentation.write(ba, run_dir)
