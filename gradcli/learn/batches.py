"""Which training rows each update uses: passes over the training set, cut into mini-batches.

One scheme for ``steps`` and ``epochs`` alike: the rows are taken pass after
pass (an epoch is one pass), each pass in a new order drawn from the seed
(``shuffle``) or in the file's order, and cut into consecutive batches of
``batch_size`` (the last batch of a pass may be smaller).  ``steps`` counts
updates, whatever the passes; ``epochs`` counts passes.  Within a batch the
rows keep their order in the file, so a full batch is every row in order
and its mean loss is summed exactly as the classic full-batch loop sums it::

    >>> [rows.tolist() for rows in batch_rows(5, 2, shuffle=False, seed=0, steps=4)]
    [[0, 1], [2, 3], [4], [0, 1]]

A full batch (``batch_size`` None or at least n) is ``slice(None)``: no copy.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np

__all__ = ["batch_rows"]


def batch_rows(n: int, batch_size: int | None, *, shuffle: bool, seed: int, steps: int) -> Iterator:
    """The rows of each of ``steps`` updates: a sorted index array, or ``slice(None)`` for the whole set."""
    batch = min(batch_size or n, n)
    if batch >= n:
        for _ in range(steps):
            yield slice(None)
        return
    rng = np.random.default_rng([seed, 1])  # its own stream: batches do not shift the initial weights
    made = 0
    while made < steps:
        order = rng.permutation(n) if shuffle else np.arange(n)
        for start in range(0, n, batch):
            if made == steps:
                return
            yield np.sort(order[start:start + batch])
            made += 1
