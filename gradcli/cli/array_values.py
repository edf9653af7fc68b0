"""A variable's value as typed on the command line: a number, a list of numbers, or a file of them.

    --x 2                   a number (read without NumPy: the start-up path of ``grad`` stays lean)
    --x 2,1                 a vector: numbers separated by commas
    --x "[2, 1]"            the same, as a list; --M "[[1, 2], [-1, 3]]" is a matrix (lists of lists)
    --M @m.npy              a file in NumPy's .npy format (read without pickles)
    --M @m.csv              any other file is text: a list as above, or rows of numbers separated by
                            commas or spaces, one row per line (a single row or column is a vector)

Each entry is a finite number written as on the command line (``1.5``, ``-3``, ``2e-4``); rows have
one length; an array holds at least one entry and at most ``max_entries``, counted before anything
is allocated (a file's size and a .npy file's header are checked before the rest of it is read).
Every problem is a ``UsageError`` naming the option (``where``) and the entry or line::

    >>> parse_array("[[1, 2], [-1, 3]]", "--M").tolist()
    [[1.0, 2.0], [-1.0, 3.0]]
    >>> parse_array("2,1", "--x").shape
    (2,)
"""

from __future__ import annotations

import math
import re

from ..autograd.ops import shape_phrase
from ..errors import UsageError
from ..numbers import is_decimal
from .common import parse_number

MAX_DEPTH = 32  # nested lists (NumPy allows 64 axes; nobody types 33 brackets on purpose)
TEXT_BYTES_PER_ENTRY = 32  # a generous size of one number and its separator in a text file
HEADER_BYTES = 1 << 16  # enough for any .npy header gradcli accepts (NumPy's own limit is 10,000 bytes)
_LIST_TOKEN = re.compile(r"\s*(\[|\]|,|[^\s\[\],]+)")
_GRID_SEPARATOR = re.compile(r"[,\s]+")


def parse_array(text: str, where: str, max_entries: int | None = None):
    """The array written in ``text`` (a list, ``2,1``, or ``@file``) as float64; ``where`` names the option."""
    limit = _limit(max_entries)
    stripped = text.strip()
    if stripped.startswith("@"):
        return read_array_file(stripped[1:], where, limit)
    return _list_text(stripped if stripped.startswith("[") else f"[{stripped}]", where, limit, text)


def read_array_file(path: str, where: str, max_entries: int | None = None):
    """The array in the file at ``path``: .npy by its suffix, text otherwise (see the module docstring)."""
    limit = _limit(max_entries)
    if not path:
        raise UsageError(f"{where} @ needs a file name: {where} @m.csv or {where} @m.npy")
    if path.lower().endswith(".npy"):
        return _npy_file(path, where, limit)
    raw = _read(path, where, limit * TEXT_BYTES_PER_ENTRY + 4096, head=False)
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise UsageError(f"{where}: {path} is not UTF-8 text (byte {error.start} cannot be read)") from None
    if text.lstrip().startswith("["):
        return _list_text(text.strip(), f"{where} ({path})", limit, text)
    return _grid_text(text, path, where, limit)


# -- lists: [1, 2], [[1, 2], [3, 4]] ---------------------------------------------------------------


def _list_text(text: str, where: str, limit: int, shown: str):
    tokens = _list_tokens(text, where)
    stack: list = [[]]
    count = 0
    expect_entry = True
    previous = ""
    for token in tokens:
        if token == "[":
            if not expect_entry:
                raise _missing_comma(where, previous, token)
            stack.append([])
            if len(stack) > MAX_DEPTH + 1:
                raise UsageError(f"{where} nests lists more than {MAX_DEPTH} deep")
        elif token == "]":
            if len(stack) == 1:
                raise UsageError(f"{where}: unexpected ']' in '{shown}'", hint="remove it, or add the '[' it closes")
            done = stack.pop()
            if not done:
                raise UsageError(f"{where} is an empty array: give at least one number, e.g. [1, 2]")
            stack[-1].append(done)
            expect_entry = False
        elif token == ",":
            if expect_entry:
                raise UsageError(f"{where}: a ',' with no number before it in '{shown}'")
            expect_entry = True
        else:
            if not expect_entry:
                raise _missing_comma(where, previous, token)
            count += 1
            index = [len(level) for level in stack[1:]]  # where this entry goes: [1, 0]
            stack[-1].append(_entry(token, where, index, count, limit))
            expect_entry = False
        previous = token
    if len(stack) > 1:
        raise UsageError(f"{where}: '[' is never closed in '{shown}'", hint="add the ']' it needs")
    values = stack[0]
    if len(values) != 1 or not isinstance(values[0], list):
        raise UsageError(f"{where}: write one list, e.g. [1, 2] or [[1, 2], [3, 4]], not '{shown}'")
    return _as_array(values[0], where)


def _list_tokens(text: str, where: str) -> list:
    tokens, position = [], 0
    for match in _LIST_TOKEN.finditer(text):
        if match.start() != position:
            break
        tokens.append(match.group(1))
        position = match.end()
    if text[position:].strip():
        raise UsageError(f"{where}: cannot read '{text[position:].strip()[:20]}' in '{text}'")
    return tokens


def _missing_comma(where: str, before: str, after: str) -> UsageError:
    return UsageError(f"{where}: a ',' is missing between '{before}' and '{after}'",
                      hint="separate the entries with commas: [1, 2] or [[1, 2], [3, 4]]")


