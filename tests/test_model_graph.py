"""draw model.json --graph: a network's expression graph for one input, scalar (micrograd's) or tensor view."""

from __future__ import annotations

import json
import random
import re

import numpy as np
import pytest

from gradcli.autograd.engine import Value, topological_order
from gradcli.learn.inference import Predictor
from gradcli.learn.losses import encode_targets, per_sample_loss
from gradcli.learn.model_graph import graph_size, model_graph
from gradcli.learn.modelfile import load_model
from gradcli.learn.nn import MLP
from gradcli.pictures.graph import expression_drawing, expression_size


@pytest.fixture(scope="module")
def moons(tmp_path_factory):
    from typer.testing import CliRunner

    from gradcli.cli.app import app

    path = tmp_path_factory.mktemp("graph") / "moons.json"
    result = CliRunner().invoke(app, ["train", "moons", "--layers", "8,8,1", "--steps", "30", "--quiet", "--save",
                                      str(path)])
    assert result.exit_code == 0, result.output
    return path


def test_the_tensor_view_is_four_operations_a_layer_with_matrices(moons):
    predictor = Predictor.from_saved(load_model(moons))
    graph = model_graph(predictor, [0.5, -0.2], view="tensor", target="0")
    graph.backward()
    operations = [(node.op, graph.name_of(node)) for node in graph.nodes() if node.inputs]
    assert operations[:4] == [("transpose", "W1.T"), ("matmul", "x @ W1.T"), ("+", "z1"), ("relu", "h1")]
    assert [name for _, name in operations[-5:]] == ["z3", "z3 * t", "1 - z3 * t", "relu(1 - z3 * t)", "L"]
    assert graph.parameters["W1"].shape == (8, 2) and graph.variables["x"].shape == (1, 2)
    # the sample's hinge loss, as the model computes it
    score = predictor.outputs(np.array([[0.5, -0.2]]))[0, 0]
    assert graph.output.data == pytest.approx(max(0.0, 1.0 + score), rel=1e-12)  # class 0: t = -1


def test_both_views_give_the_same_loss_and_gradients(moons):
    predictor = Predictor.from_saved(load_model(moons))
    tensor = model_graph(predictor, [0.3, 0.4], view="tensor", target="1", loss="mse")
    scalar = model_graph(predictor, [0.3, 0.4], view="scalar", target="1", loss="mse")
    tensor.backward()
    scalar.backward()
    assert tensor.output.data == pytest.approx(scalar.output.data, rel=1e-12)
    W2 = tensor.parameters["W2"].grad
    entries = [[scalar.parameters[f"w2[{j + 1},{i + 1}]"].grad for i in range(8)] for j in range(8)]
    assert np.allclose(entries, W2, rtol=1e-10, atol=1e-14) and np.abs(W2).max() > 0.1
    assert scalar.parameters["b3[1]"].grad == pytest.approx(float(tensor.parameters["b3"].grad[0]), rel=1e-12)


def test_the_names_of_a_loss_keep_its_parentheses(moons):
    """The mse loss's square was named "z3 - t * z3 - t", which reads as z3 - t*z3 - t."""
    predictor = Predictor.from_saved(load_model(moons))
    graph = model_graph(predictor, [0.3, 0.4], view="tensor", target="1", loss="mse")
    names = [graph.name_of(node) for node in graph.nodes() if node.inputs]
    assert names[-3:] == ["z3 - t", "(z3 - t) * (z3 - t)", "L"]


def test_the_scalar_view_is_micrographs_graph_of_an_mlp():
    # seeds 002 and 004: MLP(3, [4, 4, 1]) of tanh neurons, drawn for x = [2, 3, -1]
    reference = MLP(3, [4, 4, 1], activations=["tanh"] * 3, rng=random.Random(1337))
    from gradcli.data.features import InputPipeline

    predictor = Predictor(MLP.from_specs(3, reference.to_specs()), InputPipeline(["x1", "x2", "x3"]), "regression")
    graph = model_graph(predictor, [2.0, 3.0, -1.0], view="scalar")
    assert graph.output.data == pytest.approx(reference([Value(x) for x in [2.0, 3.0, -1.0]])[0].data, rel=1e-15)
    names = [graph.name_of(node) for node in graph.nodes()]
    assert {"x1", "w1[1,1]", "b1[1]", "w1[1,1]*x1", "z1[1]", "h1[1]", "h3[1]"} <= set(names)
    assert graph.output_name == "h3[1]" and len(graph.parameters) == 41
    # its size is known before it is built, so that a picture too large is refused first
    assert graph_size(3, [4, 4, 1], ["tanh"] * 3, "scalar", False) == (expression_size(graph).nodes,
                                                                          expression_size(graph).edges)


