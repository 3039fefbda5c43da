"""What the network learned: how its layers arrange the samples (the hidden space, layer by layer and epoch by
epoch) and which inputs one prediction rests on (saliency, occlusion, Grad-CAM, with a sanity check)."""

import streamlit as st

from app.inside import recorded_weights
from app.learned.hidden import hidden_tab
from app.learned.schema import HIDDEN_TAB, LEARNED, WHY_TAB, link_skips
from app.learned.why import why_tab
from app.runs import prepared_or_stop, quick_models
from app.session import current_run
from app.settings import warn_rejected

st.title("What the network learned")
st.caption(
    "A trained network turns each input into new numbers, layer after layer, until the classes can be told apart. "
    "See how it arranges the samples, and which inputs a prediction rests on."
)

warn_rejected(LEARNED.load("learned_url_loaded"))
run = current_run()
quick_models(run, "learned")
if run is None:
    LEARNED.sync({"method", "n", "sanity"})
    st.stop()
data = prepared_or_stop(run.exp)
layers = recorded_weights(run, "learned")
if layers is None:
    st.stop()

sections = {HIDDEN_TAB: hidden_tab, WHY_TAB: why_tab}
for tab, section in zip(st.tabs(list(sections), key="learned_tab", on_change="rerun"), sections.values()):
    if tab.open:
        with tab:
            section(run, layers, data)
LEARNED.sync(link_skips())
