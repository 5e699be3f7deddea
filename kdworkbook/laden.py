"""Loading a municipality: parameter file → validated settings → validated survey → figures.

The one place where the notebooks, the CLI and the tests read input files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kdworkbook import bestand
from kdworkbook.erhebung import Survey, read_survey
from kdworkbook.parameter import Settings, load_settings


@dataclass(frozen=True)
class Bestandsaufnahme:
    """Everything the Bestandsaufnahme step works with."""

    settings: Settings
    survey: Survey
    data: pd.DataFrame  # the survey with Jahresstunden, Personalkosten, VZÄ per process

    @property
    def key_figures(self) -> bestand.KeyFigures:
        return bestand.key_figures(self.data)


def load_bestand(parameter_file: Path | str) -> Bestandsaufnahme:
    """Validate the parameter file and every survey file; raises InputError on bad input."""
    settings = load_settings(parameter_file)
    survey = read_survey([(q.datei, q.fachamt) for q in settings.bestand], settings.stufen)
    data = bestand.add_figures(
        survey.data, settings.stundensaetze, settings.stufen, settings.jahresarbeitsstunden
    )
    return Bestandsaufnahme(settings=settings, survey=survey, data=data)
