"""The exception family of kdworkbook (like papermill's ``PapermillException`` family).

Everything the package raises on purpose derives from :class:`KdworkbookError`; the CLI
catches that base and turns it into a German message and an exit code:

- :class:`InputError` – a user mistake (bad parameter file, broken survey): exit code 2;
- :class:`RunFailed` – a step notebook failed: exit code 1;
- :class:`ReportError` – the report could not be built (no Chromium, …): exit code 1.
"""

from __future__ import annotations


class KdworkbookError(Exception):
    """Base of all errors kdworkbook raises on purpose; the message is German."""


class InputError(KdworkbookError):
    """One or more German messages about bad input; the CLI prints them and exits with 2."""

    def __init__(self, messages: list[str] | str) -> None:
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("\n".join(self.messages))


class RunFailed(KdworkbookError):
    """A notebook failed; the message names step, cell, error and the notebook to open."""

    def __init__(self, message: str, kernel_log: str | None = None) -> None:
        super().__init__(message)
        self.kernel_log = kernel_log  # file name of the kernel's messages worth reading


class ReportError(KdworkbookError):
    """The report could not be built; the message is German and says what to do."""
