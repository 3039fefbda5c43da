"""How long jobs take, for the line's wait estimates ("2nd in line, about 30 s"): plain arithmetic on the jobs'
state and a clock, no Dask and no threads.

A job's work is samples x parameters x epochs; seconds per unit of work are learned from finished jobs. A running
job's remaining time comes from its own pace once it has reported an epoch. Nothing lasts past the time limit: a
run stops there.
"""

from __future__ import annotations

import heapq
import time

DEFAULT_RATE = 2e-8  # seconds per sample x parameter x epoch, until finished jobs measure it


class Pace:
    def __init__(self, rate: float = DEFAULT_RATE, clock=time.monotonic) -> None:
        self.rate, self.clock = rate, clock

    def expected(self, job, max_seconds: float) -> float:
        """Seconds a job should take, from the measured rate, at most the time limit it stops at."""
        return min(self.rate * job.work, max_seconds)

    def remaining(self, job, max_seconds: float) -> float:
        """Seconds a job still needs: a running one from its own pace (or the rate before its first epoch), a
        waiting one all of it, a finished one none."""
        if job.state != "running":
            return 0.0 if job.finished else self.expected(job, max_seconds)
        done, elapsed = len(job.epochs), self.clock() - job.started
        if not done:
            return max(0.0, self.expected(job, max_seconds) - elapsed)
        left = elapsed / done * max(0, job.total_epochs - done)
        return min(left, max(0.0, max_seconds - elapsed))  # it stops at the time limit

    @staticmethod
    def wait(ahead: list[float], running: list[float], threads: int) -> float:
        """Seconds until a job starts, given the expected seconds of each job ahead of it in line (in order), the
        remaining seconds of the running ones, and the worker threads: as threads free up, each job ahead takes the
        first free one for its expected time."""
        free = [0.0] * max(0, threads - len(running)) + list(running)
        heapq.heapify(free)
        for seconds in ahead:
            heapq.heappush(free, heapq.heappop(free) + seconds)
        return free[0] if free else 0.0

    def learn(self, job, done: int) -> None:
        """A job finished `done` of its epochs: move the rate towards what it measured."""
        seconds = self.clock() - job.started
        if job.work and done:
            self.rate = 0.7 * self.rate + 0.3 * seconds / (job.work * done / job.total_epochs)
