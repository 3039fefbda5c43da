"""The Training page as TensorFlow Playground: its links open here, its features, its penalties and its scale."""

import time
from urllib.parse import quote

from apptest import finish_training
from lessons import SPIRAL_42, SPIRAL_4552

from app.session import TRAINING_KEY


def _open(app, **query):
    app.query_params.update({k: str(v) for k, v in query.items()})
    return app.switch_page("../pages/training.py").run()


def _texts(elements) -> str:
    return " ".join(e.value for e in elements)


def test_a_playground_address_in_the_link_opens_its_lesson(app):
    _open(app, playground=quote(SPIRAL_4552, safe=""))
    assert not app.exception
    assert app.metric[0].value == "82"  # 2-4-5-5-2-1
    values = {k: app.session_state[k] for k in ("dataset", "train_backend", "train_act", "train_opt", "train_bs")}
    assert values == {
        "dataset": "spiral",
        "train_backend": "keras",
        "train_act": "relu",
        "train_opt": "sgd",
        "train_bs": 10,
    }
    assert app.session_state["train_lr"] == 0.03 and app.session_state["train_test"] == 0.5
    assert app.session_state["train_val"] == 0 and not app.session_state["train_xscale"]
    assert list(app.session_state["train_features"]) == ["x1", "x2"]
    link = dict(app.query_params)
    assert "playground" not in link and (link["depth"], link["w4"], link["bs"]) == ("4", "2", "10")
    said = _texts(app.warning)
    assert "What NN Lab does differently" in said and "seed 0.80932" in said and "1,000 epochs" in said


def test_an_address_pasted_into_the_sidebar_opens_its_lesson_and_a_wrong_one_is_said(app):
    _open(app)
    app.text_input(key="train_playground_paste").set_value(SPIRAL_42).run()
    assert not app.exception and app.metric[0].value == "25"  # 2-4-2-1
    assert app.query_params["dataset"] == "spiral" and app.text_input(key="train_playground_paste").value == ""
    app.text_input(key="train_playground_paste").set_value("https://example.com/#x=true").run()
    assert "Not a TensorFlow Playground address" in _texts(app.error) and app.metric[0].value == "25"


def test_what_a_link_holds_is_shown_as_plain_text(app):
    hostile = "[click](https://evil.example) <b>bold</b> :red[red]"
    _open(app, playground=quote(f"#activation={quote(hostile)}&dataset=xor", safe=""))
    assert not app.exception
    said = _texts(app.warning)
    assert "\\[click\\]" in said and "<b>" not in said and ":red[" not in said


def test_features_change_the_inputs_and_the_link(app):
    _open(app, dataset="circles", depth=1, w1=4)
    assert app.metric[0].value == "17"  # 2-4-1
    app.session_state["train_features"] = ["x1", "x2", "x1sq", "x2sq"]
    app.run()
    assert app.metric[0].value == "25" and app.query_params["features"] == "x1,x2,x1sq,x2sq"  # 4-4-1
    assert "input shape (4,)" in _texts(app.caption)
    app.selectbox(key="dataset").set_value("iris").run()
    assert "features" not in app.query_params and "xscale" not in app.query_params  # 2-D sets only


def test_l1_on_scikit_learn_is_said_and_not_trained_with_another_penalty(app):
    _open(app, dataset="xor", backend="sklearn", l1=0.01)
    assert not app.exception and "train_go" not in [b.key for b in app.button]
    assert "only an L2 penalty (alpha), no L1" in _texts(app.info) and "no L1 penalty" in _texts(app.warning)
    app.radio(key="train_backend").set_value("keras").run()
    assert not app.button(key="train_go").disabled


def test_a_run_on_the_playgrounds_scale_draws_its_plane_with_the_losses(app):
    _open(
        app,
        dataset="circles",
        backend="keras",
        depth=1,
        w1=4,
        act="tanh",
        opt="sgd",
        lr=0.03,
        bs=10,
        epochs=3,
        val=0,
        features="x1,x2,x1sq",
        xscale=0,
        test=0.5,
    )
    finish_training(app.button(key="train_go").click())
    assert not app.exception
    run = app.session_state[TRAINING_KEY]
    assert run.exp.features == ("x1", "x2", "x1sq") and not run.exp.scale_inputs
    charts = [c for c in app.get("plotly_chart") if '"Test loss' in c.proto.spec]
    assert len(charts) == 1 and "training loss" in charts[0].proto.spec
    assert app.toggle(key="train_showtest").value and not app.toggle(key="train_discrete").value


def _epoch_shown(app) -> str:
    return next(m.value for m in app.markdown if m.value.startswith("**Epoch "))


def test_play_pause_step_and_reset_as_the_playgrounds_buttons(app):
    from app.jobs import PLAN_KEY
    from app.session import HISTORY_KEY

    _open(app, dataset="xor", depth=1, w1=4, bs=10, val=0, act="tanh")
    assert _epoch_shown(app) == "**Epoch 0**" and app.button(key="train_reset").disabled
    app.button(key="train_play").click().run()
    deadline = time.monotonic() + 120
    while not (PLAN_KEY in app.session_state and len(app.session_state[PLAN_KEY].job.epochs) >= 3):
        assert time.monotonic() < deadline, "no epochs while playing"
        time.sleep(0.1)
        app.run()
    assert app.button(key="jobs_stop").label == "Pause"
    finish_training(app.button(key="jobs_stop").click())  # Pause: the run comes back, the worker is free
    paused = app.session_state[TRAINING_KEY]
    assert paused.status == "stopped" and 3 <= paused.last_epoch < 10_000
    assert _epoch_shown(app) == f"**Epoch {paused.last_epoch:,}**"
    finish_training(app.button(key="train_step").click())  # Step: one epoch more, the same run
    stepped = app.session_state[TRAINING_KEY]
    assert stepped.last_epoch == paused.last_epoch + 1 and len(stepped.epochs) == stepped.last_epoch
    assert [r.number for r in app.session_state[HISTORY_KEY]] == [1]  # one run, trained in parts
    app.select_slider(key="train_lr").set_value(0.1).run()  # a new learning rate goes on from the same weights
    assert _epoch_shown(app) == f"**Epoch {stepped.last_epoch:,}**"
    app.slider(key="train_w0").set_value(5).run()  # another network: Play would start afresh
    assert _epoch_shown(app) == "**Epoch 0**"
    app.slider(key="train_w0").set_value(4).run()
    app.button(key="train_reset").click().run()  # Reset: the next Play starts from the seed's first weights
    assert _epoch_shown(app) == "**Epoch 0**" and app.session_state[TRAINING_KEY] is None


def test_both_backends_with_l1_is_one_message_not_a_crash(app):
    _open(app, dataset="xor", backend="keras", l1=0.01)
    app.button(key="train_both").click().run()
    assert not app.exception and "only an L2 penalty (alpha), no L1" in _texts(app.error)


def test_the_playgrounds_regression_sets_train_and_draw_the_prediction_over_the_plane(app):
    _open(app, dataset="multi_gaussian", depth=1, w1=8, epochs=3, features="x1,x2,x1x2")
    finish_training(app.button(key="train_go").click())
    assert not app.exception
    run = app.session_state[TRAINING_KEY]
    assert run.task == "regression" and run.exp.features == ("x1", "x2", "x1x2")
    plane = [c for c in app.get("plotly_chart") if '"Test loss' in c.proto.spec]
    assert len(plane) == 1 and "prediction" in plane[0].proto.spec
