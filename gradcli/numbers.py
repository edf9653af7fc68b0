"""Numbers as text: every way gradcli writes a number for a person to read, each with one rule.

    >>> from gradcli import numbers
    >>> numbers.decimals(0.70710678), numbers.decimals(-1e-9), numbers.decimals(2.5e7, 2)
    ('0.7071', '-1.0000e-09', '2.50e+07')
    >>> numbers.trimmed(2.0), numbers.trimmed(6.88137358)
    ('2', '6.8814')
    >>> numbers.scientific(6.2618e-11), numbers.scientific(1e-6, 0)
    ('6.26e-11', '1e-06')
    >>> numbers.significant(6.8813735870195432), numbers.significant(0.1 + 0.2, 6)
    ('6.881373587', '0.3')
    >>> numbers.short(0.302149), numbers.short(12345.6), numbers.short(0.9123, 3)
    ('0.3021', '1.235e+04', '0.912')
    >>> numbers.percent(0.87), numbers.percent(None)
    ('87.0%', '-')
    >>> numbers.plain(1000.0), numbers.plain(0.1 + 0.2)
    ('1000', '0.3')
    >>> numbers.exact(0.1 + 0.2), numbers.exact(-0.0)
    ('0.30000000000000004', '0')
    >>> numbers.memory(5_400_000_000), numbers.memory(300 * 2**20), numbers.duration(20.4), numbers.duration(2000)
    ('5 GB', '300 MB', '20 s', '33 min')
    >>> import numpy
    >>> numbers.compact(2.25), numbers.compact(numpy.array([[6.0, 3.0], [0.0, -0.5]]))
    ('2.2500', '[[6, 3], [0, -0.5]]')
    >>> numbers.compact(numpy.arange(100.0))
    '[0, 1, …, 98, 99]'

Which one to use:

- ``decimals``: tables, Markdown and drawings (``--precision``);
- ``trimmed``: a title line (drawings);
- ``scientific``: error sizes and finite-difference steps, always in e-notation;
- ``significant``: values as the user gave them, tick labels, raw data in tables;
- ``short``: metrics in progress lines and training summaries (loss, MSE, R^2);
- ``percent``: accuracy;
- ``plain``: a number inside a sentence (warnings and error messages);
- ``exact``: a number that must read back as the same float (a command line to repeat);
- ``memory``: a number of bytes, of memory or of a file (``5.1 GB``, ``1.5 MB``);
- ``duration``: seconds as a person says them (``33 min``);
- ``compact``: a value that may be an array, in a table cell (a number as ``decimals`` writes it, an
  array on one line, large ones elided); ``entries`` writes an array with any of the above.

The other way, ``is_decimal`` is the syntax of a number read from a file (a CSV
cell): ASCII digits with an optional sign, point and exponent.  Python's
``float()`` also takes ``1_000``, other scripts' digits and ``nan``; a data
file that holds those is more likely wrong than meant::

    >>> numbers.is_decimal("-1.5e3"), numbers.is_decimal("1_000"), numbers.is_decimal("\u0663")
    (True, False, False)

Every formatter writes ``None`` (a number that does not exist) as ``-``;
``nan`` and ``inf`` are written as Python writes them.  -0.0 is never written
with its sign.  JSON and CSV carry every digit instead (``jsontext``, ``csvtext``).
"""

from __future__ import annotations

import math
import re

MISSING = "-"                  # how a number that does not exist (None) is shown
DEFAULT_PRECISION = 4          # decimals in tables and drawings, as in the published traces (0.7071)
LARGE = 1e6                    # from here on, decimals() switches to e-notation
EXACT_INTEGERS = 1e15          # integral floats below this are written without '.0' (plain, exact)
DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")  # ASCII only, unlike \d


def decimals(x, precision: int = DEFAULT_PRECISION) -> str:
    """``x`` with ``precision`` decimals; e-notation (as many decimals) where that would show 0, and from 1e6 on.

    So a tiny but real gradient never reads as 0.0000: ``decimals(-1e-9) == '-1.0000e-09'``.
    """
    if x is None:
        return MISSING
    if isinstance(x, bool):
        return str(x)
    x = float(x)
    if not math.isfinite(x):
        return str(x)  # nan, inf, -inf
    magnitude = abs(x)
    if magnitude and (magnitude >= LARGE or magnitude < 0.5 * 10.0**-precision):
        return f"{x:.{precision}e}"
    text = f"{x:.{precision}f}"
    return text[1:] if text.startswith("-") and float(text) == 0.0 else text  # no "-0.0000"


ARRAY_ENTRIES = 16  # an array of more entries is shown by the first and last ARRAY_EDGE along each axis
ARRAY_EDGE = 2


