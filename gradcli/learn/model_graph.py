"""A saved network's expression graph for one input: micrograd's scalar view, or the tensor engine's layer view.

``gradcli draw model.json --graph`` draws what a network computes for one sample, as
``pictures/graph.py`` draws any expression (value boxes with data and grad, small operation
nodes)::

    graph = model_graph(predictor, [0.5, -0.2], view="scalar", target="1", loss="hinge")
    graph.backward()                              # with a target: the gradients of the loss
    graph.output.data, graph.parameters["w1[1,2]"].grad

- ``scalar``: the network as micrograd's ``MLP`` computes one sample (seed 004's ``draw_dot`` of
  an MLP): every weight a leaf (``w2[3,1]``: layer 2, neuron 3, input 1; ``b2[3]`` its bias),
  each neuron's products, its sum (``z2[3]``) and its activation (``h2[3]``).  A 2-16-16-1
  network makes about 1,100 boxes and ovals.
- ``tensor``: the network as the tensor engine computes a batch of one row: the input ``x`` of
  shape (1, inputs), and per layer ``W1.T``, ``x @ W1.T``, ``+ b1`` (``z1``) and the activation
  (``h1``), boxes of matrices whatever the widths.

The raw input goes through the model's input pipeline first (features, standardisation): the
graph's inputs are the network's inputs.  With a ``target`` (a class label as the model names its
classes, or a value for regression) the graph ends in that sample's loss (``loss``, by default
the one the model was trained with); without one, in the network's outputs.  ``graph_size``
counts the scalar view's boxes and edges from the layer sizes alone, so that a picture too large
to lay out is refused before its graph is built.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ..autograd.engine import Value, topological_order
from ..autograd.ops import OPS
from ..autograd.program import Graph, precedence
from ..errors import UsageError
from ..numbers import plain
from .config import GraphView, default_loss
from .losses import LOSSES, check_loss, encode_targets, mean_loss, per_sample_loss
from .nn import MLP

__all__ = ["VIEWS", "NetworkGraph", "graph_size", "model_graph", "target_index"]

VIEWS = tuple(GraphView)
# The extra value boxes and operations of an activation after a neuron's sum, in the scalar view
# (leaky-relu is built from primitives: relu(v) * 0.99 + v * 0.01, with its two constants).
ACTIVATION_VALUES = {"linear": 0, "leaky-relu": 6}
ACTIVATION_OPERATIONS = {"linear": 0, "leaky-relu": 4}
ACTIVATION_EDGES = {"linear": 0, "leaky-relu": 11}
LOSS_NODES = 40  # the loss of one sample adds a few boxes per output: a generous allowance per output
NAME_WIDTH = 30  # a loss's steps are named by their formula up to this length
_WORD = re.compile(r"[\w.\[\], ]*[\w\]]")  # a name as the layers give it: z3, W1.T, w2[1,3]


@dataclass
class NetworkGraph(Graph):
    """An expression ``Graph`` whose leaves are the network's inputs (``variables``) and its ``parameters``."""

    parameters: dict = field(default_factory=dict)  # name -> leaf Value: w1[1,2], b1[1] or W1, b1
    view: str = "tensor"


def target_index(predictor, text: str):
    """The target a person typed: a class label's index in the model's classes, or a value (regression)."""
    try:
        value = float(text)
    except ValueError:
        value = None
    if predictor.task == "regression":
        if value is None:
            raise UsageError(f"{{setting}} '{text}' is not a number; this model predicts values", setting="target")
        return value
    labels = list(predictor.class_labels) or [0, 1]
    for index, label in enumerate(labels):
        if (str(label) == text) or (value is not None and not isinstance(label, str) and float(label) == value):
            return index
    raise UsageError(f"{{setting}} '{text}' is not a class of this model (its classes: "
                     f"{', '.join(str(label) for label in labels)})", setting="target", value=text)


