"""``gradcli plot -o f.png|f.svg``: a function and its derivatives over a range, drawn with matplotlib.

    save_curves_plot("f.png", curves, title="f = 3*x**2 - 4*x + 5")

Takes the samples of ``autograd/curves.py``: f, f', f'' as lines in the
colours of the terminal picture (``termmap.CURVE_STYLES``), broken at gaps
and jumps (a NaN between two points ends a matplotlib line); the stretches
where f is undefined are shaded and named in the legend; the tangent, when
asked for, is dashed through its point.  matplotlib is imported here only,
with the Agg backend (files, never a window), and the file is written whole
or not at all (``atomicfile``), as ``pictures/plot.py`` does for ``train``.
"""

from __future__ import annotations

import math

from .plot import check_plot_path, write_figure
from .termmap import CURVE_STYLES, TANGENT_STYLE

__all__ = ["save_curves_plot", "curve_names"]


def curve_names(output: str, variable: str, order: int) -> list:
    """``f(x)``, ``f'(x)``, ``f''(x)``, ...: the label of each curve."""
    return [f"{output}{chr(39) * k}({variable})" for k in range(order + 1)]


def _with_breaks(xs: list, ys: list, breaks) -> tuple[list, list]:
    """The points with a NaN where a line must not be joined (a gap, or a jump before index i)."""
    breaks = set(breaks)
    out_x, out_y = [], []
    for i, (x, y) in enumerate(zip(xs, ys)):
        if i in breaks:
            out_x.append(x)
            out_y.append(math.nan)
        out_x.append(x)
        out_y.append(math.nan if y is None else y)
    return out_x, out_y


def save_curves_plot(path: str, curves, title: str) -> None:
    """Draw ``curves`` (an ``autograd.curves.Curves``) and write the picture to ``path`` (PNG or SVG)."""
    fmt = check_plot_path(path, setting="output")
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    fig, ax = plt.subplots(figsize=(7.0, 4.6))

    def draw():
        names = curve_names(curves.output, curves.variable, curves.order)
        for k, ys in enumerate(curves.values):
            xs, shown = _with_breaks(curves.xs, ys, curves.jumps[k])
            ax.plot(xs, shown, color=CURVE_STYLES[k % len(CURVE_STYLES)][2], linewidth=2 if k == 0 else 1.5,
                    label=names[k])
        _shade_gaps(ax, curves)
        if curves.tangent is not None:
            t = curves.tangent
            ax.plot(curves.xs, [t.at(x) for x in curves.xs], linestyle="--", color=TANGENT_STYLE[2],
                    label=f"tangent at {curves.variable} = {t.x:g}")
            ax.plot([t.x], [t.value], "o", color=TANGENT_STYLE[2])
            low, high = _finite_range(curves.values)
            if low is not None:
                margin = 0.08 * (high - low or 1.0)
                ax.set_ylim(low - margin, high + margin)  # the tangent does not stretch the picture
        ax.axhline(0.0, color="#999999", linewidth=0.6)
        ax.set_xlabel(curves.variable)
        ax.set_title(title, fontsize=10)
        ax.grid(True, alpha=0.3)
        ax.legend(loc="best", fontsize=8)

    write_figure(fig, draw, path, fmt)


def _shade_gaps(ax, curves) -> None:
    """Shade where f itself is undefined (outside the domain), once in the legend."""
    labelled = False
    step = (curves.xs[-1] - curves.xs[0]) / max(len(curves.xs) - 1, 1)
    for k, first, last, _ in curves.gaps():
        if k != 0:
            continue
        ax.axvspan(first - step / 2, last + step / 2, color="#dddddd", alpha=0.6,
                   label=None if labelled else f"{curves.output} undefined")
        labelled = True


def _finite_range(values: list):
    finite = [y for ys in values for y in ys if y is not None and math.isfinite(y)]
    return (min(finite), max(finite)) if finite else (None, None)
