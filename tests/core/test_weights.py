"""Looking inside a network: per-epoch weight snapshots within a budget, parameter traces, first-layer
units as images, layer statistics, and parameter counts against both frameworks."""

import numpy as np
import pytest

from core.datasets import load_dataset, split_dataset
from core.errors import InvalidSpecError
from core.models import build_model
from core.params import count_params, totals_by_width
from core.snapshots import WeightSnapshots
from core.spec import CNNSpec, MLPSpec, TrainConfig
from core.weights import first_dense, symmetric_limit, unit_images, weight_stats

BACKENDS = ["sklearn", pytest.param("keras", marks=pytest.mark.keras)]
CONFIG = TrainConfig(epochs=8, batch_size=64, learning_rate=3e-3, validation_fraction=0.0)


def _layers(seed: int, sizes=((64, 16), (16, 10))):
    rng = np.random.default_rng(seed)
    return [
        (f"layer_{i}", rng.normal(size=s).astype(np.float32), rng.normal(size=s[1]).astype(np.float32))
        for i, s in enumerate(sizes)
    ]


@pytest.fixture(scope="module")
def digits():
    return split_dataset(load_dataset("digits"), test_fraction=0.2, seed=0)


# -- the snapshot budget ---------------------------------------------------------------------------------
def test_snapshots_stay_within_budget_and_spread_over_the_run():
    one = sum(k.nbytes + b.nbytes for _, k, b in _layers(0))
    snaps = WeightSnapshots(budget_bytes=10 * one)
    for epoch in range(1, 101):
        snaps.record(epoch, _layers(epoch))
        assert snaps.nbytes <= snaps.budget_bytes and snaps.epochs[-1] == epoch and snaps.epochs[0] == 1
    assert snaps.capacity == 10 and 5 <= len(snaps) <= 10
    middle = snaps.epochs[1:-1]
    assert all(e % snaps.stride == 0 for e in middle) and np.diff(middle).tolist() == [snaps.stride] * (len(middle) - 1)
    np.testing.assert_array_equal(snaps.layer(64, "layer_1")[1], _layers(64)[1][2])  # kept as recorded


def test_a_small_run_keeps_every_epoch_and_a_tiny_budget_keeps_what_fits():
    snaps = WeightSnapshots()
    for epoch in range(1, 31):
        snaps.record(epoch, _layers(epoch))
    assert snaps.epochs == list(range(1, 31)) and snaps.stride == 1
    one = snaps.epoch_bytes
    only_latest = WeightSnapshots(budget_bytes=one)
    nothing = WeightSnapshots(budget_bytes=one - 1)
    for epoch in range(1, 6):
        only_latest.record(epoch, _layers(epoch))
        nothing.record(epoch, _layers(epoch))
    assert only_latest.epochs == [5] and nothing.epochs == [] and nothing.trace("layer_0", "bias", (0,))[0].size == 0


def test_snapshots_are_read_only_and_bad_requests_are_explained():
    snaps = WeightSnapshots()
    snaps.record(1, _layers(1))
    with pytest.raises(ValueError):
        snaps.at(1)[0][1][0, 0] = 5.0
    with pytest.raises(InvalidSpecError, match="epoch 3 was not recorded; recorded epochs: 1"):
        snaps.at(3)
    with pytest.raises(InvalidSpecError, match=r"index \(64, 0\) is outside the layer_0 kernel of shape \(64, 16\)"):
        snaps.trace("layer_0", "kernel", (64, 0))
    with pytest.raises(InvalidSpecError, match="no layer named 'conv_1'"):
        snaps.trace("conv_1", "bias", (0,))
    with pytest.raises(InvalidSpecError, match="part must be one of kernel, bias"):
        snaps.trace("layer_0", "weights", (0, 0))


# -- snapshots recorded by a real fit --------------------------------------------------------------------
@pytest.mark.parametrize("backend", BACKENDS)
def test_fit_records_the_weights_of_every_epoch_and_the_trace_follows_them(backend, digits):
    model = build_model(MLPSpec((16,)), backend, input_shape=(8, 8, 1), n_outputs=10)
    seen = []
    model.fit(digits.X_train, digits.y_train, CONFIG, callback=lambda logs: seen.append(model.layer_weights()))
    snaps = model.history.snapshots
    assert snaps.epochs == list(range(1, 9))
    for epoch, layers in enumerate(seen, 1):
        for (name, W, b), (s_name, s_W, s_b) in zip(layers, snaps.at(epoch)):
            assert name == s_name
            np.testing.assert_array_equal(W, s_W)
            np.testing.assert_array_equal(b, s_b)
    epochs, values = snaps.trace("hidden_1", "bias", (0,))  # the lessons' first bias of the first layer
    assert epochs.tolist() == list(range(1, 9))
    np.testing.assert_array_equal(values, [layers[0][2][0] for layers in seen])
    epochs, values = snaps.trace("output", "kernel", (3, 7))
    np.testing.assert_array_equal(values, [layers[1][1][3, 7] for layers in seen])
    epochs, values = snaps.trace("output", "bias", (7,))
    np.testing.assert_array_equal(values, [layers[1][2][7] for layers in seen])
    assert len(set(values.tolist())) == 8  # it moved every epoch
    for (_, W, b), (_, W_now, b_now) in zip(snaps.at(8), model.layer_weights()):
        np.testing.assert_array_equal(W, W_now)  # the last snapshot is the trained model
        np.testing.assert_array_equal(b, b_now)


