"""The usage examples in the library's docstrings run as written."""

from __future__ import annotations

import doctest
import importlib

import pytest


@pytest.mark.parametrize("module", ["gradcli", "gradcli.autograd.engine", "gradcli.autograd.expr",
                                    "gradcli.autograd.trace", "gradcli.numbers", "gradcli.jsontext",
                                    "gradcli.csvtext"])
def test_docstring_examples(module):
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{module} has no examples"
    assert result.failed == 0
