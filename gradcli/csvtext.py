"""CSV out: the one way gradcli writes CSV (stdout tables, --log, --output, --export).

One header row, then one line per row; every float is written with ``repr``
so that it reads back as exactly the same number, and a missing value (None)
is an empty cell::

    >>> print(csv_text(["x", "grad", "note"], [[0.1 + 0.2, None, "a, b"]]), end="")
    x,grad,note
    0.30000000000000004,,"a, b"

``write_csv_rows`` writes the same text to a file atomically (``atomicfile``).
Reading CSV is ``gradcli.data.csvfile``'s job.
"""

from __future__ import annotations

from .errors import GradcliError, UsageError


def cell(value) -> str:
    """One cell: a float in full (``repr``), None empty, anything else as ``str``."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(float(value))  # float(): NumPy's float64 would repr as "np.float64(...)"
    return str(value)


def csv_text(header, rows) -> str:
    """The header and the rows as CSV text (``\\n`` line ends, quoting where a cell needs it)."""
    import csv  # on first use: the start-up path of `gradcli grad` never pays for it
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([cell(value) for value in header])
    writer.writerows([cell(value) for value in row] for row in rows)
    return buffer.getvalue()


def write_csv_rows(path, header, rows, error: type[GradcliError] = UsageError) -> None:
    """Write ``csv_text(header, rows)`` to ``path`` atomically; ``error`` is the kind to raise on failure."""
    from .atomicfile import write_text_atomic

    write_text_atomic(path, csv_text(header, rows), error)
