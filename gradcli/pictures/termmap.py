"""Pictures of 2-D data in the terminal: scatter plots and decision maps, as Rich renderables.

    console.print(scatter(data.X, data.y, class_labels=data.class_labels))
    console.print(decision_map(model_scores, data.X, data.y, task="binary"))

``curves`` draws functions of one variable as lines (``gradcli plot``: f, f'
and f'' over a range, the tangent), breaking a line at a gap or a jump.
``decision_map`` is the TensorFlow Playground in a terminal: the background
is shaded by the network's prediction on a grid over the data (one batched
call of ``predict`` for the whole grid, two grid rows per text row with
half-block characters), with the data points on top.  Classes are told apart
by marker shape as well as colour.  When the console has no colour (a pipe,
a file, NO_COLOR) the picture uses plain ASCII characters and no escape codes.

Colours follow the Playground: orange for the first class (-1), blue for the
second (+1); more classes take the tab10 palette.  Regression targets run
from orange (negative) through grey to blue (positive).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from ..numbers import significant

TICK_DIGITS = 3  # significant digits of axis ticks and legend values
PLAYGROUND_COLORS = ["#f59322", "#0877bd"]
TAB10 = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
         "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
MARKERS = "●▲■◆★✚▼◉✖♦"
ASCII_MARKERS = "ox+#*%@&=$"
HOLLOW_MARKERS = "○△□◇☆✛▽◎✕◊"  # held-out points (decision_map's test_X2), one per class as MARKERS
HOLLOW_ASCII_MARKERS = "OX=%&#*@+$"  # the same without colour: none of them is one of ASCII_MARKERS' first two
ASCII_REGIONS = " .:-'~`,^\""    # background character of each predicted class, no-colour mode
ASCII_RAMP = " .:-=+*#%@"      # background for regression scores, low to high, no-colour mode
NEUTRAL_POINT = (190, 190, 190)  # a regression point at 0
NEUTRAL_BACKGROUND = (28, 28, 28)  # an undecided region (score near 0)
REGION_STRENGTH = 0.45           # how far a confident region's colour goes from neutral toward its class
MARGIN = 0.08                    # room around the data, as a fraction of its range


Bounds = tuple[float, float, float, float]   # (x min, x max, y min, y max)
RGB = tuple[int, int, int]


def scatter(X2, y_index, class_colors: Sequence[str] | None = None, width: int = 60, height: int = 20,
            bounds: Bounds | None = None, *, task: str | None = None, class_labels: Sequence | None = None,
            x_label: str = "x1", y_label: str = "x2") -> "Plot":
    """A scatter plot of 2-D points: class markers, or colours/digits by value for regression."""
    X2, values = _check_points(X2, y_index)
    task = task or _infer_task(values)
    bounds = bounds or data_bounds(X2)
    canvas = _Canvas(width, height, bounds)
    legend = _place_points(canvas, X2, values, task, class_colors, class_labels)
    return Plot(canvas, x_label, y_label, legend)


def decision_map(predict: Callable[[np.ndarray], np.ndarray], X2, y_index, width: int = 48, height: int = 20,
                 bounds: Bounds | None = None, task: str = "binary", *, class_colors: Sequence[str] | None = None,
                 class_labels: Sequence | None = None, x_label: str = "x1", y_label: str = "x2",
                 test_X2=None, test_y=None) -> "Plot":
    """The data on top of a map of ``predict`` over the plane.

    ``predict`` takes an (m, 2) array of points and returns (m,) values: for
    "binary" a score whose sign picks the class (> 0: class 1) and whose size
    is the confidence (or integer class indices 0/1); for "multiclass" class
    indices; for "regression" the predicted value.  ``test_X2`` and ``test_y``
    (held-out points) are drawn with hollow markers (``HOLLOW_MARKERS``) in the
    cells they fall in, on top of the others.
    """
    X2, values = _check_points(X2, y_index)
    bounds = bounds or data_bounds(X2)
    canvas = _Canvas(width, height, bounds)
    grid = canvas.pixel_centres()
    scores = np.asarray(predict(grid)).reshape(-1)
    if scores.shape[0] != grid.shape[0]:
        raise ValueError(f"predict returned {scores.shape[0]} values for {grid.shape[0]} points")
    scores = scores.reshape(2 * height, width)
    n_classes = max(2, len(class_labels or []), int(values.max()) + 1 if task != "regression" else 0)
    colors = _class_rgbs(n_classes, class_colors)
    if task == "regression":
        # 41 shades from -1 to 1 look smooth and keep the number of styles small
        levels = np.round(np.clip(scores / _value_scale(values, scores), -1.0, 1.0) * 20) / 20
        canvas.fill(lambda v: _regression_rgb(v, NEUTRAL_BACKGROUND, REGION_STRENGTH),
                    lambda v: ASCII_RAMP[_bin(v, len(ASCII_RAMP))], levels)
        scale = significant(_value_scale(values, scores), TICK_DIGITS)
        shading = Shading("the prediction", [
            (ASCII_RAMP[0], _regression_rgb(-1.0, NEUTRAL_BACKGROUND, REGION_STRENGTH), f"-{scale}"),
            (ASCII_RAMP[-1], _regression_rgb(1.0, NEUTRAL_BACKGROUND, REGION_STRENGTH), f"+{scale}")],
            between=ASCII_RAMP.strip()[:-1])
    else:
        if task == "binary" and not np.issubdtype(scores.dtype, np.integer):
            classes = (scores > 0).astype(int)
            confidence = np.clip(np.abs(scores), 0.0, 1.0)
        else:
            classes = np.clip(scores.astype(int), 0, n_classes - 1)
            confidence = np.ones(scores.shape)
        # quantise the confidence so that a map uses a few dozen colours, not thousands of styles
        confidence = np.round(confidence * 4) / 4
        canvas.fill(lambda k, c: _mix(NEUTRAL_BACKGROUND, colors[k], REGION_STRENGTH * (0.35 + 0.65 * c)),
                    lambda k, c: ASCII_REGIONS[k % len(ASCII_REGIONS)], classes, confidence)
        labels = list(class_labels) if class_labels else list(range(n_classes))
        shading = Shading("the predicted class", [
            (ASCII_REGIONS[k % len(ASCII_REGIONS)], _mix(NEUTRAL_BACKGROUND, colors[k], REGION_STRENGTH),
             str(labels[k])) for k in range(n_classes)],
            colour_note="paler where less sure" if task == "binary" else "")
    legend = _place_points(canvas, X2, values, task, class_colors, class_labels)
    if test_X2 is not None and len(test_X2):
        test_X2, test_values = _check_points(test_X2, test_y)
        _place_points(canvas, test_X2, test_values, task, class_colors, class_labels, HOLLOW_MARKERS,
                      HOLLOW_ASCII_MARKERS)
        legend.append((HOLLOW_MARKERS[0], "/".join(HOLLOW_ASCII_MARKERS[:2]), NEUTRAL_POINT, "held out"))
    return Plot(canvas, x_label, y_label, legend, shading)


def fit_size(console_width: int, X2: np.ndarray, width: int | None = None, max_width: int = 72,
             max_height: int = 24) -> tuple[int, int]:
    """(width, height) in cells for a plot of ``X2``: fit the console (unless ``width`` is given),
    and choose the height that keeps the data's proportions."""
    width = width or max(20, min(max_width, console_width - 10))   # leave room for the y-axis labels
    spans = np.ptp(np.asarray(X2, dtype=np.float64), axis=0)
    ratio = spans[1] / spans[0] if spans[0] > 0 else 1.0
    # a text cell is about twice as tall as it is wide
    return width, int(np.clip(round(width / 2 * ratio), 8, max_height))


