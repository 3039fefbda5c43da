"""One training run, from the click to its result: the record every page shares (the Training page, its run
history, the Weights and Activation pages, and any page that trains).

    run = start_run(exp, data)                       # builds the model (InvalidSpecError before anything trains)
    train(run, data, on_epoch=redraw)               # per-epoch logs and weight snapshots land in run.history
    run.status, run.message, run.test_score, run.label

Runs train as jobs on the class server's workers (`core.classserver.training_job`, `core.classserver.jobs`) and come back finished.
`release()` drops the model and the weight snapshots but keeps the curves, so a long run history costs little
memory.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from core.activations import activation_health
from core.experiment import Experiment, PreparedData, data_name, describe
from core.metrics import score_name
from core.models import MAX_PARAMS, BaseModel, History, build_model
from core.models.base import EpochCallback
from core.snapshots import WeightSnapshots

RUNNING = "running"
DEAD_SAMPLE = 500  # test inputs on which a finished run's dead units are counted
ENDINGS = ("completed", "stopped", "early_stopping", "diverged")  # History.stop_reason, after training


@dataclass(frozen=True, eq=False)
class Resume:
    """Where a run goes on from (Play after Pause, Step): its model's file in the backend's own format (the Keras
    file's weights; scikit-learn's estimator with its optimizer's state) and the epochs trained so far."""

    model_file: bytes
    epochs_done: int

    @classmethod
    def of(cls, run: "Run") -> "Resume":
        return cls(run.model.save_bytes(), run.last_epoch)


@dataclass(eq=False)
class Run:
    """Settings, model, per-epoch history (with weight snapshots), status, message, test score and label."""

    exp: Experiment
    model: BaseModel | None
    task: str = ""  # "classification" | "regression", from the model
    params: int = 0  # trainable parameters, from the model
    number: int = 0  # position in the session's run history (0: not in it)
    status: str = RUNNING  # running, then one of ENDINGS
    message: str = ""
    test_score: float = math.nan  # accuracy or R2 on the test set
    dead_layers: tuple[
        str, ...
    ] = ()  # hidden layers whose every unit is dead on the test inputs (see find_dead_layers)
    resume: Resume | None = field(default=None, repr=False)  # the run this one goes on from
    _kept: History = field(default_factory=History, repr=False)  # the history once the model is released

    def __post_init__(self) -> None:
        if self.model is not None:
            self.task = self.task or self.model.task
            self.params = self.params or self.model.count_params()

    @property
    def history(self) -> History:
        """Per-epoch logs (and, while the model is kept, its weight snapshots)."""
        if self.model is not None and self.model.history is not None:
            return self.model.history
        return self._kept

    @property
    def epochs(self) -> list[dict]:
        return self.history.epochs

    @property
    def last_epoch(self) -> int:
        """The number of the last epoch trained (a run that goes on from another counts on from it)."""
        return int(self.epochs[-1]["epoch"]) if self.epochs else (self.resume.epochs_done if self.resume else 0)

    def after(self, before: "Run") -> "Run":
        """This run, which went on from `before`, with `before`'s epochs and weight snapshots ahead of its own: the
        one history of a run trained in parts (Play, Pause, Step). Returns self."""
        history, earlier = self.history, before.history
        first = self.epochs[0]["epoch"] if self.epochs else math.inf
        history.epochs[:0] = [e for e in earlier.epochs if e["epoch"] < first]
        if history.snapshots is not None and earlier.snapshots is not None:
            joined = WeightSnapshots(history.snapshots.budget_bytes)
            for source in (earlier.snapshots, history.snapshots):
                for epoch in source.epochs:
                    joined.record(epoch, source.at(epoch))
            history.snapshots = joined
        return self

    @property
    def curves(self) -> dict[str, list[float]]:
        """Keras-style {metric: [value per epoch]}."""
        return self.history.history

    @property
    def metric(self) -> str:
        return score_name(self.task)

    @property
    def label(self) -> str:
        """How lists of runs name it: "run 3: sklearn 16-16 relu adam lr=0.003"."""
        return f"run {self.number}: {describe(self.exp)}" if self.number else describe(self.exp)

    @property
    def title(self) -> str:
        """How a page names the model it shows: settings, data, epochs and (when known) the test score."""
        score = ""
        if math.isfinite(self.test_score):
            score = (
                f", test accuracy {self.test_score:.0%}"
                if self.metric == "accuracy"
                else f", test R2 {self.test_score:.3f}"
            )
        return f"{describe(self.exp)} on {data_name(self.exp)} ({len(self.epochs)} epochs{score})"

    @property
    def finished(self) -> bool:
        return self.status != RUNNING

    def finish(self, data: PreparedData) -> None:
        """Close a run whose `fit` returned: its status and message, and its score on the test set."""
        history = self.history
        self.status = history.stop_reason
        seconds = self.epochs[-1]["seconds"] if self.epochs else 0.0
        trained = len(self.epochs)  # this part's (a run that goes on is joined to its earlier epochs afterwards)
        self.message = history.message or (
            f"Trained {trained} epoch{'s' if trained != 1 else ''} in {seconds:.1f} s"
            + (f" (epoch {self.last_epoch} in all)." if self.resume else ".")
        )
        self._score(data)

    def _score(self, data: PreparedData) -> None:
        """The closed run's test score and dead layers, computed once: its weights no longer change."""
        if self.model is not None and self.epochs and self.status != "diverged":
            self.test_score = self.model.score(data.X_test, data.y_test)
            self.dead_layers = tuple(find_dead_layers(self, data.X_test[:DEAD_SAMPLE]))

    def release(self) -> None:
        """Drop the model and its weight snapshots; keep the curves and the result."""
        if self.model is None:
            return
        h = self.history
        self._kept = History(epochs=list(h.epochs), stop_reason=h.stop_reason, message=h.message)
        self.model = None


def find_dead_layers(run: Run, X) -> list[str]:
    """The hidden Dense layers in which every unit is dead on the inputs X (its activation's derivative is 0 for
    every sample: a ReLU that never fires). One such layer makes the network's output the same for every input."""
    if run.model is None or not run.epochs or run.status == "diverged":
        return []
    act = run.exp.spec.activation
    return [
        name
        for name, z in run.model.layer_preactivations(X)
        if name != "output" and activation_health(act, z).dead_units == 1.0
    ]


def start_run(exp: Experiment, data: PreparedData, max_params: int = MAX_PARAMS, resume: Resume | None = None) -> Run:
    """A new run of `exp` on `data`, its model built but not trained (or, with `resume`, holding the weights it goes
    on from). Raises InvalidSpecError for a network the backend cannot build or one over `max_params` parameters."""
    model = build_model(
        exp.spec,
        exp.backend,
        input_shape=data.input_shape,
        n_outputs=data.n_outputs,
        task=data.task,
        seed=exp.config.seed,
        max_params=max_params,
    )
    if resume is not None:
        model.load_bytes(resume.model_file)
    return Run(exp, model, resume=resume)


def train(run: Run, data: PreparedData, on_epoch: EpochCallback | None = None) -> Run:
    """Train the run's model on `data` with its settings, `on_epoch(logs)` after every epoch, then close it."""
    start = run.resume.epochs_done if run.resume else 0
    run.model.fit(data.X_train, data.y_train, run.exp.config, callback=on_epoch, start_epoch=start)
    run.finish(data)
    return run


__all__ = ["ENDINGS", "RUNNING", "Resume", "Run", "find_dead_layers", "start_run", "train"]
