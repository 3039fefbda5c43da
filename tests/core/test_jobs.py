"""Training as jobs on a real local Dask cluster (a scheduler and two one-thread workers as subprocesses, as the
server starts them): progress epoch by epoch, Stop, cancel, abandoned jobs, the fair line, and models that come
back predicting like ones trained in-process with the same seed."""

import sys
import time

import numpy as np
import pytest

from core.classserver.cluster import Cluster
from core.classserver.job import CANCELLED, DONE, RUNNING, WAITING, JobRefused
from core.classserver.jobs import JobBoard
from core.classserver.training_job import JobLimits
from core.datasets import load_dataset
from core.experiment import Experiment, prepare_data
from core.runs import start_run, train
from core.spec import MLPSpec, TrainConfig


@pytest.fixture(scope="module")
def cluster():
    c = Cluster(workers=2)
    c.client(timeout=120).wait_for_workers(2, timeout=120)  # both threads in the line's count from the start
    yield c
    c.close()


@pytest.fixture
def board(cluster):
    b = JobBoard(cluster, abandon_after=2.0)
    yield b
    for job in b.jobs():
        b.cancel(job)
    b.close()


@pytest.fixture(scope="module")
def digits():
    return prepare_data(load_dataset("digits"), 0.2, 0)


def _exp(epochs=10, hidden=(16,), **kw) -> Experiment:
    return Experiment(
        "digits", spec=MLPSpec(hidden), config=TrainConfig(epochs=epochs, batch_size=32, learning_rate=3e-3, **kw)
    )


def _wait(board, job, timeout=120, until=lambda j: j.finished):
    deadline = time.monotonic() + timeout
    while not until(job):
        assert time.monotonic() < deadline, f"job still {job.state} after {timeout} s"
        board.seen(job)
        time.sleep(0.02)
    return job


def test_progress_arrives_epoch_by_epoch_and_the_model_predicts_like_one_trained_here(board, digits):
    job = board.submit("alice", _exp(epochs=40), digits)
    seen = []
    _wait(board, job, until=lambda j: (seen.append(len(j.epochs)), j.finished)[1])
    assert job.state == DONE and [e["epoch"] for e in job.epochs] == list(range(1, 41))
    assert 0 < min(n for n in seen if n) < 40  # some progress arrived before the end
    run = board.collect(job)
    here = train(start_run(_exp(epochs=40), digits), digits)
    np.testing.assert_allclose(
        run.model.predict_proba(digits.X_test), here.model.predict_proba(digits.X_test), rtol=1e-6, atol=1e-9
    )
    assert run.test_score == here.test_score and run.status == "completed"
    assert job not in board.jobs()  # collected: the board no longer holds it


def test_two_jobs_with_one_seed_agree_and_run_at_once_on_two_workers(board, digits):
    board.cluster.client()  # started, and both workers counted by its supervisor (a fresh cluster may count one)
    deadline = time.monotonic() + 60
    while not (board.cluster.ready and board.cluster.threads() == 2) and time.monotonic() < deadline:
        time.sleep(0.1)
    a, b = board.submit("alice", _exp(epochs=30), digits), board.submit("bob", _exp(epochs=30), digits)
    assert board.position(a) == board.position(b) == 0  # two threads: both start at once
    _wait(board, a, until=lambda j: (board.seen(b), a.finished and b.finished)[1])  # both polled: none abandoned
    ra, rb = board.collect(a), board.collect(b)
    assert ra.curves["loss"] == rb.curves["loss"] and ra.curves["val_accuracy"] == rb.curves["val_accuracy"]
    np.testing.assert_array_equal(ra.model.layer_weights()[0][1], rb.model.layer_weights()[0][1])


def test_one_job_per_student_a_line_with_places_and_a_teacher_first(board, digits):
    long = _exp(epochs=2000, hidden=(256, 256))
    first, second = board.submit("s1", long, digits), board.submit("s2", long, digits)
    with pytest.raises(JobRefused, match="already have a training"):
        board.submit("s1", _exp(), digits)
    third, fourth = board.submit("s3", _exp(), digits), board.submit("s4", _exp(), digits)
    teacher = board.submit("teacher", _exp(), digits, teacher=True)
    assert {first.state, second.state} == {RUNNING} and third.state == fourth.state == WAITING
    assert [board.position(j) for j in (teacher, third, fourth)] == [1, 2, 3]
    assert 0 < board.wait_estimate(teacher) <= board.wait_estimate(third) <= board.wait_estimate(fourth)
    board.stop(fourth)  # leaving the line
    assert fourth.state == CANCELLED and board.position(third) == 2
    board.stop(first)
    _wait(board, first)
    _wait(board, teacher, until=lambda j: j.state != WAITING)
    assert third.state == WAITING  # the teacher's job took the free thread


