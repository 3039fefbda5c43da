"""Loss functions: how much each one charges for a prediction, its gradient, and what outliers do."""

import numpy as np
import streamlit as st

from app.maths.figures import best_constants, function_and_derivative
from core.losses import LOSSES, best_constant, get_loss, loss_curve

st.title("Loss functions")
st.caption("Training moves the prediction downhill on the loss. The gradient (right) is the push it gets.")

name = st.selectbox("Loss", list(LOSSES), format_func=lambda n: get_loss(n).title, key="loss_name")
axis = get_loss(name).axis
same_axis = [n for n in LOSSES if get_loss(n).axis == axis and n != name]
others = st.multiselect("Compare with", same_axis, format_func=lambda n: get_loss(n).title, key="loss_compare",
                        disabled=not same_axis, placeholder="Losses drawn on the same axis" if same_axis else "none")
names = [name, *others]
delta = st.slider("Huber delta", 0.1, 3.0, 1.0, 0.1, key="loss_delta") if "huber" in names else 1.0

if axis == "p1":
    target = st.select_slider("Target y", [0.0, 0.25, 0.5, 0.75, 1.0], 1.0, key="loss_target_p")
    x, x_title = np.linspace(0.005, 0.995, 399), "predicted p(class 1)"
elif axis == "p_true":
    target = st.selectbox("True class (of 3)", [0, 1, 2], key="loss_target_k")
    x, x_title = np.linspace(0.005, 0.995, 399), "predicted probability of the true class"
elif "hinge" in names:
    target = st.radio("Label y (hinge takes -1 or +1)", [-1, 1], index=1, horizontal=True, key="loss_target_h")
    x, x_title = np.linspace(-3, 3, 401), "prediction (a raw score)"
else:
    target = st.slider("Target y", -2.0, 2.0, 1.0, 0.5, key="loss_target")
    x, x_title = np.linspace(-3, 3, 401), "prediction"

chosen = [get_loss(n, delta=delta) if n == "huber" else get_loss(n) for n in names]
curves = [(loss.title, *loss_curve(loss, target, x)) for loss in chosen]
st.plotly_chart(function_and_derivative(x, curves, titles=("loss", "gradient dL/d(prediction)"), x_title=x_title),
                key="loss_chart")
st.dataframe([{"loss": loss.title, "when to use it": loss.note} for loss in chosen], hide_index=True, width="stretch")

if get_loss(name).task == "regression":
    st.subheader("Outliers: the best single prediction for some targets")
    outlier = st.slider("Move one target far away", 0.0, 20.0, 8.0, 0.5, key="loss_outlier")
    data = np.array([1.0, 1.5, 2.0, 2.2, 2.5, 3.0, outlier])
    fits = [(loss.title, best_constant(loss, data)) for loss in
            (get_loss("mse"), get_loss("mae"), get_loss("huber", delta=delta))]
    st.plotly_chart(best_constants(data, fits), key="loss_outliers")
    st.caption("Minimising MSE gives the mean, which the outlier drags along; MAE gives the median, which "
               "ignores it; Huber sits in between, set by delta.")
