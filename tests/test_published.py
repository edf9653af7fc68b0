"""The published examples from ../shared/seeds/, reproduced by the CLI (JSON, full precision)."""

from __future__ import annotations

import json

import pytest

NEURON_VALUES = ["--x1", "2", "--x2", "0", "--w1", "-3", "--w2", "1", "--b", "6.8813735870195432"]


def grad_json(cli, *args):
    result = cli("grad", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_micrograd_expression_a_b_c_f(cli):
    document = grad_json(cli, "(a*b + c)*f", "a=2", "b=-3", "c=10", "f=-2")
    assert document["value"] == -8.0
    assert document["gradients"] == {"a": 6.0, "b": -4.0, "c": -2.0, "f": 4.0}
    labels = {node["label"]: node for node in document["nodes"]}
    assert labels["a*b"]["value"] == -6.0 and labels["a*b + c"]["value"] == 4.0
    assert labels["a*b + c"]["grad"] == -2.0


@pytest.mark.parametrize("expression", [
    "tanh(x1*w1 + x2*w2 + b)",
    "(exp(2*(x1*w1 + x2*w2 + b)) - 1) / (exp(2*(x1*w1 + x2*w2 + b)) + 1)",
])
def test_the_neuron_with_tanh_and_with_exp(cli, expression):
    document = grad_json(cli, expression, *NEURON_VALUES)
    assert document["value"] == pytest.approx(0.7071, abs=5e-5)
    gradients = document["gradients"]
    assert gradients["x1"] == pytest.approx(-1.5, abs=1e-6)
    assert gradients["w1"] == pytest.approx(1.0, abs=1e-6)
    assert gradients["x2"] == pytest.approx(0.5, abs=1e-6)
    assert gradients["w2"] == pytest.approx(0.0, abs=1e-9)
    assert gradients["b"] == pytest.approx(0.5, abs=1e-6)


def test_sigmoid_with_l2_regularisation_trace_table(cli):
    args = ["sigmoid(w1*x1 + w2*x2) + 0.5*(w1**2 + w2**2)", "--w1", "0.2", "--w2", "0.4", "--x1", "-0.4",
            "--x2", "0.5"]
    document = grad_json(cli, *args)
    assert round(document["value"], 4) == 0.6300
    rounded = {name: round(value, 4) for name, value in document["gradients"].items()}
    assert rounded == {"w1": 0.1004, "w2": 0.5246, "x1": 0.0498, "x2": 0.0996}
    # the published table, row by row, from the Markdown output
    table = cli("grad", *args, "--format", "markdown").stdout
    for row in ("| w1 | input | 0.2000 | 0.1004 |", "| w2 | input | 0.4000 | 0.5246 |",
                "| x1 | input | -0.4000 | 0.0498 |", "| x2 | input | 0.5000 | 0.0996 |",
                "| t5 | `w1**2` | 0.0400 | 0.5000 |", "| t6 | `w2**2` | 0.1600 | 0.5000 |",
                "| t1 | `w1 * x1` | -0.0800 | 0.2491 |", "| t2 | `w2 * x2` | 0.2000 | 0.2491 |",
                "| t3 | `t1 + t2` | 0.1200 | 0.2491 |", "| t7 | `t5 + t6` | 0.2000 | 0.5000 |",
                "| t8 | `0.5 * t7` | 0.1000 | 1.0000 |", "| t4 | `sigmoid(t3)` | 0.5300 | 1.0000 |",
                "| f | `t4 + t8` | 0.6300 | 1.0000 |"):
        assert row in table


def test_quadratic_at_3(cli):
    document = grad_json(cli, "3*x**2 - 4*x + 5", "--x", "3")
    assert document["value"] == 20.0
    assert document["gradients"] == {"x": 14.0}


def test_quadratic_slope_by_finite_difference_as_published(cli):
    """Seed 002: (f(3.001) - f(3)) / 0.001 = 14.003, the forward difference the check command improves on."""
    sweep = json.loads(cli("check", "3*x**2 - 4*x + 5", "--x", "3", "--sweep", "--format", "json").stdout)
    assert sweep["autograd"] == {"x": 14.0}
    row = next(r for r in sweep["rows"] if r["h"] == pytest.approx(1e-3))
    assert row["numeric"]["x"] == pytest.approx(14.0, abs=1e-9)  # central: no 0.003 bias
