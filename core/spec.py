"""Frozen, self-validating specs: what to build (MLPSpec, CNNSpec) and how to train it (TrainConfig).

Every spec round-trips through a plain dict (`to_dict` / `from_dict`); `spec_to_dict` / `spec_from_dict` add
the kind of network ("mlp" | "cnn"), so an Experiment, a run record or a training job can carry any network as
plain data.
Validation is declarative: each field has a rule, and a broken rule raises InvalidSpecError naming the
field, the rule, the value received and the fix.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, ClassVar, Union

from core.activations import ACTIVATIONS
from core.augment import Augmentation
from core.errors import InvalidSpecError

# The most epochs a run may ask for: the lessons' own loops (iris for 10,000 iterations, TensorFlow Playground's
# spiral for thousands). The count protects nothing: the class server's time limit does
# (`core.classserver.training_job.JobLimits.max_seconds`), and a run that reaches it keeps its model.
MAX_EPOCHS = 10_000

OPTIMIZERS = ("sgd", "adam", "rmsprop")
# An MLP's first weights: Keras's own (Glorot uniform kernels, zero biases), TensorFlow Playground's (kernels
# uniform in -0.5..0.5, biases 0.1), or the Playground's "initZero" (zero kernels, biases 0.1). Keras only.
INITS = ("keras", "playground", "zero")
# A two-class MLP's output: one sigmoid unit on cross-entropy (Keras lessons), or TensorFlow Playground's tanh unit
# on labels -1 and 1 with squared error (shown as the probability (tanh + 1) / 2, the same prediction). Keras only.
OUTPUTS = ("sigmoid", "tanh")
MAX_LAYERS, MAX_UNITS = 8, 4096


def _int_range(name: str, value: Any, lo: int, hi: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise InvalidSpecError(f"{name} must be a whole number from {lo} to {hi}, received {value!r}.")


def _float_range(name: str, value: Any, lo: float, hi: float, *, lo_open: bool = False) -> None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    ok = ok and (lo < value if lo_open else lo <= value) and value <= hi
    if not ok:
        bracket = "(" if lo_open else "["
        raise InvalidSpecError(f"{name} must be a number in {bracket}{lo}, {hi}], received {value!r}.")


def _layers(name: str, value: Any, lo_count: int) -> tuple[int, ...]:
    try:
        layers = tuple(int(v) for v in value)
    except (TypeError, ValueError):
        raise InvalidSpecError(f"{name} must be a list of layer widths such as (16, 16), received {value!r}.") from None
    if not lo_count <= len(layers) <= MAX_LAYERS:
        raise InvalidSpecError(f"{name} must have {lo_count} to {MAX_LAYERS} layers, received {len(layers)}.")
    for i, units in enumerate(layers):
        _int_range(f"{name}[{i}]", units, 1, MAX_UNITS)
    return layers


def parse_layers(text: str, name: str = "hidden layers", min_count: int = 0) -> tuple[int, ...]:
    """Layer widths typed as text, "300, 100" (commas or spaces), checked as a spec field is."""
    parts = [p for p in text.replace(",", " ").split() if p]
    try:
        layers = tuple(int(p) for p in parts)
    except ValueError:
        raise InvalidSpecError(
            f"{name} must be whole numbers separated by commas, such as 300, 100; received {text!r}."
        ) from None
    return _layers(name, layers, min_count)


def _activation(value: Any) -> None:
    if value not in ACTIVATIONS:
        raise InvalidSpecError(f"activation must be one of {', '.join(ACTIVATIONS)}, received {value!r}.")


class _DictMixin:
    TUPLES: ClassVar[tuple[str, ...]] = ()

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Any:
        """Build from a dict; unknown keys raise InvalidSpecError (a typo must not pass silently)."""
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise InvalidSpecError(
                f"{cls.__name__} has no field(s) {', '.join(unknown)}; fields: {', '.join(sorted(names))}."
            )
        return cls(**{k: tuple(v) if k in cls.TUPLES else v for k, v in data.items()})


@dataclass(frozen=True)
class MLPSpec(_DictMixin):
    """A multi-layer perceptron. hidden_layers=() is logistic / linear regression."""

    hidden_layers: tuple[int, ...] = (16, 16)
    activation: str = "relu"
    dropout: float = 0.0  # after each hidden layer; Keras only
    init: str = "keras"  # the first weights (INITS); Keras only
    output: str = "sigmoid"  # a two-class network's output (OUTPUTS); Keras only
    TUPLES: ClassVar[tuple[str, ...]] = ("hidden_layers",)
    KIND: ClassVar[str] = "mlp"

    def __post_init__(self) -> None:
        object.__setattr__(self, "hidden_layers", _layers("hidden_layers", self.hidden_layers, 0))
        _activation(self.activation)
        _float_range("dropout", self.dropout, 0.0, 0.9)
        if self.init not in INITS:
            raise InvalidSpecError(f"init must be one of {', '.join(INITS)}, received {self.init!r}.")
        if self.output not in OUTPUTS:
            raise InvalidSpecError(f"output must be one of {', '.join(OUTPUTS)}, received {self.output!r}.")


@dataclass(frozen=True)
class CNNSpec(_DictMixin):
    """Conv (valid padding) + max-pool blocks, then Flatten, Dropout, dense layers and the output layer."""

    conv_filters: tuple[int, ...] = (32, 64)
    kernel_size: int = 3
    pool_size: int = 2
    dense_layers: tuple[int, ...] = ()
    dropout: float = 0.2
    activation: str = "relu"
    augmentation: Augmentation = field(default_factory=Augmentation)  # Keras preprocessing layers, training only
    TUPLES: ClassVar[tuple[str, ...]] = ("conv_filters", "dense_layers")
    KIND: ClassVar[str] = "cnn"

    def __post_init__(self) -> None:
        if isinstance(self.augmentation, dict):
            object.__setattr__(self, "augmentation", Augmentation.from_dict(self.augmentation))
        if not isinstance(self.augmentation, Augmentation):
            raise InvalidSpecError(f"augmentation must be an Augmentation, received {self.augmentation!r}.")
        object.__setattr__(self, "conv_filters", _layers("conv_filters", self.conv_filters, 1))
        object.__setattr__(self, "dense_layers", _layers("dense_layers", self.dense_layers, 0))
        _int_range("kernel_size", self.kernel_size, 1, 11)
        _int_range("pool_size", self.pool_size, 1, 4)
        _float_range("dropout", self.dropout, 0.0, 0.9)
        _activation(self.activation)


NetworkSpec = Union[MLPSpec, CNNSpec]
SPECS: dict[str, type] = {"mlp": MLPSpec, "cnn": CNNSpec}


def spec_to_dict(spec: NetworkSpec) -> dict[str, Any]:
    """The spec's fields plus "kind" ("mlp" | "cnn"), so `spec_from_dict` knows what to build."""
    return {"kind": spec.KIND, **spec.to_dict()}


