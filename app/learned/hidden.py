"""The hidden space: how a layer arranges the test samples, beside the raw inputs (layer 0), at the epoch chosen on
the page, and the training samples nearest to one sample in that layer. PCA axes are fitted once on the last
epoch so the epoch slider scrubs one picture; t-SNE is computed per epoch (with a progress bar) and kept."""

from __future__ import annotations

import numpy as np
import streamlit as st

from app import settings as w
from app.figures.images import sample_tiles
from app.inside import snapshots
from app.learned import figures as fig
from app.learned.schema import LEARNED
from app.messages import plain
from app.tables import read_table
from core.experiment import PreparedData
from core.projection import INPUT, activations, averaged, fit_pca, layer_names, nearest, separation, tsne
from core.runs import Run
from core.snapshots import LayerWeights

CACHE = "learned_layouts"  # {key: (the weights it was computed from, the layout)}: t-SNE takes seconds
KEPT = 24  # layouts kept per session
NEIGHBOURS, SEARCHED = 5, 5000  # the five closest among the first 5,000 training samples


def _cached(key: tuple, layers, compute):
    """compute() once per key and weights (a recorded epoch's weights are the same list each time; or any other
    object the value was computed from)."""
    cache = st.session_state.setdefault(CACHE, {})
    hit = cache.get(key)
    if hit is not None and hit[0] is layers:
        return hit[1]
    value = compute()
    cache[key] = (layers, value)
    while len(cache) > KEPT:
        cache.pop(next(iter(cache)))
    return value


def _last_weights(run: Run, layers: LayerWeights) -> LayerWeights:
    snaps = snapshots(run)
    return snaps.at(snaps.epochs[-1]) if snaps and len(snaps) else layers


def _layout(run: Run, layers: LayerWeights, X: np.ndarray, layer: str, method: str) -> tuple[np.ndarray, str]:
    """The samples' 2-D places in `layer` at these weights, and a few words on the axes."""
    spec, task, units = run.exp.spec, run.task, run.model.n_units
    base = (id(run), layer, len(X), method)
    A = _cached((id(run), layer, len(X), "values"), layers, lambda: activations(spec, layers, X, layer, task, units))
    if method == "PCA":
        last = layers if layer == INPUT else _last_weights(run, layers)
        pca = _cached(
            (*base, "pca"),
            last,
            lambda: fit_pca(A if last is layers else activations(spec, last, X, layer, task, units)),
        )
        share = sum(pca.explained)
        return pca.transform(A), f"PCA fitted on the last epoch: {share:.0%} of the variance there"
    key = (*base, "tsne")
    if key not in st.session_state.get(CACHE, {}) or st.session_state[CACHE][key][0] is not layers:
        bar = st.progress(0.0, text=f"t-SNE of {layer}: laying out {len(X):,} samples")
        xy = _cached(key, layers, lambda: tsne(A, seed=0, progress=lambda f: bar.progress(f, text=f"t-SNE of {layer}")))
        bar.empty()
    else:
        xy = st.session_state[CACHE][key][1]
    return xy, "t-SNE: near samples stay near; distances between groups mean little"


def _labels(data: PreparedData, y: np.ndarray) -> tuple[list[str] | None, np.ndarray]:
    if data.task == "classification":
        names = [str(c) for c in data.class_names]
        return names, np.array([names[int(c)] for c in y])
    return None, (y * data.y_std + data.y_mean).astype(np.float32)


def _clicked(event) -> int | None:
    points = (event or {}).get("selection", {}).get(fig.SAMPLE) or []
    return int(points[0]["index"]) if points else None


