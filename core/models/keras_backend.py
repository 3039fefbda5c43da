"""Keras backend: a Sequential built from an MLPSpec or a CNNSpec. TensorFlow is imported here only,
when the first Keras model is built (importing it costs 5-10 s on a small machine).
"""

from __future__ import annotations

import random
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

import numpy as np

from core.activations import ACTIVATIONS, KERAS_ACTIVATIONS
from core.errors import DataFormatError, InvalidSpecError
from core.models.base import BaseModel, EpochTracker
from core.spec import CNNSpec, MLPSpec, TrainConfig

PREDICT_BATCH = 4096


def load_keras() -> ModuleType:
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras

    return keras


@contextmanager
def seeded(keras: ModuleType, seed: int):
    """`keras.utils.set_random_seed(seed)`, with the seeds Keras draws for layers without one (initializers,
    Dropout) taken from a private `random.Random(seed)` instead of Python's global generator. It gives the same
    numbers plain Keras draws after set_random_seed in a one-thread script, but on a Dask worker other threads
    draw from the global generator too (retry jitter, ...), and 1 run in 8 started from other weights."""
    from keras.src.random import seed_generator

    keras.utils.set_random_seed(seed)
    shared = seed_generator.python_random
    seed_generator.python_random = random.Random(seed)
    try:
        yield
    finally:
        seed_generator.python_random = shared


def first_weights(keras, init: str) -> dict:
    """A Dense layer's initializers for `core.spec.INITS` (none for Keras's own)."""
    if init == "keras":
        return {}
    kernel = keras.initializers.Zeros() if init == "zero" else keras.initializers.RandomUniform(-0.5, 0.5)
    return {"kernel_initializer": kernel, "bias_initializer": keras.initializers.Constant(0.1)}


# Keras's mean squared error on p = (tanh + 1) / 2 and y = 0, 1, weighted to the Playground's loss on its tanh unit:
# 0.5 (tanh - t)^2 with t = 2y - 1 is 2 (p - y)^2, so the same gradients reach every weight.
SQUARED_ERROR_WEIGHT = 2.0


