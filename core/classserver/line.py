"""The class's one line, kept in the Dask scheduler: every NN Lab server on a cluster shares it (a school that runs
several web servers behind a load balancer keeps one fair line, one job per student and the teacher first).

Each server's board (core.classserver.jobs) tells the line, every tick and whenever its jobs change, which of its
jobs wait and which run; the line answers with the whole class's order and which of that server's waiting jobs may
start now (within the cluster's free worker threads):

    reply = SchedulerLine(client).sync(server, [Entry(...), ...])
    reply["grants"], reply["refused"], reply["line"], reply["running"]

`Line` is the rules, plain Python tested without Dask; `LinePlugin` puts one in the scheduler (registered by the
first server that connects, again after a scheduler restart: the boards report their jobs again, so a restart
loses no place). The scheduler must be able to import NN Lab's code: the local cluster can; a school's scheduler
is started from NN Lab's folder (README, "More machines"). A server not heard from for `SILENT` seconds has left:
its entries are dropped.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

from distributed.diagnostics.plugin import SchedulerPlugin

SILENT = 10.0  # seconds without a sync after which a server's entries leave the line (it stopped or crashed)
CALL_TIMEOUT = 5.0  # seconds a server waits for the line's answer
NAME = "nnlab-line"


@dataclass
class Entry:
    """One job as its server reports it. submitted: wall-clock time (the line's order across servers); expected:
    the seconds it should take (waiting) or still needs (running), by its server's pace."""

    id: str
    owner: str
    teacher: bool
    submitted: float
    running: bool
    expected: float = 0.0


class Line:
    """The rules: one active job per owner across servers, the teacher's first then by time of arrival, a job
    starts when a worker thread is free. No Dask, no threads; `clock` for tests."""

    def __init__(self, clock=time.monotonic) -> None:
        self.clock = clock
        self._entries: dict[str, tuple[str, Entry]] = {}  # job id -> (server, entry)
        self._granted: set[str] = set()  # may start: counted as running until their server says otherwise
        self._heard: dict[str, float] = {}  # server -> when it last synced

    def sync(self, server: str, entries: list[Entry], threads: int) -> dict:
        """`server`'s jobs are now `entries` (its others left the line). Returns the line's order ("line": waiting
        entries first to last, as (server, id, expected)), the running jobs' remaining seconds ("running"), the
        ids of `server`'s jobs that may start now ("grants") and of new ones refused because their owner already
        has a job on another server ("refused")."""
        now = self.clock()
        self._heard[server] = now
        for gone in [s for s, t in self._heard.items() if now - t > SILENT]:
            del self._heard[gone]
        known = {i: e for i, (s, e) in self._entries.items() if s in self._heard and s != server}
        owners = {e.owner for e in known.values()}
        refused = [e.id for e in entries if e.owner in owners]
        mine = {e.id: e for e in entries if e.id not in refused}
        was_granted = self._granted & mine.keys()
        self._entries = {i: (s, e) for i, (s, e) in self._entries.items() if i in known} | {
            i: (server, e) for i, e in mine.items()
        }
        self._granted = {i for i in self._granted if i in known} | {
            i
            for i in was_granted
            if mine[i].running  # a grant the server did not take is given out again
        }
        busy = sum(e.running or i in self._granted for i, (_, e) in self._entries.items())
        order = self.order()
        free = [i for _, i, _ in order][: max(0, threads - busy)]
        self._granted |= set(free)
        return {
            "line": [list(x) for x in order if x[1] not in free],
            "running": [e.expected for i, (_, e) in self._entries.items() if e.running or i in self._granted],
            "grants": [i for i in free if self._entries[i][0] == server],
            "refused": refused,
            "threads": threads,
        }

    def order(self) -> list[tuple[str, str, float]]:
        """Waiting jobs in the order they start: (server, id, expected seconds)."""
        waiting = [(s, e) for i, (s, e) in self._entries.items() if not e.running and i not in self._granted]
        waiting.sort(key=lambda se: (not se[1].teacher, se[1].submitted, se[1].id))
        return [(s, e.id, e.expected) for s, e in waiting]


def class_order(reply: dict, server: str, mine: dict[str, float]) -> list[tuple[str, float]]:
    """The class's line as (job id, expected seconds), first to last, on `server` whose waiting jobs are now `mine`
    (id -> expected seconds, in the server's order): the line's last `reply` with this server's jobs as they are now
    (one that left since is skipped), then any of its jobs the line has not seen yet."""
    listed = [(i, mine.get(i, e)) for s, i, e in reply.get("line", []) if s != server or i in mine]
    seen = {i for i, _ in listed}
    return listed + [(i, e) for i, e in mine.items() if i not in seen]


class LinePlugin(SchedulerPlugin):
    """The line inside the scheduler, reached by the `nnlab_line_sync` handler."""

    idempotent = True  # a second server registering it keeps the line that is there

    def __init__(self) -> None:
        self.line = Line()
        self.scheduler = None

    def start(self, scheduler) -> None:
        self.scheduler = scheduler
        scheduler.handlers["nnlab_line_sync"] = self.sync

    def sync(self, server: str, entries: list[dict]) -> dict:
        threads = sum(ws.nthreads for ws in self.scheduler.workers.values())
        return self.line.sync(server, [Entry(**e) for e in entries], threads)


class SchedulerLine:
    """A server's side: registers the plugin once per scheduler and syncs with it (calls to the scheduler: never
    under the board's lock)."""

    def __init__(self, client) -> None:
        self.client = client
        client.register_plugin(LinePlugin(), name=NAME)

    def sync(self, server: str, entries: list[Entry]) -> dict:
        return self.client.sync(
            self.client.scheduler.nnlab_line_sync,
            server=server,
            entries=[asdict(e) for e in entries],
            callback_timeout=CALL_TIMEOUT,
        )
