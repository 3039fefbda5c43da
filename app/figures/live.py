"""The charts a training redraws while it runs, as Vega-Lite specs for `st.vega_lite_chart(..., key=...)`.

Streamlit gives a keyed Vega-Lite chart the same identity whatever its data, so each redraw updates the chart in
place; a Plotly chart's identity includes its figure, so every redraw mounted a new chart and the curves were
blank for a moment (caught in 14-23% of screenshots during training). The finished run's charts stay Plotly,
drawn once; these look the same: training solid blue, validation dashed red, P(class 1) from blue to red.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from app.figures.colors import DARK_BLUE, DARK_RED, TRAIN, VALIDATION, WHITE

if TYPE_CHECKING:
    import pandas as pd

FONT = 14
SPLITS = {"training": ("", TRAIN, [1, 0]), "validation": ("val_", VALIDATION, [6, 4])}


def curve_frame(epochs: list[dict], key: str) -> pd.DataFrame:
    """Long format: epoch, value, split (training / validation) of `key` (loss, accuracy, r2)."""
    import pandas as pd  # here, not at the top: pandas costs 0.3 s of every server's first page

    rows = [
        (logs["epoch"], logs[f"{prefix}{key}"], split)
        for split, (prefix, _, _) in SPLITS.items()
        for logs in epochs
        if np.isfinite(logs.get(f"{prefix}{key}", np.nan))
    ]
    return pd.DataFrame(rows, columns=["epoch", "value", "split"])


def splits_in(epochs: list[dict], key: str) -> list[str]:
    """The splits the logs have values of `key` for: no "validation" in the legend of a run without one."""
    return [
        split
        for split, (prefix, _, _) in SPLITS.items()
        if any(np.isfinite(logs.get(f"{prefix}{key}", np.nan)) for logs in epochs)
    ] or ["training"]


def curve_spec(key: str, total: int, height: int = 300, splits: list[str] | None = None) -> dict:
    """One quantity against the epoch, the axis spanning every planned epoch; a legend entry per split shown."""
    percent = key == "accuracy"
    splits = splits or list(SPLITS)
    return {
        "height": height,
        "title": {"text": key, "fontSize": FONT + 2, "fontWeight": "normal"},
        "mark": {"type": "line", "strokeWidth": 2.5},
        "encoding": {
            "x": {
                "field": "epoch",
                "type": "quantitative",
                "scale": {"domain": [1, max(2, total)]},
                "axis": {"title": "epoch", "tickMinStep": 1},
            },
            "y": {
                "field": "value",
                "type": "quantitative",
                "scale": {"zero": False},
                "axis": {"title": None, "format": ".0%" if percent else "~g"},
            },
            "color": {
                "field": "split",
                "type": "nominal",
                "legend": {"orient": "bottom", "title": None, "symbolType": "stroke", "symbolStrokeWidth": 3},
                "scale": {"domain": splits, "range": [SPLITS[s][1] for s in splits]},
            },
            "strokeDash": {
                "field": "split",
                "type": "nominal",
                "legend": None,
                "scale": {"domain": splits, "range": [SPLITS[s][2] for s in splits]},
            },
            "tooltip": [{"field": "split"}, {"field": "epoch"}, {"field": "value", "format": ".4f"}],
        },
        "config": {"axis": {"labelFontSize": FONT - 2, "titleFontSize": FONT}, "legend": {"labelFontSize": FONT}},
    }


def boundary_frame(grid: dict) -> pd.DataFrame:
    """The grid's cells (x, x2, y, y2, z) from {"xs", "ys", "z"} as a training job sends them."""
    import pandas as pd

    xs, ys = np.asarray(grid["xs"]), np.asarray(grid["ys"])
    z = np.asarray(grid["z"], np.float32).reshape(len(ys), len(xs))
    hx, hy = (xs[1] - xs[0]) / 2, (ys[1] - ys[0]) / 2
    X, Y = np.meshgrid(xs, ys)
    return pd.DataFrame(
        {"x": (X - hx).ravel(), "x2": (X + hx).ravel(), "y": (Y - hy).ravel(), "y2": (Y + hy).ravel(), "z": z.ravel()}
    )


