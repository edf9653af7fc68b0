"""How much memory a piece of work may use, and the check that refuses it before it starts.

Work that can grow to gigabytes (a training step of a wide network, the
network of a large model file, the results of many gradient checks, the
layout of a large picture) is estimated first, from sizes alone; an estimate
above the limit is refused with the estimate, what it is made of, and how to
go on::

    >>> from gradcli.limits import GB, Estimate, check_memory, parse_memory
    >>> parse_memory("2GB"), parse_memory("512MB"), parse_memory("1.5g")
    (2147483648, 536870912, 1610612736)
    >>> check_memory(Estimate(5 * GB, "this run", "2,004,001 parameters"), 2 * GB)
    Traceback (most recent call last):
    ...
    gradcli.errors.LimitError: this run needs about 5 GB of memory (2,004,001 parameters), more than max_memory 2 GB

The estimates live with what they estimate: ``learn/estimate.py`` (networks:
training, holding, evaluating), ``autograd/gradcheck.py`` (random-point
checks), ``pictures/graph.py`` (picture layouts).  Their constants were
measured with ``benchmarks/bench_limits.py`` and err on the high side.
``DEFAULT_MAX_MEMORY`` is the limit of every command (``--max-memory``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .errors import LimitError, UsageError
from .numbers import duration, memory

__all__ = ["KB", "MB", "GB", "DEFAULT_MAX_MEMORY", "Estimate", "check_memory", "parse_memory", "time_note"]

KB, MB, GB = 2**10, 2**20, 2**30
DEFAULT_MAX_MEMORY = 2 * GB  # what a laptop can spare without swapping; --max-memory raises it
_SIZE = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([kmgt]i?b?|b)?\s*\Z", re.I)
_SCALE = {"": None, "b": 1, "k": KB, "m": MB, "g": GB, "t": 2**40}


@dataclass(frozen=True)
class Estimate:
    """What a piece of work will need: ``memory`` in bytes at its peak, and ``seconds`` when known."""

    memory: int
    what: str  # the work, as the subject of a sentence: "this run", "the network of m.json"
    detail: str = ""  # what the number is made of: "2,004,001 parameters x 100 samples a step"
    seconds: float | None = None  # time for the whole work (a run: all its steps), when it can be estimated

    def describe(self) -> str:
        """``about 5 GB of memory (2,004,001 parameters ...)``."""
        text = f"about {memory(self.memory)} of memory"
        if self.detail:
            text += f" ({self.detail})"
        return text


def check_memory(estimate: Estimate, limit: int = DEFAULT_MAX_MEMORY, *, advice: str | None = None) -> None:
    """Raise ``LimitError`` (naming the ``max_memory`` setting) when ``estimate`` needs more than ``limit`` bytes.

    ``advice`` says how to make the work smaller ("use smaller {setting:layers}");
    the hint always names the limit that would let it run.
    """
    if estimate.memory <= limit:
        return
    needed = _round_up(estimate.memory)
    hint = f"{advice}, or raise the limit with {{setting}} {needed}" if advice else \
        f"raise the limit with {{setting}} {needed} if the machine has that much memory free"
    raise LimitError(
        f"{estimate.what} needs {estimate.describe()}, more than {{setting}} {memory(limit)}",
        hint=hint, setting="max_memory", value=limit, limit=estimate.memory,
    )


def parse_memory(text: str) -> int:
    """``"2GB"``, ``"512MB"``, ``"1.5g"``, ``"800KB"`` -> bytes (binary units); a unit is required."""
    match = _SIZE.match(text)
    if not match:
        raise UsageError(f"{{setting}} '{text}' is not a size; give one such as 4GB or 500MB", setting="max_memory",
                         value=text)
    number, unit = float(match.group(1)), (match.group(2) or "").lower()
    if number == 0:
        raise UsageError(f"{{setting}} must be more than 0, got {text}", setting="max_memory", value=text)
    scale = _SCALE[unit[:1]]
    if scale is None:
        raise UsageError(f"{{setting}} {text} needs a unit: {text}GB or {text}MB, say", setting="max_memory",
                         value=text)
    size = number * scale
    if not (math.isfinite(size) and size >= 1):
        raise UsageError(f"{{setting}} must be more than 0, got {text}", setting="max_memory", value=text)
    return int(size)


def _round_up(n_bytes: int) -> str:
    """A limit that ``n_bytes`` fits under with 10% to spare, as a user would type it: ``7GB``, ``400MB``."""
    if n_bytes >= GB:
        return f"{math.ceil(n_bytes * 1.1 / GB)}GB"
    return f"{math.ceil(n_bytes * 1.1 / (100 * MB)) * 100}MB"


def time_note(estimate: Estimate, threshold: float) -> str | None:
    """A line announcing a long piece of work (its estimated time above ``threshold`` seconds), else None."""
    if estimate.seconds is None or estimate.seconds < threshold:
        return None
    return f"{estimate.what} will take about {duration(estimate.seconds)} (estimated)"
