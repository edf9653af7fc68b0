"""One record per operation: its name, forward, derivative, domain and how it is written.

Every operation of the engine is an ``Op`` in ``OPS``, and everything else
reads it: the engine's backward pass, the trace's local derivatives, the
parser's list of functions, ``--help`` and ``docs/expressions.md``.  Adding an
operation means adding one record here (see docs/architecture.md).

A derivative rule is written once, over a *math space* ``m`` that supplies the
functions of every record for one kind of number: Python floats, NumPy arrays,
or ``Value`` nodes (``engine.VALUES``).  Over floats a rule gives a number,
over Values it builds a graph that can be differentiated again, which is how
``backward(create_graph=True)`` gets second derivatives from the same text::

    >>> from gradcli.autograd.ops import OPS, FLOATS
    >>> OPS["tanh"].partials(FLOATS, (0.5,), 0.46211715726000974, None)   # 1 - tanh(x)**2
    (0.7864477329659274,)

Two kinds of rule:

- ``partials(m, xs, y, arg)`` for elementwise operations: the local derivative
  d y / d x_i for every input, so the trace can show local x upstream =
  contribution.  With arrays, contributions are summed back over the axes an
  input was broadcast along.
- ``vjp(m, xs, y, g, arg)`` for the structural tensor operations (matrix
  products, reductions, reshapes): the gradient of every input given the
  output's gradient ``g``.

``xs`` are the inputs, ``y`` the output and ``arg`` the node's constant
operand (the exponent of ``x**2``, an axis, a shape), as data over floats and
arrays and as Values over ``VALUES``.  A rule may branch on values (``relu``
at its kink): a derivative is evaluated at a point.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass, field
from typing import Callable

from ..errors import DomainError
from ..numbers import plain

__all__ = ["Op", "OPS", "FUNCTIONS", "OPERATORS", "CONSTANTS", "FLOATS", "arrays", "MathSpace",
           "op_symbol", "local_derivatives", "callable_names", "function_list"]


@dataclass(frozen=True)
class Op:
    """Everything about one operation.  Only ``name``, ``symbol`` and ``derivative`` are always set."""

    name: str  # as recorded in Value.op and, for functions, as written in expressions
    symbol: str  # as shown in traces and pictures
    derivative: str  # the rule in a student's notation (docs, --help)
    arity: int | None = 1  # Value inputs; None: one or more
    kind: str = "function"  # "function" (callable in expressions), "operator" (infix) or "tensor"
    scalar: Callable | None = None  # forward on Python floats: scalar(*xs) (or scalar(*xs, arg))
    array: Callable | None = None  # forward on NumPy data: array(np, *xs) (or array(np, *xs, arg))
    partials: Callable | None = None  # elementwise: (m, xs, y, arg) -> d y / d x_i for every input
    vjp: Callable | None = None  # structural: (m, xs, y, g, arg) -> gradient of every input
    domain: Callable | None = None  # floats -> why they lie outside the domain, or None (checked first)
    overflow: Callable | None = None  # floats -> message when the float result overflows
    kink: Callable | None = None  # floats -> why it is not differentiable there ("arguments tie"), or None
    sympy: Callable | None = None  # forward on sympy expressions: sympy(sp, *xs) (or with arg)
    takes_arg: bool = False  # the node carries a constant operand in Value.arg
    notation: str = "call"  # how a node is written from its inputs: infix, prefix, power, call
    roles: tuple = ()  # names of the inputs on the edges of a drawing ("num", "den")
    summary: str = ""  # one line for --help and the docs' table of functions
    usage: str = ""  # how it is written, for the docs: "a + b"; functions default to "name(x)"
    params: tuple = ()  # names of a function's inputs, for keyword arguments: ("x", "slope"); default ("x",)
    defaults: tuple = ()  # values of the last params when a call leaves them out: (0.01,) for slope
    spelled: str = ""  # the name written in expressions when it differs from ``name`` (maximum: "max")
    aliases: tuple = ()  # other spellings the expression language accepts ("silu" for swish)
    language: bool = False  # a tensor op an expression may call by name: sum(x), max(x, axis=0), transpose(x)

    @property
    def call_name(self) -> str:
        """The name an expression calls it by (``max`` for the record ``maximum``)."""
        return self.spelled or self.name

    @property
    def inputs(self) -> tuple:
        """The names of a function's inputs (``("x",)`` unless the record says otherwise)."""
        return self.params or (("x",) if self.arity == 1 else tuple("abcd"[: self.arity or 2]))

    @property
    def least_inputs(self) -> int:
        """How many inputs a call must give (the rest have defaults)."""
        return len(self.inputs) - len(self.defaults)

    @property
    def written(self) -> str:
        """How the operation is written in an expression (``a + b``, ``tanh(x)``, ``max(a, b, ...)``)."""
        if self.usage:
            return self.usage
        names = list(self.inputs)
        required = len(names) - len(self.defaults)
        args = names[:required] + [f"{n}={plain(float(d))}" for n, d in zip(names[required:], self.defaults)]
        if self.arity is None:
            args.append("...")
        return f"{self.call_name}({', '.join(args)})"

    def forward(self, xs: tuple, arg=None):
        """The output on float data (domain checked: ``DomainError``) or on array data (no checks)."""
        if self.scalar is not None and all(x.__class__ is float for x in xs):
            if self.domain is not None:
                reason = self.domain(*xs, arg) if self.takes_arg else self.domain(*xs)
                if reason:
                    raise DomainError(reason)
            try:
                return self.scalar(*xs, arg) if self.takes_arg else self.scalar(*xs)
            except OverflowError:
                if self.overflow is None:
                    raise DomainError(f"{self.name} overflows a float here") from None
                raise DomainError(self.overflow(*xs, arg) if self.takes_arg else self.overflow(*xs)) from None
        np = _numpy()
        with np.errstate(all="ignore"):  # non-finite array entries are the caller's to judge
            out = self.array(np, *xs, arg) if self.takes_arg else self.array(np, *xs)
        return as_data(out)

    def write(self, args: list, arg=None) -> str:
        """How a node is written from its inputs' names: ``a * b``, ``-a``, ``a**2``, ``tanh(a)``."""
        if self.notation == "infix":
            return f" {self.symbol} ".join(args)
        if self.notation == "prefix":
            return f"{self.symbol}{args[0]}"
        if self.notation == "power":
            return f"{args[0]}{symbol_of(self, arg)}"
        if self.notation == "list":
            return f"[{', '.join(args)}]"
        if self.notation == "index":
            return f"{args[0]}[{index_text(arg)}]"
        if self.notation == "postfix" and arg is None:
            return f"{args[0]}{self.symbol}"
        extra = [] if arg is None or not self.takes_arg else [f"{self.arg_name}={arg_text(arg)}"]
        name = self.name if self.notation == "postfix" else self.symbol  # x.T with axes: transpose(x, axes=...)
        return f"{name}({', '.join(list(args) + extra)})"

    @property
    def arg_name(self) -> str:
        return {"sum": "axis", "mean": "axis", "max": "axis", "min": "axis", "softmax": "axis", "log_softmax": "axis",
                "concat": "axis", "reshape": "shape", "transpose": "axes", "broadcast_to": "shape",
                "sum_to": "shape", "getitem": "index", "put": "index"}.get(self.name, "arg")


