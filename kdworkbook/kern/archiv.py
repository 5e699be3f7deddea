"""Checking an input file before any reader opens it: no FIFO or device, no .xlsx zip bomb.

An .xlsx file is a zip archive of XML files. A few kilobytes can claim a sheet of
A1:XFD1048576 (openpyxl then fills 17 billion cells) or unpack to a single 400 MB cell.
:func:`check_input` looks at the archive's directory (entries, unpacked sizes, compression
ratio) and streams each XML entry once through expat (declared and actual sheet size,
longest text), so a hostile file is refused with a German message naming the file before
openpyxl or pandas touches it. The limits are named in :mod:`kdworkbook.kern.defaults`.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from pyexpat import ParserCreate
from typing import Any

from kdworkbook.kern import defaults, systemfehler
from kdworkbook.kern.errors import InputError
from kdworkbook.kern.formatierung import zahl

XLSX_SUFFIXES = (".xlsx", ".xlsm")
_REF = re.compile(r"([A-Z]{1,3})?(\d+)?$")
#: elements whose text runs (rich text) openpyxl joins into one string
_STRING_CONTAINERS = {"si", "is"}


class _Refused(Exception):
    """Raised inside an expat handler; becomes the German message."""


def check_input(path: Path) -> None:
    """Refuse *path* unless it is a regular file, and an .xlsx archive within the limits."""
    path = Path(path)
    systemfehler.regular_file(path)
    if path.suffix.lower() in XLSX_SUFFIXES:
        check_xlsx(path)


def check_xlsx(path: Path) -> None:
    """Raise InputError if the archive exceeds a limit; a file that is no zip archive at
    all is left to the reader, which says so in its own words."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    with archive:
        try:
            _check_directory(archive.infolist())
            for info in archive.infolist():
                if info.filename.lower().endswith((".xml", ".rels", ".vml")):
                    _scan(archive, info)
        except _Refused as exc:
            raise InputError(
                f"{path}: {exc} Die Datei wurde nicht geöffnet (Schutz vor Dateien, die den "
                "Rechner lahmlegen). Bitte in Excel öffnen, prüfen und neu speichern oder als "
                "CSV speichern."
            ) from None
        except (zipfile.BadZipFile, OSError, EOFError, ValueError):
            return  # a damaged archive: the reader reports it as unreadable


def _mb(size: int) -> str:
    return f"{zahl(size / 1_000_000, 1)} MB"


def _check_directory(infos: list[zipfile.ZipInfo]) -> None:
    """Entries, total unpacked size and compression ratio, from the archive's directory
    (Python's zipfile never unpacks more than an entry declares)."""
    if len(infos) > defaults.XLSX_MAX_EINTRAEGE:
        raise _Refused(
            f"Das Archiv hat {zahl(len(infos))} Einträge (höchstens "
            f"{zahl(defaults.XLSX_MAX_EINTRAEGE)})."
        )
    total = sum(info.file_size for info in infos)
    if total > defaults.XLSX_MAX_ENTPACKT_BYTES:
        raise _Refused(
            f"Entpackt wäre die Datei {_mb(total)} groß (höchstens "
            f"{_mb(defaults.XLSX_MAX_ENTPACKT_BYTES)})."
        )
    for info in infos:
        if info.file_size <= defaults.XLSX_VERHAELTNIS_AB_BYTES:
            continue
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > defaults.XLSX_MAX_VERHAELTNIS:
            raise _Refused(
                f"Der Eintrag „{info.filename}“ packt sich von {_mb(info.compress_size)} auf "
                f"{_mb(info.file_size)} aus (Verhältnis {zahl(ratio)} : 1, höchstens "
                f"{zahl(defaults.XLSX_MAX_VERHAELTNIS)} : 1) – typisch für eine Zip-Bombe."
            )


def _column(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


class _Sheet:
    """expat handlers: size of a worksheet as openpyxl will see it, and the longest text."""

    def __init__(self, entry: str) -> None:
        self.entry = entry
        self.root: str | None = None
        self.row = self.col = self.max_row = self.max_col = 0
        self.width = 0  # columns declared by <dimension>: openpyxl pads every row to them
        self.text = 0
        self.in_string = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        if self.root is None:
            self.root = local
        if local in _STRING_CONTAINERS:
            self.in_string += 1
            if self.in_string == 1:
                self.text = 0
        elif not self.in_string:
            self.text = 0
        if self.root != "worksheet":
            return
        if local == "row":
            r = attrs.get("r", "")
            self.row = int(r) if r.isdigit() else self.row + 1
            self.col = 0
            self.max_row = max(self.max_row, self.row)
            self._cells(self.max_row, max(self.max_col, self.width), "enthält")
        elif local == "c":
            match = _REF.match(attrs.get("r", ""))
            self.col = _column(match.group(1)) if match and match.group(1) else self.col + 1
            if self.col > self.max_col:
                self.max_col = self.col
                self._cells(self.max_row, max(self.max_col, self.width), "enthält")
        elif local == "dimension":
            last = attrs.get("ref", "").rpartition(":")[2]
            match = _REF.match(last)
            if match and match.group(1) and match.group(2):
                rows, cols = int(match.group(2)), _column(match.group(1))
                self.width = cols
                self._cells(rows, cols, f"gibt seine Größe mit {attrs['ref']} an, also")

    def end(self, name: str) -> None:
        if name.rpartition(":")[2] in _STRING_CONTAINERS:
            self.in_string -= 1

    def chars(self, data: str) -> None:
        self.text += len(data)
        if self.text > defaults.XLSX_MAX_TEXT_ZEICHEN:
            raise _Refused(
                f"Der Eintrag „{self.entry}“ enthält einen Text mit mehr als "
                f"{zahl(defaults.XLSX_MAX_TEXT_ZEICHEN)} Zeichen – mehr, als Excel in einer "
                "Zelle speichern kann."
            )

    def _cells(self, rows: int, cols: int, verb: str) -> None:
        if rows * cols > defaults.XLSX_MAX_ZELLEN:
            raise _Refused(
                f"Das Tabellenblatt „{self.entry}“ {verb} {zahl(rows)} Zeilen × {zahl(cols)} "
                f"Spalten = {zahl(rows * cols)} Zellen (höchstens "
                f"{zahl(defaults.XLSX_MAX_ZELLEN)}). Leere, aber formatierte Zeilen oder "
                "Spalten bitte löschen."
            )


def _refuse_dtd(*_args: Any) -> None:
    raise _Refused("Das Archiv enthält eine DTD (Entity-Definitionen); Excel schreibt keine.")


def _scan(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    sheet = _Sheet(info.filename)
    parser = ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = sheet.start
    parser.EndElementHandler = sheet.end
    parser.CharacterDataHandler = sheet.chars
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    with archive.open(info) as stream:
        while block := stream.read(1 << 20):
            try:
                parser.Parse(block, False)
            except _Refused:
                raise
            except Exception:  # noqa: BLE001 – malformed XML: the reader reports the file
                return
