"""``gradcli grad --format latex``: the trace and the gradients in LaTeX, ready for a slide.

The trace is the Markdown trace's table (``grad.markdown_rows``: variables
first, named steps by name, other steps ``t1, t2, ...``) as a ``tabular``,
each definition written as LaTeX by ``rules.Term`` (``t_{1} = w_{1} x_{1}``);
the gradients follow in an ``align*``.  No computer algebra is involved:
``grad --format latex`` starts as quickly as ``grad``.
"""

from __future__ import annotations

from ..autograd.rules import Term, latex_name, node_term
from ..numbers import DEFAULT_PRECISION
from . import latex
from .grad import markdown_rows


def grad_latex(graph, steps, *, precision: int = DEFAULT_PRECISION, wrt=None, show_trace: bool = True) -> str:
    """The title, the trace as a ``tabular`` (unless ``show_trace`` is False) and the gradients."""
    from .derivatives import latex_title

    parts = [latex_title(graph, precision)]
    if show_trace:
        parts.append(trace_tabular(graph, steps, precision))
    parts.append(gradients_latex(graph, precision, wrt))
    return "\n\n".join(parts)


def trace_tabular(graph, steps, precision: int = DEFAULT_PRECISION) -> str:
    """``name & definition & value & gradient`` per node, as the Markdown trace lists them."""
    rows = markdown_rows(graph, steps)
    names = {id(node): name for name, _, node in rows}

    def term_of(child):
        if id(child) in names:
            return Term.name(names[id(child)], child.data)
        if child.label in ("pi", "e"):
            return Term.name(child.label, child.data)
        return Term.number(child.data)

    cells = []
    for name, definition, node in rows:
        written = f"${node_term(node, term_of).latex()}$" if node.inputs else latex.escape(definition)
        cells.append([f"${latex_name(name)}$", written, f"${latex.number(node.data, precision)}$",
                      f"${latex.number(node.grad, precision)}$"])
    return latex.tabular(["variable", "expression", "forward value", "gradient"], cells, "llrr")


def gradients_latex(graph, precision: int = DEFAULT_PRECISION, wrt=None) -> str:
    """``\\frac{\\partial f}{\\partial x} &= 14`` for each variable, in an ``align*``."""
    gradients = graph.gradients()
    return latex.align([f"{latex.derivative(graph.output_name, (name,))} &= {latex.number(gradients[name], precision)}"
                        for name in (wrt or gradients)])
