"""A network drawn as units and connections (TensorFlow Playground style): the one drawer behind the
backpropagation diagrams (weights or gradients, every number written) and the Weights page's diagram (any
size: wide layers become boxes)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from app.figures.plain import colorscale, figure
from app.figures.style import DIVERGING, GREY, INK, NEG, PANEL, POS, SMALL_TEXT, TEXT, WHITE

WIDTHS = (0.4, 1.0, 2.0, 3.4)  # edge widths by |value| quartile of the layer's largest


def written(v: float) -> str:
    """A value written on the diagram to two significant figures: small gradients read 0.0012, never 0.00 or
    -0.00 (a value that rounds to zero is written 0)."""
    text = f"{v:.2g}"
    return "0" if float(text) == 0 else text


def layer_y(n: int) -> np.ndarray:
    """Heights of a layer's n units, centred on 0, one apart, the first unit on top."""
    return (np.arange(n) - (n - 1) / 2)[::-1]


def network_figure(
    sizes: list[int],
    edges: list[np.ndarray],
    names: list[str],
    *,
    units: list[np.ndarray | None] | None = None,
    unit_title: str = "bias",
    edge_title: str = "w",
    write_values: bool = False,
    max_units: int = 16,
) -> go.Figure:
    """sizes: units per layer, inputs first; edges[li]: (sizes[li], sizes[li+1]) values on the connections;
    units[li]: (sizes[li],) values on the units, or None (drawn blank); names: one label per layer.

    Layers of up to `max_units` units are drawn unit by unit: each edge red (positive) or blue (negative), as
    thick as its |value| relative to the largest in its layer; each unit coloured by its value on one scale
    centred at zero. write_values: the numbers are written on units and edges instead (small networks).
    Wider layers are one box; their connections to a drawn unit are one grey line as thick as the mean |value|.
    """
    units = units or [None] * len(sizes)
    drawn = [n <= max_units for n in sizes]
    boxes = [6] if not all(drawn) else []  # a box stands as tall as 6 units
    half = (max([n for n, d in zip(sizes, drawn) if d] + boxes) - 1) / 2
    ys = [layer_y(n) if d else None for n, d in zip(sizes, drawn)]
    data: list[dict] = []
    shapes: list[dict] = []
    notes: list[dict] = []
    hover: list[tuple[float, float, str]] = []
    labels: list[tuple[float, float, str]] = []

    def segments(segs, color, width):
        if segs:
            data.append(
                {
                    "type": "scatter",
                    "x": [v for s in segs for v in (s[0], s[2], None)],
                    "y": [v for s in segs for v in (s[1], s[3], None)],
                    "mode": "lines",
                    "line": {"color": color, "width": width},
                    "hoverinfo": "skip",
                    "showlegend": False,
                }
            )

    for li, E in enumerate(edges):
        x0, x1 = li + (0 if drawn[li] else 0.12), li + 1 - (0 if drawn[li + 1] else 0.12)
        if drawn[li] and drawn[li + 1]:
            level = np.minimum(3, (np.abs(E) / (float(np.abs(E).max()) or 1.0) * 4).astype(int))
            for positive, color in ((True, POS), (False, NEG)):
                for k, width in enumerate(WIDTHS):
                    i_s, j_s = np.nonzero((level == k) & ((E >= 0) if positive else (E < 0)))
                    segments([(x0, ys[li][i], x1, ys[li + 1][j]) for i, j in zip(i_s, j_s)], color, width)
            for i, j in np.ndindex(E.shape):
                hover.append(
                    (
                        (x0 + x1) / 2,
                        (ys[li][i] + ys[li + 1][j]) / 2,
                        f"{names[li + 1]}: {edge_title}[{i}→{j}] = {E[i, j]:.4g}",
                    )
                )
                if write_values:  # spread along the edge so labels of one unit's edges do not overlap
                    t = 0.3 + 0.4 * (j / max(1, E.shape[1] - 1)) if E.shape[1] > 1 else 0.5
                    labels.append((x0 + t * (x1 - x0), ys[li][i] + t * (ys[li + 1][j] - ys[li][i]), written(E[i, j])))
        elif drawn[li] or drawn[li + 1]:
            per_unit = np.abs(E).mean(axis=0 if drawn[li + 1] else 1)
            unit_y, other = (ys[li + 1], sizes[li]) if drawn[li + 1] else (ys[li], sizes[li + 1])
            for v, y in zip(per_unit, unit_y):
                yb = float(np.clip(y, -half, half))
                seg = (x0, yb, x1, y) if drawn[li + 1] else (x0, y, x1, yb)
                segments([seg], GREY, 0.5 + 4 * v / (float(per_unit.max()) or 1.0))
                hover.append(
                    (
                        (x0 + x1) / 2,
                        (seg[1] + seg[3]) / 2,
                        f"{names[li + 1]}: mean |{edge_title}| over {other} connections = {v:.4f}",
                    )
                )
        else:
            segments([(x0, 0, x1, 0)], GREY, 14)
            hover.append(
                ((x0 + x1) / 2, 0, f"{names[li + 1]}: {E.size:,} values, mean |{edge_title}| = {np.abs(E).mean():.4f}")
            )
    data.append(
        {
            "type": "scatter",
            "x": [h[0] for h in hover],
            "y": [h[1] for h in hover],
            "mode": "markers",
            "showlegend": False,
            "marker": {"size": 10, "opacity": 0},
            "hovertext": [h[2] for h in hover],
            "hoverinfo": "text",
        }
    )
    notes += [
        {
            "x": x,
            "y": y,
            "text": t,
            "showarrow": False,
            "font": {"size": SMALL_TEXT, "color": TEXT},
            "bgcolor": "rgba(255,255,255,0.85)",
            "borderpad": 1,
        }
        for x, y, t in labels
    ]
    _units(data, shapes, notes, sizes, drawn, ys, units, names, unit_title, write_values, half)
    top = max(half, max((len(y) - 1) / 2 for y in ys if y is not None)) + 1.2
    data.append(
        {
            "type": "scatter",
            "x": list(range(len(sizes))),
            "y": [top] * len(sizes),
            "mode": "text",
            "text": names,
            "textfont": {"size": SMALL_TEXT},
            "hoverinfo": "skip",
            "showlegend": False,
        }
    )
    layout = {
        "xaxis": {"visible": False, "range": [-0.4, len(sizes) - 0.6]},
        "yaxis": {"visible": False, "range": [-top + 0.6, top + 0.3]},
        "shapes": shapes or None,
        "annotations": notes,
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
    }  # the layer names are the figure's titles
    return figure(data, layout, height=int(100 + (60 if write_values else 30) * 2 * top), legend=False)


