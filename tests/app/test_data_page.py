"""The landing page and the Data page, driven as a user would (Streamlit AppTest)."""

import numpy as np
import pytest
from formats import fake_images, idx_bytes

from app.navigation import PAGES


def _open(app, **query):
    app.query_params.update(query)
    return app.switch_page("../pages/data.py").run()


def test_landing_page_maps_every_lesson_and_the_data(app):
    app.run()
    assert not app.exception
    assert app.title[0].value == "NN Lab"
    text = " ".join(m.value for m in app.markdown)
    assert all(page.lesson in text for page in PAGES)
    rows = {
        line.split(" | ")[0].strip("| "): line.split(" | ")[-1].strip(" |")
        for m in app.markdown
        if m.value.startswith("| Dataset")
        for line in m.value.splitlines()[2:]
    }
    assert rows["Digits (8x8)"] == "yes"
    assert rows["MNIST"].startswith("no")


def test_data_page_defaults_to_digits(app):
    _open(app)
    assert not app.exception
    assert app.selectbox(key="dataset").value == "digits"
    assert [m.value for m in app.metric][:2] == ["1,797", "10"]
    assert "`X.shape` = `(1797, 8, 8, 1)`" in " ".join(m.value for m in app.markdown)
    assert len(app.get("plotly_chart")) == 1  # class counts
    assert app.get("image")[0].captions[:2] == ["#0: 0", "#1: 1"]  # the sample grid (the open tab): 24 tiles
    assert len(app.get("image")[0].captions) == 24


def test_switching_datasets(app):
    _open(app)
    app.selectbox(key="dataset").set_value("iris").run()
    assert not app.exception and [m.value for m in app.metric][:2] == ["150", "3"]
    assert app.query_params["dataset"] == "iris"  # the view is a shareable link
    app.selectbox(key="dataset").set_value("moons").run()
    app.slider(key="data_points").set_value(200).run()
    assert not app.exception and app.metric[0].value == "200"


def test_a_generated_sets_options_are_in_the_link_the_same_way_as_on_the_training_page(app):
    _open(app, dataset="spiral", points="600", noise="0.3", dseed="7")
    assert not app.warning and app.metric[0].value == "600"
    assert (app.slider(key="data_points").value, app.select_slider(key="data_noise").value) == (600, 0.3)
    assert app.number_input(key="data_data_seed").value == 7
    app.slider(key="data_points").set_value(800).run()
    assert app.query_params["points"] == "800" and app.query_params["dseed"] == "7"
    app.selectbox(key="dataset").set_value("iris").run()
    assert dict(app.query_params) == {"dataset": "iris", "tab": "Table"}  # options of other data stay out
    fresh = type(app).from_file(app._script_path, default_timeout=60)
    _open(fresh, dataset="moons", points="5", noise="lots")
    assert "points='5', noise='lots' are unknown or out of range" in fresh.warning[0].value
    assert fresh.slider(key="data_points").value == 500 and not fresh.exception


def test_a_link_opens_its_dataset_and_a_bad_link_falls_back(app):
    _open(app, dataset="wine")
    assert app.selectbox(key="dataset").value == "wine" and not app.warning
    fresh = type(app).from_file(app._script_path, default_timeout=60)
    _open(fresh, dataset="imagenet")
    assert fresh.selectbox(key="dataset").value == "digits"
    assert "imagenet" in fresh.warning[0].value and not fresh.exception


def test_missing_mnist_explains_where_to_put_the_files(app):
    _open(app, dataset="mnist")
    assert not app.exception and not app.error
    assert "train-images-idx3-ubyte" in app.info[0].value


def test_split_slider_updates_the_sizes(app):
    _open(app)
    app.tabs[0]  # the tab bar exists
    app.session_state["data_tab"] = "Train/test split"
    app.run()
    app.slider(key="data_test_fraction").set_value(0.5).run()
    assert not app.exception
    sizes = {m.label: m.value for m in app.metric}
    assert sizes["Training set"] == "898" and sizes["Test set"] == "899"  # scikit-learn's ceil(0.5 * 1797)


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("data_batch_1", b"\x80\x02not really a pickle", "not a readable CIFAR-10 batch"),
        ("train-images-idx3-ubyte", idx_bytes(fake_images(3)[0]), "and its label file"),
        ("table.csv", b"a,b,y\n1,2,0\n3,,1\n", "missing or infinite"),
    ],
)
def test_a_bad_upload_shows_one_error_and_the_page_keeps_working(app, name, content, message):
    _open(app, dataset="upload")
    uploader = app.get("file_uploader")[0]
    uploader.upload(name, content).run() if hasattr(uploader, "upload") else pytest.skip("AppTest cannot upload")
    assert not app.exception
    assert len(app.error) == 1 and message in app.error[0].value
    app.selectbox(key="dataset").set_value("digits").run()
    assert not app.exception and app.metric[0].value == "1,797"


