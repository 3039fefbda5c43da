"""Line charts, one family: a `Line` is a named series; `line_chart` draws lines on one pair of axes and
`add_line` puts one on a panel of a larger figure. Learning curves, run overlays, loss-per-update curves,
parameter traces and parameter counts are all drawn this way, so they look and behave alike."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from app.figures.plain import figure
from app.figures.style import LEGEND_BELOW, class_color


@dataclass(frozen=True)
class Line:
    name: str
    x: np.ndarray
    y: np.ndarray
    color: str | None = None  # default: the palette's colour for the line's position
    dash: str = "solid"
    group: str | None = None  # lines of one legend group toggle together (e.g. "training" on two panels)
    hover: str | None = None  # a hovertemplate


def line_trace(line: Line, index: int = 0, *, markers: bool = False, legend: bool = True, webgl: bool = False) -> dict:
    """`line` as a scatter trace dict. webgl: for long series (thousands of points)."""
    many = len(line.x) > 60
    return {
        "type": "scattergl" if webgl else "scatter",
        "x": line.x,
        "y": line.y,
        "name": line.name,
        "legendgroup": line.group or line.name,
        "showlegend": legend,
        "mode": "lines+markers" if markers else "lines",
        "hovertemplate": line.hover,
        "line": {"color": line.color or class_color(index), "dash": line.dash, "width": 2 if many else 3},
        "marker": {"size": 3 if many else 6},
    }


def add_line(
    fig: go.Figure,
    line: Line,
    index: int = 0,
    *,
    markers: bool = False,
    legend: bool = True,
    row: int | None = None,
    col: int | None = None,
    webgl: bool = False,
) -> go.Figure:
    """Add `line` to `fig` (on panel row/col of a subplot figure)."""
    trace = line_trace(line, index, markers=markers, legend=legend, webgl=webgl)
    return fig.add_trace(trace, row=row, col=col) if row else fig.add_trace(trace)


def epoch_axis(fig: go.Figure, epochs: int, **where) -> None:
    """An x axis of whole epochs 1..epochs, about ten ticks."""
    fig.update_xaxes(**epoch_range(epochs), **where)


def epoch_range(epochs: int) -> dict:
    """Axis settings for whole epochs 1..epochs, about ten ticks."""
    span = max(epochs, 1)
    return {"title": {"text": "epoch"}, "range": [0.5, span + 0.5], "dtick": max(1, round(span / 10))}


def line_chart(
    lines: list[Line],
    x_title: str,
    y_title: str,
    *,
    height: int = 340,
    log_y: bool = False,
    markers: bool = False,
    legend: bool = True,
    epochs: int | None = None,
    y_format: str | None = None,
    webgl: bool = False,
) -> go.Figure:
    """Lines on one pair of axes. epochs: an epoch axis up to that epoch (x_title is then "epoch")."""
    data = [line_trace(line, i, markers=markers, legend=legend, webgl=webgl) for i, line in enumerate(lines)]
    layout = {
        "xaxis": epoch_range(epochs) if epochs is not None else {"title": {"text": x_title}},
        "yaxis": {"title": {"text": y_title}, "type": "log" if log_y else "linear", "tickformat": y_format},
    }
    if log_y:
        layout["yaxis"]["exponentformat"] = "power"  # 10⁻⁴, not Plotly's SI "100μ"
    if legend:
        layout["legend"] = LEGEND_BELOW
    return figure(data, layout, height=height, legend=legend)
