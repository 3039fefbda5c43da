"""The class as one experiment (#21) through the pages: finished runs become rows of the class's results (with
their link, lesson and name; Play's parts one row; uploads only when shared), the teacher's question waits
before Train and its prediction is shown beside the result, the Class results page keeps names from students
and shows typed text literally, Withdraw, the teacher's lesson and Clear, the teacher's view followed (never
during a training), and a database that does not answer costs one message and no training.

Each test has its own data folder (tests/conftest.py), so its own SQLite class database."""

import time
from urllib.parse import urlencode

import pytest
from apptest import finish_training, wait_training
from classrows import result
from streamlit.testing.v1 import AppTest

from app.classroom.shared import split_link
from app.jobs import PLAN_KEY
from app.messages import plain
from app.session import OWNER_KEY, TEACHER_KEY
from core.classroom import ResultRow, open_class_db
from core.classroom.limits import display_name
from core.errors import InvalidSpecError

QUICK = {"dataset": "moons", "epochs": "5", "depth": "1", "w1": "4"}
HOSTILE = "<b>Ada</b> [grade](http://evil.test) ![](http://evil.test/i.png) \u202eevil\u202c $x$ :red[r] **bold**"
QUESTIONS_FRESH = 1.1  # the server keeps the open questions a second (app.classroom.predict.QUESTIONS_FRESH)


def _open(app, page: str = "training", **query) -> AppTest:
    app.query_params.clear()
    app.query_params.update({k: str(v) for k, v in query.items()})
    return app.switch_page(f"../pages/{page}.py").run()


def _texts(elements) -> str:
    return " ".join(str(e.value) for e in elements)


def _link(app, page: str = "training") -> str:
    return f"/{page}?" + urlencode(dict(app.query_params))


def _row(**changes) -> ResultRow:
    """A classmate's run on moons: a 4-unit MLP, 5 epochs (tests/classrows.py's row, changed)."""
    return result(**{"owner": "someone-else", "name": "Bob", "dataset": "moons", "layers": "4", "epochs": 5, **changes})


def test_a_finished_run_is_a_row_with_its_link_lesson_and_name(app):
    with open_class_db() as db:
        db.start_lesson("Moons")
    _open(app, **QUICK)
    app.session_state["class_name"] = "Ada"
    link = _link(app)
    finish_training(app.button(key="train_go").click())
    run = app.session_state["nnlab_training_run"]
    with open_class_db() as db:
        (row,) = db.results()
    assert (row.name, row.page, row.dataset, row.kind, row.backend, row.layers) == (
        "Ada",
        "training",
        "moons",
        "mlp",
        "sklearn",
        "4",
    )
    assert (row.params, row.epochs, row.metric, row.lesson) == (17, 5, "accuracy", "Moons")
    assert row.test_score == run.test_score and row.owner == app.session_state[OWNER_KEY]
    assert split_link(row.link) == split_link(link) and split_link(row.link)[1]["epochs"] == "5"
    assert row.settings["learning_rate"] == run.exp.config.learning_rate and row.question is None


def test_a_default_name_is_the_browsers_number_in_the_class_database_on_every_server(app):
    """Another web server's student took number 1: this server's first student is "Student 2", not a second
    "Student 1", and keeps it."""
    with open_class_db() as db:
        assert db.student_number("a browser on the other server") == 1
    _open(app, **QUICK)
    finish_training(app.button(key="train_go").click())
    with open_class_db() as db:
        (row,) = db.results()
        assert row.name == "Student 2" == app.session_state["class_name"]
        assert db.student_number(app.session_state[OWNER_KEY]) == 2


def test_plays_parts_are_one_row_and_the_cnn_labs_runs_are_pooled_too(app):
    _open(app, **QUICK)
    for _ in range(2):  # Step, Step: one run of two epochs
        finish_training(app.button(key="train_step").click())
    with open_class_db() as db:
        rows = db.results()
    assert [(r.epochs, r.page) for r in rows] == [(2, "training")]
    _open(app, "cnn", dataset="digits", epochs="1", n="300")
    finish_training(app.button(key="cnn_go").click())
    with open_class_db() as db:
        rows = db.results()
    assert [(r.page, r.kind) for r in rows] == [("training", "mlp"), ("cnn", "cnn")]
    assert rows[1].params == app.session_state["nnlab_cnn_run"].params


