"""grad --order, --hessian, --outputs/--jacobian, --symbolic and --format latex, through the command line."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
import sympy

from gradcli.autograd.expr import parse
from gradcli.autograd.symbolic import to_sympy


def document(cli, *args):
    result = cli("grad", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_second_derivatives_of_every_variable(cli):
    found = document(cli, "x**3*y + sin(y)", "--x", "2", "--y", "0.5", "--order", "2")
    assert found["order"] == 2 and found["value"] == pytest.approx(8 * 0.5 + 0.479425538604203)
    assert found["derivatives"]["x"] == pytest.approx([12 * 0.5, 6 * 2 * 0.5])  # 3x^2 y, 6xy
    assert found["derivatives"]["y"] == pytest.approx([8 + 0.8775825618903728, -0.479425538604203])


def test_up_to_the_fourth_derivative_of_one_variable(cli):
    assert document(cli, "x**4", "--x", "2", "--order", "4")["derivatives"] == {"x": [32.0, 48.0, 48.0, 24.0]}
    table = cli("grad", "3*x**2 - 4*x + 5", "--x", "3", "--order", "2").stdout
    assert "∂f/∂x" in table and "14.0000" in table and "∂²f/∂x²" in table and "6.0000" in table
    picked = document(cli, "x**4*y", "--x", "2", "--y", "1", "--order", "3", "--wrt", "x")
    assert picked["derivatives"] == {"x": [32.0, 48.0, 48.0]}


def test_the_hessian_in_every_format(cli):
    args = ["x**2*y + exp(y)", "--x", "1.5", "--y", "0.5", "--hessian"]
    found = document(cli, *args)
    e = 1.6487212707001282
    assert found["hessian"]["rows"] == ["x", "y"] and found["hessian"]["columns"] == ["x", "y"]
    assert found["hessian"]["matrix"] == [[1.0, 3.0], [3.0, e]]
    assert found["gradients"] == pytest.approx({"x": 1.5, "y": 2.25 + e})
    assert cli("grad", *args, "--format", "csv").stdout.splitlines() == [
        "hessian,x,y", "x,1.0,3.0", f"y,3.0,{e!r}"]
    markdown = cli("grad", *args, "--format", "markdown").stdout
    assert "| Hessian | x | y |" in markdown and "| **x** | 1.0000 | 3.0000 |" in markdown
    latex = cli("grad", *args, "--format", "latex").stdout
    assert r"H_{f}(x,\ y) = \begin{pmatrix}" in latex and "1.0000 & 3.0000" in latex
    table = cli("grad", *args).stdout
    assert "Hessian: ∂²f/∂(row)∂(column)" in table and "3.0000" in table


def test_a_jacobian_of_named_outputs(cli):
    found = document(cli, "u = x*y; v = x + y*z", "--x", "1", "--y", "2", "--z", "3", "--outputs", "u,v",
                     "--jacobian")
    assert found["outputs"] == ["u", "v"] and found["values"] == {"u": 2.0, "v": 7.0}
    assert found["jacobian"]["columns"] == ["x", "y", "z"]
    assert found["jacobian"]["matrix"] == [[2.0, 1.0, 0.0], [1.0, 3.0, 2.0]]
    symbolic = document(cli, "u = x*y; v = x + y*z", "--x", "1", "--y", "2", "--z", "3", "--outputs", "u,v",
                        "--jacobian", "--symbolic")
    assert symbolic["jacobian"]["formulas"] == [["y", "x", "0"], ["1", "z", "y"]]


SYMBOLIC = ["x**2*sin(x) + y", "tanh(w*x + b)", "log(x**2 + 1)*cos(y)", "sigmoid(x - y) + sqrt(x**2 + 1)",
            "x**y", "atan2(y, x) + log(x, 2)", "exp2(x)*log10(y)", "sinh(x*y) + asinh(x)", "e = exp(x); y2 = e*e/y"]
POINT = {"x": 1.3, "y": 0.7, "w": -0.4, "b": 0.2}


@pytest.mark.parametrize("text", SYMBOLIC)
def test_printed_formulas_parse_back_equal_the_gradient_and_sympys_diff(cli, text):
    expression = parse(text)
    values = {name: POINT[name] for name in expression.variables}
    args = [text] + [f"{name}={value}" for name, value in values.items()] + ["--symbolic"]
    found = document(cli, *args)
    graph = expression.evaluate(values)
    reference = to_sympy(graph.output, graph.variables)  # the function itself, for sympy to differentiate
    rng = random.Random(5)
    for name in expression.variables:
        printed = found["formulas"][name][0]
        ours = sympy.sympify(printed.replace("step(", "Heaviside("), locals={n: sympy.Symbol(n) for n in values})
        assert sympy.simplify((ours - sympy.diff(reference, sympy.Symbol(name))).rewrite(sympy.exp)) == 0, printed
        back = parse(printed)
        for _ in range(5):
            point = {n: v * rng.uniform(0.8, 1.2) for n, v in values.items()}
            there = expression.evaluate(point)
            there.backward()
            assert back.value_at({n: point[n] for n in back.variables}) == pytest.approx(
                there.gradients()[name], rel=1e-9, abs=1e-12), (text, name, printed)


def test_symbolic_tables_markdown_and_latex(cli):
    table = cli("grad", "x**2*sin(x)", "--x", "1.5", "--symbolic").stdout
    assert "x**2*cos(x) + 2*x*sin(x)" in table and "3.1516" in table
    markdown = cli("grad", "x**2*sin(x)", "--x", "1.5", "--symbolic", "--format", "markdown").stdout
    assert r"| $\frac{\partial f}{\partial x}$ | $x^{2} \cos{\left(x \right)} + 2 x \sin{\left(x \right)}$ |" in \
        markdown
    latex = cli("grad", "x**2*sin(x)", "--x", "1.5", "--symbolic", "--order", "2", "--format", "latex").stdout
    assert r"\frac{\partial^{2} f}{\partial x^{2}} &= " in latex and r"\begin{align*}" in latex
    csv = cli("grad", "w1*x**2", "--x", "2", "--w1", "3", "--symbolic", "--format", "csv").stdout.splitlines()
    assert csv == ["variable,order,derivative,value,formula", "w1,1,df/dw1,4.0,x**2", "x,1,df/dx,12.0,2*w1*x"]


def test_latex_of_the_plain_trace(cli):
    latex = cli("grad", "tanh(x1*w1 + b)", "--x1", "2", "--w1", "-3", "--b", "6.8813735870195432", "--format",
                "latex").stdout
    assert latex.startswith("% gradcli: f = tanh(x1*w1 + b)")
    assert r"$t_{1}$ & $x_{1} w_{1}$ & $-6.0000$ & $0.5000$ \\" in latex
    assert r"$f$ & $\tanh\left(t_{2}\right)$ & $0.7071$ & $1.0000$ \\" in latex
    assert r"\frac{\partial f}{\partial w_{1}} &= 1.0000" in latex


ARRAY_X = ["sum(x**3) + x[0]*x[1]", "--x", "1,2"]  # its Hessian is [[6, 1], [1, 12]]: JSON gave [7, 13], its row sums


@pytest.mark.parametrize("args, message", [
    (["x**2", "--x", "1", "--order", "0"], "--order must lie in 1..4, got 0"),
    (["x**2", "--x", "1", "--order", "99"], "--order must lie in 1..4, got 99"),
    (["x*y", "--x", "1", "--y", "2", "--order", "3"], "--order 3 is for one variable; the expression has x, y"),
    (["u = x*y; v = x + y", "--x", "1", "--y", "2", "--jacobian"], "--jacobian needs two or more outputs, got none"),
    (["u = x*y; v = x + y", "--x", "1", "--y", "2", "--outputs", "u", "--jacobian"],
     "--jacobian needs two or more outputs, got u"),
    (["u = x*y; v = x + y", "--x", "1", "--y", "2", "--outputs", "u,v"],
     "--outputs names the outputs of a Jacobian: add --jacobian"),
    (["u = x*y; v = x + y", "--x", "1", "--y", "2", "--outputs", "u,w", "--jacobian"],
     "--outputs w: no statement binds w; the bound names are u, v"),
    (["x**2", "--x", "1", "--hessian", "--order", "2"], "--hessian and --order 2 are two different results"),
    (["x**2", "--x", "1", "--explain", "--symbolic"], "--explain explains the backward pass of the first derivatives"),
    (["x**2", "--x", "1", "--explain", "--no-trace"], "--explain explains the trace, which --no-trace leaves out"),
    ([*ARRAY_X, "--hessian", "--symbolic"], "--symbolic writes formulas of scalar expressions"),
])
def test_bad_combinations_are_usage_errors(cli, args, message):
    result = cli("grad", *args)
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.stderr.split())


def numeric_hessian(f, point: np.ndarray, h: float = 1e-4) -> np.ndarray:
    """Central second differences of ``f`` over the flat ``point``: the Hessian to about 1e-7 for smooth f."""
    n = point.size
    hessian = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            def at(di, dj):
                moved = point.copy()
                moved[i] += di * h
                moved[j] += dj * h
                return f(moved)
            hessian[i, j] = (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4 * h * h)
    return hessian


def test_the_hessian_of_array_variables_is_taken_entry_by_entry(cli):
    """JSON once gave [7, 13] for this Hessian, its row sums: each row is the gradient of one entry now."""
    found = document(cli, *ARRAY_X, "--hessian")
    assert found["hessian"]["rows"] == found["hessian"]["columns"] == ["x[0]", "x[1]"]
    assert found["hessian"]["matrix"] == [[6.0, 1.0], [1.0, 12.0]]
    assert found["gradients"] == {"x[0]": 5.0, "x[1]": 13.0} and found["variables"]["x"] == [1.0, 2.0]
    table = cli("grad", *ARRAY_X, "--hessian").stdout
    assert "x[0]" in table and "12.0000" in table and "∂f/∂x[1] = 13.0000" in table
    latex = cli("grad", *ARRAY_X, "--hessian", "--format", "latex").stdout
    assert r"H_{f}(x_{0},\ x_{1})" in latex


def test_a_matrix_and_a_vector_hessian_against_finite_differences(cli):
    M, x, y = np.array([[1.0, 2.0], [-1.0, 0.5]]), np.array([0.3, -0.2]), 0.7

    def f(flat):
        return float(np.sum(np.tanh(flat[:4].reshape(2, 2) @ flat[4:6]) ** 2) * flat[6])

    found = document(cli, "sum(tanh(M @ x)**2)*y", "--M", "[[1, 2], [-1, 0.5]]", "--x", "0.3,-0.2", "--y", "0.7",
                     "--hessian")
    labels = ["M[0, 0]", "M[0, 1]", "M[1, 0]", "M[1, 1]", "x[0]", "x[1]", "y"]
    assert found["hessian"]["rows"] == labels
    expected = numeric_hessian(f, np.concatenate([M.ravel(), x, [y]]))
    assert np.allclose(found["hessian"]["matrix"], expected, atol=1e-6)
    assert np.allclose(found["hessian"]["matrix"], np.transpose(found["hessian"]["matrix"]), atol=1e-12)


def test_second_derivatives_through_a_sum_of_a_matrix_product(cli):
    """sum's gradient, a number, reached the product's rule unbroadcast when it was a graph: '() @ (1, 2)'."""
    found = document(cli, "sum(M @ x)*y", "--M", "[[1, 2], [3, 4]]", "--x", "2,1", "--y", "1", "--hessian")
    rows = dict(zip(found["hessian"]["rows"], found["hessian"]["matrix"]))
    assert rows["y"] == [2.0, 1.0, 2.0, 1.0, 4.0, 6.0, 0.0]  # d2f/dy dM[i, j] = x[j], d2f/dy dx[j] = sum_i M[i, j]
    assert rows["x[0]"] == [1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 4.0]
    checked = cli("check", "sum(M @ x)*y", "--M", "[[1, 2], [3, 4]]", "--x", "2,1", "--y", "1", "--order", "2")
    assert checked.exit_code == 0 and "OK: the second derivatives match" in checked.stdout


def test_pure_derivatives_of_an_array_entry_by_entry(cli):
    assert document(cli, *ARRAY_X, "--order", "2")["derivatives"] == {"x[0]": [5.0, 6.0], "x[1]": [13.0, 12.0]}
    quartic = document(cli, "sum(x**4)", "--x", "1,2", "--order", "4")["derivatives"]
    assert quartic == {"x[0]": [4.0, 12.0, 24.0, 24.0], "x[1]": [32.0, 48.0, 48.0, 24.0]}


def test_a_jacobian_of_array_outputs_and_variables_has_a_row_and_column_per_entry(cli):
    found = document(cli, "u = M @ x; v = sum(x)", "--M", "[[1, 2], [3, 4]]", "--x", "1,2", "--outputs", "u,v",
                     "--jacobian", "--wrt", "x")
    assert found["jacobian"]["rows"] == ["u[0]", "u[1]", "v"] and found["jacobian"]["columns"] == ["x[0]", "x[1]"]
    assert found["jacobian"]["matrix"] == [[1.0, 2.0], [3.0, 4.0], [1.0, 1.0]]  # M, then ones
    assert found["values"] == {"u[0]": 5.0, "u[1]": 11.0, "v": 3.0}
    assert found["variables"] == {"M": [[1.0, 2.0], [3.0, 4.0]], "x": [1.0, 2.0]}  # M held by --wrt, still shown


def test_a_jacobian_keeps_the_index_of_each_output(cli):
    """Each output was evaluated without the program's indices and axes: v = x[0]*y was an internal error."""
    found = document(cli, "u = sum(x*x); v = x[0]*y", "--x", "1,2", "--y", "3", "--outputs", "u,v", "--jacobian")
    assert found["jacobian"]["matrix"] == [[2.0, 4.0, 0.0], [3.0, 0.0, 1.0]]
    axis = document(cli, "u = sum(M, axis=0); v = M[1, 0]", "--M", "[[1, 2], [3, 4]]", "--outputs", "u,v",
                    "--jacobian")
    assert axis["jacobian"]["rows"] == ["u[0]", "u[1]", "v"]
    assert axis["jacobian"]["matrix"] == [[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.0, 1.0], [0.0, 0.0, 1.0, 0.0]]


