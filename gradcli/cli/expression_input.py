"""An expression on the command line: the argument or a file, its variables, its output and its limits.

``grad``, ``check``, ``draw`` and ``explore`` read their expression the same
way, so they share these options and ``read_expression``:

- the expression is the argument, or comes from ``-f FILE`` / ``--file FILE``
  (``-f -`` reads stdin): one formula or named statements, ``#`` comments;
- ``--output NAME`` picks which bound name is the output (``draw`` spells it
  ``--output-name``, as its ``-o/--output`` is the picture's file);
- ``--max-length`` and ``--max-size`` raise or lower the parser's limits, ``--max-entries`` the size
  of an array (a literal in the expression, or a value: ``--x 2,1``, ``--M @m.csv``);
- a value given for ``e`` or ``pi`` makes it a variable (a note says so), a
  value for a bound name is an error, an unused value is a warning.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated, Optional

import typer

from ..errors import UsageError
from .common import note, split_variables, warn, warn_unused

FileOption = Annotated[Optional[str], typer.Option(
    "--file", "-f", metavar="FILE", show_default=False,
    help="Read the expression or statements from FILE ('-': stdin); # starts a comment. "
         "Variables still follow as --x 2 or x=2.")]
OutputNameOption = Annotated[Optional[str], typer.Option(
    "--output", "--output-name", metavar="NAME", show_default=False,
    help="Which bound name is the output, e.g. --output n (default: the last statement).")]
DrawOutputNameOption = Annotated[Optional[str], typer.Option(
    "--output-name", metavar="NAME", show_default=False,
    help="Which bound name is the output (default: the last statement) (-o/--output is the file).")]
MaxLengthOption = Annotated[int, typer.Option(
    metavar="CHARS", min=1, help="Refuse an expression longer than this many characters.")]
MaxSizeOption = Annotated[int, typer.Option(
    metavar="N", min=1, help="Refuse an expression of more than N nodes and statements.")]
MaxEntriesOption = Annotated[int, typer.Option(
    metavar="N", min=1, help="Refuse an array of more than N entries (a literal, or a value such as --M @m.npy).")]

OPTIONS = ["--file", "--output", "--output-name", "--max-length", "--max-size", "--max-entries"]  # did-you-mean


def read_expression(argument: str | None, extra: list, *, file: str | None, output: str | None,
                    max_length: int, max_size: int, own_options=(), max_entries: int | None = None, outputs=()):
    """(the parsed Expression, the variables' values) from the command line; notes and warnings on stderr.

    A value is a number or an array (``--x 2,1``, ``--M "[[1, 2], [3, 4]]"``, ``--M @m.npy``);
    ``outputs`` (``grad --outputs u,v``) are more bound names whose variables count as used.
    """
    from ..autograd.expr import MAX_ENTRIES, Limits, parse
    from ..autograd.ops import CONSTANTS
    from ..autograd.tokens import name_of
    from ..numbers import significant

    max_entries = MAX_ENTRIES if max_entries is None else max_entries
    text, given = _text_and_values(argument, extra, file, max_length, max_entries)
    values = {}
    for name, value in given.items():  # --w₁ 0.2 is --w1 0.2, as w₁ is w1 in the expression
        if name_of(name) in values:
            raise UsageError(f"variable {name_of(name)} is given twice")
        values[name_of(name)] = value
    limits = Limits(length=max_length, size=max_size, entries=max_entries)
    parsed = parse(text, limits=limits, output=output)
    as_variables = [name for name in CONSTANTS if name in values and name in parsed.constants_used]
    if as_variables:  # e*x with --e 3: the value given wins over the constant
        parsed = parse(text, limits=limits, output=output, variables=as_variables)
        for name in as_variables:
            given_as = significant(values[name]) if values[name].__class__ is float else "an array"
            note(f"{name} is a variable here (given as {name} = {given_as}); "
                 f"without a value it is the constant {significant(CONSTANTS[name])}")
    parsed.check_values(values)
    used = list(dict.fromkeys(name for expression in [parsed, *(parsed.with_output(o) for o in outputs)]
                              for name in expression.variables))
    warn_unused(values, used, [*own_options, *OPTIONS])
    for line in parsed.notes:
        if not any(line.startswith(f"{name} (bound at") for name in outputs):  # an output is used
            warn(line)
    return parsed, values


def _text_and_values(argument: str | None, extra: list, file: str | None, max_length: int,
                     max_entries: int) -> tuple:
    """The expression's text and the variables: from the arguments, or from a file and the arguments."""
    if file is None:
        return split_variables(argument, extra, arrays=True, max_entries=max_entries)
    if file in ("table", "json", "markdown", "csv") and not os.path.exists(file):
        raise UsageError(f"-f {file} reads the expression from a file named {file}, which does not exist",
                         hint=f"for the output format write --format {file} (-f is --file)")
    tokens = ([argument] if argument is not None else []) + list(extra)
    try:
        _, values = split_variables("(from the file)", tokens, arrays=True, max_entries=max_entries)
    except UsageError as error:
        raise UsageError(error.message, hint=f"the expression comes from {'stdin' if file == '-' else file}: "
                                             "give it there or as the argument, not both; the other arguments "
                                             "are variables (--x 2 or x=2)") from None
    return read_source(file, max_length), values


def read_source(path: str, limit: int) -> str:
    """The text of ``path`` (``-``: stdin), read up to ``limit`` characters; a clear error otherwise.

    Read through ``readfile.read_limited``: a regular file or stdin only (a FIFO
    or a device is refused before it is opened), never more than the limit.
    """
    from ..readfile import read_limited

    where = "stdin" if path == "-" else path
    # UTF-8 takes at most 4 bytes a character: read enough bytes for `limit` characters, no more
    too_large = {"hint": "raise the limit with {setting} (it counts characters, of up to 4 bytes each)",
                 "setting": "max_length", "limit": limit}
    raw = read_limited(path, 4 * limit, UsageError, what="statements file", stdin=True, too_large=too_large)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UsageError(f"{where} is not UTF-8 text (byte {error.start} cannot be read)") from None
    if len(text) > limit:
        raise UsageError(f"{where} holds more than {limit:,} characters", hint="raise the limit with {setting}",
                         setting="max_length", limit=limit)
    return text.removeprefix("\ufeff")
