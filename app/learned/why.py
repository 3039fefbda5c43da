"""Why this prediction: for one sample (any training or test sample by its number, as the lessons index them, a
mistake, or for image networks a drawing or a photo), which inputs the predicted class rests on: saliency (the
gradient of the class's score), occlusion (the score's drop under a grey patch) and, for convnets, Grad-CAM; each
beside the same map for the network with its weights re-initialised, the sanity check. Computed in NumPy from the
weights of the chosen epoch."""

from __future__ import annotations

import numpy as np
import streamlit as st

from app import settings as w
from app.cnn.figures import bars
from app.image_input import drawn, photo
from app.learned import figures as fig
from app.learned.schema import LEARNED
from app.messages import plain
from core.cnn import probabilities
from core.experiment import PreparedData
from core.explain import class_score, grad_cam, occlusion, reinitialised, saliency, upsample
from core.projection import activations
from core.runs import Run
from core.snapshots import LayerWeights
from core.spec import CNNSpec

SOURCES = ("A test sample", "A training sample", "A mistake")
IMAGE_SOURCES = ("Draw one", "A photo")  # for networks that take images
MISTAKES_FROM = 2000  # test samples searched for mistakes
PANEL = 220  # pixels a side of an explanation


def _output(run: Run, layers: LayerWeights, X: np.ndarray) -> np.ndarray:
    """Class probabilities (n, classes), or a regression's outputs, of the samples X at these weights."""
    out = activations(run.exp.spec, layers, X, "output", run.task, run.model.n_units)
    return probabilities(out) if run.task == "classification" else out


def _chosen(run: Run, layers: LayerWeights, data: PreparedData) -> tuple[np.ndarray, str] | None:
    names = [str(c) for c in data.class_names]
    sources = SOURCES + (IMAGE_SOURCES if len(data.input_shape) == 3 else ())
    source = (
        st.segmented_control("Sample", sources, default=SOURCES[0], key="learned_source", persist_state="session")
        or SOURCES[0]
    )
    if source == "Draw one":
        image = drawn(data, "learned_canvas")
        return None if image is None else (image, "your drawing")
    if source == "A photo":
        shot = photo(data, "learned_photo")
        return None if shot is None else (shot[0], f"{shot[1]}, as {'x'.join(map(str, data.input_shape))}")
    if source == "A mistake":
        if data.task != "classification":
            st.info("Mistakes are for classification: pick a test or training sample.")
            return None
        X, y = data.X_test[:MISTAKES_FROM], data.y_test[:MISTAKES_FROM]
        p = _output(run, layers, X)
        wrong = np.flatnonzero(p.argmax(axis=1) != y)
        if not len(wrong):
            st.info("No mistakes among the test samples at this epoch: pick another epoch or another sample.")
            return None
        wrong = wrong[np.argsort(-p[wrong].max(axis=1), kind="stable")]
        i = st.selectbox(
            f"{len(wrong)} mistakes, the most confident first",
            wrong,
            key="learned_mistake",
            format_func=lambda i: f"X_test[{i}]: a {names[y[i]]} taken for a {names[p[i].argmax()]} ({p[i].max():.0%})",
        )
        return X[i], f"X_test[{i}]"
    test = source == "A test sample"
    X, y = (data.X_test, data.y_test) if test else (data.X_train, data.y_train)
    name = "X_test" if test else "X_train"
    i = st.number_input(
        f"Which sample ({name}[i], of {len(X):,})", 0, len(X) - 1, 0, key=f"learned_{name}", persist_state="session"
    )
    truth = names[int(y[i])] if data.task == "classification" else f"{float(y[i]) * data.y_std + data.y_mean:.4g}"
    return X[i], f"{name}[{i}]: {truth}"


