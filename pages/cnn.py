"""CNN lab: build a convnet with sliders, watch it learn, and see what every filter sees."""

import streamlit as st

from app.classroom import predict, record
from app.cnn import maps, schema, step
from app.cnn import views as view
from app.cnn.controls import controls
from app.jobs import follow_training, start_training, training_error
from app.messages import plain
from app.runs import bring_into_view, prepared_or_stop, train_buttons
from app.session import page_run
from app.settings import warn_rejected
from app.training.views import results

st.title("CNN lab")
st.caption(
    "A convolutional network slides small filters over the image. Build one in the sidebar, train it, then "
    "look at what each filter sees."
)
live = st.container(key="cnn_live")  # training draws here; a click on Train scrolls it into view

page = schema.schema()
warn_rejected(page.load(schema.URL_LOADED))
with st.sidebar:
    picked, exp = controls(page)
page.sync(schema.link_skips(page, picked))
if exp is None:
    st.stop()

data = prepared_or_stop(exp)
mlp = view.summary(exp, data)
go, compare = train_buttons(
    "cnn",
    mlp is not None and predict.question_first("cnn"),  # the teacher's question first
    "cnn_go_mlp",
    "Train the MLP of similar size",
    "scikit-learn, same data and settings: compare them under Compare runs.",
)
if go or compare:
    start_training([(exp, "cnn") if go else (mlp, "cnn_mlp")], data, origin="cnn")
    bring_into_view(live, "cnn_live")
follow_training(live, "cnn")
if error := training_error():
    st.error(plain(error), icon=":material/error:")
view.augmentation(exp, data)

run = page_run("cnn")
if run is not None and run.finished:
    record.prediction_beside(run)
    results(
        run,
        prepared_or_stop(run.exp),
        {"Filters": view.filters, "Feature maps": maps.maps_tab, "Step by step": step.step_tab},
        key="cnn_tab",
    )
elif run is None:
    st.info(
        "Train the network to look inside it: its filters, the feature maps of any image (or one you draw), "
        "and one convolution worked out with its numbers.",
        icon=":material/school:",
    )
