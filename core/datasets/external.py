"""MNIST, Fashion-MNIST, CIFAR-10 and California housing: read from files on this machine, never
downloaded. Each looks in the folder it is given, then in NN Lab's data folder, then in the
Keras / scikit-learn caches, and otherwise raises DatasetUnavailable naming the files to put where.

Messages and sources name folders relative to the data folder (`folders.shown`): students on a class server
never see the server's own paths; the folders searched go to the server log.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core.datasets import folders
from core.datasets.california import FILE as CALIFORNIA_FILE
from core.datasets.california import read_california
from core.datasets.cifar_names import cifar_class_names, labels_and_filenames, read_names_file, write_names_file
from core.datasets.folders import keras_cache_dir, shown, sklearn_data_home
from core.datasets.readers import load_cifar_meta, load_idx, load_npz, npz_arrays, read_cifar_batch
from core.errors import DatasetUnavailable

IDX_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
CIFAR_FILES = tuple(f"data_batch_{i}" for i in range(1, 6)) + ("test_batch",)

FASHION_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)


def nnlab_data_dir() -> Path:
    """NN Lab's own data folder: $NNLAB_DATA_DIR, else data/ next to the README."""
    return folders.data_root()


def _candidates(name: str, data_dir: str | Path | None, keras_subdirs: tuple[str, ...]) -> list[Path]:
    """Folders to search, in order: the given folder (and its <name>/), NN Lab's data folder, Keras's cache."""
    roots = [Path(data_dir).expanduser()] if data_dir else []
    roots.append(nnlab_data_dir())
    folders = [p for r in roots for p in (r, r / name)]
    folders += [keras_cache_dir() / s for s in keras_subdirs]
    return folders


def _find(folder: Path, stem: str) -> Path | None:
    for candidate in (folder / stem, folder / f"{stem}.gz"):
        if candidate.is_file():
            return candidate
    return None


def _unavailable(title: str, name: str, what: str, looked: list[Path]) -> DatasetUnavailable:
    folders.log.info("%s not found; looked in %s", title, ", ".join(str(p) for p in dict.fromkeys(looked)))
    return DatasetUnavailable(
        f"{title} is not on this machine, and NN Lab never downloads data. {what} Put them in the folder "
        f"{name}/ of NN Lab's data folder (data/ next to the README, or the folder NNLAB_DATA_DIR names), or "
        "upload them on the Data page."
    )


MNIST_KERAS_SUBDIRS = {"mnist": ("",), "fashion_mnist": ("fashion-mnist",)}


def _mnist_files(folder: Path, name: str) -> Path | list[Path] | None:
    """<name>.npz, or the IDX files present (train images and labels at least), in `folder`."""
    npz = folder / f"{name}.npz"
    if npz.is_file():
        return npz
    paths = [_find(folder, stem) for stem in IDX_FILES]
    return paths if paths[0] and paths[1] else None


def mnist_files_hint(name: str) -> str:
    return (
        f"Expected the four IDX files {', '.join(IDX_FILES)} (raw or .gz), or {name}.npz with "
        "x_train, y_train, x_test, y_test."
    )


def load_mnist_like(
    name: str, title: str, data_dir: str | Path | None = None
) -> tuple[np.ndarray, np.ndarray, str, int]:
    """(images (n, 28, 28) uint8, labels (n,), source, test_start): train and test files concatenated, the
    official test set from index test_start (0 when there is none)."""
    folders = _candidates(name, data_dir, MNIST_KERAS_SUBDIRS[name])
    for folder in folders:
        files = _mnist_files(folder, name)
        if isinstance(files, Path):
            arrays = load_npz(files)
            X, y = npz_arrays(arrays, files.name)
            start = len(arrays["x_train"]) if "x_train" in arrays and "x_test" in arrays else 0
            return X, y, shown(files), start
        if files:
            X, y = load_idx(files[0]), load_idx(files[1])
            start = 0
            if files[2] and files[3]:
                start = len(X)
                X, y = np.concatenate([X, load_idx(files[2])]), np.concatenate([y, load_idx(files[3])])
            return X, y, shown(folder), start
    raise _unavailable(title, name, mnist_files_hint(name), folders)


