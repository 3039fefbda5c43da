"""Gradient-descent optimizers in numpy with Keras 3's exact update rules, run on 2-D loss surfaces.

    path = optimize(get_surface("rosenbrock"), "adam", learning_rate=0.05, steps=200)

The tests check each optimizer's first steps against `keras.optimizers` on the same function.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from core.errors import InvalidSpecError
from core.registry import lookup

Array = np.ndarray
DIVERGED = 1e6  # |w| beyond this counts as diverged; the path stops there


@dataclass(frozen=True)
class Surface:
    name: str
    title: str
    fn: Callable[[Array, Array], Array]  # works on grids (for contours) and on scalars
    grad: Callable[[Array], Array]  # (2,) -> (2,)
    start: tuple[float, float]
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    minimum: tuple[float, float] | None
    note: str
    learning_rate: float = 0.1  # a default that converges for every optimizer here


SURFACES: dict[str, Surface] = {
    "bowl": Surface(
        "bowl",
        "Round bowl: x² + y²",
        lambda x, y: x**2 + y**2,
        lambda w: 2 * w,
        (-1.5, 1.2),
        (-2, 2),
        (-2, 2),
        (0.0, 0.0),
        "Every method finds the bottom; the learning rate sets how fast, or whether it overshoots.",
    ),
    "valley": Surface(
        "valley",
        "Elongated valley: 0.1x² + 2y²",
        lambda x, y: 0.1 * x**2 + 2 * y**2,
        lambda w: np.array([0.2 * w[0], 4 * w[1]]),
        (-4.0, 1.0),
        (-5, 5),
        (-2, 2),
        (0.0, 0.0),
        "Steep across, shallow along: plain SGD zig-zags; momentum and adaptive steps run along the floor.",
    ),
    "rosenbrock": Surface(
        "rosenbrock",
        "Rosenbrock: (1 - x)² + 100(y - x²)²",
        lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2,
        lambda w: np.array([-2 * (1 - w[0]) - 400 * w[0] * (w[1] - w[0] ** 2), 200 * (w[1] - w[0] ** 2)]),
        (-1.5, 1.5),
        (-2, 2),
        (-1, 3),
        (1.0, 1.0),
        "A curved, flat-bottomed valley: easy to enter, slow to follow to the minimum at (1, 1).",
        learning_rate=0.001,
    ),
    "saddle": Surface(
        "saddle",
        "Saddle: x² - y²",
        lambda x, y: x**2 - y**2,
        lambda w: np.array([2 * w[0], -2 * w[1]]),
        (-1.5, 0.01),
        (-2, 2),
        (-2, 2),
        None,
        "The gradient vanishes at (0, 0) without a minimum: starting near y = 0, plain SGD lingers there.",
    ),
}


def get_surface(name: str) -> Surface:
    return lookup(SURFACES, name, "surface")


# Each rule: (w, g, state, t, lr, hyper) -> (new w, new state). Defaults are Keras's.
def _sgd(w, g, s, t, lr, h):
    return w - lr * g, s


def _momentum(w, g, s, t, lr, h):
    m = h["momentum"] * s.get("m", np.zeros_like(w)) - lr * g
    return w + m, {"m": m}


def _rmsprop(w, g, s, t, lr, h):
    v = h["rho"] * s.get("v", np.zeros_like(w)) + (1 - h["rho"]) * g**2
    return w - lr * g / np.sqrt(v + h["epsilon"]), {"v": v}


def _adam(w, g, s, t, lr, h):
    b1, b2 = h["beta_1"], h["beta_2"]
    m = s.get("m", np.zeros_like(w)) + (g - s.get("m", np.zeros_like(w))) * (1 - b1)
    v = s.get("v", np.zeros_like(w)) + (g**2 - s.get("v", np.zeros_like(w))) * (1 - b2)
    alpha = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
    return w - alpha * m / (np.sqrt(v) + h["epsilon"]), {"m": m, "v": v}


OPTIMIZERS: dict[str, tuple[Callable, dict, str]] = {
    "sgd": (_sgd, {}, "w := w - lr * g"),
    "momentum": (_momentum, {"momentum": 0.9}, "m := 0.9 m - lr * g;  w := w + m"),
    "rmsprop": (_rmsprop, {"rho": 0.9, "epsilon": 1e-7}, "v := 0.9 v + 0.1 g²;  w := w - lr * g / sqrt(v + eps)"),
    "adam": (
        _adam,
        {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7},
        "m, v := running means of g and g²;  w := w - lr_t * m / (sqrt(v) + eps)",
    ),
}


@dataclass(frozen=True)
class Path:
    points: Array  # (steps + 1, 2), starting point first
    values: Array  # (steps + 1,) the surface's value at each point
    diverged_at: int | None  # the step where |w| passed DIVERGED or became NaN, else None


def optimize(
    surface: Surface,
    optimizer: str,
    learning_rate: float,
    steps: int = 100,
    start: tuple[float, float] | None = None,
    **hyper,
) -> Path:
    """Run `steps` updates of `optimizer` on `surface` from `start` (default: the surface's)."""
    rule, defaults, _ = lookup(OPTIMIZERS, optimizer, "optimizer")
    if not 0 < learning_rate <= 100 or not 1 <= steps <= 10_000:
        raise InvalidSpecError(
            f"learning_rate must be in (0, 100] and steps in 1..10000, received {learning_rate}, {steps}."
        )
    h = {**defaults, **hyper}
    w = np.array(surface.start if start is None else start, dtype=float)
    points, state, diverged = [w.copy()], {}, None
    with np.errstate(all="ignore"):
        for t in range(1, steps + 1):
            w, state = rule(w, surface.grad(w), state, t, learning_rate, h)
            if not np.all(np.isfinite(w)) or np.abs(w).max() > DIVERGED:
                diverged = t
                break
            points.append(w.copy())
    pts = np.array(points)
    return Path(pts, surface.fn(pts[:, 0], pts[:, 1]), diverged)
