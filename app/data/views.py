"""The Data page's sections, one function per tab. Each reads its own widgets (keys prefixed `data_`)
and renders figures from `app.data.figures` (and the shared image grid).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from app import settings as sw
from app.data import figures as fig
from app.data.schema import VIEWS
from app.data_access import pixel_counts
from app.figures.images import sample_tiles
from app.figures.style import DARK_IS_ZERO
from app.messages import plain
from app.tables import browse, read_table
from app.widgets import show_error
from core.datasets import Dataset, split_indices
from core.errors import NNLabError

GRID = 24  # images per page of the sample grid
SHOWN = 30  # features (and classes) drawn as columns or offered in a picker; the rest are summarised
ROWS = 20  # rows of the table


def summary(ds: Dataset) -> None:
    left, right = st.columns([2, 1]) if ds.task == "classification" else (st.container(), None)
    with left:
        a, b = st.columns(2)
        a.metric("Samples", f"{ds.n_samples:,}")
        b.metric("Classes" if ds.task == "classification" else "Task", ds.n_classes or "regression")
        low, high = ds.value_range
        st.markdown(  # short lines: the sample images below start on a projector's first screen
            f"`X.shape` = `{ds.X.shape}` `{ds.X.dtype}`, from `{low:.3g}` to `{high:.3g}`  \n"
            f"`y.shape` = `{ds.y.shape}` `{ds.y.dtype}`  \n" + plain(f"{ds.describe()}. Source: {ds.source}")
        )
    if right is not None:
        right.plotly_chart(fig.class_counts(ds.class_names, ds.class_counts()), key="data_counts")


def labels(ds: Dataset) -> None:
    """The first labels as class numbers and as the one-hot rows categorical cross-entropy compares with."""
    first = ds.y[:5]
    shown = min(ds.n_classes, SHOWN)
    if shown < ds.n_classes:
        st.caption(f"The first {shown} of {ds.n_classes:,} classes' columns.")
    read_table(
        pd.DataFrame(np.eye(ds.n_classes, dtype=int)[first][:, :shown], columns=list(ds.class_names[:shown]))
        .assign(**{"y (class number)": first})
        .set_index("y (class number)"),
        hide_index=False,
    )
    st.caption(
        "keras.utils.to_categorical(y) makes these rows: a 1 under the sample's class, 0 elsewhere; "
        "categorical cross-entropy compares the softmax output with them."
    )


def samples(ds: Dataset) -> None:
    left, right = st.columns([2, 1])
    classes = ["all", *ds.class_names]
    sw.offer(VIEWS["cls"], classes)
    choice = sw.selectbox(VIEWS["cls"], left, options=classes)
    idx = np.arange(ds.n_samples) if choice == "all" else np.flatnonzero(ds.y == ds.class_names.index(choice))
    pages = max(1, -(-len(idx) // GRID))
    sw.clamp(VIEWS["page"], 1, pages)
    page = sw.number_input(VIEWS["page"], right, label=f"Page (of {pages})", max_value=pages)
    shown = idx[(page - 1) * GRID : page * GRID]
    titles = [f"#{i}: {ds.class_names[ds.y[i]]}" for i in shown]
    st.image(sample_tiles(ds.X[shown]), caption=titles)
    st.caption(DARK_IS_ZERO)


def one_image(ds: Dataset) -> None:
    sw.clamp(VIEWS["i"], 0, ds.n_samples - 1)
    i = sw.number_input(VIEWS["i"], label=f"Image index (0 to {ds.n_samples - 1})", max_value=ds.n_samples - 1)
    h, w, c = ds.image_shape
    image = ds.X[i]
    channel = 0
    if c == 3:
        channel = sw.segmented_control(VIEWS["channel"]) or 0
    scaled = sw.toggle(VIEWS["scaled"], label=f"After dividing by {ds.pixel_scale:g}")  # whole, presented too
    plane = image @ fig.LUMA if channel == 3 else image[..., channel]
    values = plane if scaled else plane * ds.pixel_scale
    what = (
        ("the grayscale of the colour image" if channel == 3 else f"its {('red', 'green', 'blue')[channel]} channel")
        if c == 3
        else "the image"
    )
    st.markdown(
        f"**images[{i}]**, label **{plain(ds.class_names[ds.y[i]])}**: {what}, a {h} x {w} grid of numbers "
        f"from 0 to {1 if scaled else ds.pixel_scale:g}"
        + (f"; the whole image is {h} x {w} x 3 numbers." if c == 3 else ".")
    )
    top, left = _values_window(h, w)
    numbers, whole = st.columns([3, 1]) if max(h, w) > fig.VALUES_SHOWN else (st, None)
    numbers.plotly_chart(
        fig.image_values(
            values,
            1.0 if scaled else ds.pixel_scale,
            decimals=2 if scaled else 0,
            colors=("Reds", "Greens", "Blues", None)[channel] if c == 3 else None,
            top=top,
            left=left,
        ),
        key="data_values",
    )
    if whole is not None:
        whole.plotly_chart(fig.values_window(plane, top, left), key="data_values_window")
        whole.caption(f"The numbers are those of the red square: {fig.VALUES_SHOWN} x {fig.VALUES_SHOWN} pixels.")
    st.markdown(
        f"**Flattened**: `images[{i}].reshape(-1)` lays the {h} rows side by side into one vector of "
        f"{ds.n_features} numbers" + (", each pixel's R, G, B one after another." if c == 3 else ".")
    )
    vector = image.reshape(-1) * ds.pixel_scale
    st.plotly_chart(fig.flattened(vector, w * c, ds.pixel_scale), key="data_flat")
    st.caption(DARK_IS_ZERO)


def _values_window(h: int, w: int) -> tuple[int, int]:
    """The first row and column of the pixels written with their numbers: a slider for each side longer than
    VALUES_SHOWN (more numbers would not be readable on a projector), else 0."""
    k = fig.VALUES_SHOWN
    if max(h, w) <= k:
        return 0, 0
    st.caption(f"The image is {h} x {w} pixels: the numbers of {k} x {k} of them are written out; move the window.")
    left_col, right_col = st.columns(2)
    corner = []
    for name, size, col in (("top", h, left_col), ("left", w, right_col)):
        if size <= k:
            corner.append(0)
            continue
        sw.clamp(VIEWS[name], 0, size - k)
        corner.append(sw.slider(VIEWS[name], col, max_value=size - k))
    return corner[0], corner[1]


def scaling(ds: Dataset) -> None:
    edges, counts = pixel_counts(ds, (ds.name, ds.source, ds.n_samples))
    st.markdown(
        f"Networks learn best from small inputs, so pixels are divided by {ds.pixel_scale:g}: "
        "the histogram keeps its shape, only the axis changes."
    )
    st.code(
        f"X = images.reshape(len(images), -1) / {ds.pixel_scale:g}   # shape {(ds.n_samples, ds.n_features)}",
        language="python",
    )
    st.plotly_chart(fig.pixel_histograms(edges, counts, ds.pixel_scale), key="data_hist")


def colour(ds: Dataset) -> None:
    sw.clamp(VIEWS["ci"], 0, ds.n_samples - 1)
    i = sw.number_input(VIEWS["ci"], max_value=ds.n_samples - 1)
    st.caption(
        f"Image {i}: {plain(ds.class_names[ds.y[i]])}. Each channel is a grid of intensities; grayscale "
        "mixes them with the eye's sensitivity to each colour."
    )
    st.plotly_chart(fig.channels(ds.X[i]), key="data_channels")


def table(ds: Dataset) -> None:
    """The first rows of the first SHOWN features, their statistics, and one line over every value: a wide upload
    (100,000 columns, or 30,000,000) costs what a narrow one does."""
    shown = min(ds.n_features, SHOWN)
    names = list(ds.feature_names[:shown]) or [f"x{j + 1}" for j in range(shown)]
    frame = pd.DataFrame(ds.X[:ROWS, :shown], columns=names)
    y = ds.y[:ROWS]
    frame["target"] = [ds.class_names[v] for v in y] if ds.task == "classification" else y
    browse("data_rows").dataframe(frame, width="stretch")
    if shown < ds.n_features:
        st.caption(f"The first {shown} of {ds.n_features:,} features; the last line below covers every value.")
    stats = feature_stats(ds.X[:, :shown])
    overall = pd.DataFrame([value_stats(ds.X)], index=[f"all {ds.n_features:,} features"])
    browse("data_stats").dataframe(pd.concat([pd.DataFrame(stats, index=names), overall]), width="stretch")


def feature_stats(X: np.ndarray) -> dict[str, np.ndarray]:
    """Mean, std, min and max of each column of X (n, k), in float64 as pandas' describe() gives them."""
    X = X.astype(np.float64, copy=False)
    return {
        "mean": X.mean(0),
        "std": X.std(0, ddof=1) if len(X) > 1 else np.full(X.shape[1], np.nan),
        "min": X.min(0),
        "max": X.max(0),
    }


