""" "Show the code": a self-contained Python script that reproduces an Experiment with plain scikit-learn
or Keras, the way the lessons' notebooks do it. It loads the same data, splits and scales it as NN Lab
does, builds the same network (an MLP on either backend, a CNN on Keras) and trains it with the same settings.
"""

from __future__ import annotations

import inspect
import re
import textwrap

from core import script_readers
from core.activations import SKLEARN_ACTIVATIONS
from core.codegen_keras import keras_code
from core.datasets import UPLOAD, toy
from core.datasets.binary import script_line
from core.experiment import Experiment, layers_text
from core.experiment import data_facts as _data_facts

_SKLEARN_LOADERS = {
    "digits": "load_digits",
    "iris": "load_iris",
    "wine": "load_wine",
    "breast_cancer": "load_breast_cancer",
    "diabetes": "load_diabetes",
}
EXTERNAL = {
    "mnist": ("mnist", ""),
    "fashion_mnist": ("fashion_mnist", "fashion-mnist"),  # NN Lab's folder,
    "cifar10": ("cifar10", "cifar-10-batches-py"),
}  # Keras's cache folder


DATA_FILE = "nnlab_data.npz"  # a run on an upload: the data as NN Lab read it, downloaded beside the script


def script_text(text: str) -> str:
    """A name from the page (an uploaded file's name is the student's own text) as the script writes it in comments
    and its docstring: one line, without the quotes and backslashes that could end the docstring."""
    return re.sub(r"[\x00-\x1f\x7f\"\\]", "_", str(text))


def data_facts(exp: Experiment) -> tuple[str, str, str]:
    """core.experiment.data_facts with the title made safe for the script (`script_text`)."""
    title, task, kind = _data_facts(exp)
    return script_text(title), task, kind


def _source_of(*functions) -> list[str]:
    return [line for f in functions for line in [*inspect.getsource(f).splitlines(), ""]]


def _external_code(name: str, title: str, source: str) -> list[str]:
    """Read the files NN Lab reads, searched in the same order: NN Lab's data folder, then Keras's cache."""
    folder, keras_dir = EXTERNAL[name]
    where = f" (the page read {script_text(source)})" if source else ""
    keras_cache = 'Path.home() / ".keras" / "datasets"' + (f' / "{keras_dir}"' if keras_dir else "")
    lines = [
        f"# {title}, from the files NN Lab reads{where}: NN Lab's data folder, then Keras's cache.",
        "# DATA_DIR is NN Lab's data folder: NNLAB_DATA_DIR as the server reads it, else data/ where you run this.",
        'DATA_DIR = Path(os.environ.get("NNLAB_DATA_DIR", "data"))',
        f'folders = [DATA_DIR / "{folder}", DATA_DIR, {keras_cache}]',
        "",
    ]
    if name == "cifar10":
        return (
            lines
            + _source_of(script_readers.ArraysOnly, script_readers.first_folder, script_readers.read_cifar)
            + [
                "X, y, n_train = read_cifar(folders)",
                "X = X / 255.0                                   # (n, 32, 32, 3) in [0, 1]",
            ]
        )
    return (
        lines
        + _source_of(
            script_readers.read_idx, script_readers.find, script_readers.first_folder, script_readers.read_mnist_like
        )
        + [
            f"X, y, n_train = read_mnist_like(folders, {name!r})",
            "X = X[..., None] / 255.0                        # (n, 28, 28, 1) in [0, 1]",
        ]
    )


def _data_code(exp: Experiment, source: str = "") -> list[str]:
    name, (title, _, _) = exp.dataset, data_facts(exp)
    if name == UPLOAD:
        return [
            f"# The data NN Lab read from {title}, as arrays: download {DATA_FILE} from the page's",
            "# 'Show the code' tab and put it next to this script.",
            f"data = np.load({DATA_FILE!r})",
            "X, y = data['x'], data['y']",
        ]
    if name == "digits":
        return [
            "from sklearn.datasets import load_digits",
            "",
            "digits = load_digits()",
            "X = digits.images[..., None] / 16.0          # (1797, 8, 8, 1), pixels scaled to [0, 1]",
            "y = digits.target",
        ]
    if name in _SKLEARN_LOADERS:
        return [
            f"from sklearn.datasets import {_SKLEARN_LOADERS[name]}",
            "",
            f"data = {_SKLEARN_LOADERS[name]}()",
            "X, y = data.data.astype(np.float32), data.target",
        ]
    if name == "california_housing":
        return [
            f"# scikit-learn's California housing{f' (the page read {script_text(source)})' if source else ''}: its cache file",
            "# cal_housing_py3.pkz in DATA_DIR (NN Lab's data folder), else in scikit-learn's data home.",
            "from sklearn.datasets import fetch_california_housing",
            "",
            'DATA_DIR = Path("data")',
            'home = DATA_DIR if (DATA_DIR / "cal_housing_py3.pkz").is_file() else None',
            "data = fetch_california_housing(data_home=home, download_if_missing=False)",
            "X, y = data.data, data.target",
        ]
    if name in EXTERNAL:
        return _external_code(name, title, source)
    defaults = {k: p.default for k, p in inspect.signature(toy.make_toy).parameters.items() if k != "name"}
    opts = {**defaults, **{k: v for k, v in exp.data_options.items() if k != "binary"}}
    regression = name in toy.TOY_REGRESSION
    make = (toy.TOY_REGRESSION if regression else toy.TOY_SETS)[name]
    return [
        f"# The generator of NN Lab's {title} set (TensorFlow Playground's, on its -6..6 plane).",
        *textwrap.dedent(inspect.getsource(make)).splitlines(),
        "",
        f"rng = np.random.default_rng({opts['seed']})",
        f"X, y = {make.__name__}({opts['n_samples']}, {opts['noise']}, rng)",
        "order = rng.permutation(len(y))",
        f"X, y = X[order].astype(np.float32), y[order].astype(np.{'float32' if regression else 'int64'})",
    ]


