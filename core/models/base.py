"""What both backends share: input checks, the validation split, and the per-epoch bookkeeping
(logs, user callback, stop requests, early stopping, divergence) so that both train by the same rules.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from math import prod
from typing import Callable

import numpy as np

from core.errors import InvalidSpecError
from core.losses import binary_crossentropy, sparse_categorical_crossentropy
from core.metrics import score_name
from core.params import count_params, output_activation, output_units
from core.snapshots import SNAPSHOT_BUDGET, WeightSnapshots
from core.spec import CNNSpec, MLPSpec, TrainConfig

EpochCallback = Callable[[dict], None]


@dataclass
class History:
    """Per-epoch logs of one `fit`, why it ended (completed | stopped | early_stopping | diverged), and the
    weights after each epoch (thinned to a memory budget; None when not recorded)."""

    epochs: list[dict] = field(default_factory=list)
    stop_reason: str = "completed"
    message: str = ""
    snapshots: WeightSnapshots | None = None

    @property
    def history(self) -> dict[str, list[float]]:
        """Keras-style {metric: [value per epoch]}."""
        keys = dict.fromkeys(k for logs in self.epochs for k in logs)
        return {k: [logs.get(k, math.nan) for logs in self.epochs] for k in keys}


class EpochTracker:
    """Called at the end of every epoch by either backend; decides whether training goes on."""

    def __init__(
        self,
        config: TrainConfig,
        callback: EpochCallback | None,
        model: "BaseModel",
        snapshot_budget: int = SNAPSHOT_BUDGET,
        start_epoch: int = 0,
    ) -> None:
        self.config, self.callback, self.model, self.start_epoch = config, callback, model, start_epoch
        self.history = History(snapshots=WeightSnapshots(snapshot_budget) if snapshot_budget else None)
        self.best_val, self.bad_epochs = math.inf, 0
        self.started = time.perf_counter()

    def end_epoch(self, logs: dict) -> bool:
        """Record `logs` (loss, val_loss, accuracy...); call the user's callback; True means stop now."""
        logs = {
            "epoch": self.start_epoch + len(self.history.epochs) + 1,
            **{k: float(v) for k, v in logs.items()},
            "seconds": time.perf_counter() - self.started,
        }
        self.history.epochs.append(logs)
        if self.history.snapshots is not None and math.isfinite(logs["loss"]):
            self.history.snapshots.record(logs["epoch"], self.model.layer_weights())
        if not math.isfinite(logs["loss"]):
            self.history.stop_reason = "diverged"
            self.history.message = (
                f"The loss became {logs['loss']} at epoch {logs['epoch']}: the weights blew up. "
                f"Lower the learning rate (now {self.config.learning_rate:g}), e.g. by a factor of 10."
            )
        if self.callback is not None:
            self.callback(dict(logs))
        if self.history.stop_reason == "diverged":
            return True
        if self.model.stop_requested:
            self.history.stop_reason = "stopped"
            self.history.message = f"Stopped by request after epoch {logs['epoch']}."
            return True
        patience = self.config.early_stopping_patience
        val = logs.get("val_loss", math.nan)
        if patience is not None and math.isfinite(val):
            if val < self.best_val - 1e-7:
                self.best_val, self.bad_epochs = val, 0
            else:
                self.bad_epochs += 1
            if self.bad_epochs >= patience:
                self.history.stop_reason = "early_stopping"
                self.history.message = (
                    f"Early stopping after epoch {logs['epoch']}: the validation loss did not improve for "
                    f"{patience} epochs (best {self.best_val:.4f})."
                )
                return True
        return False


