"""The Training page: train, stop, share a link, and be told clearly what went wrong."""

import pytest
from apptest import finish_training, wait_training

from app.jobs import PLAN_KEY
from app.session import CURRENT_KEY, HISTORY_KEY, TRAINING_KEY
from core.datasets import load_dataset
from core.experiment import prepare_data


def _open(app, **query):
    app.query_params.update({k: str(v) for k, v in query.items()})
    return app.switch_page("../pages/training.py").run()


def _texts(elements) -> str:
    return " ".join(e.value for e in elements)


def test_defaults_show_the_architecture_before_training(app):
    _open(app)
    assert not app.exception
    assert app.metric[0].value == "1,482"  # 64-16-16-10 on digits
    assert app.table[0].value["layer"].tolist() == ["flatten", "hidden_1", "hidden_2", "output"]
    assert not app.button(key="train_go").disabled and "jobs_stop" not in [
        b.key for b in app.button
    ]  # Stop: once it trains
    assert "Task: classification into 10 classes (softmax)" in _texts(app.caption)
    picker = app.sidebar.selectbox[0]  # titles only: a title with its summary was cut in the presented sidebar
    assert picker.label == "Dataset" and picker.format_func("digits") == "Digits (8x8)"
    assert picker.format_func("iris") == "Iris" and "1,797 handwritten digits" in _texts(app.sidebar.caption)
    link = dict(app.query_params)  # every setting that matters, defaults too
    assert link["dataset"] == "digits" and link["n"] == "1797"
    assert (link["depth"], link["w1"], link["w2"]) == ("2", "16", "16")
    assert "w3" not in link and "drop" not in link  # beyond the depth; Keras only


def test_sliders_change_the_count_and_training_shows_curves_and_metrics(app):
    _open(app)
    app.slider(key="train_depth").set_value(1).run()
    app.slider(key="train_w0").set_value(32).run()
    app.number_input(key="train_epochs").set_value(6).run()
    assert app.metric[0].value == f"{64 * 32 + 32 + 330:,}"
    finish_training(app.button(key="train_go").click())
    assert not app.exception
    assert "Trained 6 epochs" in _texts(app.success)
    assert len(app.get("plotly_chart")) == 1  # the learning curves tab
    assert "Training loss and accuracy are averaged over each epoch's batches" in _texts(app.caption)  # what they are
    app.session_state["train_tab"] = "Test results"
    app.run()
    accuracy = next(m.value for m in app.metric if m.label == "Test accuracy")
    assert float(accuracy.rstrip("%")) > 80
    assert app.session_state[CURRENT_KEY].model.count_params() == 64 * 32 + 32 + 330  # handed to other pages
    assert len(app.session_state[HISTORY_KEY]) == 1


def test_clicks_do_not_stop_training_and_stop_keeps_the_model_of_the_last_epoch(app):
    _open(app, depth=2, w1=256, w2=256, epochs=3000)
    wait_training(app.button(key="train_go").click().run())
    app.select_slider(key="train_lr").set_value(0.01).run()  # any other click: the training goes on
    assert app.session_state[PLAN_KEY].job.state == "running"
    finish_training(app.button(key="jobs_stop").click())
    run = app.session_state[TRAINING_KEY]
    assert run.status == "stopped" and 0 < len(run.epochs) < 3000 and run.test_score > 0.5
    assert f"Stopped by request after epoch {len(run.epochs)}." in _texts(app.info)
    assert app.session_state[CURRENT_KEY] is run and app.session_state[HISTORY_KEY] == [run]


def test_a_link_restores_the_settings_and_the_url_follows_the_sliders(app):
    _open(app, dataset="iris", depth=1, w1=8, lr=0.01, epochs=5, opt="sgd")
    assert not app.warning
    assert app.selectbox(key="dataset").value == "iris"
    assert (app.slider(key="train_depth").value, app.slider(key="train_w0").value) == (1, 8)
    assert app.select_slider(key="train_lr").value == 0.01 and app.selectbox(key="train_opt").value == "sgd"
    app.number_input(key="train_epochs").set_value(7).run()
    assert app.query_params["epochs"] == "7" and app.query_params["w1"] == "8" and "w2" not in app.query_params


