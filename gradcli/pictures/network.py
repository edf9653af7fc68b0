"""A trained MLP (a ``gradcli.mlp`` model file) as Graphviz source, drawn like the TensorFlow Playground.

Input features on the left, one column per layer, every neuron as a circle
showing its activation and bias; every weight as an edge, blue when positive,
orange when negative, thicker and more opaque the larger its magnitude.  The
output neurons are labelled with the classes they stand for::

    >>> from gradcli.learn.modelfile import load_model
    >>> from gradcli.pictures.network import network_drawing
    >>> drawing = network_drawing(load_model("model.json"))   # doctest: +SKIP

With ``neuron_maps`` (``learn.inspect.neuron_maps``: every unit's output over
the input plane) each neuron shows that map inside its node, as the
Playground draws it: a small grid of coloured table cells, orange below 0 and
blue above, each map scaled to its own largest |output|.  Cells of a
Graphviz HTML table rather than embedded images: both renderers (``dot`` and
graphviz-pure) draw them, and the SVG stays one self-contained file (an
``image`` attribute would point at files beside it, and graphviz-pure does
not draw images).

Shares the palette and the ``Drawing`` result with ``draw.py``.
"""

from __future__ import annotations

import html

from ..numbers import decimals, trimmed
from .graph import INK, MUTED, Drawing, PictureSize, finish, legend_cells, new_digraph, shorten

POSITIVE = (37, 99, 235)  # blue, as the Playground draws positive weights
NEGATIVE = (234, 88, 12)  # orange for negative ones
INPUT_FILL = "#e5e7eb"
MAX_PENWIDTH = 5.0
MIN_PENWIDTH = 0.4


MAP_CELL_POINTS = 4  # the side of one cell of a neuron's map


def network_size(model) -> PictureSize:
    """The size of ``network_drawing(model)`` from the layer sizes alone (checked before building anything).

    Nodes: the inputs, every neuron and a label per output; edges: every weight and
    one per output label.  Every edge joins neighbouring columns, so none is long.
    """
    widths = [model.inputs, *model.sizes]
    weights = sum(a * b for a, b in zip(widths, widths[1:]))
    return PictureSize(sum(widths) + widths[-1], weights + widths[-1])


def network_drawing(model, *, rankdir: str = "LR", precision: int = 2, title: str | None = None,
                    neuron_maps: list | None = None, input_maps=None) -> Drawing:
    """The picture of a ``modelfile.SavedModel``: features, hidden layers, outputs.

    ``neuron_maps``: per layer an array (units, rows, columns) of each unit's output over the
    input plane, drawn inside its node; ``input_maps`` (inputs, rows, columns) the same for the features.
    """
    names = _feature_names(model)
    weights = [abs(w) for layer in model.layers for row in layer.weights for w in row]
    biases = [abs(b) for layer in model.layers for b in layer.biases]
    largest_weight, largest_bias = max(weights, default=0.0), max(biases, default=0.0)

    dot = new_digraph("network", rankdir, _title(model, title, largest_weight, precision, neuron_maps is not None))
    widest = max([model.inputs, *model.sizes])
    spacing = min(1.2 + 0.05 * widest, 4.0)  # room between columns for many crossing lines
    dot.attr("graph", ranksep=f"{spacing if rankdir == 'LR' else spacing * 0.7:.2f}", nodesep="0.12", splines="line")
    _column(dot, "inputs", [
        (f"i{i}", _mapped(input_maps[i], f'<font point-size="9">{html.escape(shorten(name, 16))}</font>',
                          f"input feature {name}") if input_maps is not None else
         {"label": html.escape(shorten(name, 24)), "shape": "box", "style": "rounded,filled",
          "fillcolor": INPUT_FILL, "color": MUTED, "tooltip": f"input feature {name}"})
        for i, name in enumerate(names)
    ])
    previous = [f"i{i}" for i in range(len(names))]
    ports = {"tailport": "e", "headport": "w"} if rankdir == "LR" else {"tailport": "s", "headport": "n"}
    outputs = _output_names(model)
    for number, layer in enumerate(model.layers, start=1):
        last = number == len(model.layers)
        ids = [f"L{number}n{j}" for j in range(layer.n_outputs)]
        where = [f"layer {number}, neuron {j + 1}" for j in range(layer.n_outputs)]
        if neuron_maps is not None:
            nodes = [(ids[j], _mapped(neuron_maps[number - 1][j], _caption(layer.activation, layer.biases[j], precision),
                                      f"{where[j]}: {layer.activation}, bias {decimals(layer.biases[j], 6)}", last))
                     for j in range(layer.n_outputs)]
        else:
            nodes = [(ids[j], _neuron(layer.activation, layer.biases[j], largest_bias, precision, last, where[j]))
                     for j in range(layer.n_outputs)]
        _column(dot, f"layer{number}", nodes)
        # the strongest weights last, so that they are drawn on top
        weighted = sorted(((abs(w), i, j, w) for j, row in enumerate(layer.weights) for i, w in enumerate(row)))
        for _, i, j, weight in weighted:
            dot.edge(previous[i], ids[j], **ports, **_weight_style(weight, largest_weight, precision))
        previous = ids
    # what each output means, in a column of its own (an xlabel would sit on the edges)
    _column(dot, "outputs", [
        (f"out{j}", {"label": f"<<b>{html.escape(name)}</b>>", "shape": "plaintext"})
        for j, name in enumerate(outputs)
    ])
    for j in range(len(outputs)):
        dot.edge(previous[j], f"out{j}", color=MUTED, **ports)
    return finish(dot, network_size(model))


