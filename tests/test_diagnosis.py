"""Honest warnings: each kind of failure is named, with what to try, and a run that learned says nothing."""

from __future__ import annotations

import numpy as np
import pytest

from gradcli.learn.config import TrainConfig
from gradcli.learn.diagnosis import diagnose
from gradcli.learn.nn import MLP
from gradcli.learn.run import prepare_run
from gradcli.learn.train import train
from gradcli.render.errors import flag_name

RNG = np.random.default_rng(5)
X = RNG.normal(size=(200, 2))
Y_RANDOM = (RNG.random(200) > 0.5).astype(float)  # labels that have nothing to do with X


def linear(w1: float, w2: float, bias: float) -> MLP:
    model = MLP(2, [1], rng=np.random.default_rng(0))
    neuron = model.layers[0].neurons[0]
    (neuron.w[0].data, neuron.w[1].data, neuron.b.data) = (w1, w2, bias)
    return model


def kinds(model, y=Y_RANDOM, config=None, **facts):
    given = dict(steps_done=10, history={"loss": [1.0] * 10}, initial_loss=1.0, final_loss=0.5, full_batch=True)
    given.update(facts)
    return [w.facts["kind"] for w in diagnose(model, X, y, "binary", config or TrainConfig(), **given)]


def test_chance_accuracy_is_named_with_what_to_try():
    model = linear(1.0, 0.0, 0.0)  # predicts by the sign of x1: both classes, right half the time
    (warning,) = diagnose(model, X, Y_RANDOM, "binary", TrainConfig(), steps_done=10, history={"loss": [1.0]},
                          initial_loss=1.0, final_loss=1.0, full_batch=True)
    assert warning.facts["kind"] == "chance" and warning.facts["accuracy"] <= warning.facts["chance"] + 0.05
    text = warning.describe(flag_name)
    assert text.startswith("train accuracy ") and "is no better than always guessing the largest class" in text
    assert text.endswith("Try a lower --lr, another --init, or --optimizer adam")


def test_a_classifier_of_one_class_is_named():
    assert kinds(linear(0.0, 0.0, 3.0)) == ["one-class"]
    y = (X[:, 0] > 0).astype(float)
    assert kinds(linear(1.0, 0.0, 0.0), y=y) == []  # a perfect classifier: nothing to say


def test_a_rising_loss_is_named_from_its_start_or_its_lowest():
    y = (X[:, 0] > 0).astype(float)
    good = linear(1.0, 0.0, 0.0)
    assert kinds(good, y=y, initial_loss=1.0, final_loss=10.0) == ["diverging"]
    assert kinds(good, y=y, history={"loss": [1.0, 0.01, 0.2]}, initial_loss=1.0, final_loss=0.2) == ["diverging"]
    assert kinds(good, y=y, history={"loss": [1.0, 0.01, 0.2]}, initial_loss=1.0, final_loss=0.2,
                 full_batch=False) == []  # mini-batch losses jump about: only the start counts
    assert kinds(good, y=y, initial_loss=1.0, final_loss=9.0) == []


def test_mostly_dead_relus_are_named():
    model = MLP(2, [8, 1], rng=np.random.default_rng(0))
    for neuron in model.layers[0].neurons[:5]:
        neuron.b.data = -100.0  # 5 of 8 relu units never fire
    scores = model.forward_array(X)[:, 0]
    model.layers[1].neurons[0].b.data -= float(np.median(scores))  # both classes predicted...
    y = (model.forward_array(X)[:, 0] > 0).astype(float)  # ...and right: only the units are wrong
    (warning,) = diagnose(model, X, y, "binary", TrainConfig(), steps_done=5, history={"loss": [1.0]},
                          initial_loss=1.0, final_loss=1.0, full_batch=True)
    assert warning.facts["kind"] == "dead-relus" and (warning.facts["dead"], warning.facts["units"]) == (5, 8)
    assert warning.describe(flag_name).startswith("5 of 8 relu units (62.5%) are dead")
    assert "--init he" in warning.describe(flag_name)
    he = diagnose(model, X, y, "binary", TrainConfig(init="he"), steps_done=5, history={"loss": [1.0]},
                  initial_loss=1.0, final_loss=1.0, full_batch=True)
    assert "a smaller --init-scale" in he[0].describe(flag_name)


def test_an_untrained_network_is_not_blamed():
    assert kinds(linear(0.0, 0.0, 3.0), steps_done=0) == []
    assert kinds(linear(0.0, 0.0, 3.0), steps_done=0, config=TrainConfig(zero_grad=False)) == ["no-zero-grad"]


@pytest.mark.parametrize("engine", ["tensor", "scalar"])
def test_a_too_large_rate_is_diagnosed_with_either_engine(engine):
    run = prepare_run("moons", steps=20, lr=10.0, optimizer="sgd", engine=engine)
    result = train(run.model, run.data, run.config)
    found = [w.facts["kind"] for w in result.warnings]
    assert found == ["diverging", "one-class", "dead-relus"]
    assert "Try a lower lr than 10" in str(result.warnings[0])


def test_the_cli_prints_the_warnings_after_the_summary_and_in_json(cli):
    import json

    result = cli("train", "moons", "--lr", "3", "--optimizer", "sgd")
    assert result.exit_code == 0
    assert result.stderr.rstrip().splitlines()[-1].startswith("warning: 25 of 32 relu units (78.1%) are dead")
    out = json.loads(cli("train", "moons", "--lr", "3", "--optimizer", "sgd", "--json").stdout)
    assert [w["kind"] for w in out["warnings"]] == ["dead-relus"]
    assert "--activation leaky-relu" in out["warnings"][0]["message"]