def test_stop_ends_after_the_current_epoch_and_keeps_the_model(board, digits):
    job = board.submit("alice", _exp(epochs=2000, hidden=(256, 256)), digits)
    _wait(board, job, until=lambda j: len(j.epochs) >= 2)
    board.stop(job)
    run = board.collect(_wait(board, job))
    assert run.status == "stopped" and 2 <= len(run.epochs) < 2000 and run.test_score > 0.5
    assert run.message == f"Stopped by request after epoch {len(run.epochs)}."


def test_an_abandoned_job_is_cancelled_within_seconds(board, digits):
    job = board.submit("gone", _exp(epochs=2000, hidden=(256, 256)), digits)
    _wait(board, job, until=lambda j: len(j.epochs) >= 1)
    left = time.monotonic()  # the page stops polling
    while job.state == RUNNING and time.monotonic() - left < 10:
        time.sleep(0.05)
    assert job.state == CANCELLED and time.monotonic() - left < 5
    nxt = board.submit("next", _exp(epochs=5), digits)  # its worker thread is free again
    assert _wait(board, nxt, timeout=30).state == DONE


def test_a_network_over_the_budget_is_one_message_before_anything_runs(cluster, digits):
    board = JobBoard(cluster, JobLimits(max_params=2_000))
    with pytest.raises(ValueError, match="over the budget of 2,000"):
        board.submit("alice", _exp(epochs=2, hidden=(64,)), digits)
    board.close()


def test_the_iris_lessons_10000_iterations_run_through_the_queue(board):
    """Lesson 002 trains iris for 10,000 iterations: a count is no limit; the server's time limit is."""
    iris = prepare_data(load_dataset("iris"), 0.1, 0)
    exp = Experiment("iris", spec=MLPSpec((5,)), config=TrainConfig(epochs=10_000, batch_size=200, learning_rate=1e-3))
    run = board.collect(_wait(board, board.submit("alice", exp, iris), timeout=240))
    assert run.status == "completed" and len(run.epochs) == 10_000, run.message
    assert run.test_score > 0.9


def test_the_time_limit_is_the_teachers_to_set(monkeypatch):
    monkeypatch.setenv("NNLAB_MAX_TRAIN_SECONDS", "900")
    assert JobLimits.from_env().max_seconds == 900
    monkeypatch.setenv("NNLAB_MAX_TRAIN_SECONDS", "ten minutes")
    with pytest.raises(ValueError, match="NNLAB_MAX_TRAIN_SECONDS"):
        JobLimits.from_env()


def test_a_time_limit_stops_the_run_and_keeps_its_model(cluster, digits):
    board = JobBoard(cluster, JobLimits(max_seconds=1.0))
    job = board.submit("alice", _exp(epochs=2000, hidden=(256, 256)), digits)
    run = board.collect(_wait(board, job))
    assert run.status == "stopped" and f"time limit (1 s) after epoch {len(run.epochs)}" in run.message
    assert run.model is not None and len(run.epochs) < 2000
    board.close()


@pytest.mark.keras
def test_a_keras_job_comes_back_without_tensorflow_in_the_server_and_predicts_like_keras(board):
    moons = prepare_data(load_dataset("moons"), 0.2, 0)
    exp = Experiment("moons", backend="keras", spec=MLPSpec((8, 8)), config=TrainConfig(epochs=15))
    job = board.submit("alice", exp, moons, boundary=True)
    run = board.collect(_wait(board, job, timeout=180))
    assert job.grid is not None and len(job.grid["z"]) == len(job.grid["xs"]) * len(job.grid["ys"])
    assert type(run.model).__name__ == "FrozenModel" and run.status == "completed"
    test_loss, training_loss = job.grid["losses"]  # written live over the plane, as the Playground does
    assert test_loss == pytest.approx(run.model.loss(moons.X_test, moons.y_test), rel=1e-4)
    assert training_loss == pytest.approx(run.model.loss(moons.X_train, moons.y_train), rel=1e-4)
    if "tensorflow" not in sys.modules:  # in a full test run other tests import it
        assert run.model.predict(moons.X_test).shape == (len(moons.X_test),) and "tensorflow" not in sys.modules
    from core.models import load_model

    keras_model = load_model(run.model.save_bytes(), "keras", exp.spec, input_shape=(2,), n_outputs=2)
    np.testing.assert_allclose(
        run.model.predict_proba(moons.X_test), keras_model.predict_proba(moons.X_test), atol=1e-5
    )


