"""A sweep: every run of a grid, trained on a backend, each result kept as it finishes.

``gradcli sweep`` is: ``make_grid`` -> ``run_sweep`` -> ``rank`` -> render::

    grid = make_grid("moons", {"lr": "0.1,1", "layers": "8,1;16,16,1"}, seeds=3)
    sweep = run_sweep(grid.runs(), RunContext(summarize=result_document), Backend(jobs=2),
                      on_result=print)
    ranking = rank(grid, sweep.outcomes)

Each run is ``run_one``: ``prepare_run`` and ``train`` with the run's
settings, exactly as ``gradcli train`` would run them, so the same settings
give the same numbers whichever process or machine runs them.  A run that
fails (a combination the network cannot take, a loss that diverged, a failed
gradient check) is an outcome like any other, with its error: the sweep goes
on.  What a run sends back is small and plain (numbers, the summary document,
the model file's JSON object): a worker on another machine writes nothing;
this process writes every file.

``on_result(outcome)`` is called in this thread as each run finishes, in the
order they finish; ``on_progress(RunProgress)`` from a thread of its own
while runs train.  Ctrl-C, SIGTERM or SIGHUP (a KeyboardInterrupt) while runs are going stops the
sweep: what has not finished is cancelled, what has finished is returned
(``SweepResult.stopped == "interrupted"``).  So it is when the sweep itself
breaks (a worker process killed, the cluster gone, ``on_result`` raising):
``stopped == "failed"``, and ``SweepResult.error`` says why.
"""

from __future__ import annotations

import math
import os
import socket
import time
from dataclasses import dataclass, field
from typing import Callable, NamedTuple

from ..errors import ClusterError, GradcliError
from ..interrupts import interrupt_signal
from .grid import RunSpec
from .parallel import Backend, ignore_interrupts_in_a_worker, open_session, workers_pay_off

__all__ = ["RunContext", "RunOutcome", "RunProgress", "SweepResult", "run_one", "run_sweep", "FAILED"]

PROGRESS_SECONDS = 0.25  # a running run reports its step at most this often
FAILED = ("failed", "diverged", "grad-check-failed")  # statuses of a run that failed (the others finished)


class RunProgress(NamedTuple):
    """Where a running run is: sent by its worker now and then while it trains."""

    index: int
    step: int
    steps: int
    loss: float
    metric: float | None
    metric_name: str


@dataclass(frozen=True)
class RunContext:
    """What every run of a sweep needs besides its own settings (picklable: it travels to the workers)."""

    summarize: Callable | None = None  # (run, result, command, saved path) -> the run's document, e.g. train --json
    save_dir: str | None = None  # keep every run's model file and history (written by the caller)
    max_memory: int | None = None  # refuse a run estimated to need more (``prepare_run``)
    sender: object | None = None  # the session's progress channel

    def saved_path(self, spec: RunSpec) -> str | None:
        return None if self.save_dir is None else os.path.join(self.save_dir, spec.stem() + ".json")


@dataclass
class RunOutcome:
    """What became of one run: its status and numbers, or why it failed."""

    index: int
    status: str  # train's ``stopped`` ("completed", "early-stopped", "diverged", ...), or "failed" before training
    failure: GradcliError | None = None
    document: dict | None = None  # ``RunContext.summarize``'s document (None when the run failed before training)
    metric_name: str | None = None  # "accuracy" or "r2"
    final_loss: float | None = None  # training loss of the final model, penalty included
    test_loss: float | None = None  # held-out loss (None when nothing was held out)
    train_metric: float | None = None
    test_metric: float | None = None
    seconds: float | None = None  # the training loop alone
    steps_done: int = 0
    history: dict | None = None  # ``history_record``: for curves
    saved: dict | None = None  # the model file's JSON object, when ``RunContext.save_dir`` is set
    log: tuple | None = None  # (header, rows) of the run's history CSV, likewise
    worker: str = ""  # host:pid that ran it

    @property
    def ok(self) -> bool:
        return self.status not in FAILED

    @property
    def ranking_loss(self) -> float | None:
        """The loss runs are ranked by: on held-out data when there is some, else on the training set."""
        return self.test_loss if self.test_loss is not None else self.final_loss

    @property
    def ranking_metric(self) -> float | None:
        return self.test_metric if self.test_loss is not None else self.train_metric


