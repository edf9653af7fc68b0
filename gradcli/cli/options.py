"""Options and checks shared by the expression commands (``grad``, ``check``, ``draw``), and ``--max-memory``.

``MAX_PRECISION`` bounds every ``--precision`` (declared with Typer's
``min=``/``max=``); ``parse_wrt`` validates ``--wrt`` with one clear usage
error.  Kept apart from the command modules so that each of them can import it
without importing the other.  The output options (``--format``, ``--json``)
are in ``output.py``.  ``MaxMemoryOption`` is the one ``--max-memory`` of every
command whose work can grow to gigabytes (``train``, ``eval``, ``predict``,
``check``, ``draw``); ``max_memory`` reads it (``limits.parse_memory``).
"""

from typing import Annotated

import typer

from ..errors import UsageError

# --precision (tables, Markdown, drawings): decimals a double can still show; Typer checks the range
MAX_PRECISION = 15


def parse_wrt(wrt: str | None, variables: list) -> list | None:
    """The names in ``--wrt x1,w1``, checked against the expression's variables."""
    if wrt is None:
        return None
    names = [name.strip() for name in wrt.split(",") if name.strip()]
    if not names:
        raise UsageError("--wrt needs variable names: --wrt x1,w1")
    unknown = [name for name in names if name not in variables]
    if unknown:
        noun = "variable" if len(unknown) == 1 else "variables"
        known = ", ".join(variables) if variables else "none"
        raise UsageError(f"--wrt names unknown {noun} {', '.join(unknown)}: the expression's variables are {known}")
    return list(dict.fromkeys(names))


DEFAULT_MAX_MEMORY_TEXT = "2GB"  # limits.DEFAULT_MAX_MEMORY, as typed
MaxMemoryOption = Annotated[str, typer.Option(
    "--max-memory", metavar="SIZE",
    help="Refuse work estimated to need more memory than this (e.g. 4GB, 500MB); the refusal gives the estimate.")]


def max_memory(text: str) -> int:
    """``--max-memory`` in bytes (``2GB`` -> 2147483648); a usage error for a size gradcli cannot read."""
    from ..limits import parse_memory

    return parse_memory(text)
