"""Keep pydantic off the start-up path: coerce plain option values without it.

Typer (0.2x) coerces every non-flag parameter through a pydantic ``TypeAdapter``;
the first one built imports pydantic, which costs ~130 ms, as much as Python and
Typer together.  ``gradcli grad`` must answer in 200 ms, so this module installs a
cheaper coercion for the plain cases our commands use:

- ``str`` (returned as given), ``bool`` given as a bool, ``int`` and ``float`` written as ordinary numbers
  (no min/max/clamp), and ``Enum`` choices (through Typer's own ``coerce_cli_choice``).

Everything else, and every value the fast path does not accept (a malformed
number, a bad choice), goes to Typer's own pydantic coercion, so validation
and error messages are exactly Typer's.  ``install()`` is idempotent and is
called when the command modules are imported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Any

_INT = re.compile(r"[+-]?\d+\Z")
_FLOAT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\Z")

_installed = False


def install() -> None:
    """Route plain parameters of every Typer command through ``_fast_runtime_param``."""
    global _installed
    if _installed:
        return
    try:
        from typer import _coercion, core
    except ImportError:  # another Typer layout: keep its own behaviour
        return
    original = getattr(core, "build_runtime_param", None)
    if original is None or not hasattr(_coercion, "RuntimeParam"):
        return

    @dataclass(frozen=True)
    class FastRuntimeParam(_coercion.RuntimeParam):
        """Coerce the happy path here; hand anything else to Typer's pydantic path."""

        descriptor: Any = None

        def _coerce_value(self, value, param, ctx):
            case_sensitive = getattr(self.parameter_info, "case_sensitive", True)
            fast = _coerce_plain(self.annotation, value, ctx, case_sensitive)
            if fast is not _UNHANDLED:
                return fast
            return original(self.descriptor)._coerce_value(value, param=param, ctx=ctx)

    def fast_runtime_param(descriptor):
        info = descriptor.parameter_info
        plain = (
            descriptor.file_annotation is None
            and getattr(info, "parser", None) is None
            and getattr(info, "min", None) is None
            and getattr(info, "max", None) is None
            and _is_plain(descriptor.annotation)
        )
        if not plain:
            return original(descriptor)
        return FastRuntimeParam(parameter_info=info, annotation=descriptor.annotation, descriptor=descriptor)

    core.build_runtime_param = fast_runtime_param
    _installed = True


_UNHANDLED = object()


def _is_plain(annotation) -> bool:
    if annotation in (str, bool, int, float):
        return True
    return isinstance(annotation, type) and issubclass(annotation, Enum)


def _coerce_plain(annotation, value, ctx, case_sensitive: bool = True):
    """The coerced value, or ``_UNHANDLED`` when Typer's own path should decide."""
    if annotation is str:
        return value if isinstance(value, str) else _UNHANDLED
    if annotation is bool:
        return value if isinstance(value, bool) else _UNHANDLED
    if annotation is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        return int(value) if isinstance(value, str) and _INT.match(value) else _UNHANDLED
    if annotation is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        return float(value) if isinstance(value, str) and _FLOAT.match(value) else _UNHANDLED
    if isinstance(value, annotation):  # an Enum default
        return value
    from typer._param_types import coerce_cli_choice

    try:
        return coerce_cli_choice(value, choices=list(annotation), case_sensitive=case_sensitive, ctx=ctx)
    except Exception:  # a bad choice: let Typer's own path report it in its own words
        return _UNHANDLED
