"""The reverse-mode autograd engine: ``Value``, ``backward()`` and ``grad()``.

Every number is a ``Value`` that remembers the operation that made it (``op``,
a name in ``ops.OPS``) and its inputs, in the order they were given, so that
graphs, traces and pictures are the same on every run::

    >>> from gradcli import Value
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> out = (a * b + 10).tanh()
    >>> out.backward()
    >>> round(a.grad, 6), round(b.grad, 6)
    (-0.004023, 0.002682)

``data`` is a float, or a NumPy array for tensors and batches (elementwise ops
broadcast as NumPy does, and gradients are summed back over the broadcast
axes).  NumPy is imported only when an array is actually met, so the
expression path of the CLI never imports it.

What each operation computes and how its gradient flows back is written once,
in its ``ops.Op`` record; ``apply(name, *inputs)`` makes a node of any of them.
``backward()`` applies the records' rules from the output back, as local
derivative x upstream gradient; gradients accumulate (``a + a`` gives
``a.grad == 2``), and the graph is ordered without recursion, so a chain of a
million nodes works.  ``backward(create_graph=True)`` and ``grad(...,
create_graph=True)`` apply the same rules to Values instead of numbers, so the
gradients are graphs that can be differentiated again::

    >>> x = Value(3.0, label="x")
    >>> (dx,) = grad(x ** 3, [x], create_graph=True)   # 3 x**2, as a graph
    >>> dx.data, grad(dx, [x])[0]                          # and its derivative 6 x
    (27.0, 18.0)

Speed: the operations a network uses most (``+ - * /``, ``tanh``, ``relu``,
``exp``, ``sigmoid``, and the tensor engine's ``@``, ``.T``, ``sum``, ``mean``)
have hand-written forward methods and backward rules in one marked block
below, checked against their records by a test; an inner node's gradient
array is shared with the rule that made it rather than copied (no rule changes
a gradient array in place, which a test also checks); a walk marks nodes
with a stamp instead of hashing them into sets; the collector is paused
during backward and can be asked to run less often while graphs are built
(``collect_less()``, which the CLI calls at start-up).  About 1 us per node
forward plus backward, against ~14 us for the classic closure-based design
(``benchmarks/bench_engine.py``).
"""

from __future__ import annotations

import gc
import itertools
import math

from ..errors import DomainError, ShapeError
from ..numbers import plain
from .ops import FLOATS, FUNCTIONS, OPERATORS, OPS, MathSpace, Op, arrays, as_data, shape_problem, sum_to_shape

__all__ = ["Value", "apply", "grad", "register", "topological_order", "input_gradients", "VALUES",
           "collect_less", "GC_THRESHOLDS"]

# Python's default collector thresholds (700, 10, 10) make the cyclic garbage
# collector rescan a growing graph again and again while it is built: about 80%
# of the forward time of a 100,000-node graph.  Graphs are acyclic and freed by
# reference counting, so the gradcli command (and anyone building big graphs)
# can ask for cyclic collections less often with ``collect_less()``.  Importing
# this module changes nothing: the CLI calls it at start-up; library users opt in.
GC_THRESHOLDS = (100_000, 50, 10)

def collect_less() -> None:
    """Raise the collector's thresholds to at least ``GC_THRESHOLDS`` (never lowers them)."""
    current = gc.get_threshold()
    gc.set_threshold(*(max(have, want) for have, want in zip(current, GC_THRESHOLDS)))

