"""What one training job does where it runs (a Dask worker): build, train, report progress, obey Stop.

    run = train_reporting(job_id, exp, data, limits, boundary, publish, stop_requested)   # any process
    run = run_job(job_id, exp, data, limits, boundary)       # on a Dask worker: `publish` and Stop through Dask

Progress is sent paced by time, not once per epoch: the first epoch at once, then at most every
`FLUSH_SECONDS`, and the last epoch always. A message is {"job": id, "epochs": [logs...], "grid": {...}} where
the grid (2-D data only) is the model's output over the input plane (`core.plane.model_over_plane`) as of the
last epoch sent, with each unit's small map and the weights for the network diagram when it draws the network
(`core.plane.drawable`).
Stop is looked at on the same beat; the run then ends after the current epoch and keeps that epoch's model.

Nothing here changes the worker process for anyone else: every job seeds its own model, and runs with one BLAS
thread (the worker's only thread). The model comes back as a `FrozenModel` for Keras (no TensorFlow needed to
read it), as itself for scikit-learn.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, fields, replace
from typing import Callable

import numpy as np

from core.experiment import Experiment, PreparedData
from core.plane import drawable, model_over_plane, units_over_plane
from core.runs import Resume, Run, start_run, train

PROGRESS_TOPIC = "nnlab-progress"
TIME_LIMIT_ENV = "NNLAB_MAX_TRAIN_SECONDS"
FLUSH_SECONDS = 0.25
GRID_RESOLUTION = 60
LOG = logging.getLogger("nnlab.jobs")


@dataclass(frozen=True)
class JobLimits:
    """What one student's run may cost the class server: its size (memory, and a demo too slow to watch) and its
    time on a worker. Not its epochs or samples: a lesson's own loop (iris for 10,000 iterations) runs as long as it
    fits the time, and a run that reaches the time limit stops there and keeps its model."""

    max_params: int = 1_000_000  # parameters: a model's memory, its snapshots, and a demo one can watch
    max_seconds: float = 300.0  # a run's share of a worker, then it stops (NNLAB_MAX_TRAIN_SECONDS)

    @classmethod
    def from_env(cls) -> JobLimits:
        """The limits with the teacher's time limit from NNLAB_MAX_TRAIN_SECONDS (seconds), if set."""
        value = os.environ.get(TIME_LIMIT_ENV, "").strip()
        if not value:
            return cls()
        try:
            seconds = float(value)
        except ValueError:
            seconds = float("nan")
        if not 1 <= seconds <= 24 * 3600:
            raise ValueError(f"{TIME_LIMIT_ENV} must be a number of seconds from 1 to 86400, received {value!r}.")
        return cls(max_seconds=seconds)


def stop_event_name(job_id: str) -> str:
    return f"nnlab-stop-{job_id}"


def ask_to_stop(client, job_id: str, stop: bool = True) -> None:
    """Set the job's stop Event (its task ends after the current epoch), or with stop=False delete it from the
    scheduler once the task has ended (a scheduler that went away took its Events with it)."""
    from distributed import Event

    event = Event(stop_event_name(job_id), client=client)
    try:
        event.set() if stop else event.clear()
    except (OSError, TimeoutError):
        LOG.info("Could not reach job %s's stop event.", job_id, exc_info=True)


def grid_message(run: Run, data: PreparedData) -> dict:
    xs, ys, z = model_over_plane(run.model, data, GRID_RESOLUTION)
    message = {"xs": xs.tolist(), "ys": ys.tolist(), "z": z.ravel().tolist()}
    message["losses"] = [run.model.loss(data.X_test, data.y_test), run.model.loss(data.X_train, data.y_train)]
    if drawable(run.exp.spec, data.input_shape[0]):  # the network diagram's small maps, and its weights
        layers = run.model.layer_weights()
        _, _, units = units_over_plane(layers, run.exp.spec, data)
        message["units"] = [[name, np.round(values, 3).tolist()] for name, values in units]
        message["weights"] = [np.round(W, 4).tolist() for _, W, _ in layers]
    return message


