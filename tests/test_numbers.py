"""Edge numbers have one documented behaviour each, and `check` agrees with `grad` on it.

See the "Numbers at the edges" table in docs/expressions.md: an error naming the
sub-expression, or a value with a warning.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def grad_json(cli, expression, *variables):
    result = cli("grad", expression, *variables, "--format", "json", "--no-trace")
    return result, (json.loads(result.stdout) if result.exit_code == 0 else None)


@pytest.mark.parametrize("expression, variables, value, gradient", [
    ("x**0", ["--x", "0"], 1.0, 0.0),  # 0**0 is 1, as in Python and IEEE pow
    ("0**x", ["--x", "2"], 0.0, 0.0),  # the base 0 with a positive exponent
    ("relu(x)", ["--x", "0"], 0.0, 0.0),  # the kink: 0, as PyTorch
    ("abs(x)", ["--x", "0"], 0.0, 0.0),
    ("exp(x)", ["--x", "-700"], pytest.approx(9.86e-305, rel=1e-3), pytest.approx(9.86e-305, rel=1e-3)),
])
def test_values_at_the_edges(cli, expression, variables, value, gradient):
    result, document = grad_json(cli, expression, *variables)
    assert result.exit_code == 0, result.output
    assert document["value"] == value
    assert document["gradients"]["x"] == gradient
    assert document["warnings"] == []


@pytest.mark.parametrize("expression, variables, message", [
    ("log(x)", ["--x", "0"], "log(x): argument is 0, log needs a positive number"),
    ("x**-1", ["--x", "0"], "x**-1: 0 to the power -1 is a division by zero"),
    ("x**0.5", ["--x", "-8"], "x**0.5: base is -8 and exponent 0.5: a negative number to a fractional power"),
    ("exp(x)", ["--x", "1000"], "exp(x): argument is 1000, exp overflows above 709.78"),
    ("x*x", ["--x", "1e200"], "x*x: the result overflows to inf"),
    ("sqrt(x)", ["--x", "0"], "sqrt(x): argument is 0, sqrt has an infinite slope there"),
])
def test_errors_at_the_edges_name_the_sub_expression_in_grad_and_check(cli, expression, variables, message):
    for command in ("grad", "check"):
        result = cli(command, expression, *variables)
        assert result.exit_code == 1, (command, result.output)
        assert f"error: {message}" in result.stderr, (command, result.stderr)


@pytest.mark.parametrize("expression, x, message", [
    ("sqrt(x) + 1", "0", "sqrt(x): argument is 0, sqrt has an infinite slope there (its gradient is undefined)"),
    ("asin(x) + 1", "1", "asin(x): argument is 1, asin has an infinite slope there (its gradient is undefined)"),
    ("acosh(x)", "1", "acosh(x): argument is 1, acosh has an infinite slope there (its gradient is undefined)"),
    ("x**0.5 + 1", "0", "x**0.5: argument is 0, **0.5 has an infinite slope there (its gradient is undefined)"),
])
@pytest.mark.parametrize("options", [[], ["--no-trace"], ["--order", "2"], ["--hessian"], ["--format", "json"]])
def test_an_infinite_slope_names_its_sub_expression_with_every_option(cli, expression, x, message, options):
    """Without the trace no labels are made: the message said 'sqrt: ...' or '**: ... (0.0 cannot be raised ...)'."""
    result = cli("grad", expression, "--x", x, *options)
    assert result.exit_code == 1, result.output
    assert f"error: {message}" in result.stderr, result.stderr


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "1e999"])
def test_non_finite_inputs_are_refused(cli, text):
    result = cli("grad", "x + 1", f"--x={text}")
    assert result.exit_code == 2
    assert f"'{text}' is" in result.stderr and "for --x" in result.stderr


def test_underflow_is_a_value_with_a_warning(cli):
    result, document = grad_json(cli, "exp(x)", "--x", "-1000")
    assert document["value"] == 0.0 and document["gradients"] == {"x": 0.0}
    assert document["warnings"] == ["exp(x) underflows to 0 (its exact value is below the smallest float, about 5e-324)"]
    assert "warning: exp(x) underflows to 0" in result.stderr
    product, _ = grad_json(cli, "x*y", "--x", "1e-200", "--y", "1e-200")
    assert "warning: x*y underflows to 0" in product.stderr


def test_a_gradient_that_overflows_is_null_in_json_and_a_warning(cli):
    result, document = grad_json(cli, "1/x", "--x", "1e-300")
    assert result.exit_code == 0
    assert document["value"] == pytest.approx(1e300)
    assert document["gradients"] == {"x": None}  # strict JSON: no -Infinity
    assert "the gradient of x is -inf" in document["warnings"][0]
    assert "warning: the gradient of x is -inf" in result.stderr
    check = cli("check", "1/x", "--x", "1e-300")
    assert "warning: the gradient of x is -inf" in check.stderr


def test_kinks_are_reported_by_check_not_failed(cli):
    result = cli("check", "abs(x) + relu(y)", "--x", "0", "--y", "0", "--format", "json")
    assert result.exit_code == 0
    checks = {c["name"]: c for c in json.loads(result.stdout)["checks"]}
    assert checks["x"]["ok"] and checks["y"]["ok"]


def test_closed_pipe_ends_quietly():
    """`gradcli grad ... | head -1`: the reader goes away after one line; no traceback, no noise."""
    long_expression = "+".join(["x"] * 900)  # a trace of thousands of lines, far more than a pipe holds
    done = subprocess.run(f"{sys.executable} -m gradcli grad '{long_expression}' --x 1 | head -1",
                          shell=True, capture_output=True, text=True, timeout=60)
    assert len(done.stdout.splitlines()) == 1
    assert done.stderr == ""


@pytest.mark.parametrize("args", [
    ["grad", "tanh(x*w + b)", "--x", "2", "--w", "-3", "--b", "6.88"],
    ["check", "sigmoid(x)*y", "--x", "0.3", "--y", "2"],
    ["train", "xor", "--steps", "30"],
    ["datasets", "show", "moons"],
    ["grad", "log(x)", "--x", "-1"],
])
def test_no_control_codes_when_not_a_terminal(args):
    """Piped output (CI, files) has no escape sequences, even where the terminal would get colours."""
    env = {"PATH": "/usr/bin:/bin", "TERM": "xterm-256color", "HOME": "/tmp"}
    done = subprocess.run([sys.executable, "-m", "gradcli", *args], capture_output=True, text=True, timeout=120,
                          env=env)
    assert done.stdout.strip() or done.stderr.strip()
    assert "\x1b" not in done.stdout and "\x1b" not in done.stderr
