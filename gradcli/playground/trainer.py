"""Training a ``Session`` on a thread of its own: play, pause, one step, changes between steps, frames to draw.

The app runs ``Trainer.run`` on a worker thread and talks to it only through
these methods, from its own thread::

    trainer = Trainer(session)
    threading.Thread(target=trainer.run).start()    # the app: run_worker(trainer.run, thread=True)
    trainer.play(); ...; trainer.pause()
    trainer.step()                                  # paused: exactly one more update
    trainer.submit(settings)                        # applied between two steps (a new run unless only lr changed)
    trainer.save("model.json")                      # written between two steps
    trainer.frame                                   # the latest Frame: what to draw
    trainer.close()                                 # the thread ends after the current step

``Trainer(session, painter=...)`` also hands every frame to ``painter`` on the
training thread, and ``trainer.published`` pairs the frame with what the
painter made of it: the app turns frames into the lines of its large panels
there, so that its own thread, which answers the keys, only swaps them in.

How it stays responsive: the model is touched by the training thread alone
(updates, frames, saving), so nothing needs a lock but the small state of
the controls; a frame is computed on the training thread, between two
steps, at most ``FRAMES_PER_SECOND`` times a second while playing (and once
more when training pauses), and the screen only reads the latest one.  All
the updates of a session happen in one call of ``learn.train.train`` (its
``on_step`` waits while paused), so that they are the updates of
``gradcli train ... --steps N``; a change ends that call and a new one
starts from the model as it is.
"""

from __future__ import annotations

import gc
import sys
import threading
import time
from collections import deque
from contextlib import contextmanager

from ..errors import GradcliError
from ..render.errors import error_lines
from .session import Frame, Session, ViewSize
from .settings import PlaygroundSettings

__all__ = ["Trainer", "FRAMES_PER_SECOND", "words", "responsive"]

FRAMES_PER_SECOND = 15  # the screen redraws at most this often while training
# train() turns the cycle collector off (its graphs have no cycles) for as long as it runs, which in the
# playground is the whole session.  The screen makes little cyclic garbage (~40 objects a second, once
# app.Line keeps Textual's lines from caching themselves), so the training thread collects it between
# two steps once every COLLECT_SECONDS (a full collection: ~10-40 ms, the objects of before the first step
# being frozen, never scanned again); outside training the collector runs at Python's own thresholds, as
# in any Textual app (the gradcli command raises them for big graphs: autograd.engine.collect_less).
COLLECT_SECONDS = 60.0
PYTHON_GC_THRESHOLDS = (700, 10, 10)
SWITCH_SECONDS = 0.001  # how soon a thread waiting for the interpreter gets it (Python's default: 0.005)


@contextmanager
def responsive(switch_seconds: float = SWITCH_SECONDS):
    """Run the app inside this: the screen's thread answers sooner while training computes.

    The cycle collector at Python's own thresholds (see COLLECT_SECONDS).  Two threads
    share one interpreter lock.  While training runs Python code, a key
    waits up to Python's switch interval (5 ms) for each of the several hand-offs it
    takes to reach the screen; 1 ms makes that wait short.  And NumPy's BLAS gets one
    thread: the playground's matrices are small (a 4900 x 64 product takes 2 ms on one
    thread and 11 ms on two busy cores), and a second BLAS thread competes with the
    screen for the other core.  All three are put back afterwards.
    """
    previous, thresholds = sys.getswitchinterval(), gc.get_threshold()
    sys.setswitchinterval(switch_seconds)
    gc.set_threshold(*PYTHON_GC_THRESHOLDS)
    limits = None
    try:
        from threadpoolctl import threadpool_limits  # installed with scikit-learn

        limits = threadpool_limits(limits=1, user_api="blas")
    except ImportError:  # without it, BLAS keeps its threads: slower frames, same results
        pass
    try:
        yield
    finally:
        sys.setswitchinterval(previous)
        gc.set_threshold(*thresholds)
        if limits is not None:
            limits.restore_original_limits()


