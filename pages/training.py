"""Training: build a network with sliders, watch it learn epoch by epoch, and read the results."""

from dataclasses import replace

import streamlit as st

from app.classroom import predict, record
from app.jobs import follow_training, start_training, training_error
from app.messages import plain, show_error
from app.runs import bring_into_view, prepared_or_stop, train_buttons
from app.session import training_run
from app.settings import warn_rejected
from app.training import playground, schema
from app.training import views as view
from app.training.controls import controls
from app.training.play import play_controls
from core.errors import InvalidSpecError
from core.models import BACKENDS

st.title("Training")
st.caption("Choose the data and the network in the sidebar, press Train, and watch the loss fall.")
live = st.container(key="train_live")  # training draws here; a click on Train scrolls it into view

page = schema.schema()
playground.open_from_link()  # /training?playground=<a TensorFlow Playground address>
warn_rejected(page.load(schema.URL_LOADED))
playground.show_note()
with st.sidebar:
    playground.paste_box()
    picked, exp = controls(page)
page.sync(schema.link_skips(page, picked))
if exp is None:
    if picked.problem:  # said beside the picker in the sidebar; the main area would be empty
        st.info(plain(picked.problem), icon=":material/folder_off:")
    st.stop()

data = prepared_or_stop(exp)
fits = view.architecture(exp, data) and predict.question_first("training")  # the teacher's question first
go, both = train_buttons(
    "train",
    fits,
    "train_both",
    "Train with both backends",
    "The same network with scikit-learn, then with Keras: compare them under Compare runs.",
)
if go or both:
    try:  # both backends: scikit-learn refuses what only Keras has (L1, the Playground's first weights), by name
        steps = [(replace(exp, backend=b), "training") for b in (BACKENDS if both else (exp.backend,))]
    except InvalidSpecError as exc:
        show_error(exc)
    else:
        start_training(steps, data, boundary=data.kind == "toy2d", origin="training")
        bring_into_view(live, "train_live")
if data.kind == "toy2d":  # TensorFlow Playground's buttons
    play_controls(exp, data, fits, live, "train_live")
follow_training(live, "training")  # place in line, then live curves: redrawn while the page stays usable
if error := training_error():
    st.error(plain(error), icon=":material/error:")

run = training_run()
if run is not None and run.finished:
    record.prediction_beside(run)
    view.results(run, prepared_or_stop(run.exp))
