"""Corporate design of a report: logo, colours, font and footer (section ``gestaltung``).

Written in the parameter file, or kept once by the Agentur in a design file that the
parameter file names (``gestaltung: {datei: agentur.yaml}``); keys beside ``datei`` override
the file's. Every key is optional: a key left out keeps the workbook's sober default style
(the colours of :mod:`kdworkbook.bericht.grafiken` and the report's CSS, DejaVu Sans, the
municipality's name in the footer). Applied to the PDF, the charts, ``praesentation.pptx``,
``bericht.docx`` and the header rows of the Excel files.
"""

from __future__ import annotations

import base64
import functools
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from pydantic import (
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from kdworkbook.kern.errors import InputError
from kdworkbook.kern.modell import StrictModel
from kdworkbook.kern.yamlsafe import load_yaml

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
#: Logo formats every output can show (PDF and Word take SVG via a PNG rendering).
LOGO_SUFFIXES = (".png", ".svg")


@functools.cache
def installed_fonts() -> frozenset[str]:
    """Font families fontconfig knows (``fc-list : family``), lower case; empty without it."""
    if shutil.which("fc-list") is None:
        return frozenset()
    listing = subprocess.run(
        ["fc-list", ":", "family"], capture_output=True, text=True, check=False
    ).stdout
    return frozenset(
        name.strip().lower() for line in listing.splitlines() for name in line.split(",")
    )


def _hex(value: Any) -> Any:
    if isinstance(value, str) and not _HEX.match(value.strip()):
        raise ValueError(
            f"„{value}“ ist keine Farbe – erwartet: Hex-Wert mit # und 6 Stellen, z. B. „#1f4e79“ "
            "(in Anführungszeichen, sonst liest YAML das # als Kommentar)"
        )
    return value.strip().lower() if isinstance(value, str) else value


class Gestaltung(StrictModel):
    """Validated corporate design; ``None`` everywhere = the default style."""

    datei: Path | None = Field(
        default=None, description="Gestaltungsdatei der Agentur (YAML mit denselben Schlüsseln)"
    )
    logo: Path | None = Field(default=None, description="Logo als PNG oder SVG")
    primaerfarbe: str | None = Field(
        default=None, description="Überschriften, Balken, Tabellenköpfe (Hex, z. B. #1f4e79)"
    )
    akzentfarbe: str | None = Field(default=None, description="Hervorhebungen, Linien (Hex)")
    zusatzfarbe: str | None = Field(default=None, description="dritte Farbe, z. B. Flächen (Hex)")
    schrift: str | None = Field(
        default=None, min_length=1, description="Schriftfamilie, auf dem Rechner installiert"
    )
    fusszeile: str | None = Field(
        default=None, min_length=1, description="Text der Fußzeile (sonst der Name der Kommune)"
    )

    @model_validator(mode="before")
    @classmethod
    def _from_file(cls, data: Any, info: ValidationInfo) -> Any:
        """Keys of the design file first, keys written beside ``datei`` override them."""
        if not isinstance(data, dict) or data.get("datei") is None:
            return data
        base = (info.context or {}).get("base_dir", Path.cwd())
        path = (base / str(data["datei"])).resolve()
        if not _read_from(path, info).is_file():
            raise ValueError(f"Gestaltungsdatei „{data['datei']}“ nicht gefunden ({path})")
        copies = (info.context or {}).get("kopien") or {}
        return {**_load_file(path, copies), **data, "datei": path}

    @field_validator("primaerfarbe", "akzentfarbe", "zusatzfarbe", mode="before")
    @classmethod
    def _colour(cls, value: Any) -> Any:
        return _hex(value)

    @field_validator("logo")
    @classmethod
    def _logo_exists(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        if value is None or value.is_absolute():
            path = value
        else:
            path = ((info.context or {}).get("base_dir", Path.cwd()) / value).resolve()
        if path is None:
            return None
        if path.suffix.lower() not in LOGO_SUFFIXES:
            raise ValueError(f"Logo „{value}“: erwartet eine PNG- oder SVG-Datei")
        if not _read_from(path, info).is_file():
            raise ValueError(f"Logo-Datei „{value}“ nicht gefunden ({path})")
        return path

    #: the logo's bytes, read once while validating (a run's check, or in a run's kernel
    #: from the snapshot's copy): every output shows the same logo, none reads it later
    _logo_daten: bytes | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _read_logo(self, info: ValidationInfo) -> Gestaltung:
        if self.logo is not None:
            self._logo_daten = _read_from(self.logo, info).read_bytes()
        return self

    @property
    def logo_daten(self) -> bytes | None:
        """The logo's bytes as read when the settings were validated (None without logo)."""
        if self.logo is not None and self._logo_daten is None:  # built without validation
            return self.logo.read_bytes()
        return self._logo_daten

    @field_validator("schrift")
    @classmethod
    def _font_installed(cls, value: str | None) -> str | None:
        if value is None:
            return None
        fonts = installed_fonts()
        if not fonts:
            raise ValueError(
                f"Schrift „{value}“ kann nicht geprüft werden: fontconfig (fc-list) fehlt auf "
                "diesem Rechner"
            )
        if value.strip().lower() not in fonts:
            raise ValueError(
                f"Schrift „{value}“ ist auf diesem Rechner nicht installiert (fc-list : family "
                "zeigt die installierten), z. B. „Liberation Sans“ oder „DejaVu Sans“"
            )
        return value.strip()

    @property
    def farben(self) -> list[str]:
        """The colours set, in order primary, accent, additional."""
        return [c for c in (self.primaerfarbe, self.akzentfarbe, self.zusatzfarbe) if c]


def _read_from(path: Path, info: ValidationInfo) -> Path:
    """Where *path* is read: inside a run its copy in the run's snapshot (context
    ``kopien``, original → copy, :mod:`kdworkbook.kern.momentaufnahme`), else *path*. The
    settings keep the original path; :func:`momentaufnahme.apply` maps it onto the copy."""
    copies = (info.context or {}).get("kopien") or {}
    return Path(copies.get(str(path), path))


def _load_file(path: Path, copies: dict[str, str] | None = None) -> dict[str, Any]:
    """The design file validated on its own, so a message names that file and its key;
    inside a run read from its copy (*copies*: original → copy, as for the logo it names)."""
    from kdworkbook.kern.parameter import _message  # the one German wording of a key error

    copies = copies or {}
    data = load_yaml(Path(copies.get(str(path), path)))
    if "datei" in data:
        raise InputError(f"{path}: Schlüssel „datei“: eine Gestaltungsdatei verweist nicht weiter")
    try:
        checked = Gestaltung.model_validate(
            data, context={"base_dir": path.parent, "kopien": copies}
        )
    except ValidationError as exc:
        raise InputError([_message(path, e) for e in exc.errors()]) from None
    return checked.model_dump(exclude_none=True, exclude={"datei"})


def report_css(g: Gestaltung) -> str:
    """CSS after the report's house style: its custom properties and font in the design."""
    rules = []
    props = {"--akzent": g.primaerfarbe, "--linie": g.zusatzfarbe}
    custom = "; ".join(f"{name}: {value}" for name, value in props.items() if value)
    if custom:
        rules.append(f":root {{ {custom}; }}")
    if g.schrift:
        name = g.schrift.replace('"', "")
        rules.append(f'html {{ font-family: "{name}", "DejaVu Sans", sans-serif; }}')
    if g.logo:
        rules.append(
            ".titel-logo { max-height: 25mm; max-width: 70mm; align-self: flex-end; }\n"
            ".titel-block { margin-top: 30mm; }"
        )
    return "\n" + "\n".join(rules) if rules else ""


def logo_data_uri(g: Gestaltung) -> str:
    """The logo for an HTML page (PNG or SVG as a data URI); empty without a logo."""
    if g.logo is None:
        return ""
    kind = "svg+xml" if g.logo.suffix.lower() == ".svg" else "png"
    data = g.logo_daten or b""
    return f"data:image/{kind};base64," + base64.b64encode(data).decode("ascii")


#: The design for the charts of this process, not yet applied: the chart module
#: (:mod:`kdworkbook.bericht.grafiken`, matplotlib with it) is not loaded yet.
_chart_design: tuple[str | None, str | None, str | None] | None = None


def use_for_charts(primary: str | None, accent: str | None, font: str | None) -> None:
    """The charts of this process in this design (:func:`kdworkbook.bericht.grafiken.apply_design`):
    at once where the chart module is loaded (a notebook), else when it is loaded – the
    runner's check draws no chart and does without matplotlib (0,3 CPU-s at its start)."""
    import sys

    global _chart_design
    grafiken = sys.modules.get("kdworkbook.bericht.grafiken")
    if grafiken is not None and hasattr(grafiken, "apply_design"):
        _chart_design = None
        grafiken.apply_design(primary, accent, font)
    else:
        _chart_design = (primary, accent, font)


def pending_chart_design() -> tuple[str | None, str | None, str | None] | None:
    """The design :func:`use_for_charts` kept for the chart module, once (then None)."""
    global _chart_design
    design, _chart_design = _chart_design, None
    return design
