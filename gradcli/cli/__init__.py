"""The command-line interface: a thin Typer layer over the gradcli library.

``app.py`` builds the Typer app and registers one module per command; each
command reads its options, calls the core library, and renders the result.
Heavy libraries (NumPy, scikit-learn, graphviz, matplotlib, Textual) are
imported inside the commands that need them, never at module level here.
"""

import os
import signal
import sys

# -- from the first line of gradcli's own code: a stop signal is remembered until main() acts on it --------------
# The `gradcli` script imports this package, then calls main() (pip's script compiles a regular expression in
# between); a signal in that gap must not end in a traceback.  Only when gradcli runs as the command: a program
# that imports gradcli.cli keeps its own signal handling.
_early_signals: list[int] = []


def _remember(signum, frame) -> None:
    _early_signals.append(signum)


def _started_as_the_command() -> bool:
    script = getattr(sys.modules.get("__main__"), "__file__", None) or ""
    return os.path.basename(script) == "gradcli" or script.endswith(os.path.join("gradcli", "__main__.py"))


if _started_as_the_command():
    for _name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, _name) and signal.getsignal(getattr(signal, _name)) != signal.SIG_IGN:
            signal.signal(getattr(signal, _name), _remember)


def main() -> None:
    """The ``gradcli`` console script (and ``python -m gradcli``).

    Stop signals are handled first of all (``gradcli/interrupts.py``), so that
    Ctrl-C, SIGTERM or SIGHUP at any moment, even while Python is still loading
    Typer, NumPy or scikit-learn, ends with one line and 128 + the signal's
    number, never a traceback (the ``gradcli`` package imports nothing on the
    way here).  Then the standard streams are made safe (``stdio.py``) and the
    app runs.  Whatever ends it outside a command is reported here in one line:
    an interrupt, a failed write to stdout (a closed pipe, a full disk), or an
    exception that is not a GradcliError, which is a bug (the traceback only
    when GRADCLI_DEBUG is set).
    """
    try:  # Python's own Ctrl-C handler raises until gradcli's takes over: it is caught below as well
        from ..interrupts import Interrupted, handle_stop_signals

        handle_stop_signals()
        if _early_signals:
            raise Interrupted(_early_signals[0])
        status = _run()
        status = _lost_signal_status(status)
    except KeyboardInterrupt as error:  # before _run could catch it (while the first modules load)
        status = _interrupted(error)
    finally:
        _ignore_stop_signals()  # gradcli is done: a signal now must not disturb the interpreter's exit
    sys.exit(status)


def _lost_signal_status(status: int) -> int:
    """A stop signal whose Interrupted Python swallowed (``interrupts.lost_signal``) still decides the status."""
    from ..interrupts import exit_status, lost_signal, signal_name
    from . import stdio

    signum = lost_signal()
    if signum is None:
        return status
    stdio.say(f"interrupted ({signal_name(signum)})")
    return exit_status(signum)


def _ignore_stop_signals() -> None:
    from ..interrupts import ignore_stop_signals

    ignore_stop_signals()


def _run() -> int:
    """Run the app; its exit status."""
    from ..errors import GradcliError
    from . import stdio

    try:
        try:
            stdio.prepare()
            from .app import run

            run()
            status = 0
        except SystemExit as done:
            status = _exit_code(done)
        stdio.flush()  # a full disk or a closed pipe shows here, not in the interpreter's last flush
        return status
    except KeyboardInterrupt as error:
        return _interrupted(error)
    except GradcliError as error:
        from .common import report

        report(error)
        return error.exit_code
    except OSError as error:
        status = stdio.write_failure(error)
        if status is None:
            return _bug(error)
        return status
    except Exception as error:  # a bug in gradcli: say so in one line; the traceback on request
        return _bug(error)


def _exit_code(done: SystemExit) -> int:
    """The status of a SystemExit; Typer's silent 130 for an interrupt outside a command is re-raised."""
    interrupt = _typer_swallowed_interrupt(done)
    if interrupt is not None:
        raise interrupt
    if done.code is None:
        return 0
    if isinstance(done.code, int):
        return done.code
    from . import stdio

    stdio.say(str(done.code))
    return 1


def _typer_swallowed_interrupt(done: SystemExit):
    """Typer turns a KeyboardInterrupt outside a command (while it parses options) into a bare exit 130."""
    raised = done.__context__  # Typer's Exit(130), raised `from` the interrupt
    cause = getattr(raised, "__cause__", None)
    return cause if isinstance(cause, KeyboardInterrupt) else None


def _interrupted(error: KeyboardInterrupt) -> int:
    _ignore_stop_signals()  # more of them must not cut the exit short
    from ..interrupts import exit_status, interrupt_signal, signal_name
    from . import stdio

    signum = interrupt_signal(error)
    stdio.say(f"interrupted ({signal_name(signum)})")
    return exit_status(signum)


def _bug(error: Exception) -> int:
    if os.environ.get("GRADCLI_DEBUG"):
        raise error
    from ..printable import printable
    from . import stdio

    stdio.say(f"error: internal error in gradcli ({type(error).__name__}: {printable(str(error))})\n"
              "hint: please report it; GRADCLI_DEBUG=1 shows the traceback")
    return 1
