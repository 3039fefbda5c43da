"""Backpropagation, step by step: a tiny network, one example, every number of one gradient-descent update."""

import numpy as np
import streamlit as st

from app.maths import backprop as view
from app.figures.lines import Line, line_chart
from app.figures.network import network_figure
from app.widgets import show_error
from core.activations import KERAS_ACTIVATIONS
from core.backprop import LOSSES, OUTPUTS
from core.errors import NNLabError

st.title("Backpropagation, step by step")
st.caption("Forward: z = Wᵀa + b, a = f(z). Backward: δ = dL/dz, dL/dW = a δᵀ, dL/db = δ. Update: w := w − α dL/dw.")

with st.sidebar:                       # the settings beside the page, so the diagram is on a projector's first screen
    st.header("Network")
    c = st.columns(2)
    n_in = c[0].slider("Inputs", 1, 3, 2, key="bp_in")
    n_out = c[1].slider("Outputs", 1, 3, 1, key="bp_out")
    depth = st.slider("Hidden layers", 1, 3, 1, key="bp_depth")
    hidden = tuple(st.slider(f"Units in hidden layer {i + 1}", 1, 4, 3, key=f"bp_h{i}") for i in range(depth))
    act = st.selectbox("Hidden activation", KERAS_ACTIVATIONS, key="bp_act")
    c = st.columns(2)
    out = c[0].selectbox("Output activation", OUTPUTS, index=1, key="bp_output")
    loss = c[1].selectbox("Loss", LOSSES, key="bp_loss")
    seed = st.number_input("Weight seed", 0, 999, 0, key="bp_seed")
    st.header("Example")
    c = st.columns(n_in)
    x = np.array([c[i].number_input(f"x{i + 1}", -5.0, 5.0, [0.5, -1.0, 2.0][i], 0.1, key=f"bp_x{i}")
                  for i in range(n_in)])
    if out == "softmax":
        k = st.selectbox("True class", list(range(1, n_out + 1)), key="bp_class")
        y = np.eye(n_out)[k - 1]
    else:
        c = st.columns(n_out)
        y = np.array([c[j].number_input(f"target y{j + 1}", -5.0, 5.0, 1.0, 0.1, key=f"bp_y{j}") for j in range(n_out)])
    lr = st.select_slider("Learning rate α", [0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 2.0, 5.0], 0.5, key="bp_lr")

sizes = (n_in, *hidden, n_out)
try:
    lesson = view.Lesson.for_settings(sizes, act, out, loss, int(seed))
    with st.expander("Edit the weights by hand", icon=":material/edit:"):
        cols = st.columns(len(lesson.net.weights))
        edited = [cols[l].data_editor(view.weights_table(W, b), key=f"bp_edit_{l}_{lesson.version}")
                  .to_numpy(dtype=float) for l, (W, b) in enumerate(lesson.net.weights)]
        lesson.edit([(e[:-1], e[-1]) for e in edited])
    result = lesson.preview(x, y, lr)
except NNLabError as exc:
    show_error(exc)
    st.stop()

m = st.columns(2)                       # two columns, not four: whole labels at 1024 px, presented too
m[0].metric("Loss now", f"{result.loss:.5f}")
m[1].metric("Loss after this update", f"{result.loss_after:.5f}", f"{result.loss_after - result.loss:+.5f}",
            delta_color="inverse")
b = st.columns(2)
if b[0].button("Apply this update", icon=":material/step:", type="primary", key="bp_step", width="stretch"):
    lesson.apply(result)
    st.rerun()
if b[1].button("Run 25 updates", icon=":material/fast_forward:", key="bp_run", width="stretch"):
    lesson.run(x, y, lr, 25)
    st.rerun()

names = ["Input"] + [f"hidden {i + 1}" for i in range(depth)] + ["output"]
tabs = st.tabs(["1. Forward pass", "2. Backward pass", "3. Update", "Gradient check", "Loss over updates"],
               key="bp_tab", on_change="rerun")
if tabs[0].open:
    with tabs[0]:
        st.plotly_chart(network_figure(list(sizes), [W for W, _ in result.old_weights], names, units=result.a,
                                       unit_title="a", edge_title="W", write_values=True), key="bp_forward")
        st.caption("Units show their activation a (the inputs show x); connections show the weights.")
        st.dataframe(view.forward_rows(lesson.net, result), hide_index=True, width="stretch")
if tabs[1].open:
    with tabs[1]:
        st.plotly_chart(network_figure(list(sizes), [dW for dW, _ in result.gradients], names,
                                       units=[result.dL_dx, *result.delta], unit_title="dL/dz", edge_title="dL/dW",
                                       write_values=True), key="bp_backward")
        st.caption("Units show δ = dL/dz (the inputs show dL/dx); connections show dL/dW = a_prev × δ.")
        st.dataframe(view.backward_rows(lesson.net, result), hide_index=True, width="stretch")
        layer = st.radio("dL/dW of layer", list(range(1, len(sizes))), horizontal=True, key="bp_gw")
        st.dataframe(view.weight_gradient(result, layer), width="stretch")
if tabs[2].open:
    with tabs[2]:
        st.dataframe(view.update_rows(result, lr), hide_index=True, width="stretch")
if tabs[3].open:
    with tabs[3]:
        check = view.check_rows(result, lesson.net.numeric_gradients(x, y))
        st.metric("Largest difference", f"{check['|difference|'].max():.2e}",
                  help="Central differences (L(w+h) − L(w−h)) / 2h with h = 1e-6, for every parameter.")
        st.dataframe(check, hide_index=True, width="stretch")
if tabs[4].open:
    with tabs[4]:
        if lesson.losses:
            st.plotly_chart(line_chart([Line("loss", np.arange(len(lesson.losses)), lesson.losses)], "update",
                                       "loss on the example", markers=True, legend=False, height=260), key="bp_history")
        else:
            st.info("Apply an update (or run 25) to watch the loss fall.")
