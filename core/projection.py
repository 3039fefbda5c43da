"""What a layer makes of the data: a layer's activations for many samples, from any recorded epoch's weights, laid
out in 2-D (PCA or t-SNE, scikit-learn's), the samples nearest to one in that layer, and how well the classes
separate there. The lessons' question "what did the hidden layer learn?" answered on the student's own network.

    names = layer_names(spec, layers)                       # ["input", "hidden_1", ..., "output"]
    A = activations(spec, layers, X, "hidden_1", task, n_units)   # (n, units), NumPy: no TensorFlow
    pca = fit_pca(A_at_last_epoch); xy = pca.transform(A)    # one fit, so the epochs' frames are comparable
    xy = tsne(A, seed=0, progress=lambda done: ...)         # each epoch its own layout
    nearest(A_train, A[i], k=5)                            # indices of the 5 closest training samples
    separation(A, y)                                        # silhouette score: higher = classes further apart

Definitions: "input" is layer 0, the samples as the network receives them (flattened). A layer's activations are
its outputs after the activation function, as Keras's layer outputs (tests compare them); a convolution or pooling
layer is its maps flattened row by row (Keras's Flatten), or, when that is over `MAX_FEATURES` numbers a sample
(the first maps of a convnet), each map's mean (one number per filter: what global average pooling keeps).
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.cnn import feature_maps
from core.errors import InvalidSpecError
from core.models.frozen import mlp_outputs
from core.snapshots import LayerWeights
from core.spec import CNNSpec, MLPSpec

INPUT = "input"
MAX_SAMPLES = 2000  # samples a view projects: t-SNE of 2,000 takes seconds, and a chart of more is a blot
MAX_FEATURES = 8192  # numbers a sample above which a conv layer's maps are averaged (26x26x32 = 21,632)
BATCH = 256  # images per convnet forward pass
TSNE_PCA = 50  # t-SNE starts from this many principal components (the usual first step: faster, less noise)


def layer_names(spec: MLPSpec | CNNSpec, layers: LayerWeights) -> list[str]:
    """Layer 0 (the input), then every layer with an output: hidden_1.., or conv_1, pool_1, .., then output."""
    if isinstance(spec, CNNSpec):
        names = []
        for i in range(1, len(spec.conv_filters) + 1):
            names += [f"conv_{i}"] + ([f"pool_{i}"] if spec.pool_size > 1 else [])
        return [INPUT, *names, *(f"hidden_{j}" for j in range(1, len(spec.dense_layers) + 1)), "output"]
    return [INPUT, *(name for name, _, _ in layers)]


def _flat(values: np.ndarray) -> np.ndarray:
    """(n, h, w, c) maps -> (n, h*w*c), or (n, c) means when that is over MAX_FEATURES; (n, units) unchanged."""
    if values.ndim == 4 and np.prod(values.shape[1:]) > MAX_FEATURES:
        return values.mean(axis=(1, 2))
    return values.reshape(len(values), -1)


def averaged(spec: MLPSpec | CNNSpec, input_shape: tuple[int, ...], layer: str) -> bool:
    """Whether `layer`'s maps are shown as one mean per map (too many numbers a sample to lay out whole)."""
    if not isinstance(spec, CNNSpec) or layer == INPUT or not layer.startswith(("conv_", "pool_")):
        return False
    h, w, _ = input_shape
    for i, filters in enumerate(spec.conv_filters, start=1):
        h, w = h - spec.kernel_size + 1, w - spec.kernel_size + 1
        if layer == f"conv_{i}":
            return h * w * filters > MAX_FEATURES
        if spec.pool_size > 1:
            h, w = h // spec.pool_size, w // spec.pool_size
        if layer == f"pool_{i}":
            return h * w * filters > MAX_FEATURES
    return False


def activations(
    spec: MLPSpec | CNNSpec, layers: LayerWeights, X: np.ndarray, layer: str, task: str, n_units: int
) -> np.ndarray:
    """`layer`'s activations for the samples X (n, ...), as (n, features) float32, from `layers` (a model's
    `layer_weights()` or a recorded epoch's)."""
    names = layer_names(spec, layers)
    if layer not in names:
        raise InvalidSpecError(f"This network has no layer {layer!r}: its layers are {', '.join(names)}.")
    X = np.asarray(X)
    if layer == INPUT:
        return X.reshape(len(X), -1).astype(np.float32)
    if isinstance(spec, CNNSpec):
        parts = []
        for i in range(0, len(X), BATCH):
            maps = feature_maps(spec, layers, X[i : i + BATCH], task, n_units, dtype=np.float32)
            parts.append(_flat(next(m.values for m in maps if m.name == layer)).astype(np.float32))
        return np.concatenate(parts) if parts else np.zeros((0, 0), np.float32)
    outputs = dict(mlp_outputs(layers, X.astype(np.float64), spec.activation, task, n_units, X.ndim > 2, spec.output))
    return outputs[layer].astype(np.float32)


