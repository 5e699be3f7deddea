"""The bpmn-js drawing page, and drawing through the run's print process.

The page and script that draw a BPMN XML with bpmn-js exist once, here: Chromium started by
:func:`kdworkbook.musterprozess.bpmn_bild.draw` uses them, and so does the print process of a
run (:mod:`kdworkbook.bericht.drucken`) in a page of its own beside its print page – with
JavaScript on for drawing, while the report is printed with JavaScript off. This module
imports only the standard library (the print process starts fast).

**Drawing through the print process**: the runner starts the print process when the check is
done, so its Chromium is up when the Musterprozess' kernel draws. The print process listens
on a Unix socket in a private folder (mode 0700) whose path the kernels get in
:data:`ENV_DRAWER`. One connection is one request: a line of JSON ``{key: [xml, name]}``; the
reply, a line of JSON, is one of

- ``{"zeichnungen": {key: {"svg": …, "shapes": […], "hinweise": […]}}}`` – drawn;
- ``{"eingabe": [message, …]}`` – a diagram the viewer cannot draw (:class:`InputError`);
- ``{"chromium": first line of the error, "browser": executable or null}`` – Chromium did not
  start in the print process (:class:`ReportError`, as :func:`start_failed` says it);
- ``{"fehler": text}`` – anything else: the kernel then draws in a Chromium of its own.
"""

from __future__ import annotations

import json
import os
import socket
from importlib import resources

from kdworkbook.bericht.browser import INSTALL_HINT
from kdworkbook.kern.errors import InputError, ReportError

BUNDLE = "data/bpmnjs/bpmn-viewer.production.min.js"
HEADERS = ("bpmn:Participant", "bpmn:Lane")  #: shapes whose names sit in the left band

ENV_DRAWER = "KDWORKBOOK_ZEICHNER"
"""Environment variable with the Unix socket of the run's print process that draws BPMN
diagrams; set by the runner in every kernel of a run, unset elsewhere."""

DRAWER_SOCKET = "zeichner.sock"
"""File name of that socket in the print process' private folder."""

DRAW_TIMEOUT_S = 120.0
"""Seconds a kernel waits for the print process' drawing (normally about one: Chromium may
still be starting); without a reply by then it draws in a Chromium of its own."""

REQUEST_TIMEOUT_S = 10.0
"""Seconds the print process waits for a connected kernel to send its request."""

PAGE = "<!DOCTYPE html><html><head><meta charset='utf-8'></head><body><div id='canvas' "
PAGE += "style='width:1600px;height:1000px'></div></body></html>"

RENDER_JS = """
async (xml) => {
  const viewer = new BpmnJS({ container: '#canvas' });
  try {
    const result = await viewer.importXML(xml);
    const registry = viewer.get('elementRegistry');
    const shapes = registry.filter(e => e.parent).map(e => {
      if (!e.waypoints) {
        return { id: e.id, type: e.type, x: e.x, y: e.y, width: e.width, height: e.height };
      }
      const xs = e.waypoints.map(p => p.x), ys = e.waypoints.map(p => p.y);
      const x = Math.min(...xs), y = Math.min(...ys);
      return { id: e.id, type: e.type, x, y, width: Math.max(...xs) - x,
               height: Math.max(...ys) - y, connection: true };
    });
    const { svg } = await viewer.saveSVG();
    return { svg, shapes, warnings: (result.warnings || []).map(w => String(w.message || w)) };
  } catch (error) {
    return { error: String(error.message || error) };
  } finally {
    viewer.destroy();
  }
}
"""


def bundle() -> str:
    """The bpmn-js viewer (package data)."""
    return resources.files("kdworkbook").joinpath(BUNDLE).read_text("utf-8")


def open_page(browser):
    """A page with the viewer loaded, in a context of its own (JavaScript on) of the running
    Playwright *browser*; closing its ``context`` closes it."""
    page = browser.new_context().new_page()
    page.set_content(PAGE)
    page.add_script_tag(content=bundle())
    return page


