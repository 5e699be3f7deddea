"""Hostile input, second round: script injection into the report, formulas in the survey
workbooks, math and invisible characters in names, the open workshop app, the survey round
trip. Everything through the real parts: papermill kernels, Chromium, openpyxl, Voilà."""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook
from pypdf import PdfReader

from kdworkbook.bericht import anzeige
from kdworkbook.cli import main
from kdworkbook.kern.formatierung import literal
from kdworkbook.umfrage.ruecklauf import generate, import_returns

from .conftest import DEMO, HEADER, SEED_ROWS, write_csv, write_params, write_xlsx

# What a script would write if it ran: the literal text shows 'XSS-'+'RAN', never XSS-RAN.
SCRIPT = "<script>document.title='XSS-'+'RAN';document.write('XSS-'+'RAN')</script>"
IMG = "<img src=x onerror=\"document.body.append('IMG-'+'RAN')\">"
LINK = "[l](javascript:alert(1))"
PAYLOAD = f"{SCRIPT} {IMG} {LINK}"
MARKERS = ("XSS-RAN", "IMG-RAN")
# A file name cannot hold „/“: the survey file gets the image and the link.
FILE_PAYLOAD = f"Standesamt {IMG} {LINK}"
MATH = "Amt $\\frac{$"  # matplotlib's mathtext would fail on it


def _squeeze(text: str) -> str:
    """Text without any whitespace: line breaks in the PDF fall anywhere in a long name."""
    return re.sub(r"\s+", "", text)


# --- the escaping function and the Markdown renderer ------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        SCRIPT,
        IMG,
        LINK,
        "**fett** _k_ `c` # h",
        "$\\frac{$",
        "1. Amt",
        "1) Amt",
        "- Amt",
        "+ Amt",
        "# Amt",
        "===",
        "> Zitat",
        "a | b",
        "&amp; &lt;",
        "<https://x.de>",
        "![b](https://x.de/b.png)",
    ],
)
def test_literal_text_is_shown_as_typed(raw):
    inline = BeautifulSoup(anzeige.markdown_html(f"Die **{literal(raw)}** plant."), "html.parser")
    assert inline.strong.get_text() == raw
    assert inline.strong.find_all(True) == []  # no element came from the user text
    # alone on its line (a list item, a heading, a line after a paragraph)
    for source in (literal(raw), f"- {literal(raw)}", f"Text\n{literal(raw)}"):
        soup = BeautifulSoup(anzeige.markdown_html(source), "html.parser")
        assert raw in soup.get_text()
        assert {t.name for t in soup.find_all(True)} <= {"p", "ul", "li"}, source


def test_literal_folds_line_breaks_and_marks_invisible_characters():
    assert literal("A\n# B\r\n- C") == "A # B - C"  # no longer at the start of a line
    assert literal("5.712 € (Nord)") == "5.712 € (Nord)"
    assert literal("Amt\u202eRecht\x1b") == "Amt\ufffdRecht\ufffd"
    assert literal(None) == ""


def test_markdown_keeps_only_safe_links_and_no_raw_html():
    html = anzeige.markdown_html(
        "[a](https://x.de) [b](mailto:a@b.de) [c](javascript:alert(1)) [d](file:///etc/passwd) "
        "[e](data:text/html,x) <b>roh</b>"
    )
    soup = BeautifulSoup(html, "html.parser")
    assert [a["href"] for a in soup.find_all("a")] == ["https://x.de", "mailto:a@b.de"]
    assert soup.find("b") is None and "<b>roh</b>" in soup.get_text()


# --- the whole report ------------------------------------------------------------------------


