"""``gradcli grad`` through the CLI: output formats, options, every error path with its exit status."""

from __future__ import annotations

import csv
import io
import json

import pytest

NEURON = ["tanh(x1*w1 + x2*w2 + b)", "--x1", "2", "--x2", "0", "--w1", "-3", "--w2", "1",
          "--b", "6.8813735870195432"]


def test_table_shows_value_forward_backward_and_gradients(cli):
    result = cli("grad", *NEURON)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "f = tanh(x1*w1 + x2*w2 + b) = 0.7071" in out
    for heading in ("Forward pass", "Backward pass", "Gradients", "∂node/∂input", "upstream", "∂f/∂node",
                    "contribution", "local × upstream = contribution"):
        assert heading in out
    # the chain rule at x1*w1: local -3 x upstream 0.5 = -1.5 for x1
    row = next(line for line in out.splitlines() if "x1  [0]" in line)
    assert row.split()[-3:] == ["-3.0000", "0.5000", "-1.5000"]
    summary = out[out.index("Gradients"):]
    assert [line.split()[-1] for line in summary.splitlines() if line.strip().startswith(("x1 ", "w1 "))] == \
        ["-1.5000", "1.0000"]
    assert result.stderr == ""


def test_forward_trace_lists_sub_expressions_in_order(cli):
    out = cli("grad", "3*x**2 - 4*x + 5", "--x", "3").stdout
    forward = out[out.index("Forward pass"):out.index("Backward pass")]
    labels = ["x**2", "3*x**2", "4*x", "3*x**2 - 4*x", "3*x**2 - 4*x + 5"]
    positions = [forward.index(f" {label} ") for label in labels]
    assert positions == sorted(positions)
    assert "**2" in forward


def test_json_holds_only_json_with_full_precision(cli):
    result = cli("grad", *NEURON, "--format", "json", "--x9", "1")  # x9 unused: a warning, on stderr
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert "variable x9 is not used" in result.stderr
    assert document["expression"] == "tanh(x1*w1 + x2*w2 + b)"
    assert document["value"] == pytest.approx(0.7071067811865476, abs=1e-15)
    assert document["gradients"] == pytest.approx({"x1": -1.5, "w1": 1.0, "x2": 0.5, "w2": 0.0, "b": 0.5})
    nodes = document["nodes"]
    assert {"id", "label", "op", "inputs", "value", "grad"} <= set(nodes[0])
    top = nodes[-1]
    assert top["op"] == "tanh" and top["grad"] == 1.0 and top["inputs"] == [nodes[-2]["id"]]


def test_markdown_is_the_paste_ready_trace_table(cli):
    result = cli("grad", "sigmoid(w1*x1 + w2*x2) + 0.5*(w1**2 + w2**2)", "--w1", "0.2", "--w2", "0.4",
                 "--x1", "-0.4", "--x2", "0.5", "--format", "markdown")
    lines = result.stdout.splitlines()
    assert "| Variable | Expression | Forward Value | Gradient |" in lines
    assert "| w1 | input | 0.2000 | 0.1004 |" in lines
    assert "| t4 | `sigmoid(t3)` | 0.5300 | 1.0000 |" in lines
    assert lines[-1] == "| f | `t4 + t8` | 0.6300 | 1.0000 |"


def test_csv_has_one_row_per_node_and_round_trips(cli):
    result = cli("grad", "(a*b + c)*f", "a=2", "b=-3", "c=10", "f=-2", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["label"] for r in rows][-1] == "(a*b + c)*f"
    assert {r["label"]: float(r["grad"]) for r in rows if r["kind"] == "variable"} == \
        {"a": 6.0, "b": -4.0, "c": -2.0, "f": 4.0}


def test_wrt_no_trace_and_precision(cli):
    result = cli("grad", *NEURON, "--wrt", "x1,w1", "--no-trace", "--precision", "2")
    out = result.stdout
    assert "Forward pass" not in out and "Backward pass" not in out
    assert "= 0.71" in out and "-1.50" in out
    summary = out[out.index("Gradients"):]
    assert " x1 " in summary and " x2 " not in summary and " b " not in summary
    document = json.loads(cli("grad", *NEURON, "--wrt", "w1", "--format", "json", "--no-trace").stdout)
    assert document["gradients"] == {"w1": pytest.approx(1.0)}
    assert "nodes" not in document


