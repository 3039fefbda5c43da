"""Loss functions: how much each one charges for a prediction, its gradient, and what outliers do."""

from itertools import combinations

import numpy as np
import streamlit as st

from app import settings as w
from app.maths.figures import best_constants, function_and_derivative
from app.maths.schema import LOSS
from app.settings import warn_rejected
from app.tables import read_table
from core.losses import LOSSES, best_constant, get_loss, loss_curve

st.title("Loss functions")
st.caption("Training moves the prediction downhill on the loss. The gradient (right) is the push it gets.")

warn_rejected(LOSS.load("loss_url_loaded"))
name = w.selectbox(LOSS["loss"])
axis = get_loss(name).axis
same_axis = tuple(n for n in LOSSES if get_loss(n).axis == axis and n != name)
if any(n not in same_axis for n in st.session_state.get("loss_compare", ())):  # another axis: start afresh
    st.session_state["loss_compare"] = [n for n in st.session_state["loss_compare"] if n in same_axis]
others = w.multiselect(
    LOSS["compare"],
    options=list(same_axis),
    disabled=not same_axis,
    placeholder="Losses drawn on the same axis" if same_axis else "none",
)
names = [name, *others]
used = {"loss", "compare"} | ({"delta"} if "huber" in names else set())
delta = w.slider(LOSS["delta"]) if "huber" in names else 1.0

if axis == "p1":
    target, used = w.select_slider(LOSS["p"]), used | {"p"}
    x, x_title = np.linspace(0.005, 0.995, 399), "predicted p(class 1)"
elif axis == "p_true":
    target, used = w.selectbox(LOSS["k"]), used | {"k"}
    x, x_title = np.linspace(0.005, 0.995, 399), "predicted probability of the true class"
elif "hinge" in names:
    target, used = w.radio(LOSS["h"], horizontal=True), used | {"h"}
    x, x_title = np.linspace(-3, 3, 401), "prediction (a raw score)"
else:
    target, used = w.slider(LOSS["y"]), used | {"y"}
    x, x_title = np.linspace(-3, 3, 401), "prediction"

chosen = [get_loss(n, delta=delta) if n == "huber" else get_loss(n) for n in names]
curves = [(loss.title, *loss_curve(loss, target, x)) for loss in chosen]
st.plotly_chart(
    function_and_derivative(x, curves, titles=("loss", "gradient dL/d(prediction)"), x_title=x_title), key="loss_chart"
)
for (a, ya, _), (b, yb, _) in combinations(curves, 2):
    if np.allclose(ya, yb, rtol=1e-4, atol=1e-4):  # one line under the other, to far below a pixel
        why = (
            " With a one-hot target the target's entropy is 0, so KL divergence is the cross-entropy itself."
            if {a, b} == {"Categorical cross-entropy", "KL divergence"}
            else ""
        )
        st.caption(f"{a} and {b} coincide here: one curve hides the other.{why}")
read_table([{"loss": loss.title, "when to use it": loss.note} for loss in chosen])

if get_loss(name).task == "regression":
    st.subheader("Outliers: the best single prediction for some targets")
    outlier, used = w.slider(LOSS["outlier"]), used | {"outlier"}
    data = np.array([1.0, 1.5, 2.0, 2.2, 2.5, 3.0, outlier])
    fits = [
        (loss.title, best_constant(loss, data))
        for loss in (get_loss("mse"), get_loss("mae"), get_loss("huber", delta=delta))
    ]
    st.plotly_chart(best_constants(data, fits), key="loss_outliers")
    st.caption(
        "Minimising MSE gives the mean, which the outlier drags along; MAE gives the median, which "
        "ignores it; Huber sits in between, set by delta."
    )
LOSS.sync(skip=set(LOSS.settings) - used)