def test_a_large_dataset_is_loaded_once_per_server(app, isolated_data, monkeypatch):
    from formats import write_mnist_files

    import core.datasets.external as external

    write_mnist_files(isolated_data / "data" / "mnist", n=60, test=20)
    calls = []
    real = external.load_mnist_like
    monkeypatch.setattr(external, "load_mnist_like", lambda *a, **k: calls.append(a) or real(*a, **k))
    _open(app, dataset="mnist")
    assert not app.exception and app.metric[0].value == "80"
    app.number_input(key="data_page").set_value(2).run()  # a rerun in the same session
    other = type(app).from_file(app._script_path, default_timeout=60)
    _open(other, dataset="mnist")  # a second student
    assert other.metric[0].value == "80" and len(calls) == 1


def test_typed_server_folders_are_off_by_default_and_confined_when_on(app, isolated_data, monkeypatch):
    from formats import write_mnist_files

    monkeypatch.delenv("NNLAB_ALLOW_FOLDERS", raising=False)
    _open(app, dataset="mnist")
    assert not app.text_input and "folder mnist/ of NN Lab's data folder" in app.info[0].value
    assert str(isolated_data) not in app.info[0].value  # no server path for students
    monkeypatch.setenv("NNLAB_ALLOW_FOLDERS", "1")
    write_mnist_files(isolated_data / "data" / "lesson" / "digits28", n=30, test=10)
    app.run()
    for typed in ("/etc", "../../..", "/proc/self"):
        app.text_input(key="data_dir").set_value(typed).run()
        assert not app.exception and len(app.error) == 1
        assert "Only folders inside NN Lab's data folder can be read" in app.error[0].value
    app.text_input(key="data_dir").set_value("lesson/digits28").run()
    assert not app.exception and not app.error and app.metric[0].value == "40"
    assert "Source: data folder: lesson/digits28" in app.markdown[0].value


def test_one_colour_image_shows_each_channels_raw_values_and_after_scaling(app):
    import json

    import numpy as np
    from formats import npz_bytes

    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (12, 6, 6, 3), dtype=np.uint8)
    _open(app, dataset="upload")
    app.get("file_uploader")[0].upload("photos.npz", npz_bytes(x=x, y=np.arange(12) % 2)).run()
    app.session_state["data_tab"] = "One image, flattened"
    app.run()

    def cell_text():
        import base64

        chart = next(c for c in app.get("plotly_chart") if c.proto.id.endswith("-data_values"))
        text = json.loads(chart.proto.spec)["data"][0]["text"]
        if isinstance(text, dict):  # plotly's typed array
            shape = tuple(int(d) for d in text["shape"].split(","))
            return np.frombuffer(base64.b64decode(text["bdata"]), dtype=text["dtype"]).reshape(shape)
        return np.array(text)

    app.segmented_control(key="data_rgb").set_value(1).run()  # green
    np.testing.assert_array_equal(cell_text(), x[0, :, :, 1])
    assert "its green channel, a 6 x 6 grid of numbers from 0 to 255" in app.markdown[-2].value + app.markdown[-3].value
    app.toggle(key="data_scaled").set_value(True).run()
    np.testing.assert_allclose(cell_text(), np.round(x[0, :, :, 1] / 255, 2), atol=1e-6)


def test_a_large_images_numbers_are_written_on_a_window_the_student_moves(app):
    """28 x 28 numbers do not fit a projector at a readable size: 14 x 14 of them are written, from row and column
    7 (where a digit is), and the window moves; the link keeps it."""
    import json

    import numpy as np
    from formats import npz_bytes

    x = np.arange(3 * 28 * 28, dtype=np.uint8).reshape(3, 28, 28) % 251
    _open(app, dataset="upload")
    app.get("file_uploader")[0].upload("digits.npz", npz_bytes(x=x, y=np.arange(3))).run()
    app.session_state["data_tab"] = "One image, flattened"
    app.run()

    def window():
        chart = next(c for c in app.get("plotly_chart") if c.proto.id.endswith("-data_values"))
        trace = json.loads(chart.proto.spec)["data"][0]
        return _array(trace["text"]), _array(trace["x"]), _array(trace["y"])

    text, cols, rows = window()
    assert text.shape == (14, 14) and rows[0] == cols[0] == 7
    np.testing.assert_array_equal(text, x[0, 7:21, 7:21])
    app.slider(key="data_values_top").set_value(14).run()
    app.slider(key="data_values_left").set_value(0).run()
    text, cols, rows = window()
    np.testing.assert_array_equal(text, x[0, 14:28, 0:14])
    assert (rows[0], cols[0]) == (14, 0) and app.query_params["top"] == "14" and app.query_params["left"] == "0"
    assert not app.exception


