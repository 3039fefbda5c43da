"""Backpropagation, step by step: a tiny network, one example, every number of one gradient-descent update."""

import numpy as np
import streamlit as st

from app import backprop_views as view
from app.figures.network import loss_history, network_diagram
from app.widgets import show_error
from core.activations import KERAS_ACTIVATIONS
from core.backprop import LOSSES, OUTPUTS, TinyNet
from core.errors import NNLabError

st.title("Backpropagation, step by step")
st.caption("Forward: z = Wᵀa + b, a = f(z). Backward: δ = dL/dz, dL/dW = a δᵀ, dL/db = δ. Update: w := w − α dL/dw.")

with st.expander("Network and example", expanded=True, icon=":material/tune:"):
    c = st.columns(3)
    n_in = c[0].slider("Inputs", 1, 3, 2, key="bp_in")
    depth = c[0].slider("Hidden layers", 1, 3, 1, key="bp_depth")
    hidden = tuple(c[0].slider(f"Units in hidden layer {i + 1}", 1, 4, 3, key=f"bp_h{i}") for i in range(depth))
    n_out = c[0].slider("Outputs", 1, 3, 1, key="bp_out")
    act = c[1].selectbox("Hidden activation", KERAS_ACTIVATIONS, key="bp_act")
    out = c[1].selectbox("Output activation", OUTPUTS, index=1, key="bp_output")
    loss = c[1].selectbox("Loss", LOSSES, key="bp_loss")
    seed = c[1].number_input("Weight seed", 0, 999, 0, key="bp_seed")
    x = np.array([c[2].number_input(f"x{i + 1}", -5.0, 5.0, [0.5, -1.0, 2.0][i], 0.1, key=f"bp_x{i}") for i in range(n_in)])
    if out == "softmax":
        k = c[2].selectbox("True class", list(range(1, n_out + 1)), key="bp_class")
        y = np.eye(n_out)[k - 1]
    else:
        y = np.array([c[2].number_input(f"target y{j + 1}", -5.0, 5.0, 1.0, 0.1, key=f"bp_y{j}") for j in range(n_out)])
    lr = c[2].select_slider("Learning rate α", [0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 2.0, 5.0], 0.5, key="bp_lr")

sizes = (n_in, *hidden, n_out)
config = (sizes, act, out, loss, int(seed))
state = st.session_state.get("bp_state")
if state is None or state["config"] != config:
    state = st.session_state["bp_state"] = {"config": config, "weights": None, "losses": [], "version": 0}
try:
    net = TinyNet(sizes, act, out, loss, seed=int(seed), weights=state["weights"])
    state["weights"] = net.weights
    with st.expander("Edit the weights by hand", icon=":material/edit:"):
        cols = st.columns(len(net.weights))
        edited = [cols[l].data_editor(view.weights_table(W, b), key=f"bp_edit_{l}_{state['version']}")
                  .to_numpy(dtype=float) for l, (W, b) in enumerate(net.weights)]
        net.set_weights([(e[:-1], e[-1]) for e in edited])
        state["weights"] = net.weights
    result = TinyNet(sizes, act, out, loss, weights=net.weights).step(x, y, lr)
except NNLabError as exc:
    show_error(exc)
    st.stop()

m = st.columns(4)
m[0].metric("Loss now", f"{result.loss:.5f}")
m[1].metric("Loss after this update", f"{result.loss_after:.5f}", f"{result.loss_after - result.loss:+.5f}",
            delta_color="inverse")
if m[2].button("Apply this update", icon=":material/step:", type="primary", key="bp_step"):
    state["losses"] += [result.loss, result.loss_after] if not state["losses"] else [result.loss_after]
    state["weights"], state["version"] = result.new_weights, state["version"] + 1
    st.rerun()
if m[3].button("Run 25 updates", icon=":material/fast_forward:", key="bp_run"):
    state["losses"] = state["losses"] or [result.loss]
    for _ in range(25):
        state["losses"].append(net.step(x, y, lr).loss_after)
    state["weights"], state["version"] = net.weights, state["version"] + 1
    st.rerun()

names = ["Input"] + [f"hidden {i + 1}" for i in range(depth)] + ["output"]
tabs = st.tabs(["1. Forward pass", "2. Backward pass", "3. Update", "Gradient check", "Loss over updates"],
               key="bp_tab", on_change="rerun")
if tabs[0].open:
    with tabs[0]:
        st.plotly_chart(network_diagram(sizes, [W for W, _ in result.old_weights], result.a, "a", "W", names),
                        key="bp_forward")
        st.caption("Units show their activation a (the inputs show x); connections show the weights.")
        st.dataframe(view.forward_rows(net, result), hide_index=True, width="stretch")
if tabs[1].open:
    with tabs[1]:
        st.plotly_chart(network_diagram(sizes, [dW for dW, _ in result.gradients], [result.dL_dx, *result.delta],
                                        "dL/dz", "dL/dW", names), key="bp_backward")
        st.caption("Units show δ = dL/dz (the inputs show dL/dx); connections show dL/dW = a_prev × δ.")
        st.dataframe(view.backward_rows(net, result), hide_index=True, width="stretch")
        layer = st.radio("dL/dW of layer", list(range(1, len(sizes))), horizontal=True, key="bp_gw")
        st.dataframe(view.weight_gradient(result, layer), width="stretch")
if tabs[2].open:
    with tabs[2]:
        st.dataframe(view.update_rows(result, lr), hide_index=True, width="stretch")
if tabs[3].open:
    with tabs[3]:
        check = view.check_rows(result, TinyNet(sizes, act, out, loss, weights=result.old_weights).numeric_gradients(x, y))
        st.metric("Largest difference", f"{check['|difference|'].max():.2e}",
                  help="Central differences (L(w+h) − L(w−h)) / 2h with h = 1e-6, for every parameter.")
        st.dataframe(check, hide_index=True, width="stretch")
if tabs[4].open:
    with tabs[4]:
        if state["losses"]:
            st.plotly_chart(loss_history(state["losses"]), key="bp_history")
        else:
            st.info("Apply an update (or run 25) to watch the loss fall.")