@pytest.mark.parametrize("args, message", [
    (["x**1.5", "--x", "0", "--order", "2"],
     "error: the second derivative of f with respect to x is undefined at this point: 0 to the power -0.5 is a "
     "division by zero"),
    (["x**2.5", "--x", "0", "--order", "3", "--format", "json"],
     "error: the third derivative of f with respect to x is undefined at this point"),
    (["x**1.5 + y", "--x", "0", "--y", "1", "--hessian"],
     "error: the derivatives of df/dx (the Hessian's row x) are undefined at this point: argument is 0, **0.5 has "
     "an infinite slope there"),
    (["sqrt(x)*y", "--x", "0", "--y", "1", "--hessian"],  # a node of the expression itself: named by its label
     "error: sqrt(x): argument is 0, sqrt has an infinite slope there"),
])
def test_a_derivative_that_cannot_be_computed_is_named_as_asked_for(cli, args, message):
    """The failing node of a derivative's own graph has no label: the message names the derivative (it said '**:')."""
    result = cli("grad", *args)
    assert result.exit_code == 1 and " ".join(result.stderr.split()).startswith(message), result.stderr


@pytest.mark.parametrize("extra, setting", [(["--hessian"], "--hessian"), (["--order", "2"], "--order"),
                                            (["--outputs", "u,v", "--jacobian"], "--jacobian")])
