"""What pages that train share: the Train buttons, the data or one message, the decision boundary of a finished
run, and quick models for pages that look inside one. Training itself runs as a job on the class server's queue
(`app.jobs`): the page follows it, a click elsewhere does not stop it, Stop ends it after the current epoch.
"""

from __future__ import annotations

import streamlit as st

from app.data_access import prepared
from app.figures import live, units
from app.figures.units import node_name
from app.jobs import train_now
from app.training.figures import plane_figure
from app.widgets import show_error
from core.classserver.training_job import JobLimits
from core.errors import NNLabError
from core.experiment import Experiment, PreparedData
from core.plane import model_over_plane, units_over_plane
from core.runs import Run
from core.spec import CNNSpec, MLPSpec, TrainConfig

PAGE_BUDGET = JobLimits().max_params  # parameters the class server trains (the board refuses more)


def boundary_figure(run: Run, data: PreparedData, show_test: bool = True, discretize: bool = False, unit: str = ""):
    """A 2-D run's model over its plane (P(class 1), or a regression's prediction) with the training and test
    points, its training and test loss written above it (the Playground's); `unit`: that unit's output instead,
    named above it as the network diagram names it."""
    losses = live.losses_text(run.model.loss(data.X_test, data.y_test), run.model.loss(data.X_train, data.y_train))
    if unit:
        xs, ys, layers = units_over_plane(run.model.layer_weights(), run.exp.spec, data, resolution=60)
        z = next(values[k] for name, values in layers for k in range(len(values)) if node_name(name, k) == unit)
        return plane_figure(xs, ys, z, data.plane_points(), data.task, show_test, False, unit, unit)
    xs, ys, z = model_over_plane(run.model, data, resolution=60)
    return plane_figure(xs, ys, z, data.plane_points(), data.task, show_test, discretize, losses)


def network_diagram(run: Run, data: PreparedData, key: str, height: int = 380) -> str:
    """The Playground's diagram of a finished 2-D run (each unit a small map over the plane, the weights between);
    a click on a unit selects it: the selected unit's name ("" for none), for `boundary_figure`."""
    layers = run.model.layer_weights()
    _, _, maps = units_over_plane(layers, run.exp.spec, data)
    event = st.vega_lite_chart(
        units.cells_frame(maps, data.task),
        units.network_spec(maps, [W for _, W, _ in layers], height=height, selectable=True),
        key=key,
        on_select="rerun",
        selection_mode=units.SELECTION,
        width="stretch",
    )
    chosen = (event or {}).get("selection", {}).get(units.SELECTION) or []
    return chosen[0].get("node", "") if chosen else ""


def prepared_or_stop(exp: Experiment) -> PreparedData:
    """The experiment's training arrays, or the page stops after saying what is wrong."""
    try:
        return prepared(exp)
    except NNLabError as exc:
        show_error(exc)
        st.stop()


def train_buttons(prefix: str, enabled: bool, second_key: str, second: str, second_help: str) -> tuple[bool, bool]:
    """Train, and a second way to train (another backend, a network to compare): which was clicked. Stop is
    beside the training's progress, while it runs."""
    c = st.columns([1, 3])
    go = c[0].button("Train", type="primary", icon=":material/play_arrow:", disabled=not enabled, key=f"{prefix}_go")
    other = c[1].button(
        second, icon=":material/compare_arrows:", disabled=not enabled, key=second_key, help=second_help
    )
    return go, other


def bring_into_view(where, key: str) -> None:
    """Scroll the page to the keyed container `where` (made with `st.container(key=key)`): after a click on Train
    further down, the progress, Stop and live curves drawn at the top of the page are on screen, not above it."""
    with where:
        st.html(
            f"<script>document.querySelector('.st-key-{key}')?.scrollIntoView({{block: 'start'}})</script>",
            unsafe_allow_javascript=True,
        )


def _quick(exp: Experiment) -> Run:
    """Train `exp` as a job, waiting for it, and make it the session's current model, outside the run history
    (NNLabError, for the page to show, if it could not train)."""
    return train_now(exp, prepared(exp), "Training a quick model…")


def quick_run(activation: str, hidden: tuple[int, ...] = (32, 16), epochs: int = 30) -> Run:
    """An MLP on digits with scikit-learn (about a second, no TensorFlow)."""
    return _quick(
        Experiment(
            "digits",
            spec=MLPSpec(hidden_layers=hidden, activation=activation),
            config=TrainConfig(epochs=epochs, batch_size=64, learning_rate=3e-3),
        )
    )


def quick_cnn(filters: int = 8, epochs: int = 20) -> Run:
    """A one-conv-layer Keras CNN on digits (8x8 images: 3x3 kernels, 2x2 pooling, then the output layer); it
    imports TensorFlow in the worker that trains it (5-10 s the first time)."""
    return _quick(
        Experiment(
            "digits",
            backend="keras",
            spec=CNNSpec(conv_filters=(filters,), kernel_size=3, pool_size=2, dense_layers=(), dropout=0.0),
            config=TrainConfig(epochs=epochs, batch_size=32, learning_rate=1e-2),
        )
    )


def quick_models(run: Run | None, prefix: str) -> None:
    """Buttons that train a small model on digits and make it the session's model (keys `<prefix>_quick_mlp`,
    `<prefix>_quick_cnn`), for the pages that look inside one."""
    box = (
        st.container(border=True) if run is None else st.expander("Train a quick model instead", icon=":material/bolt:")
    )
    with box:
        if run is None:
            st.markdown(
                "There is no trained model in this session yet. Train one on the **Training** page, or a "
                "quick one here:"
            )
        left, right = st.columns(2)
        mlp = left.button(
            "Quick MLP on digits",
            icon=":material/bolt:",
            key=f"{prefix}_quick_mlp",
            width="stretch",
            help="scikit-learn, about a second",
        )
        cnn = right.button(
            "Quick CNN on digits",
            icon=":material/grid_on:",
            key=f"{prefix}_quick_cnn",
            width="stretch",
            help="Keras: a worker loads TensorFlow first, up to 15 s",
        )
        if mlp or cnn:
            try:
                with st.spinner("Training..."):
                    quick_run("relu") if mlp else quick_cnn()
            except NNLabError as exc:
                show_error(exc)
            else:
                st.rerun()
