"""A tiny fully-connected network in numpy for the step-by-step backpropagation lesson.

Notation of the lessons: for layer l, z_l = W_l^T a_{l-1} + b_l and a_l = f(z_l), with W_l of shape
(n_in, n_out). Backward: delta_l = dL/dz_l, dL/dW_l = a_{l-1} delta_l^T, dL/db_l = delta_l,
dL/da_{l-1} = W_l delta_l. Everything is float64 and one example at a time, so every number can be shown.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from core.activations import KERAS_ACTIVATIONS, get_activation, softmax
from core.errors import InvalidSpecError
from core.losses import binary_crossentropy, categorical_crossentropy

OUTPUTS = ("linear", "sigmoid", "softmax")
LOSSES = ("mse", "cross_entropy")

Params = list[tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class StepResult:
    """Everything one training step computed, layer by layer (index 0 is the first weighted layer)."""

    a: list[np.ndarray]  # activations a_0 = x, a_1, ..., a_L
    z: list[np.ndarray]  # pre-activations z_1 ... z_L
    loss: float
    dL_da: list[np.ndarray]  # dL/da_l for l = 1..L
    delta: list[np.ndarray]  # dL/dz_l for l = 1..L
    gradients: Params  # (dW_l, db_l)
    old_weights: Params
    new_weights: Params
    loss_after: float  # the loss on the same example after the update
    dL_dx: np.ndarray  # dL/da_0: how the loss would change with the input


class TinyNet:
    """layer_sizes=(n_in, hidden..., n_out); `activation` for hidden layers; output linear/sigmoid/softmax.

    loss "mse" is the mean over outputs of the squared error; "cross_entropy" is binary (per sigmoid
    output, averaged over outputs) or categorical (softmax), as Keras defines them.
    """

    def __init__(
        self,
        layer_sizes=(2, 3, 1),
        activation: str = "sigmoid",
        output_activation: str = "sigmoid",
        loss: str = "mse",
        seed: int = 0,
        weights: Params | None = None,
    ) -> None:
        sizes = tuple(int(s) for s in layer_sizes)
        if len(sizes) < 2 or min(sizes) < 1 or max(sizes) > 64:
            raise InvalidSpecError(
                f"layer_sizes needs an input and an output size, each 1 to 64, received {layer_sizes}."
            )
        if activation not in KERAS_ACTIVATIONS:
            raise InvalidSpecError(
                f"activation {activation!r} has no useful derivative for backpropagation; choose one of "
                f"{', '.join(KERAS_ACTIVATIONS)}."
            )
        if output_activation not in OUTPUTS:
            raise InvalidSpecError(
                f"output_activation must be one of {', '.join(OUTPUTS)}, received {output_activation!r}."
            )
        if loss not in LOSSES:
            raise InvalidSpecError(f"loss must be one of {', '.join(LOSSES)}, received {loss!r}.")
        if loss == "cross_entropy" and output_activation == "linear":
            raise InvalidSpecError(
                "cross-entropy needs probabilities: use a sigmoid or softmax output, or the mse loss."
            )
        if output_activation == "softmax" and sizes[-1] < 2:
            raise InvalidSpecError("a softmax output needs at least 2 units; use sigmoid for a single output.")
        self.layer_sizes, self.activation, self.output_activation, self.loss = (
            sizes,
            activation,
            output_activation,
            loss,
        )
        self._hidden = get_activation(activation)
        if weights is None:
            rng = np.random.default_rng(seed)
            # Glorot uniform kernels and zero biases: Keras's Dense defaults.
            weights = [
                (rng.uniform(-1, 1, (i, o)) * np.sqrt(6 / (i + o)), np.zeros(o)) for i, o in zip(sizes[:-1], sizes[1:])
            ]
        self.weights = self._checked(weights)

    def _checked(self, weights: Params) -> Params:
        expected = [((i, o), (o,)) for i, o in zip(self.layer_sizes[:-1], self.layer_sizes[1:])]
        got = [(np.shape(W), np.shape(b)) for W, b in weights]
        if got != expected:
            raise InvalidSpecError(f"weights must have shapes {expected}, received {got}.")
        out = [(np.array(W, dtype=float), np.array(b, dtype=float)) for W, b in weights]
        if not all(np.isfinite(W).all() and np.isfinite(b).all() for W, b in out):
            raise InvalidSpecError("weights must be finite numbers.")
        return out

    def set_weights(self, weights: Params) -> None:
        self.weights = self._checked(weights)

    # -- forward --------------------------------------------------------------------------------------
    def _out(self, z: np.ndarray) -> np.ndarray:
        if self.output_activation == "softmax":
            return softmax(z)
        return get_activation(self.output_activation).fn(z)

    def forward(self, x: ArrayLike, weights: Params | None = None) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """(a, z): a = [x, a_1, ..., a_L], z = [z_1, ..., z_L]."""
        weights = self.weights if weights is None else weights
        a, zs = [np.asarray(x, dtype=float).reshape(-1)], []
        for i, (W, b) in enumerate(weights):
            z = W.T @ a[-1] + b
            zs.append(z)
            a.append(self._out(z) if i == len(weights) - 1 else self._hidden.fn(z))
        return a, zs

    def loss_value(self, x: ArrayLike, y: ArrayLike, weights: Params | None = None) -> float:
        a, _ = self.forward(x, weights)
        return self._loss(a[-1], np.asarray(y, dtype=float).reshape(-1))

    def _loss(self, out: np.ndarray, y: np.ndarray) -> float:
        if self.loss == "mse":
            return float(np.mean((out - y) ** 2))
        if self.output_activation == "softmax":
            return float(categorical_crossentropy(y, out))
        return float(binary_crossentropy(y, out))

    def _dloss(self, out: np.ndarray, y: np.ndarray) -> np.ndarray:
        if self.loss == "mse":
            return 2 * (out - y) / out.size
        if self.output_activation == "softmax":
            return -y / out
        return (out - y) / (out * (1 - out)) / out.size

    # -- backward -------------------------------------------------------------------------------------
    def _backward(self, x, y) -> tuple[list, list, float, list, list, np.ndarray, Params]:
        y = np.asarray(y, dtype=float).reshape(-1)
        if y.size != self.layer_sizes[-1]:
            raise InvalidSpecError(f"the target needs {self.layer_sizes[-1]} values, received {y.size}.")
        a, z = self.forward(x)
        g = self._dloss(a[-1], y)  # dL/da_L
        dL_da, deltas = [], []
        for i in reversed(range(len(self.weights))):
            if i == len(self.weights) - 1 and self.output_activation == "softmax":
                s = a[-1]
                delta = s * (g - g @ s)  # softmax Jacobian (diag(s) - s s^T) applied to g
            elif i == len(self.weights) - 1:
                delta = g * (
                    np.ones_like(z[i]) if self.output_activation == "linear" else get_activation("sigmoid").grad(z[i])
                )
            else:
                delta = g * self._hidden.grad(z[i])
            dL_da.insert(0, g)
            deltas.insert(0, delta)
            g = self.weights[i][0] @ delta  # dL/da_{l-1}
        grads = [(np.outer(a[i], deltas[i]), deltas[i].copy()) for i in range(len(self.weights))]
        return a, z, self._loss(a[-1], y), dL_da, deltas, g, grads

    def gradients(self, x: ArrayLike, y: ArrayLike) -> Params:
        """[(dL/dW, dL/db)] for one example, shaped like `weights`. No update."""
        return self._backward(x, y)[-1]

    def numeric_gradients(self, x: ArrayLike, y: ArrayLike, eps: float = 1e-6) -> Params:
        """Central finite differences of the loss for every weight and bias: the gradient check."""
        result = []
        for W, b in self.weights:
            pair = []
            for arr in (W, b):
                grad = np.zeros_like(arr)
                for idx in np.ndindex(arr.shape):
                    old = arr[idx]
                    arr[idx] = old + eps
                    up = self.loss_value(x, y)
                    arr[idx] = old - eps
                    down = self.loss_value(x, y)
                    arr[idx] = old
                    grad[idx] = (up - down) / (2 * eps)
                pair.append(grad)
            result.append((pair[0], pair[1]))
        return result

    def step(self, x: ArrayLike, y: ArrayLike, learning_rate: float) -> StepResult:
        """Forward, backward and one gradient-descent update w := w - learning_rate * dL/dw."""
        a, z, loss, dL_da, deltas, dL_dx, grads = self._backward(x, y)
        old = [(W.copy(), b.copy()) for W, b in self.weights]
        self.weights = [(W - learning_rate * dW, b - learning_rate * db) for (W, b), (dW, db) in zip(old, grads)]
        return StepResult(
            a,
            z,
            loss,
            dL_da,
            deltas,
            grads,
            old,
            [(W.copy(), b.copy()) for W, b in self.weights],
            self.loss_value(x, y),
            dL_dx,
        )
