"""Reading the files of the Rahmenbedingungen: LeiKa and OZG catalogue, duty register, the
recommendation texts of the Reifegrad.

The loading layer of the step: everything here reads files and turns problems into German
:class:`~kdworkbook.kern.errors.InputError` messages; the modules it fills (:mod:`leika`,
:mod:`pflichten`, :mod:`reife`) are pure. :class:`kdworkbook.bestand.laden.Bestandsaufnahme`
calls it once per municipality (``ba.katalog``, ``ba.pflichtenregister``,
``ba.reife_empfehlungen``).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import functools
import io
import re
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from pydantic import ValidationError

from kdworkbook.kern import csvtext, referenz
from kdworkbook.kern.errors import InputError
from kdworkbook.kern.formatierung import datum
from kdworkbook.kern.modell import german, key_path, parse_date
from kdworkbook.kern.yamlsafe import load_yaml
from kdworkbook.rahmen import reife
from kdworkbook.rahmen.leika import (
    _KEY,
    KDN_COLUMNS,
    LAYOUT_KDN,
    LAYOUT_OFFICIAL,
    MAX_MESSAGES,
    OFFICIAL_COLUMNS,
    OZG_COLUMNS,
    Katalog,
    KatalogStand,
)
from kdworkbook.rahmen.pflichten import REGISTER_FILE, Pflicht, Register

if TYPE_CHECKING:
    from kdworkbook.rahmen.einstellungen import RahmenSettings


# --------------------------------------------------------------------------- catalogue


def _read_text(path: Path, what: str) -> str:
    if not path.is_file():
        raise InputError(f"{path}: {what} nicht gefunden.")
    raw = path.read_bytes()
    if not raw.strip():
        raise InputError(f"{path}: {what} ist leer.")
    try:
        return csvtext.decode(raw)
    except csvtext.BinaryData:
        raise InputError(f"{path}: {what} ist keine Textdatei (CSV erwartet).") from None


def _read_csv(path: Path, what: str) -> pd.DataFrame:
    text = _read_text(path, what)
    delimiter = csvtext.delimiter(text)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            quoting=csv.QUOTE_MINIMAL,
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(f"{path}: {what} ist keine lesbare CSV-Datei ({exc}).") from None
    frame.columns = [re.sub(r"\s+", "_", str(c).strip().lower()) for c in frame.columns]
    return frame.apply(lambda col: col.str.strip())


def _layout(path: Path, columns: Iterable[str]) -> str:
    present = set(columns)
    if set(OFFICIAL_COLUMNS) - {"bezeichnung2", "datum", "besondere_merkmale"} <= present:
        return LAYOUT_OFFICIAL
    if set(KDN_COLUMNS) <= present:
        return LAYOUT_KDN
    raise InputError(
        f"{path}: kein bekanntes Format eines LeiKa-Katalogs. Gefundene Spalten: "
        f"{', '.join(sorted(present)) or 'keine'}. Erwartet wird der LeiKa-Export "
        f"({', '.join(OFFICIAL_COLUMNS)}) oder das Format der OZG-Datenbank NRW "
        f"({', '.join(KDN_COLUMNS)}, …)."
    )


def _check_keys(path: Path, keys: pd.Series) -> None:
    bad = keys[(keys != "") & ~keys.str.match(_KEY)]
    messages = [
        f"{path}, Zeile {i + 2}, Spalte „schluessel“: „{k}“ ist kein LeiKa-Schlüssel – "
        "erwartet: 14 Ziffern als Text (in Excel als Text formatieren, nicht als Zahl)."
        for i, k in bad.head(MAX_MESSAGES).items()
    ]
    dupes = keys[(keys != "") & keys.duplicated()]
    messages += [
        f"{path}, Zeile {i + 2}: LeiKa-Schlüssel {k} kommt mehrfach vor."
        for i, k in dupes.head(MAX_MESSAGES).items()
    ]
    if messages:
        raise InputError(messages)


def _latest_date(dates: pd.Series) -> dt.date | None:
    """Latest entry of the export's ``datum`` column (28.11.2026, 2026-11-28 or with time)."""
    days = []
    for value in dates[dates != ""].unique():
        text = value if "." in value else value[:10]  # ISO with a time of day: its date
        with contextlib.suppress(ValueError):  # an entry that is no date does not count
            days.append(parse_date(text))
    return max(days, default=None)


@functools.lru_cache(maxsize=8)
def _cached_catalogue(
    path: Path, _stamp: tuple[int, int]
) -> tuple[pd.DataFrame, str, dt.date | None]:
    frame = _read_csv(path, "LeiKa-Katalog")
    layout = _layout(path, frame.columns)
    _check_keys(path, frame["schluessel"])
    if (frame["bezeichnung"] == "").any():
        row = int(frame.index[frame["bezeichnung"] == ""][0]) + 2
        raise InputError(f"{path}, Zeile {row}, Spalte „bezeichnung“: Bezeichnung fehlt.")
    out = pd.DataFrame(
        {
            "schluessel": frame["schluessel"].replace("", pd.NA),
            "bezeichnung": frame["bezeichnung"],
            "typ": frame["typ"].replace("", pd.NA),
            "synonyme": frame["synonyme"] if "synonyme" in frame else "",
            "ozg_id": frame["ozg_id"].replace("", pd.NA) if "ozg_id" in frame else pd.NA,
            # 1/0 in the NRW OZG database layout; not part of the official LeiKa export
            "sdg_relevant": frame["sdg_relevant"].map({"1": True, "0": False})
            if "sdg_relevant" in frame
            else pd.NA,
        }
    )
    return out, layout, _latest_date(frame["datum"]) if "datum" in frame else None


