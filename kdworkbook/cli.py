"""Command line: ``kdworkbook new | check | run`` – a thin layer over the package API.

Exit codes: 0 ok, 1 a run failed (notebook error, report), 2 bad input (message says where).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kdworkbook import __version__
from kdworkbook.kern import systemfehler
from kdworkbook.kern.errors import InputError, KdworkbookError, RunFailed

if TYPE_CHECKING:
    from kdworkbook.lauf import stapel

# Only the standard library is imported up to here, so that „--help“ and „--version“ answer
# at once; each command imports the package code it needs (pandas, papermill, …) itself.

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C

#: argparse's own texts (its gettext message ids) in German.
_DEUTSCH = {
    "usage: ": "Aufruf: ",
    "positional arguments": "Argumente",
    "options": "Optionen",
    "optional arguments": "Optionen",
    "show this help message and exit": "diese Hilfe zeigen und beenden",
    "show program's version number and exit": "Versionsnummer zeigen und beenden",
    "the following arguments are required: %s": "diese Angaben fehlen: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "%(value)r ist keine gültige Auswahl (möglich: %(choices)s)"
    ),
    "argument %(argument_name)s: %(message)s": "%(argument_name)s: %(message)s",
    "unrecognized arguments: %s": "unbekannte Angaben: %s",
    "expected one argument": "erwartet einen Wert",
    "expected at most one argument": "erwartet höchstens einen Wert",
    "expected at least one argument": "erwartet mindestens einen Wert",
    "expected %s argument": "erwartet %s Wert",
    "expected %s arguments": "erwartet %s Werte",
    "invalid %(type)s value: %(value)r": "%(value)r ist kein gültiger Wert (%(type)s)",
    "ambiguous option: %(option)s could match %(matches)s": (
        "mehrdeutige Option: %(option)s passt zu %(matches)s"
    ),
    "not allowed with argument %s": "nicht zusammen mit %s erlaubt",
    "ignored explicit argument %r": "Wert %r wird nicht erwartet",
    "one of the arguments %s is required": "eine der Angaben %s ist nötig",
    "unexpected option string: %s": "unerwartete Option: %s",
}


def _deutsch(message: str) -> str:
    return _DEUTSCH.get(message, message)


def _deutsch_n(singular: str, plural: str, n: int) -> str:
    return _deutsch(singular if n == 1 else plural)


class _Format(argparse.HelpFormatter):
    """Descriptions wrapped as usual; indented lines (the examples) kept as written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        fill = super()._fill_text
        return "\n".join(
            line if line.startswith("  ") else fill(line, width, indent)
            for line in text.splitlines()
        )


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("formatter_class", _Format)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def error(self, message: str) -> None:  # German frame around argparse's own message
        self.print_usage(sys.stderr)
        self.exit(EXIT_INPUT, f"Aufruf fehlerhaft: {message}\nHilfe: {self.prog} --help\n")


def _ganze_zahl(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"„{text}“ ist keine ganze Zahl") from None


def _beispiele(*zeilen: str) -> str:
    return "Beispiele:\n" + "\n".join(f"  {z}" for z in zeilen)


