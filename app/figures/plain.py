"""Figures written as plain dicts and wrapped once, without plotly's per-property validation.

Plotly's graph-object API validates every property as it is set: the activation page's two panels with their
axis lines took 40 ms to build through `make_subplots`, `add_hline` and `update_layout`, the same figure as a
dict 1 ms. On a class server every student's click pays that, so the figures of the busiest pages are written
this way. `tests/app/test_figures.py` feeds every such builder's output back through plotly's validators, so a
misspelt property still fails a test rather than vanishing in the browser.
"""

from __future__ import annotations

from functools import cache

import plotly.colors
import plotly.graph_objects as go
import plotly.io as pio
from plotly.basedatatypes import convert_to_base64

from app.figures.style import frame


class PlainFigure(go.Figure):
    """A figure kept as the dicts it was written as, for `st.plotly_chart`, which only calls `to_dict` and
    serialises the result. Plotly's own figure would build and validate an object for every trace and apply its
    template as it is made (11% of a page run under bench/classroom.py's browsing, py-spy), and its `to_dict`
    deep-copies every list of numbers and walks the whole template looking for numpy arrays (12% more). Here the
    dicts are copied (only the dicts: plotly writes numpy arrays as typed arrays into them, so the figure itself is
    left as it was; the lists of numbers are shared, read what `to_dict` returns, do not change it) and the
    default template, which holds no arrays, is added after. Plotly's figure is made, once, the first time
    anything else is asked of this one (`fig.data`, `fig.update_layout(...)`): then it is a plotly figure."""

    def __init__(self, plain: dict) -> None:
        self.__dict__["_plain"] = plain  # {"data": [trace dicts], "layout": {...}}, without a template

    def __getattr__(self, name: str):
        # Only for what the instance lacks: before plotly's figure is made, all of plotly's own attributes.
        made = self.__dict__
        if name.startswith("__") or "_plain" not in made or made.get("_made"):
            raise AttributeError(name)
        made["_made"] = True
        go.Figure.__init__(self, made["_plain"], _validate=False)
        return getattr(self, name)

    def to_dict(self) -> dict:
        if self.__dict__.get("_made"):  # changed through plotly's API: its state, its template in it
            data, layout = self._data, self._layout
        else:
            data, layout = self._plain["data"], self._plain["layout"]
        out = {
            "data": [_fresh(t) for t in data],
            "layout": _fresh({k: v for k, v in layout.items() if k != "template"}),
        }
        convert_to_base64(out)  # as plotly's own to_dict
        out["layout"]["template"] = layout.get("template") or _template(pio.templates.default)
        return out


def _fresh(value):
    """`value` with every dict in it new (what convert_to_base64 writes into), everything else shared."""
    if isinstance(value, dict):
        return {k: _fresh(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) and value and isinstance(value[0], (dict, list, tuple)):
        return [_fresh(v) for v in value]
    return value


@cache
def _template(name: str) -> dict:
    """The named template as plotly's figures write it into their layout (shared: read, never changed)."""
    return pio.templates[name].to_plotly_json()


def figure(
    data: list[dict], layout: dict | None = None, *, height: int | None = None, legend: bool = True
) -> PlainFigure:
    """A figure from trace dicts (each with its "type") and a layout dict; the default template applies, and with
    a height the shared frame (`style.frame`, what `style.tidy` sets; the layout's own settings, e.g. its margin,
    win). Settings given as None are left out, as plotly's own constructors leave them out."""
    layout = dict(layout or {})
    if height:
        layout = {**frame(height, legend, bool(layout.get("annotations"))), **layout}
    return PlainFigure({"data": [_set(t) for t in data], "layout": _set(layout)})


def _set(d: dict) -> dict:
    return {k: _set(v) if isinstance(v, dict) else v for k, v in d.items() if v is not None}


@cache
def colorscale(name: str) -> list:
    """A named colour scale as the list plotly.js reads ("RdBu_r" is plotly.py's name, unknown to plotly.js)."""
    return plotly.colors.get_colorscale(name)


def axis_name(kind: str, panel: int) -> str:
    """Layout key of panel `panel`'s (1-based) axis: xaxis, xaxis2, ..."""
    return f"{kind}axis" if panel == 1 else f"{kind}axis{panel}"


def axis_ref(kind: str, panel: int) -> str:
    """A trace's reference to panel `panel`'s axis: x, x2, ..."""
    return kind if panel == 1 else f"{kind}{panel}"


def panels(n: int, titles=None, spacing: float = 0.08) -> dict:
    """The layout of n side-by-side panels, laid out as `make_subplots(1, n)` lays them out."""
    width = (1 - spacing * (n - 1)) / n
    layout: dict = {"annotations": []}
    for i in range(1, n + 1):
        x0 = (i - 1) * (width + spacing)
        layout[axis_name("x", i)] = {"domain": [x0, x0 + width], "anchor": axis_ref("y", i)}
        layout[axis_name("y", i)] = {"domain": [0.0, 1.0], "anchor": axis_ref("x", i)}
        if titles:
            layout["annotations"].append(
                {
                    "text": titles[i - 1],
                    "x": x0 + width / 2,
                    "y": 1.0,
                    "xref": "paper",
                    "yref": "paper",
                    "xanchor": "center",
                    "yanchor": "bottom",
                    "showarrow": False,
                    "font": {"size": 16},
                }
            )
    return layout


def zero_lines(panel: int, line: dict) -> list[dict]:
    """The lines x = 0 and y = 0 across panel `panel`, as `add_vline(x=0)` and `add_hline(y=0)` draw them."""
    x, y = axis_ref("x", panel), axis_ref("y", panel)
    return [
        {"type": "line", "xref": f"{x} domain", "x0": 0, "x1": 1, "yref": y, "y0": 0, "y1": 0, "line": line},
        {"type": "line", "xref": x, "x0": 0, "x1": 0, "yref": f"{y} domain", "y0": 0, "y1": 1, "line": line},
    ]
