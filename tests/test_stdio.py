"""The standard streams under attack: closed, full, a closed pipe, an ASCII encoding, odd sizes, hostile text.

Every case runs gradcli as a real process, since what is tested is how it meets
its file descriptors and environment: stdout closed or pointed at /dev/full, a
pipe whose reader has gone, ``PYTHONIOENCODING=ascii``, ``COLUMNS=0``, a bad
``MPLBACKEND``, and terminal escape codes arriving through argv, CSV files and
model files.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 120
ESC = "\x1b"


def gradcli(*args, env_extra=None, preexec_fn=None, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, cwd=None):
    env = dict(os.environ, COLUMNS="120", NO_COLOR="1", PYTHONPATH=str(ROOT))
    for name, value in (env_extra or {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.run([sys.executable, "-m", "gradcli", *args], stdin=stdin, stdout=stdout,
                          stderr=subprocess.PIPE, preexec_fn=preexec_fn, env=env, timeout=TIMEOUT, cwd=cwd)


def close_fds(*fds):
    def close():
        for fd in fds:
            os.close(fd)
    return close


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("model") / "m.json"
    done = gradcli("train", "moons", "--steps", "2", "--quiet", "--save", str(path))
    assert done.returncode == 0, done.stderr
    return path


# -- item 17: output must not vanish with success ------------------------------------------------------------


def test_closed_stdout_is_an_error_not_a_silent_success():
    done = gradcli("grad", "x**2", "--x", "3", preexec_fn=close_fds(1))
    assert done.returncode == 1
    assert done.stderr.decode() == ("error: standard output is closed: gradcli has nowhere to write its results\n"
                                    "hint: redirect it to a file, or to /dev/null to discard it (>/dev/null)\n")


def test_closed_stdout_and_stderr_still_fail():
    done = gradcli("grad", "x**2", "--x", "3", "--json", preexec_fn=close_fds(1, 2))
    assert done.returncode == 1


def test_closed_stdout_is_refused_before_any_work_so_no_file_takes_its_place(tmp_path):
    """With fd 1 closed, the first file gradcli opened would get number 1, and output meant for the terminal
    could land in it: gradcli opens /dev/null there and stops before writing anything."""
    done = gradcli("train", "moons", "--steps", "2", "--save", str(tmp_path / "m.json"), preexec_fn=close_fds(1))
    assert done.returncode == 1 and b"standard output is closed" in done.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("columns", ["0", "-3", "abc", "", "  "])
def test_a_nonsense_terminal_width_is_ignored(columns):
    done = gradcli("grad", "x**2", "--x", "3", env_extra={"COLUMNS": columns})
    assert done.returncode == 0
    assert "f = x**2 = 9" in done.stdout.decode() and "Gradients" in done.stdout.decode()


@pytest.mark.parametrize("columns", ["1", "10", "39"])
def test_a_tiny_width_is_laid_out_at_40_columns_not_as_blank_lines(model, columns):
    done = gradcli("predict", str(model), "--x1", "1", "--x2", "2", env_extra={"COLUMNS": columns})
    assert done.returncode == 0
    header = done.stdout.decode().splitlines()[0].split()
    assert header == ["x1", "x2", "score", "class"]  # at 10 columns these were blank lines


def test_errors_are_shown_at_columns_0():
    done = gradcli("grad", "log(x)", "--x", "-3", env_extra={"COLUMNS": "0", "LINES": "0"})
    assert done.returncode == 1
    assert done.stderr.decode() == "error: log(x): argument is -3, log needs a positive number\n"


# -- item 14: the environment's problems are ordinary errors ----------------------------------------------------

full = pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")


@full
@pytest.mark.parametrize("args", [["grad", "x**2", "--x", "3"], ["grad", "x**2", "--x", "3", "--json"],
                                  ["datasets"], ["--version"], ["grad", "--help"]])
def test_stdout_on_a_full_device_says_disk_full(args):
    with open("/dev/full", "wb") as device:
        done = gradcli(*args, stdout=device)
    assert done.returncode == 1
    assert done.stderr.decode() == ("error: cannot write to standard output: the disk or device is full "
                                    "(No space left on device)\nhint: redirect it to a file on a disk with free space\n")


@full
def test_stderr_on_a_full_device_still_gives_the_exit_status():
    with open("/dev/full", "wb") as device:
        done = subprocess.run([sys.executable, "-m", "gradcli", "grad", "log(x)", "--x", "-1"], stdout=subprocess.PIPE,
                              stderr=device, env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=TIMEOUT)
    assert done.returncode == 1 and done.stdout == b""


def test_explore_with_stdin_closed_says_it_needs_a_terminal():
    done = gradcli("explore", "x**2", "--x", "1", preexec_fn=close_fds(0), stdin=None)
    assert done.returncode == 2
    assert done.stderr.decode().startswith("error: gradcli explore is interactive and needs a terminal")


@pytest.mark.parametrize("args", [["grad", "x*y", "--x", "3", "--y", "2"], ["check", "sin(x)", "--x", "1"],
                                  ["datasets", "show", "moons"], ["train", "xor", "--steps", "3"]])
def test_an_ascii_only_stdout_gets_escapes_instead_of_a_crash(args):
    done = gradcli(*args, env_extra={"PYTHONIOENCODING": "ascii"})
    assert done.returncode == 0, done.stderr
    text = done.stdout.decode("ascii")  # every byte is ASCII
    assert text.strip()
    if args[0] == "grad":
        assert "\\u2202f/\\u2202variable" in text  # ∂f/∂variable, written as escapes


def test_a_c_locale_without_utf8_mode_gets_escapes_too():
    done = gradcli("grad", "x*y", "--x", "3", "--y", "2", env_extra={"LC_ALL": "C", "PYTHONUTF8": "0",
                                                                      "PYTHONIOENCODING": None})
    assert done.returncode == 0, done.stderr
    assert "\\u2202f/\\u2202variable" in done.stdout.decode("ascii")


def test_json_stays_the_same_json_on_an_ascii_stdout():
    plain = gradcli("grad", "x*y", "--x", "3", "--y", "2", "--json")
    ascii_only = gradcli("grad", "x*y", "--x", "3", "--y", "2", "--json", env_extra={"PYTHONIOENCODING": "ascii"})
    assert ascii_only.returncode == 0
    ascii_only.stdout.decode("ascii")
    assert json.loads(ascii_only.stdout) == json.loads(plain.stdout)


def test_undecodable_bytes_in_a_file_name_are_escaped(tmp_path):
    name = os.fsdecode(b"caf\xe9.json")  # Latin-1 bytes: not UTF-8, kept by Python as a lone surrogate
    done = gradcli("predict", name, "--x1", "1", "--x2", "2", cwd=tmp_path)
    assert done.returncode == 2
    assert "caf\\udce9.json" in done.stderr.decode()


@pytest.mark.parametrize("backend", ["bogus", "TkAgg", "module://nowhere"])
def test_a_bad_mplbackend_does_not_stop_the_plot(tmp_path, backend):
    plot = tmp_path / "run.png"
    done = gradcli("train", "xor", "--steps", "3", "--quiet", "--plot", str(plot), env_extra={"MPLBACKEND": backend})
    assert done.returncode == 0, done.stderr
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# -- item 20: one rule for a closed pipe --------------------------------------------------------------------


def closed_pipe_commands(model) -> list[list[str]]:
    return [
        ["grad", "x**2", "--x", "3"], ["grad", "x**2", "--x", "3", "--format", "csv"],
        ["check", "sin(x)", "--x", "1", "--json"], ["draw", "x*y", "--x", "1", "--y", "2", "-o", "-"],
        ["datasets"], ["datasets", "show", "moons"], ["train", "xor", "--steps", "2"],
        ["predict", str(model), "--x1", "1", "--x2", "2"], ["eval", str(model), "moons", "--json"],
        ["--version"], ["train", "--help"],
    ]


def test_a_closed_pipe_ends_every_command_quietly_with_status_1(model, tmp_path):
    """The reader has gone before gradcli writes (`gradcli ... | true`): exit status 1, nothing on stderr."""
    for args in closed_pipe_commands(model):
        read, write = os.pipe()
        os.close(read)
        try:
            done = gradcli(*args, stdout=write, cwd=tmp_path)
        finally:
            os.close(write)
        progress = [line for line in done.stderr.splitlines() if not line.startswith(b"step ")]  # train's
        assert (done.returncode, progress) == (1, []), (args, done.stderr[-500:])


def test_a_closed_pipe_noticed_outside_a_command_is_status_1_too():
    """Before: `run()` turned a BrokenPipeError that escaped Typer into exit status 0."""
    script = textwrap.dedent("""
        import sys
        from gradcli.cli import app as cli_app, main

        def broken_pipe(**options):
            raise BrokenPipeError(32, "Broken pipe")

        cli_app.app = broken_pipe  # the app itself fails to write, outside any command
        sys.argv = ["gradcli", "grad", "x", "--x", "1"]
        main()
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=TIMEOUT,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert (done.returncode, done.stderr) == (1, "")


