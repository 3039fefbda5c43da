"""The Training page's settings, each declared once (see `app.settings`): the picker's data settings plus
the network's and the training's. The widgets, the link and the Experiment they describe all come from here.
"""

from __future__ import annotations

from app.settings import Schema, Setting
from app.widgets import Picked, data_schema, data_skips
from core.activations import ACTIVATIONS, get_activation
from core.datasets.features import FEATURES, feature_title
from core.models import BACKENDS
from core.spec import INITS, MAX_EPOCHS, OPTIMIZERS, OUTPUTS

LEARNING_RATES = (1e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0, 10.0)  # the Playground's among them
PLAYGROUND_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)  # its regularization rates
L1_VALUES = PLAYGROUND_RATES
# Keras's L2 is l2 x (sum of squared weights), the Playground's rate r is r/2 x that: both r and r/2 are offered
L2_VALUES = tuple(sorted({0.0, 1e-5, 1e-4, *PLAYGROUND_RATES, *(r / 2 for r in PLAYGROUND_RATES)}))
MAX_HIDDEN, MAX_WIDTH = 6, 512
BACKEND_NAMES = {"sklearn": "scikit-learn MLP", "keras": "Keras (TensorFlow)"}
OUTPUT_NAMES = {"sigmoid": "sigmoid (Keras's)", "tanh": "tanh (Playground's)"}  # short: the sidebar's width
INIT_NAMES = {"keras": "Keras's (Glorot)", "playground": "Playground's (±0.5)", "zero": "all zero"}
URL_LOADED = "train_url_loaded"
L2_HELP = (
    "Keras adds l2 x (sum of squared weights) to the loss; scikit-learn's alpha adds 0.5 x alpha x (sum of "
    "squared weights) / samples, so equal values are not equal penalties across backends. TensorFlow Playground's "
    "L2 rate r adds r/2 x (sum of squared weights): its rate 0.03 is 0.015 here on Keras."
)
L1_HELP = (
    "Keras adds l1 x (sum of absolute weights) to the loss, as TensorFlow Playground's L1 rate does; it pushes "
    "weights to exactly zero, where L2 only shrinks them. scikit-learn's MLP has no L1 penalty."
)


def _g(value: float) -> str:
    return f"{value:g}"


NETWORK = Schema(
    Setting("backend", "train_backend", "sklearn", "Backend", BACKENDS, format=BACKEND_NAMES.get),
    Setting("depth", "train_depth", 2, "Hidden layers", low=0, high=MAX_HIDDEN),
    *(
        Setting(f"w{i + 1}", f"train_w{i}", 16, f"Units in hidden layer {i + 1}", low=1, high=MAX_WIDTH)
        for i in range(MAX_HIDDEN)
    ),
    Setting("act", "train_act", "relu", "Activation", tuple(ACTIVATIONS), format=lambda a: get_activation(a).title),
    Setting(
        "init",
        "train_init",
        "keras",
        "First weights",
        INITS,
        format=INIT_NAMES.get,
        help="Where training starts. Keras lessons start from Keras's own (Glorot uniform, biases 0); TensorFlow "
        "Playground starts every weight uniform in -0.5..0.5 and every bias at 0.1 (all zero: weights 0, biases "
        "0.1). Keras only: scikit-learn starts from its own.",
    ),
    Setting(
        "out",
        "train_output",
        "sigmoid",
        "Output for two classes",
        OUTPUTS,
        format=OUTPUT_NAMES.get,
        help="Keras lessons end a two-class network with one sigmoid unit on cross-entropy. TensorFlow Playground "
        "ends it with one tanh unit on labels -1 and 1 and squared error; NN Lab shows that unit as the probability "
        "(tanh + 1) / 2, the same prediction. Keras only.",
    ),
    Setting(
        "drop",
        "train_dropout",
        0.0,
        "Dropout after each hidden layer",
        low=0.0,
        high=0.5,
        step=0.05,
        help="Keras only.",
    ),
)

