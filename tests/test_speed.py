"""learn/speed.py: the process settings for large batches, applied only when a step's arrays are large."""

from __future__ import annotations

import os

import pytest

from gradcli.learn import speed


def test_small_batches_leave_the_process_alone(monkeypatch):
    monkeypatch.setattr(speed, "reuse_large_blocks", lambda: pytest.fail("malloc was tuned"))
    monkeypatch.setattr(speed, "blas_threads_for_idle_cores", lambda: pytest.fail("BLAS was limited"))
    assert speed.tune_for_large_batches(100, [2, 16, 16, 1]) is False  # moons: 12.8 KB arrays


def test_large_batches_tune_both(monkeypatch):
    calls = []
    monkeypatch.setattr(speed, "reuse_large_blocks", lambda: calls.append("malloc"))
    monkeypatch.setattr(speed, "blas_threads_for_idle_cores", lambda: calls.append("blas"))
    assert speed.tune_for_large_batches(100_000, [2, 64, 64, 1]) is True  # 51 MB arrays
    assert calls == ["malloc", "blas"]


@pytest.mark.parametrize("load, cores, threads", [(0.05, 2, 2), (0.5, 2, 1), (1.6, 2, 1), (4.0, 2, 1),
                                                  (3.1, 16, 13)])
def test_blas_uses_the_idle_cores(monkeypatch, load, cores, threads):
    import threadpoolctl

    seen = []
    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    monkeypatch.setattr(threadpoolctl, "threadpool_limits", lambda limits, user_api: seen.append((limits, user_api)))
    assert speed.blas_threads_for_idle_cores() == threads and seen == [(threads, "blas")]


def test_malloc_is_told_to_keep_large_blocks_where_it_can_be():
    import ctypes
    import subprocess
    import sys

    has_mallopt = hasattr(ctypes.CDLL(None), "mallopt")  # glibc; not macOS, not musl
    # in a process of its own: the setting lasts for the rest of the process
    done = subprocess.run([sys.executable, "-c", "from gradcli.learn.speed import reuse_large_blocks; "
                           "print(reuse_large_blocks())"], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == str(has_mallopt)
