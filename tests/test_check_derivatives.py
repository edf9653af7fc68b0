"""check --order 2 (second derivatives vs finite differences) and check --given (a learner's own derivative)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gradcli.autograd.expr import parse
from gradcli.autograd.gradcheck import KINK, PASS, check_partial
from gradcli.autograd.second_check import GradientOf, check_second_derivatives, second_difference_check

CORPUS = [("x**3*y + sin(y)", {"x": 2.0, "y": 0.5}), ("tanh(w*x + b)", {"w": -0.7, "x": 1.2, "b": 0.3}),
          ("log(x)*exp(y)", {"x": 1e-2, "y": 3.0}), ("sigmoid(x*y) + atan2(y, x)", {"x": 0.4, "y": -1.1}),
          ("gelu(x) + elu(y - 1)*x", {"x": 0.6, "y": 0.3}), ("x**y", {"x": 1.7, "y": 2.5})]


@pytest.mark.parametrize("text, point", CORPUS)
def test_right_second_derivatives_pass(text, point):
    report = check_second_derivatives(parse(text), point)
    assert report.ok, [(c.pair, c.check, c.from_f) for c in report.checks if not c.ok]
    n = len(point)
    assert len(report.checks) == n * (n + 1) // 2
    assert all((c.from_f is not None) == (c.pair[0] == c.pair[1]) for c in report.checks)


def test_a_rule_wrong_only_as_a_graph_is_caught_against_the_gradient(replace_rule):
    """tanh's rule with the number read out of the node: first derivatives right, second ones 0."""
    replace_rule("tanh", lambda m, xs, y, arg: (1.0 - m.data(y) ** 2,))
    report = check_second_derivatives(parse("tanh(x*y)"), {"x": 0.8, "y": 0.5})
    assert not report.ok and all(c.check.status == "fail" for c in report.checks)


def test_a_wrong_first_derivative_rule_is_caught_against_f(replace_rule):
    """sin's rule off by a factor: the gradient and its differences agree with each other, only f can tell."""
    replace_rule("sin", lambda m, xs, y, arg: (2.0 * m.cos(xs[0]),))
    report = check_second_derivatives(parse("sin(x)"), {"x": 0.4})
    (entry,) = report.checks
    assert entry.check.status == PASS and entry.from_f.status == "fail" and not report.ok


def test_array_variables_are_checked_entry_by_entry():
    point = {"M": np.array([[1.0, 2.0], [-1.0, 0.5]]), "x": np.array([0.3, -0.2])}
    report = check_second_derivatives(parse("sum(tanh(M @ x)**2)"), point)
    assert report.ok, [(c.pair, c.check) for c in report.checks if not c.ok]
    assert len(report.checks) == 6 * 7 // 2  # the upper triangle of a 6 x 6 Hessian
    assert report.checks[0].pair == ("M[0, 0]", "M[0, 0]") and report.checks[-1].pair == ("x[1]", "x[1]")
    diagonal = [c for c in report.checks if c.from_f is not None]
    assert len(diagonal) == 6 and diagonal[4].from_f.entry == (0,) and diagonal[4].from_f.variable == "x"


def test_a_wrong_rule_is_caught_in_an_array_entry(replace_rule):
    """tanh's rule doubled: every entry that goes through a tanh fails; x[0] and x[1] never meet (0 passes)."""
    replace_rule("tanh", lambda m, xs, y, arg: (2.0 * (1.0 - y * y),))
    report = check_second_derivatives(parse("sum(tanh(x*y))"), {"x": np.array([0.8, -0.3]), "y": 0.5})
    failed = {c.pair for c in report.checks if not c.ok}
    assert failed == {("x[0]", "x[0]"), ("x[0]", "y"), ("x[1]", "x[1]"), ("x[1]", "y"), ("y", "y")}
    assert all(not c.from_f.ok for c in report.checks if c.from_f is not None)  # f itself disagrees too


