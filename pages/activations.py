"""Activation functions: each function beside its derivative, their properties, and where a trained
network's units actually sit on them."""

import numpy as np
import streamlit as st

from app import settings as w
from app.maths.figures import function_and_derivative, with_histogram
from app.maths.schema import ACTIVATION
from app.messages import plain
from app.runs import prepared_or_stop, quick_run
from app.session import current_run
from app.settings import warn_rejected
from app.tables import read_table
from app.widgets import show_error
from core.activations import SKLEARN_ACTIVATIONS, activation_health, get_activation
from core.errors import NNLabError

SAMPLE = 500  # test inputs whose pre-activations are drawn

st.title("Activation functions")
st.caption("A unit computes a = f(z). Backpropagation multiplies by f'(z): where f' is near 0, learning stalls.")

warn_rejected(ACTIVATION.load("act_url_loaded"))
chosen = w.multiselect(ACTIVATION["fns"])
left, right = st.columns(2)
lo, hi = w.slider(ACTIVATION["range"], left)
slope = w.slider(ACTIVATION["slope"], right, disabled="leaky_relu" not in chosen)
ACTIVATION.sync(skip=() if "leaky_relu" in chosen else ("slope",))
if not chosen:
    st.info("Pick at least one function to draw.")
    st.stop()

acts = [get_activation(n, negative_slope=slope) if n == "leaky_relu" else get_activation(n) for n in chosen]
z = np.linspace(lo, hi, 801)
fig = function_and_derivative(z, [(a.title, a.fn(z), a.grad(z)) for a in acts], titles=("f(z)", "f'(z)"), x_title="z")
fig.update_xaxes(range=[lo, hi])
chart = st.container()

st.subheader("Inside a trained network")
run = current_run()
quick = st.container() if run is None else st.expander("Train a different quick model", icon=":material/bolt:")
with quick:
    if run is None:
        st.markdown(
            "Train a network on the Training page, or a quick one here, to see where its hidden units' "
            "inputs z really fall."
        )
    pick = st.selectbox(
        "Hidden-layer activation",
        list(SKLEARN_ACTIVATIONS),
        key="act_quick",
        persist_state="session",
        format_func=lambda n: get_activation(n).title,
    )
    if st.button("Train a quick model (about a second)", icon=":material/bolt:", key="act_train"):
        try:
            quick_run(pick)
            st.rerun()
        except NNLabError as exc:
            show_error(exc)
if run is not None:
    st.caption(f"Model: {plain(run.title)}")
    sample = prepared_or_stop(run.exp).X_test[:SAMPLE]
    layers = [(n, zs) for n, zs in run.model.layer_preactivations(sample) if n != "output"]
    if not layers:
        st.info(
            "This model has no hidden Dense layer, so there are no hidden units' inputs z to show here. "
            "Train an MLP with at least one hidden layer."
        )
    else:
        layer = st.selectbox("Hidden layer", [n for n, _ in layers], key="act_layer", persist_state="session")
        values = dict(layers)[layer]
        act_name = run.model.spec.activation
        health = activation_health(act_name, values)
        with_histogram(fig, values.ravel(), f"z in {layer} ({get_activation(act_name).title})")
        c = st.columns(3)
        c[0].metric("Units", values.shape[1])
        c[1].metric(
            "Inputs where f'(z) is almost 0",
            f"{health.saturated:.0%}",
            help="Share of z values where f'(z) is below 5% of its peak (saturated, or ReLU's flat side): "
            "little gradient flows back through them.",
        )
        c[2].metric("Dead units", f"{health.dead_units:.0%}", help="Units whose f'(z) is 0 for every sample shown.")
with chart:
    st.plotly_chart(fig, key="act_chart")

st.subheader("Properties")
read_table(
    [
        {
            "function": a.title,
            "output range": a.output_range,
            "zero-centred": "yes" if a.zero_centred else "no",
            "saturates": a.saturates,
            "dead region": a.dead_region,
            "f'(0)": round(a.derivative_at_zero(), 4),
            "used for": a.used_for,
        }
        for a in acts
    ]
)
