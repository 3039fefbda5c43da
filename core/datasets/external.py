"""MNIST, Fashion-MNIST, CIFAR-10 and California housing: read from files on this machine, never
downloaded. Each looks in the folder it is given, then in NN Lab's data folder, then in the
Keras / scikit-learn caches, and otherwise raises DatasetUnavailable naming the files to put where.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from core.datasets.readers import load_cifar_batch, load_idx, load_npz, npz_arrays
from core.errors import DatasetUnavailable

IDX_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
CIFAR_FILES = tuple(f"data_batch_{i}" for i in range(1, 6)) + ("test_batch",)

FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


def nnlab_data_dir() -> Path:
    """NN Lab's own data folder: $NNLAB_DATA_DIR, else ./data (relative to where the app is started)."""
    return Path(os.environ.get("NNLAB_DATA_DIR", "data")).expanduser()


def keras_cache_dir() -> Path:
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")).expanduser() / "datasets"


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
    return DatasetUnavailable(
        f"{title} is not on this machine, and NN Lab never downloads data. {what} Put them in "
        f"{nnlab_data_dir() / name}/ (or set NNLAB_DATA_DIR, or upload them on the Data page). "
        f"Looked in: {', '.join(str(p) for p in dict.fromkeys(looked))}."
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


def load_mnist_like(name: str, title: str, data_dir: str | Path | None = None) -> tuple[np.ndarray, np.ndarray, str]:
    """(images (n, 28, 28) uint8, labels (n,), source): train and test files concatenated."""
    folders = _candidates(name, data_dir, MNIST_KERAS_SUBDIRS[name])
    for folder in folders:
        files = _mnist_files(folder, name)
        if isinstance(files, Path):
            X, y = npz_arrays(load_npz(files), str(files))
            return X, y, str(files)
        if files:
            X, y = load_idx(files[0]), load_idx(files[1])
            if files[2] and files[3]:
                X, y = np.concatenate([X, load_idx(files[2])]), np.concatenate([y, load_idx(files[3])])
            return X, y, str(folder)
    raise _unavailable(title, name, mnist_files_hint(name), folders)


CIFAR_KERAS_SUBDIRS = ("cifar-10-batches-py-target/cifar-10-batches-py", "cifar-10-batches-py")


def _cifar_folder(data_dir: str | Path | None = None) -> Path | None:
    for folder in _candidates("cifar10", data_dir, CIFAR_KERAS_SUBDIRS):
        for f in (folder, folder / "cifar-10-batches-py"):
            if (f / "data_batch_1").is_file() or (f / "test_batch").is_file():
                return f
    return None


def load_cifar10(data_dir: str | Path | None = None) -> tuple[np.ndarray, np.ndarray, str]:
    folder = _cifar_folder(data_dir)
    if folder is None:
        raise _unavailable(
            "CIFAR-10", "cifar10",
            f"Expected the 'CIFAR-10 python version' batches {', '.join(CIFAR_FILES)} "
            "(the folder cifar-10-batches-py from cifar-10-python.tar.gz).",
            _candidates("cifar10", data_dir, CIFAR_KERAS_SUBDIRS),
        )
    parts = [load_cifar_batch(folder / f) for f in CIFAR_FILES if (folder / f).is_file()]
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]), str(folder)


def load_california(data_dir: str | Path | None = None) -> tuple[np.ndarray, np.ndarray, tuple[str, ...], str]:
    from sklearn.datasets import fetch_california_housing, get_data_home

    home = data_dir or None
    try:
        bunch = fetch_california_housing(data_home=home, download_if_missing=False)
    except OSError as exc:
        raise DatasetUnavailable(
            "California housing is not in scikit-learn's cache on this machine, and NN Lab never downloads "
            f"data. Copy cal_housing_py3.pkz into {get_data_home(home)} (on a machine with internet, run "
            "sklearn.datasets.fetch_california_housing() once and copy ~/scikit_learn_data)."
        ) from exc
    return bunch.data, bunch.target, tuple(bunch.feature_names), get_data_home(home)


def is_on_disk(name: str, data_dir: str | Path | None = None) -> bool:
    """Whether a dataset's files can be found, without reading them."""
    if name == "cifar10":
        return _cifar_folder(data_dir) is not None
    if name == "california_housing":
        from sklearn.datasets import get_data_home

        return (Path(get_data_home(data_dir or None)) / "cal_housing_py3.pkz").is_file()
    return any(_mnist_files(f, name) for f in _candidates(name, data_dir, MNIST_KERAS_SUBDIRS[name]))
