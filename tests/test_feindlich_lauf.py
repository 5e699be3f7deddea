"""Hostile and faulty conditions around reading inputs: zip bombs, absurd sheet sizes,
survey folders with thousands of files, FIFOs and symlink loops."""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from kdworkbook.cli import main
from kdworkbook.kern import archiv, defaults
from kdworkbook.kern.errors import InputError

from .conftest import HEADER, SEED_ROWS, write_csv, write_params, write_xlsx

SHEET = "xl/worksheets/sheet1.xml"


def _rewrite_entry(source: Path, target: Path, entry: str, change) -> Path:
    """Copy the zip archive *source* to *target* with *entry* passed through *change* – what
    an attacker does with a workbook Excel (here openpyxl) wrote."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            new.writestr(info.filename, change(data) if info.filename == entry else data)
    return target


def _claim_everything(xml: bytes) -> bytes:
    """Claim A1:XFD1048576 and add the last row of the grid, formatted but empty – what
    Excel writes when whole columns are formatted. openpyxl then pads 1.048.576 rows to
    16.384 columns each."""
    xml = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:XFD1048576"', xml)
    return xml.replace(b"</sheetData>", b'<row r="1048576" customFormat="1"/></sheetData>')


def dimension_bomb(folder: Path) -> Path:
    """The seed survey, but its sheet claims the whole of Excel's grid: A1:XFD1048576."""
    plain = write_xlsx(folder / "plain.xlsx", HEADER, SEED_ROWS)
    bomb = _rewrite_entry(plain, folder / "riesig.xlsx", SHEET, _claim_everything)
    plain.unlink()
    return bomb


_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Bestandserhebung" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}


def cell_bomb(path: Path, megabytes: int = 400) -> Path:
    """A workbook whose second row holds one inline-string cell of *megabytes* MB, written
    entry by entry with zipfile at the highest compression, as an attacker would."""
    header = "".join(
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{h}</t></is></c>' for i, h in enumerate(HEADER)
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in _PARTS.items():
            archive.writestr(name, text)
        with archive.open(SHEET, "w", force_zip64=True) as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8"?>'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b'<sheetData><row r="1">' + header.encode() + b'</row><row r="2">'
                b'<c r="C2" t="inlineStr"><is><t>'
            )
            block = b"A" * (1 << 20)
            for _ in range(megabytes):
                sheet.write(block)
            sheet.write(b"</t></is></c></row></sheetData></worksheet>")
    return path


@pytest.fixture(scope="session")
def big_cell(tmp_path_factory) -> Path:
    return cell_bomb(tmp_path_factory.mktemp("bombe") / "zelle.xlsx")


