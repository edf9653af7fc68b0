"""``grad --explain`` -> text: the backward trace with each rule named and written out.

Takes an ``autograd.explain.Explanation`` (the plain trace, an ``Edge`` per
contribution, the sum-rule notes) and returns Rich renderables, the JSON
document (``grad``'s, with ``rule``, ``formula`` and ``latex`` added to every
contribution and a ``sums`` list), Markdown (formulas in ``$...$``), CSV (one
row per edge) or LaTeX.  Every number is the plain trace's, formatted as
``render/grad.py`` formats it: ``--explain`` adds words, never other numbers.
"""

from __future__ import annotations

from ..numbers import DEFAULT_PRECISION, compact
from . import latex, style
from .grad import TABLE_ROWS, gradient_table, grad_document, header, summarised, summary_note


def _local(edge, local, number) -> str:
    """``∂(x1*w1)/∂x1 = w1 = -3``; a constant rule once (``∂n/∂b = 1``); a tensor op by its number."""
    if local is None:
        return edge.headline()
    if edge.constant:
        return edge.headline()
    return f"{edge.headline()} = {number(local)}"


def _rows(explained, precision: int) -> list:
    """(step, rule, local derivative, upstream, contribution) per edge, and whether it ends its node."""
    number = lambda x: compact(x, precision)  # noqa: E731
    rows = []
    for step, edges in zip(explained.trace.backward, explained.edges):
        for index, (part, edge) in enumerate(zip(step.contributions, edges)):
            rows.append((str(step.id) if index == 0 else "", edge.rule, _local(edge, part.local, number),
                         number(part.upstream), number(part.contribution), index == len(step.contributions) - 1))
    return rows


def explain_rich(graph, explained, *, precision: int = DEFAULT_PRECISION, wrt=None) -> list:
    """Header, the explained backward pass, the sum-rule notes, the gradients."""
    from rich.text import Text

    out = graph.output_name
    table = style.table("Backward pass, rule by rule (local × upstream = contribution)")
    table.add_column("step", justify="right", style="dim", no_wrap=True)
    table.add_column("rule", overflow="fold", min_width=8)
    table.add_column("local derivative ∂node/∂input", overflow="fold", min_width=16)
    table.add_column(f"upstream\n∂{out}/∂node", justify="right", no_wrap=True)
    table.add_column("contribution", justify="right", style="bold", no_wrap=True)
    head, skipped, tail = summarised(_rows(explained, precision))
    for *cells, last in head:
        table.add_row(*cells, end_section=last)
    if skipped:
        table.add_row("…", f"… {skipped:,} more rows …", "", "", "", end_section=True)
    for *cells, last in tail:
        table.add_row(*cells, end_section=last)
    parts = [header(graph, precision), table]
    note = summary_note(explained.trace, TABLE_ROWS)
    if note:
        parts.append(Text(note, style="dim"))
    if explained.sums:
        lines = [sum_note.sentence(lambda x: compact(x, precision)) for sum_note in explained.sums]
        parts.append(Text("Where paths meet, gradients add:\n" + "\n".join(f"  {line}" for line in lines)))
    parts.append(gradient_table(graph, precision, wrt))
    return parts
def explain_document(graph, explained, *, wrt=None) -> dict:
    """``grad``'s JSON document, every contribution with its ``rule``, ``formula`` and ``latex``."""
    document = grad_document(graph, explained.trace, wrt=wrt, show_trace=True)
    for step, edges in zip(document["backward"], explained.edges):
        for part, edge in zip(step["contributions"], edges):
            part["rule"] = edge.rule
            part["formula"] = None if edge.formula is None else edge.formula.text(pretty=False)
            part["latex"] = edge.latex()
    document["sums"] = [{"name": s.name, "id": s.step, "contributions": s.contributions, "total": s.total}
                        for s in explained.sums]
    return document


def explain_csv(explained) -> str:
    """One row per edge of the backward pass, full precision."""
    from ..csvtext import csv_text

    rows = []
    for step, edges in zip(explained.trace.backward, explained.edges):
        for part, edge in zip(step.contributions, edges):
            rows.append([step.id, step.name or step.label, part.input_id, part.input_name or part.input_label,
                         edge.rule, None if edge.formula is None else edge.formula.text(pretty=False),
                         part.local, part.upstream, part.contribution])
    return csv_text(["id", "node", "input", "input_label", "rule", "formula", "local", "upstream", "contribution"],
                    rows)


def explain_markdown(graph, explained, *, precision: int = DEFAULT_PRECISION, wrt=None) -> str:
    from .derivatives import markdown_title

    rows = []
    for step, edges in zip(explained.trace.backward, explained.edges):
        for part, edge in zip(step.contributions, edges):
            local = "" if part.local is None or edge.constant else f" = {compact(part.local, precision)}"
            rows.append([str(step.id), edge.rule, f"${edge.latex()}${local}", compact(part.upstream, precision),
                         compact(part.contribution, precision)])
    out = graph.output_name
    parts = [markdown_title(graph, precision),
             latex.markdown_table(["Step", "Rule", "Local derivative", f"Upstream ∂{out}/∂node", "Contribution"],
                                  rows)]
    if explained.sums:
        parts.append("\n".join(f"- {s.sentence(lambda x: compact(x, precision))}" for s in explained.sums))
    gradients = graph.gradients()
    parts.append(latex.markdown_table(["Variable", f"∂{out}/∂variable"],
                                      [[name, compact(gradients[name], precision)] for name in (wrt or gradients)]))
    return "\n\n".join(parts)


def explain_latex(graph, explained, *, precision: int = DEFAULT_PRECISION, wrt=None) -> str:
    from .derivatives import latex_title
    from .grad_latex import gradients_latex

    rows = []
    for step, edges in zip(explained.trace.backward, explained.edges):
        for part, edge in zip(step.contributions, edges):
            local = "" if part.local is None or edge.constant else f" = {latex.number(part.local, precision)}"
            rows.append([str(step.id), latex.escape(edge.rule), f"${edge.latex()}{local}$",
                         f"${latex.number(part.upstream, precision)}$", f"${latex.number(part.contribution, precision)}$"])
    parts = [latex_title(graph, precision),
             latex.tabular(["step", "rule", "local derivative", "upstream", "contribution"], rows, "rllrr")]
    if explained.sums:
        parts.append("\n".join(latex.escape(s.sentence(lambda x: compact(x, precision))) + r"\\"
                               for s in explained.sums))
    parts.append(gradients_latex(graph, precision, wrt))
    return "\n\n".join(parts)

