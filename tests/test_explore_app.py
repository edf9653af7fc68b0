"""The explore app driven headlessly with Textual's pilot: keys in, numbers on screen out."""

from __future__ import annotations

import asyncio

import pytest

pytest.importorskip("textual", reason="gradcli explore needs textual (pip install -e .)")

from rich.console import Console  # noqa: E402
from textual.widgets import DataTable, Input, Static  # noqa: E402

from gradcli.explore.state import Explorer  # noqa: E402
from gradcli.explore.app import ExploreApp  # noqa: E402
from gradcli.explore.panels import TraceView  # noqa: E402
from gradcli.numbers import significant  # noqa: E402
from gradcli.autograd.expr import evaluate  # noqa: E402

SIZE = (110, 40)


def shown(app: ExploreApp, selector: str) -> str:
    """The text a person sees in one panel (its Rich content rendered as plain text)."""
    console = Console(width=SIZE[0], record=True, file=open("/dev/null", "w"), color_system=None)
    console.print(app.query_one(selector, Static).content)
    return console.export_text()


def drive(explorer: Explorer, keys: list, check, reserved: tuple = ()) -> ExploreApp:
    """Run the app headless, press ``keys`` (str, or a list of str for one batch), then call ``check(app)``."""

    async def scenario():
        app = ExploreApp(explorer, reserved)
        async with app.run_test(size=SIZE) as pilot:
            for key in keys:
                await pilot.press(*([key] if isinstance(key, str) else key))
            await pilot.pause()
            check(app)
        return app

    return asyncio.run(scenario())


def row(text: str, label: str) -> list:
    """The cells of the line that starts with ``label`` (after any selection marker)."""
    for line in text.splitlines():
        cells = line.replace("▶", " ").split()
        if cells and " ".join(cells[: len(label.split())]) == label:
            return cells[len(label.split()):]
    raise AssertionError(f"no line {label!r} in:\n{text}")


def test_select_and_nudge_shows_the_engine_numbers():
    text, start = "a*b + c", {"a": 2.0, "b": -3.0, "c": 10.0}

    def check(app):
        # down selects b, right twice adds 2 * 0.1: b = -2.8
        values = {"a": 2.0, "b": -2.8, "c": 10.0}
        graph = evaluate(text, values)
        graph.backward()
        assert app.explorer.selected_name == "b"
        assert app.explorer.state.values == values
        variables = shown(app, "#variables")
        assert row(variables, "b") == ["-2.8", significant(graph.gradients()["b"])]  # df/db = a = 2
        assert row(variables, "a") == ["2", "-2.8"]
        assert f"f = a*b + c  =  {significant(graph.output.data)}" in shown(app, "#expression")
        nudge = shown(app, "#nudge")
        bumped = evaluate(text, {**values, "b": -2.8 + 0.001}).output.data
        assert row(nudge, "b") == ["-2.8"] and row(nudge, "h") == ["0.001"]
        assert row(nudge, "f(b+h)") == [significant(bumped)]
        assert row(nudge, "(f(b+h) - f(b)) / h") == [significant((bumped - graph.output.data) / 0.001)]
        assert row(nudge, "autograd df/db") == ["2"]
        assert "b: -2.9 → -2.8" in shown(app, "#status")

    drive(Explorer(text, start), ["down", "right", "right"], check)


def test_j_k_select_and_the_step_keys_scale_the_step():
    def check(app):
        # k j j k j: the selection stops at both ends and ends on y;
        # + makes the step 1, left subtracts it; - - makes it 0.01, right adds that
        assert app.explorer.selected_name == "y"
        assert app.explorer.state.values == {"x": 0.0, "y": -0.99}
        assert app.explorer.step == 0.01
        assert "step 0.01" in str(app.query_one("#variables").border_subtitle)

    keys = ["k", "j", "j", "k", "j", "plus", "left", "minus", "minus", "right"]
    drive(Explorer("x + 2*y", {"x": 0.0, "y": 0.0}), keys, check)


def test_h_keys_change_the_finite_difference_and_the_quotient_converges():
    quotients = []

    def record(app):
        nudge = shown(app, "#nudge")
        quotients.append((row(nudge, "h")[0], float(row(nudge, "(f(x+h) - f(x)) / h")[0])))

    explorer = Explorer("3*x**2 - 4*x + 5", {"x": 3.0})
    drive(explorer, [], record)
    drive(explorer, ["h"], record)
    drive(explorer, ["h", "h"], record)
    drive(explorer, ["H"], record)
    assert [h for h, _ in quotients] == ["0.001", "0.0001", "1e-06", "1e-05"]
    assert quotients[0][1] == pytest.approx(14.003, abs=1e-9)  # the lecture's 14.00300000000243
    assert quotients[1][1] == pytest.approx(14.0003, abs=1e-8)
    assert quotients[2][1] == pytest.approx(14.000003, abs=1e-6)
    assert explorer.h == 1e-05