def test_unknown_or_out_of_range_link_values_fall_back_with_a_warning(app):
    _open(app, depth=99, lr=7, act="swishy", epochs=20)
    assert not app.exception
    warning = _texts(app.warning)
    assert "depth='99'" in warning and "lr='7'" in warning and "act='swishy'" in warning
    assert app.slider(key="train_depth").value == 2 and app.selectbox(key="train_act").value == "relu"


def test_a_diverging_learning_rate_shows_the_advice(app):
    _open(app, dataset="diabetes", depth=1, act="linear", opt="sgd", lr=3.0, bs=8, epochs=20)
    finish_training(app.button(key="train_go").click())
    assert not app.exception
    assert "Lower the learning rate (now 3)" in _texts(app.error)


def test_an_over_budget_network_is_refused_before_training(app):
    _open(app, depth=6, **{f"w{i}": 512 for i in range(1, 7)})
    assert "over the budget of 1,000,000" in _texts(app.error)
    assert app.button(key="train_go").disabled


@pytest.mark.keras
def test_both_backends_train_the_same_network_for_comparison(app):
    _open(app, depth=1, w1=16, epochs=3)
    finish_training(app.button(key="train_both").click())
    assert not app.exception
    records = app.session_state[HISTORY_KEY]
    assert [r.exp.backend for r in records] == ["sklearn", "keras"]
    assert records[0].params == records[1].params == 64 * 16 + 16 + 170
    app.session_state["train_tab"] = "Compare runs"
    app.run()
    assert len(app.dataframe[-1].value) == 2 and len(app.get("plotly_chart")) == 1


def test_code_and_downloads_tabs(app):
    _open(app, epochs=2)
    finish_training(app.button(key="train_go").click())
    app.session_state["train_tab"] = "Show the code"
    app.run()
    assert "MLPClassifier(" in app.code[0].value and "hidden_layer_sizes=(16, 16)" in app.code[0].value
    app.session_state["train_tab"] = "Download"
    app.run()
    assert not app.exception


def test_a_link_restores_a_generated_sets_points_noise_and_seed(app):
    _open(app, dataset="moons", points=300, noise=0.25, dseed=4)
    assert (app.slider(key="train_points").value, app.select_slider(key="train_noise").value) == (300, 0.25)
    assert app.number_input(key="train_data_seed").value == 4
    assert "240 training and 60 test samples" in _texts(app.caption)
    assert "Task: classification into 2 classes (one sigmoid unit)" in _texts(app.caption)
    app.selectbox(key="dataset").set_value("iris").run()
    assert "points" not in app.query_params and "noise" not in app.query_params  # only for 2-D sets


def test_the_trained_model_is_what_the_activation_page_shows(app):
    _open(app, depth=1, w1=24, act="tanh", epochs=3)
    finish_training(app.button(key="train_go").click())
    app.switch_page("../pages/activations.py").run()
    assert not app.exception
    assert any(
        c.value.startswith("Model: sklearn 24 tanh adam lr=0.003 on digits (3 epochs, test accuracy")
        for c in app.caption
    )
    assert {m.label: m.value for m in app.metric}["Units"] == "24"


def test_more_points_in_a_generated_set_are_all_used_when_all_were(app):
    _open(app, dataset="moons")
    assert app.slider(key="train_n").value == 500 and app.query_params["n"] == "500"
    app.slider(key="train_points").set_value(600).run()
    assert app.slider(key="train_n").value == 600 and "480 training and 120 test samples" in _texts(app.caption)
    assert app.query_params["points"] == "600" and app.query_params["n"] == "600"
    app.slider(key="train_n").set_value(300).run()  # a subset chosen by hand stays chosen
    app.slider(key="train_points").set_value(800).run()
    assert app.slider(key="train_n").value == 300 and app.query_params["n"] == "300"
    app.selectbox(key="dataset").set_value("digits").run()  # another set: the count starts afresh
    assert app.slider(key="train_n").value == 1797


