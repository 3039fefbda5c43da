"""Figures written as plain dicts (`app.figures.plain`) skip plotly's validation to be fast; here each one goes back
through plotly's validators and must come out unchanged: a misspelt property, a value of the wrong type or a
string where plotly.js wants {"text": ...} would be rejected or rewritten, and fail."""

import copy
import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from plotly.subplots import make_subplots

from app.classroom import figures as class_figures
from app.data.figures import class_counts
from app.figures.images import png_image, sample_tiles
from app.figures.lines import Line, add_line, line_chart
from app.figures.network import network_figure
from app.figures.plain import PlainFigure, colorscale, figure
from app.maths.figures import best_constants, contour_with_paths, function_and_derivative, with_histogram
from core.classroom import ResultRow

RNG = np.random.default_rng(0)
X = np.linspace(-3, 3, 50)


def _activation_figure():
    fig = function_and_derivative(
        X,
        [("ReLU", np.maximum(X, 0), (X > 0) * 1.0), ("tanh", np.tanh(X), 1 - np.tanh(X) ** 2)],
        titles=("f(z)", "f'(z)"),
        x_title="z",
    )
    return with_histogram(fig.update_xaxes(range=[-3, 3]), RNG.normal(size=200), "z in hidden_1")


def _class_runs() -> list[ResultRow]:
    """Three runs of the class: one of them the session's own ("me"), an upload's HTML-like name, a CNN."""
    return [
        ResultRow(
            id=i,
            owner=owner,
            name="n",
            page="training",
            dataset=dataset,
            kind=kind,
            backend="sklearn",
            layers="8",
            params=params,
            settings={"learning_rate": rate, "batch_size": batch, "layers": layers},
            epochs=epochs,
            metric="accuracy",
            test_score=score,
            seconds=1.0,
            link="/training",
        )
        for i, owner, dataset, kind, params, score, rate, batch, layers, epochs in (
            (1, "me", "moons", "mlp", 17, 0.8, 0.001, 10, 1, 5),
            (2, "other", "<b>upload</b>.csv", "mlp", 300, 0.9, 0.01, 32, 2, 10),
            (3, "other", "moons", "cnn", 5000, 0.95, 0.1, 200, 3, 20),
        )
    ]


def _lines_on_panels():
    fig = make_subplots(1, 2)
    add_line(fig, Line("loss", np.arange(5), np.arange(5.0)), 0, row=1, col=2)
    return fig


BUILDERS = {
    "class results scatter": lambda: class_figures.scatter(_class_runs(), "dataset", "me"),
    "class results in parallel coordinates": lambda: class_figures.parallel(_class_runs(), "accuracy"),
    "predictions of a choice against results": lambda: class_figures.predictions(
        ("yes", "no"), [("yes", 0.8), ("no", 0.9)], "accuracy"
    ),
    "predicted numbers against results": lambda: class_figures.predictions(None, [(0.7, 0.8), (0.85, 0.9)], "accuracy"),
    "answer counts": lambda: class_figures.answer_counts(("yes", "no"), ["yes", "yes", "no"]),
    "number answers": lambda: class_figures.answer_numbers([0.7, 0.8, 0.8]),
    "function and derivative with a histogram": _activation_figure,
    "best constants": lambda: best_constants(RNG.normal(size=20), [("MSE", 0.1), ("MAE", 0.0)]),
    "contour with paths": lambda: contour_with_paths(
        X,
        X,
        np.add.outer(X**2, X**2),
        [("batch", RNG.normal(size=(5, 2))), ("sgd", RNG.normal(size=(90, 2)))],
        minimum=(0.0, 0.0),
    ),
    "line chart": lambda: line_chart(
        [
            Line("train", np.arange(1, 11), RNG.random(10), hover="%{y}"),
            Line("test", np.arange(1, 11), RNG.random(10), dash="dot"),
        ],
        "epoch",
        "loss",
        epochs=10,
        y_format=".0%",
    ),
    "log line chart, webgl": lambda: line_chart(
        [Line("a", X, np.exp(X))], "x", "y", log_y=True, webgl=True, legend=False
    ),
    "a line on a panel": _lines_on_panels,
    "class counts": lambda: class_counts(["cat", "dog"], [3, 5]),
    "png image": lambda: png_image((RNG.random((8, 8, 3)) * 255).astype(np.uint8)),
    "small network, values written": lambda: network_figure(
        [2, 3, 1],
        [RNG.normal(size=(2, 3)), RNG.normal(size=(3, 1))],
        ["x", "h", "y"],
        units=[RNG.normal(size=2), RNG.normal(size=3), RNG.normal(size=1)],
        write_values=True,
    ),
    "wide network, coloured units and boxes": lambda: network_figure(
        [64, 8, 40, 3],
        [RNG.normal(size=(64, 8)), RNG.normal(size=(8, 40)), RNG.normal(size=(40, 3))],
        ["in", "h1", "h2", "out"],
        units=[None, RNG.normal(size=8), RNG.normal(size=40), RNG.normal(size=3)],
    ),
}


