"""CSV out: the one way gradcli writes CSV (stdout tables, --log, --output, --export).

One header row, then one line per row; every float is written with ``repr``
so that it reads back as exactly the same number (NaN and infinities as
``nan``, ``inf``, ``-inf``, as Python, NumPy and pandas read them, and
``non_finite_warning`` says where), and a missing value (None) is an empty
cell::

    >>> print(csv_text(["x", "grad", "note"], [[0.1 + 0.2, None, "a, b"]]), end="")
    x,grad,note
    0.30000000000000004,,"a, b"

``write_csv_rows`` writes the same text to a file atomically (``atomicfile``).
Reading CSV is ``gradcli.data.csvfile``'s job.
"""

from __future__ import annotations

import math

from .errors import GradcliError, UsageError

SHOWN_CELLS = 3  # a warning names this many non-finite cells, then counts the rest


def cell(value) -> str:
    """One cell: a float in full (``repr``), an array as nested lists of them, None empty, else ``str``."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(float(value))  # float(): NumPy's float64 would repr as "np.float64(...)"
    if hasattr(value, "tolist"):  # a NumPy array: every entry in full, [[1.0, 2.0], [3.0, 4.0]]
        return _nested(value.tolist())
    return str(value)


def _nested(item) -> str:
    if isinstance(item, list):
        return "[" + ", ".join(_nested(entry) for entry in item) + "]"
    return cell(item)


def csv_text(header, rows) -> str:
    """The header and the rows as CSV text (``\\n`` line ends, quoting where a cell needs it)."""
    import csv  # on first use: the start-up path of `gradcli grad` never pays for it
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([cell(value) for value in header])
    writer.writerows([cell(value) for value in row] for row in rows)
    return buffer.getvalue()


def write_csv_rows(path, header, rows, error: type[GradcliError] = UsageError) -> str | None:
    """Write ``csv_text(header, rows)`` to ``path`` atomically (``error``: the kind for a bad path).

    Returns ``non_finite_warning(header, rows)``: None when every float was finite.
    """
    from .atomicfile import write_text_atomic

    write_text_atomic(path, csv_text(header, rows), error)
    return non_finite_warning(header, rows)


def _all_finite(array) -> bool:
    return all(math.isfinite(v) for v in array.ravel().tolist())


def non_finite_warning(header, rows) -> str | None:
    """Which cells hold NaN or an infinity (written as ``nan``, ``inf``, ``-inf``); None if none do.

        >>> non_finite_warning(["step", "r2"], [[1, 0.5], [2, float("nan")]])
        'NaN or infinity written as nan, inf or -inf: r2 on line 3 (nan)'
    """
    found = [(f"{header[j] if j < len(header) else f'column {j + 1}'} on line {i + 2}", value)
             for i, row in enumerate(rows) for j, value in enumerate(row)
             if isinstance(value, float) and not math.isfinite(value)
             or hasattr(value, "tolist") and not isinstance(value, float) and not _all_finite(value)]
    if not found:
        return None
    shown = ", ".join(f"{place} ({value})" for place, value in found[:SHOWN_CELLS])
    more = len(found) - SHOWN_CELLS
    return f"NaN or infinity written as nan, inf or -inf: {shown}" + (f" and {more} more" if more > 0 else "")
