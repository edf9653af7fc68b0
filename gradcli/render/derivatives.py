"""Derivatives beyond the first -> text: ``grad --order``, ``--hessian``, ``--jacobian`` and ``--symbolic``.

Takes the results of ``autograd/higher.py`` (``PureDerivatives``, ``Matrix``)
and, with ``--symbolic``, their formulas (``symbolic.formulas``: key ->
(gradcli text, LaTeX), keyed ``(variable, order)`` or ``(row, column)``), and
returns Rich renderables, plain data for the JSON writer, Markdown (formulas
in ``$...$``), CSV or LaTeX.  Numbers are formatted as ``render/grad.py``
formats them; JSON and CSV carry every digit.

Derivatives are named as a textbook writes them: ``∂f/∂x``, ``∂²f/∂x²``,
``∂²f/∂x∂y`` (``derivative_name``); JSON and CSV say ``d2f/dx2``.
"""

from __future__ import annotations

from ..numbers import DEFAULT_PRECISION, decimals
from ..autograd.rules import latex_name
from . import latex, style
from .grad import header, point_text

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def derivative_name(output: str, wrt: tuple, ascii_only: bool = False) -> str:
    """``∂f/∂x``, ``∂²f/∂x²``, ``∂²f/∂x∂y`` (``d2f/dx2``, ``d2f/dxdy`` with ``ascii_only``)."""
    order = len(wrt)
    d, power = ("d", str) if ascii_only else ("∂", lambda n: str(n).translate(_SUPERSCRIPT))
    top = f"{d}{output}" if order == 1 else f"{d}{power(order)}{output}"
    runs: list = []
    for name in wrt:
        if runs and runs[-1][0] == name:
            runs[-1][1] += 1
        else:
            runs.append([name, 1])
    bottom = "".join(f"{d}{name}" + (power(count) if count > 1 else "") for name, count in runs)
    return f"{top}/{bottom}"


def _order_rows(report) -> list:
    """(key, wrt) for every derivative of an order report, variable by variable, lowest order first."""
    return [((name, k), (name,) * k) for name in report.numbers for k in range(1, report.order + 1)]


# -- grad --order N (and --symbolic): one row per derivative ------------------------------------


def order_rich(graph, report, formulas: dict | None = None, precision: int = DEFAULT_PRECISION) -> list:
    title = "Derivatives: formulas read off the backward pass" if formulas else "Derivatives"
    table = style.table(title)
    table.min_width = len(title)
    table.add_column("derivative", no_wrap=True)
    if formulas:
        table.add_column("formula", overflow="fold", style="cyan")
    table.add_column("value", justify="right", style="bold", no_wrap=True)
    for key, wrt in _order_rows(report):
        cells = [derivative_name(report.output, wrt)]
        if formulas:
            cells.append(formulas[key][0])
        cells.append(decimals(report.numbers[key[0]][key[1] - 1], precision))
        table.add_row(*cells)
    return [header(graph, precision), table]


def order_document(graph, report, formulas: dict | None = None) -> dict:
    """JSON: ``derivatives`` maps each variable to its list [d1, d2, ...]; ``formulas``/``latex`` alike."""
    document = {"expression": graph.expression, "output": report.output, "value": report.value,
                "variables": report.point, "order": report.order,
                "derivatives": {name: list(values) for name, values in report.numbers.items()},
                "warnings": graph.warnings()}
    if formulas:
        document["formulas"] = {name: [formulas[name, k][0] for k in range(1, report.order + 1)]
                                for name in report.numbers}
        document["latex"] = {name: [formulas[name, k][1] for k in range(1, report.order + 1)]
                             for name in report.numbers}
    return document


def order_csv(report, formulas: dict | None = None) -> str:
    from ..csvtext import csv_text

    header_row = ["variable", "order", "derivative", "value"] + (["formula"] if formulas else [])
    rows = []
    for key, wrt in _order_rows(report):
        row = [key[0], key[1], derivative_name(report.output, wrt, ascii_only=True),
               report.numbers[key[0]][key[1] - 1]]
        rows.append(row + ([formulas[key][0]] if formulas else []))
    return csv_text(header_row, rows)


