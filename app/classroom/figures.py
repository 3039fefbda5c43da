"""The Class results page's figures, as plain dicts (`app.figures.plain`): the class's runs as parameters against
test score, their settings in parallel coordinates, and a question's predictions against the runs' results.
Runs come as the database's rows (`core.classroom.ResultRow`), in plain lists: every open board draws these each
time a run finishes. Every text a student typed or a file named reaches a figure through `plain_figure`."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from app.figures.plain import colorscale, figure
from app.figures.style import LEGEND_BELOW, class_color
from app.messages import plain_figure
from core.classroom import ResultRow

PAD = 1.6  # the parameters' axis reaches this factor past the smallest and largest network
TICKS = ".3~g"  # parallel axes' numbers to 3 significant digits (plotly wrote -2.77517 at each end of an axis)
METRIC_NAMES = {"accuracy": "test accuracy", "r2": "test R²"}
AXES = (  # the parallel-coordinates view's axes: (a run's setting, or its params or epochs; title, log scale)
    ("learning_rate", "log₁₀ lr", True),
    ("batch_size", "log₁₀ batch", True),
    ("layers", "layers", False),
    ("params", "log₁₀ params", True),
    ("epochs", "epochs", False),
)


def score_axis(metric: str) -> str:
    return METRIC_NAMES.get(metric, metric)


def log_ticks(low: float, high: float) -> list[int]:
    """1, 2 and 5 times the powers of ten around [low, high]: a log axis's ticks at its full text size (plotly
    draws its own in-between digits smaller than a projector can show)."""
    low, high = max(1.0, float(low)), max(1.0, float(high))
    ticks = [
        m * 10**k
        for k in range(int(math.floor(math.log10(low))), int(math.ceil(math.log10(high))) + 1)
        for m in (1, 2, 5)
        if low / PAD <= m * 10**k <= high * PAD
    ]
    return ticks if len(ticks) >= 2 else sorted({int(low), int(high), *ticks})


def network(run: ResultRow) -> str:
    """A run's network: "MLP 32-16"."""
    return f"{run.kind.upper()} {run.layers}"


def label(run: ResultRow) -> str:
    """A run as one line: "moons: MLP 32-16 (sklearn)"."""
    return f"{run.dataset}: {network(run)} ({run.backend})"


def scatter(runs: list[ResultRow], colour: str, me: str, height: int = 420) -> go.Figure:
    """Parameters (log) against test score, one trace per `colour` ("dataset" or "kind"), the runs of owner `me`
    as diamonds with a black outline. Each point's customdata is its row id (a click picks the run)."""
    groups: dict[str, list[ResultRow]] = {}
    for r in runs:
        groups.setdefault(r.dataset if colour == "dataset" else r.kind.upper(), []).append(r)
    traces = []
    for i, group in enumerate(sorted(groups)):
        for mine in (False, True):
            points = [r for r in groups[group] if (r.owner == me) == mine]
            if not points:
                continue
            traces.append(
                {
                    "type": "scatter",
                    "mode": "markers",
                    "name": plain_figure(group) + (" (yours)" if mine else ""),
                    "x": [r.params for r in points],
                    "y": [r.test_score for r in points],
                    "customdata": [r.id for r in points],
                    "text": [plain_figure(label(r)) for r in points],
                    "hovertemplate": "%{text}<br>%{x:,} parameters, score %{y:.3f}<extra></extra>",
                    "marker": {
                        "size": 14 if mine else 10,
                        "color": class_color(i),
                        "symbol": "diamond" if mine else "circle",
                        "line": {"width": 2 if mine else 0, "color": "black"},
                    },
                }
            )
    metrics = {r.metric for r in runs}
    metric = metrics.pop() if len(metrics) == 1 else "score"
    low, high = min(r.params for r in runs), max(r.params for r in runs)
    ticks = log_ticks(low, high)
    layout = {
        "xaxis": {
            "type": "log",
            "title": {"text": "parameters (log scale)"},
            "tickvals": ticks,
            "ticktext": [f"{t:,}" for t in ticks],
            "range": [math.log10(max(1, low) / PAD), math.log10(max(1, high) * PAD)],
        },
        "yaxis": {"title": {"text": score_axis(metric)}, "range": [-0.02, 1.02] if metric == "accuracy" else None},
        "legend": LEGEND_BELOW,
        "clickmode": "event+select",
    }
    return figure(traces, layout, height=height)


