"""Each backward step as a written rule: the op record's own derivative rule applied to names.

``grad --explain`` shows, next to the numbers of every edge, which rule was
used and what it says in the inputs' names: "product rule: ∂(x1*w1)/∂x1 = w1",
"chain rule through tanh: 1 - tanh(n)²".  The formula is not a second copy of
the rules: the record's ``partials`` is applied over ``TERMS``, a math space
whose numbers are small formula trees (``Term``) that also carry their value,
so a rule that branches (relu, leaky_relu, max) takes the branch the point
takes, exactly as the engine does::

    >>> from gradcli.autograd.engine import Value
    >>> x, w = Value(2.0, "x1"), Value(-3.0, "w1")
    >>> n = x * w
    >>> rule, (dx, dw) = local_rules(n, term_of=lambda v: Term.name(v.label, v.data))
    >>> rule, dx.text(), dw.text()
    ('product rule', 'w1', 'x1')
    >>> t = n.tanh()
    >>> rule, (dn,) = local_rules(t, term_of=lambda v: Term.name("n", v.data))
    >>> rule, dn.text(), dn.latex()
    ('chain rule through tanh', '1 - tanh(n)²', '1 - \\\\tanh\\\\left(n\\\\right)^{2}')

A ``Term`` prints two ways: as gradcli's own notation (``text``: it parses
back, with ``²`` for small integer powers unless ``pretty=False``) and as
LaTeX (``latex``).  Only constant folding and the obvious identities are
simplified (``1*x`` is ``x``, ``x*x`` is ``x²``, ``(a/b)/b`` is ``a/b²``);
no computer algebra is imported, so ``grad --explain`` stays as quick to start
as ``grad``.  ``latex_name`` spells a variable the way the LaTeX outputs do
(``w1`` is ``w_{1}``, ``theta`` and ``θ`` are ``\\theta``).
"""

from __future__ import annotations

import math
import re

from ..numbers import exact, plain
from .ops import FLOATS, FUNCTIONS, OPS, MathSpace, arg_text, index_text

__all__ = ["Term", "TERMS", "rule_name", "local_rules", "node_term", "latex_name", "latex_number"]

_RULES = {"+": "sum rule", "-": "difference rule", "*": "product rule", "/": "quotient rule",
          "**": "power rule", "pow": "power rule with a variable exponent", "neg": "negation"}


def rule_name(op_name: str) -> str:
    """What a student calls the step: "product rule", "chain rule through tanh"."""
    return _RULES.get(op_name) or f"chain rule through {OPS[op_name].symbol}"


# how tightly each kind of term binds, as the parser reads them (program.py's labels use the same)
SUM, PRODUCT, UNARY, POWER, ATOM = 10, 20, 30, 40, 50
_BINDS = {"+": SUM, "-": SUM, "*": PRODUCT, "/": PRODUCT, "matmul": PRODUCT, "neg": UNARY, "**": POWER}
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")

# constants the rules use, written as a reader knows them (log2's rule divides by log(2))
_KNOWN = {math.log(2.0): ("log(2)", r"\log\left(2\right)"), math.log(10.0): ("log(10)", r"\log\left(10\right)"),
          math.pi: ("pi", r"\pi"), math.e: ("e", "e"),
          math.sqrt(2.0 / math.pi): ("sqrt(2/pi)", r"\sqrt{2/\pi}")}


