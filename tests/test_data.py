"""Datasets: generators (shapes, balance, Playground formulas, seeds), splits, input pipelines."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradcli.render.errors import flag_name
from gradcli.data import playground
from gradcli.data.datasets import (
    GENERATORS,
    Dataset,
    InputPipeline,
    blob_centres,
    builtin_datasets,
    load_dataset,
    split,
)
from gradcli.errors import DataError, ModelFileError, UsageError
from gradcli.data.features import parse_features

GENERATED = list(GENERATORS)
CLASSIFICATION = [name for name, g in GENERATORS.items() if g.info.task != "regression"]


# ---------------------------------------------------------------- every generator

@pytest.mark.parametrize("name", GENERATED)
def test_generated_shapes_and_names(name):
    data = load_dataset(name, samples=60)
    width = 1 if name == "sine" else 2
    assert data.X.shape == (60, width) and data.X.dtype == np.float64
    assert data.y.shape == (60,) and data.y.dtype == np.float64
    assert data.input_names == [f"x{i + 1}" for i in range(width)]
    assert data.target_name == "y"
    assert data.name == name and data.description
    assert np.all(np.isfinite(data.X)) and np.all(np.isfinite(data.y))


@pytest.mark.parametrize("name", GENERATED)
def test_same_seed_same_data_other_seed_other_data(name):
    a, b = load_dataset(name, seed=7), load_dataset(name, seed=7)
    c = load_dataset(name, seed=8)
    assert np.array_equal(a.X, b.X) and np.array_equal(a.y, b.y)
    assert not np.array_equal(a.X, c.X)


@pytest.mark.parametrize("name", CLASSIFICATION)
def test_classification_labels_are_indices_with_every_class_present(name):
    data = load_dataset(name)
    classes = 3 if name == "blobs" else 2  # blobs: 3 clusters unless --classes
    assert data.task == ("multiclass" if classes > 2 else "binary") and data.n_classes == classes
    assert set(np.unique(data.y)) == set(range(classes))
    assert min(data.class_counts()) >= 30  # no generator is badly unbalanced at 100 samples


def test_sklearn_sets_are_balanced_with_labels_0_1():
    for name in ("moons", "circles"):
        data = load_dataset(name, samples=100)
        assert data.class_labels == [0, 1] and data.class_counts() == [50, 50]


def test_moons_matches_scikit_learn_exactly():
    from sklearn.datasets import make_moons

    X, y = make_moons(n_samples=100, noise=0.1, random_state=1337)
    data = load_dataset("moons")
    assert np.array_equal(data.X, X) and np.array_equal(data.y, y)


def test_circles_inner_ring_has_half_the_radius():
    data = load_dataset("circles", noise=0.0)
    radius = np.hypot(data.X[:, 0], data.X[:, 1])
    assert radius[data.y == 0] == pytest.approx(1.0) and radius[data.y == 1] == pytest.approx(0.5)


@pytest.mark.parametrize("classes", [2, 3, 4, 7])
def test_blobs_has_k_balanced_classes_around_their_centres(classes):
    data = load_dataset("blobs", classes=classes, samples=40 * classes)
    assert data.n_classes == classes and data.class_counts() == [40] * classes
    assert data.task == ("binary" if classes == 2 else "multiclass")
    centres = blob_centres(classes)
    for k in range(classes):  # noise 0.1 is scikit-learn's cluster_std 1.0
        assert np.linalg.norm(data.X[data.y == k].mean(axis=0) - centres[k]) < 0.6
        assert data.X[data.y == k].std(axis=0) == pytest.approx([1.0, 1.0], abs=0.3)


def test_blob_centres_are_far_apart_for_every_k():
    for classes in range(2, 11):
        centres = blob_centres(classes)
        gaps = np.linalg.norm(centres[:, None] - centres[None], axis=2) + np.eye(classes) * 1e9
        assert gaps.min() >= 7.0 - 1e-9


# ---------------------------------------------------------------- Playground formulas

def test_playground_labels_are_plus_minus_one():
    for name in ("circle", "xor", "gauss", "spiral"):
        assert load_dataset(name).class_labels == [-1, 1]


def test_xor_labels_follow_the_sign_rule_without_noise():
    data = load_dataset("xor", noise=0.0, samples=400)
    positive = data.X[:, 0] * data.X[:, 1] >= 0
    assert np.array_equal(data.y == 1, positive)  # index 1 is the label +1
    assert np.all(np.abs(data.X) >= 0.3) and np.all(np.abs(data.X) <= 5.3)


def test_circle_radius_decides_the_class_without_noise():
    data = load_dataset("circle", noise=0.0, samples=400)
    radius = np.hypot(data.X[:, 0], data.X[:, 1])
    assert np.all(radius[data.y == 1] < 2.5)
    assert np.all((radius[data.y == 0] >= 3.5) & (radius[data.y == 0] <= 5.0))
    assert data.class_counts() == [200, 200]


def test_circle_noise_moves_labels_not_points():
    quiet = load_dataset("circle", noise=0.0, samples=400)
    noisy = load_dataset("circle", noise=0.5, samples=400)
    assert np.array_equal(quiet.X, noisy.X)
    assert not np.array_equal(quiet.y, noisy.y)


def test_gauss_means_and_variance_follow_the_playground():
    data = load_dataset("gauss", noise=0.0, samples=4000)
    assert data.X[data.y == 1].mean(axis=0) == pytest.approx([2, 2], abs=0.06)
    assert data.X[data.y == 0].mean(axis=0) == pytest.approx([-2, -2], abs=0.06)
    assert data.X[data.y == 1].var(axis=0) == pytest.approx([0.5, 0.5], rel=0.1)
    assert playground.gauss_variance(0.5) == 4.0 and playground.gauss_variance(0.25) == 2.25


def test_spiral_points_follow_the_arm_formula_without_noise():
    data = load_dataset("spiral", noise=0.0, samples=100)
    arm = data.X[data.y == 1]  # the +1 arm: delta 0, points in generation order
    i = np.arange(50)
    r, t = 5 * i / 50, 1.75 * 2 * np.pi * i / 50
    assert arm == pytest.approx(np.column_stack([r * np.sin(t), r * np.cos(t)]))


def test_spiral_with_k_arms_is_multiclass_with_equal_arms():
    data = load_dataset("spiral", classes=3, samples=91)
    assert data.task == "multiclass" and data.class_labels == [0, 1, 2]
    assert data.class_counts() == [31, 30, 30]


def test_reg_plane_target_is_the_scaled_sum_without_noise():
    data = load_dataset("reg-plane", noise=0.0)
    assert data.task == "regression" and data.class_labels == [] and data.n_classes == 0
    assert data.y == pytest.approx((data.X[:, 0] + data.X[:, 1]) / 10)
    assert np.all(np.abs(data.X) <= 6)


class ScriptedRng:
    """Stands in for the generator: the first draw returns chosen points, later draws zeros."""

    def __init__(self, points):
        self.draws = [np.asarray(points, dtype=float)]

    def uniform(self, low, high, size):
        return self.draws.pop(0) if self.draws else np.zeros(size)


def test_reg_gauss_target_at_bump_centres_and_far_away():
    X = [[-4, 2.5], [0, 2.5], [0, -2.5], [4, -2.5], [-2, 0], [0, 1.5]]
    points, target = playground.reg_gauss(len(X), 0.0, ScriptedRng(X))
    assert points.tolist() == X
    # on a centre: the bump's sign; 2 or more away from every centre: 0; 1 away: half height
    assert target == pytest.approx([1, -1, 1, -1, 0, -0.5])


def test_sine_is_sin_of_x_plus_noise():
    data = load_dataset("sine", noise=0.0)
    assert data.y == pytest.approx(np.sin(data.X[:, 0]))
    assert np.all(np.abs(data.X) <= np.pi)


# ---------------------------------------------------------------- option checks

@pytest.mark.parametrize("kwargs, message", [
    ({"samples": 1}, "--samples must lie in [4, 100,000], got 1"),
    ({"samples": 200_000}, "--samples must lie in [4, 100,000]"),
    ({"noise": 0.7}, "--noise for xor must lie in [0, 0.5], got 0.7"),
    ({"noise": -0.1}, "--noise for xor must lie in [0, 0.5]"),
    ({"seed": -1}, "--seed must lie in [0, 4,294,967,295], got -1"),
    ({"classes": 3}, "--classes applies only to blobs and spiral, not to xor"),
    ({"target": "z"}, "--target applies to CSV files"),
    ({"task": "regression"}, "xor is a binary dataset"),
    ({"task": "ranking"}, "unknown task 'ranking'"),
])
def test_bad_options_are_usage_errors_with_the_range(kwargs, message):
    with pytest.raises(UsageError) as caught:
        load_dataset("xor", **kwargs)
    assert message in caught.value.describe(flag_name)  # as the CLI words it
    python = str(caught.value)  # as a Python caller reads it: the argument's name
    assert "--" not in python and (caught.value.setting is None or caught.value.setting in python)


def test_classes_range_and_samples_per_class():
    with pytest.raises(UsageError, match=r"^classes must lie in \[2, 10\], got 11") as caught:
        load_dataset("blobs", classes=11)
    assert caught.value.describe(flag_name).startswith("--classes must lie in [2, 10], got 11")
    with pytest.raises(UsageError, match=r"^samples must lie in \[10, ") as caught:
        load_dataset("spiral", classes=5, samples=9)
    assert caught.value.describe(flag_name).startswith("--samples must lie in [10, ")
    assert load_dataset("sine", samples=2).n_samples == 2


def test_unknown_name_suggests_the_closest():
    with pytest.raises(DataError) as caught:
        load_dataset("moon")
    assert caught.value.message == "unknown dataset 'moon' (did you mean 'moons'?); see `gradcli datasets`"
    with pytest.raises(DataError, match="did you mean 'toy4'"):
        load_dataset("toy5")
    with pytest.raises(DataError, match=r"^unknown dataset 'zzz'; see"):
        load_dataset("zzz")


# ---------------------------------------------------------------- the list

def test_builtin_list_names_every_dataset_once():
    infos = builtin_datasets()
    names = [info.name for info in infos]
    assert len(names) == len(set(names))
    assert set(GENERATED) | {"toy4", "linear2"} <= set(names)
    by_name = {info.name: info for info in infos}
    assert by_name["toy4"].size == "4 rows" and by_name["toy4"].task == "binary" and not by_name["toy4"].is_2d
    assert by_name["linear2"].task == "regression" and not by_name["linear2"].generated
    assert by_name["moons"].size == "100 by default" and by_name["moons"].is_2d
    assert by_name["sine"].task == "regression" and not by_name["sine"].is_2d
    assert all(info.description for info in infos)


# ---------------------------------------------------------------- split

@pytest.mark.parametrize("name, fraction", [("moons", 0.2), ("circle", 0.3), ("blobs", 0.25)])
def test_split_is_stratified(name, fraction):
    data = load_dataset(name, samples=200, **({"classes": 4} if name == "blobs" else {}))
    train, test = split(data, fraction, seed=3)
    assert train.n_samples + test.n_samples == 200
    assert test.n_samples == round(200 * fraction)
    for k, total in enumerate(data.class_counts()):
        assert test.class_counts()[k] == pytest.approx(total * fraction, abs=1)
    # the two parts are disjoint and together give back the whole set
    rows = {tuple(r) for r in np.vstack([train.X, test.X])}
    assert rows == {tuple(r) for r in data.X}


def test_split_is_deterministic_and_seeded():
    data = load_dataset("moons")
    a, b, c = split(data, 0.3, 1), split(data, 0.3, 1), split(data, 0.3, 2)
    assert np.array_equal(a[1].X, b[1].X) and not np.array_equal(a[1].X, c[1].X)


def test_split_zero_keeps_everything_and_bad_fractions_fail():
    data = load_dataset("toy4")
    assert split(data, 0.0, 1) == (data, None)
    for bad in (1.0, -0.1, 1.5):
        with pytest.raises(UsageError, match=r"^test_fraction must lie in \[0, 1\)") as caught:
            split(data, bad, 1)
        assert caught.value.describe(flag_name).startswith("--test-split must lie in [0, 1)")


def test_split_keeps_a_training_sample_of_every_class():
    data = load_dataset("toy4")
    train, test = split(data, 0.9, 1)
    assert train.class_counts() == [1, 1] and test.n_samples == 2


def test_split_regression():
    train, test = split(load_dataset("sine", samples=50), 0.2, 0)
    assert (train.n_samples, test.n_samples) == (40, 10) and test.task == "regression"


# ---------------------------------------------------------------- input pipeline

def test_feature_expansion_values():
    data = load_dataset("moons")
    pipeline = InputPipeline.build(data, ["x", "y", "x2", "y2", "xy", "sinx", "siny"], False, data.X)
    out = pipeline.transform(np.array([[2.0, -3.0]]))
    assert out.tolist() == [[2.0, -3.0, 4.0, 9.0, -6.0, pytest.approx(np.sin(2.0)), pytest.approx(np.sin(-3.0))]]
    assert pipeline.n_inputs == 7
    assert pipeline.feature_names == ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"]


def test_raw_inputs_pass_through_without_features():
    data = load_dataset("toy4")
    pipeline = InputPipeline.build(data, None, False, data.X)
    assert np.array_equal(pipeline.transform(data.X), data.X)
    assert pipeline.n_inputs == 3 and pipeline.feature_names == ["x1", "x2", "x3"]


def test_standardize_fits_on_the_given_inputs_only():
    data = load_dataset("moons")
    train, test = split(data, 0.5, 0)
    pipeline = InputPipeline.build(train, ["x", "y", "xy"], True, train.X)
    fitted = pipeline.transform(train.X)
    assert fitted.mean(axis=0) == pytest.approx([0, 0, 0], abs=1e-12)
    assert fitted.std(axis=0) == pytest.approx([1, 1, 1])
    assert pipeline.transform(test.X).mean(axis=0) != pytest.approx([0, 0, 0], abs=1e-6)


def test_standardize_leaves_constant_columns_centred_not_divided_by_zero():
    data = load_dataset("linear2")
    X = np.array([[1.0, 5.0], [3.0, 5.0]])
    out = InputPipeline.build(data, None, True, X).transform(X)
    assert out.tolist() == [[-1.0, 0.0], [1.0, 0.0]]


def test_pipeline_round_trips_through_json():
    data = load_dataset("xor")
    for features, standardize in [(None, False), (["x", "y", "xy"], True), (["sinx", "x2"], False)]:
        pipeline = InputPipeline.build(data, features, standardize, data.X)
        restored = InputPipeline.from_dict(json.loads(json.dumps(pipeline.to_dict())))
        assert restored.feature_names == pipeline.feature_names
        assert np.array_equal(restored.transform(data.X), pipeline.transform(data.X))


def test_pipeline_from_a_malformed_dict_is_a_model_file_error():
    good = InputPipeline.build(load_dataset("xor"), ["x", "y"], True, load_dataset("xor").X).to_dict()
    for broken in [{}, {**good, "features": ["zz"]}, {**good, "input_names": []},
                   {**good, "standardize": {"mean": [0.0], "std": [1.0]}},
                   {**good, "standardize": {"mean": [0.0, 0.0], "std": [1.0, 0.0]}}]:
        with pytest.raises(ModelFileError, match="input pipeline is malformed"):
            InputPipeline.from_dict(broken)


def test_features_need_2d_data_and_known_names():
    with pytest.raises(UsageError, match="need 2-D data; toy4 has 3 inputs"):
        InputPipeline.build(load_dataset("toy4"), ["x", "y"], False, load_dataset("toy4").X)
    with pytest.raises(UsageError, match=r"need 2-D data; sine has 1 input \(x1\)"):
        InputPipeline.build(load_dataset("sine"), ["x", "y"], False, load_dataset("sine").X)
    with pytest.raises(UsageError, match="unknown feature 'x1'; the features are x, y, x2"):
        parse_features("x1,x2")
    with pytest.raises(UsageError, match="the feature 'x' is given twice"):
        parse_features("x,y,x")
    assert parse_features("x, y, x^2, x*y, sin(y)") == ["x", "y", "x2", "xy", "siny"]


def test_transform_checks_the_input_width():
    pipeline = InputPipeline.build(load_dataset("toy4"), None, False, load_dataset("toy4").X)
    with pytest.raises(UsageError, match=r"expected 3 inputs \(x1, x2, x3\), got 2"):
        pipeline.transform(np.zeros((5, 2)))
    assert pipeline.transform([1.0, 2.0, 3.0]).shape == (1, 3)


# ---------------------------------------------------------------- properties



@settings(max_examples=80, deadline=None)
@given(counts=st.lists(st.integers(1, 40), min_size=2, max_size=5), fraction=st.floats(0.01, 0.95),
       seed=st.integers(0, 2**32 - 1))
def test_split_always_partitions_and_keeps_every_class(counts, fraction, seed):
    y = np.repeat(np.arange(len(counts)), counts).astype(float)
    X = np.arange(len(y), dtype=float).reshape(-1, 1)   # each row is its own index
    data = Dataset("p", X, y, "multiclass", ["x1"], list(range(len(counts))), "y", "")
    try:
        train, test = split(data, fraction, seed)
    except UsageError as error:   # only when nothing can be held out or kept
        assert "leaves no training or no test samples" in error.message
        return
    assert sorted(train.X[:, 0].tolist() + test.X[:, 0].tolist()) == X[:, 0].tolist()
    assert all(count >= 1 for count in train.class_counts())
    assert test.n_samples >= 1
    # each class gives its share, within one sample of the exact proportion, except that a class
    # which must keep one sample back passes what it cannot give to the others
    exact = [total * test.n_samples / len(y) for total in counts]
    passed_on = sum(max(0.0, e - (total - 1)) for e, total in zip(exact, counts))
    for k, total in enumerate(counts):
        assert test.class_counts()[k] <= max(total - 1, 0)
        assert abs(test.class_counts()[k] - exact[k]) <= 1.0 + passed_on + 1e-9 or \
            test.class_counts()[k] == total - 1
