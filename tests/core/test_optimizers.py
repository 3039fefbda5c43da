"""Our optimizers take the same steps as keras.optimizers on the same functions; descent modes behave."""

import numpy as np
import pytest

from core.descent import blobs_problem, gradient_descent
from core.errors import InvalidSpecError
from core.optimizers import OPTIMIZERS, SURFACES, get_surface, optimize

KERAS = {"sgd": ("SGD", {}), "momentum": ("SGD", {"momentum": 0.9}), "rmsprop": ("RMSprop", {}), "adam": ("Adam", {})}


@pytest.mark.keras
@pytest.mark.parametrize("surface", list(SURFACES))
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_first_steps_equal_keras(surface, name):
    import keras

    s = get_surface(surface)
    lr = 0.002  # small enough that no path diverges in 6 steps
    ours = optimize(s, name, lr, steps=6).points
    cls, kwargs = KERAS[name]
    opt = getattr(keras.optimizers, cls)(learning_rate=lr, **kwargs)
    var = keras.Variable(np.array(s.start), dtype="float64")
    theirs = [np.asarray(var).copy()]
    for _ in range(6):
        opt.apply_gradients([(s.grad(np.asarray(var)), var)])
        theirs.append(np.asarray(var).copy())
    # Keras keeps its learning rate and some slots in float32, hence 1e-5 and not 1e-12; a wrong rule
    # (no bias correction, a wrong decay, the momentum's sign) is off by orders of magnitude more.
    np.testing.assert_allclose(ours, np.array(theirs), rtol=1e-5, atol=1e-8)


def test_surface_gradients_match_finite_differences():
    h = 1e-6
    for s in SURFACES.values():
        w = np.array([0.3, -0.7])
        numeric = [(s.fn(*(w + e)) - s.fn(*(w - e))) / (2 * h) for e in np.eye(2) * h]
        np.testing.assert_allclose(s.grad(w), numeric, rtol=1e-5, atol=1e-6)


def test_learning_rate_shows_convergence_oscillation_and_divergence():
    bowl = get_surface("bowl")
    assert optimize(bowl, "sgd", 0.1, 100).values[-1] < 1e-8  # converges
    oscillating = optimize(bowl, "sgd", 0.95, 20).points[:, 0]
    assert np.all(np.sign(oscillating[1:]) != np.sign(oscillating[:-1]))  # jumps across the minimum
    diverging = optimize(bowl, "sgd", 1.5, 200)
    assert diverging.diverged_at is not None and diverging.diverged_at < 200


def test_momentum_runs_along_the_valley_faster_than_sgd():
    valley = get_surface("valley")
    assert optimize(valley, "momentum", 0.05, 100).values[-1] < optimize(valley, "sgd", 0.05, 100).values[-1]


def test_batch_minibatch_and_stochastic_descent():
    problem = blobs_problem(100, seed=1)
    batch = gradient_descent(problem, batch_size=100, learning_rate=0.5, epochs=5)
    mini = gradient_descent(problem, batch_size=10, learning_rate=0.5, epochs=5)
    sgd = gradient_descent(problem, batch_size=1, learning_rate=0.5, epochs=5)
    assert len(batch.path) == 6 and len(mini.path) == 51 and len(sgd.path) == 501
    w = np.array([-2.0, 2.5])
    np.testing.assert_allclose(batch.path[1], w - 0.5 * problem.grad(w))  # batch GD: the full gradient
    assert np.all(np.diff(batch.full_loss) < 0)  # full-batch loss only goes down
    assert np.any(np.diff(sgd.full_loss) > 0)  # single samples zig-zag
    assert sgd.epoch_loss[1] < batch.epoch_loss[1]  # but make more progress per epoch
    grid = problem.loss_grid(np.array([-2.0, 0.0]), np.array([2.5]))
    assert grid.shape == (1, 2) and grid[0, 0] == pytest.approx(problem.loss(w))


def test_problem_gradient_matches_finite_differences():
    problem = blobs_problem(50)
    w, h = np.array([0.4, -0.3]), 1e-6
    numeric = [(problem.loss(w + e) - problem.loss(w - e)) / (2 * h) for e in np.eye(2) * h]
    np.testing.assert_allclose(problem.grad(w), numeric, atol=1e-7)


def test_bad_settings_are_refused():
    with pytest.raises(InvalidSpecError, match="batch_size must be from 1"):
        gradient_descent(blobs_problem(20), batch_size=50, learning_rate=0.1, epochs=1)
    with pytest.raises(InvalidSpecError, match="Unknown optimizer"):
        optimize(get_surface("bowl"), "lbfgs", 0.1)


def test_update_loss_is_the_loss_of_the_batch_each_update_used():
    problem = blobs_problem(200)
    run = gradient_descent(problem, batch_size=7, learning_rate=0.3, epochs=2, seed=1)
    rng = np.random.default_rng(1)
    order = np.concatenate([rng.permutation(200) for _ in range(2)])
    per_epoch = run.updates_per_epoch
    assert per_epoch == 29 and len(run.update_loss) == 58
    for k, value in enumerate(run.update_loss):
        e, b = divmod(k, per_epoch)
        idx = order[e * 200 + b * 7 : e * 200 + min(b * 7 + 7, 200)]
        assert value == pytest.approx(problem.loss(run.path[k], idx), abs=1e-12)
        np.testing.assert_allclose(run.path[k + 1], run.path[k] - 0.3 * problem.grad(run.path[k], idx))
