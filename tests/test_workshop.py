"""Workshop mode: widget logic without a browser, write-back into the parameter file, and the
Voilà app driven by a real Chromium (Playwright)."""

from __future__ import annotations

import base64
import datetime as dt
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from kdworkbook.bericht.browser import CHROMIUM_ARGS, find_browser
from kdworkbook.bestand.laden import load_bestand
from kdworkbook.cli import main
from kdworkbook.kern.errors import InputError
from kdworkbook.kern.parameter import load_settings
from kdworkbook.massnahmen import kapitel as massnahmen_ansicht
from kdworkbook.workshop import modell as workshop_modell
from kdworkbook.workshop.app import Workshop
from kdworkbook.workshop.rueckschreiben import Change, write_decision
from kdworkbook.workshop.server import start_server

from .conftest import DEMO

SURVEY = (
    (
        "Fachamt;Bezeichnung;Vorgänge pro Jahr;Zeitlicher Aufwand in Minuten;"
        "Bearbeitende Stelle nach Stufe;Beteiligte Stellen;Rechtliche Besonderheiten vorhanden\n"
    )
    + """Amt 1;A;1000;6;1;1;0
Amt 1;B;10;1200;1;1;0
Amt 2;C;100;30;1;3;0
"""
)
PARAMS = """# Kleine Testkommune
gemeinde: Testdorf   # Name
bestand: bestand.csv
rahmen:
  wirtschaftlich_min_vorgaenge: 0   # Regel aus
massnahmen:
  gewichte:
    nutzen:
      jahresstunden: 1   # nur Stunden
      vorgaenge: 0
      personalkosten: 0
      zustaendigkeit: 0
      reifegrad_luecke: 0
      buergernachfrage: 0
    aufwand:
      beteiligte_stellen: 1
      rechtliche_besonderheiten: 0
      stufe: 0
  gewicht_nutzen: 0.5
  zeitkontingent_personentage: 60   # PT je Quartal
"""


@pytest.fixture
def small(tmp_path: Path) -> Path:
    (tmp_path / "bestand.csv").write_text(SURVEY, encoding="utf-8")
    path = tmp_path / "testdorf.yaml"
    path.write_text(PARAMS, encoding="utf-8")
    return path


@pytest.fixture
def demo_copy(tmp_path: Path) -> Path:
    """The demo parameter file with its data, in a temporary folder (the catalogue is the
    shipped one, so the copy needs nothing else)."""
    root = tmp_path
    shutil.copytree(DEMO.parent / "musterstadt", root / "musterstadt")
    target = root / DEMO.name
    shutil.copy2(DEMO, target)
    return target


# --- widget logic ---------------------------------------------------------------------------


def test_weight_slider_changes_top_entry(small):
    ws = Workshop(small)
    # Jahresstunden A 100, B 200, C 50 → log10(1+h) min–max: A 0,498, B 1, C 0; Aufwand
    # (Beteiligte 1/1/3): A 0, B 0, C 1. Priorität = 0,5·Nutzen + 0,5·(1 − Aufwand): B 1,0 first.
    assert ws.top_names() == ["B", "A", "C"]
    ws.weights["nutzen"]["vorgaenge"].value = 3
    # Vorgänge 1000/10/100 → A 1, B 0, C 0,4915. Nutzen = (1·Stunden + 3·Vorgänge)/4:
    # A (0,498 + 3)/4 = 0,8746, B 0,25, C 0,3686 → Priorität A 0,937, B 0,625, C 0,184
    assert ws.top_names() == ["A", "B", "C"]
    assert round(ws.planung.ranked.loc[0, "prioritaet"], 3) == 0.937


def test_geeignetheit_threshold_excludes(small):
    ws = Workshop(small)
    ws.min_vorgaenge.value = 20  # B has 10 Vorgänge → wirtschaftlich nicht geeignet
    assert ws.top_names() == ["A", "C"]
    assert list(ws.planung.excluded["bezeichnung"]) == ["B"]


def test_all_zero_weights_show_german_message(small):
    ws = Workshop(small)
    ws.weights["aufwand"]["beteiligte_stellen"].value = 0
    assert "Aufwand" in ws.status.value and "0" in ws.status.value
    assert ws.top_names() == ["B", "A", "C"]  # last valid result stays


