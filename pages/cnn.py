"""CNN lab: build a convnet with sliders, watch it learn, and see what every filter sees."""

import streamlit as st

from app.cnn import maps, schema, views as view
from app.cnn.controls import controls
from app.data_access import prepared
from app.runs import LiveView, close_interrupted, keras_loaded, train_live
from app.session import page_run
from app.settings import warn_rejected
from app.training.views import results
from app.widgets import show_error
from core.errors import NNLabError

st.title("CNN lab")
st.caption("A convolutional network slides small filters over the image. Build one in the sidebar, train it, then "
           "look at what each filter sees.")

page = schema.schema()
warn_rejected(page.load(schema.URL_LOADED))
for name in ("cnn", "cnn_mlp"):
    close_interrupted(name)                 # a run cut short by a click is kept as stopped
with st.sidebar:
    picked, exp = controls(page)
page.sync(schema.link_skips(page, exp))
if exp is None:
    st.stop()
if not keras_loaded():
    st.caption(":material/info: The first Train loads TensorFlow (5-10 s); everything else here runs without it.")

try:
    data = prepared(exp)
except NNLabError as exc:
    show_error(exc)
    st.stop()
mlp = view.summary(exp, data)

c = st.columns([1, 1, 2])
go = c[0].button("Train", type="primary", icon=":material/play_arrow:", disabled=mlp is None, key="cnn_go")
compare = c[2].button("Train the MLP of similar size", icon=":material/compare_arrows:", disabled=mlp is None,
                      key="cnn_go_mlp", help="scikit-learn, same data and settings: compare them under Compare runs.")
c[1].button("Stop", icon=":material/stop:", disabled=not (go or compare), key="cnn_stop",
            help="Ends training after the current epoch and keeps the model.")
if go or compare:
    try:
        train_live(exp if go else mlp, data, LiveView(boundary=False, name="cnn" if go else "mlp"),
                   page="cnn" if go else "cnn_mlp")
    except NNLabError as exc:
        show_error(exc)
    else:
        st.rerun()
view.augmentation(exp, data)

run = page_run("cnn")
if run is not None and run.finished:
    results(run, prepared(run.exp), {"Filters": view.filters, "Feature maps": maps.maps_tab,
                                     "Step by step": maps.step_tab}, key="cnn_tab")
elif run is None:
    st.info("Train the network to look inside it: its filters, the feature maps of any image (or one you draw), "
            "and one convolution worked out with its numbers.", icon=":material/school:")
