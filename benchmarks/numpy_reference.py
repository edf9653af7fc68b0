"""micrograd's moons run written by hand in NumPy: the speed reference for gradcli's training engines.

The same network, data, initial weights, loss and schedule as
``gradcli train moons --layers 16,16,1`` (and micrograd's demo): an MLP 2-16-16-1
with relu hidden layers and a linear output, weights drawn from
``random.Random(1337)`` neuron by neuron, biases 0, hinge loss
mean(relu(1 - y * score)) plus 1e-4 * sum(p**2), SGD with lr = 1 - 0.9 k / 100,
100 full-batch steps.  Forward and backward are written out as matrix
products, with no autograd at all: the fastest a Python program can do this.

    python benchmarks/numpy_reference.py      # prints the loss at steps 0, 1, 99 and the time

It repeats micrograd's published losses (0.8958441028683222 at step 0,
0.010978370135492717 at step 99) to rounding.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def initial_weights(sizes=(2, 16, 16, 1), seed: int = 1337) -> list[tuple[np.ndarray, np.ndarray]]:
    """(W, b) per layer, W of shape (out, in), drawn as gradcli's and micrograd's MLP draw them."""
    rng = random.Random(seed)
    layers = []
    for nin, nout in zip(sizes[:-1], sizes[1:]):
        W = np.array([[rng.uniform(-1, 1) for _ in range(nin)] for _ in range(nout)])
        layers.append((W, np.zeros(nout)))
    return layers


def moons(samples: int = 100, noise: float = 0.1, seed: int = 1337) -> tuple[np.ndarray, np.ndarray]:
    """The data: X (n, 2) and labels y in {-1, +1}, as gradcli train moons uses them (raw, not standardised)."""
    from gradcli.data.datasets import load_dataset

    data = load_dataset("moons", samples=samples, noise=noise, seed=seed)
    return data.X, np.where(data.y > 0, 1.0, -1.0)


def train(X: np.ndarray, y: np.ndarray, layers, steps: int = 100, alpha: float = 1e-4) -> list[float]:
    """The loss of every step (before its update), training ``layers`` in place."""
    n = len(X)
    losses = []
    for k in range(steps):
        # forward: keep every layer's input and pre-activation for the backward pass
        inputs, pre = [], []
        h = X
        for i, (W, b) in enumerate(layers):
            inputs.append(h)
            z = h @ W.T + b
            pre.append(z)
            h = np.maximum(z, 0.0) if i < len(layers) - 1 else z
        scores = h[:, 0]
        margins = 1.0 - y * scores
        data_loss = np.maximum(margins, 0.0).mean()
        reg_loss = alpha * sum(float((W * W).sum() + (b * b).sum()) for W, b in layers)
        losses.append(data_loss + reg_loss)
        # backward: d loss / d scores, then layer by layer
        g = ((margins > 0) * -y / n)[:, None]
        grads = []
        for i in range(len(layers) - 1, -1, -1):
            W, b = layers[i]
            if i < len(layers) - 1:
                g = g * (pre[i] > 0)
            grads.append((g.T @ inputs[i] + 2 * alpha * W, g.sum(axis=0) + 2 * alpha * b))
            g = g @ W
        lr = 1.0 - 0.9 * k / steps
        for (W, b), (gW, gb) in zip(layers, reversed(grads)):
            W -= lr * gW
            b -= lr * gb
    return losses


def main() -> None:
    X, y = moons()
    layers = initial_weights()
    start = time.perf_counter()
    losses = train(X, y, layers)
    seconds = time.perf_counter() - start
    print(f"loss at step 0: {float(losses[0])!r}, step 1: {float(losses[1])!r}, step 99: {float(losses[99])!r}")
    print(f"100 steps in {seconds * 1000:.1f} ms")


if __name__ == "__main__":
    main()