def graph_size(nin: int, sizes: list[int], activations: list[str], view: str, with_loss: bool) -> tuple[int, int]:
    """(nodes, edges) of the drawn graph, from the layer sizes alone (the scalar view's grow with the parameters)."""
    loss_nodes = LOSS_NODES * sizes[-1] if with_loss else 0
    if view == "tensor":  # x, then per layer W, b, W.T, x @ W.T, z (3 operations) and the activation
        nodes = 1 + sum(8 + ACTIVATION_VALUES.get(a, 1) + ACTIVATION_OPERATIONS.get(a, 1) for a in activations)
        edges = sum(8 + ACTIVATION_EDGES.get(a, 2) for a in activations)
        return nodes + loss_nodes, edges + 2 * loss_nodes
    nodes, edges = nin, 0
    for fan_in, fan_out, activation in zip([nin, *sizes], sizes, activations):
        # per neuron: fan_in weights and products (+ their ovals), a bias, a sum (+ oval), an activation (+ oval)
        values = 2 * fan_in + 2 + ACTIVATION_VALUES.get(activation, 1)
        operations = fan_in + 1 + ACTIVATION_OPERATIONS.get(activation, 1)
        nodes += fan_out * (values + operations)
        # a product: 2 in, 1 out; the sum: fan_in + 1 in, 1 out; an activation: 1 in, 1 out
        edges += fan_out * (3 * fan_in + fan_in + 2 + ACTIVATION_EDGES.get(activation, 2))
    return nodes + loss_nodes, edges + 2 * loss_nodes


def model_graph(predictor, raw_input, *, view: str = "tensor", target: str | None = None,
                loss: str | None = None) -> NetworkGraph:
    """The graph of ``predictor``'s network on one raw input (see the module docstring)."""
    if view not in VIEWS:
        raise UsageError(f"{{setting}} '{view}' is not one of: {', '.join(VIEWS)}", setting="view", value=view)
    names = predictor.input_names
    raw = np.asarray(raw_input, dtype=np.float64).reshape(-1)
    if raw.shape != (len(names),):
        raise UsageError(f"{{setting}} gives {len(raw)} value{'s' if len(raw) != 1 else ''}, but the model takes "
                         f"{len(names)} inputs ({', '.join(names)})", setting="input", value=raw.tolist())
    x = predictor.pipeline.transform(raw[None, :])[0]
    model = predictor.model
    n_outputs = model.sizes[-1]
    loss_name = None
    if target is not None:
        loss_name = loss or predictor.loss or default_loss(predictor.task, max(len(predictor.class_labels), 2))
        if loss_name not in LOSSES:
            raise UsageError(f"unknown loss '{loss_name}': choose one of {', '.join(LOSSES)}", setting="loss")
        check_loss(loss_name, predictor.task, max(len(predictor.class_labels), 2), n_outputs)
        targets = encode_targets(loss_name, np.array([target_index(predictor, target)]), n_outputs, predictor.task)
    elif loss is not None:
        raise UsageError("{setting} needs {setting:target}: the loss compares the output with a target",
                         setting="loss", value=loss)
    inputs = predictor.pipeline.feature_names or [f"x{i + 1}" for i in range(len(x))]
    if view == "scalar":
        graph = _scalar_graph(model, x, inputs, loss_name, targets if target is not None else None)
    else:
        graph = _tensor_graph(model, x, loss_name, targets if target is not None else None)
    at = ", ".join(f"{name} = {value:g}" for name, value in zip(names, raw.tolist()))
    what = f"MLP {'-'.join(map(str, [model.nin, *model.sizes]))} on ({at})"
    graph.expression = f"{loss_name} loss of the {what}, target {target}" if loss_name else f"the {what}"
    return graph


def _scalar_graph(model, x, inputs: list[str], loss: str | None, targets) -> NetworkGraph:
    """micrograd's MLP on one sample: a float Value for every input, weight, product, sum and activation."""
    network = model if isinstance(model, MLP) else MLP.from_specs(model.nin, model.to_specs())
    names, parameters, variables = {}, {}, {}
    for name, value in zip(inputs, x.tolist()):
        variables[name] = Value(value)
        names[id(variables[name])] = name
    for number, layer in enumerate(network.layers, start=1):
        for j, neuron in enumerate(layer.neurons, start=1):
            for i, w in enumerate(neuron.w, start=1):
                parameters[f"w{number}[{j},{i}]"] = w
            parameters[f"b{number}[{j}]"] = neuron.b
    for name, leaf in parameters.items():
        leaf.grad = 0.0  # a fresh picture: the network's Values may have been through backward before
        names[id(leaf)] = name
    h = list(variables.values())
    for number, layer in enumerate(network.layers, start=1):
        outputs = []
        for j, neuron in enumerate(layer.neurons, start=1):
            out = neuron(h)  # the network's own code: sum_of(w * x) + b, then the activation
            total = _sum_under(out, neuron.b)
            names[id(total)] = f"z{number}[{j}]"
            if out is not total:
                names[id(out)] = f"h{number}[{j}]"
            for product in total.inputs[:-1]:  # w * x for every input
                names[id(product)] = "*".join(names[id(v)] for v in product.inputs)
            outputs.append(out)
        h = outputs
    return _finish(h, names, variables, parameters, loss, targets, "scalar")


