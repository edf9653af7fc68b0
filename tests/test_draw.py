"""The Graphviz source of pictures (no renderer needed), and the atomic file writer.

Rendering itself (dot, graphviz-pure, SVG/PNG files) is tested in test_draw_cli.py.
To refresh tests/data/draw_small.dot after a deliberate change of the picture:
    gradcli draw "(a*b + c)*f" a=2 b=-3 c=10 f=-2 -o tests/data/draw_small.dot
"""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest

from gradcli.pictures.graph import HOT, DrawOptions, expression_drawing, shorten
from gradcli.pictures.network import network_drawing
from gradcli.errors import RenderError
from gradcli.autograd.expr import evaluate
from gradcli.learn.modelfile import LayerSpec, SavedModel
from gradcli.pictures.files import (
    RenderSetupError, find_renderer, output_format, render, render_to_file, write_atomic,
)

DATA = Path(__file__).parent / "data"
NEURON = "tanh(x1*w1 + x2*w2 + b)"
NEURON_AT = {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.8813735870195432}


def drawn(expression: str, values: dict, **options):
    graph = evaluate(expression, values)
    if options.get("show_grad", True):
        graph.backward()
    return expression_drawing(graph, DrawOptions(**options))


def value_labels(source: str) -> dict:
    """node id -> the text of its value box (HTML tags stripped), for value nodes only."""
    boxes = {}
    for node_id, label in re.findall(r"^\t(n\d+) \[label=<(.*)> shape=plain", source, re.M):
        boxes[node_id] = " ".join(re.sub(r"<[^>]+>", " ", label).split())
    return boxes


def edges(source: str) -> list:
    return re.findall(r"^\t(\S+) -> (\S+?)(?: \[.*\])?$", source, re.M)


# -- expression graphs ------------------------------------------------------------


def test_neuron_boxes_show_label_data_and_published_gradients():
    drawing = drawn(NEURON, NEURON_AT)
    boxes = value_labels(drawing.source)
    by_label = {text.split(" data ")[0]: text for text in boxes.values()}
    assert by_label["tanh(x1*w1 + x2*w2 + b)"].endswith("data 0.7071 grad 1.0000")
    assert by_label["x1"] == "x1 data 2.0000 grad -1.5000"
    assert by_label["w1"] == "w1 data -3.0000 grad 1.0000"
    assert by_label["x2"] == "x2 data 0.0000 grad 0.5000"
    assert by_label["w2"] == "w2 data 1.0000 grad 0.0000"
    assert by_label["x1*w1 + x2*w2 + b"] == "x1*w1 + x2*w2 + b data 0.8814 grad 0.5000"
    # 10 value boxes and 5 operations; each op has one edge out and one per input
    assert len(boxes) == 10
    assert sorted(re.findall(r'_op \[label="?([^" ]+)"?', drawing.source)) == ["*", "*", "+", "+", "tanh"]
    assert len(edges(drawing.source)) == drawing.edges == 14
    assert drawing.nodes == 15


def test_title_line_has_expression_value_and_variables():
    source = drawn(NEURON, NEURON_AT, title="One neuron").source
    assert "<b>One neuron</b>" in source
    assert "tanh(x1*w1 + x2*w2 + b) = 0.7071" in source
    assert "at x1 = 2, w1 = -3, x2 = 0, w2 = 1, b = 6.8814" in source
    assert "rankdir=LR" in source


def test_a_plus_a_draws_both_edges_into_the_plus():
    source = drawn("a + a", {"a": 3}).source
    assert list(value_labels(source).values()) == ["a data 3.0000 grad 2.0000", "a + a data 6.0000 grad 1.0000"]
    assert edges(source).count(("n0", "n1_op")) == 2


def test_a_variable_used_twice_is_one_node_with_two_out_edges():
    source = drawn("a*b + a", {"a": 2, "b": 3}).source
    labels = value_labels(source)
    assert [text for text in labels.values() if text.startswith("a data")] == ["a data 2.0000 grad 4.0000"]
    out_of_a = [head for tail, head in edges(source) if tail == "n0"]
    assert len(out_of_a) == 2 and len(set(out_of_a)) == 2  # into '*' and into '+'


