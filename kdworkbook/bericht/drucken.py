"""The report's PDF printed in a process of its own.

``python -m kdworkbook.bericht.drucken BROWSER``:
:class:`kdworkbook.bericht.dokument.ReportJob` starts it early, so Chromium is ready when the
document is: this process starts Chromium at once, then reads one line from its standard
input – JSON with ``html`` (the document) and ``pdf`` (where to write it); an empty line
means there is nothing to print. It runs in a process group of its
own: stopping the report is a signal to that group (Playwright's driver then closes
Chromium), from whichever thread. A failure is said on standard output, in German (exit 1);
an error of the system (full disk, read-only folder) as JSON ``{"errno": …, "datei": …}``
(exit :data:`EXIT_OS_ERROR`), so that the run reports it like any other OS error.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from kdworkbook.bericht.browser import PdfPrinter, ReportError
from kdworkbook.bericht.dokument import EXIT_OS_ERROR, print_twice


def main(argv: list[str]) -> int:
    executable = argv[0] or None
    try:
        with PdfPrinter(executable) as printer:
            line = sys.stdin.readline()
            if not line.strip():
                return 0
            job = json.loads(line)
            html_file = Path(job["html"])
            pdf = print_twice(printer, html_file, html_file.read_text(encoding="utf-8"))
            Path(job["pdf"]).write_bytes(pdf)
    except ReportError as exc:
        print(exc, flush=True)
        return 1
    except OSError as exc:
        print(json.dumps({"errno": exc.errno, "datei": exc.filename}), flush=True)
        return EXIT_OS_ERROR
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
