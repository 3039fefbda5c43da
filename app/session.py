"""What pages share in a session, behind typed accessors: no page reads these keys directly.

- the current run: the model that pages which look inside a network show (Weights, Activation functions).
  Every page that trains makes its run the current one.
- the run history: the runs of the Training page, numbered, for comparing. Only the runs still shown keep
  their model (and its weight snapshots); older ones keep their curves and results (`Run.release`).
- the training run: the run the Training page shows under its controls (running, or the last finished).

Keys private to one page are prefixed with that page's name (`train_`, `weights_`, `data_`, `bp_`, ...).
"""

from __future__ import annotations

import streamlit as st

from core.runs import Run

CURRENT_KEY, HISTORY_KEY, TRAINING_KEY = "nnlab_current_run", "nnlab_run_history", "nnlab_training_run"


def current_run() -> Run | None:
    return st.session_state.get(CURRENT_KEY)


def set_current_run(run: Run) -> None:
    """Make `run` the model other pages look inside (pages that show an epoch open at its last one)."""
    st.session_state[CURRENT_KEY] = run


def run_history() -> list[Run]:
    return st.session_state.setdefault(HISTORY_KEY, [])


def add_to_history(run: Run) -> None:
    """Number `run`, append it to the history and make it the current run; runs no page shows any more
    release their models."""
    runs = run_history()
    run.number = len(runs) + 1
    runs.append(run)
    set_current_run(run)
    _release_unshown()


def clear_history() -> None:
    st.session_state[HISTORY_KEY] = []


def training_run() -> Run | None:
    return st.session_state.get(TRAINING_KEY)


def set_training_run(run: Run) -> None:
    st.session_state[TRAINING_KEY] = run


def _release_unshown() -> None:
    shown = {id(current_run()), id(training_run())}
    for run in run_history():
        if id(run) not in shown:
            run.release()
