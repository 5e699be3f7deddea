"""The parameter file of one municipality, validated into a typed model.

One YAML file per municipality in ``parameters/``. Keys are German (the analysts write them);
every key except ``gemeinde`` and ``bestand`` has a documented default in
:mod:`kdworkbook.kern.defaults`. :func:`load_settings` is the only way in: it turns every problem
into one German message per key and raises :class:`~kdworkbook.kern.errors.InputError`.

This module is the composition root of the settings: the one place in ``kern`` that imports
the steps – their settings sections (``rahmen.einstellungen``, ``massnahmen.einstellungen``,
…), each owned by its step. Deliberately: the parameter file is one document, validated at
once, and the steps do not import each other to read their sections.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path
from typing import Any

from pydantic import (
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from kdworkbook.buergerbefragung.einstellungen import BuergerbefragungSettings
from kdworkbook.kern import defaults
from kdworkbook.kern.errors import InputError
from kdworkbook.kern.gestaltung import Gestaltung
from kdworkbook.kern.grenzen import GrenzenSettings
from kdworkbook.kern.modell import GermanDate, StrictModel, german, key_path
from kdworkbook.kern.yamlsafe import load_yaml
from kdworkbook.massnahmen.einstellungen import MassnahmenSettings
from kdworkbook.musterprozess.einstellungen import MusterprozessSettings
from kdworkbook.rahmen.einstellungen import RahmenSettings
from kdworkbook.umfrage.einstellungen import UmfrageSettings
from kdworkbook.vergleich.einstellungen import VergleichSettings
from kdworkbook.workshop.einstellungen import WorkshopSettings

_AGS = re.compile(r"^05\d{6}$")
_PLZ = re.compile(r"^\d{5}$")


class BestandQuelle(StrictModel):
    """One survey file; ``fachamt`` applies to files without a ``Fachamt`` column."""

    datei: Path
    fachamt: str | None = Field(default=None, min_length=1)


class Settings(StrictModel):
    """Validated parameters of one municipality (attribute names = the YAML keys)."""

    gemeinde: str = Field(min_length=1, description="Name der Kommune, z. B. „Stadt Musterstadt“")
    bestand: tuple[BestandQuelle, ...] = Field(
        min_length=1, description="Dateien der Bestandserhebung, relativ zur Parameterdatei"
    )
    ags: str | None = Field(default=None, description="Amtlicher Gemeindeschlüssel, 8-stellig")
    kreis: str | None = Field(default=None, description="Kreis laut Gemeindeverzeichnis NRW")
    plz: str | None = Field(default=None, description="Postleitzahl des Rathauses")
    einwohner: int | None = Field(default=None, ge=0)
    stichtag: GermanDate = Field(default_factory=dt.date.today, description="Datum des Berichts")
    stundensaetze: dict[str, float] = Field(
        default_factory=lambda: dict(defaults.STUNDENSAETZE_EUR),
        description="€/h je Laufbahngruppe; " + defaults.LOHNKOSTEN_QUELLE,
    )
    stufen: dict[int, str] = Field(
        default_factory=lambda: dict(defaults.STUFEN_LAUFBAHNGRUPPE),
        description="„Bearbeitende Stelle nach Stufe“ → Laufbahngruppe",
    )
    jahresarbeitsstunden: float = Field(default=defaults.JAHRESARBEITSSTUNDEN, gt=0)
    pareto_anteil: float = Field(default=defaults.PARETO_ANTEIL, gt=0, le=1)
    plausibel_max_minuten: float = Field(default=defaults.PLAUSIBEL_MAX_MINUTEN, gt=0)
    plausibel_max_vorgaenge: int = Field(default=defaults.PLAUSIBEL_MAX_VORGAENGE, gt=0)
    rahmen: RahmenSettings = Field(default_factory=RahmenSettings)
    massnahmen: MassnahmenSettings = Field(default_factory=MassnahmenSettings)
    musterprozess: MusterprozessSettings = Field(default_factory=MusterprozessSettings)
    umfrage: UmfrageSettings = Field(default_factory=UmfrageSettings)
    buergerbefragung: BuergerbefragungSettings = Field(default_factory=BuergerbefragungSettings)
    vergleich: VergleichSettings = Field(default_factory=VergleichSettings)
    workshop: WorkshopSettings = Field(default_factory=WorkshopSettings)
    grenzen: GrenzenSettings = Field(default_factory=GrenzenSettings)
    gestaltung: Gestaltung = Field(
        default_factory=Gestaltung, description="Logo, Farben, Schrift, Fußzeile der Ausgaben"
    )
    vorherige_erhebung: tuple[BestandQuelle, ...] = Field(
        default=(),
        description="Erhebungsdateien der vorigen Runde (wie bestand), für die Fortschreibung",
    )

    @field_validator("gemeinde")
    @classmethod
    def _one_line(cls, value: str) -> str:
        """The name heads the report, the survey workbooks and the generated file: one line."""
        if any(c in value for c in "\r\n\x85\u2028\u2029"):
            raise ValueError("enthält einen Zeilenumbruch – der Name steht in einer Zeile")
        return value

    @field_validator("bestand", "vorherige_erhebung", mode="before")
    @classmethod
    def _bestand_as_list(cls, value: Any) -> Any:
        """Accept one path, a list of paths, or a list of ``{datei, fachamt}`` mappings."""
        items = value if isinstance(value, list) else [value]
        return [{"datei": item} if isinstance(item, str) else item for item in items]

    @field_validator("bestand", "vorherige_erhebung")
    @classmethod
    def _bestand_exists(
        cls, value: tuple[BestandQuelle, ...], info: ValidationInfo
    ) -> tuple[BestandQuelle, ...]:
        base = (info.context or {}).get("base_dir", Path.cwd())
        must_exist = (info.context or {}).get("bestand_pflicht", True)
        resolved = []
        for i, quelle in enumerate(value):
            path = (base / quelle.datei).resolve()
            if must_exist and not path.exists():
                raise ValueError(f"Eintrag {i + 1}: Datei „{quelle.datei}“ nicht gefunden ({path})")
            resolved.append(quelle.model_copy(update={"datei": path}))
        return tuple(resolved)

    @field_validator("ags", mode="before")
    @classmethod
    def _ags_text(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            raise ValueError(
                f"{value} ist als Zahl geschrieben – die AGS ist 8-stellig mit führender Null; "
                'bitte in Anführungszeichen schreiben, z. B. ags: "05315000"'
            )
        if isinstance(value, str) and not _AGS.match(value.strip()):
            raise ValueError(
                f"„{value}“ ist keine AGS einer NRW-Gemeinde – "
                "erwartet: 8 Ziffern, beginnend mit 05"
            )
        return value.strip() if isinstance(value, str) else value

    @field_validator("plz", mode="before")
    @classmethod
    def _plz_text(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str) and not _PLZ.match(value.strip()):
            raise ValueError(f"„{value}“ ist keine Postleitzahl – erwartet: 5 Ziffern")
        return value.strip() if isinstance(value, str) else value

    @field_validator("stundensaetze", mode="before")
    @classmethod
    def _merge_rates(cls, value: Any) -> Any:
        """Rates given in the file override single defaults; the others stay."""
        if isinstance(value, dict):
            return {**defaults.STUNDENSAETZE_EUR, **value}
        return value

    @field_validator("stundensaetze")
    @classmethod
    def _rates_positive(cls, value: dict[str, float]) -> dict[str, float]:
        bad = [k for k, v in value.items() if v <= 0]
        if bad:
            raise ValueError(f"Stundensatz für {', '.join(bad)} muss größer als 0 € sein")
        return value

    @model_validator(mode="after")
    def _stufen_known(self) -> Settings:
        unknown = sorted({g for g in self.stufen.values() if g not in self.stundensaetze})
        if unknown:
            raise ValueError(
                f"stufen: Laufbahngruppe {', '.join(unknown)} hat keinen Stundensatz – "
                f"bekannt sind: {', '.join(self.stundensaetze)}"
            )
        return self

    @property
    def slug(self) -> str:
        """Folder name for outputs, derived from ``gemeinde``."""
        return slugify(self.gemeinde)


def slugify(name: str, key: str = "gemeinde") -> str:
    """„Stadt Düsseldorf“ → ``stadt-duesseldorf``; refuses names that give an empty slug.

    Composed and decomposed umlauts (NFC/NFD) give the same slug; *key* names the key that
    held the name in the message.
    """
    text = unicodedata.normalize("NFC", name).lower()
    for umlaut, plain in {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}.items():
        text = text.replace(umlaut, plain)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if not slug:
        raise InputError(
            f"{key}: „{name}“ enthält keine Buchstaben oder Ziffern für einen "
            f"{'Ordnernamen' if key == 'gemeinde' else 'Dateinamen'}."
        )
    return slug[:80]


def _message(path: Path, error: dict[str, Any]) -> str:
    """``<file>: Schlüssel „bestand → 2 → datei“: <what was expected>``."""
    loc = tuple(error["loc"])
    if not loc:
        return f"{path}: {german(error)}"
    return f"{path}: Schlüssel „{key_path(loc)}“: {german(error)}"


def load_settings(
    path: Path | str,
    survey_must_exist: bool = True,
    base_dir: Path | None = None,
    copies: dict[str, str] | None = None,
) -> Settings:
    """Read and validate a parameter file; raises InputError with one message per problem.

    ``survey_must_exist=False`` is for producing the survey itself (``kdworkbook umfrage``),
    before any ``bestand`` file exists. *base_dir* (default: the file's folder) is where
    relative paths start – a run's step reads a copy of the file but the original's paths.
    *copies* (a run's snapshot: original → copy) are read instead of the originals where a
    file is read while validating (the design file of ``gestaltung``).
    """
    path = Path(path)
    data = load_yaml(path)
    base = base_dir or path.resolve().parent
    context = {"base_dir": base, "bestand_pflicht": survey_must_exist, "kopien": copies or {}}
    try:
        return Settings.model_validate(data, context=context)
    except ValidationError as exc:
        raise InputError([_message(path, e) for e in exc.errors()]) from None
    except RuntimeError as exc:  # Path.resolve() on a symlink loop (Python before 3.13)
        if not str(exc).startswith("Symlink loop"):
            raise
        loop = str(exc).partition(" from ")[2].strip("'") or str(exc)
        raise InputError(
            f"{path}: „{loop}“ ist eine symbolische Verknüpfung, die im Kreis auf sich selbst "
            "verweist."
        ) from None
