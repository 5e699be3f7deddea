"""The report's PDF printed in a process of its own, which draws the BPMN diagrams meanwhile.

``python -m kdworkbook.bericht.drucken BROWSER [FD]``:
:class:`kdworkbook.bericht.dokument.ReportJob` starts it when the run's check is done, so
Chromium is ready when the document is: this process starts Chromium at once, then reads one
line from its standard input – JSON with ``html`` (the document) and ``pdf`` (where to write
it); an empty line means there is nothing to print. Until that line comes it answers
requests to draw BPMN diagrams on the listening Unix socket FD (inherited from the runner, see
:mod:`kdworkbook.musterprozess.bpmn_js`): in a page of its own with JavaScript on, beside the
print page with JavaScript off – the kernels need no Chromium of their own. Playwright's sync
API is single-threaded: requests and the print job are waited for in one thread
(:mod:`selectors`); after the print job no more requests are answered.

It runs in a process group of its own: stopping the report is a signal to that group
(Playwright's driver then closes Chromium), from whichever thread. A failure is said on
standard output, in German (exit 1); an error of the system (full disk, read-only folder) as
JSON ``{"errno": …, "datei": …}`` (exit :data:`EXIT_OS_ERROR`), so that the run reports it
like any other OS error. If Chromium does not start, drawing requests get that error too.
It does not import :mod:`kdworkbook.bericht.dokument` (nbconvert's and Jinja's world): it
is ready sooner, with less CPU.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import socket
import sys
from pathlib import Path

from kdworkbook.bericht.browser import PdfPrinter, ReportError, destination_pages, fill_toc
from kdworkbook.musterprozess.bpmn_js import Drawer

#: exit code for an error of the system (full disk, read-only folder); the output then says
#: errno and file as JSON
EXIT_OS_ERROR = 3


def main(argv: list[str]) -> int:
    executable = argv[0] or None
    listener = socket.socket(fileno=int(argv[1])) if len(argv) > 1 and argv[1] else None
    try:
        with contextlib.ExitStack() as stack:
            if listener is not None:
                stack.callback(listener.close)
            failure: ReportError | None = None
            printer = None
            try:
                printer = stack.enter_context(PdfPrinter(executable))
            except ReportError as exc:
                if listener is None:
                    raise
                failure = exc  # said when the print job comes; drawing requests get it now
            if listener is None:
                line = sys.stdin.readline()
            else:
                drawer = Drawer(
                    printer.browser if printer else None,
                    executable,
                    (failure.__cause__ or failure) if failure else None,
                )
                try:
                    line = _serve(listener, drawer)
                finally:
                    drawer.close()
            if failure is not None:
                raise failure
            if not line.strip():
                return 0
            assert printer is not None
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


def _serve(listener: socket.socket, drawer: Drawer) -> str:
    """Answer drawing requests on *listener* until the line of standard input is complete
    (or standard input ends); the line. The listener is closed then: no more requests."""
    listener.setblocking(False)
    received = b""
    with selectors.DefaultSelector() as selector:
        selector.register(sys.stdin.fileno(), selectors.EVENT_READ, "job")
        selector.register(listener, selectors.EVENT_READ, "request")
        while True:
            for key, _ in selector.select():
                if key.data == "job":
                    chunk = os.read(sys.stdin.fileno(), 1 << 16)
                    received += chunk
                    if not chunk or b"\n" in received:
                        listener.close()
                        return received.split(b"\n", 1)[0].decode("utf-8")
                else:
                    try:
                        connection, _ = listener.accept()
                    except (BlockingIOError, InterruptedError):
                        continue
                    connection.setblocking(True)
                    drawer.answer(connection)


def print_twice(printer: PdfPrinter, html_file: Path, document: str) -> bytes:
    """Draft print → pages of the headings → final print with TOC page numbers. The footer
    and the footer-free title page come from the style sheet's ``@page`` rules."""
    html_file.write_text(document, encoding="utf-8")
    pages = destination_pages(printer.print(html_file, draft=True))
    html_file.write_text(fill_toc(document, pages), encoding="utf-8")  # the document as printed
    printer.fill_toc(pages)  # the same in the loaded page: not loaded a second time
    return printer.print(html_file, load=False)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