def _numpy():
    import numpy

    return numpy


def as_data(out):
    """NumPy results as gradcli data: 0-d arrays and NumPy scalars become Python floats."""
    if out.__class__ is float:
        return out
    if getattr(out, "ndim", 0) == 0:
        return float(out)
    if out.dtype != _numpy().float64:
        return out.astype(_numpy().float64)
    return out


def arg_text(arg) -> str:
    return plain(float(arg)) if isinstance(arg, (int, float)) else str(arg)


def index_text(index) -> str:
    """An index as written between brackets: ``0``, ``1:3``, ``:, 0``, ``::-1``."""
    if not isinstance(index, tuple):
        index = (index,)
    parts = []
    for item in index:
        if isinstance(item, slice):
            start, stop, step = ("" if v is None else str(v) for v in (item.start, item.stop, item.step))
            parts.append(f"{start}:{stop}" + (f":{step}" if step else ""))
        elif item is Ellipsis:
            parts.append("...")
        elif item is None:
            parts.append("None")
        else:
            parts.append(str(item.tolist() if hasattr(item, "tolist") else item))
    return ", ".join(parts)


def shape_text(shape: tuple) -> str:
    """A shape as NumPy prints it: ``(2, 3)``, ``(3,)``, ``()`` for a number."""
    return str(tuple(shape))


def shape_phrase(shape: tuple) -> str:
    """What an entry of a list is, for a ragged list's message: ``is a number``, ``has 2 numbers``."""
    if not shape:
        return "is a number"
    if len(shape) == 1:
        return f"has {shape[0]} number{'s' if shape[0] != 1 else ''}"
    return f"has shape {shape_text(shape)}"


def shape_problem(op: "Op", shapes: list, arg=None, reason: str = "") -> str:
    """Why inputs of ``shapes`` do not fit ``op``, in words: ``(2, 2) @ (3,): the left's last axis ...``.

    ``reason`` is NumPy's own message, kept where it is the clearest (an index or axis out of range).
    """
    shown = [shape_text(s) for s in shapes]
    if op.name == "matmul":
        a, b = shapes
        head = f"{shown[0]} @ {shown[1]}"
        if not a or not b:
            return f"{head}: @ needs an array on each side (a number has shape ()); multiply by a number with *"
        right_axis, inner = ("length", b[0]) if len(b) == 1 else ("second-to-last axis", b[-2])
        if a[-1] != inner:
            return f"{head}: the left's last axis ({a[-1]}) must equal the right's {right_axis} ({inner})"
        return f"{head}: the axes before the last two do not broadcast"
    if op.name == "stack":
        return (f"entries of shapes {' and '.join(dict.fromkeys(shown))}: the entries of a list [a, b, ...] "
                "need one shape")
    if op.partials is not None and len(shapes) > 1:  # elementwise: broadcasting failed
        joined = f" {op.symbol} ".join(shown) if op.notation == "infix" else ", ".join(shown)
        return (f"{joined}: these shapes do not broadcast (from the last axis on, each pair of sizes must be "
                "equal, or one of them 1)")
    return f"shape {', '.join(shown)}: {reason or 'the shape does not fit ' + op.name}"


def entry_problem(op: "Op", xs: tuple, arg, out) -> str | None:
    """Why an array result has a NaN or an infinite entry where its inputs have none, or None.

    The first such entry, and the reason its record gives for those numbers
    (``entry [1]: argument is -1, log needs a positive number``): arrays are
    computed without checks, so this is how they get the errors numbers get.
    """
    np = _numpy()
    bad = ~np.isfinite(out)
    if not bad.any() or not all(np.isfinite(x).all() for x in xs):
        return None
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    value = float(out[index])
    fallback = (f"the result overflows to {plain(value)} (too large for a float)" if math.isinf(value)
                else "the result is not a number (nan)")
    where = f"entry [{', '.join(map(str, index))}]"
    if op.partials is None:  # a tensor operation: entries do not map one to one
        return f"{where}: {fallback}"
    at = tuple(float(np.broadcast_to(x, out.shape)[index]) for x in xs)
    extra = (arg,) if op.takes_arg else ()
    reason = op.domain(*at, *extra) if op.domain is not None else None
    if reason is None and op.overflow is not None:
        reason = op.overflow(*at, *extra)
    return f"{where}: {reason or fallback}"


def symbol_of(op: Op, arg) -> str:
    """``**2`` for a constant power, the record's symbol otherwise."""
    if op.name == "**":
        n = float(arg)
        return f"**{int(n)}" if n.is_integer() else f"**{n:g}"
    return op.symbol


# -- math spaces: the functions of every record over one kind of number --------------------


class MathSpace:
    """The records' functions over one kind of number, as attributes (``m.cos(x)``), plus helpers.

    ``data(v)`` is the number inside ``v``; ``where(cond, a, b)`` picks per
    entry; ``shape(v)`` is () for a float; ``sum_to(g, shape)`` sums a
    gradient back over the axes a value was broadcast along.
    """

    def __init__(self, kind: str):
        self.kind = kind

    def __repr__(self) -> str:
        return f"<math space over {self.kind}>"


def _float_space() -> MathSpace:
    m = MathSpace("floats")
    for op in OPS.values():
        # functions, and the tensor operations that are the identity on a number (sum, transpose, ...): the
        # rules of softmax(2.0) or 2.0.T meet them over floats (m.sum(g, axis) is g)
        if op.scalar is not None and op.kind in ("function", "tensor"):
            setattr(m, op.name, op.scalar)
    m.data = lambda v: v
    m.where = lambda cond, a, b: a if cond else b
    m.shape = lambda v: ()
    m.sum_to = lambda g, shape: g
    m.broadcast_to = lambda g, shape: g
    m.is_array = lambda v: False
    return m


_ARRAYS = None


def arrays() -> MathSpace:
    """The math space over NumPy data (floats mix in), made when first needed (NumPy imports then)."""
    global _ARRAYS
    if _ARRAYS is None:
        np = _numpy()
        m = MathSpace("arrays")
        for op in OPS.values():
            if op.array is not None:
                # a constant operand (axis, shape) is passed as the last argument: m.sum(g, axis)
                setattr(m, op.name, lambda *xs, _op=op: as_data(_op.array(np, *xs)))
        m.data = lambda v: v
        m.where = lambda cond, a, b: as_data(np.where(cond, a, b))
        m.shape = np.shape
        m.sum_to = sum_to_shape
        m.broadcast_to = lambda g, shape: g if np.shape(g) == tuple(shape) else np.broadcast_to(g, shape)
        m.is_array = lambda v: v.__class__ is not float
        _ARRAYS = m
    return _ARRAYS


