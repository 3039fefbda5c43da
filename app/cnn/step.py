"""The CNN lab's "Step by step" tab, CNN Explainer's detail view on the student's own network: one value of a
feature map worked out with its numbers (a convolution: patch x kernel, summed, plus the bias, activated; a
pooling window: its largest value). A click on the map chooses the cell, its input patch is outlined on the
layer's input, and Play slides the kernel over the input cell by cell, the map filling in as it goes; Pause
stops it on the cell it had reached (the map filled up to it) and Continue goes on from there."""

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
CHOICES = 8  # input channels offered as buttons; more are a number
RGB = ("red", "green", "blue")
PLAYING, PAUSED = "cnn_step_playing", "cnn_step_paused"  # (layer, map, row, column) Play has reached, or paused on
START = "cnn_step_start"  # Play was clicked: this run plays


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


def _input_channel(name: str, channels: int) -> int:
    """Which of the layer's input channels the input, the patch and the kernel show: a click among a few (an
    image's red, green and blue), a number among many (the previous layer's maps)."""
    if channels > CHOICES:
        return st.number_input(
            f"Input channel shown (of {channels})",
            0,
            channels - 1,
            0,
            key=f"cnn_step_in_{name}",
            persist_state="session",
        )
    shown = st.segmented_control(
        "Input channel shown",
        range(channels),
        default=0,
        key="cnn_step_in",
        persist_state="session",
        format_func=lambda i: RGB[i] if name == "conv_1" and channels == 3 else str(i),
    )
    return shown or 0


def _start() -> None:
    """Play's (or Continue's) click, before the next run: that run plays, with Pause in Play's place."""
    st.session_state[START] = True


def _pause() -> None:
    """Pause's click, before the next run: the cell Play had reached becomes the explained cell, and the map stays
    filled up to it until another cell or map is chosen."""
    at = st.session_state.get(PLAYING)
    if at is not None:
        st.session_state[GOTO], st.session_state[PAUSED] = (at[0], *at[2:]), at


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
    ch = cols[0].number_input(
        "Map (filter)" if not pool else "Channel", 0, c - 1, 0, key=f"cnn_step_f_{name}", persist_state="session"
    )
    _apply_click(name)
    peak = np.unravel_index(np.argmax(m.values[..., ch]), (h, w))  # start where there is signal, not on a blank
    row = cols[1].number_input("Row", 0, h - 1, int(peak[0]), key=f"cnn_step_r_{name}", persist_state="session")
    col = cols[2].number_input("Column", 0, w - 1, int(peak[1]), key=f"cnn_step_c_{name}", persist_state="session")
    if pool:
        size = stride = run.exp.spec.pool_size
        shown_in = ch  # pooling works channel by channel
    else:
        K, b = next((W, bias) for n, W, bias in layers if n == name)
        size, stride, shown_in = K.shape[0], 1, 0
        if K.shape[2] > 1:
            shown_in = _input_channel(name, K.shape[2])
    x_in = m.values_in[..., shown_in]
    in_scale = value_scale(x_in, PIXELS) if name == "conv_1" else value_scale(x_in)
    out_scale = value_scale(m.values[..., ch])
    what_in = f"the previous layer's map {shown_in}"
    if name == "conv_1":
        what_in = "the image" + (f"'s {RGB[shown_in]} channel" if m.values_in.shape[-1] == 3 else "")
    st.session_state.pop(PLAYING, None)  # Pause's callback has read it; a Play cut short by another click left it
    cells, per_frame, reached = h * w, max(1, math.ceil(h * w / FRAMES)), row * w + col + 1
    paused = st.session_state.get(PAUSED) == (name, ch, row, col) and reached < cells
    if not paused:  # another cell, map or layer chosen since, or paused on the last: the whole map again
        st.session_state.pop(PAUSED, None)
    play = st.session_state.pop(START, False)  # Play's click, read before its place is drawn: Pause takes it
    if play:  # one key for both: the same button relabelled in place (another would leave a stale Play beside it)
        st.button("Pause", icon=":material/pause:", key="cnn_step_play", on_click=_pause)
    else:
        st.button(
            "Continue" if paused else "Play",
            icon=":material/play_arrow:",
            key="cnn_step_play",
            on_click=_start,
            help="Go on from this cell" if paused else "Slide over the whole map, cell by cell",
        )
    left, right = st.columns(2)
    in_box, map_box, numbers = left.empty(), right.empty(), st.empty()

    def draw(r: int, c_: int, filled: int | None, key: str | None) -> None:
        """The input with the patch outlined, the map filled up to `filled` cells (all: None) with (r, c_)
        outlined, and that cell's numbers; key None while Play draws (nothing to click)."""
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
            (_pool_numbers if pool else _conv_numbers)(run, m, name, r, c_, ch, shown_in, layers, in_scale)

    if play:
        start = reached if paused else 0
        st.session_state.pop(PAUSED, None)
        st.session_state[PLAYING] = (name, ch, *divmod(max(start, 1) - 1, w))
        for filled in range(start + per_frame, cells + per_frame, per_frame):
            r, c_ = divmod(min(filled, cells) - 1, w)
            draw(r, c_, min(filled, cells), None)
            st.session_state[PLAYING] = (name, ch, r, c_)  # once drawn: Pause rests on the frame it interrupted
            time.sleep(FRAME_SECONDS)
        st.session_state.pop(PLAYING, None)
        st.session_state[GOTO] = (name, h - 1, w - 1)
        st.rerun()
    draw(row, col, reached if paused else None, "cnn_step")
    st.caption(
        (f"Paused on row {row}, column {col}: Continue goes on from here. " if paused else "")
        + f"Play slides the {'window' if pool else 'kernel'} over {what_in}, "
        + ("a cell a frame" if per_frame == 1 else f"about {per_frame} cells a frame")
        + f" (a {h} x {w} map in about {math.ceil(cells / per_frame) * FRAME_SECONDS:.0f} s); blank cells are not "
        + f"computed yet. The {'window' if pool else 'patch'} is coloured on the input's scale, the map on its own "
        + "(their colour bars): "
        + DARK_IS_ZERO
    )


