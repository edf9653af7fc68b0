"""`gradcli compare`, and the history and command line a model file keeps (format version 2)."""

from __future__ import annotations

import json

import pytest

from gradcli.errors import ModelFileError
from gradcli.learn.compare import differences, load_runs
from gradcli.learn.modelfile import load_model, save_model
from gradcli.learn.run import DataOptions, prepare_run, saved_history, saved_model
from gradcli.learn.train import train


@pytest.fixture
def runs(cli, tmp_path):
    """A model file and a train --json output of two runs that differ in lr and steps, and a sweep's results."""
    model = tmp_path / "a.json"
    assert cli("train", "moons", "--steps", "12", "--test-split", "0.2", "--quiet", "--save", str(model)).exit_code == 0
    other = cli("train", "moons", "--steps", "20", "--lr", "0.3", "--test-split", "0.2", "--json")
    document = tmp_path / "b.json"
    document.write_text(other.stdout)
    sweep = tmp_path / "sweep.json"
    swept = cli("sweep", "moons", "--lr", "0.3,1", "--steps", "6", "--jobs", "1", "--results", str(sweep), "-q")
    assert swept.exit_code == 0, swept.output
    return model, document, sweep


def test_a_model_file_keeps_the_history_and_command_of_its_run(cli, tmp_path):
    path = tmp_path / "m.json"
    trained = cli("train", "xor", "--steps", "7", "--test-split", "0.25", "--json", "--save", str(path))
    document = json.loads(trained.stdout)
    saved = load_model(path)
    assert saved.version == 2 and saved.history == document["history"]
    assert set(saved.history) == {"loss", "accuracy", "lr", "test_loss", "test_accuracy"}
    assert saved.command == document["command"] and saved.command.startswith("gradcli train xor --steps 7")
    raw = json.loads(path.read_text())
    assert raw["version"] == 2 and raw["history"]["loss"] == document["history"]["loss"]


def test_a_long_history_is_kept_at_its_limit_with_its_step_numbers():
    run = prepare_run("moons", DataOptions(samples=20), steps=25, layers="2,1")
    result = train(run.model, run.data, run.config)
    thinned = saved_history(result, limit=10)
    assert thinned["step"][0] == 1 and thinned["step"][-1] == 25 and len(thinned["step"]) == 10
    assert all(len(values) == 10 for values in thinned.values())
    assert thinned["loss"] == [result.history["loss"][k - 1] for k in thinned["step"]]
    assert "step" not in saved_history(result, limit=25)


def test_a_version_1_file_still_reads_without_a_history(tmp_path):
    run = prepare_run("moons", DataOptions(samples=20), steps=3, layers="2,1")
    saved = saved_model(run, train(run.model, run.data, run.config), "gradcli train moons --steps 3")
    raw = saved.to_dict()
    raw["version"] = 1
    raw.pop("history")
    path = tmp_path / "old.json"
    path.write_text(json.dumps(raw))
    old = load_model(path)
    assert old.version == 1 and old.history is None and old.command == "gradcli train moons --steps 3"
    assert old.layers == saved.layers
    save_model(tmp_path / "again.json", old)  # written again, it is a version 2 file with no history
    assert json.loads((tmp_path / "again.json").read_text())["version"] == 2


@pytest.mark.parametrize("history, message", [
    ([1, 2], r"field \"history\" must be an object of lists"),
    ({"loss": [1.0, 2.0], "lr": [1.0]}, r"field \"history\": its lists have different lengths \(1, 2\)"),
    ({"loss": [1.0, "x"]}, r"history\"\.loss\[1\] is \"x\", not a number"),
    ({"loss": [1.0, 2.0], "step": [2, 2]}, r"history\"\.step must hold increasing step numbers from 1"),
])
def test_a_malformed_history_is_named(tmp_path, history, message):
    run = prepare_run("moons", DataOptions(samples=20), steps=2, layers="2,1")
    raw = saved_model(run, train(run.model, run.data, run.config), "").to_dict()
    raw["history"] = history
    path = tmp_path / "m.json"
    path.write_text(json.dumps(raw))
    with pytest.raises(ModelFileError, match=message):
        load_model(path)


def test_runs_from_every_kind_of_file_side_by_side(runs):
    model, document, sweep = runs
    records = load_runs([model, document, sweep])
    assert [r.source for r in records] == ["model file", "train --json", "sweep --json", "sweep --json"]
    assert records[2].name == f"{sweep}#lr=0.3_seed=1337"
    expected = json.loads(document.read_text())
    assert records[1].metrics["final_loss"] == expected["final_loss"]
    assert records[1].metrics["test_loss"] == expected["test_loss"]
    assert records[1].history == expected["history"] and records[1].command == expected["command"]
    saved = load_model(model)
    assert records[0].metrics["train_metric"] == saved.meta["metrics"]["train"]["accuracy"]
    assert records[0].metrics["test_loss"] == saved.meta["metrics"]["test_loss"]
    differing = dict(differences(records[:2]))
    assert differing == {"lr": ["1", "0.3"], "steps": ["12", "20"]}  # the same words from both kinds of file
    assert dict(differences(records))["data"] == ["80 train + 20 held out"] * 2 + ["100 train"] * 2


