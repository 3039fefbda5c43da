"""The teacher's page: no token configured, a wrong token, the right one; then the class at a glance and a
student's training cancelled with its Cancel button."""

import time

import pytest

from app.jobs import TEACHER_KEY, job_board
from app.teacher import TOKEN_ENV
from core.datasets import load_dataset
from core.experiment import Experiment, prepare_data
from core.jobs import CANCELLED
from core.spec import MLPSpec, TrainConfig

TOKEN = "correct horse battery staple"


@pytest.fixture
def teacher_page(app, monkeypatch):
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    return app.switch_page("../pages/teacher.py")


def test_without_a_token_the_page_says_how_to_set_one(app, monkeypatch):
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    app.switch_page("../pages/teacher.py").run()
    assert not app.exception
    assert TOKEN_ENV in app.info[0].value and not app.metric and not app.text_input


def test_a_wrong_token_is_refused_slowly_and_the_right_one_signs_in(teacher_page):
    at = teacher_page.run()
    at.text_input(key="teacher_token_typed").input("guess")
    start = time.monotonic()
    at.button[0].click().run()
    assert time.monotonic() - start >= 1.0
    assert "not the teacher token" in at.error[0].value
    assert TEACHER_KEY not in at.session_state or not at.session_state[TEACHER_KEY]
    at.text_input(key="teacher_token_typed").input(TOKEN)
    at.button[0].click().run()
    assert not at.exception and at.session_state[TEACHER_KEY]
    assert [m.label for m in at.metric] == ["Sessions here", "Training now", "In line", "CPU", "Memory"]


def test_the_teacher_cancels_a_students_training(teacher_page):
    at = teacher_page.run()
    at.session_state[TEACHER_KEY] = True
    board = job_board()
    data = prepare_data(load_dataset("digits"), 0.2, 0)
    exp = Experiment("digits", spec=MLPSpec((256, 256)), config=TrainConfig(epochs=200, batch_size=32))
    job = board.submit("a-student", exp, data)
    board.touch("a-student", "training")
    try:
        at.run()
        assert not at.exception
        cancel = at.button(key=f"teacher_cancel_{job.id}")
        texts = " ".join(str(m.value) for m in at.markdown)
        assert "200 epochs" in texts and "digits" in texts
        board.seen(job)
        cancel.click().run()
        deadline = time.monotonic() + 10
        while not job.finished and time.monotonic() < deadline:
            time.sleep(0.05)
        assert job.state == CANCELLED
        at.run()
        assert f"teacher_cancel_{job.id}" not in [b.key for b in at.button]
    finally:
        board.cancel(job)


def test_cpu_is_measured_between_the_pages_runs(teacher_page):
    """Each Streamlit run is a new thread; psutil.cpu_percent() remembers per thread and said 0% every time."""
    at = teacher_page.run()
    at.session_state[TEACHER_KEY] = True
    at.run()
    end = time.monotonic() + 0.6
    while time.monotonic() < end:                    # one core busy between two runs of the page
        sum(range(1000))
    at.run()
    cpu = next(m for m in at.metric if m.label == "CPU").value
    assert float(cpu.rstrip("%")) >= 20, cpu
