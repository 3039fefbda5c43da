"""One training experiment, end to end: which data, how it is split and scaled, which network (an MLP or a
CNN), how trained.

An `Experiment` is plain data: it round-trips through a dict that names the kind of network, so a run
record, a shared link or a training job can carry it. `prepare_data` turns a Dataset into the arrays a model
trains on, the same way for both backends and for the exported script. `describe` is the one way a run's
settings are written in a few words (run labels, history tables, the model a page shows).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

from core.datasets import UPLOAD, Dataset, dataset_info, split_dataset
from core.errors import InvalidSpecError
from core.models import BACKENDS
from core.spec import CNNSpec, MLPSpec, NetworkSpec, TrainConfig, spec_from_dict, spec_to_dict


@dataclass(frozen=True)
class Experiment:
    dataset: str = "digits"
    data_options: dict = field(default_factory=dict)  # e.g. n_samples / noise / seed of a 2-D set
    max_samples: int | None = None  # a stratified subset for live demos (None: all)
    test_fraction: float = 0.2
    split_seed: int = 0
    backend: str = "sklearn"
    spec: NetworkSpec = field(default_factory=MLPSpec)
    config: TrainConfig = field(default_factory=TrainConfig)
    official_split: bool = False  # keep the dataset's published train/test split (MNIST, CIFAR-10)
    scale_target: bool = True  # regression: train on the standardised target (False: the target as it is)
    stratify: bool = True  # the test split stratified by class (False: a plain random split, as lesson 000)

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise InvalidSpecError(f"backend must be one of {', '.join(BACKENDS)}, received {self.backend!r}.")
        if isinstance(self.spec, CNNSpec) and self.backend == "sklearn":
            raise InvalidSpecError("scikit-learn has no convolutional layers: a CNN trains with backend='keras'.")
        if self.max_samples is not None and self.max_samples < 20:
            raise InvalidSpecError(f"max_samples must be at least 20, received {self.max_samples}.")
        if not 0.05 <= self.test_fraction <= 0.5:
            raise InvalidSpecError(f"test_fraction must be between 0.05 and 0.5, received {self.test_fraction}.")

    def to_dict(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["data_options"] = dict(self.data_options)
        d["spec"], d["config"] = spec_to_dict(self.spec), self.config.to_dict()
        return d

    @classmethod
    def from_dict(cls, data: dict) -> "Experiment":
        """The Experiment `to_dict` wrote; "spec" names its kind ("mlp" | "cnn"; an MLP when absent)."""
        data = dict(data)
        data["spec"] = spec_from_dict(data.get("spec", {}))
        data["config"] = TrainConfig.from_dict(data.get("config", {}))
        return cls(**data)


@dataclass(frozen=True, eq=False)
class PreparedData:
    """Arrays ready for `model.fit`. Tabular and 2-D inputs are standardised with the training set's mean
    and standard deviation; images stay in [0, 1]. Regression targets are standardised too unless the
    experiment says `scale_target=False` (R2 barely changes; the loss is then in units of the target's standard
    deviation, and predictions are `y * y_std + y_mean` in the target's units)."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    task: str
    kind: str
    input_shape: tuple[int, ...]
    n_outputs: int  # classes, or 1 target
    class_names: tuple[str, ...]
    x_mean: np.ndarray | None
    x_std: np.ndarray | None
    y_mean: float = 0.0
    y_std: float = 1.0
    feature_names: tuple[str, ...] = ()
    source: str = ""  # where the data was read from, as pages show it

    def scale_X(self, X: np.ndarray) -> np.ndarray:
        """Apply the training set's scaling to new inputs (e.g. a grid for a decision boundary)."""
        return X if self.x_mean is None else ((X - self.x_mean) / self.x_std).astype(np.float32)


def prepare_data(
    ds: Dataset,
    test_fraction: float = 0.2,
    seed: int = 0,
    max_samples: int | None = None,
    official: bool = False,
    scale_target: bool = True,
    stratify: bool = True,
) -> PreparedData:
    split = split_dataset(ds, test_fraction, seed, max_samples, official, stratify)
    X_tr, X_te = split.X_train, split.X_test
    x_mean = x_std = None
    if ds.kind != "image":
        x_mean = X_tr.mean(axis=0)
        x_std = np.where(X_tr.std(axis=0) > 0, X_tr.std(axis=0), 1.0)
        X_tr, X_te = (X_tr - x_mean) / x_std, (X_te - x_mean) / x_std
    y_tr, y_te, y_mean, y_std = split.y_train, split.y_test, 0.0, 1.0
    if ds.task == "regression" and scale_target:
        y_mean, y_std = float(y_tr.mean()), float(y_tr.std() or 1.0)
        y_tr, y_te = (y_tr - y_mean) / y_std, (y_te - y_mean) / y_std
    arrays = [np.ascontiguousarray(a) for a in (X_tr.astype(np.float32), y_tr, X_te.astype(np.float32), y_te)]
    for a in arrays:
        a.setflags(write=False)  # shared by every session when cached
    return PreparedData(
        *arrays,
        ds.task,
        ds.kind,
        tuple(ds.X.shape[1:]),
        ds.n_classes if ds.task == "classification" else 1,
        ds.class_names,
        x_mean,
        x_std,
        y_mean,
        y_std,
        ds.feature_names,
        ds.source,
    )


def data_name(exp: Experiment) -> str:
    """The data's name in labels: the dataset's, or an upload's file name."""
    return exp.data_options.get("file", "an uploaded file") if exp.dataset == UPLOAD else exp.dataset


def data_facts(exp: Experiment) -> tuple[str, str, str]:
    """(title, task, kind) of the experiment's data: from the registry, or what an upload's options say."""
    if exp.dataset == UPLOAD:
        o = exp.data_options
        return o.get("file", "an uploaded file"), o.get("task", "classification"), o.get("kind", "tabular")
    info = dataset_info(exp.dataset)
    return info.title, info.task, info.kind


def layers_text(spec: NetworkSpec) -> str:
    """The network's layers in a few characters: "16-16" (an MLP; "none" without hidden layers), or
    "conv 32-64 3x3 pool 2 + 64" (a CNN's conv filters, kernel, pooling, then its dense layers)."""
    if isinstance(spec, MLPSpec):
        return "-".join(map(str, spec.hidden_layers)) or "none"
    pool = f" pool {spec.pool_size}" if spec.pool_size > 1 else ""
    dense = f" + {'-'.join(map(str, spec.dense_layers))}" if spec.dense_layers else ""
    return f"conv {'-'.join(map(str, spec.conv_filters))} {spec.kernel_size}x{spec.kernel_size}{pool}{dense}"


def experiment_summary(exp: Experiment) -> dict:
    """A flat row for the run-history table, for any kind of network."""
    c = exp.config
    return {
        "dataset": data_name(exp),
        "backend": exp.backend,
        "network": exp.spec.KIND.upper(),
        "layers": layers_text(exp.spec),
        "activation": exp.spec.activation,
        "optimizer": c.optimizer,
        "learning rate": c.learning_rate,
        "batch": c.batch_size,
        "epochs": c.epochs,
        "l2": c.l2,
        "dropout": exp.spec.dropout,
    }


def describe(exp: Experiment) -> str:
    """A run's settings in a few words: "sklearn 16-16 relu adam lr=0.003", "keras conv 8 3x3 pool 2 relu adam
    lr=0.01". Every label of a run is built from this."""
    c = exp.config
    return f"{exp.backend} {layers_text(exp.spec)} {exp.spec.activation} {c.optimizer} lr={c.learning_rate:g}"


__all__ = [
    "Experiment",
    "PreparedData",
    "data_facts",
    "data_name",
    "describe",
    "experiment_summary",
    "layers_text",
    "prepare_data",
]
