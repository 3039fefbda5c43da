"""TensorFlow Playground's network diagram: every unit drawn as a small map of its output over the plane, the
connections as lines coloured by the weight's sign and as thick as its size (hover one for its value). A
Vega-Lite spec, so a training job redraws it in place (see `app.figures.live`); a click on a unit selects it (the
page then shows that unit over the whole plane).

Colours are the boundary's: blue -1 (class 0), white 0, red 1 (class 1). Inputs are shown scaled to their largest
value, hidden units as their activation gives them (clipped to -1..1, as the Playground), the output as P(class
1) from 0 to 1 stretched onto -1..1 (a regression's prediction, clipped).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from app.figures.colors import DARK_BLUE, DARK_RED, INK, NEG, POS, WHITE
from app.figures.live import FONT

if TYPE_CHECKING:
    import pandas as pd

GAP_X, GAP_Y = 2.2, 1.35  # between layers, between units (a unit is 1 x 1)
SELECTION = "unit"


def node_name(layer: str, unit: int) -> str:
    return f"{layer} · unit {unit + 1}"


def _shown(name: str, values: np.ndarray, task: str) -> np.ndarray:
    if name == "input":
        scale = np.abs(values).max(axis=(1, 2), keepdims=True)
        return values / np.where(scale > 0, scale, 1)
    if name == "output" and task == "classification":
        return 2 * values - 1
    return np.clip(values, -1, 1)


def _places(units: list[tuple[str, np.ndarray]]) -> list[np.ndarray]:
    """Each layer's units' lower-left y, centred on 0, the first unit on top."""
    return [((len(v) - 1) / 2 - np.arange(len(v))) * GAP_Y - 0.5 for _, v in units]


def cells_frame(units: list[tuple[str, np.ndarray]], task: str) -> pd.DataFrame:
    """The small maps' cells (x, x2, y, y2, value, node) of `core.plane.units_over_plane`'s layers."""
    import pandas as pd

    frames = []
    for li, ((name, values), ys) in enumerate(zip(units, _places(units))):
        shown = _shown(name, np.asarray(values, np.float32), task)
        n, r = shown.shape[0], shown.shape[1]
        cols, rows = np.meshgrid(np.arange(r), np.arange(r))
        for k in range(n):
            x0, y0 = li * GAP_X, ys[k]
            frames.append(
                pd.DataFrame(
                    {
                        "x": x0 + cols.ravel() / r,
                        "x2": x0 + (cols.ravel() + 1.05) / r,  # a hair over the next cell: no seams
                        "y": y0 + rows.ravel() / r,
                        "y2": y0 + (rows.ravel() + 1.05) / r,
                        "value": shown[k].ravel(),
                        "node": node_name(name, k),
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


def _edges(units: list[tuple[str, np.ndarray]], weights: list[np.ndarray]) -> list[dict]:
    places, rows = _places(units), []
    for li, W in enumerate(weights):
        W = np.asarray(W)
        largest = float(np.abs(W).max()) or 1.0
        for j in range(W.shape[0]):
            for k in range(W.shape[1]):
                w = float(W[j, k])
                rows.append(
                    {
                        "x": li * GAP_X + 1,
                        "x2": (li + 1) * GAP_X,
                        "y": places[li][j] + 0.5,
                        "y2": places[li + 1][k] + 0.5,
                        "w": round(w, 4),
                        "width": 0.5 + 3.5 * abs(w) / largest,
                        "sign": "positive" if w >= 0 else "negative",
                        "edge": f"{node_name(units[li][0], j)} → {node_name(units[li + 1][0], k)}",
                    }
                )
    return rows


def network_spec(
    units: list[tuple[str, np.ndarray]], weights: list[np.ndarray], height: int = 300, selectable: bool = False
) -> dict:
    """The diagram of `units` (see `cells_frame`, the chart's data) and the kernels between them. selectable: a
    click on a unit selects it (the selection named SELECTION, by node)."""
    labels = [
        {"x": li * GAP_X + 0.5, "y": max(_places(units)[li]) + 1.35, "text": name.replace("_", " ")}
        for li, (name, _) in enumerate(units)
    ]
    cells = {
        "mark": {"type": "rect"},
        "encoding": {
            "x": {"field": "x", "type": "quantitative", "axis": None, "scale": {"zero": False, "nice": False}},
            "x2": {"field": "x2"},
            "y": {"field": "y", "type": "quantitative", "axis": None, "scale": {"zero": False, "nice": False}},
            "y2": {"field": "y2"},
            "color": {
                "field": "value",
                "type": "quantitative",
                "scale": {"domain": [-1, 0, 1], "range": [DARK_BLUE, WHITE, DARK_RED]},
                "legend": None,
            },
            "tooltip": [{"field": "node", "title": "unit"}],
        },
    }
    if selectable:  # the chosen unit stands out, the others fade
        cells["params"] = [{"name": SELECTION, "select": {"type": "point", "fields": ["node"]}}]
        cells["encoding"]["opacity"] = {"condition": {"param": SELECTION, "empty": True, "value": 1}, "value": 0.35}
    return {
        "height": height,
        "layer": [  # the cells (the chart's data) first: Streamlit gives its data to the first layer without its own
            cells,
            {
                "data": {"values": _edges(units, weights)},
                "mark": {"type": "rule", "opacity": 0.7},
                "encoding": {
                    "x": {"field": "x", "type": "quantitative"},
                    "x2": {"field": "x2"},
                    "y": {"field": "y", "type": "quantitative"},
                    "y2": {"field": "y2"},
                    "strokeWidth": {"field": "width", "type": "quantitative", "scale": None, "legend": None},
                    "color": {
                        "field": "sign",
                        "type": "nominal",
                        "scale": {"domain": ["negative", "positive"], "range": [NEG, POS]},
                        "legend": None,
                    },
                    "tooltip": [{"field": "edge", "title": "from → to"}, {"field": "w", "title": "weight"}],
                },
            },
            {
                "data": {"values": labels},
                "mark": {"type": "text", "fontSize": FONT, "color": INK, "baseline": "bottom"},
                "encoding": {
                    "x": {"field": "x", "type": "quantitative"},
                    "y": {"field": "y", "type": "quantitative"},
                    "text": {"field": "text"},
                },
            },
        ],
        "resolve": {"scale": {"color": "independent"}},
        "config": {"view": {"stroke": None}},
    }


__all__ = ["SELECTION", "cells_frame", "network_spec", "node_name"]