def as_json(fig: go.Figure) -> dict:
    return json.loads(pio.to_json(fig, validate=False))


@pytest.mark.parametrize("name", list(BUILDERS))
def test_plain_figures_are_what_plotly_validation_would_make(name):
    fig = BUILDERS[name]()
    validated = go.Figure(fig.to_dict())  # raises on an unknown property or a value of the wrong type
    assert as_json(fig) == as_json(validated)
    assert fig.data, "a figure with nothing drawn"


@pytest.mark.parametrize("name", [n for n in BUILDERS if isinstance(BUILDERS[n](), PlainFigure)])
def test_a_plain_figure_hands_streamlit_the_same_dict_without_a_deep_copy_and_stays_as_it_was(name):
    fig = BUILDERS[name]()
    made = "_made" in fig.__dict__  # plotly's own figure: made only by a builder that used its API
    assert made == (name == "function and derivative with a histogram")
    plotlys = go.Figure.to_dict(fig if made else PlainFigure(copy.deepcopy(fig._plain)))  # plotly's own to_dict
    plain = fig.to_dict()  # what Streamlit gets
    assert plain == plotlys and ("_made" in fig.__dict__) == made
    assert fig.to_dict() == plain  # again: nothing in the figure was rewritten
    before = copy.deepcopy(fig._data)  # plotly's figure, made now
    assert fig.to_dict() == go.Figure.to_dict(fig) == plain
    np.testing.assert_equal(fig._data, before)


def test_a_plain_figure_changed_through_plotlys_api_is_drawn_as_changed():
    fig = figure([{"type": "scatter", "x": [1, 2], "y": [3, 4]}], {"title": {"text": "before"}})
    fig.update_layout(title_text="after")
    fig.add_trace(go.Bar(x=[1], y=[2]))
    out = fig.to_dict()
    assert out["layout"]["title"]["text"] == "after" and [t["type"] for t in out["data"]] == ["scatter", "bar"]
    assert out["layout"]["template"] == go.Figure().to_dict()["layout"]["template"]


def test_a_plain_figures_numpy_arrays_go_out_as_typed_arrays_and_stay_arrays_in_it():
    fig = figure([{"type": "scatter", "x": np.arange(3.0), "marker": {"color": np.array([1, 2, 3])}}])
    out = fig.to_dict()["data"][0]
    assert out["x"]["dtype"] == "f8" and "bdata" in out["marker"]["color"]
    assert isinstance(fig._data[0]["marker"]["color"], np.ndarray) and isinstance(fig._data[0]["x"], np.ndarray)


@pytest.mark.parametrize(
    "trace",
    [
        {"type": "scatter", "x": [1], "colour": "red"},  # misspelt
        {"type": "scatter", "x": [1], "line": {"width": "thick"}},
    ],
)  # wrong type
def test_the_validators_reject_what_a_plain_figure_lets_through(trace):
    fig = figure([trace])
    with pytest.raises(ValueError):
        go.Figure(fig.to_dict())


def test_a_named_colour_scale_is_spelled_out_as_plotly_js_needs():
    fig = figure([{"type": "heatmap", "z": [[0, 1]], "colorscale": "RdBu_r"}])
    assert as_json(fig) != as_json(go.Figure(fig.to_dict()))  # plotly.js knows no "RdBu_r"
    fig = figure([{"type": "heatmap", "z": [[0, 1]], "colorscale": colorscale("RdBu_r")}])
    assert as_json(fig) == as_json(go.Figure(fig.to_dict()))


def test_a_png_holds_the_pixels_exactly_and_scales_them_as_crisp_squares():
    import base64
    import io

    from PIL import Image

    from app.figures.images import png_bytes, png_url
    from app.learned.figures import THUMB, thumbnails

    pixels = (RNG.random((4, 4, 3)) * 255).astype(np.uint8)
    assert (np.asarray(Image.open(io.BytesIO(png_bytes(pixels)))) == pixels).all()
    big = np.asarray(Image.open(io.BytesIO(png_bytes(pixels[..., 0], side=8))))
    assert big.shape == (8, 8) and (big == np.repeat(np.repeat(pixels[..., 0], 2, 0), 2, 1)).all()
    url = png_url(pixels)
    assert url.startswith("data:image/png;base64,") and base64.b64decode(url.split(",")[1]) == png_bytes(pixels)
    (thumb,) = thumbnails(np.ones((1, 7, 7, 1), np.float32))  # an image in [0, 1], one channel: white
    shown = np.asarray(Image.open(io.BytesIO(base64.b64decode(thumb.split(",")[1]))))
    assert shown.shape == (THUMB, THUMB) and (shown == 255).all()


