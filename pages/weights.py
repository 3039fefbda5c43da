"""Weights and parameters: look inside the session's trained network, scrub through its training, trace
one parameter over the epochs, and count the parameters of any architecture by hand."""

import streamlit as st

from app.inside import recorded_weights
from app.runs import quick_models
from app.session import current_run
from app.settings import warn_rejected
from app.weights import views as view
from app.weights.counting import counting_section
from app.weights.schema import WEIGHTS, link_skips
from core.weights import first_dense

st.title("Weights and parameters")
st.caption(
    "What a network learned is its weights: a kernel (one weight per connection) and a bias (one per unit) "
    "in every layer."
)

warn_rejected(WEIGHTS.load("weights_url_loaded"))
run = current_run()
quick_models(run, "weights")
layers = recorded_weights(run, "weights") if run is not None else None
if layers is None:
    st.subheader("Counting parameters")
    counting_section()
    WEIGHTS.sync(link_skips(has_model=False))
    st.stop()
shape = run.model.input_shape
has_conv = any(W.ndim == 4 for _, W, _ in layers)
sections = {
    "Layers": lambda: view.layers_section(layers),
    "Layers in code": lambda: view.addresses_section(run, layers),
    "Kernels": lambda: view.kernels_section(layers, shape),
}
if has_conv or (first_dense(layers) is not None and len(shape) == 3):
    sections["Conv kernels" if has_conv else "First-layer units"] = lambda: view.filters_section(layers, shape)
if not has_conv:
    sections["Network diagram"] = lambda: view.diagram_section(layers, shape)
sections["Parameter trace"] = lambda: view.trace_section(run)
sections["Counting parameters"] = counting_section

if st.session_state.get("weights_tab") not in sections:
    st.session_state["weights_tab"] = next(iter(sections))  # a view this model does not have: the first
tabs = st.tabs(list(sections), key="weights_tab", on_change="rerun")
for tab, section in zip(tabs, sections.values()):
    if tab.open:
        with tab:
            section()
WEIGHTS.sync(link_skips(has_model=True))
