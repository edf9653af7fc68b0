"""grad --explain: every backward edge with its rule written out, numbers exactly those of the plain trace."""

from __future__ import annotations

import json
import re

import pytest

from gradcli.autograd.engine import Value, apply
from gradcli.autograd.explain import explain
from gradcli.autograd.expr import evaluate, parse
from gradcli.autograd.ops import FLOATS, OPS
from gradcli.autograd.rules import Term, local_rules, rule_name
from test_engine import POINTS

NEURON = ["n = x1*w1 + x2*w2 + b; o = tanh(n)", "--x1", "2", "--x2", "0", "--w1", "-3", "--w2", "1", "--b",
          "6.8813735870195432"]
NAMES = "abcd"


def _cases():
    return [(name, point) for name, points in POINTS.items() for point in points]


@pytest.mark.parametrize("name, point", _cases())
def test_each_rule_written_out_parses_back_to_the_number_the_engine_uses(name, point):
    """The formula of every record's rule, in the inputs' names, is gradcli notation with the rule's own value."""
    xs, arg = point if name == "**" else (point, None)
    leaves = [Value(x, NAMES[i]) for i, x in enumerate(xs)]
    node = apply(name, *leaves, arg=arg)
    rule, terms = local_rules(node, lambda v: Term.name(v.label, v.data))
    assert rule == rule_name(name)
    expected = OPS[name].partials(FLOATS, tuple(xs), node.data, arg)
    values = {NAMES[i]: x for i, x in enumerate(xs)}
    for term, number in zip(terms, expected):
        for text in (term.text(), term.text(pretty=False)):  # x² and x**2 both read back
            written = parse(text)
            assert written.value_at({n: values[n] for n in written.variables}) == pytest.approx(
                float(number), rel=1e-12, abs=1e-14), (name, text)


def test_rule_names_are_what_a_student_calls_them():
    assert [rule_name(op) for op in ("+", "-", "*", "/", "**", "pow", "tanh", "maximum")] == [
        "sum rule", "difference rule", "product rule", "quotient rule", "power rule",
        "power rule with a variable exponent", "chain rule through tanh", "chain rule through max"]


def test_terms_simplify_only_the_obvious_and_print_latex():
    x, b = Term.name("x", 2.0), Term.name("b", 3.0)
    assert (1.0 * x + 0.0).text() == "x" and (x * x).text() == "x²" and (x * x * x).text() == "x³"
    assert (-(x / b) / b).text() == "-x/b²" and (2.0 * x ** 3.0).text(pretty=False) == "2*x**3"
    assert ((x + b) * (x - b)).text() == "(x + b)*(x - b)" and (x - (b - x)).text() == "x - (b - x)"
    assert (x / b).latex() == r"\frac{x}{b}" and (Term.name("w1") ** 2.0).latex() == "w_{1}^{2}"
    assert Term.call("sqrt", (x,)).latex() == r"\sqrt{x}" and Term.call("sigmoid", (x,)).latex() == \
        r"\sigma\left(x\right)"


def test_the_issues_examples_read_as_written(cli):
    table = cli("grad", *NEURON, "--explain").stdout
    flat = " ".join(table.split())
    assert "chain rule through tanh" in flat and "∂o/∂n = 1 - tanh(n)² = 0.5000" in flat
    assert re.search(r"product rule\s+∂\(x1\*w1\)/∂x1 = w1 = -3\.0000", flat)
    twice = " ".join(cli("grad", "a + a", "--a", "1", "--explain").stdout.split())
    assert "sum rule: a is used twice, 1.0000 + 1.0000 = 2.0000" in twice


def test_explain_keeps_every_number_of_the_plain_trace(cli):
    for args in (NEURON, ["relu(x)*abs(y) + max(x, y)**2 + x/y", "--x", "0.5", "--y", "-2"],
                 ["e = exp(x); y = e*e + log(e)", "--x", "0.3"]):
        plain = json.loads(cli("grad", *args, "--format", "json").stdout)
        explained = json.loads(cli("grad", *args, "--explain", "--format", "json").stdout)
        assert explained["gradients"] == plain["gradients"] and explained["nodes"] == plain["nodes"]
        for step, plain_step in zip(explained["backward"], plain["backward"]):
            for part, plain_part in zip(step["contributions"], plain_step["contributions"]):
                assert part.pop("rule") in {rule_name(op) for op in OPS}
                assert part.pop("latex").startswith(r"\frac{\partial")
                part.pop("formula")
                assert part == plain_part  # the same numbers, digit for digit


