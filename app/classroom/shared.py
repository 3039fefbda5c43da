"""The server's one connection to the class database, and what the class pages share in a session.

`class_db()` opens the database once per server process (`NNLAB_DATABASE`, else `class.sqlite3` in the data
folder) and raises `NNLabError` subclasses in words when it cannot; after a failure (opening it, or a poll's
query) it says the same at once for `RETRY` seconds before trying again, so a database that is down costs a page
one message, never a wait on every poll.
`Shared.fresh` keeps the answers every session polls for (the teacher's view, the open questions) for `FRESH`
seconds: 40 students polling make a few queries a second, not 40.

A student's display name is picked once per session (default "Student 7": the browser's number in the class
database, `ClassDB.student_number`); the owner of their rows is the browser's id (`app.jobs.session_id`), never
shown. A page's link is its path and the settings `app.settings` wrote into the address; `open_link` opens one in
this session as a fresh link would.
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qsl, urlencode, urlsplit

import streamlit as st

from app.navigation import PAGES
from app.presentation import SCHEMA as PRESENTATION
from app.session import session_id
from core.classroom import DATABASE_ENV, ClassDB, open_class_db
from core.classroom.limits import MAX_NAME
from core.datasets.folders import data_root
from core.errors import NNLabError

log = logging.getLogger("nnlab.classroom")
RETRY = 10.0  # seconds before a database that failed is tried again
FRESH = 0.4  # seconds the answers every session polls for are kept (with follow.POLL_SECONDS: a view shows in < 2 s)
NAME_KEY = "class_name"  # the session's display name (a text box on the Class results page and the question form)
FRAME_NAMES = tuple(PRESENTATION.settings)  # a link's display settings (presenting, what it hides), not the lesson's
LOADED_SUFFIX = "_url_loaded"  # each page's flag: it has read its link this session (`app.settings.Schema.load`)


@dataclass(eq=False)
class Shared:
    """The server's connection (opened on first use, retried after RETRY s) and its short-lived answers."""

    db: ClassDB | None = None
    error: NNLabError | None = None
    failed_at: float = 0.0
    answers: dict[str, tuple[float, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    numbers: Any = field(default_factory=lambda: itertools.count(1))

    def connect(self) -> ClassDB:
        with self.lock:
            if self.error is not None and time.monotonic() - self.failed_at < RETRY:
                raise self.error  # failed a moment ago: say so at once rather than wait on it again
            if self.db is not None:
                return self.db
            try:
                self.db, self.error = open_class_db(), None
            except NNLabError as exc:
                log.warning("class database: %s", exc)
                self.error, self.failed_at = exc, time.monotonic()
                raise
            return self.db

    def fresh(self, name: str, read: Callable[[ClassDB], Any], max_age: float = FRESH) -> Any:
        """`read(db)`'s answer, asked again only when the kept one is older than `max_age` seconds."""
        kept = self.answers.get(name)
        if kept is not None and time.monotonic() - kept[0] < max_age:
            return kept[1]
        try:
            value = read(self.connect())
        except NNLabError as exc:
            self.failed(exc)
            raise
        self.answers[name] = (time.monotonic(), value)
        self.error = None  # it answers again
        return value

    def failed(self, exc: NNLabError) -> None:
        """A query failed (PostgreSQL went away): every page hears it at once for RETRY seconds, then tries again."""
        if exc is self.error:  # the kept failure, said again: its RETRY runs from when it happened
            return
        log.warning("class database: %s", exc)
        with self.lock:
            self.error, self.failed_at = exc, time.monotonic()

    def forget(self, *names: str) -> None:
        """After a write: the next poll reads the database again."""
        for name in names:
            self.answers.pop(name, None)


@st.cache_resource(show_spinner=False)
def _shared(where: str) -> Shared:
    return Shared()


def shared() -> Shared:
    """This server's `Shared` for the database configured now (tests point NNLAB_DATABASE elsewhere)."""
    return _shared(os.environ.get(DATABASE_ENV, "") or str(data_root()))


def class_db() -> ClassDB:
    """The class database; NNLabError (in words) when it cannot be used."""
    return shared().connect()


def owner() -> str:
    return session_id()


def display_name() -> str:
    """The session's display name: the one the student typed, else "Student N", N the browser's number in the
    class database (the same on every web server; numbered by this server when the database does not answer)."""
    name = st.session_state.get(NAME_KEY, "").strip()
    if not name:
        try:
            number = class_db().student_number(owner())
        except NNLabError as exc:
            shared().failed(exc)
            number = next(shared().numbers)
        name = st.session_state[NAME_KEY] = f"Student {number}"
    return name[:MAX_NAME]


def name_box(container=st) -> str:
    """The display-name text box (the default is filled in first); the name."""
    display_name()
    container.text_input(
        "Your name in the class's results",
        key=NAME_KEY,
        max_chars=MAX_NAME,
        persist_state="session",  # kept while the student is on pages without the box
        help="Shown to the teacher beside your runs and answers; the class sees only its own runs marked. "
        "Nothing else about you is kept.",
    )
    return display_name()


# -- links --------------------------------------------------------------------------------------------------------
PAGE_FILES = {Path(p.file).stem: p.path for p in PAGES}


def page_link(url_path: str) -> str:
    """The link of the page at `url_path` ("training") as it is now: its path and its settings, in link order."""
    params = {k: v for k, v in st.query_params.to_dict().items() if k not in FRAME_NAMES}
    return f"/{url_path}" + (f"?{urlencode(params)}" if params else "")


def split_link(link: str) -> tuple[str, dict[str, str]]:
    """("training", {settings}) of a link NN Lab wrote; ("", {}) for anything else."""
    parts = urlsplit(link)
    page = parts.path.strip("/")
    if parts.scheme or parts.netloc or page not in PAGE_FILES:
        return "", {}
    return page, {k: v for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in FRAME_NAMES}


def same_link(a: str, b: str) -> bool:
    """Two links open the same page with the same settings (the order of the settings aside)."""
    page_a, params_a = split_link(a)
    return bool(page_a) and (page_a, params_a) == split_link(b)


def open_link(link: str) -> None:
    """Open `link` (a page of NN Lab and its settings) in this session, read as a fresh session reads a link; the
    presentation switch stays as it is. Does nothing for a link that is not NN Lab's."""
    page, params = split_link(link)
    if not page:
        return
    for key in [k for k in st.session_state if isinstance(k, str) and k.endswith(LOADED_SUFFIX)]:
        if key != "present" + LOADED_SUFFIX:
            del st.session_state[key]
    frame = {k: v for k, v in st.query_params.to_dict().items() if k in FRAME_NAMES}
    st.switch_page(str(PAGE_FILES[page]), query_params={**params, **frame})
