"""Build a Dataset from files a user uploads: IDX pairs, CIFAR-10 batches, .npz, CSV, or a zip of image
folders named by class. An uploaded dataset is trainable like a registered one: an Experiment names it
`dataset="upload"` and carries `upload_options(ds)` (file name, task, kind) in its data options, so labels,
links and the exported script can say which file it was."""

from __future__ import annotations

import io

import numpy as np

from core.datasets.base import Dataset, make_dataset
from core.datasets.cifar_names import cifar_class_names, labels_and_filenames
from core.datasets.image_folders import load_image_folders
from core.datasets.limits import MAX_CLASSES, check_classes, check_shape, check_upload
from core.datasets.readers import load_cifar_meta, load_csv, load_idx, load_npz, npz_arrays, read_cifar_batch
from core.errors import DataFormatError

UPLOAD = "upload"  # the dataset name of a session's upload
TASKS = ("auto", "classification", "regression")
AUTO_CLASSES = 20  # an integer target with more distinct values than this is treated as regression
MAX_FORCED_CLASSES = MAX_CLASSES  # classification chosen by hand: at most this many classes (core.datasets.limits)


def infer_task(y: np.ndarray) -> str:
    """ "classification" for text labels or whole numbers with at most AUTO_CLASSES values, else "regression"."""
    y = np.asarray(y)
    if not np.issubdtype(y.dtype, np.number):
        return "classification"
    finite = y[np.isfinite(y)] if np.issubdtype(y.dtype, np.floating) else y
    whole = finite.size > 0 and np.allclose(finite, np.round(finite))
    return "classification" if whole and np.unique(finite).size <= AUTO_CLASSES else "regression"


def upload_options(ds: Dataset) -> dict:
    """What an Experiment on this upload carries: the file it came from, its task and kind, and the data's digest
    (a new upload under the same name is other data: a run's results are never shown against it)."""
    return {"file": ds.source, "task": ds.task, "kind": ds.kind, "digest": ds.digest}


def _named(name: str, content: bytes) -> io.BytesIO:
    """An upload as a file object with its name, so every message names the file the student chose."""
    f = io.BytesIO(content)
    f.name = name
    return f


def _plain_numbers(source: str, *arrays: np.ndarray) -> None:
    """Refuse complex numbers (their imaginary part would be lost silently) and anything not numbers."""
    for a in arrays:
        if np.iscomplexobj(a):
            raise DataFormatError(
                f"{source} holds complex numbers; NN Lab trains on real numbers only and will not "
                "drop the imaginary part silently. Save the real part (or both parts as columns)."
            )
        if a.dtype.kind not in "biuf" and a is arrays[0]:
            raise DataFormatError(f"{source}: expected numbers, found values of type {a.dtype}.")


def _images(name: str, X: np.ndarray, y: np.ndarray, source: str, class_names=None, title=None) -> Dataset:
    X = np.asarray(X)
    check_shape(source, X.shape, "image")
    _plain_numbers(source, X, np.asarray(y))
    if X.ndim == 3:
        X = X[..., None]
    scale = 255.0 if X.dtype == np.uint8 or float(np.nanmax(X)) > 1.0 else 1.0
    X = X.astype(np.float32)
    X /= scale  # in place: one float32 copy of the images, not two
    return make_dataset(
        name,
        X,
        y,
        task="classification",
        kind="image",
        class_names=class_names,
        title=title or name,
        source=source,
        pixel_scale=scale,
    )


def _table(name: str, X: np.ndarray, y: np.ndarray, source: str, feature_names=(), task: str = "auto") -> Dataset:
    y = np.asarray(y)
    check_shape(source, np.shape(X), "table")
    _plain_numbers(source, np.asarray(X), y)
    if task not in TASKS:
        raise DataFormatError(f"task must be one of {', '.join(TASKS)}, received {task!r}.")
    missing = _missing(y)
    if missing.any():
        raise DataFormatError(
            f"{source}: {int(missing.sum()):,} rows have no target value (empty or NaN); a missing "
            "value is neither a class nor a number to predict. Fill them in or remove those rows."
        )
    task = infer_task(y) if task == "auto" else task
    numeric = np.issubdtype(y.dtype, np.number)
    if task == "regression" and not numeric:
        raise DataFormatError(f"{source}: the target holds text, so it can only be classified, not regressed.")
    if task == "classification":
        check_classes(source, np.unique(y.astype(str) if not numeric else y).size)
        if numeric and np.allclose(y, np.round(y)):
            y = y.astype(np.int64)
    return make_dataset(
        name,
        X,
        y,
        task=task,
        kind="tabular",
        feature_names=tuple(feature_names) or tuple(f"x{i + 1}" for i in range(X.shape[1])),
        title=name,
        source=source,
    )


