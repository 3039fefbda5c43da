"""Figures of the Training page: learning curves, decision boundary, confusion matrix, regression fit."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from app.figures.lines import Line, add_line, epoch_axis, line_chart
from app.figures.style import (
    BLUE,
    DARK_BLUE,
    DARK_RED,
    DIVERGING,
    GREEN,
    GREY,
    LEGEND_BELOW,
    RED,
    SMALL_TEXT,
    TRAIN,
    VALIDATION,
    tidy,
)
from app.messages import plain_figure


def learning_curves(history: dict[str, list[float]], metric: str, epochs: int | None = None) -> go.Figure:
    """Loss and `metric` (accuracy or r2) per epoch, training solid and validation dashed. epochs: the axis
    spans this many epochs (a run in progress shows where it is heading)."""
    fig = make_subplots(1, 2, subplot_titles=("loss", metric), horizontal_spacing=0.08)
    x = np.arange(1, len(history.get("loss", [])) + 1)
    for col, key in ((1, "loss"), (2, metric)):
        for prefix, name, dash, color in (("", "training", "solid", TRAIN), ("val_", "validation", "dash", VALIDATION)):
            if f"{prefix}{key}" in history:
                add_line(
                    fig,
                    Line(name, x, history[f"{prefix}{key}"], color, dash),
                    markers=True,
                    legend=col == 1,
                    row=1,
                    col=col,
                )
        epoch_axis(fig, max(epochs or 1, len(x)), row=1, col=col)
    if metric == "accuracy":
        fig.update_yaxes(tickformat=".0%", row=1, col=2)
    fig.update_layout(legend=LEGEND_BELOW)
    return tidy(fig, 340)


def overlay_runs(runs: list[tuple[str, dict[str, list[float]]]], key: str) -> go.Figure:
    """One line per run of `key` (e.g. val_accuracy) against the epoch."""
    longest = max((len(h.get(key) or []) for _, h in runs), default=1)
    return line_chart(
        [Line(label, np.arange(1, len(h.get(key) or []) + 1), h.get(key) or []) for label, h in runs],
        "epoch",
        key.replace("_", " "),
        markers=True,
        height=380,
        epochs=longest,
    )


def plane_figure(
    xs,
    ys,
    z,
    plane,
    task: str,
    show_test: bool = True,
    discretize: bool = False,
    title: str = "",
    unit: str = "",
) -> go.Figure:
    """A 2-D set's model over its plane: P(class 1) from blue (0) to red (1), or a regression's prediction (its
    targets' range from blue to red), training points filled, test points hollow (`show_test`). `discretize`: the
    predicted class (or the prediction rounded to the nearest of the range's ends and middle) in flat colours, as
    the Playground's "Discretize output". `plane` is PreparedData.plane_points(); `title` goes above it. unit: z is
    that hidden unit's output instead, from blue (-1) to red (1), as the network diagram colours it."""
    points_train, y_train, points_test, y_test = plane
    regression = task == "regression"
    lo, mid, hi = (float(np.min(y_train)), 0.0, float(np.max(y_train))) if regression else (0.0, 0.5, 1.0)
    if unit:
        lo, hi, z = -1.0, 1.0, np.clip(z, -1, 1)
    mid = (lo + hi) / 2
    shown = z
    if discretize:
        shown = (
            np.where(z >= mid, hi, lo) if not regression else lo + np.round((z - lo) / (hi - lo) * 2) / 2 * (hi - lo)
        )
    name = "unit's output" if unit else "prediction" if regression else "P(class 1)"
    fig = go.Figure(
        go.Heatmap(
            x=xs,
            y=ys,
            z=shown,
            zmin=lo,
            zmax=hi,
            colorscale=DIVERGING,
            opacity=0.55,
            colorbar=dict(title=name),
            customdata=z,
            hovertemplate=f"x1=%{{x:.2f}}, x2=%{{y:.2f}}: {name} %{{customdata:.2f}}<extra></extra>",
        )
    )
    sets = [(points_train, y_train, "train", False)] + ([(points_test, y_test, "test", True)] if show_test else [])
    for P, y, which, open_ in sets:
        groups = (
            [(np.ones(len(y), bool), None, which)]
            if regression
            else [(y == k, color, f"{which}: class {k}") for k, color in ((0, DARK_BLUE), (1, DARK_RED))]
        )
        for m, color, label in groups:
            marker = dict(size=7, symbol="circle")
            if regression:
                scale = dict(color=y[m], cmin=lo, cmax=hi, colorscale=DIVERGING)
                marker.update(line=dict(width=1.5, color="black" if open_ else "white"), **scale)
            else:
                marker.update(
                    color="white" if open_ else color,
                    line=dict(width=1.5 if open_ else 0.5, color=color if open_ else "white"),
                )
            fig.add_trace(go.Scatter(x=P[m, 0], y=P[m, 1], mode="markers", name=label, marker=marker))
    fig.update_xaxes(title="x1", range=[xs[0], xs[-1]], constrain="domain")
    fig.update_yaxes(title="x2", range=[ys[0], ys[-1]], scaleanchor="x", constrain="domain")
    fig.update_layout(legend=LEGEND_BELOW)
    return tidy(fig, 480, title=title or None)


def confusion(matrix: np.ndarray, class_names, highlight: tuple[int, int] | None = None) -> go.Figure:
    """Counts with rows = true class, columns = predicted class; the chosen cell outlined."""
    names = [plain_figure(c) for c in class_names]  # a student's class names, shown literally
    fig = go.Figure(
        go.Heatmap(
            z=matrix,
            x=names,
            y=names,
            colorscale="Blues",
            text=matrix,
            texttemplate="%{text}",
            textfont=dict(size=SMALL_TEXT),
            showscale=False,
            hovertemplate="true %{y}, predicted %{x}: %{z}<extra></extra>",
        )
    )
    # Heatmap cells do not report clicks (plotly.js), so an invisible marker sits on each cell to be clicked.
    grid_t, grid_p = np.divmod(np.arange(len(names) ** 2), len(names))
    fig.add_trace(
        go.Scatter(
            x=[names[p] for p in grid_p],
            y=[names[t] for t in grid_t],
            mode="markers",
            marker=dict(size=34, color="rgba(0,0,0,0.01)", symbol="square"),
            showlegend=False,
            hovertemplate="true %{y}, predicted %{x}<extra></extra>",
        )
    )
    if highlight is not None:
        t, p = highlight
        fig.add_shape(type="rect", x0=p - 0.5, x1=p + 0.5, y0=t - 0.5, y1=t + 0.5, line=dict(color=RED, width=4))
    fig.update_xaxes(title="predicted", type="category", side="top")
    fig.update_yaxes(title="true", type="category", autorange="reversed")
    return tidy(fig, 120 + 38 * len(names), legend=False)


def per_class(accuracy: np.ndarray, class_names) -> go.Figure:
    fig = go.Figure(
        go.Bar(
            x=[plain_figure(c) for c in class_names],
            y=accuracy,
            marker_color=GREEN,
            text=[f"{a:.0%}" for a in accuracy],
            textposition="outside",
            cliponaxis=False,
        )
    )
    fig.update_xaxes(type="category", title="class").update_yaxes(range=[0, 1.1], tickformat=".0%", title="accuracy")
    return tidy(fig, 300, legend=False)


def regression_fit(y_true: np.ndarray, y_pred: np.ndarray) -> go.Figure:
    """Predicted against actual (the diagonal is perfect), and the residuals' histogram."""
    fig = make_subplots(1, 2, subplot_titles=("predicted vs actual", "residuals (predicted - actual)"))
    lo, hi = float(min(y_true.min(), y_pred.min())), float(max(y_true.max(), y_pred.max()))
    fig.add_trace(
        go.Scatter(x=y_true, y=y_pred, mode="markers", marker=dict(color=BLUE, size=7, opacity=0.7), showlegend=False),
        1,
        1,
    )
    fig.add_trace(
        go.Scatter(x=[lo, hi], y=[lo, hi], mode="lines", line=dict(color=GREY, dash="dash"), showlegend=False), 1, 1
    )
    residuals = y_pred - y_true
    counts, edges = np.histogram(residuals, bins=30)
    fig.add_trace(go.Bar(x=(edges[:-1] + edges[1:]) / 2, y=counts, marker_color=RED, showlegend=False), 1, 2)
    fig.update_xaxes(title="actual", row=1, col=1).update_yaxes(title="predicted", row=1, col=1)
    fig.update_xaxes(title="residual", row=1, col=2)
    return tidy(fig, 380, legend=False)
