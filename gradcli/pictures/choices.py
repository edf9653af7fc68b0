"""The choices of a drawing, declared once: layout direction and renderer (no graphviz here, so the CLI
declares its options from them at start-up)."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Rankdir", "Renderer"]


class Rankdir(StrEnum):
    """Graphviz's layout direction: left to right, or top to bottom."""

    LR = "LR"
    TB = "TB"


class Renderer(StrEnum):
    """The program that lays out SVG/PNG: ``auto`` prefers ``dot`` on PATH, then ``graphviz-pure``."""

    auto = "auto"
    dot = "dot"
    graphviz_pure = "graphviz-pure"
