"""Datasets for the pages: loaded once per server process and shared read-only by every session.

`st.cache_resource` hands out the same object on every hit (no copy: a 60k-image set costs nothing
after its first load); `core` marks the arrays read-only, so no session can change them for the others.
Everything loaded here is counted in the server's memory account (`core.classserver.memory.server_holdings`):
a student's upload that would pass it is refused with one message before it is read.
Errors are not cached: a file added to data/ is found on the next click.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core.classserver.memory import DATASETS, UPLOADS, server_holdings
from core.datasets import UPLOAD, Dataset, dataset_from_files, load_dataset
from core.datasets.external import rename_cifar_classes
from core.datasets.limits import check_upload
from core.errors import DatasetUnavailable
from core.experiment import Experiment, PreparedData, prepare_data

UPLOAD_KEY = "nnlab_upload"  # session: (fingerprint, Dataset) of the user's own files: one at a time
UPLOAD_PREPARED_KEY = "nnlab_upload_prepared"  # session: (split settings, PreparedData) of that upload


@st.cache_resource(show_spinner="Loading the dataset (once for the whole class)...", max_entries=16)
def get_dataset(name: str, options: tuple[tuple[str, object], ...] = ()) -> Dataset:
    """`load_dataset(name, **dict(options))`, cached per server. Options are a sorted tuple of pairs."""
    ds = load_dataset(name, **dict(options))
    server_holdings().hold(DATASETS, ds)
    return ds


@st.cache_resource(max_entries=8)  # a prepared MNIST is ~200 MB: keep a handful per server
def get_prepared(
    name: str,
    options: tuple,
    test_fraction: float,
    seed: int,
    max_samples: int | None,
    official: bool = False,
    scale_target: bool = True,
    stratify: bool = True,
    features: tuple[str, ...] = (),
    scale_inputs: bool = True,
) -> PreparedData:
    """Training arrays for a cached dataset (split and scaled), shared read-only by every session."""
    data = prepare_data(
        get_dataset(name, options),
        test_fraction,
        seed,
        max_samples,
        official,
        scale_target,
        stratify,
        features,
        scale_inputs,
    )
    server_holdings().hold(DATASETS, data)
    return data


def rename_folder_classes(names: tuple[str, ...] | None) -> None:
    """Name the data folder's CIFAR-format classes for every session (None: the files' names again); every
    cached dataset and split is read afresh, so the next page any student opens shows the new names."""
    rename_cifar_classes(names)
    get_dataset.clear()
    get_prepared.clear()


def prepared(exp: Experiment) -> PreparedData:
    """The training arrays of an experiment's data, split and scaled as it says: cached per server for named
    datasets, per session for the session's upload. DatasetUnavailable when the upload is gone."""
    if exp.dataset != UPLOAD:
        return get_prepared(
            exp.dataset,
            tuple(sorted(exp.data_options.items())),
            exp.test_fraction,
            exp.split_seed,
            exp.max_samples,
            exp.official_split,
            exp.scale_target,
            exp.stratify,
            exp.features,
            exp.scale_inputs,
        )
    ds = current_upload()
    wanted = exp.data_options.get("digest")
    if ds is None or ds.source != exp.data_options.get("file"):
        raise DatasetUnavailable(
            f"This run trained on an uploaded file, {exp.data_options.get('file', 'which')}, "
            "that this session no longer has. Upload it again to see its results."
        )
    if wanted and wanted != ds.digest:
        raise DatasetUnavailable(
            f"The data of {ds.source} changed since this run trained on it (another file under "
            "this name, or another target or task). Train again, or choose the run's target and "
            "task back, to see its results."
        )
    key = (id(ds), exp.test_fraction, exp.split_seed, exp.max_samples, exp.scale_target, exp.stratify, exp.scale_inputs)
    cached = st.session_state.get(UPLOAD_PREPARED_KEY)
    if cached is None or cached[0] != key:
        st.session_state.pop(UPLOAD_PREPARED_KEY, None)  # the old split goes before the new one is counted
        server_holdings().make_room(f"Splitting {ds.source}", ds.X.nbytes + ds.y.nbytes)
        cached = st.session_state[UPLOAD_PREPARED_KEY] = (
            key,
            prepare_data(
                ds,
                exp.test_fraction,
                exp.split_seed,
                exp.max_samples,
                scale_target=exp.scale_target,
                stratify=exp.stratify,
                scale_inputs=exp.scale_inputs,
            ),
        )
        server_holdings().hold(UPLOADS, cached[1])
    return cached[1]


@st.cache_resource(max_entries=32)
def pixel_counts(_ds: Dataset, key: tuple, n_images: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    """Histogram (bin edges in [0, 1], counts) of the scaled pixels of an even sample of `n_images` images.

    `key` names the dataset for the cache (the arrays themselves are not hashed).
    """
    pixels = _ds.X[:: max(1, _ds.n_samples // n_images)][:n_images].ravel()
    bins = int(min(_ds.pixel_scale + 1, 64))
    counts, edges = np.histogram(pixels, bins=bins, range=(0.0, 1.0))
    return edges, counts


def current_upload() -> Dataset | None:
    """The session's uploaded dataset, if any."""
    cached = st.session_state.get(UPLOAD_KEY)
    return cached[1] if cached else None


def forget_upload() -> None:
    """Release the session's upload and its training arrays (the student removed the file)."""
    st.session_state.pop(UPLOAD_KEY, None)
    st.session_state.pop(UPLOAD_PREPARED_KEY, None)


def release_files(files) -> None:
    """Drop uploaded files from Streamlit's memory now. It keeps every uploaded file until the browser removes it
    or the session ends, so a refused upload would otherwise hold its megabytes for nothing."""
    ctx = get_script_run_ctx()
    if ctx is not None:
        for f in files:
            ctx.uploaded_file_mgr.remove_file(session_id=ctx.session_id, file_id=f.file_id)


def rename_upload_classes(names: tuple[str, ...]) -> Dataset:
    """The session's upload with its classes named `names` (one per class, in order); its training arrays are
    prepared again with the new names."""
    fingerprint, ds = st.session_state[UPLOAD_KEY]
    renamed = replace(ds, class_names=tuple(names))
    st.session_state[UPLOAD_KEY] = (fingerprint, renamed)
    st.session_state.pop(UPLOAD_PREPARED_KEY, None)
    return renamed


def uploaded_dataset(
    files, target: str | None = None, task: str = "auto", image_size: int = 32, text: str = "refuse"
) -> Dataset:
    """The Dataset built from this session's uploads, rebuilt only when the files or choices change. A session
    holds one: a new upload (or a refused one) releases the previous dataset and its training arrays."""
    fingerprint = (tuple((f.file_id, f.name) for f in files), target, task, image_size, text)
    cached = st.session_state.get(UPLOAD_KEY)
    if cached and cached[0] == fingerprint:
        return cached[1]
    st.session_state.pop(UPLOAD_KEY, None)
    st.session_state.pop(UPLOAD_PREPARED_KEY, None)
    check_upload({f.name: f.size for f in files})  # from the sizes alone, before any file is read
    what = ", ".join(f.name for f in files)
    holdings = server_holdings()
    holdings.make_room(what, sum(f.size for f in files))  # MemoryFull: the class's budget, before reading
    ds = dataset_from_files(
        {f.name: f.getvalue() for f in files}, target=target, task=task, image_size=image_size, text=text
    )
    holdings.make_room(what, ds.X.nbytes + ds.y.nbytes)  # as read (images as float32 take 4x their bytes)
    holdings.hold(UPLOADS, ds)
    st.session_state[UPLOAD_KEY] = (fingerprint, ds)
    return ds
