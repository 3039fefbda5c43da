"""What a training job reports back, read on the server: its per-epoch progress merged as it arrives, its result
or its error fetched from the worker (the worker's traceback kept in the server log), and a failed task's exception
in words a student understands. Used by the board (`core.classserver.jobs`)."""

from __future__ import annotations

import logging
import traceback

from core.errors import NNLabError

LOG = logging.getLogger("nnlab.jobs")

RESTARTED = (
    "The worker training this network stopped (it ran out of memory, or the machine ended it), so the training "
    "started again from where it began on a fresh worker, with the same seed. If it stops again, it ends with a "
    "message."
)


def restarted(have: list[dict], new: list[dict]) -> bool:
    """A report that starts again at the job's first epoch (1, or the next of a run it continues) after earlier
    epochs: Dask retried the task after its worker died."""
    return bool(have) and bool(new) and new[0]["epoch"] <= have[0]["epoch"]


def merge_epochs(have: list[dict], new: list[dict]) -> list[dict]:
    """Progress merged by epoch number, each epoch once (the latest report of it), in order; a retried task's
    report from its first epoch starts the curves again (the dead attempt's later epochs are not the run's)."""
    new = list(new)  # a Dask event delivers the message's list as a tuple
    if restarted(have, new):
        return new
    if not new or (have and new[0]["epoch"] == have[-1]["epoch"] + 1 and _consecutive(new)):
        return have + new  # the usual report: the next epochs (a 10,000-epoch run sends thousands)
    by_epoch = {e["epoch"]: e for e in have}
    by_epoch.update((e["epoch"], e) for e in new)
    return [by_epoch[k] for k in sorted(by_epoch)]


def _consecutive(epochs: list[dict]) -> bool:
    return all(b["epoch"] == a["epoch"] + 1 for a, b in zip(epochs, epochs[1:]))


def failure_message(exc: BaseException | None) -> str:
    """What a student reads when the job's task failed: NN Lab's own messages as they are, Dask's in words."""
    if exc is None:
        return "Training failed on its worker, and its error could not be fetched (the server log has what is known)."
    if isinstance(exc, NNLabError):
        return str(exc)
    if type(exc).__name__ == "KilledWorker":
        return (
            "The training stopped because the worker process running it died, more than once (it ran out of "
            "memory, or the machine ended it). Try a smaller network, fewer samples or a smaller batch; if it "
            "happens again, ask the teacher."
        )
    return f"Training failed: {type(exc).__name__}: {exc}"


__all__ = ["failure_message", "merge_epochs"]


def fetch_result(future):
    """A finished future's result (None if it went away meanwhile: cancelled, or its scheduler lost)."""
    try:
        return future.result(timeout=30)
    except Exception:  # logged; the job then ends without a model
        LOG.exception("Could not fetch a finished job's result.")
        return None


def fetch_error(future, what: str) -> BaseException | None:
    """A failed task's exception, its worker's traceback written to the server log (the page says it in words)."""
    try:
        exc = future.exception(timeout=30)
        trace = "".join(traceback.format_exception(type(exc), exc, future.traceback(timeout=30)))
    except Exception:  # logged; the job still ends with a message
        LOG.exception("Could not fetch %s's error from its worker.", what)
        return None
    LOG.error("%s failed on its worker:\n%s", what, trace)
    return exc