def steps_per_execution(spec, n_train: int, batch_size: int) -> int:
    """Batches Keras runs per call of its compiled step: a short MLP epoch (at most 32 batches) in one call, the
    same updates in fewer calls (the Playground's batch of 10 on 250 points: 25 calls an epoch became one, about
    1.6x faster); longer epochs and convnets one batch a call, so the time limit still stops them after the batch
    that passed it."""
    steps = -(-n_train // max(1, batch_size))
    return steps if isinstance(spec, MLPSpec) and steps <= 32 else 1


class KerasModel(BaseModel):
    backend = "keras"
    file_suffix = ".keras"

    def __init__(self, spec, input_shape, n_outputs, task, seed: int = 0) -> None:
        if spec.activation not in KERAS_ACTIVATIONS:
            raise InvalidSpecError(
                f"{ACTIVATIONS[spec.activation]().title} is not trainable in Keras by gradient descent; choose one "
                f"of {', '.join(KERAS_ACTIVATIONS)}."
            )
        super().__init__(spec, input_shape, n_outputs, task)
        keras = load_keras()
        with seeded(keras, seed):
            self.model_ = keras.Sequential(self._layers(keras), name=f"nnlab_{spec.__class__.__name__.lower()}")
        self._intermediate = None

    def _layers(self, keras) -> list:
        L, spec, act = keras.layers, self.spec, self.spec.activation
        layers = [keras.Input(shape=self.input_shape)]
        if isinstance(spec, CNNSpec):
            if len(self.input_shape) != 3:
                raise InvalidSpecError(f"a CNN needs image inputs (h, w, c), received shape {self.input_shape}.")
            layers += spec.augmentation.keras_layers(keras)  # active only while training
            for i, filters in enumerate(spec.conv_filters, 1):
                layers.append(L.Conv2D(filters, spec.kernel_size, activation=act, padding="valid", name=f"conv_{i}"))
                if spec.pool_size > 1:
                    layers.append(L.MaxPooling2D(spec.pool_size, name=f"pool_{i}"))
            layers.append(L.Flatten(name="flatten"))
            if spec.dropout > 0:
                layers.append(L.Dropout(spec.dropout, name="dropout"))
            widths = spec.dense_layers
        else:
            if len(self.input_shape) > 1:
                layers.append(L.Flatten(name="flatten"))
            widths = spec.hidden_layers
        init = spec.init if isinstance(spec, MLPSpec) else "keras"
        for i, units in enumerate(widths, 1):  # each layer its own initializers (each draws its seed, as a script's)
            layers.append(L.Dense(units, activation=act, name=f"hidden_{i}", **first_weights(keras, init)))
            if isinstance(spec, MLPSpec) and spec.dropout > 0:
                layers.append(L.Dropout(spec.dropout, name=f"dropout_{i}"))
        out = self.output
        layers.append(L.Dense(self.n_units, activation=out, name="output", **first_weights(keras, init)))
        if out == "tanh":  # the Playground's unit read as the probability of class 1, (tanh + 1) / 2
            layers.append(L.Rescaling(0.5, offset=0.5, name="probability"))
        return layers

    def _compile(self, keras, config: TrainConfig, n_train: int) -> None:
        optimizers = {"sgd": keras.optimizers.SGD, "adam": keras.optimizers.Adam, "rmsprop": keras.optimizers.RMSprop}
        penalty = None
        if config.l1 > 0 or config.l2 > 0:
            penalty = keras.regularizers.L1L2(l1=config.l1, l2=config.l2)
        for layer in self.model_.layers:
            if hasattr(layer, "kernel"):
                layer.kernel.regularizer = penalty
        if self.task == "regression":
            # pooled over the targets (variance weighted), as `_score_from_output` scores validation and test
            loss, metrics = "mse", [keras.metrics.R2Score(name="r2", class_aggregation="variance_weighted_average")]
        elif (
            self.output == "tanh"
        ):  # the Playground's 0.5 (tanh - t)^2 on t = -1, 1 is 2 (p - y)^2 on p = (tanh + 1) / 2
            loss, metrics = "mse", [keras.metrics.BinaryAccuracy(name="accuracy")]
        else:
            loss = "binary_crossentropy" if self.n_units == 1 else "sparse_categorical_crossentropy"
            metrics = ["accuracy"]
        self.model_.compile(
            optimizer=optimizers[config.optimizer](learning_rate=config.learning_rate),
            loss=loss,
            loss_weights=[SQUARED_ERROR_WEIGHT] if self.output == "tanh" else None,
            metrics=metrics,
            steps_per_execution=steps_per_execution(self.spec, n_train, config.batch_size),
        )

    def _fit_epochs(self, X_tr, y_tr, X_val, y_val, config: TrainConfig, tracker: EpochTracker) -> None:
        keras = load_keras()
        with seeded(keras, config.seed + tracker.start_epoch):
            self._compile(keras, config, len(X_tr))
            self._fit_seeded(keras, X_tr, y_tr, X_val, y_val, config, tracker)

    def _fit_seeded(self, keras, X_tr, y_tr, X_val, y_val, config: TrainConfig, tracker: EpochTracker) -> None:

        deadline = self.deadline

        class _Epochs(keras.callbacks.Callback):
            def on_train_batch_end(cb, batch, logs=None):  # noqa: N805 - an epoch of a large set can be long
                if deadline is not None and time.monotonic() > deadline:
                    cb.model.stop_training = True  # Keras ends the epoch after this batch

            def on_epoch_end(cb, epoch, logs=None):  # noqa: N805 - `self` is the outer model
                logs = {k: v for k, v in (logs or {}).items() if not k.startswith("val_")}
                if np.isfinite(logs.get("loss", np.nan)):
                    logs.update(self._validation_logs(X_val, y_val))
                if tracker.end_epoch(logs):
                    cb.model.stop_training = True

        target = y_tr.astype(np.float32) if self.n_units == 1 and self.task == "classification" else y_tr
        self.model_.fit(
            X_tr,
            target,
            batch_size=min(config.batch_size, len(X_tr)),
            epochs=config.epochs,
            verbose=0,
            shuffle=config.shuffle,
            callbacks=[_Epochs()],
        )

    def _raw_output(self, X: np.ndarray) -> np.ndarray:
        if len(X) <= PREDICT_BATCH:
            # An eager call: no tf.function to retrace for each new input shape (validation set, grid, ...).
            return np.asarray(self.model_(X, training=False))
        return np.asarray(self.model_.predict(X, batch_size=PREDICT_BATCH, verbose=0))

    def layer_weights(self) -> list[tuple[str, np.ndarray, np.ndarray]]:
        return [
            (layer.name, *(np.asarray(w) for w in layer.get_weights()))
            for layer in self.model_.layers
            if len(layer.get_weights()) == 2
        ]

    def layer_outputs(self, X: np.ndarray) -> list[tuple[str, np.ndarray]]:
        keras = load_keras()
        X = self._check_X(X)
        if self._intermediate is None:
            self._intermediate = keras.Model(
                inputs=self.model_.inputs[0], outputs=[layer.output for layer in self.model_.layers]
            )
        outs = self._intermediate.predict(X, batch_size=PREDICT_BATCH, verbose=0)
        named = [(layer.name, np.asarray(o)) for layer, o in zip(self.model_.layers, outs)]
        if named[-1][0] == "probability":  # the tanh unit's output is read as its probability, as everywhere
            named = named[:-2] + [("output", named[-1][1])]
        return named

    def save_bytes(self) -> bytes:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"model{self.file_suffix}"
            self.model_.save(path)
            return path.read_bytes()

    def load_bytes(self, content: bytes) -> None:
        """Keras's safe mode: a file whose layers would run arbitrary code (Lambda) is refused."""
        keras = load_keras()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"model{self.file_suffix}"
            path.write_bytes(content)
            try:
                loaded = keras.saving.load_model(path, safe_mode=True, compile=False)
            except (ValueError, OSError, TypeError) as exc:
                raise DataFormatError(f"Not a .keras model file NN Lab can load safely ({exc}).") from exc
        if tuple(loaded.input_shape[1:]) != self.input_shape or loaded.output_shape[-1] != self.n_units:
            raise DataFormatError(
                f"The file holds a network for inputs {loaded.input_shape[1:]} and {loaded.output_shape[-1]} outputs; "
                f"expected inputs {self.input_shape} and {self.n_units} outputs."
            )
        self.model_, self._intermediate = loaded, None
