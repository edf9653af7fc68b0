"""Results that are not finite numbers are never shown as valid ones (issue 10, item 7).

- ``predict``: an output that overflowed (inputs 1e308) gets no class and the command exits 1;
- ``eval``: such samples count as wrong, are left out of the confusion matrix and exit 1;
- ``check --range -1e308,1e308`` draws finite points; x + h beyond the float range is no value;
- ``grad "x**x" --x 0``: the gradient is undefined there (as ``check`` says), not a silent 0;
- every JSON document these commands write is strict (no NaN, no Infinity).
"""

from __future__ import annotations

import json
import math
import sys

import numpy as np
import pytest

from gradcli.autograd.engine import Value, grad
from gradcli.autograd.expr import parse
from gradcli.autograd.gradcheck import check_gradients, check_random_points
from gradcli.errors import DomainError


def strict_json(text: str):
    """Parse as a strict JSON reader does: NaN, Infinity and -Infinity are errors."""
    def refuse(token):
        raise ValueError(f"not JSON: {token}")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture
def model(cli, tmp_path):
    path = tmp_path / "m.json"
    assert cli("train", "moons", "--steps", "20", "--quiet", "--save", str(path)).exit_code == 0
    return str(path)


# -- predict ----------------------------------------------------------------------------------


def test_predict_gives_no_class_for_an_output_that_overflowed(cli, model):
    result = cli("predict", model, "--x1", "1e308", "--x2", "1e308", "--format", "json")
    assert result.exit_code == 1, result.output
    document = strict_json(result.stdout)
    assert document["class"] is None and document["score"] is None  # not "class 0, exit 0"
    assert "the model's output is not a finite number (x1 = 1e+308, x2 = 1e+308)" in result.stderr
    assert "written as null: score" in result.stderr


def test_predict_table_shows_no_class_and_the_other_rows_stand(cli, model, tmp_path):
    points = tmp_path / "points.csv"
    points.write_text("x1,x2\n0.5,-0.2\n1e308,1e308\n-1,0.5\n")
    out = tmp_path / "out.csv"
    result = cli("predict", model, "--input", str(points), "--output", str(out))
    assert result.exit_code == 1, result.output
    lines = [line.split() for line in result.stdout.splitlines() if line.strip()]
    assert lines[2][-1] == "-" and lines[1][-1] in ("0", "1") and lines[3][-1] in ("0", "1")
    assert "for prediction 2 of 3 (x1 = 1e+308, x2 = 1e+308)" in " ".join(result.stderr.split())
    rows = out.read_text().splitlines()
    assert rows[2].endswith(",") and not rows[1].endswith(",")  # the file has an empty class cell, the rest


def test_predict_csv_to_stdout_leaves_the_class_empty(cli, model):
    result = cli("predict", model, "x1=1e308", "x2=1e308", "--format", "csv")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[1].endswith(",")


# -- eval -------------------------------------------------------------------------------------


def test_eval_counts_overflowing_samples_as_wrong_and_fails(cli, model, tmp_path):
    data = tmp_path / "big.csv"
    data.write_text("x1,x2,y\n1e308,1e308,0\n1e308,-1e308,1\n0,0.5,0\n1.5,-0.5,1\n")
    result = cli("eval", model, str(data), "--json")
    assert result.exit_code == 1, result.output
    document = strict_json(result.stdout)
    assert document["not_finite"] == 2 and document["loss"] is None
    assert document["accuracy"] <= 0.5  # the two overflowing samples are wrong, whatever class NaN would give
    assert sum(map(sum, document["confusion"])) == 2  # only the samples with an output
    assert "not a finite number for 2 of the 4 samples" in " ".join(result.stderr.split())


def test_eval_table_names_the_samples_without_output(cli, model, tmp_path):
    data = tmp_path / "big.csv"
    data.write_text("x1,x2,y\n1e308,1e308,0\n0,0.5,0\n1.5,-0.5,1\n")
    result = cli("eval", model, str(data))
    assert result.exit_code == 1
    assert "not finite    1 samples" in result.stdout


