"""The controls of pages that train (in the sidebar), built from the page's schema: the data section and the
training section are shared by the Training page and the CNN lab; the MLP section is the Training page's.
Together they return the Experiment they describe."""

from __future__ import annotations

from typing import NamedTuple

import streamlit as st

from app import settings as w
from app.messages import plain
from app.settings import Schema
from app.training.schema import two_classes
from app.widgets import Picked, dataset_picker
from core.activations import KERAS_ACTIVATIONS, SKLEARN_ACTIVATIONS
from core.errors import InvalidSpecError
from core.experiment import Experiment
from core.spec import OPTIMIZERS, MLPSpec, NetworkSpec, TrainConfig, parse_layers


class DataChoice(NamedTuple):
    picked: Picked
    max_samples: int | None  # a stratified subset, or None for every sample
    test_fraction: float
    seed: int
    official: bool = False  # the dataset's published train/test split
    stratify: bool = True  # the test split stratified by class
    scale_target: bool = True  # regression: train on the standardised target


def keep_valid(key: str, options, what: str) -> None:
    """If a setting is not offered by the chosen backend, fall back to its first option and say so."""
    if st.session_state[key] not in options:
        st.info(f"{plain(st.session_state[key])} is not available here; using {options[0]} for the {what}.")
        st.session_state[key] = options[0]


def _apply_typed_widths(page: Schema) -> None:
    """Set the depth and width sliders from typed widths ("300, 100"); a typing mistake is said, not applied."""
    typed = st.session_state.get("train_typed_widths", "")
    numbers = typed.replace(",", " ").split()
    try:
        if len(numbers) > page["depth"].high or any(n.isdigit() and int(n) > page["w1"].high for n in numbers):
            raise InvalidSpecError(
                f"hidden layers: at most {page['depth'].high} layers of at most {page['w1'].high} "
                f"units on this page; received {typed!r}."
            )
        widths = parse_layers(typed)
    except InvalidSpecError as exc:
        st.session_state["train_typed_error"] = str(exc)
        return
    st.session_state.pop("train_typed_error", None)
    st.session_state[page["depth"].key] = len(widths)
    for i, n in enumerate(widths, 1):
        st.session_state[page[f"w{i}"].key] = n