def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


def read_catalogue(path: Path, ozg_path: Path | None = None) -> Katalog:
    """Read a LeiKa catalogue in either layout (+ the OZG list); raises InputError."""
    path = Path(path).resolve()
    _read_text(path, "LeiKa-Katalog")  # clear message for a missing or empty file
    frame, layout, stand = _cached_catalogue(path, _stamp(path))
    frame = frame.copy()
    files = [path]
    if ozg_path is not None:
        ozg = read_ozg(ozg_path)
        frame = frame.merge(ozg, on="ozg_id", how="left")
        files.append(Path(ozg_path).resolve())
    for column in ("ozg_leistung", "lebenslage", "themenfeld"):
        if column not in frame:
            frame[column] = pd.NA
    return Katalog(leistungen=frame, layout=layout, dateien=files, stand=stand)


def read_ozg(path: Path) -> pd.DataFrame:
    """The OZG-Leistungen list: ``ozg_id → ozg_leistung, lebenslage, themenfeld``."""
    path = Path(path)
    frame = _read_csv(path, "OZG-Katalog")
    missing = [c for c in OZG_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(
            f"{path}: Spalte(n) {', '.join(missing)} fehlen – erwartet wird das Format "
            f"„{', '.join(OZG_COLUMNS)}“ (ozg_leistungen_kdn2019.csv)."
        )
    frame = frame.rename(columns={"bezeichnung": "ozg_leistung"})
    frame = frame.drop_duplicates("ozg_id")
    return frame[["ozg_id", "ozg_leistung", "lebenslage", "themenfeld"]].replace("", pd.NA)


def _stand(katalog: Katalog, rahmen: RahmenSettings) -> str:
    """Data state: documented for the shipped catalogue, else the export's ``datum``."""
    if rahmen.katalog_mitgeliefert:
        return referenz.KATALOG_STAND
    if katalog.stand is not None:
        return f"{datum(katalog.stand)} (jüngster Eintrag der Spalte „datum“)"
    changed = dt.date.fromtimestamp(rahmen.leika_katalog.stat().st_mtime)
    return f"nicht angegeben (Datei geändert am {datum(changed)})"


def load_catalogue(rahmen: RahmenSettings) -> KatalogStand:
    """Read the configured catalogue (default: the shipped one); raises InputError."""
    katalog = read_catalogue(rahmen.leika_katalog, rahmen.ozg_katalog)
    files = " und ".join(f"„{p.name}“" for p in katalog.dateien)
    name = (
        f"{referenz.KATALOG_QUELLE} ({files})"
        if rahmen.katalog_mitgeliefert
        else f"{files} ({katalog.layout})"
    )
    return KatalogStand(katalog, None, name, _stand(katalog, rahmen))


# --------------------------------------------------------------------------- duty register


def builtin_register_path() -> Path:
    """The register shipped with the package."""
    return Path(str(resources.files("kdworkbook") / "data" / REGISTER_FILE))


def read_register(path: Path) -> tuple[Pflicht, ...]:
    data = load_yaml(path)
    try:
        return Register.model_validate(data).pflichten
    except ValidationError as exc:
        messages = []
        errors = exc.errors()
        for error in errors:
            if error["type"] == "too_short" and len(errors) > 1:
                continue  # follows from a failed entry; that one is reported
            if error["type"] == "too_short":
                messages.append(f"{path}: Pflichtenregister enthält keinen Eintrag.")
                continue
            text = german(error)
            if error["type"] == "extra_forbidden":
                text = "ist kein bekanntes Feld (erlaubt: " + ", ".join(Pflicht.model_fields) + ")"
            where = key_path(tuple(error["loc"]))
            messages.append(f"{path}: Pflichtenregister, Eintrag „{where}“: {text}")
        raise InputError(messages) from None


def load_register(extra: Path | None = None) -> tuple[Pflicht, ...]:
    """The built-in register, with entries of *extra* added or replacing same keys.

    Raises InputError when a ``nachfolger`` names a key that is not in the register.
    """
    duties = {p.schluessel: p for p in read_register(builtin_register_path())}
    if extra is not None:
        duties |= {p.schluessel: p for p in read_register(extra)}
    bad = [
        f"Pflichtenregister, Eintrag „{p.schluessel}“: Nachfolger „{p.nachfolger}“ steht "
        "nicht im Register."
        for p in duties.values()
        if p.nachfolger is not None and p.nachfolger not in duties
    ]
    if bad:
        raise InputError(bad)
    return tuple(duties.values())


# --------------------------------------------------------------------------- Reifegrad


def load_recommendations(path: Path | None = None) -> dict[str, str]:
    """Recommendation texts per area key, from the data file of the package."""
    path = path or Path(str(resources.files("kdworkbook") / "data" / reife.EMPFEHLUNGEN_FILE))
    data = load_yaml(path).get("empfehlungen")
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise InputError(f"{path}: erwartet „empfehlungen:“ mit einem Text je Bereich.")
    known = set(reife.KOMPETENZEN) | set(reife.AKTEURE) | set(reife.VORAUSSETZUNGEN)
    unknown = sorted(set(data) - known)
    if unknown:
        raise InputError(f"{path}: unbekannte Bereiche {', '.join(unknown)}.")
    return {k: " ".join(v.split()) for k, v in data.items()}
