"""The web server process, tuned for a class: its sockets (`no_nagle`), its heap (`settle_heap`), its widgets'
look at the session state (`lean_widget_state`), how a run's messages reach the event loop
(`one_wakeup_per_batch`) and the order page runs take the one GIL in (`TURNSTILE`).

Sockets: every click waited 40 ms for nothing. Streamlit 1.67 serves with uvicorn on a socket it creates as
`socket.socket(family)`, protocol 0; asyncio turns Nagle's algorithm off only for sockets whose protocol is
IPPROTO_TCP, so Streamlit's stay on it. A rerun's answer is many small websocket messages: the first leaves at once,
the rest wait for its ACK, which the browser's TCP delays by up to 40 ms. Measured with tests/streamlit_client.py: a
hello-world rerun took 48 ms, 6 ms with TCP_NODELAY. Connections accepted from a listening socket with TCP_NODELAY
inherit it (Linux), so setting it on the listener once, and on the connections already open, covers every student.
Elsewhere (no /proc) nothing changes and nothing fails.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import gc
import logging
import os
import socket
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any

from streamlit.runtime.state.common import GENERATED_ELEMENT_ID_PREFIX
from streamlit.runtime.state.session_state import STREAMLIT_INTERNAL_KEY_PREFIX

FDS = "/proc/self/fd"
log = logging.getLogger("nnlab.server")


def no_nagle(port: int) -> int:
    """Set TCP_NODELAY on this process's TCP sockets on local port `port` (the server's listener and its
    connections); how many were set."""
    try:
        fds = os.listdir(FDS)
    except OSError:
        return 0
    done = 0
    for fd in fds:
        try:
            if not os.readlink(f"{FDS}/{fd}").startswith("socket:"):
                continue
            sock = socket.socket(fileno=os.dup(int(fd)))  # a duplicate: closing it leaves the server's open
        except (OSError, ValueError):
            continue
        with sock:
            try:
                if (
                    sock.family in (socket.AF_INET, socket.AF_INET6)
                    and sock.type == socket.SOCK_STREAM
                    and sock.getsockname()[1] == port
                ):
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    done += 1
            except OSError:
                pass
    return done


# The heap. With `runner.postScriptGC` off (.streamlit/config.toml), Python's own collector still runs a full
# collection now and then, and a full collection walks every object the process tracks: after a lesson's pages
# have been opened, 130-230 ms with every session's thread stopped (measured in bench/classroom.py, 20 sessions:
# each one was a cluster of page runs at 5-15x their quiet time, the page p95 itself). Nearly all of those objects
# are the modules, classes and functions the pages imported, which live as long as the server, so after the first
# run of each page `gc.freeze()` moves what the process holds into the collector's permanent generation and later
# full collections walk only what was made since (5-13 ms, measured). The price: a reference cycle already made
# when a page first ran, and dropped later, is never collected (the sessions open at the start of a lesson, once
# for each of the dozen pages): bounded, and small beside the 48 ms of every run that postScriptGC cost.
_settled: set[str] = set()  # the pages that have run in this process (the one mutable thing here: process-wide)
_settling = threading.Lock()


def settle_heap(page: str) -> bool:
    """After `page`'s first run in this process: freeze what the process holds (see above); whether it did."""
    with _settling:
        if page in _settled:
            return False
        _settled.add(page)
        gc.freeze()
    return True


# The widgets' look at the session state. Streamlit 1.67's selectbox and number_input (and a slider without a
# value) ask for `filtered_state`, a dict of the whole session state, each time they are drawn, only to look up
# their own key in it. With settings that stay from page to page (`persist_state="session"`), a student's session
# holds about 120 keys once a lesson's pages have been opened, and making that dict took 0.3-1 ms a widget: 9% of
# the class server's CPU under bench/classroom.py's browsing (py-spy), the largest single cost of Streamlit's own.
# `FilteredView` answers one key by looking up that key (what the dict would have said, tests/app/test_server.py)
# and makes the whole dict only when asked for all of it.
_FILTERED = "_nnlab_whole_filtered_state"  # Streamlit's own property, kept for the whole dict
_LEFT_OUT = (GENERATED_ELEMENT_ID_PREFIX, STREAMLIT_INTERNAL_KEY_PREFIX)  # key prefixes filtered_state leaves out
_WIDGETS = "streamlit.elements.widgets."  # the modules whose widgets ask
_patching = threading.Lock()


