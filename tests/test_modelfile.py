"""Model files: round trip, atomic writes, and a clear error for every malformed field."""

from __future__ import annotations

import json

import pytest

from gradcli.errors import ModelFileError
from gradcli.learn.modelfile import LayerSpec, SavedModel, load_model, save_model


def small_model() -> SavedModel:
    return SavedModel(
        inputs=2,
        layers=[
            LayerSpec("relu", [[0.5, -1.0], [0.25, 2.0], [1.5, 0.0]], [0.0, 0.1, -0.2]),
            LayerSpec("linear", [[1.0, -1.0, 0.5]], [0.3]),
        ],
        input_names=["x1", "x2"],
        feature_names=["x1", "x2"],
        task="binary",
        class_labels=[0, 1],
        pipeline={"features": ["x", "y"], "standardize": False},
        meta={"dataset": "moons", "command": "gradcli train moons"},
    )


def test_round_trip_keeps_every_field(tmp_path):
    path = tmp_path / "model.json"
    save_model(path, small_model())
    loaded = load_model(path)
    assert loaded == small_model()
    assert loaded.sizes == [3, 1]
    assert loaded.parameter_count == 3 * 3 + 1 * 4


def test_written_file_has_the_documented_format(tmp_path):
    path = tmp_path / "model.json"
    save_model(path, small_model())
    raw = json.loads(path.read_text())
    assert raw["format"] == "gradcli.mlp" and raw["version"] == 2 and raw["inputs"] == 2
    assert raw["layers"][0]["weights"][1] == [0.25, 2.0]  # weights[j][i]: input i -> neuron j
    assert raw["layers"][-1]["activation"] == "linear"
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_save_refuses_non_finite_weights_and_keeps_the_old_file(tmp_path):
    path = tmp_path / "model.json"
    save_model(path, small_model())
    before = path.read_text()
    broken = small_model()
    broken.layers[0].weights[0][0] = float("nan")
    with pytest.raises(ModelFileError, match=r"layers\[0\]\.weights\[0\]\[0\] is not a finite number"):
        save_model(path, broken)
    assert path.read_text() == before
    assert list(tmp_path.iterdir()) == [path]


def test_save_into_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ModelFileError, match="the folder .* does not exist"):
        save_model(tmp_path / "nowhere" / "m.json", small_model())


def write(tmp_path, data, name="m.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def good_dict() -> dict:
    return small_model().to_dict()


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d.update(format="keras"), r"field \"format\" is 'keras', expected \"gradcli.mlp\""),
        (lambda d: d.update(version=7), r"version 7 is newer than this gradcli supports \(version 2\)"),
        (lambda d: d.update(version="1"), r"field \"version\" must be a positive integer"),
        (lambda d: d.update(inputs=0), r"field \"inputs\" must be a positive integer"),
        (lambda d: d.update(layers=[]), r"field \"layers\" must be a non-empty list"),
        (lambda d: d.update(inputs=3), r"layers\[0\]\.weights\[0\] must hold 3 numbers \(one per input\), got 2"),
        (lambda d: d["layers"][1]["weights"][0].pop(), r"layers\[1\]\.weights\[0\] must hold 3 numbers"),
        (lambda d: d["layers"][0]["biases"].pop(), r"layers\[0\]\.biases must hold 3 numbers .*got 2"),
        (lambda d: d["layers"][0]["weights"][2].__setitem__(1, "x"), r"layers\[0\]\.weights\[2\]\[1\] is \"x\", not a number"),
        (lambda d: d["layers"][0].update(activation="gelu"), r"layers\[0\]\.activation is 'gelu'"),
        (lambda d: d.update(task="ranking"), r"field \"task\" is 'ranking'"),
        (lambda d: d.update(feature_names=["a"]), r"\"feature_names\" has 1 names but \"inputs\" is 2"),
    ],
)
def test_malformed_fields_are_named(tmp_path, mutate, message):
    data = good_dict()
    mutate(data)
    path = write(tmp_path, data)
    with pytest.raises(ModelFileError, match=message) as info:
        load_model(path)
    assert str(path) in str(info.value)
    assert info.value.exit_code == 2


def test_missing_file_not_json_and_nan(tmp_path):
    with pytest.raises(ModelFileError, match="model file .*nope.json not found"):
        load_model(tmp_path / "nope.json")
    with pytest.raises(ModelFileError, match=r"is not valid JSON \(line 1, column \d+: "):
        load_model(write(tmp_path, "{not json"))
    with pytest.raises(ModelFileError, match="NaN is not a finite number"):
        load_model(write(tmp_path, json.dumps(good_dict()).replace("0.5", "NaN", 1)))
    with pytest.raises(ModelFileError, match="expected a JSON object"):
        load_model(write(tmp_path, "[1, 2]"))


