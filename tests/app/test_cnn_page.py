"""The CNN lab: build a convnet with sliders or a lesson's preset, train it, and look inside it at any epoch."""

import io

import numpy as np
import pytest
from apptest import finish_training
from formats import image_zip_bytes, write_mnist_files

from app.messages import plain
from app.session import CURRENT_KEY, HISTORY_KEY
from core.cnn import feature_maps, probabilities
from core.datasets import load_dataset
from core.experiment import prepare_data


def _open(app, **query):
    app.query_params.update({k: str(v) for k, v in query.items()})
    return app.switch_page("../pages/cnn.py").run()


def _texts(elements) -> str:
    return " ".join(e.value for e in elements)


def _chart(app, key) -> str:
    """The plotly figure (JSON) of the chart with element key `key`."""
    return next(c.proto.spec for c in app.get("plotly_chart") if c.proto.id.endswith(f"-{key}"))


def _tab(app, name):
    app.session_state["cnn_tab"] = name
    return app.run()


def test_defaults_fit_the_digits_and_a_lessons_preset_builds_the_mnist_convnet(app, isolated_data):
    write_mnist_files(isolated_data / "data" / "mnist", n=40, test=10)
    _open(app)
    assert not app.exception and not app.error
    assert app.metric[0].value == f"{3 * 3 * 16 + 16 + 3 * 3 * 16 * 10 + 10:,}"  # 8x8 -> 6x6x16 -> 3x3x16
    app.selectbox(key="dataset").set_value("mnist").run()
    app.selectbox(key="cnn_preset").set_value("MNIST convnet (the Keras lesson)").run()
    assert app.metric[0].value == "34,826"
    table = app.table[0].value  # a table to read, shown whole
    assert table[plain("Param #")].tolist() == ["320", "0", "18,496", "0", "0", "0", "16,010"]
    assert table["Output Shape"].tolist()[:2] == ["(None, 26, 26, 32)", "(None, 13, 13, 32)"]
    assert "MLP (44,)" in _chart(app, "cnn_sizes")  # about as many parameters
    assert app.query_params["blocks"] == "2" and app.query_params["f1"] == "32"  # a lesson is a link
    assert float(app.query_params["drop"]) == 0.2  # lesson 001's Dropout(0.2)
    app.slider(key="cnn_blocks").set_value(3).run()  # 28 -> 24 -> 12 -> 8 -> 4: too small
    app.radio(key="cnn_kernel").set_value(5).run()
    assert not app.exception and "conv_3: a 5x5 kernel does not fit the 4x4 input" in app.error[0].value
    assert app.button(key="cnn_go").disabled


def test_augmentation_is_previewed_and_goes_into_the_model(app):
    _open(app, rot="0.1", zoom="0.2")
    assert not app.exception
    assert "keras.layers.RandomRotation(0.1, fill_mode='constant')" in app.code[0].value
    assert app.table[0].value["Layer (type)"].tolist()[:2] == [
        "aug_rotation (RandomRotation)",
        "aug_zoom (RandomZoom)",
    ]
    captions = app.get("image")[0].captions  # the original and 11 copies
    assert captions[0].startswith("original") and captions[-1] == "copy 11"


def test_a_tabular_upload_is_explained_not_trained(app):
    app.query_params.update({"dataset": "upload"})
    app.switch_page("../pages/cnn.py").run()
    app.get("file_uploader")[0].upload("t.csv", b"a,b,y\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n").run()
    assert not app.exception and "holds a table, not images" in app.error[0].value


