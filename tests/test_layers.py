"""Layers that name their own activation, leaky-relu and softplus, every initialisation, epochs and batches."""

from __future__ import annotations

import json
import math
import random

import numpy as np
import pytest

from gradcli.errors import UsageError
from gradcli.learn.batches import batch_rows
from gradcli.learn.config import Activation, LayerPlan, TrainConfig, parse_layer_plans
from gradcli.learn.modelfile import load_model
from gradcli.learn.nn import MLP, Layer, Neuron
from gradcli.learn.run import DataOptions, prepare_run
from gradcli.learn.settings import from_model_file
from gradcli.learn.train import train
from gradcli.pictures.network import network_drawing


def test_layer_plans_read_sizes_and_activations():
    assert parse_layer_plans("16:tanh, 16 ,1:tanh") == (LayerPlan(16, Activation.tanh), LayerPlan(16),
                                                        LayerPlan(1, Activation.tanh))
    config = TrainConfig(layers="16:tanh,16,1:leaky-relu", activation="sigmoid")
    assert config.sizes == [16, 16, 1] and config.activations() == ["tanh", "sigmoid", "leaky-relu"]
    assert ",".join(map(str, config.layers)) == "16:tanh,16,1:leaky-relu"  # as the Settings table shows it
    assert TrainConfig(layers=[4, 1]).activations() == ["relu", "linear"]  # the output is linear unless named
    assert not TrainConfig(layers=[1]).uses_activation() and not TrainConfig(layers="4:tanh,1").uses_activation()
    with pytest.raises(UsageError) as caught:
        TrainConfig(layers="16:nope,1")
    assert str(caught.value) == ("layers '16:nope': 'nope' is not an activation; choose one of relu, tanh, sigmoid, "
                                 "linear, leaky-relu, softplus")


def test_an_mlp_with_its_own_activation_per_layer():
    model = MLP(3, [4, 4, 1], activations=["tanh", "relu", "tanh"], rng=random.Random(1))
    assert [layer.activation for layer in model.layers] == ["tanh", "relu", "tanh"]
    X = np.random.default_rng(0).normal(size=(5, 3))
    outputs = model.layer_outputs(X)
    assert [o.shape for o in outputs] == [(5, 4), (5, 4), (5, 1)]
    assert np.all(np.abs(outputs[-1]) < 1) and np.all(outputs[1] >= 0)
    with pytest.raises(UsageError, match="2 activations for 3 layers"):
        MLP(3, [4, 4, 1], activations=["tanh", "relu"])


@pytest.mark.parametrize("activation, z, slope", [("leaky-relu", 2.0, 1.0), ("leaky-relu", -2.0, 0.01),
                                                   ("softplus", 0.7, 1 / (1 + math.exp(-0.7)))])
def test_new_activations_have_the_right_value_and_slope(activation, z, slope):
    neuron = Neuron(1, activation, rng=random.Random(0))
    neuron.w[0].data, neuron.b.data = 1.0, 0.0
    out = neuron([z])
    out.backward()
    expected = {"leaky-relu": max(z, 0.01 * z), "softplus": math.log1p(math.exp(z))}[activation]
    assert out.data == pytest.approx(expected, rel=1e-12) and neuron.b.grad == pytest.approx(slope, rel=1e-12)


def _weights(init: str, scale: float = 1.0, fan_in: int = 200, fan_out: int = 150) -> np.ndarray:
    return Layer(fan_in, fan_out, init=init, init_scale=scale, rng=np.random.default_rng(2)).matrices()[0]


@pytest.mark.parametrize("init, std", [
    ("normal", 1.0), ("xavier-normal", math.sqrt(2 / 350)), ("he-normal", math.sqrt(2 / 200)),
    ("uniform", 1 / math.sqrt(3)), ("xavier", math.sqrt(6 / 350) / math.sqrt(3)), ("he", math.sqrt(6 / 200) / math.sqrt(3)),
])
def test_every_initialisation_has_its_spread_and_the_scale_multiplies_it(init, std):
    assert _weights(init).std() == pytest.approx(std, rel=0.02)
    assert _weights(init, scale=0.1).std() == pytest.approx(0.1 * std, rel=0.02)


