"""A TensorFlow Playground link read as an NN Lab lesson.

The Playground keeps its whole state in the address's fragment (`src/state.ts`):
`https://playground.tensorflow.org/#activation=relu&batchSize=10&dataset=spiral&networkShape=4,5,5,2&...`.
`read_playground_link` turns it into a `PlaygroundLesson`: the data (which set, noise, train:test ratio, the
Playground's 500 points, or 1,200 for regression), the input features, the network and how it trains (plain SGD,
as the Playground), with the Playground's defaults for whatever the link leaves out, and in `unhonoured` every
part of it NN Lab does not do the same way, in words, for the page's one warning.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from core.datasets.features import FEATURES
from core.datasets.toy import MAX_NOISE, PLAYGROUND_POINTS
from core.errors import InvalidSpecError
from core.experiment import Experiment
from core.spec import MLPSpec, TrainConfig

MAX_LINK = 2000  # characters: a Playground link is a few hundred
HOST = "playground.tensorflow.org"
DATASETS = {"circle": "circles", "xor": "xor", "gauss": "gaussian", "spiral": "spiral"}
REGRESSION_SETS = {"reg-plane": "plane", "reg-gauss": "multi_gaussian"}
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
FEATURE_NAMES = {playground: name for name, (_, playground, _) in FEATURES.items()}
UNOFFERED = {"cosX": "cos x1", "cosY": "cos x2"}  # in the Playground's links, not on its page
EPOCHS = 1000  # the Playground trains until paused; a lesson here trains this many epochs


@dataclass(frozen=True)
class PlaygroundLesson:
    dataset: str  # an NN Lab 2-D set
    task: str  # "classification" | "regression"
    n_samples: int
    noise: float  # the Playground's slider / 100 (0 to 0.5), as `core.datasets.toy` takes it
    test_fraction: float
    features: tuple[str, ...]
    hidden_layers: tuple[int, ...]
    activation: str
    learning_rate: float
    batch_size: int
    l1: float
    l2: float  # as Keras takes it: the Playground's L2 rate r penalises r/2 x the sum of squared weights
    init: str  # the Playground's first weights: "playground", or "zero" (its initZero)
    show_test: bool
    discretize: bool
    unhonoured: tuple[str, ...]  # what NN Lab does not do as the Playground does, in words


def _state(address: str) -> dict[str, str]:
    """The fragment's name=value pairs (the whole text when it has no '#': a pasted fragment)."""
    address = address.strip()
    if "#" not in address and "%23" in address.lower():  # the address url-encoded once more than needed
        address = unquote(address)
    if len(address) > MAX_LINK:
        raise InvalidSpecError(f"A Playground link is a few hundred characters; this one has {len(address):,}.")
    if "#" in address and not address.startswith("#"):  # an address: its host must be the Playground's
        parts = urlsplit(address if "://" in address else "https://" + address)
        host, fragment = parts.netloc.lower(), parts.fragment
    elif "#" in address or "/" not in address:  # the fragment alone, pasted
        host, fragment = "", address.lstrip("#?")
    else:  # an address without a fragment
        host, fragment = urlsplit(address if "://" in address else "https://" + address).netloc.lower(), ""
    if host and host not in (HOST, "www." + HOST):
        raise InvalidSpecError(f"Not a TensorFlow Playground address: expected {HOST}, received {host}.")
    state = {}
    for pair in fragment.split("&"):
        name, _, value = pair.partition("=")
        if name:
            state[unquote(name)] = unquote(value)
    if not state:
        raise InvalidSpecError(
            f"This address holds no Playground settings: copy the whole address from {HOST} (the part after # "
            "holds the lesson)."
        )
    return state


def _number(state: dict, name: str, default: float, notes: list[str]) -> float:
    if not state.get(name, "").strip():
        return default
    try:
        return float(state[name])
    except ValueError:
        notes.append(f"{name}={state[name]} is not a number (the Playground's {default:g} is used)")
        return default


def _flag(state: dict, name: str, default: bool) -> bool:
    return default if not state.get(name, "").strip() else state[name] != "false"