@pytest.mark.keras
def test_a_trained_convnet_shows_its_filters_maps_and_one_convolution_at_any_epoch(app):
    _open(app, epochs=3, f1=6, lr="0.01")
    finish_training(app.button(key="cnn_go").click())
    assert not app.exception and "Trained 3 epochs" in _texts(app.success)
    run = app.session_state[CURRENT_KEY]
    assert run.exp.spec.conv_filters == (6,) and len(app.session_state[HISTORY_KEY]) == 1
    _tab(app, "Filters")
    assert not app.exception and app.select_slider(key="cnn_epoch").options == ["1", "2", "3"]
    kernel = run.history.snapshots.at(3)[0][1]
    assert f"{kernel[0, 0, 0, 5]:.2f}" in _chart(app, "cnn_conv_fig")  # the numbers on the cells
    _tab(app, "Feature maps")
    assert not app.exception and any(m.value.startswith("Prediction:") for m in app.markdown)
    late = _chart(app, "cnn_map_conv_1")
    app.select_slider(key="cnn_epoch").set_value(1).run()  # an earlier epoch
    assert not app.exception and _chart(app, "cnn_map_conv_1") != late  # other weights, other maps
    _tab(app, "Step by step")  # it starts where the map is largest, not on an empty corner
    data = prepare_data(load_dataset("digits"), run.exp.test_fraction, run.exp.split_seed, run.exp.max_samples)
    x = data.X_test[np.flatnonzero(data.y_test == 0)[0]]  # the first test image of the first class
    conv = next(
        m for m in feature_maps(run.exp.spec, run.history.snapshots.at(1), x, run.task, 10) if m.name == "conv_1"
    )
    peak = np.unravel_index(np.argmax(conv.values[..., 0]), conv.values.shape[:2])
    assert (app.number_input(key="cnn_step_r_conv_1").value, app.number_input(key="cnn_step_c_conv_1").value) == peak
    app.number_input(key="cnn_step_f_conv_1").set_value(2).run()
    app.number_input(key="cnn_step_r_conv_1").set_value(1).run()
    step = next(m.value for m in app.markdown if m.value.startswith("Sum of the products"))
    shown, on_map = step.split("**")[-2], step.rsplit("(", 1)[-1].rstrip(").")
    assert float(shown) == pytest.approx(float(on_map), abs=1e-4)  # the sum is the map
    app.selectbox(key="cnn_step_layer").set_value("pool_1").run()
    assert not app.exception and "its largest value" in _texts(app.markdown)
    below = conv.values[..., 0]  # pool_1's input channel 0; a window without its largest value, on its colours
    r, c = next(
        (r, c) for r in range(3) for c in range(3) if below[2 * r : 2 * r + 2, 2 * c : 2 * c + 2].max() < below.max()
    )
    app.number_input(key="cnn_step_r_pool_1").set_value(r).run()
    app.number_input(key="cnn_step_c_pool_1").set_value(c).run()
    heatmaps = [f.data[0] for f in _figures(app) if f.data and f.data[0].type == "heatmap"]
    window = next(t for t in heatmaps if _array(t.z).shape == (2, 2))
    np.testing.assert_allclose(_array(window.z), below[2 * r : 2 * r + 2, 2 * c : 2 * c + 2], atol=1e-5)
    assert window.zmax == pytest.approx(float(np.abs(below).max()), abs=1e-6)
    app.selectbox(key="cnn_step_layer").set_value("conv_1").run()
    app.button(key="cnn_step_play").click().run()  # slides over the whole map, then rests on its last cell
    h, w = conv.values.shape[:2]
    assert not app.exception
    assert (app.number_input(key="cnn_step_r_conv_1").value, app.number_input(key="cnn_step_c_conv_1").value) == (
        h - 1,
        w - 1,
    )
    step = next(m.value for m in app.markdown if m.value.startswith("Sum of the products"))
    assert f"row {h - 1}, column {w - 1}" in step
    assert float(step.split("**")[-2]) == pytest.approx(float(step.rsplit("(", 1)[-1].rstrip(").")), abs=1e-4)
    app.session_state["cnn_source"] = "A training image"  # X_train[0], as the lessons index it
    _tab(app, "Feature maps")
    assert not app.exception and app.number_input(key="cnn_pick_train").value == 0
    app.session_state["cnn_source"] = "A mistake"
    _tab(app, "Feature maps")
    assert not app.exception and (app.selectbox(key="cnn_mistake") or app.info)


def _array(z) -> np.ndarray:
    """A figure's array from its JSON: a list, or plotly's typed array (base64 bytes, dtype, shape)."""
    import base64

    if not isinstance(z, dict):
        return np.asarray(z, float)
    shape = [int(n) for n in str(z.get("shape", "-1")).split(",")]
    return np.frombuffer(base64.b64decode(z["bdata"]), z["dtype"]).reshape(shape).astype(float)


def _figures(app) -> list:
    """The page's plotly figures."""
    import plotly.io as pio

    return [pio.from_json(c.proto.spec, skip_invalid=True) for c in app.get("plotly_chart")]


def _figure_of(app, title: str):
    """The plotly figure whose title or a subplot's title is `title`."""
    for figure in _figures(app):
        titles = [a.text for a in figure.layout.annotations] + [figure.layout.title.text or ""]
        if any(title in t for t in titles if t):
            return figure
    raise AssertionError(f"no figure titled {title}")


