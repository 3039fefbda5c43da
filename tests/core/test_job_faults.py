"""#19, first steps: a cluster that cannot start is a message, not a line that never moves; progress merged by
epoch number (a retried task reports its epochs again); a dead worker said in words; the tick thread survives an
error."""

import logging
import time

import pytest

from core.cluster import Cluster
from core.datasets import load_dataset
from core.experiment import Experiment, prepare_data
from core.jobs import FAILED, WAITING, JobBoard, failure_message, merge_epochs
from core.spec import MLPSpec, TrainConfig


class _Starting:
    """A cluster still starting: the board keeps its line and never calls Dask."""

    ready, failure, local, workers = False, "", True, 1

    def start_now(self):
        pass

    def threads(self):
        return 1


@pytest.fixture(scope="module")
def digits():
    return prepare_data(load_dataset("digits"), 0.2, 0)


def _exp(epochs=5):
    return Experiment("digits", spec=MLPSpec((8,)), config=TrainConfig(epochs=epochs, batch_size=32))


def test_a_cluster_that_cannot_start_ends_every_waiting_job_with_its_message(digits):
    cluster = Cluster("tcp://127.0.0.1:1")  # nothing listens there
    board = JobBoard(cluster, abandon_after=600)
    try:
        job = board.submit("alice", _exp(), digits)
        deadline = time.monotonic() + 60
        while not job.finished:
            assert time.monotonic() < deadline, f"still {job.state}: a line that never moves"
            time.sleep(0.1)
        assert job.state == FAILED
        assert "No training cluster" in job.error and "tcp://127.0.0.1:1" in job.error and "teacher" in job.error
    finally:
        board.close()
        cluster.close()


def test_progress_is_merged_by_epoch_number_when_a_retried_task_reports_again(digits):
    board = JobBoard(_Starting(), abandon_after=600)
    try:
        job = board.submit("alice", _exp(), digits)
        assert job.state == WAITING
        board._on_progress(("t", {"job": job.id, "epochs": [{"epoch": 1, "loss": 1.0}, {"epoch": 2, "loss": 0.9}]}))
        board._on_progress(("t", {"job": job.id, "epochs": [{"epoch": 1, "loss": 1.1}]}))  # the retry
        board._on_progress(("t", {"job": job.id, "epochs": [{"epoch": 2, "loss": 0.8}, {"epoch": 3, "loss": 0.7}]}))
        assert [e["epoch"] for e in job.epochs] == [1, 2, 3]
        assert [e["loss"] for e in job.epochs] == [1.1, 0.8, 0.7]
    finally:
        board.close()
    assert merge_epochs([], []) == []


def test_a_killed_worker_is_said_in_words_a_student_understands():
    from distributed.scheduler import KilledWorker

    text = failure_message(KilledWorker("nnlab-train-9-123", None, 3))
    assert "worker process" in text and "died" in text
    assert "KilledWorker" not in text and "tcp://" not in text and "nnlab-train" not in text


def test_the_tick_thread_lives_through_an_error(digits, caplog, monkeypatch):
    board = JobBoard(_Starting(), abandon_after=1.0)
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the scheduler went away")
        JobBoard._tick(board)

    monkeypatch.setattr(board, "_tick", flaky)
    try:
        with caplog.at_level(logging.ERROR, logger="nnlab.jobs"):
            job = board.submit("alice", _exp(), digits)
            deadline = time.monotonic() + 10
            while not job.finished:  # not polled: the next ticks still cancel it
                assert time.monotonic() < deadline
                time.sleep(0.05)
        assert len(calls) >= 2 and "tick failed" in caplog.text
    finally:
        board.close()


def test_a_connected_page_keeps_its_job_without_polls_and_a_closed_one_frees_it_within_5_s(digits):
    connected = [True]
    board = JobBoard(_Starting(), abandon_after=3.0)
    try:
        job = board.submit("alice", _exp(), digits, alive=lambda: connected[0])
        other = board.submit("bob", _exp(), digits)  # no connection check: polls only, as before
        time.sleep(4.5)  # a frozen tab: no poll at all
        assert job.state == WAITING and other.finished
        connected[0] = False  # the tab is closed
        closed = time.monotonic()
        while not job.finished:
            assert time.monotonic() - closed < 5.0
            time.sleep(0.05)
    finally:
        board.close()
