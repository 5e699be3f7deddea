"""The exception family: one base, the CLI turns each kind into its message and exit code."""

from __future__ import annotations

import pytest

from kdworkbook import cli
from kdworkbook.bericht import browser, dokument
from kdworkbook.kern import errors
from kdworkbook.lauf import lauf, stapel
from kdworkbook.workshop.rueckschreiben import DateiGeaendert


def test_every_error_derives_from_the_one_base() -> None:
    for kind in (errors.InputError, errors.RunFailed, errors.ReportError, DateiGeaendert):
        assert issubclass(kind, errors.KdworkbookError)
    assert not issubclass(errors.RunFailed, errors.InputError)
    assert not issubclass(errors.ReportError, errors.InputError)


def test_the_old_homes_name_the_same_classes() -> None:
    assert lauf.RunFailed is errors.RunFailed
    assert browser.ReportError is errors.ReportError
    assert dokument.ReportError is errors.ReportError


def test_run_failed_keeps_the_kernel_log_name() -> None:
    failure = errors.RunFailed("Schritt „02_bestand“: Kernel abgestürzt", kernel_log="x.log")
    assert str(failure) == "Schritt „02_bestand“: Kernel abgestürzt"
    assert failure.kernel_log == "x.log"
    assert errors.RunFailed("ohne Protokoll").kernel_log is None


def test_input_error_keeps_each_message() -> None:
    assert errors.InputError("eine").messages == ["eine"]
    assert str(errors.InputError(["a: fehlt", "b: falsch"])) == "a: fehlt\nb: falsch"


@pytest.mark.parametrize(
    ("error", "code", "said"),
    [
        (errors.InputError("x.yaml: Schlüssel „gemeinde“ fehlt"), 2, "  - x.yaml: Schlüssel"),
        (errors.RunFailed("Schritt „03_x“, Zelle 4: ValueError: kaputt"), 1, "Lauf fehlgeschl"),
        (errors.ReportError("Chromium wurde nicht gefunden."), 1, "Fehler: Chromium wurde"),
    ],
)
def test_cli_turns_each_kind_into_message_and_exit_code(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    error: errors.KdworkbookError,
    code: int,
    said: str,
) -> None:
    def fails(*_args: object, **_kwargs: object) -> None:
        raise error

    monkeypatch.setattr(lauf, "run_again", fails)  # stands in for a failing step
    assert cli.main(["run", "--wiederholen", "outputs/x/1"]) == code
    err = capsys.readouterr().err
    assert said in err
    assert "Traceback" not in err


def test_batch_outcome_of_a_failed_step(monkeypatch: pytest.MonkeyPatch) -> None:
    def fails(*_args: object, **_kwargs: object) -> None:
        raise errors.RunFailed("Schritt „03_x“, Zelle 4: ValueError: kaputt")

    monkeypatch.setattr(lauf, "run", fails)
    outcome = stapel.run_one("x.yaml", "outputs", None, lambda _m: None)
    assert (outcome.code, outcome.status) == (stapel.FAILED, "fehlgeschlagen")
    assert outcome.message == "Schritt „03_x“, Zelle 4: ValueError: kaputt"
