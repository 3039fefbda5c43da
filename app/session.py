"""What pages share in a session, behind typed accessors: no page reads these keys directly.

- the current run: the model that pages which look inside a network show (Weights, Activation functions).
  Every page that trains makes its run the current one.
- the run history: the runs of the Training page, numbered, for comparing. Only the runs still shown keep
  their model (and its weight snapshots); older ones keep their curves and results (`Run.release`).
- a page's run: the run a page that trains shows under its controls (running, or its last finished): the
  Training page's (`training_run`) and the CNN lab's (`page_run("cnn")`).

- who the session is: the browser's id (`session_id`, in the `nnlab_browser` cookie: the owner of its jobs, its
  place in line and its rows of the class's results; every tab of a browser is one owner) and whether a teacher
  signed in (`is_teacher`).

Keys private to one page are prefixed with that page's name (`train_`, `weights_`, `data_`, `bp_`, ...).
"""

from __future__ import annotations

import re
import uuid

import streamlit as st

from core.runs import Run

TRAINING_PAGES = ("training", "cnn", "cnn_mlp")  # runs pages train and keep (the CNN lab's MLP for comparison)
CURRENT_KEY, HISTORY_KEY = "nnlab_current_run", "nnlab_run_history"
TRAINING_KEY = "nnlab_training_run"
OWNER_KEY, TEACHER_KEY = "nnlab_session_id", "nnlab_teacher"
# One place in line per browser, not per tab (#24): an id the browser keeps in a cookie, set by the first page
# run of its first tab; every later tab's websocket request carries it (`st.context.cookies`).
BROWSER_COOKIE, BROWSER_ID = "nnlab_browser", re.compile(r"[0-9a-f]{24}")
COOKIE_DAYS = 30


def current_run() -> Run | None:
    return st.session_state.get(CURRENT_KEY)


def set_current_run(run: Run) -> None:
    """Make `run` the model other pages look inside (pages that show an epoch open at its last one)."""
    st.session_state[CURRENT_KEY] = run


def run_history() -> list[Run]:
    return st.session_state.setdefault(HISTORY_KEY, [])


def add_to_history(run: Run, instead_of: Run | None = None) -> None:
    """Number `run`, append it to the history (or put it in the place of `instead_of`, the run it went on from:
    Play after Pause is one run) and make it the current run; runs no page shows any more release their models."""
    runs = run_history()
    place = next((i for i, r in enumerate(runs) if r is instead_of), None) if instead_of is not None else None
    if place is None:
        run.number = len(runs) + 1
        runs.append(run)
    else:
        run.number, runs[place] = instead_of.number, run
    set_current_run(run)
    _release_unshown()


def clear_history() -> None:
    st.session_state[HISTORY_KEY] = []


def _page_key(page: str) -> str:
    return f"nnlab_{page}_run"


def page_run(page: str) -> Run | None:
    """The run under the controls of a page that trains ("training", "cnn")."""
    return st.session_state.get(_page_key(page))


def set_page_run(page: str, run: Run) -> None:
    st.session_state[_page_key(page)] = run


def training_run() -> Run | None:
    return page_run("training")


def _release_unshown() -> None:
    shown = {id(current_run())} | {id(page_run(page)) for page in TRAINING_PAGES}
    for run in run_history():
        if id(run) not in shown:
            run.release()


def browser_id(cookie: str | None) -> tuple[str, bool]:
    """(the owner id for a session whose browser sent `cookie`, whether the cookie must be set): a well-formed id
    is kept; anything else (none, or a value a student typed) gets a new one."""
    if cookie and BROWSER_ID.fullmatch(cookie):
        return cookie, False
    return uuid.uuid4().hex[:24], True


def _cookie() -> str | None:
    try:
        value = st.context.cookies.get(BROWSER_COOKIE)
    except (AttributeError, RuntimeError, KeyError):  # no browser request behind this run
        return None
    return value if isinstance(value, str) else None  # (AppTest's context is a mock)


def session_id() -> str:
    """Who owns this session's jobs and results: the browser's id, shared by all its tabs (one job per browser)."""
    owner = st.session_state.get(OWNER_KEY)
    if owner is None:
        owner = st.session_state[OWNER_KEY] = browser_id(_cookie())[0]
    return owner


def remember_browser() -> None:
    """Once in every run (app/main.py, inside its hidden container): a session whose browser did not send the
    cookie writes it, on every run until it does (an element a run does not draw again is removed, and a first
    run may be cut short by a rerun). The id is [0-9a-f] only: nothing in it can end the script's string."""
    owner = session_id()
    if _cookie() != owner:
        st.html(
            f"<script>document.cookie = '{BROWSER_COOKIE}={owner}; path=/; max-age={COOKIE_DAYS * 86400}; "
            "SameSite=Strict';</script>",
            unsafe_allow_javascript=True,
        )


def is_teacher() -> bool:
    """Whether this session signed in with the teacher token (`app.teacher.sign_in`)."""
    return bool(st.session_state.get(TEACHER_KEY))
