"""``gradcli draw``: a computation graph or a trained network as SVG, PNG or DOT.

Three beats: read the options, build the picture's DOT source with
``gradcli.pictures.graph`` (expressions, and a model's graph for one input with ``--graph``:
``learn/model_graph.py``) or ``gradcli.pictures.network`` (model files), and write it with
``gradcli.pictures.files``.  graphviz is imported inside the command, so other commands never
pay for it.
"""

from typing import Annotated, Optional

import typer

from ..autograd.expr import MAX_ENTRIES, MAX_LENGTH, MAX_SIZE
from ..learn.config import GraphView, Loss
from ..pictures.choices import Rankdir, Renderer
from .app import app
from .common import VARIABLE_CONTEXT, console, reports_errors, warn, write_stdout
from .expression_input import (DrawOutputNameOption, FileOption, MaxEntriesOption, MaxLengthOption, MaxSizeOption,
                               read_expression)
from .options import DEFAULT_MAX_MEMORY_TEXT, MAX_PRECISION, MaxMemoryOption, max_memory

# The largest expressions the parser accepts draw as up to ~4000 nodes and render in
# 3-15 s; a 2-128-128-1 network (16768 edges) in 1-34 s (docs/benchmarks.md).  Above
# this many nodes (or 10x as many edges) a render fails fast and says how to go on.
DEFAULT_MAX_NODES = 3000
EXPRESSION_PRECISION = 4  # as micrograd's "%.4f"
NETWORK_PRECISION = 2  # biases inside small circles

OWN_OPTIONS = ["--output", "--rankdir", "--precision", "--forward-only", "--color-grad", "--title",
               "--max-nodes", "--renderer", "--max-memory", "--neurons", "--graph", "--view", "--input", "--target",
               "--loss"]
GRAPH_OPTIONS = ("view", "input", "target", "loss")  # the options of --graph
NEURON_MAP_CELLS = 10  # a neuron's map: this many cells a side

EXAMPLES = """Examples:

  gradcli draw "tanh(x1*w1 + x2*w2 + b)" --x1 2 --x2 0 --w1 -3 --w2 1 --b 6.8813735870195432 -o neuron.svg

  gradcli draw model.json --neurons -o net.svg    (a model written by gradcli train --save)

  gradcli draw model.json --graph --input 0.5,-0.2 --target 1 -o graph.svg
"""


