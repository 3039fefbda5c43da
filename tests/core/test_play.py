"""Play, Pause, Step and Reset as TensorFlow Playground's buttons: a run that goes on from where it was paused, in
parts, each part a job that ends (so a paused run holds no worker)."""

import time

import numpy as np
import pytest

from core.classserver.cluster import Cluster
from core.classserver.job import DONE
from core.classserver.jobs import JobBoard
from core.datasets import load_dataset
from core.experiment import Experiment, prepare_data
from core.runs import Resume, start_run, train
from core.spec import MLPSpec, TrainConfig


@pytest.fixture(scope="module")
def spiral():
    return prepare_data(load_dataset("spiral", noise=0.1), 0.5, 0, stratify=False, features=("x1", "x2", "x1sq"))


def _exp(backend="sklearn", epochs=5, optimizer="adam") -> Experiment:
    return Experiment(
        "spiral",
        {"noise": 0.1},
        test_fraction=0.5,
        backend=backend,
        spec=MLPSpec((6, 4), "tanh"),
        config=TrainConfig(epochs=epochs, batch_size=10, learning_rate=0.03, optimizer=optimizer),
        stratify=False,
        features=("x1", "x2", "x1sq"),
    )


def _weights(run):
    return [w for _, W, b in run.model.layer_weights() for w in (W, b)]


@pytest.mark.parametrize(
    "backend, optimizer", [("sklearn", "adam"), pytest.param("keras", "sgd", marks=pytest.mark.keras)]
)
def test_a_run_goes_on_from_the_weights_it_was_paused_at_and_counts_on(spiral, backend, optimizer):
    first = train(start_run(_exp(backend, 4, optimizer), spiral), spiral)
    resumed = start_run(_exp(backend, 3, optimizer), spiral, resume=Resume.of(first))
    for a, b in zip(_weights(resumed), _weights(first)):  # exactly where it stopped
        np.testing.assert_array_equal(a, b)
    train(resumed, spiral)
    assert [e["epoch"] for e in resumed.epochs] == [5, 6, 7] and resumed.last_epoch == 7
    assert "epoch 7 in all" in resumed.message
    assert not np.allclose(_weights(resumed)[0], _weights(first)[0])  # and trained on
    resumed.after(first)
    assert [e["epoch"] for e in resumed.epochs] == list(range(1, 8))  # one history for the curves
    assert resumed.history.snapshots.epochs == list(range(1, 8))
    for a, b in zip(resumed.history.snapshots.at(4), first.history.snapshots.at(4)):
        np.testing.assert_array_equal(a[1], b[1])


def test_step_is_exactly_one_epoch_and_reset_starts_from_the_same_first_weights(spiral):
    before = train(start_run(_exp(epochs=2), spiral), spiral)
    step = train(start_run(_exp(epochs=1), spiral, resume=Resume.of(before)), spiral)
    assert [e["epoch"] for e in step.epochs] == [3] and step.last_epoch == 3
    again, fresh = start_run(_exp(epochs=1), spiral), start_run(_exp(epochs=1), spiral)  # Reset: the seed's start
    train(again, spiral), train(fresh, spiral)
    for a, b in zip(_weights(again), _weights(fresh)):
        np.testing.assert_array_equal(a, b)


def test_scikit_learn_keeps_its_optimizer_through_a_pause_and_takes_a_new_learning_rate(spiral):
    first = train(start_run(_exp(epochs=2), spiral), spiral)
    faster = _exp(epochs=1)
    faster = Experiment(
        **{**faster.__dict__, "config": TrainConfig(**{**faster.config.to_dict(), "learning_rate": 0.1})}
    )
    resumed = start_run(faster, spiral, resume=Resume.of(first))
    train(resumed, spiral)
    optimizer = resumed.model.estimator_._optimizer
    assert optimizer.t > 2 * 13  # Adam's step count went on (two epochs of 13 batches before this one)
    assert optimizer.learning_rate_init == 0.1


@pytest.fixture(scope="module")
def one_thread():
    c = Cluster(workers=1)
    c.client(timeout=120).wait_for_workers(1, timeout=120)
    yield c
    c.close()


def _wait(board, job, until, timeout=120):
    deadline = time.monotonic() + timeout
    while not until(job):
        assert time.monotonic() < deadline, f"job still {job.state} after {timeout} s"
        board.seen(job)
        time.sleep(0.02)


def test_a_paused_run_holds_no_worker_and_plays_on_after_another_students_job(one_thread, spiral):
    board = JobBoard(one_thread, abandon_after=5.0)
    try:
        playing = board.submit("alice", _exp(epochs=10_000), spiral)  # Play: until paused
        _wait(board, playing, lambda j: len(j.epochs) >= 5)
        board.stop(playing)  # Pause
        _wait(board, playing, lambda j: j.finished)
        paused = board.collect(playing)
        assert playing.state == DONE and paused.status == "stopped" and 5 <= paused.last_epoch < 10_000
        other = board.submit("bob", _exp(epochs=3), spiral)  # one worker thread: it runs while alice is paused
        assert board.position(other) == 0
        _wait(board, other, lambda j: j.finished)
        assert other.state == DONE and board.collect(other).last_epoch == 3
        step = board.submit("alice", _exp(epochs=1), spiral, resume=Resume.of(paused))  # Step
        _wait(board, step, lambda j: j.finished)
        stepped = board.collect(step).after(paused)
        assert stepped.last_epoch == paused.last_epoch + 1
        assert [e["epoch"] for e in stepped.epochs] == list(range(1, paused.last_epoch + 2))
    finally:
        board.close()
