"""How long the local cluster's processes live, and at what CPU priority: loaded into its scheduler, nannies and
workers (`dask ... --preload core.classserver.lifetime`, `--preload-nanny` too).

Each process ends when the NN Lab server that started it is gone, even killed with SIGKILL (its atexit never
runs): the server's process id and start time are in NNLAB_SERVER_PROCESS, checked every second (a start time, so
that a new process given the same id is not mistaken for the server). Workers run at NNLAB_NICE (a lower CPU
priority than the server, so a page a student clicks is drawn before a training step). This replaces a
`preexec_fn` (prctl's parent-death signal and os.nice between fork and exec), which Python's documentation calls
unsafe in a program with threads, as a Streamlit server is.
"""

from __future__ import annotations

import os
import threading
import time

SERVER_ENV, NICE_ENV = "NNLAB_SERVER_PROCESS", "NNLAB_NICE"
CHECK = 1.0  # seconds between looks at the server


def server_process() -> str:
    """This process as NNLAB_SERVER_PROCESS gives it to the cluster's processes: "pid:start time"."""
    import psutil

    return f"{os.getpid()}:{psutil.Process().create_time()!r}"


def server_alive(process: str) -> bool:
    """Whether the process "pid:start time" is still running."""
    import psutil

    pid, started = process.split(":")
    try:
        return psutil.Process(int(pid)).create_time() == float(started)
    except psutil.NoSuchProcess:
        return False


def _watch(process: str) -> None:
    while server_alive(process):
        time.sleep(CHECK)
    os._exit(0)  # the server is gone: nothing here is anyone's any more


def dask_setup(_server=None) -> None:
    """Dask calls this as the process starts (a preload's hook)."""
    if process := os.environ.get(SERVER_ENV, ""):
        threading.Thread(target=_watch, args=(process,), name="nnlab-server-watch", daemon=True).start()
    if (nice := int(os.environ.get(NICE_ENV, "0") or 0)) > os.getpriority(os.PRIO_PROCESS, 0):
        os.setpriority(os.PRIO_PROCESS, 0, nice)  # absolute: a worker under a niced nanny is not niced twice
