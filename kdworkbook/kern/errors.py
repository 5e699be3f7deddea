"""The one exception type for user mistakes (bad parameter files, broken surveys)."""

from __future__ import annotations


class InputError(Exception):
    """One or more German messages about bad input; the CLI prints them and exits with 2."""

    def __init__(self, messages: list[str] | str) -> None:
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("\n".join(self.messages))
