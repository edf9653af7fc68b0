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

A box that holds an array shows its shape (``(2, 2)``, as torchviz does) and
its values on one line (``[[1, 2], [-1, 3]]``, ``numbers.compact``); an array
of more than 8 entries, such as a layer's weights in ``draw model.json
--graph``, shows its range instead (``-0.98..0.97``).

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
from ..autograd.ops import OPS, op_symbol, shape_text
from ..errors import UsageError
from ..limits import DEFAULT_MAX_MEMORY, Estimate, check_memory
from ..numbers import DEFAULT_PRECISION, compact, decimals, entries, trimmed

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

# Above this many layout nodes (the picture's nodes and the virtual nodes of its long edges,
# see PictureSize) the layout's optimisation passes are cut short: a long sum of 200 terms
# (1800 nodes) then lays out in seconds instead of more than ten minutes, and x+x+...+x of
# 100 terms (199 nodes, 9,700 virtual) in 0.3 s instead of 38 s (docs/benchmarks.md);
# pictures that large are overviews, not read box by box.
QUICK_LAYOUT_ABOVE = 300
QUICK_LAYOUT = {"nslimit": "0.2", "nslimit1": "0.2", "mclimit": "0.1", "remincross": "false"}
# Edges cost layout and rasterising time too (a 2-128-128-1 network has 16768): a picture
# may have this many edges per allowed node.
EDGES_PER_NODE = 10
# Memory of a layout, measured with both renderers (benchmarks/bench_limits.py): about 4 KB per
# layout node (a virtual node costs as much as a drawn one), 6 KB per edge, and a PNG's bitmap.
LAYOUT_NODE_BYTES = 4 * 2**10
LAYOUT_EDGE_BYTES = 6 * 2**10
LAYOUT_BASE_BYTES = 50 * 2**20
PNG_BITMAP_BYTES = 200 * 2**20

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


@dataclass(frozen=True)
class PictureSize:
    """How large a picture is for its renderer, known before any DOT source is built.

    ``long_edges`` counts the ranks that edges skip: a layout routes an edge from
    rank 0 to rank 9 through 8 virtual nodes, each as costly as a drawn one.  In
    ``x+x+...+x`` every term's edge starts at the one ``x``: 1,000 terms make
    1,999 nodes but about a million virtual ones (3.8 GB in graphviz-pure).
    """

    nodes: int
    edges: int
    long_edges: int = 0

    @property
    def layout_nodes(self) -> int:
        return self.nodes + self.long_edges

    def memory(self, fmt: str = "svg") -> int:
        """Estimated peak memory of laying this picture out (and drawing a PNG's bitmap)."""
        return (LAYOUT_BASE_BYTES + LAYOUT_NODE_BYTES * self.layout_nodes + LAYOUT_EDGE_BYTES * self.edges
                + (PNG_BITMAP_BYTES if fmt == "png" else 0))


def expression_size(graph) -> PictureSize:
    """The size of ``expression_drawing(graph)``: nodes and edges as drawn, and the ranks long edges skip.

    Ranks as a layout assigns them (each value box one rank after its operation
    node, each operation after its inputs), every node placed as late as its
    consumers allow, as Graphviz's ranking tends to; an edge from a box to an
    operation node ``k`` ranks away crosses ``k - 1`` virtual nodes.
    """
    nodes = graph.nodes()
    operations = [node for node in nodes if node.inputs]
    edges = sum(1 + len(node.inputs) for node in operations)
    rank = {}
    for node in nodes:  # as early as possible: inputs first
        rank[id(node)] = 2 + max(rank[id(child)] for child in node.inputs) if node.inputs else 0
    latest = {id(graph.output): rank[id(graph.output)]}
    for node in reversed(nodes):  # then as late as the consumers allow
        here = latest.get(id(node), rank[id(node)])
        latest[id(node)] = here
        for child in node.inputs:  # the operation node sits at here - 1, its input at most at here - 2
            latest[id(child)] = min(latest.get(id(child), here - 2), here - 2)
    skipped = sum(latest[id(node)] - latest[id(child)] - 2 for node in operations for child in node.inputs)
    return PictureSize(len(nodes) + len(operations), edges, skipped)


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


def finish(dot: graphviz.Digraph, size: PictureSize) -> Drawing:
    """The Drawing of a finished Digraph; large ones (counting their long edges) get the quick layout settings."""
    if size.layout_nodes > QUICK_LAYOUT_ABOVE:
        dot.attr("graph", **QUICK_LAYOUT)
    return Drawing(dot.source, size.nodes, size.edges)


