"""Stop signals and child processes: Ctrl-C, SIGTERM and SIGHUP handled alike, children die with gradcli.

Real processes receive real signals at moments they show on their own streams
(``python -X importtime`` reports each import as it completes; progress lines;
a renderer child appearing in /proc), never after a fixed sleep: a busy machine
changes how long a case takes, not what it tests.  The in-process tests use
``signal.raise_signal``, which runs the handler before it returns.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from gradcli.interrupts import Interrupted, StopOnInterrupt, exit_status, signal_name
from gradcli.learn.modelfile import load_model

TIMEOUT = 120  # seconds for any one wait
ROOT = Path(__file__).resolve().parent.parent
linux_only = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")


def as_in_a_terminal() -> None:
    """Signals as a terminal delivers them: a shell running the tests in the background ignores SIGINT."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def child_env(**extra) -> dict:
    return dict(os.environ, COLUMNS="200", NO_COLOR="1", PYTHONPATH=str(ROOT), **extra)


def wait_until(condition, what: str, timeout: float = TIMEOUT) -> None:
    """Poll ``condition`` (an observable event: a file, a process state) until it holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"no sign of {what} after {timeout} s"
        time.sleep(0.005)


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie has died: it only waits to be reaped by its new parent)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def dead_or_dying(pid: int) -> bool:
    """Whether ``pid`` has ended or has a SIGKILL on its way (the kernel delivers it before the process runs on)."""
    if not alive(pid):
        return True
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True
    bit = 1 << (signal.SIGKILL - 1)
    return any(int(line.split()[1], 16) & bit for line in status.splitlines()
               if line.startswith(("SigPnd:", "ShdPnd:")))


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


# -- the one handler for three signals (in-process) -----------------------------------------------


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_each_stop_signal_first_requests_then_interrupts_a_step(signum):
    before = signal.getsignal(signum)
    with StopOnInterrupt() as stops:
        signal.raise_signal(signum)  # a request: the loop stops after the step
        with pytest.raises(Interrupted) as raised:  # a second before the loop has looked abandons the step
            signal.raise_signal(signum)
        assert raised.value.signum == signum and isinstance(raised.value, KeyboardInterrupt)
        assert stops.requested() and stops.signal == signum
        signal.raise_signal(signum)  # the run is winding down: counted, not raised
    assert signal.getsignal(signum) is before
    assert exit_status(signum) == {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGHUP: 129}[signum]


def test_once_the_loop_has_seen_the_request_more_signals_are_only_counted():
    """The bug: a second Ctrl-C while the loop computed the final metrics escaped it, and the model was lost."""
    with StopOnInterrupt() as stops:
        signal.raise_signal(signal.SIGTERM)
        assert stops.requested()  # the loop saw it after its step and is stopping
        for signum in (signal.SIGINT, signal.SIGINT, signal.SIGHUP):
            signal.raise_signal(signum)  # no exception: the final metrics, saving, the summary go on
    assert stops.signal == signal.SIGTERM and len(stops.received) == 4


def test_after_finish_signals_are_only_counted():
    with StopOnInterrupt() as stops:
        stops.finish()  # the loop is over: saving and the summary must not be cut short
        signal.raise_signal(signal.SIGINT)
        signal.raise_signal(signal.SIGINT)
    assert stops.signal == signal.SIGINT


def test_a_signal_ignored_before_stays_ignored():
    """`nohup gradcli train ...` ignores SIGHUP; gradcli must not take it back."""
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        with StopOnInterrupt() as stops:
            assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
            signal.raise_signal(signal.SIGHUP)
            assert not stops.requested()
    finally:
        signal.signal(signal.SIGHUP, previous)


def test_signal_names():
    assert [signal_name(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)] == ["Ctrl-C", "SIGTERM", "SIGHUP"]


def test_an_interrupt_between_two_steps_keeps_every_completed_step():
    """A signal can land after one step has ended and before the next has begun: the loop still returns."""
    from gradcli.learn import train as training
    from gradcli.learn.run import DataOptions, prepare_run

    def run_steps(steps, interrupt_before_step=None, stop=None):
        run = prepare_run("xor", DataOptions(), steps=steps)
        started = []
        source = training.__file__
        line = next(number for number, text in enumerate(Path(source).read_text().splitlines(), start=1)
                    if text.strip() == "before = [p.data for p in params]")  # the first line of a step

        def tracer(frame, event, arg):
            if frame.f_code.co_filename == source and frame.f_code.co_name == "train":
                if event == "line" and frame.f_lineno == line:
                    started.append(1)
                    if len(started) == interrupt_before_step:
                        raise Interrupted(signal.SIGTERM)  # exactly between two steps
                return tracer
            return None

        sys.settrace(tracer if interrupt_before_step else None)
        try:
            result = training.train(run.model, run.data, run.config, stop=stop)
        finally:
            sys.settrace(None)
        return result

    interrupted = run_steps(5, interrupt_before_step=3)
    assert interrupted.stopped == "interrupted" and interrupted.steps_done == 2
    assert interrupted.message == "stopped after step 2 of 5"
    looked = []
    two_steps = run_steps(5, stop=lambda: looked.append(1) or len(looked) == 2)  # stopped after step 2
    params, expected = interrupted.model.parameters(), two_steps.model.parameters()  # weight matrices
    assert len(params) == len(expected) and all(np.array_equal(p.data, q.data) for p, q in zip(params, expected))
    assert interrupted.history["loss"] == two_steps.history["loss"]


# -- SIGTERM and SIGHUP during `train` (item 5) -------------------------------------------------


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_or_sighup_during_train_finishes_the_step_saves_and_reports(tmp_path, signum):
    path = tmp_path / "m.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "gradcli", "train", "moons", "--steps", "1000000", "--save", str(path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env(), stdin=subprocess.DEVNULL)
    try:
        first = process.stderr.readline()  # "step 1/1000000 ...": training has started
        while first.startswith("warning:"):  # e.g. the estimate of a long run, announced before it starts
            first = process.stderr.readline()
        assert first.startswith("step 1/"), first
        process.send_signal(signum)
        stdout, stderr = process.communicate(timeout=TIMEOUT)
    finally:
        if process.poll() is None:  # never leave a million-step run behind
            process.kill()
            process.wait()
    name = signal_name(signum)
    assert process.returncode == 128 + signum, stderr
    assert "Training summary" in stdout and "(interrupted)" in stdout
    assert f"stopped after step" in stderr and f"({name}); the model so far is in {path}" in stderr
    assert "Traceback" not in stderr
    saved = load_model(path)
    assert saved.meta["stopped"] == "interrupted" and 1 <= saved.meta["steps_done"] < 1000000


# -- children die with gradcli (item 11) ---------------------------------------------------------


def renderer_available() -> bool:
    from gradcli.pictures.files import find_renderer

    try:
        find_renderer("graphviz-pure")
    except Exception:
        return False
    return True


@linux_only
@pytest.mark.skipif(not renderer_available(), reason="graphviz-pure is not installed")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGKILL])
def test_the_renderer_dies_with_gradcli_on_every_signal(tmp_path, signum):
    """graphviz-pure lays out a 300-term chain for seconds; gradcli is stopped meanwhile, and so must it be."""
    out = tmp_path / "big.svg"
    expression = "+".join(["x"] * 300)
    process = subprocess.Popen(
        [sys.executable, "-m", "gradcli", "draw", expression, "--x", "1", "--renderer", "graphviz-pure",
         "-o", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env(),
        preexec_fn=as_in_a_terminal)
    try:
        def renderer_running() -> bool:
            for pid in children(process.pid):
                try:
                    command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
                except OSError:
                    continue
                if b"-Tsvg" in command:  # it has become the renderer (before exec it is a copy of Python)
                    renderer.append(pid)
                    return True
            assert process.poll() is None, process.communicate()
            return False

        renderer: list[int] = []
        wait_until(renderer_running, "the renderer starting")
        process.send_signal(signum)
        stdout, stderr = process.communicate(timeout=TIMEOUT)
        # gradcli has ended: at this very moment its child is gone, or being killed (not left to finish alone)
        assert dead_or_dying(renderer[0])
        wait_until(lambda: not alive(renderer[0]), "the renderer ending")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    if signum == signal.SIGKILL:  # no chance to clean up: the kernel ends the child (PR_SET_PDEATHSIG)
        assert process.returncode == -signal.SIGKILL
    else:
        assert process.returncode == 128 + signum, stderr
        assert stderr.strip() == f"interrupted ({signal_name(signum)}); any file being written was left as it was"
    assert list(tmp_path.iterdir()) == []  # no picture, no temporary file


@linux_only
def test_run_child_kills_the_whole_process_group(tmp_path):
    """A child's own children die too: the group is killed, not only the child."""
    script = textwrap.dedent(f"""
        from gradcli.interrupts import handle_stop_signals
        from gradcli.children import run_child
        handle_stop_signals()
        try:
            run_child(["sh", "-c", "sleep 1000 & echo $! > grandchild.tmp; mv grandchild.tmp grandchild; "
                                   "echo $$ > child.tmp; mv child.tmp child; wait"], b"", timeout={TIMEOUT})
        except KeyboardInterrupt as error:
            raise SystemExit(128 + error.signum)
    """)
    process = subprocess.Popen([sys.executable, "-c", script], cwd=tmp_path, env=child_env())
    try:
        wait_until(lambda: (tmp_path / "child").exists(), "the child's pid file")
        child, grandchild = (int((tmp_path / name).read_text()) for name in ("child", "grandchild"))
        assert alive(child) and alive(grandchild)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=TIMEOUT) == 143
        assert dead_or_dying(child) and dead_or_dying(grandchild)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def state(pid: int) -> str:
    """The process's state letter in /proc: R running, S sleeping, T stopped, Z zombie ('' once gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return ""


def stop_and_continue(process: subprocess.Popen, child: int, seconds: float = 0.0) -> tuple[str, str]:
    """Ctrl-Z: gradcli and its ``child`` stop and stay stopped ``seconds``; then fg, and what gradcli printed."""
    process.send_signal(signal.SIGTSTP)
    wait_until(lambda: state(process.pid) == "T" and state(child) == "T", "gradcli and its child stopping")
    time.sleep(seconds)
    assert state(process.pid) == state(child) == "T"
    process.send_signal(signal.SIGCONT)
    return process.communicate(timeout=TIMEOUT)


@linux_only
@pytest.mark.skipif(not renderer_available(), reason="graphviz-pure is not installed")
def test_ctrl_z_stops_the_renderer_with_gradcli_and_fg_continues_both(tmp_path):
    """The renderer is in a process group of its own, so the terminal's Ctrl-Z reaches gradcli alone: gradcli
    stops it, then itself; SIGCONT (fg or bg) continues both, and the picture is drawn."""
    out = tmp_path / "big.svg"
    process = subprocess.Popen(
        [sys.executable, "-m", "gradcli", "draw", "+".join(["x"] * 300), "--x", "1", "--renderer", "graphviz-pure",
         "-o", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env(),
        process_group=0)  # a group of its own in this session, as a shell's job is (an orphaned one ignores Ctrl-Z)
    try:
        renderer: list[int] = []

        def renderer_running() -> bool:
            renderer[:] = [pid for pid in children(process.pid) if b"-Tsvg" in Path(f"/proc/{pid}/cmdline").read_bytes()]
            assert process.poll() is None, process.communicate()
            return bool(renderer)

        wait_until(renderer_running, "the renderer starting")
        stdout, stderr = stop_and_continue(process, renderer[0])
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, stderr
    assert out.read_text().lstrip().startswith("<?xml") and f"wrote {out}" in stdout + stderr


@linux_only
def test_the_time_stopped_does_not_count_against_the_timeout(tmp_path):
    """A child that needs 1 s of running time, a timeout of 2 s, and 3 s stopped in the middle: it finishes."""
    script = textwrap.dedent("""
        import sys
        from gradcli.children import run_child
        child = ("import os, time\\n"
                 "open('child.tmp', 'w').write(str(os.getpid())); os.rename('child.tmp', 'child')\\n"
                 "for _ in range(40): time.sleep(0.025)\\n"
                 "print('done')")
        done = run_child([sys.executable, "-c", child], b"", timeout=2)
        print(done.returncode, done.stdout.decode().strip())
    """)
    process = subprocess.Popen([sys.executable, "-c", script], cwd=tmp_path, env=child_env(), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, process_group=0)
    try:
        def started() -> bool:
            assert process.poll() is None, process.communicate()
            return (tmp_path / "child").exists()

        wait_until(started, "the child's pid file")
        stdout, stderr = stop_and_continue(process, int((tmp_path / "child").read_text()), seconds=3)  # > timeout
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0 and stdout.split() == ["0", "done"], stderr


# -- a signal at any moment of start-up (item 15) -----------------------------------------------

CONSOLE_SCRIPT = """\
import re
import sys
from gradcli.cli import main
if __name__ == '__main__':
    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])
    sys.exit(main())
