"""A trained Keras model as the server keeps it: its weights, its `.keras` file and its history, with the forward
pass in NumPy. Training jobs run on workers; what comes back to the server is this, so the server never imports
TensorFlow (5-10 s and ~500 MB) nor keeps a TensorFlow graph per retrain.

    frozen = FrozenModel.from_model(keras_model)      # on the worker, after training
    frozen.predict_proba(X); frozen.layer_outputs(X); frozen.save_bytes()    # on the server, no TensorFlow

Its outputs equal the Keras model's to float precision (tests compare them): Dense layers and the convnet's
layers as `core.cnn` computes them; Dropout and the augmentation layers do nothing at inference.
"""

from __future__ import annotations

import numpy as np

from core.activations import get_activation
from core.cnn import feature_maps
from core.errors import InvalidSpecError
from core.models.base import BaseModel, EpochTracker
from core.params import output_activation, output_values
from core.snapshots import LayerWeights
from core.spec import CNNSpec, TrainConfig

BATCH = 256  # images per convnet forward pass (its first maps are large)


def mlp_outputs(
    layers: LayerWeights,
    X: np.ndarray,
    activation: str,
    task: str,
    n_units: int,
    image: bool,
    output: str = "sigmoid",
) -> list[tuple[str, np.ndarray]]:
    """An MLP's forward pass from its (name, kernel, bias) layers: the activations after each layer, with the
    flattened input first for image inputs (Keras's Flatten layer); `output` is `MLPSpec.output`."""
    a = X.reshape(len(X), -1)
    outputs = [("flatten", a)] if image else []
    hidden, out = get_activation(activation).fn, output_activation(task, n_units, output)
    for i, (name, W, b) in enumerate(layers):
        z = a @ W + b
        a = hidden(z) if i < len(layers) - 1 else output_values(z, out)
        outputs.append((name, a))
    return outputs


class FrozenModel(BaseModel):
    """A finished Keras model: read-only, the same read side as every model (predict, layers, file)."""

    backend = "keras"
    file_suffix = ".keras"

    def __init__(self, spec, input_shape, n_outputs, task, layers: LayerWeights, file: bytes) -> None:
        super().__init__(spec, input_shape, n_outputs, task)
        self.layers_, self.file_ = [(n, np.asarray(W), np.asarray(b)) for n, W, b in layers], file

    @classmethod
    def from_model(cls, model: BaseModel) -> "FrozenModel":
        n_outputs = model.n_classes if model.task == "classification" else model.n_units
        frozen = cls(model.spec, model.input_shape, n_outputs, model.task, model.layer_weights(), model.save_bytes())
        frozen.history = model.history
        return frozen

    def layer_weights(self) -> LayerWeights:
        return [(n, W.copy(), b.copy()) for n, W, b in self.layers_]

    def layer_outputs(self, X: np.ndarray) -> list[tuple[str, np.ndarray]]:
        X = self._check_X(X)
        if isinstance(self.spec, CNNSpec):
            maps = feature_maps(self.spec, self.layers_, X, self.task, self.n_units)
            return [(m.name, m.values) for m in maps]
        image = len(self.input_shape) > 1
        return mlp_outputs(self.layers_, X, self.spec.activation, self.task, self.n_units, image, self.spec.output)

    def _raw_output(self, X: np.ndarray) -> np.ndarray:
        if not isinstance(self.spec, CNNSpec):
            return self.layer_outputs(X)[-1][1]
        return np.concatenate(
            [self.layer_outputs(X[i : i + BATCH])[-1][1] for i in range(0, len(X), BATCH)]
            or [np.zeros((0, self.n_units))]
        )

    def save_bytes(self) -> bytes:
        return self.file_

    def load_bytes(self, content: bytes) -> None:
        raise InvalidSpecError("A finished run's model is read-only: load the file with core.models.load_model.")

    def _fit_epochs(self, X_tr, y_tr, X_val, y_val, config: TrainConfig, tracker: EpochTracker) -> None:
        raise InvalidSpecError("A finished run's model is read-only: start a new run to train again.")


__all__ = ["FrozenModel", "mlp_outputs"]