@pytest.mark.parametrize("activations", [["relu", "linear"], ["leaky-relu", "sigmoid"], ["softplus", "tanh"]])
def test_the_scalar_views_size_is_known_from_the_layer_sizes(activations):
    from gradcli.data.features import InputPipeline

    model = MLP(2, [3, 2], activations=activations, rng=random.Random(0))
    predictor = Predictor(model, InputPipeline(["a", "b"]), "multiclass", [0, 1], loss="cross-entropy")
    for target in (None, "1"):
        if target is None:
            graph = model_graph(predictor, [1.0, -1.0], view="tensor")
        else:
            graph = model_graph(predictor, [1.0, -1.0], view="scalar", target=target)
        nodes, edges = graph_size(2, [3, 2], activations, graph.view, target is not None)
        size = expression_size(graph)
        assert size.nodes <= nodes and size.edges <= edges  # an upper bound
        assert nodes <= size.nodes + 40 * 2  # within the loss's allowance


def test_the_loss_of_the_scalar_view_is_the_training_loss_of_that_sample(moons):
    predictor = Predictor.from_saved(load_model(moons))
    graph = model_graph(predictor, [1.0, 0.5], view="scalar", target="1")
    outputs = predictor.model.forward_array(predictor.pipeline.transform(np.array([[1.0, 0.5]])))
    targets = encode_targets("hinge", np.array([1]), 1)
    expected = per_sample_loss("hinge", [Value(float(outputs[0, 0]))], [float(targets[0][0])]).data
    assert graph.output.data == pytest.approx(expected, rel=1e-12)


def test_draw_graph_writes_the_picture_with_gradients(cli, moons, tmp_path):
    dot = tmp_path / "g.dot"
    result = cli("draw", str(moons), "--graph", "--input", "0.5,-0.2", "--target", "0", "-o", str(dot))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"wrote {dot} (39 nodes, 38 edges")
    source = dot.read_text()
    assert "W1.T" in source and "x @ W1.T" in source and "(8, 2)" in source  # each array's shape
    assert re.search(r"data -?[0-9.]+\.\.-?[0-9.]+<", source) and re.search(r"grad -?[0-9.]+\.\.-?[0-9.]+<", source)
    assert "L = hinge loss of the MLP 2-8-8-1 on (x1 = 0.5, x2 = -0.2), target 0" in source
    forward = cli("draw", str(moons), "--graph", "--view", "scalar", "-o", "-")
    assert forward.exit_code == 0 and ">grad " not in forward.stdout  # no target: the forward pass only
    assert "w1[1,1]*x1" in forward.stdout and "h2[8]" in forward.stdout


def test_draw_graph_renders_svg(cli, moons, tmp_path):
    svg = tmp_path / "g.svg"
    result = cli("draw", str(moons), "--graph", "--input", "0.5,-0.2", "--target", "0", "-o", str(svg))
    assert result.exit_code == 0, result.stderr
    assert svg.read_text().lstrip().startswith("<?xml") and "relu(1 &#45; z3 * t)" in svg.read_text()


@pytest.mark.parametrize("args, message", [
    (["--graph", "--input", "0.5"], "--input '0.5' gives 1 value, but the model takes 2 inputs (x1, x2)"),
    (["--graph", "--input", "0.5,abc"], "--input '0.5,abc': 'abc' is not a number"),
    (["--graph", "--target", "7"], "--target '7' is not a class of this model (its classes: 0, 1)"),
    (["--graph", "--loss", "mse"], "--loss needs --target: the loss compares the output with a target"),
    (["--graph", "--target", "1", "--loss", "cross-entropy"], "--loss cross-entropy needs one output per class"),
    (["--target", "1"], "--target applies with --graph"),
    (["--graph", "--neurons"], "--graph draws the network's expression graph; --neurons its neurons: pick one"),
    (["--graph", "--view", "scalar", "--max-nodes", "300"], "the graph has 349 nodes, more than --max-nodes 300"),
])
def test_bad_graph_options_are_usage_errors(cli, moons, args, message):
    result = cli("draw", str(moons), *args, "-o", "g.svg")
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.stderr.split())
    assert "Traceback" not in result.output