def test_a_gradient_step_lowers_x_minus_3_squared_and_says_so():
    def check(app):
        assert app.explorer.state.value == pytest.approx(3.6864)  # 9 -> 5.76 -> 3.6864
        assert row(shown(app, "#variables"), "x") == ["1.08", "-3.84"]
        assert "gradient descent (each variable -= 0.1 × its gradient):  f 5.76 → 3.6864" in shown(app, "#status")

    drive(Explorer("(x-3)**2", {"x": 0.0}), ["g", "g"], check)


def test_ascent_then_reset():
    def check(app):
        assert app.explorer.state.values == {"x": 0.0}
        assert "back at its starting value" in shown(app, "#status")

    explorer = Explorer("(x-3)**2", {"x": 0.0})
    drive(explorer, ["G"], lambda app: None)
    assert explorer.state.values["x"] == pytest.approx(-0.6) and explorer.state.value > 9.0
    drive(explorer, ["r"], check)


def test_a_domain_error_shows_a_message_and_keeps_the_last_valid_state():
    def check(app):
        assert app.explorer.state.values == {"x": 0.1}
        assert row(shown(app, "#variables"), "x") == ["0.1", "10"]
        status = shown(app, "#status")
        assert "log(x): argument is 0, log needs a positive number (kept the last valid state)" in status
        assert app.query_one("#status").has_class("error")

    drive(Explorer("log(x)", {"x": 0.2}), ["left", "left"], check)


def test_an_edit_with_a_syntax_error_keeps_the_app_alive_then_a_good_edit_applies():
    def check_error(app):
        assert app.is_running
        assert app.query_one("#editor", Input).display
        problem = shown(app, "#edit-error")
        assert "error: '(' at column 12 is never closed: add ')'" in problem
        assert app.explorer.text == "(x-3)**2"  # unchanged

    def check_fixed(app):
        assert not app.query_one("#editor", Input).display
        assert app.explorer.text == "(x-3)**2 * (y + 1)"
        assert app.explorer.state.values == {"x": 0.0, "y": 1.0}  # y is new: it starts at 1
        assert "f = (x-3)**2 * (y + 1)  =  18" in shown(app, "#expression")
        assert "new variables start at y = 1" in shown(app, "#status")
        assert row(shown(app, "#variables"), "y") == ["1", "9"]

    explorer = Explorer("(x-3)**2", {"x": 0.0})
    typed = list(" * (y + 1")
    drive(explorer, ["e", "end", typed, "enter"], check_error)
    drive(explorer, ["e", "end", typed, ")", "enter"], check_fixed)


def test_keys_typed_into_the_editor_do_not_act_and_escape_cancels():
    def check(app):
        assert app.is_running  # the q typed in the editor did not quit
        assert app.explorer.text == "x"
        assert app.explorer.state.values == {"x": 2.0}  # the g did not take a step
        assert not app.query_one("#editor", Input).display
        assert "edit cancelled" in shown(app, "#status")

    drive(Explorer("x", {"x": 2.0}), ["e", ["q", "g"], "escape"], check)


def test_while_editing_the_explorer_keys_neither_act_nor_show_in_the_footer():
    """The footer offered "+/- step×÷10" (the editor types a +) and up/down moved the selection behind it."""
    def check(app):
        assert app.explorer.selected_name == "x" and app.explorer.text == "x*y"
        shown_actions = {active.binding.action for active in app.active_bindings.values()
                         if active.binding.show and active.enabled}
        assert shown_actions == set(), shown_actions

    drive(Explorer("x*y", {"x": 2.0, "y": 3.0}), ["e", "down", "pagedown"], check)


def test_q_returns_the_reproducing_command_line():
    async def scenario():
        app = ExploreApp(Explorer("(x-3)**2 + format", {"x": 0.0, "format": 2.0}), reserved=("--format",))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("right", "right", "right", "q")
            await pilot.pause()
        return app

    app = asyncio.run(scenario())
    assert not app.is_running
    assert app.return_value == 'gradcli grad "(x-3)**2 + format" --x 0.3 format=2'


