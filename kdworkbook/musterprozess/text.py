"""Text written from the process models: what is missing, and the SOLL chapter's prose.

A figure that depends on a missing value is „nicht berechenbar“ and says what is missing;
a partly missing value is named with the steps left out (:func:`savings_gap`,
:func:`notes`). The SOLL prose says only what the SOLL model holds (media, documents fetched
from registers, payment step) – :func:`soll_text`.
"""

from __future__ import annotations

from kdworkbook.musterprozess import kennzahlen as musterprozess
from kdworkbook.musterprozess.modell import Katalog, Prozess, katalog

NICHT_BERECHENBAR = "nicht berechenbar"
KEINE_ANGABE = "keine Angabe"
#: Where a missing list of documents goes (a BPMN file cannot carry it).
UNTERLAGEN_WO = (
    "Liste „unterlagen“ fehlt – sie steht in der YAML-Prozessdatei bzw. in der YAML-Datei, "
    "die die BPMN-Datei mit „bpmn:“ einbindet"
)
#: Missing value of a step → how the report names it.
VALUE_NAMES = {"minuten": "Bearbeitungszeit", "medium": "Medium", "baustein": "Baustein"}
#: Figure of Kennzahlen → name in the report.
FIGURE_NAMES = {
    "bearbeitungszeit_min": "Bearbeitungszeit insgesamt",
    "verwaltung_min": "Bearbeitungszeit Verwaltung",
    "buerger_min": "Zeitaufwand Bürger",
    "system_min": "Zeit der IT-Systeme",
    "durchlaufzeit_min": "Durchlaufzeit",
    "medienbrueche": "Medienbrüche",
    "behoerdengaenge": "Behördengänge",
}


def _label(p: Prozess, variant: str) -> str:
    return f"Musterprozess {variant} ({p.quelle})"


def step_list(p: Prozess, ids: tuple[str, ...]) -> str:
    """„Nr. 3 „Prüfen“, Nr. 9 „Versand““ – the numbers of diagram and table."""
    number = {sid: i for i, sid in enumerate(musterprozess.numbered_steps(p), start=1)}
    return ", ".join(f"Nr. {number[s]} „{p.schritte[s].name}“" for s in ids)


def savings_gap(
    ist: Prozess, soll: Prozess, k_ist: musterprozess.Kennzahlen, k_soll: musterprozess.Kennzahlen
) -> str | None:
    """What keeps the savings from being complete: the headline when it is nicht berechenbar,
    else the steps left out (None if nothing is missing)."""
    whole, part = [], []
    for variant, p, k in (("IST", ist, k_ist), ("SOLL", soll, k_soll)):
        gap = k.luecken.get("verwaltung_min")
        if gap is None:
            continue
        if gap.alle:
            missing = len(k.luecken["bearbeitungszeit_min"].fehlend)
            text = f"{variant}: {missing} von {k.schritte} Schritten ohne Bearbeitungszeit"
            if missing < k.schritte:
                text += f", darunter alle {gap.von} der Verwaltung"
            whole.append(text)
        else:
            direction = "zu niedrig" if variant == "IST" else "zu hoch"
            part.append(
                f"{variant}: {len(gap.fehlend)} von {gap.von} Schritten der Verwaltung ohne "
                f"Bearbeitungszeit ({step_list(p, gap.fehlend)}) – ohne sie gerechnet, die "
                f"Einsparung fällt dadurch {direction} aus"
            )
    if whole:
        return "; ".join(whole) + " – Einsparung nicht berechenbar"
    if part:
        return "Einsparung unvollständig: " + "; ".join(part)
    return None


def _gap_notes(p: Prozess, k: musterprozess.Kennzahlen, variant: str) -> list[str]:
    """One warning per missing value: which steps lack it, what that leaves out."""
    notes = []
    for value, value_name in VALUE_NAMES.items():
        figures = {f: g for f, g in k.luecken.items() if g.angabe == value}
        if not figures:
            continue
        ids = tuple(
            s for s in musterprozess.numbered_steps(p) if getattr(p.schritte[s], value) is None
        )
        partial = [FIGURE_NAMES[f] for f, g in figures.items() if not g.alle]
        whole = [FIGURE_NAMES[f] for f, g in figures.items() if g.alle]
        text = (
            f"Warnung: {_label(p, variant)}: {len(ids)} von {k.schritte} Schritten ohne "
            f"{value_name} ({step_list(p, ids)})"
        )
        if partial:
            text += f" – ohne diese Schritte gerechnet: {', '.join(partial)}"
        if whole:
            text += f" – {NICHT_BERECHENBAR}: {', '.join(whole)}"
        notes.append(text)
    if k.unterlagen is None:
        notes.append(
            f"{_label(p, variant)}: keine Angabe zu den Unterlagen ({UNTERLAGEN_WO}) – "
            "Unterlagen und Once-Only werden nicht verglichen"
        )
    return notes


