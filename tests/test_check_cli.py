"""``gradcli check`` through the CLI: verdicts and exit statuses, kinks, sweep, random points, JSON."""

from __future__ import annotations

import json

import pytest


SEED_001 = ["sigmoid(w1*x1 + w2*x2) + 0.5*(w1**2 + w2**2)", "--w1", "0.2", "--w2", "0.4", "--x1", "-0.4",
            "--x2", "0.5"]


def test_right_gradients_pass_with_exit_0(cli):
    result = cli("check", *SEED_001)
    assert result.exit_code == 0, result.output
    out = result.stdout
    for column in ("autograd", "numeric", "abs error", "rel error", "result"):
        assert column in out
    assert out.count("PASS") == 4
    assert "h = cbrt(eps) * max(1, |x|)" in out and "rtol = 1e-05, atol = 1e-07" in out
    assert "OK: autograd matches" in out


def test_a_wrong_gradient_fails_with_exit_1(cli, replace_rule):
    replace_rule("sigmoid", lambda m, xs, y, arg: (1.0,))
    result = cli("check", *SEED_001)
    assert result.exit_code == 1
    assert "FAIL" in result.stdout and "MISMATCH" in result.stdout
    assert "--sweep" in result.stderr  # the hint goes to stderr


def test_json_reports_ok_and_checks(cli, replace_rule):
    document = json.loads(cli("check", *SEED_001, "--format", "json").stdout)
    assert document["ok"] is True
    assert [c["name"] for c in document["checks"]] == ["w1", "x1", "w2", "x2"]
    first = document["checks"][0]
    assert {"name", "autograd", "numeric", "abs_error", "rel_error", "ok"} <= set(first)
    assert first["autograd"] == pytest.approx(0.1004, abs=5e-5)
    assert first["abs_error"] < 1e-9
    replace_rule("**", lambda m, xs, y, arg: (0.0,))  # the w**2 terms lose their gradient
    result = cli("check", *SEED_001, "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["ok"] is False


def test_kinks_are_reported_not_failed(cli):
    result = cli("check", "relu(x) + abs(y)", "--x", "0", "--y", "0")
    assert result.exit_code == 0
    assert result.stdout.count("not differentiable") >= 2
    assert "left slope 0.0000, right slope 1.0000" in result.stdout
    assert "left slope -1.0000, right slope 1.0000" in result.stdout
    checks = json.loads(cli("check", "relu(x)", "--x", "0", "--format", "json").stdout)["checks"]
    assert checks[0]["status"] == "not differentiable" and checks[0]["subgradient"] == [0.0, 1.0]


def test_options_h_rtol_atol_are_used_and_stated(cli):
    result = cli("check", "exp(x)", "--x", "1", "--h", "0.1", "--rtol", "1e-6", "--atol", "0")
    assert result.exit_code == 1  # a step of 0.1 is far too coarse for rtol 1e-6
    assert "h = 0.1 (fixed)" in result.stdout and "rtol = 1e-06, atol = 0" in result.stdout
    assert cli("check", "exp(x)", "--x", "1", "--h", "0.1", "--rtol", "0.01").exit_code == 0


def test_sweep_lists_every_step(cli):
    result = cli("check", "exp(x)", "--x", "1", "--sweep")
    assert result.exit_code == 0
    for k in range(1, 13):
        assert f"1e-{k:02d}" in result.stdout
    document = json.loads(cli("check", "exp(x)", "--x", "1", "--sweep", "--format", "json").stdout)
    assert len(document["rows"]) == 12 and document["autograd"]["x"] == pytest.approx(2.718281828459045)


def test_random_points_report_the_worst_case(cli):
    result = cli("check", "log(x)*sin(y)", "--points", "25", "--seed", "1", "--range", "0.1,3")
    assert result.exit_code == 0
    assert "25 points" in result.stdout and "Worst case per variable" in result.stdout
    document = json.loads(cli("check", "log(x)*sin(y)", "--points", "25", "--seed", "1", "--range", "0.1,3",
                              "--format", "json").stdout)
    assert document["ok"] is True and len(document["checks"]) == 50
    assert {w["name"] for w in document["worst"]} == {"x", "y"}
    again = json.loads(cli("check", "log(x)*sin(y)", "--points", "25", "--seed", "1", "--range", "0.1,3",
                           "--format", "json").stdout)
    assert again["points"] == document["points"]


def test_domain_edge_is_reported_clearly(cli):
    result = cli("check", "sqrt(x)", "--x", "0.000001")
    assert "x-h leaves the domain" in result.stdout
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args, message", [
    (["x", "--x", "1", "--h", "-1"], "--h must be a positive step"),
    (["x", "--x", "1", "--range", "3,1", "--points", "2"], "--range 3,1 is empty"),
    (["x", "--x", "1", "--range", "a,b", "--points", "2"], "'a' is not a number for --range"),
    (["x", "--x", "1", "--sweep", "--points", "3"], "--sweep looks at one point"),
    (["x*y", "--x", "1"], "no value for variable y: pass --y VALUE"),
    (["x", "--x", "1", "--wrt", "q"], "--wrt names unknown variable q"),
    (["tanhh(x)", "--x", "1"], "did you mean 'tanh'?"),
])
def test_usage_errors_exit_2(cli, args, message):
    result = cli("check", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_a_variable_named_h_goes_in_as_name_value(cli):
    document = json.loads(cli("check", "h**2", "h=3", "--format", "json").stdout)
    assert document["checks"][0]["name"] == "h" and document["checks"][0]["autograd"] == 6.0


def test_real_subprocess_exit_statuses(run_gradcli):
    ok = run_gradcli("check", "x**3", "--x", "2", "--format", "json")
    assert ok.returncode == 0 and json.loads(ok.stdout)["ok"] is True
    bad = run_gradcli("check", "x**3", "--x", "2", "--h", "0.5", "--rtol", "0", "--atol", "0")
    assert bad.returncode == 1 and "FAIL" in bad.stdout
    usage = run_gradcli("check", "x**", "--x", "2")
    assert usage.returncode == 2 and "unexpected end of expression" in usage.stderr


def test_json_stays_strict_when_the_relative_error_is_infinite(cli, replace_rule):
    replace_rule("*", lambda m, xs, y, arg: (1.0, 1.0))
    result = cli("check", "x*y", "--x", "0", "--y", "0", "--format", "json")
    assert result.exit_code == 1
    assert "Infinity" not in result.stdout
    checks = json.loads(result.stdout)["checks"]
    assert checks[0]["rel_error"] is None and checks[0]["ok"] is False
