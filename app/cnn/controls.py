"""The CNN lab's controls (in the sidebar): image data, a preset or any convnet, augmentation, and training
(the data and training sections are the Training page's). They return the Experiment they describe."""

from __future__ import annotations

import streamlit as st

from app import settings as w
from app.cnn.schema import AUGMENT, PRESETS, spec_from
from app.messages import plain
from app.settings import Schema
from app.training.controls import data_section, experiment, training_section
from app.widgets import Picked
from core.errors import InvalidSpecError
from core.experiment import Experiment

PRESET_KEY = "cnn_preset"


def _apply_preset(page: Schema) -> None:
    for name, value in PRESETS[st.session_state[PRESET_KEY]].items():
        st.session_state[page[name].key] = value


def controls(page: Schema) -> tuple[Picked, Experiment | None]:
    data = data_section(page, "Images")
    ds = data.picked.dataset
    if ds is not None and ds.kind != "image":
        st.error(
            f"{plain(ds.source)} holds a table, not images: a convnet needs images (h x w x channels). Upload "
            "images (a zip of class folders, IDX, CIFAR batches or an .npz of images), or use the Training page.",
            icon=":material/image_not_supported:",
        )
        data = data._replace(picked=data.picked._replace(dataset=None))

    st.header("Network")
    st.selectbox(
        "Start from a lesson's network",
        list(PRESETS),
        index=None,
        key=PRESET_KEY,
        placeholder="Choose a preset, or set the layers below",
        on_change=_apply_preset,
        args=(page,),
    )
    blocks = w.slider(page["blocks"])
    for i in range(1, blocks + 1):
        w.slider(page[f"f{i}"])
    c = st.columns(2)
    w.radio(page["k"], c[0], horizontal=True)
    w.radio(page["pool"], c[1], horizontal=True)
    w.selectbox(page["act"])
    w.slider(page["drop"])
    dense = w.slider(page["dense"])
    for i in range(1, dense + 1):
        w.slider(page[f"d{i}"])

    st.header("Augmentation")
    st.caption("Random changes to each training image, every epoch (Keras preprocessing layers; off at test time).")
    for name in AUGMENT.settings:
        (w.selectbox if name == "flip" else w.slider)(page[name])

    config = training_section(page, "keras")
    try:
        spec = spec_from(page.values())
    except InvalidSpecError as exc:
        st.error(plain(str(exc)), icon=":material/error:")
        return data.picked, None
    return data.picked, experiment(data, "keras", spec, config)