class Value:
    """A number (a float, or a NumPy array for tensors and batches) in a computation graph.

    Attributes: ``data`` (the value), ``grad`` (d output / d this value, filled
    by ``backward``), ``op`` (the name of the operation that made it, ``""``
    for a leaf), ``inputs`` (tuple of the Values it was made from, in order),
    ``label`` (optional name), ``arg`` (a constant operand: the exponent of
    ``x**2``, an axis, a shape).
    """

    __slots__ = ("data", "grad", "op", "inputs", "label", "arg", "_mark")

    def __init__(self, data, label: str = ""):
        if data.__class__ is not float:
            data = _as_data(data)
        self.data = data
        self.grad = 0.0
        self.op = ""
        self.inputs = ()
        self.label = label
        self.arg = None
        self._mark = 0  # visit stamp of the last graph walk (see topological_order)

    def __repr__(self) -> str:
        name = f"{self.label}=" if self.label else ""
        return f"Value({name}{self.data!r}, grad={self.grad!r})"

    @property
    def is_leaf(self) -> bool:
        return not self.inputs

    @property
    def shape(self) -> tuple:
        """() for a float, the array's shape otherwise."""
        return () if self.data.__class__ is float else self.data.shape

    # -- operations that are not on the hot path: each is its record, applied ------------

    def __pow__(self, exponent):
        """``x ** n`` with a constant n (op ``**``), or ``x ** y`` with a Value y (op ``pow``)."""
        if exponent.__class__ is Value:
            return apply("pow", self, exponent)
        if not isinstance(exponent, (int, float)):
            raise TypeError(f"unsupported exponent type: {type(exponent).__name__}")
        return apply("**", self, arg=float(exponent))

    def __rpow__(self, base):  # base ** self, base a plain number
        return apply("pow", Value(base), self)

    def __pos__(self):
        return self

    def __abs__(self):
        return apply("abs", self)

    # ``x @ y``, ``x.sum()`` and ``x.T`` are on the hot path (below)

    def __rmatmul__(self, other):  # other @ self
        return apply("matmul", Value(other), self)

    # -- tensor operations ----------------------------------------------------------------

    def max(self, axis=None):
        """The largest entry (all, or along ``axis``); the gradient goes to the maximum."""
        return apply("max", self, arg=axis)

    def min(self, axis=None):
        """The smallest entry (all, or along ``axis``); the gradient goes to the minimum."""
        return apply("min", self, arg=axis)

    def transpose(self, axes=None):
        return apply("transpose", self, arg=None if axes is None else tuple(axes))

    def reshape(self, *shape):
        shape = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        return apply("reshape", self, arg=shape)

    def broadcast_to(self, shape):
        return apply("broadcast_to", self, arg=tuple(shape))

    def __getitem__(self, index):
        return apply("getitem", self, arg=index)

    def softmax(self, axis=-1):
        return apply("softmax", self, arg=axis)

    def log_softmax(self, axis=-1):
        return apply("log_softmax", self, arg=axis)

    @staticmethod
    def concat(values, axis: int = 0):
        """The arrays of ``values`` joined along ``axis`` (one node)."""
        return apply("concat", *values, arg=axis)

    @staticmethod
    def where(condition, a, b):
        """``a`` where ``condition`` holds, else ``b`` (condition: booleans, a constant)."""
        return apply("where", a, b, arg=condition)

    # -- gradients --------------------------------------------------------

    def backward(self, grad=1.0, *, create_graph: bool = False) -> None:
        """Fill ``grad`` of every node that this Value depends on.

        The output is seeded with ``grad`` (1 by default, broadcast over an
        array).  Leaves accumulate across calls, as in PyTorch (call
        ``zero_grad`` between passes); inner nodes start from zero on every
        call so each pass counts each path once.  With ``create_graph=True``
        every ``grad`` becomes a Value whose graph can be differentiated again.
        """
        if create_graph:
            _backward_creating_graph(self, grad)
            return
        if self.data.__class__ is not float and grad.__class__ is float:
            grad = arrays().broadcast_to(grad, self.data.shape)
        gc_was_enabled = gc.isenabled()
        gc.disable()  # the pass creates no cycles; collecting would only cost time
        node = self
        try:
            order = _walk(self, zero_inner=True)  # inner nodes restart from 0 on every pass
            self.grad = self.grad + grad
            backward_rules = _BACKWARD
            for node in reversed(order):
                if node.inputs:
                    backward_rules[node.op](node)
        except (ZeroDivisionError, OverflowError, ValueError, DomainError) as exc:
            raise _backward_failure(node, exc) from None
        finally:
            if gc_was_enabled:
                gc.enable()

    def zero_grad(self) -> None:
        """Set the gradient of every node of this graph (leaves included) to 0."""
        for node in topological_order(self):
            node.grad = 0.0

