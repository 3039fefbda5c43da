"""One line for several NN Lab servers on one cluster (core.classserver.line): the rules with a fake clock, then
two servers' boards on one real scheduler with six students across them."""

import time

import pytest

from core.classserver.cluster import Cluster
from core.classserver.job import FAILED, RUNNING, WAITING, JobRefused
from core.classserver.jobs import JobBoard
from core.classserver.line import SILENT, Entry, Line
from core.datasets import load_dataset
from core.experiment import Experiment, prepare_data
from core.spec import MLPSpec, TrainConfig


class _Clock:
    now = 1000.0

    def __call__(self):
        return self.now


def _entry(i, owner, submitted, running=False, teacher=False, expected=10.0):
    return Entry(i, owner, teacher, submitted, running, expected)


def test_one_job_per_owner_across_servers_the_teacher_first_and_threads_granted_once():
    line = Line(clock=_Clock())
    a = line.sync("A", [_entry("a1", "s1", 1.0), _entry("a2", "s2", 2.0)], threads=1)
    assert a["grants"] == ["a1"] and a["refused"] == []
    b = line.sync("B", [_entry("b1", "s1", 3.0), _entry("b2", "s3", 4.0), _entry("b3", "t", 5.0, teacher=True)], 1)
    assert b["refused"] == ["b1"]  # s1 already has a job on A
    assert b["grants"] == []  # A's grant still holds the only thread until A says otherwise
    assert [i for _, i, _ in b["line"]] == ["b3", "a2", "b2"]  # the teacher first, then by arrival
    a = line.sync("A", [_entry("a1", "s1", 1.0, running=True), _entry("a2", "s2", 2.0)], threads=1)
    assert a["grants"] == [] and a["running"] == [10.0]
    a = line.sync("A", [_entry("a2", "s2", 2.0)], threads=1)  # a1 ended: the thread is the teacher's, on B
    assert a["grants"] == [] and [i for _, i, _ in a["line"]] == ["a2", "b2"]
    b = line.sync("B", [_entry("b2", "s3", 4.0), _entry("b3", "t", 5.0, teacher=True)], 1)
    assert b["grants"] == ["b3"]


def test_a_grant_not_taken_is_given_out_again_and_a_silent_server_leaves_the_line():
    clock = _Clock()
    line = Line(clock=clock)
    assert line.sync("A", [_entry("a1", "s1", 1.0)], threads=1)["grants"] == ["a1"]
    assert line.sync("A", [_entry("a1", "s1", 1.0)], threads=1)["grants"] == ["a1"]  # reported waiting: again
    line.sync("A", [_entry("a1", "s1", 1.0, running=True)], threads=1)
    assert line.sync("B", [_entry("b1", "s2", 2.0)], threads=1)["grants"] == []
    clock.now += SILENT + 1  # A crashed: its job no longer holds the thread, nor its student
    reply = line.sync("B", [_entry("b1", "s2", 2.0), _entry("b2", "s1", 3.0)], threads=1)
    assert reply["grants"] == ["b1"] and reply["refused"] == [] and reply["running"] == [10.0]


@pytest.fixture(scope="module")
def digits():
    return prepare_data(load_dataset("digits"), 0.2, 0)


def _exp(epochs):
    return Experiment("digits", spec=MLPSpec((64,)), config=TrainConfig(epochs=epochs, batch_size=32))


def test_two_servers_on_one_scheduler_share_one_fair_line(digits):
    """Six students across two servers' boards on one scheduler with one worker thread: one job runs, the
    places are one line seen alike from both servers, the teacher's job goes first, one job per student."""
    here = Cluster(workers=1)
    address = here.client(timeout=120).scheduler.address
    there = Cluster(address)
    one, two = JobBoard(here, abandon_after=600), JobBoard(there, abandon_after=600)
    try:
        long = _exp(2000)
        jobs = {"s1": one.submit("s1", long, digits)}
        for n, board in ((2, two), (3, one), (4, two), (5, one)):
            jobs[f"s{n}"] = board.submit(f"s{n}", _exp(5), digits)
        with pytest.raises(JobRefused, match="already have a training"):
            two.submit("s3", _exp(5), digits)  # s3 waits on the other server
        jobs["teacher"] = two.submit("teacher", _exp(5), digits, teacher=True)
        for board in (one, two):
            board._pump()  # both have heard the line's latest (their ticks do this every half second)
        assert [j.state for j in jobs.values()] == [RUNNING] + [WAITING] * 5
        places = {name: (one if name in ("s1", "s3", "s5") else two).position(j) for name, j in jobs.items()}
        assert places == {"s1": 0, "teacher": 1, "s2": 2, "s3": 3, "s4": 4, "s5": 5}
        in_order = sorted((p, n) for n, p in places.items() if p)
        waits = [(one if n in ("s3", "s5") else two).wait_estimate(jobs[n]) for _, n in in_order]
        assert waits == sorted(waits) and waits[0] > 0  # everyone waits for s1, each for those ahead of them
        assert one.in_class() == two.in_class() == (1, 5)
        one.stop(jobs["s1"])
        deadline = time.monotonic() + 60
        while jobs["teacher"].state == WAITING:  # the free thread goes to the teacher, on the other server
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert jobs["s2"].state == WAITING or jobs["teacher"].finished
        assert jobs["s3"].state == WAITING and not any(j.state == FAILED for j in jobs.values())
    finally:
        for board in (one, two):
            for job in board.jobs():
                board.cancel(job)
            board.close()
        there.close()
        here.close()


class _Up:
    """A cluster that is up, for the board's side of the line without Dask."""

    ready, failure, local, workers, generation, down_for = True, "", True, 1, 1, 0.0

    def start_now(self):
        pass

    def threads(self):
        return 1


def test_a_scheduler_that_cannot_keep_the_line_is_one_message_not_a_line_that_never_moves(digits, monkeypatch):
    class _NoPlugin:
        def sync(self, server, entries):
            raise ModuleNotFoundError("No module named 'core'")  # a school's scheduler outside NN Lab's folder

    board = JobBoard(_Up(), abandon_after=600)
    monkeypatch.setattr(board, "_scheduler_line", lambda generation: _NoPlugin())
    try:
        job = board.submit("alice", _exp(5), digits)
        assert job.state == FAILED
        assert "cannot keep NN Lab's line" in job.error and "README" in job.error and "teacher" in job.error
    finally:
        board.close()


def test_a_line_that_does_not_answer_keeps_the_jobs_waiting(digits, monkeypatch):
    class _Slow:
        def sync(self, server, entries):
            raise TimeoutError  # a busy scheduler: the next tick asks again

    board = JobBoard(_Up(), abandon_after=600)
    monkeypatch.setattr(board, "_scheduler_line", lambda generation: _Slow())
    try:
        job = board.submit("alice", _exp(5), digits)
        board._tick()
        assert job.state == WAITING and board.position(job) == 1
    finally:
        board.close()
