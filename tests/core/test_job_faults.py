"""#19, first steps: a cluster that cannot start is a message, not a line that never moves; progress merged by
epoch number (a retried task reports its epochs again); a dead worker said in words; the tick thread survives an
error."""

import logging
import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager

import pytest

from core.classserver.cluster import ROOT, Cluster
from core.classserver.job import CANCELLED, DONE, FAILED, RUNNING, WAITING
from core.classserver.job_reports import failure_message, merge_epochs
from core.classserver.jobs import JobBoard
from core.datasets import load_dataset
from core.experiment import Experiment, prepare_data
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


class _Returning(_Starting):
    """A cluster that was up and is away: being restarted for `down_for` seconds."""

    generation, returning = 1, "The training cluster stopped and is being restarted."
    failure = "The training cluster stopped (the scheduler stopped); it is being restarted. Press Train again."

    def __init__(self, down_for):
        self.down_for = down_for


def test_waiting_jobs_wait_for_a_returning_cluster_but_not_for_ever(digits):
    from core.classserver.jobs import GIVE_UP

    board = JobBoard(_Returning(down_for=5.0), abandon_after=600)
    try:
        job = board.submit("alice", _exp(), digits)
        board._tick()
        assert job.state == WAITING and "being restarted" in board.notice()
        board.cluster.down_for = GIVE_UP + 1  # away too long: the line ends with the cluster's message
        board._tick()
        assert job.state == FAILED and "Press Train again" in job.error
    finally:
        board.close()


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
    # as a Dask event delivers them: a tuple of the next epochs, appended
    assert merge_epochs([{"epoch": 1}], ({"epoch": 2}, {"epoch": 3})) == [{"epoch": k} for k in (1, 2, 3)]


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


# -- #19 faults on a real cluster: a scheduler that dies, one that comes back, cancel that waits for the task ----
@contextmanager
def _one_worker():
    """A local cluster of one worker, started, and a board on it (jobs never abandoned); both closed after."""
    cluster = Cluster(workers=1)
    cluster.client(timeout=120)
    board = JobBoard(cluster, abandon_after=600)
    try:
        yield cluster, board
    finally:
        board.close()
        cluster.close()


def _until(cond, timeout, what):
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def test_a_closed_port_is_a_message_within_10_s(digits):
    cluster = Cluster("tcp://127.0.0.1:1")
    board = JobBoard(cluster, abandon_after=600)
    try:
        start = time.monotonic()
        job = board.submit("alice", _exp(), digits)
        _until(lambda: job.finished, 10, f"still {job.state} after 10 s")
        assert job.state == FAILED and "No training cluster" in job.error
        assert time.monotonic() - start < 10 and not cluster.ready
    finally:
        board.close()
        cluster.close()


def test_a_killed_local_scheduler_is_a_message_for_both_students_and_the_cluster_comes_back(digits):
    """The running student's training ends with a message; the waiting one reads that the cluster is being
    restarted, keeps its place, and trains when it is back (it failed at once before); later jobs run."""
    with _one_worker() as (cluster, board):
        running = board.submit("alice", _exp(epochs=5000), digits)
        waiting = board.submit("bob", _exp(epochs=3), digits)
        _until(lambda: running.state == RUNNING and running.epochs, 60, "the first job did not start")
        assert waiting.state == WAITING and not board.notice()
        cluster._procs[0].kill()  # the scheduler dies
        killed = time.monotonic()
        _until(lambda: running.finished and board.notice(), 10, "no message within 10 s")
        assert time.monotonic() - killed < 10
        assert running.state == FAILED and "stopped" in running.error and "Train again" in running.error
        assert waiting.state == WAITING and "being restarted" in board.notice() and board.position(waiting) == 1
        _until(lambda: waiting.finished, 120, f"the waiting job is still {waiting.state} after the restart")
        assert waiting.state == DONE and [e["epoch"] for e in waiting.epochs] == [1, 2, 3] and not board.notice()
        board.collect(running), board.collect(waiting)
        again = board.submit("alice", _exp(epochs=3), digits)
        _until(lambda: again.finished, 90, f"the next job is still {again.state}")
        assert again.state == DONE and [e["epoch"] for e in again.epochs] == [1, 2, 3]  # progress re-subscribed
        assert any(t.name == "nnlab-jobs" and t.is_alive() for t in threading.enumerate())


_SCHEDULER = """
import asyncio, sys
from distributed import Scheduler, Worker
async def main():
    async with Scheduler(host="127.0.0.1", port=int(sys.argv[1]), dashboard_address=None) as s:
        async with Worker(s.address, nthreads=1, dashboard_address=None):
            print("up", flush=True)
            await asyncio.Event().wait()
asyncio.run(main())
"""