def _as_data(data):
    """Coerce a Python number to float; keep an array (as float64); a 0-d array becomes a float."""
    if isinstance(data, bool):
        return float(data)
    if isinstance(data, (int, float)):
        return float(data)
    if isinstance(data, Value):
        raise TypeError("Value(Value(...)): pass the inner Value itself")
    np = _numpy()
    return as_data(np.array(data, dtype=np.float64))

def _numpy():
    import numpy

    return numpy

def _node(data, inputs, op):
    """A new inner node (no checks: the op computed ``data`` already)."""
    out = Value.__new__(Value)
    out.data = data
    out.grad = 0.0
    out.op = op
    out.inputs = inputs
    out.label = ""
    out.arg = None
    out._mark = 0
    return out

def apply(name: str, *inputs, arg=None) -> Value:
    """A new node: the operation ``name`` (a record of ``ops.OPS``) on ``inputs`` (Values or numbers).

    On floats the record's domain is checked first (``DomainError`` says why:
    "argument is -1, log needs a positive number"); ``arg`` is the constant
    operand of operations that take one (an exponent, an axis, a shape).
    Inputs left out take the record's defaults (``leaky_relu(x)`` has slope 0.01).
    """
    op = OPS[name]
    if op.defaults and len(inputs) < len(op.inputs):  # leaky_relu(x) is leaky_relu(x, 0.01)
        inputs += op.defaults[len(inputs) - len(op.inputs):]
    values = tuple(v if v.__class__ is Value else Value(v) for v in inputs)
    data = tuple(v.data for v in values)
    try:
        out = _node(op.forward(data, arg), values, name)
    except (ValueError, IndexError, TypeError) as exc:  # NumPy refused the shapes (or the index)
        if all(x.__class__ is float for x in data) and op.scalar is not None:
            raise
        raise ShapeError(shape_problem(op, [() if x.__class__ is float else x.shape for x in data], arg,
                                       str(exc))) from None
    out.arg = arg
    return out

def _method(name: str):
    def method(self, *others):
        return apply(name, self, *others)

    method.__name__ = name
    method.__doc__ = f"{FUNCTIONS[name].summary or name}: {FUNCTIONS[name].derivative}"
    return method

# Every function of the language is also a method (x.sin(), x.log()), made from its record; the hot
# ones are written by hand in the block below.
for _name in FUNCTIONS:
    setattr(Value, _name, _method(_name))

# == hot path: hand-written forward methods and backward rules ==================================
# The operations a network uses most, specialised for speed (plain floats skip every check they
# can).  Each is the same computation as its record in ops.py, and tests/test_engine.py checks
# that, op by op, on floats, arrays and mixed inputs: a reader can skip this block.

def _add(self, other):
    other = other if other.__class__ is Value else Value(other)
    return _node(self.data + other.data, (self, other), "+")

def _radd(self, other):  # other + self
    return Value(other) + self

def _sub(self, other):
    other = other if other.__class__ is Value else Value(other)
    return _node(self.data - other.data, (self, other), "-")

def _rsub(self, other):  # other - self
    return Value(other) - self

def _mul(self, other):
    other = other if other.__class__ is Value else Value(other)
    return _node(self.data * other.data, (self, other), "*")

def _rmul(self, other):  # other * self
    return Value(other) * self

def _truediv(self, other):
    other = other if other.__class__ is Value else Value(other)
    b = other.data
    if b.__class__ is float and b == 0.0:
        raise DomainError(OPS["/"].domain(self.data, b))
    return _node(self.data / b, (self, other), "/")

def _rtruediv(self, other):  # other / self
    return Value(other) / self

def _neg(self):
    return _node(-self.data, (self,), "neg")

def _exp(self):
    x = self.data
    if x.__class__ is float:
        try:
            return _node(math.exp(x), (self,), "exp")
        except OverflowError:
            raise DomainError(OPS["exp"].overflow(x)) from None
    return apply("exp", self)

