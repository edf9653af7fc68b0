"""Errors gradcli raises: one base class, one subclass per kind of failure.

The core library raises these with a message that says what went wrong and
where, in Python's terms: a setting is named as the field or argument a Python
caller passes (``lr``, ``batch_size``).  The CLI prints the message (never a
traceback) and exits with the error's ``exit_code``: 2 for bad input (usage),
1 for a computation or I/O failure.

Errors carry structured facts so that the CLI can word them in flags without
the core knowing any flag: ``setting`` names the field or argument at fault,
and a message (or hint) may say ``{setting}`` where that name belongs::

    >>> error = UsageError("{setting} must be a positive number, got -1", setting="lr", value=-1.0)
    >>> str(error)
    'lr must be a positive number, got -1'
    >>> error.describe(lambda setting: "--" + setting.replace("_", "-"))
    '--lr must be a positive number, got -1'

A message that involves a second setting names it ``{setting:name}``::

    >>> error = UsageError("{setting} hinge needs one output: end {setting:layers} with 1", setting="loss")
    >>> str(error), error.describe(lambda setting: "--" + setting)
    ('loss hinge needs one output: end layers with 1', '--loss hinge needs one output: end --layers with 1')

Other facts (``value``, ``limit``, or any keyword) are kept in ``facts`` for
callers that want them.  ``GradcliWarning`` carries the same facts for
something a caller should know that does not stop the work.
"""

from __future__ import annotations

import re
from typing import Callable


class GradcliError(Exception):
    """Base of every error gradcli raises on purpose."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None, *, setting: str | None = None, **facts):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.setting = setting
        self.facts = facts

    def describe(self, name_of: Callable[[str], str] | None = None) -> str:
        """The message with ``{setting}`` spelled by ``name_of`` (by default the Python name)."""
        return _spell(self.message, self.setting, name_of)

    def describe_hint(self, name_of: Callable[[str], str] | None = None) -> str | None:
        return None if self.hint is None else _spell(self.hint, self.setting, name_of)

    def __str__(self) -> str:  # the message alone; the CLI adds the hint
        return self.describe()

    def __reduce__(self):
        # pickled whole, facts and all: a sweep's worker process sends a run's failure back
        return (_rebuild, (type(self), self.args, self.__dict__))


def _rebuild(kind: type, args: tuple, state: dict) -> GradcliError:
    error = kind.__new__(kind)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


_PLACEHOLDER = re.compile(r"\{setting(?::(\w+))?\}")  # {setting} or {setting:name}


def _spell(text: str, setting: str | None, name_of) -> str:
    if "{setting" not in text:
        return text

    def spelled(match: re.Match) -> str:
        name = match.group(1) or setting
        if name is None:
            return match.group(0)
        return name_of(name) if name_of else name

    return _PLACEHOLDER.sub(spelled, text)


class GradcliWarning(GradcliError, UserWarning):
    """Something the caller should know that does not stop the work (the CLI shows it as a warning)."""

    exit_code = 0


class UsageError(GradcliError):
    """An option or argument is wrong (bad number, out of range, unknown name)."""

    exit_code = 2


class ExprError(UsageError):
    """An expression could not be parsed; ``column`` is 1-based (None if unknown)."""

    def __init__(self, message: str, expression: str = "", column: int | None = None, hint: str | None = None,
                 **facts):
        super().__init__(message, hint, **facts)
        self.expression = expression
        self.column = column

    def caret_lines(self, width: int = 80) -> list[str]:
        """The line of the expression with the problem and a caret under it (a window of a long line)."""
        if self.column is None or not self.expression:
            return []
        offset = min(self.column - 1, len(self.expression))
        start = self.expression.rfind("\n", 0, offset) + 1
        end = self.expression.find("\n", offset)
        line = self.expression[start:end if end >= 0 else len(self.expression)]
        column = offset - start
        if len(line) > width:  # a window around the column, marked with ellipses where it was cut
            left = max(0, min(column - width // 2, len(line) - width))
            shown = line[left:left + width]
            line = ("\u2026" if left else "") + shown + ("\u2026" if left + width < len(line) else "")
            column = column - left + (1 if left else 0)
        return ["  " + line.replace("\t", " "), "  " + " " * column + "^"]


class MissingValuesError(UsageError):
    """An expression was evaluated without a value for some of its variables (``facts['names']``)."""


class LimitError(UsageError):
    """Work estimated to go beyond a limit (memory, size), refused before it starts."""


class ShapeError(UsageError):
    """Arrays whose shapes do not fit an operation (``M @ x: (2, 2) @ (3,)``), or an array where a number is needed."""


class DomainError(GradcliError):
    """A math operation left its domain (log of a negative, division by zero, overflow)."""


class DataError(UsageError):
    """A dataset or CSV file is missing or malformed."""


class ModelFileError(UsageError):
    """A model file is missing, malformed, or of an unsupported version."""


class MissingPackageError(GradcliError):
    """An optional package a command needs is not installed (exit 1); the hint says how to install it."""


class ClusterError(GradcliError):
    """A Dask scheduler did not answer, or has no workers to run on (exit 1)."""


class RenderError(GradcliError):
    """A picture could not be rendered or written."""


class AppCrashedError(GradcliError):
    """A full-screen app (explore, the playground) stopped on an unhandled exception; Textual has shown its
    traceback and given the terminal back.  ``AppCrashedError("explore")``."""

    def __init__(self, app: str):
        super().__init__(f"{app} stopped on an internal error (its traceback is above)",
                         hint=f"please report it, with the command that started {app}", app=app)


class FileWriteError(GradcliError):
    """A file could not be written although its path is fine: the disk is full, an I/O error (exit 1).

    A path that cannot be written at all (no such folder, permission denied, a
    read-only file system, a name too long) is a usage error of the kind the
    writer names (exit 2); see ``gradcli.atomicfile``.
    """
