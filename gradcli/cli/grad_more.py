"""``gradcli grad`` beyond the plain trace: ``--order``, ``--hessian``, ``--jacobian``, ``--symbolic``, ``--explain``.

``grad_cmd.py`` reads the options and calls ``mode_of`` (which combinations
make sense); each ``show_*`` here calls the core (``autograd/higher.py``,
``symbolic.py``, ``explain.py``) and hands the result to the renderer of the
chosen format (``render/derivatives.py``, ``render/explain.py``).  sympy is
imported only under ``--symbolic``.
"""

from __future__ import annotations

from ..errors import UsageError
from .common import console, write_stdout
from .output import GradFormat, write_json


def mode_of(*, order: int, hessian: bool, jacobian: bool, outputs: list, symbolic: bool, explain: bool,
            no_trace: bool) -> str:
    """Which result ``grad`` shows: trace, explain, order, hessian or jacobian (usage errors for clashes)."""
    if outputs and not jacobian:
        raise UsageError("--outputs names the outputs of a Jacobian: add --jacobian",
                         hint="for one output, --output NAME picks it")
    wanted = [flag for flag, on in (("--hessian", hessian), ("--jacobian", jacobian),
                                    (f"--order {order}", order != 1)) if on]
    if len(wanted) > 1:
        raise UsageError(f"{wanted[0]} and {wanted[1]} are two different results: ask for one at a time")
    if explain and (wanted or symbolic):
        other = wanted[0] if wanted else "--symbolic"
        raise UsageError(f"--explain explains the backward pass of the first derivatives: drop {other}, "
                         "or run the two separately")
    if explain and no_trace:
        raise UsageError("--explain explains the trace, which --no-trace leaves out: give one of them")
    if jacobian:
        return "jacobian"
    if hessian:
        return "hessian"
    if explain:
        return "explain"
    if order != 1 or symbolic:
        return "order"
    return "trace"


def _formulas(derivatives: dict, variables: dict) -> dict:
    from ..autograd.symbolic import formulas

    return formulas(derivatives, variables)


def _check_scalar(graph) -> None:
    from ..autograd.symbolic import check_scalar_graph

    check_scalar_graph(graph.output)


def _print(parts) -> None:
    out = console()
    for part in parts:
        out.print(part)
        out.print()


def show_order(graph, names: list, order: int, symbolic: bool, output_format: GradFormat, precision: int) -> None:
    """``--order N`` and ``--symbolic``: each variable's derivatives (and their formulas)."""
    from ..autograd.higher import pure_derivatives
    from ..render import derivatives as render

    if symbolic:
        _check_scalar(graph)
    report = pure_derivatives(graph, names, order, keep_graphs=symbolic)
    formulas = None
    if symbolic:
        graphs = {(name, k + 1): d for name, chain in report.graphs.items() for k, d in enumerate(chain)}
        formulas = _formulas(graphs, graph.variables)
    if output_format == GradFormat.json:
        write_json(render.order_document(graph, report, formulas), indent=2)
    elif output_format == GradFormat.csv:
        write_stdout(render.order_csv(report, formulas))
    elif output_format == GradFormat.markdown:
        write_stdout(render.order_markdown(graph, report, formulas, precision))
    elif output_format == GradFormat.latex:
        write_stdout(render.order_latex(graph, report, formulas, precision))
    else:
        _print(render.order_rich(graph, report, formulas, precision))


def show_hessian(graph, names: list, symbolic: bool, output_format: GradFormat, precision: int) -> None:
    from ..autograd.higher import hessian_matrix
    from ..render import derivatives as render

    if symbolic:
        _check_scalar(graph)
    matrix = hessian_matrix(graph, names, keep_graphs=symbolic)
    formulas = _matrix_formulas(matrix) if symbolic else None
    out = graph.output_name
    if output_format == GradFormat.json:
        write_json(render.matrix_document(graph.expression, matrix, formulas, out, graph.warnings()), indent=2)
    elif output_format == GradFormat.csv:
        write_stdout(render.matrix_csv(matrix, formulas))
    elif output_format == GradFormat.markdown:
        write_stdout(render.matrix_markdown(render.markdown_title(graph, precision), matrix, formulas, precision))
    elif output_format == GradFormat.latex:
        write_stdout(render.matrix_latex(render.latex_title(graph, precision), matrix, formulas, precision, out))
    else:
        _print(render.matrix_rich(graph, matrix, formulas, precision, out))


def show_jacobian(expression, values: dict, outputs: list, wrt: str | None, symbolic: bool,
                  output_format: GradFormat, precision: int) -> None:
    from ..autograd.higher import check_outputs, jacobian_matrix
    from ..render import derivatives as render
    from .options import parse_wrt

    check_outputs(outputs)
    variables = list(dict.fromkeys(v for name in outputs for v in expression.with_output(name).variables))
    names = parse_wrt(wrt, variables)
    matrix = jacobian_matrix(expression, values, outputs, names, keep_graphs=symbolic)
    formulas = _matrix_formulas(matrix) if symbolic else None
    if output_format == GradFormat.json:
        write_json(render.matrix_document(expression.source, matrix, formulas), indent=2)
    elif output_format == GradFormat.csv:
        write_stdout(render.matrix_csv(matrix, formulas))
    elif output_format == GradFormat.markdown:
        write_stdout(render.matrix_markdown(render.jacobian_markdown_title(expression, matrix, precision), matrix,
                                            formulas, precision))
    elif output_format == GradFormat.latex:
        write_stdout(render.matrix_latex(render.jacobian_latex_title(expression, matrix, precision), matrix,
                                         formulas, precision))
    else:
        _print(render.matrix_rich(render.jacobian_header(expression, matrix, precision), matrix, formulas,
                                  precision))


def _matrix_formulas(matrix) -> dict:
    """Every entry's formula, row by row (a Jacobian's outputs were evaluated each on its own leaves)."""
    from ..autograd.symbolic import check_scalar_graph

    written = {}
    for i, row in enumerate(matrix.rows):
        for graph in matrix.graphs[i]:
            check_scalar_graph(graph)
        entries = {(row, column): matrix.graphs[i][j] for j, column in enumerate(matrix.columns)}
        written.update(_formulas(entries, matrix.leaves[i]))
    return written


def show_explain(graph, names, output_format: GradFormat, precision: int) -> None:
    from ..autograd.explain import explain
    from ..render import explain as render
    from ..render.grad import TABLE_ROWS

    window = TABLE_ROWS if output_format == GradFormat.table else None
    explained = explain(graph, window=window)
    if output_format == GradFormat.json:
        write_json(render.explain_document(graph, explained, wrt=names), indent=2)
    elif output_format == GradFormat.csv:
        write_stdout(render.explain_csv(explained))
    elif output_format == GradFormat.markdown:
        write_stdout(render.explain_markdown(graph, explained, precision=precision, wrt=names))
    elif output_format == GradFormat.latex:
        write_stdout(render.explain_latex(graph, explained, precision=precision, wrt=names))
    else:
        _print(render.explain_rich(graph, explained, precision=precision, wrt=names))