@app.command("draw", context_settings=VARIABLE_CONTEXT, epilog=EXAMPLES)
@reports_errors
def draw(
    ctx: typer.Context,
    source: Annotated[Optional[str], typer.Argument(
        help="An expression such as \"tanh(x*w + b)\", or a model file (*.json) written by gradcli train --save.",
        show_default=False)] = None,
    output: Annotated[Optional[str], typer.Option(
        "--output", "-o", help="File to write: .svg, .png or .dot by its suffix; '-' writes DOT source to stdout.",
        show_default=False)] = None,
    rankdir: Annotated[Rankdir, typer.Option(help="Layout direction: LR (left to right) or TB (top to bottom).")]
    = Rankdir.LR,
    precision: Annotated[Optional[int], typer.Option(
        help="Digits after the decimal point (default: 4 for expressions, 2 for networks).",
        show_default=False, min=0, max=MAX_PRECISION)] = None,
    forward_only: Annotated[bool, typer.Option(
        "--forward-only", help="Skip the backward pass: show data only, no gradients.")] = False,
    color_grad: Annotated[bool, typer.Option(
        "--color-grad", help="Shade value boxes by |grad| so the paths that matter stand out.")] = False,
    title: Annotated[Optional[str], typer.Option(help="A title line above the picture.", show_default=False)] = None,
    max_nodes: Annotated[int, typer.Option(
        help="Refuse to render SVG/PNG with more nodes than this, or 10x as many edges (DOT output has no limit).",
        min=1)]
    = DEFAULT_MAX_NODES,
    renderer: Annotated[Renderer, typer.Option(
        help="Program that lays out SVG/PNG: auto (dot if on PATH, else graphviz-pure), dot or graphviz-pure.")]
    = Renderer.auto,
    file: FileOption = None,
    output_name: DrawOutputNameOption = None,
    max_length: MaxLengthOption = MAX_LENGTH,
    max_size: MaxSizeOption = MAX_SIZE,
    max_entries: MaxEntriesOption = MAX_ENTRIES,
    memory_limit: MaxMemoryOption = DEFAULT_MAX_MEMORY_TEXT,
    neurons: Annotated[bool, typer.Option(
        "--neurons", help="A model file of 2 inputs: draw each neuron's output over the data's range inside it.")]
    = False,
    graph: Annotated[bool, typer.Option(
        "--graph", help="A model file: draw the expression graph the network computes for one input (--input).")]
    = False,
    view: Annotated[GraphView, typer.Option(
        help="With --graph: tensor (a box per layer operation, with shapes) or scalar (micrograd's graph: a box "
             "per weight, product, sum and activation).")] = GraphView.tensor,
    input_values: Annotated[Optional[str], typer.Option(
        "--input", help="With --graph: the sample, raw inputs in the model's order, e.g. 0.5,-0.2 "
                        "(default: the middle of the training data's range).", show_default=False)] = None,
    target: Annotated[Optional[str], typer.Option(
        help="With --graph: the sample's class label (or value): the graph ends in its loss, with gradients.",
        show_default=False)] = None,
    loss: Annotated[Optional[Loss], typer.Option(
        help="With --graph and --target: hinge, mse or cross-entropy (default: the loss the model was trained "
             "with).", show_default=False)] = None,
) -> None:
    """Draw a computation graph (value boxes: label, data, grad; small op nodes) or a trained network.

    An expression is evaluated exactly as `gradcli grad` does, then backward runs;
    a model file is drawn the way the TensorFlow Playground draws a network, or with
    --graph as the expression graph it computes for one sample.
    """
    from ..errors import UsageError
    from ..pictures.files import output_format, render_to_file
    from ..pictures.graph import check_size

    if output is None:
        raise UsageError("no output file: pass -o graph.svg (or .png, .dot), or -o - for DOT source on stdout")
    fmt = output_format(output)  # an unknown suffix fails before any work
    limit = max_memory(memory_limit)
    # the picture's size is checked before it is built (DOT source has no limit: nothing lays it out)
    check = None if fmt == "dot" else lambda size: check_size(size, max_nodes, limit, fmt)  # noqa: E731

    graph_given = {"view": view is not GraphView.tensor, "input": input_values is not None,
                   "target": target is not None, "loss": loss is not None}
    if file is None and source is not None and source.lower().endswith(".json"):
        from ..paths import refuse_overlaps

        refuse_overlaps(outputs={"output": output}, inputs={"model": source})
        if graph:
            if neurons:
                raise UsageError("--graph draws the network's expression graph; --neurons its neurons: pick one")
            drawing = _model_graph(source, ctx.args, view.value, input_values, target, loss, limit, rankdir.value,
                                   precision, title, forward_only, color_grad, check)
        else:
            _refuse_graph_options(graph_given, "with --graph")
            drawing = _network(source, ctx.args, rankdir.value, precision, title, forward_only or color_grad, check,
                               neurons)
    else:
        if neurons:
            raise UsageError("--neurons draws inside the neurons of a model file (*.json), not of an expression")
        if graph:
            raise UsageError("--graph draws the graph of a model file (*.json); an expression is drawn as its "
                             "graph already")
        _refuse_graph_options(graph_given, "to a model file drawn with --graph")
        parsed, values = read_expression(source, ctx.args, file=file, output=output_name, max_length=max_length,
                                         max_size=max_size, own_options=OWN_OPTIONS, max_entries=max_entries)
        drawing = _expression(parsed, values, rankdir.value, precision, title, forward_only, color_grad, check)

    if output == "-":
        write_stdout(drawing.source)
        return
    result = render_to_file(drawing.source, output, renderer.value, max_memory=limit)
    how = f", rendered by {result.renderer} in {result.seconds:.2f} s" if result.renderer else ""
    size = f"{_count(drawing.nodes, 'node')}, {_count(drawing.edges, 'edge')}"
    console().print(f"wrote {output} ({size}{how})", markup=False)


def _expression(parsed, values, rankdir, precision, title, forward_only, color_grad, check):
    """Evaluate as `grad` does, run backward unless forward-only, check its size, build the picture."""
    from ..pictures.graph import DrawOptions, expression_drawing, expression_size

    graph = parsed.evaluate(values)
    if not forward_only:
        graph.backward()
    if forward_only and color_grad:
        warn("--color-grad has no effect with --forward-only (there are no gradients to shade by)")
    if check is not None:
        check(expression_size(graph))
    options = DrawOptions(rankdir=rankdir, precision=EXPRESSION_PRECISION if precision is None else precision,
                          show_grad=not forward_only, color_grad=color_grad and not forward_only, title=title)
    return expression_drawing(graph, options)


def _refuse_graph_options(given: dict, where: str) -> None:
    from ..errors import UsageError

    for name in GRAPH_OPTIONS:
        if given[name]:
            raise UsageError(f"--{name} applies {where}", hint="draw model.json --graph --input 0.5,-0.2 "
                             "--target 1 draws a network's graph for one sample")