def test_filters_capacity_and_reset(demo_copy):
    ws = Workshop(demo_copy)
    first = ws.top_names()
    finished = massnahmen_ansicht.finished(ws.planung)
    ws.quadrant.value = "Quick Win"
    shown = workshop_modell.shown(ws.planung.ranked, None, "Quick Win")
    assert ws.top_names() == list(shown.head(10)["bezeichnung"])
    ws.kontingent.value = 20  # a third of 60 PT per quarter: the plan ends later
    assert massnahmen_ansicht.finished(ws.planung) != finished
    ws.reset()
    assert ws.top_names() == first
    assert massnahmen_ansicht.finished(ws.planung) == finished


def test_musterprozess_bundles_add_up_to_the_chapter(demo_copy):
    ws = Workshop(demo_copy)
    assert "Medienwechsel" in ws.bundle_boxes
    assert "5.712\xa0€" in ws.mp_html.value  # chapter: 32 Min./Fall × 420 / 60 × 25,50 €
    ws.bundle_boxes["Medienwechsel"].value = False
    # without „Daten automatisch übernehmen“ the 8 minutes of typing stay:
    # (32 − 8) × 420 / 60 = 168 h × 25,50 € = 4.284 €
    assert "4.284\xa0€" in ws.mp_html.value and "168" in ws.mp_html.value


# --- Übernehmen: write-back ------------------------------------------------------------------


def test_uebernehmen_changes_only_the_intended_keys(demo_copy):
    before = demo_copy.read_text(encoding="utf-8")
    ws = Workshop(demo_copy)
    ws.weights["nutzen"]["jahresstunden"].value = 5
    ws.kontingent.value = 80
    ws.note.value = "Lenkungsgruppe, Workshop 1"
    ws.apply_button.click()
    after = demo_copy.read_text(encoding="utf-8")
    old, new = before.splitlines(), after.splitlines()
    changed = [(a, b) for a, b in zip(old, new, strict=False) if a != b]
    assert changed == [
        (
            "      jahresstunden: 3        # Arbeitslast = Vorgänge × Minuten (größte zuerst)",
            "      jahresstunden: 5        # Arbeitslast = Vorgänge × Minuten (größte zuerst)",
        ),
        (
            "  zeitkontingent_personentage: 60   # Personentage je Quartal für Digitalisierung",
            "  zeitkontingent_personentage: 80   # Personentage je Quartal für Digitalisierung",
        ),
    ]
    added = new[len(old) :]
    assert added[2:] == [
        "workshop:",
        "  beschluesse:",
        f"    - datum: {dt.date.today().isoformat()}",
        "      aenderungen:",
        '        - "massnahmen → gewichte → nutzen → jahresstunden: 3 → 5"',
        '        - "massnahmen → zeitkontingent_personentage: 60 → 80"',
        '      notiz: "Lenkungsgruppe, Workshop 1"',
    ]
    backups = list(demo_copy.parent.glob("musterstadt.yaml.*.bak"))
    assert len(backups) == 1 and backups[0].read_text(encoding="utf-8") == before
    settings = load_settings(demo_copy)
    assert settings.massnahmen.gewichte.nutzen["jahresstunden"] == 5
    assert settings.massnahmen.zeitkontingent_personentage == 80
    assert settings.workshop.letzter.notiz == "Lenkungsgruppe, Workshop 1"
    assert "Übernommen: 2 Wert(e) geändert" in ws.status.value
    # the report states the decision
    note = massnahmen_ansicht.workshop_note(load_bestand(demo_copy)).data
    assert f"im Workshop am {dt.date.today():%d.%m.%Y} beschlossen" in note
    assert "jahresstunden: 3 → 5" in note


def test_second_decision_is_appended_and_reset_uses_new_values(small):
    ws = Workshop(small)
    ws.weights["nutzen"]["vorgaenge"].value = 3
    ws.apply(now=dt.datetime(2026, 11, 28, 10, 30))
    ws.gewicht_nutzen.value = 0.6
    ws.apply(now=dt.datetime(2026, 11, 28, 10, 30))  # same second: a second backup name
    log = load_settings(small).workshop.beschluesse
    assert [b.aenderungen for b in log] == [
        ("massnahmen → gewichte → nutzen → vorgaenge: 0 → 3",),
        ("massnahmen → gewicht_nutzen: 0,5 → 0,6",),
    ]
    assert sorted(p.name for p in small.parent.glob("*.bak")) == [
        "testdorf.yaml.2026-11-28_103000-2.bak",
        "testdorf.yaml.2026-11-28_103000.bak",
    ]
    ws.gewicht_nutzen.value = 0.3
    ws.reset()  # back to the file, which now says 0,6 and vorgaenge 3
    assert ws.gewicht_nutzen.value == 0.6 and ws.weights["nutzen"]["vorgaenge"].value == 3


