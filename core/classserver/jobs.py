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
The line itself is kept in the Dask scheduler (core.classserver.line), so several NN Lab servers on one cluster
share it; the board reports its jobs there every tick and hands Dask a job when the line grants it a thread, so
it knows every job's place and can estimate waits from the speed of finished jobs. A job whose page is closed
(not connected, no poll for `abandon_after` seconds) is cancelled: no CPU is spent for a student who left.
Progress arrives pushed (worker events), not polled from Dask.
A dataset's training arrays go to the cluster once (`client.scatter`, shared by every job on the same
`PreparedData`, the object the server's cache hands every session), not with each job: MNIST's are ~200 MB.
"""

from __future__ import annotations

import itertools
import logging
import os
import socket
import threading
import time
import weakref
from collections.abc import Callable

from core.classserver.cluster import Cluster
from core.classserver.job import ACTIVE, CANCELLED, DONE, FAILED, ONE_EACH, RUNNING, WAITING, Job, JobRefused
from core.classserver.job_reports import RESTARTED, failure_message, fetch_error, fetch_result, merge_epochs, restarted
from core.classserver.line import Entry, SchedulerLine, class_order
from core.classserver.memory import RUNS, RunLedger, server_holdings
from core.classserver.pace import Pace
from core.classserver.shares import DataShares
from core.classserver.training_job import PROGRESS_TOPIC, JobLimits, ask_to_stop, run_job
from core.experiment import Experiment, PreparedData
from core.params import check_budget, output_units
from core.runs import Resume, Run

ABANDON_AFTER = 3.0  # seconds without a poll from the job's page (it polls every 0.3-1 s)
TICK = 0.5  # how often the board looks for abandoned jobs and free threads
UNCOLLECTED = 600.0  # a finished job nobody collects is forgotten after this many seconds
LOG = logging.getLogger("nnlab.jobs")
GIVE_UP = 60.0  # seconds a cluster that was up may be away before the jobs waiting for it end with its message
NO_LINE = (
    "The training cluster's scheduler cannot keep NN Lab's line ({error}): start it from NN Lab's folder "
    '(README, "More machines"). Ask the teacher.'
)


class JobBoard:
    """The server-wide queue; thread-safe (every session's script thread and Dask's event loop call it)."""

    def __init__(self, cluster: Cluster, limits: JobLimits = JobLimits(), abandon_after: float = ABANDON_AFTER) -> None:
        self.cluster, self.limits, self.abandon_after = cluster, limits, abandon_after
        self._jobs: dict[str, Job] = {}
        self._lock = threading.RLock()
        self._syncing = threading.Lock()  # one report to the line at a time (taken before `_lock`, never inside it)
        self.server = f"{socket.gethostname()}-{os.getpid()}-{id(self):x}"
        self._class_line: tuple[int, SchedulerLine] | None = None  # (cluster generation, the line in its scheduler)
        self._reply: dict = {}  # the line's last answer: the class's order, running jobs, threads
        self._ids = itertools.count(1)
        self.pace = Pace()  # how long jobs take: the wait estimates
        self.ledger = RunLedger()  # the weight snapshots of every collected run, within one budget
        self._sessions: dict[str, tuple[str, float]] = {}  # owner -> (page, last seen)
        self._draining: dict[str, object] = {}  # job id -> future of a cancelled job whose task has not ended
        self._stale_events: list[str] = []  # jobs whose stop Event is to be deleted from the scheduler
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
        resume: Resume | None = None,
    ) -> Job:
        """Queue `exp` on `data` for `owner` (going on from `resume`: Play, Step). alive: whether the page that
        asked is still connected (a background or frozen tab polls rarely or never but keeps its job; a closed one
        loses it `abandon_after` seconds after its last poll). JobRefused if the owner already has a job in line or
        running, or if the network is over the size limit (InvalidSpecError for a network the backend cannot build
        comes from the job); its time is limited as it runs."""
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
                resume=resume,
            )
            self._jobs[job.id] = job
        self._pump()
        if job.state == FAILED and job.error == ONE_EACH:  # the line knows a job of this owner on another server
            self._jobs.pop(job.id, None)
            raise JobRefused(ONE_EACH)
        return job

    def _one_each(self, owner: str) -> None:
        if any(j.owner == owner and j.state in ACTIVE for j in list(self._jobs.values())):
            raise JobRefused(ONE_EACH)

    def seen(self, job: Job) -> None:
        job.last_seen = time.monotonic()

    def stop(self, job: Job) -> None:
        """A waiting job is cancelled; a running one ends after its current epoch, keeping that model."""
        with self._lock:
            job.stop_asked = True
            if job.state == WAITING:
                self._end(job, CANCELLED)
            running = job.state == RUNNING
        if running:
            self._signal_stop(job)

    def cancel(self, job: Job) -> None:
        """End a job for good (its page left, or the teacher cancelled it): nothing comes back."""
        with self._lock:
            running = job.state == RUNNING
            if running:  # its worker thread is not free until the task ended: it keeps the slot
                self._draining[job.id] = job.future
            if job.state in ACTIVE:
                self._end(job, CANCELLED)
        if running:
            self._signal_stop(job)

    def collect(self, job: Job) -> Run | None:
        """The finished job's run (None if it failed or was cancelled); the board no longer holds the job."""
        with self._lock:
            self._jobs.pop(job.id, None)
        run, job.run = job.run, None
        if run is not None:
            self.ledger.add(run)
            server_holdings().hold(RUNS, run)
        return run

    def touch(self, owner: str, page: str) -> None:
        """A session ran a page (the teacher page lists who is here and where)."""
        self._sessions[owner] = (page, time.monotonic())

    def sessions(self, within: float = 120.0) -> dict[str, tuple[str, float]]:
        """Sessions seen in the last `within` seconds: owner -> (page, seconds ago)."""
        now = time.monotonic()
        return {o: (p, now - t) for o, (p, t) in list(self._sessions.items()) if now - t <= within}

    def position(self, job: Job) -> int:
        """1 for the next job to start (on any server of the cluster), 0 if the job is not waiting."""
        with self._lock:
            order = [i for i, _ in self._order()]
        return order.index(job.id) + 1 if job.id in order else 0

    def wait_estimate(self, job: Job) -> float:
        """Seconds until `job` starts (0 if it is not waiting): running jobs' remaining time, then those ahead."""
        with self._lock:
            order = self._order()
            ids = [i for i, _ in order]
            if job.id not in ids:
                return 0.0
            if self._reply:
                running, threads = self._reply["running"], self._reply["threads"]
            else:
                running = [self.remaining(j) for j in self._jobs.values() if j.state == RUNNING]
                threads = self.cluster.threads()
            ahead = [expected for _, expected in order[: ids.index(job.id)]]
            return self.pace.wait(ahead, running, threads)

    def in_class(self) -> tuple[int, int]:
        """(running, waiting) jobs of the whole class: every server on this cluster, as the line last said."""
        with self._lock:
            running = self._reply.get("running", [j for j in self._jobs.values() if j.state == RUNNING])
            return len(running), len(self._order())

    def remaining(self, job: Job) -> float:
        """Seconds a job still needs (core.classserver.pace)."""
        return self.pace.remaining(job, self.limits.max_seconds)

    def jobs(self) -> list[Job]:
        """Every job the board holds, running first, then in line order (the teacher page's table)."""
        with self._lock:
            running = [j for j in self._jobs.values() if j.state == RUNNING]
            return running + self._waiting() + [j for j in self._jobs.values() if j.finished]

    def notice(self) -> str:
        """What students waiting in line read while the cluster that was up is started or reached again."""
        return getattr(self.cluster, "returning", "")

    def close(self) -> None:
        self._closed.set()
        self.shares.clear()

    # -- inside ---------------------------------------------------------------------------------------
    def _waiting(self) -> list[Job]:
        """This server's waiting jobs in the line's order (the teacher's first, then by arrival)."""
        waiting = [j for j in self._jobs.values() if j.state == WAITING]
        return sorted(waiting, key=lambda j: (not j.teacher, j.joined))

    def _order(self) -> list[tuple[str, float]]:
        """The class's line as (job id, expected seconds), first to last: the line's last answer with this server's
        jobs as they are now (one that left since is skipped), then any of its jobs the line has not seen yet."""
        mine = {j.id: self.pace.expected(j, self.limits.max_seconds) for j in self._waiting()}
        return class_order(self._reply, self.server, mine)

    def _report(self) -> list[Entry]:
        """This server's jobs as the line keeps them; a cancelled job whose task still runs holds its thread."""
        active = [j for j in self._jobs.values() if j.state in ACTIVE]
        return [Entry(j.id, j.owner, j.teacher, j.joined, j.state == RUNNING, self.remaining(j)) for j in active] + [
            Entry(i, f"draining {i}", False, 0.0, True) for i in self._draining
        ]

    def _settle(self) -> bool:
        """Running jobs of a lost scheduler end with a message; waiting jobs keep their place while the cluster
        comes back (`notice`), and end with its message if it never started or stays away over GIVE_UP seconds
        (not a line that never moves). True if the cluster is up (called under the lock)."""
        generation = getattr(self.cluster, "generation", 0)
        lost = [j for j in self._jobs.values() if j.state == RUNNING and j.generation != generation]
        if lost or (self._class_line and self._class_line[0] != generation):  # the scheduler of these tasks is gone
            self._draining.clear()
            self._reply, self._stale_events = {}, []
        failure = "" if self.cluster.ready else getattr(self.cluster, "failure", "")
        if failure and generation and self.cluster.down_for < GIVE_UP:
            failure = ""  # it was up and is coming back: waiting jobs wait for it
        for job in lost + (self._waiting() if failure else []):
            job.error = failure or (
                "The training cluster stopped while this network trained; it has started again. Press Train again."
            )
            self._end(job, FAILED)
        return self.cluster.ready

    def _scheduler_line(self, generation: int) -> SchedulerLine:
        """The line in this generation's scheduler (registered there, and progress subscribed, once each)."""
        if self._class_line is None or self._class_line[0] != generation:
            client = self.cluster.client()
            client.subscribe_topic(PROGRESS_TOPIC, self._on_progress)  # a new scheduler knows no old subscription
            self._class_line = (generation, SchedulerLine(client))
        return self._class_line[1]

    def _pump(self) -> None:
        """Report this server's jobs to the class's line and hand Dask the ones it may start now. Never called under
        the lock: the line lives in the scheduler, and a slow scheduler must not freeze the pages."""
        with self._syncing:
            with self._lock:
                if not self._settle():
                    return
                generation, entries = self.cluster.generation, self._report()
                stale, self._stale_events = self._stale_events, []
            try:
                for job_id in stale:
                    ask_to_stop(self.cluster.client(), job_id, stop=False)
                reply = self._scheduler_line(generation).sync(self.server, entries)
            except (OSError, TimeoutError, RuntimeError):  # the scheduler went away or is slow: the next tick
                LOG.info("The class's line did not answer.", exc_info=True)
                return
            except Exception as exc:  # the scheduler cannot import NN Lab's line: no job could ever start
                LOG.exception("The scheduler cannot keep NN Lab's line.")
                with self._lock:
                    for job in self._waiting():
                        job.error = NO_LINE.format(error=type(exc).__name__)
                        self._end(job, FAILED)
                return
            with self._lock:
                self._reply = reply
                for job in (self._jobs.get(i) for i in reply["refused"]):
                    if job is not None and job.state == WAITING:
                        job.error = ONE_EACH
                        self._end(job, FAILED)
                if generation != self.cluster.generation or not self.cluster.ready:
                    return
                client = self.cluster.client()
                for job in (self._jobs.get(i) for i in reply["grants"]):
                    if job is not None and job.state == WAITING:
                        job.state, job.started, job.generation = RUNNING, time.monotonic(), generation
                        data = job.shared[1] if job.shared and job.shared[0] == generation else job.data
                        self._hand_over(client, job, data, f"nnlab-train-{job.id}")

    def _hand_over(self, client, job: Job, data, key: str) -> None:
        job.future = client.submit(
            run_job, job.id, job.exp, data, self.limits, job.boundary, job.resume, key=key, pure=False
        )
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
                self._stale_events.append(job.id)
            elif job.state != RUNNING or job.future is not future:
                return
            else:
                self._ended(job, future, result, error)
        self._pump()

    def _ended(self, job: Job, future, result, error) -> None:
        """A running job's task ended (under the lock)."""
        if future.status == "finished":
            job.run = result
            if job.run is not None:
                job.epochs = list(job.run.epochs)  # every epoch, whatever progress events are in flight
            self.pace.learn(job, len(job.epochs))
            self._end(job, DONE)
        elif future.status == "error":
            job.error = failure_message(error)
            self._end(job, FAILED)
        elif not self._retry(job):  # Dask dropped the task, not the board: its scheduler went away
            job.error = (
                self.cluster.failure
                or "The training cluster stopped while this network trained. Press Train again in a few seconds."
            )
            self._end(job, FAILED)

    def _signal_stop(self, job: Job) -> None:
        """(a call to the scheduler: never under the lock)"""
        if job.generation == self.cluster.generation and self.cluster.ready:  # else its task is gone with its scheduler
            ask_to_stop(self.cluster.client(), job.id)

    def _end(self, job: Job, state: str) -> None:
        job.state, job.ended = state, time.monotonic()
        job.data = job.future = None  # the arrays were the job's input only; a dropped future frees its result
        job.shared = ()
        if job.stop_asked and job.id not in self._draining:  # (a draining task still has to see its Event)
            self._stale_events.append(job.id)  # deleted from the scheduler by the next pump, outside the lock

    def _tick(self) -> None:
        now, left = time.monotonic(), []
        with self._lock:
            for job in list(self._jobs.values()):
                if job.state in ACTIVE and job.connected():
                    job.last_seen = now  # connected: a throttled or frozen tab keeps its job
                elif job.state in ACTIVE and now - job.last_seen > self.abandon_after:
                    left.append(job)
                elif job.finished and now - job.ended > UNCOLLECTED:
                    self._jobs.pop(job.id, None)
            for owner, (_, seen) in list(self._sessions.items()):
                if now - seen > UNCOLLECTED:
                    del self._sessions[owner]
        for job in left:
            self.cancel(job)
        self._pump()


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