class Term:
    """A formula tree with its value: ``kind`` is "num", "name" or an op record's name (``+``, ``tanh``).

    ``args`` are Terms; ``arg`` is the number of a "num", the text of a
    "name" (with its binding strength in ``binds``) or the constant exponent
    of ``**``.  Build them with the constructors below (they fold constants),
    or with Python's operators.
    """

    __slots__ = ("kind", "args", "arg", "value", "binds")

    def __init__(self, kind: str, args: tuple = (), arg=None, value: float = math.nan, binds: int = ATOM):
        self.kind, self.args, self.arg, self.value, self.binds = kind, args, arg, value, binds

    def __repr__(self) -> str:
        return f"Term({self.text()!r} = {self.value!r})"

    # -- constructors ----------------------------------------------------------------

    @staticmethod
    def number(x: float) -> "Term":
        x = float(x)
        return Term("num", (), x, x, UNARY if x < 0 else ATOM)

    @staticmethod
    def name(text: str, value: float = math.nan, binds: int = ATOM) -> "Term":
        """A named quantity (a variable, a step, or a sub-expression written out, binding as ``binds``)."""
        return Term("name", (), text, value, binds)

    @staticmethod
    def call(op_name: str, args: tuple) -> "Term":
        """An op record applied to Terms (a function call, or an operator by its record's name)."""
        args = tuple(as_term(a) for a in args)
        value = _safely(lambda: OPS[op_name].scalar(*(a.value for a in args)))
        if all(a.kind == "num" for a in args) and math.isfinite(value) and op_name in ("+", "-", "*", "neg"):
            return Term.number(value)
        return Term(op_name, args, None, value, _BINDS.get(op_name, ATOM))

    # -- arithmetic, simplified as far as is obvious --------------------------------------

    def __add__(self, other):
        a, b = self, as_term(other)
        if a.kind == "num" and b.kind == "num":
            return Term.number(a.value + b.value)
        if _is(a, 0.0):
            return b
        if _is(b, 0.0):
            return a
        if b.kind == "neg":
            return a - b.args[0]
        if b.kind == "num" and b.value < 0:
            return a - Term.number(-b.value)
        return Term("+", (a, b), None, a.value + b.value, SUM)

    def __radd__(self, other):
        return as_term(other) + self

    def __sub__(self, other):
        a, b = self, as_term(other)
        if a.kind == "num" and b.kind == "num":
            return Term.number(a.value - b.value)
        if _is(b, 0.0):
            return a
        if _is(a, 0.0):
            return -b
        if b.kind == "neg":
            return a + b.args[0]
        if b.kind == "num" and b.value < 0:
            return a + Term.number(-b.value)
        return Term("-", (a, b), None, a.value - b.value, SUM)

    def __rsub__(self, other):
        return as_term(other) - self

    def __mul__(self, other):
        a, b = self, as_term(other)
        if a.kind == "num" and b.kind == "num":
            return Term.number(a.value * b.value)
        if _is(a, 0.0) or _is(b, 0.0):
            return Term.number(0.0)
        if _is(a, 1.0):
            return b
        if _is(b, 1.0):
            return a
        if _is(a, -1.0):
            return -b
        if _is(b, -1.0):
            return -a
        if a.kind == "neg":
            return -(a.args[0] * b)
        if b.kind == "neg":
            return -(a * b.args[0])
        if b.kind == "num":  # numbers first: 2*x, not x*2
            a, b = b, a
        if a.text() == b.text():
            return a ** 2.0
        if a.kind == "**" and a.args[0].text() == b.text():  # x**2*x is x**3
            return a.args[0] ** (a.arg + 1.0)
        if a.kind == "/":  # (p/q)*b is p*b/q
            return (a.args[0] * b) / a.args[1]
        return Term("*", (a, b), None, a.value * b.value, PRODUCT)

    def __rmul__(self, other):
        return as_term(other) * self

    def __truediv__(self, other):
        a, b = self, as_term(other)
        if a.kind == "num" and b.kind == "num" and b.value != 0.0:
            return Term.number(a.value / b.value)
        if _is(b, 1.0):
            return a
        if _is(a, 0.0):
            return Term.number(0.0)
        if a.kind == "neg":
            return -(a.args[0] / b)
        if a.kind == "/":  # (p/q)/b is p/(q*b): -y/b with y = a/b reads -a/b²
            return a.args[0] / (a.args[1] * b)
        value = _safely(lambda: a.value / b.value)
        return Term("/", (a, b), None, value, PRODUCT)

    def __rtruediv__(self, other):
        return as_term(other) / self

    def __neg__(self):
        if self.kind == "num":
            return Term.number(-self.value)
        if self.kind == "neg":
            return self.args[0]
        return Term("neg", (self,), None, -self.value, UNARY)

    def __pow__(self, exponent):
        if isinstance(exponent, Term):
            if exponent.kind != "num":
                return Term("pow", (self, exponent), None, _safely(lambda: self.value ** exponent.value), POWER)
            exponent = exponent.value
        n = float(exponent)
        if n == 1.0:
            return self
        if n == 0.0:
            return Term.number(1.0)
        if self.kind == "num":
            return Term.number(_safely(lambda: self.value ** n))
        if self.kind == "**":  # (x**a)**b is x**(a*b) for the integer powers rules make
            return self.args[0] ** (self.arg * n)
        return Term("**", (self,), n, _safely(lambda: self.value ** n), POWER)

    def __rpow__(self, base):
        return as_term(base) ** self

    # -- printing ---------------------------------------------------------------------

    def text(self, pretty: bool = True) -> str:
        """gradcli's notation (it parses back): ``1 - tanh(n)²``; ``pretty=False`` writes ``**2``."""
        return _text(self, pretty)

    def latex(self) -> str:
        """The formula in LaTeX: ``1 - \\tanh\\left(n\\right)^{2}``."""
        return _latex(self)


