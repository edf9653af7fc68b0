"""Two settings of the whole process that decide how fast the tensor engine trains on large batches.

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

``gradcli train`` calls ``tune_for_large_batches`` when a step's largest array passes
``LARGE_ARRAY_BYTES``; library users may call it themselves.  Where the C library has no
``mallopt`` or threadpoolctl is missing, the matching setting is left alone.
"""

from __future__ import annotations

import math
import os

__all__ = ["LARGE_ARRAY_BYTES", "blas_threads_for_idle_cores", "reuse_large_blocks", "tune_for_large_batches"]

LARGE_ARRAY_BYTES = 32 * 2**20  # glibc's largest mmap threshold: larger arrays get fresh pages every time
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt's parameters (malloc.h)
_KEEP = 2**30  # arrays up to 1 GB come from the heap, and up to 1 GB of free heap is kept
IDLE_LOAD = 0.2  # a core with less load average than this counts as idle


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


def tune_for_large_batches(batch: int, widths: list[int]) -> bool:
    """Both settings, when a step's largest array (``batch`` rows by the widest of ``widths``: the inputs and
    every layer) is at least ``LARGE_ARRAY_BYTES``; True if applied."""
    if 8 * batch * max(widths) < LARGE_ARRAY_BYTES:
        return False
    reuse_large_blocks()
    blas_threads_for_idle_cores()
    return True