@pytest.fixture
def no_openpyxl(monkeypatch):
    """Fails the test if anything hands a file to openpyxl."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"openpyxl hat die Datei geöffnet: {args}")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


def _check(params: Path, capsys) -> tuple[int, str]:
    code = main(["check", str(params)])
    return code, capsys.readouterr().err


def test_a_sheet_claiming_all_of_excel_is_refused_before_openpyxl(tmp_path, no_openpyxl, capsys):
    bomb = dimension_bomb(tmp_path)
    assert bomb.stat().st_size < 15_000
    params = write_params(tmp_path, "gemeinde: Stadt Bombe\nbestand: riesig.xlsx\n")
    code, err = _check(params, capsys)
    assert code == 2
    # 1.048.576 × 16.384 = 17.179.869.184 cells
    assert f"{bomb}: Das Tabellenblatt „{SHEET}“ gibt seine Größe mit A1:XFD1048576 an" in err
    assert "1.048.576 Zeilen × 16.384 Spalten = 17.179.869.184 Zellen" in err
    assert "höchstens 5.000.000" in err
    assert "Traceback" not in err


def test_a_400_mb_cell_in_a_small_file_is_refused(big_cell, tmp_path, no_openpyxl, capsys):
    size = big_cell.stat().st_size
    assert 300_000 < size < 600_000  # about 400 KB on disk
    with zipfile.ZipFile(big_cell) as archive:
        unpacked = archive.getinfo(SHEET).file_size
    assert unpacked > 400 * 1024 * 1024
    params = write_params(tmp_path, f"gemeinde: Stadt Bombe\nbestand: {big_cell}\n")
    code, err = _check(params, capsys)
    assert code == 2
    assert f"{big_cell}: Der Eintrag „{SHEET}“ packt sich von" in err
    assert "typisch für eine Zip-Bombe" in err and "höchstens 100 : 1" in err


def test_a_long_cell_that_packs_badly_is_refused_by_its_length(tmp_path, no_openpyxl):
    """Random text does not compress: the ratio passes, the Excel cell limit does not."""
    bomb = tmp_path / "lang.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in _PARTS.items():
            archive.writestr(name, text)
        text = os.urandom(30_000).hex()  # 60.000 characters, ratio about 2 : 1
        archive.writestr(
            SHEET,
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>{text[:30_000]}</t>'
            f"<t>{text[30_000:]}</t></is></c></row></sheetData></worksheet>",
        )
    with pytest.raises(InputError, match="mehr als 32.767 Zeichen"):
        archiv.check_input(bomb)


def test_cells_far_beyond_the_declared_size_are_counted(tmp_path, no_openpyxl):
    """No <dimension>, but one cell in column XFD: openpyxl would pad every row to 16.384."""
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>1</v></c></row>' for r in range(2, 400))
    bomb = tmp_path / "breit.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in _PARTS.items():
            archive.writestr(name, text)
        archive.writestr(
            SHEET,
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<sheetData><row r="1"><c r="XFD1"><v>1</v></c></row>{rows}'
            '<row r="400"><c r="A400"><v>1</v></c></row></sheetData></worksheet>',
        )
    # 306 rows × 16.384 columns passes 5.000.000 cells
    with pytest.raises(InputError, match=r"enthält 306 Zeilen × 16\.384 Spalten"):
        archiv.check_input(bomb)


def test_an_entity_bomb_is_refused(tmp_path, no_openpyxl):
    bomb = tmp_path / "entity.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in _PARTS.items():
            archive.writestr(name, text)
        archive.writestr(
            SHEET,
            '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><worksheet><sheetData>'
            '<row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row>'
            "</sheetData></worksheet>",
        )
    with pytest.raises(InputError, match="enthält eine DTD"):
        archiv.check_input(bomb)


def test_real_workbooks_pass_the_check(tmp_path):
    """What Excel-like writers produce stays far below every limit."""
    write_xlsx(tmp_path / "ok.xlsx", HEADER, SEED_ROWS * 50)
    archiv.check_input(tmp_path / "ok.xlsx")
    demo = Path(__file__).resolve().parents[1] / "parameters" / "musterstadt"
    for path in demo.glob("*.xlsx"):
        archiv.check_input(path)


def test_umfrage_einlesen_names_the_bomb_and_reads_the_others(tmp_path, no_openpyxl, capsys):
    returns = tmp_path / "zurueck"
    returns.mkdir()
    dimension_bomb(returns)
    write_csv(returns / "standesamt.csv", ["Fachamt", *HEADER], [["Standesamt", *SEED_ROWS[0]]])
    params = write_params(tmp_path, "gemeinde: Stadt Bombe\nbestand: zurueck\n")
    code = main(["umfrage-einlesen", str(params), str(returns), "--ausgabe", str(tmp_path / "r")])
    captured = capsys.readouterr()
    assert code == 2
    assert f"{returns / 'riesig.xlsx'}: Das Tabellenblatt" in captured.err
    assert "Standesamt" in captured.out


def test_run_refuses_the_bomb_before_any_notebook(tmp_path, no_openpyxl, capsys):
    dimension_bomb(tmp_path)
    params = write_params(tmp_path, "gemeinde: Stadt Bombe\nbestand: riesig.xlsx\n")
    code = main(["run", str(params), "--ausgabe", str(tmp_path / "out")])
    assert code == 2
    assert "A1:XFD1048576" in capsys.readouterr().err
    assert not (tmp_path / "out" / "stadt-bombe").exists()


# ------------------------------------------------------------------ folders and Fachämter


def test_a_folder_of_thousands_of_files_is_refused_by_check(tmp_path, capsys):
    folder = tmp_path / "rueckgaben"
    folder.mkdir()
    for i in range(defaults.MAX_DATEIEN_JE_ORDNER + 1):
        (folder / f"amt_{i:05d}.csv").write_bytes(b"")
    params = write_params(tmp_path, "gemeinde: Stadt Viele\nbestand: rueckgaben\n")
    code, err = _check(params, capsys)
    assert code == 2
    assert f"{folder}: 501 Erhebungsdateien im Ordner – höchstens 500" in err
    assert "grenzen → dateien_je_ordner" in err


def test_limits_are_set_in_the_parameter_file(tmp_path, capsys):
    folder = tmp_path / "rueckgaben"
    folder.mkdir()
    for i, amt in enumerate(["Bürgerbüro", "Standesamt", "Ordnungsamt"]):
        write_csv(folder / f"{i}.csv", ["Fachamt", *HEADER], [[amt, *SEED_ROWS[i]]])
    params = write_params(tmp_path, "gemeinde: Stadt Grenze\nbestand: rueckgaben\n")
    assert _check(params, capsys)[0] == 0  # defaults: 500 files, 300 Fachämter
    write_params(
        tmp_path, "gemeinde: Stadt Grenze\nbestand: rueckgaben\ngrenzen:\n  dateien_je_ordner: 2\n"
    )
    code, err = _check(params, capsys)
    assert code == 2 and "3 Erhebungsdateien im Ordner – höchstens 2" in err
    write_params(
        tmp_path, "gemeinde: Stadt Grenze\nbestand: rueckgaben\ngrenzen:\n  fachaemter: 2\n"
    )
    code, err = _check(params, capsys)
    assert code == 2
    assert "Bestandserhebung: 3 verschiedene Fachämter – höchstens 2 (grenzen → fachaemter)" in err


# ------------------------------------------------------------------ FIFOs and symlink loops


def test_a_fifo_as_survey_is_named_as_such(tmp_path, capsys):
    os.mkfifo(tmp_path / "pipe.csv")
    params = write_params(tmp_path, "gemeinde: Stadt Pipe\nbestand: pipe.csv\n")
    code, err = _check(params, capsys)
    assert code == 2
    assert f"{tmp_path / 'pipe.csv'}: ist eine benannte Pipe (FIFO), keine gewöhnliche Datei" in err
    assert "nicht gefunden" not in err


def test_a_fifo_in_a_survey_folder_is_named(tmp_path, capsys):
    folder = tmp_path / "ordner"
    folder.mkdir()
    write_csv(folder / "a.csv", ["Fachamt", *HEADER], [["Bürgerbüro", *SEED_ROWS[0]]])
    os.mkfifo(folder / "b.csv")
    params = write_params(tmp_path, "gemeinde: Stadt Pipe\nbestand: ordner\n")
    code, err = _check(params, capsys)
    assert code == 2 and f"{folder / 'b.csv'}: ist eine benannte Pipe (FIFO)" in err


@pytest.mark.parametrize(
    ("section", "key"),
    [
        ("rahmen:\n  leika_katalog: pipe.csv\n", "rahmen → leika_katalog"),
        ("rahmen:\n  zusatz_register: pipe.csv\n", "rahmen → zusatz_register"),
        ("musterprozess:\n  ist: pipe.yaml\n  soll: pipe.yaml\n", "musterprozess → ist"),
    ],
)
def test_a_fifo_named_in_the_parameter_file_is_named_as_such(tmp_path, capsys, section, key):
    name = "pipe.yaml" if "musterprozess" in section else "pipe.csv"
    os.mkfifo(tmp_path / name)
    write_csv(tmp_path / "a.csv", ["Fachamt", *HEADER], [["Bürgerbüro", *SEED_ROWS[0]]])
    params = write_params(tmp_path, f"gemeinde: Stadt Pipe\nbestand: a.csv\n{section}")
    code, err = _check(params, capsys)
    assert code == 2 and f"„{key}“" in err
    assert f"„{name}“ ist eine benannte Pipe (FIFO), keine gewöhnliche Datei" in err
    assert "nicht gefunden" not in err


def test_a_fifo_as_parameter_file_does_not_block(tmp_path, capsys):
    os.mkfifo(tmp_path / "kommune.yaml")
    code, err = _check(tmp_path / "kommune.yaml", capsys)
    assert code == 2 and "ist eine benannte Pipe (FIFO)" in err


def test_a_symlink_loop_in_bestand(tmp_path, capsys):
    (tmp_path / "a.xlsx").symlink_to("a.xlsx")
    params = write_params(tmp_path, "gemeinde: Stadt Kreis\nbestand: a.xlsx\n")
    code, err = _check(params, capsys)
    assert code == 2
    assert f"„{tmp_path / 'a.xlsx'}“ ist eine symbolische Verknüpfung, die im Kreis" in err
    assert "Traceback" not in err and "RuntimeError" not in err


def test_a_symlink_loop_in_a_survey_folder(tmp_path, capsys):
    folder = tmp_path / "ordner"
    folder.mkdir()
    write_csv(folder / "a.csv", ["Fachamt", *HEADER], [["Bürgerbüro", *SEED_ROWS[0]]])
    (folder / "b.xlsx").symlink_to("c.xlsx")
    (folder / "c.xlsx").symlink_to("b.xlsx")
    params = write_params(tmp_path, "gemeinde: Stadt Kreis\nbestand: ordner\n")
    code, err = _check(params, capsys)
    assert code == 2
    assert f"{folder / 'b.xlsx'}: symbolische Verknüpfung, die im Kreis" in err
