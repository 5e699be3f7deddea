"""``praesentation.pptx``: the report's results as editable slides for the client.

The figures are the objects the report shows (the Bestandsaufnahme, the duties of the
Rahmenbedingungen, the one :class:`~kdworkbook.massnahmen.plan.Planung` of the run, the
Musterprozess, the Beschlussvorlage). Bar, column and XY charts are native PowerPoint charts
(editable, with their data); the Gantt chart is a picture of the report's matplotlib figure,
the BPMN diagrams pictures of the report's bpmn-js drawing (one slide per row). Every slide's
notes name its sources. Text is at least :data:`MIN_PT` points (the diagrams' labels: see
:data:`DIAGRAM_TOP`).
"""

from __future__ import annotations

import concurrent.futures
import html
import io
import threading
from pathlib import Path
from typing import Any

import pandas as pd
from pptx.chart.data import CategoryChartData, XyChartData
from pptx.enum.chart import XL_CHART_TYPE, XL_MARKER_STYLE
from pptx.enum.text import PP_ALIGN
from pptx.util import Inches

from kdworkbook.bericht import anzeige, grafiken
from kdworkbook.bericht.folien import GREY, HEIGHT, MARGIN, WIDTH, Deck, logo_png, rgb
from kdworkbook.bestand import kennzahlen as bestand
from kdworkbook.bestand.laden import Bestandsaufnahme
from kdworkbook.kern import defaults
from kdworkbook.kern.formatierung import datum, euro, zahl
from kdworkbook.massnahmen import kapitel as massnahmen_ansicht
from kdworkbook.massnahmen.grafiken import quadrant_colours
from kdworkbook.massnahmen.plan import Planung
from kdworkbook.musterprozess import bpmn_bild

FILE_NAME = "praesentation.pptx"
#: Rows of the top list and of the measures table (the full lists are in the report).
TOP_ROWS = 10
#: Bars of the hours per Fachamt that stay legible on a slide (the report lists all).
FACHAMT_BARS = 15
#: The report's Gantt chart (A4 width, one row per measure) redrawn at this size (inches)
#: for the 16:9 slide: shown 1,04 × larger (5,6 in high), its 8,5-pt labels read 8,8 pt and
#: single-row processes' labels do not touch (the full chart is in the report).
GANTT_SLIDE_IN = (9.6, 5.4)
#: Top of a BPMN diagram on its slide: as high as the slide allows, since a diagram's height
#: (pool and lanes) sets its scale – the demo's IST (529 units high) gets 0,78 pt per unit,
#: bpmn-js' 12-px labels 9,3 pt and its 11-px outside labels 8,5 pt on a 13,3-inch slide
#: (printed in the report: 8,0 and 7,4 pt on A4).
DIAGRAM_TOP = Inches(1.25)


def _sources(ba: Bestandsaufnahme) -> str:
    s = ba.settings
    files = ", ".join(path.name for path in ba.survey.files)
    assumed = [
        f"{key} = {zahl(getattr(s, key), 1 if key == 'pareto_anteil' else 0)}"
        for key in ("jahresarbeitsstunden", "pareto_anteil")
        if key not in s.model_fields_set
    ]
    if "stundensaetze" not in s.model_fields_set:
        assumed.append("stundensaetze (" + defaults.LOHNKOSTEN_QUELLE + ")")
    rates = ", ".join(f"{k.replace('_', ' ')} {euro(v, 2)}/h" for k, v in s.stundensaetze.items())
    text = (
        f"Quellen: Bestandserhebung ({files}), Stichtag {datum(s.stichtag)}; Stundensätze "
        f"{rates}; "
        f"Jahresarbeitsstunden je VZÄ: {zahl(s.jahresarbeitsstunden)}."
    )
    if assumed:
        text += " Standardwerte der Arbeitsmappe (nicht in der Parameterdatei): "
        text += "; ".join(assumed) + "."
    return text


