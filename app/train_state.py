"""The Training page's settings: one schema for widget defaults, the URL (a lesson is a link) and the
Experiment they describe.

`init_state()` seeds the widgets' session keys once per session: defaults, overridden by valid URL values;
an unknown or out-of-range URL value is dropped with a warning. `sync_url()` writes the non-default
settings back, so the address bar always holds the current lesson.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import streamlit as st

from core.activations import ACTIVATIONS
from core.datasets import dataset_info
from core.experiment import Experiment
from core.models import BACKENDS
from core.spec import OPTIMIZERS

LEARNING_RATES = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0)
BATCH_SIZES = (1, 8, 16, 32, 64, 128, 200, 256, 512, 1024)
L2_VALUES = (0.0, 1e-5, 1e-4, 1e-3, 1e-2, 0.1)
MAX_HIDDEN, MAX_WIDTH = 6, 512
LOADED = "train_url_loaded"


@dataclass(frozen=True)
class Setting:
    key: str                        # the widget's session key
    default: Any
    parse: Callable[[str], Any]
    allowed: Sequence | tuple       # options, or a (low, high) range for numbers
    is_range: bool = False

    def accepts(self, value) -> bool:
        if self.is_range:
            return self.allowed[0] <= value <= self.allowed[1]
        return value in self.allowed


SETTINGS: dict[str, Setting] = {          # URL name -> setting
    "backend": Setting("train_backend", "sklearn", str, BACKENDS),
    "act": Setting("train_act", "relu", str, tuple(ACTIVATIONS)),
    "depth": Setting("train_depth", 2, int, (0, MAX_HIDDEN), True),
    **{f"w{i + 1}": Setting(f"train_w{i}", 16, int, (1, MAX_WIDTH), True) for i in range(MAX_HIDDEN)},
    "opt": Setting("train_opt", "adam", str, OPTIMIZERS),
    "lr": Setting("train_lr", 3e-3, float, LEARNING_RATES),
    "bs": Setting("train_bs", 32, int, BATCH_SIZES),
    "epochs": Setting("train_epochs", 20, int, (1, 200), True),
    "l2": Setting("train_l2", 0.0, float, L2_VALUES),
    "drop": Setting("train_dropout", 0.0, float, (0.0, 0.5), True),
    "val": Setting("train_val", 0.1, float, (0.0, 0.3), True),
    "patience": Setting("train_patience", 0, int, (0, 20), True),
    "n": Setting("train_n", 2000, int, (50, 70000), True),
    "points": Setting("train_points", 400, int, (50, 2000), True),         # a generated 2-D set's options
    "noise": Setting("train_noise", 0.1, float, (0.0, 0.5), True),
    "dseed": Setting("train_data_seed", 0, int, (0, 9999), True),
    "test": Setting("train_test", 0.2, float, (0.1, 0.5), True),
    "seed": Setting("train_seed", 0, int, (0, 9999), True),
}


def init_state() -> list[str]:
    """Seed every widget key (defaults, then URL values). Returns warnings about URL values it dropped."""
    warnings = []
    first = not st.session_state.get(LOADED)
    for name, s in SETTINGS.items():
        st.session_state.setdefault(s.key, s.default)
        raw = st.query_params.get(name)
        if not first or raw is None:
            continue
        try:
            value = s.parse(raw)
            ok = s.accepts(value)
        except ValueError:
            ok = False
        if ok:
            st.session_state[s.key] = value
        else:
            warnings.append(f"{name}={raw!r}")
    st.session_state[LOADED] = True
    return warnings


def sync_url(exp: Experiment | None) -> None:
    """Write every setting that matters for `exp` and is not its default to the URL (short, stable links):
    no subset size when all samples are used, no points/noise/seed unless the data is a generated 2-D set."""
    omit = set()
    if exp is None or exp.max_samples is None:
        omit.add("n")
    if exp is None or dataset_info(exp.dataset).kind != "toy2d":
        omit |= {"points", "noise", "dseed"}
    for name, s in SETTINGS.items():
        value = st.session_state.get(s.key, s.default)
        unused = name[0] == "w" and name[1:].isdigit() and int(name[1:]) > st.session_state["train_depth"]
        if value == s.default or unused or name in omit:
            if name in st.query_params:
                del st.query_params[name]
        elif st.query_params.get(name) != str(value):
            st.query_params[name] = str(value)