def _hostile_municipality(folder: Path, reference_dir: Path) -> Path:
    """The demo with the injection strings in every free-text field that reaches the report,
    a workshop note, a Fachamt name and a survey file name; another Fachamt is „Amt $\\frac{$“."""
    data = folder / "daten"
    shutil.copytree(DEMO.parent / "musterstadt", data)
    hostile_csv = data / f"{FILE_PAYLOAD}.csv"
    (data / "bestand_standesamt.csv").rename(hostile_csv)
    q = json.dumps  # a YAML double-quoted scalar
    body = f"""
gemeinde: {q("Stadt " + PAYLOAD)}
stichtag: 2026-11-28
bestand:
  - datei: daten/bestand_buergerbuero.xlsx
    fachamt: {q("Bürgerbüro " + PAYLOAD)}
  - datei: {q("daten/" + hostile_csv.name)}
    fachamt: {q(MATH)}
  - daten/bestand_fachaemter.xlsx
rahmen:
  leika_katalog: {reference_dir / "leika_leistungen_kdn2019.csv"}
  pflichten:
    "EGovG NRW § 3":
      status: erfüllt
      notiz: {q("Vermerk " + PAYLOAD)}
  nicht_geeignet:
    - prozess: Eheschließung Vollzug
      grund: rechtlich
      notiz: {q("Geeignet " + PAYLOAD)}
musterprozess:
  ist: daten/hundesteuer_ist.yaml
  soll: daten/hundesteuer_soll.yaml
  prozess: Hundehaltung Anmeldung
  fachamt: Steueramt
massnahmen:
  massnahmentypen:
    online_antrag:
      name: {q("Online " + PAYLOAD)}
      einmalkosten_eur: {{wert: 2500, quelle: {q("Angebot " + PAYLOAD)}}}
  lenkungsgremium: {q("Gremium " + PAYLOAD)}
  verantwortung:
    digitalmanager: {q("Digital " + PAYLOAD)}
    it_dienstleister: {q("KRZ " + PAYLOAD)}
umfrage:
  ansprechpartner: {{name: {q("Kontakt " + PAYLOAD)}}}
workshop:
  beschluesse:
    - datum: 2026-11-28
      aenderungen: [{q("massnahmen → top_n: 10 → 10 " + PAYLOAD)}]
      notiz: {q("Notiz " + PAYLOAD)}
"""
    return write_params(folder, body, "feindlich.yaml")


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory, reference_dir) -> Path:
    folder = tmp_path_factory.mktemp("feindlich")
    params = _hostile_municipality(folder, reference_dir)
    assert main(["check", str(params)]) == 0
    assert main(["run", str(params), "--ausgabe", str(folder / "out")]) == 0
    [pdf] = {p.resolve() for p in (folder / "out").glob("*/*/bericht.pdf")}  # latest → run
    return pdf


def test_injection_is_shown_literally_in_the_pdf(hostile_report):
    reader = PdfReader(hostile_report)
    text = _squeeze("\n".join(page.extract_text() for page in reader.pages))
    for label in (
        "Stadt",
        "Gremium",
        "Notiz",
        "Digital",
        "KRZ",
        "Geeignet",
        "Vermerk",
        "Online",
        "Angebot",
    ):
        assert _squeeze(f"{label} {PAYLOAD}") in text, label
    assert _squeeze(f"10 → 10 {PAYLOAD}") in text  # the logged workshop change
    assert _squeeze(FILE_PAYLOAD) in text  # the survey file name
    assert _squeeze(f"Bürgerbüro {SCRIPT}") in text  # the Fachamt (in a table)
    assert _squeeze(MATH) in text  # a Fachamt in tables and charts, not a formula
    for marker in MARKERS:
        assert marker not in text
    title = (reader.metadata or {}).get("/Title", "")
    assert title == f"Digitalisierungsstrategie – Stadt {PAYLOAD}"  # the script set none


def test_no_javascript_link_or_action_in_the_pdf(hostile_report):
    reader = PdfReader(hostile_report)
    uris = []
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None:
                uris.append(str(action.get_object().get("/URI", "")))
    assert all(u.startswith(("http://", "https://", "mailto:")) for u in uris if u), uris
    raw = hostile_report.read_bytes()
    assert b"javascript:" not in raw.lower() and b"/JavaScript" not in raw