def _caption(activation: str, bias: float, precision: int) -> str:
    return (f'<font point-size="8" color="{MUTED}">{html.escape(activation)}</font> '
            f'<font point-size="8">b {_fixed(bias, precision)}</font>')


def _mapped(values, caption: str, tooltip: str, output: bool = False) -> dict:
    """A node that is a map: rows of coloured cells (each map scaled to its own largest |value|), a caption below."""
    import numpy as np

    values = np.nan_to_num(np.asarray(values, dtype=np.float64))
    scale = float(np.max(np.abs(values))) if values.size else 0.0
    shares = values / scale if scale > 0 else np.zeros_like(values)
    size = MAP_CELL_POINTS
    rows = "".join(
        "<tr>" + "".join(f'<td bgcolor="{_signed_fill(v)}" width="{size}" height="{size}" fixedsize="true"></td>'
                         for v in row) + "</tr>"
        for row in shares.tolist())
    frame = INK if output else MUTED
    label = (f'<table border="1" color="{frame}" cellborder="0" cellspacing="0" cellpadding="0">{rows}'
             f'<tr><td colspan="{shares.shape[1]}" cellpadding="1">{caption}</td></tr></table>')
    return {"label": f"<{label}>", "shape": "plaintext", "margin": "0", "tooltip": tooltip}


def _signed_fill(share: float) -> str:
    """-1 full orange, 0 white, +1 full blue (in 9 steps a side, so that a map uses few colours)."""
    amount = round(min(abs(share), 1.0) * 8) / 8 * 0.9
    return _mix(POSITIVE if share >= 0 else NEGATIVE, amount)


def _feature_names(model) -> list[str]:
    if len(model.feature_names) == model.inputs:
        return list(model.feature_names)
    return [f"x{i + 1}" for i in range(model.inputs)]


def _output_names(model) -> list[str]:
    """What each output neuron stands for: a class, the class decided by its sign, or the prediction."""
    n = model.layers[-1].n_outputs
    labels = [str(label) for label in model.class_labels]
    if model.task == "binary" and n == 1:
        negative, positive = (labels + ["0", "1"])[:2] if len(labels) < 2 else labels[:2]
        return [f"class {positive} if > 0, else {negative}"]
    if model.task in ("binary", "multiclass") and len(labels) == n:
        return [f"class {label}" for label in labels]
    if model.task == "regression":
        target = model.meta.get("target") if isinstance(model.meta, dict) else None
        return [f"prediction{f' of {target}' if target else ''}" if n == 1 else f"output {j + 1}" for j in range(n)]
    return [f"output {j + 1}" for j in range(n)]


