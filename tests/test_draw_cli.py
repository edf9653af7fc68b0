"""``gradcli draw`` end to end: real SVG/PNG files from dot and graphviz-pure, DOT, errors.

Tests that need the system Graphviz ``dot`` skip when it is absent; graphviz-pure
is a dependency of gradcli, so the tests that use it only skip if the install is broken.
"""

from __future__ import annotations

import os
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from gradcli.learn.modelfile import LayerSpec, SavedModel, save_model
from gradcli.pictures.files import RENDERER_STACK, find_renderer

DATA = Path(__file__).parent / "data"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
NEURON = ["tanh(x1*w1 + x2*w2 + b)", "--x1", "2", "--x2", "0", "--w1", "-3", "--w2", "1",
          "--b", "6.8813735870195432"]
SMALL = ["(a*b + c)*f", "a=2", "b=-3", "c=10", "f=-2"]


def _installed(renderer: str) -> bool:
    try:
        find_renderer(renderer)
    except Exception:
        return False
    return True


RENDERERS = [
    pytest.param("dot", marks=pytest.mark.skipif(not _installed("dot"), reason="system Graphviz 'dot' is not installed")),
    pytest.param("graphviz-pure", marks=pytest.mark.skipif(not _installed("graphviz-pure"),
                                                           reason="graphviz-pure is not installed")),
]


def svg_text(path: Path) -> str:
    """All text in an SVG file (it must parse as XML), joined by spaces."""
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    return " ".join(element.text.strip() for element in root.iter() if element.text and element.text.strip())


def stderr_of(result) -> str:
    """stderr with line wrapping undone (the console wraps long lines at the terminal width)."""
    return " ".join(result.stderr.split())


def no_temporary_files(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("renderer", RENDERERS)
def test_neuron_svg_shows_published_values(cli, tmp_path, renderer):
    out = tmp_path / "neuron.svg"
    result = cli("draw", *NEURON, "-o", str(out), "--renderer", renderer)
    assert result.exit_code == 0, result.output
    assert f"wrote {out} (15 nodes, 14 edges, rendered by {renderer}" in result.stdout
    text = svg_text(out)
    for label in ("x1", "w1", "x2", "w2", "x1*w1", "x2*w2", "x1*w1 + x2*w2 + b", "tanh(x1*w1 + x2*w2 + b)"):
        assert label in text
    # o = 0.7071 with grad 1; x1.grad = -1.5, w1.grad = 1, x2.grad = 0.5, w2.grad = 0
    for values in ("data 0.7071 grad 1.0000", "x1 data 2.0000 grad -1.5000", "w1 data -3.0000 grad 1.0000",
                   "x2 data 0.0000 grad 0.5000", "w2 data 1.0000 grad 0.0000"):
        assert values in text
    assert "tanh(x1*w1 + x2*w2 + b) = 0.7071" in text  # the title line


@pytest.mark.parametrize("renderer", RENDERERS)
def test_png_has_the_png_signature(cli, tmp_path, renderer):
    out = tmp_path / "graph.png"
    result = cli("draw", *SMALL, "-o", str(out), "--renderer", renderer, "--color-grad")
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(PNG_SIGNATURE) and len(data) > 1000
    assert no_temporary_files(tmp_path)


def test_renders_svg_and_png_with_no_dot_on_path(run_gradcli, tmp_path):
    """A real subprocess whose PATH holds no 'dot': auto falls back to graphviz-pure."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    pure = shutil.which("graphviz-pure") or str(Path(sys.executable).parent / "graphviz-pure")
    if not os.path.exists(pure):
        pytest.skip("graphviz-pure is not installed")
    os.symlink(pure, bin_dir / "graphviz-pure")
    for name in ("neuron.svg", "neuron.png"):
        done = run_gradcli("draw", *NEURON, "-o", name, cwd=tmp_path, env_extra={"PATH": str(bin_dir)})
        assert done.returncode == 0, done.stderr
        assert "rendered by graphviz-pure" in done.stdout
    assert "x1 data 2.0000 grad -1.5000" in svg_text(tmp_path / "neuron.svg")
    assert (tmp_path / "neuron.png").read_bytes().startswith(PNG_SIGNATURE)


def test_dot_to_stdout_matches_the_checked_in_file(cli):
    result = cli("draw", *SMALL, "-o", "-")
    assert result.exit_code == 0, result.output
    assert result.stdout == (DATA / "draw_small.dot").read_text()


def test_dot_file_and_options_reach_the_source(cli, tmp_path):
    out = tmp_path / "g.dot"
    result = cli("draw", "x**2 + x", "--x", "3", "--rankdir", "TB", "--precision", "2", "--title", "Square",
                 "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "rendered by" not in result.stdout  # DOT needs no renderer
    source = out.read_text()
    assert "rankdir=TB" in source and "<b>Square</b>" in source
    assert "data 12.00" in source and "grad 7.00" in source  # d/dx (x**2 + x) = 2x + 1 = 7


def test_forward_only_has_no_gradients(cli):
    result = cli("draw", *NEURON, "--forward-only", "-o", "-")
    assert result.exit_code == 0
    assert "data 0.7071" in result.stdout and "grad " not in result.stdout.replace("grad: ", "")


def test_unused_variable_is_warned_about(cli):
    result = cli("draw", "x*2", "x=1", "y=5", "-o", "-")
    assert result.exit_code == 0
    assert "variable y is not used" in stderr_of(result)


# -- errors: one clear line, exit status, no file --------------------------------------


@pytest.mark.parametrize("name", ["graph.pdf", "graph"])
def test_unknown_suffix_fails_cleanly(cli, tmp_path, name):
    result = cli("draw", *SMALL, "-o", str(tmp_path / name))
    assert result.exit_code == 2
    assert "use .svg, .png or .dot" in stderr_of(result) and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_unwritable_path_fails_cleanly(cli, tmp_path):
    missing = tmp_path / "no" / "such" / "folder" / "g.svg"
    result = cli("draw", *SMALL, "-o", str(missing))
    assert result.exit_code == 2
    assert f"cannot write {missing}: the folder" in stderr_of(result) and "does not exist" in stderr_of(result)
    folder = tmp_path / "taken.svg"
    folder.mkdir()
    result = cli("draw", *SMALL, "-o", str(folder))
    assert result.exit_code == 2 and "is a folder" in stderr_of(result)


def test_missing_output_is_a_usage_error(cli):
    result = cli("draw", *SMALL)
    assert result.exit_code == 2 and "no output file: pass -o graph.svg" in stderr_of(result)


def fake_dot(tmp_path, monkeypatch, script: str) -> None:
    """A shell script named dot, alone on PATH."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "dot"
    fake.write_text("#!/bin/sh\n" + script)
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))