def test_oversized_file_is_refused(tmp_path, monkeypatch):
    import gradcli.learn.modelfile as modelfile

    monkeypatch.setattr(modelfile, "MAX_BYTES", 100)
    path = tmp_path / "m.json"
    save_model(path, small_model())
    with pytest.raises(ModelFileError, match="m.json is 697 bytes; gradcli reads model files up to 100 bytes"):
        load_model(path)


@pytest.mark.parametrize("text", [
    json.dumps({**good_dict(), "meta": {"deep": json.loads("[" * 40 + "]" * 40)}}),  # parsed, then refused
    "[" * 100_000 + "]" * 100_000,  # Python's parser gives up (RecursionError)
], ids=["40 levels in meta", "100,000 levels"])
def test_json_nested_too_deep_names_the_file(tmp_path, text):
    path = write(tmp_path, text)
    with pytest.raises(ModelFileError) as caught:
        load_model(path)
    assert str(caught.value) == f"{path}: the JSON nests more than 32 levels deep; a gradcli model nests a few"


@pytest.mark.parametrize("digits", [400, 5000])
def test_an_integer_no_float_can_hold_is_a_clear_error(tmp_path, digits):
    data = json.dumps(good_dict()).replace("0.5", "9" * digits, 1)
    with pytest.raises(ModelFileError, match=rf"the integer 999999999999\.\.\. \({digits} digits\) is too large for a float"):
        load_model(write(tmp_path, data))


def test_a_large_integer_that_fits_a_float_is_a_weight(tmp_path):
    data = json.dumps(good_dict()).replace("0.5", "1" + "0" * 300, 1)
    assert load_model(write(tmp_path, data)).layers[0].weights[0][0] == 1e300


@pytest.mark.parametrize("labels, message", [
    ([0], 'field "class_labels" has 1 label, but the network predicts 2 classes (one label each)'),
    ([0, 1, 2], 'field "class_labels" has 3 labels, but the network predicts 2 classes (one label each)'),
    ([1, 1], 'field "class_labels" names a class twice: [1, 1]'),
    ([0, [1]], "class_labels[1] is [1], not a number"),
])
def test_class_labels_must_match_the_outputs(tmp_path, labels, message):
    data = good_dict()
    data["class_labels"] = labels
    path = write(tmp_path, data)
    with pytest.raises(ModelFileError) as caught:
        load_model(path)
    assert str(caught.value).endswith(message)


def test_save_reports_numbers_written_as_null(tmp_path):
    model = small_model()
    assert save_model(tmp_path / "m.json", model) is None
    model.meta["metrics"] = {"final_loss": float("inf")}
    note = save_model(tmp_path / "m.json", model)
    assert note == "JSON has no NaN or infinity: written as null: meta.metrics.final_loss (inf)"
    assert json.loads((tmp_path / "m.json").read_text())["meta"]["metrics"]["final_loss"] is None


def test_extra_keys_are_allowed(tmp_path):
    data = good_dict()
    data["trained_by"] = "someone"
    assert load_model(write(tmp_path, data)).inputs == 2


def test_saved_file_gets_ordinary_permissions(tmp_path):
    import os

    path = tmp_path / "model.json"
    save_model(path, small_model())
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_save_onto_a_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ModelFileError, match="is a folder: give a file name"):
        save_model(tmp_path, small_model())


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=40, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 5), min_size=1, max_size=4),
    inputs=st.integers(1, 4),
    seed=st.integers(0, 2**32 - 1),
    scale=st.sampled_from([1e-300, 1e-3, 1.0, 1e6, 1e300]),
)
def test_any_network_round_trips_exactly(tmp_path_factory, sizes, inputs, seed, scale):
    import numpy as np

    from gradcli.learn.nn import MLP

    model = MLP(inputs, sizes, activation="tanh", rng=np.random.default_rng(seed))
    for p in model.parameters():
        p.data *= scale
    path = tmp_path_factory.mktemp("rt") / "m.json"
    save_model(path, SavedModel(inputs, model.to_specs()))
    loaded = load_model(path)
    assert [[w for row in layer.weights for w in row] + layer.biases for layer in loaded.layers] == \
        [[w for row in layer.weights for w in row] + layer.biases for layer in model.to_specs()]  # every bit
    X = np.random.default_rng(seed).normal(size=(5, inputs))
    assert np.array_equal(MLP.from_specs(inputs, loaded.layers).forward_array(X), model.forward_array(X))
