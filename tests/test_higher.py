"""Derivatives beyond the first (from create_graph) and formulas read off the backward graph."""

from __future__ import annotations

import math
import random

import pytest
import sympy

from gradcli.autograd.engine import Value, grad
from gradcli.autograd.expr import parse
from gradcli.errors import UsageError
from gradcli.autograd.higher import derivatives, hessian, jacobian
from gradcli.autograd.symbolic import formula, gradcli_text, latex_text

CORPUS = ["x**2*sin(x) + y", "tanh(x*y + 1)", "exp(x) / (1 + y**2)", "log(x**2 + 1) * cos(y)",
          "sigmoid(x - y) + sqrt(x**2 + 1)", "x**y", "(x - y)**3 / (x + 2)", "sin(x*y)**2 + x*exp(-y)"]
POINT = {"x": 1.3, "y": 0.7}


def numeric_hessian(expression, point, h=1e-4):
    names = expression.variables
    f = expression.value_at

    def shifted(**moves):
        return f({n: point[n] + moves.get(n, 0.0) for n in names})

    rows = []
    for a in names:
        row = []
        for b in names:
            if a == b:
                row.append((shifted(**{a: h}) - 2 * f(point) + shifted(**{a: -h})) / h**2)
            else:
                row.append((shifted(**{a: h, b: h}) - shifted(**{a: h, b: -h}) - shifted(**{a: -h, b: h})
                            + shifted(**{a: -h, b: -h})) / (4 * h * h))
        rows.append(row)
    return rows


@pytest.mark.parametrize("text", CORPUS)
def test_hessians_match_finite_differences(text):
    expression = parse(text)
    graph = expression.evaluate(POINT)
    leaves = [graph.variables[name] for name in expression.variables]
    exact = hessian(graph.output, leaves)
    numeric = numeric_hessian(expression, POINT)
    for row, numeric_row in zip(exact, numeric):
        assert row == pytest.approx(numeric_row, rel=1e-5, abs=1e-5)
    assert exact[0][1] == pytest.approx(exact[1][0], rel=1e-12)  # symmetric, as it must be


def test_derivatives_up_to_fourth_order_of_one_variable():
    x = Value(0.5, "x")
    values = [d.data for d in derivatives(x.sin() * x.exp(), x, 4)]
    s, c, e = math.sin(0.5), math.cos(0.5), math.exp(0.5)
    assert values == pytest.approx([e * (s + c), 2 * e * c, 2 * e * (c - s), -4 * e * s], rel=1e-12)
    with pytest.raises(UsageError, match="order must lie in 1..4, got 5"):
        derivatives(x, x, 5)


def test_jacobian_of_several_outputs():
    x, y = Value(2.0, "x"), Value(3.0, "y")
    assert jacobian([x * y, x + y, (x * y).tanh()], [x, y])[:2] == [[3.0, 2.0], [1.0, 1.0]]


@pytest.mark.parametrize("text", CORPUS)
def test_formulas_equal_sympys_own_derivative_and_parse_back(text):
    expression = parse(text)
    graph = expression.evaluate(POINT)
    leaves = [graph.variables[name] for name in expression.variables]
    symbols = {name: sympy.Symbol(name) for name in expression.variables}
    reference = sympy.sympify(text.replace("sigmoid(x - y)", "1/(1 + exp(-(x - y)))"), locals=symbols)
    rng = random.Random(1)
    for name, gradient in zip(expression.variables, grad(graph.output, leaves, create_graph=True)):
        ours = formula(gradient, graph.variables)
        assert sympy.simplify((ours - sympy.diff(reference, symbols[name])).rewrite(sympy.exp)) == 0, (text, name, ours)
        printed = parse(gradcli_text(ours))  # gradcli reads its own formula back ...
        for _ in range(5):  # ... and it gives the numeric gradient at other points
            point = {"x": rng.uniform(0.5, 2.0), "y": rng.uniform(0.2, 1.5)}
            point = {n: point[n] for n in printed.variables}
            there = expression.evaluate({**POINT, **point})
            there.backward()
            assert printed.value_at(point) == pytest.approx(there.gradients()[name], rel=1e-9, abs=1e-12)


def test_latex_of_a_formula_names_variables_as_every_latex_output_does():
    x, w1 = Value(0.7, "x"), Value(-3.0, "w1")
    assert latex_text(formula(grad(x**2, [x], create_graph=True)[0], {"x": x})) == "2 x"
    assert latex_text(formula(grad(w1 * x, [x], create_graph=True)[0], {"x": x, "w1": w1})) == "w_{1}"


# -- the oracle: Hessians against mpmath's high-precision finite differences -------------------------------------

mpmath = pytest.importorskip("mpmath")

