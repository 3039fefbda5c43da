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


def _replay(cls, X, y, lr: float, shuffle: bool = True, **fit_kwargs):
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
    # The same first weights, not moved: a step of learning rate 1e-300 is lost to rounding in float32 weights.
    start = cls(learning_rate_init=1e-300, **common).partial_fit(X[:BATCH], y[:BATCH], **fit_kwargs)
    model, rng, epochs = cls(learning_rate_init=lr, **common), np.random.default_rng(SEED), []
    for _ in range(EPOCHS):
        order, predicted = rng.permutation(len(X)) if shuffle else np.arange(len(X)), []
        for first in range(0, len(X), BATCH):
            rows = order[first : first + BATCH]
            predicted.append((model if hasattr(model, "coefs_") else start).predict(X[rows]))
            model.partial_fit(X[rows], y[rows], **fit_kwargs)
        epochs.append((np.concatenate(predicted), y[order]))
    return epochs


def _train(task, X, y, n_outputs, lr: float, shuffle: bool = True):
    model = build_model(MLPSpec((8,)), "sklearn", input_shape=(X.shape[1],), n_outputs=n_outputs, task=task, seed=SEED)
    config = TrainConfig(
        epochs=EPOCHS,
        batch_size=BATCH,
        learning_rate=lr,
        optimizer="adam",
        validation_fraction=0.0,
        seed=SEED,
        shuffle=shuffle,
    )
    logs = model.fit(X, y, config).epochs
    assert not {"_backprop", "_validate_input"} & set(vars(model.estimator_))  # scikit-learn's own, as skops saves it
    return logs


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


def test_training_r2_of_several_targets_is_pooled_as_validation_and_test_score_it():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(250, 5)).astype(np.float32)
    y = np.c_[X @ np.arange(1, 6), 10 * X[:, 0]].astype(np.float32)  # two targets, of different spread
    logs = _train("regression", X, y, 2, lr=0.05)
    replay = _replay(MLPRegressor, X, y, 0.05)
    expected = [r2_score(t, p, multioutput="variance_weighted") for p, t in replay]
    assert [log["r2"] for log in logs] == pytest.approx(expected, rel=1e-4)


def test_without_shuffling_every_epoch_trains_and_scores_the_rows_in_their_order():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(230, 6)).astype(np.float32)  # a last batch of 30
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64) + (X[:, 2] > 1)
    logs = _train("classification", X, y, 3, lr=0.05, shuffle=False)
    replay = _replay(MLPClassifier, X, y, 0.05, shuffle=False, classes=np.arange(3))
    assert [log["accuracy"] for log in logs] == pytest.approx([np.mean(p == t) for p, t in replay], abs=1e-12)


@pytest.mark.keras
def test_keras_training_r2_of_several_targets_is_pooled_too():
    """One batch an epoch: the first epoch's training R² is that of the first weights' outputs."""
    rng = np.random.default_rng(5)
    X = rng.normal(size=(120, 4)).astype(np.float32)
    y = np.c_[X[:, 0], 20 * X[:, 1] + 5].astype(np.float32)
    model = build_model(MLPSpec((8,)), "keras", input_shape=(4,), n_outputs=2, task="regression", seed=SEED)
    before = model.predict(X)
    config = TrainConfig(epochs=1, batch_size=len(X), learning_rate=0.01, validation_fraction=0.0, shuffle=False)
    logs = model.fit(X, y, config).epochs
    assert logs[0]["r2"] == pytest.approx(r2_score(y, before, multioutput="variance_weighted"), rel=1e-4, abs=1e-4)


def test_a_ctrl_c_inside_an_epoch_stops_training_as_one(monkeypatch):
    """scikit-learn catches a KeyboardInterrupt in its batch loop and ends the epoch short: NN Lab stops there (not
    a shape error from scoring a short epoch), and its estimator is scikit-learn's own again."""
    calls, backprop = [], MLPClassifier._backprop

    def interrupted(self, *args):
        calls.append(1)
        if len(calls) == 8:  # the second epoch's third batch
            raise KeyboardInterrupt
        return backprop(self, *args)

    monkeypatch.setattr(MLPClassifier, "_backprop", interrupted)
    rng = np.random.default_rng(6)
    X, y = rng.normal(size=(250, 4)).astype(np.float32), rng.integers(0, 2, 250)
    model = build_model(MLPSpec((8,)), "sklearn", input_shape=(4,), n_outputs=2, task="classification", seed=SEED)
    epochs = []
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, y, TrainConfig(epochs=EPOCHS, batch_size=BATCH, validation_fraction=0.0), callback=epochs.append)
    assert [log["epoch"] for log in epochs] == [1]
    assert not {"_backprop", "_validate_input"} & set(vars(model.estimator_))