def _tensor_graph(model, x, loss: str | None, targets) -> NetworkGraph:
    """The tensor engine's layers on a batch of one row: matrices and vectors, four operations a layer."""
    from .tensor_nn import TensorMLP

    network = model if isinstance(model, TensorMLP) else TensorMLP.from_specs(model.nin, model.to_specs())
    h = Value(x[None, :])
    names, parameters = {id(h): "x"}, {}
    variables = {"x": h}
    for number, layer in enumerate(network.layers, start=1):
        parameters[f"W{number}"], parameters[f"b{number}"] = layer.W, layer.b
        for name in (f"W{number}", f"b{number}"):
            parameters[name].grad = 0.0
            names[id(parameters[name])] = name
        out = layer(h)  # the engine's own layer: act(h @ W.T + b)
        total = _sum_under(out, layer.b)
        product = total.inputs[0]
        names[id(product.inputs[1])] = f"W{number}.T"
        names[id(product)] = f"{names[id(h)]} @ W{number}.T"
        names[id(total)] = f"z{number}"
        if out is not total:
            names[id(out)] = f"h{number}"
        h = out
    return _finish([h], names, variables, parameters, loss, targets, "tensor")


def _sum_under(out: Value, bias: Value) -> Value:
    """The node that adds ``bias`` (a layer's or neuron's sum), found from its activation's output below it."""
    stack = [out]
    while stack:
        node = stack.pop()
        if any(v is bias for v in node.inputs):
            return node
        stack.extend(node.inputs)
    raise ValueError("no sum with this bias under the output")


def _finish(outputs: list, names: dict, variables: dict, parameters: dict, loss: str | None, targets,
            view: str) -> NetworkGraph:
    """The graph's root: the loss of the sample with a target, else the network's output."""
    if loss is not None:
        if view == "scalar":
            root = per_sample_loss(loss, outputs, [float(t[0]) for t in targets])
        else:
            root = mean_loss(loss, outputs[0], np.column_stack(targets))
        names[id(root)] = "L"
    elif view == "scalar" and len(outputs) > 1:
        raise UsageError(f"this network has {len(outputs)} outputs and the scalar view draws one: give "
                         "{setting} (and {setting:loss}) to draw the graph of the loss, or draw --view tensor",
                         setting="target")
    else:
        root = outputs[0]
    _name_the_rest(root, names)
    return NetworkGraph("", root, variables, names=names, output_name=names.get(id(root), "out"),
                        parameters=parameters, view=view)


def _bracketed(node: Value, args: list) -> list:
    """The names of ``node``'s inputs, a formula that binds more loosely than ``node`` in parentheses:
    ``(z3 - t) * (z3 - t)``, not ``z3 - t * z3 - t``; a name (``z3``, ``W1.T``) never."""
    if OPS[node.op].notation not in ("infix", "prefix", "power"):
        return args
    binds = precedence(node.op, None)
    return [f"({arg})" if v.inputs and not _WORD.fullmatch(arg) and
            (precedence(v.op, None) < binds or (i > 0 and precedence(v.op, None) == binds)) else arg
            for i, (v, arg) in enumerate(zip(node.inputs, args))]


def _name_the_rest(root: Value, names: dict) -> None:
    """Name what the layers did not: constants by their number (a target array ``t``), a loss's steps by their
    formula (``1 - z3*t``); and label every named operation's Value with its name (for tooltips)."""
    for node in topological_order(root):
        if id(node) not in names:
            if not node.inputs:
                names[id(node)] = plain(node.data) if node.data.__class__ is float else "t"
            else:
                args = [names.get(id(v)) for v in node.inputs]
                text = OPS[node.op].write(_bracketed(node, args), node.arg) if all(args) else ""
                if text and len(text) <= NAME_WIDTH:
                    names[id(node)] = text
        if node.inputs and id(node) in names:
            node.label = names[id(node)]
