"""CSV text read the one way: how its bytes are decoded and which separator it uses.

Used by every reader of CSV files (survey, LeiKa/OZG catalogue, citizen survey answers).
"""

from __future__ import annotations

import re

#: Lines looked at for the separator: a title row above the header may have none.
HEAD_LINES = 10
#: The separators recognised; on a tie the first wins – German Excel writes „;“.
DELIMITERS = (";", ",", "\t")
_QUOTED = re.compile(r'"[^"]*"')


class BinaryData(ValueError):
    """The bytes are no text (zero bytes that are not UTF-16)."""


def _utf16(raw: bytes) -> str | None:
    """Text saved as UTF-16: Excel's „Unicode-Text“ (little endian with BOM, tabs) and
    LibreOffice's UTF-16 CSV; without BOM recognised by the zero bytes of ASCII letters."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        head = raw[:4096]
        if len(head) < 4 or head.count(0) < len(head) // 4:
            return None
        odd = head[1::2].count(0) > head[0::2].count(0)
        encoding = "utf-16-le" if odd else "utf-16-be"
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        return None


def decode(raw: bytes) -> str:
    """Text as Excel, LibreOffice and editors save it here: UTF-16, UTF-8 (with or without
    BOM), else Windows-1252 (Latin-1 for its five unassigned bytes); without the BOM.
    Raises :class:`BinaryData` for bytes that are no text."""
    text = _utf16(raw)
    if text is None:
        if b"\x00" in raw[:4096]:
            raise BinaryData("Binärdaten")
        for encoding in ("utf-8-sig", "cp1252", "latin-1"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    assert text is not None  # latin-1 decodes every byte
    return text.lstrip("\ufeff")


def delimiter(text: str) -> str:
    """``;``, ``,`` or tab: the one found most often in one line among the first
    :data:`HEAD_LINES` lines, quoted fields left out; on a tie the earlier in
    :data:`DELIMITERS`."""
    lines = [_QUOTED.sub("", line) for line in text.splitlines()[:HEAD_LINES]]
    return max(DELIMITERS, key=lambda d: max((line.count(d) for line in lines), default=0))
