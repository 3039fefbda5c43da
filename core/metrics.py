"""Results of a trained classifier or regressor: confusion matrix, per-class accuracy, the most
confident mistakes, residuals (a 2-D model over its plane: `core.plane`)."""

from __future__ import annotations

import numpy as np


def score_name(task: str) -> str:
    """The score a run reports beside its loss: accuracy (classification) or r2 (regression)."""
    return "accuracy" if task == "classification" else "r2"


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
