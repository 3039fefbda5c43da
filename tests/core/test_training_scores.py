"""The training curves' loss and accuracy / R² per epoch, as Keras's fit reports them: over the epoch's batches, each
with the weights it was trained from. Checked against a replay of the same training with scikit-learn's public API
(one `partial_fit` per batch, each batch predicted just before its own step), on the order NN Lab documents (a
generator seeded with the run's seed, one permutation per epoch, as the exported script shuffles)."""

import warnings

import numpy as np
import pytest
from sklearn.metrics import r2_score
from sklearn.neural_network import MLPClassifier, MLPRegressor

from core.models import build_model
from core.spec import MLPSpec, TrainConfig

EPOCHS, BATCH, SEED = 3, 50, 7


def _replay(cls, X, y, lr: float, **fit_kwargs):
    """Per epoch: (the predictions of every batch from the weights before its step, the targets in that order)."""
    common = dict(
        hidden_layer_sizes=(8,),
        batch_size=BATCH,
        alpha=0.0,
        momentum=0.0,
        nesterovs_momentum=False,
        shuffle=False,
        random_state=SEED,
    )
    # The same first weights, not moved: a step of learning rate 1e-300 is 0 in float32.
    start = cls(learning_rate_init=1e-300, **common).partial_fit(X[:BATCH], y[:BATCH], **fit_kwargs)
    model, rng, epochs = cls(learning_rate_init=lr, **common), np.random.default_rng(SEED), []
    for _ in range(EPOCHS):
        order, predicted = rng.permutation(len(X)), []
        for first in range(0, len(X), BATCH):
            rows = order[first : first + BATCH]
            predicted.append((model if hasattr(model, "coefs_") else start).predict(X[rows]))
            model.partial_fit(X[rows], y[rows], **fit_kwargs)
        epochs.append((np.concatenate(predicted), y[order]))
    return epochs


def _train(task, X, y, n_outputs, lr: float):
    model = build_model(MLPSpec((8,)), "sklearn", input_shape=(X.shape[1],), n_outputs=n_outputs, task=task, seed=SEED)
    config = TrainConfig(
        epochs=EPOCHS, batch_size=BATCH, learning_rate=lr, optimizer="adam", validation_fraction=0.0, seed=SEED
    )
    return model.fit(X, y, config).epochs


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def test_training_accuracy_is_over_the_epochs_batches_as_trained():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 6)).astype(np.float32)
    y = (X[:, :3].sum(axis=1) > 0).astype(np.int64) + (X[:, 3] > 0.8)  # three classes, not separable at first
    logs = _train("classification", X, y, 3, lr=0.05)
    replay = _replay(MLPClassifier, X, y, 0.05, classes=np.arange(3))
    expected = [float(np.mean(predicted == target)) for predicted, target in replay]
    assert [log["accuracy"] for log in logs] == pytest.approx(expected, abs=1e-12)


def test_binary_training_accuracy_reads_the_one_sigmoid_unit():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 4)).astype(np.float32)
    y = (X[:, 0] - X[:, 1] > 0).astype(np.int64)
    logs = _train("classification", X, y, 2, lr=0.05)
    replay = _replay(MLPClassifier, X, y, 0.05, classes=np.arange(2))
    assert [log["accuracy"] for log in logs] == pytest.approx([np.mean(p == t) for p, t in replay], abs=1e-12)


def test_training_r2_is_over_the_epochs_batches_as_trained():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(250, 5)).astype(np.float32)
    y = (X @ np.arange(1, 6) + 0.1 * rng.normal(size=250)).astype(np.float32)
    logs = _train("regression", X, y[:, None], 1, lr=0.05)
    replay = _replay(MLPRegressor, X, y, 0.05)
    assert [log["r2"] for log in logs] == pytest.approx([r2_score(t, p) for p, t in replay], rel=1e-4)
