"""A session's training, as jobs on the class server's queue (`core.classserver.jobs`): what a page calls to train, follow
the training live, stop it, and keep its result.

    start_training([(exp, "training")], data, boundary=True)   # queued; several run one after the other
    follow_training(where)                 # on the page that trains: place in line, live curves, Stop
    background_status()                    # on every other page: a line in the sidebar while it trains

The board is one per server process (`job_board`), created with the first page run and kept across
`st.cache_resource.clear()`: it owns the Dask cluster's subprocesses. Redraws are paced by time: a fragment
polls the job a few times a second and redraws its charts under the same keys, so a chart is updated in place,
never remounted. The page's other widgets stay responsive while it trains, and a click anywhere does not stop
the training. A page that stops polling (tab closed) has its job cancelled by the board within seconds.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field

import streamlit as st

from app.classroom import record
from app.figures import live, units
from app.session import add_to_history, is_teacher, session_id, set_current_run, set_page_run
from core.classserver.cluster import Cluster
from core.classserver.job import DONE, RUNNING, WAITING, Job
from core.classserver.jobs import JobBoard
from core.classserver.training_job import JobLimits
from core.errors import NNLabError
from core.experiment import Experiment, PreparedData
from core.metrics import score_name
from core.runs import Resume, Run

POLL_SECONDS, WAIT_POLL_SECONDS = 0.3, 1.0  # redraws while training; place-in-line updates while waiting
# Seconds after the first page before the cluster starts (sooner if a training asks for it): importing Dask and
# starting its processes at once made a new server's first page 0.3-0.5 s slower (bench/browser_speed.py).
CLUSTER_START_AFTER = 3.0
PLAN_KEY = "nnlab_training_plan"
ERROR_KEY = "nnlab_training_error"  # a refused or failed job's message, until the page shows it
QUICK_TIMEOUT = 120.0


@functools.cache
def job_board() -> JobBoard:
    """The server's one queue and cluster (NNLAB_SCHEDULER, or a local cluster started in the background), with
    the teacher's time limit (NNLAB_MAX_TRAIN_SECONDS)."""
    return JobBoard(Cluster.from_env(start_after=CLUSTER_START_AFTER), JobLimits.from_env())


def connection_alive():
    """Whether this session's websocket is still open, as a check the board can call from any thread (None
    outside a Streamlit server): a background tab's throttled polls or a frozen tab do not lose its job."""
    from streamlit.runtime import Runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None or not Runtime.exists():
        return None
    runtime, session = Runtime.instance(), ctx.session_id
    return lambda: runtime.is_active_session(session)


@dataclass(eq=False)
class Plan:
    """What a session trains next: (experiment, page) steps, one job at a time, on the same data."""

    steps: list[tuple[Experiment, str]]
    data: PreparedData
    boundary: bool
    origin: str  # the page that started it ("training", "cnn"): where it draws
    job: Job | None = None
    page: str = ""  # the page the current job's run belongs to
    results: list[Run] = field(default_factory=list)
    goes_on: Run | None = None  # the run its one step goes on from (Play after Pause, Step)
    playing: bool = False  # Play: trains until paused (its Stop is Pause, its curves grow as they come)
    context: record.Context | None = None  # its page's link and question, for the class's results


def training_plan() -> Plan | None:
    return st.session_state.get(PLAN_KEY)


def start_training(
    steps: list[tuple[Experiment, str]],
    data: PreparedData,
    boundary: bool = False,
    origin: str = "training",
    goes_on: Run | None = None,
    playing: bool = False,
) -> None:
    """Queue the first step's job now; the others follow it. A refused job is one message on the page. goes_on: the
    finished run the one step continues (its weights, its epochs counted on); playing: started by Play."""
    plan = Plan(list(steps), data, boundary, origin, goes_on=goes_on, playing=playing, context=record.started(origin))
    st.session_state[PLAN_KEY] = plan
    _submit_next(plan)


def _submit_next(plan: Plan) -> None:
    exp, plan.page = plan.steps.pop(0)
    try:
        plan.job = job_board().submit(
            session_id(),
            exp,
            plan.data,
            plan.boundary,
            teacher=is_teacher(),
            alive=connection_alive(),
            resume=Resume.of(plan.goes_on) if plan.goes_on is not None else None,
        )
    except NNLabError as exc:  # kept for the page's next run: a fragment's `st.rerun` would wipe it from this one
        st.session_state.pop(PLAN_KEY, None)
        st.session_state[ERROR_KEY] = str(exc)


def _advance(plan: Plan) -> bool:
    """Keep the job alive; keep a finished job's run and start the next step. True when the plan is over."""
    board, job = job_board(), plan.job
    board.seen(job)
    if not job.finished:
        return False
    run = board.collect(job)
    if run is not None:
        if plan.goes_on is not None:
            run.after(plan.goes_on)
        set_page_run(plan.page, run)
        add_to_history(run, instead_of=plan.goes_on)
        plan.results.append(run)
        record.finished(run, plan.page, plan.context, plan.goes_on)
    elif job.error:
        st.session_state[ERROR_KEY] = job.error
    if run is not None and plan.steps:
        _submit_next(plan)
        return training_plan() is None
    st.session_state.pop(PLAN_KEY, None)
    return True


def training_error() -> str:
    """The message of a job that failed, or of one refused, since the last page run (shown once)."""
    return st.session_state.pop(ERROR_KEY, "")


