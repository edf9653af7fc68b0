"""Stop signals: Ctrl-C (SIGINT), SIGTERM and SIGHUP, handled alike by every command.

These are the three ways a person, a terminal or a process manager asks a program
to stop.  gradcli answers each the same way and exits with 128 + the signal's
number, as a shell reports a program the signal ended: 130 for Ctrl-C, 143 for
SIGTERM, 129 for SIGHUP.

- ``handle_stop_signals()`` (``gradcli.cli.main`` calls it before anything else)
  makes the first of them raise ``Interrupted``, a ``KeyboardInterrupt`` that
  knows its signal: whatever runs is unwound (a temporary file is removed, a
  renderer is killed: ``gradcli/children.py``), and the CLI prints one line,
  ``interrupted (SIGTERM)``.
- ``StopOnInterrupt`` (around a training run): the first signal asks the loop to
  stop after the current step (its ``stop`` callback is ``requested``); a second
  one, while the step still runs, abandons the step at once; once the loop has
  seen the request, or a step has been abandoned, or ``finish()`` says the loop is
  over, signals are only counted, so that the final metrics, the saved model and
  the summary are not cut short.  ``signal`` is the first signal that came.

Each handler raises at most one ``Interrupted``; once any stop signal has been
acted on, the handler of ``handle_stop_signals`` ignores more of them, since
gradcli is already on its way out and nothing may cut that short.
A signal that was ignored when gradcli started stays ignored (``nohup`` ignores
SIGHUP; a shell ignores Ctrl-C for a job it starts in the background).
"""

from __future__ import annotations

import signal
import sys

__all__ = ["Interrupted", "StopOnInterrupt", "handle_stop_signals", "ignore_stop_signals", "interrupt_signal",
           "lost_signal", "signals_held", "signal_name", "exit_status"]

# SIGHUP does not exist on Windows
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
_NAMES = {signal.SIGINT: "Ctrl-C"}
# what ``signals_held`` holds: the stop signals, and Ctrl-Z's SIGTSTP (not on Windows)
_HELD = STOP_SIGNALS + tuple(getattr(signal, name) for name in ("SIGTSTP",) if hasattr(signal, name))

_acted_on: list[int] = []  # the stop signals this process has acted on (raised, or taken as a request)
_raised: list[int] = []  # the signal of the Interrupted that handle_stop_signals' handler raised
_caught: list[int] = []  # ... once code that handles interrupts has caught one (interrupt_signal)


def signal_name(signum: int) -> str:
    """How messages name a stop signal: ``Ctrl-C``, ``SIGTERM``, ``SIGHUP``."""
    return _NAMES.get(signum) or signal.Signals(signum).name


def exit_status(signum: int) -> int:
    """128 + the signal's number: 130 after Ctrl-C, 143 after SIGTERM, 129 after SIGHUP."""
    return 128 + int(signum)


class Interrupted(KeyboardInterrupt):
    """A stop signal, raised where the program was (a KeyboardInterrupt, so code written for Ctrl-C handles it)."""

    def __init__(self, signum: int = signal.SIGINT):
        super().__init__(signal_name(signum))
        self.signum = signum


def interrupt_signal(error: KeyboardInterrupt) -> int:
    """The signal behind ``error``: its own for an ``Interrupted``, SIGINT for a plain KeyboardInterrupt.

    The code that reports an interrupt calls this, which marks it as caught (see ``lost_signal``).
    """
    signum = getattr(error, "signum", signal.SIGINT)
    _caught.append(signum)
    return signum


def lost_signal() -> int | None:
    """The stop signal whose ``Interrupted`` nobody caught, or None.

    Python swallows an exception raised where it cannot propagate (a finaliser, a callback run
    around ``fork``: "Exception ignored in ..."); a signal must not be lost that way.  The
    command went on to its end: ``gradcli.cli.main`` then exits with the signal's status.
    """
    return _raised[0] if _raised and not _caught else None


class _Handler:
    """The handler of the stop signals that were not ignored; remembers every signal it gets."""

    def __init__(self):
        self.received: list[int] = []
        self.previous: dict = {}

    def install(self):
        for signum in STOP_SIGNALS:
            try:
                if signal.getsignal(signum) == signal.SIG_IGN:
                    continue
                self.previous[signum] = signal.signal(signum, self._handle)
            except ValueError:  # not the main thread: signals stay as they are
                break
        return self

    def restore(self) -> None:
        for signum, handler in self.previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
        self.previous = {}

    def _handle(self, signum, frame) -> None:
        raise NotImplementedError


class _RaiseOnStop(_Handler):
    def _handle(self, signum, frame) -> None:
        self.received.append(signum)
        if _acted_on:  # gradcli is already stopping: nothing may cut that short
            return
        _acted_on.append(signum)
        _raised.append(signum)
        raise Interrupted(signum)


def handle_stop_signals() -> None:
    """From now on Ctrl-C, SIGTERM and SIGHUP raise ``Interrupted`` (once; later ones are ignored)."""
    _RaiseOnStop().install()
    sys.unraisablehook = _unraisable


def _unraisable(unraisable) -> None:
    """An Interrupted that Python could not raise is not printed: ``lost_signal`` reports it instead."""
    if not isinstance(unraisable.exc_value, KeyboardInterrupt):
        sys.__unraisablehook__(unraisable)


def ignore_stop_signals() -> None:
    """From now on the stop signals are ignored (gradcli is exiting: nothing is left to stop)."""
    for signum in STOP_SIGNALS:
        try:
            signal.signal(signum, signal.SIG_IGN)
        except ValueError:  # not the main thread
            return


class signals_held:
    """Context manager: stop signals and Ctrl-Z wait (blocked) until the block ends, then arrive as usual.

    For a few lines that must not be cut in two, such as starting a child process and keeping its
    handle: Python runs callbacks around ``fork`` where an exception would be swallowed.  A child
    started meanwhile inherits the block: it must unblock them itself (``unblock_in_child``).
    """

    def __enter__(self):
        if hasattr(signal, "pthread_sigmask"):
            self.previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
        return self

    def __exit__(self, *exc) -> None:
        if hasattr(signal, "pthread_sigmask"):
            signal.pthread_sigmask(signal.SIG_SETMASK, self.previous)


def unblock_in_child() -> None:
    """In a child started inside ``signals_held``: receive the stop signals and Ctrl-Z again."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)


class StopOnInterrupt(_Handler):
    """Context manager around a training run: the first stop signal is a request, a second one interrupts.

    ::

        with StopOnInterrupt() as stops:
            result = train(model, data, config, stop=stops.requested)
            stops.finish()        # the loop is over: from here on signals are only counted
            ...save, print...
        if stops.signal is not None: exit with exit_status(stops.signal)
    """

    def __init__(self):
        super().__init__()
        self.seen = False  # the loop has seen the request (or is over): signals are only counted

    @property
    def signal(self) -> int | None:
        """The first stop signal that came, or None."""
        return self.received[0] if self.received else None

    def requested(self) -> bool:
        """The loop's ``stop`` callback: True once a stop signal has come."""
        if self.received:
            self.seen = True
        return bool(self.received)

    def finish(self) -> None:
        """The loop is over: further signals are counted, never raised."""
        self.seen = True

    def _handle(self, signum, frame) -> None:
        self.received.append(signum)
        _acted_on.append(signum)
        if len(self.received) > 1 and not self.seen:
            self.seen = True  # one step is abandoned; after that the run winds down undisturbed
            raise Interrupted(signum)

    def __enter__(self):
        return self.install()

    def __exit__(self, *exc) -> None:
        self.restore()
