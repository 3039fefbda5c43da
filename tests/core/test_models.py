"""Both backends through one interface: they learn digits, agree on shapes and counts, and stop cleanly."""

import math

import numpy as np
import pytest

from core.datasets import load_dataset, split_dataset
from core.errors import InvalidSpecError, NotTrainedError
from core.models import build_model
from core.spec import CNNSpec, MLPSpec, TrainConfig

BACKENDS = ["sklearn", pytest.param("keras", marks=pytest.mark.keras)]
FAST = TrainConfig(epochs=25, batch_size=32, learning_rate=3e-3, validation_fraction=0.1)


@pytest.fixture(scope="module")
def digits():
    ds = load_dataset("digits")
    return ds, split_dataset(ds, test_fraction=0.2, seed=0)


def _digits_model(backend, digits, spec=MLPSpec(hidden_layers=(32,))):
    ds, _ = digits
    return build_model(spec, backend, input_shape=ds.X.shape[1:], n_outputs=10, task="classification")


@pytest.fixture(scope="module", params=BACKENDS)
def trained(request, digits):
    model = _digits_model(request.param, digits)
    logs = []
    model.fit(digits[1].X_train, digits[1].y_train, FAST, callback=logs.append)
    return model, logs


def test_learns_digits_to_90_percent(trained, digits):
    model, _ = trained
    assert model.score(digits[1].X_test, digits[1].y_test) >= 0.90


def test_callback_logs_every_epoch(trained):
    _, logs = trained
    assert [log["epoch"] for log in logs] == list(range(1, 26))
    assert {"epoch", "loss", "val_loss", "accuracy", "val_accuracy", "seconds"} <= set(logs[-1])
    assert logs[-1]["loss"] < logs[0]["loss"] and all(isinstance(v, float) for k, v in logs[-1].items() if k != "epoch")
    assert logs[-1]["seconds"] >= logs[0]["seconds"]


def test_layer_weights_total_equals_count_params(trained):
    model, _ = trained
    weights = model.layer_weights()
    assert [(n, W.shape, b.shape) for n, W, b in weights] == [
        ("hidden_1", (64, 32), (32,)),
        ("output", (32, 10), (10,)),
    ]
    assert sum(W.size + b.size for _, W, b in weights) == model.count_params() == 64 * 32 + 32 + 330


def test_last_layer_output_is_predict_proba(trained, digits):
    model, _ = trained
    X = digits[1].X_test[:50]
    outputs = model.layer_outputs(X)
    assert [n for n, _ in outputs] == ["flatten", "hidden_1", "output"]
    np.testing.assert_allclose(outputs[-1][1], model.predict_proba(X), atol=1e-5)
    np.testing.assert_allclose(model.predict_proba(X).sum(axis=1), 1, atol=1e-5)
    assert model.predict(X).tolist() == model.predict_proba(X).argmax(axis=1).tolist()


def test_preactivations_feed_the_activation(trained, digits):
    model, _ = trained
    X = digits[1].X_test[:20]
    z = dict(model.layer_preactivations(X))["hidden_1"]
    np.testing.assert_allclose(np.maximum(z, 0), dict(model.layer_outputs(X))["hidden_1"], atol=1e-5)


@pytest.mark.parametrize("backend", BACKENDS)
def test_stop_keeps_the_model_as_of_that_epoch(backend, digits):
    model = _digits_model(backend, digits)
    seen = []

    def on_epoch(logs):
        seen.append(logs["epoch"])
        if logs["epoch"] == 3:
            model.stop()

    history = model.fit(digits[1].X_train, digits[1].y_train, FAST, callback=on_epoch)
    assert seen == [1, 2, 3] and history.stop_reason == "stopped" and len(history.history["loss"]) == 3
    assert model.score(digits[1].X_test, digits[1].y_test) > 0.5


@pytest.mark.parametrize("backend", BACKENDS)
def test_diverging_learning_rate_stops_with_advice(backend):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 5)).astype(np.float32) * 10
    model = build_model(
        MLPSpec(hidden_layers=(8,), activation="linear"), backend, input_shape=(5,), n_outputs=1, task="regression"
    )
    history = model.fit(
        X, X @ np.arange(5.0), TrainConfig(epochs=30, batch_size=32, learning_rate=0.5, optimizer="sgd")
    )
    assert history.stop_reason == "diverged" and len(history.epochs) < 30
    assert not math.isfinite(history.epochs[-1]["loss"])
    assert "Lower the learning rate (now 0.5)" in history.message


def test_early_stopping_watches_the_validation_loss(digits):
    model = _digits_model("sklearn", digits, MLPSpec(hidden_layers=(128,)))
    config = TrainConfig(
        epochs=200, batch_size=16, learning_rate=1e-2, validation_fraction=0.3, early_stopping_patience=3
    )
    history = model.fit(digits[1].X_train, digits[1].y_train, config)
    assert history.stop_reason == "early_stopping" and len(history.epochs) < 200
    val = history.history["val_loss"]
    assert min(val[-3:]) >= min(val) - 1e-7


