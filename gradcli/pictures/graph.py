"""Computation graphs as Graphviz source, drawn the way micrograd's ``draw_dot`` does.

Every value is a box ``label | data | grad``; every operation is a small
separate node (``+``, ``*``, ``tanh``, ``**2``) feeding the value it made.
The picture reads left to right, from the variables to the output::

    >>> from gradcli.autograd.expr import evaluate
    >>> from gradcli.pictures.graph import expression_drawing
    >>> graph = evaluate("a*b + a", {"a": 2, "b": 3})
    >>> graph.backward()
    >>> drawing = expression_drawing(graph)
    >>> drawing.nodes, drawing.edges        # 4 value boxes + 2 op nodes
    (6, 6)

The result is DOT source text (``drawing.source``); ``render_file.py`` turns
it into SVG or PNG.  Node ids come from the graph's topological order, so the
same expression gives the same text on every run.  Only this module and
``draw_network.py`` (which shares the palette below) import ``graphviz``.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import graphviz

from ..autograd.engine import Value
from ..autograd.ops import OPS, op_symbol
from ..errors import UsageError
from ..numbers import DEFAULT_PRECISION, decimals, trimmed
LABEL_WIDTH = 40  # longer sub-expression labels are shortened in the middle
FONT = "Helvetica"  # both renderers know its metrics (graphviz-pure maps it to Arimo)

# One palette for every picture: data blue, gradients orange, operations grey.
DATA_FILL = "#dbeafe"
DATA_TEXT = "#1e3a8a"
GRAD_FILL = "#ffedd5"
GRAD_TEXT = "#9a3412"
OP_FILL = "#f3f4f6"
OP_LINE = "#6b7280"
INK = "#111827"
MUTED = "#6b7280"
HOT = (248, 113, 113)  # --color-grad: the fill of the node with the largest |grad|

# Above this many nodes the layout's optimisation passes are cut short: a long sum of
# 200 terms (1800 nodes) then lays out in seconds instead of more than ten minutes
# (docs/benchmarks.md); pictures that large are overviews, not read box by box.
QUICK_LAYOUT_ABOVE = 300
QUICK_LAYOUT = {"nslimit": "0.2", "nslimit1": "0.2", "mclimit": "0.1", "remincross": "false"}
# Edges cost layout and rasterising time too (a 2-128-128-1 network has 16768): a picture
# may have this many edges per allowed node.
EDGES_PER_NODE = 10

# Non-commutative operations say which input is which on their edges.


@dataclass(frozen=True)
class DrawOptions:
    """How a graph is drawn.  ``show_grad=False`` is the CLI's ``--forward-only``."""

    rankdir: str = "LR"
    precision: int = DEFAULT_PRECISION
    show_grad: bool = True
    color_grad: bool = False
    title: str | None = None


@dataclass(frozen=True)
class Drawing:
    """DOT source and its size (nodes and edges as they appear in the picture)."""

    source: str
    nodes: int
    edges: int


