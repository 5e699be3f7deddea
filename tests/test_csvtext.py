"""One way to read CSV text: decoding and the separator, with its rule for ties."""

from __future__ import annotations

import csv
import io

import pytest

from kdworkbook.buergerbefragung import antworten
from kdworkbook.kern import csvtext
from kdworkbook.rahmen import laden as rahmen_laden


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a;b,c\n1;2,5\n", ";"),  # the tie: one of each in every line – German Excel's „;“
        ("a,b;c\n", ";"),
        ("a,b,c;d\n", ","),
        ("a\tb\tc\n1\t2,5\t3\n", "\t"),
        ('id,frage,text\n1,ja,"a;b;c;d"\n', ","),  # separators inside quotes do not count
        ("Bestandserhebung Stadt X\nLeistung;Vorgänge;Minuten\n", ";"),  # title row above
        ("nur eine Spalte\n", ";"),  # none at all: a tie of zeros
    ],
)
def test_delimiter(text: str, expected: str) -> None:
    assert csvtext.delimiter(text) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Straße;Maß".encode("utf-8-sig"), "Straße;Maß"),
        ("Straße;Maß".encode(), "Straße;Maß"),
        ("Straße;Maß".encode("cp1252"), "Straße;Maß"),
        ("Straße\tMaß".encode("utf-16"), "Straße\tMaß"),  # Excel's „Unicode-Text“
        ("Straße".encode("utf-16-le"), "Straße"),  # LibreOffice, without BOM
        (b"\x81\x8d", "\x81\x8d"),  # bytes cp1252 leaves unassigned: Latin-1
    ],
)
def test_decode(raw: bytes, expected: str) -> None:
    assert csvtext.decode(raw) == expected


def test_binary_data_is_refused() -> None:
    with pytest.raises(csvtext.BinaryData):
        csvtext.decode(bytes(range(256)) * 4)


def test_citizen_answers_saved_by_german_excel_are_read(tmp_path) -> None:
    """Before, the answers reader accepted UTF-8 only and took „,“ on a tie."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["id", "Anmerkung, frei"])
    writer.writerow(["7", "Öffnungszeiten"])
    path = tmp_path / "antworten.csv"
    path.write_bytes(buffer.getvalue().encode("cp1252"))
    table = antworten._table(path)
    assert list(table.columns) == ["id", "Anmerkung, frei"]
    assert table.iloc[0].tolist() == ["7", "Öffnungszeiten"]


def test_catalogue_with_a_tie_in_its_header_uses_the_semicolon(tmp_path) -> None:
    """Before, the catalogue reader looked at the first line only and took „,“ on a tie."""
    path = tmp_path / "katalog.csv"
    path.write_bytes(
        "schluessel;bezeichnung (kurz, amtlich)\r\n99012001000000;Abbruchgenehmigung\r\n".encode(
            "cp1252"
        )
    )
    frame = rahmen_laden._read_csv(path, "LeiKa-Katalog")
    assert list(frame.columns) == ["schluessel", "bezeichnung_(kurz,_amtlich)"]
    assert frame.iloc[0].tolist() == ["99012001000000", "Abbruchgenehmigung"]
