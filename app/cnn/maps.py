"""The CNN lab's views of one image going through the trained network: the image (a test image, a mistake, a
drawing or a photo), every layer's feature maps and the probabilities, and one convolution value or pooling
window worked out with its numbers (`app.cnn.step`). All computed in NumPy from the weights of the chosen epoch."""

from __future__ import annotations

import numpy as np
import streamlit as st

from app.cnn import figures as fig
from app.figures.style import DARK_IS_ZERO
from app.image_input import drawn, photo
from app.inside import recorded_weights
from core.cnn import FeatureMap, feature_maps, predict, probabilities
from core.experiment import PreparedData
from core.runs import Run

SOURCES = ("A test image", "A training image", "A mistake", "Draw one", "A photo")
MISTAKES_FROM = 2000  # test images searched for mistakes
MISTAKES_KEY = "cnn_mistakes"


def maps_of(run: Run, layers, x: np.ndarray) -> list[FeatureMap]:
    """Every layer's maps for the image x at these weights (NumPy)."""
    return feature_maps(run.exp.spec, layers, x, run.task, run.model.n_units)


def _mistakes(run: Run, layers, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(indices of the misclassified images, most confident first; every image's probabilities), computed once per
    run and recorded epoch (a snapshot's weights are the same list each time) and kept for the next clicks."""
    cached = st.session_state.get(MISTAKES_KEY)
    if cached is None or cached[0] is not layers:
        p = probabilities(predict(run.exp.spec, layers, X, run.task, run.model.n_units))
        wrong = np.flatnonzero(p.argmax(axis=1) != y)
        cached = st.session_state[MISTAKES_KEY] = (layers, wrong[np.argsort(-p[wrong].max(axis=1), kind="stable")], p)
    return cached[1], cached[2]


def chosen_input(run: Run, layers, data: PreparedData) -> tuple[np.ndarray, str] | None:
    """The image to send through the network (h, w, c) and a few words about it; None after saying what to do."""
    names = [str(c) for c in data.class_names]
    source = (
        st.segmented_control("Image", SOURCES, default=SOURCES[0], key="cnn_source", persist_state="session")
        or SOURCES[0]
    )
    if source == "A test image" and data.task == "classification":
        c = st.columns(2)
        k = c[0].selectbox(
            "Class", range(len(names)), format_func=names.__getitem__, key="cnn_class", persist_state="session"
        )
        idx = np.flatnonzero(data.y_test == k)
        if not len(idx):
            st.info("No test image of this class: pick another.")
            return None
        j = c[1].number_input(f"Which one (of {len(idx)})", 0, len(idx) - 1, 0, key="cnn_pick", persist_state="session")
        return data.X_test[idx[j]], f"test image #{idx[j]}: {names[k]}"
    if source == "A test image":
        i = st.number_input("Test image", 0, len(data.X_test) - 1, 0, key="cnn_pick_any", persist_state="session")
        return data.X_test[i], f"test image #{i}"
    if source == "A training image":  # X_train[0], as the lessons index it
        i = st.number_input(
            "Training image (X_train[i])", 0, len(data.X_train) - 1, 0, key="cnn_pick_train", persist_state="session"
        )
        label = f": {names[int(data.y_train[i])]}" if data.task == "classification" else ""
        return data.X_train[i], f"X_train[{i}]{label}"
    if source == "A mistake":
        X, y = data.X_test[:MISTAKES_FROM], data.y_test[:MISTAKES_FROM]
        wrong, p = _mistakes(run, layers, X, y)
        if data.task != "classification" or not len(wrong):
            st.info("No mistakes among the test images at this epoch: pick another epoch or another image.")
            return None
        i = st.selectbox(
            f"{len(wrong)} mistakes, the most confident first",
            wrong,
            key="cnn_mistake",
            persist_state="session",
            format_func=lambda i: f"#{i}: a {names[y[i]]} taken for a {names[p[i].argmax()]} ({p[i].max():.0%})",
        )
        return X[i], f"test image #{i}: {names[y[i]]}"
    if source == "Draw one":
        image = drawn(data, "cnn_canvas")
        return None if image is None else (image, "your drawing")
    shot = photo(data, "cnn_photo")
    return None if shot is None else (shot[0], f"{shot[1]}, as {'x'.join(map(str, data.input_shape))}")


def maps_tab(run: Run, data: PreparedData) -> None:
    layers = recorded_weights(run, "cnn")
    chosen = chosen_input(run, layers, data) if layers is not None else None
    if chosen is None:
        return
    x, what = chosen
    maps = maps_of(run, layers, x)
    left, right = st.columns([1, 2])
    left.plotly_chart(fig.input_image(x, what), key="cnn_input")
    out = maps[-1].values
    if run.task == "classification":
        p = probabilities(out)
        names = [str(c) for c in data.class_names]
        right.plotly_chart(
            fig.bars(p, names, "predicted probability of each class", int(p.argmax()), percent=True), key="cnn_proba"
        )
        right.markdown(f"Prediction: **{names[int(p.argmax())]}** ({p.max():.0%})")
    else:
        right.metric("Prediction", f"{float(out[0]) * data.y_std + data.y_mean:.4g}")
    st.caption(DARK_IS_ZERO)
    for m in maps[:-1]:
        if m.values.ndim == 3:
            h, w, c = m.values.shape
            st.markdown(
                f"**{m.name}** ({m.kind}): {c} maps of {h} x {w}"
                + (", the max of each 2 x 2 window" if m.kind == "MaxPooling2D" else ", one per filter")
            )
            st.plotly_chart(fig.map_grid(m.values), key=f"cnn_map_{m.name}")
        else:
            st.plotly_chart(
                fig.bars(m.values, [str(i) for i in range(len(m.values))], f"{m.name}: unit"), key=f"cnn_dense_{m.name}"
            )