def test_a_cluster_started_later_starts_at_once_for_a_training(digits):
    """The server's cluster waits before starting (its imports and processes slowed the first page), unless a
    training is submitted sooner."""
    cluster = Cluster(workers=1, start_after=600)
    board = JobBoard(cluster)
    try:
        time.sleep(1.0)
        assert not cluster.ready and not cluster._procs
        job = board.submit("dora", _exp(epochs=3), digits)
        _wait(board, job)
        assert job.state == DONE
    finally:
        board.close()
        cluster.close()


def test_arrays_a_worker_unpickled_at_odd_addresses_are_realigned_unchanged(digits):
    from dataclasses import replace

    from core.classserver.training_job import aligned

    raw = np.zeros(digits.X_train.nbytes + 1, np.uint8)[1:]  # one byte off: as seen inside a message
    odd = raw.view(np.float32).reshape(digits.X_train.shape)
    odd[...] = digits.X_train
    data = replace(digits, X_train=odd)
    assert not data.X_train.flags.aligned
    fixed = aligned(data)
    assert fixed.X_train.flags.aligned and not fixed.X_train.flags.writeable
    np.testing.assert_array_equal(fixed.X_train, digits.X_train)
    assert fixed.X_test is digits.X_test  # aligned arrays are not copied
    assert aligned(digits) is digits


def test_workers_do_not_profile_and_reuse_freed_memory(cluster):
    def settings():
        import dask

        from core.classserver.worker_warmup import reuse_freed_memory

        return dask.config.get("distributed.worker.profile.enabled"), reuse_freed_memory()

    profiling, mallopt = cluster.client().submit(settings, pure=False).result(timeout=60)
    assert profiling is False  # Dask samples the running task's stack every 10 ms otherwise
    assert mallopt is (sys.platform == "linux")  # glibc took the thresholds


def test_a_job_that_fails_on_its_worker_is_one_message_and_its_traceback_is_in_the_server_log(board, digits, caplog):
    """The student reads one line; the teacher finds the worker's whole traceback in the server log (#19: it was
    lost)."""
    import dataclasses
    import logging

    from core.classserver.job import FAILED

    broken = dataclasses.replace(digits, y_train=digits.y_train[:10])  # labels for 10 of 1,437 images
    with caplog.at_level(logging.ERROR, logger="nnlab.jobs"):
        job = _wait(board, board.submit("alice", _exp(epochs=2), broken))
    assert job.state == FAILED and job.error == "X has 1437 samples but y has 10.", job.error
    logged = [r.getMessage() for r in caplog.records if "failed on its worker" in r.getMessage()]
    assert logged and "Traceback (most recent call last)" in logged[0] and "y has 10" in logged[0]
    assert "training_job.py" in logged[0]  # the worker's frames, not only the server's
    board.collect(job)


def test_a_datasets_arrays_go_to_the_cluster_once_for_every_job_on_them(board, cluster, digits):
    """Two students' jobs on one PreparedData (the object the server's cache hands every session) use one copy of
    its arrays on the cluster, sent before the first job; each job used to carry them (MNIST: ~200 MB a job)."""
    first = _wait(board, board.submit("alice", _exp(epochs=2), digits))
    second = _wait(board, board.submit("bob", _exp(epochs=2, seed=1), digits))
    assert first.state == second.state == DONE
    keys = cluster.client().run_on_scheduler(
        lambda dask_scheduler: [str(k) for k in dask_scheduler.tasks if str(k).startswith("PreparedData")]
    )
    assert len(keys) == 1, keys
    assert board.shares.held() == [digits]
    board.collect(first), board.collect(second)