"""  # what pip writes for `gradcli = "gradcli.cli:main"`


def imported(module: str):
    return lambda line: line.startswith("import time:") and line.rsplit("|", 1)[-1].strip() == module


# The first module gradcli's own code loads, then moments further in.  Earlier still, Python is starting
# (its `site` module): no code of gradcli runs yet, and what a signal does then is Python's business.
MOMENTS = ["gradcli.cli", "gradcli.interrupts", "gradcli.errors", "gradcli.cli.stdio", "typer", "rich.console",
           "gradcli.cli.app", "gradcli.cli.grad_cmd", "gradcli.render.grad"]


CASES = ([(moment, how, signal.SIGINT) for moment in MOMENTS for how in ("python -m gradcli", "gradcli script")]
         + [("gradcli.cli", "gradcli script", signal.SIGTERM), ("typer", "python -m gradcli", signal.SIGTERM),
            ("gradcli.render.grad", "python -m gradcli", signal.SIGHUP)])


@linux_only
@pytest.mark.parametrize("moment, how, signum", CASES)
def test_a_signal_at_any_moment_of_start_up_ends_in_one_line(tmp_path, moment, how, signum):
    if how == "gradcli script":
        script = tmp_path / "gradcli"
        script.write_text(CONSOLE_SCRIPT)
        command = [sys.executable, "-X", "importtime", str(script)]
    else:
        command = [sys.executable, "-X", "importtime", "-m", "gradcli"]
    process = subprocess.Popen([*command, "grad", "x**2 + 1", "--x", "3"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=child_env(), preexec_fn=as_in_a_terminal)
    try:
        lines = []
        for line in process.stderr:
            lines.append(line)
            if imported(moment)(line):
                process.send_signal(signum)
                break
        else:
            raise AssertionError(f"{moment} was never imported:\n{''.join(lines[-5:])}")
        stdout, rest = process.communicate(timeout=TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    said = [line for line in rest.splitlines() if not line.startswith("import time:")]
    assert "Traceback" not in rest
    assert process.returncode == 128 + signum, (process.returncode, said)
    assert len(said) == 1 and said[0].startswith(f"interrupted ({signal_name(signum)})"), said


def test_an_interrupt_while_typer_reads_the_options_is_reported_not_swallowed():
    """Typer turns a KeyboardInterrupt outside a command into a bare exit 130; gradcli says what it was."""
    script = textwrap.dedent("""
        import signal, sys
        import typer
        from gradcli.cli import app as cli_app, main
        from gradcli.interrupts import Interrupted

        def interrupted_while_parsing(value):
            if value:
                raise Interrupted(signal.SIGTERM)
            return value

        @cli_app.app.command("stall")
        def stall(x: bool = typer.Option(False, "--x", callback=interrupted_while_parsing)):
            pass

        sys.argv = ["gradcli", "stall", "--x"]
        main()
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=child_env(),
                          timeout=TIMEOUT)
    assert done.returncode == 143, done.stderr
    assert done.stderr.strip() == "interrupted (SIGTERM)"


