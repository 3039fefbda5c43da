"""The "What the network learned" page: a quick model when there is none; the hidden space of any layer at any
recorded epoch beside the inputs, a clicked sample's nearest training samples; why a prediction, with the
sanity check; a convnet's Grad-CAM; the view in the link."""

import json

import numpy as np
import pytest

from app.messages import plain
from app.session import CURRENT_KEY
from core.explain import saliency
from core.projection import activations, fit_pca


def _open(app):
    return app.switch_page("../pages/learned.py").run()


def _charts(app) -> list[dict]:
    return [json.loads(c.proto.spec) for c in app.get("vega_lite_chart")]


def _points(app, which: int) -> np.ndarray:
    """The (x, y) of the scatter's points as the page sent them."""
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    frame = convert_arrow_bytes_to_pandas_df(app.get("vega_lite_chart")[which].proto.data.data)
    return frame[["x", "y"]].to_numpy()


def test_without_a_model_it_offers_quick_models(app):
    _open(app)
    assert not app.exception and not app.tabs
    assert app.button(key="learned_quick_mlp") and app.button(key="learned_quick_cnn")


def test_the_hidden_space_beside_the_inputs_at_any_epoch_and_a_samples_neighbours(app):
    _open(app)
    app.button(key="learned_quick_mlp").click().run()
    assert not app.exception
    assert [t.label for t in app.tabs] == ["Hidden space", "Why this prediction"]
    run = app.session_state[CURRENT_KEY]
    titles = [c["title"]["text"] for c in _charts(app)]
    assert titles[0].startswith("Layer 0: the inputs · silhouette") and titles[1].startswith("hidden 2 · silhouette")
    assert app.selectbox(key="learned_layer").value == "hidden_2"  # the last hidden layer first
    silhouettes = [float(t.rsplit(" ", 1)[1]) for t in titles]
    assert silhouettes[1] > silhouettes[0]  # the classes further apart in the last hidden layer
    # the points are scikit-learn's PCA of the layer's activations, on the axes of the last epoch
    data = run_data(run)
    X = activations(run.exp.spec, run.model.layer_weights(), data.X_test[:1000], "hidden_2", "classification", 10)
    np.testing.assert_allclose(_points(app, 1), fit_pca(X).transform(X), atol=1e-5)
    last = _points(app, 1)
    epochs = app.select_slider(key="learned_epoch").options
    app.select_slider(key="learned_epoch").set_value(epochs[0]).run()
    assert not app.exception and not np.allclose(_points(app, 1), last)  # an early epoch: other places
    first = run.model.history.snapshots.at(int(epochs[0]))
    early = activations(run.exp.spec, first, data.X_test[:1000], "hidden_2", "classification", 10)
    np.testing.assert_allclose(_points(app, 1), fit_pca(X).transform(early), atol=1e-4)  # on the last epoch's axes
    # a sample's nearest training samples in the layer: itself first among the tiles, then five
    app.number_input(key="learned_sample").set_value(7).run()
    assert not app.exception
    images = app.get("image")
    assert images and "nearest to test sample 7" in " ".join(m.value for m in app.markdown)
    assert app.query_params.get("tab") == "Hidden space" and app.query_params.get("method") == "PCA"


def run_data(run):
    from app.data_access import prepared

    return prepared(run.exp)


def test_t_sne_lays_out_the_chosen_number_of_samples(app):
    _open(app)
    app.button(key="learned_quick_mlp").click().run()
    app.select_slider(key="learned_samples").set_value(200).run()
    app.segmented_control(key="learned_method").set_value("t-SNE").run()
    assert not app.exception
    assert _points(app, 0).shape == (200, 2) and _points(app, 1).shape == (200, 2)
    assert "t-SNE" in " ".join(c.value for c in app.caption)
    assert app.query_params.get("method") == "t-SNE" and app.query_params.get("n") == "200"


def test_why_this_prediction_shows_saliency_and_occlusion_with_the_sanity_check(app):
    _open(app)
    app.button(key="learned_quick_mlp").click().run()
    app.session_state["learned_tab"] = "Why this prediction"
    app.run()
    assert not app.exception
    run = app.session_state[CURRENT_KEY]
    shown = [m.value for m in app.markdown]
    assert any(v.startswith(plain("X_test[0]: ")) for v in shown), shown
    assert "**Trained network**" in shown and "**Weights re-initialised**" in shown
    assert len(app.get("plotly_chart")) == 1 + 2 * 2  # the probabilities, saliency and occlusion twice
    assert "Rank correlation" in " ".join(c.value for c in app.caption)
    app.toggle(key="learned_sanity").set_value(False).run()
    assert len(app.get("plotly_chart")) == 1 + 2 and "**Weights re-initialised**" not in [m.value for m in app.markdown]
    app.segmented_control(key="learned_source").set_value("A training sample").run()
    app.number_input(key="learned_X_train").set_value(3).run()  # X_train[3], as the lessons index it
    assert not app.exception and any(m.value.startswith(plain("X_train[3]: ")) for m in app.markdown)
    data = run_data(run)
    grad = saliency(run.exp.spec, run.model.layer_weights(), data.X_train[3], "classification", 10, 0)
    assert grad.shape == data.X_train[3].shape and np.abs(grad).max() > 0
    app.segmented_control(key="learned_source").set_value("A mistake").run()
    assert not app.exception
    assert app.query_params.get("tab") == "Why this prediction" and app.query_params.get("sanity") == "0"


@pytest.mark.keras
def test_a_convnet_adds_grad_cam(app):
    _open(app)
    app.button(key="learned_quick_cnn").click().run()
    app.session_state["learned_tab"] = "Why this prediction"
    app.run()
    assert not app.exception
    assert "Grad-CAM" in [m.value for m in app.markdown]
    assert len(app.get("plotly_chart")) == 1 + 3 * 2


def test_a_photo_is_explained_and_a_broken_file_gets_one_message(app):
    import io

    from PIL import Image

    _open(app)
    app.button(key="learned_quick_mlp").click().run()
    app.session_state["learned_tab"] = "Why this prediction"
    app.session_state["learned_source"] = "A photo"
    app.run()
    assert not app.exception and any(m.value.startswith("scikit-learn's china.jpg, as 8x8x1") for m in app.markdown)
    app.segmented_control(key="learned_photo_which").set_value("Upload your own").run()
    assert not app.exception and len(app.get("plotly_chart")) == 0  # nothing to explain before a photo
    app.get("file_uploader")[-1].upload("broken.png", b"\x89PNG not an image", "image/png").run()
    assert not app.exception and len(app.error) == 1 and len(app.get("plotly_chart")) == 0
    buffer = io.BytesIO()
    image = Image.new("RGB", (90, 60), (0, 0, 0))
    image.paste((255, 255, 255), (40, 10, 50, 50))  # a bright bar: a one
    image.save(buffer, format="PNG")
    app.get("file_uploader")[-1].upload("me.png", buffer.getvalue(), "image/png").run()
    assert not app.exception and not app.error
    assert any(m.value.startswith("your photo, as 8x8x1") for m in app.markdown)
    assert len(app.get("plotly_chart")) == 1 + 2 * 2  # the probabilities, saliency and occlusion twice
