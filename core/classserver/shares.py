"""A dataset's training arrays on the cluster once, shared by every job on them.

    shares = DataShares()
    data_or_future = shares.get(data, cluster)   # sends `data` the first time (client.scatter), then reuses it
    shares.drop(data)                           # its copy was lost with a worker: the next job sends it again
    shares.clear()                              # the board closed

Jobs used to carry their arrays each (MNIST's are ~200 MB). Shares are keyed by the `PreparedData` object, the
one the server's cache hands every session (app.data_access), held weakly: a share of data nobody holds any more
is dropped, and Dask frees it on the workers. A share belongs to one cluster connection (`Cluster.generation`).
"""

from __future__ import annotations

import logging
import threading
import weakref

LOG = logging.getLogger("nnlab.jobs")
SEND_TIMEOUT = 60  # seconds to send a dataset; past it the job carries its own arrays


class DataShares:
    """Thread-safe; `get` talks to the cluster outside its lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._shares: dict[int, tuple] = {}  # id(data) -> (weakref to it, generation, its future on the cluster)

    def get(self, data, cluster) -> tuple:
        """(generation, future) of `data` on the cluster; () while the cluster is not up or the send failed (the
        job then carries its arrays itself)."""
        if not cluster.ready:
            return ()
        generation = cluster.generation
        with self._lock:
            ref, gen, future = self._shares.get(id(data), (None, 0, None))
            if ref is not None and ref() is data and gen == generation:
                return gen, future
        try:
            future = cluster.client().scatter(data, hash=False, timeout=SEND_TIMEOUT)
        except Exception:  # logged; the job carries its arrays as before
            LOG.exception("Could not send a dataset's arrays to the cluster.")
            return ()
        with self._lock:
            self._shares = {k: v for k, v in self._shares.items() if v[0]() is not None and v[1] == generation}
            self._shares[id(data)] = (weakref.ref(data), generation, future)
        return generation, future

    def drop(self, data) -> None:
        with self._lock:
            self._shares.pop(id(data), None)

    def clear(self) -> None:
        """Release every share (the board closed): Dask frees the copies nobody else holds."""
        with self._lock:
            self._shares.clear()

    def held(self) -> list:
        """The data objects shared now (for tests and the teacher's view)."""
        with self._lock:
            return [d for ref, _, _ in self._shares.values() if (d := ref()) is not None]
