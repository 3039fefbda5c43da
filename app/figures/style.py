"""Shared look: margins, template and colours (`app.figures.colors`, re-exported), so every chart reads the same
on a projector. Figures name their colours from here, never as hex strings of their own."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

from app.figures.colors import (
    BLUE,
    CONTOUR,
    DARK_BLUE,
    DARK_RED,
    DIVERGING,
    GREEN,
    GREY,
    INK,
    LABEL,
    LIGHT_GREY,
    NEG,
    ORANGE,
    PANEL,
    POS,
    QUALITATIVE,
    RED,
    TEXT,
    TRAIN,
    VALIDATION,
    WHITE,
)

__all__ = [
    "BLUE",
    "CONTOUR",
    "DARK_BLUE",
    "DARK_RED",
    "DIVERGING",
    "GREEN",
    "GREY",
    "INK",
    "LABEL",
    "LIGHT_GREY",
    "NEG",
    "ORANGE",
    "PANEL",
    "POS",
    "QUALITATIVE",
    "RED",
    "TEXT",
    "TRAIN",
    "VALIDATION",
    "WHITE",
    "TEMPLATE",
    "frame",
    "tidy",
    "class_color",
]

TEMPLATE = "plotly_white"

# Every figure starts from this template. Set once, as plotly's default, it costs nothing per figure; assigning it
# in each figure's layout cost 13 ms a figure (plotly validates the whole template on every assignment).
pio.templates.default = TEMPLATE


def frame(height: int, legend: bool = True, room_on_top: bool = False) -> dict:
    """The layout every figure shares: its height, narrow margins (room on top for a title or subplot titles),
    the legend or not, and type large enough for the back of the room."""
    return {
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 40 if room_on_top else 10, "b": 10},
        "showlegend": legend,
        "font": {"size": 14},
    }


def tidy(fig: go.Figure, height: int = 360, title: str | None = None, legend: bool = True) -> go.Figure:
    fig.update_layout(frame(height, legend, bool(title or fig.layout.annotations)))
    if title:
        fig.update_layout(title=dict(text=title))
    return fig


def class_color(i: int) -> str:
    return QUALITATIVE[i % len(QUALITATIVE)]
