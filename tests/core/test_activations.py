"""Every activation equals keras.activations, and every derivative equals finite differences."""

import numpy as np
import pytest

from core.activations import ACTIVATIONS, KERAS_ACTIVATIONS, activation_health, get_activation
from core.errors import InvalidSpecError

# Points away from each function's kinks (0 for relu-like and step, +-3 for hard sigmoid).
X = np.concatenate(
    [np.linspace(-6, -3.1, 15), np.linspace(-2.9, -0.05, 25), np.linspace(0.05, 2.9, 25), np.linspace(3.1, 6, 15)]
)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_derivative_matches_finite_differences(name):
    act = get_activation(name)
    h = 1e-6
    numeric = (act.fn(X + h) - act.fn(X - h)) / (2 * h)
    np.testing.assert_allclose(act.grad(X), numeric, atol=1e-6)


def test_leaky_relu_slope_parameter():
    act = get_activation("leaky_relu", negative_slope=0.05)
    assert act.fn(np.array([-2.0]))[0] == pytest.approx(-0.1) and act.grad(np.array([-1.0]))[0] == 0.05
    with pytest.raises(InvalidSpecError, match="does not take parameters"):
        get_activation("relu", negative_slope=0.1)
    with pytest.raises(InvalidSpecError, match="Unknown activation 'swishy'"):
        get_activation("swishy")


def test_properties_table_facts():
    assert get_activation("sigmoid").derivative_at_zero() == pytest.approx(0.25)
    assert get_activation("tanh").derivative_at_zero() == pytest.approx(1.0)
    assert get_activation("relu").dead_region.startswith("x < 0")
    assert get_activation("tanh").zero_centred and not get_activation("sigmoid").zero_centred


def test_health_counts_saturated_values_and_dead_units():
    z = np.array([[-5.0, 0.5, -1.0], [-6.0, 1.0, 8.0]])  # unit 0 never fires; |z| > 4 saturates tanh
    relu = activation_health("relu", z)
    assert relu.dead_units == pytest.approx(1 / 3) and relu.saturated == pytest.approx(0.5)
    tanh = activation_health("tanh", z)
    assert tanh.dead_units == 0 and tanh.saturated == pytest.approx(3 / 6)


@pytest.mark.keras
@pytest.mark.parametrize("name", [n for n in KERAS_ACTIVATIONS])
def test_values_match_keras(name):
    import keras

    ours = get_activation(name).fn(X)
    theirs = np.asarray(getattr(keras.activations, get_activation(name).keras_name)(X.astype("float64")))
    np.testing.assert_allclose(ours, theirs, atol=1e-6)


def test_arctan_and_step_are_what_they_say():
    np.testing.assert_allclose(get_activation("arctan").fn(X), np.arctan(X))
    assert get_activation("step").fn(np.array([-0.1, 0.0, 2.0])).tolist() == [0.0, 1.0, 1.0]
