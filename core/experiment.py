"""One training experiment, end to end: which data, how it is split and scaled, which network (an MLP or a
CNN), how trained.

An `Experiment` is plain data: it round-trips through a dict that names the kind of network, so a run
record, a shared link or a training job can carry it. `prepare_data` turns a Dataset into the arrays a model
trains on, the same way for both backends and for the exported script. `describe` is the one way a run's
settings are written in a few words (run labels, history tables, the model a page shows).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

import numpy as np

from core.datasets import UPLOAD, Dataset, dataset_info, split_dataset
from core.datasets.features import PLANE, check_features, feature_title, plane_features
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
    features: tuple[str, ...] = ()  # a 2-D set's input features (`core.datasets.features`); (): the data's columns
    scale_inputs: bool = True  # standardise tabular and 2-D inputs (False: as they are, the Playground's -6..6)

    def __post_init__(self) -> None:
        object.__setattr__(self, "features", check_features(tuple(self.features)) if self.features else ())
        if self.backend not in BACKENDS:
            raise InvalidSpecError(f"backend must be one of {', '.join(BACKENDS)}, received {self.backend!r}.")
        if isinstance(self.spec, CNNSpec) and self.backend == "sklearn":
            raise InvalidSpecError("scikit-learn has no convolutional layers: a CNN trains with backend='keras'.")
        if self.backend == "sklearn" and getattr(self.spec, "init", "keras") != "keras":
            raise InvalidSpecError(
                "scikit-learn's MLP starts from its own first weights (Glorot uniform): TensorFlow Playground's "
                f"({self.spec.init}) train with Keras. Choose Keras, or Keras's own first weights."
            )
        if self.backend == "sklearn" and getattr(self.spec, "output", "sigmoid") != "sigmoid":
            raise InvalidSpecError(
                "scikit-learn's MLP has only its logistic output on cross-entropy: TensorFlow Playground's tanh "
                "output on squared error trains with Keras. Choose Keras, or the sigmoid output."
            )
        if self.backend == "sklearn" and self.config.l1 > 0:
            raise InvalidSpecError(
                f"scikit-learn's MLP has only an L2 penalty (alpha), no L1: an L1 penalty of {self.config.l1:g} "
                "trains with Keras. Choose Keras, or set the L1 penalty to 0 (an L2 penalty works with both)."
            )
        if self.max_samples is not None and self.max_samples < 20:
            raise InvalidSpecError(f"max_samples must be at least 20, received {self.max_samples}.")
        if not 0.05 <= self.test_fraction <= 0.9:
            raise InvalidSpecError(f"test_fraction must be between 0.05 and 0.9, received {self.test_fraction}.")

    def to_dict(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["data_options"], d["features"] = dict(self.data_options), list(self.features)
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
    and standard deviation (unless the experiment says `scale_inputs=False`); images stay in [0, 1]. A 2-D set's
    inputs are its `features` of each point (x1, x2 by default), and its points themselves are kept on their plane
    (`points_train`, `points_test`) for the figures drawn over it; `plane_inputs` turns points into inputs. Regression targets are standardised too unless the
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
    features: tuple[str, ...] = ()  # a 2-D set's input features
    points_train: np.ndarray | None = None  # a 2-D set's (n, 2) points on their plane
    points_test: np.ndarray | None = None

    def scale_X(self, X: np.ndarray) -> np.ndarray:
        """Apply the training set's scaling to new inputs."""
        return X if self.x_mean is None else ((X - self.x_mean) / self.x_std).astype(np.float32)

    def plane_inputs(self, points: np.ndarray) -> np.ndarray:
        """A 2-D set's network inputs for (n, 2) points on its plane (e.g. a grid for the decision boundary)."""
        return self.scale_X(plane_features(points, self.features))

    def plane_points(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(points_train, y_train, points_test, y_test) of a 2-D set, a regression's targets in their own units."""
        return (
            self.points_train,
            self.y_train * self.y_std + self.y_mean if self.task == "regression" else self.y_train,
            self.points_test,
            self.y_test * self.y_std + self.y_mean if self.task == "regression" else self.y_test,
        )


def prepare_data(
    ds: Dataset,
    test_fraction: float = 0.2,
    seed: int = 0,
    max_samples: int | None = None,
    official: bool = False,
    scale_target: bool = True,
    stratify: bool = True,
    features: tuple[str, ...] = (),
    scale_inputs: bool = True,
) -> PreparedData:
    """`ds` split, its inputs made of `features` (a 2-D set: x1, x2 when none are given) and scaled (see
    PreparedData)."""
    split = split_dataset(ds, test_fraction, seed, max_samples, official, stratify)
    X_tr, X_te = split.X_train, split.X_test
    points = (None, None)
    if ds.kind == "toy2d":
        features = check_features(tuple(features) or PLANE)
        points = tuple(np.ascontiguousarray(p, dtype=np.float32) for p in (X_tr, X_te))
        X_tr, X_te = plane_features(X_tr, features), plane_features(X_te, features)
    elif features:
        raise InvalidSpecError(
            f"Input features such as x1² are made from the two coordinates of a 2-D set; {ds.title or ds.name} "
            "is not one. Choose a 2-D set, or leave the features out."
        )
    x_mean = x_std = None
    if ds.kind != "image" and scale_inputs:
        x_mean = X_tr.mean(axis=0)
        x_std = np.where(X_tr.std(axis=0) > 0, X_tr.std(axis=0), 1.0)
        X_tr, X_te = (X_tr - x_mean) / x_std, (X_te - x_mean) / x_std
    y_tr, y_te, y_mean, y_std = split.y_train, split.y_test, 0.0, 1.0
    if ds.task == "regression" and scale_target:
        y_mean, y_std = float(y_tr.mean()), float(y_tr.std() or 1.0)
        y_tr, y_te = (y_tr - y_mean) / y_std, (y_te - y_mean) / y_std
    arrays = [np.ascontiguousarray(a) for a in (X_tr.astype(np.float32), y_tr, X_te.astype(np.float32), y_te)]
    for a in (*arrays, *(p for p in points if p is not None)):
        a.setflags(write=False)  # shared by every session when cached
    return PreparedData(
        *arrays,
        ds.task,
        ds.kind,
        tuple(X_tr.shape[1:]) if ds.kind == "toy2d" else tuple(ds.X.shape[1:]),
        ds.n_classes if ds.task == "classification" else 1,
        ds.class_names,
        x_mean,
        x_std,
        y_mean,
        y_std,
        tuple(map(feature_title, features)) if ds.kind == "toy2d" else ds.feature_names,
        ds.source,
        features if ds.kind == "toy2d" else (),
        *points,
    )


def same_network_and_data(a: Experiment, b: Experiment) -> bool:
    """Whether `b` trains the network of `a` on the same data, split and inputs (its training settings may differ):
    then a run of `a` can go on as `b` (Play after Pause, Step)."""
    return replace(a, config=b.config) == b


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
    c, init, out = exp.config, getattr(exp.spec, "init", "keras"), getattr(exp.spec, "output", "sigmoid")
    first = ("" if init == "keras" else f" init={init}") + ("" if out == "sigmoid" else f" out={out}")
    return f"{exp.backend} {layers_text(exp.spec)} {exp.spec.activation}{first} {c.optimizer} lr={c.learning_rate:g}"


__all__ = [
    "Experiment",
    "PreparedData",
    "data_facts",
    "data_name",
    "describe",
    "experiment_summary",
    "layers_text",
    "prepare_data",
    "same_network_and_data",
]
