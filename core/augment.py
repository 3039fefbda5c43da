"""Data augmentation with Keras's preprocessing layers, and the same transformations in NumPy for a preview.

    aug = Augmentation(rotation=0.1, shift=0.1, zoom=0.1, shear=0.2, flip="horizontal", contrast=0.2, noise=0.05)
    aug.keras_layers(keras)          # RandomFlip, RandomRotation, RandomTranslation, RandomZoom, RandomShear,
                                     # RandomContrast, GaussianNoise: in the model, active only while it trains
    copies = preview(image, aug, n=8, seed=0)     # (8, h, w, c): what training may see

Each preview copy draws its factors like the Keras layer does and applies Keras's own arithmetic: the affine
matrices of RandomRotation / RandomTranslation / RandomZoom / RandomShear (output pixel (x, y) reads input pixel
(a0 x + a1 y + a2, b0 x + b1 y + b2), bilinear, zero outside the image), RandomContrast's
(x - mean) * factor + mean clipped to [0, 1], and Gaussian noise. The tests compare each with the Keras layer
given the same factors.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields

import numpy as np

from core.errors import InvalidSpecError

FLIPS = {"none": None, "horizontal": "horizontal", "vertical": "vertical", "both": "horizontal_and_vertical"}
LIMITS = {"rotation": 0.5, "shift": 0.5, "zoom": 0.9, "shear": 1.0, "contrast": 1.0, "noise": 1.0}


@dataclass(frozen=True)
class Augmentation:
    flip: str = "none"  # none | horizontal | vertical | both
    rotation: float = 0.0  # Keras's factor: up to +-rotation x 360 degrees
    shift: float = 0.0  # up to +-shift x height (and x width) pixels
    zoom: float = 0.0  # scale 1 +- zoom (above 1 zooms out)
    shear: float = (
        0.0  # Keras's RandomShear: x' = x + sx y, y' = sy x + y with sx, sy up to +-shear (from the top left)
    )
    contrast: float = 0.0  # contrast factor 1 +- contrast
    noise: float = 0.0  # standard deviation of added Gaussian noise (pixels are in [0, 1])

    def __post_init__(self) -> None:
        if self.flip not in FLIPS:
            raise InvalidSpecError(f"flip must be one of {', '.join(FLIPS)}, received {self.flip!r}.")
        for name, top in LIMITS.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= top:
                raise InvalidSpecError(f"augmentation {name} must be a number from 0 to {top}, received {value!r}.")

    @property
    def active(self) -> bool:
        return self != Augmentation()

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Augmentation":
        unknown = set(data) - {f.name for f in fields(cls)}
        if unknown:
            raise InvalidSpecError(f"Augmentation has no field(s) {', '.join(sorted(unknown))}.")
        return cls(**data)

    def layer_calls(self) -> list[tuple[str, str, tuple, dict]]:
        """(name, Keras class, arguments, keyword arguments) of each layer, in order: the model and the exported
        script both build from this."""
        constant = {"fill_mode": "constant"}
        calls = [
            ("aug_flip", "RandomFlip", (FLIPS[self.flip],), {}) if FLIPS[self.flip] else None,
            ("aug_rotation", "RandomRotation", (self.rotation,), constant) if self.rotation else None,
            ("aug_shift", "RandomTranslation", (self.shift, self.shift), constant) if self.shift else None,
            ("aug_zoom", "RandomZoom", (self.zoom,), constant) if self.zoom else None,
            ("aug_shear", "RandomShear", (self.shear, self.shear), constant) if self.shear else None,
            ("aug_contrast", "RandomContrast", (self.contrast,), {"value_range": (0, 1)}) if self.contrast else None,
            ("aug_noise", "GaussianNoise", (self.noise,), {}) if self.noise else None,
        ]
        return [c for c in calls if c is not None]

    def keras_layers(self, keras) -> list:
        return [
            getattr(keras.layers, cls)(*args, **kwargs, name=name) for name, cls, args, kwargs in self.layer_calls()
        ]

    def code(self) -> list[str]:
        """The layers as lines of a Keras script."""
        return [
            f"keras.layers.{cls}({', '.join([*map(repr, args), *(f'{k}={v!r}' for k, v in kwargs.items())])})"
            for _, cls, args, kwargs in self.layer_calls()
        ]


# -- the same transformations in NumPy --------------------------------------------------------------------
def affine(image: np.ndarray, matrix: tuple[float, ...]) -> np.ndarray:
    """Keras's affine_transform of an (h, w, c) image: output (x, y) samples input (a0 x + a1 y + a2,
    b0 x + b1 y + b2) bilinearly, zero outside the image."""
    from scipy.ndimage import map_coordinates

    a0, a1, a2, b0, b1, b2 = matrix[:6]
    h, w = image.shape[:2]
    y, x = np.mgrid[:h, :w].astype(np.float64)
    coords = np.stack([b0 * x + b1 * y + b2, a0 * x + a1 * y + a2])
    return np.stack(
        [
            map_coordinates(image[..., c], coords, order=1, mode="grid-constant", cval=0.0)
            for c in range(image.shape[2])
        ],
        axis=-1,
    ).astype(image.dtype)


def rotation_matrix(degrees: float, h: int, w: int) -> tuple[float, ...]:
    """RandomRotation's matrix for one angle, about the image centre."""
    t = math.radians(degrees)
    cx, cy = 0.5 * (w - 1), 0.5 * (h - 1)
    a0, a1, b0, b1 = math.cos(t), -math.sin(t), math.sin(t), math.cos(t)
    return a0, a1, cx - cx * a0 - cy * a1, b0, b1, cy - cx * b0 - cy * b1, 0.0, 0.0


