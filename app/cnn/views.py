"""The CNN lab's sections before and after training: the Keras-style summary beside the MLP of similar size,
the augmentation preview, and the filters of the trained network at any recorded epoch."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import streamlit as st

from app.cnn import figures as fig
from app.figures.images import sample_tiles
from app.figures.style import DARK_IS_ZERO
from app.inside import conv_kernels, recorded_weights, summary_table
from app.runs import PAGE_BUDGET
from app.widgets import show_error
from core.activations import SKLEARN_ACTIVATIONS
from core.augment import preview
from core.errors import InvalidSpecError
from core.experiment import Experiment, PreparedData
from core.params import check_budget, count_params, layer_counts, output_units
from core.runs import Run
from core.spec import MLPSpec

COPIES = 11  # augmented copies shown beside the original


def similar_mlp(exp: Experiment, data: PreparedData, total: int) -> Experiment:
    """The one-hidden-layer MLP (scikit-learn) with about as many parameters, trained the same way."""
    n_in, units = int(np.prod(data.input_shape)), output_units(data.task, data.n_outputs, data.n_outputs)
    width = max(1, round((total - units) / (n_in + 1 + units)))
    act = exp.spec.activation if exp.spec.activation in SKLEARN_ACTIVATIONS else "relu"
    config = exp.config if exp.config.optimizer != "rmsprop" else replace(exp.config, optimizer="adam")
    return replace(exp, backend="sklearn", spec=MLPSpec((width,), act), config=config)


def summary(exp: Experiment, data: PreparedData) -> Experiment | None:
    """The Keras-style summary of the convnet on this data, and the MLP of similar size beside it. Returns that
    MLP's Experiment, or None (with the message) when the network does not fit the images or the budget."""
    units = output_units(data.task, data.n_outputs, data.n_outputs)
    try:
        rows = layer_counts(exp.spec, data.input_shape, units)
        total = check_budget(exp.spec, data.input_shape, units, PAGE_BUDGET)
    except InvalidSpecError as exc:
        show_error(exc)
        return None
    summary_table(rows)  # full width: its "how" column on screen at 1024 px
    left, right = st.columns([2, 3])
    mlp = similar_mlp(exp, data, total)
    mlp_total = count_params(mlp.spec, data.input_shape, units)
    width = mlp.spec.hidden_layers[0]
    left.metric("Parameters", f"{total:,}")
    right.plotly_chart(fig.size_comparison(total, mlp_total, f"MLP ({width},)"), key="cnn_sizes")
    h, w, c = data.input_shape
    k, first = exp.spec.kernel_size, exp.spec.conv_filters[0]
    left.caption(
        f"Each of conv_1's {first} filters has {k}x{k}x{c} weights, shared by every position of the "
        f"{h}x{w} image. An MLP with one hidden layer of {width} units has about as many parameters, but each "
        f"unit looks at all {h * w * c:,} pixels at once."
    )
    return mlp


def augmentation(exp: Experiment, data: PreparedData) -> None:
    """Random copies of one training image, as the augmentation layers would make them this epoch."""
    aug = exp.spec.augmentation
    with st.expander(
        "Augmentation: what the network sees while it trains",
        icon=":material/auto_awesome_motion:",
        expanded=aug.active,
    ):
        if not aug.active:
            st.caption(
                "Augmentation is off. Switch on flips, rotation, shift, zoom, contrast or noise in the sidebar "
                "to see random copies of a training image here; with it on, every epoch sees new copies."
            )
        i = st.number_input(
            f"Training image (0 to {len(data.X_train) - 1})",
            0,
            len(data.X_train) - 1,
            0,
            key="cnn_aug_index",
            persist_state="session",
        )
        copies = np.clip(preview(data.X_train[i], aug, n=COPIES, seed=int(i)), 0.0, 1.0)
        names = [str(n) for n in data.class_names] or [""]
        label = names[data.y_train[i]] if data.task == "classification" else ""
        st.image(
            sample_tiles(np.concatenate([data.X_train[i : i + 1], copies])),
            caption=[f"original {label}"] + [f"copy {k + 1}" for k in range(COPIES)],
        )
        st.caption(DARK_IS_ZERO)
        if aug.active:
            st.code("\n".join(aug.code()), language="python")
            st.caption(
                "These Keras layers come first in the model: they change training images only, never test "
                "images. Compare the validation curve with augmentation on and off under Compare runs."
            )


def filters(run: Run, data: PreparedData) -> None:
    layers = recorded_weights(run, "cnn")
    if layers is None:
        return
    conv_kernels({n: W for n, W, _ in layers if W.ndim == 4}, "cnn")
