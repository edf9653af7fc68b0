"""Expressions as text -> a ``Value`` graph, with a safe parser of our own.

The grammar (usual precedence, ``**`` right-associative, ``-x**2`` is ``-(x**2)``)::

    expr    := term (('+' | '-') term)*
    term    := unary (('*' | '/') unary)*
    unary   := ('-' | '+') unary | power
    power   := atom (('**' | '^') unary)?
    atom    := NUMBER | NAME | FUNCTION '(' expr ')' | '(' expr ')'

NAME is ``[A-Za-z_][A-Za-z0-9_]*``: one of the constants ``pi`` and ``e``, or
a variable.  FUNCTION is one of ``ops.FUNCTIONS``.  Nothing is ever handed to
Python's ``eval``: the text is tokenised and parsed here, and the only things
an expression can do are the operations in ``ops.py``.

Usage::

    >>> from gradcli.autograd.expr import parse
    >>> expression = parse("3*x**2 - 4*x + 5")
    >>> graph = expression.evaluate({"x": 3.0})
    >>> graph.output.data
    20.0
    >>> graph.backward(); graph.gradients()
    {'x': 14.0}
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from ..numbers import plain
from .engine import Value, apply, topological_order
from ..errors import DomainError, ExprError, MissingValuesError
from .ops import CONSTANTS, FUNCTIONS

MAX_LENGTH = 5000  # characters in an expression
MAX_DEPTH = 100  # nested parentheses, function calls, unary signs and powers
MAX_NODES = 2000  # operations and operands in one expression

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>\*\*|[-+*/^(),])
    """,
    re.VERBOSE,
)

# binding powers: higher binds tighter
_BINARY = {"+": 10, "-": 10, "*": 20, "/": 20, "**": 40}
_UNARY_POWER = 30
_ATOM = 50  # precedence of numbers, names, calls and parenthesised groups


@dataclass
class Token:
    kind: str  # number, name, op, end
    text: str
    start: int  # 0-based index into the expression


@dataclass
class Node:
    """A parsed sub-expression.  ``label`` is its canonical text (spacing normalised)."""

    kind: str  # num, const, var, neg, binary, call
    label: str
    precedence: int
    start: int
    end: int
    op: str = ""  # binary: + - * / **; call: the function name
    children: tuple = ()
    number: float = 0.0  # num and const
    has_variables: bool = False


@dataclass
class Graph:
    """An evaluated expression: the output Value and its variable leaves."""

    expression: str
    output: Value
    variables: dict  # name -> leaf Value, in order of first appearance
    underflows: list = field(default_factory=list)  # labels of nodes whose value underflowed to 0

    def backward(self) -> None:
        self.output.backward()

    def warnings(self) -> list:
        """What a user should know about the numbers: underflow to 0, gradients that are not finite."""
        notes = [f"{label} underflows to 0 (its exact value is below the smallest float, about 5e-324)"
                 for label in self.underflows]
        for name, leaf in self.variables.items():
            if not math.isfinite(leaf.grad):
                notes.append(f"the gradient of {name} is {plain(leaf.grad)}: the chain rule's product leaves "
                             "the float range at these values")
        return notes

    def nodes(self) -> list:
        """Every node in evaluation order (inputs before the nodes made from them)."""
        return topological_order(self.output)

    def gradients(self) -> dict:
        """d output / d variable for every variable (0.0 until ``backward`` runs)."""
        return {name: leaf.grad for name, leaf in self.variables.items()}


@dataclass
class Expression:
    """A parsed expression, ready to evaluate at any values of its variables."""

    source: str
    root: Node
    nodes: list = field(repr=False)  # every Node, children before parents
    variables: list = field(default_factory=list)  # names in order of first appearance

    def evaluate(self, values: dict) -> Graph:
        """Build the Value graph at ``values`` (name -> number); extra names are ignored."""
        missing = [name for name in self.variables if name not in values]
        if missing:
            missing.sort()
            noun = "variable" if len(missing) == 1 else "variables"
            raise MissingValuesError(f"no value for {noun} {', '.join(missing)}", names=missing)
        leaves = {name: Value(float(values[name]), label=name) for name in self.variables}
        built: dict[int, Value] = {}
        for node in self.nodes:
            built[id(node)] = _build(node, built, leaves)
        underflows = [node.label for node in self.nodes if _underflowed(built[id(node)])]
        return Graph(self.source, built[id(self.root)], leaves, underflows)

    def value_at(self, values: dict) -> float:
        """The expression's value at ``values`` (no gradients)."""
        return self.evaluate(values).output.data