def compact(x, precision: int = DEFAULT_PRECISION) -> str:
    """A number as ``decimals`` writes it; an array on one line, its entries ``trimmed``: ``[[6, 3], [0, 0]]``."""
    if getattr(x, "ndim", 0) == 0:
        return decimals(x, precision)
    return entries(x, lambda v: trimmed(v, precision))


def entries(array, entry) -> str:
    """An array on one line, nested as its axes, each entry written by ``entry`` (a formatter above).

    An array of more than ``ARRAY_ENTRIES`` entries shows the first and last ``ARRAY_EDGE`` along each
    axis with ``…`` between them (``--format json`` and ``csv`` give every entry).
    """
    edge = None if array.size <= ARRAY_ENTRIES else ARRAY_EDGE

    def text(a) -> str:
        if a.ndim == 0:
            return entry(float(a))
        n = len(a)
        if edge is None or n <= 2 * edge + 1:
            return "[" + ", ".join(text(a[i]) for i in range(n)) + "]"
        return "[" + ", ".join([*(text(a[i]) for i in range(edge)), "…",
                                *(text(a[i]) for i in range(n - edge, n))]) + "]"

    return text(array)


def trimmed(x, precision: int = DEFAULT_PRECISION) -> str:
    """``decimals`` without trailing zeros: ``2``, ``6.8814`` (for title lines)."""
    text = decimals(x, precision)
    if "." in text and "e" not in text:
        text = text.rstrip("0").rstrip(".")
    return text


def scientific(x, digits: int = 2) -> str:
    """Always e-notation with ``digits`` decimals: ``6.26e-11`` (error sizes, steps h)."""
    return MISSING if x is None else f"{x:.{digits}e}"


def significant(x, digits: int = 10) -> str:
    """At most ``digits`` significant digits, no trailing zeros: ``0.5``, ``6.881373587``, ``1e-05``."""
    if x is None:
        return MISSING
    if x == 0:
        return "0"  # also for -0.0
    return f"{x:.{digits}g}"


def short(x, digits: int = 4) -> str:
    """``digits`` decimals, or ``digits`` significant digits for very large or small values (>= 1e4, < 1e-3)."""
    if x is None:
        return MISSING
    if x and (abs(x) >= 1e4 or abs(x) < 1e-3):
        return f"{x:.{digits}g}"
    return f"{x:.{digits}f}"


def percent(fraction) -> str:
    """A fraction as a percentage with one decimal: ``87.0%``; ``-`` for None or NaN."""
    if fraction is None or (isinstance(fraction, float) and math.isnan(fraction)):
        return MISSING
    return f"{100 * fraction:.1f}%"


def plain(x) -> str:
    """A number inside a sentence: six significant digits, integral values without '.0' (``1000``, ``-8``)."""
    if isinstance(x, float) and x.is_integer() and abs(x) < EXACT_INTEGERS:
        return str(int(x))
    return f"{x:.6g}" if isinstance(x, float) else str(x)


def exact(x: float) -> str:
    """The shortest text that reads back as exactly ``x`` (integral values without '.0')."""
    if x == 0.0:
        return "0"  # also for -0.0
    if x.is_integer() and abs(x) < EXACT_INTEGERS:
        return str(int(x))
    return repr(x)


def is_decimal(text: str) -> bool:
    """Whether ``text`` is a number in the syntax gradcli reads from files (see the module docstring)."""
    return DECIMAL.match(text) is not None
MEMORY_UNITS = (("GB", 2**30), ("MB", 2**20), ("KB", 2**10))  # binary units, as --max-memory reads them


def memory(n_bytes) -> str:
    """A size in bytes (memory or a file) with its unit: ``5.1 GB``, ``300 MB``, ``1.5 MB``, ``679 bytes``."""
    if n_bytes is None:
        return MISSING
    for unit, scale in MEMORY_UNITS:
        if n_bytes >= scale:
            value = n_bytes / scale  # one decimal below 10 (1.5 MB, 5.1 GB), none above (50 MB)
            return (f"{value:.1f}".rstrip("0").rstrip(".") if value < 9.95 else f"{value:.0f}") + f" {unit}"
    return f"{int(n_bytes)} byte{'' if int(n_bytes) == 1 else 's'}"


def duration(seconds) -> str:
    """Seconds as a person says them: ``0.5 s``, ``20 s``, ``33 min``, ``2.8 h``, ``3.1 days``."""
    if seconds is None:
        return MISSING
    if seconds < 10:
        return f"{seconds:.1g} s" if seconds < 1 else f"{seconds:.0f} s"
    if seconds < 100:
        return f"{seconds:.0f} s"
    if seconds < 6000:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"
