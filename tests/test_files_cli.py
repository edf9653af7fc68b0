"""Files under attack, through the command line: outputs that are inputs, devices, pipes, odd names.

Reading: every file is checked before it is opened and read to a limit (``gradcli.readfile``).
Writing: ``gradcli.atomicfile`` (its unit tests are in test_atomicfile.py).  Devices are made
with mknod in a temporary folder, never on /dev; the commands that could read forever or wait
forever run as subprocesses with a time and memory limit, so a regression fails instead of hanging.
"""

from __future__ import annotations

import json
import os
import resource
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ZERO, NULL, FULL = (1, 5), (1, 3), (1, 7)  # /dev/zero, /dev/null, /dev/full
TRAIN = ("--steps", "3", "--quiet")


def device(folder: Path, name: str, numbers) -> Path:
    path = folder / name
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(*numbers))
    except PermissionError:
        pytest.skip("making device nodes needs root")
    return path


def limited_run(*args, cwd, stdin=subprocess.DEVNULL, timeout=60):
    """``python -m gradcli ARGS`` with 2 GB of memory at most (reading /dev/zero must not take the machine)."""
    def limit_memory():
        resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))

    env = dict(os.environ, COLUMNS="200", NO_COLOR="1", PYTHONPATH=str(Path(__file__).parents[1]))
    return subprocess.run([sys.executable, "-m", "gradcli", *args], cwd=cwd, env=env, stdin=stdin, capture_output=True,
                          text=True, timeout=timeout, preexec_fn=limit_memory)


def error_text(result) -> str:
    return " ".join(result.stderr.split())


@pytest.fixture
def folder(tmp_path, monkeypatch, cli):
    """A folder with a model (m.json, trained on moons), a CSV dataset and a CSV of inputs."""
    monkeypatch.chdir(tmp_path)
    assert cli("train", "moons", *TRAIN, "--save", "m.json").exit_code == 0
    Path("data.csv").write_text("x1,x2,y\n0,1,0\n1,0,1\n0.5,0.5,0\n1,1,1\n")
    Path("points.csv").write_text("x1,x2\n0.5,-0.2\n1.5,-0.4\n")
    return tmp_path


# ---------------------------------------------------------------- outputs that are inputs (item 2)


@pytest.mark.parametrize("args, message", [
    (["train", "data.csv", *TRAIN, "--log", "data.csv"], "--log data.csv is the same file as DATASET data.csv"),
    (["train", "moons", *TRAIN, "--init-from", "m.json", "--log", "m.json"],
     "--log m.json is the same file as --init-from m.json"),
    (["train", "moons", *TRAIN, "--save", "a.json", "--log", "a.json"],
     "--log a.json is the same file as --save a.json: each output needs a file of its own"),
    (["predict", "m.json", "--x1", "1", "--x2", "2", "--output", "m.json"], "--output m.json is the same file as MODEL m.json"),
    (["predict", "m.json", "--input", "points.csv", "--output", "points.csv"],
     "--output points.csv is the same file as --input points.csv"),
    (["datasets", "show", "data.csv", "--export", "data.csv"], "--export data.csv is the same file as DATASET data.csv"),
])
def test_an_output_that_is_an_input_is_refused_and_the_input_kept(cli, folder, args, message):
    before = {name: Path(name).read_bytes() for name in ("m.json", "data.csv", "points.csv")}
    result = cli(*args)
    assert result.exit_code == 2 and message in error_text(result), result.output
    assert "hint: give --" in result.stderr
    assert {name: Path(name).read_bytes() for name in before} == before
    assert not Path("a.json").exists()


def test_save_over_init_from_trains_the_model_further_in_place(cli, folder):
    before = json.loads(Path("m.json").read_text())
    result = cli("train", "moons", "--steps", "5", "--quiet", "--init-from", "m.json", "--save", "./m.json")
    assert result.exit_code == 0 and "saved the model to ./m.json" in result.stdout, result.output
    after = json.loads(Path("m.json").read_text())
    assert after["meta"]["steps_done"] == 5 and after["meta"]["init_from"] == "m.json"
    assert after["layers"] != before["layers"] and len(after["layers"]) == len(before["layers"])


