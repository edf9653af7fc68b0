"""One way to write each kind of output: numbers as text, strict JSON, CSV, and `--format` / `--json` everywhere."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from gradcli import numbers
from gradcli.csvtext import csv_text, write_csv_rows
from gradcli.data.csvfile import read_text_table
from gradcli.jsontext import null_warning, to_json


# -- numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize("x, precision, text", [
    (0.70710678, 4, "0.7071"), (-1.5, 4, "-1.5000"), (-0.0, 4, "0.0000"), (-1e-9, 4, "-1.0000e-09"),
    (2.5e7, 2, "2.50e+07"), (float("nan"), 4, "nan"), (float("-inf"), 4, "-inf"), (3.0, 0, "3"),
    (0.00004, 4, "4.0000e-05"), (0.00006, 4, "0.0001"), (999999.0, 2, "999999.00"), (None, 4, "-"),
])
def test_decimals_switch_to_e_notation_only_where_decimals_would_hide_the_number(x, precision, text):
    assert numbers.decimals(x, precision) == text


@pytest.mark.parametrize("formatter, x, text", [
    (numbers.trimmed, 2.0, "2"), (numbers.trimmed, 6.881373587, "6.8814"), (numbers.trimmed, 1e-9, "1.0000e-09"),
    (numbers.scientific, 6.2618e-11, "6.26e-11"), (numbers.scientific, None, "-"),
    (numbers.significant, 6.8813735870195432, "6.881373587"), (numbers.significant, -0.0, "0"),
    (numbers.short, 0.302149, "0.3021"), (numbers.short, 12345.6, "1.235e+04"), (numbers.short, 0.00012, "0.00012"),
    (numbers.percent, 0.87, "87.0%"), (numbers.percent, float("nan"), "-"),
    (numbers.plain, 1000.0, "1000"), (numbers.plain, -8.0, "-8"), (numbers.plain, 0.1 + 0.2, "0.3"),
    (numbers.plain, float("-inf"), "-inf"),
    (numbers.exact, 0.1 + 0.2, "0.30000000000000004"), (numbers.exact, 3.0, "3"), (numbers.exact, 1e20, "1e+20"),
])
def test_each_formatter_has_one_rule(formatter, x, text):
    assert formatter(x) == text


def test_grad_and_draw_write_a_number_the_same_way(cli):
    """One formatter for tables and pictures: a tiny gradient is 2.0000e-09 in both."""
    pytest.importorskip("graphviz")
    args = ["x*1e-9", "--x", "3"]
    table = cli("grad", *args, "--format", "markdown")
    dot = cli("draw", *args, "-o", "-")
    assert table.exit_code == dot.exit_code == 0, table.output + dot.output
    assert "| x | input | 3.0000 | 1.0000e-09 |" in table.stdout
    assert "grad 1.0000e-09" in dot.stdout


# -- JSON -------------------------------------------------------------------------------


def test_json_is_strict_and_says_where_it_wrote_null():
    document = {"value": 0.1 + 0.2, "grads": {"x": float("-inf"), "y": 2.0}, "history": [1.0, float("nan")]}
    text = to_json(document)
    assert "Infinity" not in text and "NaN" not in text
    assert json.loads(text) == {"value": 0.1 + 0.2, "grads": {"x": None, "y": 2.0}, "history": [1.0, None]}
    assert null_warning(document) == ("JSON has no NaN or infinity: written as null: grads.x (-inf), "
                                      "history[1] (nan)")
    assert null_warning({"a": [1.0, {"b": 2.0}]}) is None
    many = null_warning([float("nan")] * 5)
    assert many.endswith("[2] (nan) and 2 more")


def test_a_json_null_is_explained_on_stderr(cli):
    result = cli("grad", "1/x", "--x", "1e-300", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["gradients"] == {"x": None}
    assert "warning: JSON has no NaN or infinity: written as null: gradients.x (-inf)" in result.stderr


# -- CSV --------------------------------------------------------------------------------


def test_csv_keeps_every_digit_and_reads_back(tmp_path):
    rows = [[0.1 + 0.2, np.float64(1e-300), None, "a, b"], [-0.0, 7, math.pi, 'say "hi"']]
    text = csv_text(["x", "y", "missing", "note"], rows)
    assert text.splitlines() == ["x,y,missing,note", '0.30000000000000004,1e-300,,"a, b"',
                                 '-0.0,7,3.141592653589793,"say ""hi"""']
    path = tmp_path / "out.csv"
    write_csv_rows(path, ["x", "y"], [[row[0], row[1]] for row in rows])
    table = read_text_table(str(path))
    assert table.header == ["x", "y"]
    assert table.numbers([0, 1]).tolist() == [[0.1 + 0.2, 1e-300], [-0.0, 7.0]]


# -- --format and --json ------------------------------------------------------------------


@pytest.fixture
def model(cli, tmp_path):
    path = tmp_path / "model.json"
    assert cli("train", "moons", "--steps", "3", "--quiet", "--save", str(path)).exit_code == 0
    return str(path)


COMMANDS = [
    ["grad", "x*y", "--x", "2", "--y", "3"],
    ["check", "x*y", "--x", "2", "--y", "3"],
    ["train", "xor", "--steps", "3", "--quiet"],
    ["predict", "MODEL", "--x1", "0.5", "--x2", "1"],
    ["eval", "MODEL", "moons", "--samples", "20"],
    ["datasets"],
    ["datasets", "show", "toy4"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda args: " ".join(args[:2]))
def test_json_is_short_for_format_json_on_every_command(cli, model, args):
    args = [model if arg == "MODEL" else arg for arg in args]
    long, short = cli(*args, "--format", "json"), cli(*args, "--json")
    assert long.exit_code == short.exit_code == 0, long.output + short.output
    ignore = ("seconds", "steps_per_second", "command")  # the time a run took, and how it was typed
    documents = [json.loads(result.stdout) for result in (long, short)]
    for document in documents:
        for key in ignore:
            if isinstance(document, dict):
                document.pop(key, None)
    assert documents[0] == documents[1]
    table = cli(*args)
    assert table.exit_code == 0 and not table.stdout.lstrip().startswith(("{", "["))


@pytest.mark.parametrize("args", [["grad", "x", "--x", "1"], ["check", "x", "--x", "1"], ["predict", "MODEL"]])
def test_json_with_another_format_is_a_usage_error(cli, model, args):
    args = [model if arg == "MODEL" else arg for arg in args]
    result = cli(*args, "--json", "--format", "csv")
    assert result.exit_code == 2
    assert "error: --json is short for --format json: give one of --json and --format csv" in result.stderr


def test_train_and_datasets_take_no_other_formats(cli):
    result = cli("datasets", "--format", "csv")
    assert result.exit_code == 2 and "csv" in result.stderr
