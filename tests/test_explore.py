"""The explorer's logic (gradcli/explore/state.py) and the `explore` command outside a terminal."""

from __future__ import annotations

import json
import math
import shlex
import subprocess
import sys

import pytest

from gradcli.errors import DomainError, ExprError, UsageError
from gradcli.explore.state import NEW_VARIABLE_VALUE, Explorer
from gradcli.numbers import exact
from gradcli.autograd.expr import evaluate


def central_difference(text: str, values: dict, name: str, h: float = 1e-6) -> float:
    up = evaluate(text, {**values, name: values[name] + h}).output.data
    down = evaluate(text, {**values, name: values[name] - h}).output.data
    return (up - down) / (2 * h)


# -- the nudge panel against the published numbers ----------------------------------


def test_nudge_reproduces_the_lecture_slope_of_3x2_minus_4x_plus_5():
    # micrograd lecture: x = 3, h = 0.001 -> f(x+h) = 20.014003000000002, slope 14.00300000000243
    nudge = Explorer("3*x**2 - 4*x + 5", {"x": 3.0}, h=0.001).nudge()
    assert nudge.f_x == 20.0
    assert nudge.f_x_plus_h == pytest.approx(20.014003000000002, abs=1e-12)
    assert nudge.quotient == pytest.approx(14.00300000000243, rel=1e-9)
    assert nudge.gradient == 14.0  # 6x - 4 at x = 3
    assert nudge.difference == pytest.approx(0.003, rel=1e-6)  # h * f''/2 = 0.001 * 6 / 2


def test_nudge_of_each_input_of_a_times_b_plus_c():
    # the lecture's d = a*b + c at a=2, b=-3, c=10 with h = 0.0001
    explorer = Explorer("a*b + c", {"a": 2.0, "b": -3.0, "c": 10.0}, h=0.0001)
    a = explorer.nudge()
    assert (a.name, a.f_x, a.gradient) == ("a", 4.0, -3.0)
    assert a.f_x_plus_h == pytest.approx(3.999699999999999, abs=1e-12)
    assert a.quotient == pytest.approx(-3.000000000010772, rel=1e-9)
    explorer.select(1)
    b = explorer.nudge()
    assert (b.name, b.gradient) == ("b", 2.0)
    assert b.f_x_plus_h == pytest.approx(4.0002, abs=1e-12)
    assert b.quotient == pytest.approx(2.0000000000042206, rel=1e-9)
    explorer.select(1)
    assert explorer.nudge().quotient == pytest.approx(1.0, rel=1e-9)


def test_gradients_match_the_published_live_demo_table():
    # f = sigmoid(w1*x1 + w2*x2) + 0.5*(w1**2 + w2**2): published f 0.6300, grads 0.1004, 0.5246, 0.0498, 0.0996
    text = "sigmoid(w1*x1 + w2*x2) + 0.5*(w1**2 + w2**2)"
    values = {"w1": 0.2, "w2": 0.4, "x1": -0.4, "x2": 0.5}
    state = Explorer(text, values).state
    assert state.value == pytest.approx(0.6300, abs=5e-5)
    published = {"w1": 0.1004, "w2": 0.5246, "x1": 0.0498, "x2": 0.0996}
    for name, gradient in published.items():
        assert state.gradients[name] == pytest.approx(gradient, abs=5e-5)
        assert state.gradients[name] == pytest.approx(central_difference(text, values, name), rel=1e-6)


def test_the_quotient_converges_to_the_gradient_as_h_shrinks_then_rounding_wins():
    explorer = Explorer("3*x**2 - 4*x + 5", {"x": 3.0}, h=0.1)
    errors = []
    for _ in range(5):  # h = 0.1, 0.01, ..., 1e-5
        errors.append(abs(explorer.nudge().difference))
        explorer.scale_h(up=False)
    assert explorer.h == 1e-6
    assert errors == sorted(errors, reverse=True)
    assert errors[0] == pytest.approx(0.3, rel=1e-6) and errors[-1] < 1e-4  # error = 3h
    while explorer.h > 1e-16:
        explorer.scale_h(up=False)
    assert explorer.h == 1e-16
    assert explorer.nudge().quotient == 0.0  # x + h == x in floating point: the lecture's warning


