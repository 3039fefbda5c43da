"""Figures of the maths-of-learning pages: functions beside their derivatives (activations, losses), real
pre-activations over them, the best constant under each loss, and loss contours with optimisation paths
(their loss curves are the shared `app.figures.lines.line_chart`)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from app.figures.style import CONTOUR, GREEN, LABEL, LIGHT_GREY, ORANGE, WHITE, class_color, tidy


def function_and_derivative(x: np.ndarray, curves: list[tuple[str, np.ndarray, np.ndarray]],
                            titles=("f(x)", "f'(x)"), x_title: str = "x") -> go.Figure:
    """Side by side: each curve's values and its derivative, one colour per curve."""
    fig = make_subplots(1, 2, subplot_titles=titles, horizontal_spacing=0.08)
    for i, (name, values, slope) in enumerate(curves):
        color = class_color(i)
        fig.add_trace(go.Scatter(x=x, y=values, name=name, line=dict(color=color, width=3), legendgroup=name), 1, 1)
        fig.add_trace(go.Scatter(x=x, y=slope, name=name, line=dict(color=color, width=3, dash="dot"),
                                 legendgroup=name, showlegend=False), 1, 2)
    for col in (1, 2):
        fig.add_hline(y=0, line=dict(color=LIGHT_GREY, width=1), row=1, col=col)
        fig.add_vline(x=0, line=dict(color=LIGHT_GREY, width=1), row=1, col=col)
        fig.update_xaxes(title=x_title, row=1, col=col)
    fig.update_layout(legend=dict(orientation="h", y=-0.2))
    return tidy(fig, 420)


def with_histogram(fig: go.Figure, z: np.ndarray, label: str, bins: int = 60) -> go.Figure:
    """Overlay the histogram of real pre-activations z on both panels (right-hand axes)."""
    lo, hi = fig.layout.xaxis.range or (float(np.min(z)), float(np.max(z)))
    counts, edges = np.histogram(np.clip(z, lo, hi), bins=bins, range=(lo, hi))
    share = counts / max(1, counts.sum())
    for col, axis in ((1, "y3"), (2, "y4")):
        fig.add_trace(go.Bar(x=(edges[:-1] + edges[1:]) / 2, y=share, name=label, marker_color=ORANGE,
                             opacity=0.45, yaxis=axis, xaxis="x" if col == 1 else "x2", showlegend=col == 1,
                             hovertemplate="z=%{x:.2f}: %{y:.1%}<extra></extra>"))
    fig.update_layout(yaxis3=dict(overlaying="y", side="right", showgrid=False, tickformat=".1%", anchor="x"),
                      yaxis4=dict(overlaying="y2", side="right", showgrid=False, tickformat=".1%", anchor="x2"),
                      bargap=0)
    return fig


def best_constants(data: np.ndarray, fits: list[tuple[str, float]]) -> go.Figure:
    """Data points on a line and, for each loss, the single prediction that minimises it."""
    fig = go.Figure(go.Scatter(x=data, y=np.zeros_like(data), mode="markers", name="targets",
                               marker=dict(size=12, color=LABEL, symbol="line-ns-open", line=dict(width=3))))
    for i, (name, c) in enumerate(fits):
        fig.add_trace(go.Scatter(x=[c], y=[0.15 * (i + 1)], mode="markers+text", text=[f"{name}: {c:.2f}"],
                                 textposition="middle right", marker=dict(size=14, color=class_color(i)), name=name))
    fig.update_yaxes(visible=False, range=[-0.2, 0.2 * (len(fits) + 1)])
    fig.update_xaxes(title="value")
    return tidy(fig, 260, legend=False)


def contour_with_paths(xs: np.ndarray, ys: np.ndarray, Z: np.ndarray, paths: list[tuple[str, np.ndarray]],
                       minimum=None, labels=("w1", "w2"), log_levels: bool = True) -> go.Figure:
    """Filled contours of Z (len(ys), len(xs)) with each path (k, 2) drawn on top from its start."""
    shown = np.log10(Z - Z.min() + 1e-3) if log_levels else Z
    fig = go.Figure(go.Contour(x=xs, y=ys, z=shown, colorscale=[[0, WHITE], [1, CONTOUR]], showscale=False,
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
                                 marker=dict(size=16, color=GREEN, symbol="star")))
    fig.update_xaxes(title=labels[0], range=[xs[0], xs[-1]]).update_yaxes(title=labels[1], range=[ys[0], ys[-1]])
    fig.update_layout(legend=dict(orientation="h", y=-0.15, traceorder="reversed"))
    return tidy(fig, 520)
