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
"""

from __future__ import annotations

from ..autograd.ops import OPS
from ..numbers import DEFAULT_PRECISION, decimals, significant
from . import style


def point_text(point: dict) -> str:
    """``x1 = 2, w1 = -3``: the values an expression is evaluated at, as given."""
    return ", ".join(f"{name} = {significant(value)}" for name, value in point.items())


def selected(gradients: dict, wrt) -> dict:
    return {name: gradients[name] for name in (wrt or gradients)}


# -- grad: Rich -----------------------------------------------------------------------


def grad_rich(graph, steps, *, precision: int = DEFAULT_PRECISION, wrt=None, show_trace: bool = True) -> list:
    """Renderables for the terminal: header, forward trace, backward trace, gradients."""
    from rich.text import Text

    point = {name: leaf.data for name, leaf in graph.variables.items()}
    header = Text()
    header.append("f = ", style="bold")
    header.append(graph.expression, style="bold cyan")
    header.append(" = ")
    header.append(decimals(graph.output.data, precision), style="bold")
    if point:
        header.append(f"\n    at {point_text(point)}", style="dim")
    parts = [header]
    if show_trace:
        parts += [forward_table(steps, precision), backward_table(steps, precision)]
    parts.append(gradient_table(graph, precision, wrt))
    return parts


def forward_table(steps, precision: int):
    table = style.table("Forward pass: each node computed from its inputs (inputs first)")
    table.add_column("step", justify="right", style="dim", no_wrap=True)
    table.add_column("node (sub-expression)", overflow="fold", min_width=12)
    table.add_column("op", justify="center", no_wrap=True)
    table.add_column("inputs\n(steps)", no_wrap=True)
    table.add_column("value", justify="right", no_wrap=True)
    for row in forward_rows(steps, precision):
        table.add_row(*row)
    return table


def forward_rows(steps, precision: int = DEFAULT_PRECISION) -> list:
    """(step, node, op, inputs, value) as text, one row per node: shared by the table and ``explore``."""
    return [(str(s.id), s.label, s.op or s.kind, ", ".join(map(str, s.inputs)), decimals(s.value, precision))
            for s in steps.forward]


def backward_rows(steps, precision: int = DEFAULT_PRECISION) -> list:
    """One row of text per contribution (local x upstream); a node's own cells on its first row only.

    Each row is (step, node, its grad, input, local, upstream, contribution, last-of-its-node).
    """
    rows = []
    for step in steps.backward:
        last = len(step.contributions) - 1
        for index, part in enumerate(step.contributions):
            first = index == 0
            rows.append((str(step.id) if first else "", f"{step.label}   ({step.op})" if first else "",
                         decimals(step.grad, precision) if first else "", f"{part.input_label}  [{part.input_id}]",
                         decimals(part.local, precision), decimals(part.upstream, precision),
                         decimals(part.contribution, precision), index == last))
    return rows


def backward_table(steps, precision: int):
    table = style.table("Backward pass: chain rule from the output back (local × upstream = contribution)")
    table.add_column("step", justify="right", style="dim", no_wrap=True)
    table.add_column("node", overflow="fold", min_width=8)
    table.add_column("∂f/∂node", justify="right", no_wrap=True)
    table.add_column("input  \\[step]", overflow="fold", min_width=8)
    table.add_column("local\n∂node/∂input", justify="right", no_wrap=True)
    table.add_column("upstream\n∂f/∂node", justify="right", no_wrap=True)
    table.add_column("contribution", justify="right", style="bold", no_wrap=True)
    rows = backward_rows(steps, precision)
    for position, (*cells, last_of_node) in enumerate(rows):
        table.add_row(*cells, end_section=last_of_node and position < len(rows) - 1)
    return table


def gradient_table(graph, precision: int, wrt=None):
    table = style.table("Gradients (all paths summed)")
    table.add_column("variable", overflow="fold", min_width=8)
    table.add_column("value", justify="right", no_wrap=True)
    table.add_column("∂f/∂variable", justify="right", style="bold", no_wrap=True)
    for name, grad in selected(graph.gradients(), wrt).items():
        table.add_row(name, decimals(graph.variables[name].data, precision), decimals(grad, precision))
    return table


# -- grad: JSON, Markdown, CSV --------------------------------------------------------


def grad_document(graph, steps, *, wrt=None, show_trace: bool = True) -> dict:
    """The whole result as plain data for the JSON writer, full precision.

    A gradient that overflowed is infinite here; the JSON writer makes it null,
    and ``warnings`` (the graph's own notes) says why.
    """
    document = {
        "expression": graph.expression,
        "value": graph.output.data,
        "variables": {name: leaf.data for name, leaf in graph.variables.items()},
        "gradients": selected(graph.gradients(), wrt),
        "warnings": graph.warnings(),
    }
    if show_trace:
        document["nodes"] = [
            {"id": s.id, "label": s.label, "kind": s.kind, "op": s.op, "inputs": s.inputs, "value": s.value,
             "grad": s.grad}
            for s in steps.forward
        ]
        document["backward"] = [
            {"id": s.id, "label": s.label, "op": s.op, "grad": s.grad,
             "contributions": [{"input": c.input_id, "input_label": c.input_label, "local": c.local,
                                "upstream": c.upstream, "contribution": c.contribution}
                               for c in s.contributions]}
            for s in steps.backward
        ]
    return document


def markdown_rows(graph, steps) -> list:
    """(name, definition, node) for the Markdown trace: variables first, constants folded in.

    Variables keep their names; intermediate nodes are t1, t2, ... and the
    output is f (out when a variable is called f), each defined from its inputs'
    names, like a worked example.
    """
    order = graph.nodes()
    names: dict[int, str] = {}
    rows = []
    for node in order:
        if not node.inputs and node.label in graph.variables and graph.variables[node.label] is node:
            names[id(node)] = node.label
            rows.append((node.label, "input", node))
    count = 0
    for node in order:
        if not node.inputs:
            names.setdefault(id(node), node.label or decimals(node.data))  # constants appear inline
            continue
        if node is graph.output:
            names[id(node)] = "out" if "f" in graph.variables else "f"
        else:
            count += 1
            names[id(node)] = f"t{count}"
        rows.append((names[id(node)], _definition(node, names), node))
    return rows


def _definition(node, names: dict) -> str:
    """The node written from its inputs' names, as its op record writes it (``t1 + b``, ``tanh(t2)``)."""
    return OPS[node.op].write([names[id(child)] for child in node.inputs], node.arg)


def grad_markdown(graph, steps, *, precision: int = DEFAULT_PRECISION, wrt=None, show_trace: bool = True) -> str:
    """``Variable | Expression | Forward Value | Gradient``, ready to paste into notes."""
    lines = [f"f = `{graph.expression}` = {decimals(graph.output.data, precision)}", ""]
    lines += ["| Variable | Expression | Forward Value | Gradient |", "|---|---|---|---|"]
    wanted = set(wrt or graph.variables)
    for name, definition, node in markdown_rows(graph, steps):
        if node.inputs:
            if not show_trace and node is not graph.output:
                continue  # without the trace: the variables and the output only
            cells = [name, f"`{definition}`", decimals(node.data, precision), decimals(node.grad, precision)]
        elif name in wanted:
            cells = [name, definition, decimals(node.data, precision), decimals(node.grad, precision)]
        else:
            continue
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def grad_csv(graph, steps, *, wrt=None, show_trace: bool = True) -> str:
    """One row per node (or per variable with ``show_trace=False``), full precision."""
    from ..csvtext import csv_text

    if show_trace:
        return csv_text(["id", "label", "kind", "op", "inputs", "value", "grad"],
                        [[s.id, s.label, s.kind, s.op, " ".join(map(str, s.inputs)), s.value, s.grad]
                         for s in steps.forward])
    return csv_text(["variable", "value", "gradient"],
                    [[name, graph.variables[name].data, grad]
                     for name, grad in selected(graph.gradients(), wrt).items()])
