"""The playground's logic without a screen: settings, the settings panel, a session, the training thread.

The app itself is driven with Textual's pilot in tests/test_playground_app.py and in a
real terminal in tests/test_playground_tmux.py.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import replace

import numpy as np
import pytest

from gradcli.errors import UsageError
from gradcli.learn.config import Activation, Loss, MAX_STEPS
from gradcli.learn.engines import ENGINES
from gradcli.learn.modelfile import load_model
from gradcli.playground.controls import Controls, LEARNING_RATES
from gradcli.playground.session import Session, ViewSize
from gradcli.playground.settings import DataFacts, PlaygroundSettings, Regularization, from_options
from gradcli.playground.trainer import Trainer

BINARY = DataFacts("binary", 2, True, (0.0, 0.5), playground=True)
VIEW = ViewSize(map_width=20, map_height=10, tile_width=4, tile_height=2)


def settle(condition, timeout: float = 20.0) -> None:
    """Wait until ``condition()`` holds (the training thread answers), or fail."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the training thread did not get there in time")
        time.sleep(0.01)


# -- settings ------------------------------------------------------------------------------


def test_the_defaults_are_the_playgrounds():
    settings = PlaygroundSettings("circle")
    assert (settings.lr, settings.activation, settings.batch_size, settings.test_split) == (0.03, "tanh", 10, 0.5)
    assert [str(plan) for plan in settings.layers(BINARY)] == ["4", "2", "1:tanh"]  # tanh output, targets -1/+1
    assert settings.resolved_loss(BINARY) == Loss.mse
    assert settings.features == ("x", "y") and (settings.init, settings.init_scale) == ("uniform", 0.5)
    assert settings.resolved_samples(BINARY) == 500 and settings.resolved_noise(BINARY) == 0.0
    regression = DataFacts("regression", 0, True, (0.0, 0.5), playground=True)
    assert settings.resolved_samples(regression) == 1200 and str(settings.output_plan(regression)) == "1"
    multiclass = DataFacts("multiclass", 3, True, (0.0, 1.0))
    assert settings.resolved_loss(multiclass) == Loss.cross_entropy and settings.output_plan(multiclass).size == 3
    assert settings.resolved_noise(multiclass) == 0.1  # not one of the Playground's sets: gradcli's default


def test_the_command_line_names_every_setting_it_depends_on():
    settings = replace(from_options("xor", layers="8,4:relu,1:tanh", features="xy,x", l1=0.001),
                       lr=0.1, batch_size=None, seed=7, standardize=False)
    assert settings.command_line(BINARY, steps=250) == (
        "gradcli train xor --samples 500 --noise 0 --test-split 0.5 --features x,xy --layers 8,4:relu,1:tanh "
        "--activation tanh --loss mse --optimizer sgd --lr 0.1 --schedule constant --l2 0 --l1 0.001 "
        "--init uniform --init-scale 0.5 --no-standardize --seed 7 --steps 250")


@pytest.mark.parametrize("options, message", [
    ({"l1": 0.01, "l2": 0.01}, "one penalty at a time"),
    ({"l2": -1.0}, "l2 must be a number >= 0, got -1"),
    ({"layers": "8,8,8,8,8,8,8,1"}, "at most 6 hidden layers of at most 64 neurons"),
    ({"layers": "65,1"}, "at most 6 hidden layers of at most 64 neurons"),
    ({"features": "x,z"}, "unknown feature 'z'"),
])
def test_options_that_cannot_be_played_are_refused(options, message):
    with pytest.raises(UsageError, match=message):
        from_options("xor", **options)


# -- the settings panel -----------------------------------------------------------------------


def controls(settings=None) -> Controls:
    return Controls(settings or PlaygroundSettings("xor"), lambda name, s: BINARY)


def test_the_learning_rate_steps_through_the_playgrounds_rates_and_does_not_reset():
    panel = controls()
    panel.select_key("lr")
    seen = [panel.change(+1).settings.lr for _ in range(5)]
    assert seen == [0.1, 0.3, 1.0, 3.0, 10.0]
    with pytest.raises(UsageError, match="learning rate is 10, the largest the playground offers"):
        panel.change(+1)
    assert panel.settings.lr == 10.0  # a refused change changes nothing
    change = panel.change(-1)
    assert (change.settings.lr, change.resets, change.text) == (3.0, False, "learning rate 10 → 3")
    panel.settings = replace(panel.settings, lr=0.05)  # from the command line: between two of the rates
    assert panel.change(-1).settings.lr == 0.03 and LEARNING_RATES[0] == 0.00001


