"""The line's wait estimates as plain arithmetic with a fake clock (core.classserver.pace): no cluster needed."""

from dataclasses import dataclass, field

import pytest

from core.classserver.pace import Pace


@dataclass
class _Job:
    work: float
    state: str = "waiting"
    started: float = 0.0
    epochs: list = field(default_factory=list)
    total_epochs: int = 10

    @property
    def finished(self):
        return self.state not in ("waiting", "running")


class _Clock:
    now = 100.0

    def __call__(self):
        return self.now


def test_a_running_job_is_estimated_from_its_own_pace_and_never_past_the_time_limit():
    clock = _Clock()
    pace = Pace(rate=1e-3, clock=clock)
    job = _Job(work=10_000, state="running", started=90.0)  # 10 s expected at the rate
    assert pace.remaining(job, 300) == pytest.approx(0.0)  # 10 s in, no epoch yet: the rate's 10 s are up
    job.epochs = [{}] * 2  # 2 of 10 epochs in 10 s: 40 s to go
    assert pace.remaining(job, 300) == pytest.approx(40.0)
    assert pace.remaining(job, 30) == pytest.approx(20.0)  # the run stops at 30 s
    assert pace.remaining(_Job(work=5_000), 300) == pytest.approx(5.0) and pace.remaining(_Job(1, "done"), 9) == 0


def test_the_line_waits_for_the_first_free_thread_then_each_job_ahead():
    running = [10.0]  # one running job needs 10 s more; in line: 20 s, 4 s, then the job asked about
    assert Pace.wait([], running, threads=1) == pytest.approx(10.0)
    assert Pace.wait([20.0, 4.0], running, threads=1) == pytest.approx(34.0)
    assert Pace.wait([20.0, 4.0], running, threads=2) == pytest.approx(14.0)  # 10 + 4 < 0 + 20
    assert Pace.wait([20.0], [], threads=3) == 0.0  # a free thread
    assert Pace.wait([5.0, 4.0], [0.0], threads=1) == pytest.approx(9.0)  # a run at its time limit: 0, 5, 4
    pace = Pace(rate=1e-3, clock=_Clock())
    assert pace.expected(_Job(work=20_000), 300) == 20.0 and pace.expected(_Job(work=20_000), 5) == 5.0


def test_the_rate_moves_towards_what_finished_jobs_measured():
    clock = _Clock()
    pace = Pace(rate=1e-3, clock=clock)
    pace.learn(_Job(work=1_000, started=80.0, total_epochs=10), done=10)  # 20 s for 1,000: 0.02 s a unit
    assert pace.rate == pytest.approx(0.7e-3 + 0.3 * 0.02)
    pace.learn(_Job(work=0), done=3)  # nothing measured: unchanged
    assert pace.rate == pytest.approx(0.7e-3 + 0.3 * 0.02)