def parse(source: str) -> Expression:
    """Parse ``source``; raise ``ExprError`` with the column of the first problem."""
    if len(source) > MAX_LENGTH:
        raise ExprError(
            f"the expression is {len(source)} characters long; the limit is {MAX_LENGTH}", source
        )
    if not source.strip():
        raise ExprError("the expression is empty: write one such as 'x**2 + 1'", source)
    parser = _Parser(source, _tokenize(source))
    root = parser.expression(0)
    token = parser.peek()
    if token.kind != "end":
        parser.unexpected(token)
    variables = []
    for node in parser.nodes:
        if node.kind == "var" and node.label not in variables:
            variables.append(node.label)
    return Expression(source, root, parser.nodes, variables)


def evaluate(source: str | Expression, values: dict) -> Graph:
    """Parse (if needed) and evaluate an expression at ``values``."""
    expression = source if isinstance(source, Expression) else parse(source)
    return expression.evaluate(values)


# -- tokenizer ------------------------------------------------------------------


def _tokenize(source: str) -> list:
    tokens = []
    position = 0
    while position < len(source):
        match = _TOKEN.match(source, position)
        if match is None:
            char = source[position]
            hint = None
            if char in "'\"":
                hint = "expressions have no strings"
            elif char == ".":
                hint = "expressions have no attributes; numbers are written 0.5"
            elif char in "[]{}":
                hint = "use ( and ) for grouping"
            raise ExprError(f"unexpected character {char!r} at column {position + 1}", source, position + 1, hint)
        kind = match.lastgroup
        if kind != "space":
            tokens.append(Token(kind, match.group(), position))
        position = match.end()
    tokens.append(Token("end", "", len(source)))
    return tokens


# -- parser -------------------------------------------------------------------