def test_f_undefined_at_x_plus_h_is_reported_not_raised():
    nudge = Explorer("log(-x)", {"x": -0.0005}).nudge()
    assert nudge.f_x_plus_h is None and nudge.quotient is None and nudge.difference is None
    assert "log needs a positive number" in nudge.error
    assert nudge.gradient == pytest.approx(-1 / 0.0005)


# -- moving, stepping, selecting ---------------------------------------------------


def test_moves_are_exact_decimal_steps():
    explorer = Explorer("x*y", {"x": 0.0, "y": 2.0})
    for _ in range(3):
        explorer.move(+1)
    assert explorer.state.values == {"x": 0.3, "y": 2.0}  # not 0.30000000000000004
    assert explorer.state.value == pytest.approx(0.6)
    assert explorer.state.gradients == {"x": 2.0, "y": 0.3}
    explorer.scale_step(up=True)
    explorer.move(-1)
    assert explorer.state.values["x"] == -0.7
    explorer.scale_step(up=False)
    explorer.scale_step(up=False)
    assert explorer.step == 0.01
    explorer.move(+1)
    assert explorer.state.values["x"] == -0.69


def test_selection_stops_at_both_ends():
    explorer = Explorer("a + b + c", {"a": 1, "b": 2, "c": 3})
    explorer.select(-1)
    assert explorer.selected_name == "a"
    explorer.select(5)
    assert explorer.selected_name == "c"
    explorer.move(+1)
    assert explorer.state.values == {"a": 1.0, "b": 2.0, "c": 3.1}


def test_step_and_h_refuse_to_leave_their_range():
    explorer = Explorer("x", {"x": 1}, step=1e12, h=1e-20)
    with pytest.raises(UsageError, match="step is 1000000000000, the largest"):
        explorer.scale_step(up=True)
    with pytest.raises(UsageError, match="h is 1e-20, the smallest"):
        explorer.scale_h(up=False)
    assert (explorer.step, explorer.h) == (1e12, 1e-20)


@pytest.mark.parametrize("option, value", [("step", 0.0), ("h", -0.001), ("lr", math.inf), ("h", math.nan)])
def test_sizes_must_be_positive_and_finite(option, value):
    with pytest.raises(UsageError, match=f"{option} must be a positive number"):
        Explorer("x", {"x": 1}, **{option: value})


# -- gradient steps ---------------------------------------------------------------


def test_gradient_descent_lowers_x_minus_3_squared_toward_its_minimum():
    explorer = Explorer("(x-3)**2", {"x": 0.0}, lr=0.1)
    before, after = explorer.gradient_step()
    assert (before, after) == (9.0, pytest.approx(5.76))  # x = 0 - 0.1 * (-6) = 0.6
    assert explorer.state.values["x"] == pytest.approx(0.6)
    values = [after]
    for _ in range(30):
        values.append(explorer.gradient_step()[1])
    assert values == sorted(values, reverse=True)
    assert explorer.state.values["x"] == pytest.approx(3.0, abs=1e-2)


def test_gradient_ascent_raises_the_value_and_steps_all_variables_at_once():
    explorer = Explorer("a*b", {"a": 2.0, "b": -3.0}, lr=0.5)
    before, after = explorer.gradient_step(ascent=True)
    # simultaneous update: a += 0.5 * b, b += 0.5 * a, both with the old gradients
    assert explorer.state.values == {"a": 0.5, "b": -2.0}
    assert (before, after) == (-6.0, -1.0)


# -- errors keep the last valid state ---------------------------------------------


def test_a_domain_error_while_moving_keeps_the_last_valid_state():
    explorer = Explorer("log(x)", {"x": 0.1})
    state = explorer.state
    with pytest.raises(DomainError, match="log needs a positive number"):
        explorer.move(-1)
    assert explorer.state is state and explorer.state.values == {"x": 0.1}
    with pytest.raises(DomainError):
        Explorer("sqrt(x)", {"x": 1.0}, lr=10).gradient_step()  # x = 1 - 10 * 0.5 = -4