def _units(data, shapes, notes, sizes, drawn, ys, units, names, title, write_values, half) -> None:
    limit = max((float(np.abs(u).max()) for u in units if u is not None and u.size), default=0.0) or 1.0
    last_coloured = max((li for li, u in enumerate(units) if u is not None and drawn[li]), default=-1)
    for li, (n, d, values) in enumerate(zip(sizes, drawn, units)):
        if not d:
            shapes.append(
                {
                    "type": "rect",
                    "x0": li - 0.12,
                    "x1": li + 0.12,
                    "y0": -half - 0.4,
                    "y1": half + 0.4,
                    "fillcolor": PANEL,
                    "line": {"color": INK, "width": 1.5},
                }
            )
            notes.append(
                {
                    "x": li,
                    "y": 0,
                    "text": f"{n:,}<br>{'inputs' if li == 0 else 'units'}",
                    "showarrow": False,
                    "font": {"size": SMALL_TEXT},
                }
            )
            continue
        tips = [f"{names[li]} unit {i}" + ("" if values is None else f": {title} {values[i]:.4f}") for i in range(n)]
        marker = dict(size=48 if write_values else 22, line=dict(width=1.5 if not write_values else 2, color=INK))
        if write_values or values is None:
            marker["color"] = PANEL if write_values else WHITE
        else:
            marker.update(
                color=values,
                colorscale=colorscale(DIVERGING),
                cmin=-limit,
                cmax=limit,
                showscale=li == last_coloured,
                colorbar=dict(title=dict(text=title), thickness=14),
            )
        data.append(
            {
                "type": "scatter",
                "x": np.full(n, li),
                "y": ys[li],
                "showlegend": False,
                "marker": marker,
                "hovertext": tips,
                "hoverinfo": "text",
                "mode": "markers+text" if write_values and values is not None else "markers",
                "text": None if values is None else [f"{v:.3f}" for v in values],
                "textposition": "middle center",
                "textfont": {"size": SMALL_TEXT, "color": TEXT},
            }
        )