def test_missing_keys_are_inserted_into_their_section(small):
    write_decision(
        small,
        [Change(("massnahmen", "schwellen", "nutzen"), None, 0.4)],
        "",
        dt.datetime(2026, 11, 28, 10, 30),
    )
    text = small.read_text(encoding="utf-8")
    assert (
        "  zeitkontingent_personentage: 60   # PT je Quartal\n  schwellen:\n    nutzen: 0.4\n"
        in (text)
    )
    assert load_settings(small).massnahmen.schwellen.nutzen == 0.4


def test_invalid_result_leaves_the_file_untouched(small):
    before = small.read_text(encoding="utf-8")
    with pytest.raises(InputError) as info:
        write_decision(
            small, [Change(("massnahmen", "gewicht_nutzen"), 0.5, 1.5)], "x", dt.datetime.now()
        )
    assert "nichts geändert" in info.value.messages[0]
    assert any("gewicht_nutzen" in m for m in info.value.messages)
    assert small.read_text(encoding="utf-8") == before
    assert not list(small.parent.glob("*.bak")) and not list(small.parent.glob(".*.tmp"))


def test_bad_log_entry_is_refused(small):
    small.write_text(PARAMS + "workshop:\n  beschluesse:\n    - datum: gestern\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_settings(small)
    assert "„workshop → beschluesse → 1 → datum“" in info.value.messages[0]


def test_cli_workshop_missing_file(capsys, tmp_path):
    assert main(["workshop", str(tmp_path / "fehlt.yaml")]) == 2
    assert "Parameterdatei nicht gefunden" in capsys.readouterr().err


# --- real browser -----------------------------------------------------------------------------


def _top_table_text(page) -> str:
    return page.locator(".kdw-top10").inner_text(timeout=30_000)


def _first_process(page) -> str:
    return page.locator(".kdw-top10 tbody tr").first.locator("td").nth(1).inner_text().strip()


def test_voila_app_in_chromium(small, tmp_path):
    from playwright.sync_api import sync_playwright

    before = small.read_text(encoding="utf-8")
    started = time.monotonic()
    server = start_server(small)
    try:
        assert server.url.startswith("http://127.0.0.1:")
        with sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                str(tmp_path / "profil"),
                executable_path=find_browser(),
                headless=True,
                args=CHROMIUM_ARGS,
                viewport={"width": 1400, "height": 1000},
            )
            try:
                page = context.new_page()
                page.set_default_timeout(60_000)
                page.goto(server.url, timeout=120_000)
                page.wait_for_selector(".kdw-top10 table", timeout=120_000)
                first = _top_table_text(page)
                assert _first_process(page) == "B"  # B leads (see the unit test)
                # second Nutzen slider = „Fallzahl“ (vorgaenge), 0 → 3 in steps of 0,5
                handle = page.locator(".widget-slider .noUi-handle").nth(1)
                handle.focus()
                for _ in range(6):
                    page.keyboard.press("ArrowRight")
                try:  # each key press is one update; wait until the last one has arrived
                    page.wait_for_function(
                        "() => document.querySelector('.kdw-top10 tbody tr td:nth-child(2)')"
                        ".innerText.trim() === 'A'",
                        timeout=60_000,
                    )
                finally:
                    page.screenshot(path=str(tmp_path / "workshop.png"), full_page=True)
                assert _top_table_text(page) != first
                page.get_by_role("button", name="Übernehmen").click()
                page.wait_for_selector(".kdw-status .kdw-ok", timeout=30_000)
                page.screenshot(path=str(tmp_path / "workshop.png"), full_page=True)
            finally:
                context.close()
    finally:
        server.stop()
    assert server.process.poll() is not None
    after = small.read_text(encoding="utf-8")
    assert after != before and "vorgaenge: 3" in after
    assert load_settings(small).massnahmen.gewichte.nutzen["vorgaenge"] == 3
    assert (tmp_path / "workshop.png").stat().st_size > 10_000
    print(f"Browser-Test: {time.monotonic() - started:.1f} s")


