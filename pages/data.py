"""Data: look at a dataset the way the lessons do, before any network touches it."""

import streamlit as st

from app.data import views as view
from app.data.schema import VIEWS, view_skips
from app.data.tensors import tensors
from app.settings import warn_rejected
from app.widgets import data_schema, data_skips, dataset_picker

st.title("Data")
st.caption("What does the network actually see? Shapes, classes, pixels, and the train/test split.")

page = data_schema("data") + VIEWS
warn_rejected(page.load("data_url_loaded"))
ds = dataset_picker(page, side_by_side=True, about=False).dataset  # its summary says what it is
if ds is None:
    page.sync(data_skips(page) | view_skips(""))
    st.stop()

view.summary(ds)

if ds.kind == "image":
    views = {"Samples": view.samples, "One image, flattened": view.one_image, "Scaling": view.scaling}
    if ds.image_shape[2] == 3:
        views["Colour channels"] = view.colour
elif ds.kind == "tabular":
    views = {"Table": view.table, "Features": view.features, "Two features": view.pair}
else:
    views = {"Scatter": view.pair}
if ds.task == "classification":
    views["Labels, one-hot"] = view.labels
views["Train/test split"] = view.split
views["Tensors"] = tensors

# Lazy tabs: only the open one runs, so a click redraws one section, not all of them.
if st.session_state[VIEWS["tab"].key] not in views:  # a view this data does not have: its first
    st.session_state[VIEWS["tab"].key] = next(iter(views))
for render, tab in zip(views.values(), st.tabs(list(views), key=VIEWS["tab"].key, on_change="rerun")):
    if tab.open:
        with tab:
            render(ds)
page.sync(data_skips(page) | view_skips(st.session_state[VIEWS["tab"].key]))
