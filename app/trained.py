"""The trained model a session holds, shared between pages (`st.session_state[TRAINED_KEY]`).

The Training page stores its finished runs here; other pages (activation functions, weights) read it.
Where there is none yet, `quick_run` trains a small scikit-learn MLP on digits in about a second, so a
page never waits on TensorFlow for this; `quick_cnn` trains a small Keras CNN on digits when asked (it
imports TensorFlow: 5-10 s the first time on a small machine).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from app.data_access import get_split
from core.models import BaseModel, build_model
from core.spec import CNNSpec, MLPSpec, TrainConfig

TRAINED_KEY = "trained_run"
SAMPLE = 500          # samples kept for looking inside the model


@dataclass
class TrainedRun:
    model: BaseModel
    dataset: str
    X_sample: np.ndarray          # (SAMPLE, ...) test inputs to feed through the model
    label: str                    # how pages name it: "MLP (32, 16) relu on digits, sklearn"


def current_run() -> TrainedRun | None:
    return st.session_state.get(TRAINED_KEY)


def _quick(spec, backend: str, config: TrainConfig, describe: str) -> TrainedRun:
    """Train `spec` on digits and keep it as this session's model, labelled "<describe>, test accuracy ..."."""
    split = get_split("digits", (), 0.2, 0)
    model = build_model(spec, backend, input_shape=split.X_train.shape[1:], n_outputs=10)
    model.fit(split.X_train, split.y_train, config)
    run = TrainedRun(model, "digits", split.X_test[:SAMPLE],
                     f"{describe}, test accuracy {model.score(split.X_test, split.y_test):.0%})")
    st.session_state[TRAINED_KEY] = run
    return run


def quick_run(activation: str, hidden=(32, 16), epochs: int = 30) -> TrainedRun:
    """Train an MLP on digits with scikit-learn and keep it as this session's model."""
    return _quick(MLPSpec(hidden_layers=hidden, activation=activation), "sklearn",
                  TrainConfig(epochs=epochs, batch_size=64, learning_rate=3e-3),
                  f"MLP {hidden} {activation} on digits (scikit-learn, {epochs} epochs")


def quick_cnn(filters: int = 8, epochs: int = 20) -> TrainedRun:
    """Train a one-conv-layer Keras CNN on digits (8x8 images: 3x3 kernels, 2x2 pooling, then the output
    layer) and keep it as this session's model."""
    return _quick(CNNSpec(conv_filters=(filters,), kernel_size=3, pool_size=2, dense_layers=(), dropout=0.0), "keras",
                  TrainConfig(epochs=epochs, batch_size=32, learning_rate=1e-2),
                  f"CNN ({filters} filters 3x3, max-pool 2x2) on digits (Keras, {epochs} epochs")
