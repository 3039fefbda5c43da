"""Live training for the Training page.

Each epoch is recorded in the session before the page is redrawn. Streamlit stops a running script at its
next `st.*` call when the user clicks anything (the Stop button, or any other widget), so a run that is
interrupted leaves behind a model and history as of its last finished epoch; the next script run finds
it still marked "running" and closes it as stopped.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import streamlit as st

from app.figures.training import decision_boundary, learning_curves
from app.trained import SAMPLE, TRAINED_KEY, TrainedRun
from core.experiment import Experiment, PreparedData, experiment_summary
from core.metrics import decision_grid
from core.models import BaseModel, History, build_model

RUN_KEY, HISTORY_KEY = "train_run", "train_history"
PAGE_BUDGET = 1_000_000          # parameters: beyond this a live demo on a laptop is too slow to watch


@dataclass
class LiveRun:
    exp: Experiment
    model: BaseModel
    data: PreparedData
    epochs: list[dict] = field(default_factory=list)
    status: str = "running"           # running | completed | stopped | early_stopping | diverged
    message: str = ""
    recorded: bool = False

    @property
    def history(self) -> dict[str, list[float]]:
        return History(self.epochs).history

    @property
    def metric(self) -> str:
        return "accuracy" if self.data.task == "classification" else "r2"

    @property
    def label(self) -> str:
        return describe(self.exp)


def describe(exp: Experiment) -> str:
    """A run's settings in a few words: "sklearn 16-16 relu adam lr=0.003"."""
    s = experiment_summary(exp)
    return f"{s['backend']} {s['layers']} {s['activation']} {s['optimizer']} lr={s['learning rate']:g}"


@dataclass(frozen=True)
class RunRecord:
    """One finished run in the session's history: settings, curves and results, without the data."""

    number: int
    exp: Experiment
    history: dict
    test_score: float
    metric: str
    params: int
    status: str

    @property
    def label(self) -> str:
        return f"run {self.number}: {describe(self.exp)}"


@st.cache_resource
def _keras_import() -> threading.Thread:
    """Import TensorFlow/Keras once per server, in the background (5-10 s), so Train does not wait for it."""
    from core.models.keras_backend import load_keras

    thread = threading.Thread(target=load_keras, name="nnlab-keras-import", daemon=True)
    thread.start()
    return thread


def keras_ready() -> bool:
    """Start the background import if needed; True once Keras can be used without waiting."""
    return not _keras_import().is_alive()


class LiveView:
    """Placeholders that one training run redraws epoch by epoch."""

    def __init__(self, boundary: bool, name: str = "run") -> None:
        self.name = name                  # unique per run within one script run (element keys)
        self.progress = st.empty()
        self.curves = st.empty()
        self.boundary = st.empty() if boundary else None
        self.started = time.perf_counter()

    def update(self, run: LiveRun) -> None:
        done, total = len(run.epochs), run.exp.config.epochs
        elapsed = time.perf_counter() - self.started
        left = elapsed / done * (total - done)
        self.progress.progress(done / total, text=f"Epoch {done} / {total} · about {left:.0f} s left")
        self.curves.plotly_chart(learning_curves(run.history, run.metric, total), key=f"train_live_{self.name}_{done}")
        if self.boundary is not None and (done % max(1, total // 10) == 0 or done == total):
            self.boundary.plotly_chart(boundary_figure(run), key=f"train_live_boundary_{self.name}_{done}")


def boundary_figure(run: LiveRun):
    d = run.data
    xs, ys, P = decision_grid(run.model.predict_proba, d.X_train, resolution=60)
    return decision_boundary(xs, ys, P, d.X_train, d.y_train, d.X_test, d.y_test)


def close_interrupted() -> None:
    """A run still marked running belongs to a script run that was stopped: keep its model as stopped."""
    run = st.session_state.get(RUN_KEY)
    if run is not None and run.status == "running":
        run.status = "stopped"
        run.message = (f"Stopped after epoch {len(run.epochs)} of {run.exp.config.epochs}: the model as of that "
                       "epoch is kept.")
        _record(run)


def train(exp: Experiment, data: PreparedData, view: LiveView) -> LiveRun:
    """Build and train `exp` on `data`, redrawing `view` every epoch. Raises InvalidSpecError before
    training for an impossible or over-budget network."""
    model = build_model(exp.spec, exp.backend, input_shape=data.input_shape, n_outputs=data.n_outputs,
                        task=data.task, seed=exp.config.seed, max_params=PAGE_BUDGET)
    run = LiveRun(exp, model, data)
    st.session_state[RUN_KEY] = run

    def on_epoch(logs: dict) -> None:
        run.epochs.append(logs)        # first: the epoch is kept even if the redraw below is interrupted
        view.update(run)

    history = model.fit(data.X_train, data.y_train, exp.config, callback=on_epoch)
    run.status = history.stop_reason
    run.message = history.message or f"Trained {len(run.epochs)} epochs in {run.epochs[-1]['seconds']:.1f} s."
    _record(run)
    return run


def _record(run: LiveRun) -> None:
    """Add a finished run to the session's history and hand its model to the other pages."""
    if run.recorded or not run.epochs:
        return
    run.recorded = True
    records = st.session_state.setdefault(HISTORY_KEY, [])
    score = run.model.score(run.data.X_test, run.data.y_test) if run.status != "diverged" else float("nan")
    records.append(RunRecord(len(records) + 1, run.exp, run.history, score, run.metric, run.model.count_params(),
                             run.status))
    st.session_state[TRAINED_KEY] = TrainedRun(
        run.model, run.exp.dataset, run.data.X_test[:SAMPLE],
        f"{run.label} on {run.exp.dataset} ({len(run.epochs)} epochs)")
