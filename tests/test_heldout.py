"""The held-out set while training: test loss and metric in the history, --eval-every, --patience."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from gradcli.learn.heldout import default_eval_every
from gradcli.learn.losses import encode_targets
from gradcli.learn.engines import batch_loss
from gradcli.learn.run import DataOptions, prepare_run
from gradcli.learn.train import train

ENGINES = ["tensor", "scalar"]


@pytest.mark.parametrize("engine", ENGINES)
def test_every_step_records_the_test_loss_of_the_parameters_its_training_loss_used(engine):
    run = prepare_run("moons", DataOptions(samples=40, test_split=0.25), layers=[6, 1], steps=8, engine=engine,
                      optimizer="sgd")
    snapshots = []
    result = train(run.model, run.data, run.config,
                   on_step=lambda info: snapshots.append((info.test_loss, info.test_metric)))
    history = result.history
    assert len(history["test_loss"]) == len(history["test_metric"]) == 8 and None not in history["test_loss"]
    assert [loss for loss, _ in snapshots] == history["test_loss"]
    # step 1's test loss is the untrained network's loss on the held-out rows, penalty included
    fresh = prepare_run("moons", DataOptions(samples=40, test_split=0.25), layers=[6, 1], steps=8, optimizer="sgd")
    targets = encode_targets("hinge", fresh.data.y_test, 1)
    expected = batch_loss(fresh.model.forward_array(fresh.data.X_test), targets, "hinge", fresh.model.parameters(),
                          fresh.config.l2)
    assert history["test_loss"][0] == pytest.approx(expected, rel=1e-12)
    assert result.final_test_loss < history["test_loss"][0]


def test_eval_every_and_its_default():
    assert default_eval_every(100, 20) == 1 and default_eval_every(1000, 1000) == 1
    assert default_eval_every(5000, 20) == 50 and default_eval_every(500, 10_000) == 5  # about 100 per run
    run = prepare_run("moons", DataOptions(samples=40, test_split=0.25), steps=25, eval_every=10)
    history = train(run.model, run.data, run.config).history
    evaluated = [k + 1 for k, value in enumerate(history["test_loss"]) if value is not None]
    assert evaluated == [1, 10, 20, 25]  # the first, every 10th and the last


@pytest.mark.parametrize("engine", ENGINES)
def test_patience_stops_and_keeps_the_best_parameters(engine):
    run = prepare_run("moons", DataOptions(samples=60, test_split=0.25), steps=300, patience=5, engine=engine,
                      layers=[8, 8, 1], optimizer="sgd")
    snapshots = {}
    result = train(run.model, run.data, run.config,
                   on_step=lambda info: snapshots.__setitem__(info.step, None))
    losses = result.history["test_loss"]
    assert result.stopped == "early-stopped" and result.steps_done < 300
    best = int(np.argmin(losses)) + 1
    assert result.steps_done == best + 5  # five evaluations (every step here) without a better test loss
    assert result.message == f"the test loss has not improved for 5 evaluations since step {best}"
    _kept_the_best(result)


def _kept_the_best(result):
    """The kept parameters are the best evaluated ones, the final ones counted: measured again, they give that loss."""
    losses = result.history["test_loss"]
    assert result.final_test_loss == pytest.approx(result.best.loss, rel=1e-9)
    assert result.best.loss <= min(losses)
    if result.best.step is not None:
        assert result.best.loss == min(losses) and result.best.step == int(np.argmin(losses)) + 1


@pytest.mark.parametrize("steps", [10, 30, 60])
def test_patience_on_a_run_that_completes_keeps_the_best_of_all(steps):
    run = prepare_run("moons", DataOptions(samples=60, test_split=0.25), steps=steps, patience=500)
    result = train(run.model, run.data, run.config)
    assert result.stopped == "completed"
    _kept_the_best(result)


def test_patience_through_the_cli_saves_the_best_and_says_so(cli, tmp_path):
    path, log = tmp_path / "best.json", tmp_path / "log.csv"
    result = cli("train", "moons", "--test-split", "0.2", "--patience", "10", "--steps", "300", "--save", str(path),
                 "--log", str(log))
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "(early-stopped)" in out and "kept              the weights of step" in out
    evaluation = json.loads(cli("train", "moons", "--test-split", "0.2", "--patience", "10", "--steps", "300",
                                "--json", "--quiet").stdout)
    assert evaluation["stopped"] == "early-stopped" and evaluation["best_step"] + 10 == evaluation["steps"]
    assert evaluation["test_loss"] == pytest.approx(evaluation["best_test_loss"], rel=1e-9)
    rows = list(csv.DictReader(log.open()))
    assert list(rows[0]) == ["step", "loss", "accuracy", "test_loss", "test_accuracy", "lr"]
    assert float(rows[evaluation["best_step"] - 1]["test_loss"]) == pytest.approx(evaluation["best_test_loss"])


def test_the_progress_line_shows_the_last_test_loss(cli):
    result = cli("train", "moons", "--test-split", "0.2", "--steps", "20", "--eval-every", "7")
    lines = result.stderr.splitlines()
    assert lines[0].startswith("step 1/20  loss ") and "  test loss " in lines[0]
    assert all("  test loss " in line for line in lines)  # remembered between evaluations
