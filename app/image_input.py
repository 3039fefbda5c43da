"""An image a student makes for a network that takes images: a digit drawn with the mouse, or a photo uploaded,
each prepared the way the dataset's images are (`core.drawing`); scikit-learn's sample photos offered first. Used by the pages that explain one prediction."""

from __future__ import annotations

import numpy as np
import streamlit as st

from app.figures.images import png_bytes
from app.messages import show_error
from core.datasets.photos import PHOTOS, sample_photos
from core.drawing import drawing_to_input, ink_fraction, photo_to_input
from core.errors import NNLabError
from core.experiment import PreparedData

CANVAS = 224  # pixels a side
UPLOAD = "Upload your own"


def drawn(data: PreparedData, key: str) -> np.ndarray | None:
    """A drawing as one input (h, w, c) in [0, 1], or None (with what to do) before the first stroke."""
    from streamlit_drawable_canvas import st_canvas

    result = st_canvas(
        stroke_width=CANVAS // 12,
        stroke_color="#ffffff",
        background_color="#000000",
        height=CANVAS,
        width=CANVAS,
        drawing_mode="freedraw",
        key=key,
        return_image_data=True,
    )
    image = None
    if result.image_data is not None:
        image = drawing_to_input(result.image_data, data.input_shape, ink_fraction(data.X_train))
    if image is None:
        st.caption(
            "Draw with the mouse (light on dark, like the dataset's digits). The drawing is cropped, scaled and "
            "centred the way the dataset's images are."
        )
    return image


def photo(data: PreparedData, key: str) -> tuple[np.ndarray, str] | None:
    """scikit-learn's sample photo or an uploaded PNG or JPEG as one input (h, w, c), centre-cropped and resized,
    and its name; None (or one message)."""
    which = st.segmented_control("Photo", (*PHOTOS, UPLOAD), default=PHOTOS[0], key=f"{key}_which")
    which = which or PHOTOS[0]
    if which != UPLOAD:
        return photo_to_input(png_bytes(sample_photos()[which]), data.input_shape), f"scikit-learn's {which}"
    upload = st.file_uploader("A PNG or JPEG photo", type=["png", "jpg", "jpeg"], key=key)
    if upload is None:
        return None
    try:
        return photo_to_input(upload.getvalue(), data.input_shape), "your photo"
    except NNLabError as exc:
        show_error(exc)
        return None
