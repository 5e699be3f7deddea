"""SIGTERM only sets a flag; the runner raises where it looks at it."""

from __future__ import annotations

import concurrent.futures
import os
import signal

import pytest

from kdworkbook.lauf import abbruch


def _sigterm() -> None:
    os.kill(os.getpid(), signal.SIGTERM)


def test_the_handler_raises_nothing_and_check_does() -> None:
    reached = []
    with pytest.raises(abbruch.Interrupted), abbruch.interrupt_on_sigterm():
        _sigterm()
        reached.append("nach dem Signal")  # the signal did not interrupt the code
        assert abbruch.requested()
        abbruch.check()
        reached.append("nach check")
    assert reached == ["nach dem Signal"]


def test_a_request_after_the_last_look_ends_the_block() -> None:
    with pytest.raises(KeyboardInterrupt), abbruch.interrupt_on_sigterm():
        _sigterm()


def test_the_previous_handler_is_back_and_a_new_block_starts_afresh() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(abbruch.Interrupted), abbruch.interrupt_on_sigterm():
        _sigterm()
    assert signal.getsignal(signal.SIGTERM) is before
    with abbruch.interrupt_on_sigterm():
        assert not abbruch.requested()
        abbruch.check()


def test_a_nested_block_keeps_the_outer_request() -> None:
    with pytest.raises(abbruch.Interrupted), abbruch.interrupt_on_sigterm():
        _sigterm()
        with abbruch.interrupt_on_sigterm():
            pass


def test_wait_returns_the_result_or_stops_on_sigterm() -> None:
    done: concurrent.futures.Future[int] = concurrent.futures.Future()
    done.set_result(7)
    never: concurrent.futures.Future[int] = concurrent.futures.Future()
    with pytest.raises(abbruch.Interrupted), abbruch.interrupt_on_sigterm():
        assert abbruch.wait(done) == 7
        _sigterm()
        abbruch.wait(never)
