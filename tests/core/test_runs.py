"""The run record every page shares: a training's settings, model, history, outcome and labels."""

import math

import numpy as np
import pytest

from core.datasets import load_dataset
from core.errors import InvalidSpecError
from core.experiment import Experiment, prepare_data
from core.params import count_params
from core.runs import start_run, train
from core.spec import CNNSpec, MLPSpec, TrainConfig


@pytest.fixture(scope="module")
def digits():
    return prepare_data(load_dataset("digits"), 0.2, 0)


def _exp(**config) -> Experiment:
    return Experiment(
        "digits", spec=MLPSpec((16,)), config=TrainConfig(batch_size=32, learning_rate=3e-3, **{"epochs": 3, **config})
    )


def test_a_run_records_its_training_and_its_result(digits):
    logs = []
    run = train(start_run(_exp(), digits), digits, on_epoch=logs.append)
    assert run.status == "completed" and run.message.startswith("Trained 3 epochs in")
    assert [li["epoch"] for li in logs] == [1, 2, 3] and run.epochs == logs
    assert run.test_score == run.model.score(digits.X_test, digits.y_test) > 0.5
    assert run.params == count_params(MLPSpec((16,)), (8, 8, 1), 10) == run.model.count_params()
    assert run.metric == "accuracy" and set(run.curves) >= {"loss", "val_loss", "accuracy", "val_accuracy"}
    assert run.history.snapshots.epochs == [1, 2, 3]
    assert run.label == "sklearn 16 relu adam lr=0.003"
    run.number = 4
    assert run.label == "run 4: sklearn 16 relu adam lr=0.003"
    assert run.title == f"sklearn 16 relu adam lr=0.003 on digits (3 epochs, test accuracy {run.test_score:.0%})"


def test_release_keeps_the_curves_and_drops_the_model(digits):
    run = train(start_run(_exp(), digits), digits)
    curves, score = run.curves, run.test_score
    run.release()
    assert run.model is None and run.history.snapshots is None
    assert run.curves == curves and run.test_score == score and run.metric == "accuracy" and run.params == 1210


def test_a_diverged_run_has_no_test_score():
    data = prepare_data(load_dataset("diabetes"), 0.2, 0)
    exp = Experiment(
        "diabetes",
        spec=MLPSpec((), "linear"),
        config=TrainConfig(epochs=5, batch_size=8, learning_rate=3.0, optimizer="sgd"),
    )
    run = train(start_run(exp, data), data)
    assert run.status == "diverged" and math.isnan(run.test_score) and "Lower the learning rate" in run.message
    assert run.metric == "r2"


def test_networks_the_backend_cannot_build_or_too_large_are_refused_before_training(digits):
    with pytest.raises(InvalidSpecError, match="scikit-learn has no convolutional layers"):
        Experiment("digits", spec=CNNSpec(conv_filters=(4,)))
    with pytest.raises(InvalidSpecError, match="over the budget of 1,000"):
        start_run(_exp(), digits, max_params=1000)


@pytest.mark.keras
def test_a_cnn_run_on_keras(digits):
    exp = Experiment(
        "digits",
        backend="keras",
        spec=CNNSpec(conv_filters=(4,), dropout=0.0),
        config=TrainConfig(epochs=2, batch_size=64),
    )
    run = train(start_run(exp, digits), digits)
    assert run.status == "completed" and run.params == count_params(exp.spec, (8, 8, 1), 10) == 4 * 10 + 4 * 9 * 10 + 10
    assert run.label == "keras conv 4 3x3 pool 2 relu adam lr=0.001"
    assert [n for n, _, _ in run.history.snapshots.at(2)] == ["conv_1", "output"]
    assert np.isfinite(run.test_score)


def test_a_closed_run_knows_its_dead_layers_once(digits):
    data = prepare_data(load_dataset("spiral"), 0.2, 0)
    exp = Experiment(
        "spiral", spec=MLPSpec((4, 5, 5, 2)), config=TrainConfig(epochs=60, batch_size=32, learning_rate=0.03, seed=3)
    )
    run = train(start_run(exp, data), data)  # the lesson's settings: with this seed the last layer dies
    assert run.dead_layers == ("hidden_4",) and run.test_score == 0.5
    assert train(start_run(_exp(), digits), digits).dead_layers == ()


def test_the_time_limit_is_kept_between_two_progress_messages():
    """Epochs shorter than the progress pacing (0.25 s) still meet the time limit at their end."""
    from types import SimpleNamespace

    from core.classserver.training_job import JobLimits, Reporter

    stopped = []
    run = SimpleNamespace(
        exp=SimpleNamespace(config=SimpleNamespace(epochs=100)), model=SimpleNamespace(stop=lambda: stopped.append(1))
    )
    reporter = Reporter("j", run, None, False, JobLimits(max_seconds=0.0), lambda m: None, lambda: False)
    reporter.sent = 1  # a message went out a moment ago: this epoch is not flushed
    reporter.epoch({"epoch": 2, "loss": 1.0})
    assert reporter.timed_out and stopped


@pytest.mark.keras
def test_a_keras_run_stops_at_its_deadline_within_an_epoch():
    """One epoch of a large set can outlast the time limit: Keras stops after the batch that passed it."""
    import time

    exp = Experiment("digits", backend="keras", spec=MLPSpec((8,)), config=TrainConfig(epochs=2, batch_size=1))
    data = prepare_data(load_dataset("digits"), 0.2, 0)
    run = start_run(exp, data)
    run.model.deadline = time.monotonic()  # already passed
    train(run, data)
    assert int(run.model.model_.optimizer.iterations) == 1  # one batch of the 1,293 of an epoch
