"""A sweep's runs, grouped by their settings and ranked: mean and spread over the seeds.

``rank(grid, outcomes)`` groups the finished runs by their combination of the
grid's values (one group per row of the ranked table: the same settings,
every seed) and sorts the groups by their mean loss, best first::

    ranking = rank(grid, sweep.outcomes)
    best = ranking.rows[0]            # best.combination, best.loss.mean, best.loss.spread, best.failed

The loss is the held-out loss when the runs hold data out (``test_split``),
else the final training loss (penalty included, as ``train`` reports it);
the metric is accuracy, or R^2 for regression, on the same data.  The spread
is the sample standard deviation over the seeds (None for one seed).  A run
that failed counts in ``failed`` and in no mean; a group whose runs all
failed comes last.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field

from .grid import Grid
from .sweep import RunOutcome

__all__ = ["Spread", "RankedRow", "Ranking", "rank", "spread"]


@dataclass(frozen=True)
class Spread:
    """A quantity over the seeds of one group: its mean, standard deviation (None for one value) and count."""

    mean: float
    spread: float | None
    count: int


def spread(values) -> Spread | None:
    """The mean and sample standard deviation of the finite ``values``; None when there are none."""
    finite = [float(v) for v in values if v is not None and math.isfinite(v)]
    if not finite:
        return None
    return Spread(statistics.fmean(finite), statistics.stdev(finite) if len(finite) > 1 else None, len(finite))


@dataclass
class RankedRow:
    """One combination of the grid's values and its runs (one per seed that finished)."""

    combination: tuple  # ((setting, value), ...)
    outcomes: list[RunOutcome] = field(default_factory=list)
    loss: Spread | None = None
    metric: Spread | None = None
    seconds: Spread | None = None

    @property
    def failed(self) -> list[RunOutcome]:
        return [outcome for outcome in self.outcomes if not outcome.ok]

    @property
    def runs(self) -> int:
        return len(self.outcomes)


@dataclass
class Ranking:
    rows: list[RankedRow]  # best first
    held_out: bool  # the loss and metric are on held-out data (else on the training set)
    metric_name: str  # "accuracy" or "r2"


def rank(grid: Grid, outcomes: list[RunOutcome]) -> Ranking:
    """Group ``outcomes`` by combination, summarise each over its seeds, best mean loss first."""
    specs = {spec.index: spec for spec in grid.runs()}
    rows: dict[tuple, RankedRow] = {}
    for outcome in outcomes:
        combination = specs[outcome.index].combination
        rows.setdefault(combination, RankedRow(combination)).outcomes.append(outcome)
    for row in rows.values():
        good = [outcome for outcome in row.outcomes if outcome.ok]
        row.loss = spread(outcome.ranking_loss for outcome in good)
        row.metric = spread(outcome.ranking_metric for outcome in good)
        row.seconds = spread(outcome.seconds for outcome in row.outcomes)
    ordered = sorted(rows.values(), key=lambda row: (row.loss is None, row.loss.mean if row.loss else 0.0))
    finished = [outcome for outcome in outcomes if outcome.metric_name is not None]
    held_out = any(outcome.test_loss is not None for outcome in finished)
    metric_name = finished[0].metric_name if finished else "accuracy"
    return Ranking(ordered, held_out, metric_name)
