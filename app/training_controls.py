"""The Training page's controls (in the sidebar): dataset, backend, architecture and training settings.
They read and write the session keys of `app.train_state`, and return the Experiment they describe."""

from __future__ import annotations

import streamlit as st

from app.train_state import BATCH_SIZES, L2_VALUES, LEARNING_RATES, MAX_HIDDEN, MAX_WIDTH
from app.widgets import Picked, dataset_picker
from core.activations import KERAS_ACTIVATIONS, SKLEARN_ACTIVATIONS, get_activation
from core.experiment import Experiment
from core.spec import OPTIMIZERS, MLPSpec, TrainConfig

BACKEND_NAMES = {"sklearn": "scikit-learn MLP", "keras": "Keras (TensorFlow)"}


def _keep_valid(key: str, options, what: str) -> None:
    """If a setting is not offered by the chosen backend, fall back to its first option and say so."""
    if st.session_state[key] not in options:
        st.info(f"{st.session_state[key]} is not available here; using {options[0]} for the {what}.")
        st.session_state[key] = options[0]


def controls() -> tuple[Picked, Experiment | None]:
    st.header("Data")
    picked = dataset_picker("train", allow_upload=False)
    size = picked.dataset.n_samples if picked.dataset is not None else 70000
    if size > 60:
        st.session_state["train_n"] = min(max(st.session_state["train_n"], 50), size)
        n = st.slider("Samples used (train + test)", 50, size, key="train_n", step=max(1, size // 200) if size > 500 else 1,
                      help="A stratified subset keeps live demos fast.")
    else:
        n = size
        st.caption(f"All {size} samples are used.")
    test = st.slider("Test fraction", 0.1, 0.5, key="train_test", step=0.05)
    seed = st.number_input("Seed (split and weights)", 0, 9999, key="train_seed")

    st.header("Network")
    backend = st.radio("Backend", list(BACKEND_NAMES), format_func=BACKEND_NAMES.get, key="train_backend", horizontal=True)
    depth = st.slider("Hidden layers", 0, MAX_HIDDEN, key="train_depth")
    widths = tuple(st.slider(f"Units in hidden layer {i + 1}", 1, MAX_WIDTH, key=f"train_w{i}") for i in range(depth))
    acts = list(SKLEARN_ACTIVATIONS) if backend == "sklearn" else list(KERAS_ACTIVATIONS)
    _keep_valid("train_act", acts, "activation")
    act = st.selectbox("Activation", acts, format_func=lambda a: get_activation(a).title, key="train_act")
    dropout = st.slider("Dropout after each hidden layer", 0.0, 0.5, key="train_dropout", step=0.05,
                        disabled=backend != "keras", help="Keras only.")

    st.header("Training")
    optimizers = [o for o in OPTIMIZERS if backend == "keras" or o != "rmsprop"]
    _keep_valid("train_opt", optimizers, "optimizer")
    opt = st.selectbox("Optimizer", optimizers, key="train_opt")
    lr = st.select_slider("Learning rate", LEARNING_RATES, key="train_lr", format_func=lambda v: f"{v:g}")
    batch = st.select_slider("Batch size", BATCH_SIZES, key="train_bs")
    epochs = st.slider("Epochs", 1, 200, key="train_epochs")
    l2 = st.select_slider("L2 penalty", L2_VALUES, key="train_l2", format_func=lambda v: f"{v:g}",
                          help="Keras adds l2 x (sum of squared weights) to the loss; scikit-learn's alpha adds "
                               "0.5 x alpha x (sum of squared weights) / samples, so equal values are not equal "
                               "penalties across backends.")
    val = st.slider("Validation fraction", 0.0, 0.3, key="train_val", step=0.05)
    patience = st.slider("Early stopping patience (0 = off)", 0, 20, key="train_patience", disabled=val == 0)
    if picked.dataset is None:
        return picked, None
    return picked, Experiment(
        dataset=picked.name, data_options=picked.options, max_samples=n if n < size else None, test_fraction=test,
        split_seed=int(seed), backend=backend,
        spec=MLPSpec(hidden_layers=widths, activation=act, dropout=dropout if backend == "keras" else 0.0),
        config=TrainConfig(epochs=epochs, batch_size=batch, learning_rate=lr, optimizer=opt, l2=l2,
                           validation_fraction=val, early_stopping_patience=(patience or None) if val else None,
                           seed=int(seed)))

