"""Predict, then run: the teacher's question on a link is answered before Train, and the prediction is shown
beside the result.

A question belongs to a link (`core.classroom` keeps it as the teacher sent it): a student whose page has the
same page and settings (`shared.same_link`) sees it above the Train buttons, which wait for an answer. Once
answered, the run trained on that link carries the question (`record.Context`), and the page shows the
prediction beside the score. A database that does not answer never blocks training: the page trains without
the question.
"""

from __future__ import annotations

import logging
import math

import streamlit as st

from app.classroom import shared
from app.messages import plain, show_error
from app.session import is_teacher
from core.classroom import Question
from core.errors import NNLabError

log = logging.getLogger("nnlab.classroom")
ANSWERS_KEY = "class_answers"  # {question id: this session's answer}, once known
QUESTIONS_FRESH = 1.0  # seconds the server keeps the open questions (a new question reaches a class within it)


def open_questions() -> list[Question]:
    """The open questions (kept a second per server); [] when the database does not answer."""
    try:
        return shared.shared().fresh("questions", lambda db: db.questions(), max_age=QUESTIONS_FRESH)
    except NNLabError as exc:
        log.warning("questions not read: %s", exc)
        return []


def question_on(link: str) -> Question | None:
    """The newest open question asked on `link`."""
    asked = [q for q in open_questions() if shared.same_link(q.link, link)]
    return asked[-1] if asked else None


def my_answer(question: Question) -> str | float | None:
    """This browser's answer to `question` (None: not answered)."""
    known = st.session_state.setdefault(ANSWERS_KEY, {})
    if question.id not in known:
        try:
            mine = [a.value for a in shared.class_db().answers(question.id) if a.owner == shared.owner()]
        except NNLabError:
            return None
        if not mine:
            return None
        known[question.id] = mine[-1]
    return known[question.id]


def answered_question(link: str) -> int | None:
    """The id of the open question on `link` this session answered (the run trained now carries it)."""
    question = question_on(link)
    return question.id if question is not None and my_answer(question) is not None else None


def shown(value: str | float | None) -> str:
    if value is None:
        return "no answer"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _answer(question: Question, value) -> None:
    try:
        shared.class_db().answer(question.id, shared.owner(), shared.display_name(), value)
    except NNLabError as exc:
        st.session_state["class_answer_error"] = str(exc)
        return
    st.session_state.setdefault(ANSWERS_KEY, {})[question.id] = value


def question_first(url_path: str) -> bool:
    """Above a page's Train buttons: the teacher's open question on this page's link, answered first. True when
    the page may train (no question, or answered)."""
    question = question_on(shared.page_link(url_path))
    if question is None:
        return True
    if is_teacher():  # the teacher's own question: said, never in the way
        st.caption(f":material/help: Your question to the class on this view: {plain(question.text)}")
        return True
    answer = my_answer(question)
    with st.container(border=True, key="class_question"):
        st.markdown(f":material/help: **The teacher asks:** {plain(question.text)}")
        if answer is not None:
            st.caption(f"Your prediction: **{plain(shown(answer))}**. Train, then compare it with your result.")
            return True
        if question.choices is None:
            value = st.number_input("Your prediction (a number)", value=None, key=f"class_predict_{question.id}")
        else:
            value = st.radio(
                "Your prediction",
                question.choices,
                index=None,
                format_func=plain,
                key=f"class_predict_{question.id}",
            )
        shared.name_box()
        st.button(
            "Answer, then train",
            type="primary",
            disabled=value is None,
            key=f"class_answer_{question.id}",
            on_click=_answer,
            args=(question, value),
        )
        if error := st.session_state.pop("class_answer_error", ""):
            show_error(NNLabError(error))
        st.caption("Train waits for your answer: predict first, then see what happens.")
    return False


def beside(question_id: int | None, score: float, metric: str) -> None:
    """The student's prediction beside their run's test score (after a run on a question's link)."""
    if question_id is None:
        return
    try:
        question = shared.class_db().question(question_id)
    except NNLabError:
        return
    if question is None:
        return
    answer = my_answer(question)
    result = (
        "no score (it diverged)"
        if not math.isfinite(score)
        else (f"test accuracy {score:.1%}" if metric == "accuracy" else f"test R² {score:.3f}")
    )
    st.info(
        f"**{plain(question.text)}** You predicted **{plain(shown(answer))}**; this run reached **{result}**. "
        "The Class results page shows the class's predictions against its results.",
        icon=":material/psychology_alt:",
    )