def test_the_trace_panel_follows_every_change():
    def check(app):
        trace = app.query_one("#trace", TraceView)
        # x = 1 after pressing + then right: x - 3 = -2, (x - 3)**2 = 4, d/dx = 2*(x-3) = -4
        assert trace.rows("forward") == [
            ("0", "x", "variable", "", "1.0000"), ("1", "3", "constant", "", "3.0000"),
            ("2", "x - 3", "-", "0, 1", "-2.0000"), ("3", "(x - 3)**2", "**2", "2", "4.0000"),
        ]
        assert trace.rows("backward") == [
            ("3", "(x - 3)**2   (**2)", "1.0000", "x - 3  [2]", "-4.0000", "1.0000", "-4.0000"),
            ("2", "x - 3   (-)", "-4.0000", "x  [0]", "1.0000", "-4.0000", "-4.0000"),
            ("", "", "", "3  [1]", "-1.0000", "-4.0000", "4.0000"),
        ]
        table = app.query_one("#backward", DataTable)  # what is drawn follows the rows
        assert [str(cell) for cell in table.get_row_at(1)] == list(trace.rows("backward")[1])

    explorer = Explorer("(x-3)**2", {"x": 0.0})
    drive(explorer, ["plus", "right"], check)


def test_the_trace_is_rebuilt_when_the_expression_changes():
    def check(app):
        trace = app.query_one("#trace", TraceView)
        assert [row[1] for row in trace.rows("forward")] == ["x", "log(x)"]
        assert app.query_one("#forward", DataTable).row_count == 2

    drive(Explorer("(x-3)**2", {"x": 2.0}), ["e", "home", "ctrl+k", list("log(x)"), "enter"], check)


def test_many_variables_show_a_window_around_the_selection():
    def check(app):
        variables = shown(app, "#variables")
        assert "↑ 7 more" in variables and "↓ 8 more" in variables
        assert "v6 " not in variables and "v7 " in variables and "v16 " in variables and "v17 " not in variables
        selected = [line for line in variables.splitlines() if "▶" in line]
        assert len(selected) == 1 and selected[0].split()[1] == "v12"

    drive(Explorer(" + ".join(f"v{i}" for i in range(25)), {}), [["j"] * 12], check)


def test_a_limit_is_explained_without_claiming_a_domain_error():
    def check(app):
        assert app.explorer.h == 1e-20
        status = shown(app, "#status")
        assert "h is 1e-20, the smallest this explorer allows" in status and "kept" not in status
        assert app.query_one("#status").has_class("error")

    drive(Explorer("x", {"x": 1.0}, h=1e-19), ["h", "h"], check)


def test_variables_without_a_value_are_announced_at_the_start():
    def check(app):
        assert "no value given for y: starting at 1" in shown(app, "#status")
        assert row(shown(app, "#variables"), "y") == ["1", "3"]  # d/dy (x*y) = x

    drive(Explorer("x*y", {"x": 3.0}), [], check)


def test_an_array_variable_is_nudged_one_entry_at_a_time_on_screen():
    """Seed 003's layer: the variables panel lists every entry; right nudges the selected one (M[0, 1])."""
    explorer = Explorer("L = sum((relu(M @ x + b) - t)**2)",
                        {"M": [[1, 2], [-1, 3]], "x": [2, 1], "b": [0.5, 1], "t": [3, 2]})

    def check(app):
        variables = shown(app, "#variables")
        assert row(variables, "M[0, 1]") == ["2.1", "3.2"]  # dL/dM[0, 1] = 2 (z - t)_0 x_1 = 2 * 1.6 * 1
        assert row(variables, "M[1, 0]") == ["-1", "0"]
        assert "M[0, 1]: 2 → 2.1" in shown(app, "#status")
        assert explorer.state.value == pytest.approx(1.6 ** 2)
        trace = app.query_one("#trace", TraceView).rows("forward")
        assert ("2", "M @ x", "@", "0, 1", "[4.1, 1]") in trace

    drive(explorer, ["down", "right"], check)