def read_playground_link(address: str) -> PlaygroundLesson:
    """The lesson a Playground address describes (see the module). InvalidSpecError for an address that is not
    one or holds nothing; values NN Lab cannot take are said in `unhonoured`, the Playground's default in their
    place."""
    state, notes = _state(address), []
    task = "regression" if state.get("problem") == "regression" else "classification"
    sets = REGRESSION_SETS if task == "regression" else DATASETS
    key = "regDataset" if task == "regression" else "dataset"
    default_set = "reg-plane" if task == "regression" else "circle"
    chosen = state.get(key, default_set)
    if chosen not in sets:
        notes.append(f"the data set {chosen!r} (not one the Playground has; its {default_set} is used)")
        chosen = default_set

    noise = _number(state, "noise", 0, notes)
    if not 0 <= noise <= MAX_NOISE * 100:
        notes.append(f"noise {noise:g} (NN Lab's noise goes from 0 to {MAX_NOISE * 100:g}; the nearest is used)")
        noise = min(max(noise, 0), MAX_NOISE * 100)
    train = _number(state, "percTrainData", 50, notes)
    shown = min(max(round(train / 5) * 5, 10), 90)
    if shown != train:
        notes.append(f"{train:g}% training data (NN Lab's ratio moves in steps of 5% from 10% to 90%: {shown}%)")

    activation = state.get("activation", "tanh")
    if activation not in ACTIVATIONS:
        notes.append(f"the activation {activation!r} (not one the Playground has; its tanh is used)")
        activation = "tanh"
    kind, rate = state.get("regularization", "none"), _number(state, "regularizationRate", 0, notes)
    if kind not in ("none", "L1", "L2"):
        notes.append(f"the regularization {kind!r} (not one the Playground has; none is used)")
        kind = "none"

    try:
        raw_shape = state.get("networkShape", "4,2")
        layers = tuple(int(n) for n in raw_shape.split(",") if n.strip())
    except ValueError:
        notes.append(f"the network shape {raw_shape!r} (not widths; the Playground's 4,2 is used)")
        layers = (4, 2)

    features = tuple(
        name for name, (_, playground, _) in FEATURES.items() if _flag(state, playground, playground in ("x", "y"))
    )
    dropped = [title for name, title in UNOFFERED.items() if _flag(state, name, False)]
    if dropped:
        notes.append(f"the input features {' and '.join(dropped)} (NN Lab offers the Playground page's seven)")
    if not features:
        notes.append("no input feature at all (x1 and x2 are used)")
        features = ("x1", "x2")
    if state.get("seed"):
        notes.append(f"the Playground's seed {state['seed']} (NN Lab draws its own points of the same shapes)")
    notes.append(f"training until paused: NN Lab trains {EPOCHS:,} epochs (change Epochs to go on)")
    return PlaygroundLesson(
        dataset=sets[chosen],
        task=task,
        n_samples=PLAYGROUND_POINTS[task],
        noise=noise / 100,
        test_fraction=round(1 - shown / 100, 2),
        features=features,
        hidden_layers=layers,
        activation=activation,
        learning_rate=_number(state, "learningRate", 0.03, notes),
        batch_size=int(_number(state, "batchSize", 10, notes)),
        l1=rate if kind == "L1" else 0.0,
        l2=rate / 2 if kind == "L2" else 0.0,
        init="zero" if _flag(state, "initZero", False) else "playground",
        show_test=_flag(state, "showTestData", False),
        discretize=_flag(state, "discretize", False),
        unhonoured=tuple(notes),
    )


def lesson_experiment(lesson: PlaygroundLesson, seed: int = 0) -> Experiment:
    """The lesson as NN Lab trains it: the Playground's data (drawn with `seed`), split as it splits (a shuffle
    and a cut, not stratified), its features on its scale (not standardised), its network from its first weights
    to its output (tanh, squared error) on Keras with plain SGD over its points in one order (it does not reshuffle each epoch) and no validation set, `EPOCHS` epochs; `seed` also seeds the split and the first weights."""
    return Experiment(
        dataset=lesson.dataset,
        data_options={"n_samples": lesson.n_samples, "noise": lesson.noise, "seed": seed},
        test_fraction=lesson.test_fraction,
        split_seed=seed,
        backend="keras",
        spec=MLPSpec(
            hidden_layers=lesson.hidden_layers,
            activation=lesson.activation,
            init=lesson.init,
            output="tanh" if lesson.task == "classification" else "sigmoid",
        ),
        config=TrainConfig(
            epochs=EPOCHS,
            batch_size=lesson.batch_size,
            learning_rate=lesson.learning_rate,
            optimizer="sgd",
            l1=lesson.l1,
            l2=lesson.l2,
            validation_fraction=0.0,
            seed=seed,
            shuffle=False,
        ),
        stratify=False,
        features=lesson.features,
        scale_inputs=False,
    )
