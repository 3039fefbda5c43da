"""Loss functions and their gradients with respect to the prediction, following `keras.losses`.

    loss = get_loss("huber", delta=1.0)
    loss.fn(y_true, y_pred)     # (n,) one value per sample: the mean (or sum) over the last axis, as Keras
    loss.grad(y_true, y_pred)   # dL/dy_pred, the same shape as y_pred, for each sample's loss

Probabilities are clipped to [1e-7, 1 - 1e-7] like Keras; the gradients are exact inside that range.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from core.registry import build

EPS = 1e-7
Array = np.ndarray


def _arrays(y_true, y_pred) -> tuple[Array, Array]:
    t, p = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    if t.ndim == 0:
        t = t[None]
    if p.ndim == 0:
        p = p[None]
    return np.broadcast_arrays(t, p)


def binary_crossentropy(y_true, p, axis: int = -1) -> Array:
    """Keras's binary cross-entropy: p clipped to [EPS, 1 - EPS], the mean over `axis` of -[t log p + (1-t) log(1-p)].

    The one definition that the loss page, both training backends, gradient descent and backpropagation use."""
    q = np.clip(p, EPS, 1 - EPS)
    return -np.mean(y_true * np.log(q) + (1 - y_true) * np.log(1 - q), axis=axis)


def categorical_crossentropy(y_true, p, axis: int = -1) -> Array:
    """Keras's categorical cross-entropy: p normalised to sum to 1, clipped, then -sum(t log p) over `axis`."""
    q = np.clip(p / p.sum(axis=axis, keepdims=True), EPS, 1 - EPS)
    return -np.sum(y_true * np.log(q), axis=axis)


def sparse_categorical_crossentropy(labels: Array, p: Array) -> Array:
    """Categorical cross-entropy with integer labels (n,) against probabilities p (n, k): (n,) values."""
    return -np.log(np.clip(p[np.arange(len(labels)), labels], EPS, 1 - EPS))


@dataclass(frozen=True)
class Loss:
    name: str
    title: str
    task: str  # "regression" | "binary" | "multiclass"
    fn: Callable[[Array, Array], Array]
    grad: Callable[[Array, Array], Array]
    note: str
    keras_name: str
    params: dict = field(default_factory=dict)

    @property
    def axis(self) -> str:
        """What `loss_curve` sweeps: "score" (a raw output), "p1" (p of class 1) or "p_true" (p of the true class)."""
        if self.task == "multiclass":
            return "p_true"
        return "p1" if self.name == "binary_crossentropy" else "score"


def _mse():
    return (lambda t, p: np.mean((p - t) ** 2, axis=-1), lambda t, p: 2 * (p - t) / p.shape[-1])


def _mae():
    return (lambda t, p: np.mean(np.abs(p - t), axis=-1), lambda t, p: np.sign(p - t) / p.shape[-1])


def _huber(delta: float):
    def fn(t: Array, p: Array) -> Array:
        e = np.abs(p - t)
        return np.mean(np.where(e <= delta, 0.5 * e**2, delta * e - 0.5 * delta**2), axis=-1)

    def grad(t: Array, p: Array) -> Array:
        e = p - t
        return np.where(np.abs(e) <= delta, e, delta * np.sign(e)) / p.shape[-1]

    return fn, grad


def _bce():
    def grad(t: Array, p: Array) -> Array:
        q = np.clip(p, EPS, 1 - EPS)
        inside = (p > EPS) & (p < 1 - EPS)
        return inside * (q - t) / (q * (1 - q)) / p.shape[-1]

    return binary_crossentropy, grad


def _cce():
    def grad(t: Array, p: Array) -> Array:
        s = p.sum(axis=-1, keepdims=True)
        return -t / p + t.sum(axis=-1, keepdims=True) / s

    return categorical_crossentropy, grad


def _signed(t: Array) -> Array:
    """Keras's hinge takes labels in {-1, 1}; labels in {0, 1} are mapped to them."""
    return np.where(np.all((t == 0) | (t == 1)), 2 * t - 1, t)


def _hinge():
    return (
        lambda t, p: np.mean(np.maximum(1 - _signed(t) * p, 0), axis=-1),
        lambda t, p: np.where(1 - _signed(t) * p > 0, -_signed(t), 0.0) / p.shape[-1],
    )