EARLY_STOPPING_HELP = (
    "Stop when the validation loss has not improved for this many epochs, on both backends: the "
    "rule of Keras's EarlyStopping (monitor='val_loss'). scikit-learn's own early_stopping=True "
    "watches the validation accuracy (or R2) instead, so NN Lab's scikit-learn runs can stop at "
    "another epoch than a notebook using it."
)
REGRESSION_NOTE = (
    "This run trained on a standardised target (the training targets' mean subtracted, divided by their "
    "standard deviation) and its predictions are converted back: the errors are in the target's own units. A "
    "notebook that fits the raw target trains another problem (its loss is in squared target units), so its "
    'R2 can differ: switch off "Standardise the target" under Data to train as it does.'
)
RAW_TARGET_NOTE = (
    "This run trained on the target in its own units, as a notebook that does not scale it: its loss is in "
    "squared target units."
)
CURVES_NOTE = (  # .format(score=...)
    "Training loss and {score} are averaged over each epoch's batches as they were trained, as Keras's fit prints "
    "them; validation is measured after the epoch, so in the first epochs it can be the better of the two."
)
PLANE_LOSS_NOTE = (
    " The test and training loss over the plane are the Playground's: the weights as they are at the end, on every "
    "point."
)


def training_settings(prefix: str, **defaults) -> Schema:
    """How to train, for a page whose widget keys start with `prefix` (defaults by URL name can differ)."""
    d = {
        "n": 2000,
        "test": 0.2,
        "seed": 0,
        "opt": "adam",
        "lr": 3e-3,
        "bs": 32,
        "l1": 0.0,
        "epochs": 20,
        "l2": 0.0,
        "val": 0.1,
        "patience": 0,
        **defaults,
    }
    return Schema(
        Setting(
            "n",
            f"{prefix}_n",
            d["n"],
            "Samples used (train + test)",
            low=50,
            high=70000,
            help="A stratified subset keeps live demos fast.",
            follows=("dataset",),
        ),
        Setting(
            "test",
            f"{prefix}_test",
            d["test"],
            "Test fraction",
            low=0.1,
            high=0.9,
            step=0.05,
            help="The share of the samples held out to test on: TensorFlow Playground's 'ratio of training to test "
            "data' of 50% is 0.5 here, its 70% is 0.3.",
        ),
        Setting(
            "official",
            f"{prefix}_official",
            False,
            "Keep the official train/test split",
            help="MNIST's t10k files, CIFAR-10's test_batch: the test set everyone reports results on.",
            follows=("dataset",),
        ),
        Setting("seed", f"{prefix}_seed", d["seed"], "Seed (split and weights)", low=0, high=9999),
        Setting(
            "strat",
            f"{prefix}_strat",
            True,
            "Stratify the split by class",
            help="Each class in the same proportion in the training and test sets (train_test_split(..., "
            "stratify=y)); off, a plain random split, as train_test_split(X, y, random_state=42).",
        ),
        Setting(
            "scale_y",
            f"{prefix}_scale_y",
            True,
            "Standardise the target",
            help="Regression: train on (y - mean) / std of the training targets, as NN Lab does by default; off, "
            "the network fits the target in its own units, as a notebook that does not scale it (the diabetes "
            "lesson).",
        ),
        Setting("opt", f"{prefix}_opt", d["opt"], "Optimizer", OPTIMIZERS),
        Setting("lr", f"{prefix}_lr", d["lr"], "Learning rate", LEARNING_RATES, format=_g),
        Setting(
            "bs",
            f"{prefix}_bs",
            d["bs"],
            "Batch size",
            low=1,
            high=100_000,
            help="Samples per weight update, from 1 (one sample at a time) to the training set's size (one update an "
            "epoch); a larger number trains on the whole set at once.",
        ),
        Setting(
            "epochs",
            f"{prefix}_epochs",
            d["epochs"],
            "Epochs",
            low=1,
            high=MAX_EPOCHS,
            help="Passes over the training set. A run stops at the server's time limit and keeps its model.",
        ),
        Setting(
            "shuffle",
            f"{prefix}_shuffle",
            True,
            "Shuffle every epoch",
            help="A new order of the training samples each epoch, as Keras's fit and the lessons' loops do; off, "
            "one order throughout, as TensorFlow Playground trains.",
        ),
        Setting("l2", f"{prefix}_l2", d["l2"], "L2 penalty", L2_VALUES, format=_g, help=L2_HELP),
        Setting("l1", f"{prefix}_l1", d["l1"], "L1 penalty", L1_VALUES, format=_g, help=L1_HELP),
        Setting("val", f"{prefix}_val", d["val"], "Validation fraction", low=0.0, high=0.3, step=0.05),
        Setting(
            "valfirst",
            f"{prefix}_valfirst",
            False,
            "Validate on the first samples",
            help="The first samples of the training set validate, as X_valid = X_train_full[:5000] in a lesson; "
            "off, a random draw from it (stratified).",
        ),
        Setting(
            "nval",
            f"{prefix}_nval",
            0,
            "How many first samples validate",
            low=0,
            high=1_000_000,
            help="A count, as the lesson's X_train_full[:5000]; 0 takes the validation fraction's share.",
        ),
        Setting(
            "patience",
            f"{prefix}_patience",
            d["patience"],
            "Early stopping patience (0 = off)",
            low=0,
            high=20,
            help=EARLY_STOPPING_HELP,
        ),
    )


