"""``gradcli playground``: the TensorFlow Playground in a terminal.

On the floor of ``explore`` (it imports ``render``, ``pictures``, ``learn`` and
``data``, and nothing imports it but the CLI), in the same pattern, logic apart
from the UI:

- ``settings.py``: what a session is set to (dataset, features, layers, rates),
  the Playground's defaults, and the ``gradcli train`` command that repeats it;
- ``controls.py``: the settings panel without a screen: its rows and what
  left/right does to each (no UI);
- ``session.py``: one run of those settings: the prepared run, its training
  segments and the ``Frame`` of numbers a screen draws (no UI);
- ``trainer.py``: training on a thread of its own: play, pause, one step,
  changes applied between steps, frames published at most ~15 times a second
  (no UI);
- ``panels.py`` and ``network.py``: frames -> Rich renderables;
- ``app.py``: the Textual app (the only module that imports Textual).
"""