def _missing(y: np.ndarray) -> np.ndarray:
    """Which targets are missing: NaN numbers, or None/NaN among text labels (pandas reads an empty cell so)."""
    if np.issubdtype(y.dtype, np.floating):
        return np.isnan(y)
    if y.dtype == object:
        return np.array([v is None or (isinstance(v, float) and v != v) for v in y], dtype=bool)
    return np.zeros(len(y), dtype=bool)


def _from_idx(files: dict[str, bytes]) -> Dataset:
    arrays = {n: load_idx(_named(n, b)) for n, b in files.items()}
    images = [n for n, a in arrays.items() if a.ndim == 3]
    labels = [n for n, a in arrays.items() if a.ndim == 1]
    if len(images) != 1 or len(labels) != 1:
        raise DataFormatError(
            "Expected one IDX image file (idx3, e.g. train-images-idx3-ubyte.gz) and its label file "
            f"(idx1, e.g. train-labels-idx1-ubyte.gz); received {len(images)} image and {len(labels)} label files."
        )
    X, y = arrays[images[0]], arrays[labels[0]]
    if len(X) != len(y):
        raise DataFormatError(f"{images[0]} has {len(X)} images but {labels[0]} has {len(y)} labels.")
    return _images(images[0].split(".")[0], X, y, ", ".join(files))


def dataset_from_files(
    files: dict[str, bytes], target: str | None = None, task: str = "auto", image_size: int = 32, text: str = "refuse"
) -> Dataset:
    """Build a Dataset from uploaded files {file name: content}.

    One .npz (x/y or x_train/y_train), one CSV (target column `target`, default the last; `task` "auto" infers
    classification or regression from the target, or says which), a zip of image folders named by class
    (resized to `image_size`), two IDX files (images + labels), or CIFAR-10 batches. Raises DataFormatError
    otherwise. The Dataset's `source` names the files.
    """
    if not files:
        raise DataFormatError("No file received. Upload an IDX pair, CIFAR-10 batches, a .npz or a CSV file.")
    check_upload({name: len(content) for name, content in files.items()})
    names = list(files)
    lower = [n.lower() for n in names]
    if len(files) == 1 and lower[0].endswith(".npz"):
        X, y = npz_arrays(load_npz(_named(names[0], files[names[0]])), names[0])
        if np.asarray(X).ndim in (3, 4):
            return _images(names[0].rsplit(".", 1)[0], X, y, names[0])
        if np.asarray(X).ndim != 2:
            raise DataFormatError(f"{names[0]}: expected x of shape (n, d) or (n, h, w[, c]), found {np.shape(X)}.")
        return _table(names[0].rsplit(".", 1)[0], X, y, names[0])
    if len(files) == 1 and lower[0].endswith((".csv", ".csv.gz")):
        features, target_col = load_csv(_named(names[0], files[names[0]]), target, text)  # text: see load_csv
        return _table(
            names[0].rsplit(".", 1)[0],
            features.to_numpy(),
            target_col.to_numpy(),
            names[0],
            [str(c) for c in features.columns],
            task,
        )
    if len(files) == 1 and lower[0].endswith(".zip"):
        X, y, classes = load_image_folders(_named(names[0], files[names[0]]), image_size)
        return _images(names[0].rsplit(".", 1)[0], X, y, names[0], class_names=classes)
    if all("idx" in n or "ubyte" in n for n in lower):
        return _from_idx(files)
    batches = sorted(n for n in names if n.lower().startswith(("data_batch", "test_batch")))
    meta = [n for n in names if n.lower().startswith("batches.meta")]
    if batches and len(batches) + len(meta) == len(names):
        parts = [read_cifar_batch(_named(n, files[n])) for n in batches]
        classes = cifar_class_names(
            *labels_and_filenames(parts), load_cifar_meta(_named(meta[0], files[meta[0]])) if meta else None
        )
        return _images(
            "cifar_upload",
            np.concatenate([p[0] for p in parts]),
            np.concatenate([p[1] for p in parts]),
            ", ".join(batches),
            class_names=classes,
            title="CIFAR-format batches (uploaded)",
        )
    raise DataFormatError(
        f"Could not tell the format of {', '.join(names)}. Upload one .npz, one .csv, a .zip of image folders "
        "named by class, an IDX image file with its label file, or CIFAR-10 batches named data_batch_N / test_batch."
    )


def dataset_npz(ds: Dataset) -> bytes:
    """The dataset as NN Lab holds it (x as read, y as class codes or values, the names), as .npz bytes: what the
    exported script of a run on an upload loads."""
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        x=ds.X,
        y=ds.y,
        class_names=np.array(ds.class_names, dtype=str),
        feature_names=np.array(ds.feature_names, dtype=str),
    )
    return buffer.getvalue()
