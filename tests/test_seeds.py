"""The seeds' own training runs, repeated: per-sample SGD from zero weights (000), an untrained MLP with a
tanh output and the zero_grad bug (002, 004), Xavier-normal with training and validation loss (003)."""

from __future__ import annotations

import json
import math
import random

import numpy as np
import pytest

from gradcli.autograd.engine import Value
from gradcli.learn.engines import loss_and_gradients
from gradcli.learn.losses import encode_targets
from gradcli.learn.modelfile import load_model
from gradcli.learn.nn import MLP
from gradcli.learn.run import DataOptions, prepare_run
from gradcli.learn.train import train

ENGINES = ["tensor", "scalar"]

# seed 000, "Now for dataset": w1 = w2 = b = 0, dataset [(2, 3, 16), (1, 1, 5)], for each sample: zero_grad,
# y = w1*x1 + w2*x2 + b, l = (y - ytrue)**2, backward, p -= 0.01 * p.grad; the printed losses, in order
SEED_000_LOSSES = [256, 9.4864, 124.33142016000002, 2.4247223511039984, 61.48802068101364, 0.2732689308521132]
SEED_000_OPTIONS = ["--layers", "1", "--init", "zeros", "--loss", "mse", "--lr", "0.01", "--schedule", "constant",
                    "--l2", "0", "--batch-size", "1", "--no-shuffle"]


@pytest.mark.parametrize("engine", ENGINES)
def test_seed_000_per_sample_sgd_from_zero_weights_gives_the_printed_losses(cli, engine):
    result = cli("train", "linear2", *SEED_000_OPTIONS, "--epochs", "3", "--engine", engine, "--json")
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["history"]["loss"] == SEED_000_LOSSES  # digit for digit: the same operations in the same order
    assert out["steps"] == 6 and out["epochs"] == 3 and out["batch_size"] == 1 and out["shuffle"] is False
    assert out["layers"] == [1] and out["activations"] == ["linear"] and out["init"] == "zeros"


def test_seed_000_in_python_with_the_neuron_of_the_seed():
    run = prepare_run("linear2", layers=[1], init="zeros", loss="mse", lr=0.01, schedule="constant", l2=0.0,
                      batch_size=1, shuffle=False, epochs=100)
    result = train(run.model, run.data, run.config)
    assert result.history["loss"][:6] == SEED_000_LOSSES and result.steps_done == 200
    # per-sample updates pull the two samples' errors in turn: the loss falls from 256 but oscillates
    # (measured after 100 epochs: 0.134 and 0.684 on the two samples)
    assert max(result.history["loss"][-2:]) < 1.0 and result.history["loss"][-2] < result.history["loss"][-1]


def test_seed_000s_neuron_draws_uniform_weights_in_a_tenth():
    # seed 000's class neuron: w ~ U(-0.1, 0.1), b = 0
    run = prepare_run("linear2", layers=[1], init="uniform", init_scale=0.1, steps=0)
    weights = run.model.parameter_vector().tolist()
    rng = random.Random(1337)
    assert weights == [rng.uniform(-0.1, 0.1), rng.uniform(-0.1, 0.1), 0.0]


# seeds 002 and 004: MLP(3, [4, 4, 1]) of tanh neurons (the output too), looked at before any training
@pytest.mark.parametrize("engine", ENGINES)
def test_seeds_002_004_untrained_mlp_with_a_tanh_output_is_evaluated_and_saved(cli, tmp_path, engine):
    path = tmp_path / "untrained.json"
    result = cli("train", "toy4", "--layers", "4:tanh,4:tanh,1:tanh", "--steps", "0", "--engine", engine,
                 "--save", str(path))
    assert result.exit_code == 0, result.stderr
    assert "steps             0 of 0" in result.stdout and "saved the model" in result.stdout
    saved = load_model(path)
    assert [layer.activation for layer in saved.layers] == ["tanh", "tanh", "tanh"] and saved.meta["steps_done"] == 0
    # the outputs are those of the classic MLP built from the same generator: act(w . x + b) layer by layer
    reference = MLP(3, [4, 4, 1], activations=["tanh"] * 3, rng=random.Random(1337))
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    predicted = json.loads(cli("predict", str(path), "--x1", "2", "--x2", "3", "--x3", "-1", "--json").stdout)
    assert predicted["score"] == pytest.approx(reference([Value(x) for x in xs[0]])[0].data, rel=1e-12)
    assert -1.0 < predicted["score"] < 1.0  # a tanh output


