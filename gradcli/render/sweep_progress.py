"""A sweep's progress on stderr: a live Rich display, plain lines, or nothing.

``make_sweep_progress`` picks the display, and ``run_sweep`` feeds it::

    with make_sweep_progress(err_console, specs, quiet=False) as progress:
        sweep = run_sweep(specs, context, backend, on_ready=progress.on_ready,
                          on_progress=progress.on_progress, on_result=progress.on_result)

- ``LiveSweepProgress`` (stderr is a terminal): one bar for the sweep (runs
  done of all, the best loss so far and its run, failures, ETA) and, under it,
  one line per running run (its settings, step, loss and accuracy or R^2);
  transient: the ranked table replaces it at the end.
- ``PlainSweepProgress`` (a pipe or a file): a line when the workers are ready
  and one per finished run, no control codes.
- ``QuietSweepProgress`` (``--quiet``, ``--json`` to a pipe): nothing.

``on_progress`` is called from the sweep's progress thread, the others from
the main thread; the state they share is guarded by a lock.
"""

from __future__ import annotations

import threading
import time

from ..numbers import short
from .progress import REFRESH_PER_SECOND, metric_text
from .sweep import error_text

__all__ = ["make_sweep_progress", "QuietSweepProgress", "PlainSweepProgress", "LiveSweepProgress"]

MAX_RUNNING_LINES = 12  # more running runs than this (a large cluster) are counted, not listed


class QuietSweepProgress:
    """No output; keeps the count of finished runs and the best so far (the other displays show them)."""

    def __init__(self, specs):
        self.labels = {spec.index: spec.label() for spec in specs}
        self.total = len(specs)
        self.done = 0
        self.failed = 0
        self.best = None  # the finished run with the lowest ranking loss
        self.start = time.perf_counter()
        self.lock = threading.Lock()
        self.running: dict[int, object] = {}  # run index -> its latest RunProgress
        self.finished: set[int] = set()

    def on_ready(self, seconds: float, workers: int, where: str = "") -> None:
        pass

    def on_progress(self, message) -> None:
        with self.lock:
            if message.index not in self.finished:
                self.running[message.index] = message

    def on_result(self, outcome) -> None:
        with self.lock:
            self.finished.add(outcome.index)
            self.running.pop(outcome.index, None)
            self.done += 1
            self.failed += not outcome.ok
            loss = outcome.ranking_loss
            if outcome.ok and loss is not None and (self.best is None or loss < self.best.ranking_loss):
                self.best = outcome

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass

    def outcome_line(self, outcome) -> str:
        """``run 3/24  lr=0.1 seed=1337  test loss 0.0412  accuracy 98.0%  0.61 s`` (or why it failed)."""
        head = f"run {self.done}/{self.total}  {self.labels[outcome.index]}"
        if not outcome.ok:
            return f"{head}  failed: {error_text(outcome.failure)}"
        which = "test loss" if outcome.test_loss is not None else "loss"
        metric = outcome.ranking_metric
        return (f"{head}  {which} {short(outcome.ranking_loss)}  "
                f"{'R^2' if outcome.metric_name == 'r2' else 'accuracy'} {metric_text(outcome.metric_name, metric)}"
                f"  {outcome.seconds:.2f} s")


class PlainSweepProgress(QuietSweepProgress):
    """A line when the workers are ready and one per finished run."""

    def __init__(self, specs, write, backend: str):
        super().__init__(specs)
        self.write = write
        self.backend = backend

    def on_ready(self, seconds: float, workers: int, where: str = "") -> None:
        left = self.total - self.done
        self.write(f"{where or self.backend}: ready in {seconds:.1f} s; {left} runs" + (" left" if self.done else ""))

    def on_result(self, outcome) -> None:
        super().on_result(outcome)
        self.write(self.outcome_line(outcome))


class LiveSweepProgress(QuietSweepProgress):
    """A Rich Live display: the sweep's bar, then one line per running run."""

    def __init__(self, specs, console, backend: str):
        super().__init__(specs)
        self.console = console
        self.backend = backend
        self.ready = None
        self.live = None

    def __enter__(self):
        from rich.live import Live

        self.live = Live(self, console=self.console, refresh_per_second=REFRESH_PER_SECOND, transient=True)
        self.live.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.live.__exit__(*exc)

    def on_ready(self, seconds: float, workers: int, where: str = "") -> None:
        self.ready = seconds
        self.backend = where or self.backend
        if not self.done:  # the ETA counts from the first backend's start
            self.start = time.perf_counter()

    def __rich__(self):
        from rich.console import Group
        from rich.progress_bar import ProgressBar
        from rich.table import Table
        from rich.text import Text

        with self.lock:
            running = sorted(self.running.values(), key=lambda message: message.index)
            done, failed, best = self.done, self.failed, self.best
        head = Table.grid(padding=(0, 1))
        head.add_row(ProgressBar(total=self.total, completed=done, width=24), Text(self._summary(done, failed, best)))
        lines = [head]
        for message in running[:MAX_RUNNING_LINES]:
            metric = "R^2" if message.metric_name == "r2" else "accuracy"
            lines.append(Text(f"  {self.labels[message.index]}  step {message.step}/{message.steps}  "
                              f"loss {short(message.loss)}  {metric} {metric_text(message.metric_name, message.metric)}",
                              style="dim"))
        if len(running) > MAX_RUNNING_LINES:
            lines.append(Text(f"  and {len(running) - MAX_RUNNING_LINES} more running", style="dim"))
        return Group(*lines)

    def _summary(self, done: int, failed: int, best) -> str:
        if self.ready is None:
            return f"starting {self.backend}..."
        parts = [f"{done}/{self.total} runs"]
        if best is not None:
            which = "test loss" if best.test_loss is not None else "loss"
            parts.append(f"best {which} {short(best.ranking_loss)} ({self.labels[best.index]})")
        if failed:
            parts.append(f"{failed} failed")
        elapsed = time.perf_counter() - self.start
        if done:
            left = int(round((self.total - done) * elapsed / done))
            parts.append(f"ETA {left // 60}:{left % 60:02d}")
        return "  ".join(parts)


def make_sweep_progress(console, specs, *, quiet: bool, backend: str):
    """The display that suits the sweep and the terminal (see the module docstring)."""
    if quiet:
        return QuietSweepProgress(specs)
    if console.is_terminal:
        return LiveSweepProgress(specs, console, backend)
    return PlainSweepProgress(specs, lambda text: console.print(text, markup=False, highlight=False, soft_wrap=True),
                              backend)