def data_bounds(X2: np.ndarray, margin: float = MARGIN) -> Bounds:
    """(x min, x max, y min, y max) around the points, with a margin; never an empty range."""
    low, high = X2.min(axis=0), X2.max(axis=0)
    span = np.where(high - low > 0, high - low, 2.0)
    low, high = np.where(high > low, low, low - 1.0), np.where(high > low, high, high + 1.0)
    return (float(low[0] - margin * span[0]), float(high[0] + margin * span[0]),
            float(low[1] - margin * span[1]), float(high[1] + margin * span[1]))


CURVE_STYLES = [("•", "*", "#0877bd"), ("◦", "o", "#f59322"), ("+", "+", "#2ca02c"), ("×", "x", "#d62728"),
                ("◇", "#", "#9467bd")]  # f, f', f'', ...: (marker, ASCII marker, colour)
TANGENT_STYLE = ("·", ".", "#7f7f7f")
AXIS_STYLE = ("─", "-", (96, 96, 96))


@dataclass
class Series:
    """One line of a ``curves`` picture: y per x (None: a gap), the indices not joined to the point before."""

    label: str
    ys: list
    breaks: Sequence = ()
    style: tuple = CURVE_STYLES[0]
    sets_range: bool = True  # False for a guide line (a tangent): drawn where it crosses the range only


