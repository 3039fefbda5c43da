"""Datasets for the pages: loaded once per server process and shared read-only by every session.

`st.cache_resource` hands out the same object on every hit (no copy: a 60k-image set costs nothing
after its first load); `core` marks the arrays read-only, so no session can change them for the others.
Errors are not cached: a file added to data/ is found on the next click.
"""

from __future__ import annotations

import streamlit as st

from core.datasets import Dataset, dataset_from_files, load_dataset, split_dataset
from core.experiment import PreparedData, prepare_data

UPLOAD_KEY = "data_upload"     # session: (fingerprint, Dataset) of the user's own files


@st.cache_resource(show_spinner="Loading the dataset (once for the whole class)...", max_entries=16)
def get_dataset(name: str, options: tuple[tuple[str, object], ...] = ()) -> Dataset:
    """`load_dataset(name, **dict(options))`, cached per server. Options are a sorted tuple of pairs."""
    return load_dataset(name, **dict(options))


@st.cache_resource(max_entries=64)
def get_split(name: str, options: tuple, test_fraction: float, seed: int, max_samples: int | None = None):
    """A train/test split of a cached dataset, cached too (index arithmetic on 70k labels is not free)."""
    return split_dataset(get_dataset(name, options), test_fraction, seed, max_samples)


@st.cache_resource(max_entries=32)
def get_prepared(name: str, options: tuple, test_fraction: float, seed: int, max_samples: int | None) -> PreparedData:
    """Training arrays for a cached dataset (split and scaled), shared read-only by every session."""
    return prepare_data(get_dataset(name, options), test_fraction, seed, max_samples)


def uploaded_dataset(files, target: str | None) -> Dataset:
    """The Dataset built from this session's uploads; rebuilt only when the files or target change."""
    fingerprint = (tuple((f.file_id, f.name) for f in files), target)
    cached = st.session_state.get(UPLOAD_KEY)
    if cached and cached[0] == fingerprint:
        return cached[1]
    ds = dataset_from_files({f.name: f.getvalue() for f in files}, target=target)
    st.session_state[UPLOAD_KEY] = (fingerprint, ds)
    return ds
