"""The scalar reverse-mode autograd engine: ``Value`` and ``backward()``.

Every number is a ``Value`` that remembers the operation that made it (``op``)
and its inputs, in the order they were given, so that graphs, traces and
pictures are the same on every run::

    >>> from gradcli import Value
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> out = (a * b + 10).tanh()
    >>> out.backward()
    >>> round(a.grad, 6), round(b.grad, 6)
    (-0.004023, 0.002682)

``data`` is a float by default.  It may also be a NumPy array, with
elementwise semantics: training evaluates one graph over a whole batch, the
parameters stay floats and their gradients are summed back over the batch.
NumPy is imported only when an array is actually met, so the expression path
of the CLI never imports it.

Each operation has the same shape: compute the output, record the inputs,
and name the backward rule (one function per op in ``_BACKWARD``) that pushes
the output's gradient to the inputs as local derivative x upstream gradient.
Gradients accumulate (``a + a`` gives ``a.grad == 2``).  ``backward()`` orders
the graph without recursion, so a chain of a million nodes works.

Speed: a walk marks nodes with a stamp instead of hashing them into sets, the
hot backward rules add floats directly, the collector is paused during
backward and can be asked to run less often while graphs are built
(``collect_less()``, which the CLI calls at start-up): ~1 us per node forward plus backward, against ~14 us for
the classic closure-based design (``benchmarks/bench_engine.py``).
"""

from __future__ import annotations

import gc
import itertools
import math

from ..errors import DomainError

__all__ = ["Value", "topological_order", "collect_less", "GC_THRESHOLDS"]

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


_numpy = None


def _np():
    """NumPy, imported on first use (only array-valued graphs need it)."""
    global _numpy
    if _numpy is None:
        import numpy

        _numpy = numpy
    return _numpy


def _fmt(x) -> str:
    """A number for an error message: short, and integral values without '.0'."""
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.6g}" if isinstance(x, float) else str(x)