def test_a_kink_in_the_gradient_is_reported_not_failed():
    report = check_second_derivatives(parse("relu(x)*x + y**2"), {"x": 0.0, "y": 1.0})
    first = report.checks[0]
    assert first.check.status == KINK and first.check.left == pytest.approx(0.0, abs=1e-9)
    assert first.check.right == pytest.approx(2.0) and first.from_f is None and report.ok


def test_the_machinery_is_gradchecks_own():
    """The same estimate check_gradients makes, on the gradient as the function: Ridders rescues sharp curvature."""
    expression = parse("log(x)")
    check = check_partial(GradientOf(expression, "x"), {"x": 1e-3}, "x", -1e6)
    assert check.ok and check.method == "ridders"
    assert not check_partial(GradientOf(expression, "x"), {"x": 1e-3}, "x", -2e6).ok
    assert second_difference_check(expression, {"x": 1e-2}, "x", -1e4).ok


def test_check_order_2_on_the_command_line(cli):
    result = cli("check", "x**3*y + sin(y)", "--x", "2", "--y", "0.5", "--order", "2")
    assert result.exit_code == 0, result.output
    flat = " ".join(result.stdout.split())
    assert "∂²f/∂x² 6.000000 6.000000 6.000000" in flat and "∂²f/∂x∂y 12.000000 12.000000" in flat
    assert "OK: the second derivatives match the finite differences" in flat
    document = json.loads(cli("check", "x**3*y", "--x", "2", "--y", "0.5", "--order", "2", "--json").stdout)
    assert document["order"] == 2 and document["ok"] is True
    assert [c["derivative"] for c in document["checks"]] == ["d2f/dx2", "d2f/dxdy", "d2f/dy2"]
    assert document["checks"][0]["from_f"]["numeric"] == pytest.approx(6.0, rel=1e-6)
    csv = cli("check", "x**3*y", "--x", "2", "--y", "0.5", "--order", "2", "--format", "csv").stdout.splitlines()
    assert csv[0] == "derivative,u,v,autograd,from_gradient,from_f,abs_error,rel_error,h,from_f_abs_error,status,ok"
    diagonal, mixed = csv[1].split(","), csv[2].split(",")
    assert float(diagonal[9]) < 1e-6 and mixed[9] == ""  # f's second difference: on the diagonal only
    markdown = cli("check", "x**3*y", "--x", "2", "--y", "0.5", "--order", "2", "--format", "markdown").stdout
    assert markdown.startswith("| Derivative | Autograd | From the gradient | From f |")


def test_the_table_and_markdown_show_the_same_abs_error(cli):
    """d2f/dy2 of sin(y): from the gradient off by 7.1e-11, from f by 1.1e-08; both formats show the larger."""
    args = ["check", "x**3*y + sin(y)", "--x", "2", "--y", "0.5", "--order", "2"]
    table = " ".join(cli(*args).stdout.split())
    markdown = cli(*args, "--format", "markdown").stdout
    assert "∂²f/∂y² -0.479426 -0.479426 -0.479426 1.09e-08 PASS" in table
    assert "| ∂²f/∂y² | -0.479426 | -0.479426 | -0.479426 | 1.09e-08 | PASS |" in markdown, markdown


def test_a_failed_second_order_check_exits_1(cli, replace_rule):
    replace_rule("tanh", lambda m, xs, y, arg: (1.0 - m.data(y) ** 2,))
    result = cli("check", "tanh(x)", "--x", "0.5", "--order", "2")
    assert result.exit_code == 1 and "MISMATCH" in result.stdout


# -- --given ------------------------------------------------------------------------------------------------------

GIVEN = ["x**2*sin(x) + y**2", "--x", "1.5", "--y", "2"]


def test_a_right_formula_passes(cli):
    result = cli("check", *GIVEN, "--given", "x=2*x*sin(x) + x**2*cos(x)", "--given", "y=2y")
    assert result.exit_code == 0, result.output
    assert "OK: every formula given agrees with autograd and the finite difference" in " ".join(result.stdout.split())


