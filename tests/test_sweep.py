"""`gradcli sweep`: the grid, the runs (each equal to `gradcli train` with its settings), ranking, files, failures.

The backends (local processes, a real Dask cluster) and Ctrl-C are in tests/test_sweep_backends.py.
Runs here are tiny (a few steps) and most use `--jobs 1`, so that the file stays fast.
"""

from __future__ import annotations

import csv
import io
import json
import statistics

import pytest

from gradcli.errors import UsageError
from gradcli.learn.grid import GRID_SETTINGS, MAX_RUNS, make_grid, parse_values
from gradcli.learn.modelfile import load_model
from gradcli.learn.settings import SETTINGS

FAST = ["--steps", "5", "--jobs", "1"]


# -- the grid -------------------------------------------------------------------------------


def test_every_setting_of_a_run_can_be_swept_and_every_train_option_is_a_sweep_option():
    from typer.main import get_command

    from gradcli.cli.app import app

    commands = get_command(app).commands
    assert set(SETTINGS) <= set(GRID_SETTINGS)
    train_options = {opt for param in commands["train"].params for opt in param.opts + param.secondary_opts}
    sweep_options = {opt for param in commands["sweep"].params for opt in param.opts + param.secondary_opts}
    # train's outputs of one run (a file, a log, the display) have sweep counterparts: --save-dir, --results
    own = {"--save", "--log", "--init-from", "--quiet", "-q", "--plot", "--format", "--json", "--max-memory"}
    assert train_options - own - {"--help"} <= sweep_options
    assert {"--no-shuffle", "--no-zero-grad", "--no-standardize"} <= sweep_options


def test_values_are_read_by_their_settings_kind():
    assert parse_values("lr", "0.01, 0.1,1") == (0.01, 0.1, 1.0)
    assert parse_values("steps", "50,100") == (50, 100)
    assert parse_values("shuffle", "yes,no") == (True, False)
    assert [str(v) for v in parse_values("init", "xavier,he")] == ["xavier", "he"]
    layers = parse_values("layers", "8,1;16:tanh,1")
    assert [[str(plan) for plan in value] for value in layers] == [["8", "1"], ["16:tanh", "1"]]
    assert parse_values("features", "x,y;x,y,xy") == (("x", "y"), ("x", "y", "xy"))


@pytest.mark.parametrize("setting, text, message", [
    ("lr", "", "lr '' gives no values: the grid would be empty"),
    ("lr", "0.1,,1", "lr '0.1,,1': value 2 is empty"),
    ("lr", "0.1,0.10", "lr '0.1,0.10' gives 0.1 twice"),
    ("lr", "0.1,fast", "lr '0.1,fast': 'fast' is not a finite number"),
    ("lr", "-1", "lr must be a positive number, got -1"),
    ("steps", "5,1.5", "'1.5' is not a whole number"),
    ("init", "xavier,zero", "init 'zero' is not one of"),
    ("shuffle", "maybe", "'maybe' is not yes or no"),
    ("lrr", "1", "'lrr' is not a setting of a training run, so a sweep cannot vary it (did you mean lr?)"),
    # two values that differ only where a file name cannot keep the character would save to one file
    ("init_from", "runs/a.json,runs-a.json", "init_from 'runs/a.json,runs-a.json': runs/a.json and runs-a.json "
                                             "make the same file name, runs-a.json"),
    ("target", "a b,a-b", "target 'a b,a-b': a b and a-b make the same file name, a-b"),
])
def test_bad_values_and_names_are_refused_naming_the_setting(setting, text, message):
    with pytest.raises(UsageError) as caught:
        parse_values(setting, text)
    assert message in str(caught.value)


def test_the_grid_is_every_combination_times_every_seed_in_the_order_given():
    grid = make_grid("moons", {"init": "uniform,he", "lr": "0.1,1,3", "steps": "5"}, seeds=2)
    assert grid.size == 12 and grid.combinations == 6 and grid.fixed == {"steps": 5}
    assert grid.describe_size() == "12 runs (2 init x 3 lr x 2 seeds)"
    runs = grid.runs()
    assert [run.index for run in runs] == list(range(12))
    assert [run.label() for run in runs[:3]] == ["init=uniform lr=0.1 seed=1337", "init=uniform lr=0.1 seed=1338",
                                                 "init=uniform lr=1 seed=1337"]
    assert runs[-1].stem() == "init=he_lr=3_seed=1338"
    assert list(runs[-1].settings.items()) == [("init", "he"), ("lr", 3.0), ("steps", 5), ("seed", 1338)]
    assert len({run.stem() for run in runs}) == 12


