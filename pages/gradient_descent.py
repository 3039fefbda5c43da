"""Gradient descent: batch vs mini-batch vs stochastic on one problem, and optimizers on loss surfaces."""

import numpy as np
import streamlit as st

from app import settings as w
from app.figures.lines import Line, line_chart
from app.maths.figures import contour_with_paths
from app.maths.schema import GD_TABS, descent_skips
from app.maths.schema import GRADIENT_DESCENT as P
from app.settings import warn_rejected
from app.tables import read_table
from app.widgets import show_error
from core.descent import blobs_problem, gradient_descent
from core.errors import NNLabError
from core.optimizers import OPTIMIZERS, get_surface, optimize

st.title("Gradient descent")
st.caption(
    "Each update moves the weights a step of size α against the gradient. How much data the gradient "
    "sees, and how the step is shaped, changes the path."
)

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
    return {
        "batch (200 per update)": gradient_descent(problem, 200, lr, epochs, seed=seed),
        f"mini-batch ({batch} per update)": gradient_descent(problem, batch, lr, epochs, seed=seed),
        "stochastic (1 per update)": gradient_descent(problem, 1, lr, epochs, seed=seed),
    }


warn_rejected(P.load("gd_url_loaded"))
P.sync(descent_skips(P.values()))  # the link: the open view's settings
tabs = st.tabs(list(GD_TABS), key=P["tab"].key, on_change="rerun")

if tabs[0].open:
    with tabs[0]:
        st.markdown(
            "Logistic regression with two weights on 200 points: the loss is a surface over (w1, w2). "
            "**Batch** uses all points per update, **mini-batch** a few, **stochastic** one."
        )
        c = st.columns(4)
        lr, epochs = w.select_slider(P["lr"], c[0]), w.slider(P["epochs"], c[1])
        batch, seed = w.select_slider(P["batch"], c[2]), w.number_input(P["seed"], c[3])
        _, grid = problem_and_surface()
        try:
            runs = descents(lr, epochs, batch, int(seed))
        except NNLabError as exc:
            show_error(exc)
            st.stop()
        st.plotly_chart(contour_with_paths(W1, W2, grid, [(n, r.path) for n, r in runs.items()]), key="gd_paths")
        left, right = st.columns(2)
        left.plotly_chart(
            line_chart(
                [
                    Line(n, np.arange(1, len(r.update_loss) + 1) / r.updates_per_epoch, r.update_loss)
                    for n, r in runs.items()
                ],
                "epochs (each point is one update)",
                "loss on the batch that update used",
                log_y=True,
                webgl=True,
            ),
            key="gd_updates",
        )
        right.plotly_chart(
            line_chart(
                [Line(n, np.arange(epochs + 1), r.epoch_loss) for n, r in runs.items()],
                "epoch",
                "loss on all the data",
                log_y=True,
                webgl=True,
            ),
            key="gd_epochs_chart",
        )
        st.caption(
            f"Updates per epoch: batch 1, mini-batch {runs[f'mini-batch ({batch} per update)'].updates_per_epoch}, "
            "stochastic 200. Smaller batches take more, noisier steps per pass over the data."
        )

if tabs[1].open:
    with tabs[1]:
        c = st.columns(3)
        surface = get_surface(w.selectbox(P["surface"], c[0]))
        lr, steps = w.select_slider(P[f"lr_{surface.name}"], c[1]), w.slider(P["steps"], c[2])
        chosen = w.multiselect(P["opts"])  # its own row: four optimizers' chips are never cut short
        st.caption(surface.note)
        paths = {name: optimize(surface, name, lr, steps) for name in chosen}
        xs, ys = np.linspace(*surface.x_range, 150), np.linspace(*surface.y_range, 120)
        Z = surface.fn(*np.meshgrid(xs, ys))
        st.plotly_chart(
            contour_with_paths(
                xs,
                ys,
                Z,
                [(n, p.points) for n, p in paths.items()],
                surface.minimum,
                ("x", "y"),
                log_levels=surface.name != "saddle",
            ),
            key="gd_surface_chart",
        )
        for name, p in paths.items():
            if p.diverged_at is not None:
                st.warning(
                    f"{name} diverged at step {p.diverged_at}: its steps grew without bound. Lower the learning rate.",
                    icon=":material/warning:",
                )
        st.plotly_chart(
            line_chart(
                [Line(n, np.arange(len(p.values)), p.values) for n, p in paths.items()],
                "step",
                "f(x, y)",
                log_y=surface.name in ("rosenbrock",),
                webgl=True,
            ),
            key="gd_values",
        )
        read_table(
            [
                {
                    "optimizer": n,
                    "update rule (Keras defaults)": OPTIMIZERS[n][2],
                    "final point": f"({p.points[-1][0]:.3f}, {p.points[-1][1]:.3f})",
                    "final value": f"{p.values[-1]:.4g}",
                }
                for n, p in paths.items()
            ]
        )