def test_a_signal_whose_exception_python_swallowed_still_decides_the_exit_status():
    """An exception raised in a finaliser is only printed ("Exception ignored"); the signal must not be lost."""
    script = textwrap.dedent("""
        import signal, sys
        from gradcli.cli import app as cli_app, main

        class SignalledWhileFinalised:
            def __del__(self):
                signal.raise_signal(signal.SIGTERM)  # the handler raises here, and Python swallows it

        @cli_app.app.command("finalise")
        def finalise():
            SignalledWhileFinalised()
            print("the command went on to its end")

        sys.argv = ["gradcli", "finalise"]
        main()
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=child_env(),
                          timeout=TIMEOUT)
    assert "the command went on to its end" in done.stdout
    assert done.returncode == 143 and done.stderr == "interrupted (SIGTERM)\n", done.stderr


def test_two_signals_while_the_final_metrics_are_computed_still_save_and_report(cli, tmp_path, monkeypatch):
    """After the last step, the loop measures the model once more; signals then must not lose the run."""
    from gradcli.learn import train as training

    measure = training.measure

    calls = []

    def measured_while_signalled(*args, **kwargs):
        calls.append(1)
        if len(calls) > 1:  # the first measures the untrained network, before the loop; then the final metrics
            signal.raise_signal(signal.SIGINT)
            signal.raise_signal(signal.SIGINT)  # a second one used to interrupt here, and the model was lost
        return measure(*args, **kwargs)

    monkeypatch.setattr(training, "measure", measured_while_signalled)
    path = tmp_path / "m.json"
    result = cli("train", "xor", "--steps", "3", "--save", str(path))
    assert result.exit_code == 130, result.stderr
    assert "Training summary" in result.stdout
    assert "Ctrl-C came after the last step: the run is complete; the model is in" in result.stderr
    assert load_model(path).meta["steps_done"] == 3


@linux_only
def test_run_child_under_a_lower_memory_limit_keeps_that_limit(tmp_path):
    """Under `ulimit -v` a child may not raise its limit: the cap is the smaller of the two, not an error."""
    script = textwrap.dedent("""
        import resource
        from gradcli.children import run_child
        hard = 3 * 2**30
        resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
        done = run_child(["sh", "-c", "ulimit -v"], b"", timeout=30, address_space=8 * 2**30)
        print(done.returncode, done.stdout.decode().strip())
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=child_env(), capture_output=True,
                          text=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", str(3 * 2**30 // 1024)]  # sh reports kilobytes