def _array(value):
    """A plotly array from a figure's JSON: a list, or its typed-array form."""
    import base64

    import numpy as np

    if isinstance(value, dict):
        a = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        return a.reshape(tuple(int(d) for d in value["shape"].split(","))) if "shape" in value else a
    return np.array(value)


def test_labels_are_shown_as_class_numbers_and_one_hot_rows(app):
    _open(app, dataset="iris")
    app.session_state["data_tab"] = "Labels, one-hot"
    app.run()
    table = app.table[0].value
    assert list(table.columns) == ["setosa", "versicolor", "virginica"]
    for y, row in zip(table.index, table.to_numpy()):
        assert row.tolist() == [str(int(k == int(y))) for k in range(3)]


def test_test_files_that_copy_the_training_files_are_said_on_the_page(app, isolated_data):
    from formats import write_mnist_files

    folder = isolated_data / "data" / "mnist"
    X, y = write_mnist_files(folder, n=60, test=20)
    for stem, arr in (("t10k-images-idx3-ubyte", X[:20]), ("t10k-labels-idx1-ubyte", y[:20])):  # 20 copied images
        (folder / f"{stem}.gz").write_bytes(idx_bytes(arr, True))
    _open(app, dataset="mnist")
    assert not app.exception
    assert any("20 of the 20 test images are also training images" in w.value for w in app.warning)


def _wide_page():
    """The Data page's tabular views on 3 rows of 200,000 features (built in the test, no upload needed)."""
    import numpy as np
    import streamlit as st

    from app.data import views
    from core.datasets import Dataset

    n = 200_000
    X = np.arange(3 * n, dtype=np.float32).reshape(3, n) % 7
    ds = Dataset(
        "upload",
        X,
        np.array([0, 1, 0]),
        "classification",
        "tabular",
        ("a", "b"),
        tuple(f"f{j}" for j in range(n)),
        source="wide.csv",
    )
    {"table": views.table, "features": views.features, "pair": views.pair}[st.query_params["tab"]](ds)


def test_wide_data_is_shown_by_summary_never_one_column_per_feature():
    from streamlit.testing.v1 import AppTest

    from app.data.views import SHOWN

    app = AppTest.from_function(_wide_page, default_timeout=60)
    app.query_params["tab"] = "table"
    app.run()
    assert not app.exception
    head, stats = (d.value for d in app.dataframe)
    assert head.shape == (3, SHOWN + 1)  # the first SHOWN features and the target
    assert list(stats.columns) == ["mean", "std", "min", "max"] and len(stats) == SHOWN + 1
    assert stats.index[-1] == "all 200,000 features"
    every = (np.arange(3 * 200_000) % 7).astype(np.float64)
    assert stats.iloc[-1].tolist() == pytest.approx([every.mean(), every.std(ddof=1), 0, 6])
    assert "The first 30 of 200,000 features" in app.caption[0].value
    for tab in ("features", "pair"):
        app = AppTest.from_function(_wide_page, default_timeout=60)
        app.query_params["tab"] = tab
        app.run()
        assert not app.exception
        pickers = list(app.multiselect) + list(app.selectbox)
        assert pickers and all(len(p.options) == SHOWN for p in pickers)


def test_value_stats_match_numpy_over_several_blocks():
    from app.data.views import feature_stats, value_stats

    X = np.random.default_rng(0).normal(3, 2, (50, 41)).astype(np.float32)
    got = value_stats(X, block=100)
    assert [got[k] for k in ("mean", "std", "min", "max")] == pytest.approx(
        [X.mean(dtype=np.float64), X.std(dtype=np.float64, ddof=1), X.min(), X.max()], rel=1e-6
    )
    assert feature_stats(X)["std"] == pytest.approx(X.astype(np.float64).std(0, ddof=1))


def test_the_tensors_view_reads_scikit_learns_photos_rank_by_rank(app):
    """The tensor-rank lesson's photo, offline: its shape and the scalar and vector inside it are the photo's own
    numbers (scikit-learn's load_sample_image), and the dataset's arrays are given their ranks."""
    from sklearn.datasets import load_sample_image

    from app.messages import plain

    _open(app, tab="Tensors", photo="flower.jpg")
    assert not app.exception
    flower = load_sample_image("flower.jpg")
    table = app.table[0].value
    assert table["shape"].tolist() == ["()", "(3,)", "(427, 640)", "(427, 640, 3)", "(2, 427, 640, 3)"]
    assert table["value"].tolist()[:2] == [str(flower[200, 300, 0]), plain(str(flower[200, 300].tolist()))]
    assert any("X has rank 4, shape (1797, 8, 8, 1)" in m.value for m in app.markdown)
    assert app.get("image") and app.query_params.get("photo") == "flower.jpg"
