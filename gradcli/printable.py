"""Text from outside gradcli made safe to show on a terminal: control characters escaped.

A message that repeats what a person typed or what a file holds (an argument, a
CSV header or cell, a model file's input names, a file name) must not let that
text drive the terminal: ``ESC [2J`` clears the screen, ``ESC ]0;...`` sets the
window title, a carriage return or a newline can overwrite a line or forge a
second one, and bidirectional controls can reorder what is read.  Everything
gradcli writes for people goes through ``printable``: the consoles of
``cli/common.py`` escape whatever they print (tables, warnings, progress),
``render/errors.py`` the lines of an error (the CLI and the explore app show
them), the explore app its status line.  Each such character is written as
Python would in a string literal::

    >>> printable("unknown dataset 'a\\x1b[2Jb'")
    "unknown dataset 'a\\\\x1b[2Jb'"
    >>> printable("x\\ty\\nz"), printable("naïve → ok")
    ('x\\\\ty\\\\nz', 'naïve → ok')

Letters, digits, symbols and spaces of every script are kept as they are.
"""

from __future__ import annotations

import re

__all__ = ["printable"]

_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
# controls (C0, DEL, C1), line and paragraph separators, the marks and overrides that reorder text
# (bidirectional controls), and lone surrogates (bytes that were not UTF-8, kept by Python as U+DC80..)
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_UNSAFE_BUT_NEWLINE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069"
                                 "\ud800-\udfff]")


def printable(text: str, keep_newlines: bool = False) -> str:
    """``text`` with each control or invisible formatting character written as an escape (``\\x1b``).

    ``keep_newlines`` leaves ``\\n`` as it is, for text already laid out in lines (a rendered table).
    """
    unsafe = _UNSAFE_BUT_NEWLINE if keep_newlines else _UNSAFE
    if unsafe.search(text) is None:  # the usual case: nothing to do
        return text
    return unsafe.sub(_escape, text)


def _escape(match: re.Match) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