def curves(xs, series: Sequence[Series], width: int = 72, height: int = 20, *, x_label: str = "x",
           y_label: str = "", bounds: Bounds | None = None, mark_x: float | None = None) -> "Plot":
    """Lines through ``(xs[i], ys[i])`` for each series; later series are drawn under earlier ones.

    The y range covers every series' finite values (a few extreme values,
    near a pole, are left off the top or bottom); the x axis (y = 0) is drawn
    when it is in range, and ``mark_x`` (a tangent's point) is marked.
    """
    xs = np.asarray(xs, dtype=np.float64)
    if bounds is None:
        bounds = (float(xs[0]), float(xs[-1]), *_y_range([s.ys for s in series if s.sets_range]))
    canvas = _Canvas(width, height, bounds)
    x0, x1, y0, y1 = bounds
    if y0 <= 0.0 <= y1:
        row = _row_of(canvas, 0.0)
        for col in range(width):
            canvas.points[row, col] = AXIS_STYLE
    for item in reversed(list(series)):  # the first series (f) ends on top
        marker, ascii_marker, colour = item.style
        cells = _line_cells(canvas, xs, item.ys, set(item.breaks))
        for cell in cells:
            canvas.points[cell] = (marker, ascii_marker, _hex_rgb(colour))
    if mark_x is not None and x0 <= mark_x <= x1:
        col = min(width - 1, int((mark_x - x0) / (x1 - x0) * width))
        for row in range(height):  # a dotted line down through the marked x, under the curves
            if (row, col) not in canvas.points or canvas.points[row, col] == AXIS_STYLE:
                canvas.points[row, col] = ("┊", ":", (96, 96, 96))
    legend = [(s.style[0], s.style[1], _hex_rgb(s.style[2]), s.label) for s in series]
    return Plot(canvas, x_label, y_label, legend)


def _y_range(all_ys: list) -> tuple[float, float]:
    """(low, high) around every finite y; when a few values lie far out (a pole), around the rest."""
    values = np.array([y for ys in all_ys for y in ys if y is not None and np.isfinite(y)], dtype=np.float64)
    if values.size == 0:
        return -1.0, 1.0
    low, high = float(values.min()), float(values.max())
    inner_low, inner_high = (float(q) for q in np.quantile(values, [0.05, 0.95]))
    if inner_high > inner_low and high - low > 3 * (inner_high - inner_low):
        low, high = inner_low, inner_high
    span = high - low if high > low else max(abs(high), 1.0)
    return low - MARGIN * span, high + MARGIN * span


def _row_of(canvas: "_Canvas", y: float) -> int:
    _, _, y0, y1 = canvas.bounds
    return min(canvas.height - 1, max(0, int((y1 - y) / (y1 - y0) * canvas.height)))


def _line_cells(canvas: "_Canvas", xs: np.ndarray, ys: list, breaks: set) -> list:
    """The cells a line passes through: each segment between joined points, sampled finely enough to
    leave no hole; parts outside the y range are not drawn."""
    x0, x1, y0, y1 = canvas.bounds
    cells = []

    def cell(x, y):
        if not (y0 <= y <= y1):
            return None
        col = min(canvas.width - 1, max(0, int((x - x0) / (x1 - x0) * canvas.width)))
        return _row_of(canvas, y), col

    previous = None
    for i, (x, y) in enumerate(zip(xs, ys)):
        if y is None or not np.isfinite(y):
            previous = None
            continue
        here = (float(x), float(y))
        if previous is not None and i not in breaks:
            (xa, ya), (xb, yb) = previous, here
            steps = 2 * (abs(_row_of(canvas, ya) - _row_of(canvas, yb))
                         + abs(int((xb - xa) / (x1 - x0) * canvas.width))) + 1
            for k in range(1, steps):
                t = k / steps
                found = cell(xa + (xb - xa) * t, ya + (yb - ya) * t)
                if found:
                    cells.append(found)
        found = cell(*here)
        if found:
            cells.append(found)
        previous = here
    return cells


