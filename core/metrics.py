"""Results of a trained classifier or regressor: confusion matrix, per-class accuracy, the most
confident mistakes, residuals, and the decision boundary of a 2-D model."""

from __future__ import annotations

from typing import Callable

import numpy as np


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """(n_classes, n_classes) counts: rows are the true class, columns the predicted class (as scikit-learn)."""
    m = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(m, (y_true, y_pred), 1)
    return m


def per_class_accuracy(matrix: np.ndarray) -> np.ndarray:
    """Recall of each class: the share of its samples predicted correctly (NaN for an absent class)."""
    totals = matrix.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, np.diag(matrix) / totals, np.nan)


def cell_examples(proba: np.ndarray, y_true: np.ndarray, true_class: int, predicted: int) -> np.ndarray:
    """Indices of samples of `true_class` predicted as `predicted`, most confident first."""
    y_pred = proba.argmax(axis=1)
    idx = np.flatnonzero((y_true == true_class) & (y_pred == predicted))
    return idx[np.argsort(-proba[idx, predicted], kind="stable")]


def worst_cell(matrix: np.ndarray) -> tuple[int, int]:
    """The (true, predicted) pair with the most mistakes; the first diagonal cell if there are none."""
    off = matrix.copy()
    np.fill_diagonal(off, -1)
    if off.max() <= 0:
        return 0, 0
    return tuple(int(v) for v in np.unravel_index(off.argmax(), off.shape))


PLANE_HALF = 6.0  # the plane shown is at least -6..6 on both axes (TensorFlow Playground's)


def plane_grid(
    values: Callable[[np.ndarray], np.ndarray], points: np.ndarray, resolution: int = 80, margin: float = 0.5
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Grid axes and `values` over a square box centred on 0 that holds every point (at least the
    Playground's -6..6): (xs (r,), ys (r,), Z (r, r)), Z[i, j] = values at (xs[j], ys[i]).

    `values` takes (n, 2) points in the units of `points` and returns (n,) numbers.
    """
    half = max(PLANE_HALF, float(np.abs(points).max()) + margin)
    xs = ys = np.linspace(-half, half, resolution)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2).astype(np.float32)
    return xs, ys, np.asarray(values(grid), dtype=np.float32).reshape(resolution, resolution)


def model_over_plane(model, data, resolution: int = 80) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A 2-D set's model over its plane (see `plane_grid`): P(class 1) for classification, the prediction in the
    target's units for regression. `data` is the PreparedData it trained on."""
    if data.task == "classification":

        def values(grid):
            return model.predict_proba(data.plane_inputs(grid))[:, 1]
    else:

        def values(grid):
            return model.predict(data.plane_inputs(grid)) * data.y_std + data.y_mean

    return plane_grid(values, data.points_train, resolution)
