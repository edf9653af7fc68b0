"""What the panels of ``gradcli explore`` show, built from the explorer's plain data.

The small panels (expression, variables, nudge) are Rich renderables, redrawn
whole on every key.  The trace is a ``TraceView``: two Textual ``DataTable``
widgets, the forward pass and the backward pass with the same columns as
``gradcli grad`` prints, which draw only the rows in view and, while the
expression stays the same, update just the numbers that changed.  Rendering
the trace as one Rich table instead costs seconds per key at a few hundred
nodes (see ``benchmarks/bench_explore.py``).  Used by ``explore_app.py``.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from ..autograd.trace import Trace
from ..numbers import significant
from ..render.grad import backward_rows, forward_rows
from .state import Nudge, State


def expression_text(state: State) -> Text:
    formula, before = state.expression.title()
    text = Text()
    text.append(f"{state.expression.output_name} = ", style="dim")
    text.append(formula, style="bold")
    text.append("  =  ", style="dim")
    text.append(significant(state.value), style="bold cyan")
    if before:
        text.append(f"\nwhere {before}", style="dim")
    return text


def variables_table(state: State, selected: int, max_rows: int = 10) -> Table:
    """Name, value and gradient of each variable; beyond ``max_rows``, a window around the selected one."""
    table = Table(box=None, expand=True, padding=(0, 1), show_edge=False)
    table.add_column("", width=1)
    table.add_column("variable")
    table.add_column("value", justify="right")
    table.add_column("gradient", justify="right")
    names = list(state.entries)  # a variable, or each entry of an array (M[0, 1])
    first = min(max(selected - max_rows // 2, 0), max(len(names) - max_rows, 0))
    last = min(first + max_rows, len(names))
    if first > 0:
        table.add_row("", Text(f"↑ {first} more", style="dim"), "", "")
    for index in range(first, last):
        name, chosen = names[index], index == selected
        table.add_row("▶" if chosen else "", name, significant(state.value_of(name)),
                      significant(state.gradient_of(name)), style="reverse" if chosen else None)
    if last < len(names):
        table.add_row("", Text(f"↓ {len(names) - last} more", style="dim"), "", "")
    if not names:
        table.add_row("", "(no variables: press e to add one)", "", "")
    return table


def nudge_table(nudge: Nudge | None) -> Table:
    """x, h, f(x), f(x+h), the difference quotient beside the autograd gradient, their difference."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="dim")
    table.add_column(justify="right")
    if nudge is None:
        table.add_row("no variable selected", "")
        return table
    x = nudge.name
    table.add_row(x, significant(nudge.x))
    table.add_row("h", significant(nudge.h))
    table.add_row(f"f({x})", significant(nudge.f_x))
    table.add_row(f"f({x}+h)", significant(nudge.f_x_plus_h))
    table.add_row(f"(f({x}+h) - f({x})) / h", Text(significant(nudge.quotient), style="bold"))
    table.add_row(f"autograd df/d{x}", Text(significant(nudge.gradient), style="bold"))
    table.add_row("difference", significant(nudge.difference, 3))
    if nudge.error:
        table.add_row("", Text(f"f({x}+h) undefined: {nudge.error}", style="yellow"))
    return table


# -- the trace ------------------------------------------------------------------------

# The same columns as `gradcli grad`, with shorter headings: the panel titles say the rest.
FORWARD_COLUMNS = (("step", "right"), ("node (sub-expression)", "left"), ("op", "left"),
                   ("inputs (steps)", "left"), ("value", "right"))
BACKWARD_COLUMNS = (("step", "right"), ("node (op)", "left"), ("∂f/∂node", "right"), ("input [step]", "left"),
                    ("local", "right"), ("upstream", "right"), ("contribution", "right"))


class TraceView(Vertical):
    """The forward and the backward trace, each a DataTable that scrolls on its own."""

    DEFAULT_CSS = """
    TraceView { height: 1fr; }
    TraceView DataTable { height: 1fr; border-top: solid $primary-darken-2; }
    """

    TABLES = (("forward", "forward pass: each node from its inputs", FORWARD_COLUMNS),
              ("backward", "backward pass: local × upstream = contribution", BACKWARD_COLUMNS))

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.shown: dict = {}  # table id -> the rows (plain strings) on screen now

    def compose(self) -> ComposeResult:
        for table_id, title, _ in self.TABLES:
            table = DataTable(id=table_id, show_cursor=False, cursor_type="none", zebra_stripes=True)
            table.can_focus = False  # keys belong to the explorer; PgUp/PgDn scroll the tables
            table.border_title = title
            yield table

    def on_mount(self) -> None:
        for table_id, _, columns in self.TABLES:
            table = self.query_one(f"#{table_id}", DataTable)
            for heading, justify in columns:
                table.add_column(Text(heading, justify=justify))

    def show(self, steps: Trace) -> None:
        self._fill("forward", forward_rows(steps))
        self._fill("backward", [row[:-1] for row in backward_rows(steps)])  # the last cell is layout, not text

    def rows(self, table_id: str) -> list:
        """The rows of one table as shown, for tests: tuples of plain strings."""
        return self.shown.get(table_id, [])

    def scroll_pages(self, direction: int) -> None:
        for table in self.query(DataTable):
            if direction > 0:
                table.scroll_page_down()
            else:
                table.scroll_page_up()

    def _fill(self, table_id: str, rows: list) -> None:
        """Show ``rows``: update only the cells that changed when the shape is the same, else start over."""
        table = self.query_one(f"#{table_id}", DataTable)
        justify = [j for _, j in dict((t, c) for t, _, c in self.TABLES)[table_id]]
        old = self.shown.get(table_id)
        if old is None or len(old) != len(rows):
            table.clear()
            table.add_rows([_cells(row, justify) for row in rows])
        else:
            columns = table.ordered_columns
            for y, (before, after) in enumerate(zip(old, rows)):
                for x, cell in enumerate(after):
                    if before[x] != cell:
                        # re-measuring a column reads every cell in it: do it only when this one is wider
                        wider = cell_len(cell) > columns[x].content_width
                        table.update_cell_at(Coordinate(y, x), Text(cell, justify=justify[x]), update_width=wider)
        self.shown[table_id] = rows


def _cells(row: tuple, justify: list) -> list:
    return [Text(cell, justify=how) for cell, how in zip(row, justify)]