def _external(port):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-c", _SCHEDULER, str(port)], env=env, stdout=subprocess.PIPE)
    assert proc.stdout.readline().strip() == b"up"
    return proc


def test_an_external_scheduler_that_returns_is_reconnected(digits):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = _external(port)
    cluster = Cluster(f"tcp://127.0.0.1:{port}")
    cluster.client(timeout=60)
    board = JobBoard(cluster, abandon_after=600)
    try:
        first = board.submit("alice", _exp(epochs=3), digits)
        _until(lambda: first.finished, 60, "the first job did not finish")
        assert first.state == DONE
        board.collect(first)
        proc.kill(), proc.wait()
        _until(lambda: not cluster.ready, 10, "ready while the scheduler is gone")
        waits = board.submit("alice", _exp(epochs=3), digits)  # keeps its place, with a message, until it returns
        assert waits.state == WAITING and "being reconnected to" in board.notice()
        proc = _external(port)
        _until(lambda: cluster.ready, 30, "not reconnected")
        _until(lambda: waits.finished, 60, f"the waiting job is still {waits.state}")
        assert waits.state == DONE and [e["epoch"] for e in waits.epochs] == [1, 2, 3] and not board.notice()
        board.collect(waits)
        again = board.submit("alice", _exp(epochs=3), digits)
        _until(lambda: again.finished, 60, f"the next job is still {again.state}")
        assert again.state == DONE and [e["epoch"] for e in again.epochs] == [1, 2, 3]
    finally:
        board.close()
        cluster.close()
        proc.kill()
        proc.wait()


def test_a_killed_worker_restarts_the_training_once_with_a_message_and_fresh_curves(digits):
    """Kill the worker mid-job: within 10 s the student reads that it started again (Dask retries it once, on the
    worker the nanny restarts), its curves start at epoch 1 with no epoch twice, Stop still works, and the next
    job runs. A second death would end it (allowed-failures 1: KilledWorker, said in words)."""
    import psutil

    with _one_worker() as (cluster, board):
        client = cluster.client()
        allowed = client.run_on_scheduler(lambda dask_scheduler: dask_scheduler.allowed_failures)
        assert allowed == 1
        job = board.submit("alice", _exp(epochs=5000), digits)
        _until(lambda: len(job.epochs) >= 5, 60, "the job did not start")
        (pid,) = client.run(os.getpid).values()
        psutil.Process(pid).kill()  # the worker dies mid-epoch (out of memory, say)
        killed = time.monotonic()
        _until(lambda: job.note or job.finished, 20, "nothing said after the worker died")
        assert time.monotonic() - killed < 10 and "started again from where it began" in job.note, job.error
        assert job.state == RUNNING
        _until(lambda: len(job.epochs) >= 3, 60, "the retried job reported nothing")
        epochs = [e["epoch"] for e in job.epochs]
        assert epochs == list(range(1, len(epochs) + 1))  # fresh curves, no epoch twice
        board.stop(job)
        _until(lambda: job.finished, 60, "Stop did not end the retried job")
        assert job.state == DONE and job.run is not None
        board.collect(job)
        again = board.submit("bob", _exp(epochs=3), digits)
        _until(lambda: again.finished, 60, f"the next job is still {again.state}")
        assert again.state == DONE


def test_a_cancelled_running_job_keeps_its_slot_until_its_task_ended(digits):
    with _one_worker() as (cluster, board):
        old = board.submit("alice", _exp(epochs=5000), digits)
        _until(lambda: old.state == RUNNING and old.epochs, 60, "the job did not start")
        task = f"nnlab-train-{old.id}"
        board.cancel(old)
        assert old.state == CANCELLED
        new = board.submit("bob", _exp(epochs=3), digits)
        assert new.state == WAITING  # the slot is the old task's until it ended
        client = cluster.client()
        _until(lambda: new.state != WAITING, 30, "the slot was never handed out")
        state = client.run_on_scheduler(  # ended (the scheduler may not yet have forgotten its key: that is racy)
            lambda dask_scheduler, key=task: getattr(dask_scheduler.tasks.get(key), "state", "forgotten")
        )
        assert state != "processing", state
        _until(lambda: new.finished, 60, "the next job did not finish")
        assert new.state == DONE
        assert not client.run_on_scheduler(  # the stop Event was cleared (deleted on the scheduler)
            lambda dask_scheduler: [k for k in dask_scheduler.extensions["events"]._events if "nnlab" in k]
        )
