"""Hostile input, second round: script injection into the report, formulas in the survey
workbooks, math and invisible characters in names, the open workshop app, the survey round
trip. Everything through the real parts: papermill kernels, Chromium, openpyxl, Voilà."""

from __future__ import annotations

import http.client
import json
import re
import shutil
import socket
import unicodedata
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook
from pypdf import PdfReader

from kdworkbook import anzeige
from kdworkbook.cli import main
from kdworkbook.formatierung import literal
from kdworkbook.ruecklauf import generate, import_returns

from .conftest import DEMO, HEADER, SEED_ROWS, write_csv, write_params, write_xlsx

# What a script would write if it ran: the literal text shows 'XSS-'+'RAN', never XSS-RAN.
SCRIPT = "<script>document.title='XSS-'+'RAN';document.write('XSS-'+'RAN')</script>"
IMG = "<img src=x onerror=\"document.body.append('IMG-'+'RAN')\">"
LINK = "[l](javascript:alert(1))"
PAYLOAD = f"{SCRIPT} {IMG} {LINK}"
MARKERS = ("XSS-RAN", "IMG-RAN")
# A file name cannot hold „/“: the survey file gets the image and the link.
FILE_PAYLOAD = f"Standesamt {IMG} {LINK}"


def _squeeze(text: str) -> str:
    """Text without any whitespace: line breaks in the PDF fall anywhere in a long name."""
    return re.sub(r"\s+", "", text)


# --- the escaping function and the Markdown renderer ------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [SCRIPT, IMG, LINK, "**fett** _k_ `c` # h", "$\\frac{$", "1. Amt", "a | b", "&amp; &lt;"],
)
def test_literal_text_is_shown_as_typed(raw):
    html = anzeige.markdown_html(f"Die **Stadt {literal(raw)}** plant.")
    inner = BeautifulSoup(html, "html.parser").strong
    assert inner.get_text() == f"Stadt {raw}"
    assert inner.find_all(True) == []  # no element came from the user text


def test_literal_folds_line_breaks_and_marks_invisible_characters():
    assert literal("A\n# B\r\n- C") == "A &#35; B &#45; C"
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
    a workshop note, a Fachamt name and a survey file name."""
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
    fachamt: Standesamt
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
    for label in ("Stadt", "Gremium", "Notiz", "Digital", "KRZ", "Geeignet", "Vermerk"):
        assert _squeeze(f"{label} {PAYLOAD}") in text, label
    assert _squeeze(f"10 → 10 {PAYLOAD}") in text  # the logged workshop change
    assert _squeeze(FILE_PAYLOAD) in text  # the survey file name
    assert _squeeze(f"Bürgerbüro {SCRIPT}") in text  # the Fachamt (in a table)
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
    from kdworkbook.bericht import PAGE_MARGIN
    from kdworkbook.browser import PdfPrinter, find_browser

    page = tmp_path / "seite.html"
    page.write_text(
        "<html><body><p>Text</p><script>document.write('XSS-'+'RAN')</script></body></html>",
        encoding="utf-8",
    )
    with PdfPrinter(find_browser(), PAGE_MARGIN) as printer:
        pdf = tmp_path / "seite.pdf"
        pdf.write_bytes(printer.print(page, footer="Fußzeile"))
    text = PdfReader(pdf).pages[0].extract_text()
    assert "Text" in text and "XSS-RAN" not in text
    assert "Fußzeile · Seite 1 von 1" in text  # footer page numbers need no page script