class BaseModel:
    """A built network, the same interface for every backend. See docs/ARCHITECTURE.md, "The core contract".

    Classification labels are integer codes 0..n_classes-1. Inputs are (n, *input_shape); flattened
    inputs of the same size are accepted too.
    """

    backend = ""

    def __init__(self, spec: MLPSpec | CNNSpec, input_shape: tuple[int, ...], n_outputs: int, task: str) -> None:
        if task not in ("classification", "regression"):
            raise InvalidSpecError(f"task must be 'classification' or 'regression', received {task!r}.")
        self.spec, self.input_shape, self.task = spec, tuple(int(d) for d in input_shape), task
        self.n_classes = max(2, n_outputs) if task == "classification" else 0
        self.n_units = output_units(task, self.n_classes, n_outputs)
        self.output = output_activation(task, self.n_units, getattr(spec, "output", "sigmoid"))
        if getattr(spec, "output", "sigmoid") == "tanh" and self.output != "tanh":
            raise InvalidSpecError(
                "TensorFlow Playground's tanh output is one unit for two classes; this network has "
                f"{'a regression target' if task == 'regression' else f'{self.n_classes} classes'}. Use the "
                "sigmoid output."
            )
        self.stop_requested = False
        self.deadline: float | None = None  # a `time.monotonic()` after which `fit` stops (Keras: after that batch)
        self.history: History | None = None

    # -- shared helpers ------------------------------------------------------------------------------
    def stop(self) -> None:
        """Ask a running `fit` to stop after the current epoch (safe to call from another thread)."""
        self.stop_requested = True

    def count_params(self) -> int:
        return count_params(self.spec, self.input_shape, self.n_units)

    def _check_X(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float32)
        if X.shape[1:] != self.input_shape:
            if X.ndim >= 2 and prod(X.shape[1:]) == prod(self.input_shape):
                return X.reshape((len(X),) + self.input_shape)
            raise InvalidSpecError(
                f"expected inputs of shape (n, {', '.join(map(str, self.input_shape))}), received {X.shape}."
            )
        return X

    def _check_y(self, y: np.ndarray) -> np.ndarray:
        y = np.asarray(y)
        if self.task == "regression":
            return y.astype(np.float32).reshape(len(y), -1)
        if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() >= self.n_classes:
            raise InvalidSpecError(
                f"expected class codes 0..{self.n_classes - 1} (one per sample), received {y.dtype} values "
                f"from {y.min()} to {y.max()}."
            )
        return y.astype(np.int64)

    def _validation_split(self, X, y, config: TrainConfig):
        if config.validation_fraction == 0:
            return X, y, None, None
        from sklearn.model_selection import train_test_split

        n_val = config.n_validation(len(X))
        if config.validation_first:  # X_valid, X_train = X_train_full[:n_val], X_train_full[n_val:]
            return X[n_val:], y[n_val:], X[:n_val], y[:n_val]
        strat = None
        if self.task == "classification":
            counts = np.bincount(y, minlength=self.n_classes)
            strat = y if counts[counts > 0].min() >= 2 and n_val >= (counts > 0).sum() else None
        X_tr, X_val, y_tr, y_val = train_test_split(X, y, test_size=n_val, random_state=config.seed, stratify=strat)
        return X_tr, y_tr, X_val, y_val

    def fit(
        self,
        X: np.ndarray,
        y: np.ndarray,
        config: TrainConfig,
        callback: EpochCallback | None = None,
        snapshot_budget: int = SNAPSHOT_BUDGET,
        start_epoch: int = 0,
    ) -> History:
        """Train for `config.epochs` epochs (continuing from the current weights). start_epoch: epochs trained
        before (a run that goes on): the logs count on from it, and the shuffling is seeded with seed + start_epoch
        so that each part of a run sees its own order.

        `callback(logs)` runs after every epoch with epoch, loss, val_loss, accuracy / val_accuracy
        (classification) or r2 / val_r2 (regression) and seconds since the start; loss and accuracy / r2 as Keras's
        fit reports them, over the epoch's batches, each with the weights it was trained from. Training stops early
        on `stop()`, on early stopping, or when the loss is NaN/inf (`history.stop_reason == "diverged"`).
        The weights after each epoch go to `history.snapshots`, within `snapshot_budget` bytes (0: none).
        `self.history` is this run's History from the start, so a run interrupted by an exception in the
        callback keeps its epochs and snapshots so far.
        """
        X, y = self._check_X(X), self._check_y(y)
        if len(X) != len(y):
            raise InvalidSpecError(f"X has {len(X)} samples but y has {len(y)}.")
        self.stop_requested = False
        tracker = EpochTracker(config, callback, self, snapshot_budget, start_epoch)
        self.history = tracker.history
        self._fit_epochs(*self._validation_split(X, y, config), config, tracker)
        return tracker.history

    def _validation_logs(self, X_val, y_val) -> dict:
        """val_loss and val_accuracy / val_r2 of the weights as they are, on the validation set (none without one).
        The training loss and score are the backends' own: over the epoch's batches, each as it was trained."""
        if X_val is None:
            return {}
        out = self._raw_output(X_val)
        return {"val_loss": self._loss(out, y_val), f"val_{score_name(self.task)}": self._score_from_output(out, y_val)}

    def _loss(self, out: np.ndarray, y: np.ndarray) -> float:
        """Keras's definitions: categorical / binary cross-entropy (clipped at 1e-7), or mean squared error (the
        Playground's tanh output: its squared error, as `keras_backend` weights Keras's)."""
        if self.task == "regression":
            return float(np.mean((out - y) ** 2))
        if self.output == "tanh":  # the Playground's squared error on -1, 1: 0.5 (tanh - t)^2 = 2 (p - y)^2
            return float(2 * np.mean((out[:, 0] - y) ** 2))
        if self.n_units == 1:
            return float(binary_crossentropy(y, out[:, 0]))
        return float(np.mean(sparse_categorical_crossentropy(y, out)))

    def _score_from_output(self, out: np.ndarray, y: np.ndarray) -> float:
        if self.task == "regression":
            ss_res = float(((y - out) ** 2).sum())
            ss_tot = float(((y - y.mean(axis=0)) ** 2).sum())
            return 1.0 - ss_res / ss_tot if ss_tot > 0 else 0.0
        pred = (out[:, 0] > 0.5).astype(np.int64) if self.n_units == 1 else out.argmax(axis=1)
        return float(np.mean(pred == y))

    # -- the public read side ------------------------------------------------------------------------
    def predict(self, X: np.ndarray) -> np.ndarray:
        """Class codes (classification) or values (regression: (n,) for one target, else (n, targets))."""
        out = self._raw_output(self._check_X(X))
        if self.task == "regression":
            return out[:, 0] if out.shape[1] == 1 else out
        return (out[:, 0] > 0.5).astype(np.int64) if self.n_units == 1 else out.argmax(axis=1)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """(n, n_classes) class probabilities; a binary model's one logistic unit p gives [1 - p, p]."""
        if self.task != "classification":
            raise InvalidSpecError("predict_proba is for classification models; this one does regression.")
        out = self._raw_output(self._check_X(X))
        return np.c_[1 - out, out] if self.n_units == 1 else out

    def loss(self, X: np.ndarray, y: np.ndarray) -> float:
        """The loss on (X, y) as Keras computes it (cross-entropy or mean squared error), without any penalty."""
        return self._loss(self._raw_output(self._check_X(X)), self._check_y(y))

    def score(self, X: np.ndarray, y: np.ndarray) -> float:
        """Accuracy (classification) or R2 (regression) on (X, y)."""
        return self._score_from_output(self._raw_output(self._check_X(X)), self._check_y(y))

    def layer_preactivations(self, X: np.ndarray) -> list[tuple[str, np.ndarray]]:
        """[(name, z)] for every Dense layer: z = a_prev @ W + b, the input of its activation function."""
        X = self._check_X(X)
        layer_outs = self.layer_outputs(X)
        names, outputs = [name for name, _ in layer_outs], dict(layer_outs)
        result = []
        for name, W, b in self.layer_weights():
            if W.ndim != 2:
                continue
            i = names.index(name)
            prev = outputs[names[i - 1]] if i > 0 else X
            result.append((name, prev.reshape(len(X), -1) @ W + b))
        return result

    # -- what each backend implements ----------------------------------------------------------------
    file_suffix = ""  # the model file each backend writes: ".keras", ".skops"

    def save_bytes(self) -> bytes:
        """The trained model as the bytes of the backend's own safe file format (never a plain pickle)."""
        raise NotImplementedError

    def load_bytes(self, content: bytes) -> None:
        """Replace this model's network by the one in `content` (what `save_bytes` wrote), read safely."""
        raise NotImplementedError

    def _fit_epochs(self, X_tr, y_tr, X_val, y_val, config: TrainConfig, tracker: EpochTracker) -> None:
        raise NotImplementedError

    def _raw_output(self, X: np.ndarray) -> np.ndarray:
        """The output layer's activations, (n, n_units)."""
        raise NotImplementedError

    def layer_weights(self) -> list[tuple[str, np.ndarray, np.ndarray]]:
        raise NotImplementedError

    def layer_outputs(self, X: np.ndarray) -> list[tuple[str, np.ndarray]]:
        raise NotImplementedError
