"""Data: look at a dataset the way the lessons do, before any network touches it."""

import streamlit as st

from app.data import views as view
from app.settings import warn_rejected
from app.widgets import data_schema, dataset_picker, data_skips

st.title("Data")
st.caption("What does the network actually see? Shapes, classes, pixels, and the train/test split.")

page = data_schema("data")
warn_rejected(page.load("data_url_loaded"))
ds = dataset_picker(page, side_by_side=True).dataset
page.sync(data_skips(page))
if ds is None:
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

# Lazy tabs: only the open one runs, so a click redraws one section, not all of them.
for render, tab in zip(views.values(), st.tabs(list(views), key="data_tab", on_change="rerun")):
    if tab.open:
        with tab:
            render(ds)
