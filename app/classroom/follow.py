"""Follow the teacher: the teacher sends the page they show (its link) to the class; every student's page offers
it within two seconds, and a student who follows the teacher is moved there, never while their training runs.

`teacher_tools(url_path)` is the teacher's box in the sidebar of every page (send this view, ask the class about
it); `notice(url_path)` is a fragment at the top of every student's page that polls the view the server keeps
for `shared.FRESH` seconds (`shared.Shared.fresh`), so a class costs the database a few queries a second whatever
its size.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Callable

import streamlit as st

from app.classroom import shared
from app.jobs import training_plan
from app.messages import plain, show_error
from app.navigation import PAGES
from core.classroom.limits import MAX_CHOICES, MAX_QUESTION
from core.errors import NNLabError

log = logging.getLogger("nnlab.classroom")
POLL_SECONDS = 1.5  # the notice's poll (each costs ~3 ms of server CPU, 40 students 0.08 cores at 1 s): with the
# server's memory of the view (shared.FRESH, dropped when it is sent from this server), a sent view shows within 2 s
FOLLOW_KEY = "class_follow"  # the student follows the teacher
SEEN_KEY = "class_view_seen"  # when the view last acted on was sent (moved there or set aside)
WATCH_KEY = "class_watch"  # (url path, changed): a page's check that it is out of date (`watch_here`)
ASKING_PAGES = ("training", "cnn")  # pages with a Train button, where a question waits for answers
TITLES = {p.file.removesuffix(".py"): p.title for p in PAGES}


def teacher_view() -> tuple[str, datetime] | None:
    """(link, sent) of the view the teacher sends; None when none, or when the database does not answer."""
    try:
        return shared.shared().fresh("view", lambda db: db.teacher_view())
    except NNLabError as exc:
        log.warning("the teacher's view not read: %s", exc)
        return None


def _described(link: str) -> str:
    page, _ = shared.split_link(link)
    return TITLES.get(page, page)


# -- the teacher --------------------------------------------------------------------------------------------------
def _send(link: str) -> None:
    try:
        shared.class_db().send_view(link)
    except NNLabError as exc:
        st.session_state["class_teacher_error"] = str(exc)
    shared.shared().forget("view")


def _ask(link: str) -> None:
    state = st.session_state
    text, kind = state.get("class_ask_text", "").strip(), state.get("class_ask_kind")
    choices = None
    if kind == "Choices":
        choices = tuple(c.strip() for c in state.get("class_ask_choices", "").splitlines() if c.strip())
    try:
        db = shared.class_db()
        db.ask(link, text, choices, lesson=db.current_lesson())
    except NNLabError as exc:
        state["class_teacher_error"] = str(exc)
        return
    state["class_ask_text"] = state["class_ask_choices"] = ""
    shared.shared().forget("questions")
    state["class_teacher_note"] = "Asked. Students on this view answer before they train."


def teacher_tools(url_path: str) -> None:
    """The teacher's box in the sidebar: send this view to the class; ask the class about it before they train."""
    link = shared.page_link(url_path)
    with st.sidebar.expander("Your class", icon=":material/cast_for_education:", expanded=False):
        if url_path not in shared.PAGE_FILES or url_path == "teacher":  # a page students cannot open as it is
            st.caption("Open the page you want the class to see; this box sends it from there.")
            return
        st.button(
            "Send my view to the class",
            icon=":material/cast:",
            key="class_send_view",
            on_click=_send,
            args=(link,),
            help="Every student sees a notice with this page and its settings within 2 s; those who follow you "
            "are moved here (not while their training runs).",
        )
        sent = teacher_view()
        if sent is not None:
            here = " (this view)" if shared.same_link(sent[0], link) else f": {_described(sent[0])}"
            st.caption(f"Sent at {sent[1]:%H:%M:%S} UTC{here}. Stop sending on the Teacher page.")
        if url_path in ASKING_PAGES:
            st.text_area("Ask the class about this view", key="class_ask_text", max_chars=MAX_QUESTION)
            st.radio("Answers", ("Choices", "A number"), key="class_ask_kind", horizontal=True)
            if st.session_state.get("class_ask_kind", "Choices") == "Choices":
                st.text_area(f"Choices, one per line (2 to {MAX_CHOICES})", key="class_ask_choices")
            st.button("Ask", icon=":material/help:", key="class_ask", on_click=_ask, args=(link,))
        if note := st.session_state.pop("class_teacher_note", ""):
            st.success(note, icon=":material/check:")
        if error := st.session_state.pop("class_teacher_error", ""):
            show_error(NNLabError(error))


# -- a student ----------------------------------------------------------------------------------------------------
def follow_toggle() -> None:
    """In the sidebar, once the teacher has sent a view: follow the teacher, or not."""
    if teacher_view() is not None:
        st.sidebar.toggle(
            "Follow the teacher",
            key=FOLLOW_KEY,
            on_change=lambda: st.session_state.pop(SEEN_KEY, None),  # switched on: go to the view there is now
            help="Go to each view the teacher sends as it comes (never while your training runs).",
        )


def _follow() -> None:
    st.session_state[FOLLOW_KEY] = True
    st.session_state.pop(SEEN_KEY, None)


def _set_aside(sent: datetime) -> None:
    st.session_state[SEEN_KEY] = sent


def student_bar(url_path: str) -> None:
    """Every student page run (`app/main.py`): the follow switch and the notice. The page registers its watch
    again after it has drawn (`watch_here`): a page run starts without one, so a watch never reruns the page that is
    drawing it."""
    st.session_state.pop(WATCH_KEY, None)
    follow_toggle()
    notice(url_path)


def watch_here(url_path: str, changed: Callable[[], bool]) -> None:
    """A page that draws what the class changes (Class results): `notice`'s poll also asks `changed()` while the
    session is on `url_path`, and runs the page again when it says so: one timer a page, not two."""
    st.session_state[WATCH_KEY] = (url_path, changed)


@st.fragment(run_every=POLL_SECONDS)
def notice(url_path: str) -> None:
    """At the top of a student's page: the teacher's view, offered (or, following, opened) as soon as it is sent;
    and the page's own watch (`watch_here`)."""
    watched = st.session_state.get(WATCH_KEY)
    if watched is not None and watched[0] == url_path and watched[1]():
        st.rerun()
    view = teacher_view()
    if view is None:
        return
    link, sent = view
    state = st.session_state
    if shared.same_link(link, shared.page_link(url_path)):
        state[SEEN_KEY] = sent
        return
    if state.get(SEEN_KEY) == sent:
        return
    if state.get(FOLLOW_KEY):
        if training_plan() is None:
            state[SEEN_KEY] = sent
            shared.open_link(link)
        st.info(
            "The teacher sent a new view: you move there when your training ends.", icon=":material/cast_for_education:"
        )
        return
    with st.container(border=True, key="class_notice"):
        st.markdown(f":material/cast_for_education: The teacher sent their view: **{plain(_described(link))}**.")
        row = st.container(horizontal=True)
        if row.button("Open the teacher's view", type="primary", icon=":material/open_in_browser:", key="class_open"):
            state[SEEN_KEY] = sent
            shared.open_link(link)
        row.button("Follow the teacher", icon=":material/directions_walk:", key="class_follow_now", on_click=_follow)
        row.button("Not now", key="class_not_now", on_click=_set_aside, args=(sent,))
