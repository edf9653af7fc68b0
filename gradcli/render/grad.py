"""Results -> text: Rich tables, a JSON document, Markdown and CSV for ``gradcli grad``.

    >>> from gradcli.autograd.expr import evaluate
    >>> from gradcli.autograd.trace import trace
    >>> from gradcli.render import grad as render
    >>> graph = evaluate("3*x**2 - 4*x + 5", {"x": 3})
    >>> graph.backward()
    >>> print(render.grad_markdown(graph, trace(graph.output, graph.variables), precision=2))  # doctest: +SKIP

The Rich builders return renderables (the CLI prints them on its console);
``grad_document`` returns the plain data that the one JSON writer
(``gradcli.jsontext``) writes; Markdown and CSV are strings.  Tables round
numbers to ``precision`` decimals (``numbers.decimals``); JSON and CSV carry
every digit.  ``render/check.py`` does the same for ``gradcli check``.

Nodes are shown by name where they have one (a variable, a bound name, the
output: ``o = (e - 1)/(e + 1)``), and the output's name heads the derivative
columns (``∂o/∂node``).  A trace of more than ``TABLE_ROWS`` rows is
summarised in the Rich tables (its first and last rows, and a note on getting
all of them with ``--format csv`` or ``json``): a table of thousands of lines
helps nobody and takes Rich long to lay out.

Arrays: where a node holds an array the tables add a ``shape`` column and write
values compactly on one line (``[[6, 3], [0, 0]]``, large ones elided:
``numbers.compact``); JSON gives every entry as nested lists (and a ``shape``),
CSV writes them in full in the cell.
"""

from __future__ import annotations

from ..autograd.ops import OPS, shape_text
from ..numbers import DEFAULT_PRECISION, compact, decimals, entries, significant
from . import style

TABLE_ROWS = 200  # rows of a trace table before it is summarised (the first and the last half of them)


def point_text(point: dict) -> str:
    """``x1 = 2, w1 = -3``: the values an expression is evaluated at, as given (arrays on one line)."""
    return ", ".join(f"{name} = {given(value)}" for name, value in point.items())


def given(value) -> str:
    """A value as the user gave it: ``significant`` digits, an array as ``[[1, 2], [-1, 3]]``."""
    return significant(value) if getattr(value, "ndim", 0) == 0 else entries(value, significant)


def selected(gradients: dict, wrt) -> dict:
    return {name: gradients[name] for name in (wrt or gradients)}


# -- grad: Rich -----------------------------------------------------------------------


def grad_rich(graph, steps, *, precision: int = DEFAULT_PRECISION, wrt=None, show_trace: bool = True) -> list:
    """Renderables for the terminal: header, forward trace, backward trace, gradients."""
    from rich.text import Text

    parts = [header(graph, precision)]
    if show_trace:
        out = graph.output_name
        parts += [forward_table(steps, precision), backward_table(steps, precision, out)]
        note = summary_note(steps)
        if note:
            parts.append(Text(note, style="dim"))
    parts.append(gradient_table(graph, precision, wrt))
    return parts


def header(graph, precision: int = DEFAULT_PRECISION):
    """The title of a result: ``f = formula = value``, the steps before it and the point (Rich ``Text``)."""
    from rich.text import Text

    point = {name: leaf.data for name, leaf in graph.variables.items()}
    formula, before = graph.title()
    text = Text()
    text.append(f"{graph.output_name} = ", style="bold")
    text.append(formula, style="bold cyan")
    text.append(" = ")
    text.append(decimals(graph.output.data, precision), style="bold")
    if before:
        text.append(f"\n    where {before}", style="dim")
    if point:
        text.append(f"\n    at {point_text(point)}", style="dim")
    return text


def summary_note(steps, limit: int = TABLE_ROWS) -> str:
    """What a summarised trace table leaves out, and how to see all of it ("" when nothing is left out)."""
    if steps.nodes <= limit and steps.rows <= limit:
        return ""
    return (f"The trace has {steps.nodes:,} nodes and {steps.rows:,} backward rows: the tables show the "
            f"first and last {limit // 2} rows of each pass. Every row: --format csv or --format json.")


