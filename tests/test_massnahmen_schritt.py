"""The Maßnahmenentwicklung step end to end: parameters, check --json, Excel, notebooks."""

import json

import nbformat
import pytest
from openpyxl import load_workbook

from kdworkbook.bestand.laden import load_bestand
from kdworkbook.cli import main
from kdworkbook.kern.errors import InputError
from kdworkbook.kern.parameter import load_settings
from kdworkbook.lauf import lauf, schritte
from kdworkbook.massnahmen import excel as massnahmen_excel
from kdworkbook.massnahmen import kapitel as massnahmen_ansicht

from .conftest import DEMO, HEADER, SEED_ROWS, execute_step, write_csv, write_params

BASE = "gemeinde: Stadt Seed\nbestand:\n  - datei: ausweis.csv\n    fachamt: Bürgerbüro\n"


@pytest.fixture
def formula_survey(tmp_path):
    """The 16 seed rows plus one whose Bezeichnung looks like an Excel formula."""
    rows = [*SEED_ROWS, ["=HYPERLINK(1)", "Ausstellung", "=SUMME(A1:A9)", 5000, 30, 1, 1, 0]]
    write_csv(tmp_path / "ausweis.csv", HEADER, rows)
    return tmp_path


def test_defaults_without_section(formula_survey):
    s = load_settings(write_params(formula_survey, BASE)).massnahmen
    assert s.gewichte.nutzen["jahresstunden"] == 3.0
    assert s.top_n == 10 and s.zeitkontingent_personentage == 60.0
    assert list(s.massnahmentypen)[:2] == ["prozessoptimierung", "online_antrag"]
    assert s.massnahmentypen["online_antrag"].aufwand_personentage.quelle.startswith("Annahme")


def test_overrides_keep_other_defaults(formula_survey):
    body = BASE + (
        "massnahmen:\n  gewichte:\n    nutzen:\n      vorgaenge: 4\n"
        "  massnahmentypen:\n    online_antrag:\n      einmalkosten_eur: 5000\n"
        "  verantwortung:\n    it_dienstleister: KRZ Musterland\n  start: 01.04.2027\n"
    )
    s = load_settings(write_params(formula_survey, body)).massnahmen
    assert s.gewichte.nutzen["vorgaenge"] == 4 and s.gewichte.nutzen["jahresstunden"] == 3
    online = s.massnahmentypen["online_antrag"]
    assert (online.einmalkosten_eur.wert, online.einmalkosten_eur.quelle) == (
        5000,
        "Parameterdatei",
    )
    assert online.aufwand_personentage.wert == 15
    assert s.role_names()["it_dienstleister"] == "KRZ Musterland"
    assert str(s.start) == "2027-04-01"


@pytest.mark.parametrize(
    "section, expected",
    [
        (
            "  gewichte:\n    nutzen: {jahresstunden: 0, vorgaenge: 0, personalkosten: 0,"
            " zustaendigkeit: 0, reifegrad_luecke: 0, buergernachfrage: 0}\n",
            "„massnahmen → gewichte → nutzen“: Gewichte der Achse Nutzen sind alle 0",
        ),
        (
            "  gewichte:\n    aufwand: {stufe: -1}\n",
            "„massnahmen → gewichte → aufwand“: Gewichte der Achse Aufwand dürfen nicht negativ",
        ),
        ("  gewichte:\n    nutzen: {fallzahl: 1}\n", "unbekanntes Kriterium fallzahl"),
        (
            "  zuordnung:\n    Wohngeld: [online_antragg]\n",
            "Maßnahmentyp „online_antragg“ unbekannt",
        ),
        (
            "  zeitkontingent_personentage: 0\n",
            "zeitkontingent_personentage“: erwartet eine Zahl >",
        ),
        (
            "  massnahmentypen:\n    e_payment:\n      reduktion_bearbeitungszeit: 20\n",
            "kein Anteil",
        ),
        ("  massnahmentypen:\n    neu:\n      name: Neu\n", "aufwand_personentage"),
    ],
)
def test_bad_section_refused(formula_survey, section, expected):
    with pytest.raises(InputError) as info:
        load_settings(write_params(formula_survey, BASE + "massnahmen:\n" + section))
    assert expected in str(info.value)


def test_unknown_process_in_assignment_refused(formula_survey):
    path = write_params(formula_survey, BASE + "massnahmen:\n  zuordnung:\n    Wohngeld: []\n")
    with pytest.raises(InputError, match="Prozess „Wohngeld“ steht nicht in der Bestandserhebung"):
        schritte.summary(load_bestand(path))