class FilteredView(Mapping):
    """`SafeSessionState.filtered_state` as a view: a key looked up alone (under the state's lock, as Streamlit's
    own lookups), the whole dict made once, when it is iterated."""

    def __init__(self, state) -> None:
        self._state, self._whole = state, None

    def _listed(self, key: Any) -> bool:
        """What filtered_state leaves out: Streamlit's internal keys and widgets' generated ids."""
        return isinstance(key, str) and not key.startswith(_LEFT_OUT)

    def __getitem__(self, key: str) -> Any:
        if not self._listed(key):
            raise KeyError(key)
        return self._state[key]

    def __contains__(self, key: object) -> bool:
        if not self._listed(key):
            return False
        try:
            self._state[key]
        except KeyError:
            return False
        return True

    def _dict(self) -> dict:
        if self._whole is None:
            self._whole = getattr(self._state, _FILTERED)
        return self._whole

    def __iter__(self) -> Iterator[str]:
        return iter(self._dict())

    def __len__(self) -> int:
        return len(self._dict())


def lean_widget_state() -> bool:
    """Widgets look up their own key, not a copy of the whole session state (see above), in this process from now
    on; whether Streamlit has the property this replaces (a later Streamlit without it keeps its own)."""
    from streamlit.runtime.state.safe_session_state import SafeSessionState

    with _patching:
        whole = SafeSessionState.__dict__.get("filtered_state")
        if isinstance(whole, property) and not hasattr(SafeSessionState, _FILTERED):
            setattr(SafeSessionState, _FILTERED, whole)
            SafeSessionState.filtered_state = property(_filtered_state)
        return hasattr(SafeSessionState, _FILTERED)


def _filtered_state(state):
    """A widget of Streamlit's asking gets the view; anything else (`st.session_state.to_dict()`, its `str`) the
    dict, as before."""
    if sys._getframe(1).f_globals.get("__name__", "").startswith(_WIDGETS):
        return FilteredView(state)
    return getattr(state, _FILTERED)


# A run's messages. Each element a script draws is an event that Streamlit 1.67 hands to the event loop thread with
# its own `call_soon_threadsafe` (`AppSession._on_scriptrunner_event`): a write to the loop's wake-up pipe, the loop
# thread woken, the GIL passed to it and back, once per element (a page sends 30-90). With other sessions' runs in
# the process, each of those hand-overs can wait for another thread's GIL slice, so a page run that met another
# took 2-3x its quiet time: the page p95 of bench/classroom.py (20 sessions, 4 training, 10 on results) was 1.8-2.7x
# quiet whether or not anyone trained and whether or not the notice polls ran. `one_wakeup_per_batch` queues a
# session's events in order and wakes the loop once for all that came before it ran. Measured the same way (7
# scenarios before, 9 after, one machine): quiet p50 20-24 -> 15-17 ms, loaded p95 56-87 -> 41-79 ms, the server's
# CPU 0.23-0.30 -> 0.17-0.22 cores; the p95 ratio to quiet moved less (1.7-3.7x after): quiet got as much faster.
_EVENTS = "_nnlab_events"  # each session's queue of events not yet handled on the loop (`_Events`)
DRAIN = 64  # events handled in one go before the loop's other callbacks get their turn


class _Events:
    """A session's script-run events on their way to its event loop: queued in order, one wake-up per batch."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pending: collections.deque = collections.deque()
        self.scheduled = False  # a drain is on the loop's list: the next events need no wake-up of their own

    def add(self, session, sender, event, kwargs: dict) -> None:
        with self.lock:
            self.pending.append((sender, event, kwargs))
            wake, self.scheduled = not self.scheduled, True
        if wake:
            session._call_soon_on_event_loop(lambda: self.drain(session))

    def drain(self, session) -> None:
        """On the loop: hand up to DRAIN events to Streamlit's own handler, in order; the rest in a later turn."""
        for _ in range(DRAIN):
            with self.lock:
                if not self.pending:
                    self.scheduled = False
                    return
                sender, event, kwargs = self.pending.popleft()
            try:
                session._handle_scriptrunner_event_on_event_loop(sender, event, **kwargs)
            except Exception:  # as asyncio would: said in the log, and the session's next events still go
                log.exception("a script run's event (%s) failed on the event loop", event)
        asyncio.get_running_loop().call_soon(self.drain, session)  # more waiting: after the loop's other callbacks


