"""NN Lab entry point: `streamlit run app/main.py`. Page config, navigation, the training cluster (started in the
background by the first page run), on pages other than the one training, where the training is, and the view the
teacher sends to the class (app/classroom/follow.py). Each run takes its turn in the server's one GIL, the teacher's
first, each for at most 0.1 s (`app.server.TURNSTILE`)."""

from pathlib import Path

import streamlit as st

from app import presentation
from app.classroom import follow
from app.jobs import background_status, job_board
from app.navigation import st_pages
from app.server import TURNSTILE, lean_widget_state, no_nagle, one_wakeup_per_batch, settle_heap
from app.session import is_teacher, remember_browser, session_id
from app.settings import history_by_page

with TURNSTILE.turn(first=is_teacher()):  # page runs one after another, not all at once (app/server.py)
    lean_widget_state()  # widgets look up their own key, not a copy of the whole session state (app/server.py)
    one_wakeup_per_batch()  # a run's messages wake the event loop once a batch, not once an element (app/server.py)
    # The icon is a file of the app: a material icon as page_icon is fetched from fonts.gstatic.com (offline: none).
    st.set_page_config(page_title="NN Lab", page_icon=str(Path(__file__).with_name("favicon.png")), layout="wide")
    if "nnlab_no_nagle" not in st.session_state:  # once a session: 40 ms off every click (app/server.py)
        st.session_state["nnlab_no_nagle"] = no_nagle(int(st.get_option("server.port")))

    navigation = st.navigation(st_pages())
    presentation.frame()  # the projector's frame: margins, presentation switch
    # Style only (Streamlit sends it where it takes no room). The box's wrapper is hidden too: an empty wrapper still
    # took the column's 16 px gap above every page's first figure.
    st.html('<style>[data-testid="stLayoutWrapper"]:has(> .st-key-nnlab_scripts) { display: none; }</style>')
    with st.container(key="nnlab_scripts"):  # the page's scripts, in one hidden box above it
        history_by_page()  # Back returns to the previous page, not the last setting
        remember_browser()  # the browser's id cookie: one place in line per browser
    job_board().touch(session_id(), navigation.url_path)  # the first page run starts the cluster (in the background)
    background_status(navigation.url_path)  # before the page: a page may st.stop()
    if is_teacher():  # send this view to the class, ask about it
        follow.teacher_tools(navigation.url_path)
    else:  # the teacher's view: a notice within 2 s, or followed
        follow.student_bar(navigation.url_path)
    try:
        navigation.run()
    finally:  # a page's first run has imported what it draws with: out of every later full collection (app/server.py)
        settle_heap(navigation.url_path)
