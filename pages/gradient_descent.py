"""Gradient descent: batch vs mini-batch vs stochastic on one problem, and optimizers on loss surfaces."""

import numpy as np
import streamlit as st

from app.figures.lines import Line, line_chart
from app.maths.figures import contour_with_paths
from app.widgets import show_error
from core.descent import blobs_problem, gradient_descent
from core.errors import NNLabError
from core.optimizers import OPTIMIZERS, SURFACES, get_surface, optimize

st.title("Gradient descent")
st.caption("Each update moves the weights a step of size α against the gradient. How much data the gradient "
           "sees, and how the step is shaped, changes the path.")

W1, W2 = np.linspace(-4, 6, 120), np.linspace(-3, 5, 100)


@st.cache_resource
def problem_and_surface():
    """The fixed logistic-regression problem and its loss over the (w1, w2) grid: computed once per server."""
    problem = blobs_problem(200, seed=0)
    return problem, problem.loss_grid(W1, W2)


@st.cache_data(max_entries=256, show_spinner=False)
def descents(lr: float, epochs: int, batch: int, seed: int) -> dict:
    """Batch, mini-batch and stochastic descent on the fixed problem: one computation per settings per server
    (a class mostly looks at the same few settings)."""
    problem, _ = problem_and_surface()
    return {"batch (200 per update)": gradient_descent(problem, 200, lr, epochs, seed=seed),
            f"mini-batch ({batch} per update)": gradient_descent(problem, batch, lr, epochs, seed=seed),
            "stochastic (1 per update)": gradient_descent(problem, 1, lr, epochs, seed=seed)}


RATES = [0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 1.5, 3.0]
tabs = st.tabs(["Batch, mini-batch, stochastic", "Optimizers on loss surfaces"], key="gd_tab", on_change="rerun")

if tabs[0].open:
    with tabs[0]:
        st.markdown("Logistic regression with two weights on 200 points: the loss is a surface over (w1, w2). "
                    "**Batch** uses all points per update, **mini-batch** a few, **stochastic** one.")
        c = st.columns(4)
        lr = c[0].select_slider("Learning rate α", RATES, 0.3, key="gd_lr")
        epochs = c[1].slider("Epochs", 1, 15, 5, key="gd_epochs")
        batch = c[2].select_slider("Mini-batch size", [2, 5, 10, 20, 50, 100], 20, key="gd_batch")
        seed = c[3].number_input("Shuffle seed", 0, 999, 0, key="gd_seed")
        _, grid = problem_and_surface()
        try:
            runs = descents(lr, epochs, batch, int(seed))
        except NNLabError as exc:
            show_error(exc)
            st.stop()
        st.plotly_chart(contour_with_paths(W1, W2, grid, [(n, r.path) for n, r in runs.items()]),
                        key="gd_paths")
        left, right = st.columns(2)
        left.plotly_chart(line_chart([Line(n, np.arange(1, len(r.update_loss) + 1) / r.updates_per_epoch, r.update_loss)
                                      for n, r in runs.items()], "epochs (each point is one update)",
                                     "loss on the batch that update used", log_y=True, webgl=True), key="gd_updates")
        right.plotly_chart(line_chart([Line(n, np.arange(epochs + 1), r.epoch_loss) for n, r in runs.items()],
                                      "epoch", "loss on all the data", log_y=True, webgl=True), key="gd_epochs_chart")
        st.caption(f"Updates per epoch: batch 1, mini-batch {runs[f'mini-batch ({batch} per update)'].updates_per_epoch}, "
                   "stochastic 200. Smaller batches take more, noisier steps per pass over the data.")

if tabs[1].open:
    with tabs[1]:
        c = st.columns(4)
        surface = get_surface(c[0].selectbox("Surface", list(SURFACES), format_func=lambda n: SURFACES[n].title,
                                             key="gd_surface"))
        chosen = c[1].multiselect("Optimizers", list(OPTIMIZERS), default=list(OPTIMIZERS), key="gd_opts")
        lr = c[2].select_slider("Learning rate", RATES, surface.learning_rate, key=f"gd_lr_{surface.name}")
        steps = c[3].slider("Steps", 10, 500, 100, 10, key="gd_steps")
        st.caption(surface.note)
        paths = {name: optimize(surface, name, lr, steps) for name in chosen}
        xs, ys = np.linspace(*surface.x_range, 150), np.linspace(*surface.y_range, 120)
        Z = surface.fn(*np.meshgrid(xs, ys))
        st.plotly_chart(contour_with_paths(xs, ys, Z, [(n, p.points) for n, p in paths.items()], surface.minimum,
                                           ("x", "y"), log_levels=surface.name != "saddle"), key="gd_surface_chart")
        for name, p in paths.items():
            if p.diverged_at is not None:
                st.warning(f"{name} diverged at step {p.diverged_at}: its steps grew without bound. Lower the "
                           "learning rate.", icon=":material/warning:")
        st.plotly_chart(line_chart([Line(n, np.arange(len(p.values)), p.values) for n, p in paths.items()], "step",
                                   "f(x, y)", log_y=surface.name in ("rosenbrock",), webgl=True), key="gd_values")
        st.dataframe([{"optimizer": n, "update rule (Keras defaults)": OPTIMIZERS[n][2],
                       "final point": f"({p.points[-1][0]:.3f}, {p.points[-1][1]:.3f})",
                       "final value": f"{p.values[-1]:.4g}"} for n, p in paths.items()], hide_index=True, width="stretch")
