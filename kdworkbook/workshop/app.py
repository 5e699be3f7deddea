"""Workshop mode: the Maßnahmenentwicklung as a live ipywidgets app (JupyterLab or Voilà).

The room moves the weights of the criteria, the Geeignetheit threshold and the Zeitkontingent,
filters by Fachamt and quadrant, switches Musterprozess measures on and off – and sees the top-10
table, the portfolio and the Zeitplan update. „Übernehmen“ writes the chosen values into the
parameter file (:mod:`kdworkbook.workshop.rueckschreiben`); the next ``kdworkbook run`` uses them.
Figures come from :mod:`kdworkbook.workshop.modell`, i.e. from the report's own functions.

Start: ``kdworkbook workshop PARAMS`` (Voilà, see :mod:`kdworkbook.workshop.server`) or, in
JupyterLab, ``notebooks/workshop.ipynb``.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import time
from collections.abc import Callable
from pathlib import Path

import ipywidgets as w
import pandas as pd

from kdworkbook.bericht import anzeige
from kdworkbook.bestand.laden import demo_parameter_file, load_bestand
from kdworkbook.kern.errors import InputError
from kdworkbook.kern.formatierung import euro, prozent, zahl
from kdworkbook.kern.parameter import load_settings
from kdworkbook.massnahmen import kapitel as massnahmen_ansicht
from kdworkbook.massnahmen import priorisierung
from kdworkbook.massnahmen.einstellungen import AXIS_NAMES
from kdworkbook.musterprozess import kapitel as musterprozess_ansicht
from kdworkbook.workshop import modell
from kdworkbook.workshop.grafik import portfolio_svg
from kdworkbook.workshop.rueckschreiben import DateiGeaendert, file_sha256, write_decision

ENV_PARAMETER = "KDWORKBOOK_PARAMETER"
"""Environment variable with the parameter file when the CLI starts the app (Voilà)."""
ALLE = "alle"
WEIGHT_MAX, WEIGHT_STEP = 10.0, 0.5  # slider range of a criterion weight (raw, as in the file)

#: Large fonts for a projector; German labels; no code is ever shown.
CSS = """<style>
.kdw { font-size: 18px; }
.kdw .widget-label, .kdw .widget-readout, .kdw .widget-dropdown select, .kdw button,
.kdw textarea, .kdw .widget-html-content { font-size: 18px !important; }
.kdw h1 { font-size: 30px; margin: 0.2em 0; color: #1f4e79; }
.kdw h2 { font-size: 24px; margin: 0.6em 0 0.2em; color: #1f4e79; }
.kdw .kd-tabelle { font-size: 17px; }
.kdw .kd-wert { font-size: 26px; }
.kdw .kdw-portfolio { width: 100%; max-width: 900px; font-size: 20px; }
.kdw .kdw-portfolio .kdw-nr { font-size: 18px; }
.kdw .kdw-top10 { overflow-x: auto; }
.kdw .kdw-fehler { color: #a33a3a; font-weight: bold; }
.kdw .kdw-ok { color: #2e7d32; font-weight: bold; }
.kdw .kdw-klein { font-size: 15px; color: #444; }
</style>"""


def _slider_row(label: str, slider: w.Widget, show: Callable[[float], str]) -> w.HBox:
    """Label, slider without readout and a German readout (decimal comma)."""
    readout = w.Label(show(slider.value), layout=w.Layout(width="4em"))
    slider.observe(lambda change: setattr(readout, "value", show(change["new"])), "value")
    slider.layout = w.Layout(width="11em")
    name = w.HTML(html.escape(label), layout=w.Layout(width="15em"))  # wraps, never cut off
    return w.HBox([name, slider, readout], layout=w.Layout(align_items="center"))


class Workshop:
    """The loaded municipality, the current choices and the widgets showing them."""

    def __init__(self, parameter_file: Path | str) -> None:
        self.path = Path(parameter_file)
        self._load()
        self.mp = musterprozess_ansicht.load(self.ba)
        self.parts = modell.bundles(self.mp) if self.mp else []
        self.planung = None
        self._quiet = False
        self.last_timing: dict[str, float] = {}
        self._build()
        self.update()

    def _load(self) -> None:
        """Read the parameter file and the survey; remember the file's hash (read first, so a
        change while loading is seen as a change)."""
        self.loaded_sha256 = file_sha256(self.path)
        self.ba = load_bestand(self.path)
        self.settings = self.ba.settings
        self.base_table = modell.slim(massnahmen_ansicht.process_table(self.ba))
        self._tables: dict[int, pd.DataFrame] = {}
        self.present = set(priorisierung.criteria_matrix(self.base_table).columns)
        self._scored: tuple | None = None  # (inputs, (ranked, excluded)) of the last scoring
        self._planned: tuple | None = None  # (inputs, Planung) of the last plan

    # --- state ---------------------------------------------------------------------------

    def choice(self) -> modell.Selection:
        """The choices as the widgets show them, each in the precision of its step."""
        base = modell.initial_choices(self.settings)

        def value(slider: w.Widget, old: float) -> int | float:
            return modell.on_step(float(slider.value), slider.step, old)

        return modell.Selection(
            nutzen={k: value(s, base.nutzen[k]) for k, s in self.weights["nutzen"].items()},
            aufwand={k: value(s, base.aufwand[k]) for k, s in self.weights["aufwand"].items()},
            gewicht_nutzen=value(self.gewicht_nutzen, base.gewicht_nutzen),
            min_vorgaenge=int(self.min_vorgaenge.value),
            zeitkontingent=value(self.kontingent, base.zeitkontingent),
            fachamt=None if self.fachamt.value == ALLE else self.fachamt.value,
            quadrant=None if self.quadrant.value == ALLE else self.quadrant.value,
            musterprozess_aus=frozenset(g for g, box in self.bundle_boxes.items() if not box.value),
        )

    def table(self, threshold: int) -> pd.DataFrame:
        """Process table with the Geeignetheit of *threshold* (cached per value)."""
        if threshold not in self._tables:
            self._tables[threshold] = modell.with_threshold(
                self.base_table, self.ba.data, self.settings, threshold
            )
        return self._tables[threshold]

    # --- widgets ---------------------------------------------------------------------------

    def _build(self) -> None:
        s, base = self.settings, modell.initial_choices(self.settings)
        self.weights: dict[str, dict[str, w.FloatSlider]] = {"nutzen": {}, "aufwand": {}}
        rows: dict[str, list[w.Widget]] = {"nutzen": [], "aufwand": []}
        for axis in ("nutzen", "aufwand"):
            for key, value in getattr(base, axis).items():
                crit = priorisierung.BY_KEY[key]
                slider = w.FloatSlider(
                    value=value,
                    min=0,
                    max=max(WEIGHT_MAX, value),
                    step=WEIGHT_STEP,
                    readout=False,
                    continuous_update=False,
                    disabled=key not in self.present,
                    description_allow_html=False,
                )
                label = crit.label + ("" if key in self.present else " (keine Daten)")
                self.weights[axis][key] = slider
                rows[axis].append(_slider_row(label, slider, lambda v: zahl(v, 1)))
        self.gewicht_nutzen = w.FloatSlider(
            value=base.gewicht_nutzen,
            min=0,
            max=1,
            step=0.05,
            readout=False,
            continuous_update=False,
        )
        self.min_vorgaenge = w.IntSlider(
            value=base.min_vorgaenge,
            min=0,
            max=max(50, 2 * base.min_vorgaenge),
            step=1,
            readout=False,
            continuous_update=False,
        )
        self.kontingent = w.FloatSlider(
            value=base.zeitkontingent,
            min=5,
            max=max(200.0, 2 * base.zeitkontingent),
            step=5,
            readout=False,
            continuous_update=False,
        )
        fachaemter = sorted(self.base_table["fachamt"].dropna().astype(str).unique())
        self.fachamt = w.Dropdown(options=[ALLE, *fachaemter], value=ALLE)
        self.quadrant = w.Dropdown(options=[ALLE, *priorisierung.QUADRANTS], value=ALLE)
        self.bundle_boxes = {b.gruppe: w.Checkbox(value=True, indent=False) for b in self.parts}
        self.note = w.Textarea(
            placeholder="Notiz zum Beschluss (z. B. wer entschieden hat)",
            layout=w.Layout(width="40em", height="4em"),
        )
        self.reset_button = w.Button(
            description="Zurücksetzen", icon="undo", layout=w.Layout(width="12em", height="2.4em")
        )
        self.apply_button = w.Button(
            description="Übernehmen",
            button_style="primary",
            icon="check",
            layout=w.Layout(width="12em", height="2.4em"),
        )
        self.reload_button = w.Button(
            description="Neu laden",
            icon="refresh",
            layout=w.Layout(width="12em", height="2.4em", display="none"),
        )
        self.reset_button.on_click(lambda _b: self.reset())
        self.apply_button.on_click(lambda _b: self.apply())
        self.reload_button.on_click(lambda _b: self.reload())
        self.cards, self.top_html, self.chart_html = w.HTML(), w.HTML(), w.HTML()
        self.plan_html, self.mp_html, self.status = w.HTML(), w.HTML(), w.HTML()
        self.top_html.add_class("kdw-top10")
        self.status.add_class("kdw-status")
        for widget in self._inputs():
            widget.observe(lambda _c: self.update(), "value")

        pct = lambda v: prozent(v, 0)  # noqa: E731
        controls = w.VBox(
            [
                w.HTML(f"<h2>Gewichte {AXIS_NAMES['nutzen']}</h2>"),
                *rows["nutzen"],
                w.HTML(f"<h2>Gewichte {AXIS_NAMES['aufwand']}</h2>"),
                *rows["aufwand"],
                w.HTML("<h2>Priorität</h2>"),
                _slider_row("Anteil Nutzen (Rest: Umsetzbarkeit)", self.gewicht_nutzen, pct),
                w.HTML("<h2>Geeignetheit und Kapazität</h2>"),
                _slider_row("mind. Vorgänge pro Jahr (0 = aus)", self.min_vorgaenge, zahl),
                _slider_row("Zeitkontingent PT je Quartal", self.kontingent, zahl),
                w.HTML("<h2>Filter (nur Anzeige)</h2>"),
                w.HBox([w.Label("Fachamt", layout=w.Layout(width="8em")), self.fachamt]),
                w.HBox([w.Label("Quadrant", layout=w.Layout(width="8em")), self.quadrant]),
            ],
            layout=w.Layout(width="46%", padding="0 1em 0 0"),
        )
        results = w.VBox(
            [
                self.cards,
                w.HTML(f"<h2>Top {s.massnahmen.top_n}</h2>"),
                self.top_html,
                w.HTML("<h2>Portfolio</h2>"),
                self.chart_html,
            ],
            layout=w.Layout(width="54%"),
        )
        bundle_rows = [
            w.HBox([box, w.HTML(self._bundle_label(b))])
            for b, box in zip(self.parts, self.bundle_boxes.values(), strict=True)
        ]
        mp_section = (
            [
                w.HTML(
                    "<h2>Musterprozess: Maßnahmen je SOLL-Schritt</h2>"
                    f"<p class='kdw-klein'>{html.escape(self.mp.soll.name)} – je Bausteingruppe: "
                    "eingeschaltet ersetzen die SOLL-Schritte die IST-Schritte der Gruppe, "
                    "ausgeschaltet bleibt die Gruppe wie im IST.</p>"
                ),
                *bundle_rows,
                self.mp_html,
            ]
            if self.mp
            else []
        )
        self.widget = w.VBox(
            [
                w.HTML(CSS + f"<h1>Workshop Maßnahmenentwicklung – {html.escape(s.gemeinde)}</h1>"),
                w.HBox([controls, results]),
                w.HTML("<h2>Zeitplan</h2>"),
                self.plan_html,
                *mp_section,
                w.HTML("<h2>Beschluss</h2>"),
                self.note,
                w.HBox([self.reset_button, self.apply_button, self.reload_button]),
                self.status,
            ],
        )
        self.widget.add_class("kdw")

    def _inputs(self) -> list[w.Widget]:
        return [
            *self.weights["nutzen"].values(),
            *self.weights["aufwand"].values(),
            self.gewicht_nutzen,
            self.min_vorgaenge,
            self.kontingent,
            self.fachamt,
            self.quadrant,
            *self.bundle_boxes.values(),
        ]

    @staticmethod
    def _bundle_label(b: modell.Buendel) -> str:
        saved = b.ist_verwaltung - b.soll_verwaltung
        citizen = b.ist_buerger - b.soll_buerger
        return (
            f"<b>{html.escape(b.gruppe)}</b>: {html.escape(', '.join(b.soll_schritte) or '–')} "
            f"<span class='kdw-klein'>(Verwaltung {zahl(saved, 1)} Min./Fall, "
            f"Bürger {zahl(citizen, 1)} Min./Fall weniger)</span>"
        )

    # --- updates ---------------------------------------------------------------------------

    def update(self) -> None:
        """Re-score, redraw the top table and the chart, then re-plan the Zeitplan.

        The two halves send their widget values as soon as they are set, so the table and the
        chart change before the Zeitplan is recomputed; unchanged inputs are not recomputed.
        """
        if self._quiet:
            return
        start = time.perf_counter()
        choice = self.choice()
        try:
            ms = modell.chosen_settings(self.settings, choice)
            scored = self._score(choice, ms)
        except (ValueError, InputError) as exc:
            message = "; ".join(exc.messages) if isinstance(exc, InputError) else str(exc)
            self.status.value = f"<p class='kdw-fehler'>{html.escape(message)}</p>"
            return
        self.redraw_ranking(choice, scored[0], ms.top_n)
        ranking = time.perf_counter()
        self.redraw_plan(choice, scored, ms)
        self.last_timing = {"rangfolge": ranking - start, "gesamt": time.perf_counter() - start}
        if "kdw-fehler" in self.status.value:
            self.status.value = ""

    def _score(self, choice: modell.Selection, ms) -> tuple[pd.DataFrame, pd.DataFrame]:  # noqa: ANN001
        key = (repr(ms.gewichte), ms.gewicht_nutzen, choice.min_vorgaenge)
        if self._scored is None or self._scored[0] != key:
            self._scored = (key, modell.score(self.table(choice.min_vorgaenge), ms))
        return self._scored[1]

    def redraw_ranking(self, choice: modell.Selection, ranked: pd.DataFrame, top_n: int) -> None:
        """Top table and portfolio of the processes passing the filters."""
        view = modell.shown(ranked, choice.fachamt, choice.quadrant)
        self.top_html.value = anzeige.STYLE + anzeige.table_html(
            view.head(top_n), massnahmen_ansicht.RANK_COLUMNS
        )
        self.chart_html.value = portfolio_svg(view, ranked.attrs["schwellen"], top_n)

    def redraw_plan(self, choice: modell.Selection, scored: tuple, ms) -> None:  # noqa: ANN001
        """Key figures, Zeitplan and the Musterprozess savings."""
        key = (id(scored), ms.zeitkontingent_personentage)
        if self._planned is None or self._planned[0] != key:
            self._planned = (key, modell.plan_for(*scored, self.settings, ms))
        p = self.planung = self._planned[1]
        self.cards.value = anzeige.cards(
            {
                "Quick Wins": zahl(p.quick_wins),
                "geeignete Prozesse": zahl(len(p.ranked)),
                "Maßnahmen": zahl(len(p.measures)),
                "Einsparung pro Jahr": massnahmen_ansicht.saving(
                    p.kennzahlen, p.kennzahlen.einsparung_eur, euro
                ),
                "fertig bis": massnahmen_ansicht.finished(p),
            }
        ).data
        self.plan_html.value = anzeige.table_html(
            modell.schedule_by_process(p),
            {
                "rang": ("Rang", "int"),
                "bezeichnung": ("Prozess", "text"),
                "massnahmen": ("Maßnahmen", "text"),
                "aufwand_personentage": ("PT", "int"),
                "beginn": ("Beginn", "text"),
                "fertig": ("fertig", "text"),
            },
        )
        if self.mp:
            e = modell.musterprozess_savings(
                self.mp, self.parts, choice.musterprozess_aus, self.settings.jahresarbeitsstunden
            )
            self.mp_html.value = anzeige.cards(
                {
                    "Verwaltung Min./Fall weniger": zahl(e.minuten_je_fall, 1),
                    "Stunden pro Jahr": zahl(e.stunden_jahr),
                    "Einsparung pro Jahr": euro(e.eur_jahr),
                    "VZÄ": zahl(e.vzae, 2),
                    "Bürgerstunden pro Jahr": zahl(e.buerger_stunden_jahr),
                }
            ).data

    def top_names(self) -> list[str]:
        """Bezeichnungen of the top table as shown (for tests)."""
        choice, p = self.choice(), self.planung
        view = modell.shown(p.ranked, choice.fachamt, choice.quadrant)
        return list(view.head(p.settings.top_n)["bezeichnung"])

    def reset(self) -> None:
        """Back to the values of the parameter file (one update at the end)."""
        base = modell.initial_choices(self.settings)
        self._quiet = True
        try:
            for axis in ("nutzen", "aufwand"):
                for key, slider in self.weights[axis].items():
                    slider.max = max(slider.max, getattr(base, axis)[key])
                    slider.value = getattr(base, axis)[key]
            self.gewicht_nutzen.value = base.gewicht_nutzen
            self.min_vorgaenge.max = max(self.min_vorgaenge.max, base.min_vorgaenge)
            self.min_vorgaenge.value = base.min_vorgaenge
            self.kontingent.max = max(self.kontingent.max, base.zeitkontingent)
            self.kontingent.value = base.zeitkontingent
            self.fachamt.value = self.quadrant.value = ALLE
            for box in self.bundle_boxes.values():
                box.value = True
        finally:
            self._quiet = False
        self.update()
        self.status.value = "<p class='kdw-ok'>Werte der Parameterdatei wiederhergestellt.</p>"

    def reload(self) -> None:
        """Take the parameter file as it is on disk now (after a change elsewhere): survey,
        settings, hash; the sliders show the file's values."""
        try:
            self._load()
        except InputError as exc:
            self._error(exc.messages)
            return
        self.reload_button.layout.display = "none"
        self.reset()
        self.status.value = (
            "<p class='kdw-ok'>Neu geladen: die App zeigt den aktuellen Stand der "
            "Parameterdatei.</p>"
        )

    def _error(self, messages: list[str]) -> None:
        self.status.value = (
            "<p class='kdw-fehler'>" + "<br>".join(map(html.escape, messages)) + "</p>"
        )

    def apply(self, now: dt.datetime | None = None) -> Path | None:
        """Write the changed values and a log entry into the parameter file; returns the
        backup (None if nothing could be written – the status line says why).

        Refused when the file changed on disk since it was loaded; „Neu laden“ appears."""
        choice = self.choice()
        found = modell.changes(self.settings, choice)
        try:
            saved = write_decision(
                self.path,
                found,
                self.note.value,
                now or dt.datetime.now(),
                loaded_sha256=self.loaded_sha256,
            )
            self.loaded_sha256 = saved.sha256
            backup = saved.backup
            self.settings = load_settings(self.path)  # the new baseline of „Zurücksetzen“
        except DateiGeaendert as exc:
            self._error(exc.messages)
            self.reload_button.layout.display = None
            return None
        except InputError as exc:
            self._error(exc.messages)
            return None
        what = f"{zahl(len(found))} Wert(e) geändert" if found else "Werte bestätigt"
        self.status.value = (
            f"<p class='kdw-ok'>Übernommen: {what}, gespeichert in {html.escape(str(self.path))} "
            f"(Sicherung: {html.escape(backup.name)}). Der nächste „kdworkbook run“ verwendet "
            "diese Werte.</p>"
        )
        self.note.value = ""
        return backup


def app(parameter_file: Path | str | None = None) -> w.Widget:
    """The workshop widget for a notebook cell; the env variable ``KDWORKBOOK_PARAMETER``
    (set by ``kdworkbook workshop``) wins over *parameter_file*; neither = the demo. Bad input
    shows the German message instead of a traceback."""
    path = os.environ.get(ENV_PARAMETER) or parameter_file
    try:
        return Workshop(path or demo_parameter_file()).widget
    except InputError as exc:
        items = "".join(f"<li>{html.escape(m)}</li>" for m in exc.messages)
        return w.HTML(
            f"{CSS}<div class='kdw'><p class='kdw-fehler'>Fehler in der Eingabe:</p>"
            f"<ul>{items}</ul></div>"
        )


def benchmark_update(rows: int, repeats: int, part: str = "rangfolge") -> list[float]:
    """Seconds per weight change on a synthetic survey of *rows* processes (scripts/bench.py's
    generator); no browser involved.

    *part* ``rangfolge``: re-score + redraw of the top table and the portfolio (what the room
    sees move first); ``gesamt``: additionally the re-planned measures, Zeitplan and cards.
    """
    import sys
    import tempfile

    scripts = Path(__file__).resolve().parents[2] / "scripts"
    sys.path.insert(0, str(scripts))
    try:
        import bench
    finally:
        sys.path.remove(str(scripts))
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workshop(bench.synthetic_survey(Path(tmp), rows))
        slider = ws.weights["nutzen"]["jahresstunden"]
        samples = []
        for i in range(repeats):
            slider.value = 2.5 if i % 2 == 0 else 4.5  # each assignment triggers one update
            samples.append(ws.last_timing[part])
    return samples


__all__ = ["ENV_PARAMETER", "Workshop", "app", "benchmark_update"]