def test_the_cnn_labs_mlp_of_similar_size_is_tried_on_the_training_page_and_trains_the_same(app):
    """ "Try this run" on the CNN lab's comparison MLP opens the Training page (the lab would open the convnet) with
    that MLP: the same experiment, and scikit-learn's same test score, however the lab's settings differed from the
    Training page's defaults (rmsprop becomes adam there, and an activation scikit-learn lacks, relu)."""
    lab = dict(
        dataset="digits", epochs="3", n="400", opt="rmsprop", lr="0.01", bs="16", seed="7", noise="0.1", act="elu"
    )
    _open(app, "cnn", **lab)
    finish_training(app.button(key="cnn_go_mlp").click())
    mlp = app.session_state["nnlab_cnn_mlp_run"]
    with open_class_db() as db:
        (row,) = db.results()
    page, params = split_link(row.link)
    assert (row.page, row.kind, page, params["depth"], params["opt"], params["act"]) == (
        "cnn",
        "mlp",
        "training",
        "1",
        "adam",
        "relu",
    )
    assert "noise" not in params  # the lab's augmentation noise is not the Training page's data noise
    _open(app, "training", **params)
    finish_training(app.button(key="train_go").click())
    tried = app.session_state["nnlab_training_run"]
    assert not app.exception and tried.exp == mlp.exp
    assert tried.test_score == mlp.test_score and tried.params == mlp.params


def test_both_backends_are_two_rows_each_with_its_own_backend_in_its_link(app):
    _open(app, **QUICK)
    finish_training(app.button(key="train_both").click())
    with open_class_db() as db:
        rows = db.results()
    assert [r.backend for r in rows] == ["sklearn", "keras"]
    assert [split_link(r.link)[1]["backend"] for r in rows] == ["sklearn", "keras"]


def _upload_script(share: bool) -> None:
    """A run on an upload finished on a page (its experiment is all `record` reads)."""
    import streamlit as st

    from app.classroom import record
    from core.experiment import Experiment
    from core.runs import Run

    st.session_state[record.SHARE_KEY] = share
    exp = Experiment(dataset="upload", data_options={"file": "<b>my</b>.csv", "task": "classification"})
    run = Run(exp, None, task="classification", params=10, status="completed", test_score=0.5)
    run.history.epochs.append({"epoch": 1, "seconds": 0.1})
    record.finished(run, "training", record.Context("/training?dataset=upload", None), None)


def test_runs_on_an_upload_stay_the_students_unless_shared(app):
    AppTest.from_function(_upload_script, args=(False,)).run()
    with open_class_db() as db:
        assert db.results() == []
    AppTest.from_function(_upload_script, args=(True,)).run()
    with open_class_db() as db:
        assert [r.dataset for r in db.results()] == ["upload: <b>my</b>.csv"]


def test_the_teachers_question_waits_before_train_and_its_prediction_shows_beside_the_result(app):
    _open(app, **QUICK)
    with open_class_db() as db:
        qid = db.ask(_link(app), HOSTILE, ("yes", "[no](http://evil.test)"), lesson="")
    time.sleep(QUESTIONS_FRESH)
    app.run()
    assert app.button(key="train_go").disabled and app.button(key="train_play").disabled
    asked = next(m for m in app.markdown if "The teacher asks" in m.value)
    assert asked.value == f":material/help: **The teacher asks:** {plain(HOSTILE)}"  # literal, never rendered
    assert app.radio(key=f"class_predict_{qid}").options == ["yes", plain("[no](http://evil.test)")]
    app.radio(key=f"class_predict_{qid}").set_value("yes").run()
    app.button(key=f"class_answer_{qid}").click().run()
    assert not app.button(key="train_go").disabled
    finish_training(app.button(key="train_go").click())
    with open_class_db() as db:
        (row,) = db.results()
        (answer,) = db.answers(qid)
    assert row.question == qid and answer.value == "yes" and answer.owner == row.owner
    beside = next(i.value for i in app.info if "You predicted" in i.value)
    assert "You predicted **yes**" in beside and "test accuracy" in beside
    app.slider(key="train_w0").set_value(5).run()  # another link: no question on it
    assert not app.button(key="train_go").disabled


