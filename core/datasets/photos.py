"""scikit-learn's two sample photos (china.jpg and flower.jpg, 427 x 640 x 3, shipped inside scikit-learn, so
offline): the tensor-rank lesson's `load_sample_image("china.jpg")`, and a photo to show a network."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

PHOTOS = ("china.jpg", "flower.jpg")


@lru_cache(maxsize=1)
def sample_photos() -> dict[str, np.ndarray]:
    """{file name: (427, 640, 3) uint8}, read once per process and read-only (pages share them)."""
    from sklearn.datasets import load_sample_images

    bunch = load_sample_images()
    photos = {Path(name).name: np.asarray(image) for name, image in zip(bunch.filenames, bunch.images)}
    for image in photos.values():
        image.setflags(write=False)
    return {name: photos[name] for name in PHOTOS}


__all__ = ["PHOTOS", "sample_photos"]
