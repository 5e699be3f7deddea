"""Survey files as offices save them: hidden duplicate columns, totals rows, a title above the
header, Excel's „Unicode-Text“ and UTF-16 CSV, minutes as „7,5 min“ or „0:07:30“, merged
header cells. Each file is made the way Excel or LibreOffice writes it; each case is read
correctly with a visible note, or refused with a German message naming file, row or column
and what to do – also through ``kdworkbook check`` (exit 0 or 2)."""

import datetime as dt
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from kdworkbook import cli
from kdworkbook.bestand.erhebung import read_survey
from kdworkbook.kern.errors import InputError

from .conftest import HEADER, SEED_ROWS, write_csv, write_params, write_xlsx

STUFEN = range(1, 9)
#: Sums of the 16 seed rows, computed by hand: Vorgänge 800, Minuten 2.046, Stufe 59.
SUMS = {"D": 800, "E": 2046, "F": 59}


def _read(path: Path, fachamt: str | None = "Bürgerbüro"):
    return read_survey([(path, fachamt)], STUFEN)


def _errors(path: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        _read(path)
    return info.value.messages


def _check(tmp_path: Path, name: str, capsys) -> tuple[int, str, str]:
    """``kdworkbook check`` on a parameter file naming *name*: (exit code, stdout, stderr)."""
    params = write_params(
        tmp_path,
        f"gemeinde: Stadt Seed\nstichtag: 2026-11-28\nbestand:\n  - datei: {name}\n"
        "    fachamt: Bürgerbüro\n",
        name="check.yaml",
    )
    code = cli.main(["check", str(params)])
    out = capsys.readouterr()
    return code, out.out, out.err


def _store_values(path: Path, values: dict[str, float]) -> Path:
    """Add the value Excel stores next to each formula (openpyxl writes formulas without)."""
    member = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    xml = parts[member].decode()
    for cell, value in values.items():
        start = xml.index(f'<c r="{cell}"')
        end = xml.index("</c>", start)
        # openpyxl writes the empty value as <v /> or <v></v> (with or without lxml)
        cell_xml = xml[start:end].replace("<v />", "<v></v>").replace("<v></v>", f"<v>{value}</v>")
        xml = xml[:start] + cell_xml + xml[end:]
    parts[member] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


# --------------------------------------------------------------------------- duplicate columns


def _hidden_old_column(path: Path) -> Path:
    """Last year's „Vorgänge pro Jahr“ in column D, hidden; this year's in column E."""
    book = Workbook()
    ws = book.active
    ws.title = "Bestandserhebung"
    ws.append([*HEADER[:4], "Vorgänge pro Jahr", *HEADER[4:]])
    for row in SEED_ROWS:
        ws.append([*row[:3], row[3], row[3], *row[4:]])
    ws.column_dimensions["D"].hidden = True
    book.save(path)
    return path


def test_duplicate_header_names_both_columns_and_the_hidden_one(tmp_path, capsys):
    path = _hidden_old_column(tmp_path / "buergerbuero.xlsx")
    [message] = _errors(path)
    assert message == (
        f"{path}: Die Überschrift „Vorgänge pro Jahr“ steht mehrfach in der Kopfzeile "
        "(Zeile 1): Spalte D (ausgeblendet) und Spalte E. Es ist nicht klar, welche Spalte "
        "gilt – bitte die überzählige Spalte löschen. Ausgeblendete Spalten zeigt Excel nach "
        "Markieren der Nachbarspalten mit Rechtsklick → „Einblenden“."
    )
    code, out, err = _check(tmp_path, "buergerbuero.xlsx", capsys)
    assert code == 2 and out == ""
    assert "Spalte D (ausgeblendet) und Spalte E" in err and "buergerbuero.xlsx" in err


def test_duplicate_header_in_csv_names_the_columns(tmp_path):
    header = [*HEADER[:4], "Vorgänge pro Jahr", *HEADER[4:]]
    rows = [[*r[:4], r[3], *r[4:]] for r in SEED_ROWS[:2]]
    [message] = _errors(write_csv(tmp_path / "doppelt.csv", header, rows))
    assert "„Vorgänge pro Jahr“ steht mehrfach in der Kopfzeile (Zeile 1): Spalte D und " in (
        message
    )
    assert "ausgeblendet" not in message


# --------------------------------------------------------------------------- totals rows


def _with_totals(path: Path, label: str | None, bezeichnung: str | None = None) -> Path:
    """The 16 seed rows and, in row 18, a totals row of =SUMME() formulas whose values
    Excel stored when saving."""
    book = Workbook()
    ws = book.active
    ws.title = "Bestandserhebung"
    ws.append(HEADER)
    for row in SEED_ROWS:
        ws.append(row)
    ws.append([label, None, bezeichnung, "=SUM(D2:D17)", "=SUM(E2:E17)", "=SUM(F2:F17)"])
    book.save(path)
    return _store_values(path, {f"{c}18": v for c, v in SUMS.items()})


def test_labelled_totals_row_is_skipped_with_a_note(tmp_path, capsys):
    path = _with_totals(tmp_path / "summe.xlsx", "Summe")
    survey = _read(path)
    assert len(survey.data) == 16
    assert survey.data["vorgaenge"].sum() == 800  # not 1.600
    assert survey.notes == [
        "summe.xlsx, Zeile 18: Summenzeile („Summe“) erkannt und nicht als Prozess gezählt; "
        "Vorgänge 800."
    ]
    code, out, _ = _check(tmp_path, "summe.xlsx", capsys)
    assert code == 0
    assert "Hinweis: summe.xlsx, Zeile 18: Summenzeile („Summe“) erkannt" in out
    assert re.search(r"Vorgänge pro Jahr +800\n", out)


def test_totals_row_without_label_is_recognised_by_its_numbers(tmp_path):
    survey = _read(_with_totals(tmp_path / "ohne.xlsx", None))
    assert len(survey.data) == 16
    assert survey.notes == [
        "ohne.xlsx, Zeile 18: Summenzeile (Zahlen = Summe der Zeilen darüber) erkannt und "
        "nicht als Prozess gezählt; Vorgänge 800."
    ]


def test_gesamt_in_the_bezeichnung_column_of_a_csv(tmp_path):
    rows = [*SEED_ROWS[:3], ["", "", "Gesamt:", 410, 300, "", "", ""]]
    survey = _read(write_csv(tmp_path / "gesamt.csv", HEADER, rows))
    assert survey.data["vorgaenge"].tolist() == [300, 70, 40]
    assert survey.notes == [
        "gesamt.csv, Zeile 5: Summenzeile („Gesamt:“) erkannt und nicht als Prozess gezählt; "
        "Vorgänge 410."
    ]


def test_process_row_holding_the_sums_is_refused_not_blamed_on_formulas(tmp_path, capsys):
    path = _with_totals(tmp_path / "verdacht.xlsx", None, "Personalausweis alle")
    messages = _errors(path)
    assert messages[0] == (
        "verdacht.xlsx, Zeile 18: „Personalausweis alle“ sieht aus wie eine Summenzeile "
        "(Vorgänge und Minuten sind die Summen der Zeilen darüber) – Summenzeile entfernen "
        "oder die Werte des Prozesses eintragen."
    )
    # the values are stored: no „Formeln ohne gespeicherten Wert“
    assert not any("Formeln ohne gespeicherten Wert" in m for m in messages)
    code, _, err = _check(tmp_path, "verdacht.xlsx", capsys)
    assert code == 2 and "Summenzeile entfernen" in err


def test_formula_hint_only_for_formulas_really_without_value(tmp_path):
    # E3 is a formula without stored value (never calculated); D2 is one with a value
    rows = [list(r) for r in SEED_ROWS[:3]]
    rows[0][3] = "=100*3"
    rows[1][4] = "=B3*2"
    path = write_xlsx(tmp_path / "formeln.xlsx", HEADER, rows)
    _store_values(path, {"D2": 300})
    messages = _errors(path)
    assert messages == [
        "formeln.xlsx, Zeile 3, Spalte „Zeitlicher Aufwand in Minuten“: Wert fehlt.",
        "formeln.xlsx: Zellen E3 enthalten Formeln ohne gespeicherten Wert – bitte die Datei "
        "in Excel öffnen und speichern.",
    ]


# --------------------------------------------------------------------------- title above header


def test_title_rows_above_the_header_xlsx(tmp_path, capsys):
    book = Workbook()
    ws = book.active
    ws.title = "Bestandserhebung"
    ws.append(["Bestandserhebung Bürgerbüro"])
    ws.merge_cells("A1:H1")
    ws.append(["Stand: 28.11.2026", None, None, "Ansprechpartner: Herr Muster"])
    ws.append([])
    ws.append(HEADER)
    for row in SEED_ROWS[:3]:
        ws.append(row)
    bad = list(SEED_ROWS[3])
    bad[3] = "viele"
    ws.append(bad)
    book.save(tmp_path / "titel.xlsx")
    # the Excel row numbers stay right below a title: the bad value is in row 8
    assert _errors(tmp_path / "titel.xlsx") == [
        "titel.xlsx, Zeile 8, Spalte „Vorgänge pro Jahr“: „viele“ ist keine Zahl."
    ]
    ws.delete_rows(8)
    book.save(tmp_path / "titel.xlsx")
    survey = _read(tmp_path / "titel.xlsx")
    assert survey.data["zeile"].tolist() == [5, 6, 7]
    assert survey.data["vorgaenge"].tolist() == [300, 70, 40]
    assert survey.notes == [
        "titel.xlsx: Kopfzeile in Zeile 4 gefunden; die Zeilen darüber („Bestandserhebung "
        "Bürgerbüro · Stand: 28.11.2026 · Ansprechpartner: Herr Muster“) werden nicht "
        "ausgewertet."
    ]
    code, out, _ = _check(tmp_path, "titel.xlsx", capsys)
    assert code == 0 and "Hinweis: titel.xlsx: Kopfzeile in Zeile 4 gefunden" in out


def test_title_row_above_the_header_csv(tmp_path):
    # German Excel writes a title row with as many separators as the widest row
    path = write_csv(tmp_path / "titel.csv", HEADER, SEED_ROWS[:2])
    text = path.read_bytes().decode("cp1252")
    path.write_bytes(("Bestandserhebung Bürgerbüro;;;;;;;\r\n" + text).encode("cp1252"))
    survey = _read(path)
    assert survey.data["zeile"].tolist() == [3, 4]
    assert survey.data["minuten"].tolist() == [120.0, 50.0]


def test_no_header_in_the_first_ten_rows(tmp_path):
    rows = [[f"Notiz {i}"] for i in range(12)]
    [message] = _errors(write_xlsx(tmp_path / "notizen.xlsx", ["Bestandserhebung"], rows))
    assert "fehlen in der Kopfzeile (Zeile 1; gesucht in den ersten 10 Zeilen)" in message


# --------------------------------------------------------------------------- UTF-16


def _excel_unicode_text(rows: list[list]) -> bytes:
    """Excel → „Speichern unter“ → „Unicode-Text (*.txt)“: UTF-16 LE with BOM, tabs, CRLF,
    numbers as displayed in a German Excel."""

    def cell(value: object) -> str:
        return str(value).replace(".", ",") if isinstance(value, float) else str(value)

    lines = ["\t".join(cell(v) for v in row) for row in rows]
    return b"\xff\xfe" + ("\r\n".join(lines) + "\r\n").encode("utf-16-le")


def test_excel_unicode_text(tmp_path, capsys):
    rows = [
        HEADER,
        *SEED_ROWS[:2],
        ["Meldewesen", "Anmeldung", "Wohnsitz Anmeldung", 1250, 7.5, 2, 1, 0],
    ]
    path = tmp_path / "bürgerbüro.txt"
    path.write_bytes(_excel_unicode_text(rows))
    survey = _read(path)
    assert survey.data["bezeichnung"].tolist()[0] == "Personalausweis Ausstellung erstmalig"
    assert survey.data["vorgaenge"].tolist() == [300, 70, 1250]
    assert survey.data["minuten"].tolist() == [120.0, 50.0, 7.5]
    code, out, _ = _check(tmp_path, "bürgerbüro.txt", capsys)
    assert code == 0 and re.search(r"Vorgänge pro Jahr +1\.620\n", out)


@pytest.mark.parametrize("bom", [True, False])
def test_utf16_csv(tmp_path, bom):
    # LibreOffice: Zeichensatz „Unicode (UTF-16)“, Feldtrenner „;“
    path = write_csv(tmp_path / "u16.csv", HEADER, SEED_ROWS[:3], encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    path.write_bytes((b"\xff\xfe" if bom else b"") + text.encode("utf-16-le"))
    survey = _read(path)
    assert survey.data["vorgaenge"].tolist() == [300, 70, 40]
    assert survey.data["bezeichnung"].tolist()[2] == "Personalausweis Ausstellung neu wegen Verlust"


# --------------------------------------------------------------------------- minutes


def test_minutes_with_unit_and_as_time(tmp_path):
    book = Workbook()
    ws = book.active
    ws.append(HEADER)
    forms = [
        "7,5 min",
        dt.time(0, 7, 30),
        "0:07:30",
        "12 Minuten",
        dt.timedelta(hours=1, minutes=30),
    ]
    for i, minutes in enumerate(forms):
        ws.append([f"L{i}", "V", f"Prozess {i}", 10, minutes, 2, 1, 0])
    ws["E3"].number_format = "h:mm:ss"  # as Excel formats a typed 0:07:30
    ws["E6"].number_format = "[h]:mm:ss"
    book.save(tmp_path / "minuten.xlsx")
    survey = _read(tmp_path / "minuten.xlsx")
    assert survey.data["minuten"].tolist() == [7.5, 7.5, 7.5, 12.0, 90.0]


def test_minutes_in_csv_and_ambiguous_forms_refused(tmp_path, capsys):
    rows = [
        ["A", "V", "Prozess 1", 10, "7,5 min", 2, 1, 0],
        ["A", "V", "Prozess 2", 10, "0:07:30", 2, 1, 0],
        ["A", "V", "Prozess 3", 10, "7:30", 2, 1, 0],
        ["A", "V", "Prozess 4", 10, "ca. 8", 2, 1, 0],
    ]
    path = write_csv(tmp_path / "minuten.csv", HEADER, rows)
    assert _errors(path) == [
        "minuten.csv, Zeile 4, Spalte „Zeitlicher Aufwand in Minuten“: „7:30“ ist keine "
        "Minutenangabe – erlaubt sind 7,5 · 7,5 min · 0:07:30 (Stunden:Minuten:Sekunden).",
        "minuten.csv, Zeile 5, Spalte „Zeitlicher Aufwand in Minuten“: „ca. 8“ ist keine "
        "Minutenangabe – erlaubt sind 7,5 · 7,5 min · 0:07:30 (Stunden:Minuten:Sekunden).",
    ]
    code, _, err = _check(tmp_path, "minuten.csv", capsys)
    assert code == 2 and "erlaubt sind 7,5 · 7,5 min · 0:07:30" in err
    path.write_bytes(path.read_bytes().replace(b";7:30;", b";0:07:30;").replace(b"ca. 8", b"8"))
    assert _read(path).data["minuten"].tolist() == [7.5, 7.5, 7.5, 8.0]


def test_units_only_for_minutes(tmp_path):
    rows = [["A", "V", "Prozess 1", "10 min", 5, 2, 1, 0]]
    [message] = _errors(write_csv(tmp_path / "v.csv", HEADER, rows))
    assert message == "v.csv, Zeile 2, Spalte „Vorgänge pro Jahr“: „10 min“ ist keine Zahl."


# --------------------------------------------------------------------------- merged header


def test_merged_header_over_leistung_and_verrichtung_is_refused(tmp_path, capsys):
    book = Workbook()
    ws = book.active
    ws.title = "Bestandserhebung"
    ws.append(["Leistung", None, *HEADER[2:]])
    ws.merge_cells("A1:B1")
    for row in SEED_ROWS[:3]:
        ws.append(row)
    book.save(tmp_path / "verbunden.xlsx")
    [message] = _errors(tmp_path / "verbunden.xlsx")
    assert message == (
        f"{tmp_path / 'verbunden.xlsx'}: Die Zellen A1:B1 der Kopfzeile sind verbunden "
        "(„Leistung“); Spalte B hat dadurch keine eigene Überschrift, enthält aber Werte "
        "(z. B. „Ausstellung“). Bitte den Zellverbund aufheben (Start → „Verbinden und "
        "zentrieren“ ausschalten) und jeder Spalte ihre Überschrift geben, z. B. „Verrichtung“."
    )
    code, _, err = _check(tmp_path, "verbunden.xlsx", capsys)
    assert code == 2 and "A1:B1" in err


def test_column_without_header_is_named_in_a_note(tmp_path):
    path = write_csv(tmp_path / "leer.csv", ["Leistung", "", *HEADER[2:]], SEED_ROWS[:2])
    survey = _read(path)
    assert survey.data["verrichtung"].isna().all()
    assert survey.notes == [
        "leer.csv: Spalte B hat keine Überschrift, enthält aber Werte (z. B. Zeile 2: "
        "„Ausstellung“) – wird nicht ausgewertet."
    ]
