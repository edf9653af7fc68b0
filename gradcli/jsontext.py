"""Strict JSON: the one way gradcli writes JSON (stdout documents and model files).

JSON has no NaN or infinity.  Python's ``json`` writes them anyway (``NaN``,
``-Infinity``), which most JSON readers refuse; gradcli writes them as
``null`` instead, and ``null_warning`` says which numbers those were so that
the reader of the document can be told why::

    >>> document = {"loss": float("nan"), "grads": [1.5, float("-inf")]}
    >>> to_json(document)
    '{"loss": null, "grads": [1.5, null]}'
    >>> null_warning(document)
    'JSON has no NaN or infinity: written as null: loss (nan), grads[1] (-inf)'
    >>> null_warning({"loss": 0.25}) is None
    True

Every number is written in full (``repr``), so a float reads back exactly; a NumPy array is
written as nested lists (its ``tolist()``), so no reader needs NumPy.
"""

from __future__ import annotations

import math

SHOWN_PLACES = 3  # a warning names this many of the numbers written as null, then counts the rest


def to_json(document, *, indent: int | None = None) -> str:
    """``document`` (dicts, lists, numbers, strings, None) as strict JSON text: NaN and infinities are null."""
    import json  # on first use: the start-up path of `gradcli grad` never pays for it

    return json.dumps(finite_or_null(document), indent=indent, allow_nan=False)


def finite_or_null(item):
    """``item`` with every NaN or infinite float replaced by None, at any depth (tuples and arrays become lists)."""
    if hasattr(item, "tolist") and not isinstance(item, float):  # a NumPy array or number
        item = item.tolist()
    if isinstance(item, float):
        return item if math.isfinite(item) else None
    if isinstance(item, dict):
        return {key: finite_or_null(value) for key, value in item.items()}
    if isinstance(item, (list, tuple)):
        return [finite_or_null(value) for value in item]
    return item


def not_finite(item, where: str = "") -> list[tuple[str, float]]:
    """(place, value) of every NaN or infinite float in ``item``: ``[("grads[1]", -inf)]``."""
    if hasattr(item, "tolist") and not isinstance(item, float):
        item = item.tolist()
    if isinstance(item, float):
        return [] if math.isfinite(item) else [(where, item)]
    if isinstance(item, dict):
        return [found for key, value in item.items()
                for found in not_finite(value, f"{where}.{key}" if where else str(key))]
    if isinstance(item, (list, tuple)):
        return [found for index, value in enumerate(item) for found in not_finite(value, f"{where}[{index}]")]
    return []


def null_warning(document) -> str | None:
    """The warning that explains the nulls ``to_json`` writes for ``document``; None when there are none."""
    places = not_finite(document)
    if not places:
        return None
    shown = ", ".join(f"{place or 'the document'} ({value})" for place, value in places[:SHOWN_PLACES])
    more = len(places) - SHOWN_PLACES
    return f"JSON has no NaN or infinity: written as null: {shown}" + (f" and {more} more" if more > 0 else "")
