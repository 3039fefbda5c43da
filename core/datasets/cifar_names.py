"""Class names of a CIFAR-format set: what its files say, never CIFAR-10's names forced on other classes.

A set's `batches.meta` names its classes (CIFAR-10's own and any set saved the same way). Without it, the
batches' `filenames` may still say: when every file of a label shares a word that other labels' files do not
(`taxi_0001.png`, `taxi_0002.png` ... for label 3), that word names the class. Otherwise the classes are called
"class 0" ... "class k", and the teacher can rename them.
"""

from __future__ import annotations

import re

import numpy as np

WORD = re.compile(r"[a-z]{2,}")
COMMON_WORDS = {"png", "jpg", "jpeg", "img", "image", "file", "batch", "train", "test", "data"}


def numbered(n_classes: int) -> tuple[str, ...]:
    return tuple(f"class {k}" for k in range(n_classes))


def names_from_filenames(labels: np.ndarray, filenames: list[str] | None) -> tuple[str, ...] | None:
    """One word per label that all of that label's file names share and no other label's files all have, in
    label order; None when the file names do not name the classes."""
    if not filenames or len(filenames) != len(labels) or len(labels) == 0:
        return None
    words = [set(WORD.findall(name.lower())) - COMMON_WORDS for name in filenames]
    shared: dict[int, set[str]] = {}
    for k in range(int(labels.max()) + 1):
        rows = np.flatnonzero(labels == k)
        if len(rows) == 0:
            return None
        shared[k] = set.intersection(*(words[i] for i in rows))
    names = []
    for k, common in shared.items():
        own = common - set().union(*(shared[j] for j in shared if j != k))
        if not own:
            return None
        first = filenames[int(np.flatnonzero(labels == k)[0])].lower()
        names.append(min(own, key=lambda w: (first.find(w), w)))  # the word as the first file spells it first
    return tuple(names) if len(set(names)) == len(names) else None


def labels_and_filenames(parts: list) -> tuple[np.ndarray, list[str] | None]:
    """The labels and file names of batches read by `read_cifar_batch`, joined (None when a batch has no names)."""
    labels = np.concatenate([p[1] for p in parts])
    files = None if any(p[2] is None for p in parts) else [f for p in parts for f in p[2]]
    return labels, files


def cifar_class_names(labels: np.ndarray, filenames: list[str] | None, meta: tuple[str, ...] | None) -> tuple[str, ...]:
    """batches.meta's names, else names the file names share per label, else "class 0" ... ."""
    n_classes = int(labels.max()) + 1 if len(labels) else 0
    if meta:
        return meta
    return names_from_filenames(labels, filenames) or numbered(max(n_classes, 1))
