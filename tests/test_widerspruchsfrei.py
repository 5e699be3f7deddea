"""The report never contradicts itself: a guard over two complete runs.

Runs ``kdworkbook run`` for the demo and for a second municipality made here the way an analyst
makes one (``umfrage`` → two of the Fachämter return their workbook → ``umfrage-einlesen``),
with a process marked not suitable at the top of its ranking, duty statuses left unknown and no
Musterprozess. Then the report is read against itself: the management summary against its
chapters and ``ergebnisse.json``, every candidate, priority and measure list (HTML and Excel)
against the Geeignetheit, every „alle“ against the counts.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from kdworkbook.bestand.laden import load_bestand
from kdworkbook.kern.formatierung import euro, zahl
from kdworkbook.lauf import lauf, schritte
from kdworkbook.rahmen import bedingungen as rahmen
from kdworkbook.umfrage.ruecklauf import generate, import_returns

from .conftest import DEMO

#: The process of the second municipality that would be rank 1 – but is rechtlich not suitable.
TOP_UNSUITABLE = "Personalausweis Ausstellung erstmalig"
#: Answers of the two Fachämter that return their workbook:
#: Bezeichnung → Vorgänge, Minuten, Stufe, beteiligte Stellen, rechtliche Besonderheiten.
ANSWERS = {
    "Bürgerbüro": {
        TOP_UNSUITABLE: [3000, 20, 2, 1, 0],  # 1.000 h: the largest workload
        "Reisepass Ausstellung": [1500, 25, 2, 1, 0],
    },
    "Steueramt": {
        "Hundesteuer Festsetzung": [400, 15, 4, 1, 0],
        "Grundsteuer Festsetzung für Grundvermögen": [9000, 3, 2, 1, 0],
    },
}


REASONS = ("faktisch", "rechtlich", "wirtschaftlich")


@dataclass(frozen=True)
class Lauf:
    """One finished run, read back."""

    result: lauf.RunResult
    ergebnisse: dict
    check: dict
    chapters: dict[str, BeautifulSoup]  # h1 text → section
    sent: list[str]  # Fachämter that were sent a workbook (empty for the demo)
    unsuitable: set[str]  # names of the processes chapter 1 marks not suitable


def _read(result: lauf.RunResult, parameter_file: Path, sent: list[str]) -> Lauf:
    soup = BeautifulSoup(result.html.read_text(encoding="utf-8"), "html.parser")
    chapters = {s.find("h1").get_text(" ", strip=True): s for s in soup.select("section.kapitel")}
    ergebnisse = json.loads((result.run_dir / "ergebnisse.json").read_text(encoding="utf-8"))
    ba = load_bestand(parameter_file)
    check = json.loads(json.dumps(schritte.summary(ba), default=str))
    # Geeignetheit as chapter 1 computes it; a name shared with a suitable process in another
    # Fachamt is left out, so that a name alone identifies a not-suitable process
    attrs = rahmen.process_attributes(ba)
    names = ba.data["bezeichnung"]
    unsuitable = set(names[~attrs["geeignet"]]) - set(names[attrs["geeignet"]])
    return Lauf(result, ergebnisse, check, chapters, sent, unsuitable)


def _fill(path: Path, answers: dict[str, list]) -> None:
    """Type answers into a survey workbook as the Fachamt does (openpyxl, like Excel)."""
    book = load_workbook(path)
    sheet = book["Bestandserhebung"]
    found = set()
    for row in sheet.iter_rows(min_row=2):
        if row[4].value in answers:
            found.add(row[4].value)
            for cell, value in zip(row[5:10], answers[row[4].value], strict=True):
                cell.value = value
    assert found == set(answers), f"{path.name}: nicht gefunden {set(answers) - found}"
    book.save(path)


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory) -> Lauf:
    out = tmp_path_factory.mktemp("demo")
    return _read(lauf.run(DEMO, output_root=out), DEMO, [])


@pytest.fixture(scope="module")
def pruefdorf_run(tmp_path_factory, reference_dir) -> Lauf:
    folder = tmp_path_factory.mktemp("pruefdorf")
    params = folder / "pruefdorf.yaml"
    # as the `new` template leaves it: umfrage → fachaemter not given (all of the rules)
    params.write_text(
        "gemeinde: Gemeinde Prüfdorf\nstichtag: 2026-11-28\n"
        "bestand: ruecklauf/bestand_konsolidiert.xlsx\n"
        "rahmen:\n"
        f"  leika_katalog: {reference_dir / 'leika_leistungen_kdn2019.csv'}\n"
        '  pflichten:\n    "EGovG NRW § 5": offen\n'  # every other duty: never recorded
        "  nicht_geeignet:\n"
        f"    - prozess: {TOP_UNSUITABLE}\n      grund: rechtlich\n"
        "umfrage:\n  rueckgabe_bis: 15.01.2027\n  leere_zeilen: 2\n",
        encoding="utf-8",
    )
    workbooks = generate(params, folder / "umfrage")
    by_fachamt = {load_workbook(p)["Bestandserhebung"]["A2"].value: p for p in workbooks}
    for fachamt, answers in ANSWERS.items():
        _fill(by_fachamt[fachamt], answers)
    import_returns(params, [by_fachamt[f] for f in ANSWERS], folder / "ruecklauf")
    result = lauf.run(params, output_root=folder / "outputs")
    return _read(result, params, sorted(by_fachamt))


@pytest.fixture(params=["demo", "pruefdorf"])
def run(request) -> Lauf:
    return request.getfixturevalue(f"{request.param}_run")


# --- reading the report -----------------------------------------------------------------------


def _chapter(r: Lauf, title: str) -> BeautifulSoup:
    return next(section for name, section in r.chapters.items() if name.startswith(title))


def _cards(section: BeautifulSoup) -> dict[str, str]:
    return {
        card.select_one(".kd-label").get_text(strip=True): card.select_one(".kd-wert").get_text(
            strip=True
        )
        for card in section.select(".kd-karte")
    }


def _tables(section: BeautifulSoup) -> list[tuple[list[str], list[list[str]]]]:
    """(headers, rows of cell texts) of every table."""
    found = []
    for table in section.select("table"):
        head = [th.get_text(" ", strip=True) for th in table.select("thead th")]
        rows = [
            [td.get_text(" ", strip=True) for td in tr.select("td")]
            for tr in table.select("tbody tr")
        ]
        found.append((head, rows))
    return found


def _text(section: BeautifulSoup) -> str:
    return " ".join(section.get_text(" ", strip=True).split())


# --- the management summary is its chapters -----------------------------------------------------


def test_summary_figures_equal_chapters_and_ergebnisse(run):
    e = run.ergebnisse
    summary, k = e["zusammenfassung"], e["massnahmen"]["kennzahlen"]
    assert summary["massnahmen"] == k  # the same object, emitted by both notebooks
    assert {key: e["bestand"][key] for key in summary["bestand"]} == summary["bestand"]
    assert k["quick_wins"] == e["massnahmen"]["quick_wins"]
    assert k["massnahmen"] == e["massnahmen"]["massnahmen"]
    assert k["einsparung_eur"] == e["massnahmen"]["einsparung_eur_jahr"]

    front = _chapter(run, "Management-Zusammenfassung")
    chapter3 = _chapter(run, "Maßnahmenentwicklung")
    chapter2 = _chapter(run, "Bestandsaufnahme")
    cards, cards3, cards2 = _cards(front), _cards(chapter3), _cards(chapter2)
    expected = {
        "Quick Wins": zahl(k["quick_wins"]),
        "Maßnahmen": zahl(k["massnahmen"]),
        "Einsparung pro Jahr": euro(k["einsparung_eur"]),
        "Einsparung VZÄ": zahl(k["einsparung_vzae"], 1),
        "Einmalkosten": euro(k["einmalkosten_eur"]),
    }
    for label, value in expected.items():
        assert cards[label] == cards3[label] == value, label
    assert cards["Jahresstunden"] == cards2["Jahresstunden"] == zahl(e["bestand"]["stunden"])

    text, text3 = _text(front), _text(chapter3)
    b = e["bestand"]
    assert f"in {zahl(b['prozesse'])} erhobenen Prozessen {zahl(b['vorgaenge'])} Vorgänge" in text
    assert cards2["Prozesse"] == zahl(b["prozesse"])
    assert f"von den {zahl(k['geeignet'])} geeigneten" in text
    assert f"Bewertet wurden {zahl(k['geeignet'])} geeignete Prozesse" in text3
    assert f"{zahl(k['ausgeschlossen'])} Prozesse sind nicht digitalisierbar" in text
    assert f"{zahl(k['ausgeschlossen'])} Prozesse sind als nicht geeignet" in text3
    assert f"Die {zahl(k['massnahmen'])} Maßnahmen" in text and f"bis {k['fertig']}" in text
    # one selection sentence, word for word in both places
    selection = re.search(r"Maßnahmen erhalten die .*?(?:klären\.|Maßnahme\.)", text3).group(0)
    assert selection in text
    assert f"zusammen {zahl(k['ausgewaehlt'])} Prozesse" in selection


def test_summary_top_group_is_the_ranking_without_gaps(run):
    e = run.ergebnisse
    top = e["zusammenfassung"]["vordringlich"]
    ranks = [t["rang"] for t in top]
    assert ranks == list(range(1, len(ranks) + 1))  # no rank skipped
    assert [t["bezeichnung"] for t in top] == e["massnahmen"]["rangfolge"]
    head, rows = _tables(_chapter(run, "Management-Zusammenfassung"))[0]
    assert head[:2] == ["Rang", "Prozess"]
    assert [r[:2] for r in rows] == [[zahl(t["rang"]), t["bezeichnung"]] for t in top]
    ranking = next(
        rows3
        for head3, rows3 in _tables(_chapter(run, "Maßnahmenentwicklung"))
        if head3[:4] == ["Rang", "Prozess", "Fachamt", "Jahresstunden"]
    )
    assert [r[:2] for r in ranking[: len(rows)]] == [r[:2] for r in rows]
    # a listed process without measure or with a late payback says so
    horizon = e["massnahmen"]["kennzahlen"]["ueber_horizont"]
    for row in rows:
        amort = row[head.index("Amort. Jahre")]
        assert amort == "" or amort.endswith("*") or re.fullmatch(r"[\d.,]+|sofort", amort)
    if any(r[head.index("Amort. Jahre")].endswith("*") for r in rows):
        assert horizon > 0 and "Planungshorizonts" in _text(
            _chapter(run, "Management-Zusammenfassung")
        )


# --- no not-suitable process as candidate --------------------------------------------------------


def test_no_unsuitable_process_in_a_candidate_priority_or_measure_list(run):
    unsuitable = run.unsuitable
    assert unsuitable, "jede der beiden Kommunen hat nicht geeignete Prozesse"
    assert unsuitable <= set(run.ergebnisse["massnahmen"]["nicht_geeignet"])
    for title in ("Management-Zusammenfassung", "Bestandsaufnahme", "Maßnahmenentwicklung"):
        for head, rows in _tables(_chapter(run, title)):
            if "Hinweis" in head:  # data-quality findings: not a list of candidates
                continue
            reason_column = next((i for i, h in enumerate(head) if "nicht geeignet" in h), None)
            for row in rows:
                named = {n for n in unsuitable for c in row if c == n or c.startswith(n + " ")}
                with_reason = any("nicht geeignet (" in c for c in row) or (
                    reason_column is not None and row[reason_column] in REASONS
                )
                assert not named or with_reason, f"{title}: {named} in Tabelle {head}"

    plan = load_workbook(run.result.run_dir / "massnahmenplan.xlsx", read_only=True)
    for sheet in ("Priorisierung", "Maßnahmen", "Zeitplan"):
        names = {row[1] for row in plan[sheet].iter_rows(min_row=2, values_only=True)}
        assert not names & unsuitable, sheet
    listed = {
        row[0]: row[2] for row in plan["Nicht geeignet"].iter_rows(min_row=2, values_only=True)
    }
    assert set(listed) >= unsuitable and all(listed[n] for n in unsuitable)

    appendix = load_workbook(run.result.appendix, read_only=True)
    rows = list(appendix["Prozesse"].iter_rows(values_only=True))
    head = list(rows[0])
    name, reason = head.index("Bezeichnung"), head.index("Geeignetheit")
    positions = [i for i, row in enumerate(rows[1:]) if row[name] in unsuitable]
    assert all(str(rows[1 + i][reason]).startswith("nicht geeignet") for i in positions)
    # listed last, after every candidate
    assert positions == list(range(len(rows) - 1 - len(positions), len(rows) - 1))


def test_pruefdorf_top_process_is_excluded_everywhere(pruefdorf_run):
    e = pruefdorf_run.ergebnisse["massnahmen"]
    assert TOP_UNSUITABLE in e["nicht_geeignet"]
    assert TOP_UNSUITABLE not in e["rangfolge"]
    text = _text(_chapter(pruefdorf_run, "Bestandsaufnahme"))
    assert f"{TOP_UNSUITABLE} (rechtlich)" in text  # named with its reason, not as candidate


# --- „alle“ only where the count says all --------------------------------------------------------

#: Sentences with „alle“ that name a count and the figure it must equal.
ALL_CLAIMS = {
    r"Alle ([\d.]+) Zeilen wurden gegen das Datenschema": lambda e: e["bestand"]["prozesse"],
}


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if re.search(r"\b[Aa]lle\b", s)]


def test_no_alle_against_a_count(run):
    e = run.ergebnisse
    k = e["massnahmen"]["kennzahlen"]
    text = " ".join(_text(section) for section in run.chapters.values())
    for sentence in _sentences(text):
        for pattern, figure in ALL_CLAIMS.items():
            found = re.search(pattern, sentence)
            if found:
                assert found.group(1) == zahl(figure(e)), sentence
    # „jeder mit mindestens einer Maßnahme“ only when no chosen process is without one
    if "jeder mit mindestens einer Maßnahme" in text:
        assert k["mit_massnahmen"] == k["ausgewaehlt"]
    if e["massnahmen"]["ohne_massnahme"]:
        assert "passt kein Standard-Maßnahmentyp" in text
    if k["ausgeschlossen"]:
        assert "Kein Prozess ist als nicht geeignet" not in text


def test_pruefdorf_has_no_musterprozess_page(pruefdorf_run):
    assert not any(name.startswith("Musterprozess") for name in pruefdorf_run.chapters)
    assert "kein Musterprozess konfiguriert" not in pruefdorf_run.result.html.read_text(
        encoding="utf-8"
    )
    assert any("Kein Musterprozess konfiguriert" in h for h in pruefdorf_run.check["hinweise"])
    assert "Lenkungsgremium" in _text(
        _chapter(pruefdorf_run, "Management-Zusammenfassung")
    ) and "Annahme – im Workshop bestätigen" in _text(
        _chapter(pruefdorf_run, "Management-Zusammenfassung")
    )


# --- depend on other branches (marks removed after merging) --------------------------------------


def test_every_fachamt_sent_a_workbook_is_in_the_ruecklauf_table(pruefdorf_run):
    assert len(pruefdorf_run.sent) > len(ANSWERS)
    section = _chapter(pruefdorf_run, "Bestandsaufnahme")
    table = next(rows for head, rows in _tables(section) if "Rücklauf" in head)
    status = {row[0]: row[1] for row in table}
    assert set(status) == set(pruefdorf_run.sent)
    missing = sorted(set(pruefdorf_run.sent) - set(ANSWERS))
    assert all(status[f] == "fehlt" for f in missing)
    assert "Alle Fachämter haben die Erhebung zurückgegeben" not in _text(section)


def test_unknown_statuses_are_not_counted_as_overdue(pruefdorf_run):
    duties = pruefdorf_run.check["rahmenbedingungen"]["pflichten"]
    unknown = [d["paragraph"] for d in duties if d["status"] == "unbekannt"]
    overdue = [
        d["paragraph"]
        for d in duties
        if d["status"] in ("offen", "teilweise") and (d["tage_ueberfaellig"] or 0) > 0
    ]
    assert unknown
    text = _text(_chapter(pruefdorf_run, "Management-Zusammenfassung"))
    assert f"Überfällige gesetzliche Pflichten ({zahl(len(overdue))})" in text
    # the overdue list ends where the separate group „Stand nicht erhoben“ begins
    listed = re.search(
        r"Überfällige gesetzliche Pflichten \(\d+\):(.*?)(Stand nicht erhoben|Steuerung|$)", text
    )
    assert listed and not [u for u in unknown if u in listed.group(1)]
