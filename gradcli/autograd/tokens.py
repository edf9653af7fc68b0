"""Expression text -> tokens: the notation people type and paste, each form read one way.

The tokenizer splits the text into plain strings (numbers, names, operators,
superscripts, newlines) in one pass of one regular expression, so it takes
time linear in the length; spaces and ``#`` comments are dropped.  Positions
are not kept per token (a million tokens would cost memory for nothing): the
parser asks ``positions(source)`` for them only when it has something to point
at.  What the Unicode characters mean::

    >>> tokenize("2x² − 3·y₁ # a comment")
    ['2', 'x', '²', '−', '3', '·', 'y₁']
    >>> spelled("−"), spelled("·"), spelled("^"), name_of("y₁")
    ('-', '*', '**', 'y1')

- ``·`` ``⋅`` ``×`` are ``*``; ``−`` (the minus sign) is ``-``; ``÷`` is ``/``; ``^`` is ``**``.
- Superscript digits, with an optional sign (``x²``, ``x⁻¹``), are a power.
- Subscript digits end a name and read as digits: ``w₁`` is ``w1``, and ``w₁x₁`` is ``w1*x1``.
- Letters of any alphabet make names (``θ``, ``Δx``); ``π`` alone is the constant pi.
- ``√`` is sqrt of what follows; ``|x|`` is abs.
- ``@`` is the matrix product; ``[1, 2]`` an array; ``x[0]`` an entry; ``x.T`` and ``xᵀ`` the transpose.

Anything else becomes a one-character token that the parser refuses with a hint.
"""

from __future__ import annotations

import re

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉"
_SUPERSCRIPT_VALUE = str.maketrans(SUPERSCRIPTS + "⁺⁻", "0123456789+-")
_SUBSCRIPT_VALUE = str.maketrans(SUBSCRIPTS, "0123456789")

# How each operator may be written -> the one spelling the parser reads.
OPERATOR_SPELLINGS = {"·": "*", "⋅": "*", "×": "*", "−": "-", "÷": "/", "^": "**"}

# Super- and subscripts and modifier letters never belong to a name (x² is x squared, not a name "x²"),
# nor does π (2πr is 2*pi*r), nor a digit of another script or a number form (½, Ⅻ, ①).
_NOT_IN_NAMES = "²³¹π\u00bc-\u00be\u02b0-\u02ff\u1d2c-\u1dbf\u2070-\u209f\u2150-\u218f\u2460-\u24ff"
_NAME = rf"[^\W\d{_NOT_IN_NAMES}](?:[^\W\d{_NOT_IN_NAMES}]|[0-9])*[{SUBSCRIPTS}]*"
_NUMBER = r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_SUPERSCRIPT = rf"[⁺⁻]?[{SUPERSCRIPTS}]+"
# spaces (any but the newline, which ends a statement) and comments before each token; \Z ends the text
_TOKEN = re.compile(rf"(?:[^\S\n]+|#[^\n]*)*({_NUMBER}|{_NAME}|{_SUPERSCRIPT}|\*\*|\n|\S|\Z)")

END = ""  # the token after the last one


def tokenize(source: str) -> list:
    """The tokens of ``source`` as strings, without spaces and comments; newlines inside ( ) dropped.

    Linear in the length (every character is either skipped or starts a token).
    The list does not end with ``END``; the parser adds it.
    """
    tokens = _TOKEN.findall(source)
    while tokens and tokens[-1] == END:
        tokens.pop()
    return _join_lines(tokens) if "\n" in source else tokens


def positions(source: str) -> list:
    """The 0-based offset of every token of ``tokenize(source)``, and of the end: ``len(source)``."""
    starts, tokens = [], []
    for match in _TOKEN.finditer(source):
        if match.group(1) != END:
            tokens.append(match.group(1))
            starts.append(match.start(1))
    if "\n" in source:
        kept = _kept_indices(tokens)
        starts = [starts[i] for i in kept]
    starts.append(len(source))
    return starts


def _join_lines(tokens: list) -> list:
    """Inside parentheses and brackets a newline is a space: a long statement (a matrix) may go on over
    several lines."""
    return [tokens[i] for i in _kept_indices(tokens)]


def _kept_indices(tokens: list) -> list:
    depth, kept = 0, []
    for index, token in enumerate(tokens):
        if token == "(" or token == "[":
            depth += 1
        elif token == ")" or token == "]":
            depth = max(depth - 1, 0)
        elif token == "\n" and depth:
            continue
        kept.append(index)
    return kept


def spelled(token: str) -> str:
    """The operator a token stands for (``·`` -> ``*``); other tokens as they are."""
    return OPERATOR_SPELLINGS.get(token, token)


def name_of(token: str) -> str:
    """A name token as the name it reads as: subscript digits become digits (``w₁`` -> ``w1``)."""
    return token if token.isascii() else token.translate(_SUBSCRIPT_VALUE)


def superscript_value(token: str) -> str:
    """A superscript token as the number it writes: ``⁻¹`` -> ``-1``."""
    return token.translate(_SUPERSCRIPT_VALUE)


_IS_NAME = re.compile(_NAME).fullmatch


def is_number(token: str) -> bool:
    first = token[:1]
    return "0" <= first <= "9" or first == "." and len(token) > 1


def is_name(token: str) -> bool:
    first = token[:1]
    if first.isascii():
        return first.isalpha() or first == "_"
    return _IS_NAME(token) is not None


def is_superscript(token: str) -> bool:
    return token != END and token[-1] in SUPERSCRIPTS