@pytest.mark.parametrize("key, direction, field, value", [
    ("batch_size", +1, "batch_size", 11),
    ("test_split", -1, "test_split", 0.4),
    ("noise", +1, "noise", 0.05),
    ("activation", +1, "activation", Activation.sigmoid),
    ("optimizer", -1, "optimizer", "adam"),
    ("regularization", +1, "regularization", Regularization.l1),
    ("reg_rate", +1, "reg_rate", 0.001),
])
def test_every_other_row_steps_its_setting_and_resets_training(key, direction, field, value):
    panel = controls()
    panel.select_key(key)
    change = panel.change(direction)
    assert getattr(change.settings, field) == value and change.resets


def test_inputs_switch_on_and_off_in_the_playgrounds_order_but_one_stays():
    panel = controls()
    panel.select_key("feature:sinx")
    assert panel.change(+1).settings.features == ("x", "y", "sinx")
    panel.select_key("feature:x2")
    assert panel.change(-1).settings.features == ("x", "y", "x2", "sinx")  # either arrow switches it
    for code in ("x", "y", "x2"):
        panel.select_key(f"feature:{code}")
        panel.change(+1)
    panel.select_key("feature:sinx")
    with pytest.raises(UsageError, match="sin x is the only input left"):
        panel.change(+1)


def test_layers_and_neurons_are_added_and_removed_within_limits():
    panel = controls()
    panel.select_key("layers")
    assert [p.size for p in panel.change(+1).settings.hidden] == [4, 2, 2]  # a new layer has 2 neurons
    assert [row.key for row in panel.rows()][-3:] == ["layer:0", "layer:1", "layer:2"]
    for _ in range(3):
        panel.change(+1)
    with pytest.raises(UsageError, match="6 hidden layers is the most the playground draws"):
        panel.change(+1)
    for _ in range(6):
        panel.change(-1)
    assert panel.settings.hidden == () and [row.key for row in panel.rows()][-1] == "layers"
    with pytest.raises(UsageError, match="no hidden layer left"):
        panel.change(-1)
    panel = controls()
    panel.select_key("layer:1")
    assert panel.change(-1).settings.hidden[1].size == 1
    with pytest.raises(UsageError, match="layer 2 has 1 neuron, the fewest"):
        panel.change(-1)


def test_another_dataset_takes_its_own_task_output_and_noise():
    facts = {"xor": BINARY, "reg-plane": DataFacts("regression", 0, True, (0.0, 0.5), playground=True),
             "sine": DataFacts("regression", 0, False, (0.0, 1.0))}
    panel = Controls(from_options("xor", layers="4,1:tanh", loss="mse", noise=0.4), lambda name, s: facts[name],
                     datasets=("xor", "reg-plane", "sine"))
    panel.select_key("dataset")
    settings = panel.change(+1).settings
    assert (settings.dataset, settings.output, settings.loss, settings.noise) == ("reg-plane", None, None, 0.4)
    settings = panel.change(+1).settings
    assert settings.dataset == "sine" and settings.features is None  # not 2-D: no inputs to choose
    assert not [row for row in panel.rows() if row.key.startswith("feature:")]
    assert panel.change(+1).settings.features == ("x", "y")  # back to 2-D data


# -- a session ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def trained():
    """xor trained 60 steps, with its model written; shared by the tests that only read it."""
    session = Session(from_options("xor", samples=200))
    session.train(stop=lambda: session.steps_done >= 60)
    return session


def test_a_frame_holds_what_the_screen_draws(trained):
    frame = trained.frame(VIEW, serial=3)
    assert (frame.serial, frame.step, frame.epoch) == (3, 60, 6.0)  # 100 training samples in batches of 10
    assert frame.decision.values.shape == (20, 20) and frame.decision.width == 20
    assert [c.title for c in frame.columns] == ["inputs", "layer 1: 4 tanh", "layer 2: 2 tanh", "output: 1 tanh"]
    assert frame.columns[1].maps.shape == (4, 4, 4) and frame.columns[0].labels == ("x", "y")
    assert frame.columns[2].weights.shape == (2, 4) and frame.columns[0].weights is None
    assert len(frame.train_X) == len(frame.test_X) == 100
    assert frame.train.loss > 0 and frame.test.accuracy is not None
    # the output column's map is the decision map of the same network
    output_map = frame.columns[3].maps[0]
    assert np.all(np.abs(output_map) <= 1.0)
    assert frame.curve[-1][0] == 60