def test_a_run_in_place_that_diverges_keeps_the_model_it_started_from(cli, folder):
    before = Path("m.json").read_bytes()
    result = cli("train", "moons", "--steps", "30", "--lr", "1e6", "--init-from", "m.json", "--save", "m.json", "-q")
    assert result.exit_code == 1 and "the loss became infinite" in result.stderr
    assert "warning: kept m.json as it was, the model this run started from: the run failed" in result.stderr
    assert "saved the model" not in result.stdout and Path("m.json").read_bytes() == before
    elsewhere = cli("train", "moons", "--steps", "30", "--lr", "1e6", "--init-from", "m.json", "--save", "b.json", "-q")
    assert elsewhere.exit_code == 1 and Path("b.json").exists()  # to another file: the last finite step, as before


@pytest.mark.parametrize("make", ["symlink", "hard link"])
def test_another_name_for_the_input_is_the_same_file(cli, folder, make):
    (os.symlink if make == "symlink" else os.link)("data.csv", "alias.csv")
    result = cli("train", "data.csv", *TRAIN, "--log", "alias.csv")
    assert result.exit_code == 2 and "--log alias.csv is the same file as DATASET data.csv" in error_text(result)
    assert Path("data.csv").read_text().startswith("x1,x2,y")


def test_a_builtin_name_is_not_a_file(cli, folder):
    Path("moons").write_text("not the dataset")
    result = cli("train", "moons", *TRAIN, "--log", "moons")  # the generated moons; the file is only written
    assert result.exit_code == 0 and Path("moons").read_text().startswith("step,loss")


# ---------------------------------------------------------------- devices and pipes as outputs (item 1, 20)


def test_a_null_device_as_log_and_model_stays_a_device(cli, folder):
    null = device(folder, "null", NULL)
    result = cli("train", "moons", *TRAIN, "--save", "null", "--log", "null")
    assert result.exit_code == 0 and stat.S_ISCHR(null.stat().st_mode), result.output


@pytest.mark.parametrize("args", [
    ["train", "moons", *TRAIN, "--save", "full"],
    ["train", "moons", *TRAIN, "--log", "full"],
    ["train", "moons", *TRAIN, "--plot", "full.png"],
    ["datasets", "show", "moons", "--export", "full"],
    ["predict", "m.json", "--x1", "1", "--x2", "2", "--output", "full"],
    ["draw", "x*y", "--x", "1", "--y", "2", "-o", "full.dot"],
])
def test_a_full_disk_is_one_message_and_exit_1_for_every_writer(cli, folder, args):
    device(folder, "full", FULL)
    os.link("full", "full.png")
    os.link("full", "full.dot")
    result = cli(*args)
    name = args[-1]
    assert result.exit_code == 1, result.output
    assert f"error: cannot write {name}: no space left on the device (the disk is full)" in result.stderr
    assert stat.S_ISCHR(Path(name).stat().st_mode)


def test_a_pipe_nobody_reads_fails_at_once(folder):
    os.mkfifo("pipe")
    result = limited_run("train", "moons", *TRAIN, "--log", "pipe", cwd=folder, timeout=60)
    assert result.returncode == 2 and "error: cannot write pipe: no process is reading from it" in result.stderr
    assert stat.S_ISFIFO(os.stat("pipe").st_mode)


@pytest.mark.parametrize("value, message", [
    ("", "error: cannot write to an empty file name"),
    ("-", "error: cannot write '-': this file is written by name, not to stdout"),
    ("new.json/", "error: cannot write new.json/: a name ending in '/' names a folder"),
    ("a" * 300 + ".json", "the file name is too long (at most 255 bytes a name)"),
])
def test_names_that_are_not_files_are_refused_before_training(cli, folder, value, message):
    result = cli("train", "moons", "--steps", "3", "--save", value)
    assert result.exit_code == 2 and message in result.stderr and "step 1" not in result.output
    assert sorted(os.listdir(folder)) == ["data.csv", "m.json", "points.csv"]