def test_a_dead_network_is_called_dead_with_the_way_to_its_diagnosis(app):
    _open(app, dataset="spiral", depth=4, w1=4, w2=5, w3=5, w4=2, lr=0.03, epochs=60, seed=3)  # the lesson's, dying
    finish_training(app.button(key="train_go").click())
    assert not app.exception and not app.success
    warning = _texts(app.warning)
    assert "Test accuracy **50.0%**" in warning and "this network is dead: every unit of hidden_4" in warning
    assert any("dead units on the Activation functions page" in link.proto.label for link in app.get("page_link"))
    assert "loss over the plane are the Playground's" in _texts(app.caption)  # not the curves' batch averages


def test_regression_results_give_r2_mae_and_rmse_in_the_targets_units(app):
    from sklearn.metrics import mean_absolute_error, r2_score, root_mean_squared_error

    _open(app, dataset="diabetes", depth=1, epochs=30, lr=0.01)
    finish_training(app.button(key="train_go").click())
    app.session_state["train_tab"] = "Test results"
    app.run()
    run = app.session_state[TRAINING_KEY]
    data = prepare_data(load_dataset("diabetes"), 0.2, 0)
    y_true, y_pred = data.y_test * data.y_std + data.y_mean, run.model.predict(data.X_test) * data.y_std + data.y_mean
    m = {metric.label: metric.value for metric in app.metric}
    assert m["Root mean squared error"] == f"{root_mean_squared_error(y_true, y_pred):.3g}"
    assert m["Mean absolute error"] == f"{mean_absolute_error(y_true, y_pred):.3g}"
    assert m["Test R2"] == f"{r2_score(y_true, y_pred):.3f}"
    assert any("trained on a standardised target" in c.value for c in app.caption)  # said, not hidden
    app.session_state["train_tab"] = "Compare runs"
    app.run()
    assert list(app.dataframe[-1].value.columns)[:2] == ["run", "test r2"]


def test_even_vs_odd_digits_train_one_sigmoid_unit_and_show_one_probability(app):
    _open(app, epochs=8)
    app.selectbox(key="train_binary").set_value("even").run()
    assert "classification into 2 classes (one sigmoid unit)" in _texts(app.caption)
    assert app.table[0].value["output shape"].tolist()[-1] == "(1,)"
    assert app.query_params["binary"] == "even"
    finish_training(app.button(key="train_go").click())
    app.session_state["train_tab"] = "Test results"
    app.run()
    run = app.session_state[TRAINING_KEY]
    data = prepare_data(load_dataset("digits", binary="even"), 0.2, 0)
    p = run.model.predict_proba(data.X_test[3:4])[0, 1]
    app.number_input(key="train_sample").set_value(3).run()
    assert {m.label: m.value for m in app.metric}["P(odd)"] == f"{p:.1%}"  # the lesson's y % 2
    app.session_state["train_tab"] = "Show the code"
    app.run()
    assert "y = (y % 2).astype(np.int64)" in app.code[0].value


def test_the_official_split_of_mnist_can_be_kept(app, isolated_data):
    from formats import write_mnist_files

    write_mnist_files(isolated_data / "data" / "mnist", n=80, test=20)
    _open(app)
    assert "train_official" not in [t.key for t in app.toggle]  # digits has no official split
    app.selectbox(key="dataset").set_value("mnist").run()
    app.toggle(key="train_official").set_value(True).run()
    assert "official 80 training images, tested on the official 20 test images" in _texts(app.caption)
    assert "80 training and 20 test samples" in _texts(app.caption) and app.query_params["official"] == "1"
    assert app.slider(key="train_test").disabled


