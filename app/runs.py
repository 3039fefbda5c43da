"""Training a page watches, shared by every page that trains: live redraws epoch by epoch, closing runs cut
short, quick models for pages that look inside one, and TensorFlow imported in the background.

Streamlit stops a running script at its next `st.*` call when the user clicks anything (the Stop button, or
any other widget). Each epoch is recorded in the run (`core.runs`) before the page redraws, so an interrupted
run keeps its model and history as of its last finished epoch; the next script run finds it still running and
closes it as stopped (`close_interrupted`).
"""

from __future__ import annotations

import sys
import threading
import time

import streamlit as st

from app.data_access import prepared
from app.session import add_to_history, page_run, set_current_run, set_page_run
from app.training.figures import decision_boundary, learning_curves
from app.widgets import show_error
from core.errors import NNLabError
from core.experiment import Experiment, PreparedData
from core.metrics import decision_grid
from core.runs import Run, start_run, train
from core.spec import CNNSpec, MLPSpec, TrainConfig

PAGE_BUDGET = 1_000_000          # parameters: beyond this a live demo on a laptop is too slow to watch


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


def keras_loaded() -> bool:
    """Whether this server has imported TensorFlow already (without starting the import)."""
    return "keras" in sys.modules


def boundary_figure(run: Run, data: PreparedData):
    """P(class 1) of a 2-D run's model over the input plane, with the training and test points."""
    xs, ys, P = decision_grid(run.model.predict_proba, data.X_train, resolution=60)
    return decision_boundary(xs, ys, P, data.X_train, data.y_train, data.X_test, data.y_test)


class LiveView:
    """Placeholders that one training run redraws epoch by epoch, in `where` (a container near the top of the
    page, so that curves and boundary are on screen while training, even on a 1280 x 720 projector)."""

    def __init__(self, boundary: bool, name: str = "run", where=None) -> None:
        self.name = name                  # unique per run within one script run (element keys)
        where = where if where is not None else st.container()
        self.progress = where.empty()
        if boundary:
            left, right = where.columns([3, 2])
            self.curves, self.boundary = left.empty(), right.empty()
        else:
            self.curves, self.boundary = where.empty(), None
        self.started = time.perf_counter()

    def update(self, run: Run, data: PreparedData) -> None:
        done, total = len(run.epochs), run.exp.config.epochs
        left = (time.perf_counter() - self.started) / done * (total - done)
        self.progress.progress(done / total, text=f"Epoch {done} / {total} · about {left:.0f} s left")
        self.curves.plotly_chart(learning_curves(run.curves, run.metric, total), key=f"train_live_{self.name}_{done}")
        if self.boundary is not None and (done % max(1, total // 10) == 0 or done == total):
            self.boundary.plotly_chart(boundary_figure(run, data), key=f"train_live_boundary_{self.name}_{done}")


def train_live(exp: Experiment, data: PreparedData, view: LiveView, page: str = "training") -> Run:
    """Build and train `exp` on `data` as `page`'s run, redrawing `view` every epoch; the finished run joins the
    history and becomes the session's current model. Raises InvalidSpecError before training for an impossible
    or over-budget network."""
    run = start_run(exp, data, PAGE_BUDGET)
    set_page_run(page, run)                 # first: an interrupted run is found and kept on the next rerun
    train(run, data, on_epoch=lambda logs: view.update(run, data))
    add_to_history(run)
    return run


def prepared_or_stop(exp: Experiment) -> PreparedData:
    """The experiment's training arrays, or the page stops after saying what is wrong."""
    try:
        return prepared(exp)
    except NNLabError as exc:
        show_error(exc)
        st.stop()


def train_buttons(prefix: str, enabled: bool, second_key: str, second: str, second_help: str) -> tuple[bool, bool]:
    """Train, Stop, and a second way to train (another backend, a network to compare): which was clicked.
    Stop is a plain button: any click stops a running script, and the run is kept (`close_interrupted`)."""
    c = st.columns([1, 1, 2])
    go = c[0].button("Train", type="primary", icon=":material/play_arrow:", disabled=not enabled, key=f"{prefix}_go")
    other = c[2].button(second, icon=":material/compare_arrows:", disabled=not enabled, key=second_key, help=second_help)
    c[1].button("Stop", icon=":material/stop:", disabled=not (go or other), key=f"{prefix}_stop",
                help="Ends training after the current epoch and keeps the model.")
    return go, other


def train_all(runs: list[tuple[Experiment, str, str]], data: PreparedData, where, boundary: bool = False) -> None:
    """Train each (experiment, page, view name) live in `where` (see LiveView), one after the other, then redraw the
    page in its finished state; an impossible network is one message."""
    try:
        for exp, page, name in runs:
            with where:
                view = LiveView(boundary=boundary, name=name, where=st.container())
            train_live(exp, data, view, page=page)
    except NNLabError as exc:
        show_error(exc)
    else:
        st.rerun()                 # results below, Stop disabled again


def close_interrupted(page: str = "training") -> None:
    """The page's run, if a click cut it short, is kept as stopped (and joins the history if it trained at
    least one epoch)."""
    run = page_run(page)
    if run is not None and not run.finished:
        run.close_interrupted(prepared(run.exp))
        if run.epochs:
            add_to_history(run)


def _quick(exp: Experiment) -> Run:
    """Train `exp` (no redraws) and make it the session's current model, outside the run history."""
    data = prepared(exp)
    run = train(start_run(exp, data), data)
    set_current_run(run)
    return run


def quick_run(activation: str, hidden: tuple[int, ...] = (32, 16), epochs: int = 30) -> Run:
    """An MLP on digits with scikit-learn (about a second, no TensorFlow)."""
    return _quick(Experiment("digits", spec=MLPSpec(hidden_layers=hidden, activation=activation),
                             config=TrainConfig(epochs=epochs, batch_size=64, learning_rate=3e-3)))


def quick_cnn(filters: int = 8, epochs: int = 20) -> Run:
    """A one-conv-layer Keras CNN on digits (8x8 images: 3x3 kernels, 2x2 pooling, then the output layer); it
    imports TensorFlow (5-10 s the first time on a small machine)."""
    return _quick(Experiment("digits", backend="keras",
                             spec=CNNSpec(conv_filters=(filters,), kernel_size=3, pool_size=2, dense_layers=(),
                                          dropout=0.0),
                             config=TrainConfig(epochs=epochs, batch_size=32, learning_rate=1e-2)))
