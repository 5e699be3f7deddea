"""Survey import: xlsx, German CSV, plain CSV, header tolerance, one test per rule."""

from pathlib import Path

import pandas as pd
import pytest

from kdworkbook.bestand.erhebung import parse_number, read_survey, survey_schema
from kdworkbook.bestand.tabellen import cell_texts, parse_numbers
from kdworkbook.kern.errors import InputError

from .conftest import HEADER, SEED_ROWS, write_csv, write_xlsx

STUFEN = range(1, 9)
ROW = ["Hundesteuer", "Festsetzung", "Hundesteuer Festsetzung", 400, 30, 4, 2, 1]


def _read(*paths_and_amt):
    return read_survey([(p, a) for p, a in paths_and_amt], STUFEN)


def _errors(path: Path, fachamt: str | None = "Amt") -> list[str]:
    with pytest.raises(InputError) as info:
        _read((path, fachamt))
    return info.value.messages


def test_xlsx_seed_rows(tmp_path):
    s = _read((write_xlsx(tmp_path / "a.xlsx", HEADER, SEED_ROWS), "Bürgerbüro"))
    assert len(s.data) == 16
    first = s.data.iloc[0]
    assert first["bezeichnung"] == "Personalausweis Ausstellung erstmalig"
    assert (first["vorgaenge"], first["minuten"], first["stufe"]) == (300, 120.0, 1)
    assert first["fachamt"] == "Bürgerbüro"
    assert (first["datei"], first["zeile"]) == ("a.xlsx", 2)
    assert s.data["vorgaenge"].sum() == 800


def test_german_excel_csv(tmp_path):
    rows = [["Meldewesen", "Anmeldung", "Wohnsitz Anmeldung", 1250, 7.5, 2, 1, 0], ROW]
    path = write_csv(tmp_path / "b.csv", HEADER, rows)
    assert b"1.250;7,5" in path.read_bytes()
    s = _read((path, "Bürgerbüro"))
    assert s.data["vorgaenge"].tolist() == [1250, 400]
    assert s.data["minuten"].tolist() == [7.5, 30.0]


def test_utf8_bom_csv_with_line_break_in_header(tmp_path):
    header = [h.replace("Aufwand in", "Aufwand\nin") for h in HEADER]
    header[3] = "  VORGÄNGE  pro jahr "
    path = write_csv(tmp_path / "c.csv", header, [ROW], encoding="utf-8-sig")
    assert _read((path, "Steueramt")).data["minuten"].tolist() == [30.0]


def test_plain_utf8_comma_csv_with_fachamt_column(tmp_path):
    rows = [
        ["Steueramt", *ROW],
        ["Ordnungsamt", "Fundsache", "Abgabe", "Fundsache Abgabe", 1200, 12.5, 2, 1, 0],
    ]
    path = write_csv(
        tmp_path / "d.csv",
        ["Fachamt", *HEADER],
        rows,
        delimiter=",",
        encoding="utf-8",
        german=False,
    )
    s = _read((path, None))
    assert s.data["fachamt"].tolist() == ["Steueramt", "Ordnungsamt"]
    assert s.data["vorgaenge"].tolist() == [400, 1200]
    assert s.data["minuten"].tolist() == [30.0, 12.5]


def test_several_files_are_merged_and_fachamt_from_file_name(tmp_path):
    a = write_xlsx(tmp_path / "Standesamt.xlsx", HEADER, [ROW])
    b = write_csv(tmp_path / "b.csv", HEADER, [ROW])
    s = _read((a, None), (b, "Steueramt"))
    assert s.data["fachamt"].tolist() == ["Standesamt", "Steueramt"]
    assert s.data["datei"].tolist() == ["Standesamt.xlsx", "b.csv"]


def test_seed_header_spelling_and_extra_columns(tmp_path):
    header = ["Leistungskennung", *HEADER[1:], "Bemerkung", "LeiKa-Schlüssel"]
    path = write_xlsx(tmp_path / "e.xlsx", header, [[*ROW, "x", "99102013002000"]])
    s = _read((path, "Steueramt"))
    assert s.data["leistung"].tolist() == ["Hundesteuer"]
    assert s.data["leika_schluessel"].tolist() == ["99102013002000"]
    assert s.notes == ["e.xlsx: Spalte „Bemerkung“ wird nicht ausgewertet."]


