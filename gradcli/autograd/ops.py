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
           "op_symbol", "local_derivatives"]


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
    kink: Callable | None = None  # floats -> True where the function is not differentiable
    sympy: Callable | None = None  # forward on sympy expressions: sympy(sp, *xs) (or with arg)
    takes_arg: bool = False  # the node carries a constant operand in Value.arg
    notation: str = "call"  # how a node is written from its inputs: infix, prefix, power, call
    roles: tuple = ()  # names of the inputs on the edges of a drawing ("num", "den")
    summary: str = ""  # one line for --help and the docs' table of functions
    usage: str = ""  # how it is written, for the docs: "a + b"; functions default to "name(x)"

    @property
    def written(self) -> str:
        """How the operation is written in an expression (``a + b``, ``tanh(x)``)."""
        if self.usage:
            return self.usage
        args = ", ".join("abcd"[i] for i in range(self.arity)) if self.arity and self.arity > 1 else "x"
        return f"{self.name}({args})"

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
        extra = [] if arg is None or not self.takes_arg else [f"{self.arg_name}={arg_text(arg)}"]
        return f"{self.symbol}({', '.join(list(args) + extra)})"

    @property
    def arg_name(self) -> str:
        return {"sum": "axis", "mean": "axis", "max": "axis", "softmax": "axis", "log_softmax": "axis",
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
        if op.scalar is not None and op.kind == "function":
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


def _max_vjp(m, xs, y, g, axis):
    # the gradient goes to the entries equal to the maximum, shared evenly between ties
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


def _matmul_vjp(m, xs, y, g, arg):
    a, b = xs
    sa, sb = m.shape(a), m.shape(b)
    if len(sa) == 1 and len(sb) == 1:  # a dot product: a scalar
        return g * b, g * a
    if len(sa) == 1:  # (n,) @ (n, k) -> (k,)
        return m.matmul(b, g), m.matmul(m.reshape(a, (sa[0], 1)), m.reshape(g, (1, sb[-1])))
    if len(sb) == 1:  # (k, n) @ (n,) -> (k,)
        return m.matmul(m.reshape(g, (sa[0], 1)), m.reshape(b, (1, sb[0]))), m.matmul(m.transpose(a, None), g)
    ga = m.matmul(g, m.transpose(b, _swap_last(len(sb))))
    gb = m.matmul(m.transpose(a, _swap_last(len(sa))), g)
    return m.sum_to(ga, sa), m.sum_to(gb, sb)


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
    Op("pow", "**", "d/da a**b = b * a**(b-1),  d/db a**b = a**b * log(a)", usage="a**b", summary="b contains a variable: two inputs (op **), a >= 0", arity=2, kind="operator",
       notation="infix", scalar=math.pow, array=lambda np, a, b: np.power(a, b), partials=_pow_partials,
       domain=_pow_domain, overflow=lambda a, b: f"{plain(a)} to the power {plain(b)} overflows a float",
       roles=("base", "exp"), sympy=lambda sp, a, b: a ** b),
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
       sympy=lambda sp, x: sp.log(x), summary="natural logarithm"),
    Op("tanh", "tanh", "d/dx tanh(x) = 1 - tanh(x)**2", scalar=math.tanh, array=lambda np, x: np.tanh(x),
       partials=lambda m, xs, y, arg: (1.0 - y * y,), sympy=lambda sp, x: sp.tanh(x),
       summary="hyperbolic tangent"),
    Op("sigmoid", "sigmoid", "d/dx sigmoid(x) = sigmoid(x) * (1 - sigmoid(x))", scalar=_sigmoid_scalar,
       array=_sigmoid_array, partials=lambda m, xs, y, arg: (y * (1.0 - y),),
       sympy=lambda sp, x: 1 / (1 + sp.exp(-x)), summary="1 / (1 + exp(-x))"),
    Op("relu", "relu", "d/dx relu(x) = 1 if x > 0 else 0  (0 at x = 0)", scalar=lambda x: x if x > 0.0 else 0.0,
       array=lambda np, x: np.maximum(x, 0.0), partials=lambda m, xs, y, arg: (m.step(xs[0]),),
       kink=lambda x: x == 0.0, sympy=lambda sp, x: sp.Max(x, 0), summary="max(x, 0)"),
    Op("softplus", "softplus", "d/dx softplus(x) = sigmoid(x)",
       scalar=lambda x: max(x, 0.0) + math.log1p(math.exp(-abs(x))), array=lambda np, x: np.logaddexp(0.0, x),
       partials=lambda m, xs, y, arg: (m.sigmoid(xs[0]),),
       sympy=lambda sp, x: sp.log(1 + sp.exp(x)), summary="log(1 + exp(x)), a smooth relu"),
    Op("sin", "sin", "d/dx sin(x) = cos(x)", scalar=math.sin, array=lambda np, x: np.sin(x),
       partials=lambda m, xs, y, arg: (m.cos(xs[0]),), sympy=lambda sp, x: sp.sin(x), summary="sine (radians)"),
    Op("cos", "cos", "d/dx cos(x) = -sin(x)", scalar=math.cos, array=lambda np, x: np.cos(x),
       partials=lambda m, xs, y, arg: (-m.sin(xs[0]),), sympy=lambda sp, x: sp.cos(x),
       summary="cosine (radians)"),
    Op("sqrt", "sqrt", "d/dx sqrt(x) = 1 / (2 sqrt(x))  (x >= 0; undefined at 0)", scalar=math.sqrt,
       array=lambda np, x: np.sqrt(x), partials=lambda m, xs, y, arg: (0.5 / y,),
       domain=lambda x: f"argument is {plain(x)}, sqrt needs a number >= 0" if x < 0.0 else None,
       sympy=lambda sp, x: sp.sqrt(x), summary="square root"),
    Op("abs", "abs", "d/dx abs(x) = sign(x)  (0 at x = 0)", scalar=abs, array=lambda np, x: np.abs(x),
       partials=lambda m, xs, y, arg: (m.sign(xs[0]),), kink=lambda x: x == 0.0,
       sympy=lambda sp, x: sp.Abs(x), summary="absolute value"),
    Op("sign", "sign", "d/dx sign(x) = 0  (jumps at x = 0)", scalar=_sign_scalar,
       array=lambda np, x: np.sign(x), partials=_zero_partials, kink=lambda x: x == 0.0,
       sympy=lambda sp, x: sp.sign(x), summary="-1, 0 or 1"),
    Op("step", "step", "d/dx step(x) = 0  (jumps at x = 0)", scalar=_step_scalar,
       array=lambda np, x: (x > 0).astype(np.float64), partials=_zero_partials, kink=lambda x: x == 0.0,
       sympy=lambda sp, x: sp.Heaviside(x, 0), summary="1 if x > 0 else 0 (the slope of relu)"),
    # tensor operations (NumPy data): reductions, shapes, products, selections
    Op("sum", "sum", "d/dx_i sum(x) = 1", usage="x.sum(axis)", kind="tensor", takes_arg=True,
       scalar=lambda x, axis: x, array=lambda np, x, axis: np.sum(x, axis=axis), vjp=_sum_vjp),
    Op("mean", "mean", "d/dx_i mean(x) = 1/n", usage="x.mean(axis)", kind="tensor", takes_arg=True,
       scalar=lambda x, axis: x, array=lambda np, x, axis: np.mean(x, axis=axis), vjp=_mean_vjp),
    Op("max", "max", "d/dx_i max(x) = 1 where x_i is the maximum (shared between ties), else 0", usage="x.max(axis)", kind="tensor",
       takes_arg=True, scalar=lambda x, axis: x, array=lambda np, x, axis: np.max(x, axis=axis), vjp=_max_vjp),
    Op("matmul", "@", "d/dA (A @ B) = G @ B.T,  d/dB (A @ B) = A.T @ G", usage="A @ B", arity=2, kind="tensor", notation="infix",
       array=lambda np, a, b: np.matmul(a, b), vjp=_matmul_vjp),
    Op("transpose", "T", "d/dx transpose(x) = transpose of the gradient", usage="x.T, x.transpose(axes)", kind="tensor", takes_arg=True,
       array=lambda np, x, axes: np.transpose(x, axes), vjp=_transpose_vjp),
    Op("reshape", "reshape", "d/dx reshape(x) = the gradient in x's shape", usage="x.reshape(shape)", kind="tensor", takes_arg=True,
       scalar=lambda x, shape: x, array=lambda np, x, shape: np.reshape(x, shape),
       vjp=lambda m, xs, y, g, shape: (m.reshape(g, m.shape(xs[0])),)),
    Op("broadcast_to", "broadcast", "d/dx broadcast(x) = the gradient summed back to x's shape", usage="x.broadcast_to(shape)", kind="tensor",
       takes_arg=True, scalar=lambda x, shape: x, array=lambda np, x, shape: np.broadcast_to(x, shape).copy(),
       vjp=lambda m, xs, y, g, shape: (m.sum_to(g, m.shape(xs[0])),)),
    Op("sum_to", "sum_to", "d/dx sum_to(x) = the gradient broadcast back to x's shape", usage="x.sum_to(shape)", summary="internal: sums a gradient back over broadcast axes", kind="tensor",
       takes_arg=True, scalar=lambda x, shape: x, array=_sum_to_array,
       vjp=lambda m, xs, y, g, shape: (m.broadcast_to(g, m.shape(xs[0])),)),
    Op("getitem", "[]", "d/dx x[i] = 1 at the picked entries, 0 elsewhere", usage="x[i], x[1:3, 0]", kind="tensor", takes_arg=True,
       array=lambda np, x, index: np.array(x[index], dtype=np.float64),
       vjp=lambda m, xs, y, g, index: (m.put(g, (index, m.shape(xs[0]))),)),
    Op("put", "put", "d/dg put(g) = the gradient at the picked entries", usage="put(g)", summary="internal: the gradient of x[i], zeros elsewhere", kind="tensor", takes_arg=True,
       array=_put_array, vjp=lambda m, xs, y, g, arg: (m.getitem(g, arg[0]),)),
    Op("concat", "concat", "d/dx_i concat(x) = the gradient's slice of x_i", usage="Value.concat([a, b], axis)", arity=None, kind="tensor",
       takes_arg=True, array=lambda np, *xs: np.concatenate(xs[:-1], axis=xs[-1]), vjp=_concat_vjp),
    Op("softmax", "softmax", "d/dx softmax(x) = y * (g - sum(g * y))", usage="x.softmax(axis)", kind="tensor", takes_arg=True,
       array=_softmax_array, vjp=_softmax_vjp),
    Op("log_softmax", "log_softmax", "d/dx log_softmax(x) = g - softmax(x) * sum(g)", usage="x.log_softmax(axis)", kind="tensor",
       takes_arg=True, array=_log_softmax_array, vjp=_log_softmax_vjp),
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
