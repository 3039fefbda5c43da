"""Generated 2-D classification sets (TensorFlow Playground's shapes), deterministic for a seed."""

from __future__ import annotations

import numpy as np

from core.errors import InvalidSpecError


def _moons(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    n0 = n // 2
    t0, t1 = rng.uniform(0, np.pi, n0), rng.uniform(0, np.pi, n - n0)
    X = np.concatenate([np.c_[np.cos(t0), np.sin(t0)], np.c_[1 - np.cos(t1), 0.5 - np.sin(t1)]])
    return X + rng.normal(0, noise, X.shape), np.r_[np.zeros(n0), np.ones(n - n0)]


def _circles(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    n0 = n // 2
    t = rng.uniform(0, 2 * np.pi, n)
    r = np.r_[np.ones(n0), np.full(n - n0, 0.5)]
    X = np.c_[r * np.cos(t), r * np.sin(t)]
    return X + rng.normal(0, noise, X.shape), np.r_[np.zeros(n0), np.ones(n - n0)]


def _xor(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    X = rng.uniform(-1, 1, (n, 2))
    X += np.sign(X) * 0.05  # a small gap around the axes, as in the Playground
    y = (X[:, 0] * X[:, 1] > 0).astype(float)
    return X + rng.normal(0, noise, X.shape), y


def _spiral(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    n0 = n // 2
    parts = []
    for k, m in enumerate((n0, n - n0)):
        r = np.linspace(0.05, 1, m)
        t = 1.75 * 2 * np.pi * r + k * np.pi
        parts.append(np.c_[r * np.sin(t), r * np.cos(t)])
    X = np.concatenate(parts)
    return X + rng.normal(0, noise, X.shape), np.r_[np.zeros(n0), np.ones(n - n0)]


def _gaussian(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    n0 = n // 2
    spread = 0.25 + noise
    X = np.concatenate([rng.normal((0.6, 0.6), spread, (n0, 2)), rng.normal((-0.6, -0.6), spread, (n - n0, 2))])
    return X, np.r_[np.zeros(n0), np.ones(n - n0)]


TOY_SETS = {"moons": _moons, "circles": _circles, "xor": _xor, "spiral": _spiral, "gaussian": _gaussian}


def make_toy(name: str, n_samples: int = 400, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """X (n_samples, 2) float32 and y (n_samples,) in {0, 1}, shuffled."""
    if not 10 <= int(n_samples) <= 100_000:
        raise InvalidSpecError(f"n_samples must be between 10 and 100000, received {n_samples}.")
    if not 0.0 <= float(noise) <= 2.0:
        raise InvalidSpecError(f"noise must be between 0 and 2, received {noise}.")
    rng = np.random.default_rng(seed)
    X, y = TOY_SETS[name](int(n_samples), float(noise), rng)
    order = rng.permutation(len(y))
    return X[order].astype(np.float32), y[order].astype(np.int64)
