"""The playground app driven headlessly with Textual's pilot: every key and panel, at 80x24 and 200x60."""

from __future__ import annotations

import asyncio
import time

import pytest

pytest.importorskip("textual", reason="gradcli playground needs textual (pip install -e .)")

from gradcli.learn.modelfile import load_model  # noqa: E402
from gradcli.playground.app import PlaygroundApp  # noqa: E402
from gradcli.playground.controls import Controls  # noqa: E402
from gradcli.playground.session import Session, ViewSize  # noqa: E402
from gradcli.playground.settings import from_options  # noqa: E402
from gradcli.playground.trainer import Trainer, responsive  # noqa: E402

SMALL, LARGE = (80, 24), (200, 60)


def shown(app: PlaygroundApp, name: str) -> str:
    """The text of a panel as a person reads it (its lines without their colours)."""
    return "\n".join(strip.text.rstrip() for strip in app.query_one(f"#{name}").lines)


def make_app(dataset: str = "xor", save_path: str = "unused.json", **options) -> PlaygroundApp:
    session = Session(from_options(dataset, **{"samples": 100, **options}))
    return PlaygroundApp(Trainer(session), Controls(session.settings, session.facts_of), save_path)


async def until(pilot, condition, timeout: float = 20.0) -> None:
    """Let the app run until ``condition()`` holds (training answers on its own thread)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the app never got there")
        await pilot.pause(0.05)


def drive(app: PlaygroundApp, scenario, size=LARGE):
    """Run ``scenario(app, pilot)`` in the app, headless, at ``size``; returns the app after it ended."""

    async def main():
        with responsive():
            async with app.run_test(size=size) as pilot:
                await until(pilot, lambda: app.shown > 0)  # the first frame is on screen
                await scenario(app, pilot)
                if app.is_running:
                    await pilot.press("q")
        return app

    return asyncio.run(main())


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "200x60"])
def test_space_trains_the_panels_follow_and_space_pauses(size):
    async def scenario(app, pilot):
        before = {name: shown(app, name) for name in ("map", "network", "curves")}
        assert "‖ paused  step 0" in shown(app, "status")
        await pilot.press("space")
        assert "▶ playing" in shown(app, "status")  # answered at once, before any step
        await until(pilot, lambda: app.trainer.frame.step > 300 and app.shown == app.trainer.frame.serial)
        await pilot.press("space")
        await until(pilot, lambda: not app.trainer.playing and app.shown == app.trainer.frame.serial)
        frame = app.trainer.frame
        status = shown(app, "status")
        assert f"step {frame.step:,}" in status and "‖ paused" in status
        first = app.trainer.session.curve[0]
        assert frame.train.loss < first[1] and frame.test.loss < first[2]  # it learned
        for name in ("map", "network", "curves"):
            assert shown(app, name) != before[name], name
        assert "x1" in shown(app, "map") or size == SMALL  # the axes of a large map
        assert "●" in shown(app, "map") and "○" in shown(app, "map")  # training and held-out points
        assert "inputs" in shown(app, "network") or "in" in shown(app, "network")
        assert "train" in shown(app, "curves") and "test" in shown(app, "curves")

    drive(make_app(), scenario, size)


def test_s_takes_exactly_one_step_each_time():
    async def scenario(app, pilot):
        for expected in (1, 2, 3):
            await pilot.press("s")
            await until(pilot, lambda: app.trainer.frame.step == expected and app.shown == app.trainer.frame.serial)
        await pilot.pause(0.3)
        assert app.trainer.frame.step == 3 and "step 3 " in shown(app, "status")
        assert "one step from step 2" in shown(app, "message")

    drive(make_app(), scenario)


def test_r_starts_again_with_the_next_seed():
    async def scenario(app, pilot):
        await pilot.press("s", "s")
        await until(pilot, lambda: app.trainer.frame.step == 2)
        await pilot.press("r")
        assert "reset with seed 1338" in shown(app, "message")
        await until(pilot, lambda: app.trainer.frame.settings.seed == 1338)
        assert app.trainer.frame.step == 0
        await until(pilot, lambda: "seed 1338" in shown(app, "status"))

    drive(make_app(), scenario)


def test_the_settings_panel_moves_changes_and_resets_as_the_playground_does():
    async def scenario(app, pilot):
        panel = shown(app, "settings")
        for label, value in (("dataset", "xor"), ("learning rate", "0.03"), ("activation", "tanh"),
                             ("batch size", "10"), ("held out", "50%"), ("input x²", "off"), ("layer 1", "4 neurons")):
            assert any(line.strip().startswith(label) and f"◀ {value}" in line for line in panel.splitlines()), label
        await pilot.press("s", "s", "s")
        await until(pilot, lambda: app.trainer.frame.step == 3)
        app.controls.select_key("lr")  # the learning rate: no new start
        await pilot.press("right")
        assert "learning rate 0.03 → 0.1" in shown(app, "message")
        assert "◀ 0.1" in [line for line in shown(app, "settings").splitlines() if line.startswith("learning")][0]
        await until(pilot, lambda: app.trainer.frame.applied == app.submitted)
        assert app.trainer.frame.settings.lr == 0.1 and app.trainer.frame.step == 3
        await pilot.press("down")  # activation: training starts again
        assert app.controls.selected_row.key == "activation"
        await pilot.press("right")
        assert "activation tanh → sigmoid: training starts again" in shown(app, "message")
        await until(pilot, lambda: app.trainer.frame.applied == app.submitted)
        frame = app.trainer.frame
        assert frame.step == 0 and frame.settings.activation == "sigmoid" and frame.settings.lr == 0.1
        assert "2 sigmoid" in shown(app, "network") or "2" in shown(app, "network")
        app.controls.select_key("layers")  # add a layer: a new column of 2 neurons
        await pilot.press("right")
        await until(pilot, lambda: app.trainer.frame.applied == app.submitted and app.shown == app.trainer.frame.serial)
        assert [c.size for c in app.trainer.frame.columns] == [2, 4, 2, 2, 1]
        app.controls.select_key("layer:0")
        await pilot.press("left", "left", "left")
        await pilot.press("left")  # one neuron is the fewest
        assert "layer 1 has 1 neuron, the fewest the playground allows" in shown(app, "message")
        await until(pilot, lambda: app.trainer.frame.applied == app.submitted)
        assert [c.size for c in app.trainer.frame.columns] == [2, 1, 2, 2, 1]
        app.controls.select_key("feature:x2")  # an input on
        await pilot.press("enter")
        await until(pilot, lambda: app.trainer.frame.applied == app.submitted and app.shown == app.trainer.frame.serial)
        assert app.trainer.frame.columns[0].labels == ("x", "y", "x²")
        assert "x²" in shown(app, "network")
        for key, direction in (("noise", "right"), ("batch_size", "left"), ("test_split", "left"),
                               ("regularization", "right"), ("reg_rate", "right"), ("optimizer", "right")):
            app.controls.select_key(key)
            await pilot.press(direction)
        await until(pilot, lambda: app.trainer.frame.applied == app.submitted)
        settings = app.trainer.frame.settings
        assert (settings.noise, settings.batch_size, settings.test_split) == (0.05, 9, 0.4)
        assert (settings.regularization, settings.reg_rate, settings.optimizer) == ("L1", 0.001, "momentum")
        assert "--l1 0.001" in settings.command_line(app.trainer.frame.facts, 0)

    drive(make_app(), scenario)


def test_the_dataset_row_switches_to_another_problem():
    async def scenario(app, pilot):
        app.controls.select_key("dataset")
        await pilot.press("right", "right")  # xor -> gauss -> spiral
        await until(pilot, lambda: app.trainer.frame.applied == app.submitted and app.shown == app.trainer.frame.serial)
        assert app.trainer.frame.dataset.name == "spiral" and "spiral" in shown(app, "settings")

    drive(make_app(), scenario)


def test_a_change_that_cannot_be_built_is_reported_and_the_settings_stay():
    settings = from_options("xor", samples=100)
    needed = Session(settings).run.estimate.memory  # the memory limit is exactly what this network needs
    session = Session(settings, max_memory=needed)
    app = PlaygroundApp(Trainer(session), Controls(settings, session.facts_of), "unused.json")

    async def scenario(app, pilot):
        app.controls.select_key("layer:0")
        await pilot.press("right")  # a fifth neuron: more than the limit (the message says so as soon as it is tried)
        await until(pilot, lambda: app.trainer.frame.applied == app.submitted and app.shown == app.trainer.frame.serial
                    and app.message[1])
        message = shown(app, "message")
        assert "more than --max-memory" in message and "use smaller --layers" in message
        assert message.startswith("kept the previous settings: this run needs about") and app.message[1]  # in red
        assert app.controls.settings.hidden[0].size == 4 and "◀ 4 neurons" in shown(app, "settings")
        assert [c.size for c in app.trainer.frame.columns] == [2, 4, 2, 1]

    drive(app, scenario)


def test_t_hides_and_shows_the_held_out_points():
    async def scenario(app, pilot):
        assert "○" in shown(app, "map")
        await pilot.press("t")
        await until(pilot, lambda: "○" not in shown(app, "map").replace("○ held out", ""))
        assert "held-out points hidden" in shown(app, "message")
        await pilot.press("t")
        await until(pilot, lambda: "○" in shown(app, "map"))

    drive(make_app(), scenario)


def test_w_writes_the_model_that_q_s_command_trains(tmp_path, cli):
    path = tmp_path / "pg.json"

    async def scenario(app, pilot):
        await pilot.press("space")
        await until(pilot, lambda: app.trainer.frame.step > 40)
        await pilot.press("space")
        await until(pilot, lambda: not app.trainer.playing)
        await pilot.press("w")
        await until(pilot, lambda: "wrote the model of step" in shown(app, "message"))
        await pilot.press("q")

    app = drive(make_app(save_path=str(path)), scenario)
    command, note = app.return_value
    assert note is None and command.startswith("gradcli train xor --samples 100 --noise 0 --test-split 0.5")
    saved = load_model(str(path))
    assert command.endswith(f"--steps {saved.meta['steps_done']}") and saved.meta["command"] == command
    again = tmp_path / "again.json"
    result = cli(*command.split()[1:], "--quiet", "--save", str(again))
    assert result.exit_code == 0, result.output
    assert [layer.weights for layer in load_model(str(again)).layers] == [layer.weights for layer in saved.layers]


@pytest.mark.parametrize("steps_after", [1, 0])  # 0: trained at the old rate all the way, the command at the new
def test_q_says_when_a_new_learning_rate_makes_the_command_differ(steps_after):
    async def scenario(app, pilot):
        await pilot.press("s", "s")
        await until(pilot, lambda: app.trainer.frame.step == 2)
        app.controls.select_key("lr")
        await pilot.press("left")
        await until(pilot, lambda: app.trainer.frame.applied == app.submitted)
        for _ in range(steps_after):
            await pilot.press("s")
        await until(pilot, lambda: app.trainer.frame.step == 2 + steps_after)
        await pilot.press("q")

    command, note = drive(make_app(), scenario).return_value
    assert command.endswith("--lr 0.01 --schedule constant --batch-size 10 --l2 0 --l1 0 --init uniform "
                            f"--init-scale 0.5 --seed 1337 --steps {2 + steps_after}")
    assert note == ("the learning rate changed at step 2: this command trains at 0.01 from the start, so its "
                    "model differs from the playground's")


def test_ctrl_c_quits_like_q():
    app = drive(make_app(), lambda app, pilot: pilot.press("ctrl+c"))
    assert not app.is_running and app.return_value[0].endswith("--steps 0")


def test_a_click_on_a_settings_value_changes_it():
    async def scenario(app, pilot):
        rows = [row.key for row in app.controls.rows()]
        line = rows.index("batch_size")
        panel = app.query_one("#settings")
        width = panel.content_size.width
        await pilot.click("#settings", offset=(width - 1, line))  # the right half of the value: ▶
        assert app.controls.selected_row.key == "batch_size" and app.controls.settings.batch_size == 11
        await pilot.click("#settings", offset=(1, rows.index("lr")))  # the label: select only
        assert app.controls.selected_row.key == "lr" and app.controls.settings.lr == 0.03

    drive(make_app(), scenario, size=SMALL)


def test_data_that_is_not_2d_shows_the_curves_and_why_there_is_no_map():
    async def scenario(app, pilot):
        await pilot.press("space")
        await until(pilot, lambda: app.trainer.frame.step > 30 and app.shown == app.trainer.frame.serial)
        await pilot.press("space")
        assert "no map: toy4 has 3 inputs (x1, x2, x3); a map needs 2-D data" in " ".join(shown(app, "map").split())
        assert "train" in shown(app, "curves") and "x1" in shown(app, "network")
        assert not [row for row in app.controls.rows() if row.key.startswith("feature:")]

    drive(make_app("toy4"), scenario)


def test_a_terminal_too_small_gets_a_message_and_training_goes_on():
    async def scenario(app, pilot):
        text = str(app.query_one("#small").render())
        assert "needs a terminal of at least 80 x 24 characters; this one is 70 x 20" in text
        assert app.query_one("#small").display and not app.query_one("#body").display
        await pilot.press("s")
        await until(pilot, lambda: app.trainer.frame.step == 1)
        await pilot.resize_terminal(*SMALL)
        await until(pilot, lambda: app.query_one("#body").display and app.shown == app.trainer.frame.serial)
        assert "step 1 " in shown(app, "status")

    async def main():
        app = make_app()
        with responsive():
            async with app.run_test(size=(70, 20)) as pilot:
                await pilot.pause()
                await scenario(app, pilot)
                await pilot.press("q")
        return app

    assert asyncio.run(main()).return_value[0].endswith("--steps 1")


def test_redraws_stay_at_most_15_a_second_while_training():
    async def scenario(app, pilot):
        await pilot.press("space")
        await pilot.pause(0.5)
        redraws, start = app.redraws, time.monotonic()
        await pilot.pause(2.0)
        rate = (app.redraws - redraws) / (time.monotonic() - start)
        assert 1.0 <= rate <= 16.0, rate
        assert app.trainer.frame.step > 100

    drive(make_app(), scenario)


def test_an_error_on_the_training_thread_is_said_not_hidden(monkeypatch):
    app = make_app()

    def broken(**_):
        raise RuntimeError("the disk caught fire")

    monkeypatch.setattr(app.trainer.session, "train", broken)

    async def scenario(app, pilot):
        await pilot.press("space")
        await until(pilot, lambda: "training stopped" in shown(app, "message"))
        assert shown(app, "message").startswith("training stopped: RuntimeError: the disk caught fire; press q")
        assert app.message[1]  # in red

    drive(app, scenario)


def test_a_panel_too_small_to_draw_says_so_and_training_goes_on():
    app = make_app()

    async def scenario(app, pilot):
        app.painter.sizes = {**app.painter.sizes, "map": (70, 3)}
        app.trainer.resize(ViewSize(2, 1, 4, 2))  # a map of 2 x 1 cells, smaller than any plot (a bug, say)
        await pilot.press("s")
        await until(pilot, lambda: app.trainer.frame.step == 1 and app.shown == app.trainer.frame.serial)
        assert "cannot draw the map here: a plot needs at least 4 x 2 cells, got 2 x 1" in shown(app, "map")
        await pilot.press("s")
        await until(pilot, lambda: app.trainer.frame.step == 2)

    drive(app, scenario)


def test_a_keys_answer_reaches_the_screen_before_the_next_frame():
    async def scenario(app, pilot):
        await pilot.press("space")
        await until(pilot, lambda: app.redraws >= 2)
        await pilot.press("down")
        await until(pilot, lambda: not app.key_pending)  # the key's answer was drawn: frames may follow
        app.timer.pause()  # from here on, this test calls tick itself
        await until(pilot, lambda: app.trainer.frame.serial != app.shown)  # a newer frame is waiting
        # as between a key's action and its answer (set after the wait: an answer a second late counts as lost)
        app.key_pending, app.key_at = True, time.monotonic()
        shown = app.shown
        app.shown_at = (0.0, 0.0)  # (the screen thread has had time to spare)
        app.tick()
        assert app.shown == shown  # held back
        app.key_pending = False
        app.tick()
        assert app.shown != shown  # and shown once the key's answer is on screen
        app.key_pending, app.key_at = True, time.monotonic() - 1.0  # an answer that never came: not forever
        await until(pilot, lambda: app.trainer.frame.serial != app.shown)
        shown = app.shown
        app.shown_at = (0.0, 0.0)
        app.tick()
        assert app.shown != shown

    drive(make_app(), scenario)



def test_an_app_that_fails_exits_with_status_1_not_0(monkeypatch):
    """As explore: Textual shows an unhandled exception's traceback and returns from run(), which said status 0."""
    from gradcli.errors import GradcliError

    app = make_app()
    monkeypatch.setattr(app, "draw_status", lambda *args: 1 / 0)
    with responsive(), pytest.raises(GradcliError, match="the playground stopped on an internal error") as caught:
        app.run(headless=True, size=LARGE)
    assert caught.value.exit_code == 1
