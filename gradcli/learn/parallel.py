"""Where a sweep's runs execute: local processes or a Dask cluster, both through joblib.

``open_session(backend, on_progress)`` opens one and yields a ``Session``::

    with open_session(Backend(jobs=2), on_progress=print) as session:
        for result in session.map(function, items):   # in the order they finish
            ...

- ``Backend(jobs=N)``: N local worker processes (joblib's ``loky`` backend; N = 1 runs in this
  process, one item after the other);
- ``Backend()``: chosen by the sweep (``Backend.automatic``): its first run in this process, the
  rest on one process per core when that run took long enough for the workers to pay for their
  start (``workers_pay_off``), else in this process too;
- ``Backend(scheduler="tcp://host:8786")``: the workers of an existing Dask cluster (joblib's
  ``dask`` backend over ``distributed.Client``); a scheduler that does not answer within
  ``timeout`` seconds, or has no worker within that time, is a ``ClusterError``.

The session starts its workers before it returns (``Session.startup``: the fixed cost, in
seconds) and gives the items a progress channel: ``Session.sender`` (picklable, or None) whose
``put(message)`` reaches ``on_progress(message)`` in this process, called from a thread of its
own (a ``multiprocessing`` manager's queue for local processes, a ``distributed.Queue`` on a
cluster).  Stopping early (Ctrl-C while iterating) is closing the iterator: joblib cancels what
has not finished.  How the items are computed is the caller's; nothing here changes a result.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator

from ..errors import ClusterError, MissingPackageError, UsageError

__all__ = ["Backend", "Session", "open_session", "warm_up", "ignore_interrupts_in_a_worker", "workers_pay_off",
           "DEFAULT_TIMEOUT", "WORKER_START_SECONDS"]

DEFAULT_TIMEOUT = 10.0  # seconds to wait for a scheduler to answer, and for its first worker
# Starting local workers (loky: fresh Python processes importing NumPy and the training code), as a sweep
# measures it in ``startup_seconds``: 0.8-1.7 s on the project's 2-core machine; a little more, to be safe.
WORKER_START_SECONDS = 2.0
DRAIN_SECONDS = 0.1  # how often the progress thread looks for messages


@dataclass(frozen=True)
class Backend:
    """Local processes (``jobs``; None: one per core) or the Dask scheduler at ``scheduler``."""

    jobs: int | None = None
    scheduler: str | None = None
    timeout: float = DEFAULT_TIMEOUT

    def __post_init__(self):
        if self.jobs is not None and self.jobs < 1:
            raise UsageError(f"{{setting}} must be at least 1, got {self.jobs}", setting="jobs", value=self.jobs)
        if not self.timeout > 0:
            raise UsageError(f"{{setting}} must be a positive number of seconds, got {self.timeout:g}",
                             setting="timeout", value=self.timeout)
        if self.scheduler is not None and self.jobs is not None:
            raise UsageError("{setting} counts local processes; with {setting:scheduler} the cluster's workers run "
                             "the sweep: give one of them", setting="jobs", value=self.jobs)

    @property
    def automatic(self) -> bool:
        """Neither ``jobs`` nor ``scheduler`` given: the sweep picks this process or local workers."""
        return self.jobs is None and self.scheduler is None

    @property
    def local_jobs(self) -> int:
        """``jobs``, else the cores this process may use (joblib counts them as a container limits them)."""
        if self.jobs is not None:
            return self.jobs
        from joblib import cpu_count

        return max(1, cpu_count())

    def describe(self) -> str:
        """``2 local processes``, ``this process``, ``the Dask cluster at tcp://host:8786``."""
        if self.scheduler is not None:
            return f"the Dask cluster at {self.scheduler}"
        jobs = self.local_jobs
        if self.automatic and jobs > 1:
            return f"this process, or {jobs} local processes for long runs"
        return "this process" if jobs == 1 else f"{jobs} local processes"


def workers_pay_off(first_seconds: float, remaining: int, workers: int) -> bool:
    """Whether ``workers`` local processes finish ``remaining`` runs like one that took ``first_seconds``
    sooner than this process alone would, counting ``WORKER_START_SECONDS`` to start them."""
    saved = first_seconds * remaining * (1.0 - 1.0 / max(1, min(workers, remaining)))
    return saved > WORKER_START_SECONDS


@dataclass
class Session:
    """An open backend: ``map`` runs a function over items on its workers."""

    parallel: object  # a joblib.Parallel, in its managed context
    workers: int  # processes (or cluster threads) that run items at once
    startup: float  # seconds from opening the backend to its workers being ready
    sender: object | None  # the progress channel's sending end (None: no progress)

    def map(self, function: Callable, items) -> Iterator:
        """``function(item)`` for every item, yielded as each finishes (close the iterator to stop early)."""
        from joblib import delayed

        return self.parallel(delayed(function)(item) for item in items)


@contextmanager
def open_session(backend: Backend, on_progress: Callable | None = None):
    """The ``Session`` of ``backend``, its workers started; everything closed when the block ends."""
    opener = _dask if backend.scheduler is not None else _local
    with opener(backend, on_progress is not None) as (parallel, workers, startup, channel):
        with _draining(channel, on_progress):
            yield Session(parallel, workers, startup, channel.sender if channel is not None else None)


def warm_up() -> str:
    """What every worker does first: leave Ctrl-C to the sweep, import the training code (so that the first
    run's time is its own)."""
    import socket

    from . import run, train  # noqa: F401

    ignore_interrupts_in_a_worker()
    return f"{socket.gethostname()}:{os.getpid()}"


