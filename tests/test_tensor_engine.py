"""The tensor engine: a weight matrix per layer, the same numbers as micrograd's scalar engine.

Same initial weights for a seed, same gradients at a step, the same loss history over whole runs
(1e-9) across datasets, losses, optimisers, per-layer activations, initialisations, batch sizes and
epochs; and the parameter story around it: vectors in micrograd's order, model files, --init-from.
"""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from gradcli.autograd.engine import Value, topological_order
from gradcli.learn.engines import engine_for, loss_and_gradients
from gradcli.learn.losses import encode_targets, mean_loss
from gradcli.learn.modelfile import load_model
from gradcli.learn.nn import MLP
from gradcli.learn.run import DataOptions, prepare_run
from gradcli.learn.tensor_nn import TensorMLP
from gradcli.learn.train import build_model, train
from gradcli.learn.config import TrainConfig


def histories(dataset: str, data: DataOptions, **settings) -> tuple[list, list]:
    settings.setdefault("optimizer", "sgd")  # a preset may choose adam for other layers: see the adam test
    runs = []
    for engine in ("tensor", "scalar"):
        run = prepare_run(dataset, data, engine=engine, **settings)
        runs.append(train(run.model, run.data, run.config).history["loss"])
    return runs[0], runs[1]


@pytest.mark.parametrize("dataset, data, settings", [
    ("moons", DataOptions(samples=40), {"layers": "8:tanh,8:sigmoid,1", "init": "xavier", "steps": 25}),
    ("circles", DataOptions(samples=40), {"layers": [6, 6, 1], "activation": "leaky-relu", "init": "he-normal",
                                          "loss": "mse", "optimizer": "momentum", "steps": 25}),
    ("blobs", DataOptions(samples=45, classes=3), {"layers": "5:softplus,3", "init": "normal", "init_scale": 0.5,
                                                   "steps": 25}),
    ("sine", DataOptions(samples=30), {"layers": [8, 1], "activation": "tanh", "schedule": "cosine",
                                       "l1": 1e-3, "steps": 25}),
    ("xor", DataOptions(samples=40), {"layers": [6, 1], "batch_size": 7, "epochs": 3, "init": "xavier-normal"}),
    ("toy4", DataOptions(), {"layers": "4:tanh,4:tanh,1:tanh", "loss": "mse", "batch_size": 1, "epochs": 4,
                             "shuffle": False, "init": "he"}),
    ("spiral", DataOptions(samples=40), {"layers": [6, 6, 2], "loss": "cross-entropy", "optimizer": "sgd",
                                         "lr": 0.3, "batch_size": 16, "steps": 20, "l2": 1e-3}),
])
def test_the_tensor_engine_repeats_the_scalar_engines_history(dataset, data, settings):
    tensor, scalar = histories(dataset, data, **settings)
    assert len(tensor) == len(scalar) > 0
    assert np.allclose(tensor, scalar, rtol=1e-9, atol=0.0)


def test_adam_away_from_zero_gradients_agrees_too():
    # adam turns a gradient that is zero but for rounding into a full step (training.md); tanh units on
    # unbalanced-free regression data have no such gradient
    tensor, scalar = histories("sine", DataOptions(samples=30), layers=[6, 1], activation="tanh",
                               optimizer="adam", steps=20)
    assert np.allclose(tensor, scalar, rtol=1e-9, atol=0.0)


def test_micrographs_moons_run_digit_for_digit():
    run = prepare_run("moons", layers=[16, 16, 1])
    assert isinstance(run.model, TensorMLP) and run.config.engine == "tensor"
    result = train(run.model, run.data, run.config)
    assert result.history["loss"][0] == pytest.approx(0.8958441028683222, rel=1e-12)  # micrograd's published
    assert result.history["loss"][99] == pytest.approx(0.010978370135492717, rel=1e-9)
    assert result.train.accuracy == 1.0


