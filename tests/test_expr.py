"""The expression language: precedence, labels, errors with positions, limits, and random expressions."""

from __future__ import annotations

import math
import os

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gradcli.errors import DomainError, ExprError, UsageError
from gradcli.autograd.expr import MAX_DEPTH, MAX_LENGTH, evaluate, parse
from gradcli.autograd.ops import FUNCTIONS


@pytest.mark.parametrize("text, values, expected", [
    ("-x**2", {"x": 3}, -9.0),  # -(x**2)
    ("2**3**2", {}, 512.0),  # right-associative
    ("2^3", {}, 8.0),  # ^ is **
    ("1 - 2 - 3", {}, -4.0),  # left-associative
    ("8 / 4 / 2", {}, 1.0),
    ("2 + 3 * 4", {}, 14.0),
    ("(2 + 3) * 4", {}, 20.0),
    ("+x - -x", {"x": 1.5}, 3.0),
    ("2**-1", {}, 0.5),
    ("pi + e", {}, math.pi + math.e),
    ("1e-3 * 1000 + .5", {}, 1.5),
    ("3*x**2 - 4*x + 5", {"x": 3}, 20.0),
])
def test_values_and_precedence(text, values, expected):
    assert evaluate(text, values).output.data == pytest.approx(expected)


def test_labels_are_canonical_sub_expressions():
    graph = evaluate("tanh( x1*w1+x2*w2 + b )", {"x1": 2, "w1": -3, "x2": 0, "w2": 1, "b": 6.88})
    labels = [node.label for node in graph.nodes() if node.inputs]
    assert labels == ["x1*w1", "x2*w2", "x1*w1 + x2*w2", "x1*w1 + x2*w2 + b", "tanh(x1*w1 + x2*w2 + b)"]
    assert parse("(a - b) - (c - d)").output.label == "a - b - (c - d)"
    assert parse("(a**b)**c").output.label == "(a**b)**c"
    assert parse("-(x + 1)").output.label == "-(x + 1)"


def test_each_variable_is_one_leaf_and_accumulates():
    graph = evaluate("x*y + x", {"x": 2, "y": 5})
    graph.backward()
    assert graph.gradients() == {"x": 6.0, "y": 2.0}
    leaves = [n for n in graph.nodes() if n.label == "x" and not n.inputs]
    assert len(leaves) == 1


def test_tanh_written_with_exp_gives_the_same_numbers():
    values = {"x1": 2, "x2": 0, "w1": -3, "w2": 1, "b": 6.8813735870195432}
    direct = evaluate("tanh(x1*w1 + x2*w2 + b)", values)
    via_exp = evaluate("(exp(2*(x1*w1 + x2*w2 + b)) - 1) / (exp(2*(x1*w1 + x2*w2 + b)) + 1)", values)
    direct.backward()
    via_exp.backward()
    assert via_exp.output.data == pytest.approx(direct.output.data)
    assert via_exp.gradients() == pytest.approx(direct.gradients())


@pytest.mark.parametrize("text, message, column", [
    ("(x + 1))", "unexpected ')' at column 8", 8),
    ("tanhh(x)", "unknown function 'tanhh' (did you mean 'tanh'?)", 1),
    ("x +", "unexpected end of expression", 4),
    ("(x + 1", "'(' at column 1 is never closed", 1),
    ("2 3", "two numbers in a row: 2 3 at column 3", 3),
    ("sin(x, y)", "sin() takes 1 argument, not 2", 6),
    ("x.real", "unexpected character '.'", 2),
    ("tanh", "'tanh' is a function", 1),
    ("pi(2)", "'pi' is a constant, not a function", 1),
    ("", "the expression is empty", None),
])
def test_parse_errors_name_the_place(text, message, column):
    with pytest.raises(ExprError) as info:
        parse(text)
    assert message in info.value.message
    assert info.value.column == column
    if column:
        assert info.value.caret_lines()[1].index("^") == column - 1 + 2  # two spaces of indent


def test_injection_is_rejected_and_nothing_runs(tmp_path):
    canary = tmp_path / "pwned"
    for attack in (f"__import__('os').system('touch {canary}')", "open('/etc/passwd')", "x.__class__",
                   "exec(x)", "lambda: 0", "[x for x in y]", "x; y", "globals()"):
        with pytest.raises(ExprError):
            evaluate(attack, {"x": 1, "y": 2, "__import__": 1, "globals": 1})
    assert not canary.exists()


def test_limits_fail_clearly_not_with_a_crash():
    with pytest.raises(ExprError, match=f"the limit is {MAX_LENGTH:,}"):
        parse("x+" * MAX_LENGTH + "x")
    with pytest.raises(ExprError, match=f"nests more than {MAX_DEPTH} levels"):
        parse("(" * (MAX_DEPTH + 5) + "x" + ")" * (MAX_DEPTH + 5))
    with pytest.raises(ExprError, match="levels"):
        parse("-" * 1000 + "x")
    with pytest.raises(ExprError, match="levels"):
        parse("x" + "**x" * 500)


