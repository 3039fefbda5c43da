"""Views inside a network shared by the pages that show one (Weights and parameters, the CNN lab): the Keras-style
summary of an architecture, the epoch slider over the weights recorded during training, and a layer's conv kernels."""

from __future__ import annotations

import numpy as np
import streamlit as st

from app.figures.images import rgb_filters, tiles
from app.messages import plain
from app.tables import read_table
from core.params import LayerCount
from core.runs import Run
from core.snapshots import LayerWeights, WeightSnapshots
from core.weights import shape_text, symmetric_limit

VALUES_ON_CELLS = 5  # conv kernels up to 5x5 get their numbers written on them
VALUE_CELLS = 13  # cells across a kernel grid with numbers: ~36 px each in a 1024 px screen's main column


def summary_table(rows: list[LayerCount], where=st) -> None:
    """A model summary as Keras prints it (layer (type), output shape, parameters), with how each count is made."""
    read_table(
        [
            {
                "Layer (type)": f"{r.name} ({r.kind})",
                "Output Shape": f"(None, {', '.join(map(str, r.output_shape))})",
                "Param #": r.params,
                "how": r.formula,
            }
            for r in rows
        ],
        where,
    )


def snapshots(run: Run) -> WeightSnapshots | None:
    return run.model.history.snapshots if run.model.history else None


def recorded_weights(run: Run, prefix: str) -> LayerWeights | None:
    """The model's name, the epoch slider over its recorded epochs (key `<prefix>_epoch`), and the weights after
    the chosen one; a new model opens at its last epoch. None (with a message) when no weights are finite."""
    st.markdown(f"**Model:** {plain(run.title)}")
    history = run.model.history
    snaps = snapshots(run)
    diverged = history is not None and history.stop_reason == "diverged"
    if not snaps or not len(snaps):
        layers = run.model.layer_weights()
        if diverged or not all(np.isfinite(W).all() and np.isfinite(b).all() for _, W, b in layers):
            st.error(
                "This model's weights are not numbers any more: its training diverged before the first epoch "
                "ended. Train it again on the Training page with a smaller learning rate.",
                icon=":material/error:",
            )
            return None
        st.caption("This run recorded no per-epoch weights: showing the trained model.")
        return layers
    epochs = snaps.epochs
    if diverged:
        st.warning(
            f"Training diverged after epoch {epochs[-1]}: these are the weights up to the last epoch whose "
            "loss was finite.",
            icon=":material/warning:",
        )
    if len(epochs) == 1:
        st.caption(f"Weights after epoch {epochs[0]}, the only one recorded.")
        return snaps.at(epochs[0])
    if st.session_state.get(f"{prefix}_model") is not run or st.session_state.get(f"{prefix}_epoch") not in epochs:
        st.session_state.pop(f"{prefix}_epoch", None)  # a new model: start at its last epoch
        st.session_state[f"{prefix}_model"] = run
    epoch = st.select_slider(
        "Weights after epoch",
        options=epochs,
        value=epochs[-1],
        key=f"{prefix}_epoch",
        persist_state="session",
        help="Scrub through training: every view below shows the weights after this epoch.",
    )
    if snaps.stride > 1:
        st.caption(
            f"{len(epochs)} of the run's epochs are recorded (the first, the last and one in every "
            f"{snaps.stride}), to keep the copies within {snaps.budget_bytes / 2**20:.0f} MB."
        )
    return snaps.at(epoch)


def value_columns(kernel_width: int, cells: int = VALUE_CELLS) -> int:
    """How many kernels side by side when their numbers are written on them: the tiles and the gaps between them
    (one cell each) span at most `cells` cells, so that a value such as -0.12 fits its cell on a 1024 px screen."""
    return max(1, (cells - 1) // (kernel_width + 1))


def conv_kernels(convs: dict[str, np.ndarray], prefix: str) -> None:
    """Every filter of a chosen conv layer as a grid of kernels on one input channel (values written on small
    ones); a colour network's first layer also in colour."""
    name = st.selectbox(
        "Conv layer",
        list(convs),
        key=f"{prefix}_conv_layer",
        persist_state="session",
        format_func=lambda n: f"{n}: kernels {shape_text(convs[n].shape)}",
    )
    K = convs[name]  # (kh, kw, cin, cout)
    kh, kw, cin, cout = K.shape
    channel = 0
    if cin > 1:
        channel = st.slider(
            "Input channel",
            0,
            cin - 1,
            0,
            key=f"{prefix}_conv_channel_{name}",
            persist_state="session",
            help="Each filter has one kh x kw kernel per input channel.",
        )
    if (
        cin == 3
        and name == next(iter(convs))
        and st.toggle("In colour", value=True, key=f"{prefix}_conv_rgb", persist_state="session")
    ):
        st.plotly_chart(rgb_filters(K), key=f"{prefix}_conv_rgb_fig")
        limit = symmetric_limit(K)
        st.caption(
            f"The {cout} first-layer filters as colour pictures: each weight from -{limit:.2f} (dark) to "
            f"+{limit:.2f} (bright), one scale for all; a reddish filter looks for red. Below: one input channel "
            "at a time, with the numbers."
        )
    small = kh <= VALUES_ON_CELLS
    values = small and st.toggle(
        "Write the weights on the cells", value=cout <= 16, key=f"{prefix}_conv_values", persist_state="session"
    )
    st.plotly_chart(
        tiles(
            np.moveaxis(K[:, :, channel, :], -1, 0),
            symmetric_limit(K),
            [f"filter {i}" for i in range(cout)],
            columns=value_columns(kw) if values else 8,
            values=values,
        ),
        key=f"{prefix}_conv_fig",
    )
    st.caption(
        f"{cout} filters of {kh}x{kw} weights on input channel {channel}. Each slides over the image: where "
        "the pixels look like its red cells and unlike its blue ones, the filter's output is large."
    )
