"""A convnet's forward pass in NumPy, from its weights: the feature maps of every layer for one image (or a
batch), at any recorded epoch, without TensorFlow. And one output value of a convolution or a pooling window
worked out with its real numbers.

    maps = feature_maps(spec, layers, x, task="classification", n_units=10)   # layers: a snapshot's weights
    [(m.name, m.kind, m.values.shape) for m in maps]     # conv_1 Conv2D (26, 26, 32), pool_1 ... output
    step = explain_conv(maps[0].values_in, kernel, bias, "relu", row=3, col=4, filter=0)
    step.value == maps[1].values[3, 4, 0]

Keras's definitions (tests check every layer against Keras's own outputs): Conv2D is a cross-correlation with
valid padding, out[i, j, f] = act(sum_{a, b, c} x[i + a, j + b, c] K[a, b, c, f] + bias[f]); MaxPooling2D(p)
takes the max of each p x p window with stride p (the last rows and columns that do not fill a window are
dropped); Flatten reads (h, w, c) row by row; Dropout does nothing at inference.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.activations import get_activation
from core.errors import InvalidSpecError
from core.params import output_activation, output_values
from core.snapshots import LayerWeights
from core.spec import CNNSpec


@dataclass(frozen=True)
class FeatureMap:
    name: str  # conv_1, pool_1, hidden_1, output: build_model's layer names
    kind: str  # Conv2D | MaxPooling2D | Dense | Output
    values: np.ndarray  # (h, w, c) maps, or (units,) activations (with a batch axis first for a batch)
    values_in: np.ndarray  # what the layer received


def conv2d(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Valid cross-correlation: x (..., h, w, c_in), kernel (kh, kw, c_in, c_out) -> (..., h-kh+1, w-kw+1, c_out)."""
    kh, kw, c, f = kernel.shape
    windows = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(-3, -2))  # (..., h', w', c, kh, kw)
    patches = np.moveaxis(windows, -3, -1)  # (..., h', w', kh, kw, c): each patch in the kernel's order
    return patches.reshape(*patches.shape[:-3], kh * kw * c) @ kernel.reshape(kh * kw * c, f) + bias  # one matmul


def max_pool(x: np.ndarray, p: int) -> np.ndarray:
    """x (..., h, w, c) -> (..., h // p, w // p, c): the max of each p x p window, stride p."""
    h, w = (x.shape[-3] // p) * p, (x.shape[-2] // p) * p
    cut = x[..., :h, :w, :]
    return cut.reshape(*x.shape[:-3], h // p, p, w // p, p, x.shape[-1]).max(axis=(-4, -2))


def feature_maps(
    spec: CNNSpec, layers: LayerWeights, x: np.ndarray, task: str, n_units: int, dtype=np.float64
) -> list[FeatureMap]:
    """Every layer's output for x (h, w, c) or a batch (n, h, w, c), computed from `layers` (a model's
    `layer_weights()` or one recorded epoch of `history.snapshots`); float64 for the numbers a page writes out,
    float32 (Keras's own precision, twice as fast) for many images."""
    weights = {name: (np.asarray(W, dtype), np.asarray(b, dtype)) for name, W, b in layers}
    missing = [n for n in [f"conv_{i}" for i in range(1, len(spec.conv_filters) + 1)] + ["output"] if n not in weights]
    if missing:
        raise InvalidSpecError(f"these weights do not belong to this CNN: no layer {', '.join(missing)}.")
    act = get_activation(spec.activation).fn
    a, maps = np.asarray(x, dtype), []
    for i in range(1, len(spec.conv_filters) + 1):
        z = conv2d(a, *weights[f"conv_{i}"])
        maps.append(FeatureMap(f"conv_{i}", "Conv2D", act(z), a))
        a = maps[-1].values
        if spec.pool_size > 1:
            maps.append(FeatureMap(f"pool_{i}", "MaxPooling2D", max_pool(a, spec.pool_size), a))
            a = maps[-1].values
    a = a.reshape(*a.shape[:-3], -1)
    for j in range(1, len(spec.dense_layers) + 1):
        W, b = weights[f"hidden_{j}"]
        maps.append(FeatureMap(f"hidden_{j}", "Dense", act(a @ W + b), a))
        a = maps[-1].values
    W, b = weights["output"]
    maps.append(FeatureMap("output", "Output", output_values(a @ W + b, output_activation(task, n_units)), a))
    return maps


def predict(
    spec: CNNSpec, layers: LayerWeights, X: np.ndarray, task: str, n_units: int, batch: int = 256
) -> np.ndarray:
    """The output layer's values for many images, a batch at a time: only the outputs are kept, not every layer's
    maps (conv_1 of the MNIST convnet alone is 350 MB for 2,000 images)."""
    return np.concatenate(
        [feature_maps(spec, layers, X[i : i + batch], task, n_units)[-1].values for i in range(0, len(X), batch)]
    )


def probabilities(output: np.ndarray) -> np.ndarray:
    """Class probabilities from the output layer: a binary model's one logistic unit p gives [1 - p, p]."""
    return np.concatenate([1 - output, output], axis=-1) if output.shape[-1] == 1 else output


@dataclass(frozen=True)
class ConvStep:
    """One value of a feature map, worked out: patch (kh, kw, c_in) * kernel, summed, plus bias, activated."""

    patch: np.ndarray
    kernel: np.ndarray
    products: np.ndarray
    total: float  # the sum of the products
    bias: float
    z: float  # total + bias
    value: float  # activation(z): the value on the map


def explain_conv(
    x_in: np.ndarray, kernel: np.ndarray, bias: np.ndarray, activation: str, row: int, col: int, filter: int
) -> ConvStep:
    """How map[row, col, filter] of a conv layer comes from its input x_in (h, w, c_in)."""
    kh, kw = kernel.shape[:2]
    if not (0 <= row <= x_in.shape[0] - kh and 0 <= col <= x_in.shape[1] - kw and 0 <= filter < kernel.shape[3]):
        raise InvalidSpecError(f"position ({row}, {col}) or filter {filter} is outside this layer's maps.")
    patch = np.asarray(x_in[row : row + kh, col : col + kw, :], np.float64)
    k = np.asarray(kernel[..., filter], np.float64)
    products = patch * k
    total, b = float(products.sum()), float(bias[filter])
    value = float(get_activation(activation).fn(np.array([total + b]))[0])
    return ConvStep(patch, k, products, total, b, total + b, value)


def explain_pool(
    x_in: np.ndarray, p: int, row: int, col: int, channel: int
) -> tuple[np.ndarray, float, tuple[int, int]]:
    """The p x p window behind pooled[row, col, channel]: (window, its max, where the max is in the window)."""
    window = np.asarray(x_in[row * p : (row + 1) * p, col * p : (col + 1) * p, channel])
    if window.shape != (p, p):
        raise InvalidSpecError(f"position ({row}, {col}) is outside this pooling layer's output.")
    where = np.unravel_index(int(window.argmax()), window.shape)
    return window, float(window.max()), (int(where[0]), int(where[1]))
