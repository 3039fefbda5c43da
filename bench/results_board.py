"""The Class results sessions of `bench/classroom.py`: tabs that keep the page open through a scenario, their
fragment timers driven as the browser drives them, and the line they print.

A student's Class results page has one timer, the 1.5 s teacher-notice poll, which also runs the page again when runs
or answers came (`app.classroom.views.watch`); each request is timed to the end of the first run that ran its
fragment."""

from __future__ import annotations

import asyncio
import random
import time

import numpy as np
import websockets
from streamlit_client import Tab

WATCH_SECONDS = 2.0  # the longest a board waits for a change it has not seen: the teacher's watch period
ROWS_FRESH = 1.0  # seconds the server keeps the class's rows before the board sees a new one


def pct(values, q) -> float:
    """The q-th percentile (NaN of nothing): every figure the class bench prints."""
    return float(np.percentile(values, q)) if values else float("nan")


class ResultsTab(Tab):
    """A tab on the Class results page. Like the frontend (`setInterval`), each timer (the board's, the notice's)
    asks for its fragment's run every period whether or not the last one has ended; each request is timed to the end
    of the first run that ran its fragment (`script_finished` names the run's fragments; the server folds requests
    that wait into one run). It keeps the board's "Runs" figure each time the board draws it."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.opened = asyncio.Event()  # the page's first run is over: the timers start counting
        self.seconds: dict[float, list[float]] = {}  # a timer's period -> seconds per run it asked for
        self.board: list[int] = []  # the "Runs" metric, each time the board drew it
        self._asked: dict[str, tuple[float, list[float]]] = {}  # fragment id -> (period, requests not yet run)

    async def _auto(self, fragment_id: str, interval: float) -> None:
        asked = self._asked.setdefault(fragment_id, (interval, []))[1]
        await self.opened.wait()
        due = time.perf_counter()
        while self._ws.state.name == "OPEN":
            due += interval
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            asked.append(time.perf_counter())
            try:
                await self._send(fragment_id=fragment_id, auto=True)
            except websockets.ConnectionClosed:  # a timer the server started while the tab was closing
                return

    def _script_finished(self, msg) -> None:
        ran, now = set(msg.metadata.run.fragment_ids), time.perf_counter()  # none named: a page run, all of them
        for fragment_id, (interval, asked) in self._asked.items():
            if not ran or fragment_id in ran:
                self.seconds.setdefault(interval, []).extend(now - t for t in asked)
                asked.clear()

    async def close(self) -> None:
        now = time.perf_counter()
        for interval, asked in self._asked.values():
            if asked and now - asked[0] > 10:
                self.errors.append(f"a {interval:g} s fragment's run asked for {now - asked[0]:.0f} s ago never came")
        await super().close()

    def _element(self, element) -> None:
        super()._element(element)
        if element.WhichOneof("type") == "metric" and element.metric.label == "Runs":
            self.board.append(int(element.metric.body.replace(",", "")))


async def on_board(url: str) -> int:
    """The board's "Runs" figure now, as a fresh session sees it (0 while the board is empty)."""
    await asyncio.sleep(ROWS_FRESH)  # past the server's cache of the class's rows
    tab = ResultsTab(url)
    await tab.connect()
    await tab.open("results")
    await tab.close()
    return tab.board[-1] if tab.board else 0


async def results(url: str, done: asyncio.Event, out: dict, arrival: float) -> None:
    """A session on the Class results page from the scenario's start until its last training can be on the board."""
    tab = ResultsTab(url)
    await asyncio.sleep(random.uniform(0, arrival))
    await tab.connect()
    out["results_opens"].append(await tab.open("results"))
    tab.opened.set()
    await done.wait()
    await asyncio.sleep(ROWS_FRESH + 2 * WATCH_SECONDS)  # the last run through the server's cache onto the board
    out["results_tabs"].append(tab)
    await tab.close()


def results_line(out: dict, training: int) -> tuple[str, list[str]]:
    """The results sessions' line, and their errors."""
    tabs = out["results_tabs"]
    errors = [e for tab in tabs for e in tab.errors]
    timers = {}  # a timer's period -> seconds per run it asked for, over every results session
    for tab in tabs:
        for period, runs in tab.seconds.items():
            timers.setdefault(period, []).extend(runs)
    last = [tab.board[-1] if tab.board else 0 for tab in tabs]
    expected = out["before"] + len(out["times"])
    line = (
        f"  results page open in {len(tabs)} sessions: first run p50 {pct(out['results_opens'], 50) * 1000:.0f} ms; "
        + "".join(
            f"a {period:g} s timer: {len(runs)} runs, p50 {pct(runs, 50) * 1000:.0f} ms, p95 {pct(runs, 95) * 1000:.0f} ms; "
            for period, runs in sorted(timers.items())
        )
        + f"board's Runs {out['before']} before, last seen {last} (expected {expected}: "
        f"{len(out['times'])} of {training} trainings finished); errors {len(errors)} {errors[:3]}"
    )
    return line, errors
