"""Ctrl-C, SIGTERM or SIGHUP at any moment of a real `gradcli train` keeps the previous model file or a complete new one.

Each case starts a real subprocess with a model file already in place and sends
SIGINT (or SIGTERM, SIGHUP) when the run reaches a moment it shows on its own streams: an import
finishing while Python loads its libraries (``python -X importtime`` reports each
one on stderr as it completes), a progress line (``step 2/6 ...``, printed after
each step), the summary on stdout.  Several Ctrl-C are pressed one after the
other, each once the previous one has been delivered.  No case waits a fixed
time, so a slow or busy machine changes how long a case takes, not what it tests
(a signal may land a little after its moment, which every check allows).  Every
case checks: exit status 128 + the first signal's number (130, 143, 129), no
traceback, a message saying what happened, and a model file that is either
byte-for-byte the previous one or a complete model that loads.
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from gradcli.learn.modelfile import load_model

# scalar engine on 1,000 samples: each step takes a good fraction of a second, one progress line per step
RUN = ["train", "moons", "--engine", "scalar", "--samples", "1000", "--steps", "6"]
TIMEOUT = 120  # seconds for any one wait; the run itself takes a few


@pytest.fixture(scope="module")
def previous_model(tmp_path_factory) -> bytes:
    """The bytes of a small, valid model file: the file a run is about to overwrite."""
    path = tmp_path_factory.mktemp("previous") / "m.json"
    done = subprocess.run([sys.executable, "-m", "gradcli", "train", "moons", "--steps", "2", "--quiet",
                           "--save", str(path)], capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr
    return path.read_bytes()


def as_in_a_terminal() -> None:
    """Ctrl-C as a terminal delivers it: a shell running these tests in the background ignores SIGINT,
    and its children would inherit that (Python then never raises KeyboardInterrupt)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def signal_pending(pid: int, signum: int = signal.SIGINT) -> bool:
    """Whether a signal sent to ``pid`` still waits to be delivered (Linux shows it in /proc/PID/status)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:  # the process is gone (or there is no /proc): nothing to wait for
        return False
    bit = 1 << (signum - 1)
    return any(int(line.split()[1], 16) & bit for line in status.splitlines()
               if line.startswith(("SigPnd:", "ShdPnd:")))


def imported(module: str):
    """The moment ``module`` has been imported: its ``-X importtime`` line on stderr."""
    return "stderr", lambda line: line.startswith("import time:") and line.rsplit("|", 1)[-1].strip() == module


def printed(stream: str, start: str):
    """The moment a line starting with ``start`` appears on ``stream``."""
    return stream, lambda line: line.startswith(start)


class Run:
    """A real `gradcli train` process whose stdout and stderr lines are watched as they arrive."""

    def __init__(self, path):
        # a cache of its own, empty: the moons data is made, so scikit-learn is loaded (the "loading-late" moment)
        # whatever other tests left in the suite's cache
        self.cache = cache = tempfile.mkdtemp(prefix="gradcli-interrupts-cache-")
        env = dict(os.environ, COLUMNS="200", NO_COLOR="1", GRADCLI_CACHE_DIR=cache)
        self.process = subprocess.Popen(
            [sys.executable, "-X", "importtime", "-m", "gradcli", *RUN, "--save", str(path)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
            preexec_fn=as_in_a_terminal)
        self.lines = {"stdout": [], "stderr": []}
        self.arrivals = queue.Queue()  # (stream, line), then (stream, None) at the end of each stream
        self.readers = [threading.Thread(target=self._read, args=(name,), daemon=True) for name in self.lines]
        for reader in self.readers:
            reader.start()
        self.open_streams = len(self.readers)

    def _read(self, name: str) -> None:
        for line in getattr(self.process, name):
            self.lines[name].append(line)
            self.arrivals.put((name, line))
        self.arrivals.put((name, None))

    def wait_for(self, moment) -> bool:
        """Block until the moment shows on its stream (True), or the run has ended without it (False)."""
        stream, matches = moment
        deadline = time.monotonic() + TIMEOUT
        while self.open_streams:
            try:
                name, line = self.arrivals.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no sign of the awaited moment on {stream} after {TIMEOUT} s") from None
            if line is None:
                self.open_streams -= 1
            elif name == stream and matches(line):
                return True
        return False

    def printed_so_far(self) -> str:
        return "".join(self.lines["stderr"][-20:]) + "".join(self.lines["stdout"][-20:])

    def interrupt(self, times: int = 1, signum: int = signal.SIGINT) -> None:
        """Press Ctrl-C (or send ``signum``) ``times`` times, as long as the process runs: each signal is sent
        once the one before has been delivered, so that none merges into another (the kernel keeps one pending
        signal of a kind, not two)."""
        for _ in range(times):
            if self.process.poll() is not None:
                return
            self.process.send_signal(signum)
            deadline = time.monotonic() + TIMEOUT
            while signal_pending(self.process.pid, signum):
                assert time.monotonic() < deadline, f"signal {signum} still pending after {TIMEOUT} s"
                time.sleep(0.001)

    def finish(self) -> subprocess.CompletedProcess:
        try:
            self.process.wait(timeout=TIMEOUT)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
        for reader in self.readers:
            reader.join(timeout=TIMEOUT)
        shutil.rmtree(self.cache, ignore_errors=True)
        return subprocess.CompletedProcess(self.process.args, self.process.returncode, "".join(self.lines["stdout"]),
                                           "".join(self.lines["stderr"]))


# (the moment to wait for, how many Ctrl-C to press then[, the signal if not SIGINT]), in order
CASES = {
    # while Python loads the CLI, then NumPy and scikit-learn
    "loading": [(imported("typer"), 1)],
    # scikit-learn's package is in, its datasets module is loading
    "loading-late": [(imported("sklearn"), 1)],
    # the last module loaded before the loop: the data and the network are ready, training is about to start
    "before-training": [(imported("gradcli.render.train"), 1)],
    # a step has just ended: the run stops after it, or after the next one
    "first-step": [(printed("stderr", "step 1/"), 1)],
    "mid-run": [(printed("stderr", "step 3/"), 1)],
    # the second stops the step at once, or comes while the run is stopping
    "twice": [(printed("stderr", "step 2/"), 2)],
    # the first stops the run; the second comes while the summary is printed (after the model is saved)
    "twice-apart": [(printed("stderr", "step 2/"), 1), (printed("stdout", "Training summary"), 1)],
    # four while loading: the first ends the run, the others come as it exits
    "four-while-loading": [(imported("typer"), 4)],
    # two during training, then two more while the summary is printed
    "four-while-training": [(printed("stderr", "step 2/"), 2), (printed("stdout", "Training summary"), 2)],
    # SIGTERM and SIGHUP are Ctrl-C by another name: the same moments, their own exit status (143, 129)
    "sigterm-while-loading": [(imported("typer"), 1, signal.SIGTERM)],
    "sigterm-mid-run": [(printed("stderr", "step 3/"), 1, signal.SIGTERM)],
    "sigterm-twice": [(printed("stderr", "step 2/"), 2, signal.SIGTERM)],
    "sighup-then-sigterm-then-ctrl-c": [(printed("stderr", "step 2/"), 1, signal.SIGHUP),
                                        (printed("stdout", "Training summary"), 1, signal.SIGTERM),
                                        (printed("stdout", "saved the model to"), 1)],
}


@pytest.mark.parametrize("case", list(CASES))
def test_ctrl_c_keeps_the_previous_file_or_a_complete_new_one(tmp_path, previous_model, case):
    path = tmp_path / "m.json"
    path.write_bytes(previous_model)
    run = Run(path)
    first_signal = (CASES[case][0] + (signal.SIGINT,))[2]
    try:
        for number, (moment, times, *signum) in enumerate(CASES[case]):
            reached = run.wait_for(moment)
            # the first moment comes before any Ctrl-C, so it must come; a later one may be cut short by the last
            # Ctrl-C (e.g. one that lands between two steps ends the run without a summary), which is fine
            assert reached or number > 0, f"the run ended before the first awaited moment:\n{run.printed_so_far()}"
            run.interrupt(times, *signum)
    finally:
        done = run.finish()
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 128 + first_signal, (done.returncode, done.stderr[-2000:])
    assert "interrupted" in done.stderr or "stopped after step" in done.stderr
    kept = path.read_bytes()
    if kept != previous_model:  # a new file: complete, loadable, and it says it was interrupted
        saved = load_model(path)
        # or the whole run's, when a busy machine delivered the signal after the last step (or even later)
        assert saved.meta["stopped"] == "interrupted" or (saved.meta["stopped"] == "completed"
                                                          and saved.meta["steps_done"] == int(RUN[-1]))
        assert f"saved the model to {path}" in done.stderr + done.stdout
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]  # no temporary file left behind