def _kl():
    def fn(t: Array, p: Array) -> Array:
        tc, pc = np.clip(t, EPS, 1), np.clip(p, EPS, 1)
        return np.sum(tc * np.log(tc / pc), axis=-1)

    def grad(t: Array, p: Array) -> Array:
        return np.where(p > EPS, -np.clip(t, EPS, 1) / np.clip(p, EPS, 1), 0.0)

    return fn, grad


LOSSES: dict[str, Callable[..., Loss]] = {
    "mse": lambda: Loss(
        "mse",
        "Mean squared error",
        "regression",
        *_mse(),
        "Regression. Squares the error, so big mistakes (and outliers) dominate.",
        "mean_squared_error",
    ),
    "mae": lambda: Loss(
        "mae",
        "Mean absolute error",
        "regression",
        *_mae(),
        "Regression robust to outliers: every unit of error costs the same; the gradient never shrinks.",
        "mean_absolute_error",
    ),
    "huber": lambda delta=1.0: Loss(
        "huber",
        "Huber",
        "regression",
        *_huber(delta),
        "Regression: squared near the target (smooth), absolute beyond delta (robust).",
        "huber",
        {"delta": delta},
    ),
    "binary_crossentropy": lambda: Loss(
        "binary_crossentropy",
        "Binary cross-entropy",
        "binary",
        *_bce(),
        "Two classes with ONE sigmoid output: the surprise -log p of the true class; a confident mistake costs a lot.",
        "binary_crossentropy",
    ),
    "categorical_crossentropy": lambda: Loss(
        "categorical_crossentropy",
        "Categorical cross-entropy",
        "multiclass",
        *_cce(),
        "Several classes with a softmax output and one-hot targets: -log of the true class's probability.",
        "categorical_crossentropy",
    ),
    "hinge": lambda: Loss(
        "hinge",
        "Hinge",
        "binary",
        *_hinge(),
        "Two classes, labels -1/+1 and a raw score (SVMs): no loss once the margin y*score >= 1.",
        "hinge",
    ),
    "kl_divergence": lambda: Loss(
        "kl_divergence",
        "KL divergence",
        "multiclass",
        *_kl(),
        "Distance between two distributions (soft targets, distillation, VAEs); equals cross-entropy minus the "
        "target's own entropy.",
        "kl_divergence",
    ),
}


def get_loss(name: str, **params) -> Loss:
    return build(LOSSES, name, "loss", **params)


def loss_curve(loss: Loss, target: float | int, predictions: Array, n_classes: int = 3) -> tuple[Array, Array]:
    """The loss and its derivative along a 1-D sweep of the prediction, for one target.

    regression / hinge: prediction = the output itself; target a number (hinge: -1 or 1).
    binary: prediction = p(class 1) in (0, 1); target in [0, 1].
    multiclass: prediction = p(true class `target`), the rest shared equally by the other classes; the
    derivative is the directional derivative along that path (grad . dp/dsweep).
    """
    sweep = np.asarray(predictions, dtype=float)
    if loss.task != "multiclass":
        t = np.full((sweep.size, 1), float(target))
        p = sweep[:, None]
        return loss.fn(t, p), loss.grad(t, p)[:, 0]
    k = int(target)
    t = np.zeros((sweep.size, n_classes))
    t[:, k] = 1.0
    p = np.repeat(((1 - sweep) / (n_classes - 1))[:, None], n_classes, axis=1)
    p[:, k] = sweep
    direction = np.full(n_classes, -1.0 / (n_classes - 1))
    direction[k] = 1.0
    return loss.fn(t, p), loss.grad(t, p) @ direction


def best_constant(loss: Loss, targets: Array, grid: int = 4001) -> float:
    """The single prediction c minimising the mean loss over `targets` (mse -> mean, mae -> median)."""
    targets = np.asarray(targets, dtype=float)
    c = np.linspace(targets.min(), targets.max(), grid)
    t = np.broadcast_to(targets[None, :, None], (grid, targets.size, 1))
    p = np.broadcast_to(c[:, None, None], (grid, targets.size, 1))
    return float(c[np.argmin(loss.fn(t, p).mean(axis=1))])
