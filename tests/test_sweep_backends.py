"""Where a sweep runs: in this process, in local worker processes, on a real Dask cluster; the same numbers each way.

The Dask tests start a real ``distributed.LocalCluster`` on 127.0.0.1 with two worker processes
(``distributed`` is in the test extra).  Ctrl-C is pressed on a real `gradcli sweep` process
group, as a terminal does.  Grids are small: a few runs of a few steps.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from gradcli.learn.grid import make_grid
from gradcli.learn.parallel import Backend
from gradcli.learn.sweep import RunContext, run_sweep
from gradcli.render.train import result_document

VOLATILE = ("seconds", "steps_per_second")  # how long a run took: the only numbers a backend may change


def documents(sweep) -> list[dict]:
    return [{key: value for key, value in outcome.document.items() if key not in VOLATILE}
            for outcome in sweep.outcomes]


def small_grid():
    return make_grid("moons", {"lr": "0.3,1", "steps": "15", "test_split": "0.2"}, seeds=2)


@pytest.fixture(scope="module")
def in_this_process():
    grid = small_grid()
    return run_sweep(grid.runs(), RunContext(summarize=result_document), Backend(jobs=1))


@pytest.fixture(scope="module")
def cluster():
    """A real Dask cluster: a scheduler on 127.0.0.1 and two worker processes of one thread each."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=":0") as local:
        yield local.scheduler_address


def test_one_process_runs_every_run_here(in_this_process):
    assert in_this_process.backend == "this process" and in_this_process.stopped == "completed"
    assert [o.index for o in in_this_process.outcomes] == [0, 1, 2, 3]
    assert in_this_process.worker_names == [f"{os.uname().nodename}:{os.getpid()}"]


def test_local_processes_give_the_same_numbers(in_this_process):
    progress = []
    sweep = run_sweep(small_grid().runs(), RunContext(summarize=result_document), Backend(jobs=2),
                      on_progress=progress.append)
    assert sweep.backend == "2 local processes" and sweep.workers == 2
    assert all(not name.endswith(f":{os.getpid()}") for name in sweep.worker_names)
    assert documents(sweep) == documents(in_this_process)
    assert {message.index for message in progress} <= {0, 1, 2, 3} and progress  # the workers reported steps
    assert all(message.steps == 15 and 1 <= message.step <= 15 for message in progress)


def test_by_default_short_runs_stay_in_this_process(in_this_process):
    """Starting workers (1-2 s) would cost more than these runs of milliseconds take: none is started."""
    ready = []
    sweep = run_sweep(small_grid().runs(), RunContext(summarize=result_document), Backend(),
                      on_ready=lambda *args: ready.append(args))
    assert Backend().automatic and not Backend(jobs=2).automatic
    assert sweep.backend == "this process" and sweep.worker_names == [f"{os.uname().nodename}:{os.getpid()}"]
    assert [where for _, _, where in ready] == ["this process"]  # once: the rest of the runs stayed here
    assert documents(sweep) == documents(in_this_process)



def test_by_default_a_sweep_of_one_run_starts_no_worker(monkeypatch):
    """Nothing is left after the first run: starting workers (1-2 s) would only cost time."""
    monkeypatch.setattr(Backend, "local_jobs", property(lambda self: self.jobs or 2))  # as on a 2-core machine
    ready = []
    grid = make_grid("moons", {"steps": "5"}, seeds=1)
    sweep = run_sweep(grid.runs(), RunContext(summarize=result_document), Backend(),
                      on_ready=lambda *args: ready.append(args))
    assert sweep.backend == "this process" and sweep.workers == 1 and sweep.startup < 0.5
    assert [where for _, _, where in ready] == ["this process"]
    assert [o.worker for o in sweep.outcomes] == [f"{os.uname().nodename}:{os.getpid()}"]

def test_by_default_long_runs_go_to_one_process_per_core_after_the_first(in_this_process, monkeypatch):
    from gradcli.learn import sweep as sweep_module

    monkeypatch.setattr(sweep_module, "workers_pay_off", lambda seconds, remaining, workers: True)
    monkeypatch.setattr(Backend, "local_jobs", property(lambda self: self.jobs or 2))
    ready = []
    sweep = run_sweep(small_grid().runs(), RunContext(summarize=result_document), Backend(),
                      on_ready=lambda *args: ready.append(args))
    assert sweep.backend == "this process, then 2 local processes" and sweep.workers == 2
    assert [(workers, where) for _, workers, where in ready] == [(1, "this process"), (2, "2 local processes")]
    here = f"{os.uname().nodename}:{os.getpid()}"
    assert sweep.outcomes[0].worker == here and all(o.worker != here for o in sweep.outcomes[1:])
    assert documents(sweep) == documents(in_this_process)


@pytest.mark.parametrize("first, remaining, workers, pays", [
    (0.02, 23, 2, False),  # the moons default: 0.23 s saved, 2 s to start
    (0.5, 3, 2, False),  # 0.75 s saved
    (1.0, 23, 2, True),  # 11.5 s saved
    (3.0, 1, 8, False),  # one run left: a worker would only run it elsewhere
    (3.0, 2, 8, True),  # two runs side by side: 3 s saved
])
def test_workers_pay_off_when_they_save_more_than_they_cost(first, remaining, workers, pays):
    from gradcli.learn.parallel import workers_pay_off

    assert workers_pay_off(first, remaining, workers) is pays


