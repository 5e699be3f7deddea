"""Errors of the operating system (read-only folder, full disk, symlink loop, …) in German.

The CLI and the batch runner show these instead of a traceback; the text names the path.
"""

from __future__ import annotations

import errno
import stat
from pathlib import Path

_TEXTS = {
    errno.EROFS: "liegt auf einem schreibgeschützten Datenträger – bitte einen beschreibbaren "
    "Ordner wählen",
    errno.EACCES: "keine Berechtigung – bitte die Zugriffsrechte prüfen oder einen anderen "
    "Ordner wählen",
    errno.EPERM: "Vorgang nicht erlaubt – bitte die Zugriffsrechte prüfen oder einen anderen "
    "Ordner wählen",
    errno.ENOSPC: "der Datenträger ist voll – bitte Platz schaffen oder einen anderen "
    "Ausgabeordner wählen",
    errno.EDQUOT: "das Speicherkontingent ist erschöpft – bitte Platz schaffen",
    errno.ELOOP: "symbolische Verknüpfung, die im Kreis auf sich selbst verweist",
    errno.EISDIR: "ist ein Ordner, erwartet wurde eine Datei",
    errno.ENOTDIR: "ein Teil des Pfads ist kein Ordner",
    errno.ENOENT: "Datei oder Ordner nicht gefunden",
    errno.ENAMETOOLONG: "Dateiname oder Pfad ist zu lang",
    errno.EEXIST: "existiert bereits",
    errno.ENOTEMPTY: "Ordner ist nicht leer",
    errno.EMFILE: "zu viele offene Dateien",
    errno.EIO: "Lese- oder Schreibfehler des Datenträgers",
}


def text(exc: OSError) -> str:
    """``<path>: <what happened, in German>`` for *exc* (path omitted when unknown)."""
    what = _TEXTS.get(exc.errno or 0, f"Systemfehler: {exc.strerror or exc}")
    where = exc.filename if exc.filename is not None else None
    if exc.filename2 is not None:
        where = f"{exc.filename} → {exc.filename2}"
    return f"{where}: {what}." if where is not None else f"{what[0].upper()}{what[1:]}."


def kind(mode: int) -> str:
    """What a file system entry is, for a message about a path that is no regular file."""
    if stat.S_ISFIFO(mode):
        return "eine benannte Pipe (FIFO)"
    if stat.S_ISDIR(mode):
        return "ein Ordner"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "eine Gerätedatei"
    if stat.S_ISSOCK(mode):
        return "ein Socket"
    return "keine gewöhnliche Datei"


def file_problem(value: object, path: Path, where: str | None = None) -> str | None:
    """Why *path* (named „*value*“ in the parameter file) cannot be read as a file, in German;
    None for a regular file. A FIFO or a folder is named as what it is, not „nicht gefunden“.
    The parenthesis names *where* instead of the path when given."""
    shown = where or path
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return f"Datei „{value}“ nicht gefunden ({shown})"
    except OSError as exc:
        return f"„{value}“: {text(exc)}"
    if stat.S_ISREG(mode):
        return None
    return f"„{value}“ ist {kind(mode)}, keine gewöhnliche Datei ({shown})"


def regular_file(path: Path, what: str = "Datei") -> None:
    """Raise InputError unless *path* is a regular file (a FIFO would block every reader)."""
    from kdworkbook.kern.errors import InputError

    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        if path.is_symlink():
            raise InputError(
                f"{path}: symbolische Verknüpfung, deren Ziel fehlt ({what} nicht gefunden)."
            ) from None
        raise InputError(f"{path}: {what} nicht gefunden.") from None
    except OSError as exc:
        raise InputError(text(exc)) from None
    if not stat.S_ISREG(mode):
        raise InputError(
            f"{path}: ist {kind(mode)}, keine gewöhnliche Datei – erwartet wird eine {what}."
        )