def sum_to_shape(g, shape: tuple):
    """Sum ``g`` over the axes along which a value of ``shape`` was broadcast to g's shape."""
    if g.__class__ is float:
        return g
    if not shape:
        return float(g.sum())
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1)
    out = g.sum(axis=axes, keepdims=True) if axes else g
    return as_data(out.reshape(shape))


# -- the rules that need a branch or a tensor shape ------------------------------------------


def _pow_const_partials(m, xs, y, n):
    # d/dx x**n = n * x**(n-1); n = 0 gives 0 (and never computes 0**-1)
    if n == 0:
        return (0.0,)
    if n == 1:
        return (1.0,)
    if n == 2:
        return (2.0 * xs[0],)
    return (n * xs[0] ** (n - 1.0),)


def _pow_partials(m, xs, y, arg):
    a, b = xs
    da, db = m.data(a), m.data(b)
    if not m.is_array(da) and not m.is_array(db):
        if da == 0 and db == 0:
            # 0**b is 1 at b = 0 and 0 for every b > 0: a jump, where b -> a**b * log(a) is -infinite
            # (x**x at 0: x**x * (log x + 1) -> -inf).  No number is the derivative: say so, as sqrt at 0 does.
            raise DomainError("base and exponent are both 0: a**b jumps from 1 to 0 as b leaves 0, "
                              "so d/db a**b = a**b * log(a) is -infinite")
        # 0**b is 0 for every b > 0: its slope in b is 0 there, not 0 * log(0)
        d_base = 0.0 if db == 0 else b * a ** (b - 1.0)
        d_exponent = 0.0 if da == 0 else y * m.log(a)
        return d_base, d_exponent
    positive = da > 0
    # arrays carry the same rule as numbers, with -inf where both are 0 (the caller judges non-finite entries)
    d_base = m.where(db == 0, 0.0, b * a ** (b - 1.0))
    d_exponent = m.where(positive, y * m.log(m.where(positive, a, 1.0)), m.where(db == 0, -math.inf, 0.0))
    return d_base, d_exponent


def _pow_domain(a, b):
    if a < 0.0:
        return (f"base is {plain(a)}: a variable exponent needs a base >= 0 "
                "(d/dy x**y = x**y * log(x))")
    return _power_domain(a, b)


def _power_domain(a, n):
    if a == 0.0 and n < 0.0:
        return f"0 to the power {plain(n)} is a division by zero"
    if a < 0.0 and not float(n).is_integer():
        return (f"base is {plain(a)} and exponent {plain(n)}: a negative number to a fractional "
                "power is not real")
    return None


def _reduced_shape_grad(m, g, x_shape, axis):
    """The output gradient of a reduction, reshaped so that it broadcasts back over x."""
    if axis is None or not x_shape:
        return g
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    keep = list(x_shape)
    for a in axes:
        keep[a % len(x_shape)] = 1
    return m.reshape(g, tuple(keep))


def _sum_vjp(m, xs, y, g, axis):
    shape = m.shape(xs[0])
    return (m.broadcast_to(_reduced_shape_grad(m, g, shape, axis), shape),)


def _count(shape, axis) -> int:
    if axis is None:
        return math.prod(shape) if shape else 1
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    return math.prod(shape[a] for a in axes)


def _mean_vjp(m, xs, y, g, axis):
    shape = m.shape(xs[0])
    return (m.broadcast_to(_reduced_shape_grad(m, g, shape, axis), shape) * (1.0 / _count(shape, axis)),)


def _extreme_vjp(m, xs, y, g, axis):
    # max and min: the gradient goes to the entries equal to the result, shared evenly between ties
    x = xs[0]
    shape = m.shape(x)
    if not shape:
        return (g,)
    np = _numpy()
    data_x, data_y = m.data(x), m.data(y)
    expanded = data_y if axis is None else np.expand_dims(data_y, axis)
    mask = (data_x == expanded).astype(np.float64)
    mask = mask / mask.sum(axis=axis, keepdims=True)
    return (m.broadcast_to(_reduced_shape_grad(m, g, shape, axis), shape) * mask,)


def _tie_kink(pick: str):
    """A reduction's kink: several entries share the maximum (or minimum) it picks."""
    def kink(x, axis):
        np = _numpy()
        if x.__class__ is float:
            return None
        top = getattr(np, pick)(x, axis=axis, keepdims=True)
        ties = (x == top).sum(axis=axis, keepdims=True)
        tied = np.argwhere(ties > 1)
        if not len(tied):
            return None
        first = tuple(tied[0])  # the first maximum (or minimum) shared by several entries
        return f"{int(ties[first])} entries tie at {plain(float(top[first]))}"
    return kink


def _matmul_vjp(m, xs, y, g, arg):
    # dA = G @ B.T and dB = A.T @ G on the last two axes, summed over broadcast batch axes.  A 1-D
    # operand is a row on the left or a column on the right, as in NumPy: it is made 2-D for the rule
    # (and the output's gradient gets the axis back), then its gradient is made 1-D again.
    a, b = xs
    sa, sb = m.shape(a), m.shape(b)
    if len(sa) == 1 and len(sb) == 1:  # a dot product: a number
        return g * b, g * a
    gs = m.shape(g)
    if len(sa) == 1:
        a, g = m.reshape(a, (1, sa[0])), m.reshape(g, gs[:-1] + (1, gs[-1]))
    elif len(sb) == 1:
        b, g = m.reshape(b, (sb[0], 1)), m.reshape(g, gs + (1,))
    ga = m.sum_to(m.matmul(g, m.transpose(b, _swap_last(len(m.shape(b))))), m.shape(a))
    gb = m.sum_to(m.matmul(m.transpose(a, _swap_last(len(m.shape(a)))), g), m.shape(b))
    return (m.reshape(ga, sa) if len(sa) == 1 else ga), (m.reshape(gb, sb) if len(sb) == 1 else gb)


def _swap_last(ndim: int):
    return None if ndim == 2 else tuple(range(ndim - 2)) + (ndim - 1, ndim - 2)


def _transpose_vjp(m, xs, y, g, axes):
    if axes is None:
        return (m.transpose(g, None),)
    inverse = tuple(sorted(range(len(axes)), key=lambda i: axes[i]))
    return (m.transpose(g, inverse),)


def _softmax_vjp(m, xs, y, g, axis):
    # d softmax: y * (g - sum(g * y)) along the axis
    return (y * (g - m.broadcast_to(_keep(m, m.sum(g * y, axis), m.shape(y), axis), m.shape(y))),)


def _log_softmax_vjp(m, xs, y, g, axis):
    # d log_softmax: g - softmax(x) * sum(g) along the axis
    return (g - m.exp(y) * m.broadcast_to(_keep(m, m.sum(g, axis), m.shape(y), axis), m.shape(y)),)


def _keep(m, reduced, shape, axis):
    return _reduced_shape_grad(m, reduced, shape, axis)


