"""Hostile and broken survey files: each gives a clear German message naming the file."""

import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from kdworkbook.bestand import tabellen
from kdworkbook.bestand.erhebung import read_survey
from kdworkbook.kern.errors import InputError

from .conftest import HEADER, SEED_ROWS, write_xlsx

STUFEN = range(1, 9)


def _errors(path: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        read_survey([(path, "Amt")], STUFEN)
    return info.value.messages


def _rewrite(path: Path, member: str, change) -> Path:
    """Edit one XML part inside an xlsx (what Excel would have written)."""
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    parts[member] = change(parts[member].decode()).encode()
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


def test_formulas_with_stored_values_are_read_as_values(tmp_path):
    rows = [list(r) for r in SEED_ROWS[:2]]
    rows[0][3] = "=100*3"
    path = write_xlsx(tmp_path / "f.xlsx", HEADER, rows)
    # Excel stores the computed value next to the formula; openpyxl does not, so add it
    _rewrite(
        path,
        "xl/worksheets/sheet1.xml",
        # openpyxl writes the empty value as <v /> or <v></v> (with or without lxml)
        lambda xml: xml.replace("<v />", "<v></v>").replace(
            "<f>100*3</f><v></v>", "<f>100*3</f><v>300</v>"
        ),
    )
    data = read_survey([(path, "Amt")], STUFEN).data
    assert data["vorgaenge"].tolist() == [300, 70]


def test_formulas_without_stored_value_say_how_to_fix(tmp_path):
    rows = [list(r) for r in SEED_ROWS[:2]]
    rows[1][4] = "=B3*2"
    path = write_xlsx(tmp_path / "g.xlsx", HEADER, rows)
    messages = _errors(path)
    assert "g.xlsx, Zeile 3, Spalte „Zeitlicher Aufwand in Minuten“: Wert fehlt." in messages
    assert (
        "g.xlsx: Zellen E3 enthalten Formeln ohne gespeicherten Wert – bitte die Datei in "
        "Excel öffnen und speichern."
    ) in messages


def test_merged_header_cells(tmp_path):
    book = Workbook()
    ws = book.active
    ws.append(["Leistung", "Verrichtung", "Bezeichnung", "Vorgänge pro Jahr", None, *HEADER[5:]])
    ws.merge_cells("D1:E1")
    ws.append(SEED_ROWS[0])
    book.save(tmp_path / "m.xlsx")
    [message] = _errors(tmp_path / "m.xlsx")
    assert "„Zeitlicher Aufwand in Minuten“" in message
    assert "verbundene Zellen (D1:E1)" in message


def test_xlsx_without_sheet(tmp_path):
    path = write_xlsx(tmp_path / "leer.xlsx", HEADER, SEED_ROWS[:1])
    _rewrite(
        path,
        "xl/workbook.xml",
        lambda xml: re.sub(r"<sheets>.*</sheets>", "<sheets/>", xml, flags=re.S),
    )
    [message] = _errors(path)
    assert "leer.xlsx" in message
    assert "kein Tabellenblatt" in message or "keine lesbare Excel-Datei" in message


def test_too_many_rows_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(tabellen, "MAX_ROWS", 50)
    path = tmp_path / "riesig.csv"
    line = "Personalausweis;Ausstellung;P{};1;1;1;1;0\r\n"
    path.write_text(
        ";".join(HEADER) + "\r\n" + "".join(line.format(i) for i in range(60)), encoding="utf-8"
    )
    [message] = _errors(path)
    assert "riesig.csv: mehr als 50 Zeilen" in message


def test_one_million_rows_are_refused_without_reading_them_all(tmp_path):
    path = tmp_path / "million.csv"
    line = b"Personalausweis;Ausstellung;Prozess;1;1;1;1;0\r\n"
    with path.open("wb") as handle:
        handle.write(";".join(HEADER).encode() + b"\r\n")
        handle.write(line * 1_000_000)
    [message] = _errors(path)
    assert "million.csv: mehr als 250.000 Zeilen" in message


def test_oversized_file(tmp_path, monkeypatch):
    monkeypatch.setattr(tabellen, "MAX_BYTES", 100)
    path = tmp_path / "gross.csv"
    path.write_text(";".join(HEADER) + "\n" + "x;" * 100, encoding="utf-8")
    [message] = _errors(path)
    assert "gross.csv" in message and "zu groß" in message
