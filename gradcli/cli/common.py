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
import sys
from typing import Callable

import typer

from ..errors import GradcliError, UsageError
from ..printable import printable
from ..render.errors import error_lines, flag_name

# Commands that take an expression and its variables as free-form options.
VARIABLE_CONTEXT = {"allow_extra_args": True, "ignore_unknown_options": True}

_NAME = re.compile(r"[^\W\d]\w*\Z")  # letters of any alphabet (θ), digits (also ₁) and _, not starting with a digit
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\Z")
_SPECIAL_NUMBERS = {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}


def console(stderr: bool = False):
    """The Rich console for stdout (results) or stderr (warnings, errors, progress).

    Whatever it prints has its control characters escaped (``gradcli/printable.py``): a column name, a
    label or a file name cannot drive the terminal.  Rich's own colours and cursor moves are not text
    and pass as they are.  It lays out at least ``stdio.MIN_COLUMNS`` wide.
    """
    from rich.console import Console

    from .stdio import MIN_COLUMNS

    made = Console(stderr=stderr, highlight=False, soft_wrap=False)
    made.push_render_hook(_EscapeControlCharacters())
    if made.width < MIN_COLUMNS:  # a tiny terminal: lay out for 40 columns and let it wrap, not blank lines
        made.width = MIN_COLUMNS
    return made


class _EscapeControlCharacters:
    """A Rich render hook: every renderable printed is rendered through ``_Escaped``."""

    def process_renderables(self, renderables: list) -> list:
        return [_Escaped(renderable) for renderable in renderables]


class _Escaped:
    """A renderable whose text segments have their control characters escaped (line breaks kept)."""

    def __init__(self, renderable):
        self.renderable = renderable

    def __rich_console__(self, console, options):
        from rich.segment import Segment

        for segment in console.render(self.renderable, options):
            escaped = segment.text if segment.control else printable(segment.text, keep_newlines=True)
            yield segment if escaped is segment.text else Segment(escaped, segment.style)


def warn(message) -> None:
    """A warning on stderr (a text, or a core ``GradcliWarning`` in flags); it never changes the exit status."""
    if isinstance(message, GradcliError):
        message = message.describe(flag_name)
    from rich.text import Text

    # the message is never read as markup, and text it quotes cannot drive the terminal (gradcli/printable.py)
    line = Text.assemble(("warning:", "yellow"), " ", printable(message))
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
        except KeyboardInterrupt as interrupt:
            # Ctrl-C, SIGTERM or SIGHUP outside a training run (gradcli/interrupts.py): nothing half-done is
            # kept (files are written atomically, a renderer is killed); more signals are ignored meanwhile
            from ..interrupts import exit_status, interrupt_signal, signal_name

            signum = interrupt_signal(interrupt)
            _say_quietly(f"interrupted ({signal_name(signum)}); any file being written was left as it was")
            raise typer.Exit(exit_status(signum)) from None

    return wrapper


def _say_quietly(line: str) -> None:
    """A line on stderr that cannot fail (after a hang-up the terminal is gone)."""
    try:
        console(stderr=True).print(line, markup=False, highlight=False, soft_wrap=True)
    except OSError:
        pass


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
                    max_entries: int | None = None, stray_hint=None) -> tuple[str, dict]:
    """Separate the expression from variables given as ``--x 2``, ``--x=2`` or ``x=2``.

    Variables may come before or after the expression.  After ``--`` no word
    is an option: ``-- "--x" x=2`` is the expression ``--x`` with x = 2.
    Returns the expression and an ordered dict name -> float.  With ``arrays``, a value may also be an
    array (``--x 2,1``, ``--M "[[1, 2], [3, 4]]"``, ``--M @m.csv``: see ``array_values.py``), of at most
    ``max_entries`` entries.  ``stray_hint(word)``, if given, is the hint for a second positional word
    (by default: quote the expression).
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
            hint=stray_hint(extra_text) if stray_hint else "quote the expression if it contains spaces: \"x*w + b\"",
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
