"""Figures of the Data page: class counts, image grids, pixel values, flattening, channels, tables."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from app.figures.images import png_image
from app.figures.plain import figure
from app.figures.style import PIXELS, RED, SMALL_TEXT, TRAIN, VALIDATION, class_color, tidy
from app.messages import plain_figure

LUMA = np.array([0.299, 0.587, 0.114])  # ITU-R 601 weights, as PIL and tf.image.rgb_to_grayscale
COUNTS_WRITTEN = 6  # classes whose counts are written over their bars (more would overlap in the narrow chart)
VALUES_SHOWN = 14  # pixels a side with their numbers written on them: "255" in 14 px type fits a cell at 1024 px


def class_counts(class_names, counts) -> go.Figure:
    bars = {
        "type": "bar",
        "x": [plain_figure(c) for c in class_names],
        "y": counts,
        "text": [str(c) for c in counts] if len(counts) <= COUNTS_WRITTEN else None,  # else on hover only
        "textposition": "outside",
        "cliponaxis": False,
        "marker": {"color": [class_color(i) for i in range(len(counts))]},
    }
    layout = {
        "xaxis": {"type": "category", "title": {"text": "class"}},
        "yaxis": {"title": {"text": "samples"}, "range": [0, max(counts) * 1.15]},
    }
    return figure([bars], layout, height=200, legend=False)


def image_values(
    raw: np.ndarray,
    max_value: float,
    decimals: int = 0,
    colors: str | None = None,
    top: int = 0,
    left: int = 0,
) -> go.Figure:
    """Pixels of one image plane with each value written on it (the lessons' `images[0]`): the window of at most
    VALUES_SHOWN x VALUES_SHOWN pixels from row `top` and column `left` (the whole plane when it is that small),
    its axes numbered as in the image, 0 drawn black (`PIXELS`).

    decimals: digits after the point (0 for raw pixels, 2 once divided). colors: a colour scale for one channel of
    a photo."""
    raw = raw[top : top + VALUES_SHOWN, left : left + VALUES_SHOWN]
    h, w = raw.shape
    values = np.round(raw, decimals) if decimals else np.round(raw).astype(int)
    fig = go.Figure(
        go.Heatmap(
            x=np.arange(left, left + w),
            y=np.arange(top, top + h),
            z=raw,
            zmin=0,
            zmax=max_value,
            colorscale=colors or PIXELS,
            text=values,
            texttemplate="%{text}",
            textfont=dict(size=SMALL_TEXT),
            hovertemplate="row %{y}, column %{x}: %{z}<extra></extra>",
            showscale=False,
            xgap=1,
            ygap=1,
        )
    )
    fig.update_yaxes(range=[top + h - 0.5, top - 0.5], scaleanchor="x", constrain="domain", title="row", showgrid=False)
    fig.update_xaxes(range=[left - 0.5, left + w - 0.5], constrain="domain", title="column", side="top", showgrid=False)
    return tidy(fig, 420 if w <= 8 else 600, legend=False)


def values_window(plane: np.ndarray, top: int, left: int) -> go.Figure:
    """The whole image plane, small, with the window `image_values` writes numbers on outlined in red."""
    h, w = plane.shape
    low, high = float(plane.min()), float(plane.max()) or 1.0
    grey = (plane - low) / ((high - low) or 1.0)
    pixels = (grey * 255).astype(np.uint8)
    fig = png_image(pixels)
    size = VALUES_SHOWN - 1
    fig.add_shape(
        type="rect",
        x0=left - 0.5,
        y0=top - 0.5,
        x1=min(w, left + size + 1) - 0.5,
        y1=min(h, top + size + 1) - 0.5,
        line=dict(color=RED, width=3),
    )
    return tidy(fig, 200, legend=False)


def flattened(vector: np.ndarray, row_length: int, max_value: float) -> go.Figure:
    """The flattened image as one long strip; lines and labels show where each image row starts."""
    n = vector.size
    fig = go.Figure(
        go.Heatmap(
            z=vector[None, :],
            zmin=0,
            zmax=max_value,
            colorscale=PIXELS,
            showscale=False,
            hovertemplate="index %{x}: %{z}<extra></extra>",
        )
    )
    rows = n // row_length
    label_every = max(1, rows // 8)
    for r in range(rows):
        fig.add_vline(x=r * row_length - 0.5, line=dict(color=RED, width=1))
        if r % label_every == 0:
            fig.add_annotation(
                x=r * row_length + row_length / 2,
                y=0.75,
                text=f"row {r}",
                showarrow=False,
                yanchor="bottom",
                font=dict(color=RED, size=SMALL_TEXT),
            )
    fig.update_yaxes(visible=False, range=[-0.5, 1.6])
    fig.update_xaxes(title=f"index in the flattened vector (length {n})", range=[-0.5, n - 0.5])
    return tidy(fig, 170, legend=False)


def pixel_histograms(edges: np.ndarray, counts: np.ndarray, scale: float) -> go.Figure:
    """Pixel intensities before (raw, 0..scale) and after scaling to [0, 1]: the same counts, a new axis.

    edges: bin edges in [0, 1]; counts: pixels per bin."""
    centres = (edges[:-1] + edges[1:]) / 2
    fig = make_subplots(
        1, 2, subplot_titles=(f"raw pixel values (0 to {scale:g})", f"after dividing by {scale:g} (0 to 1)")
    )
    for col, x in ((1, centres * scale), (2, centres)):
        fig.add_trace(go.Bar(x=x, y=counts, marker_color=TRAIN, showlegend=False), 1, col)
    fig.update_yaxes(type="log", title="pixels (log scale)", col=1).update_yaxes(type="log", col=2)
    return tidy(fig, 320, legend=False)


def channels(image: np.ndarray) -> go.Figure:
    """A colour image (h, w, 3) in [0, 1] as its red, green and blue channels and its grayscale version."""
    gray = image @ LUMA
    fig = make_subplots(
        1, 4, subplot_titles=("red", "green", "blue", "grayscale 0.299R + 0.587G + 0.114B"), horizontal_spacing=0.02
    )
    for col, (z, scale) in enumerate(
        ((image[..., 0], "Reds"), (image[..., 1], "Greens"), (image[..., 2], "Blues"), (gray, PIXELS)), 1
    ):
        fig.add_trace(
            go.Heatmap(z=z, zmin=0, zmax=1, colorscale=scale, showscale=False, hovertemplate="%{z:.2f}<extra></extra>"),
            1,
            col,
        )
        fig.update_yaxes(autorange="reversed", scaleanchor=f"x{col if col > 1 else ''}", visible=False, row=1, col=col)
        fig.update_xaxes(visible=False, row=1, col=col)
    return tidy(fig, 300, legend=False)


def feature_histograms(X: np.ndarray, names, y: np.ndarray, class_names, columns: int = 4) -> go.Figure:
    """One small histogram per feature; for classification, one colour per class (overlaid)."""
    n = X.shape[1]
    rows = -(-n // columns)
    fig = make_subplots(
        rows,
        columns,
        subplot_titles=[plain_figure(c) for c in names],
        vertical_spacing=0.5 / rows,
        horizontal_spacing=0.04,
    )
    groups = [(c, y == i) for i, c in enumerate(class_names)] if class_names else [("all", np.ones(len(X), bool))]
    for j in range(n):
        edges = np.histogram_bin_edges(X[:, j], bins=20)
        for i, (label, mask) in enumerate(groups):
            counts, _ = np.histogram(X[mask, j], bins=edges)
            fig.add_trace(
                go.Bar(
                    x=(edges[:-1] + edges[1:]) / 2,
                    y=counts,
                    name=plain_figure(label),
                    legendgroup=str(label),
                    marker_color=class_color(i),
                    opacity=0.65,
                    showlegend=j == 0,
                ),
                j // columns + 1,
                j % columns + 1,
            )
    fig.update_layout(barmode="overlay", bargap=0)
    return tidy(fig, 60 + 170 * rows)


def scatter(X2: np.ndarray, y: np.ndarray, class_names, labels=("x1", "x2")) -> go.Figure:
    """Two features against each other, coloured by class (or by value, for regression)."""
    fig = go.Figure()
    if class_names:
        for i, name in enumerate(class_names):
            m = y == i
            fig.add_trace(
                go.Scattergl(
                    x=X2[m, 0],
                    y=X2[m, 1],
                    mode="markers",
                    name=plain_figure(name),
                    marker=dict(color=class_color(i), size=7, line=dict(width=0.5, color="white")),
                )
            )
    else:
        fig.add_trace(
            go.Scattergl(
                x=X2[:, 0],
                y=X2[:, 1],
                mode="markers",
                showlegend=False,
                marker=dict(color=y, colorscale="Viridis", size=7, showscale=True, colorbar=dict(title="target")),
            )
        )
    fig.update_xaxes(title=plain_figure(labels[0])).update_yaxes(title=plain_figure(labels[1]))
    return tidy(fig, 420)


def split_balance(class_names, train_counts, test_counts) -> go.Figure:
    """Share of each class in the training and the test set (stratified: the bars match)."""
    fig = go.Figure()
    for label, counts, color in (("train", train_counts, TRAIN), ("test", test_counts, VALIDATION)):
        share = np.asarray(counts) / max(1, np.sum(counts))
        fig.add_trace(
            go.Bar(
                x=[plain_figure(c) for c in class_names],
                y=share,
                name=f"{label} ({int(np.sum(counts))})",
                marker_color=color,
                hovertemplate="%{x}: %{y:.1%}<extra></extra>",
            )
        )
    fig.update_xaxes(type="category", title="class").update_yaxes(title="share of the set", tickformat=".0%")
    return tidy(fig, 300)


def target_histograms(y_train: np.ndarray, y_test: np.ndarray) -> go.Figure:
    """Regression: the target's distribution in the training and the test set."""
    edges = np.histogram_bin_edges(np.r_[y_train, y_test], bins=30)
    fig = go.Figure()
    for label, values, color in (("train", y_train, TRAIN), ("test", y_test, VALIDATION)):
        counts, _ = np.histogram(values, bins=edges)
        fig.add_trace(
            go.Bar(
                x=(edges[:-1] + edges[1:]) / 2,
                y=counts / max(1, len(values)),
                name=label,
                marker_color=color,
                opacity=0.6,
            )
        )
    fig.update_layout(barmode="overlay", bargap=0)
    fig.update_xaxes(title="target").update_yaxes(title="share of the set", tickformat=".0%")
    return tidy(fig, 300)
