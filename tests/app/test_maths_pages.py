"""The maths-of-learning pages: defaults render and the controls change what they show."""

import base64
import json

import numpy as np
import pytest

PAGES = ["activations", "losses", "backprop", "gradient_descent"]


def _open(app, page):
    return app.switch_page(f"../pages/{page}.py").run()


def _figure(app, i=0) -> dict:
    return json.loads(app.get("plotly_chart")[i].proto.spec)


def _array(value) -> np.ndarray:
    """A trace's x or y: a plain list, or plotly's base64 typed array {"dtype", "bdata"}."""
    if isinstance(value, dict):
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
    return np.asarray(value, dtype=float)


@pytest.mark.parametrize("page", PAGES)
def test_defaults_render_without_errors(app, page):
    _open(app, page)
    assert not app.exception and not app.error
    assert len(app.get("plotly_chart")) >= 1


def test_activation_curves_follow_the_selection_and_range(app):
    _open(app, "activations")
    names = [t["name"] for t in _figure(app)["data"] if t.get("showlegend", True) is not False]
    assert names == ["Sigmoid (logistic)", "Hyperbolic tangent", "ReLU"]
    app.multiselect(key="act_names").set_value(["gelu"]).run()
    app.slider(key="act_range").set_value((-2.0, 2.0)).run()
    trace = _figure(app)["data"][0]
    assert trace["name"] == "GELU (exact, erf)"
    assert app.table[0].value["function"].tolist() == ["GELU (exact, erf)"]


def test_a_trained_model_shows_its_real_preactivations(app):
    _open(app, "activations")
    app.selectbox(key="act_quick").set_value("tanh").run()
    app.button(key="act_train").click().run()
    assert not app.exception
    assert any(c.value.startswith("Model: sklearn 32-16 tanh adam lr=0.003 on digits (30 epochs") for c in app.caption)
    bars = [t for t in _figure(app)["data"] if t["type"] == "bar"]
    assert bars and "hidden_1" in bars[0]["name"]
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Units"] == "32" and metrics["Dead units"] == "0%"  # tanh units never die


def test_loss_page_target_and_comparison(app):
    _open(app, "losses")
    app.multiselect(key="loss_compare").set_value(["mae", "huber"]).run()
    app.slider(key="loss_target").set_value(-1.0).run()
    fig = _figure(app)
    losses = [t for t in fig["data"] if t.get("xaxis", "x") == "x"]
    assert not app.exception and [t["name"] for t in losses] == ["Mean squared error", "Mean absolute error", "Huber"]
    mse = losses[0]
    x, y = _array(mse["x"]), _array(mse["y"])
    assert x[np.argmin(y)] == pytest.approx(-1.0, abs=0.02)  # the loss is lowest at the target
    app.selectbox(key="loss_name").set_value("categorical_crossentropy").run()
    assert not app.exception and app.multiselect(key="loss_compare").options == ["KL divergence"]


def test_backprop_step_lowers_the_loss_and_records_it(app):
    _open(app, "backprop")
    before = float(app.metric[0].value)
    app.button(key="bp_step").click().run()
    after = float(app.metric[0].value)
    assert after < before
    app.session_state["bp_tab"] = "Loss over updates"
    app.run()
    assert len(app.get("plotly_chart")) == 1 and app.session_state["bp_state"].losses[:2] == [
        pytest.approx(before, abs=1e-5),
        pytest.approx(after, abs=1e-5),
    ]


def test_backprop_gradient_check_agrees(app):
    _open(app, "backprop")
    app.session_state["bp_tab"] = "Gradient check"
    app.run()
    assert float(app.metric[-1].value) < 1e-7


def test_backprop_refuses_an_impossible_network_with_one_message(app):
    _open(app, "backprop")
    app.selectbox(key="bp_output").set_value("linear").run()
    app.selectbox(key="bp_loss").set_value("cross_entropy").run()
    assert not app.exception and len(app.error) == 1 and "needs probabilities" in app.error[0].value


def test_gradient_descent_learning_rate_changes_the_paths(app):
    _open(app, "gradient_descent")
    first = _figure(app)["data"]
    app.select_slider(key="gd_lr").set_value(0.01).run()
    assert _figure(app)["data"] != first
    app.session_state["gd_tab"] = "Optimizers on loss surfaces"
    app.run()
    app.selectbox(key="gd_surface").set_value("bowl").run()
    app.select_slider(key="gd_lr_bowl").set_value(1.5).run()
    assert any("sgd diverged" in w.value for w in app.warning) and not app.exception