def hidden_tab(run: Run, layers: LayerWeights, data: PreparedData) -> None:
    spec, images = run.exp.spec, len(data.input_shape) == 3
    names = layer_names(spec, layers)[1:]
    default = names[-2] if len(names) > 1 else names[-1]  # the last hidden layer
    row = st.columns([2, 1, 1])
    layer = row[0].selectbox("Layer", names, index=names.index(default), key="learned_layer", persist_state="session")
    method = w.segmented_control(LEARNED["method"], row[1]) or "PCA"
    n = min(w.select_slider(LEARNED["n"], row[2]), len(data.X_test))
    X, y = data.X_test[:n], data.y_test[:n]
    classes, labels = _labels(data, y)
    pictures = _cached(("pictures", id(data), n), data, lambda: fig.thumbnails(X)) if images else None
    chosen = st.session_state.get("learned_sample")
    chosen = chosen if isinstance(chosen, int) and chosen < n else None
    clicks = []
    for column, name in zip(st.columns(2), (INPUT, layer)):
        xy, axes = _layout(run, layers, X, name, method)
        score = ""
        if classes is not None and len(set(y.tolist())) > 1:
            A = _cached(
                (id(run), name, n, "values"),
                layers,
                lambda: activations(spec, layers, X, name, run.task, run.model.n_units),
            )
            score = f" · silhouette {separation(A, y):.2f}"
        title = ("Layer 0: the inputs" if name == INPUT else name.replace("_", " ")) + score
        event = column.vega_lite_chart(
            fig.points_frame(xy, labels, pictures),
            fig.projection_spec(title, classes, chosen, images),
            key=f"learned_scatter_{'input' if name == INPUT else 'layer'}",
            on_select="rerun",
            selection_mode=fig.SAMPLE,
            width="stretch",
        )
        clicks.append(_clicked(event))
        column.caption(
            axes + (" · each map's mean: one number per filter" if averaged(spec, data.input_shape, name) else "")
        )
    st.caption(
        "Each point is a test sample, coloured by its class. The silhouette score (-1 to 1) says how far apart the "
        "classes lie: watch it grow from the inputs to the last hidden layer, and with the epochs. Click a point "
        "to find its nearest training samples in this layer."
    )
    _neighbours(run, layers, data, layer, n, next((c for c in clicks if c is not None), None))


def _neighbours(run: Run, layers: LayerWeights, data: PreparedData, layer: str, n: int, clicked: int | None) -> None:
    if clicked is not None and clicked != st.session_state.get("learned_clicked"):
        st.session_state["learned_clicked"] = st.session_state["learned_sample"] = clicked
    i = st.number_input(
        f"Test sample (X_test[i], of the {n:,} shown)", 0, n - 1, 0, key="learned_sample", persist_state="session"
    )
    spec, task, units = run.exp.spec, run.task, run.model.n_units
    pool = data.X_train[:SEARCHED]
    A = _cached((id(run), layer, "train"), layers, lambda: activations(spec, layers, pool, layer, task, units))
    a = activations(spec, layers, data.X_test[i : i + 1], layer, task, units)[0]
    found = nearest(A, a, NEIGHBOURS)
    _, shown = _labels(data, data.y_train[found])
    _, own = _labels(data, data.y_test[i : i + 1])
    st.markdown(
        f"**The {NEIGHBOURS} training samples nearest to test sample {i}** ({plain(str(own[0]))}) in "
        f"{layer.replace('_', ' ')}"
        + (f", among the first {len(pool):,}" if len(data.X_train) > len(pool) else "")
        + ":"
    )
    if len(data.input_shape) == 3:
        pictures = np.concatenate([data.X_test[i : i + 1], pool[found]])
        st.image(
            sample_tiles(pictures),
            caption=[f"test {i}: {own[0]}"] + [f"X_train[{j}]: {s}" for j, s in zip(found, shown)],
        )
        return
    columns = list(data.feature_names) or [f"x{k + 1}" for k in range(pool.shape[1])]
    read_table(
        [{"sample": f"test {i}", "class": str(own[0]), **dict(zip(columns, np.round(data.X_test[i], 3).tolist()))}]
        + [
            {"sample": f"X_train[{j}]", "class": str(s), **dict(zip(columns, np.round(pool[j], 3).tolist()))}
            for j, s in zip(found, shown)
        ]
    )
