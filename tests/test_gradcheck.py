"""The finite-difference checker, tested both ways: it passes right gradients and catches wrong ones."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from gradcli.errors import DomainError, UsageError
from gradcli.autograd.expr import parse
from gradcli.autograd.gradcheck import (
    FAIL, KINK, PASS, UNCHECKED, check_gradients, check_random_points, default_step, ridders, sweep,
)


def test_default_step_is_cbrt_eps_scaled():
    assert default_step(0.5) == pytest.approx(6.055454e-6, rel=1e-6)
    assert default_step(-100.0) == pytest.approx(6.055454e-4, rel=1e-6)


@pytest.mark.parametrize("text", [
    "x**3 + sin(y)", "tanh(x*y + 1)", "exp(x) / (1 + y**2)", "log(x**2 + 1) * cos(y)", "sigmoid(x - y) + sqrt(x**2 + 1)",
    "x**y", "abs(x - 3) + relu(y + 4)",
])
def test_right_gradients_pass(text):
    report = check_gradients(parse(text), {"x": 1.3, "y": 0.7})
    assert report.ok
    assert all(check.status == PASS for check in report.checks)
    assert all(check.abs_error < 1e-8 for check in report.checks)


def test_a_wrong_backward_rule_is_caught(replace_rule):
    replace_rule("sin", lambda m, xs, y, arg: (1.0,))  # cos(x) forgotten: d sin(x) = 1, which is wrong
    report = check_gradients(parse("sin(x) * y"), {"x": 0.8, "y": 2.0})
    assert not report.ok
    by_name = {check.name: check for check in report.checks}
    assert by_name["x"].status == FAIL
    assert by_name["x"].numeric == pytest.approx(2 * math.cos(0.8), rel=1e-8)
    assert by_name["y"].status == PASS  # the other variable's gradient does not use the broken rule


def test_a_subtly_wrong_rule_is_caught_by_the_tolerance(replace_rule):
    replace_rule("tanh", lambda m, xs, y, arg: ((1.0 - y * y) * 1.001,))
    assert not check_gradients(parse("tanh(x)"), {"x": 0.3}).ok


@pytest.mark.parametrize("text, x", [("log(x)", 1e-3), ("1/x", 1e-3), ("sqrt(x)", 1e-6)])
def test_sharp_curvature_is_not_a_mismatch(text, x):
    """At the default h the estimate is off by curvature; Ridders' extrapolation settles it."""
    check = check_gradients(parse(text), {"x": x}).checks[0]
    assert check.status == PASS and check.method == "ridders"
    assert check.numeric == pytest.approx(check.autograd, rel=1e-9)
    assert "off by curvature" in check.note


def test_sharp_curvature_still_catches_a_wrong_rule(replace_rule):
    replace_rule("log", lambda m, xs, y, arg: (1.001 / xs[0],))
    check = check_gradients(parse("log(x)"), {"x": 1e-3}).checks[0]
    assert check.status == FAIL and check.method == "central"


def test_ridders_extrapolates_to_the_derivative():
    estimate, error, _ = ridders(parse("exp(3*x)"), {"x": 0.5}, "x")
    assert estimate == pytest.approx(3 * math.exp(1.5), rel=1e-12) and error < 1e-9
    assert ridders(parse("sqrt(x)"), {"x": 0.0}, "x") is None  # on the edge of the domain: no central difference


def test_tolerances_are_options():
    report = check_gradients(parse("x**2"), {"x": 1.0}, h=1e-2, rtol=0.0, atol=0.0)
    assert report.checks[0].h == 1e-2
    assert report.rtol == 0.0 and report.atol == 0.0
    loose = check_gradients(parse("exp(x)"), {"x": 1.0}, h=1e-1, rtol=1e-1)
    strict = check_gradients(parse("exp(x)"), {"x": 1.0}, h=1e-1, rtol=1e-6)
    assert loose.ok and not strict.ok  # the same estimate, judged by two tolerances
    with pytest.raises(UsageError, match="^h must be a positive step"):
        check_gradients(parse("x"), {"x": 1.0}, h=0.0)


