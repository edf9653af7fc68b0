"""Messages that blame the right cause and pictures that explain themselves (issue 10, items 20 and 21).

- a divergence caused by ``--l2 1e308`` or by huge inputs names that cause, not the learning rate;
- ``--features ""`` is an error, not silently "no features";
- the decision map says what its background shows, in colour and in plain ASCII;
- ``check --sweep`` marks the smallest error with a character, so it shows without colour;
- ``--plot`` says it wrote its file; ``eval --seed`` is described for eval.
"""

from __future__ import annotations

import numpy as np
from rich.console import Console

from gradcli.pictures.termmap import decision_map


def one_line(text: str) -> str:
    return " ".join(text.split())


def test_a_penalty_that_overflows_is_named_not_the_learning_rate(cli):
    result = cli("train", "moons", "--l2", "1e308", "--steps", "5", "-q")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith("error: the loss became infinite at step 1: the penalty --l2 * sum(p^2) = 1e+308 *")
    assert "learning rate" not in result.stderr and lines[1] == "hint: use a much smaller --l2 (the default is 0.0001)"


def test_huge_inputs_are_named_not_the_learning_rate(cli, tmp_path):
    data = tmp_path / "huge.csv"
    data.write_text("x1,x2,y\n1e300,1e300,0\n-1e300,1e300,1\n1e300,-1e300,1\n-1e300,-1e300,0\n2e300,1e300,0\n"
                    "1e300,2e300,1\n")
    result = cli("train", str(data), "--steps", "5", "-q")
    assert result.exit_code == 1
    assert "the network's inputs reach 2e+300" in result.stderr and "Try a lower learning rate" not in result.stderr
    assert "hint: scale the data down (or standardise the inputs with --standardize)" in result.stderr


def test_a_learning_rate_that_is_too_high_is_still_named(cli):
    result = cli("train", "sine", "--optimizer", "sgd", "--lr", "50", "--activation", "relu", "-q")
    assert result.exit_code == 1 and "Try a lower learning rate than --lr 50" in result.stderr


def test_empty_features_are_an_error(cli):
    for text in ("", " ", " , "):
        result = cli("train", "moons", "--features", text, "--steps", "2", "-q")
        assert result.exit_code == 2, text
    assert "error: --features is empty: give features such as x,y,x2" in cli(
        "train", "moons", "--features", "", "-q").stderr


def render(plot, colour: bool) -> str:
    console = Console(width=120, force_terminal=colour, color_system="truecolor" if colour else None,
                      no_color=not colour)
    with console.capture() as captured:
        console.print(plot)
    return captured.get()


def test_the_plain_decision_map_explains_its_background():
    X = np.array([[-1.0, 0.0], [1.0, 0.0], [0.5, 0.5], [-0.5, -0.5]])
    plot = decision_map(lambda grid: grid[:, 0], X, np.array([0, 1, 1, 0]), task="binary", width=20, height=6,
                        class_labels=[-1, 1])
    text = render(plot, colour=False)
    assert "background, the predicted class:  blank -1  '.' 1" in text  # the characters the map is made of
    assert "paler" not in text  # confidence shows only in colour
    assert "background, the predicted class (paler where less sure):" in render(plot, colour=True)


def test_a_regression_map_explains_its_ramp():
    X = np.array([[-1.0, 0.0], [1.0, 0.0], [0.5, 0.5], [-0.5, -0.5]])
    plot = decision_map(lambda grid: grid[:, 0], X, X[:, 0], task="regression", width=20, height=6)
    text = one_line(render(plot, colour=False))
    assert "background, the prediction: blank -1.1" in text and "'@' +1.1" in text and "in between" in text


def test_the_sweep_marks_the_smallest_error_without_colour(cli):
    result = cli("check", "sin(x)", "--x", "1", "--sweep")  # the cli fixture has NO_COLOR=1
    assert result.exit_code == 0
    assert "Green" not in result.stdout and "* marks the smallest error per variable" in one_line(result.stdout)
    marked = [line for line in result.stdout.splitlines() if line.rstrip().endswith("*")]
    assert len(marked) == 1 and marked[0].split()[0] in ("1e-05", "1e-06")


def test_plot_says_it_wrote_its_file(cli, tmp_path):
    path = tmp_path / "run.png"
    result = cli("train", "moons", "--steps", "3", "-q", "--plot", str(path))
    assert result.exit_code == 0 and path.exists()
    assert f"wrote the plot of this run to {path}" in one_line(result.stdout)


def test_eval_seed_help_is_about_the_data(cli):
    text = one_line(cli("eval", "--help").stdout)
    assert "the same seed gives the same data" in text
    assert "initial weights" not in text  # train's --seed also seeds the weights, eval has none
