"""Figures of the Weights page: weight and bias histograms, kernels as heatmaps, the network drawn with its
weights, one parameter over training, and how the parameter count grows with width (tiles of first-layer
units and conv kernels are the shared `app.figures.images.tiles`). Weights are sent to the browser as float32."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from app.figures.lines import Line, line_chart
from app.figures.network import network_figure
from app.figures.style import BLUE, DIVERGING, ORANGE, tidy
from core.weights import symmetric_limit

KERNEL_COLOR, BIAS_COLOR = BLUE, ORANGE


def weight_histograms(layers, shared: bool) -> go.Figure:
    """Top row: each layer's kernel values; bottom row: its biases. shared: one x range for all, one y
    range per row, so layers compare at a glance."""
    n = len(layers)
    fig = make_subplots(
        2,
        n,
        subplot_titles=[f"{name} kernel" for name, _, _ in layers] + [f"{name} bias" for name, _, _ in layers],
        vertical_spacing=0.2,
        horizontal_spacing=0.25 / n,
        shared_xaxes="all" if shared else False,
        shared_yaxes="rows" if shared else False,
    )
    limit = symmetric_limit(*(a for _, W, b in layers for a in (W, b)))
    for col, (name, W, b) in enumerate(layers, 1):
        for row, values, color in ((1, W, KERNEL_COLOR), (2, b, BIAS_COLOR)):
            bins = int(np.clip(values.size // 3, 8, 40))  # a 10-unit bias gets a few wide bins
            edges = np.linspace(-limit, limit, bins + 1) if shared else np.histogram_bin_edges(values, bins=bins)
            counts, _ = np.histogram(values, bins=edges)
            fig.add_trace(
                go.Bar(
                    x=(edges[:-1] + edges[1:]) / 2,
                    y=counts,
                    width=edges[1] - edges[0],
                    marker_color=color,
                    showlegend=False,
                    hovertemplate=f"{name}: %{{y}} values near %{{x:.3f}}<extra></extra>",
                ),
                row,
                col,
            )
    fig.update_layout(bargap=0)
    fig.update_yaxes(title="count", col=1)
    return tidy(fig, 460, legend=False)


def kernel_heatmap(W: np.ndarray, name: str, limit: float, input_label: str = "input") -> go.Figure:
    """A Dense kernel (inputs, units) as a heatmap, blue negative, red positive, white zero."""
    n_in, n_out = W.shape
    fig = go.Figure(
        go.Heatmap(
            z=W.astype(np.float32, copy=False),
            zmin=-limit,
            zmax=limit,
            zmid=0,
            colorscale=DIVERGING,
            colorbar=dict(title="weight", thickness=14),
            hovertemplate=f"{input_label} %{{y}} → unit %{{x}}: %{{z:.4f}}<extra>{name}</extra>",
        )
    )
    fig.update_yaxes(title=f"{input_label} (row of the kernel)", autorange="reversed", showgrid=False)
    fig.update_xaxes(title="unit (column of the kernel)", showgrid=False, side="top")
    return tidy(fig, int(np.clip(120 + 3.2 * n_in, 320, 900)), legend=False)


def network_weights(layers, input_name: str = "input", max_units: int = 16) -> go.Figure:
    """The Dense layers as units and connections, edges by their weights and units coloured by their bias;
    layers wider than `max_units` are boxes (see `network_figure`)."""
    sizes = [layers[0][1].shape[0]] + [W.shape[1] for _, W, _ in layers]
    names = [f"{name} ({n:,})" for name, n in zip([input_name] + [name for name, _, _ in layers], sizes)]
    return network_figure(
        sizes,
        [W for _, W, _ in layers],
        names,
        units=[None] + [b for _, _, b in layers],
        unit_title="bias",
        edge_title="w",
        max_units=max_units,
    )


def parameter_trace(epochs: np.ndarray, values: np.ndarray, label: str) -> go.Figure:
    """One parameter's value after each recorded epoch."""
    return line_chart(
        [Line(label, epochs, values, KERNEL_COLOR, hover="epoch %{x}: %{y:.5f}<extra></extra>")],
        "epoch",
        label,
        markers=True,
        legend=False,
        epochs=int(epochs[-1]) if len(epochs) else 1,
    )


def totals_by_width(widths: list[int], totals: dict[int, list[int]]) -> go.Figure:
    """Total parameters against hidden-layer width, one line per number of hidden layers (all as wide)."""
    return line_chart(
        [
            Line(
                f"{depth} hidden layer{'s' * (depth > 1)}",
                widths,
                values,
                hover="width %{x}: %{y:,} parameters<extra></extra>",
            )
            for depth, values in totals.items()
        ],
        "units in each hidden layer",
        "parameters",
        markers=True,
        height=380,
        y_format=",",
    )
