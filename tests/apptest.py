"""Helpers for AppTests of pages that train (training runs as jobs on the class server's queue)."""

import time

from streamlit.testing.v1 import AppTest


def finish_training(clicked, timeout: float = 120) -> AppTest:
    """Run the page after a click (`app.button(key="train_go").click()`), then rerun it until the session's
    training jobs are done: AppTest does not run fragments on a timer, so each `run()` is one poll."""
    from app.jobs import PLAN_KEY

    deadline = time.monotonic() + timeout
    app = clicked.run()
    while PLAN_KEY in app.session_state and time.monotonic() < deadline:
        time.sleep(0.1)
        app.run()
    assert PLAN_KEY not in app.session_state, "training did not finish"
    return app


def wait_training(app: AppTest, timeout: float = 60) -> AppTest:
    """Rerun the page (one poll each) until the session's training job has reported its first epoch."""
    from app.jobs import PLAN_KEY

    deadline = time.monotonic() + timeout
    while not app.session_state[PLAN_KEY].job.epochs and time.monotonic() < deadline:
        time.sleep(0.1)
        app.run()
    assert app.session_state[PLAN_KEY].job.epochs, "training did not start"
    return app