CIFAR_KERAS_SUBDIRS = ("cifar-10-batches-py-target/cifar-10-batches-py", "cifar-10-batches-py")


def _cifar_folder(data_dir: str | Path | None = None) -> Path | None:
    for folder in _candidates("cifar10", data_dir, CIFAR_KERAS_SUBDIRS):
        for f in (folder, folder / "cifar-10-batches-py"):
            if (f / "data_batch_1").is_file() or (f / "test_batch").is_file():
                return f
    return None


def load_cifar10(data_dir: str | Path | None = None) -> tuple[np.ndarray, np.ndarray, str, tuple[str, ...], int]:
    """(images, labels, source, class names): the names from the folder's batches.meta when it has one (CIFAR-10's
    own, or a CIFAR-format set of other classes), else from its file names, else "class 0" ... (cifar_names.py);
    the teacher's names (`rename_cifar_classes`) come first."""
    folder = _cifar_folder(data_dir)
    if folder is None:
        raise _unavailable(
            "CIFAR-10",
            "cifar10",
            f"Expected the 'CIFAR-10 python version' batches {', '.join(CIFAR_FILES)} "
            "(the folder cifar-10-batches-py from cifar-10-python.tar.gz).",
            _candidates("cifar10", data_dir, CIFAR_KERAS_SUBDIRS),
        )
    parts = [read_cifar_batch(folder / f) for f in CIFAR_FILES if (folder / f).is_file()]
    meta = load_cifar_meta(folder / "batches.meta") if (folder / "batches.meta").is_file() else None
    labels, filenames = labels_and_filenames(parts)
    renamed = read_names_file(folder, int(labels.max()) + 1 if len(labels) else 0)
    names = cifar_class_names(labels, filenames, meta, renamed)
    has_test = (folder / "test_batch").is_file() and len(parts) > 1
    start = sum(len(p[1]) for p in parts[:-1]) if has_test else 0  # test_batch comes last
    return (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]), shown(folder), names, start)


def rename_cifar_classes(names: tuple[str, ...] | None, data_dir: str | Path | None = None) -> None:
    """Name the classes of the data folder's CIFAR-format set for every session (None: the files' names again).
    The caller checks there is one name per class (`cifar_names.typed_names`); the next load reads them."""
    folder = _cifar_folder(data_dir)
    if folder is None:
        raise DatasetUnavailable("There is no CIFAR-format set in NN Lab's data folder to rename.")
    write_names_file(folder, names)


def _california_file(data_dir: str | Path | None = None) -> Path | None:
    roots = [Path(data_dir).expanduser()] if data_dir else []
    roots += [nnlab_data_dir(), nnlab_data_dir() / "california_housing", sklearn_data_home()]
    return next((r / CALIFORNIA_FILE for r in roots if (r / CALIFORNIA_FILE).is_file()), None)


def load_california(data_dir: str | Path | None = None) -> tuple[np.ndarray, np.ndarray, tuple[str, ...], str]:
    """scikit-learn's California housing, from its cache file, read without unpickling arbitrary objects."""
    from core.datasets.california import FEATURES

    path = _california_file(data_dir)
    if path is None:
        raise DatasetUnavailable(
            f"California housing is not on this machine, and NN Lab never downloads data. Copy {CALIFORNIA_FILE} "
            "(from scikit-learn's data home, ~/scikit_learn_data, on a machine where "
            "sklearn.datasets.fetch_california_housing() has run) into NN Lab's data folder."
        )
    X, y = read_california(path)
    return X, y, FEATURES, shown(path)


def is_on_disk(name: str, data_dir: str | Path | None = None) -> bool:
    """Whether a dataset's files can be found, without reading them."""
    if name == "cifar10":
        return _cifar_folder(data_dir) is not None
    if name == "california_housing":
        return _california_file(data_dir) is not None
    return any(_mnist_files(f, name) for f in _candidates(name, data_dir, MNIST_KERAS_SUBDIRS[name]))
