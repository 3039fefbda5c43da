"""The hidden space (core/projection.py): a layer's activations as Keras computes them, its PCA as scikit-learn's on
those, the classes further apart in the last hidden layer than in the inputs, nearest neighbours, t-SNE's progress."""

import numpy as np
import pytest

from core.datasets import load_dataset
from core.experiment import prepare_data
from core.models import build_model
from core.projection import (
    INPUT,
    MAX_FEATURES,
    activations,
    averaged,
    fit_pca,
    layer_names,
    nearest,
    separation,
    tsne,
)
from core.spec import CNNSpec, MLPSpec, TrainConfig


@pytest.fixture(scope="module")
def digits():
    return prepare_data(load_dataset("digits"), 0.2, 0)


@pytest.mark.keras
def test_a_layers_pca_is_scikit_learns_pca_of_the_activations_keras_computes(digits):
    """The same weights in a Keras model: its layer outputs, projected by scikit-learn's PCA, are the page's points
    (float32 activations; 1e-4 on coordinates of size ~1-10)."""
    from sklearn.decomposition import PCA

    spec = MLPSpec(hidden_layers=(24, 12), activation="tanh")
    model = build_model(spec, "keras", input_shape=digits.input_shape, n_outputs=10)
    model.fit(digits.X_train, digits.y_train, TrainConfig(epochs=3, batch_size=64, learning_rate=1e-2))
    X, layers = digits.X_test, model.layer_weights()
    keras_out = dict(model.layer_outputs(X))
    assert layer_names(spec, layers) == [INPUT, "hidden_1", "hidden_2", "output"]
    for name in ("hidden_1", "hidden_2"):
        ours = activations(spec, layers, X, name, "classification", 10)
        np.testing.assert_allclose(ours, keras_out[name], atol=1e-5)
        expected = PCA(n_components=2).fit_transform(keras_out[name])
        np.testing.assert_allclose(fit_pca(ours).transform(ours), expected, atol=1e-4)
    first = model.history.snapshots.at(1)  # an earlier epoch laid on the last epoch's axes: other points
    last_axes = fit_pca(activations(spec, layers, X, "hidden_2", "classification", 10))
    early = last_axes.transform(activations(spec, first, X, "hidden_2", "classification", 10))
    assert early.shape == (len(X), 2) and not np.allclose(early, last_axes.transform(keras_out["hidden_2"]))


@pytest.mark.keras
def test_a_convnets_layers_are_its_maps_flattened_or_averaged_when_too_large(digits):
    spec = CNNSpec(conv_filters=(4,), kernel_size=3, pool_size=2, dense_layers=(8,), dropout=0.0)
    model = build_model(spec, "keras", input_shape=(8, 8, 1), n_outputs=10)
    model.fit(digits.X_train, digits.y_train, TrainConfig(epochs=1, batch_size=64))
    X, layers = digits.X_test[:300], model.layer_weights()
    keras_out = dict(model.layer_outputs(X))
    assert layer_names(spec, layers) == [INPUT, "conv_1", "pool_1", "hidden_1", "output"]
    pooled = activations(spec, layers, X, "pool_1", "classification", 10)
    np.testing.assert_allclose(pooled, keras_out["pool_1"].reshape(len(X), -1), atol=1e-5)  # Flatten's order
    assert activations(spec, layers, X, INPUT, "classification", 10).shape == (300, 64)
    assert not averaged(spec, (8, 8, 1), "conv_1")
    mnist = CNNSpec()  # 26 x 26 x 32 = 21,632 numbers a sample: one mean per map
    assert averaged(mnist, (28, 28, 1), "conv_1") and 26 * 26 * 32 > MAX_FEATURES
    assert not averaged(mnist, (28, 28, 1), "pool_1") and not averaged(mnist, (28, 28, 1), "output")


def test_the_last_hidden_layer_separates_the_digits_better_than_the_inputs(digits):
    """A trained network's point: in its last hidden layer the classes lie further apart (silhouette score) than
    in the pixels, and further apart than in the same network before training."""
    spec = MLPSpec(hidden_layers=(64, 32), activation="relu")
    model = build_model(spec, "sklearn", input_shape=digits.input_shape, n_outputs=10)
    model.fit(digits.X_train, digits.y_train, TrainConfig(epochs=40, batch_size=64, learning_rate=3e-3))
    X, y = digits.X_test, digits.y_test
    first = model.history.snapshots.at(model.history.snapshots.epochs[0])
    inputs = separation(activations(spec, model.layer_weights(), X, INPUT, "classification", 10), y)
    last = separation(activations(spec, model.layer_weights(), X, "hidden_2", "classification", 10), y)
    early = separation(activations(spec, first, X, "hidden_2", "classification", 10), y)
    assert last > inputs + 0.15 and last > early, (inputs, early, last)


def test_nearest_samples_are_the_closest_first():
    A = np.array([[0.0, 0.0], [5.0, 5.0], [1.0, 0.0], [0.0, 2.0], [3.0, 3.0]])
    assert nearest(A, np.array([0.1, 0.0]), 3).tolist() == [0, 2, 3]
    assert nearest(A, np.array([9.0, 9.0]), 10).tolist() == [1, 4, 3, 2, 0]


def test_tsne_reports_its_progress_and_keeps_clusters_apart():
    rng = np.random.default_rng(0)
    A = np.concatenate([rng.normal(0, 1, (60, 20)), rng.normal(8, 1, (60, 20))])
    heard = []
    xy = tsne(A, seed=0, progress=heard.append)
    assert xy.shape == (120, 2) and heard[-1] == 1.0 and len(heard) > 5 and heard == sorted(heard)
    assert separation(xy, np.repeat([0, 1], 60)) > 0.5
    np.testing.assert_array_equal(xy, tsne(A, seed=0))  # seeded: the same layout again
