"""Expressions as text -> an ``Expression``, with a safe parser of our own.

An expression is one formula, or named steps (statements) separated by ``;``
or newlines, the last one being the output::

    n = x1*w1 + x2*w2 + b
    e = exp(2*n)               # a bound name is one node, used as often as needed
    o = (e - 1)/(e + 1)

The grammar of a formula (usual precedence, ``**`` right-associative,
``-x**2`` is ``-(x**2)``)::

    program   := statement ((';' | NEWLINE) statement)*
    statement := [NAME '='] expr
    expr      := term (('+' | '-') term)*
    term      := unary (('*' | '/' | '@' | <implicit product>) unary)*
    unary     := ('-' | '+') unary | power
    power     := postfix (('**' | '^') unary)?
    postfix   := atom (SUPERSCRIPT | '[' index ']' | '.T' | 'ᵀ')*   x², x⁻¹, x[0], M[:, 1], M.T
    atom      := NUMBER | NAME | NAME '(' args ')' | '(' expr ')' | '[' list ']' | '|' expr '|'
               | '√' atom | 'π'
    list      := entry (',' entry)* [','],  entry := expr | '[' list ']'     [1, 2], [[1, 0], [0, 1]]
    index     := item (',' item)*,  item := INT | [INT] ':' [INT] [':' INT]  constant whole numbers
    args      := expr (',' expr)* (',' NAME '=' expr)*  leaky_relu(x, slope=0.2), sum(x, axis=0)

A list of numbers is one constant node holding an array; a list with a variable in it is a
``stack`` node of its entries.  ``sum``, ``mean``, ``max`` and ``min`` of one argument are
reductions (``axis=N`` picks one axis); ``max(a, b)`` of two or more stays elementwise.

A NAME is a bound name (bound earlier), a constant (``pi``, ``e``), a
function (``ops.callable_names()``), or else a variable.  What the Unicode
characters mean is in ``tokens.py``; which products may be written without
``*`` (``2x``, ``3x^2``, ``2(x+1)``, ``(a+b)(a-b)``, ``2 sin(x)``, ``x(x+1)``)
and which are refused as ambiguous (``1/2x``, ``x^2y``, ``2 3``) is in
docs/expressions.md.  Nothing is ever handed to Python's ``eval``: the text is
tokenised and parsed here, and the only things an expression can do are the
operations in ``ops.py``.  Parsing takes time linear in the length; nesting
deeper than ``Limits.depth`` is a clear error, never a RecursionError.

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
from dataclasses import dataclass

from ..errors import ExprError
from ..numbers import plain
from . import tokens as lex
from .ops import CONSTANTS, callable_names, function_list, shape_phrase
from .program import CUT, LABEL_LIMIT, Expression, Graph, NodeView

__all__ = ["parse", "evaluate", "Expression", "Graph", "NodeView", "Limits", "DEFAULT_LIMITS", "MAX_LENGTH",
           "MAX_SIZE", "MAX_DEPTH", "MAX_ENTRIES"]


@dataclass(frozen=True)
class Limits:
    """How big an expression may be; each is a clear error beyond it (the CLI: ``--max-length``, ``--max-size``)."""

    length: int = 10_000_000  # characters
    size: int = 1_000_000  # nodes (operations and operands) plus statements
    depth: int = 100  # nested parentheses, calls, bars, unary signs and powers (the parser recurses)
    entries: int = 1_000_000  # entries of one array: a literal [1, 2, ...], or a value given for a variable


DEFAULT_LIMITS = Limits()
MAX_LENGTH, MAX_SIZE, MAX_DEPTH = DEFAULT_LIMITS.length, DEFAULT_LIMITS.size, DEFAULT_LIMITS.depth
MAX_ENTRIES = DEFAULT_LIMITS.entries

# token -> (operation, binding power); higher binds tighter
_BINARY = {"+": ("+", 10), "-": ("-", 10), "−": ("-", 10), "*": ("*", 20), "·": ("*", 20), "⋅": ("*", 20),
           "×": ("*", 20), "/": ("/", 20), "÷": ("/", 20), "@": ("matmul", 20), "**": ("**", 40), "^": ("**", 40)}
_PRODUCT = 20  # an implicit product binds as '*'
_UNARY = 30
_ENDS = {";", "\n", lex.END}
_CLOSERS = {";", "\n", lex.END, ")", ",", "=", "]"}  # tokens that end an operand's run of operators
_ONE_LETTER = re.compile(r"[^\W\d_][0-9_]*\Z")  # x, x1, w_2, θ: a name that reads as a factor before '('
_NEVER_READ = frozenset("\"'{}")
_CHARACTER_HINTS = {
    "'": "expressions have no strings", '"': "expressions have no strings",
    ".": "the only attribute is .T (the transpose); numbers are written 0.5",
    "{": "use ( and ) for grouping, [ and ] for an array", "}": "use ( and ) for grouping, [ and ] for an array",
    "]": "remove it, or add the '[' it closes", ":": "a ':' makes a slice inside an index: x[1:3]",
}
TRANSPOSE = "ᵀ"  # Mᵀ is M.T


def parse(source: str, *, limits: Limits = DEFAULT_LIMITS, output: str | None = None,
          variables=()) -> Expression:
    """Parse ``source``; raise ``ExprError`` with the line and column of the first problem.

    ``output`` picks which bound name is the output (default: the last
    statement); ``variables`` are names to read as variables even where they
    are constants (``e``, ``pi``: a value was given for them).
    """
    if len(source) > limits.length:
        raise ExprError(f"the expression is {len(source):,} characters long; the limit is {limits.length:,}",
                        source, hint="raise it with {setting}", setting="max_length", limit=limits.length)
    if not source.strip():
        raise ExprError("the expression is empty: write one such as 'x**2 + 1'", source)
    tokens = lex.tokenize(source)
    if not _NEVER_READ.isdisjoint(tokens):  # strings and brackets are refused first, wherever they are
        index = next(k for k, token in enumerate(tokens) if token in _NEVER_READ)
        offset = lex.positions(source)[index]
        raise ExprError(f"unexpected character {tokens[index]!r} at {_place(source, offset)}", source, offset + 1,
                        _CHARACTER_HINTS[tokens[index]])
    parser = _Parser(source, tokens, limits, variables)
    return parser.program(output)


def evaluate(source: str | Expression, values: dict) -> Graph:
    """Parse (if needed) and evaluate an expression at ``values``."""
    expression = source if isinstance(source, Expression) else parse(source)
    return expression.evaluate(values)


@dataclass(frozen=True)
class _Constant:
    """A list of numbers being parsed: its entries (flat, row by row), shape and text."""

    values: list
    shape: tuple
    text: str


def _place(source: str, offset: int) -> str:
    """``column 8``, or ``line 2, column 5`` in a text of several lines."""
    column = offset - (source.rfind("\n", 0, offset) + 1) + 1
    if "\n" not in source:
        return f"column {column}"
    return f"line {source.count(chr(10), 0, offset) + 1}, column {column}"


class _Parser:
    """Precedence climbing over the token list; appends every node to flat lists (inputs first)."""

    __slots__ = ("source", "tokens", "i", "limits", "room", "as_variables", "calls", "ops", "kids", "data", "args",
                 "has_var", "variables", "first_use", "constants", "bound", "bound_at", "statements", "depth",
                 "bars", "power_end", "root_end", "_starts", "_plain")

    def __init__(self, source: str, tokens: list, limits: Limits, variables):
        self.source = source
        self.tokens = tokens + [lex.END, lex.END]  # looking one past the end is safe
        self.i = 0
        self.limits = limits
        self.as_variables = set(variables)
        self.calls = callable_names()
        self.ops, self.kids, self.data, self.has_var = [], [], [], bytearray()
        self.args: dict = {}  # node -> its constant operand: an axis (sum(x, axis=0)), an index (x[0])
        self.variables: dict = {}  # name -> node (one leaf per variable)
        self.first_use: dict = {}  # name -> token index of its first use as a variable or constant
        self.constants: dict = {}  # name -> node
        self.bound: dict = {}  # name -> node
        self.bound_at: dict = {}  # name -> token index of the name in its statement
        self.statements = 0
        self.room = limits.size  # nodes that may still be made: the size limit less the statements
        self.depth = 0
        self.bars = 0  # |...| open around the current token
        self.power_end = -1  # token index just after the last ^ exponent (x^2y is ambiguous)
        self.root_end = -1  # token index just after the last √ of a bare atom (√2x is ambiguous)
        self._starts = None
        self._plain = None

    # -- nodes -----------------------------------------------------------------------------

    def make(self, op: str, kids: tuple, data, has_var: int) -> int:
        ops = self.ops
        ops.append(op)
        self.kids.append(kids)
        self.data.append(data)
        self.has_var.append(has_var)
        count = len(ops)
        if count > self.room:
            self.too_big()
        return count - 1

    def too_big(self) -> None:
        raise ExprError(f"the expression has more than {self.limits.size:,} nodes and statements",
                        self.source, hint="raise the limit with {setting}, or split the expression up",
                        setting="max_size", limit=self.limits.size)

    def binary(self, op: str, left: int, right: int) -> int:
        has_var = self.has_var
        return self.make(op, (left, right), None, has_var[left] | has_var[right])

    def power(self, base: int, exponent: int) -> int:
        """``base ** exponent``: a constant exponent (no variable in it) makes a one-input ``**`` node."""
        return self.make("pow" if self.has_var[exponent] else "**", (base, exponent), None,
                         self.has_var[base] | self.has_var[exponent])

    def number(self, text: str, value: float) -> int:
        return self.make("num", (), (value, text), 0)

    # -- positions and errors --------------------------------------------------------------

    def where(self, index: int) -> tuple:
        """(1-based offset into the source, "column 8" or "line 2, column 5") of token ``index``."""
        if self._starts is None:
            self._starts = lex.positions(self.source)
        offset = self._starts[min(index, len(self._starts) - 1)]
        return offset + 1, _place(self.source, offset)

    def error(self, message: str, index: int, hint: str | None = None) -> ExprError:
        """An ExprError pointing at token ``index``, placed at the end of the message or where it says
        ``{at}`` ("at column 8") or ``{column}`` ("column 8")."""
        offset, at = self.where(index)
        if "{at}" in message or "{column}" in message:
            message = message.replace("{at}", f"at {at}").replace("{column}", at)
        else:
            message = f"{message} at {at}"
        return ExprError(message, self.source, offset, hint)

    def unexpected(self, expected: str = "") -> None:
        index = self.i
        token = self.tokens[index]
        if token in (lex.END, "\n"):
            what = "unexpected end of expression" if token == lex.END else "unexpected end of line"
            detail = f": expected {expected}" if expected else ""
            hint = "a statement ends at the end of its line unless a '(' is still open" if token == "\n" else None
            raise self.error(f"{what} {{at}}{detail}", index, hint)
        if len(token) == 1 and token not in "()+-*/^,;=|√π·⋅×−÷@[" and not lex.is_name(token) \
                and not lex.is_number(token):
            raise self.error(f"unexpected character {token!r}", index, self.character_hint(token))
        raise self.error(f"unexpected {token!r}", index, self.token_hint(index))

    def character_hint(self, char: str) -> str | None:
        if char in _CHARACTER_HINTS:
            return _CHARACTER_HINTS[char]
        if char in "⁺⁻" or "\u02b0" <= char <= "\u02ff" or "\u1d2c" <= char <= "\u1dbf" \
                or "\u2070" <= char <= "\u209f":
            return "only superscript digits are read as a power (x², x⁻¹); write e**(-z) or exp(-z)"
        if char.isnumeric():
            return "write fractions and other numbers with digits: 1/2, 0.5"
        return None

    def token_hint(self, index: int) -> str | None:
        token, previous = self.tokens[index], self.tokens[index - 1] if index else ""
        if token == ",":
            after = self.tokens[index + 1]
            if lex.is_number(previous) and len(after) == 3 and after.isdigit():
                return f"numbers are written without separators: {previous}{after}"
            return "a ',' separates the arguments of a call, e.g. max(a, b)"
        if token == "=":
            if self.tokens[index + 1] == "=":
                return "expressions have no comparisons"
            return "only a name can be bound, one per statement: NAME = expression"
        if token == ")":
            return "remove it, or add the '(' it closes"
        return None

    def enter(self, index: int) -> None:
        self.depth += 1
        if self.depth > self.limits.depth:
            raise self.error(f"the expression nests more than {self.limits.depth} levels deep", index)

    # -- statements ------------------------------------------------------------------------

    def program(self, output: str | None) -> Expression:
        tokens = self.tokens
        statements = []  # (name or None, node, token index)
        while True:
            while tokens[self.i] == "\n":
                self.i += 1
            token = tokens[self.i]
            if token == lex.END:
                break
            if token == ";":
                raise self.error("empty statement: nothing before ';'", self.i, "remove the extra ';'")
            start, name = self.i, None
            if tokens[self.i + 1] == "=" and tokens[self.i + 2] != "=" and lex.is_name(token):
                name = self.binding_name(self.i)
                self.i += 2
                if tokens[self.i] in _ENDS:
                    raise self.error(f"{name} = needs an expression after '='", self.i,
                                     f"write {name} = x*2, for example")
            self.statements += 1
            self.room -= 1
            if len(self.ops) > self.room:
                self.too_big()
            node = self.expression(0)
            if tokens[self.i] not in _ENDS:
                self.unexpected()
            if name is not None:
                self.bind(name, node, start)
            statements.append((name, node, start))
            if tokens[self.i] == ";":
                self.i += 1
                following = self.i
                while tokens[following] == "\n":
                    following += 1
                if tokens[following] == ";":
                    raise self.error("empty statement between two ';'", following, "remove the extra ';'")
        if not statements:
            raise ExprError("the expression is empty: write one such as 'x**2 + 1'", self.source)
        for name, node, start in statements[:-1]:
            if name is None:
                raise self.error("only the last statement may be unnamed: this one {at} computes a value "
                                 "no other statement can use", start, "bind it to a name: NAME = ...")
        return self.finish(statements, output)

    def binding_name(self, index: int) -> str:
        name = lex.name_of(self.tokens[index])
        if name in self.calls:
            raise self.error(f"'{name}' is a function; a step needs another name", index)
        if name in self.bound:
            _, first = self.where(self.bound_at[name])
            raise self.error(f"{name} is bound twice: {{at}}, and first at {first}", index,
                             "give one of them another name")
        return name

    def bind(self, name: str, node: int, index: int) -> None:
        """Bind ``name`` to ``node``; refuse a name already used as a variable or a constant."""
        if name in self.variables:
            used = self.variables[name]
            if self.depends_on(node, used):
                through = self.bound_name_between(node, used)
                path = f" (through {through}, bound at {self.where(self.bound_at[through])[1]})" if through else ""
                raise self.error(f"{name} is defined in terms of itself {{at}}{path}", index,
                                 "a name must be bound before it is used; a step cannot use its own result")
            _, used_at = self.where(self.first_use[name])
            raise self.error(f"{name} is used at {used_at} before it is bound {{at}}", index,
                             f"bind {name} before its first use, or give the variable another name")
        if name in self.constants:
            _, used_at = self.where(self.first_use[name])
            raise self.error(f"{name} is used as the constant {plain(CONSTANTS[name])} at {used_at} before it "
                             "is bound {at}", index, f"bind {name} first, or give the step another name")
        self.bound[name] = node
        self.bound_at[name] = index

    def depends_on(self, node: int, target: int) -> bool:
        stack, seen = [node], set()
        while stack:
            current = stack.pop()
            if current == target:
                return True
            if current not in seen:
                seen.add(current)
                stack.extend(self.kids[current])
        return False

    def bound_name_between(self, node: int, target: int) -> str | None:
        """A bound name on a path from ``node`` down to ``target`` (for a cycle's message): one walk."""
        parent = {node: None}
        stack = [node]
        while stack:
            current = stack.pop()
            if current == target:
                break
            for kid in self.kids[current]:
                if kid not in parent:
                    parent[kid] = current
                    stack.append(kid)
        named = {bound: name for name, bound in self.bound.items()}
        step = parent.get(target)
        while step is not None and step != node:
            if step in named:
                return named[step]
            step = parent[step]
        return named.get(target)

    def finish(self, statements: list, output: str | None) -> Expression:
        if output is None:
            name, root, _ = statements[-1]
            output_name = name or self.free_output_name()
        else:
            if output not in self.bound:
                known = ", ".join(self.bound) or "none (name a step: NAME = ...)"
                raise ExprError(f"{{setting}} {output}: no statement binds {output}; the bound names are {known}",
                                self.source, setting="output_name", value=output)
            root, output_name = self.bound[output], output
        expression = Expression(self.source, self.ops, self.kids, self.data, root, self.bound, output_name,
                                self.statements, [], set(self.constants), self.args)
        used = set(expression.names)
        unused = [name for name in self.bound
                  if name not in used and self.bound_at[name] < self.bound_at.get(output_name, len(self.tokens))]
        for name in unused[:3]:
            _, at = self.where(self.bound_at[name])
            expression.notes.append(f"{name} (bound at {at}) is not used by the output {output_name}")
        if len(unused) > 3:
            expression.notes.append(f"{len(unused) - 3:,} more bound names are not used by the output {output_name}")
        return expression

    def free_output_name(self) -> str:
        """``f`` for an unnamed output, or ``out`` (``out2``, ...) when a variable or step is called f."""
        taken = set(self.variables) | set(self.bound)
        for candidate in ("f", "out", *(f"out{k}" for k in range(2, len(taken) + 3))):
            if candidate not in taken:
                return candidate
        return "f"  # unreachable: one of the candidates is free

    # -- formulas ----------------------------------------------------------------------------

    def expression(self, min_power: int, left: int | None = None) -> int:
        """Operators binding tighter than ``min_power`` (left-assoc by the loop, ** by recursion).

        ``left`` is an operand already parsed.  The loop handles the common
        cases (a plain operand, then an operator that binds no tighter) without
        recursing: one call per operand keeps a million-node expression fast.
        """
        if left is None:
            left = self.operand()
        tokens = self.tokens
        ops, kids, data, has_var = self.ops, self.kids, self.data, self.has_var
        divided = False
        while True:
            token = tokens[self.i]
            entry = _BINARY.get(token)
            if entry is None:
                if min_power >= _PRODUCT or not self.implicit_product(token):
                    return left
                if divided:
                    raise self.error("a product written without '*' right after '/' is ambiguous {at}", self.i,
                                     "write 1/(2*x) to divide by the product, or (1/2)*x to multiply by x")
                right = self.expression(_PRODUCT)
                left = self.binary("*", left, right)
                continue
            op, power = entry
            if power <= min_power:
                return left
            self.i += 1
            if op == "**":
                self.enter(self.i - 1)
                right = self.expression(_UNARY - 1)  # right-assoc; may start with a sign
                self.depth -= 1
                left = self.power(left, right)
                self.power_end = self.i
            else:
                right = self.operand()
                following = tokens[self.i]
                tighter = _BINARY.get(following)
                if tighter is not None and tighter[1] > power or tighter is None and power < _PRODUCT \
                        and following not in _CLOSERS:
                    right = self.expression(power, right)  # a tighter operator, or a product without '*'
                ops.append(op)
                kids.append((left, right))
                data.append(None)
                has_var.append(has_var[left] | has_var[right])
                left = len(ops)
                if left > self.room:
                    self.too_big()
                left -= 1
            divided = op == "/"

    def operand(self) -> int:
        """One operand; a known variable or a plain number is read here directly (the common case)."""
        tokens = self.tokens
        token = tokens[self.i]
        following = tokens[self.i + 1]
        if following != "(" and following != "[" and following != "." and following.isascii():
            # no call, index, transpose or superscript power after it
            first = token[:1]
            if "a" <= first <= "z" or "A" <= first <= "Z" or first == "_":
                node = self.variables.get(token)
                if node is None:
                    node = self.bound.get(token)
                if node is not None:
                    self.i += 1
                    return node
            elif "0" <= first <= "9":
                value = float(token)
                if value != math.inf:
                    self.i += 1
                    ops = self.ops
                    ops.append("num")
                    self.kids.append(())
                    self.data.append((value, token))
                    self.has_var.append(0)
                    count = len(ops)
                    if count > self.room:
                        self.too_big()
                    return count - 1
        return self.prefix()

    def prefix(self) -> int:
        """An operand: a signed operand, or an atom and its superscript powers."""
        token = self.tokens[self.i]
        if token in ("-", "+", "−"):
            self.i += 1
            self.enter(self.i - 1)
            operand = self.expression(_UNARY)
            self.depth -= 1
            return operand if token == "+" else self.negate(operand)
        node = self.atom()
        tokens = self.tokens
        while True:
            token = tokens[self.i]
            if lex.is_superscript(token):
                exponent = lex.superscript_value(token)
                self.i += 1
                node = self.power(node, self.number(exponent, float(exponent)))
            elif token == "[":
                node = self.index(node)
            elif token == TRANSPOSE or token == "." and tokens[self.i + 1] == "T":
                self.i += 1 if token == TRANSPOSE else 2
                node = self.make("transpose", (node,), None, self.has_var[node])
            elif token == ".":
                self.unexpected()  # x.real: the only attribute is .T
            else:
                return node

    def atom(self) -> int:
        token = self.tokens[self.i]
        self.i += 1
        first = token[:1]
        if "0" <= first <= "9" or first == "." and len(token) > 1:
            value = float(token)
            if math.isinf(value):
                raise self.error(f"the number {token} {{at}} is too large for a float (the largest is about "
                                 "1.8e308)", self.i - 1)
            return self.number(token, value)
        if lex.is_name(token):
            return self.name(token, self.i - 1)
        if token == "(":
            opening = self.i - 1
            self.enter(opening)
            inner = self.expression(0)
            self.close(opening, ")")
            self.depth -= 1
            return inner
        if token == "[":
            return self.array(self.i - 1)
        if token == "π":
            return self.constant("pi", self.i - 1)
        if token == "√":
            return self.root()
        if token == "|":
            return self.bar()
        self.i -= 1
        self.unexpected("a number, a variable, a function or '('")

    def close(self, opening: int, closing: str) -> None:
        if self.tokens[self.i] == closing:
            self.i += 1
            return
        if self.tokens[self.i] in _ENDS:
            raise self.error(f"'{self.tokens[opening]}' {{at}} is never closed: add '{closing}'", opening)
        if self.tokens[self.i] in (")", "]"):  # [1, 2) or (x]
            _, at = self.where(opening)
            raise self.error(f"'{self.tokens[opening]}' at {at} is closed by '{self.tokens[self.i]}' {{at}}", self.i,
                             f"close it with '{closing}'")
        self.unexpected(f"'{closing}'")

    def negate(self, operand: int) -> int:
        if self.ops[operand] == "num" and lex.is_number(self.tokens[self.i - 1]) \
                and operand == len(self.ops) - 1 and not self.data[operand][1].startswith("-"):
            value, text = self.data[operand]
            self.data[operand] = (-value, "-" + text)  # a negative literal is one number, not a negation
            return operand
        return self.make("neg", (operand,), None, self.has_var[operand])

    def root(self) -> int:
        """``√x``, ``√(x + 1)``: sqrt of the atom that follows."""
        at = self.i - 1
        self.enter(at)
        operand = self.atom()
        self.depth -= 1
        if lex.is_superscript(self.tokens[self.i]):
            raise self.error("√ followed by a power is ambiguous {at}", self.i, "write √(x²) or (√x)²")
        if self.tokens[self.i - 1] not in (")", "|"):
            self.root_end = self.i
        return self.make("sqrt", (operand,), ("sqrt", 1, ()), self.has_var[operand])

    def bar(self) -> int:
        """``|x|``: abs of what lies between the bars."""
        opening = self.i - 1
        self.enter(opening)
        self.bars += 1
        inner = self.expression(0)
        self.bars -= 1
        self.close(opening, "|")
        self.depth -= 1
        return self.make("abs", (inner,), ("abs", 1, ()), self.has_var[inner])

    # -- arrays: literals, indexes ---------------------------------------------------------------

    def array(self, opening: int) -> int:
        """``[1, 2]``, ``[[1, 0], [0, 1]]``: one constant node; ``[x1, 2*x2]``: a ``stack`` of its entries."""
        entries = [0]  # constant entries read so far (for the limit), shared by the nested lists
        literal = self.list_entries(opening, entries)
        return literal if isinstance(literal, int) else self.constant_array(literal)

    def list_entries(self, opening: int, entries: list):
        """The list opening at token ``opening``: a ``_Constant`` when every entry is a number, else a node."""
        self.enter(opening)
        tokens = self.tokens
        if tokens[self.i] == "]":
            raise self.error("an empty array {at}: write at least one entry, e.g. [1, 2]", opening)
        items = []  # a float (a number as written), a _Constant (a list of numbers) or a node
        texts = []  # how each constant entry is written
        starts = []  # the token where each entry starts (for messages)
        while True:
            starts.append(self.i)
            number = self.plain_number()
            if number is not None:
                items.append(number[0])
                texts.append(number[1])
                entries[0] += 1
                if entries[0] > self.limits.entries:
                    raise ExprError(f"an array at {self.where(opening)[1]} has more than {self.limits.entries:,} "
                                    "entries", self.source, self.where(opening)[0],
                                    hint="raise the limit with {setting}", setting="max_entries",
                                    limit=self.limits.entries)
            elif tokens[self.i] == "[" and self.list_ahead():
                self.i += 1
                inner = self.list_entries(self.i - 1, entries)
                items.append(inner)
                texts.append(inner.text if isinstance(inner, _Constant) else "")
            else:
                items.append(self.expression(0))
                texts.append("")
            if tokens[self.i] != ",":
                break
            self.i += 1
            if tokens[self.i] == "]":
                break  # a trailing comma, as in Python: [1, 2,]
        self.close(opening, "]")
        self.depth -= 1
        if all(isinstance(item, (float, _Constant)) for item in items):
            shapes = [() if isinstance(item, float) else item.shape for item in items]
            for k, shape in enumerate(shapes):
                if shape != shapes[0]:
                    raise self.error(f"a ragged array {{at}}: entry {k} {shape_phrase(shape)} and entry 0 "
                                     f"{shape_phrase(shapes[0])}", starts[k],
                                     "every row of an array needs the same number of entries")
            values = []
            for item in items:
                values += [item] if isinstance(item, float) else item.values
            return _Constant(values, (len(items), *shapes[0]), f"[{', '.join(texts)}]")
        nodes = []
        for item, text in zip(items, texts):
            if isinstance(item, float):
                nodes.append(self.number(text, item))
            elif isinstance(item, _Constant):
                nodes.append(self.constant_array(item))
            else:
                nodes.append(item)
        has_var = 0
        for node in nodes:
            has_var |= self.has_var[node]
        return self.make("stack", tuple(nodes), None, has_var)

    def list_ahead(self) -> bool:
        """Whether the '[' at the current token opens a nested list rather than an expression ([1, 2] @ x)."""
        depth, k, tokens = 0, self.i, self.tokens
        while True:  # find the matching ']' and look at what follows it
            token = tokens[k]
            if token == "[":
                depth += 1
            elif token == "]":
                depth -= 1
                if depth == 0:
                    return tokens[k + 1] in (",", "]")
            elif token in _ENDS:
                return True  # never closed: the nested list reports it
            k += 1

    def plain_number(self):
        """A number entry (maybe signed) followed by ',' or ']': (value, text), consumed; else None."""
        tokens, k = self.tokens, self.i
        sign = ""
        if tokens[k] in ("-", "+", "−"):
            sign = "-" if tokens[k] != "+" else ""
            k += 1
        token = tokens[k]
        if not lex.is_number(token) or tokens[k + 1] not in (",", "]"):
            return None
        value = float(token)
        if math.isinf(value):
            raise self.error(f"the number {token} {{at}} is too large for a float (the largest is about 1.8e308)", k)
        self.i = k + 1
        return (-value if sign else value), sign + token

    def constant_array(self, literal: "_Constant") -> int:
        """One node holding the array (NumPy is imported here: only when an array is met)."""
        import numpy

        data = numpy.array(literal.values, dtype=numpy.float64).reshape(literal.shape)
        text = literal.text if len(literal.text) <= LABEL_LIMIT else literal.text[:LABEL_LIMIT] + CUT
        return self.make("num", (), (data, text), 0)

    def index(self, base: int) -> int:
        """``x[0]``, ``M[1, 0]``, ``M[:, 0]``, ``x[1:3]``: constant whole numbers and slices."""
        opening = self.i
        if self.ops[base] == "num" and lex.is_number(self.tokens[opening - 1]):
            number = self.tokens[opening - 1]
            raise self.error("a number cannot be indexed {at}", opening, f"for a product write {number}*[...]")
        self.i += 1
        self.enter(opening)
        items = []
        while True:
            items.append(self.index_item())
            if self.tokens[self.i] != ",":
                break
            self.i += 1
        self.close(opening, "]")
        self.depth -= 1
        node = self.make("getitem", (base,), None, self.has_var[base])
        self.args[node] = items[0] if len(items) == 1 else tuple(items)
        return node

    def index_item(self):
        """One item of an index: a whole number (``-1`` is the last) or a slice ``start:stop:step``."""
        parts = [self.whole_number("an index")]
        while self.tokens[self.i] == ":" and len(parts) < 3:
            self.i += 1
            parts.append(self.whole_number("an index"))
        if len(parts) == 1:
            if parts[0] is None:
                raise self.error("an empty index {at}", self.i, "write a whole number (counting from 0) or a "
                                                                "slice such as 1:3, e.g. x[0] or M[:, 0]")
            return parts[0]
        return slice(*parts)

    def whole_number(self, what: str, required: bool = False) -> int | None:
        """A constant whole number, maybe signed (None when there is none here and it may be left out)."""
        tokens, k = self.tokens, self.i
        negative = tokens[k] in ("-", "−")
        if tokens[k] in ("-", "+", "−"):
            k += 1
        if tokens[k].isascii() and tokens[k].isdigit():  # not a superscript digit
            self.i = k + 1
            return -int(tokens[k]) if negative else int(tokens[k])
        if not required and k == self.i and tokens[k] in (":", ",", "]", ")"):
            return None
        raise self.error(f"{what} is a constant whole number {{at}}", k,
                         "count from 0 (-1 is the last entry): x[0], M[1, 0], M[:, 0], sum(M, axis=0)")

    # -- names --------------------------------------------------------------------------------

    def name(self, token: str, index: int) -> int:
        name = lex.name_of(token)
        following = self.tokens[self.i]
        if following == "(":
            records = self.calls.get(name)
            if records is not None:
                return self.call(name, records, index)
            if not self.reads_as_factor(name):
                self.not_a_function(name, index)
        if name in self.bound:
            return self.bound[name]
        if name in CONSTANTS and name not in self.as_variables:
            return self.constant(name, index)
        if name in self.calls and any(record.call_name == name for record in self.calls[name]):
            hint = f"write {name}(x)**2 or {name}(x)²" if lex.is_superscript(following) else None
            raise self.error(f"'{name}' is a function: write {name}(...)", index, hint)
        node = self.variables.get(name)
        if node is None:
            node = self.variables[name] = self.make("var", (), name, 1)
            self.first_use[name] = index
        return node

    def constant(self, name: str, index: int) -> int:
        node = self.constants.get(name)
        if node is None:
            node = self.constants[name] = self.make("const", (), (CONSTANTS[name], name), 0)
            self.first_use.setdefault(name, index)
        return node

    def reads_as_factor(self, name: str) -> bool:
        """``x(x + 1)`` is a product when x is bound, one letter (x, w1, θ), or also used without '('."""
        if name in CONSTANTS and name not in self.as_variables:
            return False
        if name in self.bound or _ONE_LETTER.match(name):
            return True
        if self._plain is None:
            tokens = self.tokens
            self._plain = {lex.name_of(t) for k, t in enumerate(tokens[:-1])
                           if tokens[k + 1] != "(" and lex.is_name(t)}
        return name in self._plain

    def not_a_function(self, name: str, index: int) -> None:
        if name in CONSTANTS:
            raise self.error(f"'{name}' is a constant, not a function ({{column}})", index,
                             f"for a product write {name}*(...)")
        from ..suggest import close_names  # only on this error path

        close = close_names(name, self.calls)
        if close:
            guess = " or ".join(f"'{c}'" for c in close)
            raise self.error(f"unknown function '{name}' (did you mean {guess}?)", index)
        raise self.error(f"unknown function '{name}'", index,
                         f"functions: {function_list()}; for a product write {name}*(...)")

    def call(self, name: str, records: list, index: int) -> int:
        """``name(args)``: positional arguments, then keyword ones (``slope=0.2``); defaults fill the rest."""
        opening = self.i
        self.i += 1
        self.enter(opening)
        tokens = self.tokens
        positional, keywords = [], {}
        axis = None  # (token index, value) of axis=N, for the reductions
        if tokens[self.i] != ")":
            while True:
                token = tokens[self.i]
                if token == "axis" and tokens[self.i + 1] == "=" and any(r.arg_name == "axis" for r in records):
                    if axis is not None:
                        raise self.error(f"{name}() is given axis twice", self.i)
                    axis = (self.i, None)
                    self.i += 2
                    axis = (axis[0], self.whole_number("axis", required=True))
                elif tokens[self.i + 1] == "=" and tokens[self.i + 2] != "=" and lex.is_name(token):
                    keyword = lex.name_of(token)
                    if keyword in keywords:
                        raise self.error(f"{name}() is given {keyword} twice", self.i)
                    keywords[keyword] = (self.i, None)
                    self.i += 2
                    keywords[keyword] = (keywords[keyword][0], self.expression(0))
                else:
                    if keywords:
                        raise self.error(f"a positional argument of {name}() follows a keyword argument", self.i,
                                         "write the positional arguments first")
                    positional.append((self.i, self.expression(0)))
                if tokens[self.i] != ",":
                    break
                self.i += 1
                if tokens[self.i] == ")":
                    raise self.error(f"{name}() has a ',' with no argument after it", self.i - 1)
        self.close(opening, ")")
        self.depth -= 1
        if axis is not None:
            return self.reduction(name, records, positional, keywords, axis)
        if len(positional) == 1 and not keywords and records[0].arity == 1:  # sin(x): the common case
            record, (_, node) = records[0], positional[0]
            return self.make(record.name, (node,), (record.call_name, 1, ()), self.has_var[node])
        record = self.overload(name, records, len(positional) + len(keywords), index, positional)
        inputs = [node for _, node in positional]
        params = record.inputs
        if keywords and record.arity is None:
            first = next(iter(keywords.values()))[0]
            raise self.error(f"{name}() takes its arguments by position", first)
        for keyword, (at, _) in keywords.items():
            if keyword not in params:
                raise self.error(f"{name}() has no argument '{keyword}': its arguments are {', '.join(params)}", at)
            if params.index(keyword) < len(inputs):
                raise self.error(f"{name}() is given {keyword} twice (by position and as {keyword}=)", at)
        first_default = len(params) - len(record.defaults)
        for position in range(len(inputs), len(params) if record.arity is not None else 0):
            param = params[position]
            if param in keywords:
                inputs.append(keywords[param][1])
            elif position >= first_default:
                value = float(record.defaults[position - first_default])
                inputs.append(self.number(plain(value), value))
            else:
                raise self.error(f"{name}() needs {param}: {record.written}", index)
        if record.name == "pow":
            return self.power(*inputs)
        written = (record.call_name, len(positional), tuple(keywords))
        has_var = 0
        for node in inputs:
            has_var |= self.has_var[node]
        return self.make(record.name, tuple(inputs), written, has_var)

    def reduction(self, name: str, records: list, positional: list, keywords: dict, axis: tuple) -> int:
        """``sum(x, axis=0)``: the record of ``name`` that reduces along an axis, on one array."""
        record = next(r for r in records if r.arg_name == "axis")
        if len(positional) != 1 or keywords:
            raise self.error(f"{name}(x, axis=N) takes one array and the axis", axis[0],
                             f"write {record.written}")
        node = positional[0][1]
        made = self.make(record.name, (node,), (record.call_name, 1, ()), self.has_var[node])
        self.args[made] = axis[1]
        return made

    def overload(self, name: str, records: list, count: int, index: int, positional: list):
        """The record of ``name`` that takes ``count`` arguments (``log(x)`` or ``log(x, base)``)."""
        for record in records:
            most = len(record.inputs) if record.arity is not None else math.inf
            if record.least_inputs <= count <= most:
                return record
        least = min(record.least_inputs for record in records)
        most = max(len(record.inputs) if record.arity is not None else math.inf for record in records)
        if most == math.inf:
            takes = f"{least} or more arguments"
        elif least == most:
            takes = f"{least} argument{'s' if least != 1 else ''}"
        else:
            takes = f"{least} to {most} arguments"
        usage = " or ".join(record.written for record in records)
        at = positional[int(most)][0] - 1 if count > most and len(positional) > most else index
        raise self.error(f"{name}() takes {takes}, not {count}", at, f"write {usage}")

    # -- products without '*' ------------------------------------------------------------------

    def implicit_product(self, token: str) -> bool:
        """Whether ``token`` starts the second factor of a product written without '*' (or raise)."""
        index = self.i
        previous = self.tokens[index - 1]
        if token == "|":
            starts = self.bars == 0  # inside |...| a bar closes
        elif token in ("(", "√", "π"):
            starts = True
        elif lex.is_number(token):
            self.refuse_number_after(previous, token, index)
        elif lex.is_name(token):
            starts = self.name_may_follow(previous, token, index)
        else:
            return False
        if not starts:
            return False
        if self.power_end == index and previous != ")":
            base = self.tokens[index - 3] if index >= 3 and self.tokens[index - 2] in ("^", "**") else "(...)"
            base = base if lex.is_name(base) or lex.is_number(base) else "(...)"
            raise self.error("a product written without '*' right after a power is ambiguous {at}", index,
                             f"write {base}^{previous}*{token} for the product, or {base}^({previous}*{token}) "
                             "for the power")
        if self.root_end == index:
            raise self.error("a product written without '*' right after √ is ambiguous {at}", index,
                             f"write √({previous}*{token}) for the root of the product, or √{previous}*{token}")
        return True

    def refuse_number_after(self, previous: str, token: str, index: int) -> None:
        if lex.is_number(previous):
            raise self.error(f"two numbers in a row: {previous} {token}", index,
                             f"write {previous}*{token} for a product, or {previous}{token} for one number")
        if previous == ")":
            raise self.error(f"a number right after ')' {{at}}", index, f"write {token}*(...) or (...)*{token}")
        raise self.error(f"a number right after '{previous}' {{at}}", index,
                         f"write {previous}*{token} for a product, or {previous}**{token} for a power")

    def name_may_follow(self, previous: str, token: str, index: int) -> bool:
        name = lex.name_of(token)
        if lex.is_number(previous):
            if name == "e" and "e" not in self.bound and "e" not in self.as_variables:
                raise self.error(f"{previous}e is ambiguous {{at}}", index - 1,
                                 f"write {previous}*e for a product with e = 2.718...; {previous}e3 is the number "
                                 f"{plain(float(previous) * 1000)}")
            return True
        if lex.is_name(previous):
            if name in self.calls and self.tokens[index + 1] == "(":
                return True  # x sin(x)
            if previous[-1:] in lex.SUBSCRIPTS and self.adjacent(index):
                return True  # w₁x₁: the subscript ends the first name
            raise self.error(f"two names in a row: {lex.name_of(previous)} {name}", index,
                             f"write {lex.name_of(previous)}*{name} for a product, or "
                             f"{lex.name_of(previous)}{name} for one name")
        return True  # after ')', a closing '|', a superscript or π

    def adjacent(self, index: int) -> bool:
        if self._starts is None:
            self._starts = lex.positions(self.source)
        return self._starts[index] == self._starts[index - 1] + len(self.tokens[index - 1])