def _entry(token: str, where: str, index: list, count: int, limit: int) -> float:
    if count > limit:
        raise _too_many(f"{where} has more than {limit:,} entries", limit)
    try:
        return parse_number(token, where)
    except UsageError:
        entry = f"{where}[{', '.join(map(str, index))}] is '{token}'"
        if token.strip().lower().lstrip("+-") in ("nan", "inf", "infinity") or is_decimal(token.strip()):
            raise UsageError(f"{entry}, not a finite number: give numbers such as 0.5 or -3") from None
        raise UsageError(f"{entry}, not a number") from None


def _as_array(nested: list, where: str):
    """The nested lists as one float64 array; ragged rows (or a number beside a list) are refused."""
    shape = _shape(nested, where, "")
    import numpy

    return numpy.array(nested, dtype=numpy.float64).reshape(shape)


def _shape(nested, where: str, path: str) -> tuple:
    """The shape of a nested list, every row checked against the first (nesting is at most MAX_DEPTH)."""
    if not isinstance(nested, list):
        return ()
    shapes = [_shape(item, where, f"{path}[{k}]") for k, item in enumerate(nested)]
    for k, shape in enumerate(shapes):
        if shape != shapes[0]:
            raise UsageError(f"{where} is ragged: row {path}[{k}] {shape_phrase(shape)} and row {path}[0] "
                             f"{shape_phrase(shapes[0])}", hint="every row needs the same number of entries")
    return (len(nested), *shapes[0])


# -- files ------------------------------------------------------------------------------------------


def _read(path: str, where: str, limit: int, head: bool) -> bytes:
    from ..readfile import read_limited

    try:
        return read_limited(path, limit, UsageError, what="array file", head=head)
    except UsageError as error:
        raise UsageError(f"{where}: {error.message}", error.hint) from None


def _grid_text(text: str, path: str, where: str, limit: int):
    """Rows of numbers, one per line, separated by commas or spaces; one row or one column is a vector."""
    rows, lines = [], []
    count = 0
    for number, line in enumerate(text.splitlines(), start=1):
        cells = [cell for cell in _GRID_SEPARATOR.split(line.strip()) if cell]
        if not cells:
            continue
        row = []
        for cell in cells:
            count += 1
            if count > limit:
                raise _too_many(f"{where}: {path} has more than {limit:,} numbers", limit)
            try:
                row.append(parse_number(cell, where))
            except UsageError:
                raise UsageError(f"{where}: {path} line {number} holds '{cell}', not a finite number") from None
        if rows and len(row) != len(rows[0]):
            raise UsageError(f"{where}: {path} is ragged: line {number} {shape_phrase((len(row),))} and line "
                             f"{lines[0]} {shape_phrase((len(rows[0]),))}",
                             hint="every row needs the same number of entries")
        rows.append(row)
        lines.append(number)
    if not rows:
        raise UsageError(f"{where}: {path} holds no numbers: give at least one")
    import numpy

    array = numpy.array(rows, dtype=numpy.float64)
    return array.reshape(-1) if 1 in array.shape else array  # a single row or column: a vector, as np.loadtxt


def _npy_file(path: str, where: str, limit: int):
    """A .npy file: its header first (shape and type checked), then the data, never a pickle."""
    import io

    import numpy
    from numpy.lib import format as npy

    head = _read(path, where, HEADER_BYTES, head=True)
    stream = io.BytesIO(head)
    try:
        version = npy.read_magic(stream)
        read_header = npy.read_array_header_1_0 if version == (1, 0) else npy.read_array_header_2_0
        shape, _, dtype = read_header(stream)
    except (ValueError, OSError) as error:
        raise UsageError(f"{where}: {path} is not a NumPy .npy file ({error})") from None
    if dtype.hasobject or dtype.kind not in "biuf":
        kind = "Python objects (read only with pickle, which gradcli never does)" if dtype.hasobject else \
            f"entries of type {dtype}"
        raise UsageError(f"{where}: {path} holds {kind}; gradcli reads arrays of numbers")
    entries = math.prod(shape)
    if entries > limit:
        size = " x ".join(map(str, shape))
        raise _too_many(f"{where}: {path} holds a {size} array ({entries:,} entries), more than {limit:,}", limit)
    if entries == 0:
        raise UsageError(f"{where}: {path} holds an empty array (shape {shape}): give at least one number")
    raw = _read(path, where, stream.tell() + entries * dtype.itemsize, head=False)
    try:
        array = npy.read_array(io.BytesIO(raw), allow_pickle=False)
    except (ValueError, OSError) as error:
        raise UsageError(f"{where}: {path} is cut short or damaged ({error})") from None
    array = numpy.asarray(array, dtype=numpy.float64)
    bad = numpy.argwhere(~numpy.isfinite(array))
    if len(bad):
        index = ", ".join(str(int(i)) for i in bad[0])
        raise UsageError(f"{where}: {path} holds {array[tuple(bad[0])]} at entry [{index}]: every entry must be a "
                         "finite number")
    return array.reshape(shape) if shape else float(array)


def _too_many(message: str, limit: int) -> UsageError:
    return UsageError(message, hint="raise the limit with {setting}", setting="max_entries", limit=limit)


def _limit(max_entries: int | None) -> int:
    if max_entries is not None:
        return max_entries
    from ..autograd.expr import MAX_ENTRIES

    return MAX_ENTRIES