def test_seeds_come_from_seed_or_a_list():
    assert make_grid("moons", {"seed": "7"}, seeds=3).seeds == (7, 8, 9)
    assert make_grid("moons", {"seed": "3,1"}).seeds == (3, 1)
    assert make_grid("moons", {}).seeds == (1337,)
    with pytest.raises(UsageError, match="seeds must be at least 1, got 0: with no seed the grid is empty"):
        make_grid("moons", {}, seeds=0)
    with pytest.raises(UsageError, match="give seed one value when seeds counts the seeds"):
        make_grid("moons", {"seed": "1,2"}, seeds=2)


def test_a_grid_beyond_the_limit_runs_only_when_confirmed():
    grid = make_grid("moons", {"lr": ",".join(str(k + 1) for k in range(101)), "steps": ",".join(
        str(k + 1) for k in range(100))})
    assert grid.size == 10_100 > MAX_RUNS
    with pytest.raises(UsageError, match=r"the grid makes 10,100 runs \(101 lr x 100 steps x 1 seed\), more than "
                                         r"10,000") as caught:
        grid.check_size()
    assert caught.value.describe_hint(lambda s: "--" + s) == "add --yes to run them all, or give fewer values"
    grid.check_size(confirmed=True)


# -- the command ----------------------------------------------------------------------------


def test_each_run_equals_gradcli_train_with_its_settings_and_has_its_json_keys(cli):
    swept = cli("sweep", "xor", "--lr", "0.3,1", "--test-split", "0.25", "--seeds", "2", *FAST, "--json")
    assert swept.exit_code == 0, swept.output
    document = json.loads(swept.stdout)
    assert document["grid"] == {"lr": [0.3, 1.0]} and document["seeds"] == [1337, 1338]
    assert document["fixed"] == {"test_split": 0.25, "steps": 5}
    assert document["runs_planned"] == document["runs_done"] == 4 and document["stopped"] == "completed"
    single = cli("train", "xor", "--lr", "1", "--seed", "1338", "--test-split", "0.25", "--steps", "5", "--json")
    expected = json.loads(single.stdout)
    run = next(run for run in document["runs"] if run["grid"] == {"lr": 1.0} and run["seed"] == 1338)
    assert set(run) == set(expected) | {"run", "name", "grid", "error"}
    assert run["command"] == "gradcli train xor --lr 1 --test-split 0.25 --steps 5 --seed 1338"
    for key in ("history", "final_loss", "test_loss", "test_accuracy", "train_accuracy", "layers", "lr"):
        assert run[key] == expected[key], key
    assert run["name"] == "lr=1_seed=1338" and run["error"] is None
    # the ranking: mean and spread over the seeds of the held-out loss, best first
    ranking = document["ranking"]
    assert document["ranked_by"] == "test_loss" and [row["runs"] for row in ranking] == [2, 2]
    assert ranking[0]["loss"]["mean"] <= ranking[1]["loss"]["mean"]
    for row in ranking:
        losses = [r["test_loss"] for r in document["runs"] if r["grid"] == row["settings"]]
        assert row["loss"]["mean"] == pytest.approx(statistics.fmean(losses))
        assert row["loss"]["spread"] == pytest.approx(statistics.stdev(losses))


def test_the_ranked_table_and_plain_progress(cli):
    result = cli("sweep", "moons", "--init", "uniform,xavier", "--seeds", "2", *FAST)
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert "Sweep of moons: 4 runs (2 init x 2 seeds)" in out and "4 runs on this process in " in out
    assert "rank" in out and "--init" in out and "final loss" in out and "train accuracy" in out
    assert "mean ± standard deviation over 2 seeds (1337, 1338); ranked by final loss" in out
    assert "best run: gradcli train moons --init uniform --steps 5 --seed 1338 (final loss " in out
    assert " ± " in out
    lines = [line for line in result.stderr.splitlines() if line.startswith("run ")]
    assert len(lines) == 4 and lines[0].startswith("run 1/4  init=uniform seed=1337  loss ")


