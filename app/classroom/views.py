"""The Class results page's sections: the filters, the live board (every run, settings against the score, the
best runs, predictions against results) and the student's own runs with Withdraw.

The board is drawn by the page run and drawn again only when the class's rows or the answers changed (`watch`: a
student's page looks in the teacher-notice poll it already has, the teacher's every `WATCH_SECONDS`); the server
keeps the rows `ROWS_FRESH` seconds (one query a second for any number of open pages, `shared.Shared.fresh`).
Students see runs without names, their own marked; the teacher sees names. Names and every other typed text are
plain text: tables show cells literally, figures through `plain_figure`, markdown through `plain`.
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import datetime, timedelta, timezone

import pandas as pd
import streamlit as st

from app.classroom import figures, follow, shared
from app.classroom.record import SHARE_KEY
from app.classroom.schema import EVERY, RESULTS, SINCE
from app.messages import plain
from app.settings import offer, radio, selectbox
from app.tables import browse
from core.classroom import ClassDB, ResultRow
from core.errors import NNLabError

WATCH_SECONDS = 2.0  # how often an open board looks for new runs and answers; it is drawn again only when some came
ROWS_FRESH = 1.0  # seconds the server keeps the class's rows
PICKED_KEY = "results_picked"  # the run a click on the scatter picked (its row id)


def class_rows() -> list[ResultRow]:
    return shared.shared().fresh("results", lambda db: db.results(), max_age=ROWS_FRESH)


def sidebar() -> dict:
    """The name box, sharing uploads, and the filters (lessons and datasets offered from the database)."""
    shared.name_box()
    st.toggle(
        "Share my runs on my own uploaded files",
        key=SHARE_KEY,
        help="Off: runs on a file you uploaded stay yours (the class sees no file name).",
    )
    s = RESULTS.settings
    lessons = (EVERY, *shared.shared().fresh("lessons", lambda db: db.lessons(), 2.0))
    datasets = (EVERY, *sorted({r.dataset for r in class_rows()}))
    offer(s["lesson"], lessons, EVERY)
    offer(s["data"], datasets, EVERY)
    every = {"lesson": "every lesson", "data": "every dataset"}
    selectbox(s["lesson"], options=lessons, format_func=lambda v: every["lesson"] if v == EVERY else v)
    selectbox(s["data"], options=datasets, format_func=lambda v: every["data"] if v == EVERY else v)
    radio(s["since"])
    radio(s["colour"])
    return RESULTS.values()


def filtered(rows: list[ResultRow], chosen: dict) -> list[ResultRow]:
    """The rows under the sidebar's filters. Plain lists, not a DataFrame: a board is drawn in every open page
    each time a run finishes, and pandas' per-call cost on a few dozen rows was most of its time."""
    seconds = SINCE.get(chosen["since"])
    after = None if seconds is None else datetime.now(timezone.utc) - timedelta(seconds=seconds)
    return [
        r
        for r in rows
        if chosen["lesson"] in (EVERY, r.lesson)
        and chosen["data"] in (EVERY, r.dataset)
        and (after is None or r.created >= after)
    ]


def _count(n: int, what: str) -> str:
    return f"{n:,} {what}{'' if n == 1 else 's'}"


def _pick() -> None:
    points = st.session_state.get("results_scatter", {}).get("selection", {}).get("points", [])
    if points and points[0].get("customdata") is not None:
        data = points[0]["customdata"]
        st.session_state[PICKED_KEY] = int(data[0] if isinstance(data, list) else data)


def _who(run: ResultRow, names: bool) -> str:
    return "you" if run.owner == shared.owner() else (run.name if names else "a classmate")


def _number(run: ResultRow, name: str) -> str:
    value = run.settings.get(name)
    return f"{value:g}" if isinstance(value, (int, float)) else "?"


