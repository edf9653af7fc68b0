"""Every command's table output at 40, 60, 80 and 120 columns: nothing cut, nothing dropped, nothing too wide.

Issue 10, item 18: at 60 columns ``check`` lost its variable and PASS/FAIL
columns and ``grad`` its node and input columns; ``check --sweep`` was all "…"
at 80.  Here each command runs at each width and its output is compared with the
same command at 200 columns: every word there (each cell, header and title, each
number) must appear whole in the narrow output, no line may be wider than the
terminal, and nothing may be cut short with "…".  The identifying cells and the
verdicts of each command are also named one by one.
"""

from __future__ import annotations

import re

import pytest
from rich.cells import cell_len

from gradcli.learn.modelfile import save_model
from gradcli.learn.run import DataOptions, prepare_run, run_meta
from gradcli.learn.train import train
from typer.testing import CliRunner

from gradcli.cli.app import app

WIDTHS = [40, 60, 80, 120]
WIDE = 200

# (id, arguments, words that must appear whole: identifying cells and verdicts, compare every word with 200 columns)
CASES = [
    ("grad", ["grad", "tanh(x1*w1 + x2*w2 + b)", "--x1", "2", "--x2", "0", "--w1", "-3", "--w2", "1", "--b", "6.88"],
     ["x1*w1", "tanh(x1*w1", "[8]", "x1", "w1", "b", "-1.5029", "0.5010"], True),
    ("grad-no-trace", ["grad", "x1*w1 + x2*w2", "--x1", "2", "--x2", "0", "--w1", "-3", "--w2", "1", "--no-trace"],
     ["x1", "w2", "-3.0000"], True),
    ("check", ["check", "sin(x)*y + abs(z)", "--x", "1", "--y", "2", "--z", "0"],
     ["x", "y", "z", "PASS", "kink", "1.080605", "1.01e-11"], True),
    ("check-fail", ["check", "x**3", "--x", "2", "--h", "0.5", "--rtol", "0", "--atol", "0"], ["x", "FAIL"], True),
    ("check-sweep", ["check", "x*y*z*w", "--x", "1", "--y", "2", "--z", "3", "--w", "4", "--sweep"],
     ["1e-01", "1e-12", "24.0000000000", "|error|"], True),
    ("check-points", ["check", "sin(x)*y", "--points", "5", "--seed", "1"], ["x", "y", "PASS"], True),
    ("train", ["train", "toy4", "--steps", "5"], ["Training", "summary", "accuracy", "layers", "seed"], True),
    ("eval", ["eval", "model.json", "toy4"], ["samples", "accuracy", "Confusion", "-1"], True),
    ("eval-classes", ["eval", "blobs.json", "blobs", "--classes", "7"], ["Confusion", "predicted", "6"], True),
    ("predict", ["predict", "model.json", "--x1", "1", "--x2", "0.5", "--x3", "-1"], ["class", "score"], True),
    ("predict-classes", ["predict", "blobs.json", "--x1", "1", "--x2", "0.5"], ["class"], True),
    ("datasets", ["datasets"], ["moons", "reg-gauss", "linear2", "toy4", "regression", "multiclass"], True),
    ("datasets-show-rows", ["datasets", "show", "toy4"], ["row", "x1", "x3", "0.5", "-1"], True),
    ("datasets-show-plot", ["datasets", "show", "moons"], ["moons", "interleaving"], False),
    ("datasets-show-regression", ["datasets", "show", "sine"], ["sine", "0-9", "(0)", "(9)"], False),
    ("draw", ["draw", "x*y + z", "--x", "1", "--y", "2", "--z", "3", "-o", "g.dot"], ["wrote", "g.dot"], True),
]

_VARYING = [(re.compile(r"\d+(\.\d+)?\s+s\b"), "T s"), (re.compile(r"\d+\s+steps/s"), "N steps/s")]  # times vary
_BOX = re.compile(r"[\u2500-\u257f]")


