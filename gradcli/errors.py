"""Errors gradcli raises: one base class, one subclass per kind of failure.

The core library raises these with a message that says what went wrong and
where; the CLI prints the message (never a traceback) and exits with the
error's ``exit_code``: 2 for bad input (usage), 1 for a computation or I/O
failure.
"""

from __future__ import annotations


class GradcliError(Exception):
    """Base of every error gradcli raises on purpose."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:  # the message alone; the CLI adds the hint
        return self.message


class UsageError(GradcliError):
    """An option or argument is wrong (bad number, out of range, unknown name)."""

    exit_code = 2


class ExprError(UsageError):
    """An expression could not be parsed; ``column`` is 1-based (None if unknown)."""

    def __init__(self, message: str, expression: str = "", column: int | None = None, hint: str | None = None):
        super().__init__(message, hint)
        self.expression = expression
        self.column = column

    def caret_lines(self) -> list[str]:
        """The expression and a caret under the offending column, for display."""
        if self.column is None or not self.expression or len(self.expression) > 200:
            return []
        return ["  " + self.expression, "  " + " " * (self.column - 1) + "^"]


class DomainError(GradcliError):
    """A math operation left its domain (log of a negative, division by zero, overflow)."""


class DataError(UsageError):
    """A dataset or CSV file is missing or malformed."""


class ModelFileError(UsageError):
    """A model file is missing, malformed, or of an unsupported version."""


class RenderError(GradcliError):
    """A picture could not be rendered or written."""