def test_variables_in_every_form(cli):
    for args in (["--x", "3"], ["--x=3"], ["x=3"]):
        document = json.loads(cli("grad", "x**2", *args, "--format", "json").stdout)
        assert document["gradients"] == {"x": 6.0}
    # a variable called like one of grad's own options still has a way in
    document = json.loads(cli("grad", "wrt*2", "wrt=4", "--format", "json").stdout)
    assert document["value"] == 8.0


@pytest.mark.parametrize("args, message, status", [
    (["(x + 1))", "--x", "1"], "error: unexpected ')' at column 8", 2),
    (["tanhh(x)", "--x", "1"], "unknown function 'tanhh' (did you mean 'tanh'?)", 2),
    (["x*w2 + b", "--x", "1"], "no value for variables b, w2: pass --b VALUE --w2 VALUE", 2),
    (["x", "--x", "abc"], "'abc' is not a number for --x", 2),
    (["x", "--x", "nan"], "is not a finite number for --x", 2),
    (["log(x - 3)", "--x", "2"], "log(x - 3): argument is -1, log needs a positive number", 1),
    (["x / (y - 1)", "--x", "1", "--y", "1"], "division by zero", 1),
    (["sqrt(x)", "--x", "-4"], "sqrt(x): argument is -4, sqrt needs a number >= 0", 1),
    (["exp(x)", "--x", "1000"], "exp overflows", 1),
    (["x*x", "--x", "1e200"], "overflows to inf", 1),
    (["1e999 * x", "--x", "1"], "too large for a float", 2),
    (["(" * 200 + "x" + ")" * 200, "--x", "1"], "nests more than 100 levels deep", 2),
    (["x+" * 3000 + "x", "--x", "1", "--max-length", "5000"], "the limit is 5,000", 2),
    (["x", "--x", "1", "--wrt", "z"], "--wrt names unknown variable z: the expression's variables are x", 2),
    (["x", "--x", "1", "--precision", "20"], "--precision must lie in 0..15, got 20", 2),
    (["x", "y", "--x", "1"], "unexpected argument 'y'", 2),
    ([], "no expression given", 2),
])
def test_error_paths_print_one_clear_message_and_exit_status(cli, args, message, status):
    result = cli("grad", *args)
    assert result.exit_code == status
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_the_caret_points_at_the_problem(cli):
    lines = cli("grad", "(x + 1))", "--x", "1").stderr.splitlines()
    assert lines[1] == "  (x + 1))"
    assert lines[2] == "  " + " " * 7 + "^"


def test_injection_is_rejected_and_nothing_runs(cli, tmp_path):
    canary = tmp_path / "pwned"
    result = cli("grad", f"__import__('os').system('touch {canary}')")
    assert result.exit_code == 2
    assert "unexpected character" in result.stderr and "expressions have no strings" in result.stderr
    assert not canary.exists()


def test_unknown_format_is_a_usage_error(cli):
    result = cli("grad", "x", "--x", "1", "--format", "xml")
    assert result.exit_code == 2
    assert "xml" in result.output


def test_real_subprocess_json_and_error(run_gradcli, tmp_path):
    done = run_gradcli("grad", "3*x**2 - 4*x + 5", "--x", "3", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["gradients"] == {"x": 14.0}
    canary = tmp_path / "pwned"
    bad = run_gradcli("grad", f"__import__('os').system('touch {canary}')")
    assert bad.returncode == 2 and "error: unexpected character" in bad.stderr
    assert "Traceback" not in bad.stderr and not canary.exists()


@pytest.mark.parametrize("module", ["grad_cmd", "check_cmd", "options", "fast_params"])
def test_each_cli_module_imports_on_its_own(module):
    """No import cycle: any of them can be the first one imported."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", f"import gradcli.cli.{module}"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr


def test_typer_still_reports_values_the_fast_path_does_not_accept(cli):
    """fast_params hands malformed values back to Typer, which refuses them: gradcli's message, exit 2."""
    result = cli("grad", "x", "--x", "1", "--precision", "abc")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: 'abc' is not a whole number for --precision\n")
    assert json.loads(cli("grad", "x", "--x", "1", "--precision", "+3", "--format", "json").stdout)["value"] == 1.0
