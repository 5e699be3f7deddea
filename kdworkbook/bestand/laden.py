"""Loading a municipality: parameter file → validated settings → validated survey → figures.

The one place where the notebooks, the CLI and the tests read input files: the survey here,
the files of the other steps through their loaders (:mod:`kdworkbook.rahmen.laden`,
:mod:`kdworkbook.musterprozess.laden`), each read once per municipality when a step first
asks (``ba.katalog``, ``ba.pflichtenregister``, ``ba.reife_empfehlungen``,
``ba.musterprozesse``). The logic modules get this data; none of them imports a loader.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from kdworkbook.bestand import kennzahlen as bestand
from kdworkbook.bestand.erhebung import Survey, read_survey
from kdworkbook.buergerbefragung import dateien as buergerbefragung_dateien
from kdworkbook.kern import gestaltung, momentaufnahme, systemfehler
from kdworkbook.kern.errors import InputError
from kdworkbook.kern.formatierung import zahl
from kdworkbook.kern.parameter import Settings, load_settings
from kdworkbook.musterprozess import laden as musterprozess_laden
from kdworkbook.musterprozess.modell import Prozess
from kdworkbook.rahmen import laden as rahmen_laden
from kdworkbook.rahmen.leika import KatalogStand
from kdworkbook.rahmen.pflichten import Pflicht

SURVEY_SUFFIXES = (".xlsx", ".xlsm", ".csv")
RETURN_STATUS = "ruecklauf.json"
#: The demo municipality, relative to the project folder: the notebooks' default, so that
#: ``papermill notebooks/02_bestandsaufnahme.ipynb out.ipynb`` works from any folder.
DEMO_PARAMETER_FILE = Path("parameters") / "musterstadt.yaml"
T = TypeVar("T")


def demo_parameter_file() -> Path:
    """The demo parameter file of the project folder this package belongs to."""
    path = Path(__file__).resolve().parents[2] / DEMO_PARAMETER_FILE
    if not path.is_file():
        raise InputError(
            "Keine Parameterdatei angegeben (parameter_file), und die Demo-Kommune "
            f"„{DEMO_PARAMETER_FILE}“ gibt es nur im Projektordner, nicht in einer "
            "Installation. Bitte die Parameterdatei angeben, z. B. "
            "papermill … -p parameter_file parameters/<kommune>.yaml."
        )
    return path


@dataclass(frozen=True)
class Bestandsaufnahme:
    """Everything the Bestandsaufnahme step works with."""

    settings: Settings
    survey: Survey
    data: pd.DataFrame  # the survey with Jahresstunden, Personalkosten, VZÄ per process
    #: return status of the survey round (``ruecklauf.json`` beside a survey file), if any
    ruecklauf: pd.DataFrame | None = None
    #: the parameter file as named by the user (inside a run: the original, not the copy)
    parameter_file: Path | None = None
    #: results derived from exactly these inputs (the LeiKa matching, the Maßnahmenplan, the
    #: step summaries), each computed once; a run hands them to its step kernels with the
    #: object (:mod:`kdworkbook.lauf.vorberechnung`). ``dataclasses.replace`` starts empty.
    derived: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def once(self, key: str, compute: Callable[[], T]) -> T:
        """*compute*'s result, computed on the first call for this Bestandsaufnahme only."""
        if key not in self.derived:
            self.derived[key] = compute()
        return self.derived[key]

    @property
    def key_figures(self) -> bestand.Kennzahlen:
        return bestand.key_figures(self.data)

    @cached_property
    def katalog(self) -> KatalogStand:
        """The LeiKa/OZG catalogue ``rahmen`` names (default: the shipped one)."""
        return rahmen_laden.load_catalogue(self.settings.rahmen)

    @cached_property
    def pflichtenregister(self) -> tuple[Pflicht, ...]:
        """The duty register: the shipped one with ``rahmen → zusatz_register`` applied."""
        return rahmen_laden.load_register(self.settings.rahmen.zusatz_register)

    @cached_property
    def buergerbefragung_ergebnis(self) -> dict[str, Any] | None:
        """The evaluated citizen survey (``buergerbefragung → ergebnis``), None without one."""
        path = self.settings.buergerbefragung.ergebnis
        return buergerbefragung_dateien.load_result(path) if path is not None else None

    @cached_property
    def reife_empfehlungen(self) -> dict[str, str]:
        """Recommendation text per Reifegrad area (package data)."""
        return rahmen_laden.load_recommendations()

    @cached_property
    def musterprozesse(self) -> tuple[Prozess, Prozess] | None:
        """IST and SOLL of ``musterprozess`` (YAML or BPMN); None if none is configured."""
        mp = self.settings.musterprozess
        if not mp.konfiguriert:
            return None
        return musterprozess_laden.load_process(mp.ist), musterprozess_laden.load_process(mp.soll)