def follow_training(where, origin: str) -> None:
    """Draw the session's training in `where` if `origin` started it: redrawn a few times a second."""
    plan = training_plan()
    if plan is None or plan.origin != origin:
        return
    with where:
        (_live if plan.job.state == RUNNING else _waiting)()


def _stop_button(job: Job) -> None:
    if job.state == WAITING:
        st.button("Leave the line", icon=":material/close:", key="jobs_leave", on_click=job_board().stop, args=(job,))
        return
    playing = training_plan() is not None and training_plan().playing
    st.button(
        "Pause" if playing else "Stop",
        icon=":material/pause:" if playing else ":material/stop:",
        key="jobs_stop",
        on_click=job_board().stop,
        args=(job,),
        help="Ends training after the current epoch and keeps the model"
        + (": Play goes on from there." if playing else "."),
    )


@st.fragment(run_every=WAIT_POLL_SECONDS)
def _waiting() -> None:
    plan = training_plan()
    if plan is None or _advance(plan) or plan.job.state != WAITING:
        st.rerun()
    board, job = job_board(), plan.job
    place, wait = board.position(job), board.wait_estimate(job)
    at_once = board.cluster.threads()
    if notice := board.notice():
        st.warning(notice, icon=":material/sync_problem:")
    st.info(
        f"**{_ordinal(place)} in line**, about {max(1, round(wait))} s. The class server trains "
        f"{at_once} network{'s' if at_once > 1 else ''} at a time, in the order they were asked for.",
        icon=":material/hourglass_top:",
    )
    _stop_button(job)


@st.fragment(run_every=POLL_SECONDS)
def _live() -> None:
    plan = training_plan()
    if plan is None or _advance(plan):
        st.rerun()
    job, data = plan.job, plan.data
    before = plan.goes_on.epochs if plan.goes_on is not None else []
    epochs = before + job.epochs  # a run that goes on: its earlier epochs, then this part's
    done, total = len(job.epochs), job.total_epochs
    left = job_board().remaining(job)
    c = st.columns([4, 1])  # Stop, or Pause, whole when presented at 1024 px
    starting = f"Starting ({job.exp.backend}){' · loading TensorFlow' if job.exp.backend == 'keras' else ''}…"
    if plan.playing:  # until paused: the epoch it is at, curves over the epochs so far
        c[0].progress(1.0 if done else 0.0, text=f"Playing: epoch {epochs[-1]['epoch']:,}" if done else starting)
        total = int(epochs[-1]["epoch"]) if epochs else 1
    else:
        c[0].progress(done / total, text=f"Epoch {done} / {total} · about {left:.0f} s left" if done else starting)
        total += len(before)
    with c[1]:
        _stop_button(job)
    if job.note:
        st.warning(job.note, icon=":material/restart_alt:")
    metric = score_name(data.task)
    where = st.columns([3, 2]) if plan.boundary else [st.container()]
    curves = where[0].columns(2)
    for col, key in zip(curves, ("loss", metric)):
        col.vega_lite_chart(
            live.curve_frame(epochs, key),
            live.curve_spec(key, total, splits=live.splits_in(epochs, key)),
            key=f"jobs_live_{key}",
            width="stretch",
        )
    if plan.boundary and job.grid is not None and "units" in job.grid:  # the Playground's diagram, unit by unit
        where[0].vega_lite_chart(
            units.cells_frame(job.grid["units"], data.task),
            units.network_spec(job.grid["units"], job.grid["weights"], height=260),
            key="jobs_live_units",
            width="stretch",
        )
    if plan.boundary and job.grid is not None:
        where[1].vega_lite_chart(
            live.boundary_frame(job.grid),
            live.boundary_spec(data.plane_points(), job.grid, data.task),
            key="jobs_live_boundary",
            width="stretch",
        )


@st.fragment(run_every=WAIT_POLL_SECONDS)
def _status() -> None:
    plan = training_plan()
    if plan is None or _advance(plan):
        st.rerun()
    job = plan.job
    if job.state == WAITING:
        st.caption(f":material/hourglass_top: Training: {_ordinal(job_board().position(job))} in line.")
    else:
        st.caption(f":material/model_training: Training: epoch {len(job.epochs)} of {job.total_epochs}.")


def background_status(page: str) -> None:
    """In the sidebar of any page but the one that follows the training: where it is (and keep it alive)."""
    plan = training_plan()
    if plan is not None and plan.origin != page:
        with st.sidebar:
            _status()


def train_now(exp: Experiment, data: PreparedData, message: str) -> Run:
    """Train `exp` as a job and wait for it on the page (quick models of a second or two); the run. NNLabError
    when it is refused or fails: the caller shows it (and does not rerun, which would wipe it)."""
    board = job_board()
    job = board.submit(session_id(), exp, data, teacher=is_teacher(), alive=connection_alive())
    deadline = time.monotonic() + QUICK_TIMEOUT
    with st.spinner(message):
        while not job.finished and time.monotonic() < deadline:
            board.seen(job)
            time.sleep(0.05)
    if not job.finished:
        board.cancel(job)
    run = board.collect(job)
    if run is None or job.state != DONE:
        raise NNLabError(job.error or "The training was cancelled before it finished. Try again.")
    set_current_run(run)
    return run


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
