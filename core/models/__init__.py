"""Build a trainable network from a spec, on scikit-learn or Keras, behind one interface.

    m = build_model(MLPSpec((16, 16)), backend="sklearn", input_shape=(64,), n_outputs=10, task="classification")
    history = m.fit(X, y, TrainConfig(epochs=20), callback=on_epoch)

Both backends build the same output layer (one linear unit per target; ONE logistic unit for two
classes; softmax over one unit per class otherwise), so their parameter counts agree.
"""

from __future__ import annotations

from core.errors import InvalidSpecError
from core.models.base import BaseModel, History
from core.params import check_budget, output_units
from core.spec import CNNSpec, MLPSpec

BACKENDS = ("sklearn", "keras")
MAX_PARAMS = 5_000_000  # a classroom laptop trains anything larger too slowly to watch


def build_model(
    spec: MLPSpec | CNNSpec,
    backend: str = "sklearn",
    *,
    input_shape: tuple[int, ...],
    n_outputs: int,
    task: str = "classification",
    seed: int = 0,
    max_params: int = MAX_PARAMS,
) -> BaseModel:
    """A fresh, untrained model. n_outputs: classes (classification; 1 or 2 both mean binary) or targets.

    Raises InvalidSpecError for an unknown backend, a combination the backend cannot build, or a
    network with more than `max_params` parameters (refused before anything is allocated).
    """
    if backend not in BACKENDS:
        raise InvalidSpecError(f"backend must be one of {', '.join(BACKENDS)}, received {backend!r}.")
    if n_outputs < 1:
        raise InvalidSpecError(f"n_outputs must be at least 1, received {n_outputs}.")
    check_budget(spec, tuple(input_shape), output_units(task, max(2, n_outputs), n_outputs), max_params)
    return backend_class(backend)(spec, input_shape, n_outputs, task, seed=seed)


def backend_class(backend: str) -> type[BaseModel]:
    """The model class of a backend, imported on demand (the Keras one imports TensorFlow when it builds)."""
    if backend == "sklearn":
        from core.models.sklearn_backend import SklearnModel

        return SklearnModel
    if backend == "keras":
        from core.models.keras_backend import KerasModel

        return KerasModel
    raise InvalidSpecError(f"backend must be one of {', '.join(BACKENDS)}, received {backend!r}.")


def load_model(
    content: bytes,
    backend: str,
    spec: MLPSpec | CNNSpec,
    *,
    input_shape: tuple[int, ...],
    n_outputs: int,
    task: str = "classification",
) -> BaseModel:
    """A model back from the bytes of its file (`model.save_bytes()`), read the backend's safe way: a
    `.keras` file with Keras's safe mode (no lambda layers), a skops file admitting scikit-learn's MLP only."""
    model = backend_class(backend)(spec, input_shape, n_outputs, task)
    model.load_bytes(content)
    return model


__all__ = ["BACKENDS", "BaseModel", "History", "MAX_PARAMS", "backend_class", "build_model", "load_model"]