# ---------------------------------------------------------------- the canvas

@dataclass
class _Canvas:
    """width x height text cells; each cell is two pixels (upper, lower) of background."""

    width: int
    height: int
    bounds: Bounds
    background: list | None = None                     # [2*height][width] RGB or None
    plain_background: list | None = None               # [height][width] ASCII characters
    points: dict = field(default_factory=dict)         # (row, col) -> (marker, ascii marker, RGB)
    smallest: tuple[int, int] = (4, 2)                 # a plot needs room for its points; a tile may be 1 x 1

    def __post_init__(self):
        if self.width < self.smallest[0] or self.height < self.smallest[1]:
            raise ValueError(f"a plot needs at least {self.smallest[0]} x {self.smallest[1]} cells, "
                             f"got {self.width} x {self.height}")

    def pixel_centres(self) -> np.ndarray:
        """(2*height*width, 2) points at the centre of each pixel, row by row from the top."""
        x0, x1, y0, y1 = self.bounds
        xs = x0 + (np.arange(self.width) + 0.5) * (x1 - x0) / self.width
        ys = y1 - (np.arange(2 * self.height) + 0.5) * (y1 - y0) / (2 * self.height)
        gx, gy = np.meshgrid(xs, ys)
        return np.column_stack([gx.ravel(), gy.ravel()])

    def fill(self, rgb_of, char_of, *grids) -> None:
        """Background pixels from per-pixel values: ``rgb_of(*values)``, ``char_of(*values)``."""
        cache: dict = {}

        def cached(function, key):
            if (function, key) not in cache:
                cache[function, key] = function(*key)
            return cache[function, key]

        rows = [list(zip(*(g[p].tolist() for g in grids))) for p in range(2 * self.height)]
        self.background = [[cached(rgb_of, key) for key in row] for row in rows]
        # the plain picture has one character per cell: take the upper pixel of each
        self.plain_background = [[cached(char_of, key) for key in rows[2 * r]] for r in range(self.height)]

    def cell_of(self, X2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Text row and column of each point (points outside the bounds land on the edge)."""
        x0, x1, y0, y1 = self.bounds
        col = np.floor((X2[:, 0] - x0) / (x1 - x0) * self.width).astype(int)
        row = np.floor((y1 - X2[:, 1]) / (y1 - y0) * self.height).astype(int)
        return np.clip(row, 0, self.height - 1), np.clip(col, 0, self.width - 1)


def _place_points(canvas: _Canvas, X2, values, task, class_colors, class_labels, markers: str = MARKERS,
                  ascii_markers: str = ASCII_MARKERS) -> list:
    """Put one marker in each cell that holds points; returns the legend entries."""
    rows, cols = canvas.cell_of(X2)
    cells = rows * canvas.width + cols
    if task == "regression":
        scale = _value_scale(values)
        low, high = float(values.min()), float(values.max())
        sums = np.bincount(cells, weights=values, minlength=canvas.width * canvas.height)
        counts = np.bincount(cells, minlength=canvas.width * canvas.height)
        for cell in np.flatnonzero(counts):
            mean = sums[cell] / counts[cell]
            # colour: the sign and size of the value; digit (no colour): its place between low and high
            digit = str(min(9, int((mean - low) / (high - low) * 10))) if high > low else "5"
            canvas.points[divmod(int(cell), canvas.width)] = (markers[0], digit,
                                                              _regression_rgb(mean / scale, NEUTRAL_POINT))
        low_text, high_text = significant(low, TICK_DIGITS), significant(high, TICK_DIGITS)
        return [("●", None, _regression_rgb(low / scale, NEUTRAL_POINT), low_text),
                ("●", None, NEUTRAL_POINT, "0"),
                ("●", None, _regression_rgb(high / scale, NEUTRAL_POINT), high_text),
                (None, "0-9:", None, f"the target from {low_text} (0) to {high_text} (9)")]
    classes = values.astype(int)
    n_classes = max(int(classes.max()) + 1, len(class_labels or []), 2)
    colors = _class_rgbs(n_classes, class_colors)
    counts = np.zeros((canvas.width * canvas.height, n_classes), dtype=int)
    np.add.at(counts, (cells, classes), 1)
    for cell in np.flatnonzero(counts.sum(axis=1)):
        k = int(counts[cell].argmax())  # the majority class of the points in this cell
        canvas.points[divmod(int(cell), canvas.width)] = (
            markers[k % len(markers)], ascii_markers[k % len(ascii_markers)], colors[k])
    labels = list(class_labels) if class_labels else list(range(n_classes))
    signed = any(isinstance(label, (int, float)) and label < 0 for label in labels)
    return [(markers[k % len(markers)], ascii_markers[k % len(ascii_markers)], colors[k],
             _label_text(labels[k], signed)) for k in range(n_classes)]


# ---------------------------------------------------------------- rendering

@dataclass
class Shading:
    """The legend of a decision map's background: what it shows, and one (ASCII character, colour, text) per shade."""

    meaning: str  # "the predicted class", "the prediction"
    entries: list
    colour_note: str = ""  # said only in colour ("paler where less sure")
    between: str = ""  # no colour: the characters between the first and the last entry (a ramp)


class Plot:
    """A finished picture: the canvas inside axes, with a legend; renders in colour or plain ASCII."""

    def __init__(self, canvas: _Canvas, x_label: str, y_label: str, legend: list, shading: "Shading | None" = None):
        self.canvas, self.x_label, self.y_label, self.legend = canvas, x_label, y_label, legend
        self.shading = shading
        x0, x1, y0, y1 = canvas.bounds
        self.y_ticks = (significant(y1, TICK_DIGITS), significant(y0, TICK_DIGITS))
        self.x_ticks = (significant(x0, TICK_DIGITS), significant(x1, TICK_DIGITS))
        self.gutter = max(len(t) for t in self.y_ticks) + 1

    def __rich_measure__(self, console, options):
        from rich.measure import Measurement

        total = self.gutter + 1 + self.canvas.width
        return Measurement(total, total)

    def __rich_console__(self, console, options):
        from rich.segment import Segment

        plain = console.no_color or console.color_system is None or options.ascii_only
        lines = self._plain_grid() if plain else self._colour_grid()
        corner, vertical, tick, horizontal = ("+", "|", "+", "-") if plain else ("└", "│", "┤", "─")
        pad = " " * self.gutter
        yield Segment(f"{pad} {self.y_label}\n")
        for row, segments in enumerate(lines):
            if row == 0 or row == self.canvas.height - 1:
                label = self.y_ticks[0 if row == 0 else 1].rjust(self.gutter - 1) + " " + tick
            else:
                label = pad + vertical
            yield Segment(label)
            yield from segments
            yield Segment("\n")
        yield Segment(pad + corner + horizontal * self.canvas.width + "\n")
        left, right = self.x_ticks
        room = self.canvas.width + 1 - len(left) - len(right)
        middle = self.x_label.center(room) if room >= len(self.x_label) + 2 else " " * max(room, 1)
        yield Segment(pad + left + middle + right + "\n")
        yield from self._legend(plain, options.max_width)
        yield from self._shading_legend(plain, options.max_width)

    def _shading_legend(self, plain: bool, width: int):
        """One line saying what the background shows: its characters (no colour) or colours, and their meaning."""
        from rich.segment import Segment
        from rich.style import Style

        shading = self.shading
        if shading is None:
            return
        note = shading.colour_note if not plain and shading.colour_note else ""
        head = f"background, {shading.meaning}{f' ({note})' if note else ''}:".split(" ")
        entries = [[Segment(word if i == 0 else f" {word}")] for i, word in enumerate(head)]  # may wrap too
        for char, rgb, text in shading.entries:
            if plain:
                entries.append([Segment(f"  {'blank' if char == ' ' else repr(char)} {text}")])
            else:
                entries.append([Segment("  "), Segment("  ", Style(bgcolor=_rich_color(rgb))), Segment(f" {text}")])
        if plain and shading.between:
            entries.append([Segment(f"  (then {' '.join(repr(c) for c in shading.between)} in between)")])
        yield from self._wrapped(entries, width)

    def _legend(self, plain: bool, width: int):
        from rich.segment import Segment
        from rich.style import Style

        # an entry shows in colour when it has a marker, in plain text when it has an ASCII marker;
        # one wider than a line (the target's 0-9 scale at 40 columns) goes word by word, as it fits
        room = width - self.gutter - 1
        entries = []
        for marker, ascii_marker, rgb, text in self.legend:
            if plain and ascii_marker:
                head = [Segment(ascii_marker)]
            elif not plain and marker:
                head = [Segment(marker, Style(color=_rich_color(rgb), bold=True))]
            else:
                continue
            words = [f" {text}   "] if len(head[0].text) + len(text) + 4 <= room else \
                [f" {word}" for word in text.split(" ")[:-1]] + [f" {text.split(' ')[-1]}   "]
            entries.append(head + [Segment(words[0])])
            entries.extend([Segment(word)] for word in words[1:])
        if entries:
            yield from self._wrapped(entries, width)

    def _wrapped(self, entries: list, width: int):
        """Entries (lists of segments, each kept whole) on lines under the plot, as many as ``width`` takes."""
        from rich.segment import Segment

        indent = " " * (self.gutter + 1)
        used = None  # the width of the current line; None before the first entry
        for entry in entries:
            length = Segment.get_line_length(entry)
            if used is not None and used + length > width:
                yield Segment("\n")
                used = None
            if used is None:
                yield Segment(indent)
                used = len(indent)
            yield from entry
            used += length
        yield Segment("\n")

    def _plain_grid(self) -> list:
        from rich.segment import Segment

        canvas = self.canvas
        lines = []
        for row in range(canvas.height):
            chars = list(canvas.plain_background[row]) if canvas.plain_background else [" "] * canvas.width
            for (r, c), (_, ascii_marker, _) in canvas.points.items():
                if r == row:
                    chars[c] = ascii_marker
            lines.append([Segment("".join(chars))])
        return lines

    def _colour_grid(self) -> list:
        from rich.segment import Segment

        canvas = self.canvas
        lines = []
        for row in range(canvas.height):
            runs: list[list] = []   # [text, style key] merged while the style repeats
            for col in range(canvas.width):
                upper = canvas.background[2 * row][col] if canvas.background else None
                lower = canvas.background[2 * row + 1][col] if canvas.background else None
                if (row, col) in canvas.points:
                    marker, _, rgb = canvas.points[row, col]
                    char, key = marker, (rgb, upper, True)
                elif upper == lower:
                    char, key = " ", (None, upper, False)
                else:   # two pixels in one cell: the upper half-block in the upper colour, on the lower
                    char, key = "▀", (upper, lower, False)
                if runs and runs[-1][1] == key:
                    runs[-1][0] += char
                else:
                    runs.append([char, key])
            lines.append([Segment(text, _style(key)) for text, key in runs])
        return lines


@functools.lru_cache(maxsize=4096)
def _style(key):
    """The Rich style of a cell: (foreground RGB, background RGB, bold); cached across renders."""
    from rich.style import Style

    fg, bg, bold = key
    return Style(color=_rich_color(fg), bgcolor=_rich_color(bg), bold=bold or None)


@functools.lru_cache(maxsize=4096)
def _rich_color(rgb: RGB | None):
    from rich.color import Color

    return None if rgb is None else Color.from_rgb(*rgb)


# ---------------------------------------------------------------- colours and helpers

def _check_points(X2, values) -> tuple[np.ndarray, np.ndarray]:
    X2 = np.asarray(X2, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64).reshape(-1)
    if X2.ndim != 2 or X2.shape[1] != 2:
        raise ValueError(f"a 2-D plot needs points of shape (n, 2), got {X2.shape}")
    if len(values) != len(X2) or len(X2) == 0:
        raise ValueError(f"{len(X2)} points but {len(values)} labels")
    return X2, values


def _infer_task(values: np.ndarray) -> str:
    distinct = np.unique(values)
    if np.all(distinct == np.round(distinct)) and distinct.min() >= 0 and len(distinct) <= len(MARKERS):
        return "binary" if len(distinct) <= 2 else "multiclass"
    return "regression"


def _hex_rgb(text: str) -> RGB:
    text = text.lstrip("#")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def _class_rgbs(n_classes: int, class_colors: Sequence[str] | None) -> list[RGB]:
    palette = list(class_colors) if class_colors else (PLAYGROUND_COLORS if n_classes <= 2 else TAB10)
    return [_hex_rgb(palette[k % len(palette)]) for k in range(n_classes)]


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b))