def _parser() -> argparse.ArgumentParser:
    # argparse looks its texts up through these module-level names at the time of use
    argparse._ = _deutsch  # type: ignore[attr-defined]
    argparse.ngettext = _deutsch_n  # type: ignore[attr-defined]
    parser = _Parser(
        prog="kdworkbook",
        description="Strategie-Arbeitsmappe KommunalDigital.NRW",
        epilog=_beispiele(
            "kdworkbook new --ags 05515000",
            "kdworkbook run parameters/musterstadt.yaml",
        )
        + "\n\nHilfe zu einem Befehl: kdworkbook BEFEHL --help",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"kdworkbook {__version__}",
        help="Versionsnummer zeigen und beenden",
    )
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="BEFEHL", parser_class=_Parser, title="Befehle"
    )

    new = sub.add_parser(
        "new",
        help="kommentierte Parameterdatei für eine Kommune anlegen",
        description="Legt eine kommentierte Parameterdatei an. Mit --ags kommen Name, Kreis, "
        "PLZ und Einwohnerzahl aus dem mitgelieferten Gemeindeverzeichnis NRW (Destatis, "
        "Stand 31.12.2019).",
        epilog=_beispiele(
            'kdworkbook new "Stadt Münster" --ags 05515000',
            "kdworkbook new --gemeinde-suchen Müns",
        ),
    )
    new.add_argument(
        "gemeinde",
        nargs="?",
        help="Name der Kommune, z. B. „Stadt Beispiel“ (mit --ags: Standard aus dem Verzeichnis)",
    )
    new.add_argument("--ags", help="Amtlicher Gemeindeschlüssel, 8-stellig (05…)")
    new.add_argument(
        "--gemeinde-suchen",
        metavar="NAMENSTEIL",
        help="Gemeinden NRW mit diesem Namensteil und ihre AGS auflisten (legt nichts an)",
    )
    new.add_argument("--ziel", type=Path, help="Zieldatei (Standard: parameters/<name>.yaml)")
    new.add_argument("--ueberschreiben", action="store_true", help="vorhandene Datei ersetzen")

    check = sub.add_parser(
        "check",
        help="Parameter und Bestandserhebung prüfen, ohne Notebooks",
        description="Prüft Parameterdatei und Eingabedateien und zeigt die Kennzahlen.",
        epilog=_beispiele(
            "kdworkbook check parameters/musterstadt.yaml",
            "kdworkbook check parameters/musterstadt.yaml --json",
        ),
    )
    check.add_argument("parameter", type=Path, help="Parameterdatei (YAML)")
    check.add_argument("--json", action="store_true", help="maschinenlesbare Zusammenfassung")

    run = sub.add_parser(
        "run",
        help="alle Schritte ausführen, Bericht (PDF) und Anhang erzeugen",
        description="Führt alle Schritte aus und erzeugt Bericht (PDF) und Anhang (Excel) "
        "unter outputs/<kommune>/<lauf>/.",
        epilog=_beispiele(
            "kdworkbook run parameters/musterstadt.yaml",
            "kdworkbook run parameters/*.yaml -j 2",
        ),
    )
    run.add_argument("parameter", type=Path, nargs="*", help="Parameterdatei(en) (YAML)")
    run.add_argument(
        "-j",
        "--jobs",
        type=_ganze_zahl,
        default=None,
        help="so viele Kernel gleichzeitig: bei mehreren Kommunen Worker-Prozesse (Standard 1), "
        "bei einer Kommune parallel ausgeführte Notebooks (Standard 2)",
    )
    run.add_argument(
        "--ausgabe", type=Path, default=Path("outputs"), help="Ausgabeordner (Standard: outputs)"
    )
    run.add_argument("--browser", help="Pfad zu Chromium/Chrome für den PDF-Druck")
    run.add_argument(
        "--wiederholen",
        type=Path,
        metavar="LAUFORDNER",
        help="einen früheren Lauf mit denselben Eingaben wiederholen (outputs/<kommune>/<lauf>)",
    )
    survey = sub.add_parser(
        "umfrage",
        help="Erhebungs-Arbeitsmappen je Fachamt erzeugen",
        description="Erzeugt je Fachamt eine vorbefüllte Arbeitsmappe aus dem LeiKa-Katalog.",
        epilog=_beispiele(
            "kdworkbook umfrage parameters/musterstadt.yaml",
            "kdworkbook umfrage parameters/musterstadt.yaml --ausgabe versand/",
        ),
    )
    survey.add_argument("parameter", type=Path, help="Parameterdatei (YAML)")
    survey.add_argument(
        "--ausgabe",
        type=Path,
        help="Zielordner (Standard: neben der Parameterdatei <kommune>/umfrage)",
    )

    back = sub.add_parser(
        "umfrage-einlesen",
        help="zurückgegebene Arbeitsmappen einlesen, Rücklauf prüfen",
        description="Liest die zurückgegebenen Arbeitsmappen ein, prüft den Rücklauf je "
        "Fachamt und schreibt die zusammengeführte Bestandserhebung.",
        epilog=_beispiele(
            "kdworkbook umfrage-einlesen parameters/musterstadt.yaml eingang/",
            "kdworkbook umfrage-einlesen parameters/musterstadt.yaml a.xlsx b.xlsx",
        ),
    )
    back.add_argument("parameter", type=Path, help="Parameterdatei (YAML)")
    back.add_argument("pfade", type=Path, nargs="+", help="Arbeitsmappen oder Ordner")
    back.add_argument(
        "--ausgabe",
        type=Path,
        help="Zielordner (Standard: neben der Parameterdatei <kommune>/ruecklauf)",
    )
    citizens = sub.add_parser(
        "buergerbefragung",
        help="Fragebogen der Bürgerbefragung erzeugen (LimeSurvey, Excel)",
        description="Erzeugt den Fragebogen aus den Leistungen mit den meisten Vorgängen: "
        "Importdatei für LimeSurvey (Textformat) und eine Excel-Vorlage.",
        epilog=_beispiele("kdworkbook buergerbefragung parameters/musterstadt.yaml"),
    )
    citizens.add_argument("parameter", type=Path, help="Parameterdatei (YAML)")
    citizens.add_argument(
        "--ausgabe",
        type=Path,
        help="Zielordner (Standard: neben der Parameterdatei <kommune>/buergerbefragung)",
    )
    answers = sub.add_parser(
        "buergerbefragung-einlesen",
        help="Antworten der Bürgerbefragung einlesen und auswerten",
        description="Liest den CSV-Export von LimeSurvey (Fragecodes) oder die Excel-Vorlage, "
        "prüft die Antworten und speichert nur das ausgewertete Ergebnis.",
        epilog=_beispiele(
            "kdworkbook buergerbefragung-einlesen parameters/musterstadt.yaml results-survey.csv"
        ),
    )
    answers.add_argument("parameter", type=Path, help="Parameterdatei (YAML)")
    answers.add_argument("dateien", type=Path, nargs="+", help="Antwortdateien (.csv, .xlsx)")
    answers.add_argument(
        "--ausgabe",
        type=Path,
        help="Ordner mit dem Fragebogen (Standard: <kommune>/buergerbefragung)",
    )
    steer = sub.add_parser(
        "steuerung",
        help="Arbeitsmappe Umsetzungsstand für das Digitalmanagement erzeugen",
        description="Erzeugt eine Arbeitsmappe mit den geplanten Maßnahmen, in die das "
        "Digitalmanagement Status, Beginn, Ende und tatsächliche Einmalkosten einträgt.",
        epilog=_beispiele("kdworkbook steuerung parameters/musterstadt.yaml"),
    )
    steer.add_argument("parameter", type=Path, help="Parameterdatei (YAML)")
    steer.add_argument(
        "--ausgabe",
        type=Path,
        help="Zielordner (Standard: neben der Parameterdatei <kommune>/steuerung)",
    )
    steer_back = sub.add_parser(
        "steuerung-einlesen",
        help="ausgefüllte Arbeitsmappe Umsetzungsstand prüfen und erfassen",
        description="Prüft die ausgefüllte Arbeitsmappe und erfasst den Umsetzungsstand mit "
        "Datum in <kommune>/steuerung; frühere Stände bleiben erhalten.",
        epilog=_beispiele(
            "kdworkbook steuerung-einlesen parameters/musterstadt.yaml umsetzungsstand.xlsx"
        ),
    )
    steer_back.add_argument("parameter", type=Path, help="Parameterdatei (YAML)")
    steer_back.add_argument("datei", type=Path, help="ausgefüllte Arbeitsmappe")
    steer_back.add_argument(
        "--datum",
        help="Tag des Stands, TT.MM.JJJJ (Standard: heute); ein Bericht nutzt die Stände "
        "bis zu seinem Stichtag",
    )
    versus = sub.add_parser(
        "vergleich",
        help="zwei Läufe einer Kommune vergleichen (Zahlen, Eingaben, Parameter)",
        description="Vergleicht ergebnisse.json und lauf.json zweier Läufe derselben Kommune.",
        epilog=_beispiele(
            "kdworkbook vergleich outputs/stadt-musterstadt/2026-11-28_1000 "
            "outputs/stadt-musterstadt/2027-05-20_1000"
        ),
    )
    versus.add_argument("lauf_a", type=Path, help="früherer Laufordner")
    versus.add_argument("lauf_b", type=Path, help="späterer Laufordner")
    shop = sub.add_parser(
        "workshop",
        help="Workshop-App (Voilà) auf diesem Rechner starten",
        description="Startet die Workshop-App im Browser (nur auf diesem Rechner erreichbar).",
        epilog=_beispiele(
            "kdworkbook workshop parameters/musterstadt.yaml",
            "kdworkbook workshop parameters/musterstadt.yaml --port 8866",
        ),
    )
    shop.add_argument("parameter", type=Path, help="Parameterdatei (YAML)")
    shop.add_argument("--port", type=_ganze_zahl, help="Port auf 127.0.0.1 (Standard: ein freier)")
    _vergleich_parser(sub)
    return parser


