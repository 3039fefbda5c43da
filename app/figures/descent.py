"""Figures of the gradient-descent page: loss contours with optimisation paths, and loss curves."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from app.figures.style import class_color, tidy


def contour_with_paths(xs: np.ndarray, ys: np.ndarray, Z: np.ndarray, paths: list[tuple[str, np.ndarray]],
                       minimum=None, labels=("w1", "w2"), log_levels: bool = True) -> go.Figure:
    """Filled contours of Z (len(ys), len(xs)) with each path (k, 2) drawn on top from its start."""
    shown = np.log10(Z - Z.min() + 1e-3) if log_levels else Z
    fig = go.Figure(go.Contour(x=xs, y=ys, z=shown, colorscale=[[0, "#ffffff"], [1, "#8c9bbd"]], showscale=False,
                               contours=dict(coloring="fill"), ncontours=25, hoverinfo="skip",
                               line=dict(color="rgba(60,70,90,0.35)", width=1)))
    # Drawn in reverse so the first path (usually the one with the fewest, largest steps) is on top.
    for i, (name, p) in reversed(list(enumerate(paths))):
        fig.add_trace(go.Scatter(x=p[:, 0], y=p[:, 1], mode="lines+markers", name=name,
                                 line=dict(color=class_color(i), width=3 if len(p) < 60 else 1.5),
                                 marker=dict(size=8 if len(p) < 60 else 3)))
    if paths:
        start = paths[0][1][0]
        fig.add_trace(go.Scatter(x=[start[0]], y=[start[1]], mode="markers", name="start",
                                 marker=dict(size=14, color="black", symbol="x")))
    if minimum is not None:
        fig.add_trace(go.Scatter(x=[minimum[0]], y=[minimum[1]], mode="markers", name="minimum",
                                 marker=dict(size=16, color="#29a36a", symbol="star")))
    fig.update_xaxes(title=labels[0], range=[xs[0], xs[-1]]).update_yaxes(title=labels[1], range=[ys[0], ys[-1]])
    fig.update_layout(legend=dict(orientation="h", y=-0.15, traceorder="reversed"))
    return tidy(fig, 520)


def curves(series: list[tuple[str, np.ndarray, np.ndarray]], x_title: str, y_title: str, log_y: bool = False) -> go.Figure:
    """Lines (x, y) per series, one colour each."""
    fig = go.Figure()
    for i, (name, x, y) in enumerate(series):
        fig.add_trace(go.Scattergl(x=x, y=y, mode="lines", name=name, line=dict(color=class_color(i), width=2)))
    fig.update_xaxes(title=x_title).update_yaxes(title=y_title, type="log" if log_y else "linear")
    fig.update_layout(legend=dict(orientation="h", y=-0.25))
    return tidy(fig, 340)
