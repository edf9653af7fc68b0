"""The autograd core: ``Value`` and its ops, expressions, traces, finite-difference checks.

Nothing here knows about the terminal, files or flags; everything else in gradcli builds on it.
"""
