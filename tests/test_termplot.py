"""Terminal plots: where points land, what the map shows, colour vs plain output, speed of one call."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from rich.console import Console

from gradcli.data.datasets import load_dataset
from gradcli.pictures.termmap import ASCII_MARKERS, ASCII_REGIONS, MARKERS, data_bounds, decision_map, fit_size, scatter

ANSI = re.compile(r"\x1b\[")


def render(renderable, colour: bool) -> str:
    out = io.StringIO()
    if colour:
        Console(file=out, width=120, force_terminal=True, color_system="truecolor").print(renderable)
    else:
        Console(file=out, width=120).print(renderable)  # a StringIO is not a terminal
    return out.getvalue()


def grid_rows(text: str, width: int) -> list[str]:
    """The plot area of a plain rendering: the characters right of the y axis, one string per row."""
    rows = []
    for line in text.splitlines():
        match = re.match(r"^\s*(?:-?[\d.e+-]+ )?[|+](.*)$", line)
        if match and not set(match.group(1)) <= {"-"}:
            rows.append(match.group(1)[:width].ljust(width))
    return rows


def test_points_land_in_the_right_cells():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    plot = scatter(X, [0, 1, 0], width=10, height=5, bounds=(0, 1, 0, 1))
    rows = grid_rows(render(plot, colour=False), 10)
    assert len(rows) == 5
    assert rows[4][0] == "o"             # (0, 0): bottom left, class 0
    assert rows[0][9] == "x"             # (1, 1): top right (clipped onto the edge), class 1
    assert rows[0][0] == "o"             # (0, 1): top left
    assert sum(row.count("o") + row.count("x") for row in rows) == 3


def test_plain_output_has_no_escape_codes_and_ascii_only():
    data = load_dataset("spiral", classes=3)
    text = render(scatter(data.X, data.y, class_labels=data.class_labels), colour=False)
    assert not ANSI.search(text)
    assert text.isascii()
    assert "o 0" in text and "x 1" in text and "+ 2" in text    # legend: marker and label


def test_colour_output_uses_escape_codes_and_markers():
    data = load_dataset("xor")
    text = render(scatter(data.X, data.y, class_labels=data.class_labels), colour=True)
    assert ANSI.search(text)
    assert MARKERS[0] in text and MARKERS[1] in text
    assert "38;2;245;147;34" in text     # the Playground's orange for the first class (-1)
    assert "-1" in text and "+1" in text


def test_axes_show_the_bounds_and_labels():
    X = np.array([[-2.0, 10.0], [3.0, 20.0]])
    text = render(scatter(X, [0, 1], width=30, height=6, bounds=(-2, 3, 10, 20), x_label="a", y_label="b"),
                  colour=False)
    lines = text.splitlines()
    assert lines[0].strip() == "b"
    assert lines[1].lstrip().startswith("20 +") and lines[6].lstrip().startswith("10 +")
    assert re.search(r"-2\s+a\s+3$", lines[8])


def test_data_bounds_add_a_margin_and_never_collapse():
    assert data_bounds(np.array([[0.0, 0.0], [10.0, 5.0]]), margin=0.1) == (-1.0, 11.0, -0.5, 5.5)
    x0, x1, y0, y1 = data_bounds(np.array([[1.0, 2.0], [1.0, 2.0]]))
    assert x0 < 1 < x1 and y0 < 2 < y1


def test_fit_size_keeps_the_data_proportions_within_limits():
    square = np.array([[0.0, 0.0], [1.0, 1.0]])
    assert fit_size(200, square) == (72, 24)            # wide console: capped at 72 x 24
    assert fit_size(50, square) == (40, 20)             # 40 columns, 20 rows of two-pixel cells: square
    assert fit_size(200, np.array([[0.0, 0.0], [4.0, 1.0]]), width=64) == (64, 8)
    assert fit_size(10, square) == (20, 10)             # never narrower than 20


def test_regression_scatter_uses_digits_from_low_to_high():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]])
    text = render(scatter(X, [-1.0, 0.0, 1.0], width=21, height=3, bounds=(0, 2, -1, 1), task="regression"),
                  colour=False)
    row = [r for r in grid_rows(text, 21) if r.strip()][0]
    assert row[0] == "0" and row[10] == "5" and row[20] == "9"
    assert "0-9: the target from -1 (0) to 1 (9)" in text


def test_decision_map_calls_predict_once_on_the_whole_grid():
    calls = []

    def predict(points):
        calls.append(points.shape)
        return points[:, 0]   # score: positive right of x = 0

    data = load_dataset("gauss")
    decision_map(predict, data.X, data.y, width=30, height=10)
    assert calls == [(30 * 20, 2)]   # two pixels per text row


def test_decision_map_shades_each_side_by_its_class():
    X = np.array([[-1.0, 0.0], [1.0, 0.0]])
    plot = decision_map(lambda p: p[:, 0], X, [0, 1], width=20, height=4, bounds=(-2, 2, -1, 1))
    rows = grid_rows(render(plot, colour=False), 20)
    left, right = ASCII_REGIONS[0], ASCII_REGIONS[1]
    assert rows[0] == left * 10 + right * 10   # score <= 0: class 0 on the left, > 0: class 1 on the right
    assert rows[2][5] == ASCII_MARKERS[0] and rows[2][15] == ASCII_MARKERS[1]


def test_decision_map_multiclass_and_colour_half_blocks():
    X = np.array([[0.0, 0.0], [1.0, 1.0]])
    # class by the row of the plane: 3 horizontal bands
    plot = decision_map(lambda p: np.digitize(p[:, 1], [1 / 3, 2 / 3]), X, [0, 2], width=12, height=4,
                        bounds=(0, 1, 0, 1), task="multiclass", class_labels=["a", "b", "c"])
    plain = grid_rows(render(plot, colour=False), 12)  # plain text shows the upper pixel of each cell
    assert [row[6] for row in plain] == [ASCII_REGIONS[2], ASCII_REGIONS[2], ASCII_REGIONS[1], ASCII_REGIONS[0]]
    coloured = render(plot, colour=True)
    assert "▀" in coloured      # a cell whose two pixels fall in different bands
    assert "a" in coloured and "c" in coloured


def test_decision_map_regression_background_follows_the_score():
    X = np.array([[0.0, 0.0], [1.0, 0.0]])
    plot = decision_map(lambda p: 2 * p[:, 0] - 1, X, [-1.0, 1.0], width=20, height=2, bounds=(0, 1, -1, 1),
                        task="regression")
    row = grid_rows(render(plot, colour=False), 20)[0]
    assert row[0] == " " and row[19] == "@"    # low scores light, high scores dense


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match=r"points of shape \(n, 2\)"):
        scatter(np.zeros((3, 3)), [0, 1, 0])
    with pytest.raises(ValueError, match="3 points but 2 labels"):
        scatter(np.zeros((3, 2)), [0, 1])
    with pytest.raises(ValueError, match="predict returned 1 values"):
        decision_map(lambda p: np.zeros(1), np.zeros((2, 2)), [0, 1], width=10, height=4)


def test_legends_wrap_to_the_width_of_the_terminal_rather_than_losing_entries():
    data = load_dataset("spiral", classes=10)
    for colour in (False, True):
        out = io.StringIO()
        Console(file=out, width=40, force_terminal=colour, color_system="truecolor" if colour else None).print(
            decision_map(lambda P: np.abs(P[:, 0] * 3).astype(int) % 10, data.X, data.y, width=30, height=8,
                         class_labels=data.class_labels))
        text = ANSI.sub("", re.sub(r"\x1b\[[0-9;]*m", "", out.getvalue()))
        assert max(len(line) for line in text.splitlines()) <= 40
        words = " ".join(text.split())
        for label in range(10):  # every class keeps its entry, in the markers' legend and in the background's
            assert re.search(rf"\S {label}(?!\d)", words), (colour, label)
        assert words.count(" 9") >= 2 and "background, the predicted class" in words