def test_a_reader_that_leaves_early_ends_gradcli_with_status_1():
    long_expression = "+".join(["x"] * 900)  # far more output than a pipe holds
    done = subprocess.run(f"{sys.executable} -m gradcli grad '{long_expression}' --x 1 | head -1; "
                          "echo status=${PIPESTATUS[0]}", shell=True, executable="/bin/bash", capture_output=True,
                          text=True, timeout=TIMEOUT, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert done.stdout.splitlines()[-1] == "status=1" and done.stderr == ""


@pytest.mark.parametrize("unbuffered", [None, "1"])
def test_one_large_write_to_a_reader_that_leaves_is_status_1_even_unbuffered(unbuffered):
    """PYTHONUNBUFFERED=1: Python's text layer dropped the rest of a short write, and gradcli exited 0."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("PYTHONUNBUFFERED", None)
    if unbuffered:
        env["PYTHONUNBUFFERED"] = unbuffered
    expression = "+".join(["x"] * 1000)  # 150 KB of CSV written at once: more than the pipe and one read hold
    process = subprocess.Popen([sys.executable, "-m", "gradcli", "grad", expression, "--x", "1", "--format", "csv"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        assert process.stdout.read(100).startswith(b"id,label,")
        process.stdout.close()
        assert process.wait(timeout=TIMEOUT) == 1
        assert process.stderr.read() == b""
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


# -- item 16: hostile text never reaches the terminal raw ---------------------------------------------------


def no_raw_controls(data: bytes) -> None:
    assert ESC.encode() not in data and b"\x07" not in data and b"\r" not in data, data[-400:]


@pytest.mark.parametrize("args, shown", [
    (["datasets", "show", f"moo{ESC}[2J"], "unknown dataset 'moo\\x1b[2J'"),
    (["grad", "x*y", "--x", "1", "--y", f"2{ESC}]0;pwned\x07"], "'2\\x1b]0;pwned\\x07' is not a number for --y"),
    (["train", f"{ESC}[31mdata.csv"], "no such file: \\x1b[31mdata.csv"),
    (["grad", f"x{ESC}[2J"], "\\x1b"),
    (["datasets", "show", "moons\nerror: this line was forged"], "unknown dataset 'moons\\nerror: this line was"),
])
def test_control_characters_from_argv_are_escaped_in_errors(args, shown):
    done = gradcli(*args)
    assert done.returncode == 2
    no_raw_controls(done.stderr)
    assert shown in done.stderr.decode()
    assert len(done.stderr.decode().splitlines()) <= 2  # no forged extra line


@pytest.fixture
def hostile_csv(tmp_path) -> Path:
    path = tmp_path / "hostile.csv"
    rows = "\n".join(f"{i},{(i * 7) % 5},{i % 2}" for i in range(12))
    path.write_text(f"x1,{ESC}[2J{ESC}]0;pwned\x07x2,y\n{rows}\n")
    return path


def test_a_hostile_csv_header_is_escaped_in_tables(hostile_csv):
    for args in (["datasets", "show", str(hostile_csv)], ["train", str(hostile_csv), "--steps", "2"]):
        done = gradcli(*args)
        assert done.returncode == 0, done.stderr
        no_raw_controls(done.stdout)
        no_raw_controls(done.stderr)
        assert "\\x1b[2J\\x1b]0;pwned\\x07x2" in done.stdout.decode()


def test_a_hostile_csv_cell_is_escaped_in_the_error(tmp_path):
    path = tmp_path / "cell.csv"
    path.write_text(f"x1,x2,y\n1,2,0\n2,{ESC}[31mred,1\n")
    done = gradcli("train", str(path))
    assert done.returncode == 2
    no_raw_controls(done.stderr)
    assert "row 3, column 2 ('x2'): '\\x1b[31mred' is not a number" in done.stderr.decode()


def test_hostile_model_input_names_are_escaped(tmp_path, model):
    saved = json.loads(model.read_text())
    saved["input_names"] = saved["pipeline"]["input_names"] = [f"x1{ESC}[2J", f"x2{ESC}]0;pwned\x07"]
    hostile = tmp_path / "hostile.json"
    hostile.write_text(json.dumps(saved))
    done = gradcli("predict", str(hostile), "--x1", "1")
    assert done.returncode == 2
    no_raw_controls(done.stderr)
    assert "x1\\x1b[2J" in done.stderr.decode()


def test_warnings_escape_what_they_quote(capsys):
    from gradcli.cli.common import warn

    warn(f"column {ESC}[2Jx is constant")
    err = capsys.readouterr().err
    assert ESC not in err and "column \\x1b[2Jx is constant" in err