def test_students_see_their_runs_marked_never_names_and_withdraw_their_own(app):
    _open(app, "results")
    me = app.session_state[OWNER_KEY]
    with open_class_db() as db:
        db.add_result(_row(name=HOSTILE, test_score=0.95))
        mine = db.add_result(_row(owner=me, name="me", test_score=0.8, params=40))
    time.sleep(1.1)  # the server keeps the rows a second
    app.run()
    assert not app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert (metrics["Runs"], metrics["Students"], metrics["Your runs"]) == ("2", "2", "1")
    best = app.dataframe[0].value
    assert best["by"].tolist() == ["a classmate"] and "evil" not in _texts(app.markdown)
    assert app.multiselect(key="results_withdraw_ids").options == ["moons: MLP 4 (sklearn), 5 epochs, score 0.800"]
    app.multiselect(key="results_withdraw_ids").set_value([mine]).run()
    app.button(key="results_withdraw").click().run()
    assert "Withdrew 1 run" in _texts(app.success)
    with open_class_db() as db:
        assert [r.name for r in db.results()] == [display_name(HOSTILE)]  # cut to 40 characters, else as typed


def test_the_teacher_sees_names_as_typed_starts_a_lesson_and_clears_it(app, monkeypatch):
    monkeypatch.setenv("NNLAB_TEACHER_TOKEN", "a token")
    _open(app, "teacher")
    app.session_state[TEACHER_KEY] = True
    with open_class_db() as db:
        db.add_result(_row(name=HOSTILE))
    time.sleep(1.1)
    _open(app, "results")
    assert app.dataframe[0].value["by"].tolist() == [
        display_name(HOSTILE)
    ]  # a table cell: shown as typed, never rendered
    _open(app, "teacher")
    app.text_input(key="class_lesson_name").input("Spiral, part 2").run()
    app.button(key="class_start_lesson").click().run()
    assert "filed under **Spiral, part 2**" in _texts(app.markdown)
    with open_class_db() as db:
        assert db.current_lesson() == "Spiral, part 2"
        db.add_result(_row(lesson="Spiral, part 2"))
    time.sleep(1.1)
    app.run()
    app.selectbox(key="class_teacher_lesson").set_value("Spiral, part 2").run()
    app.checkbox(key="class_clear_sure").check().run()
    app.button(key="class_clear").click().run()
    with open_class_db() as db:
        assert [r.lesson for r in db.results()] == [""]  # only that lesson's run went


def test_a_sent_view_is_offered_opened_and_followed_but_never_during_a_training(app):
    _open(app, **QUICK)
    with open_class_db() as db:
        db.send_view("/activations?fns=tanh")
    time.sleep(0.6)  # past the server's memory of the view (shared.FRESH, 0.4 s)
    app.run()
    assert app.button(key="class_open") is not None
    app.button(key="class_open").click().run()
    assert not app.exception and app.query_params["fns"] == "tanh"
    assert app.session_state["act_names"] == ("tanh",)  # the page read the link as a fresh session does

    _open(app, depth=2, w1=256, w2=256, epochs=3000)
    wait_training(app.button(key="train_go").click().run())
    app.session_state["class_follow"] = True
    with open_class_db() as db:
        db.send_view("/losses")
    time.sleep(0.6)
    app.run()
    assert PLAN_KEY in app.session_state and "dataset" in app.query_params  # still on the Training page
    assert "you move there when your training ends" in _texts(app.info)
    finish_training(app.button(key="jobs_stop").click())  # its last poll: the training is over, so it moves
    assert "dataset" not in app.query_params and "loss" in app.query_params and not app.exception  # the losses page