@pytest.mark.keras
def test_the_step_inputs_stay_and_patches_keep_their_inputs_colours(app):
    _open(app, epochs=1, blocks=2, f1=12, f2=4, pool=1, lr="0.01")  # 8x8 -> 6x6x12 -> 4x4x4: 12 channels in
    finish_training(app.button(key="cnn_go").click())
    run = app.session_state[CURRENT_KEY]
    data = prepare_data(load_dataset("digits"), run.exp.test_fraction, run.exp.split_seed, run.exp.max_samples)
    x = data.X_test[np.flatnonzero(data.y_test == 0)[0]]  # the image the tab starts on
    conv_2 = next(
        m for m in feature_maps(run.exp.spec, run.history.snapshots.at(1), x, run.task, 10) if m.name == "conv_2"
    )
    peak = np.unravel_index(np.argmax(conv_2.values[..., 3]), (4, 4))  # where map 3 starts
    # An input channel past the first and a cell away from the peak whose patch lacks the channel's largest value:
    # on its own scale the patch would look brighter than it does on the input.
    shown, (row, col) = next(
        (i, (r, c))
        for i in range(11, 0, -1)
        for r in range(4)
        for c in range(4)
        if r != peak[0]
        and c != peak[1]
        and 0 < np.abs(conv_2.values_in[r : r + 3, c : c + 3, i]).max() < np.abs(conv_2.values_in[..., i]).max()
    )
    _tab(app, "Step by step")
    app.selectbox(key="cnn_step_layer").set_value("conv_2").run()
    assert not app.exception and not app.get("segmented_control")[1:]  # past 8 channels: a number, not buttons
    app.number_input(key="cnn_step_in_conv_2").set_value(shown).run()
    app.number_input(key="cnn_step_f_conv_2").set_value(3).run()
    app.number_input(key="cnn_step_r_conv_2").set_value(row).run()
    app.number_input(key="cnn_step_c_conv_2").set_value(col).run()
    assert not app.exception and f"over the previous layer's map {shown}," in _texts(app.caption)
    below = conv_2.values_in[..., shown]
    patch = _figure_of(app, "input patch").data[0]
    np.testing.assert_allclose(_array(patch.z), below[row : row + 3, col : col + 3], atol=1e-5)
    assert patch.zmax == pytest.approx(float(np.abs(below).max()), abs=1e-6)  # the input's colours
    _tab(app, "Feature maps")  # away and back: the same layer, input channel, map and cell
    _tab(app, "Step by step")
    assert not app.exception and app.selectbox(key="cnn_step_layer").value == "conv_2"
    keys = ("cnn_step_in_conv_2", "cnn_step_f_conv_2", "cnn_step_r_conv_2", "cnn_step_c_conv_2")
    assert [app.number_input(key=k).value for k in keys] == [shown, 3, row, col]
    assert f"row {row}, column {col} of conv_2's map 3" in _texts(app.markdown)


@pytest.mark.keras
def test_a_photo_and_the_mlp_of_similar_size_for_comparison(app):
    from PIL import Image

    _open(app, epochs=2)
    finish_training(app.button(key="cnn_go").click())
    app.session_state["cnn_source"] = "A photo"
    _tab(app, "Feature maps")  # scikit-learn's sample photo first
    assert not app.exception and any(m.value.startswith("Prediction:") for m in app.markdown)
    app.segmented_control(key="cnn_photo_which").set_value("Upload your own").run()
    buffer = io.BytesIO()
    Image.new("RGB", (90, 60), (250, 250, 250)).save(buffer, format="PNG")
    app.get("file_uploader")[-1].upload("me.png", buffer.getvalue(), "image/png").run()
    assert not app.exception and any(m.value.startswith("Prediction:") for m in app.markdown)
    finish_training(app.button(key="cnn_go_mlp").click())
    assert not app.exception
    _tab(app, "Compare runs")
    table = app.dataframe[-1].value
    assert table["network"].tolist() == ["CNN", "MLP"] and table["backend"].tolist() == ["keras", "sklearn"]
    assert abs(table["parameters"][1] - table["parameters"][0]) < table["parameters"][0] * 0.1


@pytest.mark.keras
def test_an_uploaded_zip_of_images_trains_a_convnet(app):
    app.query_params.update({"dataset": "upload", "epochs": "2"})
    app.switch_page("../pages/cnn.py").run()
    app.get("file_uploader")[0].upload("shapes.zip", image_zip_bytes(per_class=12, size=20)).run()
    app.select_slider(key="cnn_size").set_value(16).run()
    finish_training(app.button(key="cnn_go").click())
    assert not app.exception and "on shapes.zip: Trained 2 epochs" in _texts(app.success)
    run = app.session_state[CURRENT_KEY]
    _tab(app, "Filters")
    assert not app.exception and app.toggle(key="cnn_conv_rgb").value  # colour filters in colour
    x = np.zeros((1, 16, 16, 3), np.float32)
    maps = feature_maps(run.exp.spec, run.model.layer_weights(), x, "classification", 1)
    np.testing.assert_allclose(probabilities(maps[-1].values), run.model.predict_proba(x), atol=1e-5)
