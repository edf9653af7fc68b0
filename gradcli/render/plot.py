"""``gradcli plot`` -> text: the picture for the terminal, and the sampled points as CSV or JSON.

Takes an ``autograd.curves.Curves`` (f, f', f'' over a range).  ``plot_rich``
gives the title, the terminal picture (``pictures.termmap.curves``: colour in
a terminal, plain characters when piped) and notes on what the picture
leaves out (where f is undefined, where a derivative does not exist or
jumps, the tangent's equation).  ``curves_csv`` and ``curves_document`` carry
every sampled point at full precision (an undefined value is an empty cell,
or null).
"""

from __future__ import annotations

from ..numbers import significant
from .grad import point_text
from ..pictures.function_plot import curve_names
from ..pictures.termmap import CURVE_STYLES, TANGENT_STYLE, Series, curves as curve_picture

TICK = 4  # significant digits of x in notes


def column_names(curves) -> list:
    """``x``, ``f``, ``df/dx``, ``d2f/dx2``: the names of the sampled columns (CSV header, JSON keys)."""
    out, x = curves.output, curves.variable
    names = [x, out]
    for k in range(1, curves.order + 1):
        names.append(f"d{out}/d{x}" if k == 1 else f"d{k}{out}/d{x}{k}")
    return names


def title(curves) -> str:
    """``f = 3*x**2 - 4*x + 5, x from -5 to 5 (200 points), y = 1``; statements as
    ``o = tanh(n) where n = x*w + b, w from ...``."""
    held = point_text(curves.held)
    span = f"{curves.variable} from {significant(curves.xs[0])} to {significant(curves.xs[-1])}"
    formula, before = curves.title
    where = f" where {before}" if before else ""
    return f"{curves.output} = {formula}{where}, {span} ({len(curves.xs)} points)" + (f", {held}" if held else "")


def notes(curves) -> list:
    """What the picture does not show as a line: gaps with their reason, jumps, the tangent."""
    names = curve_names(curves.output, curves.variable, curves.order)
    lines = []
    for k, first, last, note in curves.gaps():
        if k > 0 and curves.values[k - 1][curves.xs.index(first)] is None:
            continue  # the curve below is missing there too: already said
        where = f"{curves.variable} = {significant(first, TICK)}" if first == last else \
            f"{significant(first, TICK)} <= {curves.variable} <= {significant(last, TICK)}"
        lines.append(f"{names[k]} has no value at {where}: {note}")
    for k, jumps in enumerate(curves.jumps):
        below = set(curves.jumps[k - 1]) if k else set()
        own = [i for i in jumps if i not in below]
        for i in own[:3]:
            lines.append(f"{names[k]} jumps between {curves.variable} = {significant(curves.xs[i - 1], TICK)} "
                         f"and {significant(curves.xs[i], TICK)} (not joined)")
        if len(own) > 3:
            lines.append(f"{names[k]} jumps {len(own) - 3} more times")
    if curves.tangent is not None:
        t = curves.tangent
        lines.append(f"tangent at {curves.variable} = {significant(t.x)}: y = {significant(t.value)} + "
                     f"{significant(t.slope)} ({curves.variable} - {significant(t.x)})".replace("+ -", "- "))
        if t.note:
            lines.append(t.note)
    return lines


def plot_rich(curves, width: int = 72, height: int = 20) -> list:
    """The title, the picture and the notes, as Rich renderables."""
    from rich.text import Text

    names = curve_names(curves.output, curves.variable, curves.order)
    series = [Series(names[k], ys, curves.jumps[k], CURVE_STYLES[k % len(CURVE_STYLES)])
              for k, ys in enumerate(curves.values)]
    if curves.tangent is not None:
        t = curves.tangent
        series.append(Series(f"tangent at {curves.variable} = {significant(t.x)}", [t.at(x) for x in curves.xs],
                             (), TANGENT_STYLE, sets_range=False))
    picture = curve_picture(curves.xs, series, width, height, x_label=curves.variable, y_label="y",
                            mark_x=None if curves.tangent is None else curves.tangent.x)
    parts = [Text(title(curves), style="bold"), picture]
    lines = notes(curves)
    if lines:
        parts.append(Text("\n".join(lines), style="dim"))
    return parts


def curves_csv(curves) -> str:
    """One row per x: the variable, f, its derivatives, the tangent (when drawn), a note; full precision."""
    from ..csvtext import csv_text

    header = column_names(curves) + (["tangent"] if curves.tangent is not None else []) + ["note"]
    rows = []
    for i, x in enumerate(curves.xs):
        row = [x] + [curve[i] for curve in curves.values]
        if curves.tangent is not None:
            row.append(curves.tangent.at(x))
        rows.append(row + [curves.notes[i]])
    return csv_text(header, rows)


def curves_document(curves) -> dict:
    """The samples as plain data for the JSON writer: one list per column, null where undefined."""
    names = column_names(curves)
    document = {"expression": curves.expression, "output": curves.output, "variable": curves.variable,
                "held": curves.held, "order": curves.order, "points": len(curves.xs),
                "x": curves.xs, "curves": {name: list(curve) for name, curve in zip(names[1:], curves.values)},
                "jumps": {name: [curves.xs[i] for i in jumps] for name, jumps in zip(names[1:], curves.jumps)},
                "notes": notes(curves)}
    if curves.tangent is not None:
        t = curves.tangent
        document["tangent"] = {"x": t.x, "value": t.value, "slope": t.slope, "note": t.note or None}
    return document
