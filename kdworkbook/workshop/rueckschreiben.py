"""Writing workshop decisions back into a parameter file, keeping its comments and layout.

The analyst's file is edited *surgically*: the round-trip parser ``ruamel.yaml`` finds the line
and column of every key, and only the value of a changed key is rewritten on its line (the
comment after it stays where it was); a key that is missing is inserted as a new line inside its
section; the change log entry is appended to ``workshop → beschluesse``. Every other byte of the
file stays as it was – a full re-dump would re-indent lists and re-wrap long flow lists.

Concurrency: the app remembers the SHA-256 of the file as it loaded it; :func:`write_decision`
refuses (:class:`DateiGeaendert`) when the file on disk differs – changed by hand or by the
„Übernehmen“ of another browser tab – so no decision is ever overwritten unseen. Check and
write happen under an exclusive lock on the folder (``flock``; two tabs pressing at the same
moment are served one after the other). A failed write (read-only folder, full disk) is an
:class:`~kdworkbook.kern.errors.InputError` with a German message; the file stays as it was.

Safety: the new text is parsed again and must equal the old content plus exactly the intended
changes (else ruamel's own round-trip dump is used as a fallback and checked the same way); the
result must pass :func:`kdworkbook.kern.parameter.load_settings`; a timestamped backup
(``musterstadt.yaml.2026-11-28_103000.bak``) is written beside the file before it is replaced
atomically (temporary file + rename); if the replaced file does not load, the backup is restored.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import errno
import hashlib
import io
import json
import os
import re
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from kdworkbook.kern.errors import InputError
from kdworkbook.kern.formatierung import zahl
from kdworkbook.kern.yamlsafe import load_yaml

LOG_PATH = ("workshop", "beschluesse")
LOG_COMMENT = (
    "# Beschlüsse aus dem Workshop (kdworkbook workshop, Knopf „Übernehmen“), neueste zuletzt."
)
MAX_NOTE = 500


@dataclass(frozen=True)
class Change:
    """One value decided in the workshop: key path in the parameter file, old and new value."""

    keys: tuple[str, ...]
    old: float | int | None
    new: float | int

    def text(self) -> str:
        """„massnahmen → gewichte → nutzen → jahresstunden: 3 → 4“ (German numbers)."""
        old = "leer" if self.old is None else _german(self.old)
        return f"{' → '.join(self.keys)}: {old} → {_german(self.new)}"


def _german(value: float) -> str:
    """80 → „80“, 0.55 → „0,55“ (as many decimals as the value has, up to 6)."""
    if float(value).is_integer():
        return zahl(value)
    return zahl(value, 6).rstrip("0").rstrip(",")


def _yaml_number(value: float | int) -> str:
    """Plain YAML scalar: 4 rather than 4.0, 0.55 rather than 0.55000000001."""
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(round(value, 6))


def backup_path(path: Path, now: dt.datetime) -> Path:
    """``<file>.<JJJJ-MM-TT_hhmmss>.bak`` beside *path*; a second suffix if that exists."""
    candidate = path.with_name(f"{path.name}.{now:%Y-%m-%d_%H%M%S}.bak")
    n = 2
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.{now:%Y-%m-%d_%H%M%S}-{n}.bak")
        n += 1
    return candidate


def log_entry(changes: Sequence[Change], note: str, day: dt.date) -> dict[str, Any]:
    """The change log entry as plain data (as the strict loader reads it back)."""
    clean = " ".join(str(note).split())[:MAX_NOTE]  # no line breaks or control characters
    return {"datum": day.isoformat(), "aenderungen": [c.text() for c in changes], "notiz": clean}


# --- surgical text edits -------------------------------------------------------------------


class _Fallback(Exception):
    """The surgical edit cannot handle this layout (e.g. flow style); use the full dump."""


def _yaml() -> YAML:
    y = YAML()  # round-trip
    y.preserve_quotes = True
    y.width = 4096
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def _last_line(node: Any) -> int:
    """Last line (0-based) occupied by the content of a block mapping or sequence."""
    if isinstance(node, CommentedMap) and len(node):
        key = list(node)[-1]
        child = node[key]
        if isinstance(child, CommentedMap | CommentedSeq) and len(child):
            return _last_line(child)
        return node.lc.key(key)[0]
    if isinstance(node, CommentedSeq) and len(node):
        child = node[-1]
        if isinstance(child, CommentedMap | CommentedSeq) and len(child):
            return _last_line(child)
        return node.lc.item(len(node) - 1)[0]
    raise _Fallback


def _block(keys: Sequence[str], value_lines: list[str], indent: int) -> list[str]:
    """Lines ``key:`` nested by two spaces per level; *value_lines* go under the last key
    (a single line ``: value`` when it starts with ':')."""
    lines = [" " * (indent + 2 * i) + f"{k}:" for i, k in enumerate(keys)]
    if len(value_lines) == 1 and value_lines[0].startswith(":"):
        lines[-1] += " " + value_lines[0][1:].strip()
    else:
        lines += [" " * (indent + 2 * len(keys)) + v for v in value_lines]
    return [line + "\n" for line in lines]


def _replace_value(line: str, key: str, col: int, new: str) -> str:
    """Replace the scalar after ``key:`` on *line*; a trailing comment keeps its column."""
    ending = line[len(line.rstrip("\r\n")) :]
    body = line[: len(line) - len(ending)]
    match = re.match(rf"(['\"]?){re.escape(key)}\1[ \t]*:", body[col:])
    if not match:
        raise _Fallback
    start = col + match.end()
    rest = body[start:]
    comment = re.search(r"(^|[ \t])#", rest)
    old = rest[: comment.start()] if comment else rest
    if old.strip().startswith(("|", ">", "{", "[", "&", "*", "!")):
        raise _Fallback
    if comment:
        tail = rest[comment.start() :].lstrip(" \t")
        width = len(rest) - len(tail)  # the comment keeps its column where the value fits
        text = " " + new
        text = text.ljust(width) if len(text) < width else text + " "
        return body[:start] + text + tail + ending
    return body[:start] + " " + new + ending


def _set(text: str, keys: Sequence[str], value_lines: list[str]) -> str:
    """*text* with ``keys`` set to *value_lines* (``[": 4"]`` for a scalar)."""
    doc = _yaml().load(text)
    lines = text.splitlines(keepends=True)
    if doc is None:
        doc = CommentedMap()
    if not isinstance(doc, CommentedMap) or doc.fa.flow_style():
        raise _Fallback
    node: CommentedMap = doc
    for i, key in enumerate(keys):
        last = i == len(keys) - 1
        if key in node:
            child = node[key]
            line, col = node.lc.key(key)
            if last and not isinstance(child, CommentedMap | CommentedSeq):
                if len(value_lines) == 1 and value_lines[0].startswith(":"):
                    lines[line] = _replace_value(lines[line], key, col, value_lines[0][1:].strip())
                    return "".join(lines)
                lines[line] = _replace_value(lines[line], key, col, "").rstrip(" \t\r\n") + "\n"
                lines[line + 1 : line + 1] = [" " * (col + 2) + v + "\n" for v in value_lines]
                return "".join(lines)
            if isinstance(child, CommentedMap) and not last:
                if child.fa.flow_style() or not len(child):
                    raise _Fallback
                node = child
                continue
            if child is None and not last:  # „gewichte:“ without content
                lines[line] = _replace_value(lines[line], key, col, "").rstrip(" \t\r\n") + "\n"
                lines[line + 1 : line + 1] = _block(keys[i + 1 :], value_lines, col + 2)
                return "".join(lines)
            raise _Fallback  # a list where a mapping is expected, or a section replaced whole
        # key missing: insert it (and its sub-keys) into *node*
        if node is doc:
            if lines and not lines[-1].endswith("\n"):
                lines[-1] += "\n"
            head = ["\n"] + ([LOG_COMMENT + "\n"] if tuple(keys[:2]) == LOG_PATH else [])
            return "".join(lines + head + _block(keys[i:], value_lines, 0))
        indent = node.lc.key(list(node)[0])[1]
        at = _last_line(node) + 1
        lines[at:at] = _block(keys[i:], value_lines, indent)
        return "".join(lines)
    raise _Fallback


def _entry_lines(entry: dict[str, Any], dash: int) -> list[str]:
    pad = " " * (dash + 2)
    lines = [" " * dash + f"- datum: {entry['datum']}\n"]
    if entry["aenderungen"]:
        lines.append(pad + "aenderungen:\n")
        lines += [
            pad + "  - " + json.dumps(t, ensure_ascii=False) + "\n" for t in entry["aenderungen"]
        ]
    else:
        lines.append(pad + "aenderungen: []\n")
    lines.append(pad + "notiz: " + json.dumps(entry["notiz"], ensure_ascii=False) + "\n")
    return lines


def _append_entry(text: str, entry: dict[str, Any]) -> str:
    doc = _yaml().load(text)
    section = doc.get(LOG_PATH[0]) if isinstance(doc, CommentedMap) else None
    log = section.get(LOG_PATH[1]) if isinstance(section, CommentedMap) else None
    if isinstance(log, CommentedSeq) and len(log):
        if log.fa.flow_style():
            raise _Fallback
        lines = text.splitlines(keepends=True)
        line, col = log.lc.item(0)
        dash = lines[line].rfind("-", 0, col)
        if dash < 0:
            raise _Fallback
        at = _last_line(log) + 1
        lines[at:at] = _entry_lines(entry, dash)
        return "".join(lines)
    if log is not None and not (isinstance(log, CommentedSeq) and not len(log)):
        raise _Fallback
    if isinstance(log, CommentedSeq):  # „beschluesse: []“
        raise _Fallback
    return _set(text, LOG_PATH, [line.rstrip("\n") for line in _entry_lines(entry, 0)])


def edit_text(text: str, changes: Sequence[Change], entry: dict[str, Any]) -> str:
    """The parameter file *text* with the *changes* and the log *entry* (surgical)."""
    for change in changes:
        text = _set(text, change.keys, [": " + _yaml_number(change.new)])
    return _append_entry(text, entry)


def dump_text(text: str, changes: Sequence[Change], entry: dict[str, Any]) -> str:
    """Fallback: ruamel's round-trip load → change → dump (keeps comments, may re-indent)."""
    y = _yaml()
    doc = y.load(text) or CommentedMap()
    for change in changes:
        node = doc
        for key in change.keys[:-1]:
            if not isinstance(node.get(key), dict):
                node[key] = CommentedMap()
            node = node[key]
        node[change.keys[-1]] = change.new
    section = doc.setdefault(LOG_PATH[0], CommentedMap())
    if section is None:
        section = doc[LOG_PATH[0]] = CommentedMap()
    if not isinstance(section.get(LOG_PATH[1]), list):
        section[LOG_PATH[1]] = CommentedSeq()
    section[LOG_PATH[1]].append(
        {
            "datum": dt.date.fromisoformat(entry["datum"]),
            **{k: entry[k] for k in ("aenderungen", "notiz")},
        }
    )
    out = io.StringIO()
    y.dump(doc, out)
    return out.getvalue()