def one_wakeup_per_batch() -> bool:
    """Script-run events reach the event loop in batches (see above), in this process from now on; whether
    Streamlit has the method this replaces (a later Streamlit without it keeps its own)."""
    from streamlit.runtime.app_session import AppSession

    with _patching:
        original = AppSession.__dict__.get("_on_scriptrunner_event")
        if original is None or getattr(original, "_nnlab_original", None) is not None:
            return original is not None

        def _on_scriptrunner_event(self, sender, event, **kwargs) -> None:
            events = self.__dict__.get(_EVENTS) or self.__dict__.setdefault(_EVENTS, _Events())
            events.add(self, sender, event, kwargs)

        # Kept: a run that started before this (the process's first) is connected to the original method, and
        # Streamlit's signal holds its receivers weakly: without this reference that run's events are dropped.
        _on_scriptrunner_event._nnlab_original = original
        AppSession._on_scriptrunner_event = _on_scriptrunner_event
        return True


# Page runs take turns. The server is one process: its sessions' scripts share one GIL, which hands itself from
# thread to thread every few milliseconds, so page runs that meet all progress together and all end late (four that
# met in bench/classroom.py: 50-80 ms each, for 15-20 ms of work each). The 20 students of a scenario meet this way
# often enough to make the page p95; a class told "open the Losses page" meets all at once. `TURNSTILE` runs them
# one after the other in order of arrival: the first ends in its own time, the last no later than before. A turn is
# a lease of `TURN_LEASE`: a run that takes longer (a page's first imports, a quick model it waits for, the CNN lab's
# animation, a slow disk) runs on without it and the next in line has its turn. The teacher's runs wait at the front
# of the line: the class is looking at them. Measured on one machine, idle, one run at a time: bench/page_burst.py
# (30 sessions open one page at once) p50 272-506 ms without, 175-252 ms with; bench/classroom.py 20/4/10 page p95
# 1.63-2.03x quiet without (6 scenarios, median 1.83), 1.47-1.98x with (17, median 1.63).
TURN_LEASE = 0.1  # seconds


class Turnstile:
    """One page run at a time, in order of arrival, each for at most `lease` seconds (see above):
    `with TURNSTILE.turn(first=teacher):` around a page's run. Each waiting run has its own condition, so a
    hand-on wakes the next run alone, and only the first in line watches the clock."""

    def __init__(self, lease: float = TURN_LEASE) -> None:
        self.lease = lease
        self._lock = threading.Lock()
        self._line: collections.deque[threading.Condition] = collections.deque()  # the runs waiting, in order
        self._holder: threading.Condition | None = None  # the run with the turn
        self._since = 0.0  # when it had it
        self.turns = self.ran_out = 0  # runs that had a turn; turns whose lease ran out before the run ended

    @contextlib.contextmanager
    def turn(self, first: bool = False) -> Iterator[None]:
        me = self._take(first)
        try:
            yield
        finally:
            with self._lock:
                if self._holder is me:
                    self._holder = None
                    self._tell_the_first()

    def _tell_the_first(self) -> None:
        """Wake the first in line (to take a free turn, or to watch the holder's lease)."""
        if self._line:
            self._line[0].notify()

    def _take(self, first: bool) -> threading.Condition:
        me = threading.Condition(self._lock)
        with self._lock:
            if first:
                self._line.appendleft(me)
            else:
                self._line.append(me)
            try:
                while True:
                    now = time.monotonic()
                    if self._holder is not None and now - self._since >= self.lease:
                        self._holder = None  # it runs on without the turn
                        self.ran_out += 1
                        self._tell_the_first()
                    if self._line[0] is me and self._holder is None:
                        self._line.popleft()
                        self._holder, self._since = me, now
                        self.turns += 1
                        self._tell_the_first()  # the next one watches this run's lease
                        return me
                    watching = self._line[0] is me  # the first in line waits for the lease; the rest to be told
                    me.wait(self._since + self.lease - now if watching else None)
            except BaseException:  # interrupted while waiting: out of the line, the next one told
                if me in self._line:
                    self._line.remove(me)
                    self._tell_the_first()
                raise


TURNSTILE = Turnstile()  # the process's: every session's page runs take turns in it
