"""Training: build a network with sliders, watch it learn epoch by epoch, and read the results."""

from dataclasses import replace

import streamlit as st

from app.data_access import prepared
from app.runs import LiveView, close_interrupted, keras_ready, train_live
from app.session import training_run
from app.settings import warn_rejected
from app.training import schema, views as view
from app.training.controls import controls
from app.widgets import show_error
from core.errors import NNLabError
from core.models import BACKENDS

st.title("Training")
st.caption("Choose the data and the network in the sidebar, press Train, and watch the loss fall.")

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

try:
    data = prepared(exp)
except NNLabError as exc:
    show_error(exc)
    st.stop()
fits = view.architecture(exp, data)

c = st.columns([1, 1, 2])
go = c[0].button("Train", type="primary", icon=":material/play_arrow:", disabled=not fits, key="train_go")
both = c[2].button("Train with both backends", icon=":material/compare_arrows:", disabled=not fits, key="train_both",
                   help="The same network with scikit-learn, then with Keras: compare them under Compare runs.")
c[1].button("Stop", icon=":material/stop:", disabled=not (go or both), key="train_stop",
            help="Ends training after the current epoch and keeps the model.")

if go or both:
    try:
        for backend in (BACKENDS if both else (exp.backend,)):
            train_live(replace(exp, backend=backend), data, LiveView(boundary=data.kind == "toy2d", name=backend))
    except NNLabError as exc:
        show_error(exc)
    else:
        st.rerun()                 # redraw in the finished state: results below, Stop disabled again

run = training_run()
if run is not None and run.finished:
    view.results(run, prepared(run.exp))
