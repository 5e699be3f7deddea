"""CLI: new, check, run – exit codes, German messages, nothing half-written."""

import json
import os
from pathlib import Path

import pytest
from pypdf import PdfReader

from kdworkbook.cli import main
from kdworkbook.kern.parameter import load_settings

from .conftest import DEMO, HEADER, ROOT, SEED_ROWS, write_params, write_xlsx

#: the demo's ergebnisse.json as committed (``kdworkbook run parameters/musterstadt.yaml``)
DEMO_RESULTS = Path(__file__).parent / "fixtures" / "demo_ergebnisse.json"


def normalised_results(path: Path) -> dict:
    """The results with what legitimately varies between machines replaced: the folder the
    repository is checked out in (today no figure contains a path, date of the run or time –
    the demo's Stichtag is fixed in its parameter file)."""
    text = path.read_text(encoding="utf-8").replace(str(ROOT), "<ROOT>")
    return json.loads(text)


def test_new_writes_commented_template_that_validates(tmp_path, capsys):
    target = tmp_path / "parameters" / "stadt-beispiel.yaml"
    assert main(["new", "Stadt Beispiel", "--ags", "05558004", "--ziel", str(target)]) == 0
    text = target.read_text(encoding="utf-8")
    assert text.count("#") > 10 and 'ags: "05558004"' in text
    assert "Lohnkostentabelle Verwaltung, Stand 2025" in text
    (target.parent / "stadt-beispiel").mkdir()
    write_xlsx(target.parent / "stadt-beispiel" / "bestand.xlsx", HEADER, SEED_ROWS)
    s = load_settings(target)
    assert (s.gemeinde, s.ags, s.jahresarbeitsstunden) == ("Stadt Beispiel", "05558004", 1600.0)
    # from the register (Ascheberg, Kreis Coesfeld, 31.12.2019); the given name is kept
    assert (s.kreis, s.plz, s.einwohner) == ("Coesfeld", "59387", 15494)
    assert s.stundensaetze["gehobener_dienst"] == 42.2


def test_new_refuses_to_overwrite_and_bad_ags(tmp_path, capsys):
    target = tmp_path / "x.yaml"
    target.write_text("alt", encoding="utf-8")
    assert main(["new", "Stadt X", "--ziel", str(target)]) == 2
    assert target.read_text(encoding="utf-8") == "alt"
    assert "existiert bereits" in capsys.readouterr().err
    assert main(["new", "Stadt X", "--ags", "5315000", "--ziel", str(tmp_path / "y.yaml")]) == 2
    assert "beginnend mit 05" in capsys.readouterr().err
    assert not (tmp_path / "y.yaml").exists()


def test_check_prints_german_key_figures(seed_survey, capsys):
    assert main(["check", str(seed_survey)]) == 0
    out = capsys.readouterr().out
    assert "Stadt Seed: Parameterdatei und Eingabedateien sind gültig." in out
    assert "1.135" in out  # Jahresstunden 1.135,4
    assert "35.567\u00a0€" in out  # Personalkosten 35.566,79 €
    assert "0,7" in out  # VZÄ


