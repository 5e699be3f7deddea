"""The demo's Excel files, as a user opens them: every sheet ready to print (landscape, one
page wide, header row on every page, footer with the Gemeinde), real dates, quarters that sort
across years, the Kostenplan's sum row as formulas, the payback worded as in the report."""

import datetime as dt

import pytest
from openpyxl import load_workbook

from kdworkbook.bestand.laden import load_bestand
from kdworkbook.lauf import schritte

from .conftest import DEMO


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    out = tmp_path_factory.mktemp("lauf")
    written = schritte.write_outputs(load_bestand(DEMO), out)
    assert [p.name for p in written] == ["anhang.xlsx", "massnahmenplan.xlsx", "praesentation.pptx"]
    anhang, plan, _deck = written
    return load_workbook(anhang), load_workbook(plan), load_workbook(plan, data_only=True)


def test_every_sheet_of_both_files_is_print_ready(books):
    anhang, plan, _ = books
    for ws in [*anhang.worksheets, *plan.worksheets]:
        # the criteria are two pages wide, Rang and Prozess repeated on each (columns A:B)
        wide = ws.title == "Kriterien der Priorisierung"
        assert ws.page_setup.orientation == "landscape", ws.title
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (
            2 if wide else 1,
            0,
        ), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.print_title_rows == "$1:$1", ws.title
        assert ws.print_title_cols == ("$A:$B" if wide else None), ws.title
        assert ws.oddFooter.left.text == "Stadt Musterstadt", ws.title
        assert ws.oddFooter.right.text == "Seite &P von &N", ws.title
        assert ws.freeze_panes == ("C2" if wide else "A2"), ws.title


def test_deadlines_are_dates(books):
    ws = books[0]["Pflichten"]
    head = [c.value for c in ws[1]]
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    frist, ab = head.index("Frist"), head.index("gilt ab")
    # pflichten.yaml: EGovG NRW § 14 Abs. 2 (E-Akte) – Frist 01.01.2022
    assert rows["EGovG NRW § 14 Abs. 2"][frist] == dt.datetime(2022, 1, 1)
    assert isinstance(rows["EGovG NRW § 3"][ab], dt.datetime)
    cell = ws.cell(2, frist + 1)
    assert cell.is_date or cell.data_type == "s"  # a date, or „Daueraufgabe“ / „keine Frist“
    assert ws.cell(2, ab + 1).number_format == "dd.mm.yyyy"


def test_quarters_are_sortable_dates_labelled_as_in_the_report(books):
    ws = books[1]["Zeitplan"]
    head = [c.value for c in ws[1]]
    begin, end = head.index("Beginn (Quartal)") + 1, head.index("fertig (Quartal)") + 1
    # the first measure starts in Q1/2027 (Stichtag 28.11.2026, next quarter); the last of
    # the 28 is finished in Q1/2028 (282 PT at 60 a quarter: the fifth quarter)
    assert ws.cell(2, begin).value == dt.datetime(2027, 1, 1)
    assert ws.cell(2, begin).number_format == '"Q1/"yyyy'
    assert ws.cell(29, end).value == dt.datetime(2028, 1, 1)
    assert ws.cell(29, end).number_format == '"Q1/"yyyy'
    q4 = [ws.cell(r, end) for r in range(2, 30) if ws.cell(r, end).value.month == 10]
    assert q4 and all(c.number_format == '"Q4/"yyyy' for c in q4)


def test_kostenplan_sum_row_by_hand(books):
    _, plan, cached = books
    ws = plan["Kostenplan"]
    assert [c.value for c in ws[1]][:4] == [
        "Jahr",
        "Einmalkosten",
        "laufende Kosten",
        "Kosten gesamt",
    ]
    assert ws["A2"].value == 2027 and ws["A2"].number_format == "0"  # not „2.027“
    assert ws["A7"].value == "Summe"
    assert [ws[f"{c}7"].value for c in "BCDEF"] == [f"=SUM({c}2:{c}6)" for c in "BCDEF"]
    assert ws["G7"].value is None  # a cumulated balance is not summed
    # 12 Online-Anträge × 2.500 + 4 Schnittstellen × 4.000 + 4 E-Akten × 2.500 + 6 E-Payments
    # × 1.000 = 62.000 €; running 2.875 + 8.150 + 3 × 8.400 = 36.225 €; together 98.225 €
    values = cached["Kostenplan"]
    assert (values["B7"].value, values["C7"].value, values["D7"].value) == (62000, 36225, 98225)


def test_payback_worded_as_in_the_report(books):
    ws = books[1]["Maßnahmen"]
    head = [c.value for c in ws[1]]
    text = head.index(
        "Amortisation (* = nicht innerhalb des Planungshorizonts von 5 Jahren oder nie)"
    )
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    name, measure = head.index("Prozess"), head.index("Maßnahme")
    shown = {(r[name], r[measure]): r[text] for r in rows}
    # Grundsteuer online: 2.500 € / (2.295 − 300) € = 1,25 years → „1,3“, within 5 years
    assert (
        shown[
            ("Grundsteuer Festsetzung für Grundvermögen", "Online-Antrag über Servicekonto/Portal")
        ]
        == "1,3"
    )
    # Pass für Geringverdiener, E-Payment: 40,80 € saving < 200 € running → never
    assert shown[("Pass für Geringverdiener Erteilung", "E-Payment anbinden")] == "keine *"
    # Prozessoptimierung costs nothing once → pays back at once
    assert (
        shown[("Hundehaltung Anmeldung", "Prozessoptimierung/Medienbrüche beseitigen")] == "sofort"
    )
