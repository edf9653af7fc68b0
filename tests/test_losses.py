"""Losses: values against hand computations, gradients, numerical stability, task checks, metrics."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gradcli.autograd.engine import Value
from gradcli.render.errors import flag_name
from gradcli.errors import UsageError
from gradcli.learn.losses import (
    accuracy, check_loss, encode_targets, per_sample_loss, predict_classes, r2_score, regularization,
)


@pytest.mark.parametrize("score, t, expected", [(0.5, 1.0, 0.5), (0.5, -1.0, 1.5), (2.0, 1.0, 0.0), (-3.0, -1.0, 0.0)])
def test_hinge_values(score, t, expected):
    assert per_sample_loss("hinge", [Value(score)], [t]).data == pytest.approx(expected)


def test_hinge_on_a_batch_and_its_gradient():
    score = Value(np.array([0.5, 0.5, 2.0]))
    loss = per_sample_loss("hinge", [score], [np.array([1.0, -1.0, 1.0])]).mean()
    assert loss.data == pytest.approx((0.5 + 1.5 + 0.0) / 3)
    loss.backward()
    assert np.allclose(score.grad, [-1 / 3, 1 / 3, 0.0])  # d/ds relu(1 - t s) = -t where the margin is violated


def test_mse_value_and_gradient():
    z = Value(1.5)
    loss = per_sample_loss("mse", [z], [0.5])
    assert loss.data == pytest.approx(1.0)
    loss.backward()
    assert z.grad == pytest.approx(2.0)
    two = per_sample_loss("mse", [Value(1.0), Value(3.0)], [0.0, 1.0])
    assert two.data == pytest.approx((1 + 4) / 2)  # the mean over the outputs


def softmax(z):
    e = np.exp(z - np.max(z))
    return e / e.sum()


def test_cross_entropy_value_and_gradient_softmax_minus_one_hot():
    logits = [Value(v) for v in (2.0, -1.0, 0.5, 0.0)]
    loss = per_sample_loss("cross-entropy", logits, [0.0, 0.0, 1.0, 0.0])
    p = softmax(np.array([2.0, -1.0, 0.5, 0.0]))
    assert loss.data == pytest.approx(-math.log(p[2]), rel=1e-12)
    loss.backward()
    assert [z.grad for z in logits] == pytest.approx(list(p - np.array([0, 0, 1, 0])), rel=1e-12)


def test_cross_entropy_is_stable_for_huge_logits():
    logits = [Value(1000.0), Value(990.0)]
    loss = per_sample_loss("cross-entropy", logits, [0.0, 1.0])
    assert loss.data == pytest.approx(10.0 + math.log1p(math.exp(-10.0)), rel=1e-12)
    batch = [Value(np.array([1000.0, -1000.0])), Value(np.array([990.0, -990.0]))]
    values = per_sample_loss("cross-entropy", batch, [np.array([1.0, 1.0]), np.array([0.0, 0.0])]).data
    assert np.all(np.isfinite(values)) and values[0] == pytest.approx(math.log1p(math.exp(-10.0)))
    assert values[1] == pytest.approx(10.0 + math.log1p(math.exp(-10.0)))


def test_regularization_value_and_gradient():
    params = [Value(0.5), Value(-2.0)]
    penalty = regularization(params, l2=0.1, l1=0.01)
    assert penalty.data == pytest.approx(0.1 * (0.25 + 4.0) + 0.01 * 2.5)
    penalty.backward()
    assert [p.grad for p in params] == pytest.approx([2 * 0.1 * 0.5 + 0.01, 2 * 0.1 * -2.0 - 0.01])
    assert regularization(params, 0.0, 0.0) is None


def test_encode_targets():
    y = np.array([0.0, 1.0, 2.0, 1.0])
    assert np.array_equal(encode_targets("hinge", np.array([0.0, 1.0]), 1)[0], [-1.0, 1.0])
    one_hot = encode_targets("cross-entropy", y, 3, "multiclass")
    assert np.array_equal(np.column_stack(one_hot), np.eye(3)[[0, 1, 2, 1]])
    assert np.array_equal(encode_targets("mse", np.array([0.3, 7.0]), 1, "regression")[0], [0.3, 7.0])


@pytest.mark.parametrize(
    "loss, task, classes, outputs, message",
    [
        ("cross-entropy", "multiclass", 4, 1, "end --layers with 4, not 1"),
        ("hinge", "multiclass", 3, 3, "this dataset has 3: use --loss cross-entropy"),
        ("hinge", "binary", 2, 2, "end --layers with 1, not 2"),
        ("cross-entropy", "regression", 0, 1, "this dataset is a regression task: use --loss mse"),
        ("mse", "regression", 0, 2, "end --layers with 1, not 2"),
        ("mse", "multiclass", 3, 1, "end --layers with 3"),
        ("huber", "binary", 2, 1, "unknown loss 'huber'"),
    ],
)
def test_loss_task_mismatches_say_how_to_fix(loss, task, classes, outputs, message):
    with pytest.raises(UsageError) as caught:
        check_loss(loss, task, classes, outputs)
    assert message in caught.value.describe(flag_name)  # as the CLI words it
    assert message.replace("--", "") in str(caught.value)  # as a Python caller reads it: loss, layers


def test_fitting_combinations_pass():
    check_loss("hinge", "binary", 2, 1)
    check_loss("cross-entropy", "binary", 2, 2)
    check_loss("mse", "binary", 2, 1)
    check_loss("mse", "multiclass", 3, 3)
    check_loss("mse", "regression", 0, 1)


def test_predictions_accuracy_and_r2():
    assert list(predict_classes(np.array([[0.3], [-0.1], [0.0]]), "binary")) == [1, 0, 0]
    assert list(predict_classes(np.array([[0.1, 0.9, 0.0], [2.0, 1.0, 0.0]]), "multiclass")) == [1, 0]
    assert accuracy(np.array([[1.0], [-1.0], [1.0], [1.0]]), np.array([1, 0, 0, 1]), "binary") == 0.75
    y = np.array([1.0, 2.0, 3.0, 4.0])
    assert r2_score(y, y) == 1.0
    assert r2_score(np.full(4, y.mean()), y) == pytest.approx(0.0)
    assert r2_score(y + 0.5, y) == pytest.approx(1 - 4 * 0.25 / 5.0)


@pytest.mark.parametrize("loss, outputs, task, activation", [
    ("hinge", 1, "binary", "tanh"), ("mse", 1, "binary", "sigmoid"), ("cross-entropy", 3, "multiclass", "tanh"),
    ("mse", 1, "regression", "tanh"),
])
@pytest.mark.parametrize("engine", ["tensor", "scalar"])
def test_training_gradients_match_finite_differences(loss, outputs, task, activation, engine):
    from gradcli.learn.engines import engine_for, loss_and_gradients

    rng = np.random.default_rng(5)
    X = rng.normal(size=(9, 2))
    y = rng.integers(0, 3 if task == "multiclass" else 2, size=9).astype(float) if task != "regression" \
        else rng.normal(size=9)
    model = engine_for(engine).network(2, [4, outputs], activation=activation, rng=rng)  # MLP or TensorMLP
    targets = encode_targets(loss, y, outputs, task)

    def value() -> float:
        return loss_and_gradients(engine, model, X, targets, loss, 1e-3, 1e-3)[0]

    value()
    analytic = model.gradient_vector()
    h = 1e-6
    for index, grad in enumerate(analytic):  # every entry of every weight matrix
        p = model.parameter_entry(index)
        model.set_parameter_entry(index, p + h)
        up = value()
        model.set_parameter_entry(index, p - h)
        down = value()
        model.set_parameter_entry(index, p)
        # hinge and l1 have kinks; none of these random points sits within h of one
        assert grad == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-7)