def test_seed_004s_forgotten_zero_grad_adds_every_gradient_so_far():
    """p2 = p1 - lr (g(p0) + g(p1)): the second update uses both steps' gradients, as the seed explains."""
    common = dict(steps=2, optimizer="sgd", lr=0.2, schedule="constant", l2=0.0)
    for engine in ENGINES:
        run = prepare_run("toy4", zero_grad=False, engine=engine, **common)
        start = run.model.parameter_vector().tolist()
        result = train(run.model, run.data, run.config)
        by_hand = prepare_run("toy4", engine=engine, **common).model
        targets = encode_targets("mse", run.data.y, 1)
        loss_and_gradients(engine, by_hand, run.data.X, targets, "mse")
        g0 = by_hand.gradient_vector()
        by_hand.set_parameter_vector(by_hand.parameter_vector() - 0.2 * g0)
        loss_and_gradients(engine, by_hand, run.data.X, targets, "mse")
        expected = by_hand.parameter_vector() - 0.2 * (g0 + by_hand.gradient_vector())
        assert run.model.parameter_vector().tolist() == pytest.approx(expected.tolist(), rel=1e-12, abs=1e-15)
        assert run.model.parameter_vector().tolist() != start
        (warning,) = [w for w in result.warnings if w.facts["kind"] == "no-zero-grad"]
        assert "the classic bug of calling backward() without zero_grad() first" in str(warning)


def test_seed_004s_bug_through_the_cli_says_why_the_run_went_wrong(cli):
    result = cli("train", "moons", "--no-zero-grad", "--quiet")
    assert result.exit_code == 0
    assert "warning: gradients were not zeroed between steps (--zero-grad off)" in result.stderr
    assert "The gradients that were never zeroed made them so" in result.stderr  # the loss rose, and why
    fine = cli("train", "moons", "--quiet")
    assert "warning" not in fine.stderr


# seed 003: Xavier-normal 4,4,4,1 relu with a squared error on moons, training and validation loss
@pytest.mark.parametrize("engine", ENGINES)
def test_seed_003_reaches_95_percent_held_out_and_says_the_preset_adapted(cli, engine):
    result = cli("train", "moons", "--layers", "4,4,4,1", "--init", "xavier-normal", "--loss", "mse",
                 "--test-split", "0.2", "--engine", engine, "--json")
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["test_accuracy"] >= 0.95 and out["train_accuracy"] >= 0.95  # measured: 100% and 100%
    assert out["optimizer"] == "adam" and out["lr"] == 0.03  # the preset's recipe for another network
    assert "were tuned for layers 16,16,1 relu, init uniform, loss hinge" in result.stderr
    assert [w["kind"] for w in out["warnings"]] == ["preset-adapted"]
    history = out["history"]
    assert len(history["test_loss"]) == len(history["loss"]) == 300 and None not in history["test_loss"]
    assert history["test_loss"][-1] < history["test_loss"][0] / 5  # the validation loss falls too


def test_seed_003_with_the_old_recipe_is_honest_about_failing(cli):
    result = cli("train", "moons", "--layers", "4,4,4,1", "--init", "xavier-normal", "--loss", "mse",
                 "--optimizer", "sgd", "--quiet")
    assert result.exit_code == 0
    assert "train accuracy    50.0%" in result.stdout
    assert "warning: the network predicts class 1 for all 100 training samples" in result.stderr


def test_xavier_normal_is_seed_003s_scale():
    # scale = sqrt(2 / (fan_in + fan_out)); W = standard_normal * scale
    model = MLP(200, [300, 1], init="xavier-normal", rng=np.random.default_rng(0))
    weights = model.layers[0].matrices()[0]
    assert weights.std() == pytest.approx(math.sqrt(2 / 500), rel=0.02) and abs(weights.mean()) < 2e-3