def test_eval_of_ordinary_data_is_unchanged(cli, model):
    result = cli("eval", model, "moons", "--json")
    assert result.exit_code == 0, result.output
    document = strict_json(result.stdout)
    assert document["not_finite"] == 0 and 0.5 < document["accuracy"] <= 1.0
    assert sum(map(sum, document["confusion"])) == document["samples"]


# -- check --range and points at the edge of the float range --------------------------------


def test_random_points_over_the_whole_float_range_are_finite():
    report = check_random_points(parse("x + y"), 20, low=-1e308, high=1e308)
    assert all(math.isfinite(v) for r in report.reports for v in r.point.values())
    assert report.ok  # x + y: a slope of 1 everywhere, checked at finite points


def test_check_json_over_the_float_range_is_strict_and_never_an_internal_error(cli):
    result = cli("check", "sin(x)", "--range", "-1e308,1e308", "--points", "5", "--json")
    assert "internal error" not in result.stderr
    document = strict_json(result.stdout)
    assert all(point["x"] is not None and abs(point["x"]) <= 1e308 for point in document["points"])


def test_check_says_why_every_point_of_a_range_is_undefined(cli):
    result = cli("check", "x**2", "--range", "-1e308,1e308", "--points", "3")
    assert result.exit_code == 1
    assert "overflows a float" in result.stderr  # the reason, not only "undefined"


def test_a_step_that_rounds_away_is_no_estimate(cli):
    check = check_gradients(parse("x**2"), {"x": 1.0}, h=1e-20).checks[0]  # 1 + 1e-20 == 1
    assert check.numeric is None and check.status == "unchecked" and "rounds to x" in check.note  # was: 0, FAIL
    sweep = cli("check", "sin(x)", "--x", str(sys.float_info.max), "--sweep", "--json")
    rows = strict_json(sweep.stdout)["rows"]
    assert all(row["numeric"]["x"] is None for row in rows)  # was: 0.0 for every h, as if an estimate


def test_a_step_beyond_the_float_range_is_no_value():
    check = check_gradients(parse("sin(x)"), {"x": sys.float_info.max}).checks[0]  # x + h is inf
    assert check.method == "backward" and "beyond the float range" in check.note


# -- x**x at 0: the record's rule ------------------------------------------------------------


def test_grad_of_x_to_the_x_at_0_is_undefined_as_check_says(cli):
    for command in ("grad", "check"):
        result = cli(command, "x**x", "--x", "0")
        assert result.exit_code == 1, (command, result.output)
        assert "x**x: the gradient is undefined here: base and exponent are both 0" in result.stderr


def test_the_pow_rule_at_0_over_floats_arrays_and_values():
    x = Value(0.0)
    with pytest.raises(DomainError, match="-infinite"):
        (x ** x).backward()
    xs = Value(np.array([0.0, 0.5, 1.0]))
    with np.errstate(all="ignore"):  # 0 ** -1 inside the rule, where b == 0 picks 0 instead
        (xs ** xs).backward(np.ones(3))
    assert xs.grad[0] == -math.inf  # arrays carry -inf for the caller to judge, never a silent 0
    assert xs.grad[1] == pytest.approx(0.5 ** 0.5 * (math.log(0.5) + 1))
    y = Value(0.5)
    (first,) = grad(y ** y, [y], create_graph=True)  # second derivatives still follow from the rule
    assert first.data == pytest.approx(0.5 ** 0.5 * (math.log(0.5) + 1))
    # 0**b for b > 0 stays 0 nearby: its slope in b is 0, and in a it is 0 for b > 1
    a, b = Value(0.0), Value(2.0)
    (a ** b).backward()
    assert (a.grad, b.grad) == (0.0, 0.0)
