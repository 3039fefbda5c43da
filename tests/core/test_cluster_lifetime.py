"""The local cluster's processes end with the server that started them, even one killed with SIGKILL, and its
workers run at a lower CPU priority: without a preexec_fn (unsafe in a server with threads), through Dask's
preloads (core.classserver.lifetime)."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from core.classserver.cluster import WORKER_NICE
from core.classserver.lifetime import server_alive, server_process

ROOT = Path(__file__).resolve().parents[2]
SERVER = """
import json, os, time
from core.classserver.cluster import Cluster
cluster = Cluster(workers=1)
client = cluster.client(timeout=120)
client.wait_for_workers(1, timeout=120)
workers = client.run(lambda: (os.getpid(), os.getpriority(os.PRIO_PROCESS, 0)))
print(json.dumps({"procs": [p.pid for p in cluster._procs], "workers": list(workers.values()),
                  "log": str(cluster.log_file), "me": os.getpriority(os.PRIO_PROCESS, 0)}), flush=True)
time.sleep(600)
"""


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_a_killed_server_takes_its_cluster_with_it_and_workers_yield_the_cpu():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    server = subprocess.Popen([sys.executable, "-c", SERVER], env=env, stdout=subprocess.PIPE, text=True)
    try:
        facts = json.loads(server.stdout.readline())
    finally:
        server.send_signal(signal.SIGKILL)  # no atexit, no finalizer: only the cluster's own watch can end it
        server.wait()
    pids = facts["procs"] + [pid for pid, _ in facts["workers"]]
    assert [nice for _, nice in facts["workers"]] == [WORKER_NICE] and facts["me"] < WORKER_NICE
    deadline = time.monotonic() + 15
    while not all(_gone(pid) for pid in pids):
        assert time.monotonic() < deadline, [p for p in pids if not _gone(p)]
        time.sleep(0.2)
    assert Path(facts["log"]).is_file()  # Dask's log outlives the server, for the teacher


def test_the_server_is_told_from_a_new_process_with_its_old_id():
    me = server_process()
    assert server_alive(me)
    pid, started = me.split(":")
    assert not server_alive(f"{pid}:{float(started) - 100!r}")  # same id, another start: not the server


def test_no_worker_starts_once_the_server_is_ending(monkeypatch):
    """The server exits (its atexit finalizer runs) just after the scheduler was started: a worker started after
    that waited for ever for a scheduler that never came (found after a test run: a `dask worker` minutes after its
    server, before its nanny, which would watch the server, had started)."""
    from core.classserver.cluster import Cluster

    spawned, real = [], Cluster._spawn

    def spawn(self, *args, **kwargs):
        real(self, *args, **kwargs)
        spawned.append(args[0])
        if args[0] == "scheduler":
            self._finalizer()  # the server exits now

    monkeypatch.setattr(Cluster, "_spawn", spawn)
    cluster = Cluster(workers=1)
    cluster.start_now()
    deadline = time.monotonic() + 30
    while not cluster._ready.is_set():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(2.5)  # the supervisor does not try again either
    assert spawned == ["scheduler"] and all(_gone(p.pid) for p in cluster._procs)
    assert not cluster.ready
