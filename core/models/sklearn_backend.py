"""scikit-learn backend: MLPClassifier / MLPRegressor trained one epoch per `partial_fit` call, so the
page sees every epoch. Validation and early stopping are done by `core` (partial_fit refuses
early_stopping=True).

The training loss and accuracy / R² of an epoch are Keras's: over the epoch's batches, each with the weights it
was trained from (scikit-learn's `loss_` is that already; the accuracy is read from the outputs of the forward pass
training does anyway, so it costs no pass of its own). The validation scores are those of the weights after the epoch.

Speed (see bench/train_speed.py): data stay float32 (scikit-learn's MLP keeps float32, 1.5x faster than
float64); every Dataset was checked finite when loaded, so scikit-learn's per-call finite check over the
whole array is skipped (assume_finite), and so is the re-validation of parameters NN Lab set itself
(skip_parameter_validation); BLAS threads are limited for small networks.
"""

from __future__ import annotations

import numpy as np

from core.activations import SKLEARN_ACTIVATIONS
from core.errors import DataFormatError, InvalidSpecError, NotTrainedError
from core.metrics import score_name
from core.models.base import BaseModel, EpochTracker
from core.spec import CNNSpec, MLPSpec, TrainConfig

SMALL_LAYER = 256  # at or below this width, one BLAS thread is faster on 2 cores (see bench/)


def blas_threads(spec: MLPSpec) -> int | None:
    """1 for small networks (threading overhead dominates tiny matrix products), else the default."""
    return 1 if max(spec.hidden_layers, default=0) <= SMALL_LAYER else None


# Types a skops file of ours holds beyond those skops trusts by default (scikit-learn's own estimators):
# the MLP's optimizer state. Anything else skops does not trust refuses the file before it is built.
SKOPS_TRUSTED = (
    "sklearn.neural_network._stochastic_optimizers.AdamOptimizer",
    "sklearn.neural_network._stochastic_optimizers.SGDOptimizer",
)


def _checked_already(X, y, incremental, reset):
    """An estimator's `_validate_input` while it trains on arrays its own checks returned (see `_fit_epochs`)."""
    return X, y


def _keeping_outputs(est, outputs: list):
    """`est._backprop` that also keeps each batch's outputs, from the forward pass of the batch's own training step
    (before its update), in `outputs`: what Keras measures its training accuracy on."""
    backprop = type(est)._backprop

    def kept(X, y, sample_weight, activations, *grads):
        result = backprop(est, X, y, sample_weight, activations, *grads)
        outputs.append(activations[-1])  # a new array each batch (the forward pass assigns it)
        return result

    return kept


def _optimizer_follows(est, config: TrainConfig) -> None:
    """A trained estimator that goes on (Play after Pause) with this config: the same weights; its optimizer's state
    kept for the same optimizer at the new learning rate, a fresh one for another (scikit-learn reads both settings
    only when it creates its optimizer)."""
    optimizer = getattr(est, "_optimizer", None)
    if optimizer is None:
        return
    if type(optimizer).__name__ != {"sgd": "SGDOptimizer", "adam": "AdamOptimizer"}[config.optimizer]:
        del est._optimizer
        return
    optimizer.learning_rate_init = config.learning_rate
    if config.optimizer == "sgd":
        optimizer.learning_rate = config.learning_rate