def test_explain_json_names_rules_and_formulas(cli):
    document = json.loads(cli("grad", *NEURON, "--explain", "--format", "json").stdout)
    top = document["backward"][0]["contributions"][0]
    assert top["rule"] == "chain rule through tanh" and top["formula"] == "1 - tanh(n)**2"
    assert top["latex"] == r"\frac{\partial o}{\partial n} = 1 - \tanh\left(n\right)^{2}"
    document = json.loads(cli("grad", "a*a + a", "--a", "3", "--explain", "--format", "json").stdout)
    assert document["sums"] == [{"name": "a", "id": 0, "contributions": [1.0, 3.0, 3.0], "total": 7.0}]


def test_explain_as_markdown_latex_and_csv(cli):
    markdown = cli("grad", *NEURON, "--explain", "--format", "markdown").stdout
    assert "| Step | Rule | Local derivative |" in markdown
    assert r"$\frac{\partial o}{\partial n} = 1 - \tanh\left(n\right)^{2}$ = 0.5000" in markdown
    latex = cli("grad", *NEURON, "--explain", "--format", "latex").stdout
    assert r"\begin{tabular}{rllrr}" in latex and r"\frac{\partial o}{\partial x_{1}} &= -1.5000" in latex
    rows = cli("grad", *NEURON, "--explain", "--format", "csv").stdout.splitlines()
    assert rows[0] == "id,node,input,input_label,rule,formula,local,upstream,contribution"
    assert rows[1].startswith("9,o,8,n,chain rule through tanh,1 - tanh(n)**2,0.49999999999999")


def test_explain_in_python():
    graph = evaluate("x*y + sin(x)", {"x": 0.5, "y": 2.0})
    graph.backward()
    explained = explain(graph)
    rules = [edge.rule for edges in explained.edges for edge in edges]
    assert rules == ["sum rule", "sum rule", "chain rule through sin", "product rule", "product rule"]
    assert [edge.headline() for edge in explained.edges[1]] == ["∂sin(x)/∂x = cos(x)"]
    assert explained.sums[0].sentence() == "sum rule: x is used twice, 0.877583 + 2 = 2.87758"


@pytest.mark.parametrize("output_format", ["table", "markdown", "latex", "csv", "json"])
def test_explain_of_an_array_expression_writes_its_arrays(cli, output_format):
    """sum(x**2) + x[0] at x = [1, 2]: the gradient [3, 4], arrays written as the plain trace writes them."""
    result = cli("grad", "sum(x**2) + x[0]", "--x", "1,2", "--explain", "--format", output_format)
    assert result.exit_code == 0, result.output
    if output_format == "json":
        assert json.loads(result.stdout)["gradients"] == {"x": [3.0, 4.0]}
    elif output_format == "csv":
        assert "[2.0, 4.0]" in result.stdout  # the local derivative of x**2, every entry
    else:
        assert "[3, 4]" in result.stdout and "[2, 4]" in result.stdout, result.stdout


def test_explain_writes_tensor_operations_as_the_expression_does(cli):
    """x[0] and x[1] keep their indices (both were 'getitem(x)'), M @ x and M.T as written, an axis by name."""
    result = cli("grad", "x[0]*x[1] + sum(M.T @ x, axis=0)", "--x", "1,2", "--M", "[[1, 2], [3, 4]]", "--explain",
                 "--format", "json")
    formulas = [part["formula"] for step in json.loads(result.stdout)["backward"] for part in step["contributions"]]
    assert "x[1]" in formulas and "x[0]" in formulas, formulas  # d(x[0]*x[1])/dx[0] = x[1]
    table = " ".join(cli("grad", "x[0]*x[1] + sum(M.T @ x, axis=0)", "--x", "1,2", "--M", "[[1, 2], [3, 4]]",
                         "--explain").stdout.split())
    assert "∂(x[0]*x[1])/∂x[0] = x[1] = 2.0000" in table, table
    assert "∂sum(M.T @ x, axis=0)/∂(M.T @ x)" in table and "∂(M.T @ x)/∂M.T" in table, table
    assert "getitem" not in table and "matmul" not in table and "transpose" not in table
    latex = cli("grad", "x[0]*x[1] + sum(M.T @ x, axis=0)", "--x", "1,2", "--M", "[[1, 2], [3, 4]]", "--explain",
                "--format", "latex").stdout
    assert r"x\left[0\right]" in latex and r"M^{\top} \mathbin{@} x" in latex, latex
    literal = cli("grad", "sum([x[0], 2*y] * [3, 4])", "--x", "1,2", "--y", "3", "--explain")
    assert literal.exit_code == 0 and "∂([x[0], 2*y]*[3, 4])/∂[x[0], 2*y] = [3, 4]" in literal.stdout, literal.output
