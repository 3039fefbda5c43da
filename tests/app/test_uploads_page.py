"""A student's own data on the Training page: upload, choose the target and task, preview, train, share."""

from apptest import finish_training
from formats import image_zip_bytes

from app.session import CURRENT_KEY, TRAINING_KEY

CSV = b"hours,sleep,passed\n" + b"".join(
    f"{h},{s},{int(h + s > 12)}\n".encode()
    for h, s in zip([1, 3, 5, 7, 9, 2, 4, 6, 8, 10] * 6, [9, 8, 7, 6, 5, 4] * 10)
)


def _texts(elements) -> str:
    return " ".join(e.value for e in elements)


def _training_with_upload(app, name, content, **query):
    app.query_params.update({"dataset": "upload", **query})
    app.switch_page("../pages/training.py").run()
    app.get("file_uploader")[0].upload(name, content).run()
    assert not app.exception
    return app


def test_an_uploaded_csv_is_trained_on_with_the_target_and_task_chosen(app):
    _training_with_upload(app, "exams.csv", CSV, epochs="30", lr="0.03", depth="1")
    assert app.selectbox(key="train_target").value == "passed"
    assert "exams.csv**: 60 samples of 2, classification into 2 classes (0, 1)" in _texts(app.caption)
    assert "Task: classification into 2 classes (one sigmoid unit)" in _texts(app.caption)
    finish_training(app.button(key="train_go").click())
    assert not app.exception and "on exams.csv: Trained 30 epochs" in _texts(app.success)
    run = app.session_state[TRAINING_KEY]
    assert {k: v for k, v in run.exp.data_options.items() if k != "digest"} == {
        "file": "exams.csv",
        "task": "classification",
        "kind": "tabular",
    }
    assert app.session_state[CURRENT_KEY] is run and run.test_score > 0.6
    assert app.query_params["dataset"] == "upload" and app.query_params["file"] == "exams.csv"
    app.session_state["train_tab"] = "Show the code"
    app.run()
    assert "np.load('nnlab_data.npz')" in app.code[0].value
    app.selectbox(key="train_target").set_value("hours").run()  # a number: regression by choice
    app.selectbox(key="train_task").set_value("regression").run()
    assert not app.exception and "regression: predicting a number" in _texts(app.caption)
    assert "regression (one linear output unit)" in _texts(app.caption)
    assert "changed since this run trained on it" in _texts(app.error)  # the run is not shown against other data


def test_an_uploaded_zip_of_image_folders_is_previewed_and_trained_on(app):
    _training_with_upload(app, "shapes.zip", image_zip_bytes(per_class=15, size=20), epochs="15")
    app.select_slider(key="train_size").set_value(16).run()
    assert "shapes.zip**: 30 samples of 16 x 16 x 3, classification into 2 classes (circle, square)" in _texts(
        app.caption
    )
    assert "circle" in app.get("image")[0].captions  # the preview tiles
    assert app.metric[0].value == f"{16 * 16 * 3 * 16 + 16 + 16 * 16 + 16 + 17:,}"  # 768-16-16-1
    finish_training(app.button(key="train_go").click())
    assert not app.exception and "Trained 15 epochs" in _texts(app.success)
    app.session_state["train_tab"] = "Test results"
    app.run()
    assert not app.exception and any(m.label == "Test accuracy" for m in app.metric)


def test_a_link_made_with_an_upload_says_which_file_to_upload(app):
    app.query_params.update({"dataset": "upload", "file": "exams.csv", "epochs": "30"})
    app.switch_page("../pages/training.py").run()
    assert not app.exception and not app.error
    assert "This link was made with an uploaded file, **exams.csv**." in app.info[0].value
    assert app.number_input(key="train_epochs").value == 30


def test_a_teacher_can_name_an_uploads_classes(app):
    _training_with_upload(app, "shapes.zip", image_zip_bytes(per_class=6, size=20))
    app.text_input(key="train_class_names").set_value("round, cornered, extra").run()
    assert not app.exception and "Give 2 different names, one per class" in app.error[0].value
    app.text_input(key="train_class_names").set_value("round, cornered").run()
    assert not app.error and "classification into 2 classes (round, cornered)" in _texts(app.caption)
    finish_training(app.button(key="train_go").click())
    assert app.session_state[TRAINING_KEY].model is not None
    app.session_state["train_tab"] = "Test results"
    app.run()
    assert [o for o in app.selectbox(key="train_true").options] == ["round", "cornered"]


OTHER = b"a,b,label\n" + b"".join(f"{i},{i % 3},{i % 2}\n".encode() for i in range(40))


def test_uploading_another_file_after_training_never_shows_the_exception_page(app):
    _training_with_upload(app, "exams.csv", CSV, epochs="5")
    finish_training(app.button(key="train_go").click(), timeout=400)
    app.get("file_uploader")[0].upload("other.csv", OTHER).run()  # the old run's file is gone
    assert not app.exception
    for _ in range(2):  # and on every rerun after
        app.run()
        assert not app.exception
    assert "other.csv**: 40 samples of 2" in _texts(app.caption)  # the second file replaced the first
    assert "Could not tell the format" not in " ".join(e.value for e in app.error)


