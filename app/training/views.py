"""The Training page's sections: the architecture table, and the results of the training run (curves, test
results, the run history, the exported code, downloads). Each takes the run and the data it was trained on."""

from __future__ import annotations

import io
import json
from typing import Callable

import numpy as np
import pandas as pd
import streamlit as st

from app import settings as w
from app.data.views import SHOWN as X_SHOWN
from app.data_access import current_upload
from app.figures.images import TILE, sample_tiles
from app.messages import plain, plain_figure
from app.navigation import link
from app.runs import PAGE_BUDGET, boundary_figure, network_diagram
from app.session import clear_history, run_history
from app.tables import browse, read_table
from app.training import figures as fig
from app.training.schema import CURVES_NOTE, PLANE, PLANE_LOSS_NOTE, RAW_TARGET_NOTE, REGRESSION_NOTE
from app.widgets import show_error
from core.codegen import DATA_FILE, export_script
from core.datasets import UPLOAD
from core.datasets.uploads import dataset_npz
from core.errors import InvalidSpecError
from core.experiment import Experiment, PreparedData, data_name, experiment_summary
from core.metrics import cell_examples, confusion_matrix, per_class_accuracy, worst_cell
from core.models.io import model_file
from core.params import check_budget, layer_counts, output_units
from core.plane import drawable
from core.runs import Run

STATUS_ICONS = {
    "completed": ":material/check_circle:",
    "stopped": ":material/stop_circle:",
    "early_stopping": ":material/timer_off:",
    "diverged": ":material/error:",
}


def architecture(exp: Experiment, data: PreparedData) -> bool:
    """The layer table and parameter count for the current sliders; False when over the budget."""
    units = output_units(data.task, data.n_outputs, data.n_outputs)
    rows = layer_counts(exp.spec, data.input_shape, units)
    total = sum(r.params for r in rows)
    left, right = st.columns([1, 3], vertical_alignment="center")  # the table below, whole at 1024 px
    left.metric("Parameters", f"{total:,}")
    one = (
        "one tanh unit, read as (tanh + 1) / 2"
        if getattr(exp.spec, "output", "sigmoid") == "tanh"
        else "one sigmoid unit"
    )
    task = (
        f"classification into {data.n_outputs} classes ({one if units == 1 else 'softmax'})"
        if data.task == "classification"
        else "regression (one linear output unit)"
    )
    right.caption(
        f"Task: {task}. {len(data.y_train):,} training and {len(data.y_test):,} test samples, "
        f"input shape {data.input_shape}."
    )
    read_table(
        [
            {
                "layer": r.name,
                "type": r.kind,
                "output shape": str(r.output_shape),
                "parameters": r.params,
                "how": r.formula,
            }
            for r in rows
        ]
    )
    try:
        check_budget(exp.spec, data.input_shape, units, PAGE_BUDGET)
    except InvalidSpecError as exc:
        show_error(exc)
        return False
    return True


def status(run: Run) -> None:
    """How the run ended and its test score; a dead network is said to be dead, not "completed"."""
    score = ""
    if np.isfinite(run.test_score):
        score = (
            f" Test accuracy **{run.test_score:.1%}**."
            if run.metric == "accuracy"
            else f" Test R2 **{run.test_score:.3f}**."
        )
    text = f"**{run.label}** on {plain(data_name(run.exp))}: {plain(run.message)}{score}"
    dead = run.dead_layers
    if dead:
        st.warning(
            f"{text} But this network is dead: every unit of {', '.join(dead)} outputs the same for every "
            "input (its activation's gradient is 0 there), so nothing before it can learn and the prediction "
            "ignores the input. Lower the learning rate, use fewer layers, or try leaky ReLU; the Activation "
            "functions page shows where the units sit.",
            icon=":material/heart_broken:",
        )
        st.page_link(
            link("activations.py"),
            icon=":material/show_chart:",
            label="See this network's dead units on the Activation functions page",
        )
    else:
        (st.error if run.status == "diverged" else st.success if run.status == "completed" else st.info)(
            text, icon=STATUS_ICONS.get(run.status)
        )
    if run.status != "diverged":
        st.page_link(
            link("weights.py"),
            icon=":material/hub:",
            label="Look inside this model: its weights after every epoch, on the Weights page",
        )
        st.page_link(
            link("learned.py"),
            icon=":material/psychology:",
            label="What it learned: how its layers arrange the samples, and why each prediction",
        )


Section = Callable[[Run, PreparedData], None]


def results(run: Run, data: PreparedData, extra: dict[str, Section] | None = None, key: str = "train_tab") -> None:
    """The run's status and its results in tabs (only the open one runs); `extra` tabs go after the test
    results (the CNN lab's views inside the network)."""
    status(run)
    if not run.epochs:
        return  # stopped before its first epoch ended: nothing to show
    sections = {
        "Learning curves": curves,
        "Test results": test_results,
        **(extra or {}),
        "Compare runs": compare,
        "Show the code": code,
        "Download": downloads,
    }
    if st.session_state.get(key) not in sections:
        st.session_state.pop(key, None)
    for tab, section in zip(st.tabs(list(sections), key=key, on_change="rerun"), sections.values()):
        if tab.open:
            with tab:
                section(run, data)