# --- Übernehmen: precision, minimal diff, concurrent edits, failed saves ----------------------

MIN_COMMENT = "# weniger Vorgänge pro Jahr = wirtschaftlich nicht geeignet"
# What a browser sends after moving a slider: the steps are added in binary floating point.
WIDGET_CASES = [
    pytest.param(
        lambda ws: ws.weights["nutzen"]["vorgaenge"],
        2.0000000000000004,  # FloatSlider, step 0,5
        (
            "      vorgaenge: 1            # Fallzahl: viele Bürgerkontakte",
            "      vorgaenge: 2            # Fallzahl: viele Bürgerkontakte",
        ),
        "massnahmen → gewichte → nutzen → vorgaenge: 1 → 2",
        id="gewicht",
    ),
    pytest.param(
        lambda ws: ws.gewicht_nutzen,
        0.55000000000000004,  # FloatSlider, step 0,05
        (
            "  gewicht_nutzen: 0.5         # Prioritätswert = 0,5 × Nutzen + 0,5 × (1 − Aufwand)",
            "  gewicht_nutzen: 0.55        # Prioritätswert = 0,5 × Nutzen + 0,5 × (1 − Aufwand)",
        ),
        "massnahmen → gewicht_nutzen: 0,5 → 0,55",
        id="anteil-nutzen",
    ),
    pytest.param(
        lambda ws: ws.min_vorgaenge,
        3,  # IntSlider, step 1
        (
            f"  wirtschaftlich_min_vorgaenge: 2   {MIN_COMMENT}",
            f"  wirtschaftlich_min_vorgaenge: 3   {MIN_COMMENT}",
        ),
        "rahmen → wirtschaftlich_min_vorgaenge: 2 → 3",
        id="mindestvorgaenge",
    ),
    pytest.param(
        lambda ws: ws.kontingent,
        80.00000000000001,  # FloatSlider, step 5
        (
            "  zeitkontingent_personentage: 60   # Personentage je Quartal für Digitalisierung",
            "  zeitkontingent_personentage: 80   # Personentage je Quartal für Digitalisierung",
        ),
        "massnahmen → zeitkontingent_personentage: 60 → 80",
        id="zeitkontingent",
    ),
]


@pytest.mark.parametrize(("widget", "sent", "line", "logged"), WIDGET_CASES)
def test_uebernehmen_diff_per_widget(demo_copy, widget, sent, line, logged):
    before = demo_copy.read_text(encoding="utf-8").splitlines()
    ws = Workshop(demo_copy)
    widget(ws).value = sent
    ws.apply(now=dt.datetime(2026, 11, 28, 10, 30))
    after = demo_copy.read_text(encoding="utf-8").splitlines()
    # line by line: exactly the one key changed (the two-line „fachaemter: [...]“ untouched)
    changed = [(a, b) for a, b in zip(before, after, strict=False) if a != b]
    assert changed == [line]
    assert after[len(before) :] == [
        "",
        "# Beschlüsse aus dem Workshop (kdworkbook workshop, Knopf „Übernehmen“), neueste zuletzt.",
        "workshop:",
        "  beschluesse:",
        "    - datum: 2026-11-28",
        "      aenderungen:",
        f'        - "{logged}"',
        '      notiz: ""',
    ]
    value = load_settings(demo_copy)
    written = {
        "gewicht": value.massnahmen.gewichte.nutzen["vorgaenge"],
        "anteil-nutzen": value.massnahmen.gewicht_nutzen,
        "mindestvorgaenge": value.rahmen.wirtschaftlich_min_vorgaenge,
        "zeitkontingent": value.massnahmen.zeitkontingent_personentage,
    }
    assert round(sent, 2) in written.values()


def test_on_step_keeps_type_and_precision():
    assert workshop_modell.on_step(80.00000000000001, 5, 60.0) == 80
    assert isinstance(workshop_modell.on_step(80.00000000000001, 5, 60.0), int)
    assert isinstance(workshop_modell.on_step(2.0, 0.5, 1.0), int)
    assert workshop_modell.on_step(2.5, 0.5, 1.0) == 2.5
    assert workshop_modell.on_step(0.55000000000000004, 0.05, 0.5) == 0.55
    # the file's own value stays as it is, even with more decimals than the step
    assert workshop_modell.on_step(0.333, 0.05, 0.333) == 0.333


