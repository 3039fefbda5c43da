"""Backpropagation, step by step: a tiny network, one example, every number of one gradient-descent update."""

import numpy as np
import streamlit as st

from app import settings as w
from app.figures.lines import Line, line_chart
from app.figures.network import network_figure
from app.maths import backprop as view
from app.maths.schema import BACKPROP, backprop_skips
from app.settings import offer, warn_rejected
from app.tables import read_table
from app.widgets import show_error
from core.errors import NNLabError

st.title("Backpropagation, step by step")
st.caption("Forward: z = Wᵀa + b, a = f(z). Backward: δ = dL/dz, dL/dW = a δᵀ, dL/db = δ. Update: w := w − α dL/dw.")

warn_rejected(BACKPROP.load("bp_url_loaded"))
p = BACKPROP
with st.sidebar:  # the settings beside the page, so the diagram is on a projector's first screen
    st.header("Network")
    c = st.columns(2)
    n_in, n_out = w.slider(p["in"], c[0]), w.slider(p["out"], c[1])
    depth = w.slider(p["depth"])
    hidden = tuple(w.slider(p[f"h{i + 1}"]) for i in range(depth))
    act = w.selectbox(p["act"])
    out, loss = w.selectbox(p["output"]), w.selectbox(p["loss"])  # one a row: "sigmoid" was cut presenting
    seed = w.number_input(p["seed"])
    st.header("Example")
    c = st.columns(n_in)
    x = np.array([w.number_input(p[f"x{i + 1}"], c[i]) for i in range(n_in)])
    if out == "softmax":
        offer(p["cls"], list(range(1, n_out + 1)))
        k = w.selectbox(p["cls"], options=list(range(1, n_out + 1)))
        y = np.eye(n_out)[k - 1]
    else:
        c = st.columns(n_out)
        y = np.array([w.number_input(p[f"y{j + 1}"], c[j]) for j in range(n_out)])
    lr = w.select_slider(p["lr"])
p.sync(backprop_skips(p.values()))  # the link: every setting of the network and example shown

sizes = (n_in, *hidden, n_out)
try:
    lesson = view.Lesson.for_settings(sizes, act, out, loss, int(seed))
    # Drawn only while open (its tables were a fifth of the page's every run); edits stay in the lesson's network.
    editor = st.expander("Edit the weights by hand", icon=":material/edit:", key="bp_editor", on_change="rerun")
    if editor.open:
        with editor:
            cols = st.columns(len(lesson.net.weights))
            edited = [
                cols[li]
                .data_editor(view.weights_table(W, b), key=f"bp_edit_{li}_{lesson.version}")
                .to_numpy(dtype=float)
                for li, (W, b) in enumerate(lesson.net.weights)
            ]
            lesson.edit([(e[:-1], e[-1]) for e in edited])
    result = lesson.preview(x, y, lr)
except NNLabError as exc:
    show_error(exc)
    st.stop()

m = st.columns(2)  # two columns, not four: whole labels at 1024 px, presented too
m[0].metric("Loss now", f"{result.loss:.5f}")
m[1].metric(
    "Loss after this update",
    f"{result.loss_after:.5f}",
    f"{result.loss_after - result.loss:+.5f}",
    delta_color="inverse",
)
b = st.columns(2)
if b[0].button("Apply this update", icon=":material/step:", type="primary", key="bp_step", width="stretch"):
    lesson.apply(result)
    st.rerun()
if b[1].button("Run 25 updates", icon=":material/fast_forward:", key="bp_run", width="stretch"):
    lesson.run(x, y, lr, 25)
    st.rerun()

names = ["Input"] + [f"hidden {i + 1}" for i in range(depth)] + ["output"]
tabs = st.tabs(list(p["tab"].options), key=p["tab"].key, on_change="rerun")
if tabs[0].open:
    with tabs[0]:
        st.plotly_chart(
            network_figure(
                list(sizes),
                [W for W, _ in result.old_weights],
                names,
                units=result.a,
                unit_title="a",
                edge_title="W",
                write_values=True,
            ),
            key="bp_forward",
        )
        st.caption("Units show their activation a (the inputs show x); connections show the weights.")
        read_table(view.forward_rows(lesson.net, result))
if tabs[1].open:
    with tabs[1]:
        st.plotly_chart(
            network_figure(
                list(sizes),
                [dW for dW, _ in result.gradients],
                names,
                units=[result.dL_dx, *result.delta],
                unit_title="dL/dz",
                edge_title="dL/dW",
                write_values=True,
            ),
            key="bp_backward",
        )
        st.caption("Units show δ = dL/dz (the inputs show dL/dx); connections show dL/dW = a_prev × δ.")
        read_table(view.backward_rows(lesson.net, result))
        layer = st.radio(
            "dL/dW of layer", list(range(1, len(sizes))), horizontal=True, key="bp_gw", persist_state="session"
        )
        read_table(view.weight_gradient(result, layer), hide_index=False)
if tabs[2].open:
    with tabs[2]:
        read_table(view.update_rows(result, lr))
if tabs[3].open:
    with tabs[3]:
        check = view.check_rows(result, lesson.net.numeric_gradients(x, y))
        st.metric(
            "Largest difference",
            f"{check['|difference|'].max():.2e}",
            help="Central differences (L(w+h) − L(w−h)) / 2h with h = 1e-6, for every parameter.",
        )
        read_table(check)
if tabs[4].open:
    with tabs[4]:
        if lesson.losses:
            st.plotly_chart(
                line_chart(
                    [Line("loss", np.arange(len(lesson.losses)), lesson.losses)],
                    "update",
                    "loss on the example",
                    markers=True,
                    legend=False,
                    height=260,
                ),
                key="bp_history",
            )
        else:
            st.info("Apply an update (or run 25) to watch the loss fall.")