def curves(run: Run, data: PreparedData) -> None:
    planned = run.exp.config.epochs if run.status == "completed" else None  # a stopped run: the epochs it ran
    st.plotly_chart(fig.learning_curves(run.curves, run.metric, planned), key="train_curves")
    plane = data.kind == "toy2d" and run.status != "diverged"
    st.caption(CURVES_NOTE.format(score="accuracy" if run.metric == "accuracy" else "R²") + PLANE_LOSS_NOTE * plane)
    if plane:
        row = st.container(horizontal=True)
        show_test, discretize = w.toggle(PLANE["showtest"], row), w.toggle(PLANE["discrete"], row)
        unit = ""
        left, right = st.columns(2) if drawable(run.exp.spec, data.input_shape[0]) else (None, st.container())
        if left is not None:
            with left:
                unit = network_diagram(run, data, "train_units")
                st.caption(
                    "Each unit's output over the plane. Click a unit to see it over the whole plane, "
                    "click it again for the network's output; hover a line for its weight."
                )
        right.plotly_chart(boundary_figure(run, data, show_test, discretize, unit), key="train_boundary")


def test_results(run: Run, data: PreparedData) -> None:
    if run.status == "diverged":
        st.info("The weights blew up, so there is nothing to evaluate. Lower the learning rate and train again.")
        return
    d, model = data, run.model
    if d.task == "regression":
        y_true = d.y_test * d.y_std + d.y_mean
        y_pred = model.predict(d.X_test) * d.y_std + d.y_mean
        c = st.columns(3)
        c[0].metric("Test R2", f"{model.score(d.X_test, d.y_test):.3f}")
        c[1].metric(
            "Mean absolute error",
            f"{np.mean(np.abs(y_pred - y_true)):.3g}",
            help="In the target's own units: the average size of a prediction's error.",
        )
        c[2].metric(
            "Root mean squared error",
            f"{np.sqrt(np.mean((y_pred - y_true) ** 2)):.3g}",
            help="In the target's own units: large errors count more than in the MAE.",
        )
        st.plotly_chart(fig.regression_fit(y_true, y_pred), key="train_regression")
        st.caption(REGRESSION_NOTE if run.exp.scale_target else RAW_TARGET_NOTE)
        return
    proba = model.predict_proba(d.X_test)
    pred = proba.argmax(axis=1)
    matrix = confusion_matrix(d.y_test, pred, len(d.class_names))
    st.metric("Test accuracy", f"{np.mean(pred == d.y_test):.1%}")
    if len(d.class_names) == 2:
        _one_probability(d, proba)
    t0, p0 = worst_cell(matrix)
    _apply_clicked_cell(d.class_names)
    c = st.columns(2)
    true_k = c[0].selectbox(
        "True class", range(len(d.class_names)), index=t0, format_func=lambda i: d.class_names[i], key="train_true"
    )
    pred_k = c[1].selectbox(
        "Predicted class", range(len(d.class_names)), index=p0, format_func=lambda i: d.class_names[i], key="train_pred"
    )
    left, right = st.columns(2)
    left.plotly_chart(
        fig.confusion(matrix, d.class_names, (true_k, pred_k)),
        key="train_confusion",
        on_select="rerun",
        selection_mode="points",
    )
    left.caption("Click a cell, or choose the classes above.")
    right.plotly_chart(fig.per_class(per_class_accuracy(matrix), d.class_names), key="train_per_class")
    idx = cell_examples(proba, d.y_test, true_k, pred_k)[:24]
    kind = "correct" if true_k == pred_k else "mistakes"
    st.markdown(
        f"**{len(cell_examples(proba, d.y_test, true_k, pred_k))} test samples** of class "
        f"{plain(d.class_names[true_k])} predicted as {plain(d.class_names[pred_k])} ({kind}, most confident first)"
    )
    if len(idx) == 0:
        st.caption("None: pick another cell.")
    elif d.kind == "image":
        titles = [f"#{i}: {proba[i, pred_k]:.0%}" for i in idx]
        st.image(sample_tiles(d.X_test[idx]), caption=titles)
    else:
        k = min(X_SHOWN, d.X_test.shape[1])  # a wide upload: its first columns
        X = d.X_test[idx, :k] if d.x_mean is None else d.X_test[idx, :k] * d.x_std[:k] + d.x_mean[:k]
        rows = pd.DataFrame(X, columns=list(d.feature_names[:k]) or [f"x{j + 1}" for j in range(k)])
        rows.insert(0, "confidence", [f"{proba[i, pred_k]:.0%}" for i in idx])
        with browse("train_mistakes"):
            st.dataframe(rows, hide_index=True, width="stretch")


