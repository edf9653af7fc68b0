"""The usage examples in the library's docstrings run as written."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest


def _modules_with_examples() -> list[str]:
    """Every gradcli module whose docstrings hold ``>>>`` examples."""
    root = Path(__file__).resolve().parent.parent / "gradcli"
    names = []
    for path in sorted(root.rglob("*.py")):
        if ">>> " in path.read_text():
            parts = path.relative_to(root.parent).with_suffix("").parts
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


@pytest.mark.parametrize("module", _modules_with_examples())
def test_docstring_examples(module):
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{module} has no examples"
    assert result.failed == 0