def test_the_printed_command_trains_the_very_model_the_playground_showed(trained, tmp_path, cli):
    path = tmp_path / "playground.json"
    assert trained.save(str(path)) is None
    command = trained.command_line()
    assert command.endswith("--seed 1337 --steps 60") and "--schedule constant" in command
    again = tmp_path / "again.json"
    result = cli(*command.split()[1:], "--quiet", "--save", str(again))
    assert result.exit_code == 0, result.output
    mine, theirs = load_model(str(path)), load_model(str(again))
    assert [layer.weights for layer in mine.layers] == [layer.weights for layer in theirs.layers]  # bit for bit
    assert [layer.biases for layer in mine.layers] == [layer.biases for layer in theirs.layers]
    assert mine.meta["command"] == command and mine.meta["steps_done"] == 60
    assert mine.meta["settings"]["steps"] == "60" and mine.meta["playground"] is True


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_training_goes_through_the_chosen_engine(engine, tmp_path, cli):
    session = Session(from_options("xor", samples=100, engine=engine))
    assert session.run.config.engine == engine
    session.train(stop=lambda: session.steps_done >= 10)
    command = session.command_line()
    assert command.endswith(f"--engine {engine} --seed 1337 --steps 10")
    session.save(str(tmp_path / "mine.json"))
    assert cli(*command.split()[1:], "--quiet", "--save", str(tmp_path / "again.json")).exit_code == 0
    mine, again = load_model(str(tmp_path / "mine.json")), load_model(str(tmp_path / "again.json"))
    assert [layer.weights for layer in mine.layers] == [layer.weights for layer in again.layers]


def test_predict_eval_and_show_read_the_written_model(trained, tmp_path, cli):
    path = str(tmp_path / "model.json")
    trained.save(path)
    predicted = cli("predict", path, "--x1", "3", "--x2", "3", "--format", "json")
    score = float(trained.run.predictor.map_values(np.array([[3.0, 3.0]]))[0])
    assert predicted.exit_code == 0 and json.loads(predicted.stdout)["score"] == pytest.approx(score)
    # the model's own training split, as eval regenerates it: the accuracy the playground showed
    evaluated = cli("eval", path, "xor", "--samples", "200", "--noise", "0", "--format", "json")
    assert evaluated.exit_code == 0, evaluated.output
    measured = json.loads(evaluated.stdout)
    train, test = trained.measure()
    assert measured["accuracy"] == pytest.approx((train.accuracy * 100 + test.accuracy * 100) / 200)
    shown = cli("show", path)
    assert shown.exit_code == 0 and "layer 1: 4 tanh" in shown.stdout


def test_a_new_learning_rate_keeps_training_anything_else_starts_again():
    session = Session(from_options("gauss", samples=100))
    session.train(stop=lambda: session.steps_done >= 5)
    assert session.apply(replace(session.settings, lr=0.1)) is False
    assert session.steps_done == 5 and session.lr_changed_at == 5
    session.train(stop=lambda: session.steps_done >= 8)
    assert session.steps_done == 8
    assert session.apply(replace(session.settings, activation="relu")) is True
    assert session.steps_done == 0 and session.lr_changed_at is None and session.curve == []
    assert [layer.activation for layer in session.run.model.layers] == ["relu", "relu", "tanh"]


def test_a_change_that_cannot_be_built_leaves_the_session_as_it_was():
    session = Session(from_options("gauss", samples=100))
    session.train(stop=lambda: session.steps_done >= 3)
    with pytest.raises(UsageError, match="test_fraction must lie in"):
        session.apply(replace(session.settings, test_split=1.5))
    assert session.steps_done == 3 and session.settings.test_split == 0.5


def test_data_that_is_not_2d_has_curves_and_says_why_it_has_no_map():
    session = Session(from_options("toy4", test_split=0.0))
    session.train(stop=lambda: session.steps_done >= 3)
    frame = session.frame(VIEW)
    assert frame.decision is None and frame.columns[1].maps is None
    assert frame.map_note == "no map: toy4 has 3 inputs (x1, x2, x3); a map needs 2-D data"
    assert frame.test is None and len(frame.curve) == 1 and frame.columns[0].labels == ("x1", "x2", "x3")
    assert "--features" not in session.command_line() and "--samples" not in session.command_line()


def test_a_diverging_run_stops_pauses_and_says_so_in_flags():
    session = Session(from_options("reg-plane", samples=100, lr=10.0, activation="relu", layers="8,8,1"))
    trainer = Trainer(session, VIEW)
    thread = threading.Thread(target=trainer.run, daemon=True)
    thread.start()
    trainer.play()
    settle(lambda: trainer.frame.notice[0] > 0)
    trainer.close()
    thread.join(10)
    number, text, error = trainer.frame.notice
    assert error and not trainer.playing
    assert text.startswith("the loss became infinite at step ") and text.endswith("Try a lower learning rate "
                                                                                 "than --lr 10")
    assert np.isfinite(trainer.frame.train.loss)  # the parameters of the last finite step


# -- the training thread -------------------------------------------------------------------------