def _tanh(self):
    x = self.data
    return _node(math.tanh(x), (self,), "tanh") if x.__class__ is float else apply("tanh", self)

def _relu(self):
    x = self.data
    if x.__class__ is float:
        return _node(x if x > 0.0 else 0.0, (self,), "relu")
    return _node(_numpy().maximum(x, 0.0), (self,), "relu")

def _sigmoid(self):
    x = self.data
    return _node(OPS["sigmoid"].scalar(x), (self,), "sigmoid") if x.__class__ is float else apply("sigmoid", self)

def _matmul(self, other):
    other = other if other.__class__ is Value else Value(other)
    a, b = self.data, other.data
    if a.__class__ is not float and b.__class__ is not float and a.ndim == 2 and b.ndim == 2 \
            and a.shape[1] == b.shape[0]:
        return _node(a @ b, (self, other), "matmul")  # a layer's x @ W.T: two matrices that fit
    return apply("matmul", self, other)  # vectors, stacks of matrices, and the shape errors

def _transposed(self):
    x = self.data
    return apply("transpose", self) if x.__class__ is float else _node(x.T, (self,), "transpose")

def _sum(self, axis=None):
    """The sum of the entries (all, or along ``axis``); the identity on a float."""
    x = self.data
    if axis is None and x.__class__ is not float:
        return _node(float(x.sum()), (self,), "sum")
    return apply("sum", self, arg=axis)

def _mean(self, axis=None):
    """The mean of the entries (all, or along ``axis``); the identity on a float."""
    x = self.data
    if x.__class__ is float:
        return _node(x, (self,), "mean")
    if axis is None:
        return _node(float(x.sum()) / x.size, (self,), "mean")  # NumPy's mean: the same sum, divided by n
    return apply("mean", self, arg=axis)

def _sum_of(values):
    """The sum of many Values as one ``+`` node (a neuron's w.x + b): cheaper than a chain of ``+``."""
    values = tuple(v if v.__class__ is Value else Value(v) for v in values)
    if not values:
        raise ValueError("Value.sum_of needs at least one value")
    total = values[0].data
    for v in values[1:]:
        total = total + v.data
    return _node(total, values, "+")

Value.__add__, Value.__radd__ = _add, _radd
Value.__sub__, Value.__rsub__ = _sub, _rsub
Value.__mul__, Value.__rmul__ = _mul, _rmul
Value.__truediv__, Value.__rtruediv__ = _truediv, _rtruediv
Value.__neg__ = _neg
_HOT_METHODS = {"exp": _exp, "tanh": _tanh, "relu": _relu, "sigmoid": _sigmoid}
for _name, _hot in _HOT_METHODS.items():
    setattr(Value, _name, _hot)
Value.mean = _mean
Value.sum = _sum
Value.__matmul__ = _matmul
Value.T = property(_transposed)
Value.sum_of = staticmethod(_sum_of)
Value.abs = Value.__abs__

def _acc(v: Value, g) -> None:
    """Add ``g`` to ``v.grad``, summed back over the axes along which v was broadcast.

    An inner node's first gradient array is ``g`` itself, not a copy: no rule changes a
    gradient array in place, so sharing it is safe, and a batch's (n, k) arrays are not
    copied once more per node.  A leaf's gradient is its own array (``+=`` accumulates in it).
    """
    if g.__class__ is not float:
        x = v.data
        if x.__class__ is float:
            g = float(g.sum())
        elif g.shape != x.shape:
            # a bias (k,) added to every row of an (n, k) batch: its gradient sums the rows
            g = g.sum(axis=0) if g.ndim == 2 and x.ndim == 1 and g.shape[1] == x.shape[0] else sum_to_shape(g, x.shape)
        if v.inputs and g.__class__ is not float:
            grad = v.grad
            v.grad = g if grad.__class__ is float and grad == 0.0 else grad + g
            return
    v.grad += g

def _back_add(out):
    g = out.grad
    if g.__class__ is float:
        for v in out.inputs:
            v.grad += g
    else:
        for v in out.inputs:
            _acc(v, g)

def _back_sub(out):
    a, b = out.inputs
    g = out.grad
    _acc(a, g)
    _acc(b, -g)