def test_a_gradient_that_is_undefined_rejects_the_move():
    explorer = Explorer("sqrt(x)", {"x": 0.1})
    with pytest.raises(DomainError, match="infinite slope"):
        explorer.move(-1)  # sqrt(0) is defined but its gradient is not
    assert explorer.state.values == {"x": 0.1}


def test_values_that_overflow_are_refused():
    explorer = Explorer("x", {"x": -1.7e308}, lr=1e308)
    with pytest.raises(DomainError, match="x would be -inf, outside the range of a float"):
        explorer.gradient_step()
    assert explorer.state.values == {"x": -1.7e308}


# -- reset and edits ---------------------------------------------------------------


def test_reset_returns_to_the_starting_values_and_keeps_the_settings():
    explorer = Explorer("(x-3)**2 + y", {"x": 0.0, "y": 5.0}, step=1.0)
    explorer.move(+1)
    explorer.gradient_step()
    explorer.scale_h(up=True)
    explorer.reset()
    assert explorer.state.values == {"x": 0.0, "y": 5.0}
    assert explorer.state.value == 14.0
    assert (explorer.step, explorer.h) == (1.0, 0.01)


def test_an_edit_keeps_shared_variables_and_starts_new_ones_at_one():
    explorer = Explorer("x*w", {"x": 2.0, "w": -3.0})
    explorer.select(1)
    explorer.edit("  w*x + b ")
    assert explorer.text == "w*x + b"
    assert explorer.state.values == {"w": -3.0, "x": 2.0, "b": NEW_VARIABLE_VALUE}
    assert explorer.selected_name == "w"  # the selection follows the variable
    assert explorer.state.value == -5.0
    explorer.edit("b")  # x and w leave, remembered ...
    assert explorer.state.values == {"b": 1.0} and explorer.selected_name == "b"
    explorer.edit("x + b")  # ... and come back with their values
    assert explorer.state.values == {"x": 2.0, "b": 1.0}
    explorer.reset()
    assert explorer.state.values == {"x": 2.0, "b": 1.0}


def test_a_bad_edit_raises_and_changes_nothing():
    explorer = Explorer("x**2", {"x": 3.0})
    with pytest.raises(ExprError, match="never closed"):
        explorer.edit("(x + 1")
    with pytest.raises(DomainError, match="log needs a positive number"):
        explorer.edit("log(x - 5)")
    with pytest.raises(ExprError, match="empty"):
        explorer.edit("   ")
    assert explorer.text == "x**2" and explorer.state.values == {"x": 3.0}
    assert explorer.state.value == 9.0


def test_an_expression_without_variables_can_be_explored_but_not_nudged():
    explorer = Explorer("2*pi", {})
    assert explorer.nudge() is None and explorer.state.value == pytest.approx(2 * math.pi)
    with pytest.raises(UsageError, match="no variables to nudge"):
        explorer.move(+1)


def test_variables_not_given_start_at_one():
    explorer = Explorer("x + y + z", {"x": 5})
    assert explorer.state.values == {"x": 5.0, "y": 1.0, "z": 1.0}
    assert explorer.defaulted == ["y", "z"]


# -- the command line printed at the end ----------------------------------------------


def test_command_line_reproduces_the_state_with_grad(run_gradcli):
    explorer = Explorer("(x-3)**2 + h*w", {"x": 0.0, "h": 0.5, "w": 2.0})
    explorer.gradient_step()
    explorer.select(1)
    explorer.move(-1)
    line = explorer.command_line(reserved=("--format",))
    # x = 0 - 0.1 * (-6) in floats; h was nudged by one step from 0.5 - 0.1 * 2
    assert line == 'gradcli grad "(x-3)**2 + h*w" --x 0.6000000000000001 --h 0.2 --w 1.95'
    result = run_gradcli(*shlex.split(line)[1:], "--format", "json")
    assert result.returncode == 0, result.stderr
    reproduced = json.loads(result.stdout)
    assert reproduced["variables"] == explorer.state.values  # every digit survives the round trip
    assert reproduced["value"] == explorer.state.value
    assert reproduced["gradients"] == explorer.state.gradients