def _vergleich_parser(sub: argparse._SubParsersAction) -> None:
    collect = sub.add_parser(
        "vergleich-sammeln",
        help="anonymisierte Vergleichsauszüge aller Kommunen in einen Ordner sammeln",
        description="Kopiert aus jedem Kommunenordner den Vergleichsauszug (vergleich.json) "
        "des neuesten vollständigen Laufs in ZIEL, benannt nach seiner Kennung – ohne Namen, "
        "AGS oder Pfad.",
        epilog=_beispiele("kdworkbook vergleich-sammeln vergleich/ --ausgabe outputs"),
    )
    collect.add_argument("ziel", type=Path, help="Ordner der Agentur für die Auszüge")
    overview = sub.add_parser(
        "uebersicht",
        help="Übersicht der Agentur: alle Kommunen auf einen Blick (HTML, Excel, PDF)",
        description="Eine Zeile je Kommune aus ihrem neuesten vollständigen Lauf: erreichte "
        "Schritte, letzter Lauf, überfällige Pflichten, Kennzahlen je 1.000 Einwohner, Quick "
        "Wins, geplante Einsparung und ob sie Aufmerksamkeit braucht.",
        epilog=_beispiele("kdworkbook uebersicht parameters/*.yaml"),
    )
    overview.add_argument("parameter", type=Path, nargs="+", help="Parameterdateien (YAML)")
    overview.add_argument(
        "--ausgabe", type=Path, default=Path("outputs"), help="Ausgabeordner (Standard: outputs)"
    )
    overview.add_argument("--ziel", type=Path, help="Zielordner (Standard: <ausgabe>/_uebersicht)")
    overview.add_argument("--browser", help="Pfad zu Chromium/Chrome für den PDF-Druck")
    overview.add_argument("--ohne-pdf", action="store_true", help="nur HTML und Excel")
    collect.add_argument(
        "--ausgabe", type=Path, default=Path("outputs"), help="Ausgabeordner (Standard: outputs)"
    )


