"""The command-line interface: a thin Typer layer over the gradcli library.

``app.py`` builds the Typer app and registers one module per command; each
command reads its options, calls the core library, and renders the result.
Heavy libraries (NumPy, scikit-learn, graphviz, matplotlib, Textual) are
imported inside the commands that need them, never at module level here.
"""

import os
import signal
import sys


def main() -> None:
    """The ``gradcli`` console script.

    The app is imported here, inside the ``try``, so that Ctrl-C while Python
    is still loading Typer, NumPy or scikit-learn ends with one line, not a
    traceback.  (Ctrl-C inside a command is handled by the command.)  An
    exception that is not a GradcliError is a bug: it is reported in one line,
    with the traceback only when GRADCLI_DEBUG is set.
    """
    try:
        from .app import run

        run()
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the exit short
        sys.stderr.write("interrupted (Ctrl-C)\n")
        sys.exit(130)
    except Exception as error:  # a bug in gradcli: say so in one line; the traceback on request
        if os.environ.get("GRADCLI_DEBUG"):
            raise
        sys.stderr.write(f"error: internal error in gradcli ({type(error).__name__}: {error})\n"
                         "hint: please report it; GRADCLI_DEBUG=1 shows the traceback\n")
        sys.exit(1)
