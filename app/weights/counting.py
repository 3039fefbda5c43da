"""Counting parameters by hand, for any architecture typed or slid in: the Keras-style summary with each
layer's arithmetic written out, and how the total grows with the width of the hidden layers."""

from __future__ import annotations

from math import prod

import pandas as pd
import streamlit as st

from app.inside import summary_table
from app.session import current_run
from app.weights.figures import totals_by_width as growth_figure
from app.widgets import show_error
from core.errors import NNLabError
from core.params import LESSON_ARCHITECTURES, Architecture, count_params, layer_counts, totals_by_width
from core.spec import CNNSpec, MLPSpec, parse_layers

KINDS = ("MLP", "CNN")


def _fields(arch: Architecture) -> dict:
    """Session values of the form's widgets that show `arch`."""
    spec, shape = arch.spec, arch.input_shape
    values = {"params_kind": "CNN" if isinstance(spec, CNNSpec) else "MLP", "params_outputs": arch.n_outputs}
    if isinstance(spec, CNNSpec):
        values.update(params_h=shape[0], params_w=shape[1], params_c=shape[2],
                      params_filters=", ".join(map(str, spec.conv_filters)), params_kernel=spec.kernel_size,
                      params_pool=spec.pool_size, params_dense=", ".join(map(str, spec.dense_layers)),
                      params_dropout=spec.dropout)
    else:
        values.update(params_inputs=prod(shape), params_hidden=", ".join(map(str, spec.hidden_layers)))
    return values


SESSION_MODEL = "The model trained in this session"


def _architectures() -> dict[str, Architecture]:
    """The session's trained model (its real input shape and outputs) first, then the lessons' networks."""
    run = current_run()
    own = {} if run is None or run.model is None else {
        SESSION_MODEL: Architecture(run.exp.spec, run.model.input_shape, run.model.n_units)}
    return {**own, **LESSON_ARCHITECTURES}


def _load_preset() -> None:
    st.session_state.update(_fields(_architectures()[st.session_state["params_preset"]]))


def _form() -> Architecture:
    """The architecture the widgets describe; InvalidSpecError for an impossible one."""
    if "params_kind" not in st.session_state:
        for arch in _architectures().values():          # the first network's values; the others fill the rest
            st.session_state.update({k: v for k, v in _fields(arch).items() if k not in st.session_state})
    if st.session_state.get("params_preset") not in _architectures():
        st.session_state.pop("params_preset", None)
    st.selectbox("Start from a network", list(_architectures()), key="params_preset",
                 on_change=_load_preset, help="Fills in the fields below; change any of them afterwards.")
    kind = st.segmented_control("Network", KINDS, key="params_kind") or "MLP"
    if kind == "MLP":
        c = st.columns([1, 2, 1])
        n_in = c[0].number_input("Inputs", 1, 100_000, key="params_inputs", help="784 for a flattened 28x28 image.")
        hidden = parse_layers(c[1].text_input("Hidden layers (units, comma-separated)", key="params_hidden"))
        n_out = c[2].number_input("Output units", 1, 1000, key="params_outputs")
        return Architecture(MLPSpec(hidden), (int(n_in),), int(n_out))
    c = st.columns(4)
    shape = tuple(int(col.number_input(label, 1, 512, key=key)) for col, label, key in
                  zip(c[:3], ("Image height", "Image width", "Channels"), ("params_h", "params_w", "params_c")))
    n_out = c[3].number_input("Output units", 1, 1000, key="params_outputs")
    c = st.columns(5)
    filters = parse_layers(c[0].text_input("Conv filters per layer", key="params_filters"), "conv filters", 1)
    kernel = c[1].number_input("Kernel size", 1, 11, key="params_kernel")
    pool = c[2].number_input("Pool size", 1, 4, key="params_pool")
    dense = parse_layers(c[3].text_input("Dense layers after flatten", key="params_dense"), "dense layers")
    dropout = c[4].number_input("Dropout", 0.0, 0.9, step=0.1, key="params_dropout",
                                help="A Dropout layer after Flatten: it has no parameters.")
    spec = CNNSpec(conv_filters=filters, kernel_size=int(kernel), pool_size=int(pool), dense_layers=dense,
                   dropout=float(dropout))
    return Architecture(spec, shape, int(n_out))


def counting_section() -> None:
    try:
        arch = _form()
        rows = layer_counts(arch.spec, arch.input_shape, arch.n_outputs)
    except NNLabError as exc:
        show_error(exc)
        return
    total = count_params(arch.spec, arch.input_shape, arch.n_outputs)
    left, right = st.columns([2, 3], vertical_alignment="center")      # the table below, whole at 1024 px
    left.metric("Total parameters", f"{total:,}")
    right.caption("A Dense layer has n_in x n_out weights plus n_out biases; a Conv2D layer has kh x kw x c_in "
                  "weights per filter plus one bias per filter. Pooling, Flatten and Dropout have none.")
    summary_table(rows)

    st.markdown("**How the count grows with width**")
    n_in, n_out = prod(arch.input_shape), arch.n_outputs
    c = st.columns([2, 1, 2])
    lo, hi = c[0].slider("Hidden-layer width", 1, 512, (1, 100), key="params_width_range")
    step = c[1].number_input("Step", 1, 256, 10, key="params_width_step")
    depths = c[2].multiselect("Hidden layers", [1, 2, 3], default=[1, 2, 3], key="params_depths")
    if not depths:
        st.info("Pick at least one number of hidden layers to draw.")
        return
    widths = list(range(lo, hi + 1, int(step)))
    widths += [hi] if widths[-1] != hi else []              # the slider's end is always on the chart
    totals = totals_by_width(widths, sorted(depths), n_in, n_out)
    chart, table = st.columns([3, 2])
    chart.plotly_chart(growth_figure(widths, totals), key="params_growth")
    table.dataframe(pd.DataFrame({"units per layer": widths, **{f"{d} hidden layer{'s' * (d > 1)}": t
                                                                 for d, t in totals.items()}}),
                    hide_index=True, width="stretch", height=min(380, 35 * (len(widths) + 1) + 3),
                    column_config={c: st.column_config.NumberColumn(format="localized")
                                   for c in (f"{d} hidden layer{'s' * (d > 1)}" for d in totals)})
    st.caption(f"An MLP on {n_in:,} inputs with {n_out} output units, every hidden layer as wide. One hidden layer: "
               "the count grows linearly with the width; from two on, the w x w weights between hidden layers "
               "make it grow quadratically.")