@dataclass(frozen=True)
class PCA2:
    """Two principal axes of one set of activations: `transform` lays any set of the same layer on them."""

    mean: np.ndarray  # (features,)
    axes: np.ndarray  # (2, features), scikit-learn's components_ (its signs)
    explained: tuple[float, float]  # fraction of the variance along each axis

    def transform(self, A: np.ndarray) -> np.ndarray:
        return ((np.asarray(A, np.float64) - self.mean) @ self.axes.T).astype(np.float32)


def fit_pca(A: np.ndarray) -> PCA2:
    """scikit-learn's PCA with two components (an exact SVD, so the same activations give the same axes)."""
    from sklearn.decomposition import PCA

    A = np.asarray(A, np.float64)
    if A.ndim != 2 or len(A) < 3:
        raise InvalidSpecError("A projection needs at least 3 samples.")
    k = min(2, A.shape[1])
    pca = PCA(n_components=k, svd_solver="full").fit(A)
    axes = np.zeros((2, A.shape[1]))
    axes[:k] = pca.components_
    ratio = [float(r) for r in pca.explained_variance_ratio_] + [0.0] * (2 - k)
    return PCA2(pca.mean_, axes, (ratio[0], ratio[1]))


class _ThreadOutput(io.TextIOBase):
    """sys.stdout that hands what one thread prints to a callback and everything else on, unchanged: how t-SNE's
    progress lines (scikit-learn prints them) reach a progress bar without touching the server's other output."""

    def __init__(self, original) -> None:
        self.original, self.listeners = original, {}

    def write(self, text: str) -> int:
        listener = self.listeners.get(threading.get_ident())
        return listener(text) or len(text) if listener else self.original.write(text)

    def flush(self) -> None:
        self.original.flush()


_OUTPUT_LOCK = threading.Lock()


@contextlib.contextmanager
def _lines_of_this_thread(listener: Callable[[str], None]):
    with _OUTPUT_LOCK:
        if not isinstance(sys.stdout, _ThreadOutput):
            sys.stdout = _ThreadOutput(sys.stdout)
        sys.stdout.listeners[threading.get_ident()] = listener
    try:
        yield
    finally:
        with _OUTPUT_LOCK:
            sys.stdout.listeners.pop(threading.get_ident(), None)


TSNE_ITERATIONS = 1000  # scikit-learn's default max_iter
_ITERATION = re.compile(r"\[t-SNE\] Iteration (\d+)")


def tsne(A: np.ndarray, seed: int = 0, progress: Callable[[float], None] | None = None) -> np.ndarray:
    """scikit-learn's t-SNE of the activations (n, features) -> (n, 2) float32: PCA to TSNE_PCA dimensions first,
    perplexity 30 (less for few samples), PCA initialisation, seeded. `progress(fraction)` hears its iterations."""
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE

    A = np.asarray(A, np.float64)
    if A.ndim != 2 or len(A) < 5:
        raise InvalidSpecError("t-SNE needs at least 5 samples.")
    if A.shape[1] > TSNE_PCA and len(A) > TSNE_PCA:
        A = PCA(n_components=TSNE_PCA, random_state=seed).fit_transform(A)
    model = TSNE(
        n_components=2,
        perplexity=min(30.0, (len(A) - 1) / 3),
        init="pca",
        random_state=seed,
        max_iter=TSNE_ITERATIONS,
        verbose=2 if progress else 0,
    )

    def heard(text: str) -> None:
        if found := _ITERATION.search(text):
            progress(min(int(found.group(1)) / TSNE_ITERATIONS, 1.0))

    with _lines_of_this_thread(heard) if progress else contextlib.nullcontext():
        xy = model.fit_transform(A)
    if progress:
        progress(1.0)
    return xy.astype(np.float32)


def nearest(A: np.ndarray, a: np.ndarray, k: int = 5) -> np.ndarray:
    """Indices of the k rows of A closest to a (Euclidean), closest first."""
    d = ((np.asarray(A, np.float64) - np.asarray(a, np.float64)) ** 2).sum(axis=1)
    k = min(k, len(A))
    order = np.argpartition(d, k - 1)[:k] if k < len(A) else np.arange(len(A))
    return order[np.argsort(d[order], kind="stable")]


def separation(A: np.ndarray, y: np.ndarray) -> float:
    """The silhouette score of the classes in this layer (-1..1; higher: the classes lie further apart)."""
    from sklearn.metrics import silhouette_score

    return float(silhouette_score(np.asarray(A, np.float64), np.asarray(y)))


__all__ = [
    "INPUT",
    "MAX_FEATURES",
    "MAX_SAMPLES",
    "PCA2",
    "activations",
    "averaged",
    "fit_pca",
    "layer_names",
    "nearest",
    "separation",
    "tsne",
]
