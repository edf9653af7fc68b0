"""How a sweep is shown: the ranked table, its JSON document and its CSV rows.

``ranked_tables(grid, sweep, ranking)`` -> renderables for the console;
``sweep_document(grid, sweep, ranking)`` -> the data of ``sweep --format json``, whose ``runs``
list holds each run's ``train --json`` document (``render.train.result_document``, made where
the run ran) with ``run``, ``name``, ``grid`` and ``error`` added;
``run_rows(grid, sweep)`` -> the header and rows of ``sweep --format csv`` (one row per run).
Settings are named as ``train``'s flags in tables, as Python names in JSON and CSV (as in
``train --json``).
"""

from __future__ import annotations

from ..learn.grid import value_text
from ..numbers import percent, short
from . import style
from .errors import flag_name

__all__ = ["ranked_tables", "sweep_document", "run_rows", "error_text", "loss_label", "metric_label", "spread_text"]


def error_text(error) -> str:
    """A run's failure as one line in flags (``--lr``), or "" when it has none."""
    return "" if error is None else error.describe(flag_name)


def loss_label(ranking) -> str:
    return "test loss" if ranking.held_out else "final loss"


def metric_label(ranking) -> str:
    which = "test" if ranking.held_out else "train"
    return f"{which} R^2" if ranking.metric_name == "r2" else f"{which} accuracy"


def spread_text(summary, kind: str = "loss") -> str:
    """``0.0412 ± 0.0031``, ``98.5% ± 1.2%``, ``0.61 s``; ``-`` when there is nothing to show."""
    if summary is None:
        return "-"
    if kind == "accuracy":
        form = percent
    elif kind == "seconds":
        form = lambda value: f"{value:.2f} s"  # noqa: E731
    else:
        form = lambda value: short(value, 3 if kind == "r2" else 4)  # noqa: E731
    text = form(summary.mean)
    return text if summary.spread is None else f"{text} ± {form(summary.spread)}"


def ranked_tables(grid, sweep, ranking) -> list:
    """The ranked table (one row per combination, best first), then the best run's command."""
    from rich.text import Text

    seeds = len(grid.seeds)
    caption = (f"mean ± standard deviation over {seeds} seeds ({_seed_text(grid.seeds)}); " if seeds > 1 else "")
    caption += f"ranked by {loss_label(ranking)}"
    if sweep.stopped in ("interrupted", "failed"):
        how = "interrupted" if sweep.stopped == "interrupted" else "broken off"
        caption += f"; {how} after {len(sweep.outcomes)} of {sweep.planned} runs"
    table = style.table(f"Sweep of {grid.dataset}: {grid.describe_size()}", caption=caption)
    table.add_column("rank", justify="right")
    for name, _ in grid.axes:
        table.add_column(flag_name(name))
    metric_kind = "r2" if ranking.metric_name == "r2" else "accuracy"
    table.add_column(loss_label(ranking), justify="right")
    table.add_column(metric_label(ranking), justify="right")
    table.add_column("time", justify="right")
    table.add_column("runs", justify="right")
    failures = any(row.failed for row in ranking.rows)
    if failures:
        table.add_column("failed")
    for place, row in enumerate(ranking.rows, start=1):
        cells = [str(place) if row.loss is not None else "-"]
        cells += [value_text(name, value) for name, value in row.combination]
        cells += [spread_text(row.loss), spread_text(row.metric, metric_kind), spread_text(row.seconds, "seconds"),
                  str(row.runs)]
        if failures:
            failed = row.failed
            cells.append("" if not failed else f"{len(failed)} of {row.runs}: {error_text(failed[0].failure)}")
        table.add_row(*cells)
    runs = len(sweep.outcomes)
    where = f"{runs} run{'s' if runs != 1 else ''} on {sweep.backend} in {sweep.seconds:.1f} s"
    if sweep.backend != "this process":
        where += f" (workers ready in {sweep.startup:.1f} s)"
    renderables = [table, Text(where)]
    best = _best_run(sweep)
    if best is not None:
        outcome, command = best
        renderables.append(Text(f"best run: {command}  ({loss_label(ranking)} {short(outcome.ranking_loss)})",
                                style="bold"))
    return renderables


