"""Counting parameters by hand, for any architecture typed or slid in: the Keras-style summary with each
layer's arithmetic written out, and how the total grows with the width of the hidden layers."""

from __future__ import annotations

from math import prod

import pandas as pd
import streamlit as st

from app import settings as w
from app.inside import summary_table
from app.session import current_run
from app.tables import browse
from app.weights.figures import totals_by_width as growth_figure
from app.weights.schema import COUNTING
from app.widgets import show_error
from core.errors import NNLabError
from core.params import LESSON_ARCHITECTURES, Architecture, count_params, layer_counts, totals_by_width
from core.spec import CNNSpec, MLPSpec, parse_layers

SEEDED = "params_seeded"


def _fields(arch: Architecture) -> dict:
    """Session values of the form's widgets that show `arch`."""
    spec, shape = arch.spec, arch.input_shape
    values = {"params_kind": "CNN" if isinstance(spec, CNNSpec) else "MLP", "params_outputs": arch.n_outputs}
    if isinstance(spec, CNNSpec):
        values.update(
            params_h=shape[0],
            params_w=shape[1],
            params_c=shape[2],
            params_filters=", ".join(map(str, spec.conv_filters)),
            params_kernel=spec.kernel_size,
            params_pool=spec.pool_size,
            params_dense=", ".join(map(str, spec.dense_layers)),
            params_dropout=spec.dropout,
        )
    else:
        values.update(params_inputs=prod(shape), params_hidden=", ".join(map(str, spec.hidden_layers)))
    return values


SESSION_MODEL = "The model trained in this session"


def _architectures() -> dict[str, Architecture]:
    """The session's trained model (its real input shape and outputs) first, then the lessons' networks."""
    run = current_run()
    own = (
        {}
        if run is None or run.model is None
        else {SESSION_MODEL: Architecture(run.exp.spec, run.model.input_shape, run.model.n_units)}
    )
    return {**own, **LESSON_ARCHITECTURES}


def _load_preset() -> None:
    st.session_state.update(_fields(_architectures()[st.session_state["params_preset"]]))


def _seed_from_models() -> None:
    """The first time the form is shown in a session (and not from a link): the session's model, or the first
    lesson's network; the other networks fill the other kind's fields."""
    if st.session_state.get(SEEDED):
        return
    st.session_state[SEEDED] = True
    if any(name in st.query_params for name in COUNTING.settings):
        return
    fields: dict = {}
    for arch in _architectures().values():
        fields.update({k: v for k, v in _fields(arch).items() if k not in fields})
    st.session_state.update(fields)


def _form() -> Architecture:
    """The architecture the widgets describe; InvalidSpecError for an impossible one."""
    _seed_from_models()
    if st.session_state.get("params_preset") not in _architectures():
        st.session_state.pop("params_preset", None)
    st.selectbox(
        "Start from a network",
        list(_architectures()),
        key="params_preset",
        persist_state="session",
        on_change=_load_preset,
        help="Fills in the fields below; change any of them afterwards.",
    )
    f = COUNTING
    kind = w.segmented_control(f["kind"]) or "MLP"
    if kind == "MLP":
        c = st.columns([1, 2, 1])
        n_in, hidden = w.number_input(f["inputs"], c[0]), parse_layers(w.text_input(f["hidden"], c[1]))
        return Architecture(MLPSpec(hidden), (int(n_in),), int(w.number_input(f["outputs"], c[2])))
    c = st.columns(4)
    shape = tuple(int(w.number_input(f[name], col)) for col, name in zip(c[:3], ("h", "w", "c")))
    n_out = w.number_input(f["outputs"], c[3])
    c = st.columns(5)
    filters = parse_layers(w.text_input(f["filters"], c[0]), "conv filters", 1)
    kernel, pool = w.number_input(f["kernel"], c[1]), w.number_input(f["pool"], c[2])
    dense = parse_layers(w.text_input(f["dense"], c[3]), "dense layers")
    dropout = w.number_input(f["dropout"], c[4])
    spec = CNNSpec(
        conv_filters=filters, kernel_size=int(kernel), pool_size=int(pool), dense_layers=dense, dropout=float(dropout)
    )
    return Architecture(spec, shape, int(n_out))


def counting_section() -> None:
    try:
        arch = _form()
        rows = layer_counts(arch.spec, arch.input_shape, arch.n_outputs)
    except NNLabError as exc:
        show_error(exc)
        return
    total = count_params(arch.spec, arch.input_shape, arch.n_outputs)
    left, right = st.columns([2, 3], vertical_alignment="center")  # the table below, whole at 1024 px
    left.metric("Total parameters", f"{total:,}")
    right.caption(
        "A Dense layer has n_in x n_out weights plus n_out biases; a Conv2D layer has kh x kw x c_in "
        "weights per filter plus one bias per filter. Pooling, Flatten and Dropout have none."
    )
    summary_table(rows)

    st.markdown("**How the count grows with width**")
    n_in, n_out = prod(arch.input_shape), arch.n_outputs
    c = st.columns([2, 1, 2])
    f = COUNTING
    (lo, hi), step = w.slider(f["widths"], c[0]), w.number_input(f["wstep"], c[1])
    depths = w.multiselect(f["depths"], c[2])
    if not depths:
        st.info("Pick at least one number of hidden layers to draw.")
        return
    widths = list(range(lo, hi + 1, int(step)))
    widths += [hi] if widths[-1] != hi else []  # the slider's end is always on the chart
    totals = totals_by_width(widths, sorted(depths), n_in, n_out)
    chart, table = st.columns([3, 2])
    chart.plotly_chart(growth_figure(widths, totals), key="params_growth")
    browse("params_growth", table).dataframe(
        pd.DataFrame({"units per layer": widths, **{f"{d} hidden layer{'s' * (d > 1)}": t for d, t in totals.items()}}),
        hide_index=True,
        width="stretch",
        height=min(380, 35 * (len(widths) + 1) + 3),
        column_config={
            c: st.column_config.NumberColumn(format="localized")
            for c in (f"{d} hidden layer{'s' * (d > 1)}" for d in totals)
        },
    )
    st.caption(
        f"An MLP on {n_in:,} inputs with {n_out} output units, every hidden layer as wide. One hidden layer: "
        "the count grows linearly with the width; from two on, the w x w weights between hidden layers "
        "make it grow quadratically."
    )