def summarised(rows: list, limit: int = TABLE_ROWS) -> tuple:
    """(the first ``limit // 2`` rows, how many are left out, the last ``limit // 2``) of a long table."""
    if len(rows) <= limit:
        return rows, 0, []
    half = limit // 2
    return rows[:half], len(rows) - 2 * half, rows[-half:]


def _whole_nodes(head: list, tail: list, limit: int = TABLE_ROWS) -> tuple:
    """At most ``limit // 2`` backward rows from each end, cut between nodes (never inside one)."""
    half = limit // 2
    if len(head) > half:
        cut = max((k + 1 for k, row in enumerate(head[:half]) if row[-1]), default=half)
        head = head[:cut]
    if len(tail) > half:
        starts = [k for k in range(len(tail) - half, len(tail)) if tail[k][0]]
        tail = tail[starts[0]:] if starts else tail[-half:]
    return head, tail


def shown_name(name: str, label: str, kind: str = "operation") -> str:
    """A node as the trace tables show it: ``e = exp(2*n)`` for a named operation, else its name or label."""
    if name and kind == "operation" and name != label:
        return f"{name} = {label}"
    return name or label


def forward_table(steps, precision: int):
    table = style.table("Forward pass: each node computed from its inputs (inputs first)")
    table.add_column("step", justify="right", style="dim", no_wrap=True)
    table.add_column("node (sub-expression)", overflow="fold", min_width=12)
    table.add_column("op", justify="center", no_wrap=True)
    table.add_column("inputs\n(steps)", no_wrap=True)
    shapes = steps.has_arrays
    if shapes:
        table.add_column("shape", justify="right", no_wrap=True)
    table.add_column("value", justify="right", no_wrap=True)
    rows = forward_rows(steps, precision, shapes)
    if shapes:
        _fold_numbers(table, first=len(table.columns) - 1)
    if steps.forward_gap is not None:  # a windowed trace: the steps in the middle were never made
        head, skipped, tail = rows[:steps.forward_gap], steps.nodes - len(rows), rows[steps.forward_gap:]
    else:
        head, skipped, tail = summarised(rows)
    for row in head:
        table.add_row(*row)
    if skipped:
        table.add_row("…", f"… {skipped:,} more nodes …", "", "", "", *([""] if shapes else []))
    for row in tail:
        table.add_row(*row)
    return table


def forward_rows(steps, precision: int = DEFAULT_PRECISION, shapes: bool = False) -> list:
    """(step, node, op, inputs, value) as text, one row per node: shared by the table and ``explore``.

    With ``shapes``, each row has the node's shape before its value: ``(2, 2)``, ``()`` for a number.
    """
    return [(str(s.id), shown_name(s.name, s.label, s.kind), s.op or s.kind, ", ".join(map(str, s.inputs)),
             *([shape_text(s.shape)] if shapes else []), compact(s.value, precision)) for s in steps.forward]


def backward_rows(steps, precision: int = DEFAULT_PRECISION) -> list:
    """One row of text per contribution (local x upstream); a node's own cells on its first row only.

    Each row is (step, node, its grad, input, local, upstream, contribution, last-of-its-node).
    """
    return contribution_rows(steps.backward, precision)


def contribution_rows(backward_steps: list, precision: int = DEFAULT_PRECISION) -> list:
    """``backward_rows`` of some of the backward steps."""
    rows = []
    for step in backward_steps:
        last = len(step.contributions) - 1
        for index, part in enumerate(step.contributions):
            first = index == 0
            rows.append((str(step.id) if first else "", f"{step.name or step.label}   ({step.op})" if first else "",
                         compact(step.grad, precision) if first else "",
                         f"{part.input_name or part.input_label}  [{part.input_id}]",
                         compact(part.local, precision), compact(part.upstream, precision),
                         compact(part.contribution, precision), index == last))
    return rows


