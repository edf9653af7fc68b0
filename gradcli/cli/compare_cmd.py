"""``gradcli compare``: runs side by side, from ``train --json`` outputs, model files or a sweep's results.

Three beats: read the files -> ``learn.compare.load_runs`` -> ``render.compare``: the settings
that differ, the final numbers, the curves in the terminal (or JSON); ``--plot`` draws the curves
with matplotlib.
"""

from typing import Annotated, List, Optional

import typer

from .app import app
from .common import console, reports_errors
from .output import JsonOption, TableFormat, TableFormatOption, chosen_format, write_json

EXAMPLES = """Examples:

  gradcli compare model.json spiral.json

  gradcli compare model.json spiral.json --json

  gradcli compare model.json spiral.json --no-chart --plot runs.png
"""


@app.command("compare", epilog=EXAMPLES)
@reports_errors
def compare_command(
    runs: Annotated[List[str], typer.Argument(
        metavar="RUN...", show_default=False,
        help="Runs to compare: files written by gradcli train --json (stdout saved to a file), models saved with "
             "--save, or the results of gradcli sweep --json (every run in it).")],
    chart: Annotated[bool, typer.Option("--chart/--no-chart", help="Draw the loss and accuracy curves in the "
                                                                   "terminal.")] = True,
    plot: Annotated[Optional[str], typer.Option(
        help="Also draw the loss and accuracy curves (held-out ones dashed) to FILE.png or FILE.svg.",
        metavar="FILE", show_default=False)] = None,
    output_format: TableFormatOption = TableFormat.table,
    json_output: JsonOption = False,
) -> None:
    """Compare runs: the settings that differ, the final numbers side by side, the curves overlaid.

    Model files saved before gradcli kept training histories (version 1)
    compare by their settings and numbers, without curves.
    """
    from ..learn.compare import load_runs
    from ..paths import refuse_overlaps
    from ..render.compare import compare_document, compare_tables, curve_charts

    json_out = chosen_format(output_format, json_output) is TableFormat.json
    if plot is not None:
        from ..pictures.plot import check_plot_path

        check_plot_path(plot)
        for path in runs:
            refuse_overlaps(outputs={"plot": plot}, inputs={"runs": path})
    records = load_runs(runs)
    if json_out:
        write_json(compare_document(records))
    else:
        out = console()
        for renderable in compare_tables(records):
            out.print(renderable)
        if chart:
            for renderable in curve_charts(records, out.width):
                out.print(renderable)
    if plot is not None:
        from ..pictures.runs_plot import save_runs_plot

        with_history = [(record.name, record.history) for record in records if record.history]
        save_runs_plot(plot, with_history, " vs ".join(r.name for r in records[:4])
                       + (" ..." if len(records) > 4 else ""))
        if not json_out:
            console().print(f"wrote the plot of these runs to {plot}", markup=False, highlight=False)