def _uebersicht(args: argparse.Namespace) -> int:
    from kdworkbook.vergleich import agentur

    ziel = args.ziel or args.ausgabe / agentur.ZIEL
    for path in agentur.erstellen(
        args.parameter, args.ausgabe, ziel, browser=args.browser, pdf=not args.ohne_pdf
    ):
        print(f"Geschrieben: {path}")
    return EXIT_OK


def _vergleich_sammeln(args: argparse.Namespace) -> int:
    from kdworkbook.vergleich import ablage

    written = ablage.sammeln(args.ausgabe, args.ziel)
    print(f"{len(written)} Vergleichsauszüge nach {args.ziel} geschrieben.")
    return EXIT_OK


def _workshop(args: argparse.Namespace) -> int:
    from kdworkbook.workshop import server as workshop_server  # Voilà is only needed here

    return workshop_server.serve(args.parameter, args.port)


def _new(args: argparse.Namespace) -> int:
    from kdworkbook import vorlage

    if args.gemeinde_suchen is not None:
        return _gemeinde_suchen(args.gemeinde_suchen)
    target = vorlage.write_template(
        args.ziel, args.gemeinde, args.ags, overwrite=args.ueberschreiben
    )
    print(f"Parameterdatei angelegt: {target}")
    print(f"Nächste Schritte: Pfad unter „bestand“ anpassen, dann „kdworkbook check {target}“.")
    return EXIT_OK


