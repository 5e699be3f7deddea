"""Survey instrument: workbooks per Fachamt from the real LeiKa catalogue, and the way back."""

import csv
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from kdworkbook.bestand.erhebung import read_survey
from kdworkbook.cli import main
from kdworkbook.kern.errors import InputError
from kdworkbook.umfrage import instrument as umfrage
from kdworkbook.umfrage.ruecklauf import generate, import_returns

from .conftest import DEMO


@pytest.fixture
def new_municipality(tmp_path, reference_dir):
    """A client without any survey yet: three Fachämter, the real catalogue."""
    params = tmp_path / "stadt-neu.yaml"
    params.write_text(
        "gemeinde: Stadt Neu\nbestand: stadt-neu/ruecklauf/bestand_konsolidiert.xlsx\n"
        f"rahmen:\n  leika_katalog: {reference_dir / 'leika_leistungen_kdn2019.csv'}\n"
        "umfrage:\n  fachaemter: [Bürgerbüro, Steueramt, Standesamt]\n"
        "  rueckgabe_bis: 15.01.2027\n  leere_zeilen: 5\n"
        "  ansprechpartner: {name: Erika Muster, email: digital@stadt-neu.de}\n",
        encoding="utf-8",
    )
    return params


def test_rules_assign_first_match():
    rules = [
        umfrage.Regel("Steueramt", ("Hundesteuer",)),
        umfrage.Regel("Ordnungsamt", ("Hund",)),
        umfrage.Regel("Bürgerbüro", (), ("99008",)),
    ]
    services = pd.DataFrame(
        {
            "schluessel": ["99102013002000", "99110009104000", "99008001012001", "99000000001000"],
            "bezeichnung": [
                "Hundesteuer Festsetzung",
                "Hundehaltung Anmeldung",
                "Personalausweis Ausstellung erstmalig",
                "Sonstiges",
            ],
        }
    )
    assert umfrage.assign(services, rules).tolist() == [
        "Steueramt",
        "Ordnungsamt",
        "Bürgerbüro",
        pd.NA,
    ]


def test_split_names_from_the_key_structure():
    catalogue = pd.DataFrame(
        {
            "schluessel": ["99008001000000", "99008001012000"],
            "bezeichnung": ["Personalausweis", "Personalausweis Ausstellung"],
        }
    )
    services = pd.DataFrame(
        {"schluessel": ["99008001012001"], "bezeichnung": ["Personalausweis Ausstellung erstmalig"]}
    )
    split = umfrage.split_names(services, catalogue)
    assert (split["leistung"][0], split["verrichtung"][0]) == ("Personalausweis", "Ausstellung")


def test_generated_workbooks(new_municipality, tmp_path):
    files = generate(new_municipality, tmp_path / "umfrage")
    assert [p.name for p in files] == [
        "bestandserhebung_buergerbuero.xlsx",
        "bestandserhebung_steueramt.xlsx",
        "bestandserhebung_standesamt.xlsx",
    ]
    book = load_workbook(files[1])
    assert book.sheetnames == ["Anleitung", "Bestandserhebung", "_kdworkbook"]
    assert book["_kdworkbook"].sheet_state == "hidden"
    guide = [c for row in book["Anleitung"].iter_rows(values_only=True) for c in row if c]
    assert "Bestandserhebung Steueramt" in guide and "15.01.2027" in guide
    assert "Erika Muster, digital@stadt-neu.de" in guide
    sheet = book["Bestandserhebung"]
    assert [c.value for c in sheet[1]][:6] == [
        "Fachamt",
        "LeiKa-Schlüssel",
        "Leistung",
        "Verrichtung",
        "Bezeichnung",
        "Vorgänge pro Jahr",
    ]
    names = [r[4] for r in sheet.iter_rows(min_row=2, values_only=True) if r[4]]
    assert "Hundesteuer Festsetzung" in names and "Grundsteuer Festsetzung" in names
    keys = [r[1] for r in sheet.iter_rows(min_row=2, values_only=True) if r[1]]
    assert all(isinstance(k, str) and len(k) == 14 for k in keys)
    assert sheet.max_row == 1 + len(names) + 5  # prefilled rows + free rows
    assert sheet.freeze_panes == "F2" and sheet.protection.sheet
    assert sheet["E2"].protection.locked and not sheet["F2"].protection.locked
    free = sheet.max_row
    assert sheet[f"A{free}"].value == "Steueramt" and not sheet[f"E{free}"].protection.locked
    rules = sorted(
        (str(v.sqref)[0], v.type, v.operator, v.formula1, v.formula2)
        for v in sheet.data_validations.dataValidation
    )
    assert rules == [
        ("F", "whole", "greaterThanOrEqual", "0", None),
        ("G", "decimal", "greaterThanOrEqual", "0", None),
        ("H", "list", None, '"1,2,3,4,5,6,7,8"', None),
        ("I", "whole", "greaterThanOrEqual", "0", None),
        ("J", "list", None, '"0,1"', None),
        ("K", "whole", "between", "0", "4"),
        ("L", "list", None, '"faktisch,rechtlich,wirtschaftlich"', None),
    ]


