"""Where training jobs run: NN Lab's own Dask cluster on this machine, or a school's cluster.

    cluster = Cluster.from_env()        # NNLAB_SCHEDULER=tls://host:8786: that cluster; else a local one
    client = cluster.client(timeout=30) # waits until it is up (it starts in the background)
    cluster.close()

The local cluster is a `dask scheduler` and a `dask worker` started as subprocesses: the same two commands a
school runs on its lab machines, so both settings take one code path. (A `LocalCluster` made inside a Streamlit
server cannot spawn its workers: multiprocessing re-imports Streamlit's `__main__`.) The workers run one thread
each, one per core, at a lower CPU priority than the server: a page a student clicks is drawn before a training
step. BLAS and TensorFlow use one thread per worker, set in the workers' environment. Every process of the local
cluster ends when the server that started it is gone (core.classserver.lifetime). Dask's own log is kept in
`Cluster.log_file` (the temporary folder's "nnlab-logs"), after the server ends too.

With NNLAB_TLS_CA/_CERT/_KEY set (core.classserver.certs), every connection is mutual TLS: the client presents
the node certificate, and a school's scheduler must be a `tls://` address. The local cluster listens on 127.0.0.1
only; with certificates it uses them too.
"""

from __future__ import annotations

import atexit
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from pathlib import Path

from core.classserver.certs import TLSConfigError, cli_options, security, tls_files
from core.classserver.lifetime import NICE_ENV, SERVER_ENV, server_process
from core.errors import NNLabError

SCHEDULER_ENV, WORKERS_ENV = "NNLAB_SCHEDULER", "NNLAB_WORKERS"
CONNECT_TIMEOUT = 5.0  # seconds a school's scheduler has to answer: a message within 10 s, not a still line
RETRY = 2.0  # seconds between attempts to start or reach the cluster again
WATCH = 0.25  # how often the supervisor checks that the scheduler is there
LOG = logging.getLogger("nnlab.cluster")
WORKER_NICE = 10  # workers yield the CPU to the server's page runs
ROOT = Path(__file__).resolve().parents[2]  # the folder that holds `core`
ONE_THREAD = {
    name: "1"
    for name in (
        "OMP_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "MKL_NUM_THREADS",
        "TF_NUM_INTRAOP_THREADS",
        "TF_NUM_INTEROP_THREADS",
    )
}
# Dask's worker samples the stack of the running task every 10 ms for its dashboard's profile (it takes the GIL
# from the training thread each time). NN Lab has no dashboard, so its workers do not profile. With this, the
# realigned arrays (core.classserver.training_job.aligned) and the heap settings of core.classserver.worker_warmup, a scikit-learn job
# went from 0.78x to 1.19x the plain fit's speed idle, and 1.29x to 3.44x with a core busy (bench/train_speed.py).
QUIET_WORKERS = {"DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED": "False"}
# A task whose worker dies is run again once (Dask's default is three times): a training that kills its worker
# (out of memory) ends with a message after its second try instead of taking down four workers in turn.
ONE_RETRY = {"DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1"}


class ClusterUnavailable(NNLabError, ConnectionError):
    """The training cluster did not start, or the scheduler NNLAB_SCHEDULER names does not answer."""


LIFETIME = "core.classserver.lifetime"  # preloaded into every local process: it ends with the server


def log_folder() -> Path:
    """Where the local cluster's Dask log is kept (it outlives the server: a teacher reads it after a bad lesson)."""
    return Path(tempfile.gettempdir()) / "nnlab-logs"


def _close_quietly(client) -> None:
    """Close a client whose scheduler is gone (it may wait out its timeout: not in the supervisor's thread)."""
    try:
        client.close(timeout=5)
    except (OSError, TimeoutError, RuntimeError):
        LOG.info("The old Dask client did not close cleanly.", exc_info=True)


class _Processes(list):
    """The local cluster's processes. Once the server ends (the finalizer ran), no new one is started: a start under
    way in the supervisor's thread would otherwise leave a worker waiting for ever for a scheduler that never
    comes (before its nanny starts, nothing in it watches the server)."""

    def __init__(self) -> None:
        super().__init__()
        self.lock, self.ended = threading.Lock(), False


def _terminate(procs: _Processes, folder: str, keep_folder: bool = False) -> None:
    with procs.lock:
        procs.ended = procs.ended or not keep_folder
        for proc in reversed(procs):  # workers first, then the scheduler
            if proc.poll() is None:
                proc.terminate()
        for proc in reversed(procs):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    if keep_folder:
        return
    for file in Path(folder).glob("*"):
        file.unlink(missing_ok=True)
    Path(folder).rmdir() if Path(folder).exists() else None