def _gemeinde_suchen(text: str) -> int:
    from kdworkbook.kern import referenz
    from kdworkbook.kern.formatierung import zahl

    found = referenz.suchen(text)
    where = f"Gemeindeverzeichnis NRW, Stand {referenz.GEMEINDEN_STAND}"
    if not found:
        raise InputError(f"--gemeinde-suchen: keine Gemeinde zu „{text}“ gefunden ({where}).")
    print(f"Gemeinden zu „{text}“ ({where}):")
    name_width = max(len(g.name) for g in found)
    kreis_width = max(len(g.kreis) for g in found)
    print(f"  {'AGS':<8}  {'Name':<{name_width}}  {'Kreis':<{kreis_width}}  {'Einwohner':>10}")
    for g in found:
        print(
            f"  {g.ags:<8}  {g.name:<{name_width}}  {g.kreis:<{kreis_width}}  "
            f"{zahl(g.einwohner):>10}"
        )
    print(f"Anlegen mit: kdworkbook new --ags {found[0].ags}")
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    import json

    from kdworkbook.bestand.laden import load_bestand
    from kdworkbook.kern.formatierung import euro, zahl
    from kdworkbook.lauf import schritte

    ba = load_bestand(args.parameter)
    summary = schritte.summary(ba)  # with „fortschreibung“ when there is a previous round/Stand
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
        return EXIT_OK
    k = ba.key_figures
    b = summary["bestand"]
    print(f"{ba.settings.gemeinde}: Parameterdatei und Eingabedateien sind gültig.")
    rows = [
        ("Prozesse", zahl(k.prozesse)),
        ("Fachämter", zahl(k.fachaemter)),
        ("Vorgänge pro Jahr", zahl(k.vorgaenge)),
        ("Jahresstunden", zahl(k.stunden)),
        ("Personalkosten pro Jahr", euro(k.kosten_eur)),
        ("Vollzeitäquivalente", zahl(k.vzae, 1)),
        (
            f"Prozesse mit {zahl(ba.settings.pareto_anteil * 100)} % der Stunden",
            zahl(b["pareto_prozesse"]),
        ),
    ]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"  {label:<{width}}  {value:>14}")
    if summary.get("fortschreibung"):
        _print_fortschreibung(ba, summary["fortschreibung"])
    left_out = list(schritte.omissions(ba).values())
    for note in summary["hinweise"]:
        if note not in left_out:  # listed below, one line per chapter
            print(f"  {note}" if note.startswith("Warnung: ") else f"  Hinweis: {note}")
    for note in summary.get("rahmenbedingungen", {}).get("pflichten_hinweise", []):
        print(f"  Hinweis: {note}")
    if left_out:
        print("  Im Bericht entfallen:")
        for chapter, reason in map(schritte.omitted_chapter, left_out):
            print(f"    Kapitel {chapter}: {reason}" if chapter else f"    {reason}")
    return EXIT_OK


def _print_fortschreibung(ba: Any, k: dict[str, Any]) -> None:
    """The figures of the chapter Fortschreibung (``check --json`` → ``fortschreibung``)."""
    import datetime as dt

    from kdworkbook.kern.formatierung import datum, euro, zahl
    from kdworkbook.steuerung import kapitel as fortschreibung_ansicht

    f = fortschreibung_ansicht.load(ba)
    realised = k["einsparung_realisiert_eur_jahr"]
    if realised is None:
        why = f.einsparung_grund if f is not None else None
        shown = fortschreibung_ansicht.NICHT_BERECHENBAR + (f" – {why}" if why else "")
    else:
        shown = euro(realised)
    stand = f.stand if f is not None else None
    print(
        f"  Fortschreibung (Umsetzungsstand vom {datum(dt.date.fromisoformat(stand['erfasst']))}):"
        if stand
        else "  Fortschreibung (kein Umsetzungsstand erfasst):"
    )
    rows = [
        ("Maßnahmen umgesetzt", zahl(k["umgesetzt"])),
        ("Maßnahmen begonnen", zahl(k["begonnen"])),
        ("Maßnahmen geplant", zahl(k["geplant"])),
        ("Einsparung geplant pro Jahr (umgesetzte)", euro(k["einsparung_geplant_eur_jahr"])),
    ]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"    {label:<{width}}  {value:>14}")
    print(f"    {'Einsparung realisiert pro Jahr':<{width}}  {shown:>14}")


