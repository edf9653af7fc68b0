"""`gradcli train` through the CLI: JSON and tables, outputs (model, log, plot), every error path, Ctrl-C."""

from __future__ import annotations

import csv
import json
import math
import os
import signal
import subprocess
import sys

import pytest

from gradcli.learn.inference import Predictor
from gradcli.learn.modelfile import load_model


def train_json(cli, *args):
    result = cli("train", *args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_moons_json_reaches_the_published_accuracy(cli):
    out = train_json(cli, "moons", "--layers", "16,16,1")
    assert out["dataset"] == "moons" and out["layers"] == [16, 16, 1] and out["steps"] == 100
    assert out["train_accuracy"] >= 0.97  # measured 1.00, as in micrograd's demo
    assert out["test_accuracy"] is None and out["parameters"] == 337
    assert len(out["history"]["loss"]) == len(out["history"]["accuracy"]) == 100
    # micrograd's demo, published output (seed 004): the same data, the same initial weights, the same run
    assert out["history"]["loss"][0] == pytest.approx(0.8958441028683222, rel=1e-12)
    assert out["history"]["loss"][99] == pytest.approx(0.010978370135492717, rel=1e-9)
    assert out["command"].startswith("gradcli train moons") and "--layers 16,16,1" in out["command"]
    assert out["seconds"] > 0 and out["stopped"] == "completed"


def test_summary_tables_map_and_plain_progress(cli):
    result = cli("train", "moons", "--steps", "20")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Training summary" in out and "train accuracy" in out and "337" in out
    assert "steps             20 of 20" in out
    assert "standardize    no         dataset preset" in out and "steps          20         your option" in out
    assert "+----" in out  # the final decision map's frame (plain characters: not a terminal)
    lines = result.stderr.splitlines()
    assert lines[0].startswith("step 1/20  loss ") and lines[-1].startswith("step 20/20  loss ")
    assert len(lines) == 11  # the first step, then every 10%
    assert "\x1b" not in result.stderr + result.stdout


def test_quiet_prints_no_progress(cli):
    result = cli("train", "xor", "--steps", "10", "--quiet")
    assert result.exit_code == 0 and result.stderr == "" and "Training summary" in result.stdout


def test_regression_reports_r2_and_no_accuracy(cli):
    out = train_json(cli, "sine")
    assert out["train_accuracy"] is None and out["train_r2"] >= 0.95 and out["train_mse"] < 0.05
    assert "r2" in out["history"] and out["optimizer"] == "adam"  # from the sine preset


def test_test_split_reports_test_accuracy(cli):
    out = train_json(cli, "circles", "--test-split", "0.2")
    assert out["samples"] == {"train": 80, "test": 20}
    assert out["test_accuracy"] >= 0.9 and len(out["history"]["test_accuracy"]) == 100


def test_engines_agree_through_the_cli(cli):
    # sgd: adam would turn a gradient that is zero but for rounding into a full step (training.md says why)
    args = ("moons", "--samples", "30", "--layers", "6,1", "--steps", "15", "--optimizer", "sgd")
    tensor = train_json(cli, *args)["history"]["loss"]
    scalar = train_json(cli, *args, "--engine", "scalar")["history"]["loss"]
    assert scalar == pytest.approx(tensor, rel=1e-9)


def test_save_writes_a_model_that_predicts_like_the_trained_one(cli, tmp_path):
    path = tmp_path / "model.json"
    out = train_json(cli, "blobs", "--classes", "4", "--layers", "4", "--save", str(path))
    saved = load_model(path)
    assert saved.sizes == [4] and saved.task == "multiclass" and saved.class_labels == [0, 1, 2, 3]
    assert saved.meta["command"] == out["command"] and saved.meta["dataset"] == "blobs"
    assert saved.pipeline["standardize"] is not None  # blobs' preset standardises; predict must too
    evaluated = json.loads(cli("eval", str(path), "blobs", "--classes", "4", "--json").stdout)
    assert evaluated["accuracy"] == pytest.approx(out["train_accuracy"])


def test_init_from_continues_exactly(cli, tmp_path):
    # full-batch sgd at a constant rate keeps no state: 20 + 20 steps equal 40 steps
    common = ("moons", "--samples", "40", "--layers", "8,8,1", "--schedule", "constant", "--lr", "0.5")
    straight = train_json(cli, *common, "--steps", "40")["history"]["loss"]
    first = tmp_path / "first.json"
    train_json(cli, *common, "--steps", "20", "--save", str(first))
    resumed = train_json(cli, *common, "--steps", "20", "--init-from", str(first))["history"]["loss"]
    assert resumed == pytest.approx(straight[20:], rel=1e-9)
    without_layers = train_json(cli, "moons", "--samples", "40", "--steps", "1", "--init-from", str(first))
    assert without_layers["layers"] == [8, 8, 1]  # taken from the saved model


@pytest.mark.parametrize("first, standardized", [("--standardize", True), ("--no-standardize", False)])
def test_init_from_says_it_scales_the_inputs_as_the_saved_model(cli, tmp_path, first, standardized):
    # moons' preset does not standardise, circle's does: the run keeps the saved pipeline and must say so
    for dataset in ("moons", "circle"):
        path = tmp_path / f"{dataset}.json"
        train_json(cli, dataset, "--samples", "40", "--steps", "2", first, "--save", str(path))
        again = tmp_path / f"{dataset}-again.json"
        out = train_json(cli, dataset, "--samples", "40", "--steps", "1", "--init-from", str(path), "--save", str(again))
        saved = load_model(again)
        assert (saved.pipeline["standardize"] is not None) is standardized  # the saved model's scaling, kept
        assert out["standardize"] is standardized
        assert saved.meta["settings"]["standardize"] == ("yes" if standardized else "no")
        table = cli("train", dataset, "--samples", "40", "--steps", "1", "--init-from", str(path)).stdout
        assert any(line.split()[:3] == ["standardize", "yes" if standardized else "no", "--init-from"]
                   for line in table.splitlines())


def test_log_has_one_row_per_step(cli, tmp_path):
    path = tmp_path / "metrics.csv"
    out = train_json(cli, "xor", "--steps", "12", "--test-split", "0.25", "--log", str(path))
    rows = list(csv.DictReader(path.open()))
    assert list(rows[0]) == ["step", "loss", "accuracy", "test_loss", "test_accuracy", "lr"]
    assert [int(r["step"]) for r in rows] == list(range(1, 13))
    assert [float(r["loss"]) for r in rows] == out["history"]["loss"]
    assert float(rows[-1]["lr"]) == pytest.approx(1.0 * (1 - 0.9 * 11 / 12))


@pytest.mark.parametrize("steps", ["0", "1"])
def test_log_has_the_columns_of_the_json_history(cli, tmp_path, steps):
    # held-out data gives test columns even before any step, as --json's history has test_loss from the start
    path = tmp_path / "metrics.csv"
    out = train_json(cli, "xor", "--steps", steps, "--test-split", "0.25", "--log", str(path))
    header = path.read_text().splitlines()[0].split(",")
    assert header == ["step", "loss", "accuracy", "test_loss", "test_accuracy", "lr"]
    assert set(header[1:]) == set(out["history"])


@pytest.mark.parametrize("suffix, magic", [("png", b"\x89PNG"), ("svg", b"<?xml")])
def test_plot_writes_an_image(cli, tmp_path, suffix, magic):
    pytest.importorskip("matplotlib", reason="--plot draws with matplotlib")
    path = tmp_path / f"run.{suffix}"
    result = cli("train", "circle", "--steps", "10", "--quiet", "--plot", str(path))
    assert result.exit_code == 0, result.stderr
    assert path.read_bytes().startswith(magic) and path.stat().st_size > 5000
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no temporary file left


def test_plot_of_a_1d_regression(cli, tmp_path):
    pytest.importorskip("matplotlib", reason="--plot draws with matplotlib")
    path = tmp_path / "sine.svg"
    assert cli("train", "sine", "--steps", "5", "-q", "--plot", str(path)).exit_code == 0
    assert "<svg" in path.read_text()


@pytest.mark.parametrize(
    "args, message",
    [
        (["moons", "--steps", "-1"], "--steps must lie in 0..1,000,000, got -1"),
        (["moons", "--lr", "-1"], "--lr must be a positive number, got -1"),
        (["moons", "--lr", "nan"], "--lr must be a positive number"),
        (["moons", "--layers", "16,,1"], "--layers '16,,1': size 2 is empty"),
        (["moons", "--layers", "16,x,1"], "'x' is not a whole number"),
        (["moons", "--layers", "16,0,1"], "each size must lie in 1..1024, got 0"),
        (["moons", "--batch-size", "0"], "--batch-size must be at least 1, got 0"),
        (["moons", "--l2", "-0.1"], "--l2 must be a number >= 0"),
        (["blobs", "--classes", "4", "--layers", "16,16,1"], "end --layers with 4, not 1"),
        (["blobs", "--loss", "hinge"], "this dataset has 3: use --loss cross-entropy"),
        (["sine", "--loss", "hinge"], "this dataset is a regression task: use --loss mse"),
        (["moons", "--test-split", "1.5"], "--test-split must lie in [0, 1), got 1.5"),
        (["moonz"], "unknown dataset 'moonz' (did you mean 'moons'?)"),
        (["toy4", "--features", "x,y"], "need 2-D data"),
        (["moons", "--plot", "out.gif"], "--plot out.gif: the file name must end in .png or .svg"),
        (["moons", "--save", "no/such/folder/m.json"], "cannot write no/such/folder/m.json: the folder"),
        (["moons", "--init-from", "missing.json"], "model file missing.json not found"),
    ],
)
def test_bad_options_fail_with_exit_2_and_one_clear_message(cli, args, message):
    result = cli("train", *args)
    assert result.exit_code == 2, result.stdout
    assert message in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_unknown_choice_is_typers_usage_error(cli):
    result = cli("train", "moons", "--activation", "gelu")
    assert result.exit_code == 2 and "gelu" in result.stderr and "relu" in result.stderr


def test_init_from_with_another_architecture_is_explained(cli, tmp_path):
    path = tmp_path / "small.json"
    train_json(cli, "moons", "--layers", "4,1", "--steps", "2", "--save", str(path))
    result = cli("train", "moons", "--layers", "8,1", "--init-from", str(path))
    assert result.exit_code == 2
    assert "has 2 inputs and layers 4,1, but this run needs 2 inputs and layers 8,1" in result.stderr
    features = cli("train", "moons", "--features", "x,y,xy", "--init-from", str(path))
    assert features.exit_code == 2 and "takes 2 inputs (x1, x2) but moons gives 3" in features.stderr


def test_divergence_stops_names_the_step_and_saves_the_last_finite_model(cli, tmp_path):
    path = tmp_path / "m.json"
    result = cli("train", "sine", "--optimizer", "sgd", "--lr", "50", "--activation", "relu", "--save", str(path))
    assert result.exit_code == 1
    assert "error: the loss became" in result.stderr and "at step" in result.stderr
    assert "Try a lower learning rate than --lr 50" in result.stderr
    assert "Training summary" in result.stdout and "(diverged)" in result.stdout
    saved = load_model(path)  # loading checks every number is finite
    assert saved.meta["stopped"] == "diverged"


def test_help_ends_with_examples(cli):
    result = cli("train", "--help")
    assert result.exit_code == 0
    tail = result.stdout.rstrip().splitlines()[-5:]
    assert any("gradcli train moons --layers 16,16,1" in line for line in tail)
    for option in ("--layers", "--engine", "--init-from", "--standardize", "--test-split", "--json"):
        assert option in result.stdout


def test_real_subprocess_run_and_saved_model(run_gradcli, tmp_path):
    path = tmp_path / "m.json"
    done = run_gradcli("train", "moons", "--json", "--save", str(path))
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["train_accuracy"] >= 0.97
    assert out["command"] == f"gradcli train moons --json --save {path}"
    predictor = Predictor.from_saved(load_model(path))
    assert predictor.labels([[0.0, 1.0], [1.0, -0.5]]) == [0, 1]  # the top moon is class 0, the bottom one 1


def test_ctrl_c_stops_after_the_step_prints_the_summary_and_saves(tmp_path):
    path = tmp_path / "m.json"
    env = dict(os.environ, COLUMNS="200", NO_COLOR="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "gradcli", "train", "moons", "--steps", "1000000", "--save", str(path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as a terminal delivers Ctrl-C
    )
    try:
        first = process.stderr.readline()  # "step 1/1000000 ...": training has started, the next line is far off
        while first.startswith("warning: "):  # the announcement of a long run comes first
            first = process.stderr.readline()
        assert first.startswith("step 1/"), first
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:  # never leave a million-step run behind
            process.kill()
            process.wait()
    assert process.returncode == 130, stderr
    assert "Training summary" in stdout and "(interrupted)" in stdout
    assert "stopped after step" in stderr and "(Ctrl-C)" in stderr and "Traceback" not in stderr
    saved = load_model(path)
    assert saved.meta["stopped"] == "interrupted" and 1 <= saved.meta["steps_done"] < 1000000
    assert all(math.isfinite(w) for layer in saved.layers for row in layer.weights for w in row)


def test_batch_size_above_the_sample_count_is_a_warning(cli):
    result = cli("train", "moons", "--samples", "20", "--batch-size", "50", "--steps", "2", "-q")
    assert result.exit_code == 0
    assert "warning: --batch-size 50 is more than the 20 training samples" in result.stderr


def test_live_progress_draws_bar_numbers_and_map_in_a_terminal():
    import io

    from rich.console import Console

    from gradcli.render.progress import LiveProgress, make_progress
    from gradcli.render.train import LIVE_MAP_SIZE, decision_picture
    from gradcli.learn.train import train
    from gradcli.learn.run import DataOptions, prepare_run

    run = prepare_run("xor", DataOptions(), steps=5)
    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=120, color_system="truecolor")
    progress = make_progress(terminal, steps=5, metric_name="accuracy", quiet=False,
                             draw_map=lambda: decision_picture(run, *LIVE_MAP_SIZE))
    assert isinstance(progress, LiveProgress)
    with progress:
        train(run.model, run.data, run.config, on_step=progress.on_step)
    shown = screen.getvalue()
    assert "step 5/5  loss " in shown and "ETA 0:00" in shown and "steps/s" in shown
    assert "━" in shown and "●" in shown and "\x1b[" in shown  # bar, map markers, colour


def test_first_ctrl_c_requests_a_stop_and_the_second_interrupts():
    from gradcli.interrupts import StopOnInterrupt

    before = signal.getsignal(signal.SIGINT)
    with StopOnInterrupt() as interrupts:  # raise_signal runs the handler before it returns: no waiting
        assert not interrupts.requested()
        signal.raise_signal(signal.SIGINT)  # a request: the loop looks after the step
        with pytest.raises(KeyboardInterrupt):  # before it has looked, a second one abandons the step
            signal.raise_signal(signal.SIGINT)
        assert interrupts.requested()
    assert signal.getsignal(signal.SIGINT) is before