@pytest.mark.parametrize("text, values, message", [
    ("log(x - 3)", {"x": 2}, "log(x - 3): argument is -1, log needs a positive number"),
    ("x / (y - 1)", {"x": 1, "y": 1}, "x/(y - 1): division by zero"),
    ("sqrt(x)", {"x": -4}, "sqrt(x): argument is -4, sqrt needs a number >= 0"),
    ("exp(x)", {"x": 1000}, "exp(x): argument is 1000, exp overflows"),
    ("x**y", {"x": 10, "y": 400}, "x**y: 10 to the power 400 overflows a float"),
    ("x*x*x", {"x": 1e200}, "x*x: the result overflows to inf"),
])
def test_domain_errors_name_the_sub_expression(text, values, message):
    with pytest.raises(DomainError) as info:
        evaluate(text, values)
    assert message in info.value.message


def test_missing_variables_are_listed_by_name():
    """The core names the missing variables (the CLI adds how to pass them as flags)."""
    with pytest.raises(UsageError) as info:
        evaluate("x*w2 + b", {"x": 1})
    assert str(info.value) == "no value for variables b, w2" and info.value.facts["names"] == ["b", "w2"]


def test_the_cli_says_how_to_pass_missing_variables(cli):
    result = cli("grad", "x*w2 + b", "--x", "1")
    assert result.exit_code == 2
    assert "error: no value for variables b, w2: pass --b VALUE --w2 VALUE" in result.stderr


# -- random expressions: autograd against central finite differences -------------------

SAFE_UNARY = ["sin", "cos", "tanh", "sigmoid", "exp_small", "square", "neg"]


@st.composite
def expressions(draw, depth=0):
    """Smooth expressions in x and y whose values stay moderate on [-1.5, 1.5]."""
    if depth >= 3 or draw(st.booleans()) and depth > 0:
        return draw(st.sampled_from(["x", "y", "0.5", "2", "1.5"]))
    kind = draw(st.sampled_from(["+", "-", "*", "/", "unary", "unary"]))
    if kind == "unary":
        fn = draw(st.sampled_from(SAFE_UNARY))
        inner = draw(expressions(depth + 1))
        return {"exp_small": f"exp(0.3*({inner}))", "square": f"({inner})**2", "neg": f"-({inner})"}.get(
            fn, f"{fn}({inner})")
    left, right = draw(expressions(depth + 1)), draw(expressions(depth + 1))
    if kind == "/":
        return f"({left}) / (2 + sin({right}))"  # the divisor stays in [1, 3]
    return f"({left}) {kind} ({right})"


@settings(max_examples=150, deadline=None)
@given(expressions(), st.floats(-1.5, 1.5), st.floats(-1.5, 1.5))
def test_random_expressions_gradients_match_finite_differences(text, x, y):
    expression = parse(text)
    values = {"x": x, "y": y}
    assume(all(name in values for name in expression.variables))
    graph = expression.evaluate(values)
    graph.backward()
    for name, grad in graph.gradients().items():
        h = 1e-6
        up = expression.value_at(dict(values, **{name: values[name] + h}))
        down = expression.value_at(dict(values, **{name: values[name] - h}))
        assert grad == pytest.approx((up - down) / (2 * h), rel=1e-4, abs=1e-6), (text, name)


def test_every_function_parses_and_has_a_documented_derivative():
    for name, op in FUNCTIONS.items():
        arguments = ", ".join(["x", "y", "z"][:max(op.least_inputs, 1)])
        assert parse(f"{op.call_name}({arguments})").output.op == name
        first = op.inputs[0]
        assert op.derivative.startswith((f"d/d{first} {op.call_name}(", f"d/d{first}_i {op.call_name}(")), name


def test_canary_path_is_clean():
    assert not os.path.exists("/tmp/pwned")


def test_docs_tables_are_the_op_records():
    """docs/expressions.md shows the tables made from the op records: a new op or a changed rule
    must reach the docs (refresh them with `python -m gradcli.render.optable docs/expressions.md`)."""
    from pathlib import Path

    from gradcli.render.optable import reference_markdown, with_reference

    page = (Path(__file__).resolve().parent.parent / "docs" / "expressions.md").read_text()
    assert with_reference(page) == page
    for name, op in FUNCTIONS.items():
        assert f"| `{op.written}` | `{op.derivative}` |" in reference_markdown(), name


@pytest.mark.parametrize("text, values, message", [
    ("x**", {}, "unexpected end of expression at column 4: expected a number, a variable, a function or '('"),
    ("1e999 * x", {}, "the number 1e999 at column 1 is too large for a float"),
    ("x**0.5", {"x": -4}, "x**0.5: base is -4 and exponent 0.5: a negative number to a fractional power is not real"),
    ("x**-1", {"x": 0}, "x**-1: 0 to the power -1 is a division by zero"),
    ("x**y", {"x": -2, "y": 1}, "x**y: base is -2: a variable exponent needs a base >= 0"),
])
def test_documented_messages_are_the_real_ones(text, values, message):
    from pathlib import Path

    from gradcli.errors import GradcliError

    docs = (Path(__file__).resolve().parent.parent / "docs" / "expressions.md").read_text()
    with pytest.raises(GradcliError) as info:
        evaluate(text, values)
    assert message in info.value.message
    assert message in docs