def picked_run(runs: list[ResultRow], names: bool) -> None:
    """The run a click picked: what it was, and "Try this run" (its page with its settings, in this tab)."""
    run = next((r for r in runs if r.id == st.session_state.get(PICKED_KEY)), None)
    if run is None:
        st.caption("Click a point to see that run's settings and try it yourself.")
        return
    score = "no score" if math.isnan(run.test_score) else f"{figures.score_axis(run.metric)} {run.test_score:.3f}"
    words = "".join(f", {plain(str(run.settings[n]))}" for n in ("activation", "optimizer") if run.settings.get(n))
    st.markdown(
        f"**Picked: {plain(figures.label(run))}**, by {plain(_who(run, names))}: {run.params:,} parameters, "
        f"{run.epochs:,} epochs, {plain(score)}, learning rate {_number(run, 'learning_rate')}, "
        f"batch {_number(run, 'batch_size')}{words}."
    )
    if st.button("Try this run", type="primary", icon=":material/replay:", key="results_try"):
        shared.open_link(run.link)


def best_runs(runs: list[ResultRow], names: bool) -> None:
    """The best run of each dataset, with its link."""
    best: dict[str, ResultRow] = {}
    for r in runs:
        if not math.isnan(r.test_score) and (r.dataset not in best or r.test_score > best[r.dataset].test_score):
            best[r.dataset] = r
    if not best:
        return
    chosen = [best[d] for d in sorted(best)]
    shown = pd.DataFrame(
        {
            "dataset": [r.dataset for r in chosen],
            "score": [round(r.test_score, 3) for r in chosen],
            "network": [figures.network(r) for r in chosen],
            "parameters": [r.params for r in chosen],
            "by": [_who(r, names) for r in chosen],
            "try it": [r.link for r in chosen],
        }
    )
    with browse("best_runs"):
        st.dataframe(
            shown,
            hide_index=True,
            width="stretch",
            column_config={
                "score": st.column_config.NumberColumn("score", help="Test accuracy, or test R² for regression"),
                "try it": st.column_config.LinkColumn("try it", display_text="open"),
            },
        )


def _questions() -> list:
    return shared.shared().fresh("all_questions", lambda db: db.questions(open_only=False), 2.0)


def _answers(question) -> list:
    return shared.shared().fresh(f"answers_{question.id}", lambda db: db.answers(question.id), 2.0)


def class_state(rows: list[ResultRow]) -> tuple:
    """What the board draws changes with: the class's rows, the questions and the newest ones' answers."""
    asked = _questions()
    return (tuple(r.id for r in rows), tuple((q.id, q.is_open, len(_answers(q))) for q in asked[-3:]), len(asked))


def predictions(runs: list[ResultRow], lesson: str) -> None:
    """Each question of the lesson: what the class predicted, and the runs it predicted for."""
    try:
        asked = [q for q in _questions() if lesson in (EVERY, q.lesson)]
    except NNLabError:
        return
    if not asked:
        return
    st.subheader("Predictions against results")
    for q in reversed(asked[-3:]):  # the three newest
        answers = _answers(q)
        said = {a.owner: a.value for a in answers}
        after = [r for r in runs if r.question == q.id]
        pairs = [(said[r.owner], r.test_score) for r in after if r.owner in said and not math.isnan(r.test_score)]
        st.markdown(f"**{plain(q.text)}** {_count(len(said), 'prediction')}, {_count(len(pairs), 'run')} after one.")
        left, right = st.columns(2)
        predicted = list(said.values())
        if q.choices is not None:
            left.plotly_chart(figures.answer_counts(q.choices, predicted), key=f"results_answers_{q.id}")
        elif predicted:
            left.plotly_chart(figures.answer_numbers(predicted), key=f"results_answers_{q.id}")
        metric = after[0].metric if after else "accuracy"
        if pairs:
            right.plotly_chart(figures.predictions(q.choices, pairs, metric), key=f"results_pairs_{q.id}")
        else:
            right.caption("No run made after a prediction yet.")


def changed_since(shown: tuple) -> bool:
    """Whether runs or answers came since the board drew `shown` (a failed read: no)."""
    try:
        return class_state(class_rows()) != shown
    except NNLabError:
        return False


