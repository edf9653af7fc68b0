"""`gradcli datasets` and `gradcli datasets show`, through the CLI (in-process and as a subprocess)."""

from __future__ import annotations

import json
import re

import numpy as np

from gradcli.data.datasets import builtin_datasets, load_dataset

ANSI = re.compile(r"\x1b\[")


def test_list_names_every_builtin_with_task_and_size(cli):
    result = cli("datasets")
    assert result.exit_code == 0, result.output
    for info in builtin_datasets():
        row = next(line for line in result.stdout.splitlines() if re.match(rf"\s*{re.escape(info.name)}\s", line))
        assert info.task in row and info.size in row and info.description in row
    assert "any CSV file works too" in result.stdout


def test_list_as_json(cli):
    result = cli("datasets", "--json")
    assert result.exit_code == 0
    entries = {entry["name"]: entry for entry in json.loads(result.stdout)}
    assert entries["moons"] == {"name": "moons", "task": "binary", "size": "100 by default",
                                "description": "two interleaving half circles",
                                "two_d": True, "generated": True, "takes_classes": False, "noise_range": [0.0, 1.0]}
    assert entries["toy4"]["size"] == "4 rows" and entries["toy4"]["noise_range"] is None
    assert entries["spiral"]["noise_range"] == [0.0, 0.5] and entries["blobs"]["takes_classes"]


def test_show_plots_a_2d_dataset_with_a_summary(cli):
    result = cli("datasets", "show", "moons", "--width", "40")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "moons: two interleaving half circles"
    assert lines[1] == "100 samples, 2 inputs (x1, x2); binary classification, y = 0: 50, 1: 50"
    assert lines[2] == "generated with --samples 100, --noise 0.1, --seed 1337"
    plot = "\n".join(lines[3:])
    assert plot.count("o") >= 30 and plot.count("x") >= 30   # 50 points a class; a few share a cell
    assert "o 0   x 1" in plot
    assert not ANSI.search(result.stdout)


def test_show_passes_generator_options(cli):
    result = cli("datasets", "show", "blobs", "--classes", "4", "--samples", "80", "--seed", "3", "--noise", "0.05")
    assert result.exit_code == 0, result.output
    assert "80 samples" in result.stdout and "0: 20, 1: 20, 2: 20, 3: 20" in result.stdout
    assert "--classes 4" in result.stdout and "+ 2   # 3" in result.stdout


def test_show_lists_rows_when_the_data_is_not_2d(cli):
    result = cli("datasets", "show", "toy4")
    assert result.exit_code == 0
    rows = [line for line in result.stdout.splitlines() if re.match(r"[│|]\s+\d", line)]
    cells = [[cell.strip() for cell in re.split(r"[│|]", row)[1:-1]] for row in rows]
    assert cells == [["1", "2", "3", "-1", "1"], ["2", "3", "-1", "0.5", "-1"],
                     ["3", "0.5", "1", "1", "-1"], ["4", "1", "1", "-1", "1"]]
    assert "y = -1: 2, 1: 2" in result.stdout


def test_generator_options_on_a_csv_file_are_ignored_with_a_warning(cli):
    result = cli("datasets", "show", "toy4", "--noise", "0.3", "--seed", "2")
    assert result.exit_code == 0
    assert result.stderr.strip() == ("warning: --noise and --seed do not apply to toy4: it is read from a CSV file, "
                                     "not generated")
    assert "4 samples" in result.stdout


def test_show_a_csv_file_by_path_with_target_and_rows(cli, tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("label,a,b,c\n" + "".join(f"{i % 2},{i},{i * 2},{i * 3}\n" for i in range(12)))
    result = cli("datasets", "show", str(path), "--target", "label", "--rows", "3")
    assert result.exit_code == 0, result.output
    assert "12 samples, 3 inputs (a, b, c); binary classification, label = 0: 6, 1: 6" in result.stdout
    assert "... and 9 more rows" in result.stdout


def test_show_plots_sine_as_y_against_x(cli):
    result = cli("datasets", "show", "sine", "--noise", "0")
    assert result.exit_code == 0
    assert "regression, y from" in result.stdout
    assert "0-9: the target from" in result.stdout


def test_show_json_gives_the_samples_with_original_labels(cli):
    result = cli("datasets", "show", "xor", "--samples", "20", "--json")
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    data = load_dataset("xor", samples=20)
    assert payload["X"] == data.X.tolist()
    assert set(payload["y"]) == {-1, 1} and payload["class_labels"] == [-1, 1]
    assert payload["class_counts"] == data.class_counts() and payload["task"] == "binary"
    assert payload["params"] == {"samples": 20, "noise": 0.1, "seed": 1337}


def test_export_round_trips_through_the_csv_reader(cli, tmp_path):
    target = tmp_path / "circle.csv"
    result = cli("datasets", "show", "circle", "--export", str(target))
    assert result.exit_code == 0, result.output
    assert f"wrote 100 rows to {target}" in result.stdout
    original, again = load_dataset("circle"), load_dataset(str(target))
    assert np.array_equal(original.X, again.X) and np.array_equal(original.y, again.y)
    assert again.class_labels == [-1, 1] and again.input_names == ["x1", "x2"]
    assert list(tmp_path.iterdir()) == [target]   # no temporary file left behind


def test_export_to_a_missing_folder_fails_cleanly(cli, tmp_path):
    result = cli("datasets", "show", "moons", "--export", str(tmp_path / "no" / "such.csv"))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: cannot write {tmp_path / 'no' / 'such.csv'}: the folder {tmp_path / 'no'} does not exist",
        "hint: create it first",
    ]