class Reporter:
    """The per-epoch callback of a job: batches logs into messages, asks whether to stop, keeps the time limit."""

    def __init__(
        self,
        job_id: str,
        run: Run,
        data: PreparedData,
        boundary: bool,
        limits: JobLimits,
        publish: Callable[[dict], None],
        stop_requested: Callable[[], bool],
    ) -> None:
        self.job_id, self.run, self.data, self.boundary, self.limits = job_id, run, data, boundary, limits
        self.publish, self.stop_requested = publish, stop_requested
        self.pending: list[dict] = []
        self.started = self.last = time.monotonic()
        self.timed_out = False
        self.sent = 0

    def epoch(self, logs: dict) -> None:
        self.pending.append(logs)
        now = time.monotonic()
        if now - self.started > self.limits.max_seconds:  # every epoch, flushed or not
            self.timed_out = True
            self.run.model.stop()
        if self.sent and now - self.last < FLUSH_SECONDS and self.sent + len(self.pending) < self.run.exp.config.epochs:
            return
        self.flush()
        if self.stop_requested():  # a message to the scheduler: only with the progress, a few times a second
            self.run.model.stop()

    def flush(self) -> None:
        if not self.pending:
            return
        message = {"job": self.job_id, "epochs": self.pending}
        if self.boundary and self.run.model.history.stop_reason != "diverged":
            message["grid"] = grid_message(self.run, self.data)
        self.publish(message)
        self.sent += len(self.pending)
        self.pending, self.last = [], time.monotonic()


def freeze(run: Run) -> Run:
    """The run as it goes back to the server: a Keras model becomes weights, file and NumPy forward pass."""
    if run.model is not None and run.model.backend == "keras":
        from core.models.frozen import FrozenModel

        run.model = FrozenModel.from_model(run.model)
    return run


def train_reporting(
    job_id: str,
    exp: Experiment,
    data: PreparedData,
    limits: JobLimits,
    boundary: bool,
    publish: Callable[[dict], None],
    stop_requested: Callable[[], bool],
    resume: Resume | None = None,
) -> Run:
    """Build and train `exp` on `data` (going on from `resume`), publishing progress; the finished run (scored,
    frozen)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        run = start_run(exp, data, limits.max_params, resume)
        reporter = Reporter(job_id, run, data, boundary, limits, publish, stop_requested)
        run.model.deadline = reporter.started + limits.max_seconds  # within an epoch too, where the model can
        train(run, data, on_epoch=reporter.epoch)
        reporter.flush()
    if reporter.timed_out:
        run.message = (
            f"Stopped at the server's time limit ({limits.max_seconds:.0f} s) after epoch {run.last_epoch}: "
            "the model as of that epoch is kept. Train fewer epochs or on fewer samples, or ask the teacher "
            f"(the limit is the server's {TIME_LIMIT_ENV})."
        )
    return freeze(run)


def aligned(data: PreparedData) -> PreparedData:
    """`data` with every array at an aligned address. Arrays unpickled from a Dask message can sit at odd offsets
    inside it (seen: 41 and 50): NumPy's shuffling gather on them ran about 2x slower, and a job 1.4x slower than
    the same training outside Dask (bench/train_speed.py). A copy is aligned."""
    copies = {}
    for f in fields(data):
        value = getattr(data, f.name)
        if isinstance(value, np.ndarray) and not value.flags.aligned:
            copies[f.name] = np.array(value)
            copies[f.name].setflags(write=False)
    return replace(data, **copies) if copies else data


def run_job(
    job_id: str, exp: Experiment, data: PreparedData, limits: JobLimits, boundary: bool, resume: Resume | None = None
) -> Run:
    """The function a Dask worker runs: progress as events on PROGRESS_TOPIC, Stop as a Dask Event."""
    from distributed import Event, get_worker

    worker, stop = get_worker(), Event(stop_event_name(job_id))
    return train_reporting(
        job_id,
        exp,
        aligned(data),
        limits,
        boundary,
        publish=lambda message: worker.log_event(PROGRESS_TOPIC, message),
        stop_requested=stop.is_set,
        resume=resume,
    )
