"""Batch, mini-batch and stochastic gradient descent on one small problem the lessons can draw:
logistic regression with two weights (no bias) on a 2-D set, so the loss is a surface over (w1, w2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.activations import get_activation
from core.errors import InvalidSpecError
from core.losses import binary_crossentropy

_sigmoid = get_activation("sigmoid").fn


@dataclass(frozen=True)
class LogisticProblem:
    """Mean binary cross-entropy of sigmoid(X @ w) against y; X (n, 2), y (n,) in {0, 1}."""

    X: np.ndarray
    y: np.ndarray

    def loss(self, w: np.ndarray, idx: np.ndarray | None = None) -> float:
        X, y = (self.X, self.y) if idx is None else (self.X[idx], self.y[idx])
        return float(binary_crossentropy(y, _sigmoid(X @ w)))

    def grad(self, w: np.ndarray, idx: np.ndarray | None = None) -> np.ndarray:
        X, y = (self.X, self.y) if idx is None else (self.X[idx], self.y[idx])
        return X.T @ (_sigmoid(X @ w) - y) / len(y)

    def losses(self, W: np.ndarray) -> np.ndarray:
        """The full-data loss at many weight vectors at once: W (..., 2) -> (...)."""
        return binary_crossentropy(self.y, _sigmoid(W @ self.X.T))

    def loss_grid(self, w1: np.ndarray, w2: np.ndarray) -> np.ndarray:
        """The full-data loss on a grid of weights (len(w2), len(w1)), for contour plots."""
        return self.losses(np.stack(np.meshgrid(w1, w2), axis=-1))


def blobs_problem(n: int = 200, seed: int = 0, spread: float = 1.0) -> LogisticProblem:
    """Two Gaussian clouds on either side of a line through the origin (so no bias is needed)."""
    rng = np.random.default_rng(seed)
    centre = np.array([1.0, 0.5])
    X = np.concatenate([rng.normal(centre, spread, (n // 2, 2)), rng.normal(-centre, spread, (n - n // 2, 2))])
    y = np.r_[np.ones(n // 2), np.zeros(n - n // 2)]
    return LogisticProblem(X, y)


@dataclass(frozen=True)
class DescentRun:
    path: np.ndarray  # (updates + 1, 2) weights after each update
    update_loss: np.ndarray  # (updates,) loss on the batch each update used (what the optimizer sees)
    full_loss: np.ndarray  # (updates + 1,) loss on all the data at each point of the path
    epoch_loss: np.ndarray  # (epochs + 1,) loss on all the data after each epoch
    updates_per_epoch: int


def gradient_descent(
    problem: LogisticProblem,
    batch_size: int,
    learning_rate: float,
    epochs: int,
    start: tuple[float, float] = (-2.0, 2.5),
    seed: int = 0,
) -> DescentRun:
    """Plain gradient descent: batch_size = n is batch GD, 1 is stochastic, in between mini-batch.

    Each epoch shuffles the data (seeded) and walks through it in batches of `batch_size`.
    """
    n = len(problem.y)
    if not 1 <= batch_size <= n:
        raise InvalidSpecError(f"batch_size must be from 1 to the {n} samples, received {batch_size}.")
    if not 0 < learning_rate <= 100 or not 1 <= epochs <= 500:
        raise InvalidSpecError(
            f"learning_rate must be in (0, 100] and epochs in 1..500, received {learning_rate}, {epochs}."
        )
    rng = np.random.default_rng(seed)
    order = np.concatenate([rng.permutation(n) for _ in range(epochs)])  # every epoch's shuffle
    starts = np.concatenate([np.arange(0, n, batch_size) + e * n for e in range(epochs)])
    w = np.array(start, dtype=float)
    path = np.empty((len(starts) + 1, 2))
    path[0] = w
    X, y = problem.X[order], problem.y[order]
    for k, i in enumerate(starts):  # the sequential part: one update per batch
        j = min(i + batch_size, (i // n + 1) * n)
        Xb = X[i:j]
        w = w - learning_rate * (Xb.T @ (_sigmoid(Xb @ w) - y[i:j])) / (j - i)
        path[k + 1] = w
    # The loss each update saw, computed afterwards in one pass: sample losses at their update's weights.
    sizes = np.diff(np.r_[starts, epochs * n])
    w_per_sample = np.repeat(path[:-1], sizes, axis=0)
    sample_loss = binary_crossentropy(y[:, None], _sigmoid(np.einsum("ij,ij->i", X, w_per_sample))[:, None])
    update_loss = np.add.reduceat(sample_loss, starts) / sizes
    full = problem.losses(path)
    per_epoch = -(-n // batch_size)
    return DescentRun(path, update_loss, full, full[::per_epoch], per_epoch)