def value_stats(X: np.ndarray, block: int = 1 << 20) -> dict[str, float]:
    """Mean, std, min and max over every value of X, read BLOCK values at a time: time linear in X's size and
    memory a block's, whatever its shape."""
    flat = X.reshape(-1)
    total = squares = 0.0
    low, high = np.inf, -np.inf
    for start in range(0, flat.size, block):
        part = flat[start : start + block].astype(np.float64)
        total += float(part.sum())
        squares += float(np.square(part).sum())
        low, high = min(low, float(part.min())), max(high, float(part.max()))
    n = flat.size
    mean = total / n
    return {
        "mean": mean,
        "std": float(np.sqrt(max(squares / n - mean * mean, 0.0) * n / max(n - 1, 1))),
        "min": low,
        "max": high,
    }


def features(ds: Dataset) -> None:
    names = list(ds.feature_names[:SHOWN])
    if ds.n_features > SHOWN:
        st.caption(f"The first {SHOWN} of {ds.n_features:,} features can be picked here.")
    chosen = st.multiselect("Features", names, default=names[:8], key="data_features", persist_state="session")
    if not chosen:
        st.info("Pick at least one feature.")
        return
    cols = [names.index(c) for c in chosen]
    st.plotly_chart(fig.feature_histograms(ds.X[:, cols], chosen, ds.y, ds.class_names), key="data_feature_hist")


