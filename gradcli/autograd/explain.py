"""``grad --explain``: the backward trace with the rule used at every edge, written out.

Each contribution of the plain trace (``trace.py``) gets the name of the rule
and the local derivative as a formula in the inputs' names, from the op
record's own rule (``rules.local_rules``); the numbers are the trace's, so
they are exactly those of ``grad`` without ``--explain``.  A node used more
than once gets a sum-rule note: its gradient is the sum of what each use sends
back::

    >>> from gradcli.autograd.expr import evaluate
    >>> graph = evaluate("n = x1*w1 + b; o = tanh(n)", {"x1": 2, "w1": -3, "b": 6.8813735870195432})
    >>> graph.backward()
    >>> explained = explain(graph)
    >>> [(edge.rule, edge.headline()) for edge in explained.edges[0]]
    [('chain rule through tanh', '∂o/∂n = 1 - tanh(n)²')]
    >>> explained.edges[2][0].headline(), explained.trace.backward[2].contributions[0].local
    ('∂(x1*w1)/∂x1 = w1', -3.0)
    >>> square = evaluate("a*a + a", {"a": 3})
    >>> square.backward()
    >>> explain(square).sums[0].sentence()
    'sum rule: a is used 3 times, 1 + 3 + 3 = 7'
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..numbers import plain
from .engine import topological_order
from .program import LABEL_LIMIT, precedence
from .rules import ATOM, Term, local_rules, node_term
from .trace import Trace, trace

__all__ = ["Edge", "SumNote", "Explanation", "explain"]

_TIMES = {2: "twice", 3: "3 times"}


@dataclass
class Edge:
    """One edge of the backward pass: the rule, d node / d input written out (None for a tensor op)."""

    rule: str
    node: Term  # the node, by its name or written from its inputs
    input: Term
    formula: Term | None

    def headline(self, pretty: bool = True) -> str:
        """``∂(x1*w1)/∂x1 = w1``: the local derivative in the inputs' names."""
        def wrapped(term: Term) -> str:
            text = term.text(pretty)
            return text if term.binds >= ATOM else f"({text})"

        formula = "" if self.formula is None else f" = {self.formula.text(pretty)}"
        return f"∂{wrapped(self.node)}/∂{wrapped(self.input)}{formula}"

    def latex(self) -> str:
        r"""``\frac{\partial (x_{1} w_{1})}{\partial x_{1}} = w_{1}``."""
        def wrapped(term: Term) -> str:
            text = term.latex()
            return text if term.binds >= ATOM else rf"\left({text}\right)"

        formula = "" if self.formula is None else f" = {self.formula.latex()}"
        return rf"\frac{{\partial {wrapped(self.node)}}}{{\partial {wrapped(self.input)}}}{formula}"

    @property
    def constant(self) -> bool:
        """The local derivative is a plain number (1 for a sum): no need to repeat its value."""
        return self.formula is not None and self.formula.kind == "num"


@dataclass
class SumNote:
    """A node used more than once: its gradient is the sum of its uses' contributions (the sum rule)."""

    name: str  # the node's name or label
    step: int  # its step in the trace
    contributions: list  # what each use sends back, in the order of the backward pass
    total: float  # the node's gradient, as the trace has it

    def sentence(self, number=plain) -> str:
        times = _TIMES.get(len(self.contributions), f"{len(self.contributions)} times")
        parts = " + ".join(number(c) for c in self.contributions).replace("+ -", "- ")
        return f"sum rule: {self.name} is used {times}, {parts} = {number(self.total)}"


@dataclass
class Explanation:
    trace: Trace  # the plain trace: every number shown comes from it
    edges: list  # per backward step, one Edge per contribution (parallel to trace.backward)
    sums: list = field(default_factory=list)  # SumNote per node used more than once, output first


def explain(graph, *, window: int | None = None) -> Explanation:
    """The backward trace of an evaluated expression (run ``backward()`` first) with every rule named."""
    steps = trace(graph.output, graph.variables, graph.names, window=window)
    nodes = topological_order(graph.output)
    written: dict = {}

    def term_of(node) -> Term:
        key = id(node)
        if key not in written:
            written[key] = _term(node, graph, term_of)
        return written[key]

    edges = []
    for step in steps.backward:
        node = nodes[step.id]
        rule, formulas = local_rules(node, term_of)
        shown = term_of(node) if graph.name_of(node) else node_term(node, term_of)
        edges.append([Edge(rule, shown, term_of(child), None if formulas is None else formulas[i])
                      for i, child in enumerate(node.inputs)])
    return Explanation(steps, edges, _sums(steps, nodes, graph))


def _term(node, graph, term_of) -> Term:
    """How a node is written inside a formula: its name, its number, or its sub-expression."""
    name = graph.name_of(node)
    if name:
        return Term.name(name, node.data)
    if not node.inputs:
        if node.label in ("pi", "e") or node.data.__class__ is not float:  # pi, e, an array literal: [3, 4]
            return Term.name(node.label, node.data)
        return Term.number(node.data)
    label = node.label
    if label and len(label) < LABEL_LIMIT:  # short enough to write out (and to recurse into)
        return node_term(node, term_of)
    return Term.name(label or node.op, node.data, precedence(node.op, ("", "")))


def _sums(steps: Trace, nodes: list, graph) -> list:
    """Every node that receives more than one contribution, in the order of the backward pass.

    With a windowed trace, a node some of whose uses were left out is not listed (its sum would be partial).
    """
    uses: dict = {}
    for step in steps.backward:
        for part in step.contributions:
            uses.setdefault(part.input_id, []).append(part.contribution)
    edges: dict = {}  # id(node) -> how many edges lead out of it in the whole graph
    for node in nodes:
        for child in node.inputs:
            edges[id(child)] = edges.get(id(child), 0) + 1
    notes = []
    for index in sorted(uses, reverse=True):
        parts, node = uses[index], nodes[index]
        if len(parts) > 1 and len(parts) == edges.get(id(node), 0):
            name = graph.name_of(node) or node.label or f"n{index}"
            notes.append(SumNote(name, index, parts, node.grad))
    return notes
