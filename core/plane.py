"""A 2-D set's model over its plane (TensorFlow Playground's views): the output as a grid for the decision
boundary, and every unit's output as a small grid for the network diagram. Plain NumPy on any backend's weights:
the server computes them from a finished run, a worker from a run in progress."""

from __future__ import annotations

from typing import Callable

import numpy as np

from core.models.frozen import mlp_outputs
from core.snapshots import LayerWeights
from core.spec import MLPSpec

UNIT_RESOLUTION = 14  # cells a side of a unit's small grid in the network diagram
DRAWN_UNITS = 8  # the diagram draws networks of up to this many units a layer (the Playground's most)


def drawable(spec, n_inputs: int) -> bool:
    """Whether the network diagram draws `spec` unit by unit: an MLP of at most DRAWN_UNITS inputs and units a
    layer."""
    hidden = getattr(spec, "hidden_layers", None)
    return hidden is not None and max((n_inputs, *hidden)) <= DRAWN_UNITS


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


def units_over_plane(
    layers: LayerWeights, spec: MLPSpec, data, resolution: int = UNIT_RESOLUTION
) -> tuple[np.ndarray, np.ndarray, list[tuple[str, np.ndarray]]]:
    """Every unit's output over a 2-D set's plane, from an MLP's (name, kernel, bias) layers (any backend's
    `layer_weights()`, or a recorded epoch's): (xs, ys, [(name, values (units, r, r))]), the inputs the network
    takes first ("input": its features, scaled as it sees them), then each hidden layer, then the output (P(class
    1), or the prediction in the model's own units). `data` is the PreparedData it trained on."""
    xs, ys, _ = plane_grid(lambda g: np.zeros(len(g)), data.points_train, resolution)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2).astype(np.float32)
    inputs = data.plane_inputs(grid)
    n_units = layers[-1][1].shape[1]
    outputs = [("input", inputs)] + mlp_outputs(
        layers, inputs, spec.activation, data.task, n_units, image=False, output=spec.output
    )
    return xs, ys, [(name, a.T.reshape(a.shape[1], resolution, resolution)) for name, a in outputs]
