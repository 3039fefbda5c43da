"""Activation functions and their derivatives, side by side (micrograd style).

    act = get_activation("leaky_relu", negative_slope=0.1)
    act.fn(x), act.grad(x)          # numpy in, numpy out, elementwise

Values follow `keras.activations` (Keras 3 definitions: leaky_relu slope 0.2, hard_sigmoid =
relu6(x + 3) / 6, exact erf gelu); the tests check every value against Keras and every derivative
against finite differences. `arctan` and the perceptron's `step` have no Keras twin.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from core.registry import build

Array = np.ndarray
SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805


def _sigmoid(x: Array) -> Array:
    return np.exp(-np.logaddexp(0.0, -x))  # 1 / (1 + e^-x) without overflow


def _sigmoid_grad(x: Array) -> Array:
    s = _sigmoid(x)
    return s * (1 - s)


def _elu(x: Array, alpha: float = 1.0) -> Array:
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


def _elu_grad(x: Array, alpha: float = 1.0) -> Array:
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0)))


def _normal_cdf(x: Array) -> Array:
    from scipy.special import erf

    return 0.5 * (1 + erf(x / np.sqrt(2)))


@dataclass(frozen=True)
class Activation:
    """One activation: `fn` and its derivative `grad`, plus the facts the properties table shows."""

    name: str
    title: str
    fn: Callable[[Array], Array]
    grad: Callable[[Array], Array]
    output_range: str
    zero_centred: bool
    saturates: str  # where the derivative goes to 0 while the output is still informative
    dead_region: str  # inputs where the gradient is exactly 0
    used_for: str
    keras_name: str | None = None
    params: dict = field(default_factory=dict)

    def __call__(self, x: Array) -> Array:
        return self.fn(np.asarray(x, dtype=float))

    def derivative_at_zero(self) -> float:
        return float(self.grad(np.zeros(1))[0])


def _leaky(slope: float) -> tuple[Callable, Callable]:
    return (lambda x: np.where(x > 0, x, slope * x)), (lambda x: np.where(x > 0, 1.0, slope))


ACTIVATIONS: dict[str, Callable[..., Activation]] = {
    "sigmoid": lambda: Activation(
        "sigmoid",
        "Sigmoid (logistic)",
        _sigmoid,
        _sigmoid_grad,
        "(0, 1)",
        False,
        "|x| > 5",
        "none",
        "binary outputs (a probability); classic hidden layers",
        "sigmoid",
    ),
    "tanh": lambda: Activation(
        "tanh",
        "Hyperbolic tangent",
        np.tanh,
        lambda x: 1 - np.tanh(x) ** 2,
        "(-1, 1)",
        True,
        "|x| > 3",
        "none",
        "hidden layers (zero-centred sigmoid); RNNs",
        "tanh",
    ),
    "arctan": lambda: Activation(
        "arctan",
        "Arctangent",
        np.arctan,
        lambda x: 1 / (1 + x**2),
        "(-pi/2, pi/2)",
        True,
        "slowly, for large |x|",
        "none",
        "hidden layers (a softer tanh); rarely in practice",
    ),
    "relu": lambda: Activation(
        "relu",
        "ReLU",
        lambda x: np.maximum(x, 0),
        lambda x: (x > 0).astype(float),
        "[0, inf)",
        False,
        "none",
        "x < 0 (dead units)",
        "hidden layers: the default of modern networks",
        "relu",
    ),
    "leaky_relu": lambda negative_slope=0.2: Activation(
        "leaky_relu",
        "Leaky ReLU",
        *_leaky(negative_slope),
        "(-inf, inf)",
        False,
        "none",
        "none",
        "hidden layers, when ReLU units die",
        "leaky_relu",
        {"negative_slope": negative_slope},
    ),
    "elu": lambda: Activation(
        "elu",
        "ELU",
        _elu,
        _elu_grad,
        "(-1, inf)",
        False,
        "x < -3",
        "none",
        "hidden layers: smooth ReLU with negative outputs",
        "elu",
    ),
    "selu": lambda: Activation(
        "selu",
        "SELU",
        lambda x: SELU_SCALE * _elu(x, SELU_ALPHA),
        lambda x: SELU_SCALE * _elu_grad(x, SELU_ALPHA),
        "(-1.76, inf)",
        True,
        "x < -3",
        "none",
        "self-normalising deep MLPs (with lecun_normal init)",
        "selu",
    ),
    "softplus": lambda: Activation(
        "softplus",
        "Softplus",
        lambda x: np.logaddexp(0.0, x),
        _sigmoid,
        "(0, inf)",
        False,
        "x < -5",
        "none",
        "positive outputs (rates, variances); smooth ReLU",
        "softplus",
    ),
    "softsign": lambda: Activation(
        "softsign",
        "Softsign",
        lambda x: x / (1 + np.abs(x)),
        lambda x: 1 / (1 + np.abs(x)) ** 2,
        "(-1, 1)",
        True,
        "slowly, for large |x|",
        "none",
        "hidden layers (polynomial tails instead of tanh's)",
        "softsign",
    ),
    "silu": lambda: Activation(
        "silu",
        "SiLU / Swish",
        lambda x: x * _sigmoid(x),
        lambda x: _sigmoid(x) * (1 + x * (1 - _sigmoid(x))),
        "[-0.28, inf)",
        False,
        "x < -5",
        "none",
        "hidden layers of deep CNNs (EfficientNet)",
        "silu",
    ),
    "gelu": lambda: Activation(
        "gelu",
        "GELU (exact, erf)",
        lambda x: x * _normal_cdf(x),
        lambda x: _normal_cdf(x) + x * np.exp(-0.5 * x**2) / np.sqrt(2 * np.pi),
        "[-0.17, inf)",
        False,
        "x < -4",
        "none",
        "Transformers (BERT, GPT)",
        "gelu",
    ),
    "hard_sigmoid": lambda: Activation(
        "hard_sigmoid",
        "Hard sigmoid",
        lambda x: np.clip((x + 3) / 6, 0, 1),
        lambda x: ((x > -3) & (x < 3)) / 6.0,
        "[0, 1]",
        False,
        "none",
        "|x| >= 3",
        "cheap sigmoid on small devices (MobileNetV3)",
        "hard_sigmoid",
    ),
    "linear": lambda: Activation(
        "linear",
        "Linear (identity)",
        lambda x: np.asarray(x, dtype=float),
        np.ones_like,
        "(-inf, inf)",
        True,
        "none",
        "none",
        "regression outputs; a network of linear layers stays linear",
        "linear",
    ),
    "step": lambda: Activation(
        "step",
        "Step (perceptron)",
        lambda x: (x >= 0).astype(float),
        np.zeros_like,
        "{0, 1}",
        False,
        "everywhere",
        "everywhere (gradient 0): why gradient descent needs smooth activations",
        "the original perceptron; not trainable by backpropagation",
    ),
}

# What each training backend can build (scikit-learn's MLP knows four activations, under its own names).
SKLEARN_ACTIVATIONS = {"relu": "relu", "tanh": "tanh", "sigmoid": "logistic", "linear": "identity"}
KERAS_ACTIVATIONS = tuple(n for n in ACTIVATIONS if n not in ("arctan", "step"))


def get_activation(name: str, **params) -> Activation:
    """The activation `name` (a key of ACTIVATIONS), with optional parameters (leaky_relu: negative_slope)."""
    return build(ACTIVATIONS, name, "activation", **params)


def softmax(z: Array, axis: int = -1) -> Array:
    """Row-wise softmax, shifted by the max for stability."""
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@dataclass(frozen=True)
class Health:
    """How a layer's units sit on their activation: shares in [0, 1]."""

    saturated: float  # pre-activation values where the derivative is below 5% of its peak
    dead_units: float  # units whose derivative is 0 for every sample (e.g. ReLU units that never fire)


def activation_health(name: str, z: Array, **params) -> Health:
    """Saturated values and dead units for pre-activations z (n_samples, n_units) of activation `name`."""
    act = get_activation(name, **params)
    peak = float(np.max(np.abs(act.grad(np.linspace(-10, 10, 2001)))))
    g = np.abs(act.grad(np.asarray(z, dtype=float)))
    saturated = float(np.mean(g < 0.05 * peak)) if peak > 0 else 1.0
    dead = float(np.mean(np.all(g == 0, axis=0))) if z.ndim == 2 else 0.0
    return Health(saturated, dead)