def as_term(x) -> Term:
    return x if isinstance(x, Term) else Term.number(float(x))


def _is(term: Term, number: float) -> bool:
    return term.kind == "num" and term.value == number


def _safely(compute) -> float:
    """A value for a term (only branches read it): nan where the float arithmetic fails."""
    try:
        return float(compute())
    except (ZeroDivisionError, OverflowError, ValueError, TypeError):
        return math.nan


# -- the math space over Terms ---------------------------------------------------------------


def _terms_space() -> MathSpace:
    m = MathSpace("formulas")
    for name in FUNCTIONS:
        setattr(m, name, lambda *xs, _name=name: Term.call(_name, xs))
    m.data = lambda v: v.value if isinstance(v, Term) else v
    m.where = lambda condition, a, b: a if condition else b  # the branch the point takes
    m.shape = lambda v: ()
    m.sum_to = lambda g, shape: g
    m.broadcast_to = lambda g, shape: g
    m.is_array = lambda v: False
    return m


TERMS = _terms_space()


def node_term(node, term_of) -> Term:
    """The node written from its inputs (``term_of(input)`` gives each input's Term): ``tanh(n)``."""
    inputs = tuple(term_of(child) for child in node.inputs)
    if node.op == "**":
        return inputs[0] ** float(node.arg)
    if node.op == "+":  # one node may add many inputs (a neuron's w.x + b): written left to right
        total = inputs[0]
        for term in inputs[1:]:
            total = Term("+", (total, term), None, math.nan, SUM)
        total.value = node.data
        return total
    if node.op in ("-", "*", "/"):
        a, b = inputs
        return Term(node.op, (a, b), None, node.data, _BINDS[node.op])
    if node.op == "neg":
        return Term("neg", inputs, None, node.data, UNARY)
    arg = node.arg if OPS[node.op].takes_arg else None  # a tensor op's index or axis: x[0], sum(x, axis=0)
    return Term(node.op, inputs, arg, node.data, _BINDS.get(node.op, ATOM))


def local_rules(node, term_of) -> tuple:
    """(rule name, [d node / d input_i as a Term] or None) for one backward step.

    ``term_of(value)`` is how an input is written (its name, or its
    sub-expression); the rule is the record's ``partials`` applied over
    ``TERMS``.  A tensor operation (no elementwise rule) gives None.
    """
    op = OPS[node.op]
    if op.partials is None or node.data.__class__ is not float:  # a float out of an elementwise op: floats in
        return rule_name(node.op), None
    xs = tuple(term_of(child) for child in node.inputs)
    y = node_term(node, term_of)
    arg = node.arg
    return rule_name(node.op), [as_term(p) for p in op.partials(TERMS, xs, y, arg)]


# -- printing: gradcli's notation -----------------------------------------------------------


def _number_text(x: float) -> str:
    for known, (text, _) in _KNOWN.items():
        if x == known:
            return text
    return exact(x) if x.is_integer() else plain(x) if abs(x) >= 1e-4 else exact(x)


