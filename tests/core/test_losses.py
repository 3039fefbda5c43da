"""Every loss equals keras.losses; every gradient equals finite differences."""

import numpy as np
import pytest

from core.losses import LOSSES, best_constant, get_loss, loss_curve

rng = np.random.default_rng(0)
REG_T, REG_P = rng.normal(size=(6, 3)), rng.normal(size=(6, 3)) * 2
BIN_T, BIN_P = rng.integers(0, 2, (6, 3)).astype(float), rng.uniform(0.05, 0.95, (6, 3))
CAT_T = np.eye(4)[rng.integers(0, 4, 6)]
CAT_P = rng.uniform(0.05, 1, (6, 4))
CAT_P /= CAT_P.sum(axis=1, keepdims=True)
SOFT_T = rng.dirichlet(np.ones(4), 6)
HINGE_T = rng.choice([-1.0, 1.0], (6, 3))

CASES = {
    "mse": (REG_T, REG_P),
    "mae": (REG_T, REG_P),
    "huber": (REG_T, REG_P),
    "binary_crossentropy": (BIN_T, BIN_P),
    "categorical_crossentropy": (CAT_T, CAT_P),
    "hinge": (HINGE_T, REG_P),
    "kl_divergence": (SOFT_T, CAT_P),
}


@pytest.mark.keras
@pytest.mark.parametrize("name", list(LOSSES))
def test_values_match_keras(name):
    import keras

    t, p = CASES[name]
    loss = get_loss(name)
    theirs = np.asarray(getattr(keras.losses, loss.keras_name)(t, p))
    np.testing.assert_allclose(loss.fn(t, p), theirs, rtol=1e-5, atol=1e-6)


@pytest.mark.keras
def test_huber_delta_matches_keras():
    import keras

    np.testing.assert_allclose(
        get_loss("huber", delta=0.3).fn(REG_T, REG_P),
        np.asarray(keras.losses.huber(REG_T, REG_P, delta=0.3)),
        rtol=1e-5,
    )


@pytest.mark.parametrize("name", list(LOSSES))
def test_gradients_match_finite_differences(name):
    t, p = CASES[name]
    loss = get_loss(name)
    h = 1e-6
    numeric = np.zeros_like(p)
    for idx in np.ndindex(p.shape):
        up, down = p.copy(), p.copy()
        up[idx] += h
        down[idx] -= h
        numeric[idx] = (loss.fn(t, up)[idx[0]] - loss.fn(t, down)[idx[0]]) / (2 * h)
    np.testing.assert_allclose(loss.grad(t, p), numeric, atol=1e-5)


def test_hinge_accepts_zero_one_labels_like_keras():
    hinge = get_loss("hinge")
    np.testing.assert_allclose(hinge.fn(np.array([[0.0, 1.0]]), np.array([[0.3, 0.3]])), [(1.3 + 0.7) / 2])


def test_loss_curve_derivative_is_the_slope_of_the_curve():
    sweep = np.linspace(0.05, 0.95, 50)
    for name in ("binary_crossentropy", "categorical_crossentropy", "kl_divergence", "mse"):
        values, slopes = loss_curve(get_loss(name), 1, sweep, n_classes=3)
        numeric = np.gradient(values, sweep)
        np.testing.assert_allclose(slopes[2:-2], numeric[2:-2], rtol=2e-2, atol=2e-3)
    values, _ = loss_curve(get_loss("categorical_crossentropy"), 0, np.array([0.5]))
    assert values[0] == pytest.approx(np.log(2))


def test_best_constant_is_mean_for_mse_and_median_for_mae():
    data = np.array([1.0, 2.0, 2.5, 3.0, 20.0])
    assert best_constant(get_loss("mse"), data) == pytest.approx(data.mean(), abs=0.01)
    assert best_constant(get_loss("mae"), data) == pytest.approx(np.median(data), abs=0.01)
    huber = best_constant(get_loss("huber", delta=1.0), data)
    assert np.median(data) < huber < data.mean()


def test_one_clipped_cross_entropy_serves_every_page_and_backend():
    """Confident mistakes cost -log(1e-7) everywhere, as in Keras: the loss page, gradient descent,
    backpropagation and the training backends' validation loss all use core.losses' one definition."""
    from core.backprop import TinyNet
    from core.descent import LogisticProblem
    from core.losses import binary_crossentropy, sparse_categorical_crossentropy

    worst = -np.log(1e-7)
    t, p = np.array([1.0, 1.0, 0.0, 0.0]), np.array([0.0, 1e-12, 0.3, 1.0])
    assert binary_crossentropy(t, p) == pytest.approx((3 * worst + -np.log(0.7)) / 4, rel=1e-6)
    assert get_loss("binary_crossentropy").fn(t, p) == binary_crossentropy(t, p)
    problem = LogisticProblem(np.array([[100.0, 0.0], [-100.0, 0.0]]), np.array([0.0, 1.0]))
    assert problem.loss(np.array([1.0, 0.0])) == pytest.approx(worst, rel=1e-6)  # both points saturated
    net = TinyNet((1, 1), "sigmoid", "sigmoid", "cross_entropy", weights=[(np.array([[100.0]]), np.array([0.0]))])
    assert net.loss_value([1.0], [0.0]) == pytest.approx(worst, rel=1e-6)
    assert sparse_categorical_crossentropy(np.array([1]), np.array([[1.0, 0.0]]))[0] == pytest.approx(worst, rel=1e-6)