def ignore_interrupts_in_a_worker() -> None:
    """A worker process leaves Ctrl-C (sent to the terminal's whole process group) to the sweep's own process,
    which stops it; the sweep's process itself (``jobs=1``) keeps it."""
    import multiprocessing
    import signal

    if multiprocessing.parent_process() is not None:
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        except ValueError:  # not the worker's main thread (a Dask worker's task thread): nothing to do
            pass


# ---------------------------------------------------------------- local processes


@contextmanager
def _local(backend: Backend, progress: bool):
    from joblib import Parallel, delayed

    jobs = backend.local_jobs
    start = time.perf_counter()
    channel = (_InProcessChannel() if jobs == 1 else _ManagerChannel()) if progress else None
    try:
        with Parallel(n_jobs=jobs, backend="loky", return_as="generator_unordered") as parallel:
            list(parallel(delayed(warm_up)() for _ in range(jobs)))
            yield parallel, jobs, time.perf_counter() - start, channel
    finally:
        if channel is not None:
            channel.close()


class _InProcessChannel:
    """Progress from items run in this very process (one job): a plain queue."""

    def __init__(self):
        self.sender = queue.SimpleQueue()

    def receive(self, timeout: float) -> list:
        return _drain_queue(self.sender, timeout)

    def close(self) -> None:
        pass


class _ManagerChannel:
    """Progress from local worker processes: a queue served by a ``multiprocessing`` manager process."""

    def __init__(self):
        import multiprocessing

        self.manager = multiprocessing.Manager()
        self.sender = self.manager.Queue()  # a proxy: pickled into the workers, it reaches the manager

    def receive(self, timeout: float) -> list:
        try:
            return _drain_queue(self.sender, timeout)
        except (OSError, EOFError):  # the manager is gone (shutting down): no more progress
            return []

    def close(self) -> None:
        self.manager.shutdown()


def _drain_queue(source, timeout: float) -> list:
    """Every message waiting in ``source``, after waiting up to ``timeout`` for the first."""
    try:
        messages = [source.get(timeout=timeout)]
    except queue.Empty:
        return []
    while True:
        try:
            messages.append(source.get_nowait())
        except queue.Empty:
            return messages


# ---------------------------------------------------------------- a Dask cluster


@contextmanager
def _dask(backend: Backend, progress: bool):
    try:
        import distributed
    except ImportError:
        raise MissingPackageError("{setting} runs the sweep on a Dask cluster, which needs Dask's distributed "
                                  "package", hint="install it with: pip install 'gradcli[dask]'",
                                  setting="scheduler", value=backend.scheduler) from None
    from joblib import Parallel, delayed, parallel_config

    address, timeout = backend.scheduler, backend.timeout
    start = time.perf_counter()
    try:
        client = distributed.Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ClusterError(f"the Dask scheduler at {address} did not answer within {timeout:g} s ({exc})",
                           hint="start one there with `dask scheduler` (see docs/sweeps.md), check the address, "
                                "or wait longer with {setting}", setting="timeout", value=timeout) from None
    except (ValueError, TypeError) as exc:
        raise UsageError(f"{{setting}} {address} is not a scheduler address ({exc}); give one like "
                         "tcp://HOST:8786", setting="scheduler", value=address) from None
    with ExitStack() as stack:
        stack.callback(client.close)
        channel = _DaskChannel(client) if progress else None
        if channel is not None:
            stack.callback(channel.close)  # before the client closes (callbacks run last first)
        try:  # joblib waits up to the timeout for a first worker, when it starts and when it submits
            stack.enter_context(parallel_config(backend="dask", client=client, wait_for_workers_timeout=timeout))
            parallel = stack.enter_context(Parallel(n_jobs=-1, return_as="generator_unordered"))
            list(parallel(delayed(warm_up)() for _ in range(1)))
        except TimeoutError:
            raise ClusterError(f"the Dask scheduler at {address} has no workers (waited {timeout:g} s)",
                               hint=f"start workers with: dask worker {address}", setting="timeout",
                               value=timeout) from None
        workers = max(1, sum(client.nthreads().values()))
        yield parallel, workers, time.perf_counter() - start, channel


class _DaskChannel:
    """Progress from cluster workers: a ``distributed.Queue`` held by the scheduler."""

    def __init__(self, client):
        import uuid

        from distributed import Queue

        name = f"gradcli-sweep-{uuid.uuid4().hex}"
        self.queue = Queue(name, client=client)
        self.sender = DaskSender(name)

    def receive(self, timeout: float) -> list:
        try:
            messages = self.queue.get(timeout=timeout, batch=True)
        except Exception:  # noqa: BLE001 - timed out, or the client is closing: no progress this time
            return []
        if not messages:
            time.sleep(timeout)
        return list(messages)

    def close(self) -> None:
        try:
            self.queue.close()  # the scheduler forgets the queue
        except Exception:  # noqa: BLE001 - the client is gone already: so is the queue
            pass


class DaskSender:
    """The sending end of a ``_DaskChannel``, pickled into the tasks (a worker finds the queue by name)."""

    def __init__(self, name: str):
        self.name = name
        self._queue = None

    def __getstate__(self):
        return {"name": self.name}

    def __setstate__(self, state):
        self.name, self._queue = state["name"], None

    def put(self, message) -> None:
        if self._queue is None:
            from distributed import Queue

            self._queue = Queue(self.name)
        self._queue.put(message)


# ---------------------------------------------------------------- the progress thread


@contextmanager
def _draining(channel, on_progress: Callable | None):
    """Call ``on_progress`` with every message the channel receives, from a thread, while the block runs."""
    if channel is None or on_progress is None:
        yield
        return
    done = threading.Event()

    def drain() -> None:
        while not done.is_set():
            for message in channel.receive(DRAIN_SECONDS):
                on_progress(message)

    thread = threading.Thread(target=drain, name="gradcli-sweep-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join(timeout=2 * DRAIN_SECONDS + 1)
