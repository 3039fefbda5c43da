"""Class results: every finished run of the class on one board, live, with the class's predictions."""

import streamlit as st

from app.classroom import shared, views
from app.classroom.record import NOTICE_KEY
from app.classroom.schema import RESULTS
from app.messages import plain, show_error
from app.session import is_teacher
from app.settings import warn_rejected
from core.errors import NNLabError

st.title("Class results")
st.caption(
    "Every run the class finishes on the Training page and the CNN lab lands here: compare networks, find the best "
    "settings, and try any run yourself. Your own runs are the diamonds."
)
warn_rejected(RESULTS.load("results_url_loaded"))
try:
    db = shared.class_db()
except NNLabError as exc:
    show_error(exc)
    st.stop()
with st.sidebar:
    chosen = views.sidebar()
RESULTS.sync()
if notice := st.session_state.pop(NOTICE_KEY, ""):
    st.warning(plain(notice), icon=":material/cloud_off:")
views.watch(views.board(chosen, names=is_teacher()), own_timer=is_teacher())  # drawn again when runs or answers come
views.your_runs(db)