@dataclass
class SweepResult:
    outcomes: list[RunOutcome]  # the finished runs, in the grid's order
    planned: int
    stopped: str  # "completed", "interrupted" (a stop signal) or "failed" (``error`` says why)
    seconds: float  # from the first worker starting to the last run
    startup: float  # the fixed cost: seconds until the workers were ready
    workers: int
    backend: str  # Backend.describe()
    worker_names: list[str] = field(default_factory=list)  # host:pid of every worker that ran a run
    error: GradcliError | None = None  # what stopped a sweep that "failed" (a worker died, a file write failed)
    stop_signal: int | None = None  # the signal that interrupted it: Ctrl-C (SIGINT), SIGTERM or SIGHUP

    @property
    def failed(self) -> list[RunOutcome]:
        return [outcome for outcome in self.outcomes if not outcome.ok]


def run_one(spec: RunSpec, context: RunContext) -> RunOutcome:
    """Train the run ``spec`` as ``gradcli train`` would; never raises for the run's own failure."""
    from .run import history_table, history_record, prepare_run, saved_model
    from .train import train

    ignore_interrupts_in_a_worker()
    worker = f"{socket.gethostname()}:{os.getpid()}"
    report = _Reporter(context.sender, spec.index) if context.sender is not None else None
    options = {} if context.max_memory is None else {"max_memory": context.max_memory}
    try:
        run = prepare_run(spec.dataset, spec.data_options(), init_from=spec.settings.get("init_from"), **options,
                          **spec.train_settings())
        if report is not None:
            report.metric_name = "r2" if run.dataset.task == "regression" else "accuracy"
        result = train(run.model, run.data, run.config, on_step=report)
    except GradcliError as error:
        return RunOutcome(spec.index, "failed", error, worker=worker)
    except Exception as exc:  # noqa: BLE001 - a bug in one run must not end the sweep: its row says what happened
        return RunOutcome(spec.index, "failed", GradcliError(f"unexpected {type(exc).__name__}: {exc}"),
                          worker=worker)
    saved_path = context.saved_path(spec)
    outcome = RunOutcome(
        spec.index, result.stopped, result.failure, metric_name=result.metric_name,
        final_loss=result.final_loss, test_loss=result.final_test_loss,
        train_metric=_metric(result.train, result.metric_name),
        test_metric=_metric(result.test, result.metric_name) if result.test is not None else None,
        seconds=result.seconds, steps_done=result.steps_done, history=history_record(result), worker=worker)
    if context.summarize is not None:
        outcome.document = context.summarize(run, result, spec.command, saved_path)
    if saved_path is not None:
        outcome.saved = saved_model(run, result, spec.command).to_dict()
        outcome.log = history_table(result)
    return outcome


def _metric(metrics, name: str) -> float | None:
    return getattr(metrics, "r2" if name == "r2" else "accuracy")


class _Reporter:
    """``train``'s ``on_step``: the step, now and then, to the progress channel (never failing the run)."""

    def __init__(self, sender, index: int):
        self.sender, self.index, self.last = sender, index, -math.inf
        self.metric_name = "accuracy"

    def __call__(self, info) -> None:
        now = time.perf_counter()
        if self.sender is None or (now - self.last < PROGRESS_SECONDS and info.step not in (1, info.steps)):
            return
        self.last = now
        try:
            self.sender.put(RunProgress(self.index, info.step, info.steps, info.loss, info.metric, self.metric_name))
        except Exception:  # noqa: BLE001 - the channel is gone (the sweep is stopping): train on in silence
            self.sender = None