class Trainer:
    """The controls of a session whose training runs on another thread (see the module docstring)."""

    def __init__(self, session: Session, view: ViewSize | None = None, *, frames_per_second: float = FRAMES_PER_SECOND,
                 painter=None):
        self.session = session
        self.painter = painter  # frame -> anything (the app: lines to show), called on the training thread
        self.view = view or ViewSize()
        self.interval = 1.0 / frames_per_second
        self._cond = threading.Condition()
        self._playing = False
        self._steps_wanted = 0  # single steps asked for while paused
        self._requests: deque = deque()  # (ends the training call?, function) run on the training thread
        self._closed = False
        self._serial = 0
        self._published_at = 0.0
        self._frame_seconds = 0.0  # what the last frame cost to compute
        self._collected_at = time.monotonic()
        self.frames = 0  # frames published (the benchmark counts them)
        self.published: tuple = (self._make_frame(), None)  # the latest frame and what the painter made of it

    # -- the controls (any thread) ----------------------------------------------------

    @property
    def playing(self) -> bool:
        return self._playing

    @property
    def frame(self) -> Frame:
        return self.published[0]

    def play(self) -> None:
        self._set(playing=True)

    def pause(self) -> None:
        self._set(playing=False)

    def toggle(self) -> bool:
        """Play when paused, pause when playing; returns whether it plays now."""
        with self._cond:
            self._playing = not self._playing
            self._cond.notify_all()
            return self._playing

    def step(self) -> None:
        """Pause and make one more update."""
        with self._cond:
            self._playing = False
            self._steps_wanted += 1
            self._cond.notify_all()

    def submit(self, settings: PlaygroundSettings) -> None:
        """Apply ``settings`` between two steps (a new run unless only the learning rate changed)."""
        self._request(self._apply, settings, ends=True)

    def save(self, path: str) -> None:
        """Write the model between two steps; the next frame says where (or why not)."""
        self._request(self._save, path, ends=False)

    def resize(self, view: ViewSize) -> None:
        """Draw at new sizes from the next frame on (a new frame comes at once when paused)."""
        if view != self.view:
            self._request(self._resize, view, ends=False)

    def repaint(self) -> None:
        """Hand the latest frame to the painter again (it draws differently now), between two steps."""
        self._request(self._repaint, None, ends=False)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._playing = False
            self._cond.notify_all()

    def _set(self, *, playing: bool) -> None:
        with self._cond:
            self._playing = playing
            self._cond.notify_all()

    def _request(self, function, argument, *, ends: bool) -> None:
        with self._cond:
            self._requests.append((ends, function, argument))
            self._cond.notify_all()

    # -- the training thread ---------------------------------------------------------------

    def run(self) -> None:
        """Train while playing, wait while paused, apply requests between steps, until ``close``."""
        gc.collect()
        gc.freeze()  # what exists now lives as long as the app: later collections need not scan it
        try:
            self._run()
        finally:
            gc.unfreeze()

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(self._has_work)
                if self._closed:
                    return
            if self._serve_requests(stop_at_end=False):
                continue
            try:
                result = self.session.train(on_step=self._on_step, stop=self._must_stop)
            except GradcliError as error:
                self.session.say(words(error), error=True)
                result = None
            if result is not None and result.failure is not None:  # diverged: the last finite parameters are kept
                self.session.say(words(result.failure), error=True)
            if result is None or result.stopped in ("diverged", "completed"):
                with self._cond:  # nothing more to do on this run until a change or a reset
                    self._playing, self._steps_wanted = False, 0
            self._publish()

    def _has_work(self) -> bool:
        return self._closed or bool(self._requests) or self._playing or self._steps_wanted > 0

    def _must_stop(self) -> bool:
        """train()'s ``stop``: end the call for closing or for a change that needs a new one."""
        with self._cond:
            return self._closed or any(ends for ends, _, _ in self._requests)

    def _on_step(self, info) -> None:
        """After each update: count single steps, serve requests, publish a frame when due, wait while paused."""
        with self._cond:
            if not self._playing and self._steps_wanted > 0:
                self._steps_wanted -= 1
        self._serve_requests(stop_at_end=True)
        now = time.monotonic()
        # frames at most FRAMES_PER_SECOND, and at most a third of the training thread's time
        if now - self._published_at >= max(self.interval, 2 * self._frame_seconds) or not self._playing:
            self._publish()
        if now - self._collected_at >= COLLECT_SECONDS:
            gc.collect()  # the screen's few cycles (see COLLECT_SECONDS): no graph is alive between steps
            self._collected_at = now
        while True:  # paused: serve what needs no new training call, until there is a step to make
            with self._cond:
                self._cond.wait_for(self._has_work)
                if self._closed or self._playing or self._steps_wanted or any(e for e, _, _ in self._requests):
                    return
            self._serve_requests(stop_at_end=True)

    def _serve_requests(self, *, stop_at_end: bool) -> bool:
        """Run the waiting requests in order (within a training call, up to the first that ends it)."""
        served = False
        while True:
            with self._cond:
                if not self._requests or (stop_at_end and self._requests[0][0]):
                    break
                _, function, argument = self._requests.popleft()
            function(argument)
            served = True
        if served:
            self._publish()
        return served

    def _publish(self) -> None:
        start = time.monotonic()
        frame = self._make_frame()
        self.published = (frame, self._paint(frame))
        self._published_at = time.monotonic()
        self._frame_seconds = self._published_at - start

    def _paint(self, frame: Frame):
        return None if self.painter is None else self.painter(frame)

    def _make_frame(self) -> Frame:
        self._serial += 1
        self.frames += 1
        return self.session.frame(self.view, self._serial)

    # -- requests (on the training thread) ------------------------------------------------------

    def _apply(self, settings: PlaygroundSettings) -> None:
        try:
            self.session.apply(settings)
        except GradcliError as error:
            self.session.say("kept the previous settings: " + words(error), error=True)  # the decision first: a long reason is cut
            self._set(playing=False)

    def _save(self, path: str) -> None:
        try:
            warning = self.session.save(path)
        except GradcliError as error:
            self.session.say(words(error), error=True)
            return
        note = f" ({warning})" if warning else ""
        self.session.say(f"wrote the model of step {self.session.steps_done:,} to {path}{note}: "
                         f"gradcli predict, eval and show read it")

    def _resize(self, view: ViewSize) -> None:
        self.view = view

    def _repaint(self, _) -> None:
        """Nothing to change: serving a request publishes a new frame, painted."""


def words(error: GradcliError) -> str:
    """An error on one status line: its message and hint in flag words, without the "error:" prefix."""
    lines = error_lines(error)
    return "; ".join(line.removeprefix("error: ").removeprefix("hint: ") for line in lines)
