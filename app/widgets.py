"""Widgets that return what a page needs (a loaded dataset, a spec), so pages stay descriptions of the UI.

Widget keys that belong in a shareable lesson link are bound to the URL (`bind="query-params"`).
"""

from __future__ import annotations

from typing import NamedTuple

import streamlit as st

from app.data_access import get_dataset, uploaded_dataset
from app.state import sync_url, url_index
from core.datasets import Dataset, DatasetInfo, dataset_info, dataset_options, is_available, list_datasets
from core.datasets.readers import load_csv_columns
from core.errors import DatasetUnavailable, NNLabError

UPLOAD = "upload"


def show_error(exc: NNLabError) -> None:
    """The one message a page shows for a problem the user can fix (core's messages say how)."""
    st.error(str(exc), icon=":material/error:")


def _label(name: str) -> str:
    if name == UPLOAD:
        return "Your own file (IDX, CIFAR batch, .npz, CSV)"
    info: DatasetInfo = dataset_info(name)
    note = "" if info.bundled or is_available(name) else "  (not on this machine yet)"
    return f"{info.title}: {info.summary}{note}"


TOY_DEFAULTS = {"points": 400, "noise": 0.1, "data_seed": 0}     # widget suffix -> default (load_dataset's)


def _toy_options(prefix: str) -> dict:
    for suffix, value in TOY_DEFAULTS.items():          # a page may have seeded these from its URL
        st.session_state.setdefault(f"{prefix}_{suffix}", value)
    c1, c2, c3 = st.columns(3)
    return {
        "n_samples": c1.slider("Points", 50, 2000, step=50, key=f"{prefix}_points"),
        "noise": c2.slider("Noise", 0.0, 0.5, step=0.05, key=f"{prefix}_noise"),
        "seed": c3.number_input("Seed", 0, 9999, key=f"{prefix}_data_seed"),
    }


def _upload(prefix: str) -> Dataset | None:
    files = st.file_uploader(
        "Upload an IDX image file with its label file, CIFAR-10 batches (data_batch_N, test_batch), "
        "one .npz with x and y, or one CSV", accept_multiple_files=True, key=f"{prefix}_files")
    if not files:
        st.info("Waiting for a file. Nothing you upload leaves this server.", icon=":material/upload_file:")
        return None
    target = None
    if len(files) == 1 and files[0].name.lower().endswith(".csv"):
        try:
            columns = load_csv_columns(files[0].getvalue())
        except NNLabError as exc:
            show_error(exc)
            return None
        target = st.selectbox("Target column (what to predict)", columns, index=len(columns) - 1, key=f"{prefix}_target")
    try:
        return uploaded_dataset(files, target)
    except NNLabError as exc:
        show_error(exc)
        return None


class Picked(NamedTuple):
    name: str
    options: dict
    dataset: Dataset | None      # None after the page was told what to do (files missing, a bad upload)


def dataset_picker(prefix: str, *, allow_upload: bool = True, label: str = "Dataset") -> Picked:
    """A dataset chooser (digits preselected; in the URL as ?dataset=...) with its options."""
    names = list_datasets() + ([UPLOAD] if allow_upload else [])
    default = names[0]
    start = url_index("dataset", names, default) if "dataset" not in st.session_state else 0
    name = st.selectbox(label, names, index=start, format_func=_label, key="dataset")
    sync_url("dataset", name, default)
    if name == UPLOAD:
        return Picked(name, {}, _upload(prefix))
    options = {}
    if "n_samples" in dataset_options(name):
        options = _toy_options(prefix)
    if "data_dir" in dataset_options(name) and not is_available(name):
        folder = st.text_input("Folder that holds the files (on the server)", key=f"{prefix}_dir",
                               placeholder="/home/teacher/datasets/mnist")
        options = {"data_dir": folder} if folder else {}
    try:
        return Picked(name, options, get_dataset(name, tuple(sorted(options.items()))))
    except DatasetUnavailable as exc:
        st.info(str(exc), icon=":material/folder_off:")
    except NNLabError as exc:
        show_error(exc)
    return Picked(name, options, None)