def test_empty_lines_are_skipped(tmp_path):
    path = write_xlsx(
        tmp_path / "f.xlsx", HEADER, [ROW, [None] * 8, ["", "", "", "", "", "", "", ""]]
    )
    assert len(_read((path, "A")).data) == 1


def test_csv_blank_lines_keep_excel_row_numbers_and_ragged_rows_are_read(tmp_path):
    # a blank line and a row with a stray cell beyond the header (pandas' fast parser refuses
    # that; the reader falls back to the csv module) – row numbers stay those of Excel
    path = write_csv(tmp_path / "r.csv", HEADER, [ROW])
    with path.open("a", encoding="cp1252", newline="") as handle:
        handle.write("\r\nMeldewesen;Anmeldung;Wohnsitz;viele;7,5;2;1;0;Notiz\r\n")
    assert _errors(path) == ["r.csv, Zeile 4, Spalte „Vorgänge pro Jahr“: „viele“ ist keine Zahl."]
    path.write_bytes(path.read_bytes().replace(b";Notiz", b""))
    assert _errors(path) == ["r.csv, Zeile 4, Spalte „Vorgänge pro Jahr“: „viele“ ist keine Zahl."]


@pytest.mark.parametrize(
    "column, value, expected",
    [
        (3, "viele", "Spalte „Vorgänge pro Jahr“: „viele“ ist keine Zahl."),
        (3, -4, "Spalte „Vorgänge pro Jahr“: „-4“ – erwartet eine Zahl ≥ 0."),
        (3, 10.5, "Spalte „Vorgänge pro Jahr“: „10,5“ – erwartet eine ganze Zahl."),
        (4, None, "Spalte „Zeitlicher Aufwand in Minuten“: Wert fehlt."),
        (4, -1, "Spalte „Zeitlicher Aufwand in Minuten“: „-1“ – erwartet eine Zahl ≥ 0."),
        (5, 9, "Spalte „Bearbeitende Stelle nach Stufe“: „9“ – erwartet eine der Stufen 1, 2, 3"),
        (6, 1.5, "Spalte „Beteiligte Stellen“: „1,5“ – erwartet eine ganze Zahl."),
        (
            7,
            2,
            "Spalte „Rechtliche Besonderheiten vorhanden“: „2“ – erwartet 0 (nein) oder 1 (ja).",
        ),
        (7, "ja", "Spalte „Rechtliche Besonderheiten vorhanden“: „ja“ ist keine Zahl."),
        (2, None, "Spalte „Bezeichnung“: Wert fehlt."),
    ],
)
def test_validation_rule_names_file_row_column(tmp_path, column, value, expected):
    bad = list(ROW)
    bad[column] = value
    path = write_xlsx(tmp_path / "g.xlsx", HEADER, [SEED_ROWS[0], bad])
    [message] = _errors(path)
    assert message.startswith("g.xlsx, Zeile 3, ")
    assert expected in message


def test_bad_leika_key(tmp_path):
    path = write_xlsx(tmp_path / "h.xlsx", [*HEADER, "LeiKa-Schlüssel"], [[*ROW, "9910"]])
    assert _errors(path) == [
        "h.xlsx, Zeile 2, Spalte „LeiKa-Schlüssel“: „9910“ – erwartet 14 Ziffern."
    ]


def test_duplicate_process(tmp_path):
    path = write_xlsx(tmp_path / "i.xlsx", HEADER, [ROW, SEED_ROWS[0], ROW])
    assert _errors(path) == [
        "i.xlsx, Zeile 2: Prozess „Hundesteuer Festsetzung“ ist im Fachamt „Amt“ doppelt erfasst.",
        "i.xlsx, Zeile 4: Prozess „Hundesteuer Festsetzung“ ist im Fachamt „Amt“ doppelt erfasst.",
    ]


def test_all_problems_of_all_rows_are_reported(tmp_path):
    rows = [list(ROW) for _ in range(3)]
    for i, row in enumerate(rows):
        row[2] = f"P{i}"
        row[3] = "x"
    assert len(_errors(write_xlsx(tmp_path / "j.xlsx", HEADER, rows))) == 3


