"""The teacher's view of the class server: sign in with the token from the server's config, then see who is
here, the training queue and the running jobs, CPU and memory, and cancel any job.

The token is NNLAB_TEACHER_TOKEN in the server's environment, or `teacher_token` in `.streamlit/secrets.toml`;
without one the page says how to set it. A signed-in session's trainings go ahead of the students' in line.
Guessing the token is limited server-wide, not per tab (`TokenGate`): each wrong token doubles the wait before the
next try from any session, and every failed attempt is written to the server log.
"""

from __future__ import annotations

import hmac
import logging
import os
import threading
import time

import pandas as pd
import psutil
import streamlit as st

from app.data_access import get_dataset, rename_folder_classes
from app.jobs import job_board
from app.messages import plain, show_error
from app.session import TEACHER_KEY, is_teacher, session_id
from app.tables import browse, read_table
from core.classserver.job import RUNNING
from core.classserver.memory import MEMORY_ENV, server_holdings
from core.datasets import is_available
from core.datasets.cifar_names import MAX_NAME, typed_names
from core.errors import NNLabError
from core.experiment import data_name, describe

TOKEN_ENV, TOKEN_SECRET = "NNLAB_TEACHER_TOKEN", "teacher_token"
WRONG_TOKEN_DELAY = 1.0  # seconds before the next try after one wrong token, doubling with each one more
MAX_TOKEN_DELAY = 60.0  # ... up to this (a student spamming guesses delays the teacher at most this long)
FORGIVE_AFTER = 600.0  # seconds without a wrong token after which the count starts again
LOG = logging.getLogger("nnlab.teacher")
COLUMNS = [2, 4, 2, 2, 1.6]  # who, what, where, time, Cancel
CPU_KEY = "teacher_cpu_times"


def configured_token() -> str:
    token = os.environ.get(TOKEN_ENV, "")
    if not token:
        try:
            token = str(st.secrets.get(TOKEN_SECRET, ""))
        except (FileNotFoundError, KeyError, OSError):  # no secrets file: no token there
            token = ""
    return token


class TokenGate:
    """Server-wide limit on token guesses: after n wrong tokens (from any session) the next try waits
    WRONG_TOKEN_DELAY * 2**(n-1) s, at most MAX_TOKEN_DELAY; a right token or FORGIVE_AFTER quiet seconds reset it."""

    def __init__(self, clock=time.monotonic) -> None:
        self.clock, self._lock = clock, threading.Lock()
        self.failures, self.last_failure, self.open_at = 0, 0.0, 0.0

    def wait(self) -> float:
        """Seconds until the next try is looked at (0: now)."""
        with self._lock:
            return max(0.0, self.open_at - self.clock())

    def attempt(self, typed: str, token: str, who: str) -> bool | float:
        """True if `typed` is the token; False if wrong; seconds to wait if tried too soon (not even compared)."""
        with self._lock:
            now = self.clock()
            if now < self.open_at:
                LOG.warning(
                    "Teacher token tried too soon by session %s (%.0f s before the next try is allowed).",
                    who,
                    self.open_at - now,
                )
                return self.open_at - now
            if hmac.compare_digest(typed.encode(), token.encode()):
                self.failures = 0
                return True
            if now - self.last_failure > FORGIVE_AFTER:
                self.failures = 0
            self.failures += 1
            self.last_failure = now
            delay = min(MAX_TOKEN_DELAY, WRONG_TOKEN_DELAY * 2 ** (self.failures - 1))
            self.open_at = now + delay
            LOG.warning(
                "Wrong teacher token from session %s (%d wrong in a row on this server; next try in %.0f s).",
                who,
                self.failures,
                delay,
            )
            return False


GATE = TokenGate()  # one per server process: every tab and session shares it


def sign_in() -> bool:
    """The sign-in form, or True for a signed-in teacher."""
    token = configured_token()
    if not token:
        st.info(
            f"No teacher token is set on this server. To enable this page, start the server with "
            f'`{TOKEN_ENV}=<a long random word>` in its environment, or put `{TOKEN_SECRET} = "..."` in '
            "`.streamlit/secrets.toml` next to the app.",
            icon=":material/key:",
        )
        return False
    if is_teacher():
        return True
    with st.form("teacher_sign_in"):
        typed = st.text_input("Teacher token", type="password", key="teacher_token_typed")
        if st.form_submit_button("Sign in", type="primary"):
            verdict = GATE.attempt(typed, token, session_id())
            if verdict is True:
                st.session_state[TEACHER_KEY] = True
                st.rerun()
            elif verdict is False:
                st.error(
                    "That is not the teacher token of this server. After a wrong token this server waits "
                    f"{GATE.wait():.0f} s before it looks at the next one (from any browser).",
                    icon=":material/error:",
                )
            else:
                st.error(
                    f"Too many wrong tokens on this server: try again in {verdict:.0f} s. Your token was not checked.",
                    icon=":material/hourglass_top:",
                )
    return False


def folder_class_names() -> None:
    """Name the classes of the data folder's CIFAR-format set for every session: a third party's batches without
    batches.meta are "class 0" ... unless their file names say (core/datasets/cifar_names.py)."""
    if not is_available("cifar10"):
        return
    st.subheader("Class names of the data folder's images")
    if not st.toggle("Rename the classes of the CIFAR-format set", key="teacher_rename_on"):
        st.caption("Batches without batches.meta have classes named from their file names, else class 0, class 1 ...")
        return
    try:
        ds = get_dataset("cifar10")
    except NNLabError as exc:
        show_error(exc)
        return
    st.caption(f"Now: {plain(', '.join(ds.class_names))}. Every student's pages show the names you save here.")
    typed = st.text_input(
        "Class names, in order (comma-separated)",
        ", ".join(ds.class_names),
        max_chars=len(ds.class_names) * (MAX_NAME + 2),
        key="teacher_cifar_names",
        help="Label 0 gets the first name, label 1 the second, ... Saved in the data folder as class_names.txt.",
    )
    save, reset = st.columns(2)
    try:
        if save.button("Save for every session", type="primary", key="teacher_names_save"):
            rename_folder_classes(typed_names(typed, ds.class_names))
            st.rerun()
        if reset.button("Back to the files' names", key="teacher_names_reset"):
            rename_folder_classes(None)
            st.session_state.pop("teacher_cifar_names", None)
            st.rerun()
    except NNLabError as exc:
        show_error(exc)