def _title(d: Deck) -> None:
    s = d.ba.settings
    slide = d.prs.slides.add_slide(d.blank)
    band = slide.shapes.add_shape(1, 0, 0, Inches(0.35), HEIGHT)
    band.fill.solid()
    band.fill.fore_color.rgb = d.primary
    band.line.fill.background()
    d.text(slide, Inches(1.2), Inches(2.0), Inches(10), Inches(0.6), s.gemeinde, 24, colour=GREY)
    d.text(
        slide,
        Inches(1.2),
        Inches(2.7),
        Inches(11),
        Inches(1.2),
        "Digitalisierungsstrategie",
        44,
        True,
        d.primary,
    )
    d.text(
        slide,
        Inches(1.2),
        Inches(3.9),
        Inches(11),
        Inches(0.6),
        f"Ergebnisse der Strategie-Arbeitsmappe · Stand {datum(s.stichtag)}",
        20,
        colour=GREY,
    )
    d.text(
        slide,
        Inches(1.2),
        HEIGHT - Inches(0.9),
        Inches(10),
        Inches(0.5),
        d.footer,
        14,
        colour=GREY,
    )
    if d.logo is not None:
        slide.shapes.add_picture(
            io.BytesIO(logo_png(d.logo, d.logo_daten)),
            WIDTH - Inches(3.4),
            Inches(0.5),
            height=Inches(1.2),
        )
    slide.notes_slide.notes_text_frame.text = _sources(d.ba)


def _key_figures(d: Deck) -> None:
    ba, k = d.ba, d.ba.key_figures
    slide = d.slide("Kennzahlen der Bestandsaufnahme", _sources(ba))
    d.cards(
        slide,
        {
            "Prozesse": zahl(k.prozesse),
            "Fachämter": zahl(k.fachaemter),
            "Vorgänge pro Jahr": zahl(k.vorgaenge),
            "Jahresstunden": zahl(k.stunden),
            "Personalkosten pro Jahr": euro(k.kosten_eur),
            "Vollzeitäquivalente": zahl(k.vzae, 1),
        },
        top=Inches(1.6),
        columns=2,
        total=Inches(5.9),
    )
    totals = bestand.by_fachamt(ba.data)
    heading = "Jahresstunden je Fachamt"
    if len(totals) > FACHAMT_BARS:
        heading = f"Jahresstunden der {FACHAMT_BARS} größten von {zahl(len(totals))} Fachämtern"
        totals = totals.head(FACHAMT_BARS)
    totals = totals.iloc[::-1]  # the largest on top
    data = CategoryChartData(number_format="#,##0")
    data.categories = list(totals["fachamt"])
    data.add_series("Jahresstunden", [round(float(v)) for v in totals["jahresstunden"]])
    chart = d.chart(
        slide,
        XL_CHART_TYPE.BAR_CLUSTERED,
        data,
        (Inches(6.8), Inches(1.4), Inches(5.9), Inches(5.5)),
    )
    chart.has_title = True
    chart.chart_title.text_frame.text = heading
    d.colour_series(chart, [d.primary])


def _duties(d: Deck) -> None:
    from kdworkbook.rahmen import bedingungen as rahmen
    from kdworkbook.rahmen import pflichten

    table = rahmen.duties(d.ba)
    counts = pflichten.status_counts(table)
    slide = d.slide(
        "Pflichten: Stand am Stichtag",
        "Quellen: Pflichtenkatalog der Arbeitsmappe (OZG, EGovG NRW, Landesrecht; Fassung im "
        f"Paket), Stand der Umsetzung aus der Parameterdatei; Stichtag "
        f"{datum(d.ba.settings.stichtag)}.",
    )
    d.cards(
        slide,
        {
            "Pflichten in Kraft": zahl(len(table)),
            "überfällig": zahl(int(table["ueberfaellig"].sum())),
            "erfüllt": zahl(counts["erfüllt"]),
            "teilweise": zahl(counts["teilweise"]),
            "offen": zahl(counts["offen"]),
            "Stand nicht erhoben": zahl(counts["unbekannt"]),
        },
    )
    overdue = table[table["ueberfaellig"].astype(bool)].head(4)
    if len(overdue):
        rows = [
            [str(r.paragraph), str(r.beschreibung), str(r.frist_text), str(r.status)]
            for r in overdue.itertuples()
        ]
        d.table(
            slide,
            ["Vorschrift", "überfällige Pflicht", "Frist", "Stand"],
            rows,
            top=Inches(4.2),
            widths=[2, 7, 2, 1.5],
        )


