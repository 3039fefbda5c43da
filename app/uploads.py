"""The uploader shared by the pages that take a student's own data (Data, Training): files in, a Dataset out,
with the choices a file needs (a CSV's target column and task, a zip's image size), a short preview, and what
to say when a shared link was made with an upload this session does not have."""

from __future__ import annotations

import streamlit as st

from app.data_access import (
    current_upload,
    forget_upload,
    release_files,
    rename_upload_classes,
    uploaded_dataset,
)
from app.figures.images import sample_tiles
from app.messages import plain
from core.classserver.memory import MemoryFull
from core.datasets import Dataset
from core.datasets.cifar_names import typed_names
from core.datasets.image_folders import SIZES
from core.datasets.readers import load_csv_columns
from core.datasets.uploads import TASKS
from core.errors import DataFormatError, NNLabError, UploadTooLarge

CSV, ZIP = (".csv", ".csv.gz"), ".zip"
PREVIEW = 8
TEXT_NAMES = {"encode": "one-hot encode them", "drop": "drop them"}
TASK_NAMES = {
    "auto": "decide from the target",
    "classification": "classification (each value a class)",
    "regression": "regression (predict a number)",
}


def upload_widget(prefix: str, link_file_key: str, show_error=st.error) -> Dataset | None:
    """The uploader and its choices; the Dataset built from the files, or None after saying what to do.
    link_file_key: the session key of the file a shared link was made with (asked for while this session holds
    another or none; forgotten when the student removes their file)."""
    notice = st.empty()  # filled after the files are read: no notice stays for a run after the upload it asks for
    ds = _upload(prefix, link_file_key, show_error)
    wanted = st.session_state.get(link_file_key, "")
    if wanted and (ds is None or ds.source != wanted):
        notice.info(
            f"This link was made with an uploaded file, **{plain(wanted)}**. Upload it (or a file of your own) "
            "here to train on it; nothing you upload leaves this server.",
            icon=":material/upload_file:",
        )
    return ds


def _upload(prefix: str, link_file_key: str, show_error) -> Dataset | None:
    held = current_upload()
    if refused := st.session_state.pop(f"{prefix}_refused", None):
        show_error(refused)  # said once, above the fresh uploader that replaced the refused files
    files = st.file_uploader(
        "Upload one CSV, one .npz with x and y, a .zip of image folders named by class, an IDX image file with its "
        "label file, or CIFAR-10 batches (data_batch_N, test_batch)",
        accept_multiple_files=True,
        key=f"{prefix}_files_{st.session_state.get(f'{prefix}_uploader', 0)}",
    )
    if not files and st.session_state.pop(f"{prefix}_had_files", False):
        forget_upload()  # the student removed the file here: release it everywhere, and the link's ask for it
        held, st.session_state[link_file_key] = None, ""
    elif files:
        st.session_state[f"{prefix}_had_files"] = True
    if not files:
        if held is not None:  # one upload per session, offered on every page that trains
            st.caption(
                f"Using {plain(held.source)}, uploaded earlier in this session. Upload a file here to replace it."
            )
            _describe(held, prefix)
            return held
        if not st.session_state.get(link_file_key):
            st.info("Waiting for a file. Nothing you upload leaves this server.", icon=":material/upload_file:")
        return None
    files = latest(files)
    first = files[0].name.lower()
    target, task, size, text = None, "auto", 32, "refuse"
    try:
        if len(files) == 1 and first.endswith(CSV):
            columns = load_csv_columns(files[0].getvalue())
            target = st.selectbox(
                "Target column (what to predict)", columns, index=len(columns) - 1, key=f"{prefix}_target"
            )
            task = st.selectbox("Task", TASKS, format_func=TASK_NAMES.get, key=f"{prefix}_task")
            text = st.radio(
                "Feature columns that hold text",
                ("encode", "drop"),
                horizontal=True,
                format_func=TEXT_NAMES.get,
                key=f"{prefix}_text",
                help="As sklearn.preprocessing.OneHotEncoder: one 0/1 column per value.",
            )
        elif len(files) == 1 and first.endswith(ZIP):
            size = st.select_slider(
                "Resize every image to (pixels a side)",
                SIZES,
                value=32,
                key=f"{prefix}_size",
                help="As keras.utils.image_dataset_from_directory(image_size=...) does.",
            )
        ds = uploaded_dataset(files, target, task, size, text)
    except (UploadTooLarge, MemoryFull) as exc:
        # Streamlit keeps uploaded files in the server's memory until the browser removes them: too many or too
        # large files are dropped at once, and a fresh uploader replaces them (its key changes) under the message.
        release_files(files)
        st.session_state[f"{prefix}_uploader"] = st.session_state.get(f"{prefix}_uploader", 0) + 1
        st.session_state[f"{prefix}_refused"] = exc
        st.rerun()
    except NNLabError as exc:
        show_error(exc)
        return None
    if target is not None and (changed := [c for c in columns if c != target and c not in ds.feature_names]):
        st.caption(
            f"{'One-hot encoded' if text == 'encode' else 'Dropped'} (they hold text): {plain(', '.join(changed))}."
        )
    if ds.task == "classification":
        ds = _class_names(ds, prefix, show_error)
    _describe(ds, prefix)
    return ds


def latest(files: list) -> list:
    """The files to read: a single-file format (CSV, .npz, zip) uploaded after others replaces them, as a new
    upload should; IDX pairs and CIFAR batches stay together."""
    single = [f for f in files if f.name.lower().endswith(CSV + (".npz", ZIP))]
    return [single[-1]] if single and len(files) > 1 else files


def _class_names(ds: Dataset, prefix: str, show_error) -> Dataset:
    """Let the teacher name an upload's classes (labels that are only numbers, or the wrong names)."""
    typed = st.text_input(
        "Class names, in order (comma-separated)",
        ", ".join(ds.class_names),
        max_chars=2000,
        key=f"{prefix}_class_names",
        help="Label 0 gets the first name, label 1 the second, ...",
    )
    try:
        names = typed_names(typed, ds.class_names)
    except DataFormatError as exc:
        show_error(exc)
        return ds
    return ds if names == ds.class_names else rename_upload_classes(names)


def _describe(ds: Dataset, prefix: str) -> None:
    """What the upload became, in one line, and its first images with their classes."""
    if ds.task == "classification":
        what = f"classification into {ds.n_classes} classes ({', '.join(ds.class_names[:6])}" + (
            ", ...)" if ds.n_classes > 6 else ")"
        )
    else:
        what = "regression: predicting a number"
    shape = " x ".join(map(str, ds.X.shape[1:]))
    st.caption(f"**{plain(ds.source)}**: {ds.n_samples:,} samples of {shape}, {plain(what)}.")
    if ds.kind == "image":
        shown = list(range(min(PREVIEW, ds.n_samples)))
        st.image(sample_tiles(ds.X[shown]), caption=[ds.class_names[ds.y[i]] for i in shown])