def test_a_dask_cluster_gives_the_same_numbers(cluster, in_this_process):
    progress = []
    sweep = run_sweep(small_grid().runs(), RunContext(summarize=result_document),
                      Backend(scheduler=cluster, timeout=20), on_progress=progress.append)
    assert sweep.backend == f"the Dask cluster at {cluster}" and sweep.workers == 2
    assert sweep.worker_names and all(not name.endswith(f":{os.getpid()}") for name in sweep.worker_names)
    assert documents(sweep) == documents(in_this_process)
    assert progress and {message.index for message in progress} <= {0, 1, 2, 3}


def test_the_command_line_on_a_dask_cluster(cli, cluster):
    args = ["sweep", "moons", "--lr", "0.3,1", "--steps", "8", "--json"]
    on_dask = cli(*args, "--scheduler", cluster, "--timeout", "20")
    here = cli(*args, "--jobs", "1")
    assert on_dask.exit_code == here.exit_code == 0, on_dask.output
    dask_doc, here_doc = json.loads(on_dask.stdout), json.loads(here.stdout)
    assert dask_doc["backend"] == f"the Dask cluster at {cluster}" and dask_doc["workers"] == 2
    strip = lambda doc: [{k: v for k, v in run.items() if k not in VOLATILE} for run in doc["runs"]]  # noqa: E731
    assert strip(dask_doc) == strip(here_doc)


def test_a_scheduler_that_does_not_answer_is_an_error_after_the_timeout(cli):
    start = time.perf_counter()
    result = cli("sweep", "moons", "--steps", "5", "--scheduler", "tcp://127.0.0.1:9", "--timeout", "1")
    assert result.exit_code == 1
    assert "error: the Dask scheduler at tcp://127.0.0.1:9 did not answer within 1 s" in result.stderr
    assert "hint: start one there with `dask scheduler`" in result.stderr
    assert time.perf_counter() - start < 15


def test_a_scheduler_without_workers_is_an_error_after_the_timeout(cli):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=0, processes=True, host="127.0.0.1", dashboard_address=":0") as empty:
        result = cli("sweep", "moons", "--steps", "5", "--scheduler", empty.scheduler_address, "--timeout", "1")
    assert result.exit_code == 1, result.output
    assert f"error: the Dask scheduler at {empty.scheduler_address} has no workers (waited 1 s)" in result.stderr
    assert f"hint: start workers with: dask worker {empty.scheduler_address}" in result.stderr


def test_without_distributed_the_scheduler_option_says_how_to_install_it(cli, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if it were not installed
    result = cli("sweep", "moons", "--steps", "5", "--scheduler", "tcp://127.0.0.1:9")
    assert result.exit_code == 1
    assert "error: --scheduler runs the sweep on a Dask cluster, which needs Dask's distributed package" in result.stderr
    assert "hint: install it with: pip install 'gradcli[dask]'" in result.stderr


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_stops_the_sweep_and_keeps_every_finished_run(tmp_path, jobs):
    results = tmp_path / "results.json"
    env = dict(os.environ, COLUMNS="200", NO_COLOR="1")
    # a terminal's Ctrl-C reaches the whole foreground process group: the sweep and its workers
    process = subprocess.Popen(
        [sys.executable, "-m", "gradcli", "sweep", "moons", "--lr", "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8",
         "--steps", "80", "--jobs", jobs, "--results", str(results)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        seen = []
        for line in process.stderr:
            seen.append(line)
            if line.startswith("run 2/"):
                break
        os.killpg(process.pid, signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    stderr = "".join(seen) + stderr
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    document = json.loads(results.read_text())
    done = document["runs_done"]
    assert document["stopped"] == "interrupted" and 2 <= done < 8 == document["runs_planned"]
    assert f"warning: stopped after {done} of 8 runs (Ctrl-C); the finished runs are in {results}" in stderr
    assert len(document["runs"]) == done and all(run["stopped"] == "completed" for run in document["runs"])
    assert f"interrupted after {done} of 8 runs" in " ".join(stdout.split())
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:  # the workers are gone with the sweep
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        raise AssertionError("worker processes outlived the interrupted sweep")


def summary_that_kills_its_worker(run, result, command, saved):
    """A run's document, except that the run of seed 1338 ends its worker process (as a kill -9 would)."""
    if run.config.seed == 1338:
        os._exit(3)
    return result_document(run, result, command, saved)


def test_a_worker_that_dies_stops_the_sweep_keeping_what_finished(in_this_process):
    grid = small_grid()
    sweep = run_sweep(grid.runs(), RunContext(summarize=summary_that_kills_its_worker), Backend(jobs=2))
    assert sweep.stopped == "failed" and sweep.error is not None
    assert "the sweep stopped: a worker failed (TerminatedWorkerError" in str(sweep.error)
    assert all(outcome.document["seed"] == 1337 for outcome in sweep.outcomes)  # what finished is kept