def draw_in(page, diagrams: dict[str, tuple[str, str]]) -> dict[str, dict]:
    """Draw key → (xml, file name for messages) in *page* (:func:`open_page`): key →
    ``{"svg", "shapes", "hinweise"}``. A file the viewer cannot import is an
    :class:`InputError` naming it; a diagram without any drawn shape is one too."""
    out = {}
    for key, (xml, name) in diagrams.items():
        result = page.evaluate(RENDER_JS, xml)
        if "error" in result:
            raise InputError(
                f"{name}: Das BPMN-Diagramm kann nicht gezeichnet werden – der "
                f"Viewer (bpmn-js) meldet: {result['error']}"
            )
        if not any(s["type"] not in HEADERS for s in result["shapes"]):
            raise InputError(
                f"{name}: Das BPMN-Diagramm enthält keine zeichenbaren Elemente "
                "(keine Koordinaten im Abschnitt „bpmndi“)."
            )
        out[key] = {
            "svg": result["svg"],
            "shapes": result["shapes"],
            "hinweise": result["warnings"],
        }
    return out


def start_failed(executable: str | None, first_line: str) -> ReportError:
    """The error when Chromium for the BPMN diagrams did not start (here or in the print
    process)."""
    return ReportError(
        f"Chromium ({executable or 'Playwright-Browser'}) konnte nicht gestartet werden, "
        f"die BPMN-Diagramme des Musterprozesses werden damit gezeichnet: {first_line}. "
        f"{INSTALL_HINT}"
    )


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else repr(exc)


# --- the kernel's side ---------------------------------------------------------------------------


def draw_served(diagrams: dict[str, tuple[str, str]]) -> dict[str, dict] | None:
    """*diagrams* drawn by the run's print process (see the module's text); None when there
    is none to ask – :data:`ENV_DRAWER` unset, the socket gone or not answering – or it did
    not draw them for another reason than the diagrams or Chromium."""
    path = os.environ.get(ENV_DRAWER)
    if not path:
        return None
    request = json.dumps({key: [xml, name] for key, (xml, name) in diagrams.items()})
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(DRAW_TIMEOUT_S)
            connection.connect(path)
            connection.sendall(request.encode("utf-8") + b"\n")
            connection.shutdown(socket.SHUT_WR)
            reply = json.loads(_read_line(connection) or "null")
    except (OSError, ValueError):  # no print process (any more), or it ended meanwhile
        return None
    if not isinstance(reply, dict):
        return None
    if "eingabe" in reply:
        raise InputError(reply["eingabe"])
    if "chromium" in reply:
        raise start_failed(reply.get("browser"), reply["chromium"])
    drawn = reply.get("zeichnungen")
    return drawn if isinstance(drawn, dict) and set(drawn) == set(diagrams) else None


def _read_line(connection: socket.socket) -> str:
    """One line from *connection* (without its end), or what came before the connection
    closed."""
    parts = []
    while True:
        chunk = connection.recv(1 << 16)
        if not chunk:
            break
        if b"\n" in chunk:
            parts.append(chunk.split(b"\n", 1)[0])
            break
        parts.append(chunk)
    return b"".join(parts).decode("utf-8")


# --- the print process' side ---------------------------------------------------------------------


class Drawer:
    """Answers drawing requests in the print process: :meth:`answer` one connection. The
    drawing page is opened at the first request (a run without a Musterprozess chapter
    never opens it); *failure* is why Chromium did not start, if it did not."""

    def __init__(self, browser, executable: str | None, failure: BaseException | None) -> None:
        self._browser = browser
        self._executable = executable
        self._failure = failure
        self._page = None

    def answer(self, connection: socket.socket) -> None:
        """Read one request from *connection*, draw, reply; a kernel that does not send its
        request in time or goes away meanwhile is given up."""
        try:
            connection.settimeout(REQUEST_TIMEOUT_S)
            request = json.loads(_read_line(connection))
            reply = self._reply({key: (xml, name) for key, (xml, name) in request.items()})
            connection.sendall(json.dumps(reply, ensure_ascii=False).encode("utf-8") + b"\n")
        except (OSError, ValueError, TypeError, AttributeError):
            pass
        finally:
            connection.close()

    def _reply(self, diagrams: dict[str, tuple[str, str]]) -> dict:
        if self._failure is not None:
            return {"chromium": first_line(self._failure), "browser": self._executable}
        try:
            if self._page is None:
                self._page = open_page(self._browser)
            return {"zeichnungen": draw_in(self._page, diagrams)}
        except InputError as exc:
            return {"eingabe": exc.messages}
        except Exception as exc:  # e.g. the page crashed: the kernel draws itself
            self.close()
            return {"fehler": first_line(exc)}

    def close(self) -> None:
        """Close the drawing page and its context (before printing: a renderer less)."""
        page, self._page = self._page, None
        if page is not None:
            try:
                page.context.close()
            except Exception:  # noqa: BLE001 – closing a crashed page: nothing left to free
                pass