def test_csv_has_one_row_per_run(cli):
    result = cli("sweep", "moons", "--lr", "0.3,1", *FAST, "--csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["lr"] for row in rows] == ["0.3", "1"] and {row["status"] for row in rows} == {"completed"}
    assert list(rows[0])[:5] == ["run", "name", "lr", "seed", "status"] and rows[0]["error"] == ""
    assert float(rows[0]["final_loss"]) > 0 and rows[0]["steps"] == "5"
    both = cli("sweep", "moons", "--csv", "--json")
    assert both.exit_code == 2 and "--json is short for --format json: give one of --json and --csv" in both.stderr


def test_a_failed_run_is_reported_in_its_row_and_the_sweep_goes_on(cli):
    result = cli("sweep", "moons", "--layers", "8,1;8,2", "--loss", "hinge", *FAST, "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    failed = [run for run in document["runs"] if run["error"]]
    assert len(failed) == 1 and failed[0]["grid"] == {"layers": "8,2"} and failed[0]["stopped"] == "failed"
    assert "--loss hinge needs one output score: end --layers with 1, not 2" in failed[0]["error"]
    assert document["runs_failed"] == 1 and document["ranking"][1]["failed"] == 1
    assert "warning: 1 of 2 runs failed: their rows say why" in result.stderr
    table = cli("sweep", "moons", "--layers", "8,1;8,2", "--loss", "hinge", *FAST)
    assert "1 of 1: --loss hinge needs one output" in " ".join(table.stdout.split())


def test_when_every_run_fails_the_sweep_fails_with_the_first_error(cli):
    usage = cli("sweep", "moons", "--layers", "8,2", "--loss", "hinge", "--seeds", "2", *FAST)
    assert usage.exit_code == 2
    assert "error: all 2 runs failed; the first: --loss hinge needs one output score" in usage.stderr
    diverged = cli("sweep", "moons", "--l2", "1e308", *FAST)
    assert diverged.exit_code == 1
    assert "error: the sweep's one run failed: the loss became infinite at step 1" in diverged.stderr
    assert "Sweep of moons" in diverged.stdout  # the table of what happened comes first
    assert "1 run on this process in " in diverged.stdout  # one run, not "1 runs"


def test_save_dir_keeps_every_run_named_by_its_settings(cli, tmp_path):
    folder = tmp_path / "runs"
    result = cli("sweep", "moons", "--lr", "0.3,1", "--layers", "4,1;8:tanh,1", *FAST, "--save-dir", str(folder),
                 "--results", str(tmp_path / "results.csv"), "-q")
    assert result.exit_code == 0, result.output
    names = sorted(path.name for path in folder.iterdir())
    assert names == sorted([f"lr={lr}_layers={layers}_seed=1337.{suffix}" for lr in ("0.3", "1")
                            for layers in ("4x1", "8tanhx1") for suffix in ("json", "csv")] + ["sweep.json"])
    model = load_model(folder / "lr=1_layers=8tanhx1_seed=1337.json")
    assert model.sizes == [8, 1] and model.layers[0].activation == "tanh"
    assert model.command == "gradcli train moons --lr 1 --layers 8:tanh,1 --steps 5 --seed 1337"
    document = json.loads((folder / "sweep.json").read_text())
    run = next(run for run in document["runs"] if run["name"] == "lr=1_layers=8tanhx1_seed=1337")
    assert model.history == run["history"] and run["saved"] == str(folder / f"{run['name']}.json")
    log = list(csv.DictReader(open(folder / "lr=1_layers=8tanhx1_seed=1337.csv")))
    assert [float(row["loss"]) for row in log] == run["history"]["loss"]
    rows = list(csv.DictReader(open(tmp_path / "results.csv")))
    assert len(rows) == 4 and {row["name"] for row in rows} == {run["name"] for run in document["runs"]}


def test_plot_draws_the_curves_and_for_two_settings_a_heat_map(cli, tmp_path, monkeypatch):
    from gradcli.pictures import runs_plot

    drawn = {}
    original = runs_plot._heat_map
    monkeypatch.setattr(runs_plot, "_heat_map", lambda ax, grid, ranking: (drawn.setdefault("heat", ranking),
                                                                           original(ax, grid, ranking)))
    path = tmp_path / "sweep.png"
    result = cli("sweep", "moons", "--lr", "0.3,1", "--init", "uniform,he", *FAST, "--plot", str(path))
    assert result.exit_code == 0, result.output
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and f"wrote the plot of this sweep to {path}" in result.stdout
    assert len(drawn["heat"].rows) == 4
    one = cli("sweep", "moons", "--lr", "0.3,1", *FAST, "--plot", str(tmp_path / "one.svg"), "-q")
    assert one.exit_code == 0 and (tmp_path / "one.svg").read_text().lstrip().startswith("<?xml")
    bad = cli("sweep", "moons", *FAST, "--plot", str(tmp_path / "x.gif"))
    assert bad.exit_code == 2 and "the file name must end in .png or .svg" in bad.stderr


def test_live_progress_shows_the_sweep_bar_and_one_line_per_running_run():
    from rich.console import Console

    from gradcli.learn.sweep import RunOutcome, RunProgress
    from gradcli.render.sweep_progress import LiveSweepProgress

    specs = make_grid("moons", {"lr": "0.1,1,3"}).runs()
    progress = LiveSweepProgress(specs, Console(file=io.StringIO(), force_terminal=True, width=120),
                                 "2 local processes")
    screen = Console(file=io.StringIO(), width=120, no_color=True)
    screen.print(progress)
    assert "starting 2 local processes" in screen.file.getvalue()
    progress.on_ready(1.0, 2, "2 local processes")
    progress.on_progress(RunProgress(0, 40, 100, 0.3, 0.85, "accuracy"))
    progress.on_progress(RunProgress(1, 12, 100, 0.5, 0.7, "accuracy"))
    progress.on_result(RunOutcome(2, "completed", metric_name="accuracy", final_loss=0.25, train_metric=0.9,
                                  seconds=0.5))
    progress.on_progress(RunProgress(2, 100, 100, 0.25, 0.9, "accuracy"))  # late: the run has finished
    screen = Console(file=io.StringIO(), width=120, no_color=True)
    screen.print(progress)
    text = screen.file.getvalue()
    assert "1/3 runs  best loss 0.2500 (lr=3 seed=1337)  ETA" in text
    assert "lr=0.1 seed=1337  step 40/100  loss 0.3000  accuracy 85.0%" in text
    assert "lr=1 seed=1337  step 12/100" in text and "lr=3 seed=1337  step" not in text


@pytest.mark.parametrize("args, message", [
    (["--lr", ""], "--lr '' gives no values: the grid would be empty"),
    (["--seeds", "0"], "--seeds must be at least 1, got 0"),
    (["--seeds", "10001"], "the grid makes 10,001 runs (10,001 seeds), more than 10,000"),
    (["--shuffle", "yes", "--no-shuffle"], "give --shuffle VALUES or --no-shuffle, not both"),
    (["--results", "out.txt"], "--results out.txt: the file name must end in .json or .csv"),
    (["--jobs", "0"], "--jobs must be at least 1, got 0"),
    (["--scheduler", "tcp://127.0.0.1:9", "--jobs", "2"], "--jobs counts local processes; with --scheduler"),
])
def test_bad_sweeps_are_refused_before_any_run(cli, args, message):
    result = cli("sweep", "moons", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr and "Traceback" not in result.output
    assert "run 1/" not in result.stderr


def test_an_unknown_option_is_a_usage_error_with_a_suggestion(cli):
    result = cli("sweep", "moons", "--lrr", "0.1,1")
    assert result.exit_code == 2
    assert "gradcli sweep has no option --lrr" in result.stderr and "did you mean --lr?" in result.stderr


@pytest.mark.parametrize("module", ["gradcli.cli.train_cmd", "gradcli.cli.sweep_cmd"])
def test_each_command_module_imports_on_its_own(module):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr  # sweep_cmd uses train_cmd, which imports the app: no cycle