@pytest.mark.parametrize("text, left, right", [("relu(x)", 0.0, 1.0), ("abs(x)", -1.0, 1.0), ("relu(-x)", -1.0, 0.0)])
def test_kinks_are_not_differentiable_not_failures(text, left, right):
    report = check_gradients(parse(text), {"x": 0.0})
    check = report.checks[0]
    assert check.status == KINK
    assert check.left == pytest.approx(left) and check.right == pytest.approx(right)
    assert check.ok and report.ok
    assert min(left, right) <= check.autograd <= max(left, right)


def test_smooth_but_curved_functions_are_not_mistaken_for_kinks():
    for text, x in (("exp(x)", 20.0), ("sin(100*x)", 0.3), ("x**2", 1000.0), ("relu(x)", 1.0)):
        assert check_gradients(parse(text), {"x": x}).checks[0].status == PASS, text


def test_a_shifted_point_outside_the_domain_falls_back_to_one_side():
    check = check_gradients(parse("x + 0*sqrt(x)"), {"x": 1e-6}).checks[0]
    assert check.method == "forward" and check.status == PASS
    assert "x-h leaves the domain" in check.note and "sqrt needs a number >= 0" in check.note
    assert check.numeric == pytest.approx(1.0, rel=1e-6)
    # near the edge, where a one-sided difference is off by curvature, extrapolation decides
    curved = check_gradients(parse("sqrt(x)"), {"x": 1e-6}).checks[0]
    assert curved.status == PASS and curved.method == "ridders"
    assert "x-h leaves the domain" in curved.note and "off by curvature" in curved.note
    assert curved.numeric == pytest.approx(0.5 / math.sqrt(1e-6), rel=1e-9)


def test_both_shifted_points_outside_the_domain_is_unchecked_not_a_crash():
    check = check_gradients(parse("log(1 - x**2)"), {"x": 0.0}, h=2.0).checks[0]
    assert check.status == UNCHECKED and not check.ok
    assert "both x+h and x-h leave the domain" in check.note


def test_sweep_shows_truncation_then_round_off():
    report = sweep(parse("exp(x)"), {"x": 1.0})
    errors = [row.abs_error["x"] for row in report.rows]
    assert [row.h for row in report.rows] == pytest.approx([10.0**-k for k in range(1, 13)])
    best = errors.index(min(errors))
    assert 2 <= best <= 7  # the best h is in the middle: neither end
    assert errors[0] > 100 * errors[best] and errors[-1] > 100 * errors[best]
    assert report.best_h["x"] == report.rows[best].h


def test_random_points_are_seeded_and_report_the_worst_case():
    expression = parse("log(x) * sin(y)")
    first = check_random_points(expression, 20, seed=3, low=0.1, high=3.0)
    again = check_random_points(expression, 20, seed=3, low=0.1, high=3.0)
    assert [r.point for r in first.reports] == [r.point for r in again.reports]
    assert len(first.reports) == 20 and first.ok
    worst_x = max((c for c in first.checks if c.name == "x"), key=lambda c: c.abs_error / (1e-7 + 1e-5 * abs(c.numeric)))
    assert {c.name: c for c in first.worst}["x"] is worst_x


def test_random_points_outside_the_domain_are_drawn_again():
    report = check_random_points(parse("log(x)"), 10, seed=0, low=-1.0, high=1.0)
    assert len(report.reports) == 10 and report.skipped > 0
    with pytest.raises(DomainError, match="undefined at all"):
        check_random_points(parse("log(x)"), 5, seed=0, low=-3.0, high=-1.0)