def _text(term: Term, pretty: bool) -> str:
    kind = term.kind
    if kind == "num":
        return _number_text(term.value)
    if kind == "name":
        return term.arg

    def part(child: Term, parens: bool) -> str:
        inner = _text(child, pretty)
        return f"({inner})" if parens else inner

    if kind in ("+", "-"):
        left, right = term.args
        return f"{part(left, left.binds < SUM)} {kind} {part(right, right.binds <= SUM)}"
    if kind in ("*", "/"):
        left, right = term.args
        return f"{part(left, left.binds < PRODUCT)}{kind}{part(right, right.binds <= PRODUCT)}"
    if kind == "neg":
        (child,) = term.args
        return "-" + part(child, child.binds < PRODUCT)  # -a*b and -a/b read as -(a*b), -(a/b)
    if kind == "**":
        (base,) = term.args
        n = term.arg
        shown = part(base, base.binds <= POWER)
        if pretty and n.is_integer() and -9 <= n <= 9:
            return shown + str(int(n)).translate(_SUPERSCRIPT)
        return f"{shown}**{_number_text(n)}" if n >= 0 else f"{shown}**({_number_text(n)})"
    if kind == "pow":
        base, exponent = term.args
        return f"{part(base, base.binds <= POWER)}**{part(exponent, exponent.binds < UNARY)}"
    op = OPS[kind]
    if op.kind == "tensor":  # as the expression writes it: x[0], M.T, A @ B, sum(x, axis=0)
        return op.write(_tensor_args(term, part), term.arg)
    return f"{op.call_name}({', '.join(_text(a, pretty) for a in term.args)})"


def _tensor_args(term: Term, part) -> list:
    """A tensor op's inputs written by ``part(child, parens)``, in parentheses where its notation needs them."""
    notation = OPS[term.kind].notation
    if notation == "infix":  # A @ B binds as * does
        left, right = term.args
        return [part(left, left.binds < PRODUCT), part(right, right.binds <= PRODUCT)]
    tight = notation in ("index", "postfix")  # (a + b)[0], (A @ B).T
    return [part(child, tight and child.binds < ATOM) for child in term.args]


# -- printing: LaTeX ---------------------------------------------------------------------------

_LATEX_CALLS = {"sin": r"\sin", "cos": r"\cos", "tan": r"\tan", "sinh": r"\sinh", "cosh": r"\cosh",
                "tanh": r"\tanh", "asin": r"\arcsin", "acos": r"\arccos", "atan": r"\arctan", "log": r"\log",
                "sigmoid": r"\sigma", "maximum": r"\max", "minimum": r"\min", "log2": r"\log_{2}",
                "log10": r"\log_{10}"}
_LATEX_SHAPES = {"sqrt": r"\sqrt{{{0}}}", "abs": r"\left|{0}\right|", "exp": "e^{{{0}}}", "exp2": "2^{{{0}}}",
                 "floor": r"\left\lfloor {0} \right\rfloor", "ceil": r"\left\lceil {0} \right\rceil",
                 "log_base": r"\log_{{{1}}}\left({0}\right)"}
_GREEK = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau upsilon "
          "phi chi psi omega").split()
_GREEK_LETTERS = dict(zip("αβγδεζηθικλμνξπρστυφχψω", _GREEK))
_GREEK_CAPITALS = {"Γ": "Gamma", "Δ": "Delta", "Θ": "Theta", "Λ": "Lambda", "Ξ": "Xi", "Π": "Pi", "Σ": "Sigma",
                   "Φ": "Phi", "Ψ": "Psi", "Ω": "Omega"}
_NAME_PARTS = re.compile(r"([^\W\d_]+?)_?(\d*)\Z")


_ENTRY = re.compile(r"(.+?)\[(\d+(?:, \d+)*)\]\Z")  # an array's entry: x[0], M[0, 1]