def notes(
    ist: Prozess, soll: Prozess, k_ist: musterprozess.Kennzahlen, k_soll: musterprozess.Kennzahlen
) -> tuple[str, ...]:
    """Savings gap first, then per variant the gaps and what the import noticed."""
    notes = []
    gap = savings_gap(ist, soll, k_ist, k_soll)
    if gap:
        notes.append(f"Warnung: Musterprozess: {gap}")
    for variant, p, k in (("IST", ist, k_ist), ("SOLL", soll, k_soll)):
        notes += _gap_notes(p, k, variant)
        for note in p.hinweise:
            warning = note.startswith("Warnung: ")
            text = f"{_label(p, variant)}: {note.removeprefix('Warnung: ')}"
            notes.append(f"Warnung: {text}" if warning else text)
    return tuple(notes)


def soll_text(p: Prozess, kat: Katalog | None = None) -> str:
    """What the SOLL model says about media, once-only and payment – nothing it does not say."""
    kat = kat or katalog()
    order = musterprozess.numbered_steps(p)
    steps = [p.schritte[s] for s in order]
    media: dict[str, int] = {}
    for step in steps:
        if step.medium is not None:
            media[step.medium] = media.get(step.medium, 0) + 1
    digital = sum(n for medium, n in media.items() if kat.medien[medium]["digital"])
    counted = ", ".join(
        f"{medium} ({n} {'Schritt' if n == 1 else 'Schritte'})" for medium, n in media.items()
    )
    parts = [f"Ablauf im SOLL: {len(steps)} Schritte; Medien: {counted or KEINE_ANGABE}."]
    if media:
        parts[0] = parts[0][:-1] + f" – {digital} von {len(steps)} Schritten digital."
    without = sum(step.medium is None for step in steps)
    if without:
        parts.append(f"Bei {without} Schritten ist kein Medium angegeben.")
    parts.append(_once_only_text(p))
    payments = [(i, step) for i, step in enumerate(steps, start=1) if step.baustein == "zahlung"]
    if not payments:
        parts.append("Einen Zahlungsschritt (Baustein „Zahlung“) enthält das SOLL-Modell nicht.")
    else:
        listed = ", ".join(
            f"Nr. {i} „{step.name}“ ({step.medium or 'Medium fehlt'})" for i, step in payments
        )
        text = f"Bezahlt wird in {listed}"
        if any(
            step.medium
            and kat.medien[step.medium]["digital"]
            and p.lane_kind(step.bahn) == "buerger"
            for _, step in payments
        ):
            text += " – elektronisch, wie § 7 EGovG NRW es für elektronische Verfahren verlangt"
        parts.append(text + ".")
    return " ".join(parts)


def _once_only_text(p: Prozess) -> str:
    if p.unterlagen is None:
        return "Zu den Unterlagen macht das SOLL-Modell keine Angabe."
    if not p.unterlagen:
        return "Unterlagen muss die Bürgerin / der Bürger im SOLL keine beibringen."
    fetched: dict[str, list[str]] = {}
    for d in p.unterlagen:
        if d.abruf:
            fetched.setdefault(d.register or "Register", []).append(d.name)
    brought = [d.name for d in p.unterlagen if not d.abruf]
    text = ""
    if fetched:
        text = (
            "Aus Registern abgerufen (Once-Only): "
            + "; ".join(f"{', '.join(names)} ({register})" for register, names in fetched.items())
            + "."
        )
    else:
        text = "Keine Angabe wird im SOLL aus einem Register abgerufen."
    if brought:
        text += (
            f" Die Bürgerin / der Bürger bringt {len(brought)} Angaben bei: {', '.join(brought)}."
        )
    return text
