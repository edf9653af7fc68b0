"""The reference tables of docs/expressions.md, made from the op records (``autograd/ops.py``).

The docs never copy a derivative by hand: this module writes the tables
between the ``<!-- ops:begin -->`` and ``<!-- ops:end -->`` markers, and a
test fails when the page and the records disagree.  After adding or changing
an op, refresh the page with::

    python -m gradcli.render.optable docs/expressions.md
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..autograd.ops import OPS

BEGIN, END = "<!-- ops:begin -->", "<!-- ops:end -->"

_SECTIONS = (
    ("function", "Function", "Local derivative"),
    ("operator", "Operator", "Local derivatives"),
    ("tensor", "Array operation", "Gradient"),
)
# Array operations an expression writes by syntax rather than by name: A @ B, [a, b], x[0]
_WRITTEN_IN_EXPRESSIONS = {"matmul", "stack", "getitem"}


def reference_markdown() -> str:
    """One table per kind of op: how it is written, its derivative, and a note."""
    blocks = []
    for kind, heading, rule in _SECTIONS:
        lines = [f"| {heading} | {rule} | Notes |", "|---|---|---|"]
        for op in OPS.values():
            if op.kind == kind:
                also = f" (also written {', '.join(op.aliases)})" if op.aliases else ""
                python_only = kind == "tensor" and not op.language and op.name not in _WRITTEN_IN_EXPRESSIONS
                note = f"{op.summary}{also}" + (" (Python only)" if python_only else "")
                lines.append(f"| `{op.written}` | `{op.derivative}` | {note.strip()} |")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def with_reference(page: str) -> str:
    """``page`` with the text between the markers replaced by the current tables."""
    head, _, rest = page.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n{reference_markdown()}\n{END}{tail}"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m gradcli.render.optable docs/expressions.md", file=sys.stderr)
        return 2
    path = Path(argv[0])
    page = path.read_text()
    if BEGIN not in page or END not in page:
        print(f"{path} has no {BEGIN} ... {END} block", file=sys.stderr)
        return 2
    path.write_text(with_reference(page))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
