"""gradcli plot: f, f', f'' over a range, in the terminal, to PNG/SVG, as CSV/JSON; gaps instead of crashes."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from rich.console import Console

from gradcli.autograd.curves import MAX_POINTS, sample
from gradcli.autograd.expr import parse
from gradcli.errors import UsageError
from gradcli.render.plot import plot_rich

# seed 004: xs = np.arange(-5, 5, 0.25); ys = f(xs) for f(x) = 3x**2 - 4x + 5, as printed in the notebook
SEED_004_YS = [100.0, 91.6875, 83.75, 76.1875, 69.0, 62.1875, 55.75, 49.6875, 44.0, 38.6875, 33.75, 29.1875, 25.0,
               21.1875, 17.75, 14.6875, 12.0, 9.6875, 7.75, 6.1875, 5.0, 4.1875, 3.75, 3.6875, 4.0, 4.6875, 5.75,
               7.1875, 9.0, 11.1875, 13.75, 16.6875, 20.0, 23.6875, 27.75, 32.1875, 37.0, 42.1875, 47.75, 53.6875]
ANSI = re.compile(r"\x1b\[")


def test_seed_004_the_parabola_over_arange(cli):
    result = cli("plot", "3*x**2 - 4*x + 5", "--x", "-5:5:0.25", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [float(row["x"]) for row in rows] == [-5 + 0.25 * i for i in range(40)]
    assert [float(row["f"]) for row in rows] == SEED_004_YS
    assert [float(row["df/dx"]) for row in rows] == [6 * (-5 + 0.25 * i) - 4 for i in range(40)]  # f' = 6x - 4


def test_seed_002_f_and_its_slope_at_3():
    curves = sample(parse("3*x**2 - 4*x + 5"), "x", -5.0, 5.0, tangent=3.0)
    tangent = curves.tangent
    assert (tangent.value, tangent.slope) == (20.0, 14.0)
    f = parse("3*x**2 - 4*x + 5").value_at({"x": 3.001})
    assert f == pytest.approx(20.014003) and tangent.at(3.001) == pytest.approx(20.014)  # the seed's nudge: 3h**2 apart
    assert (f - 20.0) / 0.001 == pytest.approx(14.003)


def test_json_has_every_column_and_second_derivatives(cli):
    document = json.loads(cli("plot", "x**3", "--x", "-1:1", "--points", "5", "--order", "2", "--json").stdout)
    assert document["x"] == [-1.0, -0.5, 0.0, 0.5, 1.0] and document["order"] == 2
    assert document["curves"] == {"f": [-1.0, -0.125, 0.0, 0.125, 1.0], "df/dx": [3.0, 0.75, 0.0, 0.75, 3.0],
                                  "d2f/dx2": [-6.0, -3.0, 0.0, 3.0, 6.0]}
    held = json.loads(cli("plot", "x*y", "--x", "0:1", "--y", "3", "--points", "2", "--json").stdout)
    assert held["held"] == {"y": 3.0} and held["curves"]["df/dx"] == [3.0, 3.0]


def test_outside_the_domain_and_at_a_kink_are_gaps_with_reasons(cli):
    document = json.loads(cli("plot", "log(x)", "--x", "-1:1", "--points", "5", "--json").stdout)
    assert document["curves"]["f"][:3] == [None, None, None] and document["curves"]["f"][4] == 0.0
    assert any("log(x): argument is -1, log needs a positive number" in note for note in document["notes"])
    kink = json.loads(cli("plot", "relu(x) + x", "--x", "-1:1", "--points", "5", "--json").stdout)
    assert kink["curves"]["df/dx"] == [1.0, 1.0, None, 2.0, 2.0] and kink["curves"]["f"][2] == 0.0
    assert any("relu(x): argument is 0" in note for note in kink["notes"])


def test_jumps_are_found_from_the_graph_not_guessed():
    steps = sample(parse("floor(x)"), "x", 0.1, 2.9, points=8)
    assert steps.jumps[0] == [3, 5]  # x = 0.1, 0.5, ... 2.9: floor goes 0 to 1 (0.9 to 1.3) and 1 to 2 (1.7 to 2.1)
    slope = sample(parse("abs(x)"), "x", -1.0, 1.0, points=4)
    assert slope.jumps == [[], [2]]  # |x| is continuous, its slope jumps from -1 to 1
    pole = sample(parse("1/x"), "x", -1.0, 1.0, points=4)
    assert pole.jumps[0] == [2]  # not joined across the pole at 0
    smooth = sample(parse("tanh(x)*x"), "x", -3.0, 3.0, points=50, order=2)
    assert smooth.jumps == [[], [], []]


def test_terminal_picture_plain_when_piped_colour_in_a_terminal():
    curves = sample(parse("3*x**2 - 4*x + 5"), "x", -5.0, 5.0, tangent=3.0)
    plain, colour = io.StringIO(), io.StringIO()
    for part in plot_rich(curves, 60, 16):
        Console(file=plain, width=100).print(part)
        Console(file=colour, width=100, force_terminal=True, color_system="truecolor").print(part)
    text = plain.getvalue()
    assert not ANSI.search(text) and ANSI.search(colour.getvalue())
    assert "* f(x)   o f'(x)   . tangent at x = 3" in text and "tangent at x = 3: y = 20 + 14 (x - 3)" in text
    rows = [re.sub(r"^\s*[-\d.e+]*\s*[|+]", "", line) for line in text.splitlines()[2:18]]  # the 16 plot rows
    top = next(row for row in rows if "*" in row)
    assert rows.index(top) <= 1 and top.index("*") <= 2  # f is largest at the left edge: 100 at x = -5


def test_png_and_svg_files(cli, tmp_path):
    for suffix, magic in (("png", b"\x89PNG"), ("svg", b"<?xml")):
        path = tmp_path / f"f.{suffix}"
        result = cli("plot", "log(x)*x", "--x", "-1:3", "--order", "2", "--tangent", "1", "-o", str(path))
        assert result.exit_code == 0, result.output
        assert path.read_bytes().startswith(magic) and f"wrote {path} (3 curves, 200 points)" in result.stdout
    both = cli("plot", "x**2", "--x", "0:1", "--points", "3", "-o", str(tmp_path / "g.svg"), "--format", "csv")
    assert both.stdout.startswith("x,f,df/dx") and "wrote" in both.stderr


def test_the_default_range_for_the_one_free_variable(cli):
    result = cli("plot", "x**2", "--format", "json")
    assert json.loads(result.stdout)["x"][0] == -5.0 and "x runs from -5 to 5" in result.stderr


@pytest.mark.parametrize("args, message", [
    (["x**2", "--x", "5:-5"], "--x 5:-5 is empty: LO must be below HI, e.g. -5:5"),
    (["x**2", "--x", "1:1"], "--x 1:1 is empty"),
    (["x**2", "--x", "-5:5", "--points", "10000000"], "--points must lie in 2..100,000, got 10,000,000"),
    (["x**2", "--x", "-5:5", "--points", "1"], "--points must lie in 2..100,000, got 1"),
    (["x**2", "--x", "0:1:1e-9"], "the step gives 1,000,000,000 points; at most 100,000 are drawn"),
    (["x**2", "--x", "-5:5:0"], "the step of --x must be positive, not 0"),
    (["x**2", "--x", "-5:5:0.5", "--points", "9"], "--points and the step of --x -5:5:0.5 both say where to sample"),
    (["x**2", "--x", "a:5"], "'a' is not a number for --x"),
    (["x**2", "--x", "1:2:3:4"], "--x 1:2:3:4: a range is LO:HI such as -5:5"),
    (["x*y", "--x", "-1:1", "--y", "0:1"], "one variable runs over a range, but --x and --y both have one"),
    (["x*y", "--x", "-1:1"], "no value for variable y (held while x runs)"),
    (["x*y"], "which variable runs? give one a range: --x -5:5"),
    (["x**2", "--z", "-1:1"], "z is not a variable of the expression (its variables: x)"),
    (["x**2", "--x", "-1:1", "--order", "0"], "--order must lie in 1..4, got 0"),
    (["x**2", "--x", "-1:1", "--tangent", "7"], "--tangent 7 lies outside the range -1:1 of x"),
    (["x**2", "--x", "-1:1", "-o", "f.gif"], "--output f.gif: the file name must end in .png or .svg"),
    (["x", "--x", "-1e308:1e308"], "--x -1e+308:1e+308 is too wide: HI - LO overflows a float"),
    (["x", "--x", "-1e308:1e308:1e306"], "--x -1e+308:1e+308 is too wide: HI - LO overflows a float"),
])
def test_bad_input_is_a_usage_error(cli, args, message):
    result = cli("plot", *args)
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.stderr.split())


def test_a_range_near_the_largest_float_is_sampled_without_overflow():
    xs = sample(parse("x"), "x", 0.0, 1e308, points=5).xs
    assert xs == pytest.approx([0.0, 2.5e307, 5e307, 7.5e307, 1e308])


def test_a_tangent_outside_the_domain_is_a_runtime_error(cli):
    result = cli("plot", "log(x)", "--x", "-1:1", "--tangent", "0")
    assert result.exit_code == 1 and "no tangent at x = 0: log(x): argument is 0" in result.stderr


def test_the_core_refuses_too_many_points_before_any_work():
    with pytest.raises(UsageError, match="points must lie in 2..100,000"):
        sample(parse("x"), "x", 0.0, 1.0, points=MAX_POINTS + 1)


def test_a_variable_held_at_an_array_is_named_in_the_title(cli):
    result = cli("plot", "sum(x*w)", "--x", "-1:1", "--w", "1,2", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert [float(row["df/dx"]) for row in csv.DictReader(io.StringIO(result.stdout))][:2] == [3.0, 3.0]
    result = cli("plot", "sum(x*w)", "--x", "-1:1", "--w", "1,2")
    assert result.exit_code == 0, result.output
    assert "w = [1, 2]" in result.stdout


def test_statements_are_titled_by_the_output_and_the_steps_before_it(cli):
    """Not "o = n = x*w + b; o = tanh(n)": the output's formula, then where its names come from."""
    result = cli("plot", "n = x*w + b; o = tanh(n)", "--w", "-2:2", "--x", "3", "--b", "-1", "--width", "60")
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert text.startswith("o = tanh(n) where n = x*w + b, w from -2 to 2 (200 points), x = 3, b = -1 y ")
