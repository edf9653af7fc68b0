"""Straight lines in the terminal, drawn with Braille dots: each text cell holds 2 x 4 dots and one colour.

``DotCanvas(width, height)`` is measured in text cells; dots run from
(0, 0) at the top left to (2 * width - 1, 4 * height - 1).  ``segments``
draws many lines at once (NumPy, no loop per line), each with an id and a
strength; a cell that several lines cross takes the id of the strongest (the
caller colours the cell by it).  A line can be dashed (three dots on, three
off, along x) or thick (two dots tall)::

    >>> canvas = DotCanvas(4, 1)
    >>> canvas.segments([0], [0], [7], [3], strength=[1.0])
    >>> "".join(char for char, _ in canvas.cells()[0])
    '⠉⠒⠤⣀'

Used for the weights of ``gradcli playground``'s network and its loss curves.
"""

from __future__ import annotations

import numpy as np

__all__ = ["DotCanvas", "BRAILLE_BASE"]

BRAILLE_BASE = 0x2800  # the blank Braille pattern; each dot adds one bit
# the bit of the dot at (row 0..3, column 0..1) of a cell, in Unicode's numbering of the eight dots
DOT_BITS = np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]], dtype=np.uint8)
DASH = 3  # dots on, then dots off, along a dashed line


class DotCanvas:
    """A grid of ``width`` x ``height`` cells of Braille dots, with the id of the strongest line in each cell."""

    def __init__(self, width: int, height: int):
        self.width, self.height = max(int(width), 0), max(int(height), 0)
        self.bits = np.zeros((self.height, self.width), dtype=np.uint8)
        self.best = np.full((self.height, self.width), -np.inf)
        self.owner = np.full((self.height, self.width), -1, dtype=np.int64)

    def segments(self, x0, y0, x1, y1, *, strength, ids=None, dashed=None, thick=None) -> None:
        """Draw segment k from (x0[k], y0[k]) to (x1[k], y1[k]) in dots; its cells remember ``ids[k]`` (default k).

        ``strength[k]`` decides which line owns a cell several cross; ``dashed[k]`` and ``thick[k]``
        (booleans) change how it is drawn.
        """
        x0, y0, x1, y1 = (np.asarray(v, dtype=np.float64).reshape(-1) for v in (x0, y0, x1, y1))
        count = len(x0)
        if count == 0 or self.width == 0 or self.height == 0:
            return
        strength = np.broadcast_to(np.asarray(strength, dtype=np.float64), (count,))
        ids = np.arange(count) if ids is None else np.asarray(ids, dtype=np.int64)
        dashed = np.zeros(count, bool) if dashed is None else np.asarray(dashed, dtype=bool)
        thick = np.zeros(count, bool) if thick is None else np.asarray(thick, dtype=bool)
        # one sample per dot along the longer axis of the longest segment, the same for all
        samples = int(np.max(np.maximum(np.abs(x1 - x0), np.abs(y1 - y0)))) + 1
        t = np.linspace(0.0, 1.0, max(samples, 2))
        xs = np.rint(x0[:, None] + (x1 - x0)[:, None] * t).astype(np.int64)
        ys = np.rint(y0[:, None] + (y1 - y0)[:, None] * t).astype(np.int64)
        keep = ~(dashed[:, None] & ((xs // DASH) % 2 == 1))
        which = np.broadcast_to(np.arange(count)[:, None], xs.shape)
        xs, ys, which = xs[keep], ys[keep], which[keep]
        fat = thick[which]
        xs = np.concatenate([xs, xs[fat]])
        ys = np.concatenate([ys, ys[fat] + 1])
        which = np.concatenate([which, which[fat]])
        inside = (xs >= 0) & (xs < 2 * self.width) & (ys >= 0) & (ys < 4 * self.height)
        xs, ys, which = xs[inside], ys[inside], which[inside]
        rows, cols = ys // 4, xs // 2
        np.bitwise_or.at(self.bits, (rows, cols), DOT_BITS[ys % 4, xs % 2])
        power = strength[which]
        np.maximum.at(self.best, (rows, cols), power)
        strongest = power >= self.best[rows, cols]
        self.owner[rows[strongest], cols[strongest]] = ids[which[strongest]]

    def cells(self) -> list[list[tuple[str, int]]]:
        """Every row of cells: (Braille character, id of the strongest line there or -1), a blank for no dot."""
        chars = np.where(self.bits > 0, self.bits.astype(np.int64) + BRAILLE_BASE, ord(" "))
        return [[(chr(code), int(owner)) for code, owner in zip(row, owners)]
                for row, owners in zip(chars.tolist(), self.owner.tolist())]

    def drawn(self) -> list[tuple[int, int, str, int]]:
        """(row, column, Braille character, id of the strongest line) of the cells that hold dots."""
        rows, cols = np.nonzero(self.bits)
        codes = self.bits[rows, cols].astype(np.int64) + BRAILLE_BASE
        return [(r, c, chr(code), owner) for r, c, code, owner in
                zip(rows.tolist(), cols.tolist(), codes.tolist(), self.owner[rows, cols].tolist())]