def _back_mul(out):
    a, b = out.inputs
    g = out.grad
    if a.data.__class__ is float and b.data.__class__ is not float and g.__class__ is not float \
            and b.data.ndim == 1 and g.ndim == 1:
        # a float (a parameter) broadcast over a batch: its gradient sums b * g over the
        # batch, which one dot product does in a single C call (batched training's hot path)
        a.grad += float(b.data.dot(g))
        _acc(b, a.data * g)
        return
    ga = b.data * g
    gb = a.data * g
    if ga.__class__ is float and gb.__class__ is float:
        a.grad += ga
        b.grad += gb
    else:
        _acc(a, ga)
        _acc(b, gb)

def _back_div(out):
    a, b = out.inputs
    g = out.grad
    _acc(a, g / b.data)  # d(a/b)/da = 1/b
    _acc(b, -out.data / b.data * g)  # d(a/b)/db = -a/b**2

def _back_neg(out):
    _acc(out.inputs[0], -out.grad)

def _back_exp(out):
    _acc(out.inputs[0], out.data * out.grad)  # d e^x = e^x

def _back_tanh(out):
    t = out.data
    g = (1.0 - t * t) * out.grad
    if g.__class__ is float:
        out.inputs[0].grad += g
    else:
        _acc(out.inputs[0], g)

def _back_sigmoid(out):
    s = out.data
    _acc(out.inputs[0], s * (1.0 - s) * out.grad)

def _back_relu(out):
    x, g = out.inputs[0].data, out.grad
    if x.__class__ is float:
        _acc(out.inputs[0], (1.0 if x > 0.0 else 0.0) * g)  # relu'(0) = 0, as in PyTorch
    else:
        _acc(out.inputs[0], _numpy().where(x > 0.0, g, 0.0))  # one pass; 0 (never -0) where x <= 0

def _back_matmul(out):
    a, b = out.inputs
    x, w, g = a.data, b.data, out.grad
    if g.__class__ is float or x.__class__ is float or w.__class__ is float or x.ndim != 2 or w.ndim != 2:
        _generic_backward(out)
        return
    # d(x @ w)/dx = g @ w.T (through 1 column, an outer product: broadcasting beats a matrix product)
    _acc(a, g * w[:, 0] if w.shape[1] == 1 else g @ w.T)
    _acc(b, x.T @ g)  # d(x @ w)/dw = x.T @ g

def _back_transpose(out):
    g = out.grad
    if g.__class__ is float or out.arg is not None:
        _generic_backward(out)
        return
    _acc(out.inputs[0], g.T)

def _back_sum(out):
    x = out.inputs[0].data
    if out.arg is not None or x.__class__ is float or out.grad.__class__ is not float:
        _generic_backward(out)
        return
    _acc(out.inputs[0], _numpy().full(x.shape, out.grad))  # every entry counts once

def _back_mean(out):
    x = out.inputs[0].data
    if out.arg is not None or x.__class__ is float or out.grad.__class__ is not float:
        _generic_backward(out)
        return
    _acc(out.inputs[0], _numpy().full(x.shape, out.grad * (1.0 / x.size)))  # as the record: g * (1/n)

HOT_BACKWARD = {"+": _back_add, "-": _back_sub, "*": _back_mul, "/": _back_div, "neg": _back_neg,
                "exp": _back_exp, "tanh": _back_tanh, "sigmoid": _back_sigmoid, "relu": _back_relu,
                "matmul": _back_matmul, "transpose": _back_transpose, "sum": _back_sum, "mean": _back_mean}

# == end of the hot path ===========================================================================

def _space_of(node: Value):
    """The math space for a node's data: floats when everything is a float, arrays otherwise."""
    if node.data.__class__ is float and all(v.data.__class__ is float for v in node.inputs):
        return FLOATS
    return arrays()

