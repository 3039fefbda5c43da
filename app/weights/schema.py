"""The Weights page's settings, each declared once (see `app.settings`): the open view and the parameter-counting
form, so the page is as the student left it and counting any architecture is a link
(`/weights?kind=MLP&inputs=784&hidden=300,+100`). The trained model itself is the session's, not the link's."""

from __future__ import annotations

from app.settings import Schema, Setting

KINDS = ("MLP", "CNN")
COUNTING_TAB = "Counting parameters"
TABS = (
    "",
    "Layers",
    "Layers in code",
    "Kernels",
    "Conv kernels",
    "First-layer units",
    "Network diagram",
    "Parameter trace",
    COUNTING_TAB,
)  # "": the first view the model has
MLP_FIELDS, CNN_FIELDS = ("inputs", "hidden"), ("h", "w", "c", "filters", "kernel", "pool", "dense", "dropout")

# The defaults are the first lessons' networks (Fashion-MNIST's 300-100 MLP, MNIST's convnet).
COUNTING = Schema(
    Setting("kind", "params_kind", "MLP", "Network", KINDS),
    Setting("inputs", "params_inputs", 784, "Inputs", low=1, high=100_000, help="784 for a flattened 28x28 image."),
    Setting("hidden", "params_hidden", "300, 100", "Hidden layers (units, comma-separated)"),
    Setting("outputs", "params_outputs", 10, "Output units", low=1, high=1000),
    Setting("h", "params_h", 28, "Image height", low=1, high=512),
    Setting("w", "params_w", 28, "Image width", low=1, high=512),
    Setting("c", "params_c", 1, "Channels", low=1, high=512),
    Setting("filters", "params_filters", "32, 64", "Conv filters per layer"),
    Setting("kernel", "params_kernel", 3, "Kernel size", low=1, high=11),
    Setting("pool", "params_pool", 2, "Pool size", low=1, high=4),
    Setting("dense", "params_dense", "", "Dense layers after flatten"),
    Setting(
        "dropout",
        "params_dropout",
        0.5,
        "Dropout",
        low=0.0,
        high=0.9,
        step=0.1,
        help="A Dropout layer after Flatten: it has no parameters.",
    ),
    Setting("widths", "params_width_range", (1, 100), "Hidden-layer width", low=1, high=512),
    Setting("wstep", "params_width_step", 10, "Step", low=1, high=256),
    Setting("depths", "params_depths", (1, 2, 3), "Hidden layers", (1, 2, 3)),
)
WEIGHTS = Schema(Setting("tab", "weights_tab", "", "View", TABS)) + COUNTING


def link_skips(has_model: bool) -> set[str]:
    """The view when there is no model to view; the counting form when another view is open; the other kind's
    fields."""
    v = WEIGHTS.values()
    skip = set(CNN_FIELDS if v["kind"] == "MLP" else MLP_FIELDS)
    if not has_model:
        return skip | {"tab"}
    return skip | (set() if v["tab"] == COUNTING_TAB else set(COUNTING.settings))
