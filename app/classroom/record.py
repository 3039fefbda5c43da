"""Every finished run of the Training page and the CNN lab becomes a row of the class's results.

`app.jobs` calls `started(origin)` when a session presses Train (the page's link then, and the teacher's question
the student answered on it) and `finished(...)` when a job's run is collected. A run trained in parts (Play,
Pause, Play; Step) is one row: each part replaces the row of the part before it, its training time added. A run
on an uploaded file is kept out unless the student shares such runs (`SHARE_KEY`): its link cannot reproduce it
for anyone else, and its file name is theirs. A database that does not answer costs the student one notice; the
run itself is theirs as before.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from urllib.parse import urlencode

import streamlit as st

from app.classroom import shared
from app.classroom.predict import answered_question, beside
from core.classroom import ResultRow
from core.datasets.uploads import UPLOAD
from core.errors import NNLabError
from core.experiment import data_name, layers_text
from core.runs import Run
from core.spec import CNNSpec

log = logging.getLogger("nnlab.classroom")
SHARE_KEY = "class_share_uploads"  # the session shares its runs on uploaded files
RECORDED_KEY = "class_recorded"  # {id(run): (its row's id, its training seconds, its question)}
NOTICE_KEY = "class_record_notice"  # why the last run is not in the class's results, for the page to say once
POOLED_PAGES = {"training": "training", "cnn": "cnn", "cnn_mlp": "cnn"}  # a run's page -> the page it was made on
NOT_THE_SAME = {"act", "drop", "noise"}  # named alike on the CNN lab and the Training page, meaning another thing


@dataclass(frozen=True)
class Context:
    """Where a training was started: the page's link and the question answered on it (None: none)."""

    link: str
    question: int | None


def started(origin: str) -> Context:
    """The context of a training the page `origin` starts now."""
    link = shared.page_link(origin)
    return Context(link, answered_question(link))


def settings_of(run: Run) -> dict:
    """The settings the class compares runs by (the parallel-coordinates view's axes, the CSV's column)."""
    exp, c = run.exp, run.exp.config
    spec = exp.spec
    depth = len(spec.conv_filters) + len(spec.dense_layers) if isinstance(spec, CNNSpec) else len(spec.hidden_layers)
    return {
        "activation": spec.activation,
        "optimizer": c.optimizer,
        "learning_rate": c.learning_rate,
        "batch_size": c.batch_size,
        "epochs": c.epochs,
        "layers": depth,
        "l2": c.l2,
        "dropout": spec.dropout,
        "samples": exp.max_samples or 0,
    }


def _with_backend(link: str, backend: str) -> str:
    """The link with the run's own backend ("Train with both backends" runs the page's network on each)."""
    page, params = shared.split_link(link)
    if not page or params.get("backend", backend) == backend:
        return link
    return f"/{page}?{urlencode({**params, 'backend': backend})}"


def _mlp_on_training_page(link: str, mlp: Run) -> str:
    """The CNN lab's MLP of similar size as a link to the Training page, where it is one network among others (the
    lab's own link would open the convnet): the data and training settings of the lab's link, the MLP's network."""
    from app.training.schema import schema as training_schema

    _, params = shared.split_link(link)
    exp, spec = mlp.exp, mlp.exp.spec
    same = set(training_schema().settings) - NOT_THE_SAME  # settings both pages have, meaning the same
    network = {"backend": exp.backend, "depth": len(spec.hidden_layers), "act": spec.activation}
    network |= {f"w{i}": width for i, width in enumerate(spec.hidden_layers, start=1)} | {"opt": exp.config.optimizer}
    return "/training?" + urlencode({k: v for k, v in params.items() if k in same} | network)


def row_of(run: Run, page: str, context: Context, seconds: float) -> ResultRow:
    exp = run.exp
    dataset = f"upload: {data_name(exp)}" if exp.dataset == UPLOAD else exp.dataset
    score = run.test_score if run.status != "diverged" else math.nan
    return ResultRow(
        owner=shared.owner(),
        name=shared.display_name(),
        page=POOLED_PAGES[page],
        dataset=dataset[:100],
        kind=exp.spec.KIND,
        backend=exp.backend,
        layers=layers_text(exp.spec)[:100],
        params=int(run.params),
        settings=settings_of(run),
        epochs=int(run.last_epoch),
        metric=run.metric,
        test_score=float(score),
        seconds=float(seconds),
        link=_mlp_on_training_page(context.link, run)
        if page == "cnn_mlp"
        else _with_backend(context.link, exp.backend),
        lesson=shared.shared().fresh("lesson", lambda db: db.current_lesson(), max_age=2.0),
        question=context.question,
    )


def finished(run: Run, page: str, context: Context | None, goes_on: Run | None) -> None:
    """Add a collected run to the class's results (in place of the row of the run it went on from)."""
    if context is None or page not in POOLED_PAGES or not run.epochs:
        return
    if run.exp.dataset == UPLOAD and not st.session_state.get(SHARE_KEY, False):
        return
    recorded = st.session_state.setdefault(RECORDED_KEY, {})
    before, earlier, _ = recorded.pop(id(goes_on), (None, 0.0, None)) if goes_on is not None else (None, 0.0, None)
    seconds = earlier + float(run.epochs[-1].get("seconds", 0.0))
    try:
        row_id = shared.class_db().add_result(row_of(run, page, context, seconds), replaces=before)
    except NNLabError as exc:
        log.warning("run not added to the class's results: %s", exc)
        st.session_state[NOTICE_KEY] = f"This run is not in the class's results: {exc}"
        return
    recorded[id(run)] = (row_id, seconds, context.question)
    shared.shared().forget("results")


def prediction_beside(run: Run) -> None:
    """Under a finished run on its page: the student's prediction beside its score, if it answered a question."""
    kept = st.session_state.get(RECORDED_KEY, {}).get(id(run))
    if kept is not None:
        beside(kept[2], run.test_score, run.metric)