def backward_table(steps, precision: int, out: str = "f"):
    table = style.table("Backward pass: chain rule from the output back (local × upstream = contribution)")
    table.add_column("step", justify="right", style="dim", no_wrap=True)
    table.add_column("node", overflow="fold", min_width=8)
    table.add_column(f"∂{out}/∂node", justify="right", no_wrap=True)
    table.add_column("input  \\[step]", overflow="fold", min_width=8)
    table.add_column("local\n∂node/∂input", justify="right", no_wrap=True)
    table.add_column(f"upstream\n∂{out}/∂node", justify="right", no_wrap=True)
    table.add_column("contribution", justify="right", style="bold", no_wrap=True)
    if steps.has_arrays:  # arrays may be wider than the terminal: their cells fold instead of being cut
        _fold_numbers(table, first=2)
    if steps.backward_gap is not None:  # a windowed trace: the steps in the middle were never made
        gap = steps.backward_gap
        head, tail = contribution_rows(steps.backward[:gap], precision), contribution_rows(steps.backward[gap:],
                                                                                           precision)
    else:
        rows = backward_rows(steps, precision)
        head, tail = (rows, []) if len(rows) <= TABLE_ROWS else (rows, rows)
    if tail:
        head, tail = _whole_nodes(head, tail)
    skipped = steps.rows - len(head) - len(tail)
    for position, (*cells, last_of_node) in enumerate(head):
        table.add_row(*cells, end_section=last_of_node and (position < len(head) - 1 or bool(skipped)))
    if skipped:
        table.add_row("…", f"… {skipped:,} more rows …", "", "", "", "", "", end_section=True)
    for position, (*cells, last_of_node) in enumerate(tail):
        table.add_row(*cells, end_section=last_of_node and position < len(tail) - 1)
    return table


def gradient_table(graph, precision: int, wrt=None):
    table = style.table("Gradients (all paths summed)")
    table.add_column("variable", overflow="fold", min_width=8)
    shapes = any(leaf.shape for leaf in graph.variables.values())
    if shapes:
        table.add_column("shape", justify="right", no_wrap=True)
    table.add_column("value", justify="right", no_wrap=True)
    table.add_column(f"∂{graph.output_name}/∂variable", justify="right", style="bold", no_wrap=True)
    if shapes:
        _fold_numbers(table, first=len(table.columns) - 2)
    for name, grad in selected(graph.gradients(), wrt).items():
        leaf = graph.variables[name]
        table.add_row(name, *([shape_text(leaf.shape)] if shapes else []), compact(leaf.data, precision),
                      compact(grad, precision))
    return table


def _fold_numbers(table, first: int) -> None:
    """Let the columns from ``first`` on fold over lines: an array's cell may be wider than the terminal."""
    for column in table.columns[first:]:
        column.no_wrap = False
        column.overflow = "fold"


# -- grad: JSON, Markdown, CSV --------------------------------------------------------


def grad_document(graph, steps, *, wrt=None, show_trace: bool = True) -> dict:
    """The whole result as plain data for the JSON writer, full precision.

    A gradient that overflowed is infinite here; the JSON writer makes it null,
    and ``warnings`` (the graph's own notes) says why.
    """
    document = {
        "expression": graph.expression,
        "output": graph.output_name,
        "value": graph.output.data,
        "variables": {name: leaf.data for name, leaf in graph.variables.items()},
        "gradients": selected(graph.gradients(), wrt),
        "warnings": graph.warnings(),
    }
    if any(leaf.shape for leaf in graph.variables.values()):
        document["shapes"] = {name: list(leaf.shape) for name, leaf in graph.variables.items()}
    if show_trace:
        document["nodes"] = [
            {"id": s.id, "label": s.label, "name": s.name or None, "kind": s.kind, "op": s.op, "inputs": s.inputs,
             "value": s.value, "grad": s.grad}
            for s in steps.forward
        ]
        if steps.has_arrays:
            for node, step in zip(document["nodes"], steps.forward):
                node["shape"] = list(step.shape)
        document["backward"] = [
            {"id": s.id, "label": s.label, "name": s.name or None, "op": s.op, "grad": s.grad,
             "contributions": [{"input": c.input_id, "input_label": c.input_label, "input_name": c.input_name or None,
                                "local": c.local, "upstream": c.upstream, "contribution": c.contribution}
                               for c in s.contributions]}
            for s in steps.backward
        ]
    return document


