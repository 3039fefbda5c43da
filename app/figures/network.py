"""A network drawn as units and connections (TensorFlow Playground style): edge colour is the sign of a
value (blue negative, red positive), edge width its magnitude; units carry their numbers."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from app.figures.style import tidy

NEG, POS = "#3b6fd4", "#e4572e"


def layer_y(n: int) -> np.ndarray:
    """Heights of a layer's n units, centred on 0, one apart, the first unit on top."""
    return (np.arange(n) - (n - 1) / 2)[::-1]


def _positions(layer_sizes) -> list[np.ndarray]:
    return [np.c_[np.full(n, i), layer_y(n)] for i, n in enumerate(layer_sizes)]


def network_diagram(layer_sizes, edges: list[np.ndarray], nodes: list[np.ndarray], node_title: str,
                    edge_title: str, layer_names=None, edge_labels: bool = True) -> go.Figure:
    """edges[l]: (n_l, n_{l+1}) values on the connections; nodes[l]: (n_l,) values on the units."""
    pos = _positions(layer_sizes)
    scale = max((np.abs(e).max() for e in edges if e.size), default=1.0) or 1.0
    fig = go.Figure()
    label_x, label_y, label_text = [], [], []
    for l, E in enumerate(edges):
        for i in range(E.shape[0]):
            for j in range(E.shape[1]):
                (x0, y0), (x1, y1) = pos[l][i], pos[l + 1][j]
                v = float(E[i, j])
                fig.add_trace(go.Scatter(x=[x0, x1], y=[y0, y1], mode="lines", hoverinfo="text",
                                         text=f"{edge_title}[{i},{j}] = {v:.4f}", showlegend=False,
                                         line=dict(color=POS if v >= 0 else NEG, width=0.5 + 6 * abs(v) / scale)))
                if edge_labels:
                    t = 0.3 + 0.4 * (j / max(1, E.shape[1] - 1)) if E.shape[1] > 1 else 0.5
                    label_x.append(x0 + t * (x1 - x0))
                    label_y.append(y0 + t * (y1 - y0))
                    label_text.append(f"{v:.2f}")
    fig.update_layout(annotations=[dict(x=x, y=y, text=t, showarrow=False, font=dict(size=11, color="#222"),
                                        bgcolor="rgba(255,255,255,0.85)", borderpad=1)
                                   for x, y, t in zip(label_x, label_y, label_text)])
    for l, values in enumerate(nodes):
        fig.add_trace(go.Scatter(
            x=pos[l][:, 0], y=pos[l][:, 1], mode="markers+text", text=[f"{v:.3f}" for v in values],
            textposition="middle center", textfont=dict(size=12, color="#111"), showlegend=False,
            hovertemplate=f"{node_title} = %{{text}}<extra></extra>",
            marker=dict(size=48, color="#f3f5f9", line=dict(width=2, color="#555"))))
    names = layer_names or [f"layer {i}" for i in range(len(layer_sizes))]
    top = max(max(p[:, 1]) for p in pos) + 0.8
    fig.add_trace(go.Scatter(x=list(range(len(layer_sizes))), y=[top] * len(layer_sizes), mode="text", text=names,
                             textfont=dict(size=13), hoverinfo="skip", showlegend=False))
    fig.update_xaxes(visible=False, range=[-0.4, len(layer_sizes) - 0.6])
    fig.update_yaxes(visible=False, range=[-top, top + 0.3])
    return tidy(fig, 120 + 90 * max(layer_sizes), legend=False)


def loss_history(losses: list[float]) -> go.Figure:
    fig = go.Figure(go.Scatter(y=losses, mode="lines+markers", line=dict(color="#3b6fd4", width=3)))
    fig.update_xaxes(title="update").update_yaxes(title="loss on the example")
    return tidy(fig, 260, legend=False)