def test_dot_source_of_a_small_expression_matches_the_checked_in_file():
    source = drawn("(a*b + c)*f", {"a": 2, "b": -3, "c": 10, "f": -2}).source
    assert source == (DATA / "draw_small.dot").read_text()


def test_same_expression_gives_the_same_source_every_time():
    assert drawn(NEURON, NEURON_AT).source == drawn(NEURON, NEURON_AT).source


def test_forward_only_shows_no_gradients():
    source = drawn(NEURON, NEURON_AT, show_grad=False).source
    assert "grad " not in " ".join(value_labels(source).values())
    assert "forward pass only" in source


def test_non_commutative_inputs_are_labelled():
    source = drawn("x - y/z + 2**w", {"x": 1, "y": 2, "z": 4, "w": 3}).source
    for role in ("num", "den", "base", "exp", "\u2212"):
        assert re.search(f'-> n\\d+_op \\[label="?{role}"?\\]', source), role


def test_color_grad_shades_the_largest_gradient_fully_and_zero_white():
    # at x=3, y=1, z=5: d/dx = 1, d/dy = 3, d/dz = 0, and the constant 0 has the largest, d/d0 = z = 5
    source = drawn("x*y + 0*z", {"x": 3, "y": 1, "z": 5}, color_grad=True).source
    fills = {text: re.search(r'<td bgcolor="(#[0-9a-f]{6})">', line).group(1)
             for line in source.splitlines() for text in ["<b>x</b>", "<b>y</b>", "<b>z</b>", ">0<"] if text in line}
    assert fills[">0<"] == "#" + "".join(f"{c:02x}" for c in HOT)
    assert fills["<b>z</b>"] == "#ffffff"
    assert fills["<b>x</b>"] not in (fills["<b>y</b>"], "#ffffff")
    assert "penwidth" in source and "shade" in source


def test_tb_layout_and_precision():
    source = drawn("x**2", {"x": 3}, rankdir="TB", precision=1).source
    assert "rankdir=TB" in source
    assert set(value_labels(source).values()) == {"x data 3.0 grad 6.0", "x**2 data 9.0 grad 1.0"}
    assert '[label="**2"' in source


def test_long_labels_are_shortened_in_the_middle():
    assert shorten("abc", 10) == "abc"
    short = shorten("x" * 30 + "y" * 30, 21)
    assert len(short) == 21 and short.startswith("xxxx") and short.endswith("yyyy") and "\u2026" in short


def test_html_in_a_title_is_escaped():
    assert "&lt;b&gt;" in drawn("x", {"x": 1}, title="<b>").source


# -- networks ---------------------------------------------------------------------


def small_model(task="binary", labels=(0, 1), outputs=1) -> SavedModel:
    hidden = LayerSpec("relu", [[0.5, -1.0], [0.25, 2.0], [1.5, 0.0]], [0.0, 0.1, -0.2])
    out = LayerSpec("linear", [[1.0, -1.0, 0.5]] * outputs, [0.3] * outputs)
    return SavedModel(2, [hidden, out], ["x", "y"], ["x", "y"], task, list(labels), None, {"dataset": "moons"})


def test_network_has_every_neuron_and_weight():
    drawing = network_drawing(small_model())
    weight_edges = [e for e in re.findall(r"^\t(\S+) -> (\S+) \[.*tooltip=\"w = ", drawing.source, re.M)]
    assert len(weight_edges) == 2 * 3 + 3 * 1
    assert drawing.nodes == 2 + 3 + 1 + 1  # inputs, hidden, output neuron, its meaning
    assert drawing.edges == len(weight_edges) + 1
    assert '"i0" ' not in drawing.source and "\ti0 [label=x " in drawing.source
    assert drawing.source.count("shape=circle") == 4
    assert "relu" in drawing.source and "b -0.20" in drawing.source
    assert "class 1 if &gt; 0, else 0" in drawing.source
    assert "MLP 2-3-1 (13 parameters)" in drawing.source and "trained on moons" in drawing.source