def _model_graph(path, extra, view, input_text, target, loss, limit, rankdir, precision, title, forward_only,
                 color_grad, check):
    """A model file's expression graph for one input: sizes checked before it is built, then drawn as an expression."""
    from ..errors import UsageError
    from ..learn.estimate import graph_estimate
    from ..learn.inference import Predictor
    from ..learn.model_graph import graph_size, model_graph
    from ..learn.modelfile import load_model
    from ..limits import check_memory
    from ..pictures.graph import DrawOptions, PictureSize, expression_drawing, expression_size

    if extra:
        raise UsageError(f"unexpected argument '{extra[0]}': give the sample with --input 0.5,-0.2")
    saved = load_model(path)
    nodes, edges = graph_size(saved.inputs, saved.sizes, [layer.activation for layer in saved.layers], view,
                              target is not None)
    check_memory(graph_estimate(nodes), limit, advice="draw --view tensor (a box per layer)")
    if check is not None:
        check(PictureSize(nodes, edges))  # before the graph is built: the scalar view grows with the weights
    predictor = Predictor.from_saved(saved, max_memory=limit, source=path)
    sample = _sample(input_text, predictor, saved)
    graph = model_graph(predictor, sample, view=view, target=target, loss=loss)
    show_grad = target is not None and not forward_only
    if show_grad:
        graph.backward()
    elif color_grad:
        warn("--color-grad shades by the gradients of the loss: give --target (and --loss)")
    if check is not None:
        check(expression_size(graph))
    options = DrawOptions(rankdir=rankdir, precision=EXPRESSION_PRECISION if precision is None else precision,
                          show_grad=show_grad, color_grad=color_grad and show_grad, title=title)
    return expression_drawing(graph, options)


def _sample(text, predictor, saved) -> list[float]:
    """--input as numbers, one per raw input; without it, the middle of the training data's range (or zeros)."""
    from ..errors import UsageError
    from ..numbers import is_decimal

    names = predictor.input_names
    if text is None:
        bounds = saved.meta.get("input_bounds") if isinstance(saved.meta, dict) else None
        if isinstance(bounds, list) and len(bounds) == len(names):
            return [(low + high) / 2 for low, high in bounds]
        return [0.0] * len(names)
    parts = [part.strip() for part in text.split(",")]
    for part in parts:
        if not is_decimal(part):
            raise UsageError(f"--input '{text}': '{part}' is not a number; give one number per input, e.g. "
                             f"{','.join(['0.5'] * len(names))} ({', '.join(names)})")
    values = [float(part) for part in parts]
    if len(values) != len(names):
        raise UsageError(f"--input '{text}' gives {len(values)} value{'s' if len(values) != 1 else ''}, but the model "
                         f"takes {len(names)} inputs ({', '.join(names)})")
    return values


def _network(path, extra, rankdir, precision, title, gradient_options, check, neurons=False):
    """Load a model file (checked by gradcli.learn.modelfile), check its size, build its picture."""
    from ..pictures.network import network_drawing, network_size
    from ..errors import UsageError
    from ..learn.modelfile import load_model

    if extra:
        raise UsageError(f"unexpected argument '{extra[0]}': a model file is drawn as it is, without variables")
    if gradient_options:
        warn("--forward-only and --color-grad apply to expressions; a network is drawn with its weights")
    model = load_model(path)
    if check is not None:
        check(network_size(model))
    maps = _neuron_maps(path, model) if neurons else {}
    return network_drawing(model, rankdir=rankdir, precision=NETWORK_PRECISION if precision is None else precision,
                           title=title, **maps)


def _neuron_maps(path, saved) -> dict:
    """Every unit's output (and every input feature) over the plane of the model's training data."""
    from ..errors import UsageError
    from ..learn.inference import Predictor, model_inputs
    from ..learn.inspect import input_maps, neuron_maps, plane_bounds, recorded_dataset

    predictor = Predictor.from_saved(saved)
    if len(predictor.input_names) != 2:
        raise UsageError(f"--neurons draws each neuron over the plane of 2 inputs; {path} takes "
                         f"{len(predictor.input_names)} ({', '.join(predictor.input_names)})")
    recorded = saved.meta.get("input_bounds")
    dataset = None if recorded else recorded_dataset(saved)  # an older model file: the range of its data
    bounds = plane_bounds(model_inputs(predictor, dataset) if dataset is not None else None, recorded)
    size = (NEURON_MAP_CELLS, NEURON_MAP_CELLS)
    return {"neuron_maps": neuron_maps(predictor, bounds, *size), "input_maps": input_maps(predictor, bounds, *size)}


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