def test_demo_carries_over_earlier_values(tmp_path):
    [*_, steuer] = [p for p in generate(DEMO, tmp_path) if "steueramt" in p.name]
    rows = {
        r[4]: r[5:10]
        for r in load_workbook(steuer)["Bestandserhebung"].iter_rows(min_row=2, values_only=True)
        if r[4]
    }
    assert rows["Grundsteuer Festsetzung für Grundvermögen"] == (9000, 3, 2, 1, 0)
    assert rows["Grundsteuer Festsetzung"] == (None,) * 5  # in the catalogue, not surveyed


def _fill(path: Path, answers: dict[str, list], new: list | None = None, save_as=None) -> Path:
    book = load_workbook(path)
    sheet = book["Bestandserhebung"]
    for row in sheet.iter_rows(min_row=2):
        if row[4].value in answers:
            for cell, value in zip(row[5:10], answers[row[4].value], strict=True):
                cell.value = value
    if new:
        free = next(r for r in sheet.iter_rows(min_row=2) if r[4].value is None)
        for cell, value in zip(free[2:10], new, strict=True):
            cell.value = value
    book.save(save_as or path)
    return save_as or path


def test_round_trip_status_review_and_consolidated_file(new_municipality, tmp_path):
    bb, steuer, _standesamt = generate(new_municipality, tmp_path / "umfrage")
    back = tmp_path / "zurueck"
    back.mkdir()
    # Bürgerbüro: two answers, one new free-text process with a typo, renamed on return
    _fill(
        bb,
        {
            "Personalausweis Ausstellung erstmalig": [300, 120, 1, 1, 0],
            "Reisepass Ausstellung": [250, 25.5, 2, 1, 0],
        },
        new=["Fundsachen", "Verwahrung", "Fundsachen Verwarung", 80, 10, 2, 1, 0],
        save_as=back / "BB_final_v2.xlsx",
    )
    # Steueramt: re-saved as German CSV with one answer
    rows = list(load_workbook(steuer)["Bestandserhebung"].iter_rows(values_only=True))
    with (back / "steuer.csv").open("w", encoding="cp1252", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        for row in rows:
            values = list(row)
            if values[4] == "Hundesteuer Festsetzung":
                values[5:10] = [400, "7,5", 4, 2, 1]
            writer.writerow(["" if v is None else v for v in values])
    result, written = import_returns(new_municipality, [back], tmp_path / "ergebnis")
    status = result.status.set_index("fachamt")
    assert status.loc["Bürgerbüro", ["status", "ausgefuellt", "neu"]].tolist() == ["zurück", 3, 1]
    assert (
        status.loc["Bürgerbüro", "nicht_ausgefuellt"]
        == sum(
            1
            for r in load_workbook(bb)["Bestandserhebung"].iter_rows(min_row=2, values_only=True)
            if r[1]
        )
        - 2
    )
    assert status.loc["Steueramt", ["status", "ausgefuellt", "neu"]].tolist() == ["zurück", 1, 0]
    assert status.loc["Standesamt", ["status", "ausgefuellt", "dateien"]].tolist() == [
        "fehlt",
        0,
        "",
    ]
    assert result.problems == []
    # the free-text process is matched to the catalogue only as a proposal to check
    review = result.review.iloc[0]
    assert (review["bezeichnung"], review["match_art"]) == (
        "Fundsachen Verwarung",
        "unscharf (zu prüfen)",
    )
    assert (review["vorschlag_schluessel"], review["vorschlag_bezeichnung"]) == (
        "99089017089000",
        "Fundsachen Verwahrung",
    )
    names = sorted(p.name for p in written)
    assert names == ["bestand_konsolidiert.xlsx", "ruecklauf.json", "ruecklauf.xlsx"]
    consolidated = read_survey(
        [(tmp_path / "ergebnis" / "bestand_konsolidiert.xlsx", None)], range(1, 9)
    ).data
    assert sorted(consolidated["bezeichnung"]) == [
        "Fundsachen Verwarung",
        "Hundesteuer Festsetzung",
        "Personalausweis Ausstellung erstmalig",
        "Reisepass Ausstellung",
    ]
    assert consolidated.set_index("bezeichnung").loc["Hundesteuer Festsetzung", "minuten"] == 7.5


def test_broken_returns_name_the_file(new_municipality, tmp_path, capsys):
    bb, steuer, _ = generate(new_municipality, tmp_path / "umfrage")
    book = load_workbook(bb)
    book["Bestandserhebung"]["F1"] = "Anzahl"  # header overwritten
    book.save(bb)
    book = load_workbook(steuer)
    del book["Bestandserhebung"]  # survey sheet removed
    book.save(steuer)
    code = main(
        [
            "umfrage-einlesen",
            str(new_municipality),
            str(bb),
            str(steuer),
            "--ausgabe",
            str(tmp_path / "erg"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "bestandserhebung_buergerbuero.xlsx: Spalte(n) „Vorgänge pro Jahr“ fehlen" in err
    assert "bestandserhebung_steueramt.xlsx: Spalte(n)" in err


def test_umfrage_uses_the_shipped_catalogue_or_refuses_a_missing_one(tmp_path, capsys):
    params = tmp_path / "p.yaml"
    params.write_text("gemeinde: X\nbestand: gibt-es-noch-nicht.xlsx\n", encoding="utf-8")
    assert main(["umfrage", str(params)]) == 0  # no rahmen → leika_katalog needed
    assert capsys.readouterr().out.startswith("11 Arbeitsmappen erzeugt:")
    assert len(list((tmp_path / "x" / "umfrage").glob("*.xlsx"))) == 11
    params.write_text(
        "gemeinde: X\nbestand: gibt-es-noch-nicht.xlsx\nrahmen:\n  leika_katalog: neu.csv\n",
        encoding="utf-8",
    )
    assert main(["umfrage", str(params)]) == 2
    assert "„rahmen → leika_katalog“: Datei „neu.csv“ nicht gefunden" in capsys.readouterr().err
    with pytest.raises(InputError, match="nicht gefunden"):
        import_returns(params, [tmp_path / "fehlt"])


def test_broken_rule_file(tmp_path):
    path = tmp_path / "regeln.yaml"
    path.write_text("fachaemter: []\n", encoding="utf-8")
    with pytest.raises(InputError, match="keine gültige Fachamt-Zuordnung"):
        umfrage.load_rules(path)


def test_return_status_reaches_the_report(new_municipality, tmp_path):
    from kdworkbook.bestand import kapitel as bestand_ansicht
    from kdworkbook.bestand.laden import load_bestand

    bb, _, _ = generate(new_municipality, tmp_path / "umfrage")
    _fill(bb, {"Personalausweis Ausstellung erstmalig": [300, 120, 1, 1, 0]})
    import_returns(new_municipality, [bb])  # default: stadt-neu/ruecklauf/ beside the YAML
    ba = load_bestand(new_municipality)
    assert ba.key_figures.prozesse == 1
    html = bestand_ansicht.return_status(ba).data
    assert "Noch ausstehend: Steueramt, Standesamt." in html
    assert "Rücklauf der Erhebung" in html


def test_ruecklauf_lists_every_fachamt_sent_even_without_umfrage_fachaemter(
    tmp_path, reference_dir
):
    """The template of „kdworkbook new“ leaves „umfrage → fachaemter“ out: the expected list
    comes from what „kdworkbook umfrage“ sent (versand.json beside the workbooks)."""
    from kdworkbook.bestand import kapitel as bestand_ansicht
    from kdworkbook.bestand.laden import load_bestand

    params = tmp_path / "stadt-neu.yaml"
    params.write_text(
        "gemeinde: Stadt Neu\nbestand: stadt-neu/ruecklauf/bestand_konsolidiert.xlsx\n"
        f"rahmen:\n  leika_katalog: {reference_dir / 'leika_leistungen_kdn2019.csv'}\n",
        encoding="utf-8",
    )
    sent = generate(params)  # default folder: stadt-neu/umfrage/
    rules = list(dict.fromkeys(r.fachamt for r in umfrage.load_rules()))
    assert len(sent) == len(rules) == 11
    bb = next(p for p in sent if "buergerbuero" in p.name)
    steuer = next(p for p in sent if "steueramt" in p.name)
    back = tmp_path / "zurueck"  # returns collected elsewhere, under other names
    back.mkdir()
    _fill(
        bb, {"Personalausweis Ausstellung erstmalig": [300, 120, 1, 1, 0]}, save_as=back / "1.xlsx"
    )
    _fill(steuer, {"Hundesteuer Festsetzung": [400, 7.5, 4, 2, 1]}, save_as=back / "2.xlsx")
    result, written = import_returns(params, [back])
    status = dict(zip(result.status["fachamt"], result.status["status"], strict=True))
    assert len(status) == 11 and list(status.values()).count("fehlt") == 9
    for book in (load_workbook(p) for p in written if p.suffix == ".xlsx"):
        assert all(ws.oddFooter.left.text == "Stadt Neu" for ws in book.worksheets)
    assert status["Bürgerbüro"] == status["Steueramt"] == "zurück"
    html = bestand_ansicht.return_status(load_bestand(params)).data
    assert "Noch ausstehend: " in html and "Alle Fachämter" not in html
    assert "Jugendamt" in html.split("Noch ausstehend: ")[1].split("</p>")[0]


def test_ruecklauf_without_send_list_never_says_all(tmp_path, reference_dir):
    """An old ruecklauf.json (no versand list known) does not claim a complete return."""
    import json

    from kdworkbook.bestand import kapitel as bestand_ansicht
    from kdworkbook.bestand.laden import load_bestand

    params = tmp_path / "p.yaml"
    params.write_text(
        "gemeinde: Stadt Alt\nbestand: r/bestand_konsolidiert.xlsx\n"
        f"rahmen:\n  leika_katalog: {reference_dir / 'leika_leistungen_kdn2019.csv'}\n"
        "umfrage:\n  fachaemter: [Bürgerbüro]\n",
        encoding="utf-8",
    )
    bb = generate(params, tmp_path / "u")[0]
    _fill(bb, {"Personalausweis Ausstellung erstmalig": [300, 120, 1, 1, 0]})
    import_returns(params, [bb], tmp_path / "r")
    stored = tmp_path / "r" / "ruecklauf.json"
    rows = json.loads(stored.read_text(encoding="utf-8"))
    assert [r["versand_bekannt"] for r in rows] == [True]
    assert "Alle Fachämter" in bestand_ansicht.return_status(load_bestand(params)).data
    for row in rows:
        del row["versand_bekannt"]  # as written before the send list existed
    stored.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    html = bestand_ansicht.return_status(load_bestand(params)).data
    assert "Alle Fachämter" not in html and "ist nicht bekannt" in html
