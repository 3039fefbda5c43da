"""Figures of the CNN lab: feature maps as one tiled heatmap per layer, first-layer filters in colour, the input
image, dense activations and class probabilities, and one convolution's numbers."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from app.figures.images import mosaic, png_image
from app.figures.style import BLUE, GREEN, LABEL, ORANGE, PIXELS, RED, SMALL_TEXT, tidy, value_scale
from app.messages import plain_figure

TITLED = 16  # grids of up to this many maps name each map (more would crowd the figure)


def map_grid(maps: np.ndarray, columns: int | None = None, width: int = 760) -> go.Figure:
    """A layer's maps (h, w, c) as c tiles on one colour scale: dark near 0, bright where the filter fired
    (a diverging scale when the activation is negative too)."""
    h, w, c = maps.shape
    cols = min(columns or (8 if c <= 32 else 16), c)
    pad = max(1, h // 6)
    grid = mosaic(np.moveaxis(maps, -1, 0).astype(np.float32), cols, pad, fill=np.nan)
    number = mosaic(np.broadcast_to(np.arange(c, dtype=np.float32)[:, None, None], (c, h, w)), cols, pad, fill=np.nan)
    fig = go.Figure(
        go.Heatmap(
            z=grid,
            **value_scale(grid),
            hoverongaps=False,
            colorbar=dict(title="value", thickness=12),
            customdata=number,
            hovertemplate="filter %{customdata:.0f}: %{z:.3f}<extra></extra>",
        )
    )
    if c <= TITLED:
        fig.update_layout(
            annotations=[
                dict(
                    x=pad + (i % cols) * (w + pad) + (w - 1) / 2,
                    y=pad + (i // cols) * (h + pad) - 0.5,
                    text=str(i),
                    showarrow=False,
                    yanchor="bottom",
                    font=dict(size=SMALL_TEXT, color=LABEL),
                )
                for i in range(c)
            ]
        )
    fig.update_yaxes(autorange="reversed", scaleanchor="x", visible=False)
    fig.update_xaxes(visible=False, constrain="domain")
    cell = width / grid.shape[1]
    return tidy(fig, int(grid.shape[0] * cell + 40), legend=False).update_layout(margin=dict(t=20, b=10))


def input_image(x: np.ndarray, title: str = "") -> go.Figure:
    """The image the network sees (h, w, c) in [0, 1], grey or colour, pixel by pixel."""
    pixels = (np.clip(x, 0, 1) * 255).astype(np.uint8)
    fig = png_image(pixels[..., 0] if pixels.shape[-1] == 1 else pixels)
    return tidy(fig, 240, title=title or None, legend=False).update_layout(margin=dict(l=0, r=0, b=0))


def bars(
    values: np.ndarray, names: list[str], title: str, highlight: int | None = None, percent: bool = False
) -> go.Figure:
    """One bar per unit or class (dense activations, class probabilities); `highlight` in orange."""
    colors = [ORANGE if i == highlight else BLUE for i in range(len(values))]
    fig = go.Figure(
        go.Bar(
            x=[plain_figure(n) for n in names],
            y=values,
            marker_color=colors,
            text=[f"{v:.0%}" if percent else f"{v:.2f}" for v in values],
            textposition="outside",
            cliponaxis=False,
        )
    )
    fig.update_xaxes(type="category", title=title)
    fig.update_yaxes(range=[0, 1.1] if percent else None, tickformat=".0%" if percent else None)
    return tidy(fig, 280, legend=False)


def conv_step(
    patch: np.ndarray, kernel: np.ndarray, products: np.ndarray, patch_scale: dict | None = None
) -> go.Figure:
    """For one input channel: the input patch (0 black, as the image; signed maps blue-red; `patch_scale`: the
    colours of the input it was cut from, so it looks as it does there), the kernel and their element-wise
    products, with the numbers."""
    fig = make_subplots(1, 3, subplot_titles=("input patch", "kernel", "patch × kernel"), horizontal_spacing=0.06)
    scales = (
        patch_scale or value_scale(patch, PIXELS),
        value_scale(kernel, centred=True),
        value_scale(products, centred=True),
    )
    for col, (z, scale) in enumerate(zip((patch, kernel, products), scales), 1):
        fig.add_trace(
            go.Heatmap(
                z=z,
                text=np.round(z, 3),
                texttemplate="%{text}",
                textfont=dict(size=SMALL_TEXT),
                **scale,
                showscale=False,
                xgap=2,
                ygap=2,
                hovertemplate="%{z:.4f}<extra></extra>",
            ),
            1,
            col,
        )
        fig.update_yaxes(autorange="reversed", scaleanchor=f"x{col if col > 1 else ''}", visible=False, row=1, col=col)
        fig.update_xaxes(visible=False, row=1, col=col)
    return tidy(fig, 320, legend=False)


def pool_window(window: np.ndarray, where: tuple[int, int], scale: dict | None = None) -> go.Figure:
    """A pooling window with its values; the max outlined. `scale`: the colours of the map it was cut from."""
    fig = go.Figure(
        go.Heatmap(
            z=window,
            text=np.round(window, 3),
            texttemplate="%{text}",
            textfont=dict(size=16),
            **(scale or value_scale(window)),
            showscale=False,
            xgap=2,
            ygap=2,
        )
    )
    r, c = where
    fig.add_shape(type="rect", x0=c - 0.5, x1=c + 0.5, y0=r - 0.5, y1=r + 0.5, line=dict(color=RED, width=4))
    fig.update_yaxes(autorange="reversed", scaleanchor="x", visible=False).update_xaxes(visible=False)
    return tidy(fig, 220, legend=False)


def size_comparison(cnn: int, mlp: int, mlp_label: str) -> go.Figure:
    """The convnet's parameters beside the MLP of similar size."""
    fig = go.Figure(
        go.Bar(
            x=["this convnet", mlp_label],
            y=[cnn, mlp],
            marker_color=[GREEN, BLUE],
            text=[f"{cnn:,}", f"{mlp:,}"],
            textposition="outside",
            cliponaxis=False,
        )
    )
    fig.update_yaxes(title="parameters", range=[0, max(cnn, mlp) * 1.2], tickformat=",")
    return tidy(fig, 260, legend=False)


