"""The dataset registry: name -> how to load it. `load_dataset(name, **options)` is the one entry point."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Callable

import numpy as np

from core.datasets import external
from core.datasets.base import Dataset, make_dataset
from core.datasets.binary import BINARY, make_binary
from core.datasets.duplicates import duplicates_warning, sample_keys
from core.datasets.toy import TOY_REGRESSION, TOY_SETS, make_toy
from core.errors import DataFormatError, InvalidSpecError, NNLabError
from core.registry import lookup


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    title: str
    kind: str  # "image" | "tabular" | "toy2d"
    task: str  # "classification" | "regression"
    bundled: bool  # always available offline
    summary: str
    load: Callable[..., Dataset]


def _image_set(name, title, X, y, class_names, source, scale=255.0, test_start=0) -> Dataset:
    keys = sample_keys(X)  # on the raw pixels, before scaling
    warning = duplicates_warning(keys, test_start, title)
    X = np.asarray(X, dtype=np.float32)
    X = X[..., None] if X.ndim == 3 else X
    return make_dataset(
        name,
        X / scale,
        y,
        task="classification",
        kind="image",
        class_names=class_names,
        title=title,
        source=source,
        pixel_scale=scale,
        test_start=test_start,
        sample_keys=keys,
        warnings=(warning,) if warning else (),
    )


def _digits() -> Dataset:
    from sklearn.datasets import load_digits

    b = load_digits()
    return _image_set(
        "digits", "Digits (8x8)", b.images, b.target, [str(i) for i in range(10)], "scikit-learn (bundled)", scale=16.0
    )


def _sklearn_table(name: str, title: str, loader: str, task: str) -> Callable[[], Dataset]:
    def load() -> Dataset:
        import sklearn.datasets

        b = getattr(sklearn.datasets, loader)()
        names = list(getattr(b, "target_names", [])) if task == "classification" else None
        return make_dataset(
            name,
            b.data,
            b.target,
            task=task,
            kind="tabular",
            class_names=names,
            feature_names=tuple(b.feature_names),
            title=title,
            source="scikit-learn (bundled)",
        )

    return load


def _toy(name: str) -> Callable[..., Dataset]:
    regression = name in TOY_REGRESSION

    def load(n_samples: int = 500, noise: float = 0.0, seed: int = 0) -> Dataset:
        X, y = make_toy(name, n_samples, noise, seed)
        return make_dataset(
            name,
            X,
            y,
            task="regression" if regression else "classification",
            kind="toy2d",
            class_names=None if regression else ("0", "1"),
            feature_names=("x1", "x2"),
            title=_TOY_TITLES[name],
            source=f"generated (n={n_samples}, noise={noise * 100:g}, seed={seed})",
        )

    return load


def _mnist_like(name: str, title: str, class_names) -> Callable[..., Dataset]:
    def load(data_dir: str | None = None) -> Dataset:
        X, y, source, start = external.load_mnist_like(name, title, data_dir)
        return _image_set(name, title, X, y, class_names, source, test_start=start)

    return load


def _cifar10(data_dir: str | None = None) -> Dataset:
    X, y, source, names, start = external.load_cifar10(data_dir)
    return _image_set("cifar10", "CIFAR-10", X, y, names, source, test_start=start)


def _california(data_dir: str | None = None) -> Dataset:
    X, y, features, source = external.load_california(data_dir)
    return make_dataset(
        "california_housing",
        X,
        y,
        task="regression",
        kind="tabular",
        feature_names=features,
        title="California housing",
        source=source,
    )


_TOY_TITLES = {
    "circles": "Circle",
    "xor": "XOR",
    "gaussian": "Gaussian",
    "spiral": "Spiral",
    "moons": "Moons",
    "plane": "Plane",
    "multi_gaussian": "Multi Gaussian",
}
_TOY_SUMMARY = {
    "moons": "two interleaving half-moons",
    "circles": "a ring around a disc",
    "xor": "four quadrants (XOR)",
    "spiral": "two interleaved spirals",
    "gaussian": "two Gaussian clouds",
    "plane": "a tilted plane (regression)",
    "multi_gaussian": "six Gaussian bumps up and down (regression)",
}

DATASETS: dict[str, DatasetInfo] = {
    "digits": DatasetInfo(
        "digits",
        "Digits (8x8)",
        "image",
        "classification",
        True,
        "1,797 handwritten digits, 8x8 grey levels 0-16",
        _digits,
    ),
    "iris": DatasetInfo(
        "iris",
        "Iris",
        "tabular",
        "classification",
        True,
        "150 flowers, 4 measurements, 3 species",
        _sklearn_table("iris", "Iris", "load_iris", "classification"),
    ),
    "wine": DatasetInfo(
        "wine",
        "Wine",
        "tabular",
        "classification",
        True,
        "178 wines, 13 chemical measurements, 3 cultivars",
        _sklearn_table("wine", "Wine", "load_wine", "classification"),
    ),
    "breast_cancer": DatasetInfo(
        "breast_cancer",
        "Breast cancer",
        "tabular",
        "classification",
        True,
        "569 tumours, 30 features, malignant or benign",
        _sklearn_table("breast_cancer", "Breast cancer", "load_breast_cancer", "classification"),
    ),
    "diabetes": DatasetInfo(
        "diabetes",
        "Diabetes",
        "tabular",
        "regression",
        True,
        "442 patients, 10 features, disease progression (regression)",
        _sklearn_table("diabetes", "Diabetes", "load_diabetes", "regression"),
    ),
    **{
        n: DatasetInfo(
            n,
            _TOY_TITLES[n],
            "toy2d",
            "regression" if n in TOY_REGRESSION else "classification",
            True,
            f"generated 2-D: {_TOY_SUMMARY[n]}",
            _toy(n),
        )
        for n in (*TOY_SETS, *TOY_REGRESSION)
    },
    "mnist": DatasetInfo(
        "mnist",
        "MNIST",
        "image",
        "classification",
        False,
        "handwritten digits, 28x28 grey (70,000 in the official set)",
        _mnist_like("mnist", "MNIST", [str(i) for i in range(10)]),
    ),
    "fashion_mnist": DatasetInfo(
        "fashion_mnist",
        "Fashion-MNIST",
        "image",
        "classification",
        False,
        "clothing images, 28x28 grey, 10 classes (70,000 officially)",
        _mnist_like("fashion_mnist", "Fashion-MNIST", external.FASHION_CLASSES),
    ),
    "cifar10": DatasetInfo(
        "cifar10",
        "CIFAR-10",
        "image",
        "classification",
        False,
        "colour photos, 32x32x3 (60,000 in 10 classes officially)",
        _cifar10,
    ),
    "california_housing": DatasetInfo(
        "california_housing",
        "California housing",
        "tabular",
        "regression",
        False,
        "20,640 districts, 8 features, median house value",
        _california,
    ),
}


def list_datasets(kind: str | None = None) -> list[str]:
    """Names of every dataset NN Lab knows (optionally of one kind), bundled ones first."""
    return [n for n, info in DATASETS.items() if kind is None or info.kind == kind]


def dataset_info(name: str) -> DatasetInfo:
    return lookup(DATASETS, name, "dataset")


def dataset_options(name: str) -> tuple[str, ...]:
    """The keyword options `load_dataset(name, ...)` accepts (e.g. n_samples, noise, seed)."""
    return tuple(inspect.signature(dataset_info(name).load).parameters)


def is_available(name: str, data_dir: str | None = None) -> bool:
    """Whether `load_dataset(name)` can succeed offline right now (checks files, reads nothing)."""
    info = dataset_info(name)
    if info.bundled:
        return True
    try:
        return external.is_on_disk(name, data_dir)
    except OSError:  # an unreadable folder on the way: not available, and no traceback
        return False


def load_dataset(name: str, **options) -> Dataset:
    """Load a dataset by name. Options: n_samples/noise/seed for 2-D sets; data_dir for external sets; binary
    ("even", "class:<k>") for two classes made of many (`core.datasets.binary`).

    Raises DatasetUnavailable (with the files to provide) when an external set is not on this machine,
    DataFormatError when its files are malformed, InvalidSpecError for an unknown name or option.
    """
    info = dataset_info(name)
    rule = options.pop(BINARY, None)
    if rule:
        return make_binary(load_dataset(name, **options), rule)
    allowed = dataset_options(name)
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise InvalidSpecError(
            f"{name} does not take option(s) {', '.join(unknown)}; it takes {', '.join(allowed) or 'none'}."
        )
    try:
        return info.load(**options)
    except NNLabError:  # DatasetUnavailable is an OSError too: it already says what to do
        raise
    except OSError as exc:  # a folder or file the server cannot read: one message, no server path
        raise DataFormatError(
            f"{info.title}: a file or folder could not be read ({exc.strerror or exc}). Ask your "
            "teacher to check the data folder's permissions."
        ) from exc
