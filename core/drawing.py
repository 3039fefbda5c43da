"""A drawing or a photo made into one model input, prepared the way the dataset's own images were.

MNIST's digits were scaled so their ink fits a 20 x 20 box, then centred by their centre of mass in 28 x 28;
scikit-learn's 8 x 8 digits fill more of their square. `ink_fraction` measures how much of the square a
dataset's ink spans, and `drawing_to_input` crops a drawing to its ink, scales it to that fraction of the
input, centres it by its centre of mass and averages it down (anti-aliased), so a stroke looks like the
training images. `photo_to_input` centre-crops and resizes a photo, in grey or colour like the dataset.
"""

from __future__ import annotations

import io

import numpy as np

from core.datasets.image_folders import MAX_PIXELS
from core.errors import DataFormatError

INK = 0.2  # a pixel at least this bright (of 1) counts as ink


def ink_fraction(images: np.ndarray, sample: int = 500) -> float:
    """The median share of the image's side that the ink's bounding box spans (images (n, h, w, c) in [0, 1],
    ink bright on dark): about 0.71 for MNIST (20 of 28 pixels)."""
    spans = []
    for img in images[:: max(1, len(images) // sample)][:sample]:
        rows, cols = np.nonzero(img.max(axis=-1) >= INK)
        if rows.size:
            spans.append(max(np.ptp(rows) + 1, np.ptp(cols) + 1) / max(img.shape[:2]))
    return float(np.median(spans)) if spans else 0.7


def drawing_to_input(rgba: np.ndarray, shape: tuple[int, int, int], fraction: float) -> np.ndarray | None:
    """A canvas (H, W, 4) uint8 of light strokes on a dark background as one input (h, w, c) in [0, 1], or None
    when nothing is drawn."""
    from PIL import Image

    ink = np.asarray(rgba, np.float32)[..., :3].max(axis=-1) / 255.0
    rows, cols = np.nonzero(ink >= INK)
    if rows.size == 0:
        return None
    crop = ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    h, w, c = shape
    box = max(1, round(fraction * min(h, w)))
    scale = box / max(crop.shape)
    size = (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale)))
    small = np.asarray(Image.fromarray((crop * 255).astype(np.uint8)).resize(size, Image.BOX), np.float32) / 255.0
    ys, xs = np.indices(small.shape)
    cy, cx = (ys * small).sum() / small.sum(), (xs * small).sum() / small.sum()  # the ink's centre of mass
    top = min(max(int(round((h - 1) / 2 - cy)), 0), h - small.shape[0])
    left = min(max(int(round((w - 1) / 2 - cx)), 0), w - small.shape[1])
    out = np.zeros((h, w), np.float32)
    out[top : top + small.shape[0], left : left + small.shape[1]] = small
    return np.repeat(out[..., None], c, axis=-1)


def photo_to_input(content: bytes, shape: tuple[int, int, int]) -> np.ndarray:
    """A PNG or JPEG as one input (h, w, c) in [0, 1]: centre-cropped to the input's aspect, resized, grey or
    colour as the dataset. DataFormatError for anything else (or an image too large to decode)."""
    from PIL import Image, UnidentifiedImageError

    h, w, c = shape
    try:
        with Image.open(io.BytesIO(content)) as im:
            if im.size[0] * im.size[1] > MAX_PIXELS:
                raise DataFormatError(
                    f"The photo is {im.size[0]} x {im.size[1]} pixels; at most {MAX_PIXELS:,} "
                    "are decoded. Use a smaller one."
                )
            im = im.convert("L" if c == 1 else "RGB")
            side = min(im.size[0], im.size[1] * w / h)
            crop = ((im.size[0] - side) / 2, (im.size[1] - side * h / w) / 2)
            im = im.resize((w, h), Image.BILINEAR, box=(crop[0], crop[1], im.size[0] - crop[0], im.size[1] - crop[1]))
            pixels = np.asarray(im, np.float32) / 255.0
    except DataFormatError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise DataFormatError(f"That file is not a PNG or JPEG photo NN Lab can read ({exc}).") from exc
    return pixels.reshape(h, w, c)