@st.fragment(run_every=WATCH_SECONDS)
def _watch(shown: tuple) -> None:
    if changed_since(shown):
        st.rerun()


def watch(shown: tuple | None, own_timer: bool) -> None:
    """While the board is open, the page runs again when runs or answers came since it was drawn (a few ms a look;
    a board redrawn on a timer whether or not anything came cost a class of 20 its page times). A student's page
    already polls every 1.5 s for the teacher's view, and that poll looks (`follow.watch_here`); the teacher's
    page, which has no such poll, gets its own timer."""
    if shown is None:
        return
    if own_timer:
        _watch(shown)
    else:
        follow.watch_here("results", lambda: changed_since(shown))


def board(chosen: dict, names: bool) -> tuple | None:
    """Every run of the class under the filters; what it drew (for `watch`), None when the database failed."""
    try:
        rows = class_rows()
        drawn = class_state(rows)
    except NNLabError as exc:
        st.error(plain(str(exc)), icon=":material/error:")
        return None
    _board(filtered(rows, chosen), chosen, names)
    return drawn


def _board(runs: list[ResultRow], chosen: dict, names: bool) -> None:
    if not runs:
        st.info(
            "No runs here yet. Every finished run of the Training page and the CNN lab appears here within a few "
            "seconds: train one, or widen the filters in the sidebar.",
            icon=":material/groups:",
        )
        return
    me = shared.owner()
    c = st.columns(3)
    c[0].metric("Runs", f"{len(runs):,}")
    c[1].metric("Students", f"{len({r.owner for r in runs}):,}")
    c[2].metric("Your runs", f"{sum(r.owner == me for r in runs):,}")
    st.plotly_chart(
        figures.scatter(runs, "dataset" if chosen["colour"] == "dataset" else "kind", me),
        key="results_scatter",
        on_select=_pick,
        selection_mode="points",
    )
    picked_run(runs, names)
    metric = Counter(r.metric for r in runs).most_common(1)[0][0]
    same = [r for r in runs if r.metric == metric]
    if len(same) >= 2:
        st.subheader("Settings against the score")
        st.caption(
            f"Each line is one run ({len(same):,} with a {figures.score_axis(metric)}): drag along an axis to keep "
            "only the runs in that range."
        )
        st.plotly_chart(figures.parallel(same, metric), key="results_parallel")
    st.subheader("Best run of each dataset")
    best_runs(runs, names)
    predictions(runs, chosen["lesson"])


def _withdraw(db: ClassDB) -> None:
    chosen = st.session_state.get("results_withdraw_ids", [])
    gone = sum(db.withdraw(i, shared.owner()) for i in chosen)
    shared.shared().forget("results")
    st.session_state["results_withdraw_ids"] = []
    st.session_state["results_withdrawn"] = f"Withdrew {gone} run{'s' if gone != 1 else ''} from the class's results."


def your_runs(db: ClassDB) -> None:
    """The session's own runs, any of which it can take out of the class's results."""
    if done := st.session_state.pop("results_withdrawn", ""):
        st.success(done, icon=":material/check:")
    try:
        rows = [r for r in class_rows() if r.owner == shared.owner()]
    except NNLabError:
        return
    if not rows:
        return
    st.subheader("Your runs")
    labels = {
        r.id: f"{figures.label(r)}, {r.epochs} epochs, score "
        + ("none" if math.isnan(r.test_score) else f"{r.test_score:.3f}")
        for r in rows
    }
    row = st.container(horizontal=True, vertical_alignment="bottom")
    row.multiselect(
        "Take runs out of the class's results",
        list(labels),
        format_func=labels.get,  # options are plain text (no markdown)
        key="results_withdraw_ids",
        placeholder="Choose your runs",
    )
    row.button(
        "Withdraw",
        icon=":material/undo:",
        disabled=not st.session_state.get("results_withdraw_ids"),
        key="results_withdraw",
        on_click=_withdraw,
        args=(db,),
    )
