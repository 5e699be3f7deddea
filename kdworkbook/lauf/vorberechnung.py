"""What a run computes once and hands to its step kernels.

``kdworkbook check`` – the first thing a run does – loads the Bestandsaufnahme and computes
every step's summary, on the way the LeiKa matching and the Maßnahmenplan with its
sensitivity analysis (:meth:`Bestandsaufnahme.once`). The runner writes that very object,
with everything derived from it, into the run's snapshot folder; each step notebook gets the
file as the papermill parameter ``vorberechnung`` and reads it instead of loading and
computing again. So the Management-Zusammenfassung, the chapters, ``massnahmenplan.xlsx``
and ``ergebnisse.json`` show one computed object, and no kernel repeats the work.

A notebook opened by hand (``vorberechnung = None``) loads and computes everything itself.

The file is Python's pickle format: only the runner writes it, into the run's own unfinished
folder, moments before its kernels read it, and removes it with the snapshot. Reading a
pickle can run code – never point the parameter at a file from anywhere else.
"""

from __future__ import annotations

import dataclasses
import pickle
from functools import cached_property
from pathlib import Path
from typing import Any

from kdworkbook.bestand.laden import Bestandsaufnahme, load_bestand
from kdworkbook.kern import gestaltung, momentaufnahme
from kdworkbook.kern.errors import InputError

#: the notebooks' papermill parameter (declared in their ``parameters`` cell; the executed
#: notebook shows it as None, :func:`kdworkbook.lauf.ausfuehren.hide_handed`)
PARAMETER = "vorberechnung"
DATEI = "vorberechnung.pickle"


def write(folder: Path, ba: Bestandsaufnahme, index: dict[str, Any] | None) -> Path:
    """Write *ba* with everything derived so far into *folder*, its settings as the kernels
    see them (every file mapped onto its copy in the snapshot *index*)."""
    handed = dataclasses.replace(ba, settings=momentaufnahme.apply(ba.settings, index))
    handed.derived.update(ba.derived)  # same bytes read: same results
    for name in _read_once():  # the files the loading layer read (catalogue, register, …)
        if name in vars(ba):
            vars(handed)[name] = vars(ba)[name]
    path = folder / DATEI
    with path.open("wb") as handle:
        pickle.dump(handed, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return path


def _read_once() -> list[str]:
    """The Bestandsaufnahme's ``cached_property`` names: inputs read on first use. The copies
    in the run's snapshot hold the same bytes the check read, so a kernel reading them again
    would only get the same values once more."""
    return [n for n, v in vars(Bestandsaufnahme).items() if isinstance(v, cached_property)]


def bestandsaufnahme(
    parameter_file: Path | str | None, vorberechnung: Path | str | None = None
) -> Bestandsaufnahme:
    """A notebook's Bestandsaufnahme: the run's (*vorberechnung*), or loaded from
    *parameter_file* when the notebook is opened by hand."""
    if vorberechnung is None:
        return load_bestand(parameter_file)
    try:
        with open(vorberechnung, "rb") as handle:
            ba = pickle.load(handle)
    except OSError as exc:
        raise InputError(
            f"{vorberechnung}: Übergabe des Laufs nicht lesbar ({exc.strerror}). Außerhalb "
            "eines Laufs „vorberechnung = None“ setzen."
        ) from None
    if not isinstance(ba, Bestandsaufnahme):
        raise InputError(f"{vorberechnung}: keine Übergabe eines Laufs von kdworkbook.")
    g = ba.settings.gestaltung  # the charts in the municipality's design, as load_bestand does
    gestaltung.use_for_charts(g.primaerfarbe, g.akzentfarbe, g.schrift)
    return ba