def input_gradients(node: Value, g, m: MathSpace | None = None) -> tuple:
    """The gradient each input of ``node`` receives when ``node``'s gradient is ``g``, by its record.

    Over numbers (``m`` None: floats or arrays, by the data) or over Values
    (``m`` = ``VALUES``, where ``g`` is a Value and the result is a graph).
    Array contributions are already summed back to each input's shape.
    """
    op = OPS[node.op]
    if m is None:
        m = _space_of(node)
    if m is VALUES:
        xs, y = node.inputs, node
    else:
        xs, y = tuple(v.data for v in node.inputs), node.data
    if op.partials is None:
        return tuple(op.vjp(m, xs, y, g, node.arg))
    grads = []
    for local, x in zip(op.partials(m, xs, y, node.arg), xs):
        if local.__class__ is float and local == 1.0:
            contribution = g
        elif local.__class__ is float and local == -1.0:
            contribution = -g
        else:
            contribution = local * g
        grads.append(m.sum_to(contribution, m.shape(x)))
    return tuple(grads)

def _generic_backward(out: Value) -> None:
    """The backward step of any record: its rule over the node's data, added to the inputs."""
    for v, contribution in zip(out.inputs, input_gradients(out, out.grad)):
        _acc(v, contribution)

_BACKWARD = {name: HOT_BACKWARD.get(name, _generic_backward) for name in OPS}
_BUILT_IN = dict(OPS)


def register(op: Op) -> Op | None:
    """Add an operation, or replace one by name; return the record it replaced (None if new).

    From then on the parser (for a function), ``apply`` and every backward
    pass use the new record.  A replaced built-in loses its hand-written fast
    path until its own record is registered again::

        previous = register(dataclasses.replace(OPS["sin"], partials=my_rule))
        ...
        register(previous)
    """
    previous = OPS.get(op.name)
    OPS[op.name] = op
    for table, kind in ((FUNCTIONS, "function"), (OPERATORS, "operator")):
        if op.kind == kind:
            table[op.name] = op
        else:
            table.pop(op.name, None)
    built_in = _BUILT_IN.get(op.name) is op
    _BACKWARD[op.name] = HOT_BACKWARD.get(op.name, _generic_backward) if built_in else _generic_backward
    if op.kind == "function" and not (built_in and op.name in _HOT_METHODS):
        setattr(Value, op.name, _method(op.name))
        if op.scalar is not None:
            setattr(FLOATS, op.name, op.scalar)
    if built_in and op.name in _HOT_METHODS:
        setattr(Value, op.name, _HOT_METHODS[op.name])
    return previous

# -- gradients as graphs ---------------------------------------------------------------------

def _values_space() -> MathSpace:
    """The records' functions over Values: derivative rules applied here build graphs."""
    m = MathSpace("values")
    for op in OPS.values():
        if op.takes_arg:  # the constant operand comes last: m.sum(g, axis)
            setattr(m, op.name, lambda *xs, _name=op.name: apply(_name, *xs[:-1], arg=xs[-1]))
        else:
            setattr(m, op.name, lambda *xs, _name=op.name: apply(_name, *xs))
    m.data = lambda v: v.data if v.__class__ is Value else v
    m.shape = lambda v: v.shape if v.__class__ is Value else arrays().shape(v)
    m.is_array = lambda v: m.data(v).__class__ is not float
    m.where = _values_where
    m.sum_to = lambda g, shape: g if m.shape(g) == tuple(shape) else apply("sum_to", g, arg=tuple(shape))
    m.broadcast_to = lambda g, shape: g if m.shape(g) == tuple(shape) else apply("broadcast_to", g,
                                                                                     arg=tuple(shape))
    return m

def _values_where(condition, a, b):
    if condition.__class__ is bool or getattr(condition, "ndim", 1) == 0:
        return a if condition else b
    return apply("where", a, b, arg=condition)

VALUES = _values_space()

