"""gradcli's tables: every Rich table a command prints is made here, so that they all look alike.

    table("Gradients (all paths summed)")            # results: a rule under the header
    table(rules=False)                               # plain aligned columns (predictions, settings)
    table(borders=True, caption="... and 90 more")   # raw data, read across its columns
    table("Step sweep", split=True)                  # many columns of one kind: cut into parts when narrow
    summary_table("Training summary", [("final loss", "0.0291"), ...])

Every table keeps each cell whole at any terminal width (``fit.py``): it wraps
its labels at spaces, is cut into parts of columns (``split=True``, repeating the
columns added with ``key=True``) or is stacked as ``header: value`` lines; it
never cuts a number or drops a column.  Titles are ``Text``: Rich never reads
them as markup or emoji, whatever a dataset or an expression is called.  Rich
is imported inside the functions (the start-up path of ``gradcli grad --format
json`` never pays for it).
"""

from __future__ import annotations

PLAIN_PADDING = (0, 2)  # columns without lines need a wider gap to read apart


def table(title: str | None = None, *, caption: str | None = None, rules: bool = True, borders: bool = False,
          split: bool = False):
    """An empty ``FittedTable`` (a Rich ``Table``) in gradcli's style; add columns and rows to it.

    ``rules``: a line under the header (results: traces, checks, lists); without,
    plain columns that copy and paste cleanly.  ``borders``: a line around every
    cell (rows of raw data).  ``split``: too wide, it is cut into parts of
    columns before it is stacked (tables of many columns of one kind).
    """
    from rich import box
    from rich.text import Text

    from .fit import FittedTable as Table  # every cell whole at any width: see fit.py

    heading = Text(title, style="bold") if title else None
    if borders:
        return Table(title=heading, title_justify="left", caption=caption, caption_justify="left",
                     box=box.HEAVY_HEAD, split=split)
    if rules:
        return Table(title=heading, title_justify="left", caption=caption, caption_justify="left",
                     box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True, split=split)
    return Table(title=heading, title_justify="left", caption=caption, caption_justify="left", box=None,
                 padding=PLAIN_PADDING, split=split)


def summary_table(title: str, rows):
    """Name / value rows without a header, the names in bold: a run's summary, a model's metrics."""
    summary = table(title, rules=False)
    summary.show_header = False
    summary.add_column(style="bold")
    summary.add_column()
    for name, value in rows:
        summary.add_row(name, value)
    return summary
