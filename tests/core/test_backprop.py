"""TinyNet's gradients equal tf.GradientTape on the same weights, for several shapes, activations,
outputs and losses; an update moves each weight by -learning_rate * gradient."""

import numpy as np
import pytest

from core.backprop import TinyNet
from core.errors import InvalidSpecError

CASES = [
    ((2, 3, 1), "sigmoid", "sigmoid", "mse"),
    ((2, 3, 1), "relu", "linear", "mse"),
    ((3, 4, 2, 3), "tanh", "softmax", "cross_entropy"),
    ((2, 2, 2), "elu", "sigmoid", "cross_entropy"),
    ((1, 4, 4, 4, 2), "gelu", "softmax", "mse"),
    ((2, 3, 2), "softplus", "linear", "mse"),
    ((3, 2, 1), "silu", "sigmoid", "cross_entropy"),
]


def _example(net: TinyNet):
    rng = np.random.default_rng(len(net.layer_sizes))
    x = rng.normal(size=net.layer_sizes[0])
    n_out = net.layer_sizes[-1]
    y = np.eye(n_out)[1] if net.output_activation == "softmax" else rng.uniform(0.1, 0.9, n_out)
    return x, y


@pytest.mark.keras
@pytest.mark.parametrize("sizes, act, out, loss", CASES)
def test_gradients_equal_gradient_tape(sizes, act, out, loss):
    import keras
    import tensorflow as tf

    net = TinyNet(sizes, act, out, loss, seed=3)
    net.set_weights([(W, np.random.default_rng(i).normal(0, 0.3, b.shape)) for i, (W, b) in enumerate(net.weights)])
    x, y = _example(net)
    variables = [(tf.Variable(W), tf.Variable(b)) for W, b in net.weights]
    hidden = getattr(keras.activations, act)
    with tf.GradientTape() as tape:
        a = tf.constant(x[None, :])
        for i, (W, b) in enumerate(variables):
            z = a @ W + b
            if i < len(variables) - 1:
                a = hidden(z)
            else:
                a = {"linear": z, "sigmoid": tf.sigmoid(z), "softmax": tf.nn.softmax(z)}[out]
        t = tf.constant(y[None, :])
        if loss == "mse":
            value = tf.reduce_mean((a - t) ** 2)
        elif out == "softmax":
            value = -tf.reduce_sum(t * tf.math.log(a))
        else:
            value = -tf.reduce_mean(t * tf.math.log(a) + (1 - t) * tf.math.log(1 - a))
    tape_grads = tape.gradient(value, [v for pair in variables for v in pair])
    ours = [g for pair in net.gradients(x, y) for g in pair]
    assert float(value) == pytest.approx(net.loss_value(x, y), abs=1e-9)
    for mine, theirs in zip(ours, tape_grads):
        np.testing.assert_allclose(mine, theirs.numpy(), atol=1e-6)


@pytest.mark.parametrize("sizes, act, out, loss", CASES)
def test_gradients_equal_finite_differences(sizes, act, out, loss):
    net = TinyNet(sizes, act, out, loss, seed=1)
    x, y = _example(net)
    for (dW, db), (nW, nb) in zip(net.gradients(x, y), net.numeric_gradients(x, y)):
        np.testing.assert_allclose(dW, nW, atol=1e-6)
        np.testing.assert_allclose(db, nb, atol=1e-6)


def test_step_updates_every_weight_by_minus_lr_times_gradient():
    net = TinyNet((2, 3, 1), "sigmoid", "sigmoid", "mse", seed=0)
    x, y = np.array([0.5, -0.2]), np.array([1.0])
    result = net.step(x, y, learning_rate=0.5)
    for (old_W, old_b), (dW, db), (new_W, new_b) in zip(result.old_weights, result.gradients, result.new_weights):
        np.testing.assert_allclose(new_W, old_W - 0.5 * dW)
        np.testing.assert_allclose(new_b, old_b - 0.5 * db)
    assert result.loss_after < result.loss
    assert [d.shape for d in result.delta] == [(3,), (1,)] and len(result.a) == 3 and len(result.z) == 2
    h = 1e-6
    numeric_dx = [
        (
            TinyNet((2, 3, 1), weights=result.old_weights).loss_value(x + e, y)
            - TinyNet((2, 3, 1), weights=result.old_weights).loss_value(x - e, y)
        )
        / (2 * h)
        for e in np.eye(2) * h
    ]
    np.testing.assert_allclose(result.dL_dx, numeric_dx, atol=1e-7)
    losses = [net.step(x, y, 0.5).loss for _ in range(50)]
    assert losses[-1] < losses[0] / 2


def test_weights_are_glorot_uniform_with_zero_biases():
    net = TinyNet((4, 3, 2), "relu", "linear", "mse", seed=0)
    W, b = net.weights[0]
    assert np.abs(W).max() <= np.sqrt(6 / 7) and not b.any()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(output_activation="linear", loss="cross_entropy"), "cross-entropy needs probabilities"),
        (dict(layer_sizes=(2, 3, 1), output_activation="softmax"), "softmax output needs at least 2 units"),
        (dict(activation="step"), "no useful derivative"),
        (dict(layer_sizes=(2,)), "needs an input and an output size"),
    ],
)
def test_invalid_networks_are_refused(kwargs, message):
    with pytest.raises(InvalidSpecError, match=message):
        TinyNet(**kwargs)


def test_hand_edited_weights_must_fit_the_shapes():
    net = TinyNet((2, 3, 1))
    with pytest.raises(InvalidSpecError, match="weights must have shapes"):
        net.set_weights([(np.zeros((3, 2)), np.zeros(3)), (np.zeros((3, 1)), np.zeros(1))])
    with pytest.raises(InvalidSpecError, match="finite"):
        net.set_weights([(np.full((2, 3), np.nan), np.zeros(3)), (np.zeros((3, 1)), np.zeros(1))])
