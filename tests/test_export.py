import pandas as pd
from openpyxl import load_workbook

from kdworkbook.bericht.excel import write_workbook


def test_text_stays_text_and_numbers_get_formats(tmp_path):
    df = pd.DataFrame(
        {
            "name": ["=SUMME(A1:A9)", "+49 211", "-Rabatt", "@home", "normal"],
            "wert": [1234.5, 2.0, None, 4.0, 5.0],
        }
    )
    path = write_workbook(
        tmp_path / "a.xlsx", {"Tabelle": (df, {"name": ("Name", "text"), "wert": ("Wert", "eur")})}
    )
    ws = load_workbook(path)["Tabelle"]
    assert [c.value for c in ws[1]] == ["Name", "Wert"]
    assert [ws.cell(r, 1).value for r in range(2, 7)] == [
        "=SUMME(A1:A9)",
        "+49 211",
        "-Rabatt",
        "@home",
        "normal",
    ]
    assert all(ws.cell(r, 1).data_type == "s" for r in range(2, 7))
    assert ws.cell(2, 2).value == 1234.5 and ws.cell(2, 2).number_format == '#,##0 "€"'
    assert ws.cell(4, 2).value is None
    assert ws.freeze_panes == "A2"
    assert not list(tmp_path.glob("*.tmp*")) and len(list(tmp_path.iterdir())) == 1


def test_formats_widths_filter_and_header(tmp_path):
    df = pd.DataFrame(
        {
            "name": ["Wohnsitz Anmeldung", "", None, "  Rand "],
            "anzahl": [1200, 0, 7, 3],
            "anteil": [0.25, None, 1.0, 0.5],
            "flag": [True, False, True, False],
        }
    )
    columns = {
        "name": ("Prozess", "text"),
        "anzahl": ("Vorgänge pro Jahr", "int"),
        "anteil": ("Anteil", "pct"),
        "flag": ("ja", "int"),
    }
    path = write_workbook(
        tmp_path / "b.xlsx", {"Ein sehr langer Blattname über 31 Zeichen": (df, columns)}
    )
    book = load_workbook(path)
    assert book.sheetnames == ["Ein sehr langer Blattname über "]  # 31 characters
    ws = book.active
    assert [c.value for c in ws[1]] == ["Prozess", "Vorgänge pro Jahr", "Anteil", "ja"]
    assert all(c.font.b for c in ws[1])
    assert ws.cell(2, 2).value == 1200 and ws.cell(2, 2).number_format == "#,##0"
    assert ws.cell(2, 3).value == 0.25 and ws.cell(2, 3).number_format == "0.0 %"
    assert ws.cell(3, 3).value is None and ws.cell(3, 3).number_format == "0.0 %"
    assert ws.cell(2, 4).value is True and ws.cell(2, 4).data_type == "b"
    assert ws.cell(3, 1).value is None  # empty text
    assert ws.cell(4, 1).value is None and ws.cell(4, 1).number_format == "@"  # missing text
    assert ws.cell(5, 1).value == "  Rand "  # spaces at the ends kept
    # widths: longest of header and values + 2, at least 8: 18+2, 17+2, 8, 8
    widths = [ws.column_dimensions[c].width for c in "ABCD"]
    assert widths == [20, 19, 8, 8]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:D5"


def test_characters_xml_cannot_carry_are_dropped(tmp_path):
    df = pd.DataFrame({"name": ["Antrag\x0b Bau", "A & B <C>"]})
    path = write_workbook(tmp_path / "c.xlsx", {"T": (df, {"name": ("Name", "text")})})
    ws = load_workbook(path)["T"]
    assert [ws.cell(2, 1).value, ws.cell(3, 1).value] == ["Antrag Bau", "A & B <C>"]


def test_empty_table_has_header_and_filter(tmp_path):
    df = pd.DataFrame({"name": [], "wert": []})
    columns = {"name": ("Name", "text"), "wert": ("Wert", "eur")}
    ws = load_workbook(write_workbook(tmp_path / "d.xlsx", {"Leer": (df, columns)}))["Leer"]
    assert ws.max_row == 1 and [c.value for c in ws[1]] == ["Name", "Wert"]
    assert ws.auto_filter.ref == "A1:B1"


def test_nullable_integers_with_gaps(tmp_path):
    df = pd.DataFrame({"tage": pd.array([3, None, 12], dtype="Int64")})
    path = write_workbook(tmp_path / "e.xlsx", {"T": (df, {"tage": ("Tage", "int")})})
    ws = load_workbook(path)["T"]
    assert [ws.cell(r, 1).value for r in (2, 3, 4)] == [3, None, 12]
    assert ws.cell(3, 1).number_format == "#,##0"