def test_file_changed_on_disk_is_refused_then_reloaded(small):
    ws = Workshop(small)
    # the analyst edits the file by hand while the app is open
    edited = small.read_text(encoding="utf-8").replace(
        "zeitkontingent_personentage: 60", "zeitkontingent_personentage: 40"
    )
    small.write_text(edited, encoding="utf-8")
    ws.weights["nutzen"]["vorgaenge"].value = 3
    assert ws.apply(now=dt.datetime(2026, 11, 28, 10, 30)) is None
    assert "wurde geändert, seit die App sie geladen hat" in ws.status.value
    assert "Neu laden" in ws.status.value and ws.reload_button.layout.display is None
    assert small.read_text(encoding="utf-8") == edited  # nothing overwritten
    assert not list(small.parent.glob("*.bak")) and not list(small.parent.glob(".*.tmp"))
    ws.reload_button.click()
    assert ws.kontingent.value == 40 and ws.weights["nutzen"]["vorgaenge"].value == 0
    assert ws.reload_button.layout.display == "none"
    ws.weights["nutzen"]["vorgaenge"].value = 3
    assert ws.apply(now=dt.datetime(2026, 11, 28, 10, 31)) is not None
    s = load_settings(small).massnahmen
    assert s.zeitkontingent_personentage == 40 and s.gewichte.nutzen["vorgaenge"] == 3


def test_two_tabs_one_after_the_other_never_lose_an_update(small):
    first, second = Workshop(small), Workshop(small)  # two browser tabs, two kernels
    first.weights["nutzen"]["vorgaenge"].value = 2
    assert first.apply(now=dt.datetime(2026, 11, 28, 10, 30)) is not None
    second.gewicht_nutzen.value = 0.7
    assert second.apply(now=dt.datetime(2026, 11, 28, 10, 31)) is None  # refused
    assert load_settings(small).massnahmen.gewicht_nutzen == 0.5
    second.reload()  # sees the first tab's change
    assert second.weights["nutzen"]["vorgaenge"].value == 2
    second.gewicht_nutzen.value = 0.7
    assert second.apply(now=dt.datetime(2026, 11, 28, 10, 32)) is not None
    s = load_settings(small)
    assert s.massnahmen.gewichte.nutzen["vorgaenge"] == 2 and s.massnahmen.gewicht_nutzen == 0.7
    assert [b.aenderungen for b in s.workshop.beschluesse] == [
        ("massnahmen → gewichte → nutzen → vorgaenge: 0 → 2",),
        ("massnahmen → gewicht_nutzen: 0,5 → 0,7",),
    ]