def _stack_vjp(m, xs, y, g, arg):
    return tuple(m.getitem(g, i) for i in range(len(xs)))


def _concat_vjp(m, xs, y, g, axis):
    grads, start = [], 0
    for x in xs:
        size = m.shape(x)[axis]
        index = [slice(None)] * len(m.shape(x))
        index[axis] = slice(start, start + size)
        grads.append(m.getitem(g, tuple(index)))
        start += size
    return tuple(grads)


def _log_softmax_array(np, x, axis):
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def _softmax_array(np, x, axis):
    shifted = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return shifted / np.sum(shifted, axis=axis, keepdims=True)


def _put_array(np, g, arg):
    index, shape = arg
    out = np.zeros(shape)
    np.add.at(out, index, g)
    return out


def _sum_to_array(np, g, shape):
    return sum_to_shape(np.asarray(g, dtype=np.float64), tuple(shape))


def _sigmoid_scalar(x: float) -> float:
    # two branches so that exp never overflows
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _sigmoid_array(np, x):
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


def _step_scalar(x: float) -> float:
    return 1.0 if x > 0.0 else 0.0


def _sign_scalar(x: float) -> float:
    return 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0)


def _zero_partials(m, xs, y, arg):
    return (0.0,) * len(xs)


# -- the rules of the functions with several inputs, branches or jumps ------------------------------

LN2, LN10 = math.log(2.0), math.log(10.0)
GELU_C, GELU_K = math.sqrt(2.0 / math.pi), 0.044715  # gelu's tanh approximation


def _extremum_partials(m, xs, y, arg):
    # the gradient goes to the inputs equal to the result, shared evenly between ties (as max(axis) does)
    top = m.data(y)
    hits = [m.data(x) == top for x in xs]
    count = hits[0] + 0
    for hit in hits[1:]:
        count = count + hit
    return tuple(m.where(hit, 1.0, 0.0) / count for hit in hits)


def _extremum_kink(pick):
    def kink(*xs):
        top = pick(xs)
        tied = sum(1 for x in xs if x == top)
        return f"{tied} arguments tie at {plain(top)}" if tied > 1 else None
    return kink


def _extremum_array(np, reduce, *xs):
    out = xs[0]
    for x in xs[1:]:
        out = reduce(out, x)
    return out


def _clip_partials(m, xs, y, arg):
    x, lo, hi = (m.data(v) for v in xs)
    inside = (x >= lo) & (x <= hi)  # at a bound the gradient passes to x, as in PyTorch's clamp
    return m.where(inside, 1.0, 0.0), m.where(x < lo, 1.0, 0.0), m.where(x > hi, 1.0, 0.0)


def _clip_kink(x, lo, hi):
    if x == lo or x == hi:
        return f"x is {plain(x)}, at a bound of [{plain(lo)}, {plain(hi)}]"
    return None


def _leaky_relu_partials(m, xs, y, arg):
    x, slope = xs
    positive = m.data(x) > 0.0
    return m.where(positive, 1.0, slope), m.where(positive, 0.0, x)


def _elu_scalar(x, alpha):
    return x if x > 0.0 else alpha * math.expm1(x)


def _elu_partials(m, xs, y, arg):
    x, alpha = xs
    positive = m.data(x) > 0.0
    grows = m.exp(m.where(positive, 0.0, x))  # exp(x) where x <= 0 (never overflows)
    return m.where(positive, 1.0, alpha * grows), m.where(positive, 0.0, grows - 1.0)


def _bend_at_zero(x, other):
    return "argument is 0" if x == 0.0 and other != 1.0 else None


def _gelu_scalar(x):
    return 0.5 * x * (1.0 + math.tanh(GELU_C * (x + GELU_K * x * x * x)))


def _gelu_array(np, x):
    return 0.5 * x * (1.0 + np.tanh(GELU_C * (x + GELU_K * x * x * x)))


def _gelu_partials(m, xs, y, arg):
    (x,) = xs
    t = m.tanh(GELU_C * (x + GELU_K * x * x * x))
    slope = 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * GELU_C * (1.0 + 3.0 * GELU_K * x * x)
    # far from 0 tanh is +-1 and x**3 may be inf: the slope is then exactly step(x) (no 0 * inf)
    return (m.where(abs(m.data(x)) > 30.0, m.step(x), slope),)


def _swish_partials(m, xs, y, arg):
    s = m.sigmoid(xs[0])
    return (s + y * (1.0 - s),)


def _log_base_domain(x, base):
    if x <= 0.0:
        return f"argument is {plain(x)}, log needs a positive number"
    if base <= 0.0 or base == 1.0:
        return f"base is {plain(base)}, log needs a positive base other than 1"
    return None


def _log_base_partials(m, xs, y, arg):
    x, base = xs
    log_base = m.log(base)
    return 1.0 / (x * log_base), -y / (base * log_base)


def _hypot_partials(m, xs, y, arg):
    a, b = xs
    r = m.where(m.data(y) == 0.0, 1.0, y)  # at the origin (a cone's tip) the rule gives 0
    return a / r, b / r


def _atan2_partials(m, xs, y, arg):
    b, a = xs  # atan2(y, x): the first input is the y coordinate
    r2 = a * a + b * b
    r2 = m.where(m.data(r2) == 0.0, 1.0, r2)
    return a / r2, -b / r2


def _atan2_kink(b, a):
    if b == 0.0 and a == 0.0:
        return "both arguments are 0: the angle of the origin is undefined"
    if b == 0.0 and a < 0.0:
        return "y is 0 with x < 0: the angle jumps from pi to -pi here"
    return None


def _integer_kink(name):
    return lambda x: f"argument is {plain(x)}, an integer: {name} jumps there" if x == math.floor(x) else None


def _round_kink(x):
    return f"argument is {plain(x)}, halfway between integers: round jumps there" if x - math.floor(x) == 0.5 else None


def _in_closed_unit(name):
    return lambda x: f"argument is {plain(x)}, {name} needs a number in [-1, 1]" if abs(x) > 1.0 else None


def _overflows(name, limit):
    return lambda x: f"argument is {plain(x)}, {name} overflows beyond about {limit}"


# -- the table ----------------------------------------------------------------------------------

