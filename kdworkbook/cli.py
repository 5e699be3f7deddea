"""Command line: ``kdworkbook new | check | run`` – a thin layer over the package API.

Exit codes: 0 ok, 1 a run failed (notebook error, report), 2 bad input (message says where).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from pathlib import Path

from kdworkbook import __version__, lauf, ruecklauf, schritte, stapel, systemfehler, vorlage
from kdworkbook.errors import InputError
from kdworkbook.formatierung import euro, zahl
from kdworkbook.laden import load_bestand
from kdworkbook.parameter import slugify

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # German frame around argparse's own message
        self.print_usage(sys.stderr)
        self.exit(EXIT_INPUT, f"Aufruf fehlerhaft: {message}\nHilfe: kdworkbook --help\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="kdworkbook", description="Strategie-Arbeitsmappe KommunalDigital.NRW")
    parser.add_argument("--version", action="version", version=f"kdworkbook {__version__}")
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="BEFEHL", parser_class=_Parser
    )

    new = sub.add_parser("new", help="kommentierte Parameterdatei für eine Kommune anlegen")
    new.add_argument("gemeinde", help="Name der Kommune, z. B. „Stadt Beispiel“")
    new.add_argument("--ags", help="Amtlicher Gemeindeschlüssel, 8-stellig (05…)")
    new.add_argument("--ziel", type=Path, help="Zieldatei (Standard: parameters/<name>.yaml)")
    new.add_argument("--ueberschreiben", action="store_true", help="vorhandene Datei ersetzen")

    check = sub.add_parser("check", help="Parameter und Bestandserhebung prüfen, ohne Notebooks")
    check.add_argument("parameter", type=Path, help="Parameterdatei (YAML)")
    check.add_argument("--json", action="store_true", help="maschinenlesbare Zusammenfassung")

    run = sub.add_parser("run", help="alle Schritte ausführen, Bericht (PDF) und Anhang erzeugen")
    run.add_argument("parameter", type=Path, nargs="*", help="Parameterdatei(en) (YAML)")
    run.add_argument(
        "-j",
        "--jobs",
        type=int,
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
    survey = sub.add_parser("umfrage", help="Erhebungs-Arbeitsmappen je Fachamt erzeugen")
    survey.add_argument("parameter", type=Path, help="Parameterdatei (YAML)")
    survey.add_argument(
        "--ausgabe",
        type=Path,
        help="Zielordner (Standard: neben der Parameterdatei <kommune>/umfrage)",
    )

    back = sub.add_parser(
        "umfrage-einlesen", help="zurückgegebene Arbeitsmappen einlesen, Rücklauf prüfen"
    )
    back.add_argument("parameter", type=Path, help="Parameterdatei (YAML)")
    back.add_argument("pfade", type=Path, nargs="+", help="Arbeitsmappen oder Ordner")
    back.add_argument(
        "--ausgabe",
        type=Path,
        help="Zielordner (Standard: neben der Parameterdatei <kommune>/ruecklauf)",
    )
    shop = sub.add_parser("workshop", help="Workshop-App (Voilà) auf diesem Rechner starten")
    shop.add_argument("parameter", type=Path, help="Parameterdatei (YAML)")
    shop.add_argument("--port", type=int, help="Port auf 127.0.0.1 (Standard: ein freier)")
    return parser


def _workshop(args: argparse.Namespace) -> int:
    from kdworkbook import workshop_server  # Voilà is only needed here

    return workshop_server.serve(args.parameter, args.port)


def _new(args: argparse.Namespace) -> int:
    target = args.ziel or Path("parameters") / f"{slugify(args.gemeinde)}.yaml"
    vorlage.write_template(target, args.gemeinde, args.ags, overwrite=args.ueberschreiben)
    print(f"Parameterdatei angelegt: {target}")
    print(f"Nächste Schritte: Pfad unter „bestand“ anpassen, dann „kdworkbook check {target}“.")
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    ba = load_bestand(args.parameter)
    summary = schritte.summary(ba)
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
    for note in ba.survey.notes:
        print(f"  Hinweis: {note}")
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    """Run each parameter file; one that fails does not stop the others."""
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
    files = ruecklauf.generate(args.parameter, args.ausgabe)
    print(f"{len(files)} Arbeitsmappen erzeugt:")
    for path in files:
        print(f"  {path}")
    return EXIT_OK


def _umfrage_einlesen(args: argparse.Namespace) -> int:
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


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handler = {
        "new": _new,
        "check": _check,
        "run": _run,
        "umfrage": _umfrage,
        "umfrage-einlesen": _umfrage_einlesen,
        "workshop": _workshop,
    }[args.command]
    try:
        parameter = getattr(args, "parameter", None)
        if isinstance(parameter, Path) and os.path.lexists(parameter):
            systemfehler.regular_file(parameter, "Parameterdatei")  # a FIFO would block
        return handler(args)
    except InputError as exc:
        _print_input_error(exc)
        return EXIT_INPUT
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
