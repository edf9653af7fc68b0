"""The command-line interface: a thin Typer layer over the gradcli library.

``app.py`` builds the Typer app and registers one module per command; each
command reads its options, calls the core library, and renders the result.
Heavy libraries (NumPy, scikit-learn, graphviz, matplotlib, Textual) are
imported inside the commands that need them, never at module level here.
"""

import sys


def main() -> None:
    """The ``gradcli`` console script.

    The app is imported here, inside the ``try``, so that Ctrl-C while Python
    is still loading Typer, NumPy or scikit-learn ends with one line, not a
    traceback.  (Ctrl-C inside a command is handled by the command.)
    """
    try:
        from .app import run

        run()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted (Ctrl-C)\n")
        sys.exit(130)