# every function of the language appears, each at a point where it is smooth (ties, bounds and integers avoided)
ORACLE = CORPUS + [
    "tan(x)*asin(y/2) + acos(x/3)*atan(y)", "atan2(y, x) + hypot(x, y)*x",
    "sinh(x)*cosh(y) + asinh(x*y) + acosh(x + 2) + atanh(y/3)", "log(x, 3)*log2(y) + log10(x*y) + exp2(x*y)",
    "leaky_relu(x - 1, 0.2)*y + elu(y - 1)*x + relu(x*y)", "max(x, y, 0.3)*x + min(x, 2*y)*y",
    "clip(x*y, -1, 2)*y + abs(x - y)**3", "gelu(x*y) + swish(x - y) + softplus(x*y)",
    "floor(x + 3)*y**2 + ceil(y)*x**2 + round(y)*x*y + sign(x)*y**3 + step(y)*x**3", "x**-2*y**0.5 + 2**(x*y)",
    "leaky_relu(x*y) + elu(x - 2, 0.5)*y", "n = x*y + 1; e = exp(2*n); o = (e - 1)/(e + 1)",
]


def mpmath_hessian(expression, point, digits=40):
    """d2f/du dv by mpmath.diff at ``digits`` digits, on the expression's own formula (the records' sympy forwards)."""
    from gradcli.autograd.symbolic import to_sympy

    graph = expression.evaluate(point)
    names = expression.variables
    function = sympy.lambdify([sympy.Symbol(n) for n in names], to_sympy(graph.output, graph.variables),
                              modules="mpmath")
    with mpmath.workdps(digits):
        at = [mpmath.mpf(repr(point[n])) for n in names]
        rows = []
        for i in range(len(names)):
            row = []
            for j in range(len(names)):
                order = [0] * len(names)
                order[i] += 1
                order[j] += 1
                row.append(float(mpmath.diff(lambda *args: function(*args), at, order)))
            rows.append(row)
    return rows


@pytest.mark.parametrize("text", ORACLE)
def test_hessians_match_mpmath_at_high_precision(text):
    expression = parse(text)
    graph = expression.evaluate(POINT)
    exact = hessian(graph.output, [graph.variables[name] for name in expression.variables])
    reference = mpmath_hessian(expression, POINT)
    for row, reference_row in zip(exact, reference):
        assert row == pytest.approx(reference_row, rel=1e-9, abs=1e-12), (text, exact, reference)


def test_the_oracle_catches_a_wrong_second_derivative(replace_rule):
    """A rule right in value but wrong as a graph (it reads the number out of a Value) gives a wrong Hessian."""
    replace_rule("tanh", lambda m, xs, y, arg: (1.0 - m.data(y) ** 2,))
    expression = parse("tanh(x*y + 1)")
    graph = expression.evaluate(POINT)
    exact = hessian(graph.output, [graph.variables[name] for name in expression.variables])
    assert exact[0][0] != pytest.approx(mpmath_hessian(expression, POINT)[0][0], rel=1e-6)


# -- formulas: every function printed in gradcli's own spelling ------------------------------------------------------

def _record_points():
    from test_engine import POINTS

    return [(name, point) for name, points in POINTS.items() if name != "**" for point in points]


@pytest.mark.parametrize("name, point", _record_points())
def test_every_record_prints_as_gradcli_reads_it(name, point):
    """Each op record's sympy forward, printed by gradcli_text, parses back to the same value."""
    from gradcli.autograd.engine import apply
    from gradcli.autograd.symbolic import readable, to_sympy

    names = "abcd"
    leaves = [Value(x, names[i]) for i, x in enumerate(point)]
    node = apply(name, *leaves)
    written = to_sympy(node, {names[i]: leaf for i, leaf in enumerate(leaves)})
    assert readable(written)
    text = gradcli_text(written)
    assert parse(text).value_at({names[i]: x for i, x in enumerate(point)}) == pytest.approx(node.data, rel=1e-12,
                                                                                              abs=1e-14), text


def test_gradcli_spellings_of_sympy_functions():
    a, b = sympy.symbols("a b")
    assert gradcli_text(sympy.Max(a, b)) == "max(a, b)" and gradcli_text(sympy.Min(a, b, 1)) == "min(1, a, b)"
    assert gradcli_text(sympy.Max(a, 0)) == "relu(a)"
    assert gradcli_text(sympy.ceiling(a)) == "ceil(a)" and gradcli_text(sympy.Heaviside(a, 0)) == "step(a)"
    assert gradcli_text(sympy.Abs(a)) == "abs(a)" and gradcli_text(sympy.E * a) == "e*a"
    written = gradcli_text(sympy.Piecewise((a, a > 0), (b * a, True)))  # leaky_relu(a, b)
    for value in (-1.5, 0.0, 2.0):
        assert parse(written).value_at({"a": value, "b": 0.1}) == (value if value > 0 else 0.1 * value)


