"""One student's training on the class server: its state, its progress so far, and (once done) its run. The board
(core.classserver.jobs) moves it from waiting to running to an end."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from core.errors import NNLabError
from core.experiment import Experiment, PreparedData
from core.runs import Resume, Run

WAITING, RUNNING, DONE, FAILED, CANCELLED = "waiting", "running", "done", "failed", "cancelled"
ACTIVE = (WAITING, RUNNING)
ONE_EACH = "You already have a training in line or running: wait for it, or press Stop."
LOG = logging.getLogger("nnlab.jobs")


class JobRefused(NNLabError, ValueError):
    """A training the class server will not take: what is over which limit, and what to do."""


@dataclass(eq=False)
class Job:
    """One student's training: where it is, its progress so far, and (once done) its run."""

    id: str
    owner: str
    exp: Experiment
    data: PreparedData | None = field(repr=False)  # dropped once the job ends
    boundary: bool = False
    teacher: bool = False
    label: str = ""  # what lists of jobs call it (teacher page)
    state: str = WAITING
    submitted: float = field(default_factory=time.monotonic)
    joined: float = field(default_factory=time.time)  # wall clock: the line's order across servers
    started: float = 0.0
    ended: float = 0.0
    last_seen: float = field(default_factory=time.monotonic)
    epochs: list[dict] = field(default_factory=list)
    grid: dict | None = None
    run: Run | None = None
    error: str = ""
    note: str = ""  # what happened to a running job that it survived (its worker died and Dask retried it)
    stop_asked: bool = False
    work: float = 0.0  # samples x parameters x epochs: what the wait estimates scale
    alive: Callable[[], bool] | None = field(default=None, repr=False)  # the page's connection is open
    future: object = field(default=None, repr=False)
    generation: int = 0  # the cluster connection its task was handed to
    shared: tuple = field(default=(), repr=False)  # (generation, future of its data already on the cluster)
    resume: Resume | None = field(default=None, repr=False)  # the run it goes on from (Play after Pause, Step)

    @property
    def total_epochs(self) -> int:
        return self.exp.config.epochs

    @property
    def finished(self) -> bool:
        return self.state not in ACTIVE

    def connected(self) -> bool:
        """The job's page is connected (False if it cannot say: then its polls decide)."""
        if self.alive is None:
            return False
        try:
            return self.alive() is True  # (AppTest's runtime is a mock: not an answer)
        except Exception:  # logged; the polls still keep it alive
            LOG.exception("Could not tell whether job %s's page is connected.", self.id)
            return False
