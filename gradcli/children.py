"""Helper programs that end with gradcli: a child never outlives the command that started it.

``run_child`` runs a program as ``subprocess.run(..., capture_output=True)``
does (the Graphviz renderer of ``gradcli draw``: ``dot`` or ``graphviz-pure``),
and makes sure the child cannot be left running on its own:

- It runs in a process group of its own, and whatever ends the wait early (a
  timeout, an error, ``Interrupted`` from Ctrl-C, SIGTERM or SIGHUP: see
  ``gradcli/interrupts.py``) kills the whole group before it goes on.  Being in
  its own group, the child does not get the terminal's Ctrl-C itself: gradcli
  gets it and decides.
- On Linux, if gradcli dies without a chance to clean up (SIGKILL, a crash), the
  kernel kills the child too (``prctl(PR_SET_PDEATHSIG, SIGKILL)``, set in the
  child before it runs the program).
- Ctrl-Z (SIGTSTP), which the child's own group does not get either, stops the
  child with gradcli, and ``fg`` or ``bg`` (SIGCONT) continues both; the time they
  spent stopped does not count against the timeout.

    >>> import sys
    >>> upper = "import sys; sys.stdout.write(sys.stdin.read().upper())"
    >>> done = run_child([sys.executable, "-c", upper], b"dot", timeout=60)
    >>> done.returncode, done.stdout
    (0, b'DOT')
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from typing import Callable, Iterator

from .interrupts import signals_held, unblock_in_child

__all__ = ["run_child"]

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def run_child(command: list[str], input: bytes, timeout: float | None, *,
              address_space: int | None = None, stack: int | None = None) -> subprocess.CompletedProcess:
    """Run ``command`` with ``input`` on its stdin; its stdout and stderr as bytes.

    ``address_space`` caps the child's memory (bytes, POSIX), so a renderer
    that would grow without bound fails instead; ``stack`` is the stack it may
    grow (bytes, POSIX; at most the hard limit), for a program that recurses deeply.  Raises what
    ``subprocess.run`` raises (``OSError`` when it cannot start,
    ``subprocess.TimeoutExpired``), after killing the child.
    """
    process = None
    try:
        with _stopping_together() as child:
            with signals_held():  # a signal while the child starts waits until we hold its handle, to kill it
                process = child.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                                           stderr=subprocess.PIPE, process_group=0,
                                                           preexec_fn=_in_the_child(address_space, stack))
            stdout, stderr = _communicate(process, input, timeout, child)
    except BaseException:
        if process is not None:
            _kill(process)
        raise
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


class _Child:
    """The child once started, and the seconds it spent stopped with gradcli (Ctrl-Z) not yet given back
    to its timeout."""

    process: subprocess.Popen | None = None
    stopped_seconds = 0.0


@contextmanager
def _stopping_together() -> Iterator[_Child]:
    """While the block runs, Ctrl-Z stops the child's group, then gradcli itself; SIGCONT continues both."""
    child = _Child()
    if (not hasattr(signal, "SIGTSTP") or threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGTSTP) == signal.SIG_IGN):
        yield child  # only the main thread may handle signals, and Ctrl-Z may be ignored: the child runs on
        return

    def stop_both(signum, frame) -> None:
        began = time.monotonic()
        _signal_group(child.process, signal.SIGSTOP)
        signal.signal(signal.SIGTSTP, signal.SIG_DFL)
        try:
            os.kill(os.getpid(), signal.SIGTSTP)  # the default action: gradcli stops here until SIGCONT
        finally:
            signal.signal(signal.SIGTSTP, stop_both)
            _signal_group(child.process, signal.SIGCONT)
            child.stopped_seconds += time.monotonic() - began

    previous = signal.signal(signal.SIGTSTP, stop_both)
    try:
        yield child
    finally:
        signal.signal(signal.SIGTSTP, previous)


def _communicate(process: subprocess.Popen, input: bytes, timeout: float | None,
                 child: _Child) -> tuple[bytes, bytes]:
    """``process.communicate``, its ``timeout`` extended by the time the child spent stopped."""
    try:
        return process.communicate(input, timeout=timeout)
    except subprocess.TimeoutExpired:
        while child.stopped_seconds > 0:  # it was stopped meanwhile: it gets that time back
            extra, child.stopped_seconds = child.stopped_seconds, 0.0
            try:
                return process.communicate(timeout=extra)  # the input was sent (or is being) already
            except subprocess.TimeoutExpired:
                continue
        raise


def _signal_group(process: subprocess.Popen | None, signum: int) -> None:
    """Send ``signum`` to the child's process group (nothing before the child exists, or after it is gone)."""
    if process is None:
        return
    try:
        os.killpg(process.pid, signum)
    except OSError:  # already gone
        pass


def _kill(process: subprocess.Popen) -> None:
    """Kill the child's whole process group and reap the child."""
    _signal_group(process, signal.SIGKILL)
    for stream in (process.stdin, process.stdout, process.stderr):
        try:
            stream.close()
        except OSError:
            pass
    process.wait()


def _in_the_child(address_space: int | None = None, stack: int | None = None) -> Callable[[], None]:
    """What the child does before it runs the program: take the stop signals back (they were held while it
    started), cap its memory and set its stack when asked and, on Linux, ask the kernel to kill it when
    gradcli dies."""
    prctl = None
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            prctl = ctypes.CDLL(None, use_errno=True).prctl
        except (OSError, AttributeError):
            prctl = None
    parent = os.getpid()
    if address_space is not None:
        import resource

        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        if hard != resource.RLIM_INFINITY:  # under a `ulimit -v` already: a child may not raise it
            address_space = min(address_space, hard)
    if stack is not None:
        import resource

        soft_stack, hard_stack = resource.getrlimit(resource.RLIMIT_STACK)
        if soft_stack != resource.RLIM_INFINITY and soft_stack < stack:  # only ever more stack, up to the hard limit
            soft_stack = stack if hard_stack == resource.RLIM_INFINITY else min(stack, hard_stack)
        stack_limits = (soft_stack, hard_stack)

    def in_the_child() -> None:
        unblock_in_child()
        if address_space is not None:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
        if stack is not None:
            import resource

            resource.setrlimit(resource.RLIMIT_STACK, stack_limits)
        if prctl is not None:
            prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            if os.getppid() != parent:  # gradcli died before the request took effect
                os._exit(1)

    return in_the_child