class _Parser:
    """Precedence climbing over the token list; records every Node it makes in order."""

    def __init__(self, source: str, tokens: list):
        self.source = source
        self.tokens = tokens
        self.index = 0
        self.depth = 0
        self.nodes: list[Node] = []

    def peek(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def make(self, **fields) -> Node:
        node = Node(**fields)
        self.nodes.append(node)
        if len(self.nodes) > MAX_NODES:
            raise ExprError(
                f"the expression has more than {MAX_NODES} operations and operands; split it up",
                self.source,
            )
        return node

    def error(self, message: str, column: int, hint: str | None = None) -> ExprError:
        return ExprError(message, self.source, column, hint)

    def unexpected(self, token: Token, expected: str = "") -> None:
        if token.kind == "end":
            what = "unexpected end of expression"
            detail = f": expected {expected}" if expected else ""
            raise self.error(f"{what} at column {token.start + 1}{detail}", token.start + 1)
        hint = None
        previous = self.tokens[self.index - 1] if self.index else None
        if token.kind in ("number", "name") or token.text == "(":
            if previous is not None and (previous.kind in ("number", "name") or previous.text == ")"):
                hint = f"write '*' for a product, e.g. {previous.text}*{token.text}"
        if token.text == ",":
            hint = "functions take exactly one argument"
        raise self.error(f"unexpected {token.text!r} at column {token.start + 1}", token.start + 1, hint)

    def enter(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(
                f"the expression nests more than {MAX_DEPTH} levels deep at column {token.start + 1}",
                token.start + 1,
            )

    def expression(self, min_power: int) -> Node:
        """Parse operators binding tighter than ``min_power`` (left-assoc by loop, ** by recursion)."""
        left = self.prefix()
        while True:
            token = self.peek()
            op = "**" if token.text == "^" else token.text
            power = _BINARY.get(op) if token.kind == "op" else None
            if power is None or power <= min_power:
                return left
            self.advance()
            if op == "**":
                self.enter(token)
                right = self.expression(_UNARY_POWER - 1)  # right-assoc; may start with a sign
                self.depth -= 1
            else:
                right = self.expression(power)
            left = self.binary(op, left, right)

    def prefix(self) -> Node:
        token = self.advance()
        expected = "a number, a variable, a function or '('"
        if token.kind == "op" and token.text in "+-":
            self.enter(token)
            operand = self.expression(_UNARY_POWER)
            self.depth -= 1
            if token.text == "+":
                return operand
            return self.negate(operand, token.start)
        if token.kind == "number":
            number = float(token.text)
            if math.isinf(number):
                raise self.error(f"the number {token.text} at column {token.start + 1} is too large for a float "
                                 "(the largest is about 1.8e308)", token.start + 1)
            return self.make(kind="num", label=token.text, precedence=_ATOM, start=token.start,
                             end=token.start + len(token.text), number=number)
        if token.kind == "name":
            return self.name(token)
        if token.text == "(":
            self.enter(token)
            inner = self.expression(0)
            self.close(token)
            self.depth -= 1
            # labels re-add parentheses from precedence, only where they matter
            inner.start, inner.end = token.start, self.tokens[self.index - 1].start + 1
            return inner
        self.index -= 1
        self.unexpected(token, expected)

    def close(self, opening: Token) -> None:
        token = self.peek()
        if token.text == ")":
            self.advance()
            return
        if token.kind == "end":
            raise self.error(f"'(' at column {opening.start + 1} is never closed: add ')'", opening.start + 1)
        self.unexpected(token, "')'")

    def name(self, token: Token) -> Node:
        name = token.text
        end = token.start + len(name)
        is_call = self.peek().text == "("
        if name in FUNCTIONS:
            if not is_call:
                raise self.error(f"'{name}' is a function: write {name}(...) at column {token.start + 1}",
                                 token.start + 1)
            opening = self.advance()
            self.enter(opening)
            if self.peek().text == ")":
                raise self.error(f"{name}() needs one argument at column {opening.start + 2}", opening.start + 2)
            argument = self.expression(0)
            self.close(opening)
            self.depth -= 1
            return self.make(kind="call", label=f"{name}({argument.label})", precedence=_ATOM,
                             start=token.start, end=self.tokens[self.index - 1].start + 1, op=name,
                             children=(argument,), has_variables=argument.has_variables)
        if is_call:
            if name in CONSTANTS:
                raise self.error(f"'{name}' is a constant, not a function (column {token.start + 1})",
                                 token.start + 1)
            import difflib  # only on this error path: it costs start-up time

            close = difflib.get_close_matches(name, list(FUNCTIONS), n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise self.error(f"unknown function '{name}'{hint} at column {token.start + 1}", token.start + 1,
                             None if close else "functions: " + ", ".join(FUNCTIONS))
        if name in CONSTANTS:
            return self.make(kind="const", label=name, precedence=_ATOM, start=token.start, end=end,
                             number=CONSTANTS[name])
        return self.make(kind="var", label=name, precedence=_ATOM, start=token.start, end=end,
                         has_variables=True)

    def negate(self, operand: Node, start: int) -> Node:
        if operand.kind == "num" and not operand.label.startswith("-"):
            # a negative literal is one number, not a negation node
            operand.label, operand.number, operand.start = "-" + operand.label, -operand.number, start
            operand.precedence = _UNARY_POWER
            return operand
        inner = operand.label if operand.precedence >= _UNARY_POWER else f"({operand.label})"
        return self.make(kind="neg", label=f"-{inner}", precedence=_UNARY_POWER, start=start, end=operand.end,
                         children=(operand,), has_variables=operand.has_variables)

    def binary(self, op: str, left: Node, right: Node) -> Node:
        power = _BINARY[op]
        if op == "**":  # right-assoc: the left side needs parentheses at equal or lower power
            left_text = left.label if left.precedence > power else f"({left.label})"
            right_text = right.label if right.precedence >= _UNARY_POWER else f"({right.label})"
            label = f"{left_text}**{right_text}"
        else:  # left-assoc: the right side needs parentheses at equal power
            left_text = left.label if left.precedence >= power else f"({left.label})"
            right_text = right.label if right.precedence > power else f"({right.label})"
            label = f"{left_text} {op} {right_text}" if power == 10 else f"{left_text}{op}{right_text}"
        return self.make(kind="binary", label=label, precedence=power, start=left.start, end=right.end, op=op,
                         children=(left, right), has_variables=left.has_variables or right.has_variables)


# -- evaluation -----------------------------------------------------------------


def _build(node: Node, built: dict, leaves: dict) -> Value:
    """The Value for one Node, its children already built; domain errors name the sub-expression."""
    kind = node.kind
    if kind == "var":
        return leaves[node.label]
    if kind in ("num", "const"):
        return Value(node.number, label=node.label)
    inputs = [built[id(child)] for child in node.children]
    try:
        if kind == "neg":
            out = -inputs[0]
        elif kind == "call":
            out = apply(node.op, *inputs)
        elif node.op == "**" and not node.children[1].has_variables:
            out = inputs[0] ** inputs[1].data  # a constant exponent: d/dx x**n = n x**(n-1)
        else:
            a, b = inputs
            out = a + b if node.op == "+" else a - b if node.op == "-" else a * b if node.op == "*" \
                else a / b if node.op == "/" else a ** b
    except DomainError as exc:
        raise DomainError(f"{node.label}: {exc.message}") from None
    if math.isinf(out.data) or math.isnan(out.data):
        if all(math.isfinite(v.data) for v in inputs):
            raise DomainError(f"{node.label}: the result overflows to {plain(out.data)} (too large for a float)")
    out.label = node.label
    return out


def _underflowed(value: Value) -> bool:
    """A product, quotient, power or exp that came out 0 although no input forces a 0."""
    if value.data != 0.0 or value.op not in ("*", "/", "**", "pow", "exp"):
        return False
    inputs = value.inputs
    if value.op == "exp":
        return True  # exp is never 0: only underflow makes it so
    if value.op == "/":
        return inputs[0].data != 0.0
    if value.op == "**":
        return inputs[0].data != 0.0
    return all(v.data != 0.0 for v in inputs)
