"""The backpropagation page's lesson state and tables: every number of one step, in the lessons' notation."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import streamlit as st

from core.backprop import Params, StepResult, TinyNet

STATE_KEY = "bp_state"


@dataclass
class Lesson:
    """One network being trained by hand on one example: its settings, the network (built once per settings),
    the loss after each applied update, and a version that changes whenever the weights change other than by
    editing them (so the weight editors show the new values)."""

    config: tuple  # (layer sizes, activation, output activation, loss, seed)
    net: TinyNet
    losses: list[float] = field(default_factory=list)
    version: int = 0

    @classmethod
    def for_settings(cls, sizes: tuple[int, ...], activation: str, output: str, loss: str, seed: int) -> "Lesson":
        """The session's lesson, or a new one when the settings changed. InvalidSpecError for an impossible net."""
        config = (sizes, activation, output, loss, seed)
        lesson = st.session_state.get(STATE_KEY)
        if lesson is None or lesson.config != config:
            lesson = st.session_state[STATE_KEY] = cls(config, TinyNet(sizes, activation, output, loss, seed=seed))
        return lesson

    def edit(self, weights: Params) -> None:
        self.net.set_weights(weights)

    def preview(self, x: np.ndarray, y: np.ndarray, learning_rate: float) -> StepResult:
        """Every number of the next update, without applying it."""
        before = self.net.weights
        result = self.net.step(x, y, learning_rate)
        self.net.weights = before
        return result

    def apply(self, result: StepResult) -> None:
        """Apply a previewed update and record the loss before (the first time) and after it."""
        self.losses += [result.loss, result.loss_after] if not self.losses else [result.loss_after]
        self.net.set_weights(result.new_weights)
        self.version += 1

    def run(self, x: np.ndarray, y: np.ndarray, learning_rate: float, updates: int) -> None:
        if not self.losses:
            self.losses.append(self.net.loss_value(x, y))
        for _ in range(updates):
            self.losses.append(self.net.step(x, y, learning_rate).loss_after)
        self.version += 1


def _n(v: float) -> str:
    return f"({v:.3f})" if v < 0 else f"{v:.3f}"


def forward_rows(net: TinyNet, r: StepResult) -> pd.DataFrame:
    """One row per unit: z = sum_i W[i, j] a_i + b_j written out with the numbers, then a = f(z)."""
    rows = []
    for li, (W, b) in enumerate(r.old_weights, 1):
        f = net.output_activation if li == len(r.old_weights) else net.activation
        for j in range(W.shape[1]):
            terms = " + ".join(f"{_n(W[i, j])}×{_n(r.a[li - 1][i])}" for i in range(W.shape[0]))
            rows.append(
                {
                    "layer": li,
                    "unit": j + 1,
                    "z = Wᵀa + b": f"{terms} + {_n(b[j])} = {r.z[li - 1][j]:.4f}",
                    "a = f(z)": f"{f}({r.z[li - 1][j]:.4f}) = {r.a[li][j]:.4f}",
                }
            )
    return pd.DataFrame(rows)


def backward_rows(net: TinyNet, r: StepResult) -> pd.DataFrame:
    """One row per unit, output layer first: dL/da, f'(z), dL/dz = delta (= dL/db)."""
    rows = []
    last = len(r.delta)
    for li in range(last, 0, -1):
        softmax = li == last and net.output_activation == "softmax"
        for j in range(r.delta[li - 1].size):
            rows.append(
                {
                    "layer": li,
                    "unit": j + 1,
                    "dL/da": round(float(r.dL_da[li - 1][j]), 5),
                    "f'(z)": "softmax Jacobian"
                    if softmax
                    else round(float(r.delta[li - 1][j] / r.dL_da[li - 1][j]), 5)
                    if r.dL_da[li - 1][j] != 0
                    else "-",
                    "dL/dz = δ = dL/db": round(float(r.delta[li - 1][j]), 5),
                }
            )
    return pd.DataFrame(rows)


def weight_gradient(r: StepResult, layer: int) -> pd.DataFrame:
    """dL/dW for one layer as a table: rows are inputs a_i, columns units j, cells a_i × δ_j."""
    dW = r.gradients[layer - 1][0]
    return pd.DataFrame(
        dW.round(5),
        index=[f"a{layer - 1}[{i + 1}] = {v:.3f}" for i, v in enumerate(r.a[layer - 1])],
        columns=[f"δ{layer}[{j + 1}] = {d:.4f}" for j, d in enumerate(r.delta[layer - 1])],
    )


def _param_names(W: np.ndarray, li: int) -> list[str]:
    return [f"W{li}[{i + 1},{j + 1}]" for i, j in np.ndindex(W.shape)] + [f"b{li}[{j + 1}]" for j in range(W.shape[1])]


def update_rows(r: StepResult, learning_rate: float) -> pd.DataFrame:
    rows = []
    for li, ((W, b), (dW, db), (nW, nb)) in enumerate(zip(r.old_weights, r.gradients, r.new_weights), 1):
        for name, old, g, new in zip(
            _param_names(W, li), np.r_[W.ravel(), b], np.r_[dW.ravel(), db], np.r_[nW.ravel(), nb]
        ):
            rows.append(
                {
                    "parameter": name,
                    "w": round(old, 5),
                    "dL/dw": round(g, 6),
                    f"w - {learning_rate:g} × dL/dw": round(new, 5),
                }
            )
    return pd.DataFrame(rows)


def check_rows(r: StepResult, numeric) -> pd.DataFrame:
    rows = []
    for li, ((W, _), (dW, db), (nW, nb)) in enumerate(zip(r.old_weights, r.gradients, numeric), 1):
        for name, g, n in zip(_param_names(W, li), np.r_[dW.ravel(), db], np.r_[nW.ravel(), nb]):
            rows.append({"parameter": name, "backpropagation": g, "finite differences": n, "|difference|": abs(g - n)})
    return pd.DataFrame(rows)


def weights_table(W: np.ndarray, b: np.ndarray) -> pd.DataFrame:
    """An editable layer: one row per input plus a bias row, one column per unit."""
    return pd.DataFrame(
        np.vstack([W, b]),
        index=[f"from input {i + 1}" for i in range(W.shape[0])] + ["bias"],
        columns=[f"unit {j + 1}" for j in range(W.shape[1])],
    )