def value_range(y_train: np.ndarray) -> list[float]:
    """A regression's colour scale over the plane: the training targets' range, its middle white."""
    lo, hi = float(np.min(y_train)), float(np.max(y_train))
    return [lo, (lo + hi) / 2, hi if hi > lo else lo + 1]


def losses_text(test: float, training: float) -> str:
    """The Playground's line over its plane: the test and training loss."""
    return f"Test loss {test:.3f} · training loss {training:.3f}"


def boundary_spec(plane, grid: dict, task: str = "classification", height: int = 380) -> dict:
    """The model's output over the plane (the chart's data): P(class 1) from blue to red, or a regression's
    prediction; the training points filled and the test points hollow on top. `plane` is (points_train, y_train,
    points_test, y_test), a regression's targets in their own units."""
    xs, ys = grid["xs"], grid["ys"]
    regression = task == "regression"
    points_train, y_train, points_test, y_test = plane
    points = [
        {"x1": float(a), "x2": float(b), "class": float(k) if regression else f"class {int(k)}", "set": name}
        for X, y, name in ((points_train, y_train, "train"), (points_test, y_test, "test"))
        for (a, b), k in zip(X, y)
    ]
    x_scale = {"domain": [xs[0], xs[-1]], "nice": False}
    y_scale = {"domain": [ys[0], ys[-1]], "nice": False}
    if regression:
        values = {"domain": value_range(y_train), "range": [DARK_BLUE, WHITE, DARK_RED]}
        colors, kind, title = values, "quantitative", "prediction"
    else:
        values = {"domain": [0, 0.5, 1], "range": [DARK_BLUE, WHITE, DARK_RED]}
        colors, kind, title = (
            {"domain": ["class 0", "class 1"], "range": [DARK_BLUE, DARK_RED]},
            "nominal",
            "P(class 1)",
        )
    return {
        "height": height,
        "title": {
            "text": "the network's output" if regression else "decision boundary",
            "fontSize": FONT + 2,
            "fontWeight": "normal",
            **({"subtitle": losses_text(*grid["losses"]), "subtitleFontSize": FONT} if "losses" in grid else {}),
        },
        "layer": [
            {
                "mark": {"type": "rect", "opacity": 0.55},
                "encoding": {
                    "x": {"field": "x", "type": "quantitative", "scale": x_scale, "axis": {"title": "x1"}},
                    "x2": {"field": "x2"},
                    "y": {"field": "y", "type": "quantitative", "scale": y_scale, "axis": {"title": "x2"}},
                    "y2": {"field": "y2"},
                    "color": {"field": "z", "type": "quantitative", "title": title, "scale": values},
                },
            },
            {
                "data": {"values": points},
                "mark": {"type": "point", "size": 40, "strokeWidth": 1.5},
                "encoding": {
                    "x": {"field": "x1", "type": "quantitative", "scale": x_scale},
                    "y": {"field": "x2", "type": "quantitative", "scale": y_scale},
                    "stroke": {"field": "class", "type": kind, "scale": colors, "title": None, "legend": None}
                    if regression
                    else {"field": "class", "type": kind, "scale": colors, "title": None},
                    "fill": {
                        "condition": {
                            "test": "datum.set == 'train'",
                            "field": "class",
                            "type": kind,
                            "scale": colors,
                            "legend": None,
                        },
                        "value": WHITE,
                    },
                    "fillOpacity": {"value": 1},
                },
            },
        ],
        "resolve": {"scale": {"color": "independent"}},
        "config": {"axis": {"labelFontSize": FONT - 2, "titleFontSize": FONT}, "legend": {"labelFontSize": FONT}},
    }
