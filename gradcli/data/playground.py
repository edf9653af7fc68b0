"""The TensorFlow Playground's datasets, regenerated with a seeded NumPy generator.

Each generator follows the Playground's own ``dataset.ts`` (restated in
docs/training.md): same distributions, same label rules, same meaning of
``noise`` (a fraction in [0, 0.5]).  Only the random stream differs: every
function takes ``rng = np.random.default_rng(seed)``, so one seed gives one
dataset.  Classification labels are +1 / -1 as in the Playground (``spiral``
with more than two arms labels its arms 0..K-1); regression targets lie in
[-1, 1].

    X, labels = circle(100, 0.1, np.random.default_rng(1337))   # X: (100, 2)
"""

from __future__ import annotations

import numpy as np

CIRCLE_RADIUS = 5.0       # circle: the outer ring's radius R
XOR_HALF_WIDTH = 5.0      # xor: points in [-5, 5]^2 ...
XOR_PADDING = 0.3         # ... pushed this far away from both axes
GAUSS_CENTRE = 2.0        # gauss: the blobs sit at (2, 2) and (-2, -2)
SPIRAL_RADIUS = 5.0       # spiral: each arm ends at this radius ...
SPIRAL_TURNS = 1.75       # ... after this many turns
REGRESSION_HALF_WIDTH = 6.0  # reg-plane, reg-gauss: points in [-6, 6]^2

# reg-gauss: six bumps (centre x, centre y, sign)
GAUSS_BUMPS = ((-4.0, 2.5, 1.0), (0.0, 2.5, -1.0), (4.0, 2.5, 1.0),
               (-4.0, -2.5, -1.0), (0.0, -2.5, 1.0), (4.0, -2.5, -1.0))


def circle(samples: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """An inner disc (+1) inside an outer ring (-1); noise moves labels, not points."""
    inner = samples // 2
    radius = np.concatenate([
        rng.uniform(0.0, CIRCLE_RADIUS * 0.5, inner),
        rng.uniform(CIRCLE_RADIUS * 0.7, CIRCLE_RADIUS, samples - inner),
    ])
    angle = rng.uniform(0.0, 2.0 * np.pi, samples)
    X = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])
    # the label is decided on a noisy copy of the point (the Playground's rule)
    noisy = X + rng.uniform(-CIRCLE_RADIUS, CIRCLE_RADIUS, X.shape) * noise
    labels = np.where(np.hypot(noisy[:, 0], noisy[:, 1]) < CIRCLE_RADIUS * 0.5, 1.0, -1.0)
    return X, labels


def xor(samples: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Four quadrants: +1 where x and y have the same sign, -1 where they differ."""
    X = rng.uniform(-XOR_HALF_WIDTH, XOR_HALF_WIDTH, (samples, 2))
    X += np.where(X > 0, XOR_PADDING, -XOR_PADDING)  # keep points off the axes
    noisy = X + rng.uniform(-XOR_HALF_WIDTH, XOR_HALF_WIDTH, X.shape) * noise
    labels = np.where(noisy[:, 0] * noisy[:, 1] >= 0, 1.0, -1.0)
    return X, labels


def gauss_variance(noise: float) -> float:
    """The Playground's variance for ``gauss``: 0.5 at noise 0, rising linearly to 4 at 0.5."""
    return 0.5 + (4.0 - 0.5) * noise / 0.5


def gauss(samples: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian blobs: +1 around (2, 2), -1 around (-2, -2); noise widens both."""
    std = np.sqrt(gauss_variance(noise))
    positive = samples // 2
    centres = np.concatenate([np.full(positive, GAUSS_CENTRE), np.full(samples - positive, -GAUSS_CENTRE)])
    X = centres[:, None] + rng.normal(0.0, std, (samples, 2))
    labels = np.where(centres > 0, 1.0, -1.0)
    return X, labels


def spiral(samples: int, noise: float, rng: np.random.Generator, arms: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """``arms`` interleaved spirals; two arms are labelled +1 / -1, more arms 0..K-1."""
    points, labels = [], []
    for arm in range(arms):
        # spread the remainder over the first arms so that exactly `samples` points come out
        count = samples // arms + (1 if arm < samples % arms else 0)
        i = np.arange(count)
        radius = SPIRAL_RADIUS * i / count
        angle = SPIRAL_TURNS * 2.0 * np.pi * i / count + 2.0 * np.pi * arm / arms
        jitter = rng.uniform(-1.0, 1.0, (count, 2)) * noise
        points.append(np.column_stack([radius * np.sin(angle), radius * np.cos(angle)]) + jitter)
        label = (1.0 if arm == 0 else -1.0) if arms == 2 else float(arm)
        labels.append(np.full(count, label))
    return np.concatenate(points), np.concatenate(labels)


def reg_plane(samples: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Regression on a tilted plane: target (x + y) / 10, computed on a noisy copy."""
    X = rng.uniform(-REGRESSION_HALF_WIDTH, REGRESSION_HALF_WIDTH, (samples, 2))
    noisy = X + rng.uniform(-REGRESSION_HALF_WIDTH, REGRESSION_HALF_WIDTH, X.shape) * noise
    # the sum's range [-10, 10] maps linearly onto [-1, 1]
    return X, (noisy[:, 0] + noisy[:, 1]) / 10.0


def reg_gauss(samples: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Regression on six bumps of height +1 or -1; the target is the strongest bump's value."""
    X = rng.uniform(-REGRESSION_HALF_WIDTH, REGRESSION_HALF_WIDTH, (samples, 2))
    noisy = X + rng.uniform(-REGRESSION_HALF_WIDTH, REGRESSION_HALF_WIDTH, X.shape) * noise
    target = np.zeros(samples)
    for cx, cy, sign in GAUSS_BUMPS:
        bump = sign * np.clip(1.0 - np.hypot(noisy[:, 0] - cx, noisy[:, 1] - cy) / 2.0, 0.0, 1.0)
        target = np.where(np.abs(bump) > np.abs(target), bump, target)
    return X, target