def test_renderer_failure_keeps_the_old_file(cli, tmp_path, monkeypatch):
    fake_dot(tmp_path, monkeypatch, "echo 'Error: something broke' >&2\nexit 3\n")
    out = tmp_path / "graph.svg"
    out.write_text("the old picture")
    result = cli("draw", *SMALL, "-o", str(out), "--renderer", "dot")
    assert result.exit_code == 1
    assert "error: dot failed to render SVG: Error: something broke" in stderr_of(result)
    assert out.read_text() == "the old picture" and no_temporary_files(tmp_path)


@pytest.mark.skipif(os.name != "posix", reason="stack limits are POSIX")
def test_the_renderer_gets_a_stack_deep_enough_for_long_edges(cli, tmp_path, monkeypatch):
    """dot lays out long edges recursively: with the usual 8 MB of stack it crashes (SIGSEGV) on
    "x*0 + x*1 + ... + x*494", 2,474 nodes, well under --max-nodes; with more stack it draws it."""
    import resource

    fake_dot(tmp_path, monkeypatch, 'echo "<svg>$(ulimit -s)</svg>"\n')
    out = tmp_path / "graph.svg"
    soft, hard = resource.getrlimit(resource.RLIMIT_STACK)
    resource.setrlimit(resource.RLIMIT_STACK, (8 * 2**20 if hard == resource.RLIM_INFINITY else min(8 * 2**20, hard), hard))
    try:
        result = cli("draw", *SMALL, "-o", str(out), "--renderer", "dot")
    finally:
        resource.setrlimit(resource.RLIMIT_STACK, (soft, hard))
    assert result.exit_code == 0, stderr_of(result)
    stack = out.read_text().removeprefix("<svg>").removesuffix("</svg>\n")
    assert int(stack) * 1024 == (RENDERER_STACK if hard == resource.RLIM_INFINITY else min(RENDERER_STACK, hard))