def test_a_database_that_does_not_answer_costs_one_message_and_no_training(app, monkeypatch):
    monkeypatch.setenv("NNLAB_DATABASE", "postgresql://nnlab:secret@127.0.0.1:9/nowhere")
    _open(app, **QUICK)
    finish_training(app.button(key="train_go").click())
    assert not app.exception and app.session_state["nnlab_training_run"].status == "completed"
    _open(app, "results")
    assert not app.exception
    assert len(app.error) == 1 and "could not use" in app.error[0].value and "secret" not in app.error[0].value


def test_the_teachers_sidebar_sends_the_view_and_asks_with_10_kb_of_text_kept_to_500(app, monkeypatch):
    monkeypatch.setenv("NNLAB_TEACHER_TOKEN", "a token")
    _open(app, **QUICK)
    app.session_state[TEACHER_KEY] = True
    app.run()
    app.button(key="class_send_view").click().run()
    with open_class_db() as db:
        assert split_link(db.teacher_view()[0]) == split_link(_link(app))
    typed = HOSTILE + "x" * 10_000
    app.session_state["class_ask_text"] = typed  # past the box's max_chars, as a crafted message sends it
    app.text_area(key="class_ask_choices").input("yes\nno").run()
    app.button(key="class_ask").click().run()
    with open_class_db() as db:
        (question,) = db.questions()
    assert (question.text, question.choices) == (typed[:500], ("yes", "no"))  # Streamlit keeps max_chars
    assert split_link(question.link) == split_link(_link(app)) and not app.error
    app.run()
    assert not app.button(key="train_go").disabled  # the teacher's own question never stops the teacher
    assert "Your question to the class on this view" in _texts(app.caption)
    with open_class_db() as db, pytest.raises(InvalidSpecError, match="at most 500 characters"):
        db.ask(question.link, typed)  # and the database refuses more, whatever sends it


def test_a_crafted_10_kb_display_name_is_cut_to_40_characters(app):
    _open(app, **QUICK)
    app.session_state["class_name"] = "\u202e" + "x" * 10_000 + HOSTILE
    finish_training(app.button(key="train_go").click())
    with open_class_db() as db:
        (row,) = db.results()
    assert row.name == "\u202e" + "x" * 39


def test_a_database_that_goes_away_mid_lesson_is_one_message_and_training_goes_on(app, monkeypatch):
    from app.classroom import shared
    from core.classroom import DatabaseUnavailable
    from core.classroom.questions import QuestionsStore
    from core.classroom.results import ResultsStore

    _open(app, "results")
    assert not app.error
    calls = []

    def gone(*args, **kwargs):
        calls.append(args)
        raise DatabaseUnavailable("NN Lab could not use the PostgreSQL database (the server went away).")

    for store, method in ((ResultsStore, "results"), (ResultsStore, "add_result"), (QuestionsStore, "teacher_view")):
        monkeypatch.setattr(store, method, gone)
    monkeypatch.setattr(shared, "FRESH", 0.0)
    time.sleep(1.1)  # past the rows kept a second
    app.run()
    assert [e.value for e in app.error] == ["NN Lab could not use the PostgreSQL database (the server went away)."]
    asked = len(calls)
    for _ in range(3):  # the failure is said again at once, not asked again, for RETRY seconds
        app.run()
    assert len(calls) == asked and len(app.error) == 1
    _open(app, **QUICK)  # training goes on without the class's results
    finish_training(app.button(key="train_go").click())
    assert not app.exception and app.session_state["nnlab_training_run"].status == "completed"


def test_a_links_display_settings_are_not_the_lessons():
    assert split_link("/training?present=1&hide=settings%2Ccaptions&dataset=moons") == (
        "training",
        {"dataset": "moons"},
    )
    assert split_link("https://evil.test/training?dataset=moons") == ("", {})  # only NN Lab's own pages