_RECORDS = (
    # arithmetic: written infix; "+" also adds any number of inputs (a neuron's w.x + b is one node)
    Op("+", "+", "d/da (a + b) = 1,  d/db (a + b) = 1", usage="a + b", arity=None, kind="operator", notation="infix",
       scalar=lambda *xs: _add_all(xs), array=lambda np, *xs: _add_all(xs),
       partials=lambda m, xs, y, arg: (1.0,) * len(xs), sympy=lambda sp, *xs: sp.Add(*xs)),
    Op("-", "-", "d/da (a - b) = 1,  d/db (a - b) = -1", usage="a - b", arity=2, kind="operator", notation="infix",
       scalar=operator.sub, array=lambda np, a, b: a - b, partials=lambda m, xs, y, arg: (1.0, -1.0),
       roles=("+", "\u2212"), sympy=lambda sp, a, b: a - b),
    Op("*", "*", "d/da (a * b) = b,  d/db (a * b) = a", usage="a * b", arity=2, kind="operator", notation="infix",
       scalar=operator.mul, array=lambda np, a, b: a * b, partials=lambda m, xs, y, arg: (xs[1], xs[0]),
       sympy=lambda sp, a, b: a * b),
    Op("/", "/", "d/da (a / b) = 1/b,  d/db (a / b) = -a/b**2", usage="a / b", arity=2, kind="operator", notation="infix",
       scalar=operator.truediv, array=lambda np, a, b: a / b,
       partials=lambda m, xs, y, arg: (1.0 / xs[1], -y / xs[1]),
       domain=lambda a, b: "division by zero (the divisor is 0)" if b == 0.0 else None,
       roles=("num", "den"), sympy=lambda sp, a, b: a / b),
    Op("**", "**n", "d/dx x**n = n * x**(n-1)  (n a constant)", usage="x**n", summary="n a constant (no variable in it): one input, shown as op **n, e.g. **2", kind="operator", notation="power",
       takes_arg=True, scalar=math.pow, array=lambda np, a, n: np.power(a, n), partials=_pow_const_partials,
       domain=_power_domain, overflow=lambda a, n: f"{plain(a)} to the power {plain(n)} overflows a float",
       sympy=lambda sp, a, n: a ** (sp.Integer(int(n)) if float(n).is_integer() else sp.nsimplify(n))),
    Op("pow", "**", "d/da a**b = b * a**(b-1),  d/db a**b = a**b * log(a)", usage="a**b", summary="b contains a variable: two inputs (op **), a >= 0; pow(a, b) is a**b", arity=2, kind="operator",
       notation="infix", scalar=math.pow, array=lambda np, a, b: np.power(a, b), partials=_pow_partials,
       domain=_pow_domain, overflow=lambda a, b: f"{plain(a)} to the power {plain(b)} overflows a float",
       roles=("base", "exp"), sympy=lambda sp, a, b: a ** b, spelled="pow"),
    Op("neg", "-", "d/dx (-x) = -1", usage="-x", kind="operator", notation="prefix", scalar=operator.neg,
       array=lambda np, x: -x, partials=lambda m, xs, y, arg: (-1.0,), sympy=lambda sp, x: -x),
    # functions of the expression language
    Op("exp", "exp", "d/dx exp(x) = exp(x)", scalar=math.exp, array=lambda np, x: np.exp(x),
       partials=lambda m, xs, y, arg: (y,),
       overflow=lambda x: f"argument is {plain(x)}, exp overflows above 709.78",
       sympy=lambda sp, x: sp.exp(x), summary="e to the power x"),
    Op("log", "log", "d/dx log(x) = 1/x  (natural log, x > 0)", scalar=math.log, array=lambda np, x: np.log(x),
       partials=lambda m, xs, y, arg: (1.0 / xs[0],),
       domain=lambda x: f"argument is {plain(x)}, log needs a positive number" if x <= 0.0 else None,
       sympy=lambda sp, x: sp.log(x), aliases=("ln",), summary="natural logarithm (also log(x, base))"),
    Op("log_base", "log", "d/dx log(x, b) = 1 / (x log(b)),  d/db log(x, b) = -log(x, b) / (b log(b))",
       arity=2, params=("x", "base"), spelled="log", scalar=lambda x, b: math.log(x) / math.log(b),
       array=lambda np, x, b: np.log(x) / np.log(b), partials=_log_base_partials, domain=_log_base_domain,
       sympy=lambda sp, x, b: sp.log(x, b), summary="logarithm to a base: log(8, 2) = 3"),
    Op("log2", "log2", "d/dx log2(x) = 1 / (x log(2))  (x > 0)", scalar=math.log2, array=lambda np, x: np.log2(x),
       partials=lambda m, xs, y, arg: (1.0 / (xs[0] * LN2),),
       domain=lambda x: f"argument is {plain(x)}, log2 needs a positive number" if x <= 0.0 else None,
       sympy=lambda sp, x: sp.log(x, 2), summary="logarithm to base 2"),
    Op("log10", "log10", "d/dx log10(x) = 1 / (x log(10))  (x > 0)", scalar=math.log10,
       array=lambda np, x: np.log10(x), partials=lambda m, xs, y, arg: (1.0 / (xs[0] * LN10),),
       domain=lambda x: f"argument is {plain(x)}, log10 needs a positive number" if x <= 0.0 else None,
       sympy=lambda sp, x: sp.log(x, 10), summary="logarithm to base 10"),
    Op("exp2", "exp2", "d/dx exp2(x) = exp2(x) * log(2)", scalar=lambda x: 2.0 ** x, array=lambda np, x: np.exp2(x),
       partials=lambda m, xs, y, arg: (y * LN2,), overflow=lambda x: f"argument is {plain(x)}, exp2 overflows above 1024",
       sympy=lambda sp, x: 2 ** x, summary="2 to the power x"),
    Op("tanh", "tanh", "d/dx tanh(x) = 1 - tanh(x)**2", scalar=math.tanh, array=lambda np, x: np.tanh(x),
       partials=lambda m, xs, y, arg: (1.0 - y * y,), sympy=lambda sp, x: sp.tanh(x),
       summary="hyperbolic tangent"),
    Op("sigmoid", "sigmoid", "d/dx sigmoid(x) = sigmoid(x) * (1 - sigmoid(x))", scalar=_sigmoid_scalar,
       array=_sigmoid_array, partials=lambda m, xs, y, arg: (y * (1.0 - y),),
       sympy=lambda sp, x: 1 / (1 + sp.exp(-x)), aliases=("σ",), summary="1 / (1 + exp(-x))"),
    Op("relu", "relu", "d/dx relu(x) = 1 if x > 0 else 0  (0 at x = 0)", scalar=lambda x: x if x > 0.0 else 0.0,
       array=lambda np, x: np.maximum(x, 0.0), partials=lambda m, xs, y, arg: (m.step(xs[0]),),
       kink=lambda x: "argument is 0" if x == 0.0 else None, sympy=lambda sp, x: sp.Max(x, 0), summary="max(x, 0)"),
    Op("softplus", "softplus", "d/dx softplus(x) = sigmoid(x)",
       scalar=lambda x: max(x, 0.0) + math.log1p(math.exp(-abs(x))), array=lambda np, x: np.logaddexp(0.0, x),
       partials=lambda m, xs, y, arg: (m.sigmoid(xs[0]),),
       sympy=lambda sp, x: sp.log(1 + sp.exp(x)), summary="log(1 + exp(x)), a smooth relu"),
    Op("leaky_relu", "leaky_relu", "d/dx leaky_relu(x, s) = 1 if x > 0 else s,  d/ds = 0 if x > 0 else x",
       arity=2, params=("x", "slope"), defaults=(0.01,), scalar=lambda x, s: x if x > 0.0 else s * x,
       array=lambda np, x, s: np.where(x > 0, x, s * x), partials=_leaky_relu_partials,
       kink=_bend_at_zero, sympy=lambda sp, x, s: sp.Piecewise((x, x > 0), (s * x, True)),
       summary="x if x > 0 else slope * x"),
    Op("elu", "elu", "d/dx elu(x, a) = 1 if x > 0 else a exp(x),  d/da = 0 if x > 0 else exp(x) - 1",
       arity=2, params=("x", "alpha"), defaults=(1.0,), scalar=_elu_scalar,
       array=lambda np, x, a: np.where(x > 0, x, a * np.expm1(np.minimum(x, 0.0))), partials=_elu_partials,
       kink=_bend_at_zero, sympy=lambda sp, x, a: sp.Piecewise((x, x > 0), (a * (sp.exp(x) - 1), True)),
       summary="x if x > 0 else alpha * (exp(x) - 1)"),
    Op("gelu", "gelu", "d/dx gelu(x) = (1 + t)/2 + x (1 - t**2) c (1 + 3k x**2) / 2,  t = tanh(c (x + k x**3))",
       scalar=_gelu_scalar, array=_gelu_array, partials=_gelu_partials,
       sympy=lambda sp, x: x / 2 * (1 + sp.tanh(sp.sqrt(2 / sp.pi) * (x + sp.Rational(44715, 10**6) * x**3))),
       summary="x/2 (1 + tanh(c (x + k x**3))), c = sqrt(2/pi), k = 0.044715 (the tanh form)"),
    Op("swish", "swish", "d/dx swish(x) = s + swish(x) (1 - s),  s = sigmoid(x)",
       scalar=lambda x: x * _sigmoid_scalar(x), array=lambda np, x: x * _sigmoid_array(np, x),
       partials=_swish_partials, aliases=("silu",), sympy=lambda sp, x: x / (1 + sp.exp(-x)),
       summary="x * sigmoid(x), also called silu"),
    Op("sin", "sin", "d/dx sin(x) = cos(x)", scalar=math.sin, array=lambda np, x: np.sin(x),
       partials=lambda m, xs, y, arg: (m.cos(xs[0]),), sympy=lambda sp, x: sp.sin(x), summary="sine (radians)"),
    Op("cos", "cos", "d/dx cos(x) = -sin(x)", scalar=math.cos, array=lambda np, x: np.cos(x),
       partials=lambda m, xs, y, arg: (-m.sin(xs[0]),), sympy=lambda sp, x: sp.cos(x),
       summary="cosine (radians)"),
    Op("tan", "tan", "d/dx tan(x) = 1 + tan(x)**2", scalar=math.tan, array=lambda np, x: np.tan(x),
       partials=lambda m, xs, y, arg: (1.0 + y * y,), sympy=lambda sp, x: sp.tan(x), summary="tangent (radians)"),
    Op("asin", "asin", "d/dx asin(x) = 1 / sqrt(1 - x**2)  (-1 <= x <= 1; infinite at +-1)", scalar=math.asin,
       array=lambda np, x: np.arcsin(x), partials=lambda m, xs, y, arg: (1.0 / m.sqrt(1.0 - xs[0] * xs[0]),),
       domain=_in_closed_unit("asin"), sympy=lambda sp, x: sp.asin(x), aliases=("arcsin",),
       summary="inverse sine, in [-pi/2, pi/2]"),
    Op("acos", "acos", "d/dx acos(x) = -1 / sqrt(1 - x**2)  (-1 <= x <= 1; infinite at +-1)", scalar=math.acos,
       array=lambda np, x: np.arccos(x), partials=lambda m, xs, y, arg: (-1.0 / m.sqrt(1.0 - xs[0] * xs[0]),),
       domain=_in_closed_unit("acos"), sympy=lambda sp, x: sp.acos(x), aliases=("arccos",),
       summary="inverse cosine, in [0, pi]"),
    Op("atan", "atan", "d/dx atan(x) = 1 / (1 + x**2)", scalar=math.atan, array=lambda np, x: np.arctan(x),
       partials=lambda m, xs, y, arg: (1.0 / (1.0 + xs[0] * xs[0]),), sympy=lambda sp, x: sp.atan(x),
       aliases=("arctan",), summary="inverse tangent, in (-pi/2, pi/2)"),
    Op("atan2", "atan2", "d/dy atan2(y, x) = x / (x**2 + y**2),  d/dx atan2(y, x) = -y / (x**2 + y**2)",
       arity=2, params=("y", "x"), scalar=math.atan2, array=lambda np, b, a: np.arctan2(b, a),
       partials=_atan2_partials, kink=_atan2_kink, sympy=lambda sp, b, a: sp.atan2(b, a),
       summary="the angle of the point (x, y), in (-pi, pi]"),
    Op("sinh", "sinh", "d/dx sinh(x) = cosh(x)", scalar=math.sinh, array=lambda np, x: np.sinh(x),
       partials=lambda m, xs, y, arg: (m.cosh(xs[0]),), overflow=_overflows("sinh", "+-710.5"),
       sympy=lambda sp, x: sp.sinh(x), summary="hyperbolic sine"),
    Op("cosh", "cosh", "d/dx cosh(x) = sinh(x)", scalar=math.cosh, array=lambda np, x: np.cosh(x),
       partials=lambda m, xs, y, arg: (m.sinh(xs[0]),), overflow=_overflows("cosh", "+-710.5"),
       sympy=lambda sp, x: sp.cosh(x), summary="hyperbolic cosine"),
    Op("asinh", "asinh", "d/dx asinh(x) = 1 / sqrt(x**2 + 1)", scalar=math.asinh,
       array=lambda np, x: np.arcsinh(x), partials=lambda m, xs, y, arg: (1.0 / m.sqrt(xs[0] * xs[0] + 1.0),),
       sympy=lambda sp, x: sp.asinh(x), summary="inverse hyperbolic sine"),
    Op("acosh", "acosh", "d/dx acosh(x) = 1 / sqrt(x**2 - 1)  (x >= 1; infinite at 1)", scalar=math.acosh,
       array=lambda np, x: np.arccosh(x), partials=lambda m, xs, y, arg: (1.0 / m.sqrt(xs[0] * xs[0] - 1.0),),
       domain=lambda x: f"argument is {plain(x)}, acosh needs a number >= 1" if x < 1.0 else None,
       sympy=lambda sp, x: sp.acosh(x), summary="inverse hyperbolic cosine"),
    Op("atanh", "atanh", "d/dx atanh(x) = 1 / (1 - x**2)  (-1 < x < 1)", scalar=math.atanh,
       array=lambda np, x: np.arctanh(x), partials=lambda m, xs, y, arg: (1.0 / (1.0 - xs[0] * xs[0]),),
       domain=lambda x: f"argument is {plain(x)}, atanh needs a number in (-1, 1)" if abs(x) >= 1.0 else None,
       sympy=lambda sp, x: sp.atanh(x), summary="inverse hyperbolic tangent"),
    Op("sqrt", "sqrt", "d/dx sqrt(x) = 1 / (2 sqrt(x))  (x >= 0; undefined at 0)", scalar=math.sqrt,
       array=lambda np, x: np.sqrt(x), partials=lambda m, xs, y, arg: (0.5 / y,),
       domain=lambda x: f"argument is {plain(x)}, sqrt needs a number >= 0" if x < 0.0 else None,
       sympy=lambda sp, x: sp.sqrt(x), summary="square root"),
    Op("abs", "abs", "d/dx abs(x) = sign(x)  (0 at x = 0)", scalar=abs, array=lambda np, x: np.abs(x),
       partials=lambda m, xs, y, arg: (m.sign(xs[0]),), kink=lambda x: "argument is 0" if x == 0.0 else None,
       sympy=lambda sp, x: sp.Abs(x), summary="absolute value"),
    Op("sign", "sign", "d/dx sign(x) = 0  (jumps at x = 0)", scalar=_sign_scalar,
       array=lambda np, x: np.sign(x), partials=_zero_partials,
       kink=lambda x: "argument is 0: sign jumps there" if x == 0.0 else None,
       sympy=lambda sp, x: sp.sign(x), aliases=("sgn",), summary="-1, 0 or 1"),
    Op("step", "step", "d/dx step(x) = 0  (jumps at x = 0)", scalar=_step_scalar,
       array=lambda np, x: (x > 0).astype(np.float64), partials=_zero_partials,
       kink=lambda x: "argument is 0: step jumps there" if x == 0.0 else None,
       sympy=lambda sp, x: sp.Heaviside(x, 0), summary="1 if x > 0 else 0 (the slope of relu)"),
    Op("floor", "floor", "d/dx floor(x) = 0  (jumps at integers)", scalar=lambda x: float(math.floor(x)),
       array=lambda np, x: np.floor(x), partials=_zero_partials, kink=_integer_kink("floor"),
       sympy=lambda sp, x: sp.floor(x), summary="the largest integer <= x"),
    Op("ceil", "ceil", "d/dx ceil(x) = 0  (jumps at integers)", scalar=lambda x: float(math.ceil(x)),
       array=lambda np, x: np.ceil(x), partials=_zero_partials, kink=_integer_kink("ceil"),
       sympy=lambda sp, x: sp.ceiling(x), summary="the smallest integer >= x"),
    Op("round", "round", "d/dx round(x) = 0  (jumps halfway between integers)", scalar=lambda x: float(round(x)),
       array=lambda np, x: np.round(x), partials=_zero_partials, kink=_round_kink,
       sympy=lambda sp, x: sp.floor(x + sp.Rational(1, 2)), summary="the nearest integer (halves to even, as Python)"),
    Op("minimum", "min", "d/da_i min(a, b, ...) = 1 for the smallest (shared between ties), else 0", arity=None,
       params=("a", "b"), spelled="min", scalar=lambda *xs: min(xs),
       array=lambda np, *xs: _extremum_array(np, np.minimum, *xs), partials=_extremum_partials,
       kink=_extremum_kink(min), sympy=lambda sp, *xs: sp.Min(*xs), summary="the smallest argument (two or more)"),
    Op("maximum", "max", "d/da_i max(a, b, ...) = 1 for the largest (shared between ties), else 0", arity=None,
       params=("a", "b"), spelled="max", scalar=lambda *xs: max(xs),
       array=lambda np, *xs: _extremum_array(np, np.maximum, *xs), partials=_extremum_partials,
       kink=_extremum_kink(max), sympy=lambda sp, *xs: sp.Max(*xs), summary="the largest argument (two or more)"),
    Op("clip", "clip", "d/dx clip(x, lo, hi) = 1 if lo <= x <= hi,  d/dlo = 1 if x < lo,  d/dhi = 1 if x > hi",
       arity=3, params=("x", "lo", "hi"), scalar=lambda x, lo, hi: min(max(x, lo), hi),
       array=lambda np, x, lo, hi: np.clip(x, lo, hi), partials=_clip_partials, kink=_clip_kink,
       domain=lambda x, lo, hi: f"lo is {plain(lo)} and hi is {plain(hi)}: clip needs lo <= hi" if lo > hi else None,
       sympy=lambda sp, x, lo, hi: sp.Min(sp.Max(x, lo), hi), summary="x limited to [lo, hi]"),
    Op("hypot", "hypot", "d/da hypot(a, b) = a / hypot(a, b),  d/db hypot(a, b) = b / hypot(a, b)", arity=2,
       scalar=math.hypot, array=lambda np, a, b: np.hypot(a, b), partials=_hypot_partials,
       kink=lambda a, b: "both arguments are 0 (the tip of a cone)" if a == 0.0 and b == 0.0 else None,
       sympy=lambda sp, a, b: sp.sqrt(a**2 + b**2), summary="sqrt(a**2 + b**2), without overflow"),
    # tensor operations (NumPy data): reductions, shapes, products, selections
    Op("sum", "sum", "d/dx_i sum(x) = 1", usage="sum(x), sum(x, axis=0)", kind="tensor", takes_arg=True, language=True,
       scalar=lambda x, axis: x, array=lambda np, x, axis: np.sum(x, axis=axis), vjp=_sum_vjp,
       summary="the sum of the entries (all, or along an axis); Python: x.sum(axis)"),
    Op("mean", "mean", "d/dx_i mean(x) = 1/n", usage="mean(x), mean(x, axis=0)", kind="tensor", takes_arg=True,
       language=True, scalar=lambda x, axis: x, array=lambda np, x, axis: np.mean(x, axis=axis), vjp=_mean_vjp,
       summary="the mean of the entries (all, or along an axis); Python: x.mean(axis)"),
    Op("max", "max", "d/dx_i max(x) = 1 where x_i is the maximum (shared between ties), else 0",
       usage="max(x), max(x, axis=0)", kind="tensor", takes_arg=True, language=True, scalar=lambda x, axis: x,
       array=lambda np, x, axis: np.max(x, axis=axis), vjp=_extreme_vjp, kink=_tie_kink("max"),
       summary="the largest entry (all, or along an axis): one argument; max(a, b) is elementwise"),
    Op("min", "min", "d/dx_i min(x) = 1 where x_i is the minimum (shared between ties), else 0",
       usage="min(x), min(x, axis=0)", kind="tensor", takes_arg=True, language=True, scalar=lambda x, axis: x,
       array=lambda np, x, axis: np.min(x, axis=axis), vjp=_extreme_vjp, kink=_tie_kink("min"),
       summary="the smallest entry (all, or along an axis): one argument; min(a, b) is elementwise"),
    Op("matmul", "@", "d/dA (A @ B) = G @ B.T,  d/dB (A @ B) = A.T @ G", usage="A @ B", arity=2, kind="tensor",
       notation="infix", array=lambda np, a, b: np.matmul(a, b), vjp=_matmul_vjp,
       summary="matrix product; a vector is a row on the left, a column on the right, and x @ y of two "
               "vectors is their dot product"),
    Op("transpose", ".T", "d/dx transpose(x) = transpose of the gradient", usage="x.T, xᵀ, transpose(x)",
       kind="tensor", takes_arg=True, language=True, notation="postfix",
       scalar=lambda x, axes: x, array=lambda np, x, axes: np.transpose(x, axes), vjp=_transpose_vjp,
       summary="the axes reversed (rows become columns); Python: x.T, x.transpose(axes)"),
    Op("reshape", "reshape", "d/dx reshape(x) = the gradient in x's shape", usage="x.reshape(shape)", kind="tensor", takes_arg=True,
       scalar=lambda x, shape: x, array=lambda np, x, shape: np.reshape(x, shape),
       vjp=lambda m, xs, y, g, shape: (m.reshape(g, m.shape(xs[0])),)),
    Op("broadcast_to", "broadcast", "d/dx broadcast(x) = the gradient summed back to x's shape", usage="x.broadcast_to(shape)", kind="tensor",
       takes_arg=True, scalar=lambda x, shape: _numpy().full(shape, x) if shape else x,  # a number made an array
       array=lambda np, x, shape: np.broadcast_to(x, shape).copy(),
       vjp=lambda m, xs, y, g, shape: (m.sum_to(g, m.shape(xs[0])),)),
    Op("sum_to", "sum_to", "d/dx sum_to(x) = the gradient broadcast back to x's shape", usage="x.sum_to(shape)", summary="internal: sums a gradient back over broadcast axes", kind="tensor",
       takes_arg=True, scalar=lambda x, shape: x, array=_sum_to_array,
       vjp=lambda m, xs, y, g, shape: (m.broadcast_to(g, m.shape(xs[0])),)),
    Op("getitem", "[]", "d/dx x[i] = 1 at the picked entries, 0 elsewhere", usage="x[i], x[1:3, 0]", kind="tensor",
       takes_arg=True, notation="index", array=lambda np, x, index: np.array(x[index], dtype=np.float64),
       summary="entries picked by whole numbers and slices (counting from 0; -1 is the last)",
       vjp=lambda m, xs, y, g, index: (m.put(g, (index, m.shape(xs[0]))),)),
    Op("put", "put", "d/dg put(g) = the gradient at the picked entries", usage="put(g)", summary="internal: the gradient of x[i], zeros elsewhere", kind="tensor", takes_arg=True,
       array=_put_array, vjp=lambda m, xs, y, g, arg: (m.getitem(g, arg[0]),)),
    Op("concat", "concat", "d/dx_i concat(x) = the gradient's slice of x_i", usage="Value.concat([a, b], axis)", arity=None, kind="tensor",
       takes_arg=True, array=lambda np, *xs: np.concatenate(xs[:-1], axis=xs[-1]), vjp=_concat_vjp),
    Op("stack", "[ ]", "d/dx_i [x_1, ..., x_n] = entry i of the gradient", usage="[a, b, ...]", arity=None,
       kind="tensor", notation="list", array=lambda np, *xs: np.stack(xs), vjp=_stack_vjp,
       summary="an array of values of one shape (a list with a variable in it: [x1, 2*x2])"),
    Op("softmax", "softmax", "d/dx softmax(x) = y * (g - sum(g * y))", usage="softmax(x), softmax(x, axis=-1)",
       kind="tensor", takes_arg=True, language=True, array=_softmax_array, vjp=_softmax_vjp,
       summary="exp(x) / sum(exp(x)) over all entries or along an axis, computed stably"),
    Op("log_softmax", "log_softmax", "d/dx log_softmax(x) = g - softmax(x) * sum(g)",
       usage="log_softmax(x), log_softmax(x, axis=-1)", kind="tensor", takes_arg=True, language=True,
       array=_log_softmax_array, vjp=_log_softmax_vjp, summary="x - log(sum(exp(x))), computed stably"),
    Op("where", "where", "d/da where(c, a, b) = c,  d/db where(c, a, b) = 1 - c", usage="Value.where(c, a, b)", arity=2, kind="tensor",
       takes_arg=True, array=lambda np, a, b, cond: np.where(cond, a, b),
       partials=lambda m, xs, y, cond: (m.where(cond, 1.0, 0.0), m.where(cond, 0.0, 1.0))),
)