def test_unknown_dataset_is_a_usage_error_with_a_suggestion(cli):
    result = cli("datasets", "show", "moon")
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: unknown dataset 'moon' (did you mean 'moons'?); see `gradcli datasets`"
    assert "Traceback" not in result.output


def test_bad_options_exit_2_with_the_allowed_range(cli, tmp_path):
    cases = [
        (["xor", "--noise", "0.9"], "error: --noise for xor must lie in [0, 0.5], got 0.9"),
        (["moons", "--samples", "1"], "error: --samples must lie in [4, 100,000], got 1"),
        (["moons", "--classes", "3"], "error: --classes applies only to blobs and spiral, not to moons"),
        (["spiral", "--classes", "12"], "error: --classes must lie in [2, 10], got 12"),
    ]
    for args, message in cases:
        result = cli("datasets", "show", *args)
        assert result.exit_code == 2, args
        assert result.stderr.strip() == message
        assert result.stdout == ""   # nothing printed before the error
    # the plot size and --rows are declared with their ranges: Typer checks them, shows them in --help
    typer_cases = [
        (["moons", "--rows", "0"], "--rows must be at least 1, got 0"),
        (["moons", "--width", "3"], "--width must lie in 4..500, got 3"),
        (["moons", "--width", "501"], "--width must lie in 4..500, got 501"),
        (["moons", "--height", "1"], "--height must lie in 2..200, got 1"),
        (["moons", "--height", "201"], "--height must lie in 2..200, got 201"),
    ]
    for args, message in typer_cases:
        result = cli("datasets", "show", *args)
        assert result.exit_code == 2 and result.stderr.startswith(f"error: {message}\n"), args
        assert result.stdout == ""
    assert all(f"[{limits}]" in cli("datasets", "show", "--help").stdout
               for limits in ("4<=x<=500", "2<=x<=200", "x>=1"))


def test_bad_csv_reports_file_row_and_column(cli, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("x1,x2,y\n1,2,0\n3,four,1\n")
    result = cli("datasets", "show", str(path))
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {path}, row 3, column 2 ('x2'): 'four' is not a number"


def test_datasets_as_a_real_subprocess(run_gradcli):
    listing = run_gradcli("datasets")
    assert listing.returncode == 0 and "reg-gauss" in listing.stdout and "toy4" in listing.stdout
    shown = run_gradcli("datasets", "show", "spiral", "--classes", "3")
    assert shown.returncode == 0
    assert "multiclass classification, y = 0: 34, 1: 33, 2: 33" in shown.stdout
    assert not ANSI.search(shown.stdout)   # a pipe gets plain characters
    failed = run_gradcli("datasets", "show", "spirals")
    assert failed.returncode == 2
    assert failed.stderr.strip() == "error: unknown dataset 'spirals' (did you mean 'spiral'?); see `gradcli datasets`"


def test_datasets_list_does_not_import_scikit_learn(run_gradcli):
    import subprocess
    import sys

    code = ("import sys; from gradcli.cli.app import app; "
            "sys.argv=['gradcli', 'datasets']; "
            "import typer\ntry:\n    app()\nexcept SystemExit:\n    pass\n"
            "print('sklearn' in sys.modules, file=sys.stderr)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.stderr.strip().splitlines()[-1] == "False"


def test_help_ends_with_examples(cli):
    for args in (["datasets", "--help"], ["datasets", "show", "--help"]):
        result = cli(*args)
        assert result.exit_code == 0
        assert "Examples:" in result.stdout and "gradcli datasets" in result.stdout.split("Examples:")[1]