def pair(ds: Dataset) -> None:
    names = list(ds.feature_names[:SHOWN])
    if ds.n_features > SHOWN:
        st.caption(f"The first {SHOWN} of {ds.n_features:,} features can be picked here.")
    a, b = st.columns(2)
    sw.offer(VIEWS["fx"], names)
    sw.offer(VIEWS["fy"], names, names[min(1, len(names) - 1)])
    x, y = sw.selectbox(VIEWS["fx"], a, options=names), sw.selectbox(VIEWS["fy"], b, options=names)
    X2 = ds.X[:, [names.index(x), names.index(y)]]
    st.plotly_chart(fig.scatter(X2, ds.y, ds.class_names, (x, y)), key="data_scatter")


def split(ds: Dataset) -> None:
    a, b = st.columns(2)
    test_fraction, seed = sw.slider(VIEWS["test"], a), sw.number_input(VIEWS["sseed"], b)
    try:
        train, test = split_indices(ds, test_fraction, int(seed))
    except NNLabError as exc:
        show_error(exc)
        return
    c = st.columns(2)
    c[0].metric("Training set", f"{len(train):,}", help=f"X_train.shape = {(len(train), *ds.X.shape[1:])}")
    c[1].metric("Test set", f"{len(test):,}", help=f"X_test.shape = {(len(test), *ds.X.shape[1:])}")
    if ds.task == "classification":
        st.caption("Stratified: each class keeps the same share in both sets.")
        st.plotly_chart(
            fig.split_balance(
                ds.class_names,
                np.bincount(ds.y[train], minlength=ds.n_classes),
                np.bincount(ds.y[test], minlength=ds.n_classes),
            ),
            key="data_balance",
        )
    else:
        st.plotly_chart(fig.target_histograms(ds.y[train], ds.y[test]), key="data_target")
