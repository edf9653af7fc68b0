"""Inside every neuron: activation statistics (learn/inspect.py), `gradcli show`, `gradcli draw --neurons`."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from gradcli.learn.inference import Predictor
from gradcli.learn.inspect import activation_stats, inspect_model, neuron_maps, plane_bounds, slope_share
from gradcli.learn.modelfile import load_model
from gradcli.learn.nn import MLP
from test_draw_cli import RENDERERS  # dot and graphviz-pure, each skipped when it is not installed


@pytest.fixture(scope="module")
def moons_model(tmp_path_factory):
    """moons 8,8,1 relu with sgd: a model with one dead unit in its second layer (measured)."""
    from typer.testing import CliRunner

    from gradcli.cli.app import app

    path = tmp_path_factory.mktemp("show") / "moons.json"
    result = CliRunner().invoke(app, ["train", "moons", "--layers", "8,8,1", "--optimizer", "sgd", "--quiet",
                                      "--save", str(path)])
    assert result.exit_code == 0, result.output
    return path


def test_active_means_a_slope_above_one_percent_of_the_largest():
    assert slope_share("relu", np.array([0.0, 0.3])).tolist() == [0.0, 1.0]
    assert slope_share("tanh", np.array([0.0, 0.999])) == pytest.approx([1.0, 1 - 0.999**2])
    assert slope_share("sigmoid", np.array([0.5])) == pytest.approx([1.0])
    assert slope_share("softplus", np.array([np.log(2.0)])) == pytest.approx([0.5])  # softplus(0): slope 1/2
    model = MLP(1, [3, 1], activations=["relu", "linear"], rng=np.random.default_rng(0))
    for neuron, (w, b) in zip(model.layers[0].neurons, [(1.0, 0.0), (1.0, -10.0), (-1.0, 0.5)]):
        neuron.w[0].data, neuron.b.data = w, b
    X = np.array([[-1.0], [0.25], [1.0], [2.0]])
    first, output = activation_stats(model, X)
    assert [s.active for s in first] == [0.75, 0.0, 0.5] and [s.dead for s in first] == [False, True, False]
    assert first[0].mean == pytest.approx((0 + 0.25 + 1 + 2) / 4) and first[2].low == 0.0
    assert output[0].active == 1.0  # a linear unit always passes gradient


def test_maps_are_each_units_output_over_the_plane(moons_model):
    predictor = Predictor.from_saved(load_model(moons_model))
    bounds = plane_bounds(np.array([[0.0, 0.0], [1.0, 2.0]]))
    assert bounds == pytest.approx((-0.08, 1.08, -0.16, 2.16))
    maps = neuron_maps(predictor, bounds, 6, 4)
    assert [m.shape for m in maps] == [(8, 4, 6), (8, 4, 6), (1, 4, 6)]
    # the top-left cell of the output map is the network at that point of the plane
    x = bounds[0] + 0.5 * (bounds[1] - bounds[0]) / 6
    y = bounds[3] - 0.5 * (bounds[3] - bounds[2]) / 4
    assert maps[-1][0, 0, 0] == pytest.approx(predictor.outputs(np.array([[x, y]]))[0, 0], rel=1e-12)


def test_show_prints_maps_activity_and_flags_dead_units(cli, moons_model):
    result = cli("show", str(moons_model))
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert f"{moons_model}: 2 inputs, layers 8,8,1, measured on moons (100 samples)" in " ".join(out.split())
    # which units are dead, by their number as the tiles show it: "dead: 8" in a layer of 8 read as "all 8"
    assert "layer 2: 8 relu, dead: #8" in out and "#8 DEAD" in out
    assert re.search(r"^ *2 +8 +relu +\d+\.\d% +#8 *$", out, re.M)
    assert re.search(r"#1 \d+\.\d%", out) and "mean " in out
    assert "Activity on 100 samples" in out and "x1" in out and "x2" in out
    assert "\x1b" not in out  # no colour when piped: the maps are characters
    assert re.search(r"[Oo.xX]{6}", out)


def test_show_json_has_every_units_numbers(cli, moons_model):
    out = json.loads(cli("show", str(moons_model), "--json").stdout)
    assert out["data"] == "moons" and out["samples"] == 100 and len(out["bounds"]) == 4
    second = out["layers"][1]
    assert second["units"] == 8 and second["dead"] == [8] and second["neurons"][7]["active"] == 0.0
    report = inspect_model(Predictor.from_saved(load_model(moons_model)), None, map_size=None)
    assert report.samples == 0 and report.layers[1].stats is None


def test_show_on_other_data_and_without_maps(cli, moons_model, tmp_path):
    other = json.loads(cli("show", str(moons_model), "--data", "moons", "--samples", "300", "--json").stdout)
    assert other["samples"] == 300
    toy = tmp_path / "toy4.json"
    assert cli("train", "toy4", "--quiet", "--save", str(toy)).exit_code == 0
    result = cli("show", str(toy))
    assert result.exit_code == 0 and "maps need a model of 2 inputs; this one takes 3" in result.stdout
    assert "unit    active" in result.stdout  # a table per layer instead of maps
    wrong = cli("show", str(toy), "--data", "moons")
    assert wrong.exit_code == 2 and "the model takes the inputs x1, x2, x3, but moons has x1, x2" in wrong.stderr


def test_draw_neurons_puts_a_map_of_cells_in_every_node(cli, moons_model):
    result = cli("draw", str(moons_model), "--neurons", "-o", "-")
    assert result.exit_code == 0, result.stderr
    source = result.stdout
    cells = re.findall(r'<td bgcolor="(#[0-9a-f]{6})" width="4" height="4" fixedsize="true"></td>', source)
    assert len(cells) == (2 + 8 + 8 + 1) * 100  # inputs and every neuron: 10 x 10 cells each
    assert "map: output over the inputs&#x27; plane (orange &lt; 0 &lt; blue)" in source  # the legend
    assert set(cells) > {"#ffffff"}  # a dead unit is white; live ones are coloured


@pytest.mark.parametrize("renderer", RENDERERS)
def test_draw_neurons_renders_with_both_renderers(cli, moons_model, tmp_path, renderer):
    out = tmp_path / "net.svg"
    result = cli("draw", str(moons_model), "--neurons", "-o", str(out), "--renderer", renderer)
    assert result.exit_code == 0, result.stderr
    root = ET.parse(out).getroot()
    fills = {element.get("fill") for element in root.iter() if element.tag.endswith("polygon")}
    assert len(fills) > 10  # the map cells are drawn as coloured rectangles
    png = tmp_path / "net.png"
    assert cli("draw", str(moons_model), "--neurons", "-o", str(png), "--renderer", renderer).exit_code == 0
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_draw_neurons_needs_a_model_of_two_inputs(cli, tmp_path):
    toy = tmp_path / "toy4.json"
    assert cli("train", "toy4", "--quiet", "--steps", "1", "--save", str(toy)).exit_code == 0
    result = cli("draw", str(toy), "--neurons", "-o", "-")
    assert result.exit_code == 2 and "--neurons draws each neuron over the plane of 2 inputs" in result.stderr