def spec_from_dict(data: dict[str, Any]) -> NetworkSpec:
    """The spec a `spec_to_dict` dict describes; a dict without "kind" is an MLP (links made before CNNs)."""
    data = dict(data)
    kind = data.pop("kind", "mlp")
    if kind not in SPECS:
        raise InvalidSpecError(f"kind must be one of {', '.join(SPECS)}, received {kind!r}.")
    return SPECS[kind].from_dict(data)


@dataclass(frozen=True)
class TrainConfig(_DictMixin):
    """How to train. l2 is the L2 weight penalty (Keras kernel_regularizer l2 / scikit-learn alpha); l1 the L1
    penalty (Keras only: scikit-learn's MLP has none)."""

    epochs: int = 20
    batch_size: int = 200
    learning_rate: float = 1e-3
    optimizer: str = "adam"
    l2: float = 0.0
    validation_fraction: float = 0.1
    early_stopping_patience: int | None = None
    seed: int = 0
    validation_first: bool = False  # the first samples of the training set validate (lesson 002), not a draw
    validation_samples: int = 0  # with validation_first: exactly this many (lesson 002's 5,000); 0: the fraction's
    l1: float = 0.0
    shuffle: bool = True  # a new order of the training set every epoch (TensorFlow Playground keeps one order)

    def __post_init__(self) -> None:
        _int_range("epochs", self.epochs, 1, MAX_EPOCHS)
        if not isinstance(self.shuffle, bool):
            raise InvalidSpecError(f"shuffle must be True or False, received {self.shuffle!r}.")
        _int_range("batch_size", self.batch_size, 1, 100_000)
        _float_range("learning_rate", self.learning_rate, 0.0, 10.0, lo_open=True)
        if self.optimizer not in OPTIMIZERS:
            raise InvalidSpecError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, received {self.optimizer!r}.")
        _float_range("l2", self.l2, 0.0, 10.0)
        _float_range("l1", self.l1, 0.0, 10.0)
        _float_range("validation_fraction", self.validation_fraction, 0.0, 0.5)
        if self.early_stopping_patience is not None:
            _int_range("early_stopping_patience", self.early_stopping_patience, 1, 1000)
            if self.validation_fraction == 0:
                raise InvalidSpecError(
                    "early_stopping_patience watches the validation loss: set validation_fraction above 0."
                )
        _int_range("seed", self.seed, 0, 2**31 - 1)
        _int_range("validation_samples", self.validation_samples, 0, 10_000_000)
        if self.validation_samples and not (self.validation_first and self.validation_fraction):
            raise InvalidSpecError(
                "validation_samples counts the first samples of the training set: set validation_first and a "
                "validation_fraction above 0."
            )

    def n_validation(self, n: int) -> int:
        """How many of n training samples validate: none without a validation fraction, else the first
        `validation_samples` when set (leaving one to train on), else the fraction's share (at least one)."""
        if not self.validation_fraction:
            return 0
        if self.validation_samples:
            return min(self.validation_samples, n - 1)
        return max(1, int(round(self.validation_fraction * n)))
