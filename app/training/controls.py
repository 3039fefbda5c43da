"""The Training page's controls (in the sidebar): dataset, backend, architecture and training settings, built
from the page's schema; they return the Experiment they describe."""

from __future__ import annotations

import streamlit as st

from app import settings as w
from app.settings import Schema
from app.widgets import Picked, dataset_picker
from core.activations import KERAS_ACTIVATIONS, SKLEARN_ACTIVATIONS
from core.experiment import Experiment
from core.spec import OPTIMIZERS, MLPSpec, TrainConfig


def _keep_valid(key: str, options, what: str) -> None:
    """If a setting is not offered by the chosen backend, fall back to its first option and say so."""
    if st.session_state[key] not in options:
        st.info(f"{st.session_state[key]} is not available here; using {options[0]} for the {what}.")
        st.session_state[key] = options[0]


def controls(page: Schema) -> tuple[Picked, Experiment | None]:
    st.header("Data")
    picked = dataset_picker(page)
    size = picked.dataset.n_samples if picked.dataset is not None else 70000
    if size > 60:
        st.session_state["train_n"] = min(max(st.session_state["train_n"], 50), size)
        n = w.slider(page["n"], max_value=size, step=max(1, size // 200) if size > 500 else 1)
    else:
        n = size
        st.caption(f"All {size} samples are used.")
    test = w.slider(page["test"])
    seed = w.number_input(page["seed"])

    st.header("Network")
    backend = w.radio(page["backend"], horizontal=True)
    depth = w.slider(page["depth"])
    widths = tuple(w.slider(page[f"w{i + 1}"]) for i in range(depth))
    acts = list(SKLEARN_ACTIVATIONS) if backend == "sklearn" else list(KERAS_ACTIVATIONS)
    _keep_valid("train_act", acts, "activation")
    act = w.selectbox(page["act"], options=acts)
    dropout = w.slider(page["drop"], disabled=backend != "keras")

    st.header("Training")
    optimizers = [o for o in OPTIMIZERS if backend == "keras" or o != "rmsprop"]
    _keep_valid("train_opt", optimizers, "optimizer")
    opt = w.selectbox(page["opt"], options=optimizers)
    lr = w.select_slider(page["lr"])
    batch = w.select_slider(page["bs"])
    epochs = w.slider(page["epochs"])
    l2 = w.select_slider(page["l2"])
    val = w.slider(page["val"])
    patience = w.slider(page["patience"], disabled=val == 0)
    if picked.dataset is None:
        return picked, None
    return picked, Experiment(
        dataset=picked.name, data_options=picked.options, max_samples=n if n < size else None, test_fraction=test,
        split_seed=int(seed), backend=backend,
        spec=MLPSpec(hidden_layers=widths, activation=act, dropout=dropout if backend == "keras" else 0.0),
        config=TrainConfig(epochs=epochs, batch_size=batch, learning_rate=lr, optimizer=opt, l2=l2,
                           validation_fraction=val, early_stopping_patience=(patience or None) if val else None,
                           seed=int(seed)))
