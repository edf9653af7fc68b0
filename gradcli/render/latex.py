"""LaTeX out: every piece of LaTeX gradcli writes (``--format latex``), for a teacher's slides.

    >>> derivative("f", ("x", "x"))
    '\\\\frac{\\\\partial^{2} f}{\\\\partial x^{2}}'
    >>> derivative("o", ("w1", "x1"))
    '\\\\frac{\\\\partial^{2} o}{\\\\partial w_{1} \\\\partial x_{1}}'
    >>> number(-1.5, 4), number(2.5e-9, 4)
    ('-1.5000', '2.5000 \\\\cdot 10^{-9}')

Names are written as ``rules.latex_name`` writes them (``w1`` is ``w_{1}``)
and formulas by ``rules.Term.latex`` (traces, rules) or by sympy (``grad
--symbolic``, which uses the same names); text is escaped (``escape``).
``markdown_table`` is here too: the Markdown outputs of the new sections share it.
"""

from __future__ import annotations

import math

from ..autograd.rules import latex_name
from ..numbers import DEFAULT_PRECISION, decimals, entries, trimmed

_ESCAPES = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{",
            "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def escape(text: str) -> str:
    """Plain text made safe inside LaTeX (``x_1 & y`` -> ``x\\_1 \\& y``)."""
    return "".join(_ESCAPES.get(char, char) for char in text)


def number(x, precision: int = DEFAULT_PRECISION) -> str:
    """A number as the tables show it (``decimals``), with e-notation as a power of ten.

    An array is written on one line as the tables write it (``numbers.compact``): ``[0, 5]``.
    """
    if x is None:
        return "-"
    if getattr(x, "ndim", 0):
        return entries(x, lambda v: _powers_of_ten(trimmed(v, precision))).replace("\u2026", r"\dots")
    if isinstance(x, float) and not math.isfinite(x):
        return {"inf": r"\infty", "-inf": r"-\infty"}.get(str(x), r"\mathrm{NaN}")
    return _powers_of_ten(decimals(x, precision))


def _powers_of_ten(text: str) -> str:
    if "e" in text and text[-1].isdigit():  # not "inf"
        mantissa, _, power = text.partition("e")
        return rf"{mantissa} \cdot 10^{{{int(power)}}}"
    return text


def derivative(output: str, wrt: tuple) -> str:
    r"""``\frac{\partial f}{\partial x}``, ``\frac{\partial^{2} f}{\partial x^{2}}``, mixed ones by variable."""
    order = len(wrt)
    top = rf"\partial {latex_name(output)}" if order == 1 else rf"\partial^{{{order}}} {latex_name(output)}"
    runs: list = []  # (name, how many times in a row)
    for name in wrt:
        if runs and runs[-1][0] == name:
            runs[-1][1] += 1
        else:
            runs.append([name, 1])
    bottom = " ".join(rf"\partial {latex_name(name)}" + (f"^{{{count}}}" if count > 1 else "")
                      for name, count in runs)
    return rf"\frac{{{top}}}{{{bottom}}}"


def point(values: dict) -> str:
    """``x_{1} = 2,\\ w_{1} = -3``: the point of evaluation, numbers as given (arrays as ``[2, 1]``)."""
    from .grad import given

    return r",\ ".join(f"{latex_name(name)} = {given(value)}" for name, value in values.items())


def tabular(header: list, rows: list, align: str | None = None) -> str:
    """A ``tabular`` with a rule under the header; cells are LaTeX already (wrap math in ``$...$``)."""
    align = align or "l" * len(header)
    lines = [rf"\begin{{tabular}}{{{align}}}", " & ".join(header) + r" \\", r"\hline"]
    lines += [" & ".join(row) + r" \\" for row in rows]
    lines.append(r"\end{tabular}")
    return "\n".join(lines)


def matrix(rows: list) -> str:
    """A ``pmatrix`` of LaTeX cells."""
    body = " \\\\\n".join(" & ".join(row) for row in rows)
    return "\\begin{pmatrix}\n" + body + "\n\\end{pmatrix}"


def align(lines: list) -> str:
    """An ``align*`` block: one ``lhs &= rhs`` per line."""
    return "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}"


def markdown_table(header: list, rows: list) -> str:
    """A Markdown table; a ``|`` inside a cell is escaped."""
    def cells(row):
        return "| " + " | ".join(str(cell).replace("|", "\\|") for cell in row) + " |"

    return "\n".join([cells(header), "|" + "---|" * len(header), *(cells(row) for row in rows)])