@pytest.mark.parametrize("init", ["uniform", "normal", "xavier", "he-normal"])
def test_one_seed_draws_the_same_weights_in_both_layouts(init):
    config = TrainConfig(layers=[5, 3, 2], init=init, init_scale=0.7, seed=7)
    tensor = build_model(config, 3)
    scalar = build_model(TrainConfig(layers=[5, 3, 2], init=init, init_scale=0.7, seed=7, engine="scalar"), 3)
    assert isinstance(tensor, TensorMLP) and isinstance(scalar, MLP)
    assert tensor.parameter_vector().tolist() == scalar.parameter_vector().tolist()  # every bit
    assert scalar.parameter_vector().tolist() == [p.data for p in scalar.parameters()]  # micrograd's order


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky-relu", "softplus", "linear"])
@pytest.mark.parametrize("loss, outputs", [("hinge", 1), ("mse", 2), ("cross-entropy", 3)])
def test_one_steps_gradients_agree_entry_by_entry(activation, loss, outputs):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(11, 2))
    y = rng.integers(0, outputs if outputs > 1 else 2, size=11).astype(float)
    tensor = TensorMLP(2, [4, outputs], activation=activation, rng=random.Random(2))
    scalar = MLP.from_specs(2, tensor.to_specs())
    targets = encode_targets(loss, y, outputs, "multiclass" if outputs > 2 else "binary")
    t_loss, t_out = loss_and_gradients("tensor", tensor, X, targets, loss, 1e-3, 1e-3)
    s_loss, s_out = loss_and_gradients("scalar", scalar, X, targets, loss, 1e-3, 1e-3)
    assert t_loss == pytest.approx(s_loss, rel=1e-13) and np.allclose(t_out, s_out, rtol=1e-13, atol=1e-15)
    assert np.allclose(tensor.gradient_vector(), scalar.gradient_vector(), rtol=1e-11, atol=1e-15)


@pytest.mark.parametrize("loss, outputs", [("hinge", 1), ("mse", 2), ("cross-entropy", 3)])
def test_a_large_batch_in_row_blocks_gives_the_batch_s_loss_and_gradients(monkeypatch, loss, outputs):
    """Blocks of rows (what a batch of 100,000 rows gets) add up to the whole batch, to rounding."""
    from gradcli.learn import speed

    rng = np.random.default_rng(5)
    X = rng.normal(size=(1_003, 2))
    y = rng.integers(0, outputs if outputs > 1 else 2, size=1_003).astype(float)
    targets = encode_targets(loss, y, outputs, "multiclass" if outputs > 2 else "binary")
    whole = TensorMLP(2, [8, 8, outputs], activation="tanh", rng=random.Random(4))
    blocked = TensorMLP.from_specs(2, whole.to_specs())
    w_loss, w_out = loss_and_gradients("tensor", whole, X, targets, loss, 1e-3, 1e-3)
    monkeypatch.setattr(speed, "LARGE_ARRAY_BYTES", 8 * 1_003)  # this batch counts as large:
    monkeypatch.setattr(speed, "BLOCK_ENTRIES", 8 * 100)  # blocks of 100 rows, the last one of 3
    assert [r.stop - r.start for r in speed.row_blocks(1_003, [2, 8, 8, outputs])][-2:] == [100, 3]
    b_loss, b_out = loss_and_gradients("tensor", blocked, X, targets, loss, 1e-3, 1e-3)
    assert b_loss == pytest.approx(w_loss, rel=1e-13) and np.allclose(b_out, w_out, rtol=1e-14, atol=1e-16)
    assert np.allclose(blocked.gradient_vector(), whole.gradient_vector(), rtol=1e-12, atol=1e-16)
    assert not np.array_equal(blocked.gradient_vector(), 0.0 * whole.gradient_vector())
    assert np.allclose(engine_for("tensor").outputs(blocked, X), w_out, rtol=1e-14, atol=1e-16)


def test_small_batches_are_one_block():
    from gradcli.learn.speed import row_blocks

    assert row_blocks(100, [2, 16, 16, 1]) == [slice(0, 100)]
    blocks = row_blocks(100_000, [2, 64, 64, 1])  # 51 MB arrays: blocks of 1,000 rows
    assert len(blocks) == 100 and blocks[0] == slice(0, 1_000) and blocks[-1] == slice(99_000, 100_000)


def test_a_layer_is_four_nodes_whatever_the_batch():
    model = TensorMLP(2, [16, 16, 1], rng=random.Random(1337))
    for n in (1, 100, 10_000):
        loss = mean_loss("hinge", model(np.zeros((n, 2))), np.ones((n, 1)))
        operations = [node.op for node in topological_order(loss) if node.inputs]
        assert operations == ["transpose", "matmul", "+", "relu"] * 2 + ["transpose", "matmul", "+"] + \
            ["*", "-", "relu", "mean"]


