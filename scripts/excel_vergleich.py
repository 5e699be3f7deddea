"""Compare two Excel files cell for cell as a user sees them (read with openpyxl).

Compares sheet names and order (a sheet only in the second file is named, not counted as a
difference: new data), every cell's value, type (text / number / flag), number
format and bold font, column widths, frozen panes and filter ranges; prints each difference
(at most ``--max`` per sheet) and exits with 1 if there is one.

Usage: ``.venv/bin/python scripts/excel_vergleich.py vorher.xlsx nachher.xlsx``
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter


def differences(before: Path, after: Path, limit: int = 20) -> Iterator[str]:
    """Every difference a user could see between *before* and *after*, as German text."""
    a, b = load_workbook(before), load_workbook(after)
    common = [n for n in b.sheetnames if n in a.sheetnames]
    if common != a.sheetnames:
        yield f"Blätter: {a.sheetnames} ≠ {b.sheetnames}"
        return
    for name in a.sheetnames:
        wa, wb = a[name], b[name]
        shown = 0
        for what, x, y in (
            ("Zeilen", wa.max_row, wb.max_row),
            ("Spalten", wa.max_column, wb.max_column),
            ("fixiert", wa.freeze_panes, wb.freeze_panes),
            ("Filter", wa.auto_filter.ref, wb.auto_filter.ref),
        ):
            if x != y:
                yield f"{name}: {what} {x!r} ≠ {y!r}"
        for col in range(1, max(wa.max_column, wb.max_column) + 1):
            letter = get_column_letter(col)
            x, y = wa.column_dimensions[letter].width, wb.column_dimensions[letter].width
            if x != y:
                yield f"{name}: Breite Spalte {letter} {x!r} ≠ {y!r}"
        rows_a = wa.iter_rows(max_row=wa.max_row, max_col=wa.max_column)
        rows_b = wb.iter_rows(max_row=wa.max_row, max_col=wa.max_column)
        for row_a, row_b in zip(rows_a, rows_b, strict=False):
            for ca, cb in zip(row_a, row_b, strict=False):
                seen_a = (ca.value, ca.data_type, ca.number_format, bool(ca.font.b))
                seen_b = (cb.value, cb.data_type, cb.number_format, bool(cb.font.b))
                if seen_a != seen_b and shown < limit:
                    shown += 1
                    yield f"{name}!{ca.coordinate}: {seen_a!r} ≠ {seen_b!r}"


def main() -> None:
    parser = argparse.ArgumentParser(description="Excel-Dateien zellweise vergleichen")
    parser.add_argument("vorher", type=Path)
    parser.add_argument("nachher", type=Path)
    parser.add_argument("--max", type=int, default=20, help="höchstens so viele Zellen je Blatt")
    args = parser.parse_args()
    found = list(differences(args.vorher, args.nachher, args.max))
    for line in found:
        print(line)
    added = set(load_workbook(args.nachher, read_only=True).sheetnames)
    added -= set(load_workbook(args.vorher, read_only=True).sheetnames)
    if added:
        print(f"{args.nachher.name}: neue Blätter {', '.join(sorted(added))}")
    print(f"{args.vorher.name}: {'gleich' if not found else f'{len(found)} Unterschiede'}")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
