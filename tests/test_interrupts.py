"""Ctrl-C at any moment of a real `gradcli train` process keeps the previous model file or a complete new one.

Each case starts a real subprocess with a model file already in place, sends
SIGINT after a delay (while Python loads its libraries, during the first step,
mid-run) or twice in a row (the second one lands while the run is stopping and
saving), and checks: exit status 130, no traceback, a message saying what
happened, and a model file that is either byte-for-byte the previous one or a
complete model that loads.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from gradcli.learn.modelfile import load_model

# scalar engine on 1,000 samples: the first step takes about a second after ~1.5 s of imports
RUN = ["train", "moons", "--engine", "scalar", "--samples", "1000", "--steps", "6"]


@pytest.fixture(scope="module")
def previous_model(tmp_path_factory) -> bytes:
    """The bytes of a small, valid model file: the file a run is about to overwrite."""
    path = tmp_path_factory.mktemp("previous") / "m.json"
    done = subprocess.run([sys.executable, "-m", "gradcli", "train", "moons", "--steps", "2", "--quiet",
                           "--save", str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return path.read_bytes()


def as_in_a_terminal() -> None:
    """Ctrl-C as a terminal delivers it: a shell running these tests in the background ignores SIGINT,
    and its children would inherit that (Python then never raises KeyboardInterrupt)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def interrupt(path, delays: list[float]) -> subprocess.CompletedProcess:
    """Run RUN --save path, sending SIGINT after each delay (seconds from the previous signal)."""
    env = dict(os.environ, COLUMNS="200", NO_COLOR="1")
    process = subprocess.Popen([sys.executable, "-m", "gradcli", *RUN, "--save", str(path)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                               preexec_fn=as_in_a_terminal)
    try:
        for delay in delays:
            time.sleep(delay)
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.mark.parametrize("delays", [[0.4], [1.2], [2.2], [3.2], [2.5, 0.05], [1.8, 0.3], [1.0, 0.1, 0.1, 0.1],
                                    [2.4, 0.2, 0.2, 0.2]],
                         ids=["loading", "loading-late", "first-step", "mid-run", "twice", "twice-apart",
                              "four-while-loading", "four-while-training"])
def test_ctrl_c_keeps_the_previous_file_or_a_complete_new_one(tmp_path, previous_model, delays):
    path = tmp_path / "m.json"
    path.write_bytes(previous_model)
    done = interrupt(path, delays)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 130, (done.returncode, done.stderr)
    assert "interrupted" in done.stderr or "stopped after step" in done.stderr
    kept = path.read_bytes()
    if kept != previous_model:  # a new file: complete, loadable, and it says it was interrupted
        saved = load_model(path)
        assert saved.meta["stopped"] == "interrupted"
        assert f"saved the model to {path}" in done.stderr + done.stdout
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]  # no temporary file left behind