class SklearnModel(BaseModel):
    backend = "sklearn"
    file_suffix = ".skops"

    def __init__(self, spec, input_shape, n_outputs, task, seed: int = 0) -> None:
        if isinstance(spec, CNNSpec):
            raise InvalidSpecError("scikit-learn has no convolutional layers: build a CNNSpec with backend='keras'.")
        if spec.activation not in SKLEARN_ACTIVATIONS:
            raise InvalidSpecError(
                f"scikit-learn's MLP supports the activations {', '.join(SKLEARN_ACTIVATIONS)}; received "
                f"{spec.activation!r}. Choose one of those, or use backend='keras'."
            )
        if spec.dropout > 0:
            raise InvalidSpecError("scikit-learn's MLP has no dropout: set dropout=0 or use backend='keras'.")
        if spec.init != "keras":
            raise InvalidSpecError(
                f"scikit-learn's MLP starts from its own first weights: init={spec.init!r} needs backend='keras'."
            )
        super().__init__(spec, input_shape, n_outputs, task)
        self.seed = seed
        self.estimator_ = None

    def _new_estimator(self, config: TrainConfig):
        from sklearn.neural_network import MLPClassifier, MLPRegressor

        cls = MLPClassifier if self.task == "classification" else MLPRegressor
        return cls(
            hidden_layer_sizes=self.spec.hidden_layers,
            activation=SKLEARN_ACTIVATIONS[self.spec.activation],
            solver=config.optimizer,
            alpha=config.l2,
            batch_size=config.batch_size,
            learning_rate_init=config.learning_rate,
            momentum=0.0,
            nesterovs_momentum=False,  # plain SGD, as Keras
            random_state=self.seed,
            shuffle=False,  # core shuffles once per epoch (one gather, not one per batch)
        )

    def _fit_epochs(self, X_tr, y_tr, X_val, y_val, config: TrainConfig, tracker: EpochTracker) -> None:
        """One `partial_fit` per epoch on a fresh shuffle (unless `config.shuffle` is off), as the lessons' loops do. partial_fit checks its input
        on every call (types, finiteness, the labels one-hot encoded): 85% of an iris epoch, so iris's 10,000
        iterations took minutes. The first epoch runs it whole; the later ones give the checked arrays, shuffled,
        to the same `_fit(..., incremental=True)` partial_fit calls, with the checks answered from the first
        (the same numbers: the checks are row by row)."""
        from sklearn import config_context
        from threadpoolctl import threadpool_limits

        if config.l1 > 0:
            raise InvalidSpecError(
                "scikit-learn's MLP has only an L2 penalty (alpha), no L1: set l1=0, or use backend='keras'."
            )
        if config.optimizer not in ("sgd", "adam"):
            raise InvalidSpecError(
                f"scikit-learn's MLP trains with 'sgd' or 'adam', received {config.optimizer!r}. "
                "Choose one of those, or use backend='keras' for rmsprop."
            )
        if self.estimator_ is None:
            self.estimator_ = self._new_estimator(config)
        est = self.estimator_
        est.set_params(
            alpha=config.l2,
            batch_size=min(config.batch_size, len(X_tr)),
            learning_rate_init=config.learning_rate,
            solver=config.optimizer,
        )
        _optimizer_follows(est, config)
        flat_tr = X_tr.reshape(len(X_tr), -1)
        target = y_tr if self.task == "classification" else (y_tr[:, 0] if y_tr.shape[1] == 1 else y_tr)
        rng = np.random.default_rng(config.seed + tracker.start_epoch)
        checked = shuffled = None  # the training set as partial_fit's checks return it, once they ran; a buffer
        outputs: list[np.ndarray] = []  # the epoch's batch outputs, in the order trained
        with (
            threadpool_limits(limits=blas_threads(self.spec), user_api="blas"),
            np.errstate(all="ignore"),
            config_context(assume_finite=True, skip_parameter_validation=True),
        ):
            try:
                est._backprop = _keeping_outputs(est, outputs)
                for _ in range(config.epochs):
                    order = rng.permutation(len(flat_tr)) if config.shuffle else np.arange(len(flat_tr))
                    outputs.clear()
                    try:
                        if checked is None:
                            if self.task == "classification":
                                est.partial_fit(flat_tr[order], target[order], classes=np.arange(self.n_classes))
                            else:
                                est.partial_fit(flat_tr[order], target[order])
                            checked = est._validate_input(flat_tr, target, True, False)
                            shuffled = np.empty_like(checked[0]) if config.shuffle else None
                            est._validate_input = _checked_already
                        elif shuffled is None:  # one order for every epoch: the checked arrays as they are
                            est._fit(*checked, incremental=True)
                        else:
                            # into one buffer for every epoch (mode "clip": the indices are not checked, so numpy
                            # copies straight into it): 1.2 ms less of a 29 ms MNIST-sized epoch than a new array
                            np.take(checked[0], order, axis=0, out=shuffled, mode="clip")
                            est._fit(shuffled, checked[1][order], incremental=True)
                    except ValueError as exc:  # "Solver produced non-finite parameter weights"
                        if "non-finite" not in str(exc):
                            raise
                        tracker.end_epoch({"loss": float("nan")})
                        break
                    # scikit-learn's squared-error loss is half the MSE; report Keras's mse.
                    loss = est.loss_ * (2 if self.task == "regression" else 1)
                    logs = {"loss": loss}
                    if sum(map(len, outputs)) < len(order):  # scikit-learn caught a Ctrl-C and ended the epoch
                        raise KeyboardInterrupt
                    if np.isfinite(loss):
                        logs[score_name(self.task)] = self._score_from_output(np.concatenate(outputs), y_tr[order])
                        logs.update(self._validation_logs(X_val, y_val))
                    if tracker.end_epoch(logs):
                        break
            finally:
                # the estimator as scikit-learn made it (skops saves it)
                for patched in ("_validate_input", "_backprop"):
                    est.__dict__.pop(patched, None)

    def save_bytes(self) -> bytes:
        import skops.io

        return skops.io.dumps(self._require_fitted())

    def load_bytes(self, content: bytes) -> None:
        """skops with an allow-list: anything but scikit-learn's MLP and its parts is refused, not built."""
        import skops.io

        try:
            untrusted = set(skops.io.get_untrusted_types(data=content)) - set(SKOPS_TRUSTED)
            if untrusted:
                raise DataFormatError(
                    f"Refused the model file: it holds {', '.join(sorted(untrusted))}, which is not "
                    "part of a scikit-learn MLP."
                )
            est = skops.io.loads(content, trusted=list(SKOPS_TRUSTED))
        except DataFormatError:
            raise
        except Exception as exc:  # skops raises many kinds (zip, json, type errors) for a broken file
            raise DataFormatError(f"Not a skops model file NN Lab can read ({type(exc).__name__}: {exc}).") from exc
        expected, n_in = (
            "MLPClassifier" if self.task == "classification" else "MLPRegressor",
            int(np.prod(self.input_shape)),
        )
        if type(est).__name__ != expected or not hasattr(est, "coefs_"):
            raise DataFormatError(f"The file holds a {type(est).__name__}; expected a trained {expected}.")
        if est.coefs_[0].shape[0] != n_in:
            raise DataFormatError(f"The file's MLP takes {est.coefs_[0].shape[0]} inputs; expected {n_in}.")
        self.estimator_ = est

    def _require_fitted(self):
        if self.estimator_ is None or not hasattr(self.estimator_, "coefs_"):
            raise NotTrainedError("This scikit-learn model has no weights until it is trained: call fit first.")
        return self.estimator_

    def layer_weights(self) -> list[tuple[str, np.ndarray, np.ndarray]]:
        est = self._require_fitted()
        return [(n, W.copy(), b.copy()) for n, W, b in zip(self._layer_names(est), est.coefs_, est.intercepts_)]

    @staticmethod
    def _layer_names(est) -> list[str]:
        """hidden_1 ... hidden_k, output: the names the Keras backend gives the same layers."""
        return [f"hidden_{i}" for i in range(1, len(est.coefs_))] + ["output"]

    def layer_outputs(self, X: np.ndarray) -> list[tuple[str, np.ndarray]]:
        """A numpy forward pass over coefs_ / intercepts_: the activations after each layer."""
        from core.models.frozen import mlp_outputs

        return mlp_outputs(
            self.layer_weights(),
            self._check_X(X),
            self.spec.activation,
            self.task,
            self.n_units,
            len(self.input_shape) > 1,
        )

    def _raw_output(self, X: np.ndarray) -> np.ndarray:
        """The output layer's activations (n, n_units), from the same forward pass."""
        return self.layer_outputs(X)[-1][1]