def test_each_engine_trains_its_own_network_and_says_so():
    with pytest.raises(TypeError, match="the tensor engine trains a TensorMLP, not a MLP"):
        engine_for("tensor").loss_and_gradients(MLP(2, [1]), np.zeros((2, 2)), [np.ones(2)], "hinge")
    with pytest.raises(TypeError, match="the scalar engine trains a MLP, not a TensorMLP"):
        engine_for("scalar").outputs(TensorMLP(2, [1]), np.zeros((2, 2)))


def test_optimisers_never_change_a_parameter_array_in_place():
    run = prepare_run("moons", DataOptions(samples=20), steps=3, optimizer="adam", layers=[4, 1])
    arrays = [p.data for p in run.model.parameters()]
    copies = [a.copy() for a in arrays]
    train(run.model, run.data, run.config)
    assert all(np.array_equal(a, c) for a, c in zip(arrays, copies))  # the old arrays kept their numbers
    assert not all(np.array_equal(p.data, c) for p, c in zip(run.model.parameters(), copies))


def test_no_zero_grad_adds_every_steps_gradient_with_matrix_parameters():
    run = prepare_run("moons", DataOptions(samples=20), steps=2, zero_grad=False, layers=[4, 1], lr=0.1,
                      schedule="constant", l2=0.0)
    start = run.model.parameter_vector()
    train(run.model, run.data, run.config)
    by_hand = prepare_run("moons", DataOptions(samples=20), steps=2, layers=[4, 1]).model
    targets = encode_targets("hinge", run.data.y, 1)
    loss_and_gradients("tensor", by_hand, run.data.X, targets, "hinge")
    g0 = by_hand.gradient_vector()
    by_hand.set_parameter_vector(start - 0.1 * g0)
    loss_and_gradients("tensor", by_hand, run.data.X, targets, "hinge")
    expected = start - 0.1 * g0 - 0.1 * (g0 + by_hand.gradient_vector())
    assert np.allclose(run.model.parameter_vector(), expected, rtol=1e-12, atol=1e-15)


def test_model_files_are_the_same_from_either_engine_and_continue_on_either(cli, tmp_path):
    args = ["train", "moons", "--samples", "30", "--layers", "6,1", "--steps", "10", "--quiet", "--optimizer", "sgd"]
    for engine in ("tensor", "scalar"):
        assert cli(*args, "--engine", engine, "--save", str(tmp_path / f"{engine}.json")).exit_code == 0
    tensor, scalar = (load_model(tmp_path / f"{engine}.json") for engine in ("tensor", "scalar"))
    flat = [[w for row in layer.weights for w in row] + layer.biases for layer in tensor.layers]
    assert np.allclose(np.concatenate(flat), np.concatenate(
        [[w for row in layer.weights for w in row] + layer.biases for layer in scalar.layers]), rtol=1e-9)
    # 10 more steps from either file, on either engine, continue the same run
    more = ["train", "moons", "--samples", "30", "--steps", "10", "--json", "--optimizer", "sgd"]
    a = json.loads(cli(*more, "--init-from", str(tmp_path / "tensor.json"), "--engine", "scalar").stdout)
    b = json.loads(cli(*more, "--init-from", str(tmp_path / "scalar.json")).stdout)
    assert a["history"]["loss"] == pytest.approx(b["history"]["loss"], rel=1e-9)


def test_the_gradient_check_perturbs_single_entries_of_the_matrices():
    run = prepare_run("moons", DataOptions(samples=30), steps=6, check_grad_every=3, layers=[5, 5, 1])
    result = train(run.model, run.data, run.config)
    scalar = prepare_run("moons", DataOptions(samples=30), steps=6, check_grad_every=3, layers=[5, 5, 1],
                         engine="scalar")
    checked = train(scalar.model, scalar.data, scalar.config)
    names = [[c.name for c in check.checks] for check in result.grad_checks]
    assert names == [[c.name for c in check.checks] for check in checked.grad_checks]  # the same weights
    assert all(name.startswith("layer ") for step in names for name in step)
    assert all(check.ok for check in result.grad_checks) and result.worst_grad_check < 1e-6


def test_a_graph_of_the_batch_holds_its_shapes():
    model = TensorMLP(3, [4, 2], rng=random.Random(0))
    out = model(Value(np.ones((5, 3))))
    assert out.shape == (5, 2) and [layer.W.label for layer in model.layers] == ["W1", "W2"]
    assert [p.shape for p in model.parameters()] == [(4, 3), (4,), (2, 4), (2,)]
