"""Widgets shared by pages that return what a page needs (a loaded dataset), and the one way a page shows a
problem the user can fix. The dataset picker's settings (the dataset, a generated set's points, noise and seed)
are a `Schema`, so they are in the link of every page that has the picker."""

from __future__ import annotations

from typing import NamedTuple

import streamlit as st

from app import settings as w
from app.data_access import get_dataset
from app.messages import plain, show_error
from app.settings import Schema, Setting
from app.uploads import upload_widget
from core.datasets import UPLOAD, Dataset, DatasetInfo, dataset_info, dataset_options, is_available, list_datasets
from core.datasets.binary import BINARY, binary_rules
from core.datasets.folders import confine, typed_folders_allowed
from core.datasets.uploads import upload_options
from core.errors import DatasetUnavailable, NNLabError


def _label(name: str) -> str:
    """A dataset as its picker shows it: its title only, which fits the sidebar's box when presenting (a title with
    its summary was cut after about 20 characters); the summary goes under the box (`_about`)."""
    return "Your own file" if name == UPLOAD else dataset_info(name).title


def _about(name: str) -> str:
    if name == UPLOAD:
        return "CSV, .npz, image folders, IDX files or CIFAR batches"
    info: DatasetInfo = dataset_info(name)
    return info.summary + ("" if info.bundled or is_available(name) else "; not on this machine yet")


NOISE_LEVELS = tuple(round(i * 0.05, 2) for i in range(11))  # the Playground's 0, 5, ..., 50, over 100


def data_schema(prefix: str, kind: str | None = None) -> Schema:
    """The picker's settings on a page whose own widget keys start with `prefix` (datasets of one `kind` only,
    if given; uploads always). The chosen dataset is one key for every page, so a dataset picked on the Data
    page is the one the Training page opens with."""
    names = tuple(list_datasets(kind) + [UPLOAD])
    toy = (
        ()
        if kind not in (None, "toy2d")
        else (  # a generated set's options
            Setting("points", f"{prefix}_points", 500, "Points", low=50, high=2000, step=50),  # load_dataset's defaults
            Setting(
                "noise",
                f"{prefix}_noise",
                0.0,
                "Noise",
                NOISE_LEVELS,
                format=lambda v: f"{v * 100:.0f}",
                help="TensorFlow Playground's noise, 0 to 50: how far points move from their shape (or how much "
                "the Gaussians spread).",
            ),
            Setting("dseed", f"{prefix}_data_seed", 0, "Seed", low=0, high=9999),
        )
    )
    return Schema(
        Setting("dataset", "dataset", names[0], "Dataset", names, format=_label),
        Setting("file", "nnlab_upload_name", "", "Uploaded file"),  # in a link: the upload it was made with
        Setting(
            "binary",
            f"{prefix}_binary",
            "",
            "Classes to tell apart",  # "": all; a rule of core.datasets.binary
            follows=("dataset",),
        ),
        *toy,
    )


TOY_SETTINGS = ("points", "noise", "dseed")


def data_skips(schema: Schema) -> set[str]:
    """The picker's settings a link leaves out: a generated set's options when the data is not one, the
    uploaded file's name when it is not an upload, the classes to tell apart when they are all of them."""
    values = schema.values()
    skip = set() if values["binary"] else {"binary"}
    toy = set(TOY_SETTINGS) if "points" in schema.settings else set()  # a picker of images has none
    if values["dataset"] == UPLOAD:
        return skip | toy
    return skip | {"file"} | (set() if dataset_info(values["dataset"]).kind == "toy2d" else toy)


def _toy_options(schema: Schema) -> dict:
    c1, c2, c3 = st.columns(3)
    return {
        "n_samples": w.slider(schema["points"], c1),
        "noise": w.select_slider(schema["noise"], c2),
        "seed": w.number_input(schema["dseed"], c3),
    }


def _binary_choice(schema: Schema, ds: Dataset) -> str:
    """For a set of more than two classes: all of them, or two made of them (even vs odd, one vs the rest)."""
    rules = binary_rules(ds)
    key = schema["binary"].key
    if st.session_state.get(key) not in ("", *rules):
        st.session_state[key] = ""
    if not rules:
        return ""
    return w.selectbox(
        schema["binary"],
        options=["", *rules],
        format_func=lambda r: rules.get(r, f"all {ds.n_classes} classes"),
        help="Two classes are learned with ONE sigmoid output unit: the probability of the second.",
    )


class Picked(NamedTuple):
    name: str
    options: dict
    dataset: Dataset | None  # None after the page was told what to do (files missing, a bad upload)
    problem: str = ""  # what it was told, for a page whose picker is in the sidebar to repeat in its main area


def dataset_picker(schema: Schema, label: str = "Dataset", side_by_side: bool = False, about: bool = True) -> Picked:
    """The dataset chooser of `schema` (see `data_schema`; digits preselected) with its options.
    side_by_side: the dataset and the classes to tell apart in two columns (a wide page; saves a row of height).
    about: the dataset's one-line summary under the box (off on a page that describes the dataset itself)."""
    first, second = st.columns([3, 2]) if side_by_side else (st.container(), st.container())
    with first:
        name = w.selectbox(schema["dataset"], label=label)
        if about:
            st.caption(plain(_about(name)))
    prefix = schema["binary"].key.rsplit("_", 1)[0]
    if name == UPLOAD:
        ds = upload_widget(prefix, schema["file"].key, show_error)
        if ds is None:
            return Picked(name, {}, None)
        st.session_state[schema["file"].key] = ds.source
        return Picked(name, upload_options(ds), ds)
    options = {}
    if "n_samples" in dataset_options(name):
        options = _toy_options(schema)
    try:
        if "data_dir" in dataset_options(name) and not is_available(name) and typed_folders_allowed():
            folder = st.text_input(
                "Folder in NN Lab's data folder that holds the files",
                key=f"{prefix}_dir",
                placeholder="mnist",
                max_chars=200,
                help="A folder inside the server's data folder; nothing outside it can be read.",
            )
            options = {"data_dir": str(confine(folder))} if folder.strip() else {}
        ds = get_dataset(name, tuple(sorted(options.items())))
        with second:
            rule = _binary_choice(schema, ds)
        if rule:
            options[BINARY] = rule
            ds = get_dataset(name, tuple(sorted(options.items())))
        for warning in ds.warnings:  # test files that copy the training files, ...
            st.warning(warning, icon=":material/content_copy:")
        return Picked(name, options, ds)
    except DatasetUnavailable as exc:
        st.info(plain(str(exc)), icon=":material/folder_off:")
        return Picked(name, options, None, str(exc))
    except NNLabError as exc:
        show_error(exc)
        return Picked(name, options, None, str(exc))
