"""The CNN lab's "Step by step" tab, CNN Explainer's detail view on the student's own network: one value of a
feature map worked out with its numbers (a convolution: patch x kernel, summed, plus the bias, activated; a
pooling window: its largest value). A click on the map chooses the cell, its input patch is outlined on the
layer's input, and Play slides the kernel over the input cell by cell, the map filling in as it goes."""

from __future__ import annotations

import math
import time

import numpy as np
import streamlit as st

from app.cnn import figures as fig
from app.cnn.maps import chosen_input, maps_of
from app.figures.style import DARK_IS_ZERO, PIXELS, value_scale
from app.inside import recorded_weights
from core.cnn import explain_conv, explain_pool
from core.experiment import PreparedData
from core.runs import Run

FRAMES = 30  # Play's frames at most: a 26 x 26 map fills ~23 cells a frame, a small one a cell a frame
FRAME_SECONDS = 0.3  # about 10 s for a whole map
MAP_KEY, CLICKED, GOTO = "cnn_step_map", "cnn_step_clicked", "cnn_step_goto"


def _apply_click(name: str) -> None:
    """Before the Row and Column inputs: a click on the map (its invisible markers: x the column, y the row)
    chooses that cell, once per click; the end of Play (GOTO) chooses the last cell."""
    points = (st.session_state.get(MAP_KEY) or {}).get("selection", {}).get("points", [])
    clicked = (name, int(points[0]["y"]), int(points[0]["x"])) if points else None
    goto = st.session_state.pop(GOTO, None)
    if clicked is not None and clicked != st.session_state.get(CLICKED):
        st.session_state[CLICKED] = clicked
        goto = clicked
    if goto is not None and goto[0] == name:
        st.session_state[f"cnn_step_r_{name}"], st.session_state[f"cnn_step_c_{name}"] = goto[1:]


def step_tab(run: Run, data: PreparedData) -> None:
    layers = recorded_weights(run, "cnn")
    chosen = chosen_input(run, layers, data) if layers is not None else None
    if chosen is None:
        return
    maps = {m.name: m for m in maps_of(run, layers, chosen[0]) if m.values.ndim == 3}
    name = st.selectbox(
        "Layer",
        list(maps),
        key="cnn_step_layer",
        persist_state="session",
        format_func=lambda n: f"{n} ({maps[n].kind})",
    )
    m = maps[name]
    h, w, c = m.values.shape
    pool = m.kind == "MaxPooling2D"
    cols = st.columns(3)
    ch = cols[0].number_input("Map (filter)" if not pool else "Channel", 0, c - 1, 0, key=f"cnn_step_f_{name}")
    _apply_click(name)
    peak = np.unravel_index(np.argmax(m.values[..., ch]), (h, w))  # start where there is signal, not on a blank
    row = cols[1].number_input("Row", 0, h - 1, int(peak[0]), key=f"cnn_step_r_{name}")
    col = cols[2].number_input("Column", 0, w - 1, int(peak[1]), key=f"cnn_step_c_{name}")
    if pool:
        size = stride = run.exp.spec.pool_size
        shown_in = ch  # pooling works channel by channel
    else:
        K, b = next((W, bias) for n, W, bias in layers if n == name)
        size, stride, shown_in = K.shape[0], 1, 0
        if K.shape[2] > 1:
            shown_in = (
                st.segmented_control(
                    "Input channel shown",
                    range(K.shape[2]),
                    default=0,
                    key="cnn_step_in",
                    persist_state="session",
                )
                or 0
            )
    x_in = m.values_in[..., shown_in]
    in_scale = value_scale(x_in, PIXELS) if name == "conv_1" else value_scale(x_in)
    out_scale = value_scale(m.values[..., ch])
    what_in = "the image" if name == "conv_1" else f"the previous layer's map {shown_in}"
    play = st.button("Play", icon=":material/play_arrow:", key="cnn_step_play", help="Slide over the whole map")
    left, right = st.columns(2)
    in_box, map_box, numbers = left.empty(), right.empty(), st.empty()

    def draw(r: int, c_: int, filled: int | None, key: str | None) -> None:
        shown = m.values[..., ch].astype(np.float64)
        if filled is not None:
            shown = shown.copy()
            shown.flat[filled:] = np.nan
        in_box.plotly_chart(
            fig.outlined(x_in, (r * stride, c_ * stride, size, size), f"input: {what_in}", in_scale),
            key=key and f"{key}_in",
        )
        map_box.plotly_chart(
            fig.outlined(shown, (r, c_, 1, 1), f"{name}, map {ch}: click a cell", out_scale, clickable=key is not None),
            key=key and MAP_KEY,
            **({"on_select": "rerun", "selection_mode": "points"} if key else {}),
        )
        with numbers.container():
            (_pool_numbers if pool else _conv_numbers)(run, m, name, r, c_, ch, shown_in, layers)

    if play:
        per_frame = max(1, math.ceil(h * w / FRAMES))
        for filled in range(per_frame, h * w + per_frame, per_frame):
            r, c_ = divmod(min(filled, h * w) - 1, w)
            draw(r, c_, min(filled, h * w), None)
            time.sleep(FRAME_SECONDS)
        st.session_state[GOTO] = (name, h - 1, w - 1)
        st.rerun()
    draw(row, col, None, "cnn_step")
    st.caption(
        f"Play slides the {'window' if pool else 'kernel'} over {what_in}, "
        + ("a cell a frame." if h * w <= FRAMES else f"about {math.ceil(h * w / FRAMES)} cells a frame.")
        + " One colour scale for the image, the patch and the map: "
        + DARK_IS_ZERO
    )


def _pool_numbers(run: Run, m, name: str, row: int, col: int, ch: int, shown_in: int, layers) -> None:
    p = run.exp.spec.pool_size
    window, value, where = explain_pool(m.values_in, p, row, col, ch)
    st.plotly_chart(fig.pool_window(window, where))
    st.markdown(
        f"The {p} x {p} window at rows {row * p}-{row * p + p - 1}, columns {col * p}-{col * p + p - 1} of "
        f"the previous layer's map {ch}: its largest value **{value:.4f}** is the value at row {row}, column "
        f"{col} of {name}'s map {ch} ({m.values[row, col, ch]:.4f})."
    )


def _conv_numbers(run: Run, m, name: str, row: int, col: int, ch: int, shown_in: int, layers) -> None:
    K, b = next((W, bias) for n, W, bias in layers if n == name)
    step = explain_conv(m.values_in, K, b, run.exp.spec.activation, row, col, ch)
    cin = K.shape[2]
    st.plotly_chart(fig.conv_step(step.patch[..., shown_in], step.kernel[..., shown_in], step.products[..., shown_in]))
    per_channel = step.products.sum(axis=(0, 1))
    sums = " + ".join(f"{v:.4f}" for v in per_channel[:8]) + (" + ..." if cin > 8 else "")
    st.markdown(
        f"Sum of the products{f' over all {cin} input channels ({sums})' if cin > 1 else ''}: "
        f"**{step.total:.4f}**; plus the bias {step.bias:+.4f} gives z = **{step.z:.4f}**; "
        f"{run.exp.spec.activation}(z) = **{step.value:.4f}**: the value at row {row}, column {col} of {name}'s "
        f"map {ch} ({m.values[row, col, ch]:.4f})."
    )
