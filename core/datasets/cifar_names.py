"""Class names of a CIFAR-format set: what its files say, never CIFAR-10's names forced on other classes.

A set's `batches.meta` names its classes (CIFAR-10's own and any set saved the same way). Without it, the
batches' `filenames` may still say: when every file of a label shares a word that other labels' files do not
(`taxi_0001.png`, `taxi_0002.png` ... for label 3), that word names the class. Otherwise the classes are called
"class 0" ... "class k". The teacher can rename them: an upload's for its session, a data folder's for everyone
(`NAMES_FILE` in the folder, ahead of everything else; written by the Teacher page).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np

from core.errors import DataFormatError

WORD = re.compile(r"[a-z]{2,}")
COMMON_WORDS = {"png", "jpg", "jpeg", "img", "image", "file", "batch", "train", "test", "data"}
NAMES_FILE = "class_names.txt"  # a data folder's classes as the teacher named them: one name a line, label order
MAX_NAME = 60  # characters a class name may have (it is a tick label and a table cell)


def typed_names(typed: str, current: tuple[str, ...]) -> tuple[str, ...]:
    """The class names typed as "a, b, c" (label 0 first): as many as `current`, none empty, all different, none
    longer than MAX_NAME. Raises DataFormatError saying what to type otherwise."""
    if typed == ", ".join(current):
        return current  # unchanged (a name may hold a comma)
    names = tuple(n.strip() for n in typed.split(","))
    if len(names) != len(current) or not all(names) or len(set(names)) != len(names):
        raise DataFormatError(
            f"Give {len(current)} different names, one per class, separated by commas; received {len(names)}. "
            f"The names stay {', '.join(current)}."
        )
    if max(map(len, names)) > MAX_NAME:
        raise DataFormatError(f"A class name may have at most {MAX_NAME} characters. The names stay as they were.")
    return names


def read_names_file(folder: Path, n_classes: int) -> tuple[str, ...] | None:
    """The teacher's names for a data folder's classes, or None (no file, or not one different name per class:
    then the files' own names are used)."""
    path = folder / NAMES_FILE
    if not path.is_file():
        return None
    with path.open("r", encoding="utf-8", errors="replace") as f:
        text = f.read(n_classes * (MAX_NAME + 2) + 1)
    names = tuple(line.strip() for line in text.splitlines() if line.strip())
    ok = len(names) == n_classes and len(set(names)) == n_classes and max(map(len, names), default=0) <= MAX_NAME
    return names if ok else None


def write_names_file(folder: Path, names: tuple[str, ...] | None) -> None:
    """Save the teacher's names for a data folder's classes (None: forget them, back to the files' names)."""
    path = folder / NAMES_FILE
    try:
        if names is None:
            path.unlink(missing_ok=True)
            return
        part = path.with_suffix(".part")
        part.write_text("".join(f"{n}\n" for n in names), encoding="utf-8")
        os.replace(part, path)  # every reader sees the old names or the new ones, never half a file
    except OSError as exc:
        raise DataFormatError(
            f"NN Lab could not write the class names into the data folder ({exc.strerror}). "
            "Let the server's user write there, or name the classes in a batches.meta file."
        ) from None


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


def cifar_class_names(
    labels: np.ndarray,
    filenames: list[str] | None,
    meta: tuple[str, ...] | None,
    renamed: tuple[str, ...] | None = None,
) -> tuple[str, ...]:
    """The teacher's names, else batches.meta's, else names the file names share per label, else "class 0" ... ."""
    n_classes = int(labels.max()) + 1 if len(labels) else 0
    if renamed:
        return renamed
    if meta:
        return meta
    return names_from_filenames(labels, filenames) or numbered(max(n_classes, 1))