@pytest.mark.parametrize("backend", BACKENDS)
def test_binary_and_regression_output_layers(backend):
    bc = load_dataset("moons", n_samples=200)
    m = build_model(MLPSpec(hidden_layers=(8,)), backend, input_shape=(2,), n_outputs=2, task="classification")
    m.fit(bc.X, bc.y, TrainConfig(epochs=3, batch_size=32))
    assert m.layer_weights()[-1][1].shape == (8, 1)  # ONE logistic unit for two classes
    assert m.predict_proba(bc.X[:5]).shape == (5, 2) and m.count_params() == 2 * 8 + 8 + 9
    reg = load_dataset("diabetes")
    r = build_model(MLPSpec(hidden_layers=(8,)), backend, input_shape=(10,), n_outputs=1, task="regression")
    logs = []
    r.fit(reg.X * 10, reg.y / 100, TrainConfig(epochs=3, batch_size=32), callback=logs.append)
    assert {"r2", "val_r2", "loss", "val_loss"} <= set(logs[-1]) and r.predict(reg.X[:4]).shape == (4,)
    with pytest.raises(InvalidSpecError, match="predict_proba is for classification"):
        r.predict_proba(reg.X[:4])


def test_backends_refuse_what_they_cannot_build():
    with pytest.raises(InvalidSpecError, match="no convolutional layers"):
        build_model(CNNSpec(), "sklearn", input_shape=(28, 28, 1), n_outputs=10)
    with pytest.raises(InvalidSpecError, match="supports the activations relu, tanh, sigmoid, linear"):
        build_model(MLPSpec(activation="gelu"), "sklearn", input_shape=(4,), n_outputs=3)
    with pytest.raises(InvalidSpecError, match="5,000,000"):
        build_model(MLPSpec(hidden_layers=(4096, 4096)), "sklearn", input_shape=(784,), n_outputs=10)
    with pytest.raises(InvalidSpecError, match="backend must be one of"):
        build_model(MLPSpec(), "torch", input_shape=(4,), n_outputs=3)
    m = build_model(MLPSpec(), "sklearn", input_shape=(4,), n_outputs=3)
    with pytest.raises(NotTrainedError, match="call fit first"):
        m.layer_weights()
    with pytest.raises(InvalidSpecError, match="rmsprop"):
        m.fit(np.zeros((10, 4)), np.arange(10) % 3, TrainConfig(optimizer="rmsprop"))
    with pytest.raises(InvalidSpecError, match=r"expected inputs of shape \(n, 4\)"):
        m.fit(np.zeros((10, 5)), np.arange(10) % 3, TrainConfig())


@pytest.mark.keras
def test_keras_cnn_is_the_lessons_convnet():
    m = build_model(CNNSpec(conv_filters=(32, 64), dropout=0.5), "keras", input_shape=(28, 28, 1), n_outputs=10)
    assert m.model_.count_params() == m.count_params() == 34_826
    names = [n for n, _, _ in m.layer_weights()]
    assert names == ["conv_1", "conv_2", "output"] and m.layer_weights()[0][1].shape == (3, 3, 1, 32)
    outs = m.layer_outputs(np.zeros((2, 28, 28, 1), np.float32))
    assert [(n, o.shape[1:]) for n, o in outs][:2] == [("conv_1", (26, 26, 32)), ("pool_1", (13, 13, 32))]


def test_sklearn_forward_pass_equals_scikit_learns_own_predictions(digits):
    model = _digits_model("sklearn", digits)
    model.fit(digits[1].X_train, digits[1].y_train, TrainConfig(epochs=5, batch_size=32))
    X = digits[1].X_test
    reference = model.estimator_.predict_proba(X.reshape(len(X), -1))
    np.testing.assert_allclose(model.predict_proba(X), reference, atol=1e-5)
    np.testing.assert_array_equal(model.predict(X), model.estimator_.predict(X.reshape(len(X), -1)))
    reg = build_model(MLPSpec((8,)), "sklearn", input_shape=(10,), n_outputs=1, task="regression")
    diabetes = load_dataset("diabetes")
    reg.fit(diabetes.X * 10, diabetes.y / 100, TrainConfig(epochs=3, batch_size=32))
    np.testing.assert_allclose(
        reg.predict(diabetes.X * 10), reg.estimator_.predict(diabetes.X * 10), rtol=1e-4, atol=1e-5
    )


@pytest.mark.keras
def test_keras_runs_are_the_same_while_other_threads_draw_random_numbers(digits):
    """A Dask worker's other threads use Python's global `random` (backoff jitter, ...): Keras drew its layers' seeds
    from it, so 1 run in 8 on a worker started from other weights. The seeds must come from the run's seed alone,
    and be the ones plain Keras draws after `keras.utils.set_random_seed(seed)` (the exported script's numbers)."""
    import random
    import threading

    X, y = digits[1].X_train[:200], digits[1].y_train[:200] % 2
    config = TrainConfig(epochs=1, batch_size=50, seed=3)

    def weights_after_training():
        model = build_model(
            MLPSpec((16,), dropout=0.1), "keras", input_shape=X.shape[1:], n_outputs=2, task="classification"
        )
        first = [k.copy() for _, k, _ in model.layer_weights()]
        model.fit(X, y, config)
        return first, [k for _, k, _ in model.layer_weights()]

    quiet = weights_after_training()
    stop = threading.Event()

    def draw():
        while not stop.wait(0.001):  # a draw every millisecond
            random.random()

    noisy = threading.Thread(target=draw, daemon=True)
    noisy.start()
    try:
        busy = [weights_after_training() for _ in range(2)]
    finally:
        stop.set()
        noisy.join()
    for first, last in busy:
        for a, b in zip(quiet[0] + quiet[1], first + last):
            np.testing.assert_array_equal(a, b)

    import keras  # plain Keras, seeded as the script does it

    keras.utils.set_random_seed(0)  # build_model's seed
    plain = keras.Sequential(
        [
            keras.Input(X.shape[1:]),
            keras.layers.Flatten(),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dropout(0.1),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    np.testing.assert_array_equal(plain.layers[1].get_weights()[0], quiet[0][0])
