"""The class server's training queue: every student's training is a job on the Dask cluster, fairly shared.

    board = JobBoard(Cluster.from_env())
    job = board.submit(owner=session_id, exp=exp, data=data, boundary=True)   # JobRefused: one message why
    board.seen(job)                    # the student's page is still there (a poll); abandoned jobs are cancelled
    job.state, job.epochs, job.grid    # waiting | running | done | failed | cancelled; progress so far
    board.position(job), board.wait_estimate(job)       # 2nd in line, about 30 s
    board.stop(job)                    # after the current epoch; the run keeps that epoch's model
    run = board.collect(job)           # the finished Run; the board forgets the job

Fair by construction: at most one waiting or running job per student; jobs start in order of arrival (a
teacher's first) when a worker thread is free, so a class of 40 never has more trainings running than cores.
The board only hands Dask a job when a thread is free, so it knows every job's place and can estimate waits
from the speed of finished jobs. A job whose page has not polled for `abandon_after` seconds is cancelled:
no CPU is spent for a student who left. Progress arrives pushed (worker events), not polled from Dask.
A dataset's training arrays go to the cluster once (`client.scatter`, shared by every job on the same
`PreparedData`, the object the server's cache hands every session), not with each job: MNIST's are ~200 MB.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

from core.classserver.cluster import Cluster
from core.classserver.job_reports import RESTARTED, failure_message, fetch_error, fetch_result, merge_epochs, restarted
from core.classserver.memory import RunLedger
from core.classserver.pace import Pace
from core.classserver.shares import DataShares
from core.classserver.training_job import PROGRESS_TOPIC, JobLimits, run_job, stop_event_name
from core.errors import NNLabError
from core.experiment import Experiment, PreparedData
from core.params import check_budget, output_units
from core.runs import Run

WAITING, RUNNING, DONE, FAILED, CANCELLED = "waiting", "running", "done", "failed", "cancelled"
ACTIVE = (WAITING, RUNNING)
ABANDON_AFTER = 3.0  # seconds without a poll from the job's page (it polls every 0.3-1 s)
TICK = 0.5  # how often the board looks for abandoned jobs and free threads
UNCOLLECTED = 600.0  # a finished job nobody collects is forgotten after this many seconds
LOG = logging.getLogger("nnlab.jobs")
GIVE_UP = 60.0  # seconds a cluster that was up may be away before the jobs waiting for it end with its message


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

    @property
    def total_epochs(self) -> int:
        return self.exp.config.epochs

    @property
    def finished(self) -> bool:
        return self.state not in ACTIVE


class JobBoard:
    """The server-wide queue; thread-safe (every session's script thread and Dask's event loop call it)."""

    def __init__(self, cluster: Cluster, limits: JobLimits = JobLimits(), abandon_after: float = ABANDON_AFTER) -> None:
        self.cluster, self.limits, self.abandon_after = cluster, limits, abandon_after
        self._jobs: dict[str, Job] = {}
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        self.pace = Pace()  # how long jobs take: the wait estimates
        self.ledger = RunLedger()  # the weight snapshots of every collected run, within one budget
        self._sessions: dict[str, tuple[str, float]] = {}  # owner -> (page, last seen)
        self._subscribed = 0  # the cluster generation whose progress topic this board listens to
        self._draining: dict[str, object] = {}  # job id -> future of a cancelled job whose task has not ended
        self.shares = DataShares()  # datasets' arrays on the cluster, once each
        self._closed = threading.Event()
        threading.Thread(
            target=_tick_loop, args=(weakref.ref(self), self._closed), name="nnlab-jobs", daemon=True
        ).start()

    # -- what pages call ----------------------------------------------------------------------------
    def submit(
        self,
        owner: str,
        exp: Experiment,
        data: PreparedData,
        boundary: bool = False,
        teacher: bool = False,
        alive: Callable[[], bool] | None = None,
    ) -> Job:
        """Queue `exp` on `data` for `owner`. alive: whether the page that asked is still connected (a
        background or frozen tab polls rarely or never but keeps its job; a closed one loses it `abandon_after`
        seconds after its last poll). JobRefused if the owner already has a job in line or running, or if
        the network is over the size limit (InvalidSpecError for a network the backend cannot build comes from
        the job); its time is limited as it runs."""
        n_train = len(data.X_train)
        params = check_budget(
            exp.spec,
            data.input_shape,
            output_units(data.task, max(2, data.n_outputs), data.n_outputs),
            self.limits.max_params,
        )
        self.cluster.start_now()
        self._one_each(owner)
        shared = self.shares.get(data, self.cluster)  # outside the lock: it sends the arrays (once per dataset)
        with self._lock:
            self._one_each(owner)  # (again: another tab of this browser may have asked meanwhile)
            job = Job(
                f"{next(self._ids)}-{time.time_ns() % 10**9}",
                owner,
                exp,
                data,
                boundary,
                teacher,
                work=float(n_train) * exp.config.epochs * params,
                alive=alive,
                shared=shared,
            )
            self._jobs[job.id] = job
            self._pump()
        return job

    def _one_each(self, owner: str) -> None:
        with self._lock:
            if any(j.owner == owner and j.state in ACTIVE for j in self._jobs.values()):
                raise JobRefused("You already have a training in line or running: wait for it, or press Stop.")

    def seen(self, job: Job) -> None:
        job.last_seen = time.monotonic()

    def stop(self, job: Job) -> None:
        """A waiting job is cancelled; a running one ends after its current epoch, keeping that model."""
        with self._lock:
            job.stop_asked = True
            if job.state == WAITING:
                self._end(job, CANCELLED)
            elif job.state == RUNNING:
                self._signal_stop(job)

    def cancel(self, job: Job) -> None:
        """End a job for good (its page left, or the teacher cancelled it): nothing comes back."""
        with self._lock:
            if job.state == RUNNING:  # its worker thread is not free until the task ended: it keeps the slot
                self._draining[job.id] = job.future
                self._signal_stop(job)
            if job.state in ACTIVE:
                self._end(job, CANCELLED)

    def collect(self, job: Job) -> Run | None:
        """The finished job's run (None if it failed or was cancelled); the board no longer holds the job."""
        with self._lock:
            self._jobs.pop(job.id, None)
        run, job.run = job.run, None
        if run is not None:
            self.ledger.add(run)
        return run

    def touch(self, owner: str, page: str) -> None:
        """A session ran a page (the teacher page lists who is here and where)."""
        self._sessions[owner] = (page, time.monotonic())

    def sessions(self, within: float = 120.0) -> dict[str, tuple[str, float]]:
        """Sessions seen in the last `within` seconds: owner -> (page, seconds ago)."""
        now = time.monotonic()
        return {o: (p, now - t) for o, (p, t) in list(self._sessions.items()) if now - t <= within}

    def position(self, job: Job) -> int:
        """1 for the next job to start, 0 if the job is not waiting."""
        with self._lock:
            line = self._line()
        return line.index(job) + 1 if job in line else 0

    def wait_estimate(self, job: Job) -> float:
        """Seconds until `job` starts (0 if it is not waiting): running jobs' remaining time, then those ahead."""
        with self._lock:
            line, running = self._line(), [j for j in self._jobs.values() if j.state == RUNNING]
            if job not in line:
                return 0.0
            return self.pace.wait(job, line, running, self.cluster.threads(), self.limits.max_seconds)

    def remaining(self, job: Job) -> float:
        """Seconds a job still needs (core.classserver.pace)."""
        return self.pace.remaining(job, self.limits.max_seconds)

    def jobs(self) -> list[Job]:
        """Every job the board holds, running first, then in line order (the teacher page's table)."""
        with self._lock:
            running = [j for j in self._jobs.values() if j.state == RUNNING]
            return running + self._line() + [j for j in self._jobs.values() if j.finished]

    def notice(self) -> str:
        """What students waiting in line read while the cluster that was up is started or reached again."""
        return getattr(self.cluster, "returning", "")

    def close(self) -> None:
        self._closed.set()

    # -- inside ---------------------------------------------------------------------------------------
    def _line(self) -> list[Job]:
        waiting = [j for j in self._jobs.values() if j.state == WAITING]
        return sorted(waiting, key=lambda j: (not j.teacher, j.submitted))

    def _pump(self) -> None:
        """Hand waiting jobs to Dask while worker threads are free (called under the lock). Running jobs of a lost
        scheduler end with a message; waiting jobs keep their place while the cluster comes back (`notice`), and
        end with its message if it never started or stays away over GIVE_UP seconds (not a line that never moves)."""
        generation = getattr(self.cluster, "generation", 0)
        lost = [j for j in self._jobs.values() if j.state == RUNNING and j.generation != generation]
        if lost or self._subscribed not in (0, generation):  # the scheduler that held these tasks is gone
            self._draining.clear()
        failure = "" if self.cluster.ready else getattr(self.cluster, "failure", "")
        if failure and generation and self.cluster.down_for < GIVE_UP:
            failure = ""  # it was up and is coming back: waiting jobs wait for it
        for job in lost + (self._line() if failure else []):
            job.error = failure or (
                "The training cluster stopped while this network trained; it has started again. Press Train again."
            )
            self._end(job, FAILED)
        if not self.cluster.ready:
            return
        client = self.cluster.client()
        if self._subscribed != generation:  # a new scheduler knows nothing of the old subscription
            client.subscribe_topic(PROGRESS_TOPIC, self._on_progress)
            self._subscribed = generation
        running = sum(j.state == RUNNING for j in self._jobs.values()) + len(self._draining)
        for job in self._line()[: max(0, self.cluster.threads() - running)]:
            job.state, job.started, job.generation = RUNNING, time.monotonic(), generation
            data = job.shared[1] if job.shared and job.shared[0] == generation else job.data
            self._hand_over(client, job, data, f"nnlab-train-{job.id}")

    def _hand_over(self, client, job: Job, data, key: str) -> None:
        job.future = client.submit(run_job, job.id, job.exp, data, self.limits, job.boundary, key=key, pure=False)
        job.future.add_done_callback(lambda future, job=job: self._on_done(job, future))

    def _retry(self, job: Job) -> bool:
        """Run a job again, once, with its own arrays, when Dask dropped its task while the cluster is up: the
        worker that held the shared copy of its data died, and Dask cannot run again a task whose input is gone."""
        if job.note or job.data is None or not self.cluster.ready or job.generation != self.cluster.generation:
            return False
        self.shares.drop(job.data)  # the copy is gone: the next job sends it again
        job.note, job.shared, job.epochs = RESTARTED, (), []
        self._hand_over(self.cluster.client(), job, job.data, f"nnlab-train-{job.id}-again")
        return True

    def _on_progress(self, event) -> None:
        _, message = event
        job = self._jobs.get(message.get("job"))
        if job is not None:
            if restarted(job.epochs, message["epochs"]):
                job.note = RESTARTED
            job.epochs = merge_epochs(job.epochs, message["epochs"])
            job.grid = message.get("grid", job.grid)

    def _on_done(self, job: Job, future) -> None:
        """Called by Dask when the task ended. Its result is taken before the lock (a call to the cluster)."""
        result = fetch_result(future) if future.status == "finished" else None
        error = fetch_error(future, f"Job {job.id} ({job.label or job.owner})") if future.status == "error" else None
        with self._lock:
            if self._draining.get(job.id) is future:  # a cancelled job's task ended: its thread is free
                del self._draining[job.id]
                self._clear_stop(job)
                self._pump()
                return
            if job.state != RUNNING or job.future is not future:
                return
            if future.status == "finished":
                job.run = result
                if job.run is not None:
                    job.epochs = list(job.run.epochs)  # every epoch, whatever progress events are in flight
                self.pace.learn(job, len(job.epochs))
                self._end(job, DONE)
            elif future.status == "error":
                job.error = failure_message(error)
                self._end(job, FAILED)
            elif self._retry(job):  # its worker died with its data: once more
                return
            else:  # Dask dropped the task, not the board: its scheduler went away
                job.error = (
                    self.cluster.failure
                    or "The training cluster stopped while this network trained. Press Train again in a few seconds."
                )
                self._end(job, FAILED)
            self._pump()

    def _signal_stop(self, job: Job) -> None:
        if job.generation != self.cluster.generation or not self.cluster.ready:
            return  # its scheduler is gone, and the task with it
        from distributed import Event

        Event(stop_event_name(job.id), client=self.cluster.client()).set()

    def _end(self, job: Job, state: str) -> None:
        job.state, job.ended = state, time.monotonic()
        job.data = job.future = None  # the arrays were the job's input only; a dropped future frees its result
        job.shared = ()
        if job.stop_asked and job.id not in self._draining:  # (a draining task still has to see its Event)
            self._clear_stop(job)

    def _clear_stop(self, job: Job) -> None:
        if not self.cluster.ready:
            return
        from distributed import Event

        try:
            Event(stop_event_name(job.id), client=self.cluster.client()).clear()  # deletes it on the scheduler
        except (OSError, TimeoutError):  # the scheduler went away: its Events with it
            LOG.info("Could not clear job %s's stop event.", job.id, exc_info=True)

    def _tick(self) -> None:
        now = time.monotonic()
        with self._lock:
            for job in list(self._jobs.values()):
                if job.state in ACTIVE and _connected(job):
                    job.last_seen = now  # connected: a throttled or frozen tab keeps its job
                elif job.state in ACTIVE and now - job.last_seen > self.abandon_after:
                    self.cancel(job)
                elif job.finished and now - job.ended > UNCOLLECTED:
                    self._jobs.pop(job.id, None)
            for owner, (_, seen) in list(self._sessions.items()):
                if now - seen > UNCOLLECTED:
                    del self._sessions[owner]
            self._pump()


def _connected(job: Job) -> bool:
    """The job's page is connected (False if it cannot say: then its polls decide)."""
    if job.alive is None:
        return False
    try:
        return job.alive() is True  # (AppTest's runtime is a mock: not an answer)
    except Exception:  # logged; the polls still keep it alive
        LOG.exception("Could not tell whether job %s's page is connected.", job.id)
        return False


def _tick_loop(board_ref: weakref.ref, closed: threading.Event) -> None:
    """The board's heartbeat, holding it only weakly: a board nobody uses any more stops ticking. An error in one
    tick is logged and the next tick runs (an ended thread would leave abandoned jobs holding workers for good)."""
    while not closed.wait(TICK):
        board = board_ref()
        if board is None:
            return
        try:
            board._tick()
        except Exception:  # logged; the heartbeat must go on
            LOG.exception("The job board's tick failed; trying again in %.1f s.", TICK)
        del board


__all__ = [
    "ACTIVE",
    "CANCELLED",
    "DONE",
    "FAILED",
    "RUNNING",
    "WAITING",
    "Job",
    "JobBoard",
    "JobRefused",
]