def order_markdown(graph, report, formulas: dict | None = None, precision: int = DEFAULT_PRECISION) -> str:
    rows = []
    for key, wrt in _order_rows(report):
        name = f"${latex.derivative(report.output, wrt)}$"
        value = decimals(report.numbers[key[0]][key[1] - 1], precision)
        rows.append([name, f"${formulas[key][1]}$", value] if formulas else [name, value])
    heading = ["Derivative", "Formula", "Value"] if formulas else ["Derivative", "Value"]
    return "\n\n".join([markdown_title(graph, precision), latex.markdown_table(heading, rows)])


def order_latex(graph, report, formulas: dict | None = None, precision: int = DEFAULT_PRECISION) -> str:
    lines = []
    for key, wrt in _order_rows(report):
        value = latex.number(report.numbers[key[0]][key[1] - 1], precision)
        formula = f"{formulas[key][1]} = " if formulas else ""
        lines.append(f"{latex.derivative(report.output, wrt)} &= {formula}{value}")
    return "\n".join([latex_title(graph, precision), latex.align(lines)])


# -- Hessians and Jacobians ----------------------------------------------------------------------


def matrix_title(matrix, output: str = "f") -> str:
    if matrix.kind == "hessian":
        return f"Hessian: ∂²{output}/∂(row)∂(column)"
    return "Jacobian: ∂(row)/∂(column)"


def matrix_rich(graph_or_header, matrix, formulas: dict | None = None, precision: int = DEFAULT_PRECISION,
                output: str = "f") -> list:
    """The title (a Graph's header, or a Rich renderable), the matrix as a table (formulas above values)."""
    title = matrix_title(matrix, output)
    table = style.table(title)
    table.min_width = len(title)  # a small matrix under a title that does not wrap
    table.add_column("", style="bold", no_wrap=True)
    for column in matrix.columns:
        table.add_column(column, justify="right", overflow="fold")
    for i, row in enumerate(matrix.rows):
        cells = []
        for j, column in enumerate(matrix.columns):
            value = decimals(matrix.numbers[i][j], precision)
            cells.append(f"[cyan]{_markup(formulas[row, column][0])}[/]\n= {value}" if formulas else value)
        table.add_row(row, *cells, end_section=bool(formulas))
    heading = header(graph_or_header, precision) if hasattr(graph_or_header, "output") else graph_or_header
    parts = [heading, table]
    if matrix.kind == "hessian" and matrix.gradients:
        parts.append(_gradient_line(output, matrix.gradients, precision))
    return parts


def jacobian_header(expression, matrix, precision: int = DEFAULT_PRECISION):
    """The title of a Jacobian: each output's value, the program, the point."""
    from rich.text import Text

    text = Text()
    text.append(", ".join(f"{name} = {decimals(matrix.values[name], precision)}" for name in matrix.rows),
                style="bold")
    text.append(f"\n    from {expression.summary(200)}", style="dim")
    text.append(f"\n    at {point_text(matrix.point)}", style="dim")
    return text


def _gradient_line(output: str, gradients: dict, precision: int):
    from rich.text import Text

    shown = ", ".join(f"∂{output}/∂{name} = {decimals(value, precision)}" for name, value in gradients.items())
    return Text(f"gradient: {shown}", style="dim")