def run_sweep(specs: list[RunSpec], context: RunContext, backend: Backend, *,
              on_result: Callable[[RunOutcome], None] | None = None,
              on_progress: Callable[[RunProgress], None] | None = None,
              on_ready: Callable[[float, int, str], None] | None = None) -> SweepResult:
    """Run every spec on ``backend``; see the module docstring.

    ``on_ready(startup seconds, workers, where)`` when a backend is ready.  An automatic backend
    (``Backend()``) runs the first spec in this process, then the rest on local workers if
    ``workers_pay_off`` for a run that long (``on_ready`` again), else here too.
    """
    start = time.perf_counter()
    # a message may arrive as a plain tuple (a Dask queue carries it as msgpack): made a RunProgress again here
    received = None if on_progress is None else (lambda message: on_progress(RunProgress(*message)))
    stage = _Stages(context, received, on_ready, on_result)
    if backend.automatic and backend.local_jobs > 1:
        here = Backend(jobs=1, timeout=backend.timeout)
        stage.run(here, specs[:1])
        first_seconds = time.perf_counter() - start
        if stage.stopped == "completed" and len(specs) > 1:  # one run: nothing left for workers to do
            workers_help = workers_pay_off(first_seconds, len(specs) - 1, backend.local_jobs)
            stage.run(Backend(jobs=backend.local_jobs, timeout=backend.timeout) if workers_help else here, specs[1:])
    else:
        stage.run(backend, specs)
    finished = [stage.outcomes[index] for index in sorted(stage.outcomes)]
    return SweepResult(finished, len(specs), stage.stopped, time.perf_counter() - start, stage.startup,
                       stage.workers, ", then ".join(dict.fromkeys(stage.places)) or backend.describe(),
                       sorted({o.worker for o in finished}), stage.error, stage.stop_signal)


class _Stages:
    """The runs of a sweep, on one backend after another (two for an automatic one), and how it ended."""

    def __init__(self, context: RunContext, received, on_ready, on_result):
        self.context, self.received, self.on_ready, self.on_result = context, received, on_ready, on_result
        self.outcomes: dict[int, RunOutcome] = {}
        self.stopped, self.error, self.stop_signal = "completed", None, None
        self.startup, self.workers, self.places = 0.0, 1, []

    def run(self, backend: Backend, specs: list[RunSpec]) -> None:
        try:
            with open_session(backend, self.received) as session:
                self.startup += session.startup
                self.workers = max(self.workers, session.workers)
                where = backend.describe()
                if self.on_ready is not None and where not in self.places:  # not again for the same place
                    self.on_ready(session.startup, session.workers, where)
                self.places.append(where)
                self._collect(session.map(_RunWith(self.context, session.sender), specs))
        except KeyboardInterrupt as interrupt:  # while workers start or stop: the finished runs are kept
            if not self.outcomes:
                raise
            self.stopped, self.stop_signal = "interrupted", interrupt_signal(interrupt)

    def _collect(self, results) -> None:
        try:
            for outcome in results:
                if outcome.status == "interrupted":  # Ctrl-C reached a run in this very process
                    raise KeyboardInterrupt
                self.outcomes[outcome.index] = outcome
                if self.on_result is not None:
                    self.on_result(outcome)
        except KeyboardInterrupt as interrupt:  # Ctrl-C, SIGTERM or SIGHUP (gradcli.interrupts)
            self.stopped, self.stop_signal = "interrupted", interrupt_signal(interrupt)
            results.close()  # joblib cancels the runs that have not finished
        except Exception as exc:  # noqa: BLE001 - a worker died, the cluster went away, a file could not be written
            self.stopped, self.error = "failed", _stopping_error(exc)
            results.close()


def _stopping_error(exc: Exception) -> GradcliError:
    """What stopped the sweep (its finished runs are kept): gradcli's own error, or the backend's in words."""
    if isinstance(exc, GradcliError):
        return exc
    return ClusterError(f"the sweep stopped: a worker failed ({type(exc).__name__}: {exc})",
                        hint="a worker process may have been killed (out of memory?) or lost its connection; the "
                             "finished runs are kept", kind=type(exc).__name__)


class _RunWith:
    """``run_one`` with the sweep's context (a picklable callable of one spec)."""

    def __init__(self, context: RunContext, sender):
        from dataclasses import replace

        self.context = replace(context, sender=sender)

    def __call__(self, spec: RunSpec) -> RunOutcome:
        return run_one(spec, self.context)
