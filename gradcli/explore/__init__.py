"""``gradcli explore``: the state of an exploration (no UI) and the Textual app around it."""
