"""A Streamlit server on a free local port, for the browser tests (tests/e2e/conftest.py) and the benchmarks
(bench/): started, waited for until it answers its health check, and stopped with its training cluster.

    with running("app/main.py", data_dir) as port:       # http://127.0.0.1:{port}
        ...
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(
    script: str | Path = "app/main.py",
    data_dir: str | Path | None = None,
    port: int | None = None,
    cwd: Path = ROOT,
    output=subprocess.DEVNULL,
    **env: str,
) -> tuple[subprocess.Popen, int]:
    """`streamlit run script` on 127.0.0.1 (a free port unless given) with NNLAB_DATA_DIR=data_dir (a new empty
    folder unless given) and `env`; returns at once with the process and its port."""
    port = port or free_port()
    env = {**os.environ, "NNLAB_DATA_DIR": str(data_dir or tempfile.mkdtemp()), **env}
    command = [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1", "--server.headless", "true"]
    stderr = subprocess.STDOUT if output is subprocess.PIPE else output
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=output, stderr=stderr, text=True)
    return proc, port


def wait_healthy(port: int, timeout: float = 60, proc: subprocess.Popen | None = None) -> None:
    """Block until the server on 127.0.0.1:`port` answers its health check; RuntimeError with its output if
    `proc` exits first, TimeoutError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
            return
        except OSError:
            if proc is not None and proc.poll() is not None:
                said = Path(proc.log).read_text()[-3000:] if getattr(proc, "log", None) else ""
                raise RuntimeError(f"streamlit exited: {said}") from None
            if time.monotonic() > deadline:
                raise TimeoutError(f"no Streamlit server on port {port} after {timeout:.0f} s") from None
            time.sleep(0.05)


def stop(proc: subprocess.Popen) -> None:
    """End the server; it ends its training cluster's processes as it exits (killed if it takes over 30 s)."""
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


@contextlib.contextmanager
def running(script: str | Path = "app/main.py", data_dir: str | Path | None = None, **options):
    """The server's port while it runs (see `start` for the options)."""
    proc, port = start(script, data_dir, **options)
    try:
        wait_healthy(port, proc=proc)
        yield port
    finally:
        stop(proc)
