"""Forward and backward steps of a graph as plain data, for tables, JSON and pictures.

    >>> from gradcli.autograd.expr import evaluate
    >>> from gradcli.autograd.trace import trace
    >>> graph = evaluate("(a*b + c)*f", {"a": 2, "b": -3, "c": 10, "f": -2})
    >>> graph.backward()
    >>> steps = trace(graph.output)
    >>> [s.label for s in steps.forward][-1], steps.forward[-1].value
    ('(a*b + c)*f', -8.0)

``forward`` lists every node in topological order (inputs first); ``backward``
lists the nodes that have inputs in reverse order, each with the chain rule
applied to every input: local derivative x upstream gradient = contribution.
A node used by several others (a bound name, a variable) gets one
contribution row per use, and its gradient is their sum.  Gradients are read
from the nodes, so run ``backward()`` first.  ``names`` (``Graph.names``)
gives nodes their names: variables, bound names and the output::

    >>> graph = evaluate("e = exp(x); y = e*e", {"x": 0.5})
    >>> graph.backward()
    >>> steps = trace(graph.output, graph.variables, graph.names)
    >>> [(s.name, s.label) for s in steps.forward if s.name]
    [('x', 'x'), ('e', 'exp(x)'), ('y', 'e*e')]
    >>> [c.input_name for c in steps.backward[0].contributions]   # e, once per use
    ['e', 'e']
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .engine import Value, input_gradients, topological_order
from .ops import local_derivatives, op_symbol


@dataclass
class ForwardStep:
    id: int  # position in topological order, 0-based
    label: str  # the node's label, or a generated name for unlabelled nodes
    op: str  # "" for a leaf, else as shown: "+", "tanh", "**2"
    inputs: list  # ids of the inputs, in order
    value: float  # or a NumPy array (then ``shape`` is its shape)
    grad: float
    kind: str  # "variable", "constant" or "operation"
    name: str = ""  # a variable's name, a bound name, the output's name; "" for other nodes
    shape: tuple = ()  # () for a number


@dataclass
class Contribution:
    input_id: int
    input_label: str
    local: float | None  # d node / d input (None for a tensor operation such as a matrix product)
    upstream: float  # d output / d node
    contribution: float  # local * upstream (summed over the axes the input was broadcast along), added to
    # the input's gradient; with arrays each of these is an array
    input_name: str = ""  # the input's name, if it has one


@dataclass
class BackwardStep:
    id: int
    label: str
    op: str
    grad: float  # d output / d node
    contributions: list = field(default_factory=list)
    name: str = ""


@dataclass
class Trace:
    forward: list  # ForwardStep, inputs before outputs
    backward: list  # BackwardStep, output first
    nodes: int = 0  # nodes in the graph (more than len(forward) when a window left some out)
    rows: int = 0  # contributions in the graph (backward rows)
    forward_gap: int | None = None  # with a window: where in ``forward`` the left-out steps were
    backward_gap: int | None = None  # with a window: where in ``backward`` the left-out steps were

    def __post_init__(self):
        self.nodes = self.nodes or len(self.forward)
        self.rows = self.rows or sum(len(step.contributions) for step in self.backward)

    @property
    def has_arrays(self) -> bool:
        """Whether any node shown holds an array (the tables then show each node's shape)."""
        return any(step.shape for step in self.forward)


def trace(output: Value, variables: dict | None = None, names: dict | None = None, *,
          window: int | None = None) -> Trace:
    """The forward and backward steps of the graph ending at ``output``.

    ``variables`` (name -> leaf Value) marks which leaves are variables; other
    leaves count as constants.  Without it, labelled leaves are variables.
    ``names`` (id of a Value -> name) names nodes, as ``Graph.names`` does.
    With ``window``, a graph of more nodes keeps only the first and the last
    ``window // 2`` steps of each pass (``forward_gap``/``backward_gap`` say
    where the others were): what a summarised table shows, at a fraction of
    the time and memory of a million steps.
    """
    nodes = topological_order(output)
    ids = {id(node): index for index, node in enumerate(nodes)}
    variable_ids = {id(v) for v in variables.values()} if variables is not None else None
    names = names or {}
    kept = _kept(len(nodes), window)
    forward = []
    for index in kept:
        node = nodes[index]
        if node.inputs:
            kind = "operation"
        elif variable_ids is not None:
            kind = "variable" if id(node) in variable_ids else "constant"
        else:
            kind = "variable" if node.label and not _is_number(node.label) else "constant"
        forward.append(
            ForwardStep(index, node.label or f"n{index}", op_symbol(node), [ids[id(i)] for i in node.inputs],
                        node.data, node.grad, kind, names.get(id(node), ""), node.shape)
        )
    operations = [index for index in range(len(nodes) - 1, -1, -1) if nodes[index].inputs]
    backward = []
    for position in _kept(len(operations), window):
        index = operations[position]
        node = nodes[index]
        step = BackwardStep(index, node.label or f"n{index}", op_symbol(node), node.grad,
                            name=names.get(id(node), ""))
        locals_ = local_derivatives(node)
        if locals_ is None:  # a tensor operation: its rule gives the contributions directly
            contributions = input_gradients(node, node.grad)
            locals_ = [None] * len(node.inputs)
        elif node.data.__class__ is float and node.grad.__class__ is float:
            contributions = [local * node.grad for local in locals_]
        else:  # arrays: local x upstream, summed back over the axes each input was broadcast along
            contributions = input_gradients(node, node.grad)
        for child, local, contribution in zip(node.inputs, locals_, contributions):
            child_id = ids[id(child)]
            step.contributions.append(Contribution(child_id, child.label or f"n{child_id}", local, node.grad,
                                                   contribution, names.get(id(child), "")))
        backward.append(step)
    rows = sum(len(nodes[index].inputs) for index in operations)
    return Trace(forward, backward, len(nodes), rows, _gap(len(nodes), window), _gap(len(operations), window))


def _kept(count: int, window: int | None):
    """The positions a window keeps: all, or the first and the last ``window // 2``."""
    if window is None or count <= window:
        return range(count)
    half = window // 2
    return [*range(half), *range(count - half, count)]


def _gap(count: int, window: int | None) -> int | None:
    return window // 2 if window is not None and count > window else None


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return text in ("pi", "e")
    return True
