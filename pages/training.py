"""Training: build a network with sliders, watch it learn epoch by epoch, and read the results."""

from dataclasses import replace

import streamlit as st

from app.data_access import prepared
from app.runs import close_interrupted, keras_ready, prepared_or_stop, train_all, train_buttons
from app.session import training_run
from app.settings import warn_rejected
from app.training import schema, views as view
from app.training.controls import controls
from core.models import BACKENDS

st.title("Training")
st.caption("Choose the data and the network in the sidebar, press Train, and watch the loss fall.")
live = st.container()                      # training draws here: on screen at once

page = schema.schema()
warn_rejected(page.load(schema.URL_LOADED))
close_interrupted()                        # a run cut short by a click (Stop or any widget) is kept as stopped
with st.sidebar:
    picked, exp = controls(page)
page.sync(schema.link_skips(page, exp))
if exp is None:
    st.stop()
if exp.backend == "keras" and not keras_ready():
    st.caption(":material/hourglass_top: TensorFlow is loading in the background; Train may wait a few seconds.")

data = prepared_or_stop(exp)
fits = view.architecture(exp, data)
go, both = train_buttons("train", fits, "train_both", "Train with both backends",
                         "The same network with scikit-learn, then with Keras: compare them under Compare runs.")
if go or both:
    train_all([(replace(exp, backend=b), "training", b) for b in (BACKENDS if both else (exp.backend,))], data, live,
              boundary=data.kind == "toy2d")

run = training_run()
if run is not None and run.finished:
    view.results(run, prepared(run.exp))