@pytest.fixture
def trainer():
    painted = []
    trainer = Trainer(Session(from_options("xor", samples=100)), VIEW, painter=lambda frame: painted.append(frame)
                      or frame.serial)
    thread = threading.Thread(target=trainer.run, daemon=True)
    thread.start()
    trainer.painted = painted
    yield trainer
    trainer.close()
    thread.join(10)
    assert not thread.is_alive()


def test_one_step_at_a_time_while_paused(trainer):
    trainer.step()
    settle(lambda: trainer.frame.step == 1)
    for _ in range(3):
        trainer.step()
    settle(lambda: trainer.frame.step == 4)
    time.sleep(0.3)
    assert trainer.frame.step == 4 and not trainer.playing  # paused: nothing more happens
    assert trainer.published[1] == trainer.frame.serial  # every frame goes through the painter


def test_play_and_pause_and_frames_at_most_15_a_second(trainer):
    trainer.play()
    settle(lambda: trainer.frame.step > 50)
    frames, start = trainer.frames, time.monotonic()
    time.sleep(1.0)
    rate = (trainer.frames - frames) / (time.monotonic() - start)
    trainer.pause()
    settle(lambda: not trainer.playing)
    time.sleep(0.2)
    step = trainer.frame.step
    time.sleep(0.3)
    assert trainer.frame.step == step  # the last frame published is where training stopped
    assert rate <= 16.5


def test_changes_and_saves_are_applied_between_steps(trainer, tmp_path):
    trainer.play()
    settle(lambda: trainer.frame.step > 20)
    session = trainer.session
    trainer.submit(replace(session.settings, lr=0.3))
    settle(lambda: trainer.frame.applied == 1)
    assert trainer.frame.settings.lr == 0.3 and trainer.frame.step > 20  # the learning rate: no new start
    trainer.pause()
    path = str(tmp_path / "m.json")
    trainer.save(path)
    settle(lambda: "wrote the model" in trainer.frame.notice[1])
    assert load_model(path).meta["steps_done"] == trainer.frame.step
    trainer.submit(replace(session.settings, seed=99))
    settle(lambda: trainer.frame.applied == 2)
    assert trainer.frame.step == 0 and trainer.frame.settings.seed == 99
    trainer.submit(replace(session.settings, test_split=2.0))
    settle(lambda: trainer.frame.applied == 3)
    assert trainer.frame.notice[2] and "kept the previous settings" in trainer.frame.notice[1]
    assert trainer.frame.settings.test_split == 0.5


def test_the_run_stops_at_the_most_updates_a_run_makes():
    session = Session(from_options("xor", samples=100))
    session.steps_done = MAX_STEPS
    assert session.train() is None and "1,000,000 updates" in session.notice[1]


def test_a_map_panel_of_any_size_gets_a_map_a_plot_can_draw():
    from gradcli.playground.panels import map_size

    assert map_size(1, 1) == (4, 2, False) and map_size(30, 16) == (30, 15, False)
    assert map_size(80, 45) == (72, 36, True)  # with axes: 8 columns and 5 rows for them


# -- the command --------------------------------------------------------------------------------------


def test_without_a_terminal_the_command_says_so_and_prints_the_train_command(cli):
    result = cli("playground", "spiral", "--layers", "8,8,1:tanh", "--lr", "0.1")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr.splitlines() == [
        "error: gradcli playground is interactive and needs a terminal, but stdin or stdout is not one",
        "hint: to train the same network without it: gradcli train spiral --samples 500 --noise 0 --test-split 0.5 "
        "--features x,y --layers 8,8,1:tanh --activation tanh --loss mse --optimizer sgd --lr 0.1 --schedule "
        "constant --batch-size 10 --l2 0 --l1 0 --init uniform --init-scale 0.5 --seed 1337 --steps 1000"]


@pytest.mark.parametrize("args, message", [
    (["xor", "--lr", "abc"], "error: 'abc' is not a number for --lr"),
    (["xor", "--layers", "8,x"], "error: --layers '8,x': 'x' is not a whole number"),
    (["xor", "--layers", "65,1:tanh"], "at most 6 hidden layers of at most 64 neurons"),
    (["xor", "--l1", "0.1", "--l2", "0.1"], "error: the playground applies one penalty at a time, as the Playground "
                                            "does: give --l1 or --l2, not both"),
    (["xor", "--features", "x,q"], "error: unknown feature 'q'"),
    (["sine", "--features", "x,y"], "need 2-D data; sine has 1 input (x1)"),  # as train says; it was dropped
    (["xor", "--test-split", "1"], "error: --test-split must lie in [0, 1), got 1"),
    (["nope"], "error: unknown dataset 'nope'"),
])
def test_options_that_do_not_parse_get_one_clear_message(cli, args, message):
    result = cli("playground", *args)
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.output
    assert "terminal" not in result.stderr  # refused before the terminal is looked at