def test_p_shows_the_plot_around_the_selected_value_and_follows_the_nudges():
    def check(app):
        plot = app.query_one("#plot", Static)
        assert plot.display and not app.query_one("#trace").display
        picture = shown(app, "#plot")
        # x = 3.5 after right: f = (x-3)**2 = 0.25 with slope 1; 20 steps of 0.1 either side: 1.5 .. 5.5
        assert "tangent at x = 3.5: y = 0.25 + 1 (x - 3.5)" in picture
        assert "f(x)" in picture and "f'(x)" in picture and "x from 1.5 to 5.5" in picture
        curves = app.explorer.plot()
        assert curves.tangent.x == 3.5 and curves.xs[0] == pytest.approx(1.5) and curves.xs[-1] == pytest.approx(5.5)
        assert "x: 3.4 → 3.5" in shown(app, "#status")

    drive(Explorer("(x-3)**2", {"x": 3.4}), ["p", "right"], check)


def test_p_again_brings_the_trace_back():
    def check(app):
        assert not app.query_one("#plot").display and app.query_one("#trace").display
        assert "the trace again" in shown(app, "#status")

    drive(Explorer("(x-3)**2", {"x": 0.0}), ["p", "p"], check)


def test_the_plot_shows_gaps_not_errors():
    def check(app):
        picture = shown(app, "#plot")
        assert "f(x) has no value at" in picture and "log needs a positive number" in picture
        assert "plot of f and f' around x, tangent at its value" in shown(app, "#status")

    drive(Explorer("log(x)", {"x": 0.5}), ["p"], check)  # 0.5 +- 2: x <= 0 is outside the domain


# -- a burst of keys: a paste typed in key by key, a key held down (issue 10, item 13) --------------------


def burst(explorer: Explorer, keys: list, check, before: list = ()) -> ExploreApp:
    """Post ``keys`` all at once, as a terminal delivers a paste it types in, then ``check(app)``."""
    from textual import events

    async def scenario():
        app = ExploreApp(explorer)
        async with app.run_test(size=SIZE) as pilot:
            for key in before:
                await pilot.press(key)
            await pilot.pause()
            redraws = []
            drawn = app.redraw
            app.redraw = lambda: (redraws.append(1), drawn())
            for key in keys:
                app.post_message(events.Key(key, key if len(key) == 1 else None))
            await pilot.pause()
            await pilot.pause()
            check(app, len(redraws))
        return app

    return asyncio.run(scenario())


def test_a_long_paste_typed_into_the_editor_is_cut_at_the_limit_and_said_once():
    from gradcli.explore.app import EDIT_LIMIT

    typed = list("x+1" * 2000)  # 6,000 characters

    def check(app, redraws):
        value = app.query_one("#editor", Input).value
        assert value == "x" + "".join(typed)[:EDIT_LIMIT - 1]  # the editor opened on "x", then 999 more
        assert f"the editor takes at most {EDIT_LIMIT} characters; the rest was left out" in shown(app, "#status")
        assert redraws <= 3  # once for the message, not once per key

    burst(Explorer("x", {"x": 1.0}), typed, check, before=["e", "end"])


def test_a_bracketed_paste_keeps_what_fits():
    from textual import events

    from gradcli.explore.app import EDIT_LIMIT

    async def scenario():
        app = ExploreApp(Explorer("x", {"x": 1.0}))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("e", "end")
            app.query_one("#editor", Input).post_message(events.Paste("+x" * 3000 + "\nsecond line"))
            await pilot.pause()
            assert app.query_one("#editor", Input).value == ("x" + "+x" * 3000)[:EDIT_LIMIT]
            assert "at most 1000 characters" in shown(app, "#status")
            await pilot.press("escape")
            assert app.explorer.text == "x"  # nothing applied

    asyncio.run(scenario())


def test_a_burst_of_keys_changes_the_state_per_key_and_redraws_once():
    def check(app, redraws):
        assert app.explorer.state.value == pytest.approx(9 * 0.64 ** 100)  # 100 gradient steps, each one counted
        assert f"{significant(app.explorer.state.value)}" in shown(app, "#status")  # the screen shows the last
        assert redraws <= 3, redraws

    burst(Explorer("(x-3)**2", {"x": 0.0}), ["g"] * 100, check)


def test_an_app_that_fails_exits_with_status_1_not_0(monkeypatch):
    """Textual shows an unhandled exception's traceback and returns from run(): gradcli said exit status 0."""
    from gradcli.errors import GradcliError

    app = ExploreApp(Explorer("x", {"x": 2.0}))
    monkeypatch.setattr(app, "redraw", lambda: 1 / 0)
    with pytest.raises(GradcliError, match="explore stopped on an internal error") as caught:
        app.run(headless=True, size=SIZE)
    assert caught.value.exit_code == 1
