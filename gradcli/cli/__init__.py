"""The command-line interface: a thin Typer layer over the gradcli library.

``app.py`` builds the Typer app and registers one module per command; each
command reads its options, calls the core library, and renders the result.
Heavy libraries (NumPy, scikit-learn, graphviz, matplotlib, Textual) are
imported inside the commands that need them, never at module level here.
"""