def shorten(text: str, width: int = LABEL_WIDTH) -> str:
    """``text`` cut in the middle with an ellipsis when it is longer than ``width``."""
    if len(text) <= width:
        return text
    keep = width - 1
    return text[: keep - keep // 2] + "\u2026" + text[-(keep // 2):]


def new_digraph(name: str, rankdir: str, title_html: str) -> graphviz.Digraph:
    """An empty Digraph with gradcli's fonts and a title/legend label on top."""
    return graphviz.Digraph(
        name=name,
        graph_attr={
            "rankdir": rankdir,
            "label": f"<{title_html}>",
            "labelloc": "t",
            "labeljust": "l",
            "fontname": FONT,
            "bgcolor": "white",
            "nodesep": "0.25",
            "ranksep": "0.35",
        },
        node_attr={"fontname": FONT, "fontsize": "11"},
        edge_attr={"fontname": FONT, "fontsize": "9", "color": OP_LINE, "arrowsize": "0.7"},
    )


def finish(dot: graphviz.Digraph, nodes: int, edges: int) -> Drawing:
    """The Drawing of a finished Digraph; large ones get the quick layout settings."""
    if nodes > QUICK_LAYOUT_ABOVE:
        dot.attr("graph", **QUICK_LAYOUT)
    return Drawing(dot.source, nodes, edges)


def check_size(drawing: Drawing, max_nodes: int) -> None:
    """Refuse (``UsageError``) a picture too large to lay out in reasonable time."""
    if drawing.nodes > max_nodes:
        what = f"{drawing.nodes} nodes, more than {{setting}} {max_nodes}"
        needed = drawing.nodes
    elif drawing.edges > EDGES_PER_NODE * max_nodes:
        what = f"{drawing.edges} edges, more than {EDGES_PER_NODE} x {{setting}} {max_nodes}"
        needed = -(-drawing.edges // EDGES_PER_NODE)
    else:
        return
    step = 500 if needed < 10_000 else 5000
    raise UsageError(
        f"the graph has {what}; laying it out could take minutes",
        hint=f"pass {{setting}} {(needed // step + 1) * step} to render it anyway, or write DOT source with "
             "{setting:output} graph.dot", setting="max_nodes", value=max_nodes, limit=needed,
    )


def legend_cells(items: list[tuple[str, str, str]]) -> str:
    """One HTML table row of legend swatches: (text, fill, text colour) each."""
    cells = "".join(
        f'<td bgcolor="{fill}"><font color="{ink}" point-size="10">{html.escape(text)}</font></td>'
        for text, fill, ink in items
    )
    return f'<table border="0" cellborder="1" cellspacing="4" cellpadding="3"><tr>{cells}</tr></table>'


def expression_drawing(graph, options: DrawOptions = DrawOptions()) -> Drawing:
    """The picture of an evaluated ``expr.Graph`` (run ``graph.backward()`` first to show gradients)."""
    nodes = graph.nodes()
    index = {id(node): i for i, node in enumerate(nodes)}
    variables = {id(leaf) for leaf in graph.variables.values()}
    hottest = max((_magnitude(node.grad) for node in nodes), default=0.0) if options.color_grad else 0.0

    dot = new_digraph("gradcli", options.rankdir, _title(graph, options))
    edges = 0
    for i, node in enumerate(nodes):
        heat = _magnitude(node.grad) / hottest if hottest > 0 else 0.0
        kind = ("output" if node is graph.output else "variable" if id(node) in variables
                else "constant" if not node.inputs else "operation")
        name = graph.name_of(node)
        dot.node(f"n{i}", label=_value_label(node, kind, heat, options, name), shape="plain",
                 tooltip=_tooltip(node, options, name))
        if not node.inputs:
            continue
        op_id = f"n{i}_op"
        symbol = op_symbol(node)
        dot.node(op_id, label=symbol, shape="ellipse", style="filled", fillcolor=OP_FILL, color=OP_LINE,
                 fontcolor=INK, margin="0.04,0.02", height="0.3", width="0.3",
                 tooltip=f"{symbol}: {name or node.label or 'operation'}")
        dot.edge(op_id, f"n{i}")
        roles = OPS[node.op].roles  # edge labels where the order of the inputs matters ("num", "den")
        for position, child in enumerate(node.inputs):
            attributes = {"label": roles[position]} if roles else {}
            if options.color_grad and hottest > 0:
                child_heat = _magnitude(child.grad) / hottest
                attributes["penwidth"] = f"{1 + 2 * child_heat:.2f}"
            dot.edge(f"n{index[id(child)]}", op_id, **attributes)
        edges += 1 + len(node.inputs)
    operations = sum(1 for node in nodes if node.inputs)
    return finish(dot, len(nodes) + operations, edges)


def _magnitude(grad) -> float:
    grad = float(grad)
    return abs(grad) if math.isfinite(grad) else 0.0


def _value_label(node: Value, kind: str, heat: float, options: DrawOptions, name: str = "") -> str:
    """The HTML-like label of a value box: name cell, data cell and (unless forward-only) grad cell.

    A node with a name (a variable, a bound name, the output) shows it; others their sub-expression.
    """
    name = html.escape(shorten(name or node.label or "value"))
    if kind == "variable":
        name = f"<b>{name}</b>"
    elif kind == "constant":
        name = f'<font color="{MUTED}">{name}</font>'
    fill = _heat_colour(heat) if options.color_grad else "white"
    data = decimals(float(node.data), options.precision)
    cells = (f'<td bgcolor="{fill}">{name}</td>'
             f'<td bgcolor="{DATA_FILL}"><font color="{DATA_TEXT}">data {data}</font></td>')
    if options.show_grad:
        grad = decimals(float(node.grad), options.precision)
        cells += f'<td bgcolor="{GRAD_FILL}"><font color="{GRAD_TEXT}">grad {grad}</font></td>'
    # the output stands out by a heavier frame
    frame = f'border="2" color="{INK}"' if kind == "output" else 'border="0"'
    return (f'<<table {frame} cellborder="1" cellspacing="0" cellpadding="4">'
            f"<tr>{cells}</tr></table>>")


def _heat_colour(heat: float) -> str:
    """White at heat 0, ``HOT`` at heat 1 (linear in each channel)."""
    channels = (round(255 + (c - 255) * min(max(heat, 0.0), 1.0)) for c in HOT)
    return "#" + "".join(f"{c:02x}" for c in channels)


def _tooltip(node: Value, options: DrawOptions, name: str = "") -> str:
    """The hover text of a value box in SVG: the name and full label, whatever its length."""
    label = node.label or "value"
    shown = f"{name} = {label}" if name and name != label and node.inputs else name or label
    text = f"{shown} = {decimals(float(node.data), options.precision)}"
    if options.show_grad:
        text += f", grad {decimals(float(node.grad), options.precision)}"
    return text


def _title(graph, options: DrawOptions) -> str:
    """Title line(s) and legend: the expression, its value, the variables."""
    p = options.precision
    lines = []
    if options.title:
        lines.append(f'<font point-size="14"><b>{html.escape(options.title)}</b></font>')
    formula, before = graph.title()
    summary = f"{graph.output_name} = {shorten(formula, 80)} = {trimmed(float(graph.output.data), p)}"
    lines.append(f'<font point-size="12">{html.escape(summary)}</font>')
    if before:
        lines.append(f'<font point-size="10" color="{MUTED}">where {html.escape(shorten(before, 100))}</font>')
    if graph.variables:
        at = ", ".join(f"{name} = {trimmed(float(leaf.data), p)}" for name, leaf in graph.variables.items())
        lines.append(f'<font point-size="10" color="{MUTED}">at {html.escape(at)}</font>')
    legend = [("data: value in the forward pass", DATA_FILL, DATA_TEXT)]
    if options.show_grad:
        legend.append(("grad: d output / d value", GRAD_FILL, GRAD_TEXT))
    else:
        legend.append(("forward pass only (no gradients)", "white", MUTED))
    legend.append(("operation", OP_FILL, INK))
    if options.color_grad and options.show_grad:
        legend.append(("shade: |grad| relative to the largest", _heat_colour(1.0), INK))
    rows = "".join(f'<tr><td align="left">{line}</td></tr>' for line in lines)
    rows += f'<tr><td align="left">{legend_cells(legend)}</td></tr>'
    return f'<table border="0" cellspacing="0" cellpadding="1">{rows}</table>'
