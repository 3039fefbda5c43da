"""The Weights page: a quick model when there is none, every view of a trained one at any recorded epoch,
a parameter traced from the saved weights, and counting parameters for typed-in architectures."""

import numpy as np
import pytest
from apptest import finish_training

from app.messages import plain
from app.session import CURRENT_KEY
from core.experiment import Experiment
from core.models import build_model
from core.runs import Run
from core.spec import MLPSpec, TrainConfig


def _open(app):
    return app.switch_page("../pages/weights.py").run()


def _tab(app, name):
    app.session_state["weights_tab"] = name
    return app.run()


def _metrics(app) -> dict:
    return {m.label: m.value for m in app.metric}


def test_without_a_model_it_offers_quick_models_and_counts_any_architecture(app):
    _open(app)
    assert not app.exception
    assert not app.tabs and app.button(key="weights_quick_mlp") and app.button(key="weights_quick_cnn")
    assert _metrics(app)["Total parameters"] == "266,610"  # the Fashion-MNIST 300-100 lesson
    table = app.table[0].value
    assert table["how"].tolist() == ["784 x 300 + 300", "300 x 100 + 100", "100 x 10 + 10"]
    assert table["Output Shape"].tolist() == ["(None, 300)", "(None, 100)", "(None, 10)"]
    app.selectbox(key="params_preset").set_value("MNIST convnet (Keras lesson)").run()
    assert _metrics(app)["Total parameters"] == "34,826"
    assert app.table[0].value[plain("Param #")].tolist() == ["320", "0", "18,496", "0", "0", "0", "16,010"]
    app.text_input(key="params_filters").set_value("16").run()  # one conv layer of 16 filters
    assert _metrics(app)["Total parameters"] == f"{3 * 3 * 16 + 16 + 13 * 13 * 16 * 10 + 10:,}"
    app.segmented_control(key="params_kind").set_value("MLP").run()
    app.text_input(key="params_hidden").set_value("30x").run()
    assert not app.exception
    assert "whole numbers separated by commas, such as 300, 100; received '30x'" in app.error[0].value
    app.text_input(key="params_hidden").set_value("16, 16").run()
    app.number_input(key="params_inputs").set_value(64).run()
    assert _metrics(app)["Total parameters"] == "1,482" and not app.error
    growth = app.get("plotly_chart")[0].proto.spec
    assert "1 hidden layer" in growth and "3 hidden layers" in growth


def test_a_quick_model_shows_every_view_at_any_recorded_epoch(app):
    _open(app)
    app.button(key="weights_quick_mlp").click().run()
    assert not app.exception
    assert [t.label for t in app.tabs] == [
        "Layers",
        "Layers in code",
        "Kernels",
        "First-layer units",
        "Network diagram",
        "Parameter trace",
        "Counting parameters",
    ]
    snaps = app.session_state[CURRENT_KEY].model.history.snapshots
    assert (
        app.select_slider(key="weights_epoch").options
        == [str(e) for e in snaps.epochs]
        == [str(e) for e in range(1, 31)]
    )
    table = app.table[0].value
    assert table["layer"].tolist() == ["hidden_1", "hidden_2", "output"]
    first = snaps.layer(30, "hidden_1")[0]
    assert table["kernel mean ± std"].iloc[0] == plain(f"{first.mean():.3f} ± {first.std():.3f}")
    app.select_slider(key="weights_epoch").set_value(1).run()  # scrub back to the first epoch
    early = snaps.layer(1, "hidden_1")[0]
    assert app.table[0].value["kernel mean ± std"].iloc[0] == plain(f"{early.mean():.3f} ± {early.std():.3f}")
    for name in ("Kernels", "First-layer units", "Network diagram", "Counting parameters"):
        _tab(app, name)
        assert not app.exception and len(app.get("plotly_chart")) == 1, name
    _tab(app, "Kernels")
    assert '"dtype":"f4"' in app.get("plotly_chart")[0].proto.spec.replace(" ", "")  # sent as float32


def test_the_trace_is_read_from_the_weights_saved_at_each_epoch(app):
    _open(app)
    app.button(key="weights_quick_mlp").click().run()
    _tab(app, "Parameter trace")
    snaps = app.session_state[CURRENT_KEY].model.history.snapshots
    values = [snaps.layer(e, "hidden_1")[1][0] for e in snaps.epochs]  # the first bias of the first layer
    m = _metrics(app)
    assert m["After epoch 1"] == f"{values[0]:.4f}" and m["After epoch 30"] == f"{values[-1]:.4f}"
    assert m["Largest change"] == f"{np.abs(np.diff(values)).max():.4f}"
    app.selectbox(key="weights_trace_layer").set_value("output").run()
    app.segmented_control(key="weights_trace_part").set_value("kernel").run()
    app.number_input(key="weights_trace_output_kernel_input").set_value(4).run()
    app.number_input(key="weights_trace_output_kernel_unit").set_value(9).run()
    assert _metrics(app)["After epoch 30"] == f"{snaps.layer(30, 'output')[0][4, 9]:.4f}"
    assert not app.exception


