import datetime as dt

import pandas as pd
from openpyxl import load_workbook

from kdworkbook.bericht.excel import QUARTER, WRAP_WIDTH, write_workbook


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
    # widths: longest of the values as shown and of the (wrapped) header – its longest word
    # or a third of it –, + 2, at least 8: „Wohnsitz Anmeldung“ 18+2; „Vorgänge pro Jahr“:
    # „Vorgänge“ 8 > ⌈17/3⌉ = 6 > „1.200“ 5 → 8+2; „100,0 %“ 7+2; „True“ 4 → 8
    widths = [ws.column_dimensions[c].width for c in "ABCD"]
    assert widths == [20, 10, 9, 8]
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


def _print_ready(tmp_path, **options):
    df = pd.DataFrame(
        {
            "name": ["=1+1", "Bauantrag", "Wohnsitz Anmeldung"],
            "frist": [dt.date(2026, 11, 28), "Daueraufgabe", None],
            "quartal": [dt.date(2027, 2, 15), dt.date(2026, 10, 1), None],
            "euro": [1000.0, 250.5, None],
            "anzahl": [3, 4, 5],
        }
    )
    columns = {
        "name": ("Prozess", "text"),
        "frist": ("Frist", "datum"),
        "quartal": ("fertig (Quartal)", QUARTER),
        "euro": ("Einmalkosten", "eur"),
        "anzahl": ("Vorgänge", "int"),
    }
    return write_workbook(
        tmp_path / "druck.xlsx",
        {"Plan": (df, columns), "Zweites Blatt": (df.head(1), columns)},
        footer="Stadt A&B",
        **options,
    )


def test_every_sheet_prints_landscape_one_page_wide_with_titles_and_footer(tmp_path):
    book = load_workbook(_print_ready(tmp_path))
    for ws in book.worksheets:
        setup = ws.page_setup
        assert (setup.orientation, setup.paperSize) == ("landscape", 9)  # 9 = A4
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)  # 0: as many pages as needed
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True
        assert ws.print_title_rows == "$1:$1"  # header row repeated on every page
        footer = ws.oddFooter
        # „&“ doubled: Excel would read „&B“ as „bold“
        assert footer.left.text == "Stadt A&&B"
        assert footer.center.text == "&A"  # the sheet's name
        assert footer.right.text == "Seite &P von &N"
        assert ws.freeze_panes == "A2"


def test_a_wide_sheet_prints_two_pages_wide_with_leading_columns_repeated(tmp_path):
    book = load_workbook(_print_ready(tmp_path, repeat_columns={"Zweites Blatt": 2}))
    wide, plain = book["Zweites Blatt"], book["Plan"]
    assert wide.print_title_cols == "$A:$B" and wide.print_title_rows == "$1:$1"
    assert (wide.page_setup.fitToWidth, wide.page_setup.fitToHeight) == (2, 0)
    assert wide.page_setup.pageOrder == "overThenDown"  # a row's two halves follow each other
    assert wide.freeze_panes == "C2" and wide.sheet_properties.pageSetUpPr.fitToPage is True
    assert plain.print_title_cols is None and plain.page_setup.fitToWidth == 1
    assert plain.freeze_panes == "A2"


def test_dates_are_dates_and_quarters_sort_across_years(tmp_path):
    ws = load_workbook(_print_ready(tmp_path))["Plan"]
    assert ws["B2"].value == dt.datetime(2026, 11, 28) and ws["B2"].is_date
    assert ws["B2"].number_format == "dd.mm.yyyy"
    assert ws["B3"].value == "Daueraufgabe" and ws["B3"].data_type == "s"
    assert ws["B4"].value is None
    # 15.02.2027 lies in Q1/2027: stored as its first day, shown as the report's label
    assert ws["C2"].value == dt.datetime(2027, 1, 1) and ws["C2"].number_format == '"Q1/"yyyy'
    assert ws["C3"].value == dt.datetime(2026, 10, 1) and ws["C3"].number_format == '"Q4/"yyyy'
    # sorted as values: Q4/2026 before Q1/2027 (as text „Q1/2027“ < „Q4/2026“)
    assert ws["C3"].value < ws["C2"].value


def test_sum_row_is_a_formula_and_user_text_never_is(tmp_path):
    path = _print_ready(tmp_path, totals={"Plan": ["euro", "anzahl"]})
    ws = load_workbook(path)["Plan"]
    assert ws["A2"].value == "=1+1" and ws["A2"].data_type == "s"  # user text stays text
    assert ws["A5"].value == "Summe" and ws["A5"].font.b
    assert ws["D5"].value == "=SUM(D2:D4)" and ws["D5"].data_type == "f"
    assert ws["E5"].value == "=SUM(E2:E4)" and ws["D5"].number_format == '#,##0 "€"'
    assert ws["B5"].value is None and ws["C5"].value is None
    assert ws.auto_filter.ref == "A1:E4"  # sorting leaves the sum row where it is
    # the value a reader without calculation sees: 1.000 + 250,5 = 1.250,5; 3 + 4 + 5 = 12
    cached = load_workbook(path, data_only=True)["Plan"]
    assert (cached["D5"].value, cached["E5"].value) == (1250.5, 12)
    assert load_workbook(path)["Zweites Blatt"].max_row == 2  # no sum asked for
    assert load_workbook(_print_ready(tmp_path))["Plan"].max_row == 4


def test_long_texts_wrap_in_a_bounded_column(tmp_path):
    name = "Leistungen für Bildung und Teilhabe bei Kindern, Jugendlichen und jungen Erwachsenen"
    df = pd.DataFrame({"name": [name, "kurz"], "wert": [1.0, 2.0]})
    path = write_workbook(
        tmp_path / "lang.xlsx", {"T": (df, {"name": ("Prozess", "text"), "wert": ("W", "dez1")})}
    )
    ws = load_workbook(path)["T"]
    assert ws.column_dimensions["A"].width == WRAP_WIDTH
    assert ws["A2"].alignment.wrap_text and ws["A2"].alignment.vertical == "top"
    # 85 characters, 36 × 1,1 = 39 a line → 3 lines of 15 pt; one line keeps the default
    assert ws.row_dimensions[2].height == 45 and ws.row_dimensions[3].height is None
    assert ws["B2"].alignment.vertical == "top"


def test_header_colour_is_one_parameter(tmp_path):
    plain = load_workbook(_print_ready(tmp_path))["Plan"]
    assert plain["A1"].font.b and plain["A1"].fill.fill_type is None  # sober default
    coloured = load_workbook(_print_ready(tmp_path, header_color="#1D4E74"))["Plan"]
    assert coloured["A1"].fill.fgColor.rgb == "FF1D4E74"
    assert coloured["A1"].alignment.wrap_text
