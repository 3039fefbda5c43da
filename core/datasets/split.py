"""Train/test splitting: seeded, stratified for classification, with an optional subset for live demos."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.datasets.base import Dataset
from core.datasets.duplicates import shared_with
from core.errors import InvalidSpecError


@dataclass(frozen=True, eq=False)
class Split:
    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray


def _stratify(y: np.ndarray, task: str, n_small: int) -> np.ndarray | None:
    """Labels to stratify on, or None when stratifying is impossible (a class too rare for both sides)."""
    if task != "classification":
        return None
    counts = np.bincount(y)
    counts = counts[counts > 0]
    return y if counts.min() >= 2 and n_small >= counts.size else None


def subsample_indices(y: np.ndarray, task: str, n: int, seed: int = 0) -> np.ndarray:
    """Sorted indices of a (stratified when possible) random subset of size n."""
    from sklearn.model_selection import train_test_split

    idx = np.arange(len(y))
    if n >= len(y):
        return idx
    keep, _ = train_test_split(idx, train_size=n, random_state=seed, stratify=_stratify(y, task, n))
    return np.sort(keep)


def split_indices(
    ds: Dataset,
    test_fraction: float = 0.2,
    seed: int = 0,
    max_samples: int | None = None,
    official: bool = False,
    stratify: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """(train indices, test indices) into `ds`: what `split_dataset` takes, without copying any data.

    official: keep the published split (`ds.test_start`: MNIST's t10k files, CIFAR's test_batch); a subset of
    `max_samples` then takes each part in its published proportion (test_fraction is not used). stratify: False
    for a plain random test split (`train_test_split(..., random_state=seed)` without `stratify`, as lesson 000)."""
    from sklearn.model_selection import train_test_split

    if official:
        if not ds.test_start:
            raise InvalidSpecError(
                f"{ds.title or ds.name} has no official train/test split here: its test files "
                "are not on this machine. Let NN Lab split it instead."
            )
        train, test = np.arange(ds.test_start), np.arange(ds.test_start, ds.n_samples)
        if max_samples is not None and max_samples < ds.n_samples:
            n_test = max(1, round(max_samples * len(test) / ds.n_samples))
            train = train[subsample_indices(ds.y[train], ds.task, max_samples - n_test, seed)]
            test = test[subsample_indices(ds.y[test], ds.task, n_test, seed)]
        return train, _unseen(ds, train, test)

    if not 0.05 <= test_fraction <= 0.9:
        raise InvalidSpecError(f"test_fraction must be between 0.05 and 0.9, received {test_fraction}.")
    idx = np.arange(ds.n_samples)
    if max_samples is not None:
        if max_samples < 10:
            raise InvalidSpecError(f"max_samples must be at least 10, received {max_samples}.")
        idx = subsample_indices(ds.y, ds.task, max_samples, seed)
    n_test = math.ceil(test_fraction * len(idx))  # scikit-learn's rule for a float test_size (digits: 360)
    if len(idx) - n_test < 2:
        raise InvalidSpecError(f"Too few samples ({len(idx)}) to split with test_fraction={test_fraction}.")
    strat = _stratify(ds.y[idx], ds.task, min(n_test, len(idx) - n_test)) if stratify else None
    tr, te = train_test_split(idx, test_size=n_test, random_state=seed, stratify=strat)
    return tr, _unseen(ds, tr, te)


def _unseen(ds: Dataset, train: np.ndarray, test: np.ndarray) -> np.ndarray:
    """The test indices without copies of training samples (a set whose files repeat images: `ds.warnings`)."""
    if ds.sample_keys is None:
        return test
    unseen = test[~shared_with(ds.sample_keys, train, test)]
    if len(unseen) == 0:
        raise InvalidSpecError(
            f"Every test sample of {ds.title or ds.name} is a copy of a training sample, so nothing "
            "would measure what the network learned. Replace the test files with the real ones, "
            "or let NN Lab split the training files."
        )
    return unseen


def split_dataset(
    ds: Dataset,
    test_fraction: float = 0.2,
    seed: int = 0,
    max_samples: int | None = None,
    official: bool = False,
    stratify: bool = True,
) -> Split:
    """Split `ds` into train and test. `max_samples` first keeps a stratified subset of that size; `official`
    keeps the published split (see `split_indices`).

    Shapes follow `ds.X`: images stay (n, h, w, c).
    """
    tr, te = split_indices(ds, test_fraction, seed, max_samples, official, stratify)
    return Split(ds.X[tr], ds.X[te], ds.y[tr], ds.y[te])