def _column(dot, name: str, nodes: list) -> None:
    """One rank of nodes, kept in the given order by a chain of invisible edges between them."""
    with dot.subgraph(name=name) as column:
        column.attr(rank="same")
        for node_id, attributes in nodes:
            column.node(node_id, **attributes)
        for (upper, _), (lower, _) in zip(nodes, nodes[1:]):
            column.edge(upper, lower, style="invis")


def _neuron(activation: str, bias: float, largest_bias: float, precision: int, output: bool, where: str) -> dict:
    """A neuron: its activation and bias inside the circle; the fill shows the bias's sign and size."""
    share = abs(bias) / largest_bias if largest_bias > 0 else 0.0
    fill = _mix(POSITIVE if bias >= 0 else NEGATIVE, 0.12 + 0.45 * share)
    text = (f'<font point-size="9" color="{MUTED}">{html.escape(activation)}</font><br/>'
            f'<font point-size="9">b {_fixed(bias, precision)}</font>')
    attributes = {"label": f"<{text}>", "shape": "circle", "style": "filled", "fillcolor": fill,
                  "color": INK if output else MUTED, "penwidth": "2" if output else "1",
                  "fixedsize": "true", "width": "0.62",
                  "tooltip": f"{where}: {activation}, bias {decimals(bias, 6)}"}
    return attributes


def _fixed(x: float, precision: int) -> str:
    """Fixed-point text that fits in a circle (no e-notation; the tooltip has every digit)."""
    text = f"{x:.{precision}f}"
    return text[1:] if text.startswith("-") and float(text) == 0.0 else text


def _weight_style(weight: float, largest: float, precision: int) -> dict:
    share = abs(weight) / largest if largest > 0 else 0.0
    colour = POSITIVE if weight >= 0 else NEGATIVE
    alpha = round(255 * (0.2 + 0.8 * share))
    return {
        "color": "#" + "".join(f"{c:02x}" for c in colour) + f"{alpha:02x}",
        "penwidth": f"{MIN_PENWIDTH + (MAX_PENWIDTH - MIN_PENWIDTH) * share:.2f}",
        "arrowhead": "none",
        "tooltip": f"w = {decimals(weight, max(precision, 4))}",
    }


def _mix(rgb: tuple, amount: float) -> str:
    """``rgb`` blended into white: amount 0 is white, 1 the full colour."""
    return "#" + "".join(f"{round(255 + (c - 255) * amount):02x}" for c in rgb)


def _title(model, title: str | None, largest_weight: float, precision: int, maps: bool = False) -> str:
    """Title and legend: architecture, task, data set (if recorded), weight colours."""
    sizes = "-".join(str(size) for size in [model.inputs, *model.sizes])
    hidden = [layer.activation for layer in model.layers[:-1]]
    if len(set(hidden)) <= 1 and model.layers[-1].activation == "linear":
        activations = f"hidden activation {hidden[0] if hidden else 'none'}"
    else:  # layers that name their own: every layer's, in order
        activations = "activations " + ", ".join(layer.activation for layer in model.layers) + " (by layer)"
    summary = f"MLP {sizes} ({model.parameter_count} parameters), {activations}, {model.task}"
    dataset = model.meta.get("dataset") if isinstance(model.meta, dict) else None
    lines = []
    if title:
        lines.append(f'<font point-size="14"><b>{html.escape(title)}</b></font>')
    lines.append(f'<font point-size="12">{html.escape(summary)}</font>')
    if dataset:
        lines.append(f'<font point-size="10" color="{MUTED}">trained on {html.escape(str(dataset))}</font>')
    largest = trimmed(largest_weight, precision)
    legend = legend_cells([
        ("weight > 0", _mix(POSITIVE, 0.35), INK),
        ("weight < 0", _mix(NEGATIVE, 0.35), INK),
        (f"line width: |weight| (largest {largest})", "white", INK),
        ("circle: activation, bias" if not maps else "map: output over the inputs' plane (orange < 0 < blue)",
         "white", MUTED),
    ])
    rows = "".join(f'<tr><td align="left">{line}</td></tr>' for line in lines)
    return f'<table border="0" cellspacing="0" cellpadding="1">{rows}<tr><td align="left">{legend}</td></tr></table>'
