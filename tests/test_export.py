import pandas as pd
from openpyxl import load_workbook

from kdworkbook.bericht.excel import write_workbook


def test_text_stays_text_and_numbers_get_formats(tmp_path):
    df = pd.DataFrame(
        {
            "name": ["=SUMME(A1:A9)", "+49 211", "-Rabatt", "@home", "normal"],
            "wert": [1234.5, 2.0, None, 4.0, 5.0],
        }
    )
    path = write_workbook(
        tmp_path / "a.xlsx", {"Tabelle": (df, {"name": ("Name", "text"), "wert": ("Wert", "eur")})}
    )
    ws = load_workbook(path)["Tabelle"]
    assert [c.value for c in ws[1]] == ["Name", "Wert"]
    assert [ws.cell(r, 1).value for r in range(2, 7)] == [
        "=SUMME(A1:A9)",
        "+49 211",
        "-Rabatt",
        "@home",
        "normal",
    ]
    assert all(ws.cell(r, 1).data_type == "s" for r in range(2, 7))
    assert ws.cell(2, 2).value == 1234.5 and ws.cell(2, 2).number_format == '#,##0 "€"'
    assert ws.cell(4, 2).value is None
    assert ws.freeze_panes == "A2"
    assert not list(tmp_path.glob("*.tmp*")) and len(list(tmp_path.iterdir())) == 1