@pytest.mark.parametrize("options", [["--layers", "4:tanh,2:sigmoid,1"], ["--layers", "1"],
                                     ["--epochs", "2", "--batch-size", "16"]])
def test_a_run_and_its_model_file_have_the_same_settings(cli, tmp_path, options):
    model = tmp_path / "m.json"
    trained = cli("train", "moons", "--samples", "40", *options, "--json", "--save", str(model))
    assert trained.exit_code == 0, trained.output
    document = tmp_path / "run.json"
    document.write_text(trained.stdout)
    assert differences(load_runs([document, model])) == []  # one run: nothing differs


def test_the_command_prints_differences_numbers_and_curves(cli, runs, tmp_path):
    model, document, _ = runs
    plot = tmp_path / "runs.svg"
    result = cli("compare", str(model), str(document), "--plot", str(plot))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Settings that differ" in out and "--lr" in out and "--steps" in out and "--init" not in out
    assert "Final numbers" in out and "test accuracy" in out
    assert "training loss by step" in out and "train accuracy by step" in out
    assert f"* {model}" in out and f"o {document}" in out  # the legend: one marker per run
    assert plot.read_text().lstrip().startswith("<?xml") and f"wrote the plot of these runs to {plot}" in out
    plain = cli("compare", str(model), str(document), "--no-chart")
    assert "training loss by step" not in plain.stdout


def test_json_holds_every_run_and_the_differences(cli, runs):
    model, document, sweep = runs
    result = cli("compare", str(model), str(document), str(sweep), "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert len(out["runs"]) == 4 and out["differences"]["lr"] == ["1", "0.3", "0.3", "1"]
    first = out["runs"][0]
    assert first["source"] == "model file" and set(first["metrics"]) >= {"final_loss", "train_accuracy",
                                                                          "test_accuracy", "steps"}


def test_a_model_file_without_history_compares_without_curves(cli, runs, tmp_path):
    model, document, _ = runs
    raw = json.loads(model.read_text())
    raw["version"] = 1
    raw.pop("history")
    old = tmp_path / "old.json"
    old.write_text(json.dumps(raw))
    result = cli("compare", str(old), str(document))
    assert result.exit_code == 0, result.output
    assert f"no history to draw for {old}" in " ".join(result.stdout.split())
    assert "training loss by step" in result.stdout  # the other run's curves are drawn


@pytest.mark.parametrize("content, message", [
    ({"format": "gradcli.mlp", "version": 3, "inputs": 2, "layers": []},
     "model file version 3 is newer than this gradcli supports (version 2)"),
    ({"hello": "world"}, "is neither the output of gradcli train --json or sweep --json nor a model file"),
])
def test_a_file_compare_cannot_read_is_named(cli, runs, tmp_path, content, message):
    model, _, _ = runs
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(content))
    result = cli("compare", str(model), str(bad))
    assert result.exit_code == 2 and message in result.stderr and str(bad) in result.stderr


def test_a_classifier_and_a_regression_name_both_metrics(cli, tmp_path):
    classifier, regression = tmp_path / "moons.json", tmp_path / "sine.json"
    assert cli("train", "moons", "--steps", "3", "-q", "--save", str(classifier)).exit_code == 0
    assert cli("train", "sine", "--steps", "3", "-q", "--save", str(regression)).exit_code == 0
    result = cli("compare", str(regression), str(classifier), "--no-chart")
    rows = {line.split("  ")[0].strip(): line for line in result.stdout.splitlines() if line.strip()}
    assert "train R^2" not in rows and "train accuracy" not in rows  # neither name alone fits both numbers
    accuracy = load_model(classifier).meta["metrics"]["train"]["accuracy"]
    assert f"{100 * accuracy:.1f}%" in rows["train accuracy / R^2"]
    charts = cli("compare", str(regression), str(classifier)).stdout
    assert "train accuracy / R^2 by step" in charts


def test_too_many_runs_do_not_read_side_by_side(cli, tmp_path):
    sweep = tmp_path / "sweep.json"
    assert cli("sweep", "moons", "--steps", "1", "--seeds", "21", "--jobs", "1", "--results", str(sweep),
               "-q").exit_code == 0
    result = cli("compare", str(sweep))
    assert result.exit_code == 2 and "21 runs are too many to read side by side (at most 20)" in result.stderr
