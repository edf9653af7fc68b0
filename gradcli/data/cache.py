"""A cache of generated datasets, so that a repeated run does not import scikit-learn again.

Importing ``sklearn.datasets`` takes about a second, far longer than making
100 points.  What a generator produced is kept in the user's cache directory,
keyed by the generator, its arguments, the version of the library that made
it (read from the package metadata, without importing it) and this module's
``FORMAT``; the same key gives the very same arrays, so a cached run is
identical to a fresh one.

Where: ``$GRADCLI_CACHE_DIR``, else ``$XDG_CACHE_HOME/gradcli``, else
``~/.cache/gradcli``; ``GRADCLI_CACHE_DIR=off`` turns the cache off.  The cache
is only ever a shortcut: a file that is missing, corrupt, from another key or
unreadable is ignored (and replaced), and a directory that cannot be written
is never an error.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from pathlib import Path
from typing import Callable

import numpy as np

__all__ = ["cached", "cache_dir", "FORMAT"]

FORMAT = 1  # bump when the way arrays are made or stored changes
MAX_ENTRY_BYTES = 64 * 1024 * 1024  # a cache file larger than this is not trusted


def cache_dir() -> Path | None:
    """The folder of cached datasets, or None when the cache is off."""
    chosen = os.environ.get("GRADCLI_CACHE_DIR")
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "off", "0", "no") else Path(chosen) / "datasets"
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "gradcli" / "datasets"


def cached(key: dict, package: str, make: Callable[[], tuple]) -> tuple[np.ndarray, np.ndarray]:
    """``make()``'s (X, y), from the cache when an entry for ``key`` (made with ``package``'s version) exists."""
    folder = cache_dir()
    version = _version(package)
    if folder is None or version is None:
        return make()
    full_key = json.dumps({**key, "package": package, "version": version, "format": FORMAT}, sort_keys=True)
    path = folder / (hashlib.sha256(full_key.encode()).hexdigest()[:32] + ".npz")
    hit = _read(path, full_key)
    if hit is not None:
        return hit
    X, y = make()
    _write(path, full_key, np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64))
    return X, y


def _version(package: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _read(path: Path, full_key: str):
    try:
        if not path.is_file() or path.stat().st_size > MAX_ENTRY_BYTES:
            return None
        with np.load(path, allow_pickle=False) as stored:
            if str(stored["key"]) != full_key:
                return None
            return stored["X"].copy(), stored["y"].copy()
    except Exception:  # noqa: BLE001 - a broken cache entry is a miss, never an error
        return None


def _write(path: Path, full_key: str, X: np.ndarray, y: np.ndarray) -> None:
    from ..atomicfile import write_bytes_atomic
    from ..errors import GradcliError

    buffer = io.BytesIO()
    np.savez(buffer, key=np.array(full_key), X=X, y=y)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(path, buffer.getvalue())
    except (OSError, GradcliError):  # read-only home, full disk, no permission: just no cache
        return