def test_report_html_forbids_scripts(hostile_report):
    html = (hostile_report.parent / "bericht.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    policy = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
    assert "script-src 'none'" in policy and "default-src 'none'" in policy
    assert soup.find_all(["script", "iframe", "object", "embed"]) == []
    handlers = [(t.name, a) for t in soup.find_all(True) for a in t.attrs if a.startswith("on")]
    assert handlers == []
    links = [a.get("href", "") for a in soup.find_all("a")]
    assert all(h.startswith(("#", "http://", "https://", "mailto:")) for h in links), links


def test_report_printed_with_javascript_off(tmp_path):
    """Defence in depth: even a script that reached the HTML does not run while printing."""
    from kdworkbook.bericht.browser import PdfPrinter, find_browser

    page = tmp_path / "seite.html"
    page.write_text(
        "<html><head><style>@page { margin: 20mm; @bottom-right {"
        " content: 'Fußzeile · Seite ' counter(page) ' von ' counter(pages) } }</style>"
        "</head><body><p>Text</p>"
        "<script>document.write('XSS-'+'RAN')</script></body></html>",
        encoding="utf-8",
    )
    with PdfPrinter(find_browser()) as printer:
        pdf = tmp_path / "seite.pdf"
        pdf.write_bytes(printer.print(page))
    text = PdfReader(pdf).pages[0].extract_text()
    assert "Text" in text and "XSS-RAN" not in text
    assert "Fußzeile · Seite 1 von 1" in text  # footer page numbers need no page script


# --- survey workbooks: text stays text ----------------------------------------------------


def test_survey_workbooks_write_text_never_formulas(tmp_path, reference_dir):
    params = write_params(
        tmp_path,
        'gemeinde: "=1+1"\nbestand: neu.xlsx\n'
        f"rahmen:\n  leika_katalog: {reference_dir / 'leika_leistungen_kdn2019.csv'}\n"
        'umfrage:\n  fachaemter: ["=SUMME(1;2)", Steueramt]\n'
        '  ansprechpartner: {name: "=1+1", email: "=HYPERLINK(\\"http://x\\")"}\n',
    )
    first, _ = generate(params, tmp_path / "umfrage")
    book = load_workbook(first)
    formulas = [
        (sheet.title, cell.coordinate, cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    assert formulas == []
    guide = {row[0].value: row[1].value for row in book["Anleitung"].iter_rows()}
    assert book["Anleitung"]["A2"].value == "=1+1" and book["Anleitung"]["A2"].data_type == "s"
    assert guide["Fragen an"] == '=1+1, =HYPERLINK("http://x")'
    hidden = {row[0].value: row[1] for row in book["_kdworkbook"].iter_rows()}
    assert (hidden["gemeinde"].value, hidden["gemeinde"].data_type) == ("=1+1", "s")
    assert (hidden["fachamt"].value, hidden["fachamt"].data_type) == ("=SUMME(1;2)", "s")
    fachamt = book["Bestandserhebung"]["A2"]
    assert (fachamt.value, fachamt.data_type) == ("=SUMME(1;2)", "s")


# --- invisible characters: refused by check with file and row or key -----------------------


def test_control_and_bidi_characters_in_the_parameter_file(tmp_path, capsys):
    write_xlsx(tmp_path / "a.xlsx", HEADER, SEED_ROWS[:2])
    params = write_params(
        tmp_path,
        'gemeinde: "Stadt\\x01X"\nbestand:\n  - datei: a.xlsx\n    fachamt: "Bürgeramt\\u202e"\n'
        'massnahmen:\n  lenkungsgremium: "Gremium\\e[31m"\n'
        'rahmen:\n  pflichten:\n    "EGovG NRW § 3": {status: offen, notiz: "a\\u2066b"}\n'
        'umfrage:\n  fachaemter: ["Amt\\u200f"]\n',
    )
    assert main(["check", str(params)]) == 2
    err = capsys.readouterr().err
    for key, char in [
        ("gemeinde", "U+0001"),
        ("bestand → 1 → fachamt", "U+202E"),
        ("massnahmen → lenkungsgremium", "U+001B"),
        ("rahmen → pflichten → EGovG NRW § 3 → notiz", "U+2066"),
        ("umfrage → fachaemter → 1", "U+200F"),
    ]:
        assert f"Schlüssel „{key}“: enthält das unsichtbare Steuerzeichen {char}" in err, key
    raw = tmp_path / "roh.yaml"
    raw.write_bytes(b"gemeinde: X\nbestand: a.xlsx\nplz: '1\x1b'\n")
    assert main(["check", str(raw)]) == 2
    assert "roh.yaml, Zeile 3: enthält das unsichtbare Steuerzeichen U+001B" in (
        capsys.readouterr().err
    )


def test_control_and_bidi_characters_in_survey_cells(tmp_path, capsys):
    rows = [list(r) for r in SEED_ROWS[:4]]
    rows[1][2] = "Personalausweis\x1b[2J Ausstellung"
    rows[3][2] = "Reisepass \u202eAusstellung"
    write_csv(tmp_path / "a.csv", HEADER, rows, encoding="utf-8")
    book_rows = [["Amt\u2067 X", *SEED_ROWS[0]]]
    write_xlsx(tmp_path / "b.xlsx", ["Fachamt", *HEADER], book_rows)
    params = write_params(
        tmp_path, "gemeinde: X\nbestand:\n  - datei: a.csv\n    fachamt: A\n  - b.xlsx\n"
    )
    assert main(["check", str(params)]) == 2
    err = capsys.readouterr().err
    assert (
        "a.csv, Zeile 3, Spalte „Bezeichnung“: enthält das unsichtbare Steuerzeichen U+001B" in err
    )
    assert (
        "a.csv, Zeile 5, Spalte „Bezeichnung“: enthält das unsichtbare Steuerzeichen U+202E" in err
    )
    assert "b.xlsx, Zeile 2, Spalte „Fachamt“: enthält das unsichtbare Steuerzeichen U+2067" in err
    assert "Traceback" not in err


def test_control_and_bidi_characters_in_a_survey_file_name(tmp_path, capsys):
    """A survey folder holding „Bürgerbüro\u202eslx.csv“ (shown reversed as „…vsc.xls“):
    the file name is refused once (and the Fachamt taken from it per row), the character shown
    as „�“ so that the message itself is not reversed."""
    folder = tmp_path / "rueckgaben"
    folder.mkdir()
    name = "Bürgerbüro\u202eslx.csv"
    write_csv(folder / name, HEADER, [list(r) for r in SEED_ROWS[:3]], encoding="utf-8")
    params = write_params(tmp_path, "gemeinde: X\nbestand: rueckgaben\n")
    assert main(["check", str(params)]) == 2
    err = capsys.readouterr().err
    assert "Bürgerbüro�slx.csv, Dateiname: enthält das unsichtbare Steuerzeichen U+202E" in err
    assert err.count("Dateiname") == 1 and "\u202e" not in err and "Traceback" not in err


# --- survey round trip ------------------------------------------------------------------------


def _survey_params(folder: Path, reference_dir: Path, fachaemter: list[str] | None) -> Path:
    amt = f"umfrage:\n  fachaemter: {json.dumps(fachaemter, ensure_ascii=False)}\n"
    return write_params(
        folder,
        "gemeinde: Stadt Neu\nbestand: stadt-neu/ruecklauf/bestand_konsolidiert.xlsx\n"
        f"rahmen:\n  leika_katalog: {reference_dir / 'leika_leistungen_kdn2019.csv'}\n"
        + (amt if fachaemter is not None else ""),
    )


def test_fachaemter_with_the_same_file_name_get_their_own_workbook(tmp_path, reference_dir, capsys):
    long = "Amt für " + "Stadtentwicklung, Wirtschaftsförderung und Liegenschaften " * 2
    names = ["Amt/Recht", "Amt Recht", "amt recht", long + "Nord", long + "Süd"]
    params = _survey_params(tmp_path, reference_dir, names)
    assert main(["umfrage", str(params), "--ausgabe", str(tmp_path / "u")]) == 0
    assert "5 Arbeitsmappen erzeugt" in capsys.readouterr().out
    files = sorted(p.name for p in (tmp_path / "u").glob("*.xlsx"))
    assert len(files) == 5 and "bestandserhebung_amt-recht-2.xlsx" in files
    assert "bestandserhebung_amt-recht-3.xlsx" in files
    sent = json.loads((tmp_path / "u" / "versand.json").read_text(encoding="utf-8"))
    by_file = {e["datei"]: e["fachamt"] for e in sent["fachaemter"]}
    assert by_file["bestandserhebung_amt-recht.xlsx"] == "Amt/Recht"
    assert by_file["bestandserhebung_amt-recht-2.xlsx"] == "Amt Recht"
    for file_name, fachamt in by_file.items():  # each workbook is its own Fachamt's
        hidden = load_workbook(tmp_path / "u" / file_name)["_kdworkbook"]
        assert {r[0]: r[1] for r in hidden.iter_rows(values_only=True)}["fachamt"] == fachamt


def test_fachamt_without_a_file_name_is_refused_before_writing(tmp_path, reference_dir, capsys):
    params = _survey_params(tmp_path, reference_dir, ["Bürgerbüro", "///", "Steueramt"])
    assert main(["umfrage", str(params), "--ausgabe", str(tmp_path / "u")]) == 2
    err = capsys.readouterr().err
    assert "umfrage → fachaemter → 2: „///“ enthält keine Buchstaben oder Ziffern" in err
    assert "gemeinde" not in err
    assert not (tmp_path / "u").exists() or list((tmp_path / "u").iterdir()) == []


def _fill(path: Path, answers: dict[str, list], save_as: Path) -> Path:
    book = load_workbook(path)
    for row in book["Bestandserhebung"].iter_rows(min_row=2):
        if row[4].value in answers:
            for cell, value in zip(row[5:10], answers[row[4].value], strict=True):
                cell.value = value
    book.save(save_as)
    return save_as


def test_same_fachamt_returned_twice_with_different_values(tmp_path, reference_dir, capsys):
    params = _survey_params(tmp_path, reference_dir, ["Bürgerbüro", "Steueramt"])
    bb, _ = generate(params, tmp_path / "u")
    back = tmp_path / "zurueck"
    back.mkdir()
    same = [250, 25.5, 2, 1, 0]
    _fill(
        bb,
        {
            "Personalausweis Ausstellung erstmalig": [300, 120, 1, 1, 0],
            "Reisepass Ausstellung": same,
        },
        back / "a_erste.xlsx",
    )
    _fill(
        bb,
        {
            "Personalausweis Ausstellung erstmalig": [200, 120, 1, 1, 0],
            "Reisepass Ausstellung": same,
        },
        back / "b_zweite.xlsx",
    )
    rows = [r for r in load_workbook(bb)["Bestandserhebung"].iter_rows(values_only=True)]
    line = 1 + next(
        i for i, r in enumerate(rows) if r[4] == "Personalausweis Ausstellung erstmalig"
    )
    assert main(["umfrage-einlesen", str(params), str(back), "--ausgabe", str(tmp_path / "e")]) == 2
    err = capsys.readouterr().err
    assert (
        f"a_erste.xlsx, Zeile {line} und b_zweite.xlsx, Zeile {line}: Fachamt „Bürgerbüro“, "
        "Prozess „Personalausweis Ausstellung erstmalig“ ist mehrfach zurückgegeben, mit "
        "verschiedenen Werten (Vorgänge pro Jahr)"
    ) in err
    status = json.loads((tmp_path / "e" / "ruecklauf.json").read_text(encoding="utf-8"))
    assert [(s["fachamt"], s["status"]) for s in status] == [
        ("Bürgerbüro", "fehlerhaft"),
        ("Steueramt", "fehlt"),
    ]
    consolidated = load_workbook(tmp_path / "e" / "bestand_konsolidiert.xlsx").active
    names = [r[4] for r in consolidated.iter_rows(min_row=2, values_only=True)]
    assert names == ["Reisepass Ausstellung"]  # agreeing duplicate once, conflict left out


def test_decomposed_umlauts_are_the_same_fachamt_and_folder(tmp_path, reference_dir):
    nfd = unicodedata.normalize("NFD", "Bürgerbüro")
    assert nfd != "Bürgerbüro"
    params = _survey_params(tmp_path, reference_dir, ["Bürgerbüro", "Steueramt"])
    generate(params, tmp_path / "u")
    back = tmp_path / "zurueck"
    back.mkdir()
    write_csv(back / f"{nfd}.csv", HEADER, SEED_ROWS[:2], encoding="utf-8")  # as a Mac saves
    result, _ = import_returns(params, [back], tmp_path / "e")
    assert result.status[["fachamt", "status"]].values.tolist() == [
        ["Bürgerbüro", "zurück"],
        ["Steueramt", "fehlt"],
    ]
    from kdworkbook.kern.parameter import slugify

    assert slugify(unicodedata.normalize("NFD", "Stadt Münster")) == "stadt-muenster"
    nfd_params = write_params(
        tmp_path,
        f"gemeinde: {unicodedata.normalize('NFD', 'Stadt Münster')}\nbestand: a\n",
        "m.yaml",
    )
    from kdworkbook.kern.parameter import load_settings

    settings = load_settings(nfd_params, survey_must_exist=False)
    assert settings.slug == "stadt-muenster" and settings.gemeinde == "Stadt Münster"


def test_new_refuses_line_breaks_in_the_name(tmp_path, capsys):
    target = tmp_path / "x.yaml"
    assert main(["new", "Stadt X\nplz: 12345", "--ziel", str(target)]) == 2
    assert "Zeilenumbruch" in capsys.readouterr().err and not target.exists()
    params = write_params(tmp_path, 'gemeinde: "Stadt X\\nplz: 12345"\nbestand: a.xlsx\n')
    assert main(["check", str(params)]) == 2
    assert "„gemeinde“: enthält einen Zeilenumbruch" in capsys.readouterr().err