# ---------------------------------------------------------------- bounded reads (item 8)


@pytest.mark.parametrize("args", [
    ["train", "{path}", *TRAIN],
    ["eval", "m.json", "{path}"],
    ["datasets", "show", "{path}"],
    ["predict", "{path}", "--x1", "1", "--x2", "2"],
    ["predict", "m.json", "--input", "{path}"],
    ["train", "moons", *TRAIN, "--init-from", "{path}"],
    ["draw", "{json}", "-o", "net.dot"],
])
@pytest.mark.parametrize("kind", ["zero device", "pipe"])
def test_a_device_or_pipe_as_input_is_refused_before_it_is_opened(folder, args, kind):
    if kind == "pipe":
        os.mkfifo("source")
        os.symlink("source", "source.json")
        named = "a named pipe (FIFO)"
    else:
        device(folder, "source", ZERO)
        os.link("source", "source.json")
        named = "a character device"
    path = "source.json" if "{json}" in args else "source"
    result = limited_run(*[arg.format(path=path, json=path) for arg in args], cwd=folder)
    assert result.returncode == 2, result.stderr
    assert f"error: {path} is {named}, not a regular file" in result.stderr


def test_predict_reads_its_inputs_from_stdin_with_dash(folder, cli):
    result = cli("predict", "m.json", "--input", "-", "--format", "csv", input="x1,x2\n0.5,-0.2\n1.5,-0.4\n")
    assert result.exit_code == 0 and result.stdout.splitlines()[0] == "x1,x2,score,class"
    assert len(result.stdout.splitlines()) == 3


def test_stdin_is_read_to_the_limit_only(folder, cli, monkeypatch):
    from gradcli.data import csvfile

    monkeypatch.setattr(csvfile, "CAREFUL_MEMORY", 2**21)  # 2 MB of memory a byte: 1 KB within --max-memory 2GB
    result = cli("predict", "m.json", "--input", "-", input="x1,x2\n" + "0.5,-0.2\n" * 500)
    assert result.exit_code == 2 and "stdin is more than 1 KB; gradcli reads CSV files up to 1 KB" in error_text(result)
    assert "raise --max-memory to read larger ones" in error_text(result)


@pytest.mark.parametrize("args", [["train", "{}"], ["predict", "{}", "--x1", "1", "--x2", "2"], ["eval", "{}", "moons"]])
def test_a_symlink_loop_is_not_a_missing_file(cli, folder, args):
    os.symlink("loop.b", "loop.a")
    os.symlink("loop.a", "loop.b")
    result = cli(*[arg.format("loop.a") for arg in args])
    assert result.exit_code == 2 and "cannot read loop.a: too many levels of symbolic links" in result.stderr


def test_a_broken_link_names_where_it_points(cli, folder):
    os.symlink("gone.json", "model.json")
    result = cli("predict", "model.json", "--x1", "1", "--x2", "2")
    assert result.exit_code == 2 and "model.json is a symbolic link to gone.json, which does not exist" in result.stderr


def test_a_name_too_long_to_read(cli, folder):
    result = cli("train", "b" * 300 + ".csv")
    assert result.exit_code == 2 and result.stderr.rstrip().endswith("the file name is too long")
    assert "internal error" not in result.stderr


# ---------------------------------------------------------------- non-finite metrics (item 4)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy's overflow warnings, on purpose here
def test_a_model_with_non_finite_metrics_is_saved_with_a_warning(cli, folder):
    rows = "".join(f"{k / 10},{(-1) ** k * (k + 1) * 1e153}\n" for k in range(20))
    Path("huge.csv").write_text("x1,y\n" + rows)
    result = cli("train", "huge.csv", "--steps", "3", "--quiet", "--optimizer", "sgd", "--lr", "1e-300",
                 "--save", "huge.json")
    saved = json.loads(Path("huge.json").read_text())
    assert saved["meta"]["metrics"]["final_loss"] is None
    assert "warning: huge.json: JSON has no NaN or infinity: written as null: meta.metrics.final_loss (inf)" \
        in error_text(result)
