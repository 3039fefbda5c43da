"""The `Dataset` record every loader returns, and the checks that every dataset passes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from core.errors import DataFormatError

TASKS = ("classification", "regression")
KINDS = ("image", "tabular", "toy2d")


@dataclass(frozen=True, eq=False)
class Dataset:
    """A dataset in the shapes the lessons use.

    X: float32. Images (n, h, w, c) scaled to [0, 1]; tabular and 2-D sets (n, d) as measured.
    y: classification -> int64 codes 0..k-1 indexing `class_names`; regression -> float32 (n,).
    pixel_scale: for images, the raw pixel value is `X * pixel_scale` (16 for digits, 255 for MNIST).
    """

    name: str
    X: np.ndarray
    y: np.ndarray
    task: str
    kind: str
    class_names: tuple[str, ...] = ()
    feature_names: tuple[str, ...] = ()
    title: str = ""
    source: str = ""
    pixel_scale: float = 1.0
    test_start: int = 0  # the official test set (MNIST's t10k files, CIFAR's test_batch) starts here; 0: none
    sample_keys: np.ndarray | None = None  # image sets: one key per sample, equal for identical images (duplicates.py)
    warnings: tuple[str, ...] = ()  # what the page must say about the data (test images copied from training)

    @property
    def n_samples(self) -> int:
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        """Length of one flattened sample (64 for digits, 784 for MNIST, 3072 for CIFAR-10)."""
        return int(np.prod(self.X.shape[1:]))

    @property
    def image_shape(self) -> tuple[int, int, int] | None:
        """(h, w, c) for image sets, else None."""
        return tuple(self.X.shape[1:]) if self.kind == "image" else None

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    @cached_property
    def digest(self) -> str:
        """A short fingerprint of the data itself (BLAKE2b of X and y): two uploads with one file name but other
        contents differ here, so a run is never shown against data it did not train on."""
        h = hashlib.blake2b(digest_size=8)
        for array in (self.X, self.y):
            h.update(str((array.shape, array.dtype.str)).encode())
            h.update(np.ascontiguousarray(array).data)
        return h.hexdigest()

    @cached_property
    def value_range(self) -> tuple[float, float]:
        """(min, max) of X, computed once (a 70,000-image set has 55 million values)."""
        return float(self.X.min()), float(self.X.max())

    def describe(self) -> str:
        """What was loaded, in words: "1,500 colour images of 32x32, 4 classes"."""
        if self.kind == "image":
            h, w, c = self.image_shape
            what = f"{'colour' if c == 3 else 'grey'} images of {h}x{w}"
        else:
            what = "points in 2-D" if self.kind == "toy2d" else f"rows of {self.n_features} features"
        task = f", {self.n_classes} classes" if self.task == "classification" else ", a number to predict"
        return f"{self.n_samples:,} {what}{task}"

    def flat(self) -> np.ndarray:
        """X as (n, n_features): images flattened row by row, the way an MLP sees them."""
        return self.X.reshape(self.n_samples, -1)

    def class_counts(self) -> np.ndarray:
        """(n_classes,) number of samples of each class."""
        return np.bincount(self.y, minlength=self.n_classes)


def make_dataset(
    name: str,
    X: np.ndarray,
    y: np.ndarray,
    *,
    task: str,
    kind: str,
    class_names: tuple[str, ...] | list[str] | None = None,
    **fields,
) -> Dataset:
    """Check X and y, encode class labels, freeze the arrays, and return a `Dataset`.

    Classification labels of any type are encoded to 0..k-1; `class_names` names the codes (given, or
    the sorted unique labels). Raises DataFormatError for empty data, mismatched lengths, NaN or
    infinite values, or a classification set with a single class.
    """
    X = np.asarray(X)
    y = np.asarray(y).reshape(-1) if np.ndim(y) > 1 and np.shape(y)[1] == 1 else np.asarray(y)
    if X.shape[0] == 0:
        raise DataFormatError(f"{name}: the data is empty (0 samples). Expected at least 2 rows or images.")
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise DataFormatError(
            f"{name}: expected one label per sample ({X.shape[0]} samples), received labels of shape {y.shape}."
        )
    if not np.issubdtype(X.dtype, np.number):
        raise DataFormatError(f"{name}: expected numeric features, received values of type {X.dtype}.")
    X = X.astype(np.float32, copy=False)
    bad = ~np.isfinite(X)
    if bad.any():
        rows = np.unique(np.nonzero(bad)[0])
        raise DataFormatError(
            f"{name}: {int(bad.sum())} missing or infinite values (NaN/inf) in {rows.size} samples, "
            f"first at row {int(rows[0])}. Remove or fill those rows and load the file again."
        )
    if task == "classification":
        labels, codes = np.unique(y, return_inverse=True)
        if labels.size < 2:
            raise DataFormatError(
                f"{name}: classification needs at least 2 classes, found only {labels[0]!r}. "
                "Check the target column or the label file."
            )
        if class_names is None or len(class_names) < labels.size:
            class_names = [str(v) for v in labels]
        elif np.issubdtype(labels.dtype, np.integer) and labels.min() >= 0 and labels.max() < len(class_names):
            codes = y.astype(np.int64)  # integer codes that already index the given names
        y = codes.astype(np.int64)
        class_names = tuple(str(c) for c in class_names)
    else:
        y = y.astype(np.float32)
        if not np.isfinite(y).all():
            raise DataFormatError(f"{name}: the target has missing or infinite values. Remove those rows.")
        class_names = ()
    X.setflags(write=False)  # shared by every session of the server: read-only
    y.setflags(write=False)
    return Dataset(name=name, X=X, y=y, task=task, kind=kind, class_names=class_names, **fields)