def test_more_than_a_thousand_entries_beyond_the_first_derivative_are_refused_at_once(cli, extra, setting):
    """Each entry is a backward pass of its own: 3,000 took 11 s and 117 MB of JSON; 100,000 would never end."""
    entries = ",".join(["0.5"] * 1_001)
    result = cli("grad", "u = sum(x**3); v = sum(x)", "--x", entries, *extra)
    assert result.exit_code == 2
    assert f"{setting} takes a backward pass for each number of its variables; x holds 1,001, more than 1,000" in \
        " ".join(result.stderr.split())
    assert "hint: choose fewer with --wrt" in result.stderr


def test_an_array_held_out_of_the_second_derivatives_is_no_problem(cli):
    found = document(cli, "sum(w*x)**2", "--x", "3", "--w", "1,2", "--order", "2", "--wrt", "x")
    assert found["derivatives"]["x"] == pytest.approx([2 * 9 * 3, 2 * 9])  # 2 (x sum w) sum w, 2 (sum w)^2


def test_latex_of_an_array_expression(cli):
    result = cli("grad", "sum(M @ x)", "--M", "[[1, 2], [-1, 3]]", "--x", "2,1", "--format", "latex")
    assert result.exit_code == 0, result.output
    assert r"at $M = [[1, 2], [-1, 3]],\ x = [2, 1]$" in result.stdout
    assert r"\frac{\partial f}{\partial x} &= [0, 5]" in result.stdout  # M.T @ [1, 1]
