"""`gradcli export`: ONNX Runtime's predictions equal gradcli's, for every activation, several shapes, both tasks.

Each model is trained for a few steps (random-looking weights are the harder test), exported, run
by ONNX Runtime on the training rows and on rows far outside them, and compared with what
`gradcli predict` computes (``Predictor``): outputs and probabilities to 1e-9 relative in float64
(1e-5 in float32, of the largest output for a value near 0), and the very same class labels.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from gradcli.learn.config import Activation
from gradcli.learn.inference import Predictor
from gradcli.learn.modelfile import LayerSpec, SavedModel, load_model
from gradcli.learn.run import DataOptions, prepare_run, saved_model
from gradcli.learn.train import train

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from gradcli.learn.export import onnx_model, write_onnx  # noqa: E402

# task -> (dataset, data options): binary with Playground features and standardisation, -1/+1 labels;
# three classes (cross-entropy: probabilities); regression on two inputs, standardised
TASKS = {
    "binary": ("xor", DataOptions(samples=60, features="x,y,xy,sinx,y2")),
    "multiclass": ("blobs", DataOptions(samples=60, features="x,y,x2,siny")),
    "regression": ("reg-plane", DataOptions(samples=60)),
}
SHAPES = {"one": [5], "two": [6, 3], "three": [4, 5, 3]}  # hidden sizes; "three" names the output's activation too


def trained(task: str, activation: str, shape: str) -> SavedModel:
    dataset, options = TASKS[task]
    outputs = 3 if task == "multiclass" else 1
    output = f"{outputs}:{activation}" if shape == "three" else str(outputs)
    layers = ",".join(map(str, SHAPES[shape])) + "," + output
    run = prepare_run(dataset, options, layers=layers, activation=activation, steps=4, init="xavier",
                      standardize=True)
    result = train(run.model, run.data, run.config)
    return saved_model(run, result, "gradcli train (test)")


def rows(saved: SavedModel) -> np.ndarray:
    """The kind of rows predict gets: inside the data, and far outside it."""
    rng = np.random.default_rng(7)
    return np.vstack([rng.uniform(-6, 6, size=(40, len(saved.input_names))),
                      rng.uniform(-60, 60, size=(10, len(saved.input_names)))])


def run_onnx(model, X: np.ndarray) -> dict:
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    names = [output.name for output in session.get_outputs()]
    return dict(zip(names, session.run(None, {"inputs": X})))


def assert_close(got, want, rtol: float, floor: float = 1e-3) -> None:
    """Each value to ``rtol`` of itself, or (a value near 0 that is a difference of larger ones) to
    ``rtol * floor`` of the largest output."""
    want = np.asarray(want, dtype=np.float64)
    scale = float(np.max(np.abs(want))) or 1.0
    np.testing.assert_allclose(np.asarray(got, dtype=np.float64), want, rtol=rtol, atol=rtol * floor * scale)


@pytest.mark.parametrize("shape", list(SHAPES))
@pytest.mark.parametrize("activation", [a.value for a in Activation])
@pytest.mark.parametrize("task", list(TASKS))
def test_onnx_runtime_predicts_what_gradcli_predicts(task, activation, shape):
    saved = trained(task, activation, shape)
    predictor = Predictor.from_saved(saved)
    X = rows(saved)
    got = run_onnx(onnx_model(saved), X)
    assert_close(got["outputs"], predictor.outputs(X), rtol=1e-9)
    if task == "regression":
        assert set(got) == {"outputs"}
        return
    assert got["label"].tolist() == predictor.labels(X)
    if task == "multiclass":
        assert_close(got["probabilities"], predictor.probabilities(X), rtol=1e-9)
    else:
        assert set(got) == {"outputs", "label"} and set(predictor.labels(X)) <= {-1, 1}


@pytest.mark.parametrize("task", list(TASKS))
def test_float32_graphs_agree_to_1e_5(task):
    saved = trained(task, "tanh", "two")
    predictor = Predictor.from_saved(saved)
    X = rows(saved)
    got = run_onnx(onnx_model(saved, float32=True), X.astype(np.float32))
    assert got["outputs"].dtype == np.float32
    want = predictor.outputs(X)
    # float32 keeps 7 digits of each product: an output that is a small difference of large ones keeps fewer
    # of its own, so a value near 0 is held to 1e-5 of the largest output
    assert_close(got["outputs"], want, rtol=1e-5, floor=1.0)
    if task != "regression":
        scores = want if want.shape[1] == 1 else np.sort(want, axis=1)[:, -2:] @ np.array([-1.0, 1.0])[:, None]
        sure = np.abs(scores[:, 0]) > 1e-4 * np.max(np.abs(want))  # not a tie that rounding could break
        assert np.array(got["label"])[sure].tolist() == np.array(predictor.labels(X))[sure].tolist()


def test_softplus_keeps_its_digits_where_log_of_1_plus_e_to_the_z_loses_them():
    weights = [[1.0]]
    saved = SavedModel(1, [LayerSpec("softplus", weights, [0.0])], ["x1"], ["x1"], "regression")
    X = np.array([[-40.0], [-700.0], [-1.0], [0.0], [3.0], [40.0], [700.0]])
    got = run_onnx(onnx_model(saved), X)["outputs"][:, 0]
    want = np.logaddexp(0.0, X[:, 0])
    np.testing.assert_allclose(got, want, rtol=1e-15)


def test_class_labels_that_are_names_or_fractions_keep_their_type():
    layer = LayerSpec("linear", [[1.0, -1.0]], [0.0])
    X = np.array([[2.0, 1.0], [-1.0, 3.0]])
    for labels, expected in ((["no", "yes"], ["yes", "no"]), ([0.5, 1.5], [1.5, 0.5])):
        saved = SavedModel(2, [layer], ["a", "b"], ["a", "b"], "binary", labels)
        got = run_onnx(onnx_model(saved), X)["label"].tolist()
        assert got == expected == Predictor.from_saved(saved).labels(X)


def test_the_graph_says_what_it_is():
    saved = trained("binary", "relu", "two")
    model = onnx_model(saved, source="model.json")
    assert model.opset_import[0].version == 17 and model.ir_version == 8 and model.producer_name == "gradcli"
    properties = {p.key: p.value for p in model.metadata_props}
    assert json.loads(properties["input_names"]) == ["x1", "x2"] and properties["task"] == "binary"
    assert properties["command"] == "gradcli train (test)"
    ops = [node.op_type for node in model.graph.node]
    assert ops.count("Gemm") == 3 and "Sin" in ops and "Concat" in ops and "Div" in ops  # features, scaling


def test_the_command_writes_a_file_onnx_runtime_runs_like_predict(cli, tmp_path):
    model_path, onnx_path = tmp_path / "model.json", tmp_path / "model.onnx"
    assert cli("train", "spiral", "--steps", "5", "--features", "x,y,sinx", "--quiet", "--save",
               str(model_path)).exit_code == 0
    result = cli("export", str(model_path), "-o", str(onnx_path))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"wrote {onnx_path} (") and "float64, opset 17): inputs (x1, x2)" in result.stdout
    points = tmp_path / "points.csv"
    X = rows(load_model(model_path))
    points.write_text("x1,x2\n" + "\n".join(f"{a!r},{b!r}" for a, b in X.tolist()))
    predict = cli("predict", str(model_path), "--input", str(points), "--json")
    assert predict.exit_code == 0, predict.output
    predicted = json.loads(predict.stdout)
    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    outputs, labels = session.run(None, {"inputs": X})
    assert_close(outputs[:, 0], [row["score"] for row in predicted], rtol=1e-9)
    assert labels.tolist() == [row["class"] for row in predicted]


def test_without_onnx_the_command_says_how_to_install_it(cli, tmp_path, monkeypatch):
    import sys

    model_path = tmp_path / "model.json"
    assert cli("train", "moons", "--steps", "2", "--quiet", "--save", str(model_path)).exit_code == 0
    monkeypatch.setitem(sys.modules, "onnx", None)  # as if it were not installed
    result = cli("export", str(model_path), "-o", str(tmp_path / "m.onnx"))
    assert result.exit_code == 1
    assert "error: gradcli export writes ONNX with the onnx package, which is not installed" in result.stderr
    assert "hint: install it with: pip install 'gradcli[onnx]'" in result.stderr
    assert not (tmp_path / "m.onnx").exists()


def test_a_file_is_written_whole(tmp_path):
    saved = trained("regression", "relu", "one")
    path = tmp_path / "m.onnx"
    size = write_onnx(path, onnx_model(saved))
    assert path.stat().st_size == size and [p.name for p in tmp_path.iterdir()] == ["m.onnx"]
    onnx.checker.check_model(str(path))