def _one_probability(d: PreparedData, proba: np.ndarray) -> None:
    """Two classes: the one sigmoid unit's output for one test sample, P(second class)."""
    names = [str(c) for c in d.class_names]
    left, right = st.columns([1, 3])
    i = left.number_input(f"Test sample (0 to {len(d.y_test) - 1})", 0, len(d.y_test) - 1, 0, key="train_sample")
    left.metric(
        f"P({plain(names[1])})",
        f"{proba[i, 1]:.1%}",
        help="The output unit's sigmoid: the predicted probability "
        f"of {plain(names[1])}; below 50% the prediction is {plain(names[0])}.",
    )
    left.caption(f"Sample #{i} is {plain(names[d.y_test[i]])}; predicted {plain(names[int(proba[i, 1] > 0.5)])}.")
    if d.kind == "image":
        right.image(sample_tiles(d.X_test[i : i + 1], size=2 * TILE), caption=[f"#{i}: {names[d.y_test[i]]}"])


def _apply_clicked_cell(class_names) -> None:
    """A click on a confusion-matrix cell (last run) chooses that cell in the two selectboxes."""
    points = (st.session_state.get("train_confusion") or {}).get("selection", {}).get("points", [])
    names = [plain_figure(c) for c in class_names]  # as the figure writes them
    clicked = None
    if points and points[0].get("y") in names and points[0].get("x") in names:
        clicked = (names.index(points[0]["y"]), names.index(points[0]["x"]))
    if clicked is not None and clicked != st.session_state.get("train_clicked"):
        st.session_state["train_clicked"] = clicked
        st.session_state["train_true"], st.session_state["train_pred"] = clicked


def compare(run: Run, data: PreparedData) -> None:
    records = run_history()
    if not records:
        st.info("The history is empty: every run you train from now on is listed here.")
        return
    browse("runs").dataframe(
        [
            {
                "run": r.number,
                f"test {r.metric}": round(r.test_score, 4),
                "parameters": r.params,
                **experiment_summary(r.exp),
                "epochs run": len(r.epochs),
                "ended": r.status,
            }
            for r in records
        ],
        hide_index=True,
        width="stretch",
    )  # the score first: on screen however narrow
    labels = [r.label for r in records]
    chosen = st.multiselect("Overlay runs", labels, default=labels, key="train_overlay")  # every run, to compare
    keys = sorted({k for r in records for k in r.curves if k not in ("epoch", "seconds")})
    key = st.selectbox(
        "Curve", keys, index=keys.index("val_loss") if "val_loss" in keys else 0, key="train_overlay_key"
    )
    st.plotly_chart(
        fig.overlay_runs([(r.label, r.curves) for r in records if r.label in chosen], key), key="train_overlay_chart"
    )
    if st.button("Clear the history", icon=":material/delete:", key="train_clear"):
        clear_history()
        st.rerun()


def code(run: Run, data: PreparedData) -> None:
    source = export_script(run.exp, data.source)
    st.caption(
        "A script that trains this network with plain "
        + ("scikit-learn" if run.exp.backend == "sklearn" else "Keras")
        + f" on the same data ({plain(data.source)}), split, "
        "held out, seeded and trained the same way: it prints the same test score."
    )
    c = st.columns(2)
    c[0].download_button(
        "Download the script",
        source,
        "nnlab_experiment.py",
        "text/x-python",
        key="train_code_dl",
        icon=":material/download:",
        on_click="ignore",
    )
    upload = current_upload() if run.exp.dataset == UPLOAD else None
    if upload is not None:
        c[1].download_button(
            f"Download the data ({DATA_FILE})",
            lambda: dataset_npz(upload),
            DATA_FILE,
            "application/octet-stream",
            key="train_data_dl",
            icon=":material/dataset:",
            on_click="ignore",
            help=f"{plain(upload.source)} as NN Lab read it: put it next to the script.",
        )
    st.code(source, language="python")


def downloads(run: Run, data: PreparedData) -> None:
    csv = io.StringIO()
    pd.DataFrame(run.epochs).to_csv(csv, index=False)
    row = st.container(horizontal=True)  # wraps rather than cutting a label short, presented too
    row.download_button(
        "Training history (CSV)",
        csv.getvalue(),
        "history.csv",
        "text/csv",
        key="train_csv",
        icon=":material/table:",
        on_click="ignore",
    )
    row.download_button(
        "Settings (JSON)",
        json.dumps(run.exp.to_dict(), indent=2),
        "experiment.json",
        "application/json",
        key="train_settings_dl",
        icon=":material/data_object:",
        on_click="ignore",
        help="Every setting of this run: the data, its split, the network and the training.",
    )
    name = f"model{run.model.file_suffix}"
    row.download_button(
        f"Trained model ({name})",
        lambda: model_file(run.model)[0],
        name,
        "application/octet-stream",
        key="train_model_dl",
        icon=":material/download:",
        on_click="ignore",
        help="scikit-learn models are saved with skops (safe to load), Keras models as .keras.",
    )