def test_a_wrong_formula_says_which_where_and_by_how_much(cli):
    result = cli("check", *GIVEN, "--given", "x=2*x*sin(x)", "--given", "y=2*y")
    assert result.exit_code == 1
    flat = " ".join(result.stdout.split())
    assert "x: your formula is wrong at x = 1.5, y = 2: it gives 2.992485, autograd 3.151644 and the finite " \
           "difference 3.151644 (off by 0.1592, 5.1%)" in flat
    assert "MISMATCH: the formula for x is wrong" in flat and "y: your" not in flat


def test_symbolic_adds_the_right_formula_and_the_difference(cli):
    document = json.loads(cli("check", *GIVEN, "--given", "x=2*x*sin(x)", "--symbolic", "--json").stdout)
    (x,) = document["given"]
    assert x["right_formula"] == "x**2*cos(x) + 2*x*sin(x)" and x["difference"] == "-x**2*cos(x)"
    assert x["status"] == "wrong" and x["given"] == pytest.approx(2.9924849598121632) and document["ok"] is False


def test_random_points_find_the_worst_point(cli):
    document = json.loads(cli("check", "x**3", "--given", "x=3*x**2 + 0.01*x**4", "--points", "50", "--seed", "1",
                              "--json").stdout)
    (x,) = document["given"]
    assert document["points"] == 50 and x["points"] == 50 and x["wrong_points"] >= 45
    assert abs(x["point"]["x"]) > 1.5  # the extra term is largest far from 0
    right = json.loads(cli("check", "x**3", "--given", "x=3x²", "--points", "50", "--json").stdout)
    assert right["ok"] is True and right["given"][0]["wrong_points"] == 0


def test_a_formula_undefined_where_f_is_defined_is_wrong(cli):
    document = json.loads(cli("check", "x**2", "--x", "0", "--given", "x=2*x**2/x", "--json").stdout)
    assert document["given"][0]["status"] == "undefined" and "division by zero" in document["given"][0]["note"]


def test_at_a_kink_any_subgradient_is_right(cli):
    result = cli("check", "abs(x)", "--x", "0", "--given", "x=0.3")
    assert result.exit_code == 0 and "not differentiable here" in result.stdout


@pytest.mark.parametrize("args, message", [
    (["x**2", "--x", "1", "--given", "y=2*y"], "--given y: y is not a variable of the expression (its variables: x)"),
    (["x**2", "--x", "1", "--given", "x=2*z"], "--given x: the formula uses z, which the expression does not have"),
    (["x**2", "--x", "1", "--given", "x=2*(x"], "--given x: '(' at column 3 is never closed"),
    (["x**2", "--x", "1", "--given", "x"], "--given x: write the variable and your derivative"),
    (["x**2", "--x", "1", "--given", "x=2*x", "--given", "x=2"], "--given x is given twice"),
    (["x**2", "--x", "1", "--symbolic"], "--symbolic shows the right formula next to yours"),
    (["x**2", "--x", "1", "--order", "3"], "--order must be 1 or 2 for a check, got 3"),
    (["x**2", "--x", "1", "--order", "2", "--points", "5"], "--order 2 checks one point: drop --points"),
    (["x**2", "--x", "1", "--given", "x=2*x", "--sweep"], "--sweep looks at the finite differences alone"),
    (["x**2", "--x", "1", "--given", "x=2*x", "--order", "2"], "--given checks first derivatives"),
    (["x**2", "--x", "1", "--given", "x=2*x", "--wrt", "x"], "with --given, the variables checked are those given"),
    (["sum(x**3)", "--x", "1,2", "--given", "x=3*x**2"],
     "--given works with variables that are numbers; x is an array of shape (2,)"),
])
def test_bad_input_is_a_usage_error(cli, args, message):
    result = cli("check", *args)
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.stderr.split())