def machine() -> None:
    """CPU and memory of this machine, of the server process and of the local cluster's processes."""
    board = job_board()
    server = psutil.Process()
    children = server.children(recursive=True)
    rss = lambda procs: sum(p.memory_info().rss for p in procs if p.is_running()) / 2**20  # noqa: E731
    running, waiting = board.in_class()
    c = st.columns(3) + st.columns(3)  # two rows: five metrics in one row are cut on a presented 1024 px screen
    c[0].metric("Sessions here", len(board.sessions()), help="Seen in the last two minutes.")
    c[1].metric(
        "Training now",
        running,
        help=f"At most {board.cluster.threads()} at once: one per worker thread. Every NN Lab server on this "
        "training cluster shares one line.",
    )
    c[2].metric("In line", waiting, help="On every NN Lab server on this training cluster.")
    c[3].metric("CPU", f"{cpu_share():.0f}%", help=f"{psutil.cpu_count()} cores on this machine.")
    c[4].metric(
        "Memory",
        f"{rss([server]):,.0f} MB",
        help=f"The web server; its training workers use "
        f"{rss(children):,.0f} MB more. Machine: {psutil.virtual_memory().percent:.0f}% used.",
    )
    if notice := board.notice():
        st.warning(notice, icon=":material/sync_problem:")
    if board.cluster.local:
        st.caption(f"The training cluster's log (workers' errors, restarts): {board.cluster.log_file}")


def memory_table() -> None:
    """What the server holds for the class (datasets, students' files, trained runs) against its one budget."""
    holdings = server_holdings()
    usage = holdings.usage()
    used, budget = sum(size for _, size in usage.values()), holdings.budget_bytes
    st.progress(
        min(1.0, used / budget),
        text=f"Memory held for the class: {used / 2**20:,.0f} of {budget / 2**20:,.0f} MB",
    )
    rows = [{"Held": kind, "How many": n, "MB": f"{size / 2**20:,.1f}"} for kind, (n, size) in usage.items()]
    if rows:
        read_table(rows)
    st.caption(
        f"Uploads that would pass the budget are refused with a message. Set it with {MEMORY_ENV} (megabytes); "
        "a session's files and runs are let go when it ends."
    )


def cpu_share() -> float:
    """The machine's CPU in use (%) since this session's last reading. Not `psutil.cpu_percent()`: it remembers
    its last reading per thread, and every Streamlit run is a new thread, so it always said 0%."""
    now = psutil.cpu_times()
    before = st.session_state.get(CPU_KEY)
    st.session_state[CPU_KEY] = now
    if before is None:
        return psutil.cpu_percent(interval=0.1)
    idle = lambda t: t.idle + getattr(t, "iowait", 0.0)  # noqa: E731
    total = sum(now) - sum(before)
    return 100.0 * (1.0 - (idle(now) - idle(before)) / total) if total > 0 else 0.0


def jobs_table() -> None:
    """Every job, running first, then in line order, with a Cancel button each."""
    board = job_board()
    jobs = [j for j in board.jobs() if not j.finished]
    elsewhere = sum(board.in_class()) - len(jobs)
    if elsewhere > 0:
        st.caption(f"{elsewhere} more training(s) running or in line from other NN Lab servers on this cluster.")
    if not jobs:
        st.caption("No training is running or waiting on this server.")
        return
    names = who()
    head = st.columns(COLUMNS)
    for col, title in zip(head, ("Who", "What", "Where", "Time", "")):
        col.markdown(f"**{title}**")
    for job in jobs:
        c = st.columns(COLUMNS)
        # st.text: names, file names and display names are the students' own, never markdown or HTML (#24)
        c[0].text(names.get(job.owner, job.owner[:6]) + (" (teacher)" if job.teacher else ""))
        c[1].text(f"{describe(job.exp)} on {data_name(job.exp)}, {job.total_epochs} epochs")
        if job.state == RUNNING:
            c[2].text(f"epoch {len(job.epochs)} / {job.total_epochs}")
            c[3].text(f"{time.monotonic() - job.started:.0f} s, ~{board.remaining(job):.0f} s left")
        else:
            c[2].text(f"{board.position(job)} in line")
            c[3].text(f"starts in ~{board.wait_estimate(job):.0f} s")
        c[4].button(
            "Cancel",
            key=f"teacher_cancel_{job.id}",
            on_click=board.cancel,
            args=(job,),
            icon=":material/cancel:",
            width="stretch",
        )


def who() -> dict[str, str]:
    """Sessions by the names both tables use: "you", "student 1", ..."""
    names = {owner: f"student {i}" for i, owner in enumerate(sorted(job_board().sessions()), 1)}
    names[session_id()] = "you"
    return names


def sessions_table() -> None:
    here, names = job_board().sessions(), who()
    if here:
        browse("sessions").dataframe(
            pd.DataFrame(
                [
                    {"who": names.get(owner, owner[:6]), "page": page or "home", "seen": f"{ago:.0f} s ago"}
                    for owner, (page, ago) in sorted(here.items(), key=lambda kv: kv[1][1])
                ]
            ),
            hide_index=True,
            width="stretch",
        )