def grad(output: Value, inputs, *, seed=None, create_graph: bool = False) -> list:
    """d output / d input for each of ``inputs``, leaving every ``.grad`` untouched.

    PyTorch's ``torch.autograd.grad``: with ``create_graph=True`` the results
    are Values whose graphs can be differentiated again (second derivatives,
    Hessians); otherwise they are numbers.  ``seed`` is d(final)/d output
    (1 by default).  An input the output does not depend on gets 0.
    """
    order = topological_order(output)
    m = VALUES if create_graph else None
    if seed is None:
        seed = 1.0 if output.data.__class__ is float else arrays().broadcast_to(1.0, output.data.shape)
    grads = {id(output): Value(seed) if create_graph and seed.__class__ is not Value else seed}
    node = output
    try:
        for node in reversed(order):
            g = grads.get(id(node))
            if g is None or not node.inputs:
                continue
            for child, contribution in zip(node.inputs, input_gradients(node, g, m)):
                key = id(child)
                grads[key] = contribution if key not in grads else grads[key] + contribution
    except (ZeroDivisionError, OverflowError, ValueError, DomainError) as exc:
        raise _backward_failure(node, exc) from None
    results = []
    for v in inputs:
        g = grads.get(id(v))
        if g is None:
            g = 0.0 if v.data.__class__ is float else arrays().broadcast_to(0.0, v.data.shape).copy()
            g = Value(g) if create_graph else g
        elif create_graph and g.__class__ is not Value:
            g = Value(g)
        results.append(g)
    return results

def _backward_creating_graph(output: Value, seed) -> None:
    """``backward(create_graph=True)``: every node's ``grad`` becomes a Value (leaves accumulate)."""
    order = topological_order(output)
    gradients = grad(output, order, seed=seed, create_graph=True)
    for node, g in zip(order, gradients):
        if node.inputs or (node.grad.__class__ is float and node.grad == 0.0):
            node.grad = g
        else:
            node.grad = node.grad + g

# -- walking the graph ---------------------------------------------------------------------

def topological_order(root: Value) -> list:
    """Every node ``root`` depends on, inputs before outputs, without recursion.

    Depth-first, visiting inputs in their recorded order, so the order is the
    same on every run.  Each walk takes a fresh stamp and marks nodes in their
    ``_mark`` slot (+stamp: expanded, -stamp: finished), which is cheaper than
    hashing every node into sets; a node pushed twice is expanded once.
    """
    return _walk(root, zero_inner=False)

_stamps = itertools.count(1)

def _walk(root: Value, zero_inner: bool) -> list:
    """topological_order; with ``zero_inner`` it also zeroes inner gradients on the way (for backward)."""
    expanded = next(_stamps)
    finished = -expanded
    order = []
    append = order.append
    stack = [root]
    pop = stack.pop
    push = stack.append
    while stack:
        node = pop()
        mark = node._mark
        if mark == expanded:  # its inputs are all in order: it goes next
            node._mark = finished
            append(node)
            continue
        if mark == finished:  # a second copy of a node already placed
            continue
        inputs = node.inputs
        if not inputs:  # a leaf needs no second visit
            node._mark = finished
            append(node)
            continue
        if zero_inner:
            node.grad = 0.0
        node._mark = expanded
        push(node)
        for child in reversed(inputs):
            mark = child._mark
            if mark != expanded and mark != finished:
                push(child)
    return order

def _backward_failure(node: Value, exc: Exception) -> DomainError:
    """The error of a gradient that cannot be computed at this point: its message names the node (its label,
    or its op when it has none, as in a derivative's own graph); its facts are ``where`` (the label) and
    ``cause`` (why, in words that do not assume a node was named)."""
    where = node.label or node.op
    cause = str(exc) or type(exc).__name__
    x = node.inputs[0].data if len(node.inputs) == 1 else None
    if isinstance(exc, ZeroDivisionError) and x.__class__ is float:  # sqrt at 0, asin at 1, x**0.5 at 0
        what = f"**{plain(node.arg)}" if node.op == "**" else OPS[node.op].call_name
        cause = reason = f"argument is {plain(x)}, {what} has an infinite slope there (its gradient is undefined)"
    elif isinstance(exc, ZeroDivisionError):
        cause = reason = f"the gradient divides by zero ({cause})"
    elif isinstance(exc, DomainError):
        reason = f"the gradient is undefined here: {cause}"
    else:
        reason = cause
    return DomainError(f"{where}: {reason}", where=node.label, cause=cause)
