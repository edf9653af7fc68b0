"""Read CSV files: the one CSV reader of gradcli, with errors that point at the cell.

The format is the plainest one: a header row naming the columns, then one row
per sample, every cell a finite number.  The target is the last column unless
``target`` names another; every other column is an input.  Whether the target
is a class label or a value is decided by ``infer_task`` (data.py applies it).

    table = read_csv("data.csv")                 # CsvTable(columns, values (n, c))
    X, y, inputs, target = table.split_target("y")

    text = read_text_table("points.csv")         # any CSV file: header and rows as text
    X = text.numbers([0, 2])                     # only these columns must hold numbers

Every problem raises ``DataError`` naming the file, the row (the line number
in the file, header = row 1) and the column, so the user can go straight to it.
Writing CSV is ``gradcli.csvtext``'s job (``write_csv`` below uses it).

How large a file may be is a matter of memory (``max_memory``, the commands'
``--max-memory``), not of rows: a file of plain numbers and commas is read by
NumPy's C reader (``np.loadtxt``, about ``PLAIN_MEMORY`` times the file's size
at its peak, 100,000 rows in about 0.1 s); any other file (quoted cells, blank
rows, a cell that is not a number) by Python's ``csv`` module, cell by cell,
which says where a problem is (about ``CAREFUL_MEMORY`` times the file's
size).  A file that would not fit is refused before it is read, with its size
and the memory it would need (``LimitError``, exit status 2).
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import os
import re
import warnings
from dataclasses import dataclass

import numpy as np

from ..csvtext import write_csv_rows
from ..errors import DataError, LimitError
from ..limits import DEFAULT_MAX_MEMORY, Estimate, check_memory
from ..numbers import is_decimal, memory
from ..paths import STDIO
from ..readfile import read_limited

# Peak memory of reading a CSV file, per byte of the file (measured with benchmarks/bench_limits.py, rounded up):
# NumPy's reader holds the file's bytes and the numbers (measured 1.5-2x); the csv module holds the text, a
# copy of it in 4-byte characters and every cell as a Python string (measured 12-15x).
PLAIN_MEMORY = 3
CAREFUL_MEMORY = 20
MAX_COLUMNS = 1_000
MIN_ROWS = 2                   # one row cannot be split, fitted meaningfully or checked for classes
# the bytes a file of plain numbers holds after its header: digits, signs, points, exponents, separators
_NOT_PLAIN = re.compile(rb"[^0-9eE+\-.,\r\n \t]")


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


@dataclass
class CsvText:
    """A CSV file read as text: its header, and each non-blank row with the line it starts on."""

    source: str                          # the file name as the user gave it, used in messages
    header_row: int                      # the line the header is on (1 unless blank lines come first)
    header: list[str]
    rows: list[tuple[int, list[str]]]    # (line number, stripped cells)

    def numbers(self, columns: list[int]) -> np.ndarray:
        """The cells of ``columns`` as floats, (rows, len(columns)); DataError at a ragged row or a bad cell."""
        values = []
        for row, cells in self.rows:
            if len(cells) != len(self.header):
                raise DataError(
                    f"{self.source}, row {row}: {len(cells)} value{'s' if len(cells) != 1 else ''}, "
                    f"but the header names {len(self.header)} columns",
                    hint=f"every row needs one number per column: {', '.join(self.header)}",
                )
            numbers = [float(cells[j]) if is_decimal(cells[j]) else None for j in columns]
            if not all(v is not None and math.isfinite(v) for v in numbers):
                _raise_bad_cell(self.source, row, self.header, cells, columns)
            values.append(numbers)
        return np.array(values, dtype=np.float64).reshape(len(values), len(columns))


def read_csv(path: str, max_memory: int = DEFAULT_MAX_MEMORY) -> CsvTable:
    """Parse the dataset in the CSV file at ``path``; ``DataError`` on any problem (missing, malformed).

    ``LimitError`` when reading it would need more than ``max_memory`` bytes.
    """
    hint = "give a built-in dataset name (see `gradcli datasets`) or a CSV path"
    return parse_csv_bytes(_read_bytes(path, max_memory, PLAIN_MEMORY, hint), path, max_memory)


def read_text_table(path: str, stdin: bool = False, max_memory: int = DEFAULT_MAX_MEMORY) -> CsvText:
    """Read any CSV file with a header row as text (``CsvText.numbers`` reads its numbers); ``-`` is stdin if allowed."""
    return _text_table(_read_bytes(path, max_memory, CAREFUL_MEMORY, stdin=stdin), "stdin" if path == STDIO else path)


def reading_estimate(size: int, source: str, per_byte: int = PLAIN_MEMORY) -> Estimate:
    """The memory reading a CSV file of ``size`` bytes takes at its peak."""
    return Estimate(per_byte * size, f"reading {source}", f"a CSV file of {memory(size)}")


def _read_bytes(path: str, max_memory: int, per_byte: int, hint: str | None = None, stdin: bool = False) -> bytes:
    """The file's bytes: a regular file (or ``-`` for stdin where allowed) that reading fits in ``max_memory``."""
    try:
        size = os.stat(path).st_size if path != STDIO else None
    except (OSError, ValueError):
        size = None  # missing, unreadable, not a path: read_limited says what is wrong
    if size is not None:
        check_memory(reading_estimate(size, path, per_byte), max_memory)
    # the limit again while reading: stdin, or a file that grows after its size was taken
    too_large = {"hint": f"reading a CSV file takes up to {per_byte} bytes of memory a byte; raise {{setting}} to "
                         "read larger ones", "setting": "max_memory"}
    return read_limited(path, max(1, max_memory // per_byte), DataError, what="CSV file", hint=hint, stdin=stdin,
                        too_large=too_large)


def parse_csv_bytes(raw: bytes, source: str, max_memory: int = DEFAULT_MAX_MEMORY) -> CsvTable:
    """Parse a dataset's CSV content; ``source`` names it in messages (a path, or a shipped dataset's name)."""
    plain = _plain_table(raw, source)
    if plain is not None:
        return plain
    # cell by cell: it finds what the fast reader could not read (and says where), or reads quoted cells
    estimate = reading_estimate(len(raw), source, CAREFUL_MEMORY)
    if estimate.memory > max_memory:
        raise LimitError(f"{source} is not plain numbers and commas (quoted cells, blank cells, or a cell that is "
                         f"not a number), and reading it cell by cell needs {estimate.describe()}, more than "
                         f"{{setting}} {memory(max_memory)}",
                         hint="write the file as plain numbers separated by commas, or raise {setting}",
                         setting="max_memory", value=max_memory, limit=estimate.memory)
    text = _text_table(raw, source)
    _check_header(text)
    values = text.numbers(list(range(len(text.header))))
    return _table(source, text.header, values)


def _table(source: str, header: list[str], values: np.ndarray) -> CsvTable:
    if len(values) < MIN_ROWS:
        found = "no data rows" if not len(values) else "one data row"
        raise DataError(f"{source} has {found} after the header; a dataset needs at least {MIN_ROWS}")
    return CsvTable(source, header, values)


def _plain_table(raw: bytes, source: str) -> CsvTable | None:
    """A file of a header line and rows of plain numbers, read by NumPy's C reader; None for any other file.

    Only bytes a plain number is written with may follow the header, so every cell NumPy reads is one
    ``is_decimal`` accepts (and it parses each as Python's ``float`` does, correctly rounded); anything
    NumPy cannot read (a ragged row, an empty cell, "1e") goes to the careful reader, which names it.
    """
    end = raw.find(b"\n")
    if end < 0 or b'"' in raw or _NOT_PLAIN.search(raw, end + 1):
        return None
    try:
        first = raw[:end].decode("utf-8-sig").rstrip("\r")
    except UnicodeDecodeError:
        return None
    header = [cell.strip() for cell in first.split(",")]
    if not any(header):
        return None  # a blank first line: the careful reader finds the header below it
    _check_header(CsvText(source, 1, header, []))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "input contained no data": the careful reader says so in words
        try:
            values = np.loadtxt(io.BytesIO(raw), delimiter=",", skiprows=1, comments=None, ndmin=2,
                                dtype=np.float64, encoding="latin-1")
        except ValueError:
            return None
    if values.shape[1] != len(header) or len(values) < MIN_ROWS or not np.isfinite(values).all():
        return None
    return CsvTable(source, header, values)


def _text_table(raw: bytes, source: str) -> CsvText:
    try:
        text = raw.decode("utf-8-sig")  # tolerate the byte-order mark spreadsheets write
    except UnicodeDecodeError as error:
        raise DataError(f"{source} is not UTF-8 text (byte {error.start + 1} cannot be decoded)") from None
    lines = list(_nonblank_rows(csv.reader(io.StringIO(text, newline="")), source, text))
    if not lines:
        raise DataError(f"{source} is empty: expected a header row (e.g. x1,x2,y) and rows of numbers")
    (header_row, header), rows = lines[0], lines[1:]
    return CsvText(source, header_row, header, rows)


def _nonblank_rows(reader, source: str, text: str):
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
    except csv.Error as error:  # e.g. a NUL byte, or a cell longer than the csv module's limit
        if "field limit" in str(error):
            column = _long_cell_column(text, reader.line_num, csv.field_size_limit())
            where = f"{source}, row {reader.line_num}" + (f", column {column}" if column else "")
            raise DataError(f"{where}: a cell holds more than {csv.field_size_limit():,} characters; "
                            "a cell holds one number") from None
        raise DataError(f"{source}, row {reader.line_num}: {error}") from None


def _long_cell_column(text: str, line: int, limit: int) -> int | None:
    """The column of the first over-long cell on ``line`` (1-based), read naively (no quotes); None if not found."""
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return None
    for column, cell in enumerate(lines[line - 1].split(","), start=1):
        if len(cell) > limit:
            return column
    return None


def _check_header(text: CsvText) -> None:
    """A dataset's header: column names (not numbers), none empty or twice, at least an input and a target."""
    source, header, row = text.source, text.header, text.header_row
    if len(header) > MAX_COLUMNS:
        raise DataError(f"{source} has {len(header)} columns; gradcli reads at most {MAX_COLUMNS}")
    if all(is_decimal(cell) for cell in header):
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


def _raise_bad_cell(source: str, row: int, header: list[str], cells: list[str], columns: list[int]) -> None:
    """Find the first cell of ``columns`` that is not a finite number and raise a DataError naming it."""
    for index in columns:
        name, cell = header[index], cells[index]
        where = f"{source}, row {row}, column {index + 1} ('{name}')"
        if not cell:
            raise DataError(f"{where}: the cell is empty; every cell needs a number")
        if is_decimal(cell):
            if not math.isfinite(float(cell)):
                raise DataError(f"{where}: '{cell}' is too large for a float (the largest is about 1.8e308)")
            continue
        if cell.lower().lstrip("+-") in ("nan", "inf", "infinity"):
            raise DataError(f"{where}: '{cell}' is not a finite number")
        if _is_python_float(cell):  # '1_000', '٣', ' 1': float() takes them, a data file should not hold them
            raise DataError(f"{where}: '{cell}' is not a number in the plain syntax gradcli reads",
                            hint="write numbers with the ASCII digits 0-9, a point and an exponent (1000, -2.5e3): "
                                 "no '_' separators, no other scripts' digits")
        raise DataError(f"{where}: '{cell}' is not a number")


def _is_python_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def write_csv(path: str, dataset) -> None:
    """Write ``dataset`` as a CSV file that ``read_csv`` reads back to the same numbers.

    Targets are written as the user knows them (the original class labels);
    floats are written in full so that every digit survives.  The file is
    written atomically: a temporary file in the same folder, then a rename.
    """
    labels = dataset.class_labels
    rows = [[*inputs, labels[int(target)] if labels else target]
            for inputs, target in zip(dataset.X.tolist(), dataset.y.tolist())]
    write_csv_rows(path, [*dataset.input_names, dataset.target_name], rows, DataError)


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
