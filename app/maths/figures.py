"""Figures of the maths-of-learning pages: functions beside their derivatives (activations, losses), real
pre-activations over them, the best constant under each loss, and loss contours with optimisation paths
(their loss curves are the shared `app.figures.lines.line_chart`)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from app.figures.plain import axis_name, axis_ref, figure, panels, zero_lines
from app.figures.style import CONTOUR, GREEN, LABEL, LEGEND_BELOW, LIGHT_GREY, ORANGE, WHITE, class_color


def function_and_derivative(
    x: np.ndarray, curves: list[tuple[str, np.ndarray, np.ndarray]], titles=("f(x)", "f'(x)"), x_title: str = "x"
) -> go.Figure:
    """Side by side: each curve's values and its derivative, one colour per curve."""
    data = []
    for i, (name, values, slope) in enumerate(curves):
        color = class_color(i)
        data.append(
            {
                "type": "scatter",
                "x": x,
                "y": values,
                "name": name,
                "legendgroup": name,
                "line": {"color": color, "width": 3},
                "xaxis": "x",
                "yaxis": "y",
            }
        )
        data.append(
            {
                "type": "scatter",
                "x": x,
                "y": slope,
                "name": name,
                "legendgroup": name,
                "showlegend": False,
                "line": {"color": color, "width": 3, "dash": "dot"},
                "xaxis": "x2",
                "yaxis": "y2",
            }
        )
    layout = panels(2, titles)
    for panel in (1, 2):
        layout[axis_name("x", panel)]["title"] = {"text": x_title}
    layout["shapes"] = [s for panel in (1, 2) for s in zero_lines(panel, {"color": LIGHT_GREY, "width": 1})]
    layout["legend"] = LEGEND_BELOW
    return figure(data, layout, height=420)


def with_histogram(fig: go.Figure, z: np.ndarray, label: str, bins: int = 60) -> go.Figure:
    """Overlay the histogram of real pre-activations z on both panels (right-hand axes)."""
    lo, hi = fig.layout.xaxis.range or (float(np.min(z)), float(np.max(z)))
    counts, edges = np.histogram(np.clip(z, lo, hi), bins=bins, range=(lo, hi))
    share = counts / max(1, counts.sum())
    for col, axis in ((1, "y3"), (2, "y4")):
        fig.add_trace(
            {
                "type": "bar",
                "x": (edges[:-1] + edges[1:]) / 2,
                "y": share,
                "name": label,
                "marker": {"color": ORANGE},
                "opacity": 0.45,
                "yaxis": axis,
                "xaxis": axis_ref("x", col),
                "showlegend": col == 1,
                "hovertemplate": "z=%{x:.2f}: %{y:.1%}<extra></extra>",
            }
        )
    fig.update_layout(
        # shares from 0 (a bar's height is its share), a few round ticks
        yaxis3=dict(
            overlaying="y", side="right", showgrid=False, tickformat=".0%", anchor="x", rangemode="tozero", nticks=4
        ),
        yaxis4=dict(
            overlaying="y2", side="right", showgrid=False, tickformat=".0%", anchor="x2", rangemode="tozero", nticks=4
        ),
        bargap=0,
    )
    return fig


def best_constants(data: np.ndarray, fits: list[tuple[str, float]]) -> go.Figure:
    """Data points on a line and, for each loss, the single prediction that minimises it."""
    traces = [
        {
            "type": "scatter",
            "x": data,
            "y": np.zeros_like(data),
            "mode": "markers",
            "name": "targets",
            "marker": {"size": 12, "color": LABEL, "symbol": "line-ns-open", "line": {"width": 3}},
        }
    ]
    for i, (name, c) in enumerate(fits):
        traces.append(
            {
                "type": "scatter",
                "x": [c],
                "y": [0.15 * (i + 1)],
                "mode": "markers+text",
                "text": [f"{name}: {c:.2f}"],
                "textposition": "middle right",
                "name": name,
                "marker": {"size": 14, "color": class_color(i)},
            }
        )
    layout = {
        "yaxis": {"visible": False, "range": [-0.2, 0.2 * (len(fits) + 1)]},
        "xaxis": {"title": {"text": "value"}},
    }
    return figure(traces, layout, height=260, legend=False)


def contour_with_paths(
    xs: np.ndarray,
    ys: np.ndarray,
    Z: np.ndarray,
    paths: list[tuple[str, np.ndarray]],
    minimum=None,
    labels=("w1", "w2"),
    log_levels: bool = True,
) -> go.Figure:
    """Filled contours of Z (len(ys), len(xs)) with each path (k, 2) drawn on top from its start."""
    shown = np.log10(Z - Z.min() + 1e-3) if log_levels else Z
    data = [
        {
            "type": "contour",
            "x": xs,
            "y": ys,
            "z": shown,
            "colorscale": [[0, WHITE], [1, CONTOUR]],
            "showscale": False,
            "contours": {"coloring": "fill"},
            "ncontours": 25,
            "hoverinfo": "skip",
            "line": {"color": "rgba(60,70,90,0.35)", "width": 1},
        }
    ]
    # Drawn in reverse so the first path (usually the one with the fewest, largest steps) is on top.
    for i, (name, p) in reversed(list(enumerate(paths))):
        data.append(
            {
                "type": "scatter",
                "x": p[:, 0],
                "y": p[:, 1],
                "mode": "lines+markers",
                "name": name,
                "line": {"color": class_color(i), "width": 3 if len(p) < 60 else 1.5},
                "marker": {"size": 8 if len(p) < 60 else 3},
            }
        )
    if paths:
        start = paths[0][1][0]
        data.append(
            {
                "type": "scatter",
                "x": [start[0]],
                "y": [start[1]],
                "mode": "markers",
                "name": "start",
                "marker": {"size": 14, "color": "black", "symbol": "x"},
            }
        )
    if minimum is not None:
        data.append(
            {
                "type": "scatter",
                "x": [minimum[0]],
                "y": [minimum[1]],
                "mode": "markers",
                "name": "minimum",
                "marker": {"size": 16, "color": GREEN, "symbol": "star"},
            }
        )
    layout = {
        "xaxis": {"title": {"text": labels[0]}, "range": [xs[0], xs[-1]]},
        "yaxis": {"title": {"text": labels[1]}, "range": [ys[0], ys[-1]]},
        "legend": {**LEGEND_BELOW, "traceorder": "reversed"},
    }
    return figure(data, layout, height=520)