def words(text: str) -> set[str]:
    """The words of an output, with run times replaced, box lines dropped, and a stacked header's ':' removed."""
    for pattern, fixed in _VARYING:
        text = pattern.sub(fixed, text)
    return {word.rstrip(":") for word in text.split() if not _BOX.search(word)} - {""}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """model.json (toy4: 3 inputs, labels -1/1) and blobs.json (7 classes), saved as `gradcli train` saves them."""
    folder = tmp_path_factory.mktemp("narrow")
    for name, dataset, options in [("model", "toy4", {}), ("blobs", "blobs", {"classes": 7})]:
        run = prepare_run(dataset, DataOptions(**options), steps=5, layers=[4, 7 if name == "blobs" else 1])
        result = train(run.model, run.data, run.config)
        save_model(folder / f"{name}.json", run.predictor.to_saved(run_meta(run, result, f"gradcli train {dataset}")))
    return folder


@pytest.fixture
def models(folder, monkeypatch):
    """Run in the models' folder: short file names (a path longer than the terminal is wrapped inside itself)."""
    monkeypatch.chdir(folder)


def invoke(args, width: int, models=None):
    return CliRunner().invoke(app, args, env={"COLUMNS": str(width), "NO_COLOR": "1"})


def check_fits(output: str, width: int) -> None:
    """No line wider than the terminal, nothing cut short with "…"."""
    too_wide = [line for line in output.splitlines() if cell_len(line) > width]
    assert not too_wide, f"{len(too_wide)} lines wider than {width} columns:\n" + "\n".join(too_wide)
    assert "…" not in output, output


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name, args, essentials, compare", CASES, ids=[case[0] for case in CASES])
def test_every_table_keeps_every_cell_whole(name, args, essentials, compare, width, models):
    wide = invoke(args, WIDE, models)
    narrow = invoke(args, width, models)
    assert narrow.exit_code == wide.exit_code, narrow.output
    assert "Traceback" not in narrow.output
    check_fits(narrow.stdout, width)
    assert "…" not in narrow.stderr  # messages are soft-wrapped: the terminal folds them, nothing is cut
    found = words(narrow.stdout)
    missing = [word for word in essentials if word not in found]
    assert not missing, f"{missing} not whole at {width} columns:\n{narrow.stdout}"
    if compare:
        lost = words(wide.stdout) - found
        assert not lost, f"{sorted(lost)} lost or cut at {width} columns:\n{narrow.stdout}"


def test_a_narrow_terminal_as_a_subprocess(run_gradcli):
    """The real program reads COLUMNS too: `check` at 40 columns keeps its variables and verdicts."""
    result = run_gradcli("check", "sin(x)*y + abs(z)", "--x", "1", "--y", "2", "--z", "0", env_extra={"COLUMNS": "40"})
    assert result.returncode == 0, result.stderr
    check_fits(result.stdout, 40)
    assert {"variable", "x", "y", "z", "PASS", "kink", "1.080605"} <= words(result.stdout)


def test_a_wide_table_is_stacked_not_cut(models):
    """At 40 columns the check table becomes `header: value` lines, one block per variable."""
    out = invoke(CASES[2][1], 40, models).stdout
    assert "variable: x" in out and "result: PASS" in out and "result: kink" in out


def test_labels_wrap_at_spaces_not_inside_a_word(models):
    """At 80 columns the backward trace stays a table and breaks `tanh(x1*w1 + ...)` only between words."""
    out = invoke(CASES[0][1], 80, models).stdout
    assert "∂node/∂input" in out and "contribution" in out and "step: 9" not in out  # a table, not stacked
    assert {"tanh(x1*w1", "x1*w1", "x2*w2"} <= words(out)


def test_a_sweep_of_four_variables_is_cut_into_parts_that_repeat_h(models):
    out = invoke(CASES[4][1], 80, models).stdout
    assert out.count("     h ") == 2, out  # two parts, each with its own h column
    assert re.search(r"numeric ∂f/∂y +\|error\| y", out), out  # a variable's estimate and error stay side by side


@pytest.mark.parametrize("width", [80, 120])
def test_a_title_wider_than_its_table_stays_on_one_line(width, models):
    """The forward trace of x*y is narrower than its title: the title takes the terminal's width, not the table's."""
    out = invoke(["grad", "x*y", "--x", "1", "--y", "2"], width, models).stdout
    assert "Forward pass: each node computed from its inputs (inputs first)\n" in out, out
    check_fits(out, width)


def test_a_title_wraps_at_the_terminal_width(models):
    out = invoke(["grad", "x*y", "--x", "1", "--y", "2"], 40, models).stdout
    check_fits(out, 40)
    assert "Forward pass" in out and "first)" in out