def test_excel_plan(formula_survey, tmp_path):
    path = write_params(formula_survey, BASE + "stichtag: 2026-11-28\n")
    ba = load_bestand(path)
    out = tmp_path / "lauf"
    out.mkdir()
    written = massnahmen_excel.write_plan(ba, out)
    assert written == [out / "massnahmenplan.xlsx"]
    book = load_workbook(written[0])
    assert book.sheetnames == [
        "Priorisierung",
        "Kriterien der Priorisierung",
        "Maßnahmen",
        "Zeitplan",
        "Kostenplan",
        "Nicht geeignet",
    ]
    header = {name: [c.value for c in book[name][1]] for name in book.sheetnames}
    # the ranking as in the report, one legible page wide; the criteria on their own sheet,
    # two pages wide with Rang and Prozess repeated (and frozen)
    assert header["Priorisierung"] == [
        "Rang",
        "Prozess",
        "Fachamt",
        "Jahresstunden",
        "Nutzen",
        "Aufwand",
        "Priorität",
        "Quadrant",
        "geschätzt (Median der erhobenen)",
    ]
    criteria = book["Kriterien der Priorisierung"]
    assert header["Kriterien der Priorisierung"][:5] == [
        "Rang",
        "Prozess",
        "Fachamt",
        "Vorgänge pro Jahr",
        "Personalkosten €",
    ]
    assert "Arbeitsaufwand (Jahresstunden) (0–1)" in header["Kriterien der Priorisierung"]
    assert criteria.print_title_cols == "$A:$B" and criteria.print_title_rows == "$1:$1"
    assert (criteria.page_setup.fitToWidth, criteria.page_setup.pageOrder) == (2, "overThenDown")
    assert book["Priorisierung"].page_setup.fitToWidth == 1
    assert "Organisationsverantwortung" in header["Maßnahmen"]
    assert header["Kostenplan"][:2] == ["Jahr", "Einmalkosten"]
    for ws in book.worksheets:
        frozen = "C2" if ws.title == "Kriterien der Priorisierung" else "A2"
        assert ws.freeze_panes == frozen and ws.auto_filter.ref
        formulas = [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
        # the only formulas: the sum row of the Kostenplan, written as such by the writer
        sums = [f"{c}{ws.max_row}" for c in "BCDEF"] if ws.title == "Kostenplan" else []
        assert formulas == sums
    ws = book["Priorisierung"]
    # 5.000 × 30 / 60 = 2.500 h, the largest workload with one unit and no legal issue → rank 1
    assert ws["B2"].value == "=SUMME(A1:A9)" and ws["B2"].data_type == "s"
    assert ws["D2"].value == 2500 and ws["D2"].number_format == "#,##0"
    plan = book["Maßnahmen"]
    assert plan["D2"].value == "=SUMME(A1:A9)" and plan["D2"].data_type == "s"
    # stable ids: no LeiKa key in the seed, so the SHA-1 of the name; then the measure type
    assert (plan["A1"].value, plan["B1"].value) == ("Maßnahmen-Id", "Prozess-Id")
    assert plan["B2"].value == "P-a87a4339"
    assert plan["A2"].value.startswith("P-a87a4339/")


def test_check_json_section(capsys):
    assert main(["check", str(DEMO), "--json"]) == 0
    section = json.loads(capsys.readouterr().out)["massnahmen"]
    assert len(section["rangfolge"]) == 10
    assert isinstance(section["quick_wins"], int) and section["quick_wins"] > 0
    assert section["einsparung_eur_jahr"] > 0


def _execute(name, tmp_path):
    out, _ = execute_step(name, tmp_path)
    return out, nbformat.read(out, as_version=4)


def test_notebook_executes_with_figures(tmp_path, capsys):
    out, nb = _execute("03_massnahmenentwicklung.ipynb", tmp_path)
    results = lauf.read_results(out)["massnahmen"]
    assert main(["check", str(DEMO), "--json"]) == 0
    assert results == json.loads(capsys.readouterr().out)["massnahmen"]
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    svgs = [o["data"]["image/svg+xml"] for o in outputs if "image/svg+xml" in o.get("data", {})]
    assert len(svgs) == 3  # portfolio, Gantt chart, costs vs savings
    for svg in svgs:
        assert svg.lstrip().startswith("<?xml") and "<path" in svg and len(svg) > 5000
    html = "".join(str(o.get("data", {}).get("text/html", "")) for o in outputs)
    assert "Quick Win" in html and "Organisationsverantwortung" in html
    assert results["rangfolge"][0] in html


def test_summary_notebook_opens_the_report(tmp_path):
    assert lauf.step_notebooks()[0].name == "00_zusammenfassung.ipynb"
    _, nb = _execute("00_zusammenfassung.ipynb", tmp_path)
    headings = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert headings[0] == "# Management-Zusammenfassung"
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(
        str(o.get("data", {}).get("text/html", ""))
        + str(o.get("data", {}).get("text/markdown", ""))
        for o in outputs
    )
    assert "Quick Wins" in text and "Einsparung pro Jahr" in text
    assert text.count("<tr>") >= 11  # header + ten processes
    assert "Überfällige gesetzliche Pflichten" in text  # known from the Rahmenbedingungen
    # the Beschlussvorlage follows the summary, on a page of its own, placeholders marked
    page = text[text.index("<h2>Beschlussvorlage</h2>") :]
    assert "Erste Maßnahmen" in page and "Budget je Jahr des Kostenplans" in page
    assert '<span class="kd-platzhalter">&#91;Gremium&#93;</span>' in page


def test_rahmen_attributes_joined():
    ba = load_bestand(DEMO)
    table = massnahmen_ansicht.process_table(ba)
    assert list(table.index) == list(ba.data.index)
    assert {"kommune_setzt_um", "geeignet", "zustaendigkeit"} <= set(table.columns)
    p = massnahmen_ansicht.planung(ba)
    # the demo's parameter file marks „Eheschließung Vollzug“ as rechtlich nicht geeignet
    excluded = dict(zip(p.excluded["bezeichnung"], p.excluded["grund"], strict=True))
    assert excluded["Eheschließung Vollzug"] == "rechtlich"
    assert "Eheschließung Vollzug" not in set(p.ranked["bezeichnung"])
    assert "zustaendigkeit" in p.ranked.attrs["gewichte"]["nutzen"]
    # the explicit assignment of the Musterprozess is planned even outside the top 20
    hund = p.measures[p.measures["bezeichnung"] == "Hundehaltung Anmeldung"]
    assert hund["typ"].tolist() == ["prozessoptimierung", "online_antrag", "e_payment"]


def test_estimated_demand_is_shown_as_estimated_in_chapter_and_excel(tmp_path):
    """The demo's survey gives a demand value for 35 services, all suitable; the other
    180 − 35 = 145 suitable processes get the median of the 35: the score of „Elternbeitrag
    Festsetzung“, 0,5595 → 1 + 4 × 0,5595 = 3,2 on the 1–5 scale. Reifegrad is missing for
    10. The figures themselves stay (rank 2 „Personalausweis Ausstellung erstmalig“ has no
    survey value)."""
    ba = load_bestand(DEMO)
    p = massnahmen_ansicht.planung(ba)
    assert p.ranked.attrs["geschaetzt"] == {"reifegrad_luecke": 10, "buergernachfrage": 145}
    shown = massnahmen_ansicht.ranking_table(p).data
    assert (
        "Nachfrage geschätzt (Median der erhobenen) bei 145 von 180 bewerteten Prozessen: für "
        "sie zählt beim Kriterium „Bürgernachfrage“ der Median der 35 erhobenen Werte (3,2)."
    ) in shown
    assert "Reifegrad geschätzt (Median der erhobenen) bei 10 von 180" in shown
    assert '<th class="txt">geschätzt</th>' in shown
    row = shown[shown.index("Personalausweis Ausstellung erstmalig") :]
    assert row[: row.index("</tr>")].endswith('<td class="txt">Nachfrage</td>')
    assert "Nachfrage geschätzt" in massnahmen_ansicht.criteria_table(p).data
    [path] = massnahmen_excel.write_plan(ba, tmp_path)
    ws = load_workbook(path)["Priorisierung"]
    header = [c.value for c in ws[1]]
    column = header.index("geschätzt (Median der erhobenen)")
    values = [row[column] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert len(values) == 180
    assert sum("Bürgernachfrage" in (v or "") for v in values) == 145
    assert sum("Lücke zum OZG-Reifegrad" in (v or "") for v in values) == 10
    assert values[1] == "Bürgernachfrage"  # rank 2