def expected_data(data: dict[str, Any], changes: Sequence[Change], entry: dict[str, Any]) -> dict:
    """What the strict loader must read from the written file."""
    result = copy.deepcopy(data)
    for change in changes:
        node = result
        for key in change.keys[:-1]:
            if not isinstance(node.get(key), dict):
                node[key] = {}
            node = node[key]
        node[change.keys[-1]] = change.new
    section = result.get(LOG_PATH[0])
    if not isinstance(section, dict):
        section = result[LOG_PATH[0]] = {}
    if not isinstance(section.get(LOG_PATH[1]), list):
        section[LOG_PATH[1]] = []
    section[LOG_PATH[1]].append(entry)
    return result


# --- the file operation ---------------------------------------------------------------------


class DateiGeaendert(InputError):
    """The parameter file on disk is not the one the app loaded."""


@dataclass(frozen=True)
class Saved:
    """A written decision: the backup of the previous file and the SHA-256 of the new one."""

    backup: Path
    sha256: str


def file_sha256(path: Path | str) -> str:
    """SHA-256 (hex) of the file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Exclusive lock on *folder* (a read-only open is enough, nothing is created there)."""
    try:
        import fcntl
    except ImportError:  # Windows: no flock; the hash check alone still refuses stale writes
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _why(exc: OSError, folder: Path) -> str:
    """German reason of a failed write."""
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"keine Schreibrechte im Ordner {folder}"
    if exc.errno == errno.EROFS:
        return f"der Ordner {folder} liegt auf einem schreibgeschützten Laufwerk"
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return "der Datenträger ist voll"
    return f"Fehler des Betriebssystems: {exc.strerror or exc}"