def test_a_graph_too_large_to_build_is_refused_before_it_is_built(cli, tmp_path, monkeypatch):
    from gradcli.learn import model_graph as module
    from gradcli.learn.modelfile import LayerSpec, SavedModel, save_model

    path = tmp_path / "wide.json"
    save_model(path, SavedModel(2, [LayerSpec("relu", [[0.5, 0.5]] * 1000, [0.0] * 1000),
                                    LayerSpec("relu", [[0.001] * 1000] * 1000, [0.0] * 1000),
                                    LayerSpec("linear", [[0.001] * 1000], [0.0])], ["x1", "x2"], ["x1", "x2"]))
    monkeypatch.setattr(module, "model_graph", lambda *a, **k: pytest.fail("the graph was built"))
    result = cli("draw", str(path), "--graph", "--view", "scalar", "-o", "-")  # DOT: no layout, but memory
    assert result.exit_code == 2
    assert "building this graph needs about 5.9 GB of memory (3,019,005 nodes)" in " ".join(result.stderr.split())
    assert "hint: draw --view tensor (a box per layer)" in result.stderr
    big = cli("draw", str(path), "--graph", "--view", "scalar", "--max-memory", "100GB", "-o", "g.svg")
    assert big.exit_code == 2 and "the graph has 3019005 nodes, more than --max-nodes 3000" in big.stderr


def test_graph_options_do_not_apply_to_expressions(cli):
    result = cli("draw", "x*y", "--x", "1", "--y", "2", "--graph", "-o", "g.svg")
    assert result.exit_code == 2 and "--graph draws the graph of a model file" in result.stderr
    result = cli("draw", "x*y", "--x", "1", "--y", "2", "--target", "1", "-o", "g.svg")
    assert result.exit_code == 2 and "--target applies to a model file drawn with --graph" in result.stderr


def test_a_network_of_several_outputs_needs_a_target_in_the_scalar_view(cli, tmp_path):
    path = tmp_path / "blobs.json"
    assert cli("train", "blobs", "--classes", "3", "--steps", "3", "--quiet", "--save", str(path)).exit_code == 0
    result = cli("draw", str(path), "--graph", "--view", "scalar", "-o", "g.dot")
    assert result.exit_code == 2 and "this network has 3 outputs and the scalar view draws one" in result.stderr
    ok = cli("draw", str(path), "--graph", "--view", "scalar", "--target", "2", "-o", str(tmp_path / "g.dot"))
    assert ok.exit_code == 0, ok.stderr
    assert "cross-entropy loss of the MLP" in (tmp_path / "g.dot").read_text()
    labels = json.loads(path.read_text())["class_labels"]
    assert labels == [0, 1, 2]


def test_the_default_sample_is_the_middle_of_the_training_data(moons):
    saved = load_model(moons)
    from gradcli.cli.draw_cmd import _sample

    bounds = saved.meta["input_bounds"]
    assert _sample(None, Predictor.from_saved(saved), saved) == [(low + high) / 2 for low, high in bounds]


def test_a_graph_drawing_shows_arrays_by_shape_and_range():
    graph = model_graph(Predictor(MLP(2, [5, 1], rng=random.Random(3)), _pipeline(), "binary", [0, 1]),
                        [1.0, 2.0], view="tensor", target="1")
    graph.backward()
    source = expression_drawing(graph).source
    assert "data [[1, 2]]" in source  # a small array: its entries
    assert "(5, 2)" in source and re.search(r"data -?[0-9.]+\.\.-?[0-9.]+<", source)  # a larger one: its range
    assert all(node.grad is not None for node in topological_order(graph.output))


def _pipeline():
    from gradcli.data.features import InputPipeline

    return InputPipeline(["x1", "x2"])
