"""Shared look: margins, template and colours, so every chart reads the same on a projector. Figures name
their colours from here, never as hex strings of their own."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

BLUE, RED, GREEN, ORANGE = "#3b6fd4", "#e4572e", "#29a36a", "#f3a712"
QUALITATIVE = (BLUE, RED, GREEN, ORANGE, "#8e44ad", "#17becf", "#d6336c", "#7f8c8d", "#8c564b", "#bcbd22")
DARK_BLUE, DARK_RED = "#2c5aa0", "#c0392b"            # class 0 / class 1 points on a blue-red background
GREY, LIGHT_GREY, PANEL, INK = "#9aa3b5", "#bbbbbb", "#eef1f6", "#444444"
TEXT, LABEL, WHITE, CONTOUR = "#222222", "#555555", "#ffffff", "#8c9bbd"    # numbers, tile titles, fills
NEG, POS = BLUE, RED                                 # the sign of a weight or a gradient on edges
TRAIN, VALIDATION = BLUE, RED                         # training and validation (or test) curves and bars
DIVERGING = "RdBu_r"        # weights and gradients: blue negative, red positive, white zero
TEMPLATE = "plotly_white"

# Every figure starts from this template. Set once, as plotly's default, it costs nothing per figure; assigning it
# in each figure's layout cost 13 ms a figure (plotly validates the whole template on every assignment).
pio.templates.default = TEMPLATE


def frame(height: int, legend: bool = True, room_on_top: bool = False) -> dict:
    """The layout every figure shares: its height, narrow margins (room on top for a title or subplot titles),
    the legend or not, and type large enough for the back of the room."""
    return {"height": height, "margin": {"l": 10, "r": 10, "t": 40 if room_on_top else 10, "b": 10},
            "showlegend": legend, "font": {"size": 14}}


def tidy(fig: go.Figure, height: int = 360, title: str | None = None, legend: bool = True) -> go.Figure:
    fig.update_layout(frame(height, legend, bool(title or fig.layout.annotations)))
    if title:
        fig.update_layout(title=dict(text=title))
    return fig


def class_color(i: int) -> str:
    return QUALITATIVE[i % len(QUALITATIVE)]
