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
from typing import Callable

from .interrupts import signals_held, unblock_in_child

__all__ = ["run_child"]

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def run_child(command: list[str], input: bytes, timeout: float | None, *,
              address_space: int | None = None) -> subprocess.CompletedProcess:
    """Run ``command`` with ``input`` on its stdin; its stdout and stderr as bytes.

    ``address_space`` caps the child's memory (bytes, POSIX), so a renderer
    that would grow without bound fails instead.  Raises what
    ``subprocess.run`` raises (``OSError`` when it cannot start,
    ``subprocess.TimeoutExpired``), after killing the child.
    """
    process = None
    try:
        with signals_held():  # a signal while the child starts waits until we hold its handle, to kill it
            process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, process_group=0,
                                       preexec_fn=_in_the_child(address_space))
        stdout, stderr = process.communicate(input, timeout=timeout)
    except BaseException:
        if process is not None:
            _kill(process)
        raise
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def _kill(process: subprocess.Popen) -> None:
    """Kill the child's whole process group and reap the child."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:  # already gone
        pass
    for stream in (process.stdin, process.stdout, process.stderr):
        try:
            stream.close()
        except OSError:
            pass
    process.wait()


def _in_the_child(address_space: int | None = None) -> Callable[[], None]:
    """What the child does before it runs the program: take the stop signals back (they were held while it
    started), cap its memory when asked and, on Linux, ask the kernel to kill it when gradcli dies."""
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

    def in_the_child() -> None:
        unblock_in_child()
        if address_space is not None:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
        if prctl is not None:
            prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            if os.getppid() != parent:  # gradcli died before the request took effect
                os._exit(1)

    return in_the_child