def test_weight_colour_is_its_sign_and_width_its_magnitude():
    source = network_drawing(small_model()).source
    largest = re.search(r'\ti1 -> L1n1 \[.*color="(#[0-9a-f]{8})" .*penwidth=([\d.]+)', source)  # w = 2.0
    negative = re.search(r'\ti1 -> L1n0 \[.*color="(#[0-9a-f]{8})" .*penwidth=([\d.]+)', source)  # w = -1.0
    assert largest.group(1) == "#2563ebff" and float(largest.group(2)) == 5.0
    assert negative.group(1).startswith("#ea580c") and float(negative.group(2)) < 5.0


def test_multiclass_outputs_are_labelled_with_classes():
    source = network_drawing(small_model("multiclass", ["setosa", "versicolor", "virginica"], 3)).source
    for name in ("class setosa", "class versicolor", "class virginica"):
        assert f"<b>{name}</b>" in source


# -- writing files ------------------------------------------------------------------


@pytest.mark.parametrize("path, fmt", [("a.svg", "svg"), ("a.PNG", "png"), ("a.dot", "dot"), ("a.gv", "dot"),
                                       ("-", "dot")])
def test_output_format_follows_the_suffix(path, fmt):
    assert output_format(path) == fmt


@pytest.mark.parametrize("path", ["graph.pdf", "graph"])
def test_unknown_suffix_names_the_supported_ones(path):
    with pytest.raises(RenderSetupError, match=r"use \.svg, \.png or \.dot") as caught:
        output_format(path)
    assert caught.value.exit_code == 2


def test_write_atomic_replaces_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "g.dot"
    target.write_text("old")
    write_atomic(str(target), b"new")
    assert target.read_text() == "new"
    assert list(tmp_path.iterdir()) == [target]
    assert stat.S_IMODE(target.stat().st_mode) & 0o044  # readable by others, not mkstemp's 0600


def test_missing_folder_and_folder_as_target_are_usage_errors(tmp_path):
    with pytest.raises(RenderSetupError, match="does not exist"):
        write_atomic(str(tmp_path / "nope" / "g.svg"), b"x")
    with pytest.raises(RenderSetupError, match="is a folder"):
        write_atomic(str(tmp_path), b"x")


def fake_renderer(folder: Path, name: str, script: str) -> None:
    program = folder / name
    program.write_text("#!/bin/sh\n" + script + "\n")
    program.chmod(0o755)


def test_renderer_failure_keeps_the_existing_file(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_renderer(bin_dir, "dot", 'echo "Warning: font" >&2; echo "Error: <stdin>: syntax error in line 1" >&2; exit 1')
    monkeypatch.setenv("PATH", str(bin_dir))
    target = tmp_path / "g.svg"
    target.write_text("precious")
    with pytest.raises(RenderError, match=r"dot failed to render SVG: Error: <stdin>: syntax error") as caught:
        render_to_file("digraph {}", str(target), "dot")
    assert caught.value.exit_code == 1
    assert target.read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin", "g.svg"]


def test_a_renderer_that_hangs_is_stopped(tmp_path, monkeypatch):
    fake_renderer(tmp_path, "dot", "exec /bin/sleep 30")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RenderError, match=r"did not finish within 0.5 s"):
        render("digraph {}", "svg", "dot", timeout=0.5)


def test_auto_prefers_dot_then_graphviz_pure(tmp_path, monkeypatch):
    fake_renderer(tmp_path, "graphviz-pure", "exit 0")
    monkeypatch.setenv("PATH", str(tmp_path))
    name, _ = find_renderer("auto")
    assert name == "graphviz-pure" or Path(_).parent != tmp_path  # a graphviz-pure next to python wins too
    fake_renderer(tmp_path, "dot", "exit 0")
    assert find_renderer("auto") == ("dot", str(tmp_path / "dot"))


def test_missing_renderer_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RenderSetupError, match="the renderer 'dot' is not installed") as caught:
        find_renderer("dot")
    assert caught.value.exit_code == 2 and "graphviz-pure" in caught.value.hint
