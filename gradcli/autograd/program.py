"""A parsed expression (one formula, or named statements) and its evaluation into a ``Value`` graph.

``expr.parse`` makes an ``Expression``; ``Expression.evaluate(values)`` builds
the graph at a point and returns a ``Graph`` (output, variables, names).  The
nodes are kept as flat lists (operation, inputs, payload per node), inputs
always before the nodes made from them, so that a million-node expression
costs a few hundred bytes a node and every pass over it is one loop::

    >>> from gradcli.autograd.expr import parse
    >>> program = parse("n = x1*w1 + x2*w2 + b; e = exp(2*n); o = (e - 1)/(e + 1)")
    >>> program.output_name, program.names, program.variables
    ('o', ['n', 'e', 'o'], ['x1', 'w1', 'x2', 'w2', 'b'])
    >>> graph = program.evaluate({"x1": 2, "x2": 0, "w1": -3, "w2": 1, "b": 6.8813735870195432})
    >>> graph.backward(); len(graph.nodes()), round(graph.gradients()["x1"], 6)
    (17, -1.5)

A bound name is one node: every use of ``e`` is another edge into it, so the
gradient sums over the uses.  Each node has a label, its sub-expression in a
canonical spelling (``x1*w1 + x2*w2 + b``; a bound input is written by its
name: ``(e - 1)/(e + 1)``); labels are made only when something shows them,
and a label longer than ``LABEL_LIMIT`` characters is cut with an ellipsis, so
labelling stays linear in the size of the expression.

A variable may hold an array (a list or a NumPy array, read by ``leaf_data``),
and a literal may write one.  Evaluation then checks every array result: an
entry that leaves its function's domain is a ``DomainError`` naming the entry
(``log(x): entry [1]: argument is -1, ...``), shapes NumPy refuses are a
``ShapeError`` naming both (``M @ x: (2, 2) @ (3,): ...``), and
``Graph.backward`` refuses an output that is not one number::

    >>> graph = parse("L = sum((relu(M @ x + b) - t)**2)").evaluate(
    ...     {"M": [[1, 2], [-1, 3]], "x": [2, 1], "b": [0.5, 1], "t": [3, 2]})
    >>> graph.backward(); graph.output.data, graph.gradients()["M"].tolist()
    (2.25, [[6.0, 3.0], [0.0, 0.0]])
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field

from ..errors import DomainError, ShapeError, UsageError
from ..numbers import plain
from .engine import Value, apply, topological_order
from .ops import OPS, entry_problem, index_text, shape_problem, shape_text

LABEL_LIMIT = 120  # characters of a node's label; longer ones end in "…"
CUT = "\u2026"

# how tightly each kind of node binds, for the parentheses of labels
_PRECEDENCE = {"+": 10, "-": 10, "*": 20, "/": 20, "matmul": 20, "neg": 30, "**": 40, "pow": 40}
ATOM = 50
UNARY = 30
_SPACED = {"+": " + ", "-": " - ", "*": "*", "/": "/", "matmul": " @ "}
_POSTFIX = {"getitem", "transpose"}  # written after their input: x[0], M.T
_UNDERFLOWS = {"*", "/", "**", "pow", "exp"}


@dataclass
class Graph:
    """An evaluated expression: the output Value, its variable leaves and the names of its nodes."""

    expression: str
    output: Value
    variables: dict  # name -> leaf Value, in order of first appearance
    underflows: list = field(default_factory=list)  # labels of nodes whose value underflowed to 0
    names: dict = field(default_factory=dict)  # id(Value) -> the name the expression gives it: variables, steps
    output_name: str = "f"  # a bound output's name, or f (out when f is taken) for an unnamed one
    program: "Expression | None" = field(default=None, repr=False)  # what was evaluated, for titles
    arrays: bool = False  # whether any value is an array (NumPy then computes without warnings: we judge)
    labelled: bool = True  # whether the nodes' labels were made (evaluate(labelled=False) leaves them empty)

    def title(self, limit: int = 200) -> tuple:
        """(the output's formula, the steps before it) for a title: ``("(e - 1)/(e + 1)", "n = ...; e = ...")``."""
        if self.program is None:
            return self.expression, ""
        return self.program.title(limit)

    def require_one_number(self) -> None:
        """A ``ShapeError`` naming the output when it is an array: gradients are of one number."""
        output = self.output.data
        if output.__class__ is not float:
            raise ShapeError(*_not_a_number(self, output.shape), shape=output.shape)

    def backward(self) -> None:
        """Fill every node's gradient; the output must be one number (``ShapeError`` otherwise)."""
        self.require_one_number()
        with _quiet(self.arrays):
            try:
                self.output.backward()
            except DomainError:
                if self.labelled or self.program is None:
                    raise
                # the same failure again, on a graph whose labels name the sub-expression where it happens
                self.program.evaluate({name: leaf.data for name, leaf in self.variables.items()}).backward()
                raise

    def warnings(self) -> list:
        """What a user should know about the numbers: underflow to 0, gradients that are not finite."""
        notes = [f"{label} underflows to 0 (its exact value is below the smallest float, about 5e-324)"
                 for label in self.underflows]
        for name, leaf in self.variables.items():
            grad = leaf.grad
            if grad.__class__ is not float and grad.shape:  # an array: name its first entry that is not finite
                bad = [index for index, g in zip(_indices(grad.shape), grad.flat) if not math.isfinite(g)]
                if bad:
                    more = f" (and {len(bad) - 1:,} more entries)" if len(bad) > 1 else ""
                    notes.append(f"the gradient of {name}[{', '.join(map(str, bad[0]))}] is {plain(float(grad[bad[0]]))}"
                                 f"{more}: the chain rule's product leaves the float range at these values")
            elif not math.isfinite(grad):
                notes.append(f"the gradient of {name} is {plain(float(grad))}: the chain rule's product leaves "
                             "the float range at these values")
        return notes

    def nodes(self) -> list:
        """Every node in evaluation order (inputs before the nodes made from them)."""
        return topological_order(self.output)

    def gradients(self) -> dict:
        """d output / d variable for every variable (0.0 until ``backward`` runs)."""
        return {name: leaf.grad for name, leaf in self.variables.items()}

    def name_of(self, node: Value) -> str:
        """The node's name (a variable or a bound name), or ``""``."""
        return self.names.get(id(node), "")



@dataclass(frozen=True)
class NodeView:
    """One node of a parsed expression, for reading: its label, operation and name."""

    label: str
    op: str  # "num", "const", "var", or the name of an op record ("+", "neg", "tanh", "maximum")
    name: str  # the bound name or variable name, or ""


class Expression:
    """A parsed expression, ready to evaluate at any values of its variables.

    ``source`` is the text as given; ``variables`` the names that need values
    (those the output depends on, in order of first appearance); ``names`` the
    bound names in the order of their statements; ``output_name`` the name of
    the output (``f`` for an unnamed expression); ``notes`` what a reader
    should know (a bound name the output never uses).
    """

    def __init__(self, source: str, ops: list, kids: list, data: list, root: int, bound: dict,
                 output_name: str, statements: int, notes: list, constants_used: set, args: dict | None = None):
        self.source = source
        self._ops, self._kids, self._data = ops, kids, data
        self._args = args or {}  # node -> constant operand: an axis (sum(x, axis=0)), an index (x[0])
        self.root = root
        self._bound = bound  # name -> node
        self._node_names = {}  # node -> its name; an alias (b = a) keeps the first, a variable its own
        for name, node in bound.items():
            if ops[node] != "var":
                self._node_names.setdefault(node, name)
        self.output_name = output_name
        self.statements = statements
        self.notes = notes
        self.constants_used = constants_used
        self._order, reach = _reachable(kids, root)
        self.variables = [data[i] for i in self._order if ops[i] == "var"]
        self.names = [name for name, node in bound.items() if node <= root and reach[node]]
        self._labels = None

    # -- reading ---------------------------------------------------------------------------

    @property
    def size(self) -> int:
        """How many nodes the output depends on."""
        return len(self._order)

    @property
    def output(self) -> NodeView:
        """The output node: its label (sub-expression), operation and name."""
        return self.view(self.root)

    def view(self, node: int) -> NodeView:
        op = self._ops[node]
        name = self._data[node] if op == "var" else self._node_names.get(node, "")
        return NodeView(self.label(node), op, name)

    def label(self, node: int) -> str:
        """The canonical text of a node (cut at ``LABEL_LIMIT``)."""
        return self._label_list(LABEL_LIMIT)[node]

    def definitions(self, limit: int | None = LABEL_LIMIT) -> list:
        """``(name, text)`` of each bound name the output depends on, in order: ``("e", "exp(2*n)")``."""
        labels = self._label_list(limit)
        definitions = []
        for name in self.names:
            node = self._bound[name]
            first = self._node_names.get(node, name)
            text = first if first != name else self._data[node] if self._ops[node] == "var" else labels[node]
            definitions.append((name, text))
        return definitions

    def text(self, limit: int | None = None) -> str:
        """The whole expression on one line, canonical: ``n = x1*w1 + b; o = tanh(n)`` (or ``tanh(x)``)."""
        statements = [f"{name} = {text}" for name, text in self.definitions(limit)]
        if not any(self._bound.get(name) == self.root for name in self.names):
            statements.append(self._label_list(limit)[self.root])
        return "; ".join(statements)

    def title(self, limit: int = 200) -> tuple:
        """(the output's formula, the steps before it, "" if none), each cut at ``limit`` characters.

        A single formula is shown as it was written (spaces collapsed); named
        steps in the canonical spelling: ``("(e - 1)/(e + 1)", "n = x1*w1 + b; e = exp(2*n)")``.
        """
        if not self.names:
            return self.summary(limit), ""
        steps = self.definitions()
        formula = steps[-1][1] if steps[-1][0] == self.output_name else self.label(self.root)
        before = "; ".join(f"{name} = {text}" for name, text in steps if name != self.output_name)
        return _cut(formula, limit), _cut(before, limit)

    def summary(self, limit: int = 200) -> str:
        """The expression as a title shows it: the source when it is one line, else the canonical text."""
        source = " ".join(self.source.split()) if "\n" not in self.source and "#" not in self.source else None
        return _cut(source if source is not None else self.text(LABEL_LIMIT), limit)

    def with_output(self, name: str) -> "Expression":
        """The same program with the bound name ``name`` as its output (for Jacobians of several outputs)."""
        if name == self.output_name:
            return self
        if name not in self._bound:
            known = ", ".join(self._bound) or "none (name a step: NAME = ...)"
            raise UsageError(f"{{setting}} {name}: no statement binds {name}; the bound names are {known}",
                             setting="outputs", value=name)
        return Expression(self.source, self._ops, self._kids, self._data, self._bound[name], self._bound, name,
                          self.statements, [], self.constants_used, self._args)

    def check_values(self, values: dict) -> None:
        """Refuse values for bound names (a name is either a variable or bound, never both)."""
        clash = [name for name in values if name in self._bound]
        if clash:
            name = clash[0]
            raise UsageError(f"{name} is bound in the expression ({name} = {self.label(self._bound[name])}), "
                             f"so it cannot also be given a value", hint="rename the variable or the bound name",
                             names=clash)

    # -- evaluating ---------------------------------------------------------------------------

    def evaluate(self, values: dict, *, labelled: bool = True) -> Graph:
        """Build the Value graph at ``values`` (name -> number); extra names are ignored.

        With ``labelled`` every node's ``label`` is its sub-expression (for
        traces and pictures); without, labels are left empty, which saves time
        on a large expression whose steps nobody reads.
        """
        missing = sorted(name for name in self.variables if name not in values)
        if missing:
            from ..errors import MissingValuesError

            noun = "variable" if len(missing) == 1 else "variables"
            raise MissingValuesError(f"no value for {noun} {', '.join(missing)}", names=missing)
        self.check_values(values)
        leaves = {name: Value(leaf_data(name, values[name]), label=name) for name in self.variables}
        with contextlib.ExitStack() as quiet:
            built, zeros, arrays = _build_all(self, leaves, quiet)
        labels = None
        if labelled:
            labels = self._label_list(LABEL_LIMIT)
            for node in self._order:
                value = built[node]
                if self._ops[node] != "var":
                    value.label = labels[node]
        output = built[self.root]
        names = {id(leaf): name for name, leaf in leaves.items()}
        for node, name in self._node_names.items():
            if node <= self.root and built[node] is not None:
                names.setdefault(id(built[node]), name)
        underflows = [self._shown(node) for node in zeros if _underflowed(built[node])]
        return Graph(self.source, output, leaves, underflows, names, self.output_name, self, arrays, labelled)

    def value_at(self, values: dict) -> float:
        """The expression's value at ``values`` (no gradients, no labels)."""
        return self.evaluate(values, labelled=False).output.data

    # -- helpers -------------------------------------------------------------------------------

    def _label_list(self, limit: int | None) -> list:
        """Every node's label cut at ``limit`` (kept for the default limit)."""
        if limit != LABEL_LIMIT:
            return _labels(self, limit)
        if self._labels is None:
            self._labels = _labels(self, LABEL_LIMIT)
        return self._labels

    def _shown(self, node: int) -> str:
        """A node as an error message names it: ``e = exp(2*n)``, or its sub-expression."""
        name = self._node_names.get(node)
        return f"{name} = {self.label(node)}" if name else self.label(node)



def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + CUT


def _reachable(kids: list, root: int) -> tuple:
    """The nodes the root depends on, in index order (inputs first), and a mark per node: one sweep down."""
    reach = bytearray(root + 1)
    reach[root] = 1
    for node in range(root, -1, -1):
        if reach[node]:
            for kid in kids[node]:
                reach[kid] = 1
    return [node for node in range(root + 1) if reach[node]], reach


def _build_all(expression: Expression, leaves: dict, quiet: contextlib.ExitStack) -> tuple:
    """(every reachable node as a Value, inputs first; the nodes that came out 0 from an op that may
    underflow; whether an array was met).  A domain or shape error names the node that failed.

    At the first array, NumPy's warnings are silenced in ``quiet``: a result that is not finite is
    judged here, entry by entry, and named in an error.
    """
    ops, kids, data, args = expression._ops, expression._kids, expression._data, expression._args
    built = [None] * (expression.root + 1)
    zeros = []
    node = 0
    arrays = False
    try:
        for node in expression._order:
            op = ops[node]
            inputs = kids[node]
            if not inputs:
                leaf = leaves[data[node]] if op == "var" else Value(data[node][0])
                if leaf.data.__class__ is not float and not arrays:
                    arrays = True
                    quiet.enter_context(_quiet(True))
                built[node] = leaf
                continue
            if op == "+":
                out = built[inputs[0]] + built[inputs[1]]
            elif op == "*":
                out = built[inputs[0]] * built[inputs[1]]
            elif op == "-":
                out = built[inputs[0]] - built[inputs[1]]
            elif op == "/":
                out = built[inputs[0]] / built[inputs[1]]
            elif op == "neg":
                out = -built[inputs[0]]
            elif op == "**":  # a constant exponent: d/dx x**n = n x**(n-1)
                exponent = built[inputs[1]]
                if exponent.data.__class__ is float:
                    out = apply("**", built[inputs[0]], arg=exponent.data)
                else:  # an array of exponents: a two-input node, whose rule works entry by entry
                    out = apply("pow", built[inputs[0]], exponent)
            else:
                out = apply(op, *[built[kid] for kid in inputs], arg=args.get(node))
            result = out.data
            if result.__class__ is float:
                if result - result != 0.0 and all(_finite(built[kid].data) for kid in inputs):
                    raise DomainError(f"the result overflows to {plain(result)} (too large for a float)")
                if result == 0.0 and op in _UNDERFLOWS:
                    zeros.append(node)
            else:
                problem = entry_problem(OPS[out.op], tuple(v.data for v in out.inputs), out.arg, result)
                if problem:
                    raise DomainError(problem)
            built[node] = out
    except DomainError as exc:
        raise DomainError(f"{expression._shown(node)}: {exc.message}") from None
    except ShapeError as exc:
        raise ShapeError(f"{expression._shown(node)}: {exc.message}") from None
    except (ValueError, IndexError, TypeError) as exc:  # NumPy refused the shapes of a hand-written op
        values = [built[kid] for kid in kids[node]]
        if all(v.data.__class__ is float for v in values):
            raise
        problem = shape_problem(OPS[ops[node]], [v.shape for v in values], args.get(node), str(exc))
        raise ShapeError(f"{expression._shown(node)}: {problem}") from None
    return built, zeros, arrays


def _quiet(arrays: bool):
    """NumPy's warnings off (``numpy.errstate``) when arrays are involved; nothing to do for numbers."""
    if not arrays:
        return contextlib.nullcontext()
    import numpy

    return numpy.errstate(all="ignore")


def _finite(data) -> bool:
    if data.__class__ is float:
        return data - data == 0.0
    import numpy

    return bool(numpy.isfinite(data).all())


def leaf_data(name: str, value):
    """A variable's value as the engine holds it: a float, or a NumPy array of floats.

    An array must be rectangular and hold at least one number (``UsageError``
    otherwise, naming the variable); a 0-d array is a number.
    """
    if value.__class__ is float:
        return value
    if isinstance(value, (int, float)):
        return float(value)
    import numpy

    try:
        array = numpy.asarray(value, dtype=numpy.float64)
    except (ValueError, TypeError) as exc:
        ragged = "inhomogeneous" in str(exc) or "sequence" in str(exc)
        raise UsageError(f"{name} is a ragged array: its rows have different lengths" if ragged else
                         f"{name} is not a number or an array of numbers ({exc})", names=[name]) from None
    if array.ndim == 0:
        return float(array)
    if array.size == 0:
        raise UsageError(f"{name} is an empty array (shape {shape_text(array.shape)}): give at least one number",
                         names=[name])
    return array


def _not_a_number(graph: Graph, shape: tuple) -> tuple:
    """(message, hint) for an output that is an array: gradients are of one number."""
    formula, _ = graph.title(60)
    name = graph.output_name
    message = (f"the output {name} = {formula} is an array of shape {shape_text(shape)}: gradients need the "
               "output to be one number")
    if graph.program is not None and name in graph.program.names:  # a bound output: add a step
        hint = f"add a step that makes one number of it, e.g. L = sum({name}) (or mean({name}), or {name}[0])"
    else:
        program = graph.program
        shown = formula if program is None or not program.names else program.label(program.root)
        loose = program is not None and precedence(program._ops[program.root], program._data[program.root]) < ATOM
        entry = f"({shown})[0]" if loose else f"{shown}[0]"
        hint = f"write sum({shown}) (or mean(...), or pick an entry: {entry})"
    return message, hint


def _indices(shape: tuple):
    """Every index of an array of ``shape``, in the order of ``array.flat``."""
    import itertools

    return itertools.product(*(range(n) for n in shape))


def _underflowed(value: Value | None) -> bool:
    """A product, quotient, power or exp that came out 0 although no input forces a 0."""
    if value is None or value.data != 0.0 or value.op not in _UNDERFLOWS:
        return False
    inputs = value.inputs
    if value.op == "exp":
        return True  # exp is never 0: only underflow makes it so
    if value.op in ("/", "**"):
        return inputs[0].data != 0.0
    return all(v.data != 0.0 for v in inputs)


# -- labels -----------------------------------------------------------------------------------


def precedence(op: str, data) -> int:
    """How tightly a node binds: a negative number literal binds as a unary minus."""
    if op == "num":
        return UNARY if data[1].startswith("-") else ATOM
    return _PRECEDENCE.get(op, ATOM)


def _labels(expression: Expression, limit: int | None) -> list:
    """The label of every node, built bottom-up from the labels of its inputs, each cut at ``limit``.

    A named input is written by its name.  An input whose label was cut is
    already ``limit`` characters long, so every concatenation here is short:
    linear time in the number of nodes.
    """
    ops, kids, data, args = expression._ops, expression._kids, expression._data, expression._args
    names = expression._node_names
    texts: list = [""] * len(ops)
    cut = bytearray(len(ops))

    def part(kid: int, parens: bool) -> str:
        if kid in names:
            return names[kid]
        text = texts[kid][:-1] if cut[kid] else texts[kid]
        return f"({text}" + ("" if cut[kid] else ")") if parens else text

    def prec(kid: int) -> int:
        return ATOM if kid in names else precedence(ops[kid], data[kid])

    for node, op in enumerate(ops):
        inputs = kids[node]
        if op == "num" or op == "const":
            texts[node] = data[node][1]
            continue
        if op == "var":
            texts[node] = data[node]
            continue
        shortened = False  # an input's label was cut: so is this one (it is at least as long)
        if op in _SPACED or op == "**" or op == "pow":
            left, right = inputs
            power = _PRECEDENCE[op]
            text = part(left, prec(left) < power if op in _SPACED else prec(left) <= power)
            if cut[left] and left not in names:
                shortened = True
            else:
                parens = prec(right) <= power if op in _SPACED else prec(right) < UNARY
                text += _SPACED.get(op, "**") + part(right, parens)
                shortened = bool(cut[right]) and right not in names
        elif op == "neg":
            (child,) = inputs
            text = "-" + part(child, prec(child) < UNARY)
            shortened = bool(cut[child]) and child not in names
        elif op in _POSTFIX:  # x[0], M.T
            (child,) = inputs
            text = part(child, prec(child) < ATOM) + (f"[{index_text(args[node])}]" if op == "getitem" else ".T")
            shortened = bool(cut[child]) and child not in names
        elif op == "stack":  # [a, b]: up to the first entry whose label was cut
            text = "["
            for position, kid in enumerate(inputs):
                text += (", " if position else "") + part(kid, False)
                shortened = bool(cut[kid]) and kid not in names
                if shortened:
                    break
            else:
                text += "]"
        else:
            shown_cut = [bool(cut[kid]) and kid not in names for kid in inputs]
            text = _call_text(OPS[op], data[node], [part(kid, False) for kid in inputs], shown_cut)
            shortened = any(shown_cut)
            if node in args and not shortened:  # sum(x, axis=0)
                text = f"{text[:-1]}, {OPS[op].arg_name}={args[node]})"
        if limit is not None and (shortened or len(text) > limit):
            text = text[:limit] + CUT
            cut[node] = 1
        texts[node] = text
    return texts


def _call_text(op, written, args: list, args_cut: list) -> str:
    """``name(a, b, slope=c)`` as it was written (defaults left out), stopping after a cut argument."""
    spelling, positional, keywords = written
    inputs = op.inputs
    shown = args[:positional] + [f"{keyword}={args[inputs.index(keyword)]}" for keyword in keywords]
    order = list(range(positional)) + [inputs.index(keyword) for keyword in keywords]
    text = spelling + "("
    for position, (argument, index) in enumerate(zip(shown, order)):
        text += (", " if position else "") + argument
        if args_cut[index]:
            return text
    return text + ")"
