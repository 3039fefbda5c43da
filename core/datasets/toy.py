"""Generated 2-D sets, as TensorFlow Playground draws them (its `dataset.ts`), deterministic for a seed.

Points lie on the Playground's plane (about -6..6). `noise` is the Playground's slider divided by 100 (0 to
0.5), which is what its generators receive; each set uses it as the Playground does (the circle's and XOR's
labels come from a point moved by the noise, the spiral's points move, the Gaussians spread). Classification
labels are 1 where the Playground's are +1 (blue) and 0 where they are -1 (orange). The regression sets'
targets are the Playground's, in [-1, 1].

Each generator uses nothing but numpy and its arguments: "Show the code" copies it into the exported script.
The half-moons are not the Playground's: scikit-learn's `make_moons` shape, scaled onto the same plane.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from core.errors import InvalidSpecError

Generator = Callable[[int, float, np.random.Generator], tuple[np.ndarray, np.ndarray]]
MAX_NOISE = 0.5  # the Playground's slider stops at 50


def _circle(n: int, noise: float, rng: np.random.Generator):
    radius, half = 5.0, n // 2
    r = np.r_[rng.uniform(0, radius * 0.5, half), rng.uniform(radius * 0.7, radius, n - half)]
    angle = rng.uniform(0, 2 * np.pi, n)
    X = np.c_[r * np.sin(angle), r * np.cos(angle)]
    moved = X + rng.uniform(-radius, radius, 2 * n).reshape(n, 2) * noise
    return X, (np.hypot(moved[:, 0], moved[:, 1]) < radius * 0.5).astype(float)


def _xor(n: int, noise: float, rng: np.random.Generator):
    X = rng.uniform(-5, 5, 2 * n).reshape(n, 2)
    X += np.where(X > 0, 0.3, -0.3)  # a gap around the axes
    moved = X + rng.uniform(-5, 5, 2 * n).reshape(n, 2) * noise
    return X, (moved[:, 0] * moved[:, 1] >= 0).astype(float)


def _gaussian(n: int, noise: float, rng: np.random.Generator):
    variance = 0.5 + 3.5 * noise / 0.5  # the Playground's scale: noise 0..0.5 -> variance 0.5..4
    half = n // 2
    X = np.r_[rng.normal(2, np.sqrt(variance), (half, 2)), rng.normal(-2, np.sqrt(variance), (n - half, 2))]
    return X, np.r_[np.ones(half), np.zeros(n - half)]


def _spiral(n: int, noise: float, rng: np.random.Generator):
    parts, labels = [], []
    half = n // 2
    for delta, label, m in ((0.0, 1.0, half), (np.pi, 0.0, n - half)):
        i = np.arange(m) / m
        r, t = i * 5, 1.75 * i * 2 * np.pi + delta
        parts.append(np.c_[r * np.sin(t), r * np.cos(t)] + rng.uniform(-1, 1, 2 * m).reshape(m, 2) * noise)
        labels.append(np.full(m, label))
    return np.concatenate(parts), np.concatenate(labels)


def _moons(n: int, noise: float, rng: np.random.Generator):
    half = n // 2
    t0, t1 = rng.uniform(0, np.pi, half), rng.uniform(0, np.pi, n - half)
    X = np.concatenate([np.c_[np.cos(t0), np.sin(t0)], np.c_[1 - np.cos(t1), 0.5 - np.sin(t1)]])
    X = X + rng.normal(0, noise, X.shape)
    return (X - (0.5, 0.25)) * 2.5, np.r_[np.zeros(half), np.ones(n - half)]


def _plane(n: int, noise: float, rng: np.random.Generator):
    X = rng.uniform(-6, 6, 2 * n).reshape(n, 2)
    moved = X + rng.uniform(-6, 6, 2 * n).reshape(n, 2) * noise
    return X, (moved[:, 0] + moved[:, 1]) / 10  # -10..10 -> -1..1


def _multi_gaussian(n: int, noise: float, rng: np.random.Generator):
    X = rng.uniform(-6, 6, 2 * n).reshape(n, 2)
    moved = X + rng.uniform(-6, 6, 2 * n).reshape(n, 2) * noise
    bumps = ((-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1))  # centre, sign
    values = np.stack(
        [sign * np.clip(1 - np.hypot(moved[:, 0] - cx, moved[:, 1] - cy) / 2, 0, 1) for cx, cy, sign in bumps]
    )
    strongest = np.abs(values).argmax(axis=0)  # the one largest in absolute value
    return X, values[strongest, np.arange(n)]


TOY_SETS: dict[str, Generator] = {
    "circles": _circle,
    "xor": _xor,
    "gaussian": _gaussian,
    "spiral": _spiral,
    "moons": _moons,
}
TOY_REGRESSION: dict[str, Generator] = {"plane": _plane, "multi_gaussian": _multi_gaussian}
PLAYGROUND_POINTS = {"classification": 500, "regression": 1200}  # how many points the Playground draws


def make_toy(name: str, n_samples: int = 500, noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """X (n_samples, 2) float32 on the Playground's plane and y (n_samples,): class codes {0, 1} (int64) for the
    classification sets, the target in [-1, 1] (float32) for the regression ones; shuffled."""
    if not 10 <= int(n_samples) <= 100_000:
        raise InvalidSpecError(f"n_samples must be between 10 and 100000, received {n_samples}.")
    if not 0.0 <= float(noise) <= MAX_NOISE:
        raise InvalidSpecError(
            f"noise must be between 0 and {MAX_NOISE} (the Playground's 0-50 divided by 100), received {noise}."
        )
    rng = np.random.default_rng(seed)
    regression = name in TOY_REGRESSION
    X, y = (TOY_REGRESSION if regression else TOY_SETS)[name](int(n_samples), float(noise), rng)
    order = rng.permutation(len(y))
    return X[order].astype(np.float32), y[order].astype(np.float32 if regression else np.int64)