def test_backprop_diagrams_write_the_real_weights_and_gradients(app):
    _open(app, "backprop")
    weights = app.session_state["bp_state"].net.weights
    labels = [a["text"] for a in _figure(app)["layout"]["annotations"]]
    from app.figures.network import written  # two significant figures, never "-0.00"

    assert labels == [written(W[i, j]) for W, _ in weights for i in range(W.shape[0]) for j in range(W.shape[1])]
    app.session_state["bp_tab"] = "2. Backward pass"
    app.run()
    units = [t for t in _figure(app)["data"] if t.get("mode") == "markers+text"]
    delta = app.session_state["bp_state"].preview(np.array([0.5, -1.0]), np.array([1.0]), 0.5).delta
    assert units[-1]["text"] == [f"{v:.3f}" for v in delta[-1]]  # the output unit's dL/dz


def test_the_activation_page_is_a_link(app):
    app.query_params.update({"fns": "relu,leaky_relu", "range": "-3,2", "slope": "0.1"})
    _open(app, "activations")
    assert not app.warning and list(app.multiselect(key="act_names").value) == ["relu", "leaky_relu"]
    assert app.slider(key="act_range").value == (-3.0, 2.0) and app.slider(key="act_slope").value == 0.1
    app.multiselect(key="act_names").set_value(["tanh"]).run()
    assert app.query_params["fns"] == "tanh" and "slope" not in app.query_params  # no leaky ReLU: no slope
    fresh = type(app).from_file(app._script_path, default_timeout=60)
    fresh.query_params.update({"fns": "relu,swishy", "range": "5,-5"})
    _open(fresh, "activations")
    assert "fns='relu,swishy', range='5,-5' are unknown or out of range" in fresh.warning[0].value
    assert list(fresh.multiselect(key="act_names").value) == ["sigmoid", "tanh", "relu"] and not fresh.exception


def test_the_loss_page_is_a_link(app):
    app.query_params.update({"loss": "huber", "compare": "mse,mae", "delta": "0.5", "y": "-1.0"})
    _open(app, "losses")
    assert not app.warning and app.selectbox(key="loss_name").value == "huber"
    assert (
        list(app.multiselect(key="loss_compare").value) == ["mse", "mae"] and app.slider(key="loss_delta").value == 0.5
    )
    assert app.slider(key="loss_target").value == -1.0
    app.selectbox(key="loss_name").set_value("binary_crossentropy").run()
    assert not app.exception and app.query_params["loss"] == "binary_crossentropy"
    assert app.query_params["compare"] == "" and "delta" not in app.query_params and "y" not in app.query_params
    assert "outlier" not in app.query_params  # the outliers section is for regression
    app.select_slider(key="loss_target_p").set_value(0.25).run()
    assert app.query_params["p"] == "0.25"


def test_losses_that_draw_one_curve_say_they_coincide(app):
    """Categorical cross-entropy and KL divergence with one-hot targets are the same numbers: one line hides the
    other, and the page says so rather than seeming to draw one loss."""
    app.query_params.update({"loss": "categorical_crossentropy", "compare": "kl_divergence"})
    _open(app, "losses")
    assert not app.exception
    notes = " ".join(c.value for c in app.caption)
    assert "Categorical cross-entropy and KL divergence coincide" in notes and "entropy is 0" in notes
    app.multiselect(key="loss_compare").set_value([]).run()
    assert "coincide" not in " ".join(c.value for c in app.caption)


def test_backprop_weight_editor_is_drawn_only_while_open_and_shows_the_current_weights(app):
    """The hand editor's tables are built only when the expander is open (they were a fifth of every run), and
    then show the network as it is now (after an update, not as it started)."""
    _open(app, "backprop")
    assert len(app.dataframe) == 0 and not app.exception
    app.button(key="bp_step").click().run()
    app.session_state["bp_editor"] = True
    app.run()
    editors = app.dataframe
    weights = app.session_state["bp_state"].net.weights
    assert len(editors) == len(weights) and not app.exception
    first = editors[0].value.to_numpy(dtype=float)
    np.testing.assert_allclose(first[:-1], weights[0][0], rtol=1e-6)
    np.testing.assert_allclose(first[-1], weights[0][1], rtol=1e-6)