def test_the_model_trained_on_the_training_page_is_the_one_shown(app):
    app.switch_page("../pages/training.py").run()
    app.number_input(key="train_epochs").set_value(3).run()
    finish_training(app.button(key="train_go").click())
    assert "Look inside this model" in app.get("page_link")[0].proto.label  # the way from results to here
    _open(app)
    assert not app.exception
    assert "on digits (3 epochs, test accuracy" in app.markdown[0].value
    assert app.select_slider(key="weights_epoch").options == ["1", "2", "3"]
    assert app.table[0].value["parameters"].tolist() == [f"{n:,}" for n in (64 * 16 + 16, 16 * 16 + 16, 16 * 10 + 10)]


@pytest.mark.keras
def test_a_quick_cnn_shows_its_conv_kernels_with_their_values(app):
    _open(app)
    app.button(key="weights_quick_cnn").click().run()
    assert not app.exception
    assert [t.label for t in app.tabs] == [
        "Layers",
        "Layers in code",
        "Kernels",
        "Conv kernels",
        "Parameter trace",
        "Counting parameters",
    ]
    _tab(app, "Conv kernels")
    assert not app.exception and app.toggle(key="weights_conv_values").value
    kernel = app.session_state[CURRENT_KEY].model.layer_weights()[0][1]
    spec = app.get("plotly_chart")[0].proto.spec
    assert f"{kernel[0, 0, 0, 0]:.2f}" in spec and f"{kernel[2, 1, 0, 7]:.2f}" in spec  # values on the cells
    _tab(app, "Parameter trace")
    app.selectbox(key="weights_trace_layer").set_value("conv_1").run()
    app.segmented_control(key="weights_trace_part").set_value("kernel").run()
    assert [n.label for n in app.number_input] == ["row", "column", "input channel", "filter"]
    app.switch_page("../pages/activations.py").run()  # the CNN is the session's model
    assert not app.exception and "no hidden Dense layer" in app.info[0].value


def test_a_diverged_run_is_explained_not_drawn(app):
    app.query_params.update(dict(dataset="diabetes", depth="1", act="linear", opt="sgd", lr="3.0", bs="8"))
    app.switch_page("../pages/training.py").run()
    finish_training(app.button(key="train_go").click())  # NaN in the first epoch
    _open(app)
    assert not app.exception
    assert "training diverged before the first epoch ended" in app.error[0].value
    assert _metrics(app)["Total parameters"] == f"{10 * 16 + 16 + 17:,}"  # counting still works, from this model

    model = build_model(MLPSpec((4,)), "sklearn", input_shape=(10,), n_outputs=1, task="regression")
    model.fit(
        np.random.default_rng(0).random((50, 10)),
        np.zeros(50),
        TrainConfig(epochs=3, batch_size=10, optimizer="sgd", validation_fraction=0.0),
    )
    model.history.stop_reason = "diverged"  # as if epoch 4 had blown up
    app.session_state[CURRENT_KEY] = Run(Experiment("diabetes", spec=model.spec), model)
    app.run()
    assert not app.exception and not app.error
    assert "Training diverged after epoch 3" in app.warning[0].value
    assert app.select_slider(key="weights_epoch").options == ["1", "2", "3"]


def test_colour_images_show_one_channel_of_each_unit_at_a_time(app):
    model = build_model(MLPSpec((6,)), "sklearn", input_shape=(4, 5, 3), n_outputs=3)
    rng = np.random.default_rng(0)
    model.fit(rng.random((30, 4, 5, 3)), np.arange(30) % 3, TrainConfig(epochs=2, validation_fraction=0.0))
    app.session_state[CURRENT_KEY] = Run(Experiment("digits", spec=model.spec), model)  # any data: only weights
    _open(app)
    _tab(app, "First-layer units")
    assert app.segmented_control(key="weights_channel").options == ["red", "green", "blue"]
    app.segmented_control(key="weights_channel").set_value(2).run()
    assert not app.exception and "unit 5" in app.get("plotly_chart")[0].proto.spec


