"""The output convention of every command: ``--format`` chooses, ``--json`` is short for ``--format json``.

A command that can print machine-readable output takes ``--format`` with the
formats it has (always ``table``, the default, and ``json``; ``grad`` and
``check`` add ``markdown`` and ``csv``, ``grad`` also ``latex``, ``predict`` adds ``csv``) and ``--json``,
an alias of ``--format json``.  ``--format`` is the primary spelling: one option
names every format a command has and leaves room for new ones.  docs/cli.md
("Output formats") describes the convention once.

    output = chosen_format(output_format, json_output)    # --json folded in
    if output is TableFormat.json:
        write_json(render.some_document(result))          # strict JSON on stdout, nulls explained on stderr
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from ..errors import UsageError
from .common import warn, write_stdout


class OutputFormat(str, Enum):
    """The formats of ``grad`` and ``check``."""

    table = "table"
    json = "json"
    markdown = "markdown"
    csv = "csv"


class GradFormat(str, Enum):
    """The formats of ``grad``: those of ``check`` and LaTeX (formulas, traces and gradients for slides)."""

    table = "table"
    json = "json"
    markdown = "markdown"
    csv = "csv"
    latex = "latex"


class TableFormat(str, Enum):
    """The formats of ``train``, ``eval`` and ``datasets``."""

    table = "table"
    json = "json"


class PredictFormat(str, Enum):
    """The formats of ``predict``."""

    table = "table"
    csv = "csv"
    json = "json"


# --format has no short form: -f is --file (the expression from a file) on grad, check, draw and explore.
FormatOption = Annotated[
    OutputFormat,
    typer.Option("--format", help="table (Rich, for reading), json (full precision), markdown or csv."),
]
GradFormatOption = Annotated[
    GradFormat,
    typer.Option("--format", help="table (Rich, for reading), json (full precision), markdown, csv or latex."),
]
TableFormatOption = Annotated[TableFormat, typer.Option("--format", help="table (for reading) or json (every digit).")]
PredictFormatOption = Annotated[PredictFormat, typer.Option(
    "--format", help="table (for reading), csv or json (every digit).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Short for --format json.")]
CsvOption = Annotated[bool, typer.Option("--csv", help="Short for --format csv.")]  # sweep: CSV is its second output


def chosen_format(output_format: Enum, json_output: bool, csv_output: bool = False) -> Enum:
    """``output_format`` with ``--json`` (and ``--csv``) folded in; either with another format than table or its
    own, or both, is a usage error."""
    for given, name in ((json_output, "json"), (csv_output, "csv")):
        if not given:
            continue
        if output_format.value not in ("table", name) or (json_output and csv_output):
            other = "--csv" if json_output and csv_output else f"--format {output_format.value}"
            raise UsageError(f"--{name} is short for --format {name}: give one of --{name} and {other}")
        return type(output_format)(name)
    return output_format


def write_json(document, *, indent: int | None = None) -> None:
    """Print ``document`` as strict JSON on stdout: a NaN or an infinity is null, and a warning says which."""
    from ..jsontext import null_warning, to_json

    note = null_warning(document)
    if note:
        warn(note)
    write_stdout(to_json(document, indent=indent))