def _run(args: argparse.Namespace) -> int:
    """Run each parameter file; one that fails does not stop the others."""
    from kdworkbook.lauf import lauf, stapel

    if args.wiederholen:
        if args.parameter:
            raise InputError("--wiederholen nimmt keinen weiteren Parameterdatei-Namen.")
        result = lauf.run_again(
            args.wiederholen,
            browser=args.browser,
            progress=lambda msg: print(f"  {msg}", flush=True),
        )
        print(f"Bericht: {result.pdf}")
        return EXIT_OK
    if not args.parameter:
        raise InputError("Bitte mindestens eine Parameterdatei angeben.")
    if args.jobs is not None and args.jobs < 1:
        raise InputError(f"-j/--jobs: {args.jobs} – erwartet eine ganze Zahl ≥ 1.")
    outcomes = stapel.run_many(
        args.parameter,
        args.ausgabe,
        jobs=args.jobs,
        browser=args.browser,
        show=lambda line: print(line, flush=True),
    )
    return report_outcomes(outcomes)


def report_outcomes(outcomes: list[stapel.Outcome]) -> int:
    """Print what became of each run (errors to stderr); returns the exit code."""
    from kdworkbook.lauf import stapel

    for outcome in outcomes:
        if outcome.system:
            print(
                f"{outcome.parameter_file}: Lauf abgebrochen, nichts gespeichert – "
                f"{outcome.message}",
                file=sys.stderr,
            )
        elif outcome.code == stapel.BAD_INPUT:
            _print_input_error(InputError(outcome.message.splitlines()), outcome.parameter_file)
        elif outcome.code == stapel.FAILED:
            print(
                f"{outcome.parameter_file}: Lauf fehlgeschlagen: {outcome.message}", file=sys.stderr
            )
    if len(outcomes) > 1:
        print(stapel.summary_table(outcomes))
    for outcome in outcomes:
        if outcome.code == stapel.OK:
            print(f"Bericht: {outcome.message}")
    return max(o.code for o in outcomes)


def _print_input_error(exc: InputError, source: str | None = None) -> None:
    where = f"{source}: " if source else ""
    print(f"{where}Fehler in der Eingabe – es wurde nichts ausgeführt:", file=sys.stderr)
    for message in exc.messages:
        print(f"  - {message}", file=sys.stderr)


def _umfrage(args: argparse.Namespace) -> int:
    from kdworkbook.umfrage import ruecklauf

    files = ruecklauf.generate(args.parameter, args.ausgabe)
    print(f"{len(files)} Arbeitsmappen erzeugt:")
    for path in files:
        print(f"  {path}")
    return EXIT_OK


def _umfrage_einlesen(args: argparse.Namespace) -> int:
    from kdworkbook.umfrage import ruecklauf

    result, files = ruecklauf.import_returns(args.parameter, args.pfade, args.ausgabe)
    print(
        f"  {'Fachamt':<22} {'Rücklauf':<12} {'ausgefüllt':>10} {'nicht ausgef.':>13} "
        f"{'neu':>5} {'auffällig':>9}"
    )
    for row in result.status.itertuples():
        print(
            f"  {row.fachamt:<22} {row.status:<12} {row.ausgefuellt:>10} "
            f"{row.nicht_ausgefuellt:>13} {row.neu:>5} {row.auffaellig:>9}"
        )
    for message in result.problems:
        print(f"  Problem: {message}", file=sys.stderr)
    if not result.review.empty:
        print(f"  {len(result.review)} neue Prozesse mit Katalog-Vorschlag zu prüfen (Prüfliste).")
    for path in files:
        print(f"Geschrieben: {path}")
    return EXIT_INPUT if result.problems else EXIT_OK


def _buergerbefragung(args: argparse.Namespace) -> int:
    from kdworkbook.buergerbefragung import dateien

    for path in dateien.generate(args.parameter, args.ausgabe):
        print(f"Geschrieben: {path}")
    return EXIT_OK


def _buergerbefragung_einlesen(args: argparse.Namespace) -> int:
    from kdworkbook.buergerbefragung import dateien
    from kdworkbook.kern.formatierung import prozent, zahl

    result, path = dateien.import_responses(args.parameter, args.dateien, args.ausgabe)
    spanne = result["fehlerspanne"]
    print(f"{zahl(result['antworten'])} Antworten eingelesen.")
    print(
        "Fehlerspanne (95 %): "
        + (f"± {prozent(spanne)}" if spanne is not None else "nicht berechenbar (Einwohner fehlt)")
    )
    print(f"Geschrieben: {path}")
    print("Für die Priorisierung in die Parameterdatei eintragen: buergerbefragung → ergebnis")
    return EXIT_OK


