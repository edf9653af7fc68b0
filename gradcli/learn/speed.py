"""How the tensor engine trains fast on large batches: blocks of rows, and two settings of the whole process.

A speed trick in one place a reader can skip.  Measured on 100,000 rows through a 2-64-64-1 network
(``python benchmarks/bench_train.py --large``, docs/benchmarks.md):

- glibc gives every array above 32 MB (one of the batch's (100,000, 64) matrices is 51 MB) fresh
  pages from the kernel, which zeroes them as they are first touched: a third of the CPU time of a
  step went to those page faults.  ``reuse_large_blocks`` raises malloc's mmap and trim thresholds,
  so that freed arrays are reused.  The peak memory is the same; memory freed after the peak stays
  with the process until it exits.
- OpenBLAS runs a matrix product on one thread per core, and its threads spin while they wait for
  each other: when other programs keep a core busy, two threads on two cores took 3 to 20 times as
  long as one (at load averages of 1.6 to 4).  ``blas_threads_for_idle_cores`` uses as many
  threads as there are idle cores, counting a core busy from 0.2 of load average, at least one.

- A step over (100,000, 64) arrays streams each of its elementwise passes from memory.  The tensor
  engine runs such a batch in blocks of about 1,000 rows (``row_blocks``), whose arrays stay in the
  cache, and adds up their gradients: the 100 steps took 12 to 13 s instead of 17 to 21 s.

``gradcli train`` calls ``tune_for_large_batches`` when a step's largest array passes
``LARGE_ARRAY_BYTES``; library users may call it themselves.  Where the C library has no
``mallopt`` or threadpoolctl is missing, the matching setting is left alone.
"""

from __future__ import annotations

import math
import os

__all__ = ["LARGE_ARRAY_BYTES", "BLOCK_ENTRIES", "blas_threads_for_idle_cores", "reuse_large_blocks", "row_blocks",
           "tune_for_large_batches"]

LARGE_ARRAY_BYTES = 32 * 2**20  # glibc's largest mmap threshold: larger arrays get fresh pages every time
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt's parameters (malloc.h)
_KEEP = 2**30  # arrays up to 1 GB come from the heap, and up to 1 GB of free heap is kept
IDLE_LOAD = 0.2  # a core with less load average than this counts as idle
# A large batch goes through the network in blocks of rows whose widest array has about this many entries
# (1,000 rows of 64: 512 KB, which stays in the processor's cache between the passes of a step)
BLOCK_ENTRIES = 64_000


def reuse_large_blocks() -> bool:
    """Let malloc reuse freed large blocks instead of returning them to the kernel; True if it took."""
    try:
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError, ImportError):  # not glibc (macOS, musl), or no ctypes
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, _KEEP)) and bool(mallopt(_M_TRIM_THRESHOLD, _KEEP))


def blas_threads_for_idle_cores() -> int | None:
    """Limit BLAS to the cores the load average leaves idle (at least one); the number, or None if unchanged."""
    try:
        from threadpoolctl import threadpool_limits

        load = os.getloadavg()[0]
    except (ImportError, OSError, AttributeError):
        return None
    cores = os.cpu_count() or 1
    busy = math.ceil(max(0.0, load - IDLE_LOAD))
    threads = max(1, min(cores, cores - busy))
    threadpool_limits(limits=threads, user_api="blas")  # for the rest of the process
    return threads


def row_blocks(batch: int, widths: list[int]) -> list[slice]:
    """The rows of a batch as the tensor engine runs them: all at once, or for a batch whose largest array (the
    widest of ``widths``) reaches ``LARGE_ARRAY_BYTES``, blocks of about ``BLOCK_ENTRIES`` entries.

    A (100,000, 64) array is 51 MB: every elementwise pass of a step then streams from memory, and they
    took 70% of a step.  Blocks of 1,000 rows stay in the cache; their gradients add up to the batch's
    (the loss is still the mean over the whole batch), to rounding: a step took 0.10 s instead of 0.18 s.
    """
    if 8 * batch * max(widths) < LARGE_ARRAY_BYTES:
        return [slice(0, batch)]
    rows = max(1, BLOCK_ENTRIES // max(widths))
    return [slice(start, min(start + rows, batch)) for start in range(0, batch, rows)]


def tune_for_large_batches(batch: int, widths: list[int]) -> bool:
    """Both settings, when a step's largest array (``batch`` rows by the widest of ``widths``: the inputs and
    every layer) is at least ``LARGE_ARRAY_BYTES``; True if applied."""
    if 8 * batch * max(widths) < LARGE_ARRAY_BYTES:
        return False
    reuse_large_blocks()
    blas_threads_for_idle_cores()
    return True