def _pareto(d: Deck) -> None:
    ba = d.ba
    share = ba.settings.pareto_anteil
    ordered = bestand.pareto(ba.data)
    count = bestand.pareto_count(ba.data, share)
    slide = d.slide(
        "Pareto-Analyse der Jahresstunden",
        _sources(ba) + f" Pareto-Anteil: {zahl(share * 100)} % (Parameter pareto_anteil).",
    )
    d.text(
        slide,
        MARGIN,
        Inches(1.4),
        Inches(12),
        Inches(0.6),
        f"{zahl(count)} von {zahl(len(ordered))} Prozessen verursachen "
        f"{zahl(share * 100)} % der Jahresstunden.",
        20,
    )
    step = max(1, len(ordered) // 400)  # an editable chart stays light with any survey
    thin = ordered.iloc[list(range(0, len(ordered), step)) + [len(ordered) - 1]]
    thin = thin[~thin.index.duplicated()]
    data = XyChartData()
    series = data.add_series("kumulierter Anteil der Jahresstunden", number_format="0%")
    for rank, cum in zip(thin["rang"], thin["kum_anteil"], strict=True):
        series.add_data_point(int(rank), round(float(cum), 4))
    chart = d.chart(
        slide,
        XL_CHART_TYPE.XY_SCATTER_LINES_NO_MARKERS,
        data,
        (MARGIN, Inches(2.1), Inches(12), Inches(4.8)),
    )
    chart.value_axis.maximum_scale = 1.0
    chart.value_axis.tick_labels.number_format = "0 %"
    chart.value_axis.tick_labels.number_format_is_linked = False
    chart.category_axis.has_title = True
    chart.category_axis.axis_title.text_frame.text = "Prozesse, nach Jahresstunden absteigend"
    chart.plots[0].series[0].format.line.color.rgb = d.accent


def _portfolio(d: Deck, p: Planung) -> None:
    slide = d.slide(
        "Portfolio: Nutzen und Aufwand",
        "Quellen: Priorisierung der Maßnahmenentwicklung (Gewichte und Schwellen aus der "
        "Parameterdatei bzw. den Voreinstellungen der Arbeitsmappe); " + _sources(d.ba),
    )
    data = XyChartData()
    names = list(dict.fromkeys(p.ranked["quadrant"]))
    longest = int(p.ranked["quadrant"].value_counts().max()) if len(p.ranked) else 0
    for name in names:
        part = p.ranked[p.ranked["quadrant"] == name]
        series = data.add_series(f"{name} ({zahl(len(part))})", number_format="0.00")
        for x, y in zip(part["aufwand"], part["nutzen"], strict=True):
            series.add_data_point(round(float(x), 4), round(float(y), 4))
        # series of unequal length: LibreOffice drops the first one; empty points even them
        for _ in range(longest - len(part)):
            series.add_data_point(None, None)
    chart = d.chart(
        slide,
        XL_CHART_TYPE.XY_SCATTER,
        data,
        (MARGIN, Inches(1.3), Inches(12), Inches(5.6)),
        legend=True,
    )
    colours = quadrant_colours(d.ba.settings.gestaltung.primaerfarbe or grafiken.DEFAULT_PRIMARY)
    for name, series in zip(names, chart.plots[0].series, strict=True):
        series.marker.style = XL_MARKER_STYLE.CIRCLE
        series.marker.size = 9
        colour = rgb(colours.get(name, grafiken.DEFAULT_PRIMARY))
        series.marker.format.fill.solid()
        series.marker.format.fill.fore_color.rgb = colour
        series.marker.format.line.color.rgb = colour
    for axis, title in ((chart.category_axis, "Aufwand"), (chart.value_axis, "Nutzen")):
        axis.has_title = True
        axis.axis_title.text_frame.text = title
        axis.minimum_scale, axis.maximum_scale = 0.0, 1.0


def _top(d: Deck, p: Planung) -> None:
    slide = d.slide(
        f"Die {zahl(min(TOP_ROWS, len(p.ranked)))} wichtigsten Prozesse",
        "Rangfolge nach Priorität (Nutzen und Aufwand gewichtet); " + _sources(d.ba),
    )
    rows = [
        [
            zahl(r.rang),
            str(r.bezeichnung),
            str(r.fachamt),
            zahl(r.jahresstunden),
            zahl(r.prioritaet, 2),
            str(r.quadrant),
        ]
        for r in p.ranked.head(TOP_ROWS).itertuples()
    ]
    d.table(
        slide,
        ["Rang", "Prozess", "Fachamt", "Jahresstunden", "Priorität", "Quadrant"],
        rows,
        widths=[1, 6, 3, 2, 1.6, 2],
    )


def _measures(d: Deck, p: Planung) -> None:
    k = p.kennzahlen
    slide = d.slide(
        "Maßnahmen",
        "Kosten, Aufwand und Wirkung je Maßnahmentyp aus der Parameterdatei bzw. den "
        "Voreinstellungen der Arbeitsmappe (Annahmen sind im Bericht gekennzeichnet); "
        + _sources(d.ba),
    )
    d.cards(
        slide,
        {
            "Maßnahmen": zahl(k.massnahmen),
            # as the report's card: „mindestens …“ or „nicht berechenbar“ with gaps
            "Einsparung pro Jahr": massnahmen_ansicht.saving(k, k.einsparung_eur, euro),
            "Einmalkosten": euro(k.einmalkosten_eur),
        },
        top=Inches(1.35),
    )
    if not k.einsparung_vollstaendig:
        n = len(k.ohne_einsparung)
        d.text(
            slide,
            MARGIN,
            Inches(2.38),
            WIDTH - 2 * MARGIN,
            Inches(0.35),
            f"Einsparung ohne {zahl(n)} {'Prozess' if n == 1 else 'Prozesse'} ohne berechenbare "
            "Einsparung (Liste im Bericht unter dem Maßnahmenplan).",
            12,
            colour=GREY,
        )
    rows = [
        [
            str(r.bezeichnung),
            str(r.massnahme),
            str(r.beginn),
            euro(r.einmalkosten_eur),
            massnahmen_ansicht.NOT_COMPUTABLE
            if pd.isna(r.einsparung_eur)
            else euro(r.einsparung_eur),
        ]
        for r in p.measures.head(8).itertuples()
    ]
    d.table(
        slide,
        ["Prozess", "Maßnahme", "Beginn", "einmalig", "Einsp. €/Jahr"],
        rows,
        top=Inches(2.75),
        widths=[5, 4.5, 1.5, 1.7, 2],
    )


def _schedule(d: Deck, p: Planung) -> None:
    slide = d.slide(
        "Zeitplan",
        f"Beginn {datum(p.start)}, Zeitkontingent {zahl(p.settings.zeitkontingent_personentage)} "
        "Personentage je Quartal (Parameter massnahmen); Grafik wie im Bericht.",
    )
    fig = massnahmen_ansicht.gantt_chart(p)
    fig.set_size_inches(*GANTT_SLIDE_IN)  # a fresh figure: the report's stays A4-high
    d.picture(slide, fig, top=Inches(1.3))


def _costs(d: Deck, p: Planung) -> None:
    c = p.costs
    slide = d.slide(
        "Kostenplan",
        "Einmal- und laufende Kosten je Maßnahmentyp, Einsparung aus Jahresstunden × "
        "Stundensatz; " + _sources(d.ba),
    )
    data = CategoryChartData(number_format="#,##0 €")
    data.categories = [str(j) for j in c["jahr"]]
    data.add_series("Kosten", [round(float(v)) for v in c["kosten_eur"]])
    partial = not p.kennzahlen.einsparung_vollstaendig  # savings of some processes unknown
    saving = "Einsparung (Mindestwert)" if partial else "Einsparung"
    data.add_series(saving, [round(float(v)) for v in c["einsparung_eur"]])
    chart = d.chart(
        slide,
        XL_CHART_TYPE.COLUMN_CLUSTERED,
        data,
        (MARGIN, Inches(1.3), Inches(6.6), Inches(5.6)),
        legend=True,
    )
    d.colour_series(chart, [d.accent, d.primary])
    rows = [
        [str(r.jahr), euro(r.kosten_eur), euro(r.einsparung_eur), euro(r.saldo_kumuliert_eur)]
        for r in c.itertuples()
    ]
    d.table(
        slide,
        ["Jahr", "Kosten", "Einsparung", "Saldo kum."],
        rows,
        top=Inches(1.5),
        left=Inches(7.5),
        width=Inches(5.2),
        widths=[1, 1.6, 1.6, 1.6],
    )
    if partial:  # the report's note below the Kostenplan
        note = html.unescape(massnahmen_ansicht.cost_gap_note(p).removeprefix("<p>"))
        below = Inches(1.5) + Inches(0.4) * (len(rows) + 1) + Inches(0.3)
        d.text(slide, Inches(7.5), below, Inches(5.2), Inches(1.2), note.removesuffix("</p>"), 14)


def _diagram_pictures(ba: Bestandsaufnahme) -> tuple[Any, dict[str, list[bytes]]]:
    """The Musterprozess (None if none is configured) and the PNGs of its IST and SOLL rows as
    the report draws them (bpmn-js, :func:`kapitel.diagram_svg`), the same PNGs as Word's
    (:func:`bpmn_bild.png`: converted once, by the kernel that drew them).
    :func:`build` has them made while it builds the other slides."""
    from kdworkbook.musterprozess import kapitel as mp_ansicht

    m = mp_ansicht.load(ba)
    if m is None:
        return None, {}
    rows = {variante: mp_ansicht.diagram_svg(m, variante) for variante in ("ist", "soll")}
    return m, {v: bpmn_bild.pngs(svgs) for v, svgs in rows.items()}


def _musterprozess(d: Deck, m: Any, pictures: dict[str, list[bytes]]) -> None:
    """IST and SOLL (*pictures* from :func:`_diagram_pictures`), one slide per row of a wide
    diagram („Teil i von n“)."""
    if m is None:
        return
    for variante, pngs in pictures.items():
        p, source = (m.ist, m.ist_bpmn) if variante == "ist" else (m.soll, m.soll_bpmn)
        origin = f"BPMN-Datei {source.name}" if source else f"Parameterdatei ({variante})"
        for i, png in enumerate(pngs, start=1):
            slide = d.slide(
                f"Musterprozess {variante.upper()}: {p.name}",
                f"Modell aus der {origin}; Diagramm wie im Bericht (bpmn-js)"
                + (f", Teil {i} von {len(pngs)}." if len(pngs) > 1 else "."),
            )
            d.png(slide, png, top=DIAGRAM_TOP, bottom=HEIGHT - Inches(0.55))
            if len(pngs) > 1:  # beside the page number, not in the title (one line stays)
                d.text(
                    slide,
                    WIDTH - Inches(4.6),
                    HEIGHT - Inches(0.5),
                    Inches(2.8),
                    Inches(0.4),
                    f"Teil {i} von {len(pngs)}",
                    14,
                    True,
                    d.primary,
                ).text_frame.paragraphs[0].alignment = PP_ALIGN.RIGHT


def _decision(d: Deck, p: Planung) -> None:
    """The report's Beschlussvorlage page on slides: the same object
    (:func:`kdworkbook.massnahmen.beschluss.beschlussvorlage`), its placeholders marked."""
    from kdworkbook.massnahmen import beschluss

    v = beschluss.beschlussvorlage(d.ba, p)
    marks = v.platzhalter
    notes = (
        "Wie die Seite „Beschlussvorlage“ des Berichts (dieselben Zahlen: Zeitplan und "
        "Kostenplan des Maßnahmenplans); was in eckigen Klammern steht, legt die Kommune fest. "
    )
    slide = d.slide("Beschlussvorschlag", notes + _sources(d.ba))
    intro = (
        f"Vorlage für den {beschluss.GREMIUM}, Sitzung am {beschluss.SITZUNGSDATUM} – "
        "Beschlussvorschlag:"
    )
    points = [f"{i}. {text}" for i, text in enumerate(v.beschluss, start=1)]
    d.marked(slide, (MARGIN, Inches(1.35), Inches(12.1), Inches(5.5)), [intro, *points], marks)
    if v.erste_massnahmen.empty:
        return
    slide = d.slide("Beschlussvorschlag: erste Maßnahmen", notes)
    d.table(
        slide,
        [label for label, _kind in beschluss.FIRST_COLUMNS.values()],
        [_cells(row, beschluss.FIRST_COLUMNS) for row in v.erste_massnahmen.to_dict("records")],
        widths=[4.5, 3.6, 1.3, 1.3, 2.4, 0.9],
    )
    slide = d.slide("Beschlussvorschlag: Budget und Wirkung", notes)
    total = {"jahr": "Summe", **v.summe}
    rows = [_cells(row, beschluss.BUDGET_COLUMNS) for row in v.budget.to_dict("records")]
    table = d.table(
        slide,
        [label for label, _kind in beschluss.BUDGET_COLUMNS.values()],
        [*rows, _cells(total, beschluss.BUDGET_COLUMNS)],
        width=Inches(8.5),
        widths=[1, 1.6, 1.6, 1.6, 1.6],
    )
    for cell in table.rows[len(rows) + 1].cells:
        for run in (r for para in cell.text_frame.paragraphs for r in para.runs):
            run.font.bold = True
    below = Inches(1.45) + Inches(0.4) * (len(rows) + 2) + Inches(0.2)
    texts = [v.hinweis_einsparung] if v.hinweis_einsparung else []
    texts.append("Erwartete Wirkung: " + v.wirkung)
    box = (MARGIN, below, Inches(12.1), HEIGHT - below - Inches(0.6))
    d.marked(slide, box, texts, marks, 14)
    if v.risiken or not v.ohne_amortisation.empty:
        slide = d.slide("Beschlussvorschlag: Risiken und Voraussetzungen", notes)
        items = [f"– {r}" for r in v.risiken]
        if not v.ohne_amortisation.empty:
            names = "; ".join(
                f"{r.bezeichnung} (Rang {zahl(r.rang)}: {r.amortisation})"
                for r in v.ohne_amortisation.itertuples()
            )
            items += [f"Ohne Amortisation im Planungshorizont: {names}.", v.hinweis_amortisation]
        d.marked(slide, (MARGIN, Inches(1.35), Inches(12.1), Inches(5.5)), items, marks, 14)


def _cells(row: dict[str, Any], columns: dict[str, tuple[str, str]]) -> list[str]:
    """A row of a Beschlussvorlage table, each cell as the report's page writes it."""
    return [anzeige.FORMATS[kind](row.get(key)) for key, (_label, kind) in columns.items()]


def build(ba: Bestandsaufnahme, p: Planung) -> Any:
    """The presentation (python-pptx ``Presentation``) of one run. The BPMN diagrams are
    drawn (Chromium, a process of its own) while the other slides are built."""
    diagrams: concurrent.futures.Future = concurrent.futures.Future()

    def draw() -> None:  # a daemon thread: a stopped run does not wait for Chromium
        if diagrams.set_running_or_notify_cancel():
            try:
                diagrams.set_result(_diagram_pictures(ba))
            except BaseException as exc:  # noqa: BLE001 – raised where the slides need it
                diagrams.set_exception(exc)

    threading.Thread(target=draw, daemon=True, name="kdworkbook-bpmn").start()
    return _build(ba, p, diagrams)


def _build(ba: Bestandsaufnahme, p: Planung, diagrams: concurrent.futures.Future) -> Any:
    deck = Deck(ba)
    _title(deck)
    _key_figures(deck)
    _duties(deck)
    _pareto(deck)
    _portfolio(deck, p)
    _top(deck, p)
    _measures(deck, p)
    _schedule(deck, p)
    _costs(deck, p)
    _musterprozess(deck, *diagrams.result())
    _decision(deck, p)
    return deck.prs


def write(ba: Bestandsaufnahme, run_dir: Path) -> list[Path]:
    """``praesentation.pptx`` into *run_dir* (a step's ``write`` hook)."""
    target = Path(run_dir) / FILE_NAME
    build(ba, massnahmen_ansicht.planung(ba)).save(target)
    return [target]