def latex_name(name: str) -> str:
    """A variable or step in LaTeX: ``w1`` -> ``w_{1}``, ``theta`` and ``θ`` -> ``\\theta``, ``lr`` -> ``lr``;
    an array's entry ``x[0]`` -> ``x_{0}``, ``M[0, 1]`` -> ``M_{0,1}``, ``w1[2]`` -> ``{w_{1}}_{2}``."""
    entry = _ENTRY.match(name)
    if entry:
        base, index = latex_name(entry.group(1)), entry.group(2).replace(" ", "")
        return f"{{{base}}}_{{{index}}}" if "_" in base else f"{base}_{{{index}}}"
    match = _NAME_PARTS.match(name)
    if not match:
        return r"\mathrm{" + name.replace("_", r"\_") + "}"
    base, digits = match.groups()
    if base in _GREEK_LETTERS:
        base = "\\" + _GREEK_LETTERS[base]
    elif base in _GREEK_CAPITALS:
        base = "\\" + _GREEK_CAPITALS[base]
    elif base in _GREEK or base.capitalize() in _GREEK_CAPITALS.values():
        base = "\\" + base
    return f"{base}_{{{digits}}}" if digits else base


def latex_number(x: float) -> str:
    for known, (_, latex) in _KNOWN.items():
        if x == known:
            return latex
    text = _number_text(x)
    if "e" in text and text not in ("e",):
        mantissa, _, power = text.partition("e")
        return rf"{mantissa} \cdot 10^{{{int(power)}}}"
    return text


def _latex(term: Term) -> str:
    kind = term.kind
    if kind == "num":
        return latex_number(term.value)
    if kind == "name":
        return _latex_text_name(term.arg)

    def part(child: Term, parens: bool) -> str:
        inner = _latex(child)
        return rf"\left({inner}\right)" if parens else inner

    if kind in ("+", "-"):
        left, right = term.args
        return f"{part(left, left.binds < SUM)} {kind} {part(right, right.binds <= SUM)}"
    if kind == "*":
        left, right = term.args
        right_text = part(right, right.binds < PRODUCT)
        joiner = r" \cdot " if right_text[:1].isdigit() or right.kind == "num" else " "
        return part(left, left.binds < PRODUCT) + joiner + right_text
    if kind == "/":
        left, right = term.args
        return rf"\frac{{{_latex(left)}}}{{{_latex(right)}}}"
    if kind == "neg":
        (child,) = term.args
        return "-" + part(child, child.binds < PRODUCT)
    if kind in ("**", "pow"):
        base = term.args[0]
        exponent = latex_number(term.arg) if kind == "**" else _latex(term.args[1])
        if kind == "**" and term.arg == 0.5:
            return rf"\sqrt{{{_latex(base)}}}"
        return f"{part(base, base.binds <= POWER)}^{{{exponent}}}"
    op = OPS[kind]
    if op.kind == "tensor":
        args = _tensor_args(term, part)
        if op.notation == "index":
            return rf"{args[0]}\left[{index_text(term.arg)}\right]"
        if op.notation == "postfix" and term.arg is None:
            return rf"{args[0]}^{{\top}}"
        if op.notation == "infix":
            return rf"{args[0]} \mathbin{{{op.symbol}}} {args[1]}"
        if op.notation == "list":
            return rf"\left[{', '.join(args)}\right]"
        if op.takes_arg and term.arg is not None:
            args.append(rf"\mathrm{{{op.arg_name}}}={arg_text(term.arg)}")
    else:
        args = [_latex(a) for a in term.args]
    if kind in _LATEX_SHAPES:  # written around their argument: a root, bars, a power of e
        return _LATEX_SHAPES[kind].format(*args)
    name = _LATEX_CALLS.get(kind) or r"\operatorname{" + OPS[kind].call_name.replace("_", r"\_") + "}"
    return rf"{name}\left({', '.join(args)}\right)"


def _latex_text_name(text: str) -> str:
    """A name, or a sub-expression written out in gradcli's notation (typewriter, as written)."""
    if _NAME_PARTS.match(text):
        return latex_name(text)
    escaped = text.replace("\\", r"\backslash ").replace("_", r"\_").replace("{", r"\{").replace("}", r"\}")
    return r"\mathtt{" + escaped + "}"
