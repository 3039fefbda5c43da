"""The "What the network learned" page's figures: a projection of samples as a Vega-Lite scatter (a click picks a
sample; an image set's samples show their picture on hover), and an explanation's map laid over its image."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go

from app.figures.colors import PIXELS, QUALITATIVE
from app.figures.images import png_url
from app.figures.live import FONT
from app.figures.style import tidy

if TYPE_CHECKING:
    import pandas as pd

# An explanation's colours over an image: clear at 0 (the image shows through), red, then yellow at the largest.
HEAT = [[0.0, "rgba(228, 87, 46, 0)"], [0.5, "rgba(228, 87, 46, 0.65)"], [1.0, "rgba(243, 200, 18, 0.95)"]]
SAMPLE = "sample"  # the scatter's selection: a clicked sample, by its index
THUMB = 56  # pixels a side of a hovered sample's picture


def thumbnails(images: np.ndarray) -> list[str]:
    """Images (n, h, w, c) in [0, 1] as small PNG data URLs (black is 0), for a chart's hover."""
    urls = []
    for img in np.clip(np.asarray(images, np.float32), 0, 1):
        pixels = (img[..., 0] if img.shape[-1] == 1 else img) * 255
        urls.append(png_url(pixels.round().astype(np.uint8), THUMB))
    return urls


def points_frame(xy: np.ndarray, labels: list[str] | np.ndarray, images: list[str] | None = None) -> pd.DataFrame:
    """The scatter's data: x, y, the sample's index and label, and its picture (an image set)."""
    import pandas as pd

    frame = pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], "index": np.arange(len(xy)), "label": labels})
    if images is not None:
        frame["image"] = images
    return frame


def projection_spec(title: str, classes: list[str] | None, chosen: int | None, images: bool, height: int = 380) -> dict:
    """Samples in 2-D coloured by class (`classes`, in order) or by their target (None); `chosen` ringed; a click
    selects a sample (the selection SAMPLE, by index). The axes' numbers mean nothing for t-SNE, little for PCA:
    they are hidden."""
    colour = (
        {
            "field": "label",
            "type": "nominal",
            "scale": {"domain": classes, "range": list(QUALITATIVE[: len(classes)])},
            "legend": {"orient": "bottom", "title": None, "labelFontSize": FONT, "columns": min(len(classes), 5)},
        }
        if classes is not None
        else {"field": "label", "type": "quantitative", "scale": {"scheme": "viridis"}, "legend": {"title": "target"}}
    )
    tooltip = [{"field": "index", "title": "test sample"}, {"field": "label", "title": "class" if classes else "y"}]
    if images:
        tooltip.append({"field": "image"})  # vega-tooltip draws a field named "image" as the picture
    points = {
        "mark": {"type": "circle", "size": 36, "opacity": 0.75},
        "params": [{"name": SAMPLE, "select": {"type": "point", "fields": ["index"]}}],
        "encoding": {
            "x": {"field": "x", "type": "quantitative", "axis": None, "scale": {"zero": False}},
            "y": {"field": "y", "type": "quantitative", "axis": None, "scale": {"zero": False}},
            "color": colour,
            "tooltip": tooltip,
        },
    }
    layers = [points]  # the points (the chart's data) first: Streamlit gives its data to the first layer
    if chosen is not None:
        layers.append(
            {
                "transform": [{"filter": f"datum.index == {int(chosen)}"}],
                "mark": {"type": "point", "size": 400, "strokeWidth": 3, "color": "#000000", "filled": False},
                "encoding": {"x": {"field": "x", "type": "quantitative"}, "y": {"field": "y", "type": "quantitative"}},
            }
        )
    return {
        "height": height,
        "title": {"text": title, "fontSize": FONT + 2, "anchor": "start"},
        "layer": layers,
        "config": {"legend": {"labelFontSize": FONT, "titleFontSize": FONT}, "view": {"stroke": "#dddddd"}},
    }


def explained_image(image: np.ndarray, heat: np.ndarray, size: int = 220) -> go.Figure:
    """The image in grey (black is 0, as everywhere) with `heat` (h, w) >= 0 laid over it: clear where the map is
    0, red to yellow where it is largest (its own scale, 0 to the map's largest value, in the colour bar)."""
    grey = np.asarray(image, np.float32)
    grey = grey.mean(axis=-1) if grey.ndim == 3 else grey
    top = float(np.max(heat)) or 1.0
    fig = go.Figure(
        [
            go.Heatmap(
                z=grey, colorscale=PIXELS, zmin=0, zmax=max(float(grey.max()), 1e-6), showscale=False, hoverinfo="skip"
            ),
            go.Heatmap(
                z=np.asarray(heat, np.float32),
                zmin=0,
                zmax=top,
                colorscale=HEAT,
                colorbar={"thickness": 10, "tickformat": ".2g", "len": 0.9},
                hovertemplate="row %{y}, column %{x}: %{z:.3g}<extra></extra>",
            ),
        ]
    )
    fig.update_yaxes(autorange="reversed", scaleanchor="x", visible=False)
    fig.update_xaxes(visible=False, constrain="domain")
    return tidy(fig, size, legend=False).update_layout(margin={"l": 0, "r": 0, "t": 0, "b": 0})