def _value(run: ResultRow, name: str) -> float:
    """A run's params, epochs or one of its settings as a number (NaN when the run has no such setting)."""
    value = getattr(run, name) if name in ("params", "epochs") else run.settings.get(name)
    return float(value) if isinstance(value, (int, float)) else math.nan


def parallel(runs: list[ResultRow], metric: str, height: int = 420) -> go.Figure:
    """Each run a line through its settings to its test score, coloured by the score."""
    dims = []
    for name, title, log in AXES:
        values = np.array([_value(r, name) for r in runs])
        shown = np.log10(np.maximum(values, 1e-12)) if log else values
        dim = {"label": title, "values": shown.tolist(), "tickformat": TICKS}
        known = shown[np.isfinite(shown)]
        if len(known) and known.min() == known.max():  # every run alike here: one tick, not plotly's 0.9-1.1 scale
            v = float(known[0])
            dim |= {"range": [v - 1, v + 1], "tickvals": [v]}
        dims.append(dim)
    scores = [float(r.test_score) for r in runs]
    dims.append({"label": score_axis(metric), "values": scores, "tickformat": TICKS})
    trace = {
        "type": "parcoords",
        "dimensions": dims,
        "line": {"color": scores, "colorscale": colorscale("Viridis")},
        "labelfont": {"size": 15},
        "tickfont": {"size": 14},
        "rangefont": {"size": 14},
    }
    return figure([trace], {"margin": {"l": 50, "r": 50, "t": 70, "b": 30}}, height=height, legend=False)


def predictions(
    question_choices: tuple[str, ...] | None, pairs: list[tuple], metric: str, height: int = 380
) -> go.Figure:
    """A question's predictions against the results: each run that answered it as (prediction, test score), its
    prediction (x: a choice, or the number) against its score (y); a number question gets the line where
    prediction = result."""
    x = [p for p, _ in pairs]
    y = [score for _, score in pairs]
    trace = {
        "type": "scatter" if question_choices is None else "box",
        "x": [plain_figure(v) for v in x] if question_choices is not None else x,
        "y": y,
        "name": "runs",
        "marker": {"size": 11, "color": class_color(0)},
        "hovertemplate": "predicted %{x}, reached %{y:.3f}<extra></extra>",
    }
    if question_choices is None:
        trace["mode"] = "markers"
    else:
        trace.update({"boxpoints": "all", "pointpos": 0, "jitter": 0.3})
    traces = [trace]
    layout = {
        "xaxis": {"title": {"text": "predicted"}},
        "yaxis": {"title": {"text": score_axis(metric)}, "range": [-0.02, 1.02] if metric == "accuracy" else None},
        "legend": LEGEND_BELOW,
    }
    if question_choices is not None:
        layout["xaxis"].update(
            {"type": "category", "categoryorder": "array", "categoryarray": [plain_figure(c) for c in question_choices]}
        )
    elif pairs:
        low, high = min(*x, *y), max(*x, *y)
        if math.isfinite(low) and math.isfinite(high):
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "x": [low, high],
                    "y": [low, high],
                    "name": "prediction = result",
                    "line": {"dash": "dash", "color": "grey"},
                }
            )
    return figure(traces, layout, height=height, legend=len(traces) > 1)


def answer_counts(question_choices: tuple[str, ...], values: list, height: int = 300) -> go.Figure:
    """How many students predicted each choice (before anyone's result)."""
    counts = [sum(1 for v in values if v == c) for c in question_choices]
    trace = {
        "type": "bar",
        "x": [plain_figure(c) for c in question_choices],
        "y": counts,
        "marker": {"color": class_color(1)},
        "hovertemplate": "%{x}: %{y} students<extra></extra>",
    }
    layout = {"xaxis": {"type": "category"}, "yaxis": {"title": {"text": "students"}, "dtick": 1}}
    return figure([trace], layout, height=height, legend=False)


def answer_numbers(values: list[float], height: int = 300) -> go.Figure:
    """How the students' number predictions spread (before anyone's result)."""
    trace = {
        "type": "histogram",
        "x": [float(v) for v in values],
        "marker": {"color": class_color(1)},
        "hovertemplate": "%{x}: %{y} students<extra></extra>",
    }
    layout = {"xaxis": {"title": {"text": "predicted"}}, "yaxis": {"title": {"text": "students"}, "dtick": 1}}
    return figure([trace], layout, height=height, legend=False)
