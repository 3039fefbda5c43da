"""Training: build a network with sliders, watch it learn epoch by epoch, and read the results."""

from dataclasses import replace

import streamlit as st

from app import training_views as view
from app.data_access import get_prepared
from app.train_state import init_state, sync_url
from app.training_controls import controls
from app.training_runner import RUN_KEY, LiveView, close_interrupted, keras_ready, train
from app.widgets import show_error
from core.errors import NNLabError
from core.models import BACKENDS

st.title("Training")
st.caption("Choose the data and the network in the sidebar, press Train, and watch the loss fall.")

bad_link = init_state()
if bad_link:
    st.warning(f"This link's {', '.join(bad_link)} are unknown or out of range; the defaults are used instead.",
               icon=":material/link_off:")
close_interrupted()                        # a run cut short by a click (Stop or any widget) is kept as stopped
with st.sidebar:
    picked, exp = controls()
sync_url(exp)
if exp is None:
    st.stop()
if exp.backend == "keras" and not keras_ready():
    st.caption(":material/hourglass_top: TensorFlow is loading in the background; Train may wait a few seconds.")

try:
    data = get_prepared(exp.dataset, tuple(sorted(exp.data_options.items())), exp.test_fraction, exp.split_seed,
                        exp.max_samples)
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
            train(replace(exp, backend=backend), data, LiveView(boundary=data.kind == "toy2d", name=backend))
    except NNLabError as exc:
        show_error(exc)
    else:
        st.rerun()                 # redraw in the finished state: results below, Stop disabled again

run = st.session_state.get(RUN_KEY)
if run is not None and run.status != "running":
    view.results(run)
