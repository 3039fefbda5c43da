"""The Data page's "Tensors" view: a photo as the lessons load it (scikit-learn's `load_sample_image`), its rank
and shape, and the scalar, vector, matrix and batch inside it; beside it, the rank of the chosen dataset's arrays."""

from __future__ import annotations

import numpy as np
import streamlit as st

from app import settings as sw
from app.data.schema import VIEWS
from app.messages import plain
from app.tables import read_table
from core.datasets import Dataset
from core.datasets.photos import sample_photos

ROW, COL = 200, 300  # the pixel the scalar and the vector are read at
CHANNEL_NAMES = ("red", "green", "blue")


def tensors(ds: Dataset) -> None:
    photos = sample_photos()
    name = sw.segmented_control(VIEWS["photo"]) or VIEWS["photo"].default
    photo = photos[name]
    batch_shape = (len(photos), *photo.shape)
    st.markdown(
        f'`photo = load_sample_image("{name}")` (scikit-learn\'s, offline): rank {photo.ndim}, shape {photo.shape}, '
        f"dtype {photo.dtype}, {photo.size:,} numbers."
    )
    rows = [
        ("0, a scalar", f"photo[{ROW}, {COL}, 0]", "()", str(int(photo[ROW, COL, 0])), "one pixel's red intensity"),
        ("1, a vector", f"photo[{ROW}, {COL}]", f"({photo.shape[2]},)", str(photo[ROW, COL].tolist()), "one pixel"),
        ("2, a matrix", "photo[:, :, 0]", str(photo.shape[:2]), "", "the red channel: a grid of intensities"),
        ("3", "photo", str(photo.shape), "", "height x width x channels"),
        ("4", "np.stack([china, flower])", str(batch_shape), "", "a batch of images, as Keras takes them"),
    ]
    st.image(
        [photo] + [np.ascontiguousarray(photo[..., c]) for c in range(3)],
        caption=["photo"] + [f"photo[:, :, {c}], {CHANNEL_NAMES[c]}" for c in range(3)],
        width=160,
    )
    st.caption("Each channel drawn in grey: black is 0, white 255.")
    read_table([dict(zip(("rank", "expression", "shape", "value", "what it is"), r)) for r in rows])
    X = ds.X
    st.markdown(
        f"**{plain(ds.title)}** as the network receives it: X has rank {X.ndim}, shape {X.shape}"
        + (" (samples x height x width x channels)" if X.ndim == 4 else " (samples x features)")
        + f"; y has rank {ds.y.ndim}, shape {ds.y.shape}."
    )