def markdown_rows(graph, steps) -> list:
    """(name, definition, node) for the Markdown trace: variables first, constants folded in.

    Variables and bound names keep their names (so a program written with a
    worked example's names gives that example's table); the output is called
    by its name (f for an unnamed expression); other intermediate nodes are
    t1, t2, ..., each defined from its inputs' names.
    """
    order = graph.nodes()
    names: dict[int, str] = {}
    rows = []
    for node in order:
        if not node.inputs and node.label in graph.variables and graph.variables[node.label] is node:
            names[id(node)] = node.label
            rows.append((node.label, "input", node))
    taken = {*graph.names.values(), graph.output_name}
    count = 0
    for node in order:
        if not node.inputs:
            if id(node) not in names and graph.name_of(node):  # a constant bound to a name: k = 2
                rows.append((graph.name_of(node), "constant", node))
            names.setdefault(id(node), graph.name_of(node) or node.label or decimals(node.data))  # constants inline
            continue
        name = graph.name_of(node) or (graph.output_name if node is graph.output else "")
        if not name:
            count += 1
            while f"t{count}" in taken:
                count += 1
            name = f"t{count}"
        names[id(node)] = name
        rows.append((name, _definition(node, names), node))
    return rows


def _definition(node, names: dict) -> str:
    """The node written from its inputs' names, as its op record writes it (``t1 + b``, ``tanh(t2)``)."""
    return OPS[node.op].write([names[id(child)] for child in node.inputs], node.arg)


def grad_markdown(graph, steps, *, precision: int = DEFAULT_PRECISION, wrt=None, show_trace: bool = True) -> str:
    """``Variable | Expression | Forward Value | Gradient``, ready to paste into notes."""
    formula, before = graph.title()
    lines = [f"{graph.output_name} = `{formula}` = {decimals(graph.output.data, precision)}", ""]
    if before:
        lines[1:1] = [f"where `{before}`"]
    lines += ["| Variable | Expression | Forward Value | Gradient |", "|---|---|---|---|"]
    wanted = set(wrt or graph.variables)
    for name, definition, node in markdown_rows(graph, steps):
        if node.inputs:
            if not show_trace and node is not graph.output:
                continue  # without the trace: the variables and the output only
            cells = [name, f"`{definition}`", compact(node.data, precision), compact(node.grad, precision)]
        elif name in wanted or definition == "constant" and show_trace:
            cells = [name, definition, compact(node.data, precision), compact(node.grad, precision)]
        else:
            continue
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def grad_csv(graph, steps, *, wrt=None, show_trace: bool = True) -> str:
    """One row per node (or per variable with ``show_trace=False``), full precision."""
    from ..csvtext import csv_text

    if show_trace:
        if steps.has_arrays:  # a shape column, and arrays in full in their cells
            return csv_text(["id", "label", "name", "kind", "op", "inputs", "shape", "value", "grad"],
                            [[s.id, s.label, s.name, s.kind, s.op, " ".join(map(str, s.inputs)),
                              " ".join(map(str, s.shape)), s.value, s.grad] for s in steps.forward])
        return csv_text(["id", "label", "name", "kind", "op", "inputs", "value", "grad"],
                        [[s.id, s.label, s.name, s.kind, s.op, " ".join(map(str, s.inputs)), s.value, s.grad]
                         for s in steps.forward])
    return csv_text(["variable", "value", "gradient"],
                    [[name, graph.variables[name].data, grad]
                     for name, grad in selected(graph.gradients(), wrt).items()])