def _regression_rgb(v: float, neutral: RGB, strength: float = 1.0) -> RGB:
    """-1 -> orange, 0 -> ``neutral``, +1 -> blue (values beyond are clipped)."""
    v = max(-1.0, min(1.0, float(v)))
    orange, blue = _hex_rgb(PLAYGROUND_COLORS[0]), _hex_rgb(PLAYGROUND_COLORS[1])
    return _mix(neutral, blue if v > 0 else orange, abs(v) * strength)


def _value_scale(*arrays: np.ndarray) -> float:
    """The largest magnitude among the values, so that colours span [-1, 1]."""
    scale = max(float(np.max(np.abs(a))) for a in arrays)
    return scale if scale > 0 else 1.0


def _bin(v: float, levels: int) -> int:
    """[-1, 1] -> 0..levels-1."""
    return min(levels - 1, max(0, int((float(v) + 1.0) / 2.0 * levels)))


def _label_text(label, signed: bool) -> str:
    """A class label for the legend: +1 next to -1, plain 1 next to 0."""
    if signed and isinstance(label, (int, float)) and label > 0:
        return f"+{label}"
    return str(label)


# ---------------------------------------------------------------- a neuron's small map

PLAIN_SIGNED = "Oo.xX"  # no-colour mode, from -1 to +1: the first class's marker for negative, the second's positive


