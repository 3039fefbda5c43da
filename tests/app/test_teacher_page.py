"""The teacher's page: no token configured, a wrong token, the right one, guessing limited server-wide; then the
class at a glance (students' names as plain text) and a student's training cancelled with its Cancel button; one
place in line per browser."""

import logging
import time

import pytest

from app import teacher
from app.jobs import job_board
from app.session import OWNER_KEY, TEACHER_KEY, browser_id
from app.teacher import TOKEN_ENV, TokenGate
from core.classserver.job import CANCELLED
from core.datasets import load_dataset
from core.datasets.uploads import UPLOAD
from core.experiment import Experiment, prepare_data
from core.spec import MLPSpec, TrainConfig

TOKEN = "correct horse battery staple"


@pytest.fixture
def teacher_page(app, monkeypatch):
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    monkeypatch.setattr(teacher, "GATE", TokenGate())
    return app.switch_page("../pages/teacher.py")


def test_without_a_token_the_page_says_how_to_set_one(app, monkeypatch):
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    app.switch_page("../pages/teacher.py").run()
    assert not app.exception
    assert TOKEN_ENV in app.info[0].value and not app.metric and not app.text_input


def test_a_wrong_token_is_refused_and_the_right_one_signs_in_after_the_wait(teacher_page):
    at = teacher_page.run()
    at.text_input(key="teacher_token_typed").input("guess")
    at.button[0].click().run()
    assert "not the teacher token" in at.error[0].value
    assert TEACHER_KEY not in at.session_state or not at.session_state[TEACHER_KEY]
    at.text_input(key="teacher_token_typed").input(TOKEN)
    at.button[0].click().run()  # at once: too soon, not even compared
    assert "try again in" in at.error[0].value
    assert TEACHER_KEY not in at.session_state or not at.session_state[TEACHER_KEY]
    time.sleep(teacher.GATE.wait() + 0.05)
    at.button[0].click().run()
    assert not at.exception and at.session_state[TEACHER_KEY]
    assert [m.label for m in at.metric] == ["Sessions here", "Training now", "In line", "CPU", "Memory"]


def test_the_teacher_cancels_a_students_training(teacher_page):
    at = teacher_page.run()
    at.session_state[TEACHER_KEY] = True
    board = job_board()
    data = prepare_data(load_dataset("digits"), 0.2, 0)
    exp = Experiment("digits", spec=MLPSpec((256, 256)), config=TrainConfig(epochs=2000, batch_size=32))
    job = board.submit("a-student", exp, data)
    board.touch("a-student", "training")
    try:
        at.run()
        assert not at.exception
        cancel = at.button(key=f"teacher_cancel_{job.id}")
        texts = " ".join(str(m.value) for m in at.text)
        assert "2000 epochs" in texts and "digits" in texts
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
    while time.monotonic() < end:  # one core busy between two runs of the page
        sum(range(1000))
    at.run()
    cpu = next(m for m in at.metric if m.label == "CPU").value
    assert float(cpu.rstrip("%")) >= 20, cpu


def test_token_guessing_is_limited_for_the_whole_server_with_a_doubling_wait_and_logged(caplog):
    now = [100.0]
    gate = TokenGate(clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="nnlab.teacher"):
        assert gate.attempt("a", TOKEN, "tab-1") is False
        assert gate.attempt(TOKEN, TOKEN, "tab-2") == pytest.approx(1.0)  # another tab: same wait, not compared
        waits = []
        for tab in range(8):  # a student's many tabs
            now[0] += gate.wait()
            assert gate.attempt("b", TOKEN, f"tab-{tab}") is False
            waits.append(gate.wait())
    assert waits == [2, 4, 8, 16, 32, 60, 60, 60]  # 8 guesses took minutes, not 0.3 s
    assert sum("Wrong teacher token" in r.message for r in caplog.records) == 9
    assert "too soon" in caplog.records[1].message and "tab-2" in caplog.records[1].message
    now[0] += gate.wait()
    assert gate.attempt(TOKEN, TOKEN, "teacher") is True and gate.failures == 0
    now[0] += 601
    assert gate.attempt("c", TOKEN, "x") is False and gate.wait() == 1.0  # quiet for 10 min: forgiven


def test_every_tab_of_one_browser_is_one_owner_with_one_place_in_line():
    owner, new = browser_id(None)
    assert new and len(owner) == 24
    assert browser_id(owner) == (owner, False)  # a second tab sends the cookie back
    for forged in ("x' onload='", "<b>", owner.upper(), owner + "0", ""):
        assert browser_id(forged)[1], forged  # anything else: a new id