# How the script makes each input feature from the points P (n, 2), as core.datasets.features does
FEATURE_CODE = {
    "x1": "P[:, 0]",
    "x2": "P[:, 1]",
    "x1sq": "P[:, 0] * P[:, 0]",
    "x2sq": "P[:, 1] * P[:, 1]",
    "x1x2": "P[:, 0] * P[:, 1]",
    "sinx1": "np.sin(P[:, 0])",
    "sinx2": "np.sin(P[:, 1])",
}


def _features_code(exp: Experiment) -> list[str]:
    """A 2-D set's input features, made from each point as TensorFlow Playground's are."""
    if not exp.features:
        return []
    return [
        "",
        "# The input features, made from each point (x1, x2) as TensorFlow Playground's are.",
        "def features(P):",
        "    P = P.astype(np.float64)",
        f"    return np.stack([{', '.join(FEATURE_CODE[f] for f in exp.features)}], axis=1).astype(np.float32)",
        "",
        "X_train, X_test = features(X_train), features(X_test)",
    ]


def _split_code(exp: Experiment) -> list[str]:
    _, task, kind = data_facts(exp)
    subset_strat = "y[idx]" if task == "classification" else "None"  # a demo's subset keeps the classes' shares
    strat = subset_strat if exp.stratify else "None"
    rule = exp.data_options.get("binary")
    lines = [
        *([script_line(rule)] if rule else []),
        "X = X.astype(np.float32)"
        + ("; y = y.astype(np.float32)" if task == "regression" else "")
        + "     # NN Lab computes in float32",
        "",
        "# Split as NN Lab does: an optional stratified subset, then a "
        + ("stratified" if exp.stratify else "random (not stratified)")
        + " train/test split.",
        "idx = np.arange(len(y))",
    ]
    if exp.official_split:
        lines[-1:] = [
            "# The official split: the training files train, the test files test.",
            "train_idx, test_idx = np.arange(n_train), np.arange(n_train, len(y))",
        ]
        if exp.max_samples:
            lines += [
                f"n_test = max(1, round({exp.max_samples} * len(test_idx) / len(y)))     # a subset of each part",
                f"train_idx = np.sort(train_test_split(train_idx, train_size={exp.max_samples} - n_test, "
                f"random_state={exp.split_seed}, stratify=y[train_idx])[0])",
                f"test_idx = np.sort(train_test_split(test_idx, train_size=n_test, random_state={exp.split_seed}, "
                "stratify=y[test_idx])[0])",
            ]
        lines.append("X_train, X_test, y_train, y_test = X[train_idx], X[test_idx], y[train_idx], y[test_idx]")
    else:
        if exp.max_samples:
            lines.append(
                f"idx = np.sort(train_test_split(idx, train_size={exp.max_samples}, "
                f"random_state={exp.split_seed}, stratify={subset_strat})[0])"
            )
        lines += [
            f"train_idx, test_idx = train_test_split(idx, test_size={exp.test_fraction}, "
            f"random_state={exp.split_seed}, stratify={strat})",
            "X_train, X_test, y_train, y_test = X[train_idx], X[test_idx], y[train_idx], y[test_idx]",
        ]
    lines += _features_code(exp)
    if kind != "image" and exp.scale_inputs:
        lines += [
            "",
            "# Standardise each feature with the training set's mean and standard deviation.",
            "mean, std = X_train.mean(axis=0), X_train.std(axis=0)",
            "std[std == 0] = 1.0",
            "X_train, X_test = (X_train - mean) / std, (X_test - mean) / std",
        ]
    if task == "regression" and exp.scale_target:
        lines += [
            "# Standardise the target too (NN Lab's default; the loss is then in units of its standard deviation).",
            "y_mean, y_std = y_train.mean(), y_train.std()",
            "y_train, y_test = (y_train - y_mean) / y_std, (y_test - y_mean) / y_std",
        ]
    return lines


