"""What a training job reports back, read on the server: its per-epoch progress merged as it arrives, and a failed
task's exception in words a student understands. Pure functions, apart from the board (`core.classserver.jobs`) that uses them."""

from __future__ import annotations

from core.errors import NNLabError

RESTARTED = (
    "The worker training this network stopped (it ran out of memory, or the machine ended it), so the training "
    "started again from epoch 1 on a fresh worker, with the same seed. If it stops again, it ends with a message."
)


def restarted(have: list[dict], new: list[dict]) -> bool:
    """A report that starts at epoch 1 after earlier epochs: Dask retried the task after its worker died."""
    return bool(have) and bool(new) and new[0]["epoch"] == 1


def merge_epochs(have: list[dict], new: list[dict]) -> list[dict]:
    """Progress merged by epoch number, each epoch once (the latest report of it), in order; a retried task's
    report from epoch 1 starts the curves again (the dead attempt's later epochs are not the run's)."""
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
