"""One memory budget for the weight snapshots of every session's runs on the class server.

Each run keeps at most 32 MB of per-epoch weights (`core.snapshots`); forty students with a few runs each could
hold gigabytes. The ledger sees every finished run (weakly: a run dies with its session) and, when the live runs'
snapshots pass the server's budget, halves the oldest runs' copies first: their epoch sliders keep the first, the
last and evenly spread epochs between. The newest run is thinned last.

    ledger = RunLedger(budget_bytes=512 * 2**20)
    ledger.add(run)          # after each finished job
    ledger.nbytes()
"""

from __future__ import annotations

import threading
import weakref

from core.runs import Run

SERVER_SNAPSHOT_BUDGET = 512 * 2**20
MIN_KEEP = 2 * 2**20  # below this a run's copies are not worth thinning further


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
