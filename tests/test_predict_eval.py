"""`gradcli predict` and `gradcli eval` on saved models: outputs, pipelines, label mapping, errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gradcli.learn.inference import Predictor
from gradcli.learn.modelfile import load_model
from gradcli.learn.train import train
from gradcli.learn.run import DataOptions, prepare_run, run_meta


def save_trained(path, dataset, given=None, **options):
    """Train with the library (as `gradcli train` does) and save; returns the in-memory predictor."""
    from gradcli.learn.modelfile import save_model

    run = prepare_run(dataset, DataOptions(**options), **(given or {}))
    result = train(run.model, run.data, run.config)
    save_model(path, run.predictor.to_saved(run_meta(run, result, f"gradcli train {dataset}")))
    return run.predictor


@pytest.fixture(scope="module")
def moons_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("models") / "moons.json"
    predictor = save_trained(path, "moons")
    return path, predictor


def test_predict_one_point_prints_score_and_class(cli, moons_model):
    path, predictor = moons_model
    result = cli("predict", str(path), "--x1", "0.5", "--x2", "-0.2")
    assert result.exit_code == 0, result.stderr
    score = predictor.outputs([[0.5, -0.2]])[0, 0]
    header, values = result.stdout.split("\n")[:2]
    assert header.split() == ["x1", "x2", "score", "class"]
    assert values.split() == ["0.5", "-0.2", f"{score:.6g}", "1" if score > 0 else "0"]


def test_predict_json_and_name_value_form_match_the_saved_network(cli, moons_model):
    path, predictor = moons_model
    result = cli("predict", str(path), "x1=1.5", "x2=-0.4", "--format", "json")
    out = json.loads(result.stdout)
    assert out["score"] == pytest.approx(predictor.outputs([[1.5, -0.4]])[0, 0], rel=1e-15)
    assert out["class"] == predictor.labels([[1.5, -0.4]])[0]
    assert out["x1"] == 1.5 and out["x2"] == -0.4


def test_save_then_load_gives_the_same_predictions(moons_model):
    path, predictor = moons_model
    points = np.random.default_rng(0).uniform(-1.5, 2.5, size=(200, 2))
    loaded = Predictor.from_saved(load_model(path))
    assert np.array_equal(loaded.outputs(points), predictor.outputs(points))


def test_predict_input_csv_by_column_name_with_output_file(cli, moons_model, tmp_path):
    path, predictor = moons_model
    points = tmp_path / "points.csv"
    points.write_text("label,x2,x1\n1,0.25,0.5\n0,-0.5,2\n1,0.9,-0.8\n")  # any order, extra columns ignored
    out_file = tmp_path / "pred.csv"
    result = cli("predict", str(path), "--input", str(points), "--output", str(out_file), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    expected = predictor.outputs([[0.5, 0.25], [2.0, -0.5], [-0.8, 0.9]])[:, 0]
    lines = result.stdout.splitlines()
    assert lines[0] == "x1,x2,score,class"
    assert [float(line.split(",")[2]) for line in lines[1:]] == pytest.approx(list(expected), rel=1e-15)
    assert out_file.read_text().splitlines() == lines


def test_predict_applies_the_stored_standardisation_and_reports_probabilities(cli, tmp_path):
    path = tmp_path / "blobs.json"
    predictor = save_trained(path, "blobs", {"layers": [4], "steps": 50}, classes=4)
    assert predictor.pipeline.standardized
    result = cli("predict", str(path), "--x1", "0", "--x2", "6", "--format", "json")
    out = json.loads(result.stdout)
    probabilities = [out[f"p({k})"] for k in range(4)]
    assert sum(probabilities) == pytest.approx(1.0)
    raw = np.array([[0.0, 6.0]])
    logits = predictor.model.forward_array((raw - predictor.pipeline.mean) / predictor.pipeline.std)[0]
    assert out["class"] == int(np.argmax(logits)) == int(np.argmax(probabilities))


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--x1", "0.5"], "needs the inputs x1, x2; missing: x2"),
        (["--x1", "0.5", "--x2", "1", "--x3", "2"], "has no input 'x3' (its inputs: x1, x2)"),
        (["--x1", "abc", "--x2", "1"], "'abc' is not a number for --x1"),
        (["--x1", "1", "--x2", "2", "--input", "p.csv"], "either as options or with --input FILE.csv, not both"),
        (["--input", "nowhere.csv"], "no such file: nowhere.csv"),
        (["points.csv"], "unexpected argument 'points.csv': pass variables as --name VALUE or name=VALUE\n"
                         "hint: to predict every row of a CSV file: --input points.csv"),
        (["0.5", "1"], "hint: give each input as --NAME VALUE (or NAME=VALUE), or a CSV file with --input FILE.csv"),
    ],
)
def test_predict_input_errors(cli, moons_model, extra, message):
    path, _ = moons_model
    result = cli("predict", str(path), *extra)
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_predict_bad_csv_names_row_and_column(cli, moons_model, tmp_path):
    path, _ = moons_model
    points = tmp_path / "bad.csv"
    points.write_text("x1,x2\n1,2\n3,oops\n")
    result = cli("predict", str(path), "--input", str(points))
    assert result.exit_code == 2
    assert f"{points}, row 3, column 2 ('x2'): 'oops' is not a number" in result.stderr
    points.write_text("a,b\n1,2\n")
    result = cli("predict", str(path), "--input", str(points))
    assert "has no column x1, x2; the model's inputs are x1, x2" in result.stderr


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "not found"),
        ("{oops", "is not valid JSON"),
        ('{"format": "gradcli.mlp", "version": 9, "inputs": 2, "layers": []}',
         "version 9 is newer than this gradcli supports (version 2)"),
        ('{"format": "other"}', "field \"format\" is 'other'"),
    ],
)
def test_bad_model_files(cli, tmp_path, content, message):
    path = tmp_path / "model.json"
    if content is not None:
        path.write_text(content)
    for command in (["predict", str(path), "--x1", "1"], ["eval", str(path), "moons"]):
        result = cli(*command)
        assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_eval_on_fresh_data_with_confusion_matrix(cli, moons_model):
    path, _ = moons_model
    result = cli("eval", str(path), "moons", "--samples", "400", "--seed", "7", "--json")
    out = json.loads(result.stdout)
    assert out["samples"] == 400 and out["loss_name"] == "hinge"
    assert out["accuracy"] >= 0.95  # measured 0.998 on unseen moons
    assert sum(map(sum, out["confusion"])) == 400
    correct = out["confusion"][0][0] + out["confusion"][1][1]
    assert correct / 400 == pytest.approx(out["accuracy"])
    table = cli("eval", str(path), "moons", "--samples", "400", "--seed", "7")
    assert "Confusion matrix" in table.stdout and "accuracy" in table.stdout and "400" in table.stdout


def test_eval_maps_original_labels(cli, tmp_path):
    # toy4's labels are -1 and +1; a CSV with the same columns and only the +1 class still lines up
    path = tmp_path / "toy4.json"
    save_trained(path, "toy4")
    data = tmp_path / "ones.csv"
    data.write_text("x1,x2,x3,y\n2,3,-1,1\n1,1,-1,1\n0.5,1,1,-1\n")
    out = json.loads(cli("eval", str(path), str(data), "--json").stdout)
    assert out["labels"] == [-1, 1] and out["accuracy"] == 1.0
    assert out["confusion"] == [[1, 0], [0, 2]]


def test_eval_finds_the_model_s_own_target_column_wherever_it_is(cli, tmp_path):
    """Trained with --target label on a file where it is the first column; eval needs no --target again."""
    train_file = tmp_path / "train.csv"
    train_file.write_text("label,a,b\n" + "".join(f"{int(a + b > 0)},{a},{b}\n" for a, b in
                                                   np.random.default_rng(0).normal(size=(40, 2)).round(3)))
    model = tmp_path / "m.json"
    trained = cli("train", str(train_file), "--target", "label", "--steps", "30", "--save", str(model), "-q")
    assert trained.exit_code == 0, trained.output
    out = json.loads(cli("eval", str(model), str(train_file), "--json").stdout)
    assert out["samples"] == 40 and out["accuracy"] >= 0.9
    assert json.loads(cli("eval", str(model), str(train_file), "--target", "label", "--json").stdout) == out
    other = tmp_path / "other.csv"  # no column of that name: the last one is the target, as before
    other.write_text("a,b,c\n1,2,1\n-2,-1,0\n")
    assert json.loads(cli("eval", str(model), str(other), "--json").stdout)["accuracy"] == 1.0


def test_eval_regression_and_mismatches(cli, tmp_path):
    path = tmp_path / "sine.json"
    save_trained(path, "sine")
    out = json.loads(cli("eval", str(path), "sine", "--seed", "3", "--json").stdout)
    assert out["r2"] >= 0.9 and out["accuracy"] is None and out["mse"] < 0.1
    wrong_inputs = cli("eval", str(path), "moons")
    assert wrong_inputs.exit_code == 2
    assert "the model takes the inputs x1, but moons has x1, x2" in wrong_inputs.stderr
    classes = cli("eval", str(path), str(tmp_path / "classes.csv"))
    assert classes.exit_code == 2 and "no such file" in classes.stderr


def test_eval_refuses_unknown_classes_and_other_inputs(cli, moons_model):
    path, _ = moons_model
    result = cli("eval", str(path), "blobs")
    assert result.exit_code == 2 and "blobs has class 2, which the model does not know (its classes: 0, 1)" in result.stderr
    result = cli("eval", str(path), "toy4")
    assert result.exit_code == 2
    assert "the model takes the inputs x1, x2, but toy4 has x1, x2, x3" in result.stderr
    result = cli("eval", str(path), "reg-plane")
    assert result.exit_code == 2 and "the model is a binary classifier, but reg-plane is a regression dataset" in result.stderr


def test_predict_and_eval_help_end_with_examples(cli):
    for command, example in (("predict", "gradcli predict model.json --x1 0.5 --x2 -0.2"),
                             ("eval", "gradcli eval model.json moons --samples 1000 --seed 7")):
        result = cli(command, "--help")
        assert result.exit_code == 0 and example in result.stdout


def test_predict_as_a_real_subprocess(run_gradcli, moons_model):
    path, predictor = moons_model
    done = run_gradcli("predict", str(path), "--x1", "-1", "--x2", "0.5", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["class"] == predictor.labels([[-1.0, 0.5]])[0]


def test_a_model_with_named_classes_is_told_apart_from_numbered_data(cli, moons_model, tmp_path):
    """A model file may name its classes ("setosa"); numbered data then has classes the model does not know."""
    path, _ = moons_model
    named = json.loads(path.read_text())
    named["class_labels"] = ["a", "b"]
    (tmp_path / "named.json").write_text(json.dumps(named))
    result = cli("eval", str(tmp_path / "named.json"), "moons")
    assert result.exit_code == 2 and "moons has class 0, which the model does not know (its classes: a, b)" in result.stderr
    assert cli("predict", str(tmp_path / "named.json"), "--x1", "1", "--x2", "0", "--format", "csv").stdout.split()[-1] \
        .endswith((",a", ",b"))
