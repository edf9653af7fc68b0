"""The dataset cache: the same arrays as a fresh generation, no scikit-learn import on a hit, never an error."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from gradcli.data import cache
from gradcli.data.datasets import load_dataset


@pytest.fixture
def cache_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADCLI_CACHE_DIR", str(tmp_path))
    return tmp_path / "datasets"


def test_a_cached_dataset_is_the_very_same_as_a_fresh_one(cache_folder, monkeypatch):
    first = load_dataset("moons", samples=100, noise=0.1, seed=1337)
    assert len(list(cache_folder.glob("*.npz"))) == 1
    again = load_dataset("moons", samples=100, noise=0.1, seed=1337)
    monkeypatch.setenv("GRADCLI_CACHE_DIR", "off")
    fresh = load_dataset("moons", samples=100, noise=0.1, seed=1337)
    assert np.array_equal(first.X, fresh.X) and np.array_equal(again.X, fresh.X)
    assert np.array_equal(again.y, fresh.y)
    other = load_dataset("moons", samples=100, noise=0.1, seed=1)  # another key, another entry
    assert not np.array_equal(other.X, fresh.X)


def test_a_hit_does_not_import_scikit_learn(cache_folder):
    env = dict(os.environ, GRADCLI_CACHE_DIR=str(cache_folder.parent))
    probe = ("import sys; from gradcli.data.datasets import load_dataset; load_dataset('circles', seed=5); "
             "print('sklearn' in sys.modules)")
    runs = [subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120)
            for _ in range(2)]
    assert [r.stdout.strip() for r in runs] == ["True", "False"], [r.stderr for r in runs]


def test_corrupt_entries_and_unwritable_folders_are_ignored(cache_folder, tmp_path, monkeypatch):
    load_dataset("moons", seed=7)
    (entry,) = cache_folder.glob("*.npz")
    entry.write_bytes(b"not a numpy file")
    reference = load_dataset("moons", seed=7)  # a miss: made again and stored again
    assert np.load(entry)["X"].shape == reference.X.shape
    blocked = tmp_path / "a-file"
    blocked.write_text("a file where the cache folder should be")
    monkeypatch.setenv("GRADCLI_CACHE_DIR", str(blocked))
    assert np.array_equal(load_dataset("moons", seed=7).X, reference.X)


def test_the_key_holds_the_library_version(cache_folder, monkeypatch):
    load_dataset("moons", seed=3)
    monkeypatch.setattr(cache, "_version", lambda package: "0.0-other")
    load_dataset("moons", seed=3)
    assert len(list(cache_folder.glob("*.npz"))) == 2
