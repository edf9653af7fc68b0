"""What every command shares: consoles, error reporting, variables passed as options.

Commands follow three beats: read options -> call the core -> render.  Wrap a
command with ``@reports_errors`` so that a ``GradcliError`` from the core
becomes one clear message on stderr and the error's exit status, never a
traceback.
"""

from __future__ import annotations

import functools
import math
import re
import signal
import sys
from typing import Callable

import typer

from ..errors import GradcliError, UsageError
from ..render.errors import error_lines, flag_name

# Commands that take an expression and its variables as free-form options.
VARIABLE_CONTEXT = {"allow_extra_args": True, "ignore_unknown_options": True}

_NAME = re.compile(r"[^\W\d]\w*\Z")  # letters of any alphabet (θ), digits (also ₁) and _, not starting with a digit
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\Z")
_SPECIAL_NUMBERS = {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}


def console(stderr: bool = False):
    """The Rich console for stdout (results) or stderr (warnings, errors, progress)."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def warn(message) -> None:
    """A warning on stderr (a text, or a core ``GradcliWarning`` in flags); it never changes the exit status."""
    if isinstance(message, GradcliError):
        message = message.describe(flag_name)
    from rich.text import Text

    line = Text.assemble(("warning:", "yellow"), " ", message)  # the message is never read as markup
    console(stderr=True).print(line, highlight=False, soft_wrap=True)


def note(message: str) -> None:
    """A note on stderr: something the user chose that changes how their input is read."""
    from rich.text import Text

    console(stderr=True).print(Text.assemble(("note:", "cyan"), " ", message), highlight=False, soft_wrap=True)


def report(error: GradcliError) -> None:
    """Print ``error`` to stderr (``render.errors.error_lines``: settings as flags) without markup."""
    err = console(stderr=True)
    for index, line in enumerate(error_lines(error)):
        err.print(line, style="bold red" if index == 0 else None, markup=False, highlight=False, soft_wrap=True)


def reports_errors(command: Callable) -> Callable:
    """Decorator: turn GradcliError into a message on stderr and its exit status."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except GradcliError as error:
            report(error)
            raise typer.Exit(error.exit_code) from None
        except KeyboardInterrupt:
            # Ctrl-C outside a training run: nothing half-done is kept (files are written atomically);
            # a second Ctrl-C while we exit must not cut the exit short
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            console(stderr=True).print("interrupted (Ctrl-C); any file being written was left as it was", highlight=False)
            raise typer.Exit(130) from None

    return wrapper


def parse_number(text: str, where: str) -> float:
    """A finite float from ``text``; ``where`` names the option in the error message."""
    stripped = text.strip()
    if stripped.lower() in _SPECIAL_NUMBERS:
        raise UsageError(f"'{text}' is not a finite number for {where}: give a value such as 0.5 or -3")
    if not _NUMBER.match(stripped):
        raise UsageError(f"'{text}' is not a number for {where}")
    value = float(stripped)
    if not math.isfinite(value):
        raise UsageError(f"'{text}' is too large for {where}: the largest float is about 1.8e308")
    return value


def split_variables(expression: str | None, extra: list[str], *, arrays: bool = False,
                    max_entries: int | None = None) -> tuple[str, dict]:
    """Separate the expression from variables given as ``--x 2``, ``--x=2`` or ``x=2``.

    Variables may come before or after the expression.  After ``--`` no word
    is an option: ``-- "--x" x=2`` is the expression ``--x`` with x = 2.
    Returns the expression and an ordered dict name -> float.  With ``arrays``, a value may also be an
    array (``--x 2,1``, ``--M "[[1, 2], [3, 4]]"``, ``--M @m.csv``: see ``array_values.py``), of at most
    ``max_entries`` entries.
    """
    read = functools.partial(_set_variable, arrays=arrays, max_entries=max_entries)
    tokens = ([expression] if expression is not None else []) + list(extra)
    values: dict[str, float] = {}
    positionals: list[str] = []
    options_end = False
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        if token == "--" and not options_end:
            options_end = True
        elif token.startswith("--") and len(token) > 2 and not options_end:
            name, has_value, text = token[2:].partition("=")
            if not has_value:
                if index >= len(tokens):
                    raise UsageError(f"{token} needs a value: {token} 1.5")
                text = tokens[index]
                index += 1
            read(values, name, text, f"--{name}")
        elif "=" in token and _NAME.match(token.partition("=")[0]):
            name, _, text = token.partition("=")
            read(values, name, text, name)
        else:
            positionals.append(token)
    if not positionals:
        raise UsageError("no expression given: gradcli grad \"x**2 + 1\" --x 3")
    if len(positionals) > 1:
        extra_text = positionals[1]
        raise UsageError(
            f"unexpected argument '{extra_text}': pass variables as --name VALUE or name=VALUE",
            hint="quote the expression if it contains spaces: \"x*w + b\"",
        )
    return positionals[0], values


def _set_variable(values: dict, name: str, text: str, where: str, arrays: bool = False,
                  max_entries: int | None = None) -> None:
    if not _NAME.match(name):
        raise UsageError(f"'{name}' is not a variable name (letters, digits and _, not starting with a digit)")
    if name in values:
        raise UsageError(f"variable {name} is given twice")
    if arrays and ("," in text or text.lstrip()[:1] in ("[", "@")):  # an array: NumPy is imported only now
        from .array_values import parse_array

        values[name] = parse_array(text, where, max_entries)
    else:
        values[name] = parse_number(text, where)


def warn_unused(passed: dict, used: list[str], own_options: list[str] = ()) -> None:
    """Warn about variables that were passed but do not occur in the expression."""
    import difflib

    for name in passed:
        if name in used:
            continue
        hint = ""
        close = difflib.get_close_matches(f"--{name}", own_options, n=1, cutoff=0.75)
        if close:
            hint = f"; did you mean the option {close[0]}?"
        elif used:
            hint = f" (its variables: {', '.join(used)})"
        warn(f"variable {name} is not used in the expression{hint}")


def write_stdout(text: str) -> None:
    """Write plain text (JSON, CSV, Markdown) to stdout exactly as given."""
    sys.stdout.write(text)
    if not text.endswith("\n"):
        sys.stdout.write("\n")
    sys.stdout.flush()