def test_check_json(seed_survey, capsys):
    assert main(["check", str(seed_survey), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["gemeinde"] == "Stadt Seed"
    b = summary["bestand"]
    assert (b["prozesse"], b["vorgaenge"], b["pareto_prozesse"]) == (16, 800, 5)
    assert round(b["stunden"], 4) == 1135.4333
    assert round(b["kosten_eur"], 2) == 35566.79
    assert round(b["vzae"], 4) == 0.7096


def test_check_bad_input_exit_2_with_file_row_column(tmp_path, capsys):
    bad = [list(r) for r in SEED_ROWS[:2]]
    bad[1][3] = "siebzig"
    write_xlsx(tmp_path / "a.xlsx", HEADER, bad)
    params = write_params(tmp_path, "gemeinde: X\nbestand: a.xlsx\n")
    assert main(["check", str(params)]) == 2
    err = capsys.readouterr().err
    assert "Fehler in der Eingabe" in err
    assert "a.xlsx, Zeile 3, Spalte „Vorgänge pro Jahr“: „siebzig“ ist keine Zahl." in err
    assert "Traceback" not in err


def test_usage_error_is_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["check"])
    assert info.value.code == 2
    assert "Aufruf fehlerhaft" in capsys.readouterr().err


def _tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_run_bad_input_changes_nothing(tmp_path, capsys):
    out = tmp_path / "outputs"
    (out / "x" / "2026-01-01_000000").mkdir(parents=True)
    (out / "x" / "2026-01-01_000000" / "bericht.pdf").write_bytes(b"alt")
    before = _tree(out)
    params = write_params(tmp_path, "gemeinde: X\nbestand: fehlt.xlsx\n")
    assert main(["run", str(params), "--ausgabe", str(out)]) == 2
    assert "Datei „fehlt.xlsx“ nicht gefunden" in capsys.readouterr().err
    assert _tree(out) == before


def test_run_demo_produces_report_appendix_and_results(tmp_path, capsys):
    out = tmp_path / "outputs"
    assert main(["run", str(DEMO), "--ausgabe", str(out)]) == 0
    printed = capsys.readouterr().out
    runs = [p for p in (out / "stadt-musterstadt").iterdir() if p.name[0].isdigit()]
    assert len(runs) == 1
    run = runs[0]
    assert f"Bericht: {run / 'bericht.pdf'}" in printed
    assert os.readlink(out / "stadt-musterstadt" / "latest") == run.name
    names = {p.name for p in run.iterdir()}
    assert {
        "02_bestandsaufnahme.ipynb",
        "anhang.xlsx",
        "bericht.html",
        "bericht.pdf",
        "bericht.docx",
        "praesentation.pptx",
        "ergebnisse.json",
        "lauf.json",
    } <= names
    assert not [p for p in (out / "stadt-musterstadt").iterdir() if p.name.startswith(".")]

    pdf = PdfReader(run / "bericht.pdf")
    for page in pdf.pages:
        assert abs(float(page.mediabox.width) - 595.3) < 1.5
        assert abs(float(page.mediabox.height) - 841.9) < 1.5
    text = "\n".join(page.extract_text() for page in pdf.pages)
    for expected in (
        "Stadt Musterstadt",
        "AGS",
        "05999001",
        "28.11.2026",
        "Inhalt",
        "Bestandsaufnahme",
        "Pareto-Analyse",
        "Datenqualität",
        "65.074",
        "28.757",
        "Seite 2 von",
    ):
        assert expected in text, expected
    for code in ("import ", "load_bestand", "ansicht.", "parameter_file", "def ", "Traceback"):
        assert code not in text, code

    results = json.loads((run / "ergebnisse.json").read_text(encoding="utf-8"))
    assert results["bestand"]["prozesse"] == 185
    # every figure of the demo stays what it was (a deliberate change updates the copy)
    assert normalised_results(run / "ergebnisse.json") == normalised_results(DEMO_RESULTS)

    from openpyxl import load_workbook

    book = load_workbook(run / "anhang.xlsx")
    # each step adds its sheets (schritte.STEPS); the Bestandsaufnahme and Rahmen sheets:
    assert {"Prozesse", "Fachämter", "Pflichten", "Rahmen je Prozess"} <= set(book.sheetnames)
    assert book["Prozesse"].max_row == 186
    assert book["Prozesse"]["D1"].value == "Bezeichnung"


def test_check_lists_each_omitted_chapter_on_one_line(seed_survey, capsys):
    """One line per chapter left out, under one heading – not a „Hinweis“ sentence each;
    ``--json`` keeps the whole sentences in ``hinweise``."""
    assert main(["check", str(seed_survey)]) == 0
    out = capsys.readouterr().out
    assert out[out.index("  Im Bericht entfallen:") :] == (
        "  Im Bericht entfallen:\n"
        "    Kapitel Musterprozess: Kein Musterprozess konfiguriert (Abschnitt „musterprozess“ "
        "mit „ist“ und „soll“).\n"
        "    Kapitel Vergleich mit Kommunen ähnlicher Größe: Kein Vergleichsordner angegeben "
        "(Abschnitt „vergleich“ mit „ordner“).\n"
        "    Kapitel Bürgerbefragung: Keine Bürgerbefragung ausgewertet "
        "(buergerbefragung → ergebnis).\n"
    )
    assert "Hinweis" not in out and "entfällt im Bericht" not in out
    assert main(["check", str(seed_survey), "--json"]) == 0
    notes = json.loads(capsys.readouterr().out)["hinweise"]
    assert (
        "Keine Bürgerbefragung ausgewertet (buergerbefragung → ergebnis): das Kapitel "
        "Bürgerbefragung entfällt im Bericht." in notes
    )


def test_check_prints_the_fortschreibung_of_the_second_demo_round(capsys):
    """The shipped round 2 (Stand of 20.05.2027): 2 umgesetzt, 2 begonnen, 22 geplant;
    planned for the two umgesetzt: Online-Antrag 600 h × 20 % × 25,50 € = 3.060 € +
    E-Payment 600 h × 80 % × 5 % × 25,50 € = 612 € = 3.672 €; realised 300 Vorgänge ×
    (120 − 90) min / 60 = 150 h × 25,50 € = 3.825 €."""
    assert main(["check", str(ROOT / "parameters" / "musterstadt-2027.yaml")]) == 0
    out = capsys.readouterr().out
    assert out[out.index("  Fortschreibung") :] == (
        "  Fortschreibung (Umsetzungsstand vom 20.05.2027):\n"
        "    Maßnahmen umgesetzt                                    2\n"
        "    Maßnahmen begonnen                                     2\n"
        "    Maßnahmen geplant                                     22\n"
        "    Einsparung geplant pro Jahr (umgesetzte)         3.672\u00a0€\n"
        "    Einsparung realisiert pro Jahr                   3.825\u00a0€\n"
    )
    # round 1 has no Fortschreibung, so no block
    assert main(["check", str(DEMO)]) == 0
    assert "Fortschreibung" not in capsys.readouterr().out


def test_check_fortschreibung_without_previous_round_is_not_computable(tmp_path, capsys):
    """Without ``vorherige_erhebung`` the realised saving is „nicht berechenbar“, with why –
    never 0."""
    import shutil

    shutil.copytree(ROOT / "parameters", tmp_path / "parameters")
    params = tmp_path / "parameters" / "musterstadt-2027.yaml"
    text = params.read_text(encoding="utf-8")
    params.write_text(text[: text.index("\nvorherige_erhebung:")] + "\n", encoding="utf-8")
    assert main(["check", str(params)]) == 0
    out = capsys.readouterr().out
    assert "    Einsparung geplant pro Jahr (umgesetzte)         3.672\u00a0€\n" in out
    assert (
        "    Einsparung realisiert pro Jahr            nicht berechenbar – keine vorherige "
        "Erhebung (vorherige_erhebung in der Parameterdatei)\n" in out
    )
