"""Shared look: margins, template and colours, so every chart reads the same on a projector."""

from __future__ import annotations

import plotly.graph_objects as go

QUALITATIVE = ("#3b6fd4", "#e4572e", "#29a36a", "#f3a712", "#8e44ad", "#17becf", "#d6336c", "#7f8c8d",
               "#8c564b", "#bcbd22")
DIVERGING = "RdBu_r"        # weights and gradients: blue negative, red positive, white zero


def tidy(fig: go.Figure, height: int = 360, title: str | None = None, legend: bool = True) -> go.Figure:
    top = 40 if title or fig.layout.annotations else 10      # room for a title or subplot titles
    fig.update_layout(template="plotly_white", height=height, margin=dict(l=10, r=10, t=top, b=10),
                      title=title, showlegend=legend, font=dict(size=14))
    return fig


def class_color(i: int) -> str:
    return QUALITATIVE[i % len(QUALITATIVE)]