def test_sample_tiles_are_crisp_squares_of_at_least_80_pixels():
    digits = RNG.random((3, 8, 8, 1))
    tiles = sample_tiles(digits)
    assert len(tiles) == 3 and tiles[0].shape == (100, 100) and tiles[0].dtype == np.uint8  # 96 and a 2-px frame
    inside = tiles[0][2:-2, 2:-2]
    assert (inside[:12, :12] == inside[0, 0]).all()  # one pixel is one 12x12 block, not smoothed
    assert abs(int(inside[0, 0]) - digits[0, 0, 0, 0] * 255) <= 1  # 0 black, as in every view
    assert (tiles[0][0] == 204).all() and (tiles[0][:, -1] == 204).all()  # the grey frame
    photos = sample_tiles(RNG.random((2, 32, 32, 3)))
    assert photos[0].shape == (100, 100, 3)
    assert sample_tiles(RNG.random((1, 28, 28, 1)))[0].shape == (116, 116)  # MNIST: 4x, at least 96


@pytest.mark.parametrize("side, columns", [(8, 6), (28, 6), (3, 8), (5, 2)])
def test_tile_titles_get_a_gap_tall_enough_on_a_1024_px_screen(side, columns):
    from app.figures.images import TILES_WIDTH, TITLE_PX, tiles

    fig = tiles(RNG.normal(size=(12, side, side)), 1.0, [f"unit {i}" for i in range(12)], columns)
    grid = np.asarray(fig.data[0].z)
    rows_of_nan = np.isnan(grid).all(axis=1)
    gap = int(np.argmax(~rows_of_nan))  # the empty rows above the first row of tiles
    assert gap * TILES_WIDTH / grid.shape[1] >= TITLE_PX - 1e-9, (gap, grid.shape)


def test_the_live_legend_names_only_the_splits_a_run_has():
    from app.figures import live

    without = [{"epoch": e, "loss": 1.0 / e} for e in (1, 2, 3)]  # validation fraction 0
    spec = live.curve_spec("loss", 3, splits=live.splits_in(without, "loss"))
    assert spec["encoding"]["color"]["scale"]["domain"] == ["training"]
    with_val = [{**logs, "val_loss": 2.0 / logs["epoch"]} for logs in without]
    spec = live.curve_spec("loss", 3, splits=live.splits_in(with_val, "loss"))
    assert spec["encoding"]["color"]["scale"]["domain"] == ["training", "validation"]
    assert spec["encoding"]["strokeDash"]["scale"]["range"] == [[1, 0], [6, 4]]


def test_edge_values_are_written_to_significant_figures_never_as_minus_zero():
    from app.figures.network import network_figure, written

    assert [written(v) for v in (0.00123, -0.000456, 1.234, -0.0, 1e-12, 12.5)] == [
        "0.0012",
        "-0.00046",
        "1.2",
        "0",
        "1e-12",
        "12",
    ]
    fig = network_figure([2, 1], [np.array([[0.00123], [-0.000456]])], ["x", "out"], write_values=True)
    texts = [a.text for a in fig.layout.annotations]
    assert "0.0012" in texts and "-0.00046" in texts and not any(t in ("0.00", "-0.00") for t in texts)


def test_log_axes_write_powers_of_ten_not_si_prefixes():
    from app.figures.lines import Line, line_chart

    fig = line_chart([Line("adam", np.arange(3), np.array([1.0, 1e-2, 1e-4]))], "step", "loss", log_y=True)
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis.exponentformat == "power"


def test_the_class_scatter_marks_the_sessions_own_runs_and_picks_runs_by_row_id():
    fig = class_figures.scatter(_class_runs(), "dataset", "me")
    traces = {t.name: t for t in fig.data}
    assert set(traces) == {"&lt;b&gt;upload&lt;/b&gt;.csv", "moons", "moons (yours)"}  # the file name as text
    yours, others = traces["moons (yours)"], traces["moons"]
    assert yours.marker.symbol == "diamond" and yours.marker.line.width == 2 and list(yours.customdata) == [1]
    assert others.marker.symbol == "circle" and list(others.customdata) == [3] and list(others.x) == [5000]
    assert yours.marker.color == others.marker.color  # one colour a dataset, own runs or not
    by_kind = class_figures.scatter(_class_runs(), "kind", "someone else")
    assert sorted(t.name for t in by_kind.data) == ["CNN", "MLP"]


