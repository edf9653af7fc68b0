"""The network as the Playground draws it, in text cells: columns of neurons, each with its map, joined by weights.

``NetworkPicture(columns, width, height)`` is a Rich renderable of exactly
``width`` x ``height`` cells.  ``columns`` are a frame's ``LayerView``s: the
inputs (the features, labelled on the left), every hidden layer, the output.
Each neuron is a tile (drawn as ``pictures.termmap.value_tile`` draws one): its output over the
input plane, orange below 0 and blue above, scaled to its own largest
|output| when that is above 1 (tanh and sigmoid keep their natural scale).

The weights between two columns are Braille lines (``pictures.braille``), one
per pair of neurons shown, from the middle of one tile to the middle of the
next, and a terminal can show their sign and size only so well:

- sign: the Playground's colours (blue positive, orange negative) AND the
  line's pattern (solid positive, dashed negative), so that a screen without
  colour (a capture, NO_COLOR) still shows it;
- size: brightness (from the background up to the full colour, in proportion
  to |w| over the largest |w| in the network) and thickness (two dots tall
  from half the largest |w| up);
- where lines cross, a text cell can hold one colour: the strongest line
  through the cell gives it.

``plan_layout`` chooses the tile size: as large as lets every column show up
to 8 neurons with room for the lines, 6 x 12 cells down to 1 x 2; a column with more neurons than fit
shows the first ones and ``+N`` for the rest (lines only to the neurons shown).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..pictures.braille import DotCanvas
from ..pictures.termmap import PLAYGROUND_COLORS, tile_cell, tile_levels

__all__ = ["Layout", "plan_layout", "NetworkPicture", "WANTED_ROWS", "MIN_GAP"]

WANTED_ROWS = 8  # the neurons a column should show before tiles shrink (the Playground's widest layer)
MIN_GAP = 2  # cells between two columns: room for the lines (4 dots across)
MAX_GAP = 20
TILE_HEIGHTS = (6, 5, 4, 3, 2, 1)  # rows of a tile (two pixel rows each); a tile is twice as wide, so its pixels are square
BACKGROUND = (40, 40, 40)
SHADES = 6  # brightness levels of a weight's line
LABEL_STYLE = "grey70"


def _rgb(text: str) -> tuple[int, int, int]:
    return int(text[1:3], 16), int(text[3:5], 16), int(text[5:7], 16)


ORANGE, BLUE = _rgb(PLAYGROUND_COLORS[0]), _rgb(PLAYGROUND_COLORS[1])


@dataclass(frozen=True)
class Layout:
    """Where things go: tile size in cells, the gap between columns, the label column, rows per neuron."""

    tile_width: int
    tile_height: int
    gap: int
    label_width: int
    rows: int  # neurons a column shows at most (the last of them may be "+N")

    @property
    def pitch(self) -> int:
        return self.tile_height + 1


def plan_layout(sizes: list[int], labels: list[str], width: int, height: int) -> Layout | None:
    """The largest tiles that fit ``sizes`` (neurons per column) in ``width`` x ``height``; None if none fit.

    Largest first with gaps at least as wide as a tile (room for the lines to show their slopes), then
    with gaps of ``MIN_GAP``; a column should show up to ``WANTED_ROWS`` neurons.
    """
    label_width = max((len(label) for label in labels), default=0) + 1
    columns = len(sizes)
    body = height - 1  # the first row holds the columns' titles
    wanted = min(max(sizes, default=1), WANTED_ROWS)
    for roomy in (True, False):
        for tile_height in TILE_HEIGHTS:
            tile_width = 2 * tile_height
            rows = (body + 1) // (tile_height + 1)
            gap = (width - label_width - columns * tile_width) // max(columns - 1, 1)
            least = max(MIN_GAP, tile_width) if roomy else MIN_GAP
            if (gap >= least or columns == 1) and rows >= wanted:
                return Layout(tile_width, tile_height, min(gap, MAX_GAP), label_width, rows)
    tile_height = TILE_HEIGHTS[-1]
    rows = (body + 1) // (tile_height + 1)
    gap = (width - label_width - columns * 2 * tile_height) // max(columns - 1, 1)
    if rows < 1 or (gap < MIN_GAP and columns > 1):
        return None
    return Layout(2 * tile_height, tile_height, min(gap, MAX_GAP), label_width, rows)


class NetworkPicture:
    """Columns of neuron tiles joined by weight lines, in ``width`` x ``height`` cells (see the module docstring)."""

    def __init__(self, columns, width: int, height: int, layout: Layout | None = None):
        self.columns, self.width, self.height = columns, width, height
        labels = list(columns[0].labels) if columns else []
        self.layout = layout or plan_layout([c.size for c in columns], labels, width, height)

    def __rich_measure__(self, console, options):
        from rich.measure import Measurement

        return Measurement(self.width, self.width)

    def __rich_console__(self, console, options):
        from rich.segment import Segment

        plain = console.no_color or console.color_system is None or options.ascii_only
        grid = self._grid(plain)
        for row in grid:
            yield from _merged(row)
            yield Segment.line()

    # -- the picture, cell by cell -----------------------------------------------------------

    def _grid(self, plain: bool) -> list:
        from rich.style import Style

        width, height, layout = self.width, self.height, self.layout
        grid = [[(" ", None)] * width for _ in range(height)]
        if layout is None:
            _write(grid, 0, 0, "the network does not fit: widen the terminal", Style(dim=True))
            return grid
        positions = self._positions()
        scale = self._weight_scale(positions)
        x = layout.label_width
        lefts = [x + k * (layout.tile_width + layout.gap) for k in range(len(self.columns))]
        for k, column in enumerate(self.columns):
            room = (layout.tile_width + layout.gap) if k < len(self.columns) - 1 else width - lefts[k]
            _write(grid, 0, lefts[k], _title(column, k, room - 1), Style(bold=True, dim=True))
            shown, extra = positions[k]
            for i, row in zip(range(len(shown)), shown):
                self._tile(grid, column, i, row, lefts[k], plain)
                if k == 0 and i < len(column.labels):
                    label = column.labels[i][:layout.label_width - 1]
                    _write(grid, row + layout.tile_height // 2, lefts[0] - len(label) - 1, label,
                           Style(color=LABEL_STYLE))
            if extra:
                below = shown[-1] + layout.pitch if shown else 1
                _write(grid, min(below, height - 1), lefts[k], f"+{extra}", Style(dim=True))
            if k > 0:
                self._lines(grid, positions[k - 1][0], shown, column.weights, lefts[k - 1] + layout.tile_width,
                            layout.gap, scale, plain)
        return grid

    def _positions(self) -> list[tuple[list[int], int]]:
        """Per column: the top row of each neuron shown, and how many are left out."""
        layout = self.layout
        placed = []
        for column in self.columns:
            count = column.size
            shown = count if count <= layout.rows else layout.rows - 1  # the last slot says "+N"
            block = max(count if count <= layout.rows else layout.rows, 1) * layout.pitch - 1
            top = 1 + max((self.height - 1 - block) // 2, 0)
            placed.append(([top + i * layout.pitch for i in range(shown)], count - shown))
        return placed

    def _weight_scale(self, positions) -> float:
        largest = 0.0
        for k, column in enumerate(self.columns):
            if column.weights is not None and column.weights.size:
                w = column.weights[:len(positions[k][0]), :len(positions[k - 1][0])]
                largest = max(largest, float(np.max(np.abs(w))) if w.size else 0.0)
        return largest if largest > 0 and np.isfinite(largest) else 1.0

    def _tile(self, grid, column, index: int, row: int, left: int, plain: bool) -> None:
        from rich.style import Style

        layout = self.layout
        if column.maps is None:  # no map (not 2-D): a plain box in the neuron's place
            for r in range(layout.tile_height):
                _write(grid, row + r, left, "░" * layout.tile_width, Style(color="grey50"))
            return
        values = _resampled(column.maps[index], 2 * layout.tile_height, layout.tile_width)
        largest = float(np.max(np.abs(values))) if values.size else 0.0
        if largest > 1.0 and np.isfinite(largest):
            values = values / largest
        levels = tile_levels(values).tolist()
        for r in range(layout.tile_height):
            if not 0 <= row + r < len(grid):
                continue
            cells = grid[row + r]
            for c, (upper, lower) in enumerate(zip(levels[2 * r], levels[2 * r + 1])):
                if 0 <= left + c < len(cells):
                    cells[left + c] = tile_cell(upper, lower, plain)

    def _lines(self, grid, sources: list[int], targets: list[int], weights, left: int, gap: int, scale: float,
               plain: bool) -> None:
        from rich.style import Style

        if weights is None or not sources or not targets or gap <= 0:
            return
        layout = self.layout
        middle = layout.tile_height * 2  # the middle of a tile, in dots below its top row
        j, i = np.meshgrid(np.arange(len(targets)), np.arange(len(sources)), indexing="ij")
        w = weights[j, i].ravel()
        strength = np.clip(np.abs(w) / scale, 0.0, 1.0)
        y0 = np.asarray(sources, dtype=float)[i.ravel()] * 4 + middle
        y1 = np.asarray(targets, dtype=float)[j.ravel()] * 4 + middle
        canvas = DotCanvas(gap, len(grid))
        canvas.segments(np.zeros_like(y0), y0, np.full_like(y0, 2 * gap - 1), y1, strength=strength,
                        dashed=w < 0, thick=strength >= 0.5)
        shades = np.rint(strength * (SHADES - 1)).astype(int)  # a few shades: neighbouring cells share styles
        styles = {}
        for r, c, char, owner in canvas.drawn():
            key = (w[owner] >= 0, shades[owner])
            if key not in styles:
                shade = _mix(BACKGROUND, BLUE if key[0] else ORANGE, 0.3 + 0.7 * key[1] / (SHADES - 1))
                styles[key] = None if plain else Style(color=f"rgb({shade[0]},{shade[1]},{shade[2]})")
            grid[r][left + c] = (char, styles[key])


def _title(column, k: int, room: int) -> str:
    """"inputs" and "4 tanh" where they fit; "in" and "4" where they do not."""
    full = "inputs" if k == 0 else f"{column.size} {column.activation}"
    if len(full) <= room:
        return full
    return ("in" if k == 0 else str(column.size))[:max(room, 1)]


def _mix(a, b, t: float) -> tuple[int, int, int]:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b))


def _resampled(values: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Nearest-neighbour resampling of a map to ``rows`` x ``cols`` (a frame drawn before a resize)."""
    if values.shape == (rows, cols):
        return values
    r = np.minimum((np.arange(rows) + 0.5) * values.shape[0] / rows, values.shape[0] - 1).astype(int)
    c = np.minimum((np.arange(cols) + 0.5) * values.shape[1] / cols, values.shape[1] - 1).astype(int)
    return values[np.ix_(r, c)]


def _write(grid, row: int, col: int, text: str, style) -> None:
    if not 0 <= row < len(grid):
        return
    for offset, char in enumerate(text):
        if 0 <= col + offset < len(grid[row]):
            grid[row][col + offset] = (char, style)


def _merged(row):
    """Runs of cells with the same style, as Segments."""
    from rich.segment import Segment

    text, style = "", None
    for char, cell_style in row:
        if cell_style is not style and text:
            yield Segment(text, style)
            text = ""
        style = cell_style
        text += char
    if text:
        yield Segment(text, style)
