"""Identical images in a dataset's parts: a test image that is also a training image measures memory, not
generalisation. Teachers copy files by hand (train-images copied over t10k-images, one batch twice), so NN Lab
finds exact copies once, when a set is loaded, says how many, and keeps them out of the test split.

Each sample gets a 64-bit key, the BLAKE2b digest of its bytes (about 0.1 s for MNIST's 70,000 images): equal
samples have equal keys, and two different ones share a key with negligible probability.
"""

from __future__ import annotations

import hashlib

import numpy as np


def sample_keys(X: np.ndarray) -> np.ndarray:
    """(n,) uint64: one key per sample of `X` (any shape, any dtype), equal for identical samples."""
    rows = np.ascontiguousarray(X).reshape(len(X), -1)
    return np.fromiter(
        (int.from_bytes(hashlib.blake2b(row.tobytes(), digest_size=8).digest(), "little") for row in rows),
        dtype=np.uint64,
        count=len(rows),
    )


def shared_with(keys: np.ndarray, train: np.ndarray, test: np.ndarray) -> np.ndarray:
    """(len(test),) bool: which test samples are identical to a training sample."""
    return np.isin(keys[test], keys[train])


def duplicates_warning(keys: np.ndarray, test_start: int, title: str) -> str:
    """A sentence for the page when a set's official training and test parts share images, else ""."""
    if not test_start:
        return ""
    shared = int(shared_with(keys, np.arange(test_start), np.arange(test_start, len(keys))).sum())
    if not shared:
        return ""
    n_test = len(keys) - test_start
    return (
        f"{title}: {shared:,} of the {n_test:,} test images are also training images (the test files may be a "
        "copy of the training files). NN Lab keeps those copies out of every test split, so test scores measure "
        "images the network has not seen; replace the test files with the real ones."
    )
