"""The network library: shapes, seeded initialisation, batched == per-sample, gradients, saved layers."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from gradcli.autograd.engine import Value
from gradcli.errors import UsageError
from gradcli.learn.nn import MLP, Layer, Neuron


def test_mlp_shape_parameter_count_and_linear_output():
    model = MLP(2, [16, 16, 1], rng=random.Random(0))
    assert len(model.parameters()) == (2 + 1) * 16 + (16 + 1) * 16 + (16 + 1) * 1 == 337
    assert [layer.activation for layer in model.layers] == ["relu", "relu", "linear"]
    assert model.sizes == [16, 16, 1]
    assert repr(model) == "MLP(2, [16, 16, 1], activation='relu')"
    out = model([0.5, -0.2])
    assert len(out) == 1 and isinstance(out[0], Value)


def test_same_seed_same_weights_with_either_generator():
    a = MLP(3, [4, 2], rng=np.random.default_rng(7))
    b = MLP(3, [4, 2], rng=np.random.default_rng(7))
    c = MLP(3, [4, 2], rng=np.random.default_rng(8))
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    assert [p.data for p in a.parameters()] != [p.data for p in c.parameters()]
    d = MLP(3, [4, 2], rng=random.Random(7))
    e = MLP(3, [4, 2], rng=random.Random(7))
    assert [p.data for p in d.parameters()] == [p.data for p in e.parameters()]


@pytest.mark.parametrize("init, limit", [("uniform", 1.0), ("xavier", math.sqrt(6 / (50 + 30))), ("he", math.sqrt(6 / 50))])
def test_initialisation_ranges_and_zero_biases(init, limit):
    layer = Layer(50, 30, init=init, rng=np.random.default_rng(1))
    weights, biases = layer.matrices()
    assert np.all(np.abs(weights) <= limit)
    assert np.abs(weights).max() > 0.9 * limit  # the whole range is used, not a narrower one
    assert np.all(biases == 0.0)


def test_unknown_activation_and_init_are_usage_errors():
    with pytest.raises(UsageError, match="unknown activation 'gelu'"):
        MLP(2, [3, 1], activation="gelu")
    with pytest.raises(UsageError, match="unknown initialisation 'glorot'"):
        MLP(2, [3, 1], init="glorot")
    with pytest.raises(UsageError, match="layer sizes >= 1"):
        MLP(2, [3, 0, 1])


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "linear", "leaky-relu", "softplus"])
def test_batched_forward_equals_per_sample_and_numpy(activation):
    rng = np.random.default_rng(3)
    model = MLP(2, [5, 4, 3], activation=activation, rng=rng)
    X = rng.normal(size=(7, 2))
    batched = model([Value(X[:, 0]), Value(X[:, 1])])
    per_sample = np.array([[o.data for o in model(list(row))] for row in X.tolist()])
    assert np.allclose(np.column_stack([o.data for o in batched]), per_sample, rtol=1e-13, atol=1e-13)
    assert np.allclose(model.forward_array(X), per_sample, rtol=1e-13, atol=1e-13)


def test_neuron_gradient_matches_finite_differences():
    neuron = Neuron(3, "tanh", rng=random.Random(5))
    x = [0.3, -1.2, 2.0]
    out = neuron(x)
    out.backward()
    h = 1e-6
    for w, xi in zip(neuron.w, x):
        w.data += h
        up = neuron(x).data
        w.data -= 2 * h
        down = neuron(x).data
        w.data += h
        assert w.grad == pytest.approx((up - down) / (2 * h), rel=1e-6)
        assert w.grad == pytest.approx((1 - out.data**2) * xi, rel=1e-12)  # tanh' * x
    assert neuron.b.grad == pytest.approx(1 - out.data**2)


def test_batched_gradient_is_the_sum_of_per_sample_gradients():
    rng = np.random.default_rng(11)
    model = MLP(2, [4, 1], activation="tanh", rng=rng)
    X = rng.normal(size=(6, 2))
    out = model([Value(X[:, 0]), Value(X[:, 1])])[0]
    Value.sum_of([out]).mean().backward()
    batched = [p.grad for p in model.parameters()]
    model.zero_grad()
    for row in X.tolist():
        model(row)[0].backward(1 / len(X))  # leaves accumulate over calls
    per_sample = [p.grad for p in model.parameters()]
    assert batched == pytest.approx(per_sample, rel=1e-12, abs=1e-15)


def test_zero_grad_clears_every_parameter():
    model = MLP(2, [3, 1], rng=random.Random(2))
    model([1.0, 2.0])[0].backward()
    assert any(p.grad != 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0 for p in model.parameters())


def test_specs_round_trip_and_layout():
    model = MLP(2, [3, 2], activation="tanh", rng=random.Random(4))
    specs = model.to_specs()
    assert specs[0].weights[1] == [w.data for w in model.layers[0].neurons[1].w]  # weights[j][i]
    assert [s.activation for s in specs] == ["tanh", "linear"]
    copy = MLP.from_specs(2, specs)
    X = np.array([[0.1, 0.2], [-1.0, 3.0]])
    assert np.array_equal(copy.forward_array(X), model.forward_array(X))
    assert copy.activation == "tanh"


def test_load_specs_refuses_another_architecture():
    specs = MLP(2, [3, 1], rng=random.Random(4)).to_specs()
    with pytest.raises(UsageError, match="has 2 inputs and layers 3,1, but this run needs 2 inputs and layers 4,1"):
        MLP(2, [4, 1]).load_specs(specs)
    with pytest.raises(UsageError, match="uses activation relu where this run uses tanh"):
        MLP(2, [3, 1], activation="tanh").load_specs(specs)


def test_forward_array_keeps_one_block_of_hidden_outputs_not_all_of_them():
    """eval of a wide model: the hidden layers' outputs for every row are not kept (issue 10 item 9)."""
    import tracemalloc

    from gradcli.learn.speed import LARGE_ARRAY_BYTES

    model = MLP(2, [2048, 1], rng=random.Random(0))
    X = np.random.default_rng(0).normal(size=(12000, 2))  # hidden outputs for all rows: 197 MB
    everything = model.layer_outputs(X)
    tracemalloc.start()
    try:
        out = model.forward_array(X)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert np.array_equal(out, everything[-1])
    assert peak < 3 * LARGE_ARRAY_BYTES < everything[0].nbytes, peak
