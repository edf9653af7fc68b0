"""Keep pydantic off the start-up path: plain option values coerced without it.

Typer 0.29 coerces every parameter that is not a flag through a pydantic
``TypeAdapter``; the first one imports pydantic, 90 ms or more, longer than
Python and Typer take together, and ``gradcli grad`` must answer within 200 ms.
Typer 0.29 has no public way around it (``click_type=`` is gone, and
``parser=`` builds an adapter too), so this module is gradcli's one patch of
Typer's internals, kept small and fenced in:

- What it does: ``str`` and ``bool`` values, ``int`` and ``float`` values
  written as plain numbers that lie inside the option's ``min=``/``max=``,
  ``Enum`` choices and lists of ``str`` (an option given several times,
  ``check --given``) are coerced here.  Every other value and type (a malformed
  number, one out of range, an unknown choice, paths, files, lists) goes to
  Typer's own coercion, so what is accepted and what is refused stay Typer's
  (``usage.py`` words the refusal as gradcli words every usage error).
- What it relies on: ``typer.core.build_runtime_param`` builds the coercion of
  each parameter, ``typer._coercion.RuntimeParam`` is the class it returns, and
  ``typer._param_types.coerce_cli_choice`` reads a choice.
- When it is on: ``install()`` runs when gradcli is the program (``app.run``),
  not when a module is imported; it patches only Typer ``TYPER_SERIES`` (the
  series pyproject.toml pins, and the one tested), only if those names exist,
  and not when the environment sets ``GRADCLI_FAST_PARAMS=0``.  Off, every
  command behaves the same and starts ~90 ms slower: tests/test_fast_params.py
  runs each command both ways.
"""

from __future__ import annotations

import os
import re
import typing
from dataclasses import dataclass
from enum import Enum
from typing import Any

TYPER_SERIES = "0.29"  # the Typer releases whose internals this was tested against
SWITCH = "GRADCLI_FAST_PARAMS"  # "0": let Typer coerce every value itself

_INT = re.compile(r"[+-]?\d+\Z")
_FLOAT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\Z")
_UNHANDLED = object()  # "not a plain case: Typer's own coercion decides"

_typer_own = None  # Typer's build_runtime_param while the fast path stands in front of it


def install() -> bool:
    """Put the fast path in front of Typer's coercion (idempotent); True when it is on."""
    global _typer_own
    if _typer_own is not None:
        return True
    if os.environ.get(SWITCH, "1").strip() == "0":
        return False
    import typer

    if not is_tested_typer(typer.__version__):
        return False
    try:
        from typer import _coercion, core
        from typer._param_types import coerce_cli_choice
    except ImportError:
        return False
    own = getattr(core, "build_runtime_param", None)
    base = getattr(_coercion, "RuntimeParam", None)
    if own is None or base is None:
        return False
    core.build_runtime_param = _fast_builder(own, base, coerce_cli_choice)
    _typer_own = own
    return True


def uninstall() -> None:
    """Hand every value back to Typer's own coercion."""
    global _typer_own
    if _typer_own is not None:
        from typer import core

        core.build_runtime_param = _typer_own
        _typer_own = None


def is_tested_typer(version: str) -> bool:
    """True for the Typer releases of ``TYPER_SERIES`` (``0.29``, ``0.29.2``)."""
    return version == TYPER_SERIES or version.startswith(TYPER_SERIES + ".")


def _fast_builder(own, base, coerce_choice):
    """A stand-in for Typer's ``build_runtime_param`` that tries the plain cases first."""

    @dataclass(frozen=True)
    class FastRuntimeParam(base):
        descriptor: Any = None

        def _coerce_value(self, value, param, ctx):
            fast = _coerce_plain(self.annotation, self.parameter_info, value, ctx, coerce_choice)
            if fast is not _UNHANDLED:
                return fast
            return own(self.descriptor)._coerce_value(value, param=param, ctx=ctx)

    def build_runtime_param(descriptor):
        if descriptor.file_annotation is not None or not _is_plain(descriptor.annotation, descriptor.parameter_info):
            return own(descriptor)
        return FastRuntimeParam(parameter_info=descriptor.parameter_info, annotation=descriptor.annotation,
                                descriptor=descriptor)

    return build_runtime_param


def _is_plain(annotation, info) -> bool:
    if getattr(info, "parser", None) is not None or getattr(info, "clamp", False):
        return False
    ranged = getattr(info, "min", None) is not None or getattr(info, "max", None) is not None
    if annotation in (int, float):
        return True
    if ranged:
        return False
    if _is_str_list(annotation):
        return True
    return annotation in (str, bool) or (isinstance(annotation, type) and issubclass(annotation, Enum))


def _is_str_list(annotation) -> bool:
    return typing.get_origin(annotation) is list and typing.get_args(annotation) == (str,)


def _coerce_plain(annotation, info, value, ctx, coerce_choice):
    """The coerced value, or ``_UNHANDLED`` when Typer's own coercion should decide."""
    if annotation is str:
        return value if isinstance(value, str) else _UNHANDLED
    if annotation is bool:
        return value if isinstance(value, bool) else _UNHANDLED
    if _is_str_list(annotation):
        plain = isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value)
        return list(value) if plain else _UNHANDLED
    if annotation is int or annotation is float:
        number = _plain_number(annotation, value)
        if number is _UNHANDLED or (info.min is not None and number < info.min) or \
                (info.max is not None and number > info.max):
            return _UNHANDLED  # out of range: Typer says so in its own words
        return number
    try:
        return coerce_choice(value, choices=list(annotation), case_sensitive=info.case_sensitive, ctx=ctx)
    except Exception:  # not one of the choices: Typer's own path reports it
        return _UNHANDLED


def _plain_number(annotation, value):
    if isinstance(value, bool):
        return _UNHANDLED
    if annotation is int:
        if isinstance(value, int):
            return value
        return int(value) if isinstance(value, str) and _INT.match(value) else _UNHANDLED
    if isinstance(value, (int, float)):
        return float(value)
    return float(value) if isinstance(value, str) and _FLOAT.match(value) else _UNHANDLED
