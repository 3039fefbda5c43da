"""The input features of a 2-D set, as TensorFlow Playground offers them: x1, x2, x1², x2², x1·x2, sin x1, sin x2,
each computed from a point's two coordinates on the data's own plane (before any scaling)."""

from __future__ import annotations

from typing import Callable

import numpy as np

from core.errors import InvalidSpecError

Feature = Callable[[np.ndarray, np.ndarray], np.ndarray]

# name -> (how pages write it, the Playground's name in its links, the function of (x1, x2))
FEATURES: dict[str, tuple[str, str, Feature]] = {
    "x1": ("x1", "x", lambda a, b: a),
    "x2": ("x2", "y", lambda a, b: b),
    "x1sq": ("x1²", "xSquared", lambda a, b: a * a),
    "x2sq": ("x2²", "ySquared", lambda a, b: b * b),
    "x1x2": ("x1·x2", "xTimesY", lambda a, b: a * b),
    "sinx1": ("sin x1", "sinX", lambda a, b: np.sin(a)),
    "sinx2": ("sin x2", "sinY", lambda a, b: np.sin(b)),
}
PLANE = ("x1", "x2")  # the features that are the point itself


def feature_title(name: str) -> str:
    return FEATURES[name][0]


def check_features(names: tuple[str, ...]) -> tuple[str, ...]:
    """The names, in the order of FEATURES; InvalidSpecError for none, an unknown one or one twice."""
    unknown = [n for n in names if n not in FEATURES]
    if unknown or not names or len(set(names)) != len(names):
        raise InvalidSpecError(
            f"features must be one or more of {', '.join(FEATURES)}, each once; received {', '.join(names) or 'none'}."
        )
    return tuple(n for n in FEATURES if n in names)


def plane_features(points: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    """(n, len(names)) float32: the features of (n, 2) points."""
    a, b = points[:, 0].astype(np.float64), points[:, 1].astype(np.float64)
    return np.stack([FEATURES[n][2](a, b) for n in names], axis=1).astype(np.float32)