def test_two_tabs_of_one_browser_get_one_job(app, monkeypatch):
    owner = browser_id(None)[0]
    monkeypatch.setattr("app.session._cookie", lambda: owner)
    tab1 = app.run()
    assert tab1.session_state[OWNER_KEY] == owner
    board = job_board()
    data = prepare_data(load_dataset("digits"), 0.2, 0)
    exp = Experiment("digits", spec=MLPSpec((256, 256)), config=TrainConfig(epochs=2000, batch_size=32))
    job = board.submit(owner, exp, data)
    try:
        from core.classserver.job import JobRefused

        with pytest.raises(JobRefused, match="already have a training"):
            board.submit(tab1.session_state[OWNER_KEY], exp, data)
    finally:
        board.cancel(job)


def test_students_names_and_file_names_are_plain_text_on_the_teachers_page(teacher_page):
    at = teacher_page.run()
    at.session_state[TEACHER_KEY] = True
    board = job_board()
    data = prepare_data(load_dataset("digits"), 0.2, 0)
    name = "[Teacher: click to see my grade](http://evil.example) ![](http://evil.example/t.png) <b>x</b>.csv"
    exp = Experiment(
        UPLOAD, data_options={"file": name}, spec=MLPSpec((256, 256)), config=TrainConfig(epochs=2000, batch_size=32)
    )
    job = board.submit("a-student", exp, data)
    board.touch("a-student", "training")
    try:
        at.run()
        assert not at.exception
        assert any(name in t.value for t in at.text)
        assert not any("evil.example" in str(m.value) for m in at.markdown)
    finally:
        board.cancel(job)


def test_the_teacher_names_the_data_folders_classes_and_every_student_sees_them(teacher_page, isolated_data):
    """A CIFAR-format folder without batches.meta: "class 0" ... until the teacher names its classes on this page;
    a student's Data page opened after shows the names (#20)."""
    from pathlib import Path

    from formats import write_cifar_folder
    from streamlit.testing.v1 import AppTest

    write_cifar_folder(isolated_data)
    at = teacher_page.run()
    at.session_state[TEACHER_KEY] = True
    at.run()
    at.toggle(key="teacher_rename_on").set_value(True).run()
    assert at.text_input(key="teacher_cifar_names").value == "class 0, class 1, class 2"
    at.text_input(key="teacher_cifar_names").input("taxi, <b>truck</b>").run()
    at.button(key="teacher_names_save").click().run()
    assert "Give 3 different names" in at.error[0].value  # two names for three classes: nothing saved
    at.text_input(key="teacher_cifar_names").input("taxi, [truck](http://x), bus").run()
    at.button(key="teacher_names_save").click().run()
    assert not at.exception and not at.error
    assert "taxi, \\[truck\\]" in " ".join(c.value for c in at.caption)  # shown as plain text
    student = AppTest.from_file(str(Path(__file__).parents[2] / "app" / "main.py"), default_timeout=60)
    student.query_params.update({"dataset": "cifar10"})
    student.switch_page("../pages/data.py").run()
    assert not student.exception
    assert student.selectbox(key="data_class").options == ["all", "taxi", "[truck](http://x)", "bus"]
    at.button(key="teacher_names_reset").click().run()  # back to the files' own names, for everyone
    assert not at.exception and at.text_input(key="teacher_cifar_names").value == "class 0, class 1, class 2"


def test_the_teacher_sees_what_the_server_holds_for_the_class_against_its_budget(teacher_page, monkeypatch):
    import app.teacher as teacher_module
    from core.classserver.memory import DATASETS, Holdings

    holdings, ds = Holdings(budget_bytes=100 * 2**20), load_dataset("digits")
    holdings.hold(DATASETS, ds)
    monkeypatch.setattr(teacher_module, "server_holdings", lambda: holdings)
    at = teacher_page.run()
    at.session_state[TEACHER_KEY] = True
    at.run()
    assert not at.exception
    progress = [str(p.proto.text) for p in at.get("progress")]
    assert any("Memory held for the class: 0 of 100 MB" in t for t in progress), progress  # digits: 0.5 MB
    table = at.table[0].value
    assert table.iloc[0].tolist()[:2] == [DATASETS, "1"] and "NNLAB_MEMORY_MB" in " ".join(c.value for c in at.caption)