def _markup(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def matrix_document(source: str, matrix, formulas: dict | None = None, output: str | None = None,
                    warnings: list = ()) -> dict:
    """JSON: the matrix under ``hessian`` or ``jacobian`` (rows, columns, numbers, formulas)."""
    block = {"rows": matrix.rows, "columns": matrix.columns, "matrix": matrix.numbers}
    if formulas:
        block["formulas"] = [[formulas[r, c][0] for c in matrix.columns] for r in matrix.rows]
        block["latex"] = [[formulas[r, c][1] for c in matrix.columns] for r in matrix.rows]
    document = {"expression": source}
    if matrix.kind == "hessian":
        document.update(output=output, value=matrix.values[output], variables=matrix.point,
                        gradients=matrix.gradients, hessian=block)
    else:
        document.update(outputs=matrix.rows, values=matrix.values, variables=matrix.point, jacobian=block)
    document["warnings"] = list(warnings)
    return document


def matrix_csv(matrix, formulas: dict | None = None) -> str:
    """The matrix with the row names in the first column; with formulas, one row per entry instead."""
    from ..csvtext import csv_text

    if formulas:
        return csv_text(["row", "column", "value", "formula"],
                        [[r, c, matrix.numbers[i][j], formulas[r, c][0]]
                         for i, r in enumerate(matrix.rows) for j, c in enumerate(matrix.columns)])
    return csv_text([matrix.kind] + matrix.columns, [[r] + matrix.numbers[i] for i, r in enumerate(matrix.rows)])


def matrix_markdown(title: str, matrix, formulas: dict | None = None, precision: int = DEFAULT_PRECISION) -> str:
    rows = []
    for i, r in enumerate(matrix.rows):
        cells = []
        for j, c in enumerate(matrix.columns):
            value = decimals(matrix.numbers[i][j], precision)
            cells.append(f"${formulas[r, c][1]}$ = {value}" if formulas else value)
        rows.append([f"**{r}**"] + cells)
    heading = [matrix.kind.capitalize()] + matrix.columns
    return "\n\n".join([title, latex.markdown_table(heading, rows)])


def matrix_latex(title: str, matrix, formulas: dict | None = None, precision: int = DEFAULT_PRECISION,
                 output: str = "f") -> str:
    """The matrix as a ``pmatrix`` (of numbers, and of formulas with ``--symbolic``), rows and columns named."""
    names = lambda items: r",\ ".join(latex_name(n) for n in items)  # noqa: E731
    if matrix.kind == "hessian":
        symbol = rf"H_{{{latex_name(output)}}}({names(matrix.columns)})"
    else:
        symbol = rf"J = \frac{{\partial ({names(matrix.rows)})}}{{\partial ({names(matrix.columns)})}}"
    numbers = latex.matrix([[latex.number(v, precision) for v in row] for row in matrix.numbers])
    if formulas:
        written = latex.matrix([[formulas[r, c][1] for c in matrix.columns] for r in matrix.rows])
        body = f"{symbol} = {written} = {numbers}"
    else:
        body = f"{symbol} = {numbers}"
    return "\n".join([title, r"\[", body, r"\]"])


# -- titles for Markdown and LaTeX ---------------------------------------------------------------


def markdown_title(graph, precision: int = DEFAULT_PRECISION) -> str:
    """The title of a Markdown result: the formula in code, its value, the steps before it, the point."""
    formula, before = graph.title()
    point = {name: leaf.data for name, leaf in graph.variables.items()}
    lines = [f"{graph.output_name} = `{formula}` = {decimals(graph.output.data, precision)}"]
    if before:
        lines.append(f"where `{before}`")
    if point:
        lines.append(f"at {point_text(point)}")
    return "  \n".join(lines)


def latex_title(graph, precision: int = DEFAULT_PRECISION) -> str:
    """The title of a LaTeX result: a comment with the expression, then the value at the point."""
    formula, before = graph.title()
    point = {name: leaf.data for name, leaf in graph.variables.items()}
    lines = [f"% gradcli: {graph.output_name} = {formula}" + (f"  where {before}" if before else ""),
             rf"\noindent ${latex_name(graph.output_name)} = {latex.number(graph.output.data, precision)}$"
             + (rf" at ${latex.point(point)}$" if point else "") + r"\\"]
    return "\n".join(lines)


def jacobian_markdown_title(expression, matrix, precision: int = DEFAULT_PRECISION) -> str:
    values = ", ".join(f"{name} = {decimals(matrix.values[name], precision)}" for name in matrix.rows)
    return f"{values}  \nfrom `{expression.summary(200)}`  \nat {point_text(matrix.point)}"


def jacobian_latex_title(expression, matrix, precision: int = DEFAULT_PRECISION) -> str:
    values = r",\ ".join(f"{latex_name(name)} = {latex.number(matrix.values[name], precision)}"
                         for name in matrix.rows)
    return "\n".join([f"% gradcli: {expression.summary(200)}",
                      rf"\noindent ${values}$ at ${latex.point(matrix.point)}$\\"])