def _maps(run: Run, layers: LayerWeights, x: np.ndarray, target: int, data: PreparedData) -> dict[str, np.ndarray]:
    """Each explanation of `target` for the sample x: (h, w) maps for images, (features,) for other inputs."""
    spec, task, units = run.exp.spec, run.task, run.model.n_units
    grad = saliency(spec, layers, x, task, units, target)
    maps = {"Saliency": np.abs(grad).max(axis=-1) if x.ndim == 3 else grad}
    if x.ndim == 3:
        maps["Occlusion"] = occlusion(spec, layers, x, task, units, target)
        if isinstance(spec, CNNSpec):
            maps["Grad-CAM"] = upsample(grad_cam(spec, layers, x, task, units, target), x.shape[:2])
    return maps


def why_tab(run: Run, layers: LayerWeights, data: PreparedData) -> None:
    chosen = _chosen(run, layers, data)
    if chosen is None:
        return
    x, what = chosen
    spec, task, units = run.exp.spec, run.task, run.model.n_units
    out = _output(run, layers, x[None])[0]
    left, right = st.columns([1, 2])
    if task == "classification":
        names = [str(c) for c in data.class_names]
        predicted = int(out.argmax())
        right.plotly_chart(
            bars(out, names, "predicted probability of each class", predicted, percent=True), key="learned_proba"
        )
        target = left.selectbox(
            "Explain the class", range(len(names)), index=predicted, format_func=names.__getitem__, key="learned_class"
        )
        left.markdown(f"{plain(what)} · predicted **{plain(names[predicted])}** ({out.max():.0%})")
    else:
        target = 0
        left.markdown(f"{plain(what)} · predicted **{float(out[0]) * data.y_std + data.y_mean:.4g}**")
    sanity = w.toggle(LEARNED["sanity"])
    maps = _maps(run, layers, x, target, data)
    random_maps = _maps(run, reinitialised(spec, layers, seed=0), x, target, data) if sanity else {}
    if x.ndim == 3:
        _image_maps(x, maps, random_maps)
    else:
        _feature_bars(data, maps, random_maps)
    score = float(class_score(spec, layers, x[None], task, units, target)[0])
    st.caption(
        f"The score explained is the output layer's value for this class before its activation ({score:.3f}). "
        "Saliency: how much each input changes it (the gradient's size). Occlusion: how much the class's "
        "probability drops when a grey patch hides each place. Grad-CAM: where the last convolution's maps that "
        "raise the score are active."
    )


def _image_maps(x: np.ndarray, maps: dict[str, np.ndarray], random_maps: dict[str, np.ndarray]) -> None:
    for row, (title, shown) in enumerate((("Trained network", maps), ("Weights re-initialised", random_maps))):
        if not shown:
            continue
        st.markdown(f"**{title}**")
        for column, (name, heat) in zip(st.columns(3), shown.items()):
            column.markdown(name)
            column.plotly_chart(fig.explained_image(x, np.maximum(heat, 0), PANEL), key=f"learned_map_{row}_{name}")
    if random_maps:
        similar = {name: _rank_similarity(maps[name], random_maps[name]) for name in maps}
        st.caption(
            "Rank correlation between the trained and the re-initialised maps: "
            + ", ".join(f"{name} {r:.2f}" for name, r in similar.items())
            + ". Near 1: the map shows the image, not what the network learned."
        )


def _rank_similarity(a: np.ndarray, b: np.ndarray) -> float:
    from scipy.stats import spearmanr

    r = spearmanr(np.ravel(a), np.ravel(b)).statistic
    return float(r) if np.isfinite(r) else 0.0


def _feature_bars(data: PreparedData, maps: dict[str, np.ndarray], random_maps: dict[str, np.ndarray]) -> None:
    names = list(data.feature_names) or [f"x{k + 1}" for k in range(len(maps["Saliency"]))]
    columns = st.columns(2 if random_maps else 1)
    columns[0].plotly_chart(bars(maps["Saliency"], names, "saliency: d score / d input"), key="learned_bars")
    if random_maps:
        columns[1].plotly_chart(
            bars(random_maps["Saliency"], names, "the same, weights re-initialised"), key="learned_bars_random"
        )