def test_layer_widths_can_be_typed_as_well_as_slid(app):
    _open(app)
    app.text_input(key="train_typed_widths").set_value("40, 25, 7").run()
    assert app.slider(key="train_depth").value == 3
    assert [app.slider(key=f"train_w{i}").value for i in range(3)] == [40, 25, 7]
    assert (
        app.query_params["w1"] == "40" and app.metric[0].value == f"{64 * 40 + 40 + 40 * 25 + 25 + 25 * 7 + 7 + 80:,}"
    )
    app.text_input(key="train_typed_widths").set_value("40, 9000").run()
    assert not app.exception and "at most 512 units" in app.error[0].value
    assert [app.slider(key=f"train_w{i}").value for i in range(3)] == [40, 25, 7]  # unchanged


def test_a_refused_follow_on_training_says_why_after_the_page_redraws(app, monkeypatch):
    """Both backends train one after the other; when the second is refused (the server full, a limit), the message
    is still on the page after the rerun that ends the plan (it was shown, then wiped by `st.rerun`)."""
    from core.classserver.jobs import JobBoard
    from core.errors import NNLabError

    submit, calls = JobBoard.submit, []

    def second_refused(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise NNLabError("The class server is full: try again in a minute.")
        return submit(self, *args, **kwargs)

    monkeypatch.setattr(JobBoard, "submit", second_refused)
    _open(app, depth=1, w1=16, epochs=3)
    finish_training(app.button(key="train_both").click())
    assert not app.exception and len(calls) == 2
    assert "The class server is full" in _texts(app.error)


def test_data_that_is_not_on_this_machine_is_explained_in_the_main_area(app, isolated_data):
    """California housing without its file: the reason and what to do are where the student looks (the page's
    main area), not only in the sidebar next to the picker."""
    _open(app, dataset="california_housing")
    assert not app.exception
    assert any("California housing is not on this machine" in i.value for i in app.main.info)


def test_regression_can_train_on_the_target_as_it_is_and_says_which(app):
    """The diabetes lesson fits the raw target: the switch is offered for regression only, is in the link, and the
    results say which target the run trained on."""
    _open(app, dataset="diabetes", depth=1, w1=8, epochs=5)
    assert app.toggle(key="train_scale_y").value and app.query_params["scale_y"] == "1"
    app.toggle(key="train_scale_y").set_value(False).run()
    assert app.query_params["scale_y"] == "0"
    finish_training(app.button(key="train_go").click())
    run = app.session_state[TRAINING_KEY]
    assert not app.exception and run.exp.scale_target is False
    app.session_state["train_tab"] = "Test results"
    app.run()
    assert "trained on the target in its own units" in _texts(app.caption)
    app.selectbox(key="dataset").set_value("digits").run()  # classification: no such switch, nor in the link
    assert "scale_y" not in app.query_params and not [t for t in app.toggle if t.key == "train_scale_y"]


def test_the_lessons_random_split_and_first_samples_validation_are_settings_in_the_link(app):
    """Lesson 000's plain random split and lesson 002's first-samples validation: two switches, in the link and in
    the run's Experiment (and so in its exported script)."""
    _open(app, depth=1, w1=16, epochs=3, seed=42)
    assert app.toggle(key="train_strat").value and not app.toggle(key="train_valfirst").value
    app.toggle(key="train_strat").set_value(False).run()
    app.toggle(key="train_valfirst").set_value(True).run()
    assert (app.query_params["strat"], app.query_params["valfirst"]) == ("0", "1")
    finish_training(app.button(key="train_go").click())
    run = app.session_state[TRAINING_KEY]
    assert not app.exception and run.exp.stratify is False and run.exp.config.validation_first is True
    assert run.exp.config.validation_samples == 0 and "nval" in app.query_params  # 0: the fraction's share
    app.number_input(key="train_nval").set_value(300).run()  # lesson 002's count: X_train_full[:300]
    assert app.query_params["nval"] == "300"
    finish_training(app.button(key="train_go").click())
    assert app.session_state[TRAINING_KEY].exp.config.validation_samples == 300
    app.slider(key="train_val").set_value(0.0).run()  # no validation: nothing to take first
    assert "valfirst" not in app.query_params and app.toggle(key="train_valfirst").disabled
    assert "nval" not in app.query_params and not [n for n in app.number_input if n.key == "train_nval"]
