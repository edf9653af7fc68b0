"""Read a numeric CSV file into input columns and a target column, with errors that point at the cell.

The format is the plainest one: a header row naming the columns, then one row
per sample, every cell a finite number.  The target is the last column unless
``target`` names another; every other column is an input.  Whether the target
is a class label or a value is decided by ``infer_task`` (data.py applies it).

    table = read_csv("data.csv")                 # CsvTable(columns, values (n, c))
    X, y, inputs, target = table.split_target("y")

Every problem raises ``DataError`` naming the file, the row (the line number
in the file, header = row 1) and the column, so the user can go straight to it.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import os
from dataclasses import dataclass

import numpy as np

from ..atomicfile import write_text_atomic
from ..errors import DataError

MAX_BYTES = 50 * 1024 * 1024   # larger files are not "small datasets"; refuse before reading
MAX_ROWS = 100_000
MAX_COLUMNS = 1_000
MIN_ROWS = 2                   # one row cannot be split, fitted meaningfully or checked for classes


@dataclass
class CsvTable:
    """A parsed CSV file: ``values[i, j]`` is row i (0-based, header excluded), column ``columns[j]``."""

    source: str           # the file name as the user gave it, used in messages
    columns: list[str]
    values: np.ndarray    # (n, c) float64

    def split_target(self, target: str | None = None) -> tuple[np.ndarray, np.ndarray, list[str], str]:
        """Inputs X (n, c-1), target column y (n,), the input names and the target name."""
        if target is None:
            index = len(self.columns) - 1
        elif target in self.columns:
            index = self.columns.index(target)
        else:
            close = difflib.get_close_matches(target, self.columns, n=1)
            guess = f" (did you mean '{close[0]}'?)" if close else ""
            raise DataError(
                f"{self.source} has no column '{target}'{guess}",
                hint=f"its columns are: {', '.join(self.columns)}",
            )
        inputs = [name for j, name in enumerate(self.columns) if j != index]
        X = np.delete(self.values, index, axis=1)
        return X, self.values[:, index].copy(), inputs, self.columns[index]


def read_csv(path: str) -> CsvTable:
    """Parse the CSV file at ``path``; ``DataError`` on any problem (missing, too big, malformed)."""
    if not os.path.exists(path):
        raise DataError(f"no such file: {path}", hint="give a built-in dataset name (see `gradcli datasets`) or a CSV path")
    if os.path.isdir(path):
        raise DataError(f"{path} is a folder, not a CSV file")
    size = os.path.getsize(path)
    if size > MAX_BYTES:
        raise DataError(f"{path} is {size / 2**20:.1f} MB; gradcli reads CSV files up to {MAX_BYTES / 2**20:g} MB")
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as error:
        raise DataError(f"cannot read {path}: {error.strerror}") from None
    return parse_csv_bytes(raw, path)


def parse_csv_bytes(raw: bytes, source: str) -> CsvTable:
    """Parse CSV content; ``source`` names it in messages (a path, or a shipped dataset's name)."""
    try:
        text = raw.decode("utf-8-sig")  # tolerate the byte-order mark spreadsheets write
    except UnicodeDecodeError as error:
        raise DataError(f"{source} is not UTF-8 text (byte {error.start + 1} cannot be decoded)") from None
    lines = _nonblank_rows(csv.reader(io.StringIO(text, newline="")), source)
    header = _read_header(lines, source)
    rows = _read_rows(lines, source, header)
    return CsvTable(source, header, np.array(rows, dtype=np.float64).reshape(len(rows), len(header)))


def _nonblank_rows(reader, source: str):
    """(line number where the row starts, stripped cells) for each row that is not blank."""
    first_line = 1
    try:
        for cells in reader:
            if any("\n" in cell or "\r" in cell for cell in cells):
                # a quoted cell ran over line ends: almost always a quote that is never closed
                raise DataError(f"{source}, row {first_line}: a quote opened in this row is never closed")
            if any(cell.strip() for cell in cells):
                yield first_line, [cell.strip() for cell in cells]
            first_line = reader.line_num + 1
    except csv.Error as error:  # e.g. a NUL byte
        raise DataError(f"{source}, row {reader.line_num}: {error}") from None


def _read_header(lines, source: str) -> list[str]:
    first = next(lines, None)
    if first is None:
        raise DataError(f"{source} is empty: expected a header row (e.g. x1,x2,y) and rows of numbers")
    row, header = first
    if len(header) > MAX_COLUMNS:
        raise DataError(f"{source} has {len(header)} columns; gradcli reads at most {MAX_COLUMNS}")
    if all(_is_number(cell) for cell in header):
        raise DataError(
            f"{source}, row {row}: the first row holds numbers, not column names",
            hint="add a header row naming the columns, e.g. x1,x2,y",
        )
    for column, name in enumerate(header, start=1):
        if not name:
            raise DataError(f"{source}, row {row}, column {column}: the header has an empty column name")
        if header.index(name) != column - 1:
            raise DataError(f"{source}, row {row}, column {column}: the column name '{name}' appears twice")
    if len(header) < 2:
        raise DataError(f"{source} has one column ('{header[0]}'); a dataset needs at least one input and a target")
    return header


def _read_rows(lines, source: str, header: list[str]) -> list[list[float]]:
    rows: list[list[float]] = []
    for row, cells in lines:
        if len(cells) != len(header):
            raise DataError(
                f"{source}, row {row}: {len(cells)} value{'s' if len(cells) != 1 else ''}, "
                f"but the header names {len(header)} columns",
                hint=f"every row needs one number per column: {', '.join(header)}",
            )
        try:
            values = [float(cell) for cell in cells]
        except ValueError:
            values = None
        if values is None or not all(math.isfinite(v) for v in values):
            _raise_bad_cell(source, row, header, cells)
        rows.append(values)
        if len(rows) > MAX_ROWS:
            raise DataError(f"{source} has more than {MAX_ROWS:,} rows; gradcli reads at most {MAX_ROWS:,}")
    if len(rows) < MIN_ROWS:
        found = "no data rows" if not rows else "one data row"
        raise DataError(f"{source} has {found} after the header; a dataset needs at least {MIN_ROWS}")
    return rows


def _raise_bad_cell(source: str, row: int, header: list[str], cells: list[str]) -> None:
    """Find the first cell that is not a finite number and raise a DataError naming it."""
    for column, (name, cell) in enumerate(zip(header, cells), start=1):
        where = f"{source}, row {row}, column {column} ('{name}')"
        if not cell:
            raise DataError(f"{where}: the cell is empty; every cell needs a number")
        if not _is_number(cell):
            raise DataError(f"{where}: '{cell}' is not a number")
        if not math.isfinite(float(cell)):
            raise DataError(f"{where}: '{cell}' is not a finite number")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def write_csv(path: str, dataset) -> None:
    """Write ``dataset`` as a CSV file that ``read_csv`` reads back to the same numbers.

    Targets are written as the user knows them (the original class labels);
    floats are written with ``repr`` so that every digit survives.  The file
    is written atomically: a temporary file in the same folder, then a rename.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*dataset.input_names, dataset.target_name])
    labels = dataset.class_labels
    for inputs, target in zip(dataset.X.tolist(), dataset.y.tolist()):
        writer.writerow([*map(repr, inputs), repr(labels[int(target)] if labels else target)])
    write_text_atomic(path, out.getvalue(), DataError)


# ---------------------------------------------------------------- task inference

MAX_AUTO_CLASSES = 10   # more distinct values than this reads as a regression target
MAX_CLASSES = 100       # a forced classification task with more classes than this is a mistake


def infer_task(target: np.ndarray) -> str:
    """"binary", "multiclass" or "regression" for a target column.

    A target is read as class labels when it holds few distinct integers: at
    most ten, and at most one distinct value per two rows (so that ``toy4``'s
    +1/-1 on four rows is binary, and ``linear2``'s 16 and 5 on two rows is a
    regression).
    """
    distinct = np.unique(target)
    integral = bool(np.all(distinct == np.round(distinct)))
    if integral and len(distinct) <= MAX_AUTO_CLASSES and len(distinct) <= len(target) / 2:
        return "binary" if len(distinct) <= 2 else "multiclass"
    return "regression"