def data_section(page: Schema, label: str = "Dataset") -> DataChoice:
    st.header("Data")
    picked = dataset_picker(page, label)
    size = picked.dataset.n_samples if picked.dataset is not None else 70000
    n_key, size_key = page["n"].key, f"{page['n'].key}_of"
    before = st.session_state.get(size_key)
    if before and before[0] == picked.name and before[1] <= st.session_state[n_key]:
        st.session_state[n_key] = size  # all of this set was used: grown (more points), still all
    st.session_state[size_key] = (picked.name, size)
    if size > 60:
        st.session_state[n_key] = min(max(st.session_state[n_key], 50), size)
        n = w.slider(page["n"], max_value=size, step=max(1, size // 200) if size > 500 else 1)
    else:
        n = size
        st.caption(f"All {size} samples are used.")
    has_split = picked.dataset is not None and picked.dataset.test_start > 0
    official = has_split and w.toggle(page["official"])
    test = w.slider(page["test"], disabled=official)
    if official:
        ds = picked.dataset
        st.caption(
            f"Trained on the official {ds.test_start:,} training images, tested on the official "
            f"{ds.n_samples - ds.test_start:,} test images"
            + (" (a subset of each, in proportion)." if n < size else ".")
        )
    seed = int(w.number_input(page["seed"]))
    task = picked.dataset.task if picked.dataset is not None else ""
    stratify = w.toggle(page["strat"]) if task == "classification" and not official else True
    scale_target = w.toggle(page["scale_y"]) if task == "regression" else True
    return DataChoice(picked, n if n < size else None, test, seed, official, stratify, scale_target)


def training_section(page: Schema, backend: str) -> TrainConfig:
    st.header("Training")
    optimizers = [o for o in OPTIMIZERS if backend == "keras" or o != "rmsprop"]
    keep_valid(page["opt"].key, optimizers, "optimizer")
    opt = w.selectbox(page["opt"], options=optimizers)
    lr, batch, epochs = (
        w.select_slider(page["lr"]),
        int(w.number_input(page["bs"])),  # any size: the Playground's 10 as well as powers of two
        int(w.number_input(page["epochs"])),  # 1 to 10,000: typed, a slider would not hit 200
    )
    shuffle = w.toggle(page["shuffle"])
    l2, l1 = w.select_slider(page["l2"]), w.select_slider(page["l1"])
    if l1 and backend != "keras":
        st.warning("scikit-learn's MLP has no L1 penalty: choose Keras to train with it.", icon=":material/warning:")
    val = w.slider(page["val"])
    first = w.toggle(page["valfirst"], disabled=val == 0)
    count = int(w.number_input(page["nval"])) if first and val else 0
    patience = w.slider(page["patience"], disabled=val == 0)
    seed = st.session_state[page["seed"].key]
    return TrainConfig(
        epochs=epochs,
        batch_size=batch,
        learning_rate=lr,
        optimizer=opt,
        l2=l2,
        l1=l1,
        validation_fraction=val,
        early_stopping_patience=(patience or None) if val else None,
        seed=int(seed),
        validation_first=bool(first and val),
        validation_samples=count,
        shuffle=shuffle,
    )


def plane_section(page: Schema) -> tuple[tuple[str, ...], bool]:
    """A 2-D set's input features (TensorFlow Playground's toggles) and whether they are standardised."""
    features = w.pills(page["features"], selection_mode="multi")
    if not features:
        st.info("Choose at least one input feature; x1 and x2 are used meanwhile.", icon=":material/info:")
    return tuple(features) or ("x1", "x2"), w.toggle(page["xscale"])


def experiment(
    data: DataChoice,
    backend: str,
    spec: NetworkSpec,
    config: TrainConfig,
    features: tuple[str, ...] = (),
    scale_inputs: bool = True,
) -> Experiment | None:
    """The Experiment the controls describe, or None while the data is missing."""
    if data.picked.dataset is None:
        return None
    return Experiment(
        dataset=data.picked.name,
        data_options=data.picked.options,
        max_samples=data.max_samples,
        test_fraction=data.test_fraction,
        split_seed=data.seed,
        backend=backend,
        spec=spec,
        config=config,
        official_split=data.official,
        stratify=data.stratify,
        scale_target=data.scale_target,
        features=features,
        scale_inputs=scale_inputs,
    )


def controls(page: Schema) -> tuple[Picked, Experiment | None]:
    """The Training page's controls: data (a 2-D set's input features), an MLP on either backend, training. An
    experiment the backend cannot train (an L1 penalty on scikit-learn) is None, the reason in `Picked.problem`."""
    data = data_section(page)
    plane = ((), True)
    if data.picked.dataset is not None and data.picked.dataset.kind == "toy2d":
        plane = plane_section(page)
    st.header("Network")
    backend = w.radio(page["backend"], horizontal=True)
    st.text_input(
        "Type the hidden layers",
        key="train_typed_widths",
        placeholder="e.g. 300, 100",
        on_change=_apply_typed_widths,
        args=(page,),
        help="Widths separated by commas (0-6 layers of 1-512 units): sets the sliders below.",
    )
    if st.session_state.get("train_typed_error"):
        st.error(plain(st.session_state["train_typed_error"]), icon=":material/error:")
    depth = w.slider(page["depth"])
    widths = tuple(w.slider(page[f"w{i + 1}"]) for i in range(depth))
    acts = list(SKLEARN_ACTIVATIONS) if backend == "sklearn" else list(KERAS_ACTIVATIONS)
    keep_valid("train_act", acts, "activation")
    act = w.selectbox(page["act"], options=acts)
    dropout = w.slider(page["drop"], disabled=backend != "keras")
    init = w.selectbox(page["init"], disabled=backend != "keras")
    output = "sigmoid"
    if two_classes(data.picked):
        output = w.selectbox(page["out"], disabled=backend != "keras")
    config = training_section(page, backend)
    keras = backend == "keras"
    spec = MLPSpec(
        widths,
        act,
        dropout=dropout if keras else 0.0,
        init=init if keras else "keras",
        output=output if keras else "sigmoid",
    )
    try:
        return data.picked, experiment(data, backend, spec, config, *plane)
    except InvalidSpecError as exc:
        return data.picked._replace(problem=str(exc)), None