TRAINING = training_settings("train")
PLANE = Schema(  # a 2-D set's inputs and how its plane is drawn, as TensorFlow Playground's
    Setting(
        "features",
        "train_features",
        ("x1", "x2"),
        "Input features",
        tuple(FEATURES),
        format=feature_title,
        help="What the network takes from each point (x1, x2): TensorFlow Playground's seven features. The "
        "plane is still drawn over x1 and x2.",
    ),
    Setting(
        "xscale",
        "train_xscale",
        True,
        "Standardise the inputs",
        help="Each input feature minus its training mean, divided by its standard deviation, as NN Lab does by "
        "default; off, the points as the Playground feeds them (about -6 to 6).",
    ),
    Setting("showtest", "train_showtest", True, "Show test data"),
    Setting(
        "discrete",
        "train_discrete",
        False,
        "Discretize output",
        help="The predicted class in flat colours instead of the probability (regression: the prediction rounded "
        "to its range's ends and middle).",
    ),
)


def schema() -> Schema:
    """Every setting of the Training page, in the order of its controls."""
    return data_schema("train") + NETWORK + TRAINING + PLANE


def training_skips(page: Schema, picked: Picked) -> set[str]:
    """The data and training settings a link leaves out where they do not matter: the picker's options of other
    data, the official split for a set that has none, the patience without validation."""
    skip = data_skips(page)
    if picked.dataset is None or picked.dataset.kind != "toy2d":
        skip |= {name for name in PLANE.settings if name in page.settings}
    if picked.dataset is not None and picked.dataset.test_start == 0:
        skip.add("official")
    if page.values()["val"] == 0:
        skip |= {"patience", "valfirst"}
    if page.values()["val"] == 0 or not page.values()["valfirst"]:
        skip.add("nval")
    if picked.dataset is None or picked.dataset.task != "classification" or page.values()["official"]:
        skip.add("strat")
    if picked.dataset is None or picked.dataset.task != "regression":
        skip.add("scale_y")
    return skip


def link_skips(page: Schema, picked: Picked) -> set[str]:
    """Settings that do not matter for the network in the link: widths beyond the depth, dropout for
    scikit-learn (see `training_skips` for the rest)."""
    values = page.values()
    skip = {f"w{i + 1}" for i in range(values["depth"], MAX_HIDDEN)} | training_skips(page, picked)
    if values["backend"] != "keras":
        skip |= {"drop", "init"}
    if values["backend"] != "keras" or not two_classes(picked):
        skip.add("out")
    return skip


def two_classes(picked: Picked) -> bool:
    """Whether the picked data has two classes: the networks that end in one unit (`MLPSpec.output`)."""
    ds = picked.dataset
    return ds is not None and ds.task == "classification" and len(ds.class_names) == 2