class Cluster:
    """A Dask client to the workers that train, connected in a background thread."""

    def __init__(
        self,
        address: str | None = None,
        workers: int | None = None,
        start_after: float = 0.0,
        tls: dict[str, str] | None = None,
        tls_error: NNLabError | None = None,
    ) -> None:
        """start_after: seconds to wait before starting (or connecting), unless `client()` is asked for sooner:
        importing Dask and starting its processes takes the CPU a server's first page needs. tls: the certificate
        files (core.classserver.certs.tls_files); tls_error: why the environment's TLS settings were refused."""
        self.address = address  # None: start a local scheduler and workers
        self.tls = tls
        self.start_after = start_after
        self.workers = workers or os.cpu_count() or 1
        self._procs = _Processes()
        self._client = None
        self._nthreads = self.workers
        self.generation = 0  # connections made so far: jobs of an older one were lost with its scheduler
        self._lost_at: float | None = None  # when the scheduler of the last connection went away
        self._error: BaseException | None = tls_error
        self._ready, self._closing, self._wanted = threading.Event(), threading.Event(), threading.Event()
        self._folder = tempfile.mkdtemp(prefix="nnlab-dask-")
        self.log_file = log_folder() / f"cluster-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
        self._finalizer = weakref.finalize(self, _terminate, self._procs, self._folder)
        atexit.register(self._finalizer)
        threading.Thread(target=self._start, name="nnlab-cluster", daemon=True).start()

    @classmethod
    def from_env(cls, start_after: float = 0.0) -> "Cluster":
        """The cluster NNLAB_SCHEDULER names, or a local one with NNLAB_WORKERS (default: one per core)."""
        workers = os.environ.get(WORKERS_ENV, "")
        try:
            tls, error = tls_files(), None
        except TLSConfigError as exc:
            tls, error = None, exc
        return cls(
            os.environ.get(SCHEDULER_ENV) or None, int(workers) if workers.isdigit() else None, start_after, tls, error
        )

    @property
    def local(self) -> bool:
        return self.address is None

    def _start(self) -> None:
        """The cluster's supervisor: connect (starting the local cluster first), then watch the connection. A
        scheduler that dies or stops answering ends this generation (`generation` counts connections: the board
        fails the jobs of an old one); the local cluster is started again, a school's scheduler reconnected to
        every few seconds until it answers."""
        self._wanted.wait(self.start_after)
        if self._closing.is_set() or self._error is not None:
            self._ready.set()
            return
        while not self._closing.is_set() and not self._procs.ended:
            try:
                self._connect()
            except (OSError, TimeoutError, ClusterUnavailable) as exc:
                self._error = exc
            self._ready.set()
            if self._client is not None:
                self._watch()
            if not self._closing.is_set():
                self._drop()
                self._closing.wait(RETRY)

    def _connect(self) -> None:
        from distributed import Client

        tls = cli_options(self.tls) if self.tls else []
        secure = {"security": security(self.tls)} if self.tls else {}
        if self.local:
            file = str(Path(self._folder) / "scheduler.json")
            Path(file).unlink(missing_ok=True)
            self._spawn(
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                file,
                "--preload",
                LIFETIME,
                *(["--protocol", "tls", *tls] if tls else []),
            )
            deadline = time.monotonic() + 60
            while not Path(file).exists():  # the workers start once it is up: none waits for a scheduler that failed
                if time.monotonic() > deadline or self._procs[0].poll() is not None:
                    raise ClusterUnavailable("The local Dask scheduler did not start (see the server log).")
                time.sleep(0.05)
            self._spawn(
                "worker",
                "--scheduler-file",
                file,
                "--nworkers",
                str(self.workers),
                "--nthreads",
                "1",
                "--no-dashboard",
                "--preload",
                "core.classserver.worker_warmup",
                "--preload",
                LIFETIME,
                "--preload-nanny",
                LIFETIME,
                *tls,
                nice=WORKER_NICE,
            )
            client = Client(scheduler_file=file, timeout=60, set_as_default=False, **secure)
        else:
            if self.tls and not self.address.startswith("tls://"):
                raise ClusterUnavailable(
                    f"{SCHEDULER_ENV}={self.address} is not a tls:// address, but the "
                    "cluster's certificates are set: start the scheduler with them and "
                    'use tls://<scheduler>:8786 (README, "A class server").'
                )
            client = Client(self.address, timeout=CONNECT_TIMEOUT, set_as_default=False, **secure)
        self._nthreads = max(1, sum(client.nthreads().values()))
        self._error, self._client, self._lost_at = None, client, None
        self.generation += 1

    def _watch(self) -> None:
        """Until the scheduler is gone: its process ended (local), or the client lost it. The worker threads are
        counted here, outside every lock of the board."""
        client, checked = self._client, 0.0
        while not self._closing.wait(WATCH):
            if (self.local and self._procs and self._procs[0].poll() is not None) or client.status != "running":
                break
            if time.monotonic() - checked > 2.0:
                try:
                    self._nthreads = max(1, sum(client.nthreads().values()))
                except (OSError, TimeoutError):  # a scheduler that stopped answering: the next check says so
                    continue
                checked = time.monotonic()
        else:
            return
        where = "the local one" if self.local else f"{SCHEDULER_ENV}={self.address}"
        self._error = ClusterUnavailable(f"the scheduler ({where}) stopped")
        self._client, self._lost_at = None, time.monotonic()
        LOG.warning(
            "The training cluster's scheduler (%s) stopped; %s.",
            where,
            "restarting it" if self.local else "reconnecting",
        )
        threading.Thread(target=_close_quietly, args=(client,), daemon=True).start()

    def _drop(self) -> None:
        """Before starting again: the local cluster's old processes end (workers first)."""
        if self.local and self._procs:
            _terminate(self._procs, self._folder, keep_folder=True)
            self._procs.clear()

    def _spawn(self, *args: str, nice: int = 0) -> None:
        # NN Lab's own code must import on the workers wherever the server was started from.
        path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
        env = {
            **os.environ,
            **ONE_THREAD,
            **QUIET_WORKERS,
            **ONE_RETRY,
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "PYTHONPATH": path,
        }
        env |= {SERVER_ENV: server_process(), NICE_ENV: str(nice)}
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_file, "ab") as log, self._procs.lock:  # Dask's own log, for the teacher
            if self._procs.ended:
                raise ClusterUnavailable("NN Lab is shutting down.")
            self._procs.append(subprocess.Popen([sys.executable, "-m", "dask", *args], env=env, stdout=log, stderr=log))

    def start_now(self) -> None:
        """Start (or connect) without waiting out `start_after`: something is to be trained."""
        self._wanted.set()

    @property
    def ready(self) -> bool:
        """Up and not closed (False while starting, after a failed start, after close, and from the moment the
        client lost its scheduler: Dask says so before it cancels the futures, so no job is handed to a dead one)."""
        client = self._client
        return self._ready.is_set() and client is not None and client.status == "running" and not self._closing.is_set()

    @property
    def failure(self) -> str:
        """Why the cluster is not there, once starting it has failed for good ("" while starting or up)."""
        if not self._ready.is_set() or self._client is not None or self._closing.is_set() or self._error is None:
            return ""
        where = "the local one" if self.local else f"{SCHEDULER_ENV}={self.address}"
        if self.generation:  # it was up: it is being started (or reached) again
            again = "it is being restarted" if self.local else "NN Lab reconnects when it answers"
            return (
                f"The training cluster stopped ({self._error}); {again}. Press Train again in a few seconds; "
                "if this repeats, ask the teacher."
            )
        return f"No training cluster ({where}): {self._error}. Ask the teacher to check it."

    @property
    def down_for(self) -> float:
        """Seconds since the scheduler of a cluster that was up went away (0 while up, or before it ever was)."""
        return 0.0 if self._lost_at is None or self.ready else time.monotonic() - self._lost_at

    @property
    def returning(self) -> str:
        """While a cluster that was up is being started (local) or reached (a school's) again: what a student
        waiting in line reads ("" otherwise)."""
        if self.ready or not self.generation or self._closing.is_set():
            return ""
        how = "being restarted" if self.local else f"being reconnected to ({SCHEDULER_ENV}={self.address})"
        return (
            f"The training cluster stopped and is {how}. Your training keeps its place in line and starts when "
            "the cluster is back."
        )

    def client(self, timeout: float = 60):
        """The connected client; ClusterUnavailable if it did not come up within `timeout` seconds."""
        self._wanted.set()
        if not self._ready.wait(timeout):
            raise ClusterUnavailable(f"The training cluster is still starting after {timeout:.0f} s. Try again.")
        client = self._client
        if client is None:
            raise ClusterUnavailable(
                self.failure or "The training cluster is starting again. Try again in a few seconds."
            )
        return client

    def threads(self) -> int:
        """Jobs that can run at once: the workers' threads (the local cluster's count until it is up)."""
        return self._nthreads if self.ready else self.workers  # counted by the supervisor: no scheduler call here

    def close(self) -> None:
        self._closing.set()
        self._wanted.set()
        client = self._client
        if client is not None:
            client.close()
        self._finalizer()
