"""Reading a network's weights: per-layer statistics, first-layer units as images, and how each
parameter is addressed. Works on `model.layer_weights()` or on a recorded epoch (`history.snapshots`):
plain numpy in, plain numpy out.
"""

from __future__ import annotations

from math import prod

import numpy as np

from core.errors import InvalidSpecError
from core.snapshots import LayerWeights


def layer_kind(kernel: np.ndarray) -> str:
    """'Dense' for a kernel (in, out), 'Conv2D' for (kh, kw, cin, cout)."""
    return {2: "Dense", 4: "Conv2D"}.get(kernel.ndim, f"{kernel.ndim}-D")


def kernel_axes(kernel: np.ndarray) -> tuple[str, ...]:
    """What each axis of a kernel indexes, for pickers and labels."""
    return ("input", "unit") if kernel.ndim == 2 else ("row", "column", "input channel", "filter")


def bias_axes(kernel: np.ndarray) -> tuple[str, ...]:
    return ("unit",) if kernel.ndim == 2 else ("filter",)


def shape_text(shape: tuple[int, ...]) -> str:
    """(784, 16) -> "784 x 16", as the tables and labels write shapes."""
    return " x ".join(map(str, shape))


def weight_stats(layers: LayerWeights) -> list[dict]:
    """One row per layer: shapes, parameter count, and mean / std / min / max of its kernel and of its bias."""
    rows = []
    for name, kernel, bias in layers:
        row = {
            "layer": name,
            "type": layer_kind(kernel),
            "kernel shape": shape_text(kernel.shape),
            "bias shape": shape_text(bias.shape),
            "parameters": int(kernel.size + bias.size),
        }
        for part, a in (("kernel", kernel), ("bias", bias)):
            a = a.astype(np.float64)  # float32 sums of 100 k values lose digits the table shows
            row.update(
                {f"{part} mean": a.mean(), f"{part} std": a.std(), f"{part} min": a.min(), f"{part} max": a.max()}
            )
        rows.append(row)
    return rows


def unit_images(kernel: np.ndarray, image_shape: tuple[int, ...]) -> np.ndarray:
    """A first Dense layer's kernel (h*w*c, units) as one image per hidden unit: (units, h, w, c).

    Input i of the flattened image is pixel np.unravel_index(i, (h, w, c)), the order of numpy's reshape
    and of Keras's Flatten, so unit j's image is the picture that excites it most."""
    if kernel.ndim != 2:
        raise InvalidSpecError(f"expected a Dense kernel (inputs, units), received shape {kernel.shape}.")
    if len(image_shape) != 3 or prod(image_shape) != kernel.shape[0]:
        raise InvalidSpecError(
            f"a kernel with {kernel.shape[0]} inputs cannot be shown as images of shape {tuple(image_shape)}: "
            "only the first layer of a network trained on images can."
        )
    return np.ascontiguousarray(kernel.T).reshape((kernel.shape[1],) + tuple(image_shape))


def symmetric_limit(*arrays: np.ndarray) -> float:
    """The largest |value| over `arrays`: a colour scale [-limit, limit] centred at zero that all share."""
    return max((float(np.abs(a).max()) for a in arrays if a.size), default=0.0) or 1.0


def first_dense(layers: LayerWeights) -> tuple[str, np.ndarray, np.ndarray] | None:
    """The first layer if it is Dense (an MLP's first hidden layer, or its output layer when it has none)."""
    return layers[0] if layers and layers[0][1].ndim == 2 else None


KERAS_NAMES = {
    "Dense": "dense",
    "Conv2D": "conv2d",
    "MaxPooling2D": "max_pooling2d",
    "Flatten": "flatten",
    "Dropout": "dropout",
    "RandomFlip": "random_flip",
    "RandomRotation": "random_rotation",
    "RandomTranslation": "random_translation",
    "RandomZoom": "random_zoom",
    "RandomContrast": "random_contrast",
    "GaussianNoise": "gaussian_noise",
}


def layer_addresses(rows, backend: str) -> list[dict]:
    """How each layer of a model summary (`core.params.layer_counts` rows) is reached in code: its position in
    `model.layers`, the name Keras gives it in a plain script (dense, dense_1, ...: NN Lab names it hidden_1), and
    the call that reads its weights on this backend (Keras's get_weights(), scikit-learn's coefs_/intercepts_)."""
    counters: dict[str, int] = {}
    dense_seen, out = 0, []
    for i, row in enumerate(rows):
        base = KERAS_NAMES.get(row.kind, row.kind.lower())
        n = counters.get(base, 0)
        counters[base] = n + 1
        if backend == "sklearn":
            read = (
                f"model.coefs_[{dense_seen}], model.intercepts_[{dense_seen}]" if row.kind == "Dense" else "no weights"
            )
        else:
            read = f"model.layers[{i}].get_weights()" if row.params else "no weights"
        dense_seen += row.kind == "Dense"
        out.append(
            {
                "model.layers[i]": i,
                "name in NN Lab": row.name,
                "read it with": read,
                "name in a plain Keras script": base if n == 0 else f"{base}_{n}",
                "type": row.kind,
                "parameters": row.params,
            }
        )
    return out
