"""The Teacher page's class sections: the lesson results are filed under, the class's results with names (CSV,
clear a lesson), the view sent to the class, and the questions with their answers. Sending a view and asking a
question are in the sidebar of the page they are about (`app.classroom.follow.teacher_tools`)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app.classroom import figures, shared
from app.classroom.schema import EVERY
from app.classroom.views import class_rows
from app.messages import plain, show_error
from app.tables import browse
from core.classroom import ClassDB
from core.classroom.limits import MAX_LESSON
from core.errors import NNLabError


def _start_lesson(db: ClassDB) -> None:
    try:
        db.start_lesson(st.session_state.get("class_lesson_name", ""))
    except NNLabError as exc:
        st.session_state["class_board_error"] = str(exc)
    shared.shared().forget("lesson")


def lesson(db: ClassDB) -> str:
    """The lesson new results and questions are filed under; a box to start another."""
    current = db.current_lesson()
    st.markdown(f"Results and questions are filed under **{plain(current) if current else 'no lesson'}**.")
    row = st.container(horizontal=True, vertical_alignment="bottom")
    row.text_input("Next lesson's name", key="class_lesson_name", max_chars=MAX_LESSON, placeholder="Spiral, part 2")
    row.button("Start this lesson", key="class_start_lesson", on_click=_start_lesson, args=(db,))
    return current


def _clear(db: ClassDB, chosen: str) -> None:
    gone = db.clear(None if chosen == EVERY else chosen)
    shared.shared().forget("results")
    st.session_state["class_board_note"] = f"Cleared {gone} run{'s' if gone != 1 else ''}."


def results(db: ClassDB) -> None:
    """Every run with its student's name, by lesson; the CSV; clearing a lesson's runs."""
    lessons = (EVERY, *db.lessons())
    chosen = st.selectbox(
        "Lesson", lessons, key="class_teacher_lesson", format_func=lambda v: "every lesson" if v == EVERY else v
    )
    runs = [r for r in class_rows() if chosen in (EVERY, r.lesson)]
    if not runs:
        st.caption("No runs yet.")
    else:
        shown = pd.DataFrame(
            {
                "name": [r.name for r in runs],
                "dataset": [r.dataset for r in runs],
                "network": [figures.network(r) for r in runs],
                "params": [r.params for r in runs],
                "epochs": [r.epochs for r in runs],
                "score": [round(r.test_score, 3) for r in runs],
                "lesson": [r.lesson for r in runs],
                "at (UTC)": [f"{r.created:%H:%M:%S}" for r in runs],
            }
        )
        with browse("class_results"):
            st.dataframe(shown, hide_index=True)
    row = st.container(horizontal=True)
    row.download_button(
        "Download as CSV",
        data=db.results_csv(lesson=None if chosen == EVERY else chosen, include_withdrawn=True),
        file_name="class-results.csv",
        mime="text/csv",
        icon=":material/download:",
        key="class_csv",
    )
    sure = row.checkbox("I want to clear them", key="class_clear_sure")
    row.button(
        "Clear these runs",
        icon=":material/delete:",
        disabled=not sure or not runs,
        key="class_clear",
        on_click=_clear,
        args=(db, chosen),
    )


def _stop_sending(db: ClassDB) -> None:
    db.clear_view()
    shared.shared().forget("view")


def sent_view(db: ClassDB) -> None:
    view = db.teacher_view()
    if view is None:
        st.caption('No view sent. On any page, open the sidebar\'s "Your class" box: Send my view to the class.')
        return
    st.markdown(f"Sent at {view[1]:%H:%M:%S} UTC: {plain(view[0])}")
    st.button("Stop sending", key="class_stop_view", on_click=_stop_sending, args=(db,))


def _close(db: ClassDB, qid: int) -> None:
    db.close_question(qid)
    shared.shared().forget("questions", "all_questions")


def questions(db: ClassDB) -> None:
    """The questions asked (newest first) with their answers by name; Close stops taking answers."""
    asked = db.questions(open_only=False)
    if not asked:
        st.caption('No questions yet. On the Training page or the CNN lab, the sidebar\'s "Your class" box asks one.')
        return
    for q in reversed(asked):
        answers = db.answers(q.id)
        state = "open" if q.is_open else "closed"
        st.markdown(f"**{plain(q.text)}** ({state}, {len(answers)} answer{'' if len(answers) == 1 else 's'})")
        st.caption(f"Asked on {plain(q.link)}")
        if answers:
            table = pd.DataFrame({"name": [a.name for a in answers], "prediction": [str(a.value) for a in answers]})
            with browse(f"answers_{q.id}"):
                st.dataframe(table, hide_index=True)
        if q.is_open:
            st.button("Close", key=f"class_close_{q.id}", on_click=_close, args=(db, q.id))


def class_sections() -> None:
    """The Teacher page's class part (below the server's overview)."""
    try:
        db = shared.class_db()
    except NNLabError as exc:
        show_error(exc)
        return
    st.subheader("Lesson")
    lesson(db)
    st.subheader("Class results, with names")
    results(db)
    st.subheader("The view you sent")
    sent_view(db)
    st.subheader("Questions")
    questions(db)
    if note := st.session_state.pop("class_board_note", ""):
        st.toast(plain(note), icon=":material/check:")
    if error := st.session_state.pop("class_board_error", ""):
        show_error(NNLabError(error))