def outlined(
    z: np.ndarray, box: tuple[int, int, int, int], title: str, scale: dict, clickable: bool = False
) -> go.Figure:
    """A map or an image channel (h, w) as a heatmap on `scale` (`value_scale`: dark is 0), the rectangle `box`
    (row, column, rows, columns) outlined in red; cells not computed yet (NaN) left blank. clickable: an invisible
    marker on each cell reports a click (plotly heatmaps report none), its x the column and y the row."""
    h, w = z.shape
    fig = go.Figure(
        go.Heatmap(
            z=z,
            **scale,
            hoverongaps=False,
            showscale=True,
            colorbar=dict(thickness=10, len=0.9),
            hovertemplate="row %{y}, column %{x}: %{z:.4f}<extra></extra>",
        )
    )
    if clickable:
        rows, cols = np.divmod(np.arange(h * w), w)
        fig.add_trace(
            go.Scatter(
                x=cols,
                y=rows,
                mode="markers",
                marker=dict(size=max(6, 200 // max(h, w)), color="rgba(0,0,0,0.01)", symbol="square"),
                showlegend=False,
                hovertemplate="row %{y}, column %{x}<extra></extra>",
            )
        )
    r, c, kh, kw = box
    fig.add_shape(type="rect", x0=c - 0.5, x1=c + kw - 0.5, y0=r - 0.5, y1=r + kh - 0.5, line=dict(color=RED, width=3))
    fig.update_yaxes(autorange="reversed", scaleanchor="x", visible=False, range=[h - 0.5, -0.5])
    fig.update_xaxes(visible=False, constrain="domain", range=[-0.5, w - 0.5])
    return tidy(fig, 300, title=title, legend=False).update_layout(margin=dict(l=0, r=0, b=0, t=40))