def _steuerung(args: argparse.Namespace) -> int:
    from kdworkbook.steuerung import stand

    print(f"Arbeitsmappe erzeugt: {stand.generate(args.parameter, args.ausgabe)}")
    return EXIT_OK


def _steuerung_einlesen(args: argparse.Namespace) -> int:
    import json

    from kdworkbook.kern.modell import parse_date
    from kdworkbook.steuerung import stand

    day = None
    if args.datum is not None:
        try:
            day = parse_date(args.datum)
        except ValueError as exc:
            raise InputError(f"--datum: {exc}") from None
    target = stand.import_status(args.parameter, args.datei, today=day)
    entries = json.loads(target.read_text(encoding="utf-8"))["massnahmen"]
    counts = stand.status_counts(entries)
    print(f"Umsetzungsstand erfasst: {target}")
    for status, n in counts.items():
        print(f"  {status:<15} {n:>4}")
    return EXIT_OK


def _vergleich(args: argparse.Namespace) -> int:
    from kdworkbook.steuerung import laeufe

    result = laeufe.compare_runs(args.lauf_a, args.lauf_b)
    print(f"A: {args.lauf_a}\nB: {args.lauf_b}")
    print(f"Zahlen und Texte ({len(result.werte)} geändert):")
    for key, old, new in result.werte:
        print(f"  {key}: {laeufe.shown(old)} → {laeufe.shown(new)}")
    print(f"Eingaben ({len(result.eingaben)} geändert):")
    for line in result.eingaben:
        print(f"  {line}")
    print(f"Parameter ({len(result.parameter)} geändert):")
    for line in result.parameter:
        print(f"  {line}")
    return EXIT_OK


def interrupted() -> int:
    """After Ctrl-C or SIGTERM: say so and end now. The run has already removed its folder
    and stopped kernels and Chromium; a thread still converting a huge report chapter would
    keep the interpreter alive for minutes, so the process then ends without waiting."""
    print("Abgebrochen.", file=sys.stderr)
    if threading.active_count() > 1:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(EXIT_INTERRUPTED)
    return EXIT_INTERRUPTED


def entry() -> int:
    """The ``kdworkbook`` command: :func:`main`, then the garbage collector frozen before the
    interpreter ends – its teardown would otherwise walk every object the run left (pandas,
    nbconvert, python-docx …) in collection after collection: 0,43 s at the end of the
    demo's run, on one core, after everything is written. The objects are freed with the
    process as before."""
    import gc

    code = main()
    gc.freeze()
    return code


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handler = {
        "new": _new,
        "check": _check,
        "run": _run,
        "umfrage": _umfrage,
        "umfrage-einlesen": _umfrage_einlesen,
        "steuerung": _steuerung,
        "steuerung-einlesen": _steuerung_einlesen,
        "vergleich": _vergleich,
        "workshop": _workshop,
        "buergerbefragung": _buergerbefragung,
        "buergerbefragung-einlesen": _buergerbefragung_einlesen,
        "vergleich-sammeln": _vergleich_sammeln,
        "uebersicht": _uebersicht,
    }[args.command]
    try:
        parameter = getattr(args, "parameter", None)
        if isinstance(parameter, Path) and os.path.lexists(parameter):
            systemfehler.regular_file(parameter, "Parameterdatei")  # a FIFO would block
        return handler(args)
    except KdworkbookError as exc:
        if isinstance(exc, InputError):
            _print_input_error(exc)
            return EXIT_INPUT
        # a step failed (RunFailed), or the PDF could not be made (ReportError, e.g. no Chromium)
        said = "Lauf fehlgeschlagen" if isinstance(exc, RunFailed) else "Fehler"
        print(f"{said}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:  # read-only folder, full disk, …: German, without a traceback
        if isinstance(exc, BrokenPipeError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 – keep Python's exit quiet
            return EXIT_OK
        print(f"Fehler: {systemfehler.text(exc)}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        return interrupted()


if __name__ == "__main__":
    sys.exit(main())