def test_parallel_coordinates_take_params_and_epochs_from_the_run_and_the_rest_from_its_settings():
    runs = _class_runs()
    runs[2].settings.clear()  # a run whose page keeps none of these settings
    shown = class_figures.parallel(runs, "accuracy").data[0].dimensions
    assert {d.tickformat for d in shown} == {".3~g"}  # short numbers on every axis, not -2.77517
    dims = {d.label: list(d.values) for d in shown}
    assert dims["log₁₀ params"] == pytest.approx(np.log10([17, 300, 5000]))
    assert dims["epochs"] == [5, 10, 20] and dims["test accuracy"] == [0.8, 0.9, 0.95]
    assert dims["log₁₀ lr"][:2] == pytest.approx([-3, -2]) and np.isnan(dims["log₁₀ lr"][2])
    assert dims["layers"][:2] == [1, 2] and np.isnan(dims["layers"][2])
    assert all(d.tickvals is None for d in shown)  # axes whose runs differ: plotly's own scale


def test_a_parallel_axis_where_every_run_is_alike_shows_that_one_value():
    runs = _class_runs()
    for r in runs:
        r.settings["layers"] = 2
    runs[2].settings.pop("layers")  # a run without it does not make the axis vary
    dims = {d.label: d for d in class_figures.parallel(runs, "accuracy").data[0].dimensions}
    assert list(dims["layers"].tickvals) == [2] and list(dims["layers"].range) == [1, 3]


def test_class_names_in_figures_are_text_never_plotly_html():
    """Plotly draws <a href>, <b>, <br> in tick labels: a student's class name must come out literally."""
    from app.cnn.figures import bars
    from app.training.figures import confusion, per_class

    hostile = ["<a href='http://x.test/t'>click</a>", "<b>bold</b>"]
    figs = [
        confusion(np.eye(2, dtype=int), hostile),
        per_class(np.array([0.5, 1.0]), hostile),
        bars(np.array([0.2, 0.8]), hostile, "p", 1, percent=True),
    ]
    for f in figs:
        labels = [
            v
            for t in f.data
            for axis in (t.x, getattr(t, "y", None))
            if axis is not None
            for v in axis
            if isinstance(v, str)
        ]
        assert labels and not any("<" in v or ">" in v for v in labels)
        assert any("&lt;a href=" in v for v in labels)  # Plotly shows the entity as "<"


def _brightness_at_zero(trace) -> float:
    """The brightness (0 black .. 1 white) a heatmap draws the value 0 with."""
    from plotly.colors import hex_to_rgb, unlabel_rgb

    assert trace.zmin == 0
    first = trace.colorscale[0][1]
    named = {"black": (0, 0, 0), "white": (255, 255, 255)}
    rgb = named.get(first) or (hex_to_rgb(first) if first.startswith("#") else unlabel_rgb(first))
    return float(np.dot(rgb, [0.299, 0.587, 0.114]) / 255)


def test_dark_is_zero_in_every_view_of_pixels_and_maps():
    """One convention (issue #20): an image's values, its flattened strip, the Data page's thumbnail and tiles,
    the augmentation preview's tiles, a convolution's patch, feature maps and a pooling window draw 0 dark."""
    from app.cnn.figures import conv_step, map_grid, pool_window
    from app.data.figures import flattened, image_values

    plane = RNG.integers(0, 256, (28, 28)).astype(float)
    dark = [
        image_values(plane, 255).data[0],
        flattened(plane.reshape(-1), 28, 255).data[0],
        conv_step(RNG.random((3, 3)), RNG.normal(size=(3, 3)), RNG.normal(size=(3, 3))).data[0],
        map_grid(RNG.random((6, 6, 4))).data[0],
        pool_window(RNG.random((2, 2)), (0, 1)).data[0],
    ]
    for trace in dark:
        assert _brightness_at_zero(trace) < 0.2
    assert sample_tiles(np.zeros((1, 8, 8, 1)))[0][2:-2, 2:-2].max() == 0  # zero pixels black in tiles
    signed = conv_step(RNG.normal(size=(3, 3)), RNG.normal(size=(3, 3)), RNG.normal(size=(3, 3))).data[0]
    assert signed.zmin < 0  # a signed map's patch is blue-red around a white 0, as weights are


def test_the_live_plane_writes_the_test_and_training_loss_over_it():
    """The Playground's line over its plane, live: the losses a job's progress carries, as the finished figure."""
    from app.figures import live

    rng = np.random.default_rng(0)
    plane = (rng.normal(size=(6, 2)), np.array([0, 1] * 3), rng.normal(size=(4, 2)), np.array([1, 0] * 2))
    grid = {"xs": [-1.0, 0.0, 1.0], "ys": [-1.0, 0.0, 1.0], "z": [0.5] * 9}
    assert "subtitle" not in live.boundary_spec(plane, grid)["title"]
    spec = live.boundary_spec(plane, {**grid, "losses": [0.1234, 0.0567]})
    assert spec["title"]["subtitle"] == "Test loss 0.123 · training loss 0.057"