def test_fit_thins_to_its_budget_and_an_interrupted_run_keeps_its_snapshots(digits):
    model = build_model(MLPSpec((16,)), "sklearn", input_shape=(8, 8, 1), n_outputs=10)
    one = sum(W.nbytes + b.nbytes for _, W, b in _layers(0, ((64, 16), (16, 10))))
    model.fit(
        digits.X_train,
        digits.y_train,
        TrainConfig(epochs=20, batch_size=64, validation_fraction=0.0),
        snapshot_budget=4 * one,
    )
    assert model.history.snapshots.epochs[0] == 1 and model.history.snapshots.epochs[-1] == 20
    assert len(model.history.snapshots) <= 4

    class Interrupted(Exception):
        pass

    def interrupt(logs):
        if logs["epoch"] == 3:
            raise Interrupted  # what Streamlit does to a script mid-run

    with pytest.raises(Interrupted):
        model.fit(digits.X_train, digits.y_train, CONFIG, callback=interrupt)
    assert model.history.snapshots.epochs == [1, 2, 3] and len(model.history.epochs) == 3
    model.fit(digits.X_train, digits.y_train, CONFIG, snapshot_budget=0)
    assert model.history.snapshots is None


# -- reading the weights ---------------------------------------------------------------------------------
def test_weight_stats_are_those_of_the_arrays():
    layers = _layers(1)
    rows = weight_stats(layers)
    assert [r["layer"] for r in rows] == ["layer_0", "layer_1"]
    assert (
        rows[0]["kernel shape"] == "64 x 16" and rows[0]["bias shape"] == "16" and rows[0]["parameters"] == 64 * 16 + 16
    )
    W, b = layers[1][1], layers[1][2]
    assert rows[1]["kernel mean"] == pytest.approx(W.mean(), rel=1e-5) and rows[1]["kernel std"] == pytest.approx(
        W.std(), rel=1e-5
    )
    assert rows[1]["bias min"] == b.min() and rows[1]["bias max"] == b.max() and rows[1]["type"] == "Dense"
    conv = weight_stats([("conv_1", np.ones((3, 3, 1, 8), np.float32), np.zeros(8, np.float32))])[0]
    assert conv["type"] == "Conv2D" and conv["kernel shape"] == "3 x 3 x 1 x 8" and conv["parameters"] == 80
    assert symmetric_limit(W, -3 * np.ones(2)) == max(3.0, float(np.abs(W).max()))


def test_unit_images_are_what_each_unit_weighs_each_pixel_by():
    rng = np.random.default_rng(0)
    kernel = rng.normal(size=(4 * 5 * 3, 6)).astype(np.float32)
    images = unit_images(kernel, (4, 5, 3))
    X = rng.random((7, 4, 5, 3)).astype(np.float32)
    np.testing.assert_allclose(np.einsum("nhwc,uhwc->nu", X, images), X.reshape(7, -1) @ kernel, rtol=1e-5)
    with pytest.raises(InvalidSpecError, match="cannot be shown as images"):
        unit_images(kernel, (60,))
    assert first_dense([("conv_1", np.ones((3, 3, 1, 2)), np.ones(2))]) is None


@pytest.mark.keras
def test_unit_images_follow_keras_flatten_order():
    model = build_model(MLPSpec((6,), activation="linear"), "keras", input_shape=(4, 5, 3), n_outputs=3)
    name, kernel, bias = model.layer_weights()[0]
    X = np.random.default_rng(1).random((7, 4, 5, 3)).astype(np.float32)
    keras_z = dict(model.layer_outputs(X))["hidden_1"]  # Keras's own Flatten + Dense
    ours = np.einsum("nhwc,uhwc->nu", X, unit_images(kernel, (4, 5, 3))) + bias
    np.testing.assert_allclose(ours, keras_z, rtol=1e-4, atol=1e-5)


# -- counting parameters ----------------------------------------------------------------------------------
MLPS = [((), (4,), 3), ((16, 16), (64,), 10), ((300, 100), (784,), 10), ((5,), (8, 8, 1), 2), ((7, 3, 2), (13,), 1)]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("hidden, input_shape, classes", MLPS)
def test_count_params_equals_scikit_learns_coefs_and_intercepts(hidden, input_shape, classes):
    """classes: 1 means regression on one target, 2 binary (one logistic unit), more: softmax."""
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    rng = np.random.default_rng(0)
    X = rng.random((12, int(np.prod(input_shape))))
    if classes == 1:
        est = MLPRegressor(hidden_layer_sizes=hidden, max_iter=1).fit(X, rng.random(12))
    else:
        est = MLPClassifier(hidden_layer_sizes=hidden, max_iter=1).fit(X, np.arange(12) % classes)
    units = 1 if classes <= 2 else classes
    assert sum(c.size for c in est.coefs_) + sum(i.size for i in est.intercepts_) == count_params(
        MLPSpec(hidden), input_shape, units
    )


