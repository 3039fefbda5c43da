"""The Weights page's sections for the session's model: the layer table and histograms, kernels as
heatmaps, first-layer units and conv kernels as images, the network diagram, and one parameter traced
over training. Every section shows the weights as they were after the epoch picked on the page."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from app.figures.images import tiles
from app.inside import conv_kernels, snapshots
from app.tables import browse, read_table
from app.weights import figures as fig
from core.params import layer_counts
from core.runs import Run
from core.snapshots import PARTS, LayerWeights
from core.weights import (
    bias_axes,
    first_dense,
    kernel_axes,
    layer_addresses,
    layer_kind,
    shape_text,
    symmetric_limit,
    unit_images,
    weight_stats,
)

DIAGRAM_UNITS = 16  # layers up to this wide are drawn unit by unit
CHANNELS = ("red", "green", "blue")
# First-layer tiles' colour scale, as a fraction of the largest |weight|: the lesson's (scikit-learn's MNIST-weights
# example: vmin=0.5 * min, vmax=0.5 * max), or the full range.
LESSON_SCALE = 0.5
TILE_SCALES = {LESSON_SCALE: "½ max |w| (the lesson's)", 1.0: "max |w|"}
UNIT_COLUMNS = 6  # first-layer units side by side: ~75 px a tile on a 1024 px projector


def layers_section(layers: LayerWeights) -> None:
    rows = weight_stats(layers)
    table = pd.DataFrame(
        [
            {
                "layer": r["layer"],
                "type": r["type"],
                "kernel shape": r["kernel shape"],
                "bias shape": r["bias shape"],
                "parameters": r["parameters"],
                **{
                    k: v
                    for part in PARTS
                    for k, v in (
                        (f"{part} mean ± std", f"{r[f'{part} mean']:.3f} ± {r[f'{part} std']:.3f}"),
                        (f"{part} min … max", f"{r[f'{part} min']:.3f} … {r[f'{part} max']:.3f}"),
                    )
                },
            }
            for r in rows
        ]
    )
    read_table(table)
    st.caption(
        f"{sum(r['parameters'] for r in rows):,} parameters in all: each layer's kernel holds one weight "
        "per connection, its bias one number per unit."
    )
    shared = st.toggle(
        "Shared axes",
        value=False,
        key="weights_shared",
        persist_state="session",
        help="One weight axis for every layer, to compare their spreads.",
    )
    st.plotly_chart(fig.weight_histograms(layers, shared), key="weights_hist")


def addresses_section(run: Run, layers: LayerWeights) -> None:
    """Each layer as code reaches it (model.layers[i], its name in a plain Keras script, get_weights() or
    coefs_/intercepts_), and one layer's weights and biases as that call returns them."""
    rows = layer_counts(run.exp.spec, run.model.input_shape, run.model.n_units)
    addresses = layer_addresses(rows, run.exp.backend)
    read_table(addresses)
    weights = {name: (W, b) for name, W, b in layers}
    readable = [a for a in addresses if a["name in NN Lab"] in weights]
    pick = st.selectbox(
        "Read one layer",
        range(len(readable)),
        key="weights_read_layer",
        persist_state="session",
        format_func=lambda k: f"{readable[k]['read it with']}  ({readable[k]['name in NN Lab']})",
    )
    a = readable[pick]
    W, b = weights[a["name in NN Lab"]]
    if run.exp.backend == "keras":
        code = (
            f"W, b = {a['read it with']}\n"
            f"W, b = model.get_layer({a['name in NN Lab']!r}).get_weights()   # the same, by name "
            f"({a['name in a plain Keras script']!r} in a plain script)"
        )
    else:
        code = f"W, b = {a['read it with']}"
    st.code(f"{code}\n# W.shape = {W.shape}, b.shape = {b.shape}", language="python")
    left, right = browse("weights_read").columns([3, 1])
    shown = W.reshape(-1, W.shape[-1]) if W.ndim > 2 else W
    left.dataframe(
        pd.DataFrame(shown[:50], columns=[f"unit {j}" for j in range(shown.shape[1])]).round(4),
        width="stretch",
        height=300,
    )
    left.caption(
        f"W: {'the first 50 of ' if len(shown) > 50 else ''}{len(shown)} rows"
        + (" (each kernel position and input channel, row by row)" if W.ndim > 2 else " (one per input)")
        + ", one column per unit."
    )
    right.dataframe(pd.DataFrame({"b": b}).round(4), width="stretch", height=300)


def _input_label(shape: tuple[int, ...]) -> str:
    return "pixel" if len(shape) == 3 else "input"


def kernels_section(layers: LayerWeights, input_shape: tuple[int, ...]) -> None:
    dense = {n: W for n, W, _ in layers if W.ndim == 2}
    name = st.selectbox(
        "Layer",
        list(dense),
        key="weights_kernel_layer",
        persist_state="session",
        format_func=lambda n: f"{n}: {shape_text(dense[n].shape)}",
    )
    W = dense[name]
    first = name == layers[0][0]  # its rows are the network's inputs
    label = _input_label(input_shape) if first else "input"
    st.plotly_chart(fig.kernel_heatmap(W, name, symmetric_limit(W), label), key="weights_kernel")
    note = (
        f" Row i is {label} i of the flattened {shape_text(input_shape)} image." if first and label == "pixel" else ""
    )
    st.caption(f"Column j holds the {W.shape[0]} weights into unit j: blue negative, red positive, white near 0.{note}")