def test_missing_renderer_is_named(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    result = cli("draw", *SMALL, "-o", str(tmp_path / "g.svg"), "--renderer", "dot")
    assert result.exit_code == 2
    assert "the renderer 'dot' is not installed" in stderr_of(result) and "--renderer graphviz-pure" in stderr_of(result)


def test_too_many_nodes_fails_fast_and_suggests_max_nodes(cli, tmp_path):
    result = cli("draw", *NEURON, "--max-nodes", "10", "-o", str(tmp_path / "g.svg"))
    assert result.exit_code == 2
    assert "the graph has 15 nodes, more than --max-nodes 10" in stderr_of(result)
    assert "pass --max-nodes 500" in stderr_of(result)
    assert list(tmp_path.iterdir()) == []
    assert cli("draw", *NEURON, "--max-nodes", "10", "-o", str(tmp_path / "g.dot")).exit_code == 0  # DOT: no limit


@pytest.mark.parametrize("args, message", [
    (["--precision", "16"], "error: --precision must lie in 0..15, got 16"),
    (["--precision", "-1"], "error: --precision must lie in 0..15, got -1"),
    (["--max-nodes", "0"], "error: --max-nodes must be at least 1, got 0"),
])
def test_out_of_range_options(cli, args, message):
    result = cli("draw", *SMALL, *args, "-o", "-")
    assert result.exit_code == 2 and message in stderr_of(result)


def test_bad_expression_reports_the_column(cli):
    result = cli("draw", "x*(y", "x=1", "y=2", "-o", "-")
    assert result.exit_code == 2 and "never closed" in stderr_of(result) and result.stdout == ""


# -- trained networks -----------------------------------------------------------------------


def saved_model(path: Path) -> Path:
    save_model(path, SavedModel(
        inputs=2,
        layers=[LayerSpec("tanh", [[0.5, -1.0], [0.25, 2.0], [1.5, 0.0]], [0.0, 0.1, -0.2]),
                LayerSpec("linear", [[1.0, -1.0, 0.5], [-0.5, 0.5, 1.0]], [0.3, -0.3])],
        input_names=["petal", "sepal"], feature_names=["petal", "sepal"], task="multiclass",
        class_labels=["setosa", "virginica"], meta={"dataset": "flowers.csv"},
    ))
    return path


@pytest.mark.parametrize("renderer", RENDERERS)
def test_model_file_draws(cli, tmp_path, renderer):
    model = saved_model(tmp_path / "model.json")
    out = tmp_path / "net.svg"
    result = cli("draw", str(model), "-o", str(out), "--renderer", renderer)
    assert result.exit_code == 0, result.output
    assert "(9 nodes, 14 edges" in result.stdout  # 2 inputs, 3 + 2 neurons, 2 class labels; 6 + 6 weights + 2
    text = svg_text(out)
    for label in ("petal", "sepal", "tanh", "b -0.20", "class setosa", "class virginica", "MLP 2-3-2",
                  "trained on flowers.csv"):
        assert label in text
    assert 'title="w = 2.0000"' in out.read_text()  # every weight's value as a hover tooltip


def test_model_as_a_real_subprocess(run_gradcli, tmp_path):
    model = saved_model(tmp_path / "model.json")
    done = run_gradcli("draw", str(model), "-o", "net.png", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "net.png").read_bytes().startswith(PNG_SIGNATURE)


def test_corrupt_model_fails_cleanly(cli, tmp_path):
    bad = tmp_path / "model.json"
    bad.write_text('{"format": "gradcli.mlp", "version": 1, "inputs": 2, "layers": [{"activation": "relu"')
    result = cli("draw", str(bad), "-o", str(tmp_path / "net.svg"))
    assert result.exit_code == 2
    assert f"{bad} is not valid JSON" in stderr_of(result) and "Traceback" not in result.output
    assert not (tmp_path / "net.svg").exists()


def test_missing_model_and_model_with_variables(cli, tmp_path):
    result = cli("draw", str(tmp_path / "nope.json"), "-o", "-")
    assert result.exit_code == 2 and "not found" in stderr_of(result)
    model = saved_model(tmp_path / "model.json")
    result = cli("draw", str(model), "x=1", "-o", "-")
    assert result.exit_code == 2 and "without variables" in stderr_of(result)


def test_help_ends_with_examples(cli):
    result = cli("draw", "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.stdout and "gradcli draw model.json --neurons -o net.svg" in result.stdout
    for option in ("--rankdir", "--precision", "--forward-only", "--color-grad", "--title", "--max-nodes",
                   "--renderer", "--neurons"):
        assert option in result.stdout