@pytest.mark.keras
@pytest.mark.parametrize(
    "spec, input_shape, units",
    [
        *((MLPSpec(h), s, 1 if c <= 2 else c) for h, s, c in MLPS),
        (MLPSpec((32,), dropout=0.3), (28, 28, 1), 10),
        (CNNSpec(conv_filters=(32, 64), dropout=0.5), (28, 28, 1), 10),  # the lessons' MNIST convnet
        (CNNSpec(conv_filters=(8,), kernel_size=5, pool_size=3, dense_layers=(20, 7), dropout=0.0), (32, 32, 3), 10),
        (CNNSpec(conv_filters=(4, 4, 4), kernel_size=2, dense_layers=(9,)), (20, 17, 2), 1),
    ],
)
def test_count_params_equals_keras(spec, input_shape, units):
    model = build_model(spec, "keras", input_shape=input_shape, n_outputs=units if units > 1 else 2)
    assert model.model_.count_params() == count_params(spec, input_shape, units) == model.count_params()
    assert sum(W.size + b.size for _, W, b in model.layer_weights()) == model.count_params()


def test_lesson_counts_and_growth_with_width():
    assert count_params(CNNSpec(conv_filters=(32, 64), dropout=0.5), (28, 28, 1), 10) == 34_826
    assert count_params(MLPSpec((300, 100)), (784,), 10) == 266_610
    widths = list(range(1, 101, 10))
    totals = totals_by_width(widths, [1, 2, 3], 784, 10)
    assert totals[1] == [784 * w + w + w * 10 + 10 for w in widths]
    assert totals[2] == [784 * w + w + w * w + w + w * 10 + 10 for w in widths]
    assert totals[3] == [784 * w + w + 2 * (w * w + w) + w * 10 + 10 for w in widths]
    with pytest.raises(InvalidSpecError, match="n_inputs must be at least 1"):
        totals_by_width(widths, [1], 0, 10)


def test_lesson_architectures_count_as_the_lessons_say():
    from core.params import LESSON_ARCHITECTURES

    totals = {name: count_params(a.spec, a.input_shape, a.n_outputs) for name, a in LESSON_ARCHITECTURES.items()}
    assert totals["Fashion-MNIST MLP 300-100 (Keras lesson)"] == 266_610
    assert totals["MNIST convnet (Keras lesson)"] == 34_826
    assert LESSON_ARCHITECTURES["MNIST convnet (Keras lesson)"].spec.dropout == 0.2  # lesson 001's Dropout(0.2)
    assert totals["digits MLP 16-16 (scikit-learn lesson)"] == 64 * 16 + 16 + 16 * 16 + 16 + 16 * 10 + 10
    assert totals["iris logistic regression"] == 4 * 3 + 3
    assert totals["CIFAR-10 convnet"] == (3 * 3 * 3 * 32 + 32) + (3 * 3 * 32 * 64 + 64) + (6 * 6 * 64 * 64 + 64) + 650


PLAIN_MODEL = """
import json, os
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import keras
model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(4, 3), keras.layers.MaxPooling2D(2),
                          keras.layers.Conv2D(8, 3), keras.layers.MaxPooling2D(2), keras.layers.Flatten(),
                          keras.layers.Dropout(0.5), keras.layers.Dense(16), keras.layers.Dense(10)])
print(json.dumps([[l.name, type(l).__name__, l.count_params()] for l in model.layers]))
"""


@pytest.mark.keras
def test_layer_addresses_match_a_plain_keras_script_and_scikit_learns_arrays():
    import json
    import subprocess
    import sys

    from core.params import layer_counts
    from core.weights import layer_addresses

    addresses = layer_addresses(
        layer_counts(CNNSpec(conv_filters=(4, 8), dense_layers=(16,), dropout=0.5), (28, 28, 1), 10), "keras"
    )
    out = subprocess.run([sys.executable, "-c", PLAIN_MODEL], capture_output=True, text=True, timeout=120)
    plain = json.loads(out.stdout.strip().splitlines()[-1])  # a fresh script: Keras's own names
    assert [[a["name in a plain Keras script"], a["type"], a["parameters"]] for a in addresses] == plain
    assert (
        addresses[7]["read it with"] == "model.layers[7].get_weights()" and addresses[1]["read it with"] == "no weights"
    )
    sk = layer_addresses(layer_counts(MLPSpec((16, 8)), (64,), 10), "sklearn")
    assert [a["read it with"] for a in sk] == [
        "model.coefs_[0], model.intercepts_[0]",
        "model.coefs_[1], model.intercepts_[1]",
        "model.coefs_[2], model.intercepts_[2]",
    ]