def test_two_tabs_at_the_same_moment_one_wins(small):
    tabs = [Workshop(small), Workshop(small)]
    tabs[0].weights["nutzen"]["vorgaenge"].value = 2
    tabs[1].gewicht_nutzen.value = 0.7
    barrier = threading.Barrier(2)
    results: dict[int, object] = {}

    def press(i: int) -> None:
        barrier.wait()
        results[i] = tabs[i].apply(now=dt.datetime(2026, 11, 28, 10, 30))

    threads = [threading.Thread(target=press, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [i for i, backup in results.items() if backup is not None]
    assert len(winners) == 1
    loser = tabs[1 - winners[0]]
    assert "wurde geändert, seit die App sie geladen hat" in loser.status.value
    s = load_settings(small)
    assert len(s.workshop.beschluesse) == 1
    kept = (s.massnahmen.gewichte.nutzen["vorgaenge"], s.massnahmen.gewicht_nutzen)
    assert kept == ((2, 0.5) if winners == [0] else (0, 0.7))


# A failed save, made for real in a private mount namespace (``unshare``): a read-only folder
# and a full disk (tmpfs). The app runs in the child process and reports its status line.
FAILED_SAVE = r"""
import datetime as dt, json, os, shutil, sys
from pathlib import Path
from kdworkbook.workshop.app import Workshop
folder, how = Path(sys.argv[1]), sys.argv[2]
ws = Workshop(folder / "testdorf.yaml")
before = (folder / "testdorf.yaml").read_bytes()
if how == "voll":
    fd = os.open(folder / "fueller", os.O_WRONLY | os.O_CREAT)
    for size in (65536, 4096, 1):
        try:
            while True:
                os.write(fd, b"x" * size)
        except OSError:
            pass
    os.close(fd)
ws.weights["nutzen"]["vorgaenge"].value = 3
backup = ws.apply(now=dt.datetime(2026, 11, 28, 10, 30))
print(json.dumps({
    "backup": None if backup is None else str(backup),
    "status": ws.status.value,
    "unchanged": (folder / "testdorf.yaml").read_bytes() == before,
    "left": sorted(p.name for p in folder.iterdir()),
}))
"""


@pytest.mark.parametrize(
    ("how", "mount", "reason"),
    [
        (
            "schreibgeschuetzt",
            "mount --bind {d} {d} && mount -o remount,bind,ro {d}",
            "liegt auf einem schreibgeschützten Laufwerk",
        ),
        (
            "voll",
            "cp -a {d} {d}.inhalt && mount -t tmpfs -o size=256k tmpfs {d} "
            "&& cp -a {d}.inhalt/. {d}",
            "der Datenträger ist voll",
        ),
    ],
)
def test_failed_save_shows_german_message(small, tmp_path, how, mount, reason):
    folder = small.parent
    script = tmp_path.parent / f"{tmp_path.name}_speichern.py"
    script.write_text(FAILED_SAVE, encoding="utf-8")
    command = f"{mount.format(d=folder)} && exec {sys.executable} {script} {folder} {how}"
    done = subprocess.run(
        ["unshare", "-rm", "sh", "-c", command], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["backup"] is None and result["unchanged"]
    assert "Speichern nicht möglich" in result["status"] and reason in result["status"]
    assert "kdw-fehler" in result["status"]
    assert not [n for n in result["left"] if n.endswith((".bak", ".tmp"))]


# --- the server: token, host, origin, busy port -----------------------------------------------


def _request(port: int, path: str, headers: dict[str, str] | None = None):
    """A raw HTTP request, as a script on a foreign web page (or curl) would send it."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheader("Set-Cookie") or "", response.read()
    finally:
        connection.close()


def _upgrade(port: int, path: str, headers: dict[str, str]) -> int:
    """Status of a websocket handshake (101 = switched protocols)."""
    key = base64.b64encode(os.urandom(16)).decode()
    handshake = {
        "Connection": "Upgrade",
        "Upgrade": "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": key,
        **headers,
    }
    return _request(port, path, handshake)[0]


def test_server_needs_token_local_host_and_local_origin(small):
    server = start_server(small)
    try:
        url = urlsplit(server.url)
        port, token = url.port, parse_qs(url.query)["token"][0]
        assert server.url == f"http://127.0.0.1:{port}/?token={token}" and len(token) >= 40
        local = {"Host": f"127.0.0.1:{port}"}
        assert _request(port, "/", local)[0] == 403  # no token
        assert _request(port, "/?token=falsch", local)[0] == 403
        assert _request(port, "/voila/static/voila.js", local)[0] == 403
        evil = {"Host": f"evil.example:{port}"}  # DNS rebinding
        assert _request(port, f"/?token={token}", evil)[0] == 403
        foreign = {**local, "Origin": "http://evil.example"}
        assert _request(port, f"/?token={token}", foreign)[0] == 403
        status, cookie, page = _request(port, f"/?token={token}", {"Host": f"localhost:{port}"})
        assert status == 200 and token in cookie and "HttpOnly" in cookie
        kernel = re.search(rb'"kernelId": "([0-9a-f-]{36})"', page).group(1).decode()
        channels = f"/api/kernels/{kernel}/channels"
        with_cookie = {**local, "Cookie": cookie.split(";")[0]}
        own = f"http://127.0.0.1:{port}"
        assert _upgrade(port, channels, {**with_cookie, "Origin": "http://evil.example"}) == 403
        assert _upgrade(port, channels, {**evil, "Cookie": cookie.split(";")[0]}) == 403
        assert _upgrade(port, channels, {**local, "Origin": own}) == 403  # no token
        assert _upgrade(port, channels, {**with_cookie, "Origin": own}) == 101
    finally:
        server.stop()


def test_busy_port_is_named_and_not_served(small, capsys):
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        assert main(["workshop", str(small), "--port", str(port)]) == 2
    out, err = capsys.readouterr()
    assert f"Port {port} ist bereits belegt" in err
    assert "Workshop läuft" not in out and "http://" not in out