def test_command_line_writes_clashing_names_as_pairs_and_guards_a_leading_minus():
    explorer = Explorer("-format**2", {"format": -1.5})
    assert explorer.command_line(reserved=("--format",)) == 'gradcli grad -- "-format**2" format=-1.5'
    assert explorer.command_line() == 'gradcli grad -- "-format**2" --format -1.5'


@pytest.mark.parametrize("x, text", [(0.0, "0"), (-0.0, "0"), (3.0, "3"), (0.1 + 0.2, "0.30000000000000004"),
                                     (1e-5, "1e-05"), (-2.5, "-2.5"), (1e20, "1e+20")])
def test_format_exact_reads_back_as_the_same_float(x, text):
    assert exact(x) == text and float(text) == x


# -- the command outside a terminal ---------------------------------------------------


def test_explore_without_a_terminal_explains_and_exits_2(cli):
    result = cli("explore", "(x-3)**2", "--x", "0")
    assert result.exit_code == 2
    assert "gradcli explore is interactive and needs a terminal" in result.stderr
    assert 'gradcli grad "(x-3)**2" --x 0' in result.stderr
    assert result.stdout == ""


def test_explore_as_a_subprocess_without_a_terminal_does_not_hang(run_gradcli):
    result = run_gradcli("explore", "3*x**2 - 4*x + 5", "x=3", timeout=60)
    assert result.returncode == 2
    assert "needs a terminal" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("args, code, message", [
    (["(x-3", "--x", "0"], 2, "'(' at column 1 is never closed"),
    (["log(x)", "--x", "-1"], 1, "log needs a positive number"),
    (["x", "--x", "1", "--h", "0"], 2, "error: --h must be a positive number"),
    (["x", "--x", "1", "--step", "-1"], 2, "error: --step must be a positive number, not -1"),
    (["x", "--x", "1", "--step", "0"], 2, "error: --step must be a positive number, not 0"),
    (["x", "--x", "1", "--h", "1e9"], 2, "error: --h must be between 1e-20 and 1e+06, not 1e+09"),
    (["x", "--x", "1", "--step", "nan"], 2, "'nan' is not a finite number for --step"),
    (["x", "--x", "1", "--lr", "fast"], 2, "'fast' is not a number for --lr"),
])
def test_bad_input_is_reported_before_any_terminal_check(cli, args, code, message):
    result = cli("explore", *args)
    assert result.exit_code == code
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_unused_variables_and_the_h_option_are_told_apart(cli):
    result = cli("explore", "x**2", "--x", "1", "--hh", "2")
    assert "variable hh is not used in the expression; did you mean the option --h?" in result.stderr


def test_only_running_explore_imports_textual():
    # the CLI registers explore at import time; Textual must wait until the command runs
    probe = "import sys; import gradcli.cli.app; print(any(m.split('.')[0] == 'textual' for m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_the_plot_spans_twenty_steps_either_side_and_zooms_with_the_step():
    explorer = Explorer("x**2*y", {"x": 1.0, "y": 2.0})
    curves = explorer.plot()
    assert curves.variable == "x" and curves.held == {"y": 2.0}
    assert (curves.xs[0], curves.xs[-1]) == (pytest.approx(-1.0), pytest.approx(3.0))
    assert (curves.tangent.value, curves.tangent.slope) == (2.0, 4.0)  # x**2*y = 2, d/dx = 2xy = 4
    explorer.scale_step(up=False)
    explorer.select(+1)
    zoomed = explorer.plot()
    assert zoomed.variable == "y" and (zoomed.xs[0], zoomed.xs[-1]) == (pytest.approx(1.8), pytest.approx(2.2))
    with pytest.raises(UsageError, match="no variables to plot"):
        Explorer("2 + 3", {}).plot()