def test_a_run_is_never_shown_against_another_file_uploaded_under_its_name(app):
    _training_with_upload(app, "exams.csv", CSV, epochs="5")
    finish_training(app.button(key="train_go").click(), timeout=400)
    bigger = CSV + b"".join(f"{h},{s},{int(h + s > 12)}\n".encode() for h, s in zip(range(40), range(40)))
    app.get("file_uploader")[0].upload("exams.csv", bigger).run()  # same name, other data
    assert not app.exception
    assert "exams.csv**: 100 samples of 2" in _texts(app.caption)
    assert "changed since this run trained on it" in _texts(app.error)
    assert "80 training samples" not in " ".join(m.value for m in app.markdown)


def test_an_upload_made_on_the_data_page_is_trained_on_the_training_page(app):
    app.query_params.update({"dataset": "upload"})
    app.switch_page("../pages/data.py").run()
    app.get("file_uploader")[0].upload("exams.csv", CSV).run()
    assert not app.exception
    app.query_params.update({"dataset": "upload", "epochs": "5"})
    app.switch_page("../pages/training.py").run()
    assert not app.exception and "Using exams.csv, uploaded earlier" in _texts(app.caption)
    finish_training(app.button(key="train_go").click(), timeout=400)
    assert not app.exception and "on exams.csv: Trained 5 epochs" in _texts(app.success)


def test_file_and_class_names_are_shown_as_plain_text():
    from app.messages import plain  # the uploader's names go through the one helper

    shown = plain("[Teacher: click](http://evil) ![](http://t/t.png) <b>x</b> $x$.csv")
    for escaped in ("\\[Teacher", "\\](", "\\!\\[", "\\<b\\>", "\\$x\\$", "http:\u2060//"):
        assert escaped in shown  # links, images, HTML, LaTeX and bare addresses broken, text kept


def test_removing_the_upload_a_link_asked_for_leaves_no_stale_notice(app):
    app.query_params.update({"dataset": "upload", "file": "exams.csv", "epochs": "30"})
    app.switch_page("../pages/training.py").run()
    app.get("file_uploader")[0].upload("exams.csv", CSV).run()
    assert not app.exception and "This link was made with" not in _texts(app.info)
    app.get("file_uploader")[0].clear().run()  # the student removes the file
    assert not app.exception
    assert "This link was made with" not in _texts(app.info), _texts(app.info)
    assert "Waiting for a file" in _texts(app.info)
    assert not app.query_params.get("file")  # the link no longer asks for it


def test_too_many_files_are_released_from_the_server_at_once_and_said_above_a_fresh_uploader(app, monkeypatch):
    """Streamlit holds uploaded files in memory until the browser removes them: a refused upload is dropped from
    its file manager in the same run, and the uploader starts empty (twelve 40 MB files held 1.2 GB before)."""
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager

    removed = []
    real = MemoryUploadedFileManager.remove_file
    monkeypatch.setattr(
        MemoryUploadedFileManager,
        "remove_file",
        lambda self, session_id, file_id: (removed.append(file_id), real(self, session_id, file_id)),
    )
    app.query_params.update({"dataset": "upload"})
    app.switch_page("../pages/training.py").run()
    uploader = app.get("file_uploader")[0]
    for i in range(12):  # batches stay together (a CSV would replace the files before it)
        uploader.upload(f"data_batch_{i}", bytes(100))
    uploader.run()
    assert not app.exception
    assert "This upload has 12 files; NN Lab takes at most 10" in _texts(app.error)
    assert len(removed) == 12  # every refused file dropped from Streamlit's memory
    fresh = app.get("file_uploader")[0]
    assert fresh.key != uploader.key and not fresh.value  # an empty uploader under the message
    fresh.upload("exams.csv", CSV).run()  # the next upload is read as usual, and the message is gone
    assert not app.exception and not app.error
    assert "exams.csv**: 60 samples of 2" in _texts(app.caption)


def test_uploads_count_against_the_class_servers_memory_and_go_when_the_session_ends(monkeypatch):
    """One account for the whole server (core.classserver.memory): an upload that would pass it is one message
    before it is read, and what a session held is let go when the session ends."""
    import gc
    from pathlib import Path

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    import app.data_access as data_access
    from core.classserver.memory import UPLOADS, Holdings

    holdings = Holdings(budget_bytes=2**30)
    monkeypatch.setattr(data_access, "server_holdings", lambda: holdings)
    st.cache_data.clear()
    st.cache_resource.clear()
    session = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "app" / "main.py"), default_timeout=60)
    _training_with_upload(session, "exams.csv", CSV)
    assert holdings.usage()[UPLOADS][0] >= 1 and holdings.usage()[UPLOADS][1] > 0
    holdings.budget_bytes = holdings.used() + 1000  # the class has filled the server's memory
    session.get("file_uploader")[0].upload("shapes.zip", image_zip_bytes(per_class=15, size=20)).run()
    assert not session.exception
    refused = _texts(session.error)
    assert "shapes.zip needs about" in refused and "ask the teacher" in refused
    del session  # the session ends (its tab closed)
    gc.collect()
    assert UPLOADS not in holdings.usage()
