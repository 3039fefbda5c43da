"""The maths pages' settings (Activation functions, Loss functions, Backpropagation, Gradient descent), each
declared once (see `app.settings`), so their views are links too (`/activations?fns=relu,leaky_relu&slope=0.1`)."""

from __future__ import annotations

from app.settings import Schema, Setting
from core.activations import ACTIVATIONS, KERAS_ACTIVATIONS, get_activation
from core.backprop import LOSSES as BP_LOSSES
from core.backprop import OUTPUTS
from core.losses import LOSSES, get_loss
from core.optimizers import OPTIMIZERS, SURFACES

ACTIVATION = Schema(
    Setting(
        "fns",
        "act_names",
        ("sigmoid", "tanh", "relu"),
        "Functions",
        tuple(ACTIVATIONS),
        format=lambda n: get_activation(n).title,
    ),
    Setting("range", "act_range", (-6.0, 6.0), "Input range z", low=-10.0, high=10.0, step=0.5),
    Setting("slope", "act_slope", 0.2, "Leaky ReLU negative slope", low=0.0, high=0.5, step=0.01),
)

LOSS = Schema(
    Setting("loss", "loss_name", "mse", "Loss", tuple(LOSSES), format=lambda n: get_loss(n).title),
    Setting("compare", "loss_compare", (), "Compare with", tuple(LOSSES), format=lambda n: get_loss(n).title),
    Setting("delta", "loss_delta", 1.0, "Huber delta", low=0.1, high=3.0, step=0.1),
    Setting("y", "loss_target", 1.0, "Target y", low=-2.0, high=2.0, step=0.5),
    Setting("p", "loss_target_p", 1.0, "Target y", (0.0, 0.25, 0.5, 0.75, 1.0)),
    Setting("k", "loss_target_k", 0, "True class (of 3)", (0, 1, 2)),
    Setting("h", "loss_target_h", 1, "Label y (hinge takes -1 or +1)", (-1, 1)),
    Setting("outlier", "loss_outlier", 8.0, "Move one target far away", low=0.0, high=20.0, step=0.5),
)

MAX_IN = MAX_OUT = MAX_DEPTH = 3
BP_RATES = (0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 2.0, 5.0)
BP_TABS = ("1. Forward pass", "2. Backward pass", "3. Update", "Gradient check", "Loss over updates")
BACKPROP = Schema(
    Setting("in", "bp_in", 2, "Inputs", low=1, high=MAX_IN),
    Setting("out", "bp_out", 1, "Outputs", low=1, high=MAX_OUT),
    Setting("depth", "bp_depth", 1, "Hidden layers", low=1, high=MAX_DEPTH),
    *(Setting(f"h{i + 1}", f"bp_h{i}", 3, f"Units in hidden layer {i + 1}", low=1, high=4) for i in range(MAX_DEPTH)),
    Setting("act", "bp_act", KERAS_ACTIVATIONS[0], "Hidden activation", KERAS_ACTIVATIONS),
    Setting("output", "bp_output", "sigmoid", "Output activation", OUTPUTS),
    Setting("loss", "bp_loss", BP_LOSSES[0], "Loss", BP_LOSSES),
    Setting("seed", "bp_seed", 0, "Weight seed", low=0, high=999),
    *(
        Setting(f"x{i + 1}", f"bp_x{i}", (0.5, -1.0, 2.0)[i], f"x{i + 1}", low=-5.0, high=5.0, step=0.1)
        for i in range(MAX_IN)
    ),
    Setting("cls", "bp_class", 1, "True class", tuple(range(1, MAX_OUT + 1))),
    *(Setting(f"y{j + 1}", f"bp_y{j}", 1.0, f"target y{j + 1}", low=-5.0, high=5.0, step=0.1) for j in range(MAX_OUT)),
    Setting("lr", "bp_lr", 0.5, "Learning rate α", BP_RATES),
    Setting("tab", "bp_tab", BP_TABS[0], "Step", BP_TABS),
)


def backprop_skips(values: dict) -> set[str]:
    """What does not matter for the network shown: layers, inputs and targets beyond its sizes; the true class
    unless the output is a softmax, the targets when it is."""
    v = values
    skip = (
        {f"h{i + 1}" for i in range(v["depth"], MAX_DEPTH)}
        | {f"x{i + 1}" for i in range(v["in"], MAX_IN)}
        | {f"y{j + 1}" for j in range(v["out"], MAX_OUT)}
    )
    return skip | ({f"y{j + 1}" for j in range(MAX_OUT)} if v["output"] == "softmax" else {"cls"})


GD_RATES = (0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 1.5, 3.0)
GD_TABS = ("Batch, mini-batch, stochastic", "Optimizers on loss surfaces")
GRADIENT_DESCENT = Schema(
    Setting("tab", "gd_tab", GD_TABS[0], "View", GD_TABS),
    Setting("lr", "gd_lr", 0.3, "Learning rate α", GD_RATES),
    Setting("epochs", "gd_epochs", 5, "Epochs", low=1, high=15),
    Setting("batch", "gd_batch", 20, "Mini-batch size", (2, 5, 10, 20, 50, 100)),
    Setting("seed", "gd_seed", 0, "Shuffle seed", low=0, high=999),
    Setting(
        "surface", "gd_surface", next(iter(SURFACES)), "Surface", tuple(SURFACES), format=lambda n: SURFACES[n].title
    ),
    Setting("opts", "gd_opts", tuple(OPTIMIZERS), "Optimizers", tuple(OPTIMIZERS)),
    *(
        Setting(f"lr_{name}", f"gd_lr_{name}", surface.learning_rate, "Learning rate", GD_RATES)
        for name, surface in SURFACES.items()
    ),
    Setting("steps", "gd_steps", 100, "Steps", low=10, high=500, step=10),
)


def descent_skips(values: dict) -> set[str]:
    """The settings of the view that is not open, and the learning rates of the other surfaces."""
    first = {"lr", "epochs", "batch", "seed"}
    second = {"surface", "opts", "steps", *(f"lr_{name}" for name in SURFACES)}
    if values["tab"] == GD_TABS[0]:
        return second
    return first | {f"lr_{name}" for name in SURFACES if name != values["surface"]}