def test_random_points_keep_held_variables_and_check_the_given_point_first():
    report = check_random_points(parse("x*y"), 4, seed=1, hold={"y": 2.0})
    assert all(r.point["y"] == 2.0 for r in report.reports)
    report = check_random_points(parse("x*y"), 2, seed=1, fixed={"x": 5.0, "y": 6.0})
    assert report.reports[0].point == {"x": 5.0, "y": 6.0} and len(report.reports) == 3


# -- kinks explained by the op records ------------------------------------------------------------


@pytest.mark.parametrize("text, point, name, cause", [
    ("max(x, y)", {"x": 1.0, "y": 1.0}, "x", "max(x, y): 2 arguments tie at 1"),
    ("min(x, 2, y)", {"x": 2.0, "y": 3.0}, "x", "min(x, 2, y): 2 arguments tie at 2"),
    ("floor(z)", {"z": 2.0}, "z", "floor(z): argument is 2, an integer: floor jumps there"),
    ("round(z)", {"z": 1.5}, "z", "round(z): argument is 1.5, halfway between integers: round jumps there"),
    ("clip(x, -1, 1)", {"x": 1.0}, "x", "clip(x, -1, 1): x is 1, at a bound of [-1, 1]"),
    ("leaky_relu(x, slope=0.2)", {"x": 0.0}, "x", "leaky_relu(x, slope=0.2): argument is 0"),
    ("m = max(x, y); o = m*relu(x - 1)", {"x": 1.0, "y": 1.0}, "x",
     "m = max(x, y): 2 arguments tie at 1; relu(x - 1): argument is 0"),
])
def test_a_kink_says_which_node_makes_it_and_why(text, point, name, cause):
    report = check_gradients(parse(text), point)
    check = next(c for c in report.checks if c.name == name)
    assert check.status == KINK and check.ok
    assert check.cause == cause


def test_a_kink_of_another_variable_is_not_blamed():
    report = check_gradients(parse("max(x, y) + relu(z)"), {"x": 1.0, "y": 2.0, "z": 0.0})
    by_name = {c.name: c for c in report.checks}
    assert by_name["z"].status == KINK and by_name["z"].cause == "relu(z): argument is 0"
    assert by_name["x"].status == PASS and by_name["x"].cause == ""


def test_the_cause_reaches_the_table_and_json(cli):
    result = cli("check", "max(x, y)", "--x", "1", "--y", "1", "--format", "json")
    checks = json.loads(result.stdout)["checks"]
    assert [c["cause"] for c in checks] == ["max(x, y): 2 arguments tie at 1"] * 2
    table = cli("check", "max(x, y)", "--x", "1", "--y", "1").stdout
    assert "x: not differentiable at 1 (max(x, y): 2 arguments tie at 1)" in " ".join(table.split())


def test_every_record_with_a_kink_explains_it_as_text():
    from gradcli.autograd.ops import OPS

    points = {"relu": (0.0,), "abs": (0.0,), "sign": (0.0,), "step": (0.0,), "floor": (3.0,), "ceil": (-1.0,),
              "round": (0.5,), "minimum": (1.0, 1.0), "maximum": (2.0, 2.0, 1.0), "clip": (1.0, 1.0, 2.0),
              "leaky_relu": (0.0, 0.01), "elu": (0.0, 0.5), "hypot": (0.0, 0.0), "atan2": (0.0, -1.0)}
    # the reductions max(x) and min(x) are asked about a whole array and its axis: ties among its entries
    points.update({"max": (np.array([2.0, 2.0, 1.0]), None), "min": (np.array([[1.0, 1.0], [0.0, 3.0]]), 1)})
    assert set(points) == {name for name, op in OPS.items() if op.kink is not None}
    for name, xs in points.items():
        reason = OPS[name].kink(*xs)
        assert isinstance(reason, str) and reason, name
        if isinstance(xs[0], np.ndarray):
            first = xs[0].copy()
            first.flat[0] += 0.25
            nudged = (first, *xs[1:])
        else:
            nudged = (xs[0] + 0.25, *xs[1:])
        assert not OPS[name].kink(*nudged), name
