"""Parameter counting by hand, layer by layer: the numbers the lessons ask students to work out.

count_params(spec, input_shape, n_outputs) equals Keras's `model.count_params()` and the total size of
scikit-learn's `coefs_` and `intercepts_` (checked in the tests against both).
"""

from __future__ import annotations

from dataclasses import dataclass
from math import prod

import numpy as np

from core.activations import get_activation, softmax
from core.errors import InvalidSpecError
from core.spec import CNNSpec, MLPSpec


@dataclass(frozen=True)
class LayerCount:
    """One row of a Keras-style summary. `formula` shows the arithmetic with the numbers filled in."""

    name: str
    kind: str  # "Dense" | "Conv2D" | "MaxPooling2D" | "Flatten" | "Dropout"
    output_shape: tuple[int, ...]  # without the batch axis
    params: int
    formula: str


def output_units(task: str, n_classes: int = 0, n_targets: int = 1) -> int:
    """Units of the output layer: one per target (regression), ONE logistic unit (2 classes), else one per class."""
    if task == "regression":
        return n_targets
    if n_classes < 2:
        raise InvalidSpecError(f"classification needs at least 2 classes, received {n_classes}.")
    return 1 if n_classes == 2 else n_classes


def output_activation(task: str, units: int, output: str = "sigmoid") -> str:
    """The output layer's activation: linear (regression), sigmoid (ONE logistic unit), softmax (one per class), or
    tanh (ONE unit, TensorFlow Playground's: `MLPSpec.output`)."""
    if task == "regression":
        return "linear"
    return output if units == 1 else "softmax"


def output_values(z: np.ndarray, activation: str) -> np.ndarray:
    """The output layer's values from its pre-activations z as NN Lab reads them: probabilities (softmax, sigmoid;
    tanh's unit as (tanh(z) + 1) / 2, the probability of class 1) or a regression's values (linear)."""
    if activation == "softmax":
        return softmax(z)
    if activation == "sigmoid":
        return get_activation("sigmoid").fn(z)
    if activation == "tanh":
        return (np.tanh(z) + 1) / 2
    return z


def check_budget(spec: "MLPSpec | CNNSpec", input_shape: tuple[int, ...], n_outputs: int, max_params: int) -> int:
    """The parameter count of `spec`, or InvalidSpecError when it is over `max_params` (checked before anything
    is built: a network too large to train at a classroom pace is refused with the numbers)."""
    total = count_params(spec, input_shape, n_outputs)
    if total > max_params:
        raise InvalidSpecError(
            f"This network has {total:,} parameters, over the budget of {max_params:,} that trains at a classroom "
            "pace (too slow to watch). Use fewer or narrower layers."
        )
    return total


def _dense(name: str, n_in: int, n_out: int) -> LayerCount:
    return LayerCount(name, "Dense", (n_out,), n_in * n_out + n_out, f"{n_in} x {n_out} + {n_out}")


def layer_counts(spec: MLPSpec | CNNSpec, input_shape: tuple[int, ...], n_outputs: int) -> list[LayerCount]:
    """The rows of the model summary, in order, with layer names that match `build_model`'s."""
    rows: list[LayerCount] = []
    if isinstance(spec, MLPSpec):
        n_in = prod(input_shape)
        if len(input_shape) > 1:
            rows.append(LayerCount("flatten", "Flatten", (n_in,), 0, "0 (reshapes only)"))
        widths = spec.hidden_layers
    else:
        if len(input_shape) != 3:
            raise InvalidSpecError(f"a CNN needs image input (height, width, channels), received shape {input_shape}.")
        h, w, c = input_shape
        k, p = spec.kernel_size, spec.pool_size
        rows += [
            LayerCount(name, cls, tuple(input_shape), 0, "0 (training only)")
            for name, cls, _, _ in spec.augmentation.layer_calls()
        ]
        for i, filters in enumerate(spec.conv_filters, 1):
            h, w = h - k + 1, w - k + 1
            if h < 1 or w < 1:
                raise InvalidSpecError(
                    f"conv_{i}: a {k}x{k} kernel does not fit the {h + k - 1}x{w + k - 1} input left by the "
                    "layers before it. Use fewer conv layers or a smaller kernel."
                )
            rows.append(
                LayerCount(
                    f"conv_{i}",
                    "Conv2D",
                    (h, w, filters),
                    k * k * c * filters + filters,
                    f"{k} x {k} x {c} x {filters} + {filters}",
                )
            )
            c = filters
            if p > 1:
                h, w = h // p, w // p
                if h < 1 or w < 1:
                    raise InvalidSpecError(f"pool_{i}: {p}x{p} pooling leaves no pixels. Use fewer conv layers.")
                rows.append(LayerCount(f"pool_{i}", "MaxPooling2D", (h, w, c), 0, "0 (no weights)"))
        n_in = h * w * c
        rows.append(LayerCount("flatten", "Flatten", (n_in,), 0, "0 (reshapes only)"))
        if spec.dropout > 0:
            rows.append(LayerCount("dropout", "Dropout", (n_in,), 0, "0 (no weights)"))
        widths = spec.dense_layers
    for i, units in enumerate(widths, 1):
        rows.append(_dense(f"hidden_{i}", n_in, units))
        if isinstance(spec, MLPSpec) and spec.dropout > 0:
            rows.append(LayerCount(f"dropout_{i}", "Dropout", (units,), 0, "0 (no weights)"))
        n_in = units
    rows.append(_dense("output", n_in, n_outputs))
    return rows


def count_params(spec: MLPSpec | CNNSpec, input_shape: tuple[int, ...], n_outputs: int) -> int:
    """Total trainable parameters (weights + biases) of `spec` on inputs of `input_shape` (no batch axis)."""
    return sum(row.params for row in layer_counts(spec, tuple(input_shape), n_outputs))


def totals_by_width(widths: list[int], depths: list[int], n_inputs: int, n_outputs: int) -> dict[int, list[int]]:
    """{depth: [total parameters of an MLP with `depth` hidden layers all of width w, for w in widths]}:
    how the count grows with width (linearly for one layer, quadratically from two on)."""
    for label, value in (("n_inputs", n_inputs), ("n_outputs", n_outputs), *(("width", w) for w in widths)):
        if value < 1:
            raise InvalidSpecError(f"{label} must be at least 1, received {value}.")
    return {d: [count_params(MLPSpec(hidden_layers=(w,) * d), (n_inputs,), n_outputs) for w in widths] for d in depths}


@dataclass(frozen=True)
class Architecture:
    """A network to count: its spec, the input shape it sees and its output units."""

    spec: MLPSpec | CNNSpec
    input_shape: tuple[int, ...]
    n_outputs: int


LESSON_ARCHITECTURES: dict[str, Architecture] = {
    "Fashion-MNIST MLP 300-100 (Keras lesson)": Architecture(MLPSpec((300, 100)), (784,), 10),
    "MNIST convnet (Keras lesson)": Architecture(
        CNNSpec(conv_filters=(32, 64), dropout=0.2), (28, 28, 1), 10
    ),  # Dropout(0.2)
    "digits MLP 16-16 (scikit-learn lesson)": Architecture(MLPSpec((16, 16)), (64,), 10),
    "iris logistic regression": Architecture(MLPSpec(()), (4,), 3),
    "CIFAR-10 convnet": Architecture(CNNSpec(conv_filters=(32, 64), dense_layers=(64,), dropout=0.5), (32, 32, 3), 10),
}
