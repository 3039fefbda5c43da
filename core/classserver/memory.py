"""What the class server holds in memory for the class, against one budget; and the weight snapshots of every
session's runs within their own share of it.

    holdings = server_holdings()          # one per server process (NNLAB_MEMORY_MB, default 40% of the RAM)
    holdings.hold(UPLOADS, dataset)       # held weakly: it goes when the session (or cache) that keeps it does
    holdings.make_room("data.csv", nbytes)    # MemoryFull: one message, before the server takes more
    holdings.usage()                      # {kind: (objects, bytes)}, what the teacher's page shows

Each run keeps at most 32 MB of per-epoch weights (`core.snapshots`); forty students with a few runs each could
hold gigabytes. The ledger sees every finished run (weakly: a run dies with its session) and, when the live runs'
snapshots pass the server's budget, halves the oldest runs' copies first: their epoch sliders keep the first, the
last and evenly spread epochs between. The newest run is thinned last.

    ledger = RunLedger(budget_bytes=512 * 2**20)
    ledger.add(run)          # after each finished job
    ledger.nbytes()
"""

from __future__ import annotations

import functools
import os
import threading
import weakref

import numpy as np
import psutil

from core.datasets.limits import megabytes
from core.errors import NNLabError
from core.runs import Run

SERVER_SNAPSHOT_BUDGET = 512 * 2**20
MIN_KEEP = 2 * 2**20  # below this a run's copies are not worth thinning further
MEMORY_ENV = "NNLAB_MEMORY_MB"
DEFAULT_SHARE = 0.4  # of the machine's memory, when NNLAB_MEMORY_MB is not set
DATASETS = "Datasets (loaded once, shared by everyone)"
UPLOADS = "Students' own files (with their training arrays)"
RUNS = "Trained runs (models and weight snapshots)"
KINDS = (DATASETS, UPLOADS, RUNS)


class MemoryFull(NNLabError, MemoryError):
    """The class server's memory budget would be passed: what would not fit, what is held, what to do."""


class Holdings:
    """Objects the server keeps for the class, by kind, held weakly and sized when asked: arrays shared between
    objects (a split's views of its dataset) are counted once. Thread-safe."""

    def __init__(self, budget_bytes: int) -> None:
        self.budget_bytes = budget_bytes
        self._held: list[tuple[str, weakref.ref]] = []
        self._lock = threading.Lock()

    def hold(self, kind: str, obj) -> None:
        with self._lock:
            self._held = [(k, r) for k, r in self._held if r() is not None]
            if not any(r() is obj for _, r in self._held):
                self._held.append((kind, weakref.ref(obj)))

    def usage(self) -> dict[str, tuple[int, int]]:
        """kind -> (objects held, bytes of their arrays); memory shared with a dataset counts as the dataset's."""
        with self._lock:
            live = [(k, o) for k, r in self._held if (o := r()) is not None]
        live.sort(key=lambda ko: KINDS.index(ko[0]) if ko[0] in KINDS else len(KINDS))
        seen: set[int] = set()
        out: dict[str, tuple[int, int]] = {}
        for kind, obj in live:
            n, size = out.get(kind, (0, 0))
            out[kind] = (n + 1, size + _bytes(obj, seen))
        return out

    def used(self) -> int:
        return sum(size for _, size in self.usage().values())

    def make_room(self, what: str, nbytes: int) -> None:
        """MemoryFull if `what` (nbytes more) would pass the budget."""
        used = self.used()
        if used + nbytes > self.budget_bytes:
            raise MemoryFull(
                f"{what} needs about {megabytes(nbytes)} of memory, and the class server already holds "
                f"{megabytes(used)} of the {megabytes(self.budget_bytes)} it keeps for the whole class. Remove a file "
                "or runs you no longer need, or ask the teacher."
            )


@functools.cache
def server_holdings() -> Holdings:
    """The server's one account: NNLAB_MEMORY_MB megabytes, or 40% of the machine's memory."""
    mb = os.environ.get(MEMORY_ENV, "")
    budget = int(mb) * 2**20 if mb.isdigit() and int(mb) > 0 else int(DEFAULT_SHARE * psutil.virtual_memory().total)
    return Holdings(budget)


def _bytes(obj, seen: set[int]) -> int:
    """Bytes of the NumPy arrays `obj` holds (its fields; a run's weights and snapshots), each memory block once."""
    if isinstance(obj, Run):
        return _run_bytes(obj, seen)
    total = 0
    for value in vars(obj).values():
        if isinstance(value, np.ndarray):
            base = value
            while isinstance(base.base, np.ndarray):
                base = base.base
            if id(base) not in seen:
                seen.add(id(base))
                total += base.nbytes
    return total


def _run_bytes(run: Run, seen: set[int]) -> int:
    if run.model is None or id(run) in seen:
        return 0
    seen.add(id(run))
    weights = sum(k.nbytes + b.nbytes for _, k, b in run.model.layer_weights())
    return weights + _snapshot_bytes(run)


class RunLedger:
    def __init__(self, budget_bytes: int = SERVER_SNAPSHOT_BUDGET) -> None:
        self.budget_bytes = budget_bytes
        self._runs: list[weakref.ref] = []  # oldest first
        self._lock = threading.Lock()

    def _live(self) -> list[Run]:
        runs = [r() for r in self._runs]
        self._runs = [weakref.ref(r) for r in runs if r is not None]
        return [r for r in runs if r is not None]

    def nbytes(self) -> int:
        with self._lock:
            return sum(_snapshot_bytes(r) for r in self._live())

    def add(self, run: Run) -> None:
        with self._lock:
            self._runs.append(weakref.ref(run))
            runs = self._live()
            total = sum(_snapshot_bytes(r) for r in runs)
            progress = True
            while total > self.budget_bytes and progress:
                progress = False
                for run in runs:  # oldest first, the newest last
                    snaps = run.history.snapshots if run.model is not None else None
                    if total <= self.budget_bytes or snaps is None or snaps.nbytes <= MIN_KEEP or len(snaps) <= 2:
                        continue
                    before = snaps.nbytes
                    snaps.shrink(before // 2)
                    total -= before - snaps.nbytes
                    progress = progress or snaps.nbytes < before


def _snapshot_bytes(run: Run) -> int:
    snaps = run.history.snapshots if run.model is not None else None
    return snaps.nbytes if snaps is not None else 0