def _save_failed(path: Path, exc: OSError) -> InputError:
    return InputError(
        f"{path}: Speichern nicht möglich – {_why(exc, path.parent)}. Die Parameterdatei ist "
        "unverändert; die Werte bleiben in der App stehen – nach Behebung erneut „Übernehmen“."
    )


def write_decision(
    path: Path | str,
    changes: Sequence[Change],
    note: str,
    now: dt.datetime,
    loaded_sha256: str | None = None,
) -> Saved:
    """Write *changes* and a log entry into the parameter file *path*.

    *loaded_sha256*: the file's hash when the caller read it; a different file on disk raises
    :class:`DateiGeaendert`. Raises InputError (German) and leaves the file untouched if the
    result would not be a valid parameter file or cannot be written.
    """
    path = Path(path)
    try:
        with _locked(path.parent):
            return _write_locked(path, changes, note, now, loaded_sha256)
    except OSError as exc:
        raise _save_failed(path, exc) from None


def _write_locked(
    path: Path,
    changes: Sequence[Change],
    note: str,
    now: dt.datetime,
    loaded_sha256: str | None,
) -> Saved:
    from kdworkbook.kern.parameter import load_settings  # the parameter model includes this section

    raw = path.read_bytes()
    if loaded_sha256 is not None and hashlib.sha256(raw).hexdigest() != loaded_sha256:
        raise DateiGeaendert(
            f"{path}: Die Parameterdatei wurde geändert, seit die App sie geladen hat (von Hand "
            "oder durch „Übernehmen“ in einem anderen Fenster) – nichts überschrieben. Bitte "
            "„Neu laden“ drücken: die App übernimmt den Stand der Datei; danach die Werte "
            "erneut einstellen und „Übernehmen“."
        )
    old_text = raw.decode("utf-8-sig")
    entry = log_entry(changes, note, now.date())
    want = expected_data(load_yaml(path), changes, entry)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        for make in (edit_text, dump_text):
            try:
                new_text = make(old_text, changes, entry)
            except _Fallback:
                continue
            tmp.write_text(new_text, encoding="utf-8")
            if load_yaml(tmp) == want:
                break
        else:
            raise InputError(
                f"{path}: Die Beschlüsse ließen sich nicht sicher in die Datei schreiben – "
                "nichts geändert. Bitte die Werte von Hand eintragen."
            )
        try:
            load_settings(tmp)
        except InputError as exc:
            raise InputError(
                [f"{path}: Mit diesen Werten wäre die Parameterdatei ungültig – nichts geändert."]
                + [m.replace(str(tmp), str(path)) for m in exc.messages]
            ) from None
        written = tmp.read_bytes()
        backup = backup_path(path, now)
        try:
            shutil.copy2(path, backup)
        except OSError:
            backup.unlink(missing_ok=True)  # no half-written backup stays behind
            raise
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
    try:
        load_settings(path)
    except InputError:
        shutil.copy2(backup, path)
        raise
    return Saved(backup, hashlib.sha256(written).hexdigest())