def test_missing_required_header(tmp_path):
    path = write_xlsx(tmp_path / "k.xlsx", HEADER[:4], [ROW[:4]])
    [message] = _errors(path)
    assert "„Zeitlicher Aufwand in Minuten“" in message and "fehlen in der Kopfzeile" in message
    assert str(path) in message


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("leer.csv", b"", "Datei ist leer"),
        ("nur_kopf.csv", ";".join(HEADER).encode("cp1252") + b"\r\n", "enthält keine Prozesse"),
        ("bild.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "keine Textdatei"),
        ("bericht.xlsx", b"%PDF-1.4 kein Excel", "keine lesbare Excel-Datei"),
        ("daten.ods", b"irgendwas", "Dateityp „.ods“ wird nicht unterstützt"),
    ],
)
def test_unreadable_files(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    [message] = _errors(path)
    assert expected in message and name in message


def test_parse_number():
    assert parse_number("1.234,5") == 1234.5
    assert parse_number("1.250") == 1250.0
    assert parse_number("7,5") == 7.5
    assert parse_number("7.5") == 7.5
    assert parse_number("1,234.5", decimal=".") == 1234.5
    assert parse_number(" 12 ") == 12.0
    assert parse_number("") is None
    with pytest.raises(ValueError):
        parse_number("1,2,3")


def test_long_columns_convert_each_distinct_cell_once_with_the_same_result():
    # from 1.000 rows, repeated cells are converted once (tabellen._distinct); the result
    # must equal the cell-by-cell conversion, including empty, bad and irregular cells
    cells = ["1.234,5", "7,5", "", None, "viele", " 12 ", "1.250", "7.5", "-3"]
    numbers, bad = parse_numbers(pd.Series(cells * 150, dtype=object))
    expected = [parse_number(c) if c != "viele" else None for c in cells]
    assert [None if pd.isna(v) else v for v in numbers[:9]] == expected
    assert [None if pd.isna(v) else v for v in numbers[-9:]] == expected
    assert bad[:9].tolist() == [False, False, False, False, True, False, False, False, False]
    assert int(bad.sum()) == 150
    texts = cell_texts(pd.Series(["  Hunde-\nsteuer ", "", None, "Amt  A"] * 300, dtype=object))
    assert (texts[0], texts[3]) == ("Hunde- steuer", "Amt A")
    assert texts[:4].isna().tolist() == [False, True, True, False]
    assert len(texts) == 1200 and texts.dtype == "str"


def test_schema_is_a_data_dictionary():
    schema = survey_schema(STUFEN)
    assert schema.columns["vorgaenge"].title == "Vorgänge pro Jahr"
    assert schema.columns["minuten"].metadata == {"einheit": "Minuten/Vorgang"}
    assert all(col.description for col in schema.columns.values())


def test_optional_columns_of_later_steps(tmp_path):
    header = [*HEADER, "Reifegrad", "nicht geeignet (Grund)", "Bürgernachfrage"]
    rows = [[*ROW, 2, "", 4], [*SEED_ROWS[0], None, "Rechtlich", None]]
    s = _read((write_xlsx(tmp_path / "o.xlsx", header, rows), "A"))
    assert s.data["reifegrad"].tolist() == [2, pd.NA]
    assert s.data["nicht_geeignet"].isna().tolist() == [True, False]
    assert s.data["nicht_geeignet"][1] == "rechtlich"
    assert s.data["buergernachfrage"].tolist() == [4, pd.NA]


def test_optional_columns_are_checked(tmp_path):
    header = [*HEADER, "Reifegrad", "nicht geeignet (Grund)", "Bürgernachfrage"]
    path = write_xlsx(tmp_path / "p.xlsx", header, [[*ROW, 5, "zu teuer", 0]])
    assert _errors(path) == [
        "p.xlsx, Zeile 2, Spalte „Reifegrad“: „5“ – erwartet einen Reifegrad 0 bis 4.",
        "p.xlsx, Zeile 2, Spalte „nicht geeignet (Grund)“: „zu teuer“ – erwartet faktisch, "
        "rechtlich oder wirtschaftlich (oder leer).",
        "p.xlsx, Zeile 2, Spalte „Bürgernachfrage“: „0“ – erwartet 1 (gering) bis 5 (hoch).",
    ]


def test_optional_columns_absent_are_empty(tmp_path):
    s = _read((write_xlsx(tmp_path / "q.xlsx", HEADER, [ROW]), "A"))
    assert s.data["reifegrad"].isna().all() and s.data["nicht_geeignet"].isna().all()


def test_folder_of_survey_files(tmp_path):
    from kdworkbook.bestand.laden import load_bestand

    folder = tmp_path / "bestand"
    folder.mkdir()
    write_xlsx(folder / "Bürgerbüro.xlsx", HEADER, SEED_ROWS[:2])
    write_csv(folder / "Steueramt.csv", HEADER, [ROW])
    (folder / "~$Bürgerbüro.xlsx").write_bytes(b"lock")
    (folder / "notiz.txt").write_text("nicht einlesen", encoding="utf-8")
    params = tmp_path / "p.yaml"
    params.write_text("gemeinde: X\nbestand: bestand\n", encoding="utf-8")
    data = load_bestand(params).data
    assert data["fachamt"].tolist() == ["Bürgerbüro", "Bürgerbüro", "Steueramt"]


def test_empty_folder(tmp_path):
    from kdworkbook.bestand.laden import load_bestand

    (tmp_path / "leer").mkdir()
    params = tmp_path / "p.yaml"
    params.write_text("gemeinde: X\nbestand: leer\n", encoding="utf-8")
    with pytest.raises(InputError, match="Ordner enthält keine .xlsx- oder .csv-Datei"):
        load_bestand(params)


def test_untouched_rows_are_nicht_ausgefuellt_not_zeros(tmp_path):
    untouched = ["Hundesteuer", "Befreiung", "Hundesteuer Befreiung", None, None, None, None, None]
    path = write_xlsx(tmp_path / "u.xlsx", HEADER, [ROW, untouched, SEED_ROWS[0]])
    s = _read((path, "Steueramt"))
    assert s.data["bezeichnung"].tolist() == [
        "Hundesteuer Festsetzung",
        "Personalausweis Ausstellung erstmalig",
    ]
    assert s.unfilled[["zeile", "bezeichnung"]].values.tolist() == [[3, "Hundesteuer Befreiung"]]
    assert s.notes == [
        "u.xlsx: 1 Zeilen nicht ausgefüllt (Bezeichnung ohne Werte) – nicht ausgewertet."
    ]


def test_partly_filled_row_is_an_error_and_all_untouched_file_too(tmp_path):
    partly = ["Hundesteuer", "Befreiung", "Hundesteuer Befreiung", 12, None, None, None, None]
    assert len(_errors(write_xlsx(tmp_path / "v.xlsx", HEADER, [ROW, partly]))) == 4
    untouched = [["X", "Y", f"Prozess {i}", None, None, None, None, None] for i in range(3)]
    [message] = _errors(write_xlsx(tmp_path / "w.xlsx", HEADER, untouched))
    assert "enthält keine ausgefüllten Prozesse (3 Zeilen nicht ausgefüllt)" in message


def test_the_one_column_list_matches_the_deck_and_the_workbook():
    """The survey's column lists exist once (``bestand.schema``); the deck's headers and the
    workbook's order, written out here by hand."""
    from kdworkbook.bestand import schema
    from kdworkbook.umfrage import arbeitsmappe, instrument

    assert [schema.HEADERS[c] for c in schema.DECK_COLUMNS] == [
        "Leistung",
        "Verrichtung",
        "Bezeichnung",
        "Vorgänge pro Jahr",
        "Zeitlicher Aufwand in Minuten",
        "Bearbeitende Stelle nach Stufe",
        "Beteiligte Stellen",
        "Rechtliche Besonderheiten vorhanden",
    ]
    assert schema.SURVEY_COLUMNS == (
        "fachamt",
        "leika_schluessel",
        "leistung",
        "verrichtung",
        "bezeichnung",
        "vorgaenge",
        "minuten",
        "stufe",
        "beteiligte_stellen",
        "rechtliche_besonderheiten",
        "reifegrad",
        "nicht_geeignet",
    )
    assert schema.ANSWER_COLUMNS == schema.SURVEY_COLUMNS[5:]
    assert arbeitsmappe.COLUMNS is schema.SURVEY_COLUMNS
    assert instrument.ANSWER_COLUMNS is schema.ANSWER_COLUMNS