def survey_sources(settings: Settings) -> list[tuple[Path, str | None]]:
    """Survey files with their Fachamt; a folder stands for all .xlsx/.csv files in it
    (Excel's lock files ``~$…`` and hidden files are skipped). A folder with more files than
    ``grenzen → dateien_je_ordner`` is refused, as is an entry that is no regular file."""
    sources: list[tuple[Path, str | None]] = []
    limit = settings.grenzen.dateien_je_ordner
    for quelle in settings.bestand:
        if quelle.datei.is_dir():
            files = sorted(
                p
                for p in quelle.datei.iterdir()
                if p.suffix.lower() in SURVEY_SUFFIXES
                and not p.name.startswith(("~$", "."))
                and not p.is_dir()
            )
            if len(files) > limit:
                raise InputError(
                    f"{quelle.datei}: {zahl(len(files))} Erhebungsdateien im Ordner – höchstens "
                    f"{zahl(limit)} (grenzen → dateien_je_ordner). Ist das der richtige Ordner?"
                )
            for path in files:  # a FIFO or a symlink loop: named, not silently skipped
                systemfehler.regular_file(path, "Erhebungsdatei")
            if not files:
                raise InputError(f"{quelle.datei}: Ordner enthält keine .xlsx- oder .csv-Datei.")
            sources += [(p, quelle.fachamt) for p in files]
        else:
            sources.append((quelle.datei, quelle.fachamt))
    return sources


def _check_fachaemter(settings: Settings, data: pd.DataFrame) -> None:
    count = data["fachamt"].nunique()
    if count > settings.grenzen.fachaemter:
        raise InputError(
            f"Bestandserhebung: {zahl(count)} verschiedene Fachämter – höchstens "
            f"{zahl(settings.grenzen.fachaemter)} (grenzen → fachaemter). Bitte die Spalte "
            "„Fachamt“ prüfen oder die Grenze in der Parameterdatei anheben."
        )


def load_bestand(
    parameter_file: Path | str | None,
    snapshot: Path | None = None,
    stichtag: dt.date | None = None,
) -> Bestandsaufnahme:
    """Validate the parameter file and every survey file; raises InputError on bad input.

    Inside a run (*snapshot*, or for a step kernel env ``KDWORKBOOK_MOMENTAUFNAHME``) every
    input is read from the copies taken when the run started (:mod:`momentaufnahme`);
    *stichtag* applies when the parameter file names none (``run --wiederholen``).
    ``None`` stands for the demo municipality (:func:`demo_parameter_file`).
    """
    if parameter_file is None:
        parameter_file = demo_parameter_file()
    if os.path.lexists(parameter_file):
        systemfehler.regular_file(Path(parameter_file), "Parameterdatei")  # a FIFO would block
    index = momentaufnahme.read_index(snapshot)
    settings = load_settings(
        parameter_file,
        base_dir=momentaufnahme.base_dir(index),
        copies=index["kopien"] if index else None,
    )
    settings = momentaufnahme.apply(settings, index, stichtag)
    g = settings.gestaltung  # the charts of this municipality in its corporate design
    gestaltung.use_for_charts(g.primaerfarbe, g.akzentfarbe, g.schrift)
    survey = read_survey(survey_sources(settings), settings.stufen)
    _check_fachaemter(settings, survey.data)
    data = bestand.add_figures(
        survey.data, settings.stundensaetze, settings.stufen, settings.jahresarbeitsstunden
    )
    return Bestandsaufnahme(
        settings=settings,
        survey=survey,
        data=data,
        ruecklauf=_return_status(survey.files),
        parameter_file=Path(index["parameterdatei"]) if index else Path(parameter_file).resolve(),
    )


def _return_status(files: list[Path]) -> pd.DataFrame | None:
    """The table ``kdworkbook umfrage-einlesen`` wrote beside the consolidated survey."""
    for folder in dict.fromkeys(p.parent for p in files):
        path = folder / RETURN_STATUS
        if path.is_file():
            try:
                return pd.DataFrame(json.loads(path.read_text(encoding="utf-8")))
            except (ValueError, UnicodeDecodeError):
                raise InputError(f"{path}: keine lesbare Rücklauf-Übersicht.") from None
    return None
