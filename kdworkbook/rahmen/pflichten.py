"""The dated register of legal duties (EGovG NRW, OZG, SDG, …) and their state in one municipality.

The duties live in a data file (``kdworkbook/data/pflichten.yaml``), not in code; a second
register file can add or replace entries. Every entry is dated (``gilt_ab``/``gilt_bis``), so a
report shows the law in force on its Stichtag. :mod:`kdworkbook.rahmen.laden` reads the files;
this module is pure: which duties are in force, what changed between two dates, the status
recorded per duty, whether it is overdue on the Stichtag and by how many days, and the
SDG-relevant services of the survey.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import pandas as pd
from pydantic import (
    Field,
    field_validator,
    model_validator,
)

from kdworkbook.kern.modell import GermanDate, StrictModel, parse_date

#: Status words a municipality can record per duty; ``unbekannt`` is the default.
STATUS = ("erfüllt", "teilweise", "offen", "nicht zutreffend", "unbekannt")
STATUS_DEFAULT = "unbekannt"
#: Statuses for which a passed deadline does not count as overdue.
STATUS_DONE = ("erfüllt", "nicht zutreffend")
#: Statuses that count as overdue once a deadline has passed (issue: „unbekannt“ is not
#: „überfällig“ – a status never recorded is its own group, to be clarified in the workshop).
STATUS_OVERDUE = ("offen", "teilweise")
DAUERAUFGABE = "Daueraufgabe"
#: Older registers wrote „in Kraft“ for duties without a date; read as Daueraufgabe.
IN_KRAFT = "in Kraft"
REGISTER_FILE = "pflichten.yaml"
AUSLEGUNG_HINWEIS = "Auslegung – mit der Kommunalaufsicht klären"
#: SDG: Annex-II procedures count as online from this OZG-Reifegrad on („vergleichbar mit dem
#: OZG-Reifegrad 3“ – Bundesverwaltungsamt, FAQ Registermodernisierung 4.3, zu Art. 6
#: SDG-VO). Overridable per municipality: rahmen → sdg_online_ab.
SDG_ONLINE_AB = 3

#: Duty types (column ``art``): a dated deadline, a permanent duty, a rule without a duty.
ART_FRIST = "Frist"
ART_DAUER = "Daueraufgabe"
ART_KEINE = "keine Frist"


class Pflicht(StrictModel):
    """One legal duty of the register, dated: in force from ``gilt_ab`` to ``gilt_bis``."""

    schluessel: str = Field(min_length=1, description="Kurzname, z. B. „EGovG NRW § 3“")
    paragraph: str = Field(min_length=1)
    titel: str = Field(min_length=1)
    beschreibung: str = Field(min_length=1)
    frist: dt.date | Literal["Daueraufgabe"] | None = Field(
        description="Datum der Frist; „Daueraufgabe“; leer = keine Pflicht zu handeln"
    )
    frist_text: str = ""
    gilt_ab: GermanDate = Field(description="ab diesem Tag steht die Vorschrift im Gesetz")
    gilt_bis: GermanDate | None = Field(
        default=None, description="letzter Geltungstag; leer = gilt"
    )
    fundstelle: str = Field(min_length=1, description="Gesetz mit Gesetzblatt-Fundstelle")
    quelle: str = Field(min_length=1, description="amtliches Rechtsportal bzw. Gesetzblatt")
    auslegung: str | None = None
    nachfolger: str | None = None

    @field_validator("frist", mode="before")
    @classmethod
    def _frist(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip() in ("", "-", "–"):
            return None
        if isinstance(value, str) and value.strip() in (IN_KRAFT, DAUERAUFGABE):
            return DAUERAUFGABE
        if isinstance(value, str):
            try:
                return parse_date(value)
            except ValueError:
                raise ValueError(
                    f"„{value}“ ist keine Frist – erwartet: Datum TT.MM.JJJJ oder JJJJ-MM-TT, "
                    "„Daueraufgabe“ oder leer"
                ) from None
        return value

    @model_validator(mode="after")
    def _dates(self) -> Pflicht:
        """gilt_ab < gilt_bis; a dated deadline not before gilt_ab (and not after gilt_bis)."""
        if self.gilt_bis is not None and self.gilt_bis <= self.gilt_ab:
            raise ValueError(
                f"gilt_bis ({self.gilt_bis.isoformat()}) liegt nicht nach gilt_ab "
                f"({self.gilt_ab.isoformat()})"
            )
        if isinstance(self.frist, dt.date):
            if self.frist < self.gilt_ab:
                raise ValueError(
                    f"Frist {self.frist.isoformat()} liegt vor gilt_ab ({self.gilt_ab.isoformat()})"
                )
            if self.gilt_bis is not None and self.frist > self.gilt_bis:
                raise ValueError(
                    f"Frist {self.frist.isoformat()} liegt nach gilt_bis "
                    f"({self.gilt_bis.isoformat()})"
                )
        return self

    @property
    def art(self) -> str:
        """Duty type: Frist, Daueraufgabe or keine Frist."""
        if isinstance(self.frist, dt.date):
            return ART_FRIST
        return ART_DAUER if self.frist == DAUERAUFGABE else ART_KEINE

    def in_force(self, stichtag: dt.date) -> bool:
        """True if the provision stands in the law on *stichtag* (both ends included)."""
        return self.gilt_ab <= stichtag and (self.gilt_bis is None or stichtag <= self.gilt_bis)


class Register(StrictModel):
    """A register file: ``pflichten: [...]``."""

    pflichten: tuple[Pflicht, ...] = Field(min_length=1)


def in_force(register: Sequence[Pflicht], stichtag: dt.date) -> tuple[Pflicht, ...]:
    """The duties that stand in the law on *stichtag*, in register order."""
    return tuple(p for p in register if p.in_force(stichtag))


def changes(register: Sequence[Pflicht], since: dt.date, stichtag: dt.date) -> pd.DataFrame:
    """What changed in the law after *since* up to and including *stichtag*.

    One row per change: ``art`` „neu“ (gilt_ab in the period) or „entfallen“ (the last day
    in force lies in the period), with date, key, norm, Fundstelle and the successor.
    """
    rows = []
    for p in register:
        if since < p.gilt_ab <= stichtag:
            rows.append(("neu", p.gilt_ab, p))
        if p.gilt_bis is not None and since <= p.gilt_bis < stichtag:
            rows.append(("entfallen", p.gilt_bis + dt.timedelta(days=1), p))
    rows.sort(key=lambda r: (r[1], r[0] != "entfallen"))
    return pd.DataFrame(
        [
            {
                "art": kind,
                "datum": day,
                "schluessel": p.schluessel,
                "paragraph": p.paragraph,
                "titel": p.titel,
                "fundstelle": p.fundstelle,
                "nachfolger": p.nachfolger or "",
            }
            for kind, day, p in rows
        ],
        columns=["art", "datum", "schluessel", "paragraph", "titel", "fundstelle", "nachfolger"],
    )


def carry_over(
    register: Sequence[Pflicht],
    recorded: Mapping[str, tuple[str, str | None]],
    stichtag: dt.date,
) -> tuple[dict[str, tuple[str, str | None]], list[str]]:
    """Statuses recorded for a replaced duty, applied to its successor in force.

    A parameter file written before a change of the law names the old key (e.g. „OZG“). Where
    the successor in force has no own status, the old one is used and a German note says so
    (in the returned messages and in the duty's note). Returns (statuses, messages).
    """
    by_key = {p.schluessel: p for p in register}
    result = dict(recorded)
    messages = []
    for key, (status, note) in recorded.items():
        duty = by_key.get(key)
        if duty is None or duty.in_force(stichtag):
            continue
        successor, seen = duty.nachfolger, {key}
        while successor is not None and successor not in seen:
            seen.add(successor)
            target = by_key[successor]
            if target.in_force(stichtag):
                break
            successor = target.nachfolger
        if successor is None or successor in recorded or not by_key[successor].in_force(stichtag):
            continue
        since = duty.gilt_bis + dt.timedelta(days=1) if duty.gilt_bis else None
        text = f"Stand übernommen von „{key}“ (seit {_date(since)} ersetzt)"
        result[successor] = (status, f"{note} – {text}" if note else text)
        messages.append(
            f"Parameterdatei, „rahmen → pflichten → {key}“: die Pflicht gilt am Stichtag nicht "
            f"mehr; ihr Stand „{status}“ wird für die Nachfolgerin „{successor}“ verwendet. "
            f"Bitte den Stand unter „{successor}“ eintragen."
        )
    return result, messages


def days_overdue(frist: dt.date | str | None, status: str, stichtag: dt.date) -> int | None:
    """Days past the deadline on the Stichtag; 0 on the deadline day itself and before it.

    ``None`` where there is nothing to count (Daueraufgabe, no deadline) or the status was
    never recorded (``unbekannt``: not berechenbar); 0 for duties fulfilled or not applicable.
    """
    if not isinstance(frist, dt.date) or status not in STATUS_OVERDUE + STATUS_DONE:
        return None
    if status in STATUS_DONE:
        return 0
    return max(0, (stichtag - frist).days)


def duty_table(
    register: Sequence[Pflicht],
    recorded: Mapping[str, tuple[str, str | None]],
    stichtag: dt.date,
) -> pd.DataFrame:
    """One row per duty in force on the Stichtag: register fields, status, note, overdue.

    *recorded* maps duty key → (status, note); duties not in it are ``unbekannt``.
    ``faellig``: a dated deadline reached, or a Daueraufgabe; ``ueberfaellig``: a dated
    deadline reached and the status ``offen`` or ``teilweise`` – Daueraufgaben and unknown
    statuses are never overdue (they are shown with their status).
    """
    rows = []
    for p in in_force(register, stichtag):
        status, note = recorded.get(p.schluessel, (STATUS_DEFAULT, None))
        dated = isinstance(p.frist, dt.date)
        faellig = p.frist == DAUERAUFGABE or (dated and stichtag >= p.frist)
        rows.append(
            {
                "schluessel": p.schluessel,
                "paragraph": p.paragraph,
                "titel": p.titel,
                "beschreibung": p.beschreibung,
                "art": p.art,
                "frist": p.frist,
                "frist_text": p.frist_text or _frist_text(p.frist),
                "gilt_ab": p.gilt_ab,
                "gilt_bis": p.gilt_bis,
                "fundstelle": p.fundstelle,
                "quelle": p.quelle,
                "auslegung": p.auslegung or "",
                "status": status,
                "notiz": note or "",
                "faellig": bool(faellig),
                "ueberfaellig": bool(dated and faellig and status in STATUS_OVERDUE),
                "tage_ueberfaellig": days_overdue(p.frist, status, stichtag),
            }
        )
    table = pd.DataFrame(rows, columns=_COLUMNS)
    table["tage_ueberfaellig"] = table["tage_ueberfaellig"].astype("Int64")
    return table


_COLUMNS = [
    "schluessel",
    "paragraph",
    "titel",
    "beschreibung",
    "art",
    "frist",
    "frist_text",
    "gilt_ab",
    "gilt_bis",
    "fundstelle",
    "quelle",
    "auslegung",
    "status",
    "notiz",
    "faellig",
    "ueberfaellig",
    "tage_ueberfaellig",
]


def _date(day: dt.date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else "–"


def _frist_text(frist: dt.date | str | None) -> str:
    if isinstance(frist, dt.date):
        return _date(frist)
    return frist or "keine Frist"


def status_counts(table: pd.DataFrame) -> dict[str, int]:
    """Number of duties per status, every status listed (also those with 0)."""
    counts = table["status"].value_counts()
    return {s: int(counts.get(s, 0)) for s in STATUS}


def unknown(table: pd.DataFrame) -> pd.DataFrame:
    """Duties in force whose status was never recorded – to clarify in the workshop."""
    return table[table["status"] == STATUS_DEFAULT]


# --------------------------------------------------------------------------- SDG


def sdg_services(attrs: pd.DataFrame, survey: pd.DataFrame, online_ab: int) -> pd.DataFrame:
    """Survey processes whose LeiKa service the catalogue flags ``sdg_relevant``.

    *attrs*: per-process attributes (``sdg_relevant``, ``leika_schluessel``, ``reifegrad``);
    *survey*: the survey (``fachamt``, ``bezeichnung``), same index. ``online`` is True at
    Reifegrad ≥ *online_ab*, False below, missing where no Reifegrad was recorded.
    """
    flagged = attrs["sdg_relevant"].astype("boolean").fillna(False).astype(bool)
    part = survey.loc[flagged, ["fachamt", "bezeichnung"]].join(
        attrs.loc[flagged, ["leika_schluessel", "reifegrad"]]
    )
    part["reifegrad"] = part["reifegrad"].astype("Int64")
    part["online"] = (part["reifegrad"] >= online_ab).astype("boolean")
    return part


def sdg_share(services: pd.DataFrame) -> float | None:
    """Share of SDG services with a recorded Reifegrad that are online; None if none known."""
    known = services["online"].dropna()
    if known.empty:
        return None
    return float(known.astype(bool).mean())