def test_a_new_model_opens_at_its_last_epoch_whichever_page_trained_it(app):
    _open(app)
    app.button(key="weights_quick_mlp").click().run()
    app.select_slider(key="weights_epoch").set_value(5).run()  # looking at an early epoch
    app.switch_page("../pages/training.py").run()
    app.number_input(key="train_epochs").set_value(4).run()
    finish_training(app.button(key="train_go").click())
    _open(app)
    assert app.select_slider(key="weights_epoch").value == 4  # the new model, at its last epoch
    app.select_slider(key="weights_epoch").set_value(2).run()
    app.button(key="weights_quick_mlp").click().run()  # and again from this page
    assert app.select_slider(key="weights_epoch").value == 30


def test_counting_starts_from_the_model_just_trained_with_activity_1s_table(app):
    app.switch_page("../pages/training.py").run()
    app.slider(key="train_depth").set_value(1).run()
    app.slider(key="train_w0").set_value(24).run()
    app.number_input(key="train_epochs").set_value(2).run()
    finish_training(app.button(key="train_go").click())
    _open(app)
    _tab(app, "Counting parameters")
    assert app.selectbox(key="params_preset").value == "The model trained in this session"
    assert app.number_input(key="params_inputs").value == 64 and app.text_input(key="params_hidden").value == "24"
    assert _metrics(app)["Total parameters"] == f"{64 * 24 + 24 + 24 * 10 + 10:,}"
    table = app.dataframe[-1].value  # Activity 1: widths 1-100 by 10
    assert table["units per layer"].tolist() == [1, 11, 21, 31, 41, 51, 61, 71, 81, 91, 100]
    assert table["1 hidden layer"][1] == 64 * 11 + 11 + 11 * 10 + 10


def test_each_layer_is_reached_in_code_and_read_as_get_weights_would(app):
    _open(app)
    app.button(key="weights_quick_mlp").click().run()
    _tab(app, "Layers in code")
    table = app.table[0].value
    assert table["read it with"].tolist() == [
        plain(t)
        for t in (
            "no weights",
            "model.coefs_[0], model.intercepts_[0]",
            "model.coefs_[1], model.intercepts_[1]",
            "model.coefs_[2], model.intercepts_[2]",
        )
    ]
    assert table["name in a plain Keras script"].tolist() == ["flatten", "dense", "dense_1", "dense_2"]
    app.selectbox(key="weights_read_layer").set_value(1).run()
    assert (
        "W, b = model.coefs_[1], model.intercepts_[1]" in app.code[0].value
        and "W.shape = (32, 16)" in app.code[0].value
    )
    bias = app.session_state[CURRENT_KEY].history.snapshots.layer(30, "hidden_2")[1]
    np.testing.assert_allclose(app.dataframe[-1].value["b"].to_numpy(), np.round(bias, 4))


def test_first_layer_tiles_are_scaled_to_half_the_largest_weight_as_in_the_lesson(app):
    import json

    model = build_model(MLPSpec((4,)), "sklearn", input_shape=(3, 3, 1), n_outputs=2)
    rng = np.random.default_rng(0)
    model.fit(rng.random((20, 3, 3, 1)), np.arange(20) % 2, TrainConfig(epochs=2, validation_fraction=0.0))
    app.session_state[CURRENT_KEY] = Run(Experiment("digits", spec=model.spec), model)
    _open(app)
    _tab(app, "First-layer units")
    largest = float(np.abs(model.layer_weights()[0][1]).max())

    def zmax():
        return json.loads(app.get("plotly_chart")[0].proto.spec)["data"][0]["zmax"]

    assert zmax() == pytest.approx(0.5 * largest, rel=1e-6)  # vmax = 0.5 * max, as the notebook
    assert "drawn at full colour" in " ".join(c.value for c in app.caption)
    app.segmented_control(key="weights_tile_scale").set_value(1.0).run()
    assert zmax() == pytest.approx(largest, rel=1e-6)


def test_a_refused_quick_model_says_why(app, monkeypatch):
    """A quick model the server refuses: one message on the page, not shown and then wiped by a rerun."""
    from core.classserver.jobs import JobBoard
    from core.errors import NNLabError

    def refused(self, *args, **kwargs):
        raise NNLabError("The class server is full: try again in a minute.")

    monkeypatch.setattr(JobBoard, "submit", refused)
    _open(app)
    app.button(key="weights_quick_mlp").click().run()
    assert not app.exception
    assert [e.value for e in app.error] == ["The class server is full: try again in a minute."]
