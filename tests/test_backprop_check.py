"""--check-grad-every: backprop against central differences of the loss while training, both ways."""

from __future__ import annotations

import json

import numpy as np
import pytest

import gradcli.autograd.engine as engine_module
from gradcli.learn.backprop_check import check_backprop, parameter_name
from gradcli.learn.engines import engine_for
from gradcli.learn.losses import encode_targets
from gradcli.learn.nn import MLP
from gradcli.learn.tensor_nn import TensorMLP
from gradcli.learn.run import DataOptions, prepare_run
from gradcli.learn.train import train

ENGINES = ["tensor", "scalar"]


@pytest.fixture
def wrong_relu(monkeypatch):
    """relu's backward rule made 1.5 times too large: a bug the check must catch."""
    right = engine_module._BACKWARD["relu"]

    def wrong(out):
        upstream = out.grad
        out.grad = upstream * 1.5
        right(out)
        out.grad = upstream

    monkeypatch.setitem(engine_module._BACKWARD, "relu", wrong)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_right_backward_pass_passes_and_the_history_is_unchanged(engine):
    def once(**extra):
        run = prepare_run("moons", DataOptions(samples=30), steps=12, engine=engine, layers=[6, 6, 1],
                          optimizer="sgd", **extra)
        return train(run.model, run.data, run.config)

    checked, plain = once(check_grad_every=4), once()
    assert checked.history["loss"] == plain.history["loss"]  # checking moves no parameter
    assert [c.step for c in checked.grad_checks] == [4, 8, 12]
    assert all(c.ok for c in checked.grad_checks) and len(checked.grad_checks[0].checks) == 3
    assert checked.worst_grad_check < 1e-6  # measured: ~1e-10
    assert [v is not None for v in checked.history["grad_check"]] == [(k + 1) % 4 == 0 for k in range(12)]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_wrong_rule_is_caught_and_stops_the_run(engine, wrong_relu):
    run = prepare_run("moons", DataOptions(samples=30), steps=20, engine=engine, check_grad_every=1,
                      optimizer="sgd")
    result = train(run.model, run.data, run.config)
    assert result.stopped == "grad-check-failed" and result.failure is not None
    worst = result.grad_checks[-1].worst
    assert not worst.ok and worst.relative_error > 0.1
    assert result.message.startswith(f"the gradient check failed at step {result.grad_checks[-1].step}: layer ")
    assert result.message.endswith("the engine's backward pass is wrong")
    assert result.steps_done == result.grad_checks[-1].step - 1  # the failed step is not taken


def test_the_cli_reports_the_worst_error_and_exits_1_on_a_failure(cli, wrong_relu, monkeypatch):
    result = cli("train", "moons", "--steps", "10", "--check-grad-every", "1", "--optimizer", "sgd")
    assert result.exit_code == 1
    assert "error: the gradient check failed at step 1: layer" in result.stderr
    assert "Training summary" in result.stdout and "(grad-check-failed)" in result.stdout
    assert "gradient check    worst relative error" in result.stdout and "FAILED" in result.stdout


def test_the_cli_shows_the_check_in_progress_summary_and_json(cli):
    result = cli("train", "moons", "--steps", "20", "--check-grad-every", "5")
    assert result.exit_code == 0, result.stderr
    assert "grad check " in result.stderr.splitlines()[-1]
    assert "over 12 parameters at 4 steps (all passed; limit 1e-05)" in result.stdout
    out = json.loads(cli("train", "moons", "--steps", "20", "--check-grad-every", "5", "--json").stdout)
    assert out["grad_check"]["steps"] == [5, 10, 15, 20] and out["grad_check"]["failed"] == 0
    assert out["grad_check"]["worst_relative_error"] < 1e-6


@pytest.mark.parametrize("engine", ENGINES)
def test_a_kink_is_not_a_failure(engine):
    # one relu unit whose input is exactly 0 on the only sample: left and right slopes differ
    engine = engine_for(engine)
    model = engine.network(1, [1, 1], rng=np.random.default_rng(0))
    hidden, output = model.layers
    hidden.set_matrices([[1.0]], [0.0])
    output.set_matrices([[1.0]], [0.0])
    X, targets = np.array([[0.0]]), encode_targets("mse", np.array([0.5]), 1, "regression")
    engine.loss_and_gradients(model, X, targets, "mse")
    checks = check_backprop(engine, model, X, targets, "mse", 0.0, 0.0, np.random.default_rng(0), count=4)
    statuses = {c.name: c.status for c in checks.checks}
    assert statuses["layer 1, neuron 1, w1"] == "pass"  # x = 0: the weight's gradient is 0 either side
    assert statuses["layer 1, neuron 1, bias"] == "not differentiable" and checks.ok


@pytest.mark.parametrize("network", [MLP, TensorMLP])
def test_parameter_names_follow_the_parameter_order(network):
    model = network(2, [3, 1], rng=np.random.default_rng(0))
    names = [parameter_name(model, i) for i in range(model.parameter_count)]
    assert names[:4] == ["layer 1, neuron 1, w1", "layer 1, neuron 1, w2", "layer 1, neuron 1, bias",
                         "layer 1, neuron 2, w1"]
    assert names[-1] == "layer 2, neuron 1, bias" and len(names) == 13
    if network is MLP:  # micrograd's parameters() are the entries themselves, in this order
        assert [p.data for p in model.parameters()] == model.parameter_vector().tolist()
    assert names[-1] == "layer 2, neuron 1, bias" and len(names) == 13