def _seed_text(seeds) -> str:
    seeds = list(seeds)
    if len(seeds) > 2 and seeds == list(range(seeds[0], seeds[0] + len(seeds))):
        return f"{seeds[0]}..{seeds[-1]}"
    return ", ".join(map(str, seeds))


def _best_run(sweep):
    good = [o for o in sweep.outcomes if o.ok and o.ranking_loss is not None and o.document is not None]
    if not good:
        return None
    best = min(good, key=lambda outcome: outcome.ranking_loss)
    return best, best.document.get("command", "")


def _json_value(name: str, value):
    """A setting's value in JSON: numbers and booleans as they are, everything else as the flag writes it."""
    if isinstance(value, (bool, int, float)):
        return value
    return value_text(name, value)


def sweep_document(grid, sweep, ranking, specs) -> dict:
    """The data of ``sweep --format json`` (see the module docstring; NaN stays NaN here)."""
    metric = ranking.metric_name
    by_index = {spec.index: spec for spec in specs}
    ranked = []
    for place, row in enumerate(ranking.rows, start=1):
        ranked.append({
            "rank": place if row.loss is not None else None,
            "settings": {name: _json_value(name, value) for name, value in row.combination},
            "runs": row.runs,
            "failed": len(row.failed),
            "loss": _spread_dict(row.loss),
            metric: _spread_dict(row.metric),
            "seconds": _spread_dict(row.seconds),
        })
    return {
        "dataset": grid.dataset,
        "grid": {name: [_json_value(name, value) for value in values] for name, values in grid.axes},
        "fixed": {name: _json_value(name, value) for name, value in grid.fixed.items()},
        "seeds": list(grid.seeds),
        "runs_planned": sweep.planned,
        "runs_done": len(sweep.outcomes),
        "runs_failed": len(sweep.failed),
        "stopped": sweep.stopped,
        "backend": sweep.backend,
        "workers": sweep.workers,
        "seconds": sweep.seconds,
        "startup_seconds": sweep.startup,
        "ranked_by": "test_loss" if ranking.held_out else "final_loss",
        "metric": f"test_{metric}" if ranking.held_out else f"train_{metric}",
        "ranking": ranked,
        "runs": [_run_entry(by_index[outcome.index], outcome) for outcome in sweep.outcomes],
    }


def _spread_dict(summary) -> dict | None:
    return None if summary is None else {"mean": summary.mean, "spread": summary.spread, "count": summary.count}


def _run_entry(spec, outcome) -> dict:
    entry = dict(outcome.document) if outcome.document is not None else {
        "dataset": spec.dataset, "seed": spec.seed, "command": spec.command, "stopped": outcome.status}
    entry.update(run=spec.index, name=spec.stem(),
                 grid={name: _json_value(name, value) for name, value in spec.combination},
                 error=error_text(outcome.failure) or None)
    return entry


def run_rows(grid, sweep, specs) -> tuple[list[str], list[list]]:
    """``sweep --format csv``: one row per finished run, its grid values, seed, status, numbers and error."""
    by_index = {spec.index: spec for spec in specs}
    finished = [o for o in sweep.outcomes if o.metric_name is not None]
    metric = finished[0].metric_name if finished else "accuracy"
    header = ["run", "name", *(name for name, _ in grid.axes), "seed", "status", "final_loss", "test_loss",
              f"train_{metric}", f"test_{metric}", "steps", "seconds", "error"]
    rows = []
    for outcome in sweep.outcomes:
        spec = by_index[outcome.index]
        rows.append([spec.index, spec.stem(), *(value_text(name, value) for name, value in spec.combination),
                     spec.seed, outcome.status, outcome.final_loss, outcome.test_loss, outcome.train_metric,
                     outcome.test_metric, outcome.steps_done, outcome.seconds, error_text(outcome.failure) or None])
    return header, rows