def _add_all(xs):
    total = xs[0]
    for x in xs[1:]:
        total = total + x
    return total


OPS: dict[str, Op] = {op.name: op for op in _RECORDS}

# The parser's view: functions callable in expressions, and the infix operators.
FUNCTIONS: dict[str, Op] = {name: op for name, op in OPS.items() if op.kind == "function"}
OPERATORS: dict[str, Op] = {name: op for name, op in OPS.items() if op.kind == "operator"}


def callable_names() -> dict:
    """Every name an expression may call -> its records, fewest inputs first (``log`` -> log, log_base).

    Made from the records (their ``call_name`` and ``aliases``) each time: ``engine.register`` may
    add a function at any moment.
    """
    calls: dict[str, list] = {}
    for op in OPS.values():
        if op.kind == "function" or op.spelled or op.language:
            for spelling in (op.call_name, *op.aliases):
                calls.setdefault(spelling, []).append(op)
    for records in calls.values():
        records.sort(key=lambda op: op.least_inputs)
    return calls


def function_list() -> str:
    """The functions of the expression language as --help lists them: ``exp, log, ..., swish (silu)``."""
    seen, words = set(), []
    for op in OPS.values():
        if (op.kind == "function" or op.spelled or op.language) and op.call_name not in seen:
            seen.add(op.call_name)
            words.append(op.call_name + (f" ({', '.join(op.aliases)})" if op.aliases else ""))
    return ", ".join(words)

CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}

FLOATS = _float_space()


def op_symbol(node) -> str:
    """How a node's operation is shown: ``+``, ``tanh``, ``**2`` (leaves: ``""``)."""
    if not node.op:
        return ""
    op = OPS.get(node.op)
    return symbol_of(op, node.arg) if op else node.op


def local_derivatives(node) -> list | None:
    """d node / d input for each input at the current values (floats or arrays); None for a tensor op.

    The very rule the engine's backward pass applies: the contribution of
    input i is ``local_derivatives(node)[i] * node.grad`` (summed back over
    broadcast axes for arrays).
    """
    op = OPS[node.op]
    if op.partials is None:
        return None
    xs = tuple(v.data for v in node.inputs)
    scalar = node.data.__class__ is float and all(x.__class__ is float for x in xs)
    m = FLOATS if scalar else arrays()
    if scalar:
        try:
            return list(op.partials(m, xs, node.data, node.arg))
        except ZeroDivisionError:  # sqrt at 0: an infinite slope
            return [math.inf]
    np = _numpy()
    with np.errstate(all="ignore"):
        return list(op.partials(m, xs, node.data, node.arg))