def check_size(size: PictureSize, max_nodes: int, max_memory: int = DEFAULT_MAX_MEMORY, fmt: str = "svg") -> None:
    """Refuse, before anything is built, a picture too large to lay out in reasonable time or memory.

    ``UsageError`` naming ``max_nodes`` (nodes, or 10x as many edges), or
    ``LimitError`` naming ``max_memory`` (the layout's estimated memory).
    """
    if size.nodes > max_nodes:
        what = f"{size.nodes} nodes, more than {{setting}} {max_nodes}"
        needed = size.nodes
    elif size.edges > EDGES_PER_NODE * max_nodes:
        what = f"{size.edges} edges, more than {EDGES_PER_NODE} x {{setting}} {max_nodes}"
        needed = -(-size.edges // EDGES_PER_NODE)
    else:
        detail = f"{size.nodes:,} nodes, {size.edges:,} edges"
        if size.long_edges:
            detail += f", long edges through {size.long_edges:,} more ranks"
        check_memory(Estimate(size.memory(fmt), "laying out this graph", detail), max_memory,
                     advice="draw a smaller graph (a variable used in many places makes long edges), "
                            "or write DOT source with {setting:output} graph.dot")
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
    # a network's graph (learn/model_graph.py) has parameters too: leaves drawn as variables are
    variables = {id(leaf) for leaf in [*graph.variables.values(), *getattr(graph, "parameters", {}).values()]}
    hottest = max((_magnitude(node.grad) for node in nodes), default=0.0) if options.color_grad else 0.0

    dot = new_digraph("gradcli", options.rankdir, _title(graph, options))
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
    return finish(dot, expression_size(graph))


def _magnitude(grad) -> float:
    """|grad| (the largest finite |entry| of an array), 0 where it is not finite."""
    if getattr(grad, "ndim", 0):
        return max((abs(g) for g in grad.ravel().tolist() if math.isfinite(g)), default=0.0)
    grad = float(grad)
    return abs(grad) if math.isfinite(grad) else 0.0


BOX_ENTRIES = 8  # a box shows an array of up to this many entries; a larger one by its range


def _number(x, precision: int) -> str:
    """A number as a box shows it (``decimals``); an array of up to ``BOX_ENTRIES`` entries on one line
    (``numbers.compact``), a larger one (a layer's weights) by its range, ``-0.98..0.97``: its shape has a
    cell of its own."""
    if not getattr(x, "ndim", 0):
        return decimals(float(x), precision)
    if x.size <= BOX_ENTRIES:
        return compact(x, precision)
    return f"{trimmed(float(x.min()), precision)}..{trimmed(float(x.max()), precision)}"


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
    data = html.escape(_number(node.data, options.precision))
    cells = f'<td bgcolor="{fill}">{name}</td>'
    if node.shape:  # an array: its shape, as torchviz shows it
        cells += f'<td><font color="{MUTED}">{shape_text(node.shape)}</font></td>'
    cells += f'<td bgcolor="{DATA_FILL}"><font color="{DATA_TEXT}">data {data}</font></td>'
    if options.show_grad:
        grad = html.escape(_number(node.grad, options.precision))
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
    text = f"{shown} = {_number(node.data, options.precision)}"
    if node.shape:
        text += f" (shape {shape_text(node.shape)})"
    if options.show_grad:
        text += f", grad {_number(node.grad, options.precision)}"
    return text


def _trimmed(x, precision: int) -> str:
    """``trimmed`` for a title line, entry by entry for an array."""
    if getattr(x, "ndim", 0):
        return entries(x, lambda v: trimmed(v, precision))
    return trimmed(float(x), precision)


def _title(graph, options: DrawOptions) -> str:
    """Title line(s) and legend: the expression, its value, the variables."""
    p = options.precision
    lines = []
    if options.title:
        lines.append(f'<font point-size="14"><b>{html.escape(options.title)}</b></font>')
    formula, before = graph.title()
    summary = f"{graph.output_name} = {shorten(formula, 80)} = {_trimmed(graph.output.data, p)}"
    lines.append(f'<font point-size="12">{html.escape(summary)}</font>')
    if before:
        lines.append(f'<font point-size="10" color="{MUTED}">where {html.escape(shorten(before, 100))}</font>')
    if graph.variables:
        at = ", ".join(f"{name} = {_trimmed(leaf.data, p)}" for name, leaf in graph.variables.items())
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