class Value:
    """A scalar (or, for batches, an array) in a computation graph.

    Attributes: ``data`` (the value), ``grad`` (d output / d this value, filled
    by ``backward``), ``op`` (the operation that made it, ``""`` for a leaf),
    ``inputs`` (tuple of the Values it was made from, in order), ``label``
    (optional name), ``arg`` (a constant operand, e.g. the exponent of ``x**2``).
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

    # -- arithmetic -------------------------------------------------------

    def __add__(self, other):
        other = other if other.__class__ is Value else Value(other)
        return _node(self.data + other.data, (self, other), "+")

    def __radd__(self, other):  # other + self
        return Value(other) + self

    def __sub__(self, other):
        other = other if other.__class__ is Value else Value(other)
        return _node(self.data - other.data, (self, other), "-")

    def __rsub__(self, other):  # other - self
        return Value(other) - self

    def __mul__(self, other):
        other = other if other.__class__ is Value else Value(other)
        return _node(self.data * other.data, (self, other), "*")

    def __rmul__(self, other):  # other * self
        return Value(other) * self

    def __truediv__(self, other):
        other = other if other.__class__ is Value else Value(other)
        b = other.data
        if b.__class__ is float and b == 0.0:
            raise DomainError("division by zero (the divisor is 0)")
        return _node(self.data / b, (self, other), "/")

    def __rtruediv__(self, other):  # other / self
        return Value(other) / self

    def __neg__(self):
        return _node(-self.data, (self,), "neg")

    def __pos__(self):
        return self

    def __pow__(self, exponent):
        """``x ** n`` with a constant n (op ``**``), or ``x ** y`` with a Value y (op ``pow``)."""
        if exponent.__class__ is Value:
            return _pow_value(self, exponent)
        if not isinstance(exponent, (int, float)):
            raise TypeError(f"unsupported exponent type: {type(exponent).__name__}")
        n = float(exponent)
        out = _node(_pow_data(self.data, n), (self,), "**")
        out.arg = n
        return out

    def __rpow__(self, base):  # base ** self, base a plain number
        return _pow_value(Value(base), self)

    # -- functions --------------------------------------------------------

    def exp(self):
        x = self.data
        if x.__class__ is float:
            try:
                y = math.exp(x)
            except OverflowError:
                raise DomainError(f"argument is {_fmt(x)}, exp overflows above 709.78") from None
        else:
            y = _np().exp(x)
        return _node(y, (self,), "exp")

    def log(self):
        x = self.data
        if x.__class__ is float:
            if x <= 0.0:
                raise DomainError(f"argument is {_fmt(x)}, log needs a positive number")
            y = math.log(x)
        else:
            y = _np().log(x)
        return _node(y, (self,), "log")

    def tanh(self):
        x = self.data
        y = math.tanh(x) if x.__class__ is float else _np().tanh(x)
        return _node(y, (self,), "tanh")

    def sigmoid(self):
        x = self.data
        if x.__class__ is float:
            # two branches so that exp never overflows
            if x >= 0.0:
                y = 1.0 / (1.0 + math.exp(-x))
            else:
                z = math.exp(x)
                y = z / (1.0 + z)
        else:
            np = _np()
            z = np.exp(-np.abs(x))
            y = np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))
        return _node(y, (self,), "sigmoid")

    def relu(self):
        x = self.data
        y = (x if x > 0.0 else 0.0) if x.__class__ is float else _np().maximum(x, 0.0)
        return _node(y, (self,), "relu")

    def sin(self):
        x = self.data
        return _node(math.sin(x) if x.__class__ is float else _np().sin(x), (self,), "sin")

    def cos(self):
        x = self.data
        return _node(math.cos(x) if x.__class__ is float else _np().cos(x), (self,), "cos")

    def sqrt(self):
        x = self.data
        if x.__class__ is float:
            if x < 0.0:
                raise DomainError(f"argument is {_fmt(x)}, sqrt needs a number >= 0")
            y = math.sqrt(x)
        else:
            y = _np().sqrt(x)
        return _node(y, (self,), "sqrt")

    def __abs__(self):
        x = self.data
        return _node(abs(x), (self,), "abs")

    abs = __abs__

    # -- reductions (for batched graphs) -------------------------------------

    @staticmethod
    def sum(values):
        """The sum of many Values as one node (op ``sum``): cheaper than a chain of ``+``."""
        values = tuple(v if v.__class__ is Value else Value(v) for v in values)
        if not values:
            raise ValueError("Value.sum needs at least one value")
        total = values[0].data
        for v in values[1:]:
            total = total + v.data
        return _node(total, values, "sum")

    def mean(self):
        """The mean over a batch (op ``mean``); the identity on a float."""
        x = self.data
        return _node(x if x.__class__ is float else float(x.mean()), (self,), "mean")

    # -- gradients --------------------------------------------------------

    def backward(self, grad=1.0) -> None:
        """Fill ``grad`` of every node that this Value depends on.

        The output is seeded with ``grad`` (1 by default).  Leaves accumulate
        across calls, as in PyTorch (call ``zero_grad`` between passes); inner
        nodes start from zero on every call so each pass counts each path once.
        """
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
            raise DomainError(_backward_failure(node, exc)) from None
        finally:
            if gc_was_enabled:
                gc.enable()

    def zero_grad(self) -> None:
        """Set the gradient of every node of this graph (leaves included) to 0."""
        for node in topological_order(self):
            node.grad = 0.0


def _as_data(data):
    """Coerce a Python number to float; keep a NumPy array (as float64) as it is."""
    if isinstance(data, bool):
        return float(data)
    if isinstance(data, (int, float)):
        return float(data)
    if isinstance(data, Value):
        raise TypeError("Value(Value(...)): pass the inner Value itself")
    np = _np()
    return np.asarray(data, dtype=np.float64)


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


def _pow_data(a, n: float):
    """a ** n for a constant n, with domain errors for real-valued floats."""
    if a.__class__ is not float:
        return _np().power(a, n)
    if a == 0.0 and n < 0.0:
        raise DomainError(f"0 to the power {_fmt(n)} is a division by zero")
    if a < 0.0 and not n.is_integer():
        raise DomainError(
            f"base is {_fmt(a)} and exponent {_fmt(n)}: a negative number to a fractional power is not real"
        )
    try:
        return math.pow(a, n)
    except OverflowError:
        raise DomainError(f"{_fmt(a)} to the power {_fmt(n)} overflows a float") from None


def _pow_value(base: Value, exponent: Value) -> Value:
    """base ** exponent where the exponent is a Value: needs base > 0 (or 0 with exponent > 0)."""
    a, b = base.data, exponent.data
    if a.__class__ is float and b.__class__ is float:
        if a < 0.0:
            raise DomainError(
                f"base is {_fmt(a)}: a variable exponent needs a base >= 0 (d/dy x**y = x**y * log(x))"
            )
        y = _pow_data(a, b)
    else:
        y = _np().power(a, b)
    return _node(y, (base, exponent), "pow")


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


# -- backward rules: out.grad -> inputs, local derivative x upstream ----------


def _acc(v: Value, g) -> None:
    """Add ``g`` to ``v.grad``, summing over the batch when v is a float broadcast into an array."""
    if v.data.__class__ is float and g.__class__ is not float:
        g = float(g.sum()) if hasattr(g, "sum") else float(g)
    v.grad += g


# The hot rules (+, *, tanh, sum) add plain floats directly: the common scalar case
# skips _acc's call and checks, which are only needed when arrays are involved.


def _back_add(out):
    a, b = out.inputs
    g = out.grad
    if g.__class__ is float:
        a.grad += g
        b.grad += g
    else:
        _acc(a, g)
        _acc(b, g)


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


def _back_pow_const(out):
    (a,) = out.inputs
    n = out.arg
    _acc(a, n * _pow_data(a.data, n - 1.0) * out.grad if n != 0.0 else 0.0 * out.grad)


def _back_pow_value(out):
    a, b = out.inputs
    g = out.grad
    x, y = a.data, b.data
    if x.__class__ is float and y.__class__ is float:
        da = 0.0 if y == 0.0 else y * _pow_data(x, y - 1.0)
        db = 0.0 if x == 0.0 else out.data * math.log(x)  # lim x->0+ of x**y log x is 0 for y > 0
    else:
        np = _np()
        da = y * np.power(x, y - 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            db = np.where(x > 0, out.data * np.log(np.where(x > 0, x, 1.0)), 0.0)
    _acc(a, da * g)
    _acc(b, db * g)


def _back_neg(out):
    _acc(out.inputs[0], -out.grad)


def _back_exp(out):
    _acc(out.inputs[0], out.data * out.grad)  # d e^x = e^x


def _back_log(out):
    _acc(out.inputs[0], out.grad / out.inputs[0].data)  # d log x = 1/x


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
    x = out.inputs[0].data
    local = (1.0 if x > 0.0 else 0.0) if x.__class__ is float else (x > 0.0)
    _acc(out.inputs[0], local * out.grad)  # relu'(0) = 0, as in PyTorch


def _back_sin(out):
    x = out.inputs[0].data
    _acc(out.inputs[0], (math.cos(x) if x.__class__ is float else _np().cos(x)) * out.grad)


def _back_cos(out):
    x = out.inputs[0].data
    _acc(out.inputs[0], -(math.sin(x) if x.__class__ is float else _np().sin(x)) * out.grad)


def _back_sqrt(out):
    y = out.data
    if y.__class__ is float and y == 0.0:
        raise ZeroDivisionError("sqrt has an infinite slope at 0")
    _acc(out.inputs[0], 0.5 / y * out.grad)


def _back_abs(out):
    x = out.inputs[0].data
    if x.__class__ is float:
        local = 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0)  # abs'(0) = 0, as in PyTorch
    else:
        local = _np().sign(x)
    _acc(out.inputs[0], local * out.grad)


def _back_sum(out):
    g = out.grad
    if g.__class__ is float:
        for v in out.inputs:
            v.grad += g
    else:
        for v in out.inputs:
            _acc(v, g)


def _back_mean(out):
    (a,) = out.inputs
    x = a.data
    if x.__class__ is float:
        _acc(a, out.grad)
    else:
        _acc(a, _np().full(x.shape, out.grad / x.size))


_BACKWARD = {
    "+": _back_add,
    "-": _back_sub,
    "*": _back_mul,
    "/": _back_div,
    "**": _back_pow_const,
    "pow": _back_pow_value,
    "neg": _back_neg,
    "exp": _back_exp,
    "log": _back_log,
    "tanh": _back_tanh,
    "sigmoid": _back_sigmoid,
    "relu": _back_relu,
    "sin": _back_sin,
    "cos": _back_cos,
    "sqrt": _back_sqrt,
    "abs": _back_abs,
    "sum": _back_sum,
    "mean": _back_mean,
}


def _backward_failure(node: Value, exc: Exception) -> str:
    """Message for a gradient that cannot be computed at this point."""
    where = node.label or node.op
    reason = str(exc) or type(exc).__name__
    if isinstance(exc, ZeroDivisionError) and node.op == "sqrt":
        reason = "argument is 0, sqrt has an infinite slope there (its gradient is undefined)"
    elif isinstance(exc, ZeroDivisionError):
        reason = f"the gradient divides by zero ({reason})"
    elif isinstance(exc, DomainError):
        reason = f"the gradient is undefined here: {reason}"
    return f"{where}: {reason}"
