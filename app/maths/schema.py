"""The Activation functions and Loss functions pages' settings, each declared once (see `app.settings`), so
their views are links too (`/activations?fns=relu,leaky_relu&slope=0.1`)."""

from __future__ import annotations

from app.settings import Schema, Setting
from core.activations import ACTIVATIONS, get_activation
from core.losses import LOSSES, get_loss

ACTIVATION = Schema(
    Setting("fns", "act_names", ("sigmoid", "tanh", "relu"), "Functions", tuple(ACTIVATIONS),
            format=lambda n: get_activation(n).title),
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
