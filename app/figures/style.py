"""Shared look: margins, template and colours (`app.figures.colors`, re-exported), so every chart reads the same
on a projector. Figures name their colours from here, never as hex strings of their own."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from app.figures.colors import (
    BLUE,
    CONTOUR,
    DARK_BLUE,
    DARK_IS_ZERO,
    DARK_RED,
    DIVERGING,
    GREEN,
    GREY,
    INK,
    LABEL,
    LIGHT_GREY,
    MAPS,
    NEG,
    ORANGE,
    PANEL,
    PIXELS,
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
    "DARK_IS_ZERO",
    "DARK_RED",
    "DIVERGING",
    "GREEN",
    "GREY",
    "INK",
    "LABEL",
    "LIGHT_GREY",
    "MAPS",
    "NEG",
    "ORANGE",
    "PANEL",
    "PIXELS",
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
    "LEGEND_BELOW",
    "SMALL_TEXT",
]

TEMPLATE = "plotly_white"

# Every figure starts from this template. Set once, as plotly's default, it costs nothing per figure; assigning it
# in each figure's layout cost 13 ms a figure (plotly validates the whole template on every assignment).
pio.templates.default = TEMPLATE


# The smallest text a figure writes (a tile's title, a cell's value, a number in a diagram), in px: readable from
# the back of the room, presented or not (presentation mode enlarges axes' text, not these).
SMALL_TEXT = 14

# A horizontal legend under the figure, at the bottom of its box: plotly makes room for it below the axis title.
# Placed under the plot area instead (y < 0 of the plot), it sat over the x axis's title once the title was larger
# (presentation mode) or the plot shorter. Its type is as large as presentation mode's axis titles, set here rather
# than by the page's CSS: plotly spaces the entries by the size it draws them at.
LEGEND_BELOW = {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "font": {"size": 16}}


def frame(height: int, legend: bool = True, room_on_top: bool = False) -> dict:
    """The layout every figure shares: its height, narrow margins (room on top for a title or subplot titles),
    the legend or not, and type large enough for the back of the room."""
    return {
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 40 if room_on_top else 10, "b": 10},
        "showlegend": legend,
        "font": {"size": 14},
        "uniformtext": {"minsize": SMALL_TEXT, "mode": "show"},  # else plotly shrinks a bar's text to its width
    }


def tidy(fig: go.Figure, height: int = 360, title: str | None = None, legend: bool = True) -> go.Figure:
    fig.update_layout(frame(height, legend, bool(title or fig.layout.annotations)))
    if title:
        fig.update_layout(title=dict(text=title))
    return fig


def value_scale(z, unsigned=MAPS, centred: bool = False) -> dict:
    """A heatmap's colours for values, the one convention (DARK_IS_ZERO): from 0 (dark) to the largest value in
    `unsigned`, or blue-red around a white 0 when any value is negative (always, if `centred`: weights). NaN gaps
    are ignored."""
    limit = float(np.nanmax(np.abs(z))) or 1.0
    if centred or float(np.nanmin(z)) < 0:
        return dict(colorscale=DIVERGING, zmin=-limit, zmax=limit)
    return dict(colorscale=unsigned, zmin=0.0, zmax=limit)


def class_color(i: int) -> str:
    return QUALITATIVE[i % len(QUALITATIVE)]