def test_simplest_never_picks_a_function_gradcli_cannot_read():
    from gradcli.autograd.symbolic import readable, simplest

    x = sympy.Symbol("x")
    for unreadable in (sympy.sec(x), sympy.coth(x), sympy.csc(x) + 1, sympy.LambertW(x), sympy.I * x, sympy.zoo):
        assert not readable(unreadable)
    for expression in (1 / sympy.cos(x) ** 2, 1 - sympy.tanh(x) ** 2, sympy.exp(-x) / (1 + sympy.exp(-x)) ** 2,
                       sympy.tan(x) ** 2 + 1):
        chosen = simplest(expression)
        assert readable(chosen) and parse(gradcli_text(chosen)).value_at({"x": 0.3}) == pytest.approx(
            float(expression.subs(x, 0.3)), rel=1e-12)


NEW_FUNCTIONS = ["log(x, 3)*y + log2(x*y) + exp2(y)", "atan2(y, x)*hypot(x, y)", "leaky_relu(x - 2, 0.3)*y",
                 "elu(y - 1)*x", "max(x, y)*min(x, 0.2)", "clip(x, 0, y)*x", "ceil(x)*y**2 + floor(y)*x",
                 "gelu(x) + swish(y)", "tan(x)*sinh(y) + acosh(x + 1)*atanh(y/2)"]


@pytest.mark.parametrize("text", NEW_FUNCTIONS)
def test_formulas_with_the_new_functions_parse_back_and_match_the_gradient(text):
    expression = parse(text)
    graph = expression.evaluate(POINT)
    leaves = [graph.variables[name] for name in expression.variables]
    rng = random.Random(2)
    for name, gradient in zip(expression.variables, grad(graph.output, leaves, create_graph=True)):
        printed = parse(gradcli_text(formula(gradient, graph.variables)))
        for _ in range(5):  # near the point: a formula holds where the branches it took hold
            point = {n: POINT[n] * rng.uniform(0.97, 1.03) for n in expression.variables}
            there = expression.evaluate(point)
            there.backward()
            values = {n: point[n] for n in printed.variables}
            assert printed.value_at(values) == pytest.approx(there.gradients()[name], rel=1e-9, abs=1e-12), text


def test_pure_derivatives_hessians_and_jacobians_by_name():
    from gradcli.autograd.higher import hessian_matrix, jacobian_matrix, pure_derivatives

    graph = parse("x**4*y").evaluate({"x": 2, "y": 3})
    report = pure_derivatives(graph, ["x"], 4)
    assert report.numbers == {"x": [96.0, 144.0, 144.0, 72.0]}  # 4x^3 y, 12x^2 y, 24xy, 24y
    with pytest.raises(UsageError, match="order 3 is for one variable"):
        pure_derivatives(graph, ["x", "y"], 3)
    matrix = hessian_matrix(graph, ["x", "y"])
    assert matrix.numbers == [[144.0, 32.0], [32.0, 0.0]] and matrix.gradients == {"x": 96.0, "y": 16.0}
    program = parse("u = x*y; v = x + z")
    jac = jacobian_matrix(program, {"x": 2, "y": 3, "z": 5}, ["u", "v"])
    assert jac.columns == ["x", "y", "z"] and jac.numbers == [[3.0, 2.0, 0.0], [1.0, 0.0, 1.0]]
    assert jac.values == {"u": 6.0, "v": 7.0}
    with pytest.raises(UsageError, match="needs two or more outputs"):
        jacobian_matrix(program, {"x": 2, "y": 3, "z": 5}, ["u"])
    with pytest.raises(UsageError, match="no statement binds w"):
        jacobian_matrix(program, {"x": 2, "y": 3, "z": 5}, ["u", "w"])


def test_formulas_refuse_a_tensor_operation():
    import numpy as np

    from gradcli.autograd.symbolic import formulas

    x = Value(np.array([1.0, 2.0]), "x")
    total = (x * x).sum()
    (dx,) = grad(total, [x], create_graph=True)
    with pytest.raises(UsageError, match="symbolic writes formulas of scalar expressions"):
        formulas({"x": dx}, {"x": x})
    w = Value(2.0, "w")
    with pytest.raises(UsageError, match=r"sum\(x\) \(sum\) is a tensor operation"):
        from gradcli.autograd.symbolic import check_scalar_graph

        check_scalar_graph(Value.sum_of([w, Value(np.array([1.0, 2.0])).sum()]) * w)


def test_a_formula_too_big_to_read_is_refused_before_sympy_works_on_it():
    from gradcli.autograd.symbolic import MAX_FORMULA_NODES, formulas

    x = Value(0.3, "x")
    total = Value.sum_of([(x * k).tanh() for k in range(1, 1500)])
    (dx,) = grad(total, [x], create_graph=True)
    with pytest.raises(UsageError, match=f"up to {MAX_FORMULA_NODES:,} nodes; this one has"):
        formulas({"x": dx}, {"x": x})