def test_zeros_are_zeros_and_the_classic_draw_order_is_kept():
    assert not _weights("zeros").any()
    # uniform draws from Python's generator, neuron by neuron, as micrograd does
    model = MLP(2, [3, 1], rng=random.Random(1337))
    rng = random.Random(1337)
    first = [rng.uniform(-1, 1), rng.uniform(-1, 1)]
    assert [w.data for w in model.layers[0].neurons[0].w] == first


def test_a_model_file_keeps_every_activation_and_init_from_reads_them(cli, tmp_path):
    path = tmp_path / "mixed.json"
    result = cli("train", "toy4", "--layers", "4:tanh,4:relu,1:tanh", "--activation", "sigmoid", "--steps", "5",
                 "--save", str(path), "--quiet")
    assert result.exit_code == 0, result.stderr
    assert "layers         4:tanh,4:relu,1:tanh" in result.stdout
    assert "activation     - (every hidden layer names its own)" in result.stdout
    saved = load_model(path)
    assert [layer.activation for layer in saved.layers] == ["tanh", "relu", "tanh"]
    inherited = from_model_file(saved)
    assert ",".join(map(str, inherited["layers"])) == "4,4:relu,1:tanh" and inherited["activation"] == "tanh"
    resumed = json.loads(cli("train", "toy4", "--init-from", str(path), "--steps", "2", "--json").stdout)
    assert resumed["activations"] == ["tanh", "relu", "tanh"]
    picture = network_drawing(saved).source
    assert "activations tanh, relu, tanh (by layer)" in picture


def test_epochs_cover_every_row_once_per_pass():
    batches = list(batch_rows(10, 4, shuffle=True, seed=7, steps=6))
    assert [len(b) for b in batches] == [4, 4, 2, 4, 4, 2]
    for start in (0, 3):
        assert sorted(np.concatenate(batches[start:start + 3]).tolist()) == list(range(10))
    assert [b.tolist() for b in batches] == [b.tolist() for b in batch_rows(10, 4, shuffle=True, seed=7, steps=6)]
    assert [b.tolist() for b in batches[:3]] != [b.tolist() for b in batches[3:]]  # a new order every pass
    assert all(b == slice(None) for b in batch_rows(10, None, shuffle=True, seed=7, steps=3))


@pytest.mark.parametrize("engine", ["tensor", "scalar"])
def test_epochs_make_one_update_per_batch(engine):
    run = prepare_run("moons", DataOptions(samples=30), epochs=2, batch_size=8, engine=engine, optimizer="sgd")
    assert run.steps == 8  # 2 epochs of ceil(30 / 8) = 4 batches
    result = train(run.model, run.data, run.config)
    assert result.steps_done == result.steps_planned == 8 and len(result.history["lr"]) == 8
    assert result.config.steps is None and result.config.epochs == 2


def test_steps_zero_measures_the_untrained_network(cli):
    result = cli("train", "moons", "--steps", "0", "--json")
    assert result.exit_code == 0 and result.stderr == ""  # no rate, and no NaN to explain
    out = json.loads(result.stdout)
    assert out["steps"] == 0 and out["steps_per_second"] is None and out["history"]["loss"] == []
    run = prepare_run("moons", steps=0)
    before = run.model.parameter_vector().tolist()
    result = train(run.model, run.data, run.config)
    assert result.steps_done == 0 and result.stopped == "completed" and result.history["loss"] == []
    assert run.model.parameter_vector().tolist() == before
    assert result.train.accuracy == 0.5 and result.final_loss == pytest.approx(0.8958441028683222, rel=1e-12)