def value_tile(values: np.ndarray) -> "Tile":
    """A small map without axes of ``values`` (2 * rows, columns) in [-1, 1]: orange below 0, blue above.

    Two grid rows per text row, as in ``decision_map``; without colour each cell is
    a character of ``PLAIN_SIGNED`` (``O``/``o`` strongly/weakly negative, ``.`` near 0, ``x``/``X`` positive).
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 2 or values.shape[0] % 2:
        raise ValueError(f"a tile needs an even number of rows of values, got shape {values.shape}")
    canvas = _Canvas(values.shape[1], values.shape[0] // 2, (0.0, 1.0, 0.0, 1.0), smallest=(1, 1))
    canvas.fill(lambda v: _regression_rgb(v, NEUTRAL_BACKGROUND), _signed_char, tile_levels(values))
    return Tile(canvas)


def tile_levels(values: np.ndarray) -> np.ndarray:
    """The shades of a tile: values clipped to [-1, 1] and rounded to 21 levels (few styles, smooth enough)."""
    return np.round(np.nan_to_num(np.clip(np.asarray(values, dtype=np.float64), -1.0, 1.0)) * 10) / 10


@functools.lru_cache(maxsize=1024)
def tile_cell(upper: float, lower: float, plain: bool) -> tuple:
    """One text cell of a tile, as ``value_tile`` draws it: (character, Rich style or None) for two levels.

    For many tiles redrawn often (the playground's network): no canvas, one cached answer per pair of levels.
    """
    if plain:
        return _signed_char(upper), None
    top, bottom = _regression_rgb(upper, NEUTRAL_BACKGROUND), _regression_rgb(lower, NEUTRAL_BACKGROUND)
    if top == bottom:
        return " ", _style((None, top, False))
    return "▀", _style((top, bottom, False))


def _signed_char(v: float) -> str:
    return PLAIN_SIGNED[min(4, max(0, int(round((v + 1.0) / 2.0 * 4))))]


class Tile(Plot):
    """A canvas alone: no axes, no legend (a neuron's map in ``gradcli show``)."""

    def __init__(self, canvas: _Canvas):  # noqa: super().__init__ would add axes
        self.canvas, self.legend = canvas, []

    def __rich_measure__(self, console, options):
        from rich.measure import Measurement

        return Measurement(self.canvas.width, self.canvas.width)

    def __rich_console__(self, console, options):
        from rich.segment import Segment

        plain = console.no_color or console.color_system is None or options.ascii_only
        for segments in (self._plain_grid() if plain else self._colour_grid()):
            yield from segments
            yield Segment("\n")
