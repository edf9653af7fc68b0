"""How a table meets the terminal: every cell whole at any width, wrapped at spaces or stacked.

Rich makes a table that is too wide fit by cutting cells (``3.14…``) and, at the
end, by dropping columns.  gradcli's tables (all made by ``style.table``) are
``FittedTable``s, which never do either.  When the table is printed, with the
width it is given, it picks the first layout that keeps every cell whole:

1. the table as it is, when it fits;
2. the table with its wrapping columns (labels, descriptions) narrowed so that
   they wrap at spaces, never inside a word; every other column (numbers,
   verdicts) keeps its full width;
3. a stacked layout, one block per row, one ``header: value`` line per cell::

       variable: x
         autograd: 1.080605
         ...
         result: PASS

A table without headers (a summary of ``name  value`` rows) stacks as
``name: value`` lines.  Nothing here knows which command made the table.
"""

from __future__ import annotations

import copy
import dataclasses

from rich.measure import Measurement
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

INDENT = 2       # the cells of a stacked row, under its first line
UNBOUNDED = 10**6  # measure cells without the console's width cutting them short


class FittedTable(Table):
    """A Rich ``Table`` that keeps every cell whole: as a table when it fits, else split or stacked.

    ``add_column(..., key=True)`` marks an identifying column (``h`` of a step
    sweep, the true class of a confusion matrix).  A table made with
    ``split=True`` (many columns of the same kind) is cut into parts of
    columns that fit, each repeating the key columns, before it is stacked;
    ``add_column(..., with_previous=True)`` keeps a column in the same part as
    the one before it (a variable's estimate and its error).
    """

    def __init__(self, *args, split: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.split = split
        self.keys: list[int] = []
        self.joined: set[int] = set()  # columns that stay in the same part as the one before

    def add_column(self, *args, key: bool = False, with_previous: bool = False, **kwargs) -> None:
        if key:
            self.keys.append(len(self.columns))
        if with_previous:
            self.joined.add(len(self.columns))
        super().add_column(*args, **kwargs)

    def __rich_console__(self, console, options):
        widths = fitted_widths(self, console, options.max_width)
        if widths is None:
            groups = column_groups(self, console, options.max_width) if self.split else None
            if groups:
                yield from _render_groups(self, groups)
            else:
                yield from stacked(self, console)
            return
        # the title above the table, wrapped at the terminal's width (Rich wraps it at the table's)
        title, self.title = self.title, None
        if title is not None:
            yield _text(console, title, self.title_style or "table.title")
        saved = [column.width for column in self.columns]
        if widths != "natural":
            for column, width in zip(self.columns, widths):
                column.width = width
        try:
            yield from super().__rich_console__(console, options)
        finally:
            self.title = title
            for column, width in zip(self.columns, saved):
                column.width = width


def fitted_widths(table: Table, console, max_width: int):
    """``"natural"``, text widths for every column (wrapping columns narrowed), or None: stack it.

    A column that may wrap needs its longest word; any other column its longest line.
    """
    options = console.options.update_width(UNBOUNDED)
    ranges = [_column_range(table, index, console, options) for index in range(len(table.columns))]
    chrome = _chrome_width(table)
    if sum(high for _, high in ranges) + chrome <= max_width:
        return "natural"
    if sum(low for low, _ in ranges) + chrome > max_width:
        return None
    widths = [high for _, high in ranges]
    excess = sum(widths) + chrome - max_width
    while excess > 0:  # narrow the widest wrapping column first, never below its longest word
        index = max((i for i, (low, _) in enumerate(ranges) if widths[i] > low), key=lambda i: widths[i])
        widths[index] -= 1
        excess -= 1
    return [width - _padding(table, index) for index, width in enumerate(widths)]


def column_groups(table: Table, console, max_width: int) -> list[list[int]] | None:
    """Column indices of each part when the table is cut into parts that fit (key columns in each), or None."""
    options = console.options.update_width(UNBOUNDED)
    keys = list(table.keys)
    units: list[list[int]] = []  # columns that go together: one, or one and those joined to it
    for index in range(len(table.columns)):
        if index in keys:
            continue
        if index in table.joined and units:
            units[-1].append(index)
        else:
            units.append([index])
    if not keys or len(units) < 2:
        return None
    narrowest = [_column_range(table, index, console, options)[0] for index in range(len(table.columns))]
    groups, group = [], []
    for unit in units:
        trial = keys + group + unit
        if sum(narrowest[i] for i in trial) + _chrome_width(table, len(trial)) > max_width:
            if not group:
                return None  # the keys and one unit do not fit side by side
            groups.append(keys + group)
            group = []
        group += unit
    groups.append(keys + group)
    return groups


def _render_groups(table: Table, groups: list[list[int]]):
    """The parts of a split table, one after the other: the title above the first, the caption below the last."""
    for number, group in enumerate(groups):
        if number:
            yield Text()
        part = copy.copy(table)
        part.split = False
        part.keys, part.joined = [], set()
        part.columns = [dataclasses.replace(table.columns[index], _index=position)
                        for position, index in enumerate(group)]
        part.title = table.title if number == 0 else None
        part.caption = table.caption if number == len(groups) - 1 else None
        yield part


def _column_range(table: Table, index: int, console, options) -> tuple[int, int]:
    """(narrowest, widest) column ``index`` can be, padding included, without cutting a cell."""
    column = table.columns[index]
    cells = ([column.header] if table.show_header else []) + list(column.cells)
    lows, highs = [0], [0]
    for cell in cells:
        low, high = Measurement.get(console, options, cell)
        lows.append(low)
        highs.append(high)
    high = max(highs)
    low = high if column.no_wrap else max(lows)
    low = max(low, column.min_width or 0)
    padding = _padding(table, index)
    return low + padding, max(high, low) + padding


def _padding(table: Table, index: int) -> int:
    """Cell padding of column ``index`` (as Rich lays it out: no outer padding without ``pad_edge``)."""
    _, right, _, left = table.padding
    if table.collapse_padding:
        left = 0  # Rich keeps the right padding only
    if not table.pad_edge:
        left = 0 if index == 0 else left
        right = 0 if index == len(table.columns) - 1 else right
    return left + right


def _chrome_width(table: Table, columns: int | None = None) -> int:
    """Columns taken by the box: its two edges and the lines between ``columns`` cells."""
    if not table.box:
        return 0
    return (2 if table.show_edge else 0) + (len(table.columns) if columns is None else columns) - 1


# -- the stacked layout ----------------------------------------------------------------


def stacked(table: Table, console):
    """Renderables for ``table`` as blocks of ``header: value`` lines (title and caption kept)."""
    if table.title:
        yield _text(console, table.title)
    headers = [_text(console, column.header).plain.replace("\n", " ").strip() for column in table.columns]
    columns = [[_text(console, cell, column.style) for cell in column.cells] for column in table.columns]
    labelled = table.show_header and any(headers)
    for index in range(table.row_count):
        cells = [column[index] for column in columns]
        starts_block = bool(cells[0].plain.strip())
        ends_section = index > 0 and table.rows[index - 1].end_section
        if labelled and index > 0 and (starts_block or ends_section):
            yield Text()
        if not labelled:
            yield Padding(_name_value(cells), (0, 0, 0, 0))
            continue
        for position, (header, cell) in enumerate(zip(headers, cells)):
            if not cell.plain.strip():
                continue
            line = Text.assemble((f"{header}: " if header else "", "bold" if position == 0 else ""), cell)
            indent = 0 if position == 0 else INDENT
            yield Padding(line, (0, 0, 0, indent))
    if table.caption:
        yield _text(console, table.caption, "dim")


def _name_value(cells: list) -> Text:
    """``name: value`` for a row without headers (the first cell names the rest)."""
    name, *rest = cells
    values = Text("  ").join(cell for cell in rest if cell.plain.strip())
    return Text.assemble(name, ": ", values) if name.plain.strip() else values


def _text(console, cell, style=None) -> Text:
    """A cell as ``Text`` (markup in a string is read, as Rich does in a table), with its column's style."""
    if isinstance(cell, Text):
        text = cell.copy()
    else:
        text = console.render_str(str(cell) if cell is not None else "", highlight=False)
    if style:
        text.stylize(style)
    return text
