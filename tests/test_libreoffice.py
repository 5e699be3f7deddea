"""praesentation.pptx and bericht.docx open in an office suite: LibreOffice converts both to
PDF headlessly (a file it had to repair or could not read gives no PDF)."""

import shutil
import subprocess

import pytest
from pypdf import PdfReader

from kdworkbook.bericht import praesentation, word
from kdworkbook.bericht.dokument import Chapter, ReportMeta, _assemble
from kdworkbook.bestand.laden import load_bestand
from kdworkbook.massnahmen import kapitel as massnahmen_ansicht

from .conftest import DEMO

pytestmark = pytest.mark.prozess


def test_libreoffice_converts_pptx_and_docx(tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice fehlt: apt-get install libreoffice-impress libreoffice-writer"
    ba = load_bestand(DEMO)
    (deck,) = praesentation.write(ba, tmp_path)
    chapter = '<h1 id="k1">Kostenplan</h1>' + (
        massnahmen_ansicht.cost_table(massnahmen_ansicht.planung(ba)).data
    )
    meta = ReportMeta(gemeinde=ba.settings.gemeinde, stichtag=ba.settings.stichtag)
    html = _assemble([Chapter(chapter, chapter, [(1, "k1", "Kostenplan")])], meta, False)
    document = word.write(html, tmp_path / word.FILE_NAME, ba.settings)
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path}/profil", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"), str(deck), str(document)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    slides = PdfReader(tmp_path / "pdf" / "praesentation.pdf")
    # 9 + 5 IST and 4 SOLL rows of the BPMN diagrams + 4 of the Beschlussvorschlag
    assert len(slides.pages) == 22
    assert "Teil 5 von 5" in slides.pages[13].extract_text()
    assert "Beschlussvorschlag" in slides.pages[18].extract_text()
    assert "62.000" in slides.pages[20].extract_text()  # the budget's sum of one-off costs
    text = "".join(p.extract_text() for p in PdfReader(tmp_path / "pdf" / "bericht.pdf").pages)
    assert "Digitalisierungsstrategie" in text and "57.875" in text