def filters_section(layers: LayerWeights, input_shape: tuple[int, ...]) -> None:
    """First-layer units as images (an MLP on images), or conv kernels (a CNN)."""
    convs = {n: W for n, W, _ in layers if W.ndim == 4}
    if convs:
        conv_kernels(convs, "weights")
        return
    name, W, _ = first_dense(layers)
    images = unit_images(W, input_shape)  # (units, h, w, c)
    c = st.columns([3, 2])
    channel = 0
    if images.shape[-1] == 3:
        channel = (
            c[1].segmented_control(
                "Colour channel", range(3), format_func=CHANNELS.__getitem__, default=0, key="weights_channel"
            )
            or 0
        )
    scale = (
        c[0].segmented_control(
            "Colour scale",
            TILE_SCALES,
            default=LESSON_SCALE,
            key="weights_tile_scale",
            format_func=TILE_SCALES.get,
            help="The lesson's notebook draws the tiles from "
            "-half to +half of the largest |weight| (vmin=0.5*min, vmax=0.5*max), so most "
            "weights get a visible colour; the full range shows the extremes.",
        )
        or LESSON_SCALE
    )
    units = images.shape[0]
    shown = (
        units if units <= 64 else st.slider("Units shown", 16, units, 64, key="weights_units", persist_state="session")
    )
    unit_tiles = images[:shown, :, :, channel]
    limit = scale * symmetric_limit(images[..., channel])
    st.plotly_chart(
        tiles(unit_tiles, limit, [f"unit {i}" for i in range(shown)], columns=UNIT_COLUMNS), key="weights_units_fig"
    )
    clipped = f" Weights beyond ±{limit:.3g} are drawn at full colour." if scale < 1 else ""
    st.caption(
        f"Each tile is one unit of {name}: its weight on every pixel, drawn where that pixel sits. Red pixels "
        "push the unit up, blue ones down; one colour scale for all tiles, white at 0."
        + clipped
        + " A unit that learned a shape (a stroke of a digit, a blob of colour) looks like it."
    )


def diagram_section(layers: LayerWeights, input_shape: tuple[int, ...]) -> None:
    st.plotly_chart(fig.network_weights(layers, f"{_input_label(input_shape)}s", DIAGRAM_UNITS), key="weights_diagram")
    big = [n for n, W, _ in layers if W.shape[1] > DIAGRAM_UNITS] + (
        ["the inputs"] if layers[0][1].shape[0] > DIAGRAM_UNITS else []
    )
    st.caption(
        "Red edges are positive weights, blue negative; thicker means larger |w| (within a layer). Units are "
        "coloured by their bias."
        + (
            f" Layers wider than {DIAGRAM_UNITS} units ({', '.join(big)}) are one "
            "box; a grey line's width is the mean |w| between the box and that unit."
            if big
            else ""
        )
    )


def trace_section(run: Run) -> None:
    """The lessons' 'first bias of the first hidden layer over the iterations', for any parameter."""
    snaps = snapshots(run)
    if not snaps or len(snaps) < 2:
        st.info(
            "A trace needs the weights of at least two epochs, and this run recorded fewer. Train for more "
            "epochs on the Training page, or a quick model above."
        )
        return
    layers = snaps.at(snaps.epochs[-1])
    c = st.columns([2, 1])
    name = c[0].selectbox("Layer", [n for n, _, _ in layers], key="weights_trace_layer")
    part = c[1].segmented_control("Parameter", ("kernel", "bias"), default="bias", key="weights_trace_part") or "bias"
    W, b = next((W, b) for n, W, b in layers if n == name)
    array, axes = (W, kernel_axes(W)) if part == "kernel" else (b, bias_axes(W))
    cols = st.columns(max(2, len(axes)))
    index = tuple(
        col.number_input(axis, 0, n - 1, 0, key=f"weights_trace_{name}_{part}_{axis}")
        for col, axis, n in zip(cols, axes, array.shape)
    )
    epochs, values = snaps.trace(name, part, index)
    label = f"{name} {part}[{', '.join(map(str, index))}]"
    st.plotly_chart(fig.parameter_trace(epochs, values, label), key="weights_trace")
    m = st.columns(3)
    m[0].metric(f"After epoch {epochs[0]}", f"{values[0]:.4f}")
    m[1].metric(f"After epoch {epochs[-1]}", f"{values[-1]:.4f}", delta=f"{values[-1] - values[0]:+.4f}")
    m[2].metric(  # a short label: a metric's label ends in "..." rather than wrap
        "Largest change",
        f"{np.abs(np.diff(values)).max():.4f}",
        help="The largest change between two recorded epochs.",
    )
    where = ""
    if part == "kernel" and layer_kind(W) == "Dense" and name == layers[0][0] and len(run.model.input_shape) == 3:
        r, col, ch = np.unravel_index(index[0], run.model.input_shape)
        where = f" Input {index[0]} is pixel (row {r}, column {col}{f', channel {ch}' if run.model.input_shape[2] > 1 else ''})."
    st.caption(
        f"{label} after each recorded epoch of this one training run, read from the saved weights: nothing "
        f"is retrained.{where}"
    )