def translation_matrix(dx: float, dy: float) -> tuple[float, ...]:
    """RandomTranslation's matrix for a shift of (dx, dy) pixels."""
    return 1.0, 0.0, -dx, 0.0, 1.0, -dy, 0.0, 0.0


def zoom_matrix(zx: float, zy: float, h: int, w: int) -> tuple[float, ...]:
    """RandomZoom's matrix for scales (zx, zy) about the centre (above 1 shows more of the image: zoom out)."""
    return zx, 0.0, (w - 1) / 2 * (1 - zx), 0.0, zy, (h - 1) / 2 * (1 - zy), 0.0, 0.0


def shear_matrix(sx: float, sy: float) -> tuple[float, ...]:
    """RandomShear's matrix: output (x, y) reads input (x + sx y, sy x + y), about the top-left corner as Keras's."""
    return 1.0, sx, 0.0, sy, 1.0, 0.0, 0.0, 0.0


def adjust_contrast(image: np.ndarray, factor: float) -> np.ndarray:
    mean = image.mean(axis=(0, 1), keepdims=True)
    return np.clip((image - mean) * factor + mean, 0.0, 1.0)


def flip(image: np.ndarray, horizontal: bool, vertical: bool) -> np.ndarray:
    out = image[:, ::-1] if horizontal else image
    return out[::-1] if vertical else out


def augment_once(image: np.ndarray, aug: Augmentation, rng: np.random.Generator) -> np.ndarray:
    """One random copy of `image` (h, w, c) in [0, 1], the layers applied in the model's order."""
    h, w = image.shape[:2]
    out = np.asarray(image, np.float32)
    mode = FLIPS[aug.flip] or ""
    out = flip(out, "horizontal" in mode and rng.random() < 0.5, "vertical" in mode and rng.random() < 0.5)
    if aug.rotation:
        out = affine(out, rotation_matrix(rng.uniform(-aug.rotation, aug.rotation) * 360.0, h, w))
    if aug.shift:
        out = affine(
            out, translation_matrix(rng.uniform(-aug.shift, aug.shift) * w, rng.uniform(-aug.shift, aug.shift) * h)
        )
    if aug.zoom:
        z = 1.0 + rng.uniform(-aug.zoom, aug.zoom)
        out = affine(out, zoom_matrix(z, z, h, w))
    if aug.shear:
        out = affine(out, shear_matrix(rng.uniform(-aug.shear, aug.shear), rng.uniform(-aug.shear, aug.shear)))
    if aug.contrast:
        out = adjust_contrast(out, rng.uniform(1 - aug.contrast, 1 + aug.contrast))
    if aug.noise:
        out = out + rng.normal(0.0, aug.noise, out.shape).astype(np.float32)
    return out


def preview(image: np.ndarray, aug: Augmentation, n: int = 8, seed: int = 0) -> np.ndarray:
    """n random copies (n, h, w, c) of one image, as training with `aug` could see it."""
    rng = np.random.default_rng(seed)
    return np.stack([augment_once(image, aug, rng) for _ in range(n)])