def _holdout_code(exp: Experiment) -> list[str]:
    """NN Lab's validation hold-out: part of the training set, stratified when possible, the training seed."""
    c = exp.config
    _, task, _ = data_facts(exp)
    if not c.validation_fraction:
        return ["", "X_fit, y_fit, X_val, y_val = X_train, y_train, None, None     # no validation set"]
    lines = [
        "",
        "# NN Lab holds out part of the training set to watch over-fitting (stratified, the training seed).",
        f"n_val = min({c.validation_samples}, len(X_train) - 1)"
        if c.validation_samples
        else f"n_val = max(1, round({c.validation_fraction} * len(X_train)))",
    ]
    if c.validation_first:
        return lines[:1] + [
            "# The first samples of the training set validate, the rest train.",
            lines[-1],
            "X_fit, X_val, y_fit, y_val = X_train[n_val:], X_train[:n_val], y_train[n_val:], y_train[:n_val]",
        ]
    if task == "classification":
        lines += [
            "counts = np.bincount(y_train)",
            "stratify = y_train if counts[counts > 0].min() >= 2 and n_val >= np.count_nonzero(counts) else None",
        ]
    else:
        lines.append("stratify = None")
    return lines + [
        f"X_fit, X_val, y_fit, y_val = train_test_split(X_train, y_train, test_size=n_val, "
        f"random_state={c.seed}, stratify=stratify)"
    ]


def _score_line(task: str, score: str) -> str:
    return f"print({'test accuracy' if task == 'classification' else 'test R2'!r}, round(float({score}), 4))"


def _sklearn_code(exp: Experiment) -> list[str]:
    c, spec = exp.config, exp.spec
    _, task, _ = data_facts(exp)
    cls = "MLPClassifier" if task == "classification" else "MLPRegressor"
    lines = [
        "",
        "X_train, X_test = X_train.reshape(len(X_train), -1), X_test.reshape(len(X_test), -1)   # flatten",
        *_holdout_code(exp),
        "",
        f"model = {cls}(",
        f"    hidden_layer_sizes={tuple(spec.hidden_layers)}, activation={SKLEARN_ACTIVATIONS[spec.activation]!r},",
        f"    solver={c.optimizer!r}, learning_rate_init={c.learning_rate}, batch_size=min({c.batch_size}, len(X_fit)),",
        f"    alpha={c.l2}, momentum=0.0, nesterovs_momentum=False, random_state={c.seed}, shuffle=False,",
        ")",
        "# NN Lab trains one epoch per partial_fit call, shuffling with its own seeded generator, so that the",
        "# page can draw every epoch; doing the same here gives the same numbers.",
        f"rng = np.random.default_rng({c.seed})",
        *(["classes = np.arange(len(np.unique(y)))"] if task == "classification" else []),
        "best, waited = np.inf, 0",
        f"for epoch in range(1, {c.epochs} + 1):",
        "    order = rng.permutation(len(X_fit))" if c.shuffle else "    order = np.arange(len(X_fit))   # one order",
        "    model.partial_fit(X_fit[order], y_fit[order]"
        + (", classes=classes)" if task == "classification" else ")"),
    ]
    if c.early_stopping_patience:
        loss = (
            "    p = np.clip(model.predict_proba(X_val), 1e-7, 1 - 1e-7)\n"
            "    val_loss = -np.mean(np.log(p[np.arange(len(y_val)), y_val]))"
            if task == "classification"
            else "    val_loss = np.mean((model.predict(X_val) - y_val) ** 2)"
        )
        lines += [
            *loss.split("\n"),
            "    best, waited = (val_loss, 0) if val_loss < best - 1e-7 else (best, waited + 1)",
            f"    if waited >= {c.early_stopping_patience}:",
            "        print('early stopping after epoch', epoch)",
            "        break",
        ]
    return lines + [_score_line(task, "model.score(X_test, y_test)")]


def export_script(exp: Experiment, source: str = "") -> str:
    """The Python source of a script that trains `exp` with plain scikit-learn or Keras. source: where the page
    read the data ("data folder: mnist"), said in the script's comments."""
    title, task, _ = data_facts(exp)
    head = [
        f'"""NN Lab export: {title}, {exp.backend}, {exp.spec.KIND.upper()} {layers_text(exp.spec)}, '
        f"{exp.spec.activation}, {exp.config.optimizer} (learning rate {exp.config.learning_rate}).",
        "",
        "Run it with: python this_file.py. It splits, holds out, seeds and trains as NN Lab does, so it gives the",
        'same numbers (within floating-point noise)."""',
        "",
        "import numpy as np",
        "from sklearn.model_selection import train_test_split",
    ]
    if exp.backend == "sklearn":
        head += [
            f"from sklearn.neural_network import {'MLPClassifier' if task == 'classification' else 'MLPRegressor'}"
        ]
    else:
        head.insert(head.index("import numpy as np"), "import keras")
    if exp.dataset in EXTERNAL or exp.dataset == "california_housing":
        at = head.index("import numpy as np")
        head[at:at] = (
            ["import gzip", "import os", "import pickle", "from pathlib import Path", ""]
            if exp.dataset in EXTERNAL
            else ["from pathlib import Path", ""]
        )
    body = _data_code(exp, source) + _split_code(exp)
    if exp.backend == "sklearn":
        body += _sklearn_code(exp)
    else:
        _, task, kind = data_facts(exp)
        body += keras_code(exp, task, kind, _holdout_code(exp)) + [_score_line(task, "score")]
    return "\n".join(head + [""] + body) + "\n"
