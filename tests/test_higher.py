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
