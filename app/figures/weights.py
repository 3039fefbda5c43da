"""Figures of the Weights page: weight and bias histograms, kernels as heatmaps, first-layer units and conv
kernels as tiled images, the network drawn with its weights, one parameter over training, and how the
parameter count grows with width. Weights arrive as float32 and are sent to the browser as float32."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from app.figures.data import mosaic
from app.figures.network import NEG, POS, layer_y
from app.figures.style import DIVERGING, class_color, tidy
from core.weights import symmetric_limit

KERNEL_COLOR, BIAS_COLOR, SUMMARY_COLOR = "#3b6fd4", "#f3a712", "#9aa3b5"


def weight_histograms(layers, shared: bool) -> go.Figure:
    """Top row: each layer's kernel values; bottom row: its biases. shared: one x range for all, one y
    range per row, so layers compare at a glance."""
    n = len(layers)
    fig = make_subplots(2, n, subplot_titles=[f"{name} kernel" for name, _, _ in layers] +
                        [f"{name} bias" for name, _, _ in layers], vertical_spacing=0.2,
                        horizontal_spacing=0.25 / n, shared_xaxes="all" if shared else False,
                        shared_yaxes="rows" if shared else False)
    limit = symmetric_limit(*(a for _, W, b in layers for a in (W, b)))
    for col, (name, W, b) in enumerate(layers, 1):
        for row, values, color in ((1, W, KERNEL_COLOR), (2, b, BIAS_COLOR)):
            bins = int(np.clip(values.size // 3, 8, 40))          # a 10-unit bias gets a few wide bins
            edges = np.linspace(-limit, limit, bins + 1) if shared else np.histogram_bin_edges(values, bins=bins)
            counts, _ = np.histogram(values, bins=edges)
            fig.add_trace(go.Bar(x=(edges[:-1] + edges[1:]) / 2, y=counts, width=edges[1] - edges[0],
                                 marker_color=color, showlegend=False,
                                 hovertemplate=f"{name}: %{{y}} values near %{{x:.3f}}<extra></extra>"), row, col)
    fig.update_layout(bargap=0)
    fig.update_yaxes(title="count", col=1)
    return tidy(fig, 460, legend=False)


def kernel_heatmap(W: np.ndarray, name: str, limit: float, input_label: str = "input") -> go.Figure:
    """A Dense kernel (inputs, units) as a heatmap, blue negative, red positive, white zero."""
    n_in, n_out = W.shape
    fig = go.Figure(go.Heatmap(z=W.astype(np.float32, copy=False), zmin=-limit, zmax=limit, zmid=0,
                               colorscale=DIVERGING, colorbar=dict(title="weight", thickness=14),
                               hovertemplate=f"{input_label} %{{y}} → unit %{{x}}: %{{z:.4f}}<extra>{name}</extra>"))
    fig.update_yaxes(title=f"{input_label} (row of the kernel)", autorange="reversed", showgrid=False)
    fig.update_xaxes(title="unit (column of the kernel)", showgrid=False, side="top")
    return tidy(fig, int(np.clip(120 + 3.2 * n_in, 320, 900)), legend=False)


def tiles(images: np.ndarray, limit: float, titles: list[str], columns: int, values: bool = False,
          digits: int = 2, width: int = 720) -> go.Figure:
    """Small signed images (n, h, w) tiled in one heatmap on one colour scale [-limit, limit] centred at zero
    (first-layer units, conv kernels). values: write each cell's number on it (for small kernels).
    width: about how many pixels wide the tiles are drawn, to size the figure's height to fit them."""
    n, h, w = images.shape
    cols = min(columns, n)
    pad = max(1, h // 4)
    grid = mosaic(images.astype(np.float32), cols, pad, fill=np.nan)
    trace = dict(z=grid, zmin=-limit, zmax=limit, zmid=0, colorscale=DIVERGING, hoverongaps=False,
                 colorbar=dict(title="weight", thickness=14), hovertemplate="%{z:.4f}<extra></extra>")
    if values:
        text = np.where(np.isnan(grid), "", np.char.mod(f"%.{digits}f", np.nan_to_num(grid)))
        trace.update(text=text, texttemplate="%{text}", textfont=dict(size=11))
    fig = go.Figure(go.Heatmap(**trace))
    fig.update_layout(annotations=[
        dict(x=pad + (i % cols) * (w + pad) + (w - 1) / 2, y=pad + (i // cols) * (h + pad) - 0.5, text=t,
             showarrow=False, yanchor="bottom", font=dict(size=11, color="#555"))
        for i, t in enumerate(titles)])
    fig.update_yaxes(autorange="reversed", scaleanchor="x", visible=False)
    fig.update_xaxes(visible=False, constrain="domain")
    cell = width / grid.shape[1]                                   # screen pixels per weight
    return tidy(fig, int(grid.shape[0] * cell + 50), legend=False).update_layout(margin=dict(t=24, b=10))


def network_weights(layers, input_name: str = "input", max_units: int = 16) -> go.Figure:
    """The Dense layers as units and connections. Layers of up to `max_units` units are drawn unit by unit,
    each edge coloured by its weight's sign and as thick as its |w| (relative to the largest in that layer),
    each unit coloured by its bias. Larger layers are one box; their connections to a drawn unit are one
    grey line as thick as the mean |w| of that unit's weights to or from the box."""
    sizes = [layers[0][1].shape[0]] + [W.shape[1] for _, W, _ in layers]
    names = [input_name] + [name for name, _, _ in layers]
    drawn = [n <= max_units for n in sizes]
    half = (max([n for n, d in zip(sizes, drawn) if d] + [6]) - 1) / 2       # the boxes' half height
    ys = [layer_y(n) if d else None for n, d in zip(sizes, drawn)]
    fig = go.Figure()
    hover_x, hover_y, hover_text = [], [], []

    def segment_traces(segments, color, width):
        if segments:
            xs = [v for (x0, y0, x1, y1) in segments for v in (x0, x1, None)]
            yv = [v for (x0, y0, x1, y1) in segments for v in (y0, y1, None)]
            fig.add_trace(go.Scatter(x=xs, y=yv, mode="lines", line=dict(color=color, width=width),
                                     hoverinfo="skip", showlegend=False))

    for l, (name, W, _) in enumerate(layers):
        x0, x1 = l + (0 if drawn[l] else 0.12), l + 1 - (0 if drawn[l + 1] else 0.12)
        if drawn[l] and drawn[l + 1]:
            scale = float(np.abs(W).max()) or 1.0
            level = np.minimum(3, (np.abs(W) / scale * 4).astype(int))           # 4 widths, 2 colours: 8 traces
            for sign, color in ((1, POS), (-1, NEG)):
                for k in range(4):
                    i_s, j_s = np.nonzero((level == k) & ((W >= 0) if sign > 0 else (W < 0)))
                    segment_traces([(x0, ys[l][i], x1, ys[l + 1][j]) for i, j in zip(i_s, j_s)], color,
                                   (0.4, 1.0, 2.0, 3.4)[k])
            for i, j in np.ndindex(W.shape):
                hover_x.append((x0 + x1) / 2)
                hover_y.append((ys[l][i] + ys[l + 1][j]) / 2)
                hover_text.append(f"{name}: w[{i}→{j}] = {W[i, j]:.4f}")
        elif drawn[l] or drawn[l + 1]:
            per_unit = np.abs(W).mean(axis=0 if drawn[l + 1] else 1)
            unit_y = ys[l + 1] if drawn[l + 1] else ys[l]
            scale = float(per_unit.max()) or 1.0
            for v, y in zip(per_unit, unit_y):
                yb = float(np.clip(y, -half, half))
                seg = (x0, yb, x1, y) if drawn[l + 1] else (x0, y, x1, yb)
                segment_traces([seg], SUMMARY_COLOR, 0.5 + 4 * v / scale)
                hover_x.append((x0 + x1) / 2)
                hover_y.append((seg[1] + seg[3]) / 2)
                other = sizes[l] if drawn[l + 1] else sizes[l + 1]
                hover_text.append(f"{name}: mean |w| over {other} connections = {v:.4f}")
        else:
            segment_traces([(x0, 0, x1, 0)], SUMMARY_COLOR, 14)
            hover_x.append((x0 + x1) / 2)
            hover_y.append(0)
            hover_text.append(f"{name}: {W.size:,} weights, mean |w| = {np.abs(W).mean():.4f}")
    fig.add_trace(go.Scatter(x=hover_x, y=hover_y, mode="markers", marker=dict(size=10, opacity=0),
                             hovertext=hover_text, hoverinfo="text", showlegend=False))
    biases = [None] + [b for _, _, b in layers]
    limit = symmetric_limit(*biases[1:])
    for l, (n, d) in enumerate(zip(sizes, drawn)):
        if d:
            b = biases[l]
            fig.add_trace(go.Scatter(
                x=np.full(n, l), y=ys[l], mode="markers", showlegend=False,
                marker=dict(size=22, line=dict(width=1.5, color="#444"),
                            color="#ffffff" if b is None else b, colorscale=DIVERGING, cmin=-limit, cmax=limit,
                            showscale=l == len(sizes) - 1, colorbar=dict(title="bias", thickness=14)),
                hovertext=[f"{names[l]} unit {i}" + ("" if b is None else f": bias {b[i]:.4f}") for i in range(n)],
                hoverinfo="text"))
        else:
            fig.add_shape(type="rect", x0=l - 0.12, x1=l + 0.12, y0=-half - 0.4, y1=half + 0.4,
                          fillcolor="#eef1f6", line=dict(color="#444", width=1.5))
            fig.add_annotation(x=l, y=0, text=f"{n:,}<br>{'inputs' if l == 0 else 'units'}", showarrow=False,
                               font=dict(size=13))
    top = max(half, max((len(y) - 1) / 2 for y in ys if y is not None)) + 1.2
    fig.add_trace(go.Scatter(x=list(range(len(sizes))), y=[top] * len(sizes), mode="text", hoverinfo="skip",
                             text=[f"{nm} ({n:,})" for nm, n in zip(names, sizes)], textfont=dict(size=13),
                             showlegend=False))
    fig.update_xaxes(visible=False, range=[-0.4, len(sizes) - 0.6])
    fig.update_yaxes(visible=False, range=[-top + 0.6, top + 0.5])
    return tidy(fig, int(160 + 30 * 2 * top), legend=False)


def parameter_trace(epochs: np.ndarray, values: np.ndarray, label: str) -> go.Figure:
    """One parameter's value after each recorded epoch."""
    fig = go.Figure(go.Scatter(x=epochs, y=values, mode="lines+markers", line=dict(color=KERNEL_COLOR, width=3),
                               marker=dict(size=6), hovertemplate="epoch %{x}: %{y:.5f}<extra></extra>"))
    fig.update_xaxes(title="epoch", dtick=max(1, round(len(epochs) / 10)) if len(epochs) else None)
    fig.update_yaxes(title=label)
    return tidy(fig, 340, legend=False)


def totals_by_width(widths: list[int], totals: dict[int, list[int]]) -> go.Figure:
    """Total parameters against hidden-layer width, one line per number of hidden layers (all as wide)."""
    fig = go.Figure()
    for i, (depth, values) in enumerate(totals.items()):
        fig.add_trace(go.Scatter(x=widths, y=values, mode="lines+markers", name=f"{depth} hidden layer{'s' * (depth > 1)}",
                                 line=dict(color=class_color(i), width=3),
                                 hovertemplate="width %{x}: %{y:,} parameters<extra></extra>"))
    fig.update_xaxes(title="units in each hidden layer").update_yaxes(title="parameters", tickformat=",")
    fig.update_layout(legend=dict(orientation="h", y=-0.25))
    return tidy(fig, 380)