def _pool_numbers(run: Run, m, name: str, row: int, col: int, ch: int, shown_in: int, layers, in_scale: dict) -> None:
    p = run.exp.spec.pool_size
    window, value, where = explain_pool(m.values_in, p, row, col, ch)
    st.plotly_chart(fig.pool_window(window, where, in_scale))
    st.markdown(
        f"The {p} x {p} window at rows {row * p}-{row * p + p - 1}, columns {col * p}-{col * p + p - 1} of "
        f"the previous layer's map {ch}: its largest value **{value:.4f}** is the value at row {row}, column "
        f"{col} of {name}'s map {ch} ({m.values[row, col, ch]:.4f})."
    )


def _conv_numbers(run: Run, m, name: str, row: int, col: int, ch: int, shown_in: int, layers, in_scale: dict) -> None:
    K, b = next((W, bias) for n, W, bias in layers if n == name)
    step = explain_conv(m.values_in, K, b, run.exp.spec.activation, row, col, ch)
    cin = K.shape[2]
    st.plotly_chart(
        fig.conv_step(step.patch[..., shown_in], step.kernel[..., shown_in], step.products[..., shown_in], in_scale)
    )
    per_channel = step.products.sum(axis=(0, 1))
    sums = " + ".join(f"{v:.4f}" for v in per_channel[:8]) + (" + ..." if cin > 8 else "")
    st.markdown(
        f"Sum of the products{f' over all {cin} input channels ({sums})' if cin > 1 else ''}: "
        f"**{step.total:.4f}**; plus the bias {step.bias:+.4f} gives z = **{step.z:.4f}**; "
        f"{run.exp.spec.activation}(z) = **{step.value:.4f}**: the value at row {row}, column {col} of {name}'s "
        f"map {ch} ({m.values[row, col, ch]:.4f})."
    )
